//! A secret finding as this analyzer reports it: the rule's identity and inventory
//! fields (provider, kind, long-lived), where it was seen, and the redacted value only.
//! The layer engine adds platform and layer attribution when it wraps these into the
//! shared finding type.

use serde::{Deserialize, Serialize};

use super::rule::{Confidence, CredentialKind, Severity};
use super::scanner::SecretMatch;
use crate::finding::RedactedSecret;

/// Where in the image a secret was seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SecretSource {
    /// A file in a layer (possibly inside nested archives).
    File,
    /// An `Env` entry of the image config.
    Env,
    /// A label of the image config.
    Label,
    /// The `Cmd` of the image config.
    Cmd,
    /// The `Entrypoint` of the image config.
    Entrypoint,
    /// The healthcheck test command.
    Healthcheck,
    /// A `history[].created_by` instruction.
    History,
    /// A `BuildKit` build argument recorded in history (`RUN |N KEY=VAL …`).
    BuildArg,
}

/// One detected secret, already redacted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretFinding {
    /// Rule id.
    pub rule: String,
    /// Rule title.
    pub title: String,
    /// Issuing provider (non-human identity inventory).
    pub provider: String,
    /// Credential kind (inventory).
    pub kind: CredentialKind,
    /// Long-lived static credential (inventory).
    pub long_lived: bool,
    /// Impact.
    pub severity: Severity,
    /// Confidence after validation; `low` does not gate by default.
    pub confidence: Confidence,
    /// Where it was seen.
    pub source: SecretSource,
    /// Env variable or label name, or build-argument name.
    pub key: Option<String>,
    /// Path in the layer (files only).
    pub path: Option<String>,
    /// Chain of archive members from the outer file inward.
    pub archive_path: Vec<String>,
    /// Index into the config's `history` (history and build-arg sources).
    pub history_index: Option<usize>,
    /// 1-based line in the scanned text (files: within the innermost member).
    pub line: Option<u64>,
    /// The redacted value.
    pub secret: RedactedSecret,
}

impl SecretFinding {
    /// Redact a match into a finding with the given source; location fields start empty.
    pub fn from_match(m: &SecretMatch<'_>, source: SecretSource) -> Self {
        Self {
            rule: m.rule.id.clone(),
            title: m.rule.title.clone(),
            provider: m.rule.provider.clone(),
            kind: m.rule.kind,
            long_lived: m.rule.long_lived,
            severity: m.rule.severity,
            confidence: m.confidence,
            source,
            key: None,
            path: None,
            archive_path: Vec::new(),
            history_index: None,
            line: Some(m.line),
            secret: m.redact(),
        }
    }
}
