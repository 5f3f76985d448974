//! The `verify` stage for one image: takes already-fetched evidence and the spec's
//! `verify:` section, and produces the report's [`Verification`] section.
//!
//! Routing: `.sig` layers and cosign v3 signature bundles (`cosign/sign/v1`) feed the
//! signature requirement; `.att` layers, attestation bundles and `BuildKit`
//! statements feed the provenance requirement. Each piece is verified
//! cryptographically first, then bound to the image, then its predicate read.

use crate::oci::Digest;
use std::path::Path;

use sigstore_types::SignatureContent;

use crate::intoto::Statement;

use super::accepted::{Accepted, Signer};
use super::bundle::{BundleArtifact, bind_statement, parse_bundle, verify_bundle};
use super::legacy::{verify_attestation, verify_simple_signing};
use super::verification::{
    AcceptedEvidence, RejectedEvidence, RequirementResult, RequirementStatus,
};
use super::{
    Authority, Evidence, EvidenceFormat, ProvenanceCheck, ProvenanceFacts, Rejection,
    SLSA_PROVENANCE_V1, SLSA_PROVENANCE_V02, SlsaBuildLevel, TrustRoot, Verification, VerifyError,
    VerifySpec,
};

/// `predicateType` of a cosign v3 image signature.
pub const COSIGN_SIGN_V1: &str = "https://sigstore.dev/cosign/sign/v1";

/// The digests an image is known by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageSubject {
    /// The index digest, for multi-platform images.
    pub index: Option<Digest>,
    /// The platform manifest digests (or the single manifest).
    pub manifests: Vec<Digest>,
}

impl ImageSubject {
    fn all(&self) -> Vec<Digest> {
        self.index
            .iter()
            .chain(self.manifests.iter())
            .cloned()
            .collect()
    }
}

/// Evidence for one image, with the locations that could not be read.
#[derive(Debug, Clone, Default)]
pub struct EvidenceSet {
    /// Everything discovery fetched.
    pub items: Vec<Evidence>,
    /// Places that could hold evidence but were unreachable (each a short reason).
    pub gaps: Vec<String>,
}

struct SignatureRequirement {
    required: bool,
    authorities: Vec<Authority>,
}

struct ProvenanceRequirement {
    check: ProvenanceCheck,
    authorities: Vec<Authority>,
}

/// The compiled `verify:` section.
pub struct ImageVerifier {
    trust: Option<TrustRoot>,
    signatures: Option<SignatureRequirement>,
    provenance: Option<ProvenanceRequirement>,
}

impl std::fmt::Debug for ImageVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImageVerifier")
            .field("trust", &self.trust)
            .field(
                "signatures",
                &self.signatures.as_ref().map(|s| s.authorities.len()),
            )
            .field(
                "provenance",
                &self.provenance.as_ref().map(|p| p.authorities.len()),
            )
            .finish()
    }
}

fn compile(specs: &[super::AuthoritySpec], base_dir: &Path) -> Result<Vec<Authority>, VerifyError> {
    specs
        .iter()
        .map(|s| Authority::from_spec(s, base_dir))
        .collect()
}

impl ImageVerifier {
    /// Read keys and the trusted root named by the spec; paths are relative to
    /// `base_dir` (the spec's directory).
    pub fn from_spec(spec: &VerifySpec, base_dir: &Path) -> Result<Self, VerifyError> {
        let trust = spec
            .signatures
            .as_ref()
            .and_then(|s| s.trusted_root.as_ref())
            .map(|p| TrustRoot::load(&base_dir.join(p)))
            .transpose()?;
        let signatures = spec
            .signatures
            .as_ref()
            .map(|s| {
                Ok::<_, VerifyError>(SignatureRequirement {
                    required: s.required,
                    authorities: compile(&s.authorities, base_dir)?,
                })
            })
            .transpose()?;
        let provenance = spec
            .provenance
            .as_ref()
            .map(|p| {
                let authorities = if p.authorities.is_empty() {
                    spec.signatures
                        .as_ref()
                        .map(|s| compile(&s.authorities, base_dir))
                        .transpose()?
                        .unwrap_or_default()
                } else {
                    compile(&p.authorities, base_dir)?
                };
                Ok::<_, VerifyError>(ProvenanceRequirement {
                    check: ProvenanceCheck::from_spec(p)?,
                    authorities,
                })
            })
            .transpose()?;
        Self::new(trust, signatures, provenance)
    }

