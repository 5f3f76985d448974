//! The report model (`imgguard.report/v1`), a public contract: its JSON Schema is
//! generated from these types, committed as `schemas/report.v1.json`, and a test fails
//! when the two drift apart.

use schemars::JsonSchema;
use serde::Serialize;

use crate::coverage::Coverage;
use crate::engine::CheckOutcome;
use crate::finding::{Finding, Severity};
use crate::oci::Digest;
use crate::policy::Verdict;
use crate::policy::outcome::{BaselineOutcome, PolicyOutcome, WaiversReport};
use crate::source::{DigestKind, SourceInfo};
pub use crate::verify::Verification;

/// The schema identifier every report carries.
pub const REPORT_SCHEMA_ID: &str = "imgguard.report/v1";

/// A check report.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Report {
    /// Always `imgguard.report/v1`.
    pub schema: String,
    /// The tool that made it.
    pub tool: Tool,
    /// The image checked.
    pub image: ImageSummary,
    /// `pass`, `fail` or `incomplete`.
    pub verdict: Verdict,
    /// Why the verdict is what it is.
    pub reasons: Vec<String>,
    /// Counts.
    pub summary: Summary,
    /// Every finding, in stable order.
    pub findings: Vec<Finding>,
    /// Signature and provenance verification: per requirement, its status, the
    /// evidence (format, location, sha256) that satisfied it and why the rest did not.
    pub verification: Verification,
    /// What was checked and what was not.
    pub coverage: Coverage,
    /// Timings.
    pub timing_ms: Timing,
    /// The pipeline spec's `metadata.name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline: Option<String>,
    /// What the waivers file did, when one was used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waivers: Option<WaiversReport>,
    /// What the baseline did, when one was used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineOutcome>,
    /// Fingerprints of the findings that count against the verdict.
    #[serde(default)]
    pub gating: Vec<String>,
    /// The Dockerfile the image was built from (repository-relative), when the spec
    /// names one: SARIF and Code Quality anchor findings without a line mapping to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dockerfile: Option<String>,
    /// The build stage, when `imgguard run` built the image checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build: Option<crate::build::BuildRecord>,
    /// The push stage, when `imgguard run` pushed the image it built and checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub push: Option<crate::push::PushRecord>,
    /// Every rule the check evaluated (for JUnit's one test case per check). Not part
    /// of the JSON contract: `tool.ruleset_digest` already identifies the rule set.
    #[serde(skip)]
    #[schemars(skip)]
    pub checks: Vec<crate::analyze::RuleDoc>,
}

/// The tool.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Tool {
    /// `imgguard`.
    pub name: String,
    /// Its version.
    pub version: String,
    /// SHA-256 over the analyzers and rule packs that ran.
    pub ruleset_digest: String,
}

/// The image.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ImageSummary {
    /// The reference as given.
    pub reference: String,
    /// The one digest (null when the image could not be resolved).
    pub digest: Option<Digest>,
    /// What the digest is.
    pub digest_kind: Option<DigestKind>,
    /// Which source was used.
    pub source: SourceInfo,
    /// The platforms checked.
    pub platforms: Vec<PlatformSummary>,
    /// Digests of BuildKit attestation manifests found in the index (not scanned as platforms).
    pub attestation_manifests: Vec<Digest>,
}

/// One platform checked.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PlatformSummary {
    /// `linux/amd64`.
    pub platform: String,
    /// Its manifest digest.
    pub manifest_digest: Digest,
    /// Its config digest.
    pub config_digest: Digest,
    /// Its layer count.
    pub layers: usize,
}

/// Finding counts.
#[derive(Debug, Default, Serialize, JsonSchema)]
pub struct Summary {
    /// All findings.
    pub total: usize,
    /// Findings that count against the verdict.
    pub gating: usize,
    /// Waived findings.
    pub waived: usize,
    /// By severity.
    pub by_severity: std::collections::BTreeMap<String, usize>,
}

/// Timings in milliseconds.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Timing {
    /// The whole check.
    pub total: u64,
}

impl Report {
    /// Whether `finding` counts against the verdict.
    pub fn is_gating(&self, finding: &Finding) -> bool {
        self.gating.binary_search(&finding.fingerprint).is_ok()
    }

    /// Whether `finding` is in the baseline.
    pub fn in_baseline(&self, finding: &Finding) -> bool {
        self.baseline
            .as_ref()
            .is_some_and(|b| b.matched_fingerprints.contains(&finding.fingerprint))
    }

