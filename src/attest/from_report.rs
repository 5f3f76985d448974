//! From a finished check to imgguard's VSA input: subjects, verdict, levels, summary.
//!
//! The engine calls [`vsa_input_from_report`] after the report is written, with what
//! only it knows ([`VsaContext`]: the verifier id and policy from the spec, the evidence
//! consumed, the categories whose analyzers actually ran). Levels are claimed only for
//! a PASSED result and only for categories that were checked: a disabled or missing
//! analyzer never earns `IMGGUARD_NO_SECRETS`.

use std::collections::BTreeMap;

use crate::finding::Category;
use crate::intoto::{
    FindingsSummary, PolicyReference, ResourceDescriptor, Subject, VerificationResult, VsaInput,
};
use crate::oci::Digest;
use crate::policy::Verdict;
use crate::report::model::Report;
use crate::spec::Pipeline;

use super::AttestError;

/// imgguard's level: no gating credential in any layer, the config or the metadata.
pub const LEVEL_NO_SECRETS: &str = "IMGGUARD_NO_SECRETS";
/// imgguard's level: the image configuration meets the spec's baseline.
pub const LEVEL_CONFIG_BASELINE: &str = "IMGGUARD_CONFIG_BASELINE";
/// imgguard's level: the layer filesystem meets the spec's baseline.
pub const LEVEL_FILESYSTEM_BASELINE: &str = "IMGGUARD_FILESYSTEM_BASELINE";

/// What the VSA states beyond the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VsaContext {
    /// `attestation.verifier_id` from the spec.
    pub verifier_id: String,
    /// The spec's URI and digest.
    pub policy: PolicyReference,
    /// `oci://registry/repo@sha256:…` (or the source's own form).
    pub resource_uri: String,
    /// The subject name, e.g. `registry.example.com/team/app`.
    pub subject_name: String,
    /// When the check finished.
    pub time_verified: jiff::Timestamp,
    /// Signatures and provenance consumed (digest and, where known, URI).
    pub evidence: Vec<ResourceDescriptor>,
    /// Where the JSON report is kept (a file name or URL), if anywhere.
    pub report_uri: Option<String>,
    /// Categories whose analyzers ran over the whole image.
    pub categories_checked: Vec<Category>,
    /// The SLSA build level verified provenance proved (`None`: unevaluated).
    pub slsa_build_level: Option<u8>,
}