    fn new(
        trust: Option<TrustRoot>,
        signatures: Option<SignatureRequirement>,
        provenance: Option<ProvenanceRequirement>,
    ) -> Result<Self, VerifyError> {
        let keyless = signatures
            .iter()
            .flat_map(|s| s.authorities.iter())
            .chain(provenance.iter().flat_map(|p| p.authorities.iter()))
            .any(|a| matches!(a, Authority::Keyless(_)));
        if keyless && trust.is_none() {
            return Err(VerifyError::TrustedRootMissing);
        }
        Ok(Self {
            trust,
            signatures,
            provenance,
        })
    }

    /// Verify the evidence for one image.
    pub fn verify(&self, image: &ImageSubject, evidence: &EvidenceSet) -> Verification {
        let digests = image.all();
        let signatures = self
            .signatures
            .as_ref()
            .map(|req| self.signature_requirement(req, image, &digests, evidence));
        let index_signer = signatures.as_ref().and_then(|s| {
            s.satisfied_by
                .iter()
                .find(|e| e.bound_to.is_some() && e.bound_to == image.index)
                .and_then(|e| e.signer.clone())
        });
        let provenance = self.provenance.as_ref().map(|req| {
            self.provenance_requirement(req, image, &digests, evidence, index_signer.as_ref())
        });
        Verification {
            signatures,
            provenance,
        }
    }

    fn signature_requirement(
        &self,
        req: &SignatureRequirement,
        image: &ImageSubject,
        digests: &[Digest],
        evidence: &EvidenceSet,
    ) -> RequirementResult {
        let trust = self.trust.as_ref();
        let mut result = Outcomes::default();
        for item in &evidence.items {
            let outcome = match item.format {
                EvidenceFormat::CosignSimpleSigning => Some(verify_simple_signing(
                    &item.bytes,
                    &item.annotations,
                    digests,
                    &req.authorities,
                    trust,
                )),
                EvidenceFormat::SigstoreBundle => {
                    // Only cosign v3 image signatures count as signatures; other
                    // bundles are attestations, handled by their requirement.
                    (bundle_predicate_type(&item.bytes).as_deref() == Some(COSIGN_SIGN_V1)).then(
                        || {
                            verify_bundle(
                                &item.bytes,
                                BundleArtifact::Image(digests),
                                &req.authorities,
                                trust,
                            )
                        },
                    )
                }
                EvidenceFormat::CosignAttestation | EvidenceFormat::UnsignedStatement => None,
            };
            match outcome {
                Some(Ok(accepted)) => result.accept(item, accepted, None, None, None),
                Some(Err(rejection)) => result.reject(item, rejection),
                None => {}
            }
        }
        result.finish(
            image,
            req.required,
            "a signature of the image by a trusted authority",
            "no cosign .sig or cosign v3 signature bundle",
            &evidence.gaps,
        )
    }

    fn provenance_requirement(
        &self,
        req: &ProvenanceRequirement,
        image: &ImageSubject,
        digests: &[Digest],
        evidence: &EvidenceSet,
        index_signer: Option<&Signer>,
    ) -> RequirementResult {
        let trust = self.trust.as_ref();
        let mut result = Outcomes::default();
        for item in &evidence.items {
            let verified = match item.format {
                EvidenceFormat::CosignAttestation => verify_attestation(
                    &item.bytes,
                    &item.annotations,
                    digests,
                    &req.authorities,
                    trust,
                ),
                EvidenceFormat::SigstoreBundle => {
                    let predicate = bundle_predicate_type(&item.bytes);
                    if predicate.as_deref() == Some(COSIGN_SIGN_V1) {
                        continue;
                    }
                    verify_bundle(
                        &item.bytes,
                        BundleArtifact::Image(digests),
                        &req.authorities,
                        trust,
                    )
                }
                EvidenceFormat::UnsignedStatement => {
                    Self::unsigned_statement(req, item, digests, index_signer, &mut result);
                    continue;
                }
                EvidenceFormat::CosignSimpleSigning => continue,
            };
            let checked = verified.and_then(|accepted| {
                let statement = accepted
                    .payload
                    .as_ref()
                    .ok_or_else(|| Rejection::PredicateTypeMismatch {
                        expected: "an in-toto attestation".into(),
                        found: "a message signature".into(),
                    })
                    .and_then(|p| read_statement(&p.bytes))?;
                let facts = ProvenanceFacts::from_predicate(
                    &statement.predicate_type,
                    &statement.predicate,
                )?;
                let level = SlsaBuildLevel::proved_by(&facts, Some(&accepted.signer));
                req.check.evaluate(&facts, level)?;
                Ok((accepted, statement.predicate_type, facts, level))
            });
            match checked {
                Ok((accepted, predicate_type, facts, level)) => {
                    result.accept(
                        item,
                        accepted,
                        Some(predicate_type),
                        Some(facts),
                        Some(level),
                    );
                }
                Err(rejection) => result.reject(item, rejection),
            }
        }
        result.finish(
            image,
            req.check.required,
            "SLSA provenance for the image, signed by a trusted authority",
            "no signed provenance (.att, attestation bundle)",
            &evidence.gaps,
        )
    }

