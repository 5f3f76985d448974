//! The report's `verification` section: for each requirement (signatures,
//! provenance), whether it held, which evidence satisfied it (format, location,
//! digest, signer) and why the rest was rejected.
//!
//! The VSA builder reads [`Verification::input_attestations`] for its
//! `inputAttestations` and [`Verification::slsa_level`] for `verifiedLevels`.

use crate::coverage::{CoverageGap, GapKind};
use crate::finding::{Category, Finding, Location, Severity, SourceKind};
use crate::intoto::ResourceDescriptor;
use crate::oci::Digest;
use schemars::JsonSchema;
use serde::Serialize;

use super::accepted::{Signer, Transparency};
use super::{EvidenceFormat, EvidenceLocation, ProvenanceFacts, Rejection, SlsaBuildLevel};

/// Whether a requirement held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequirementStatus {
    /// At least one piece of evidence satisfied it.
    Satisfied,
    /// Nothing satisfied it and everything that could hold evidence was read.
    Failed,
    /// Nothing satisfied it, but some evidence location could not be read, or some
    /// evidence could not be checked offline (its log proof is missing).
    Incomplete,
}

/// A piece of evidence that was consumed (accepted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct AcceptedEvidence {
    /// Storage format.
    pub format: EvidenceFormat,
    /// Where it was found.
    pub location: EvidenceLocation,
    /// sha256 of the evidence bytes (for the VSA's `inputAttestations`).
    pub digest: Digest,
    /// Who signed it (`None` for unsigned `BuildKit` provenance).
    pub signer: Option<Signer>,
    /// The image digest it is bound to.
    pub bound_to: Option<Digest>,
    /// Log / timestamp evidence.
    pub transparency: Transparency,
    /// The Statement's predicate type, for attestations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub predicate_type: Option<String>,
    /// Provenance facts, for provenance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provenance: Option<ProvenanceFacts>,
    /// The SLSA build level this provenance proves.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slsa_level: Option<SlsaBuildLevel>,
}

/// A piece of evidence that was looked at and not accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct RejectedEvidence {
    /// Storage format.
    pub format: EvidenceFormat,
    /// Where it was found.
    pub location: EvidenceLocation,
    /// sha256 of the evidence bytes.
    pub digest: Digest,
    /// Why.
    pub rejection: Rejection,
}

/// The outcome of one requirement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct RequirementResult {
    /// Whether a failure fails the verdict.
    pub required: bool,
    /// Whether it held.
    pub status: RequirementStatus,
    /// Evidence that satisfied it.
    pub satisfied_by: Vec<AcceptedEvidence>,
    /// Evidence that did not.
    pub rejected: Vec<RejectedEvidence>,
    /// Provenance that was read but proves nothing (unsigned `BuildKit` statements).
    pub unproven: Vec<AcceptedEvidence>,
    /// When not satisfied: the single most telling reason ("expected X, found Y").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Rejection>,
    /// Evidence locations that could not be read (registry unreachable, …).
    pub gaps: Vec<String>,
}

/// Effect of a requirement on the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum VerdictEffect {
    /// Nothing against a pass.
    Pass,
    /// The verdict cannot be pass.
    Incomplete,
    /// The verdict is fail.
    Fail,
}

impl RequirementResult {
    /// What this requirement does to the verdict (optional requirements never fail it).
    pub fn effect(&self) -> VerdictEffect {
        match (self.status, self.required) {
            (RequirementStatus::Satisfied, _) | (_, false) => VerdictEffect::Pass,
            (RequirementStatus::Failed, true) => VerdictEffect::Fail,
            (RequirementStatus::Incomplete, true) => VerdictEffect::Incomplete,
        }
    }
}

/// The `verification` section of the report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Verification {
    /// `verify.signatures`, when configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signatures: Option<RequirementResult>,
    /// `verify.provenance`, when configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provenance: Option<RequirementResult>,
}

impl Verification {
    /// The combined effect on the verdict: fail over incomplete over pass.
    pub fn effect(&self) -> VerdictEffect {
        [&self.signatures, &self.provenance]
            .into_iter()
            .flatten()
            .map(RequirementResult::effect)
            .max()
            .unwrap_or(VerdictEffect::Pass)
    }

    /// Digests of every piece of evidence consumed, for the VSA's `inputAttestations`.
    pub fn input_attestations(&self) -> Vec<&AcceptedEvidence> {
        [&self.signatures, &self.provenance]
            .into_iter()
            .flatten()
            .flat_map(|r| r.satisfied_by.iter())
            .collect()
    }

    /// The consumed evidence as in-toto resource descriptors (URI + digest), ready for
    /// the VSA's `inputAttestations` (`attest::VsaContext::evidence`).
    pub fn evidence_descriptors(&self) -> Vec<ResourceDescriptor> {
        self.input_attestations()
            .into_iter()
            .map(|e| ResourceDescriptor::from_digest(e.location.uri(), &e.digest))
            .collect()
    }

    /// The SLSA build level proved, as `attest::VsaContext::slsa_build_level` takes it
    /// (`None`: nothing proved, i.e. unevaluated).
    pub fn slsa_build_level(&self) -> Option<u8> {
        Some(self.slsa_level().get()).filter(|level| *level > 0)
    }

    /// What the verification does to the verdict, as the policy reads it: a finding
    /// (category `signature` or `provenance`, rule `<category>.<outcome>`, message
    /// "expected X, found Y") for each required check that failed.
    pub fn findings(&self) -> Vec<Finding> {
        self.requirements()
            .filter(|(_, r)| r.effect() == VerdictEffect::Fail)
            .map(|(category, r)| {
                let reason = r.reason.clone().unwrap_or(Rejection::NoSignatureFound {
                    expected: "evidence satisfying the requirement".into(),
                    found: "none".into(),
                });
                let outcome = reason.code().trim_start_matches("verify.");
                Finding::new(
                    format!("{}.{outcome}", category.name()),
                    category,
                    Severity::High,
                    format!("required {}: {}", category.name(), reason.title()),
                    format!("expected {}, found {}", reason.expected(), reason.found()),
                    Location::new(SourceKind::Metadata),
                )
            })
            .collect()
    }

    /// Coverage gaps for required checks that could not be decided because an
    /// evidence location was unreadable (the verdict is then `incomplete`).
    pub fn gaps(&self) -> Vec<CoverageGap> {
        self.requirements()
            .filter(|(_, r)| r.effect() == VerdictEffect::Incomplete)
            .map(|(category, r)| {
                CoverageGap::new(
                    GapKind::Unavailable,
                    format!(
                        "required {} could not be verified: {}",
                        category.name(),
                        if r.gaps.is_empty() {
                            r.reason.as_ref().map_or_else(
                                || "evidence could not be checked".to_owned(),
                                ToString::to_string,
                            )
                        } else {
                            r.gaps.join("; ")
                        }
                    ),
                )
            })
            .collect()
    }

    fn requirements(&self) -> impl Iterator<Item = (Category, &RequirementResult)> {
        [
            (Category::Signature, self.signatures.as_ref()),
            (Category::Provenance, self.provenance.as_ref()),
        ]
        .into_iter()
        .filter_map(|(c, r)| r.map(|r| (c, r)))
    }

    /// The highest SLSA build level proved by accepted provenance.
    pub fn slsa_level(&self) -> SlsaBuildLevel {
        self.provenance
            .iter()
            .flat_map(|r| r.satisfied_by.iter())
            .filter_map(|e| e.slsa_level)
            .max()
            .unwrap_or(SlsaBuildLevel::NONE)
    }
}
