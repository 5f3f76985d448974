//! Builds imgguard's own VSA: the Statement every deploy gate reads.
//!
//! The `attest` stage fills a [`VsaInput`] from the verdict, the spec and the evidence
//! consumed, then [`build_vsa`] makes the Statement and [`sign_vsa`] the DSSE envelope.
//! The VSA stays a few KB: the full report is referenced by digest only.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{
    Envelope, IN_TOTO_PAYLOAD_TYPE, InTotoError, ResourceDescriptor, STATEMENT_V1, Statement,
    VSA_PREDICATE_TYPE, VerificationResult, VsaPredicate, VsaVerifier, digest_set,
};
use crate::crypto::PrivateKey;
use crate::oci::Digest;

/// The URI-named extension field holding imgguard's short findings summary.
pub const IMGGUARD_SUMMARY_FIELD: &str = "https://imgguard.dev/summary/v1";
/// The SLSA spec version imgguard's levels refer to.
const SLSA_VERSION: &str = "1.1";
/// Bound on per-rule counts in the summary, to keep the VSA small.
const MAX_SUMMARY_RULES: usize = 20;

/// One subject: the index or a platform manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// Name, e.g. `registry.example.com/team/app` or `…@linux/amd64`.
    pub name: String,
    /// Its digest.
    pub digest: Digest,
}

/// The policy the verdict was evaluated against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyReference {
    /// URI of the pipeline spec (as given in the spec, or a file URI).
    pub uri: String,
    /// Digest of the spec's bytes.
    pub digest: Digest,
}

/// The short findings summary stored under [`IMGGUARD_SUMMARY_FIELD`] (camelCase
/// keys, like the rest of the predicate).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FindingsSummary {
    /// The report's verdict: `pass`, `fail` or `incomplete`.
    pub verdict: String,
    /// Unwaived findings per severity (`critical`, `high`, …).
    pub findings: BTreeMap<String, u64>,
    /// Findings waived by the spec.
    pub waived: u64,
    /// Unwaived findings per rule id (at most 20 rules kept, highest counts first).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub rules: BTreeMap<String, u64>,
    /// Coverage gaps that made the result incomplete.
    pub coverage_gaps: u64,
    /// Digest of the full JSON report.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report_digest: Option<Digest>,
}

/// Everything imgguard's VSA states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VsaInput {
    /// `verifier.id` from the spec.
    pub verifier_id: String,
    /// `verifier.version`: e.g. `imgguard` → crate version, `imgguard-rules` → ruleset digest.
    pub verifier_versions: BTreeMap<String, String>,
    /// When the verification finished.
    pub time_verified: jiff::Timestamp,
    /// `oci://registry/repo@sha256:…` (or the source's own form).
    pub resource_uri: String,
    /// The index digest first, then every platform manifest digest.
    pub subjects: Vec<Subject>,
    /// The pipeline spec.
    pub policy: PolicyReference,
    /// Signatures, provenance and the JSON report the verdict relied on.
    pub input_attestations: Vec<ResourceDescriptor>,
    /// The verdict.
    pub result: VerificationResult,
    /// imgguard's own levels met, e.g. `IMGGUARD_NO_SECRETS` (never `SLSA_…`).
    pub imgguard_levels: Vec<String>,
    /// The SLSA build level provenance proved (`None`: unevaluated).
    pub slsa_build_level: Option<u8>,
    /// The findings summary.
    pub summary: FindingsSummary,
}

fn invalid(reason: impl Into<String>) -> InTotoError {
    InTotoError::InvalidVsaInput {
        reason: reason.into(),
    }
}

