//! The pipeline model. Unknown keys are errors everywhere (`deny_unknown_fields`), so a
//! typo never silently turns a check off.

use std::collections::BTreeMap;
use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::coverage::GapKind;
use crate::finding::{Confidence, Severity};
use crate::layer::Budgets;

/// A pipeline spec.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Pipeline {
    /// Must be `imgguard.dev/v1`.
    pub api_version: String,
    /// Must be `Pipeline`.
    pub kind: String,
    /// Name and labels.
    pub metadata: Metadata,
    /// Which image, and which platforms.
    #[serde(default)]
    pub image: ImageSpec,
    /// Build the image first with an existing builder, then check exactly what it
    /// produced (`imgguard run`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build: Option<super::build_spec::BuildSpec>,
    /// What to check and what fails.
    #[serde(default)]
    pub checks: Checks,
    /// Which coverage gaps may be accepted (by default none: incomplete is incomplete).
    #[serde(default)]
    pub coverage: CoveragePolicy,
    /// Limits against hostile input.
    #[serde(default)]
    pub budgets: Budgets,
    /// Strict mode: every waiver must name an owner and an `expires` date.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub strict: bool,
    /// Per-rule severity overrides and switches, keyed by rule id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub overrides: BTreeMap<String, RuleOverride>,
    /// The waivers file (relative to the current directory), e.g. `.imgguard/waivers.yaml`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waivers: Option<String>,
    /// A baseline written by `imgguard baseline`: only findings not in it gate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
    /// Reports to write on every run, in addition to the command line's `--format`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reports: Vec<ReportTarget>,
    /// Signatures and provenance the image must carry (paths relative to the spec file).
    #[serde(default, skip_serializing_if = "crate::verify::VerifySpec::is_empty")]
    pub verify: crate::verify::VerifySpec,
    /// The signed pass/fail record (SLSA VSA) the run issues, and where it goes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestation: Option<AttestationSpec>,
}

/// The `attestation:` section: issue a DSSE-signed SLSA VSA for every run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AttestationSpec {
    /// `verifier.id`: a URI naming this verifier, which deploy gates pin, e.g.
    /// `https://ci.example.com/imgguard`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verifier_id: Option<String>,
    /// Where to write the DSSE envelope (PASSED or FAILED alike), relative to the
    /// current directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    /// The signing key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign: Option<SignSpec>,
    /// Publish a PASSED VSA to the image's registry (cosign `.att` tag and a Sigstore
    /// bundle referrer). A FAILED or incomplete result is never pushed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub push: bool,
    /// The URI the VSA names as its `policy` (default: this spec's path as given, or
    /// `https://imgguard.dev/pipelines/default.yaml` for the embedded default). The
    /// digest is always that of the spec's bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_uri: Option<String>,
}

/// How the VSA is signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignSpec {
    /// The private key: a file (cosign's encrypted format, or PKCS#8 PEM with ECDSA
    /// P-256 or Ed25519) or `env://VAR`. The password of an encrypted key comes from
    /// `IMGGUARD_KEY_PASSWORD` or `COSIGN_PASSWORD`.
    pub key: String,
}

/// A per-rule override.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleOverride {
    /// Report this rule's findings at this severity instead of the rule's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// `false` turns the rule off: its findings are dropped.
    #[serde(default = "yes")]
    pub enabled: bool,
}

/// One report a run writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportTarget {
    /// The format.
    pub format: ReportFormat,
    /// Where to write it; standard output when absent (for `github`: the step
    /// summary file, while annotations always go to standard output).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
}

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReportFormat {
    /// A summary for people, grouped by layer, with a one-line verdict.
    Human,
    /// The `imgguard.report/v1` JSON report.
    Json,
    /// SARIF 2.1.0 (GitHub code scanning).
    Sarif,
    /// JUnit XML, one testcase per check (GitLab `reports:junit`).
    Junit,
    /// GitHub Actions: `::error`/`::warning` annotations and a step summary.
    Github,
    /// GitLab Code Quality JSON (`reports:codequality`); the same as
    /// `gitlab-codequality`, kept as the short name.
    Gitlab,
    /// GitLab Code Quality JSON (`reports:codequality`), shown in merge requests on
    /// every tier.
    #[serde(rename = "gitlab-codequality")]
    GitlabCodequality,
    /// GitLab secret-detection report JSON (`reports:secret_detection`, security
    /// report schema 15.x), with redacted values only.
    #[serde(rename = "gitlab-secret-detection")]
    GitlabSecretDetection,
}

impl ReportFormat {
    /// Every format, in documentation order.
    pub const ALL: [Self; 8] = [
        Self::Human,
        Self::Json,
        Self::Sarif,
        Self::Junit,
        Self::Github,
        Self::Gitlab,
        Self::GitlabCodequality,
        Self::GitlabSecretDetection,
    ];

