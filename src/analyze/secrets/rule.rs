//! One secret rule: the YAML model (`RuleSpec`, strict, unknown keys are errors) and the
//! compiled form (`Rule`) the scanner runs. Loading and compiling live in `rule_set`.

use regex::bytes::Regex;
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

use super::validator::Validator;

pub use crate::finding::{Confidence, Severity};

/// Whether findings of this confidence gate a deployment by default (generic,
/// low-confidence rules do not).
pub fn gates_by_default(confidence: Confidence) -> bool {
    confidence >= Confidence::Medium
}

/// What kind of non-human identity a credential is (for the inventory).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CredentialKind {
    /// A cloud provider access key (AWS, GCP, Azure, Alibaba...).
    CloudKey,
    /// An API token for a `SaaS` or platform.
    ApiToken,
    /// A private key (PEM, `OpenSSH`, `PuTTY`, PGP, age).
    PrivateKey,
    /// A database password or connection string with a password.
    DatabasePassword,
    /// A package or container registry credential.
    RegistryCredential,
    /// A webhook URL or webhook signing secret.
    Webhook,
    /// An OAuth client secret.
    OauthClientSecret,
    /// A short-lived session or access token.
    SessionToken,
    /// A service-account credential (GCP key file, Kubernetes token).
    ServiceAccount,
    /// A password in a generic assignment.
    Password,
    /// A source-control credential (git over HTTPS).
    VcsCredential,
    /// A generic secret or token assignment.
    GenericSecret,
}

impl CredentialKind {
    /// The stable kebab-case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CloudKey => "cloud-key",
            Self::ApiToken => "api-token",
            Self::PrivateKey => "private-key",
            Self::DatabasePassword => "database-password",
            Self::RegistryCredential => "registry-credential",
            Self::Webhook => "webhook",
            Self::OauthClientSecret => "oauth-client-secret",
            Self::SessionToken => "session-token",
            Self::ServiceAccount => "service-account",
            Self::Password => "password",
            Self::VcsCredential => "vcs-credential",
            Self::GenericSecret => "generic-secret",
        }
    }
}

/// Which value judgement the shared false-positive guard applies on top of the
/// placeholder checks every rule gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ValueCheck {
    /// Only the shared placeholder/example checks (provider formats).
    #[default]
    Format,
    /// The value must look like a chosen password: length, character classes, not an
    /// identifier, path, reference, hash or UUID.
    Password,
    /// The value must look like a random token: long, high entropy, not a hash or UUID.
    Token,
}

/// Where the rule's regex runs around a keyword hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Window {
    /// Bytes before the keyword start (not bounded by lines).
    pub before: u32,
    /// Bytes after the keyword end (not bounded by lines).
    pub after: u32,
}

/// The largest window a rule may ask for; bounds the streaming scanner's memory.
pub const MAX_WINDOW: u32 = 64 * 1024;

/// A rule as written in YAML.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Stable id, `secret.<provider>-<what>`.
    pub id: Spanned<String>,
    /// One-line human title.
    pub title: String,
    /// The provider that issued the credential.
    pub provider: String,
    /// The kind of credential.
    pub kind: CredentialKind,
    /// Whether the credential is long-lived (static) rather than short-lived.
    pub long_lived: bool,
    /// Impact of a leak.
    pub severity: Severity,
    /// Confidence of a match before validation.
    pub confidence: Confidence,
    /// Case-sensitive literals for the prefilter.
    pub keywords: Vec<String>,
    /// `regex::bytes` pattern (unicode off) with exactly one capture group.
    pub pattern: String,
    /// Minimum Shannon entropy (bits per byte) of the capture.
    #[serde(default)]
    pub entropy: Option<f64>,
    /// Offline validator run on the capture.
    #[serde(default)]
    pub validator: Option<Validator>,
    /// Value judgement applied by the shared guard.
    #[serde(default)]
    pub value_check: ValueCheck,
    /// Multi-line window; default is the keyword's line.
    #[serde(default)]
    pub window: Option<Window>,
    /// A literal every match contains (e.g. `@` for credentials in URLs): a window
    /// without it is skipped before the regex runs. A cheap precheck for rules whose
    /// keyword is common; a wrong value makes the rule's examples fail their test.
    #[serde(default)]
    pub requires: Option<String>,
    /// With `requires`: the literal lies within this many bytes after the start of the
    /// keyword hit (e.g. the `@` of `https://user:pass@host`), so a hit without it is
    /// dropped before any window is built. For rules whose keyword is very common
    /// (`http` in text); a wrong value makes the rule's examples fail their test.
    #[serde(default)]
    pub requires_within: Option<u32>,
    /// Why this rule does not false-alarm.
    pub fp_guard: String,
    /// Inputs that must produce a finding of this rule.
    pub examples: Vec<String>,
    /// Inputs that must not produce a finding of this rule.
    #[serde(default)]
    pub negative_examples: Vec<String>,
}

/// A rule pack file: a list of rules.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulePackSpec {
    /// The rules of this pack.
    pub rules: Vec<RuleSpec>,
}

/// A compiled rule, ready for the scanner.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Stable id.
    pub id: String,
    /// Human title.
    pub title: String,
    /// Issuing provider.
    pub provider: String,
    /// Credential kind.
    pub kind: CredentialKind,
    /// Long-lived static credential.
    pub long_lived: bool,
    /// Impact.
    pub severity: Severity,
    /// Confidence before validation.
    pub confidence: Confidence,
    /// Prefilter keywords.
    pub keywords: Vec<String>,
    /// The source pattern.
    pub pattern: String,
    /// Entropy floor.
    pub entropy: Option<f64>,
    /// Offline validator.
    pub validator: Option<Validator>,
    /// Value judgement.
    pub value_check: ValueCheck,
    /// Window; `None` means the keyword's line.
    pub window: Option<Window>,
    /// A literal every match contains, checked before the regex.
    pub requires: Option<String>,
    /// Bytes after a keyword hit within which `requires` must occur.
    pub requires_within: Option<u32>,
    /// False-positive guard explanation.
    pub fp_guard: String,
    /// Positive examples.
    pub examples: Vec<String>,
    /// Negative examples.
    pub negative_examples: Vec<String>,
    /// Where the rule was defined (pack name).
    pub origin: String,
    /// Line of the rule's `id` in its pack.
    pub line: u64,
    pub(crate) regex: Regex,
}

impl Rule {
    /// The compiled regex (one capture group).
    pub fn regex(&self) -> &Regex {
        &self.regex
    }
}