    /// The image digest as text, or `(unresolved)`.
    pub fn digest_text(&self) -> String {
        self.image
            .digest
            .as_ref()
            .map_or_else(|| "(unresolved)".to_owned(), ToString::to_string)
    }

    /// Build the report of a check (the engine applied the policy: waivers, baseline and
    /// verdict come from `outcome.policy`).
    pub fn from_outcome(
        outcome: &CheckOutcome,
        pipeline: &crate::spec::Pipeline,
        ruleset_digest: String,
    ) -> Self {
        Self::build(outcome, pipeline, ruleset_digest, Some(&outcome.policy))
    }

    /// Build the report of a check with a policy outcome other than the engine's own
    /// (kept for callers that re-apply the policy themselves).
    pub fn from_outcome_with_policy(
        outcome: &CheckOutcome,
        pipeline: &crate::spec::Pipeline,
        ruleset_digest: String,
        policy: &PolicyOutcome,
    ) -> Self {
        Self::build(outcome, pipeline, ruleset_digest, Some(policy))
    }

    fn build(
        outcome: &CheckOutcome,
        pipeline: &crate::spec::Pipeline,
        ruleset_digest: String,
        policy: Option<&PolicyOutcome>,
    ) -> Self {
        let platforms = outcome
            .image
            .as_ref()
            .map(|image| {
                image
                    .platforms
                    .iter()
                    .map(|p| PlatformSummary {
                        platform: p.platform.to_string(),
                        manifest_digest: p.manifest_digest.clone(),
                        config_digest: p.manifest.config.digest.clone(),
                        layers: p.manifest.layers.len(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut gating_fingerprints = std::collections::BTreeSet::new();
        let mut summary = Summary {
            total: outcome.findings.len(),
            ..Summary::default()
        };
        for severity in [
            Severity::Critical,
            Severity::High,
            Severity::Medium,
            Severity::Low,
            Severity::Info,
        ] {
            summary.by_severity.insert(severity.name().to_owned(), 0);
        }
        for f in &outcome.findings {
            *summary
                .by_severity
                .entry(f.severity.name().to_owned())
                .or_default() += 1;
            if f.waived.is_some() {
                summary.waived += 1;
            }
            let gating = match policy {
                Some(p) => p.is_gating(pipeline, f),
                None => crate::policy::verdict::is_gating(pipeline, f),
            };
            if gating {
                summary.gating += 1;
                gating_fingerprints.insert(f.fingerprint.clone());
            }
        }
        Self {
            schema: REPORT_SCHEMA_ID.to_owned(),
            tool: Tool {
                name: "imgguard".into(),
                version: env!("CARGO_PKG_VERSION").into(),
                ruleset_digest,
            },
            image: ImageSummary {
                reference: outcome.reference.clone(),
                digest: outcome.image.as_ref().map(|i| i.digest.clone()),
                digest_kind: outcome.image.as_ref().map(|i| i.digest_kind),
                source: outcome.source.clone(),
                platforms,
                attestation_manifests: outcome
                    .image
                    .as_ref()
                    .map(|i| {
                        i.attestation_manifests
                            .iter()
                            .map(|d| d.digest.clone())
                            .collect()
                    })
                    .unwrap_or_default(),
            },
            verdict: outcome.verdict,
            reasons: outcome.reasons.clone(),
            summary,
            findings: outcome.findings.clone(),
            verification: outcome.verification.clone(),
            coverage: outcome.coverage.clone(),
            timing_ms: Timing {
                total: u64::try_from(outcome.timing_ms).unwrap_or(u64::MAX),
            },
            pipeline: Some(pipeline.metadata.name.clone()),
            waivers: policy.and_then(|p| p.waivers.clone()),
            baseline: policy.and_then(|p| p.baseline.clone()),
            gating: gating_fingerprints.into_iter().collect(),
            dockerfile: None,
            build: None,
            push: None,
            checks: outcome.checks.clone(),
        }
    }
}

/// The report's JSON Schema, as committed in `schemas/report.v1.json`.
pub fn report_schema() -> serde_json::Value {
    let mut schema = serde_json::to_value(schemars::schema_for!(Report)).unwrap_or_default();
    if let Some(obj) = schema.as_object_mut() {
        obj.insert(
            "$id".into(),
            serde_json::Value::String("https://imgguard.dev/schemas/report.v1.json".into()),
        );
    }
    schema
}