    /// The lowercase name used in specs and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Self::Human => "human",
            Self::Json => "json",
            Self::Sarif => "sarif",
            Self::Junit => "junit",
            Self::Github => "github",
            Self::Gitlab => "gitlab",
            Self::GitlabCodequality => "gitlab-codequality",
            Self::GitlabSecretDetection => "gitlab-secret-detection",
        }
    }
}

impl std::str::FromStr for ReportFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|f| f.name()).collect();
                format!("unknown format `{s}`, expected one of {}", names.join(", "))
            })
    }
}

impl std::str::FromStr for ReportTarget {
    type Err = String;

    /// `FORMAT` or `FORMAT=PATH`, as `--format` takes it.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (format, output) = match s.split_once('=') {
            Some((f, path)) if !path.is_empty() => (f, Some(path.to_owned())),
            Some((_, _)) => return Err(format!("`{s}`: the path after `=` is empty")),
            None => (s, None),
        };
        Ok(Self {
            format: format.parse()?,
            output,
        })
    }
}

/// Pipeline metadata.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Metadata {
    /// A short name, used in reports and attestations.
    pub name: String,
}

/// The image section.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImageSpec {
    /// The image reference (the command line's IMAGE wins when both are given).
    #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// `all` (default) or a list like `[linux/amd64, linux/arm64]`.
    #[serde(default)]
    pub platforms: PlatformSelection,
}

/// Which platforms to check.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum PlatformSelection {
    /// `all`.
    #[default]
    #[serde(skip)]
    All,
    /// The word `all`.
    Keyword(AllKeyword),
    /// An explicit list.
    List(Vec<String>),
}

/// The literal `all`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AllKeyword {
    /// Every platform.
    All,
}

/// Per-category check settings.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Checks {
    /// Baked-in credentials, with extra rule packs and nested-archive budgets.
    #[serde(default)]
    pub secrets: SecretSettings,
    /// Image configuration.
    #[serde(default)]
    pub config: CheckSettings,
    /// Layer filesystem.
    #[serde(default)]
    pub filesystem: CheckSettings,
    /// Which configuration and filesystem rules run, and how severe they are.
    #[serde(default)]
    pub profile: Profile,
    /// A Dockerfile to lint and to map image findings back to its lines (relative to
    /// the spec file; the command line's `--dockerfile` wins).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dockerfile: Option<PathBuf>,
}

/// A set of configuration and filesystem rules with their severities.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Profile {
    /// What a Kubernetes deploy needs: low noise, own layers over base layers.
    #[default]
    Default,
    /// Every rule, base layers included, with higher severities.
    Strict,
    /// The default rules plus what only matters without an orchestrator (HEALTHCHECK).
    DockerStandalone,
}

impl Profile {
    /// The kebab-case name used in specs.
    pub fn name(self) -> &'static str {
        match self {
            Self::Default => "default",
            Self::Strict => "strict",
            Self::DockerStandalone => "docker-standalone",
        }
    }
}

/// Settings shared by every category.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckSettings {
    /// Run this category.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Fail on findings of this severity or worse.
    #[serde(default = "default_fail_on")]
    pub fail_on: Severity,
    /// Findings below this confidence are reported but do not gate.
    #[serde(default = "default_min_confidence")]
    pub min_confidence: Confidence,
    /// Rule ids to turn off.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disable: Vec<String>,
    /// Rule ids to turn on although the profile leaves them off (e.g.
    /// `config.healthcheck-missing` under the default profile).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub enable: Vec<String>,
}

fn yes() -> bool {
    true
}

fn default_fail_on() -> Severity {
    Severity::High
}

fn default_min_confidence() -> Confidence {
    Confidence::Medium
}

impl Default for CheckSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            fail_on: default_fail_on(),
            min_confidence: default_min_confidence(),
            disable: Vec::new(),
            enable: Vec::new(),
        }
    }
}

/// The secret check: the settings every category has, plus the user's own rule packs
/// and the nested-archive budgets. Field access reaches the shared settings through
/// `Deref` (`checks.secrets.fail_on`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(from = "SecretSettingsDocument", into = "SecretSettingsDocument")]
#[schemars(with = "SecretSettingsDocument")]
pub struct SecretSettings {
    /// `enabled`, `fail_on`, `min_confidence`, `disable`, `enable`.
    pub common: CheckSettings,
    /// Extra rule packs, as written (relative to the spec file).
    pub rules: Vec<PathBuf>,
    /// Nested-archive budgets.
    pub archives: ArchiveSettings,
    /// The packs of `rules`, read and proven when the spec was loaded (the built-in
    /// rules are added by the analyzer). Empty for a spec that was only parsed.
    pub loaded_packs: Vec<LoadedRulePack>,
}

/// A user rule pack read at spec load: where it came from and its text (compiled and
/// proven by the loader; the analyzer compiles it again from this same text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedRulePack {
    /// The path as resolved against the spec's directory.
    pub path: PathBuf,
    /// The YAML text.
    pub text: String,
}