    /// `BuildKit` provenance: unsigned, so evidence only — unless a trusted signature
    /// covers the index it sits in.
    fn unsigned_statement(
        req: &ProvenanceRequirement,
        item: &Evidence,
        digests: &[Digest],
        index_signer: Option<&Signer>,
        result: &mut Outcomes,
    ) {
        let outcome = read_statement(&item.bytes).and_then(|statement| {
            let bound_to = bind_statement(&statement, BundleArtifact::Image(digests))?;
            let facts =
                ProvenanceFacts::from_predicate(&statement.predicate_type, &statement.predicate)?;
            Ok((statement.predicate_type, facts, bound_to))
        });
        let (predicate_type, facts, bound_to) = match outcome {
            Ok(v) => v,
            Err(rejection) => return result.reject(item, rejection),
        };
        let covered = matches!(
            item.location,
            super::EvidenceLocation::IndexAttestation { .. }
        )
        .then_some(index_signer)
        .flatten();
        let level = SlsaBuildLevel::proved_by(&facts, covered);
        let accepted = AcceptedEvidence {
            format: item.format,
            location: item.location.clone(),
            digest: item.digest(),
            signer: covered.cloned(),
            bound_to,
            transparency: super::Transparency::default(),
            predicate_type: Some(predicate_type),
            provenance: Some(facts.clone()),
            slsa_level: Some(level),
        };
        if covered.is_some() && req.check.evaluate(&facts, level).is_ok() {
            result.accepted.push(accepted);
        } else {
            result.unproven.push(accepted);
        }
    }
}

/// Peek at a bundle's predicate type to route it (the bundle is verified afterwards).
fn bundle_predicate_type(bytes: &[u8]) -> Option<String> {
    let bundle = parse_bundle(bytes).ok()?;
    let SignatureContent::DsseEnvelope(env) = &bundle.content else {
        return None;
    };
    Statement::from_json(env.payload.as_bytes())
        .ok()
        .map(|s| s.predicate_type)
}

/// Parse a (verified) in-toto Statement v0.1 or v1 carrying SLSA provenance.
fn read_statement(bytes: &[u8]) -> Result<Statement, Rejection> {
    let statement = Statement::from_json(bytes).map_err(|e| Rejection::PredicateTypeMismatch {
        expected: "an in-toto Statement v0.1 or v1".into(),
        found: e.to_string(),
    })?;
    if statement.predicate_type != SLSA_PROVENANCE_V1
        && statement.predicate_type != SLSA_PROVENANCE_V02
    {
        return Err(Rejection::PredicateTypeMismatch {
            expected: format!("{SLSA_PROVENANCE_V1} or {SLSA_PROVENANCE_V02}"),
            found: statement.predicate_type,
        });
    }
    Ok(statement)
}

/// Accumulates accepted and rejected evidence for one requirement.
#[derive(Default)]
struct Outcomes {
    accepted: Vec<AcceptedEvidence>,
    rejected: Vec<RejectedEvidence>,
    unproven: Vec<AcceptedEvidence>,
}

impl Outcomes {
    fn accept(
        &mut self,
        item: &Evidence,
        accepted: Accepted,
        predicate_type: Option<String>,
        provenance: Option<ProvenanceFacts>,
        slsa_level: Option<SlsaBuildLevel>,
    ) {
        self.accepted.push(AcceptedEvidence {
            format: item.format,
            location: item.location.clone(),
            digest: item.digest(),
            signer: Some(accepted.signer),
            bound_to: accepted.bound_to,
            transparency: accepted.transparency,
            predicate_type,
            provenance,
            slsa_level,
        });
    }

    fn reject(&mut self, item: &Evidence, rejection: Rejection) {
        self.rejected.push(RejectedEvidence {
            format: item.format,
            location: item.location.clone(),
            digest: item.digest(),
            rejection,
        });
    }