/// Builds the in-toto Statement v1 with imgguard's VSA predicate.
pub fn build_vsa(input: &VsaInput) -> Result<Statement, InTotoError> {
    if input.subjects.is_empty() {
        return Err(invalid("a VSA needs at least one subject digest"));
    }
    if input.verifier_id.is_empty() {
        return Err(invalid("verifier id is empty"));
    }
    let mut subject = Vec::with_capacity(input.subjects.len());
    for s in &input.subjects {
        let digest = digest_set(&s.digest);
        if !subject
            .iter()
            .any(|d: &ResourceDescriptor| d.digest == digest)
        {
            subject.push(ResourceDescriptor {
                name: Some(s.name.clone()),
                digest,
                ..ResourceDescriptor::default()
            });
        }
    }
    for level in &input.imgguard_levels {
        if level.starts_with("SLSA_") || level == "FAILED" {
            return Err(invalid(format!(
                "custom level `{level}` must not start with `SLSA_` or be `FAILED`"
            )));
        }
    }
    // The VSA spec: verifiedLevels is the highest level per track, or FAILED when the
    // policy failed. The per-finding detail lives in the summary extension.
    let verified_levels = match input.result {
        VerificationResult::Failed => vec!["FAILED".to_owned()],
        VerificationResult::Passed => {
            let mut levels = vec![match input.slsa_build_level {
                Some(n) => format!("SLSA_BUILD_LEVEL_{n}"),
                None => "SLSA_BUILD_LEVEL_UNEVALUATED".to_owned(),
            }];
            levels.extend(input.imgguard_levels.iter().cloned());
            levels
        }
    };
    let mut summary = input.summary.clone();
    if summary.rules.len() > MAX_SUMMARY_RULES {
        let mut by_count: Vec<_> = summary.rules.into_iter().collect();
        by_count.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        by_count.truncate(MAX_SUMMARY_RULES);
        summary.rules = by_count.into_iter().collect();
    }
    let policy = ResourceDescriptor {
        uri: Some(input.policy.uri.clone()),
        digest: digest_set(&input.policy.digest),
        ..ResourceDescriptor::default()
    };
    let predicate = VsaPredicate {
        verifier: VsaVerifier {
            id: input.verifier_id.clone(),
            version: (!input.verifier_versions.is_empty()).then(|| input.verifier_versions.clone()),
        },
        // Whole seconds in UTC, the form Kyverno's `time_since` and Go's RFC 3339
        // parser both read.
        time_verified: Some(
            input
                .time_verified
                .strftime("%Y-%m-%dT%H:%M:%SZ")
                .to_string(),
        ),
        resource_uri: input.resource_uri.clone(),
        policy,
        input_attestations: Some(input.input_attestations.clone()),
        verification_result: input.result,
        verified_levels,
        // imgguard evaluates the image itself, not its dependencies: no claim.
        dependency_levels: None,
        slsa_version: Some(SLSA_VERSION.to_owned()),
        extensions: BTreeMap::from([(
            IMGGUARD_SUMMARY_FIELD.to_owned(),
            serde_json::to_value(&summary).map_err(|e| invalid(e.to_string()))?,
        )]),
    };
    Ok(Statement {
        statement_type: STATEMENT_V1.to_owned(),
        subject,
        predicate_type: VSA_PREDICATE_TYPE.to_owned(),
        predicate: serde_json::to_value(&predicate).map_err(|e| invalid(e.to_string()))?,
    })
}