impl std::ops::Deref for SecretSettings {
    type Target = CheckSettings;

    fn deref(&self) -> &CheckSettings {
        &self.common
    }
}

impl std::ops::DerefMut for SecretSettings {
    fn deref_mut(&mut self) -> &mut CheckSettings {
        &mut self.common
    }
}

/// `checks.secrets` as written in YAML.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretSettingsDocument {
    /// Run this category.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Fail on findings of this severity or worse.
    #[serde(default = "default_fail_on")]
    pub fail_on: Severity,
    /// Findings below this confidence are reported but do not gate.
    #[serde(default = "default_min_confidence")]
    pub min_confidence: Confidence,
    /// Rule ids to turn off.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disable: Vec<String>,
    /// Rule ids to turn on although the profile leaves them off.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub enable: Vec<String>,
    /// Extra secret rule packs (YAML, the format of `rules/*.yaml`), relative to the
    /// spec file. Each is proven at load like `imgguard rules check`: a pack whose
    /// examples do not match is an error, never a silently weaker scan.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<PathBuf>,
    /// Limits for opening archives inside layer files (zip, jar, tar, gz…). An archive
    /// beyond them is a coverage gap, never silence.
    #[serde(default, skip_serializing_if = "ArchiveSettings::is_default")]
    pub archives: ArchiveSettings,
}

impl From<SecretSettingsDocument> for SecretSettings {
    fn from(doc: SecretSettingsDocument) -> Self {
        Self {
            common: CheckSettings {
                enabled: doc.enabled,
                fail_on: doc.fail_on,
                min_confidence: doc.min_confidence,
                disable: doc.disable,
                enable: doc.enable,
            },
            rules: doc.rules,
            archives: doc.archives,
            loaded_packs: Vec::new(),
        }
    }
}

impl From<SecretSettings> for SecretSettingsDocument {
    fn from(settings: SecretSettings) -> Self {
        Self {
            enabled: settings.common.enabled,
            fail_on: settings.common.fail_on,
            min_confidence: settings.common.min_confidence,
            disable: settings.common.disable,
            enable: settings.common.enable,
            rules: settings.rules,
            archives: settings.archives,
        }
    }
}

/// Nested-archive budgets of the secret scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ArchiveSettings {
    /// Deepest nesting opened (1 = archives directly in a layer file; 0 opens none).
    #[serde(default = "default_archive_depth")]
    pub max_depth: u32,
    /// Most bytes of archives held in memory at once for one layer file, all nesting
    /// levels together (at most 1 GiB). Only zip-family archives (jar, war, whl, apk…)
    /// are held, for their central directory; tar and gzip are streamed whatever their
    /// size. A zip that does not fit is scanned as binary strings, with a coverage gap.
    #[serde(default = "default_archive_bytes")]
    pub max_bytes: u64,
    /// Most bytes one nested compressed stream (a `.gz`, a deflated zip member) may
    /// expand to before the scan stops there with a coverage gap (decompression bombs).
    #[serde(default = "default_archive_expanded_bytes")]
    pub max_expanded_bytes: u64,
}

/// Default nesting depth of archives opened.
pub const DEFAULT_ARCHIVE_DEPTH: u32 = 3;
/// Default largest archive or member opened, in bytes.
pub const DEFAULT_ARCHIVE_BYTES: u64 = 64 * 1024 * 1024;
/// Default expansion budget of one nested compressed stream, in bytes.
pub const DEFAULT_ARCHIVE_EXPANDED_BYTES: u64 = 1024 * 1024 * 1024;
/// The most `archives.max_bytes` may say (one member is held in memory).
pub const MAX_ARCHIVE_BYTES: u64 = 1024 * 1024 * 1024;
/// The most `archives.max_depth` may say.
pub const MAX_ARCHIVE_DEPTH: u32 = 16;

fn default_archive_depth() -> u32 {
    DEFAULT_ARCHIVE_DEPTH
}

fn default_archive_bytes() -> u64 {
    DEFAULT_ARCHIVE_BYTES
}

fn default_archive_expanded_bytes() -> u64 {
    DEFAULT_ARCHIVE_EXPANDED_BYTES
}

impl Default for ArchiveSettings {
    fn default() -> Self {
        Self {
            max_depth: DEFAULT_ARCHIVE_DEPTH,
            max_bytes: DEFAULT_ARCHIVE_BYTES,
            max_expanded_bytes: DEFAULT_ARCHIVE_EXPANDED_BYTES,
        }
    }
}

impl ArchiveSettings {
    /// Whether these are the defaults (left out when serializing).
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

/// Which coverage gaps the spec accepts.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CoveragePolicy {
    /// Gap kinds that do not make the verdict incomplete. Digest and diff_id
    /// mismatches can never be accepted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accept: Vec<GapKind>,
}