    fn finish(
        self,
        image: &ImageSubject,
        required: bool,
        expected: &str,
        none_found: &str,
        gaps: &[String],
    ) -> RequirementResult {
        let uncovered = coverage_gap(image, &self.accepted);
        let satisfied = !self.accepted.is_empty() && uncovered.is_none();
        let undecided = self.rejected.iter().any(|r| r.rejection.is_undecided());
        let status = if satisfied {
            RequirementStatus::Satisfied
        } else if gaps.is_empty() && !undecided {
            RequirementStatus::Failed
        } else {
            RequirementStatus::Incomplete
        };
        let reason = (!satisfied)
            .then(|| uncovered.unwrap_or_else(|| self.most_telling(expected, none_found)));
        RequirementResult {
            required,
            status,
            satisfied_by: self.accepted,
            rejected: self.rejected,
            unproven: self.unproven,
            reason,
            gaps: gaps.to_vec(),
        }
    }

    fn most_telling(&self, expected: &str, none_found: &str) -> Rejection {
        self.rejected
            .iter()
            .map(|r| &r.rejection)
            .max_by_key(|r| r.specificity())
            .cloned()
            .unwrap_or_else(|| Rejection::NoSignatureFound {
                expected: expected.to_owned(),
                found: if self.unproven.is_empty() {
                    none_found.to_owned()
                } else {
                    format!("{none_found}; only unsigned BuildKit provenance")
                },
            })
    }
}

/// Evidence for a multi-platform image must cover the index, or every platform
/// manifest: a signature on one platform says nothing about the others.
fn coverage_gap(image: &ImageSubject, accepted: &[AcceptedEvidence]) -> Option<Rejection> {
    if accepted.is_empty() {
        return None;
    }
    let bound: Vec<&Digest> = accepted
        .iter()
        .filter_map(|e| e.bound_to.as_ref())
        .collect();
    if image
        .index
        .as_ref()
        .is_some_and(|index| bound.contains(&index))
    {
        return None;
    }
    let missing: Vec<String> = image
        .manifests
        .iter()
        .filter(|m| !bound.contains(m))
        .map(ToString::to_string)
        .collect();
    if missing.is_empty() && !image.manifests.is_empty() {
        return None;
    }
    let expected = image.index.as_ref().map_or_else(
        || "evidence for the image manifest".to_owned(),
        |index| format!("evidence for the index {index} or for every platform manifest"),
    );
    Some(Rejection::subject_mismatch(
        expected,
        format!("none for {}", missing.join(", ")),
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    fn spec(json: serde_json::Value) -> VerifySpec {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn keyless_without_trusted_root_is_a_spec_error() {
        let s = spec(serde_json::json!({"signatures": {"authorities": [
            {"keyless": {"issuer": "https://token.actions.githubusercontent.com", "identity": "x"}}
        ]}}));
        let err = ImageVerifier::from_spec(&s, Path::new(".")).unwrap_err();
        assert!(matches!(err, VerifyError::TrustedRootMissing), "{err}");
    }

    #[test]
    fn missing_key_file_is_a_spec_error_naming_the_path() {
        let s = spec(serde_json::json!({"signatures": {"authorities": [{"key": "no/such.pub"}]}}));
        let err = ImageVerifier::from_spec(&s, Path::new("/nonexistent")).unwrap_err();
        assert!(
            err.to_string().contains("/nonexistent/no/such.pub"),
            "{err}"
        );
    }

    #[test]
    fn no_evidence_at_all_fails_required_and_passes_optional() {
        let s = spec(serde_json::json!({"signatures": {"required": false, "authorities": []}}));
        let verifier = ImageVerifier::from_spec(&s, Path::new(".")).unwrap();
        let image = ImageSubject {
            index: None,
            manifests: vec![Digest::sha256_of(b"m")],
        };
        let result = verifier.verify(&image, &EvidenceSet::default());
        let sigs = result.signatures.as_ref().unwrap();
        assert_eq!(sigs.status, RequirementStatus::Failed);
        assert_eq!(
            sigs.reason.as_ref().unwrap().code(),
            "verify.no-signature-found"
        );
        assert_eq!(result.effect(), crate::verify::VerdictEffect::Pass);

        let s = spec(serde_json::json!({"signatures": {"authorities": []}}));
        let verifier = ImageVerifier::from_spec(&s, Path::new(".")).unwrap();
        let result = verifier.verify(&image, &EvidenceSet::default());
        assert_eq!(result.effect(), crate::verify::VerdictEffect::Fail);
    }
}
