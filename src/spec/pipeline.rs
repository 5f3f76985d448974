//! The pipeline model. Unknown keys are errors everywhere (`deny_unknown_fields`), so a
//! typo never silently turns a check off.

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
    /// What to check and what fails.
    #[serde(default)]
    pub checks: Checks,
    /// Which coverage gaps may be accepted (by default none: incomplete is incomplete).
    #[serde(default)]
    pub coverage: CoveragePolicy,
    /// Limits against hostile input.
    #[serde(default)]
    pub budgets: Budgets,
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
    /// Baked-in credentials.
    #[serde(default)]
    pub secrets: CheckSettings,
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

/// Which coverage gaps the spec accepts.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CoveragePolicy {
    /// Gap kinds that do not make the verdict incomplete. Digest and diff_id
    /// mismatches can never be accepted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accept: Vec<GapKind>,
}
