//! Findings: what an analyzer reports about an image, with where it was seen. A
//! finding is data, never an error. Secret values only ever enter as a
//! [`RedactedSecret`], built at the point of detection, so no later stage can leak them.

use std::fmt::Write as _;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::oci::Digest;

/// How bad a finding is. Ordered: `Info < Low < … < Critical`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// For the record.
    Info,
    /// Worth a look.
    Low,
    /// Should be fixed.
    Medium,
    /// Must be fixed before deploy.
    High,
    /// Exploitable as shipped.
    Critical,
}

impl Severity {
    /// The lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }
}

/// Which family of check produced a finding.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// A baked-in credential.
    Secret,
    /// The image config (user, ports, …).
    Config,
    /// The layer filesystem (modes, unsafe paths, links).
    Filesystem,
    /// The Dockerfile.
    Dockerfile,
    /// Signatures.
    Signature,
    /// Provenance.
    Provenance,
}

impl Category {
    /// The lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Secret => "secret",
            Self::Config => "config",
            Self::Filesystem => "filesystem",
            Self::Dockerfile => "dockerfile",
            Self::Signature => "signature",
            Self::Provenance => "provenance",
        }
    }
}

/// How sure a rule is that a match is real. Low-confidence findings do not gate by default.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// Heuristic.
    Low,
    /// Structured match.
    Medium,
    /// Format with a checksum or an unmistakable prefix.
    High,
}

/// Where in the image something was seen.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// A file in a layer.
    File,
    /// A config `Env` entry.
    Env,
    /// A config label.
    Label,
    /// A history `created_by` line.
    History,
    /// `Cmd`.
    Cmd,
    /// `Entrypoint`.
    Entrypoint,
    /// `Healthcheck`.
    Healthcheck,
    /// `User`.
    User,
    /// `ExposedPorts`.
    Expose,
    /// `Volumes`.
    Volume,
    /// The layer filesystem as a whole (modes, links, paths).
    Filesystem,
    /// Image metadata (annotations, base image).
    Metadata,
    /// A Dockerfile line.
    Dockerfile,
    /// A line of the pipeline spec (e.g. a `build.args` entry): `path` is the spec file.
    Spec,
}

/// A layer as a finding names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LayerRef {
    /// 0-based position in the manifest (base first).
    pub index: usize,
    /// Digest of the blob as stored.
    pub digest: Digest,
    /// Digest of the uncompressed tar.
    pub diff_id: Option<Digest>,
    /// The history instruction that made it, with secret values redacted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// Whether the layer belongs to the base image, when annotations or history tell.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_base: Option<bool>,
}

/// A Dockerfile position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DockerfileLocation {
    /// The Dockerfile path as given.
    pub file: String,
    /// 1-based line.
    pub line: u64,
}

/// Where a finding was seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Location {
    /// The platform, e.g. `linux/amd64`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// The layer, for file and filesystem findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<LayerRef>,
    /// Which part of the image.
    pub source: SourceKind,
    /// Path in the image, or the config key (`DB_PASS`, label name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Entries inside nested archives, outermost first.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub archive_path: Vec<String>,
    /// 1-based line within the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// The file is removed by a later layer (but still ships in the image).
    pub deleted: bool,
    /// The layer whose whiteout removes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted_by_layer: Option<usize>,
    /// The file is replaced by a later layer (the old content still ships).
    pub overwritten: bool,
    /// The layer that replaces it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overwritten_by_layer: Option<usize>,
    /// The Dockerfile line this maps to, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dockerfile: Option<DockerfileLocation>,
}

impl Location {
    /// A location of the given source kind with nothing else set.
    pub fn new(source: SourceKind) -> Self {
        Self {
            platform: None,
            layer: None,
            source,
            path: None,
            archive_path: Vec::new(),
            line: None,
            deleted: false,
            deleted_by_layer: None,
            overwritten: false,
            overwritten_by_layer: None,
            dockerfile: None,
        }
    }

    /// Set the path.
    #[must_use]
    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Set the line.
    #[must_use]
    pub fn with_line(mut self, line: u64) -> Self {
        self.line = Some(line);
        self
    }
}

/// A secret value reduced to what is safe to show: a short prefix, the length and a
/// SHA-256 fingerprint. The full value is never stored.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct RedactedSecret {
    /// Display form, e.g. `AKIA…(20)`.
    pub redacted: String,
    /// Lowercase hex SHA-256 of the value, to match it across reports without revealing it.
    pub sha256: String,
    /// Length in bytes.
    pub length: usize,
}

impl RedactedSecret {
    /// Redact `value` at the point of detection. The prefix is at most 4 characters and
    /// never more than a quarter of the value, so short secrets reveal little.
    pub fn from_value(value: &[u8]) -> Self {
        let shown = (value.len() / 4).min(4);
        let prefix: String = value
            .iter()
            .take(shown)
            .map(|&b| {
                if b.is_ascii_graphic() {
                    char::from(b)
                } else {
                    '?'
                }
            })
            .collect();
        Self {
            redacted: format!("{prefix}…({})", value.len()),
            sha256: hex::encode(Sha256::digest(value)),
            length: value.len(),
        }
    }
}