/// Signs the Statement into a DSSE envelope (`application/vnd.in-toto+json`).
pub fn sign_vsa(statement: &Statement, key: &PrivateKey) -> Envelope {
    Envelope::sign(IN_TOTO_PAYLOAD_TYPE, statement.to_json(), key)
}

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

    use std::collections::BTreeMap;

    use super::{
        FindingsSummary, IMGGUARD_SUMMARY_FIELD, PolicyReference, Subject, VsaInput, build_vsa,
        sign_vsa,
    };
    use crate::crypto::PrivateKey;
    use crate::intoto::{
        Envelope, ResourceDescriptor, STATEMENT_V1, Statement, VerificationResult, VsaPredicate,
    };
    use crate::oci::Digest;

    pub(crate) fn digest(text: &str) -> Digest {
        text.parse().unwrap()
    }

    pub(crate) const INDEX: &str =
        "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    pub(crate) const AMD64: &str =
        "sha256:2222222222222222222222222222222222222222222222222222222222222222";
    pub(crate) const POLICY: &str =
        "sha256:3333333333333333333333333333333333333333333333333333333333333333";

    pub(crate) fn sample_input() -> VsaInput {
        VsaInput {
            verifier_id: "https://ci.example/imgguard".to_owned(),
            verifier_versions: BTreeMap::from([("imgguard".to_owned(), "0.1.0".to_owned())]),
            time_verified: "2026-11-22T12:00:00.123Z".parse().unwrap(),
            resource_uri: format!("oci://registry.example/team/app@{INDEX}"),
            subjects: vec![
                Subject {
                    name: "registry.example/team/app".to_owned(),
                    digest: digest(INDEX),
                },
                Subject {
                    name: "registry.example/team/app@linux/amd64".to_owned(),
                    digest: digest(AMD64),
                },
            ],
            policy: PolicyReference {
                uri: "https://ci.example/pipelines/app.yaml".to_owned(),
                digest: digest(POLICY),
            },
            input_attestations: vec![ResourceDescriptor::from_digest(
                Some("imgguard-report.json".to_owned()),
                &digest(&format!("sha256:{}", "4".repeat(64))),
            )],
            result: VerificationResult::Passed,
            imgguard_levels: vec![
                "IMGGUARD_NO_SECRETS".to_owned(),
                "IMGGUARD_CONFIG_BASELINE".to_owned(),
            ],
            slsa_build_level: Some(2),
            summary: FindingsSummary {
                verdict: "pass".to_owned(),
                findings: BTreeMap::from([("low".to_owned(), 2)]),
                waived: 1,
                rules: (0..30).map(|i| (format!("rule.{i:02}"), i)).collect(),
                coverage_gaps: 0,
                report_digest: Some(digest(&format!("sha256:{}", "4".repeat(64)))),
            },
        }
    }

    #[test]
    fn builds_a_small_statement_v1_vsa() {
        let statement = build_vsa(&sample_input()).unwrap();
        assert_eq!(statement.statement_type, STATEMENT_V1);
        assert!(statement.has_subject_digest("sha256", &INDEX[7..]));
        assert!(statement.has_subject_digest("sha256", &AMD64[7..]));
        let vsa = VsaPredicate::from_statement(&statement).unwrap();
        assert_eq!(
            vsa.verified_levels,
            [
                "SLSA_BUILD_LEVEL_2",
                "IMGGUARD_NO_SECRETS",
                "IMGGUARD_CONFIG_BASELINE"
            ]
        );
        assert_eq!(vsa.time_verified.as_deref(), Some("2026-11-22T12:00:00Z"));
        assert_eq!(vsa.policy.digest["sha256"], POLICY[7..]);
        let summary = &vsa.extensions[IMGGUARD_SUMMARY_FIELD];
        assert_eq!(summary["rules"].as_object().unwrap().len(), 20);
        assert_eq!(summary["rules"]["rule.29"], 29);
        let json = statement.to_json();
        assert!(json.len() < 4096, "VSA is {} bytes", json.len());
        // Round trip through JSON keeps everything.
        assert_eq!(Statement::from_json(&json).unwrap(), statement);
    }

    #[test]
    fn failed_result_says_failed_and_bad_input_is_refused() {
        let mut input = sample_input();
        input.result = VerificationResult::Failed;
        let vsa = VsaPredicate::from_statement(&build_vsa(&input).unwrap()).unwrap();
        assert_eq!(vsa.verified_levels, ["FAILED"]);
        assert_eq!(vsa.verification_result, VerificationResult::Failed);

        let mut input = sample_input();
        input.imgguard_levels.push("SLSA_BUILD_LEVEL_4".to_owned());
        assert!(build_vsa(&input).is_err());
        let mut input = sample_input();
        input.subjects.clear();
        assert!(build_vsa(&input).is_err());
    }

    #[test]
    fn signed_vsa_verifies() {
        let key = PrivateKey::generate_p256().unwrap();
        let envelope = sign_vsa(&build_vsa(&sample_input()).unwrap(), &key);
        let parsed = Envelope::from_json(&envelope.to_json()).unwrap();
        let trusted = [key.public_key().clone()];
        let verified = parsed.verify(&trusted).unwrap();
        let statement = Statement::from_verified(&verified).unwrap();
        assert_eq!(
            VsaPredicate::from_statement(&statement)
                .unwrap()
                .verifier
                .id,
            "https://ci.example/imgguard"
        );
    }
}