/// Builds the VSA input from the report, the pipeline it ran under and the report's
/// exact JSON bytes (whose digest the VSA records).
pub fn vsa_input_from_report(
    report: &Report,
    pipeline: &Pipeline,
    report_json: &[u8],
    context: VsaContext,
) -> Result<VsaInput, AttestError> {
    let image_digest = report
        .image
        .digest
        .clone()
        .ok_or(AttestError::NoImageDigest)?;
    let mut subjects = vec![Subject {
        name: context.subject_name.clone(),
        digest: image_digest,
    }];
    for platform in &report.image.platforms {
        subjects.push(Subject {
            name: format!("{}@{}", context.subject_name, platform.platform),
            digest: platform.manifest_digest.clone(),
        });
    }
    let result = match report.verdict {
        Verdict::Pass => VerificationResult::Passed,
        Verdict::Fail | Verdict::Incomplete => VerificationResult::Failed,
    };
    let checked = |category: Category, enabled: bool| {
        enabled && context.categories_checked.contains(&category)
    };
    let mut imgguard_levels = Vec::new();
    if result == VerificationResult::Passed {
        if checked(Category::Secret, pipeline.checks.secrets.enabled) {
            imgguard_levels.push(LEVEL_NO_SECRETS.to_owned());
        }
        if checked(Category::Config, pipeline.checks.config.enabled) {
            imgguard_levels.push(LEVEL_CONFIG_BASELINE.to_owned());
        }
        if checked(Category::Filesystem, pipeline.checks.filesystem.enabled) {
            imgguard_levels.push(LEVEL_FILESYSTEM_BASELINE.to_owned());
        }
    }
    let report_digest = Digest::sha256_of(report_json);
    let mut input_attestations = context.evidence;
    input_attestations.push(ResourceDescriptor::from_digest(
        context.report_uri,
        &report_digest,
    ));
    let mut findings: BTreeMap<String, u64> = BTreeMap::new();
    let mut rules: BTreeMap<String, u64> = BTreeMap::new();
    let mut waived = 0;
    for finding in &report.findings {
        if finding.waived.is_some() {
            waived += 1;
            continue;
        }
        *findings
            .entry(finding.severity.name().to_owned())
            .or_default() += 1;
        *rules.entry(finding.rule.clone()).or_default() += 1;
    }
    let coverage_gaps = report
        .coverage
        .skipped
        .iter()
        .filter(|g| !g.accepted)
        .count();
    Ok(VsaInput {
        verifier_id: context.verifier_id,
        verifier_versions: BTreeMap::from([
            ("imgguard".to_owned(), report.tool.version.clone()),
            (
                "imgguard-ruleset".to_owned(),
                report.tool.ruleset_digest.clone(),
            ),
        ]),
        time_verified: context.time_verified,
        resource_uri: context.resource_uri,
        subjects,
        policy: context.policy,
        input_attestations,
        result,
        imgguard_levels,
        slsa_build_level: context.slsa_build_level,
        summary: FindingsSummary {
            verdict: report.verdict.name().to_owned(),
            findings,
            waived,
            rules,
            coverage_gaps: u64::try_from(coverage_gaps).unwrap_or(u64::MAX),
            report_digest: Some(report_digest),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::{LEVEL_CONFIG_BASELINE, LEVEL_NO_SECRETS, VsaContext, vsa_input_from_report};
    use crate::analyze::registry::{default_analyzers, ruleset_digest};
    use crate::attest::{GateRequirements, check_vsa_envelope, issue_vsa};
    use crate::crypto::PrivateKey;
    use crate::engine::{CheckRequest, check};
    use crate::finding::Category;
    use crate::intoto::{PolicyReference, VerificationResult, VsaPredicate};
    use crate::oci::Digest;
    use crate::policy::Verdict;
    use crate::report::Report;
    use crate::report::json::write_json;
    use crate::source::open::demo_source;
    use crate::spec::{DEFAULT_PIPELINE, parse_pipeline};

    fn context(categories: Vec<Category>) -> VsaContext {
        VsaContext {
            verifier_id: "https://ci.example/imgguard".to_owned(),
            policy: PolicyReference {
                uri: "pipelines/default.yaml".to_owned(),
                digest: Digest::sha256_of(DEFAULT_PIPELINE.as_bytes()),
            },
            resource_uri: "embedded:demo".to_owned(),
            subject_name: "demo".to_owned(),
            time_verified: "2026-11-22T12:00:00Z".parse().unwrap(),
            evidence: Vec::new(),
            report_uri: Some("imgguard-report.json".to_owned()),
            categories_checked: categories,
            slsa_build_level: None,
        }
    }

    /// check (real engine, embedded demo image) → VSA → signed envelope → gate.
    #[test]
    fn a_real_check_becomes_a_vsa_the_gate_reads() {
        let pipeline = parse_pipeline(DEFAULT_PIPELINE, "pipelines/default.yaml").unwrap();
        let analyzers = default_analyzers();
        let source = demo_source();
        let outcome = check(&CheckRequest {
            reference: "demo".to_owned(),
            source: source.as_ref(),
            pipeline: &pipeline,
            platforms: Vec::new(),
            analyzers: &analyzers,
            jobs: 1,
            dockerfile: None,
            policy: crate::engine::PolicyFiles::default(),
            verify: None,
            build: None,
        })
        .unwrap();
        let report = Report::from_outcome(&outcome, &pipeline, ruleset_digest(&analyzers));
        let mut json = Vec::new();
        write_json(&report, &mut json).unwrap();

        let input =
            vsa_input_from_report(&report, &pipeline, &json, context(vec![Category::Config]))
                .unwrap();
        let image = report.image.digest.clone().unwrap();
        assert_eq!(input.subjects[0].digest, image);
        assert_eq!(input.subjects.len(), 1 + report.image.platforms.len());
        assert_eq!(input.summary.report_digest, Some(Digest::sha256_of(&json)));
        let expected = if report.verdict == Verdict::Pass {
            VerificationResult::Passed
        } else {
            VerificationResult::Failed
        };
        assert_eq!(input.result, expected);
        if expected == VerificationResult::Passed {
            // Only the category that ran earns its level.
            assert_eq!(input.imgguard_levels, [LEVEL_CONFIG_BASELINE]);
            assert!(!input.imgguard_levels.iter().any(|l| l == LEVEL_NO_SECRETS));
        } else {
            assert!(input.imgguard_levels.is_empty());
        }

        let key = PrivateKey::generate_p256().unwrap();
        let vsa = issue_vsa(&input, &key).unwrap();
        let statement_vsa = VsaPredicate::from_statement(&vsa.statement).unwrap();
        assert_eq!(
            statement_vsa.input_attestations.unwrap()[0].digest["sha256"],
            Digest::sha256_of(&json).hex()
        );
        let requirements = GateRequirements {
            image_digest: image,
            trusted_keys: vec![key.public_key().clone()],
            verifier_id: "https://ci.example/imgguard".to_owned(),
            policy_digest: Some(Digest::sha256_of(DEFAULT_PIPELINE.as_bytes())),
            policy_uri: None,
            required_levels: Vec::new(),
            max_age: None,
            now: "2026-11-22T12:30:00Z".parse().unwrap(),
        };
        let gate = check_vsa_envelope(&vsa.json, &requirements);
        if expected == VerificationResult::Passed {
            gate.unwrap();
        } else {
            assert!(gate.is_err());
        }
    }
}