/// A finding waived by the spec's waivers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Waived {
    /// Why.
    pub reason: String,
    /// Who owns the waiver.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// When it expires (RFC 3339 date).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

/// The non-human identity a credential finding stands for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Credential {
    /// Provider, e.g. `aws`.
    pub provider: String,
    /// Kind, e.g. `cloud-key`, `database-password`.
    pub kind: String,
    /// Whether it is a long-lived static credential.
    pub long_lived: bool,
}

/// One reported problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Finding {
    /// Stable identity (rule, where, and what) for waivers and baselines.
    pub fingerprint: String,
    /// Rule id, e.g. `secret.github-pat`.
    pub rule: String,
    /// Family.
    pub category: Category,
    /// Severity after spec overrides.
    pub severity: Severity,
    /// How sure the rule is.
    pub confidence: Confidence,
    /// Short title.
    pub title: String,
    /// What was expected and what was found (never a secret value).
    pub message: String,
    /// Where.
    pub location: Location,
    /// The redacted secret, for secret findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<RedactedSecret>,
    /// The credential inventory entry, for secret findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential: Option<Credential>,
    /// Set when a waiver applies.
    pub waived: Option<Waived>,
}

impl Finding {
    /// A finding with its fingerprint computed from the rule, the location's stable
    /// parts and `identity` (what makes two findings at one place different: the
    /// secret's hash, the config key, …).
    pub fn new(
        rule: impl Into<String>,
        category: Category,
        severity: Severity,
        title: impl Into<String>,
        message: impl Into<String>,
        location: Location,
    ) -> Self {
        let mut finding = Self {
            fingerprint: String::new(),
            rule: rule.into(),
            category,
            severity,
            confidence: Confidence::High,
            title: title.into(),
            message: message.into(),
            location,
            secret: None,
            credential: None,
            waived: None,
        };
        finding.refresh_fingerprint();
        finding
    }

    /// Attach a redacted secret (and refresh the fingerprint, which includes its hash).
    #[must_use]
    pub fn with_secret(mut self, secret: RedactedSecret) -> Self {
        self.secret = Some(secret);
        self.refresh_fingerprint();
        self
    }

    /// Set the confidence.
    #[must_use]
    pub fn with_confidence(mut self, confidence: Confidence) -> Self {
        self.confidence = confidence;
        self
    }

    /// Attach the credential inventory entry.
    #[must_use]
    pub fn with_credential(mut self, credential: Credential) -> Self {
        self.credential = Some(credential);
        self
    }

    /// Recompute the fingerprint. It deliberately leaves out layer digests and line
    /// numbers so that a waiver survives a rebuild that moves the same problem.
    pub fn refresh_fingerprint(&mut self) {
        let mut key = String::new();
        let _ = write!(
            key,
            "{}\0{:?}\0{}\0{}\0{}",
            self.rule,
            self.location.source,
            self.location.path.as_deref().unwrap_or(""),
            self.location.archive_path.join("!"),
            self.secret.as_ref().map_or("", |s| s.sha256.as_str()),
        );
        let hash = Sha256::digest(key.as_bytes());
        self.fingerprint = hex::encode(hash.get(..16).unwrap_or(&[]));
    }

    /// The order findings are reported in: stable whatever the thread timing.
    pub fn sort_key(&self) -> impl Ord + '_ {
        (
            self.location.platform.as_deref(),
            self.location.layer.as_ref().map(|l| l.index),
            self.location.source,
            self.location.path.as_deref(),
            self.location.archive_path.clone(),
            self.location.line,
            std::cmp::Reverse(self.severity),
            self.rule.as_str(),
            self.fingerprint.as_str(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_keeps_little_of_the_value() {
        let r = RedactedSecret::from_value(b"ComplexPassword123");
        assert_eq!(r.redacted, "Comp…(18)");
        assert_eq!(r.length, 18);
        assert!(!r.redacted.contains("Password"));
        let short = RedactedSecret::from_value(b"abc123");
        assert_eq!(short.redacted, "a…(6)");
        let tiny = RedactedSecret::from_value(b"abc");
        assert_eq!(tiny.redacted, "…(3)");
    }

    #[test]
    fn fingerprint_ignores_layer_and_line_but_not_secret() {
        let loc = Location::new(SourceKind::File).with_path("/app/.env");
        let a = Finding::new(
            "r",
            Category::Secret,
            Severity::High,
            "t",
            "m",
            loc.clone().with_line(3),
        )
        .with_secret(RedactedSecret::from_value(b"s3cr3t-value-1"));
        let b = Finding::new(
            "r",
            Category::Secret,
            Severity::High,
            "t",
            "m",
            loc.clone().with_line(9),
        )
        .with_secret(RedactedSecret::from_value(b"s3cr3t-value-1"));
        let c = Finding::new("r", Category::Secret, Severity::High, "t", "m", loc)
            .with_secret(RedactedSecret::from_value(b"s3cr3t-value-2"));
        assert_eq!(a.fingerprint, b.fingerprint);
        assert_ne!(a.fingerprint, c.fingerprint);
    }
}
