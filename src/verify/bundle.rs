//! Sigstore bundle verification (v0.1–v0.3, both v0.3 media-type spellings).
//!
//! Keyless bundles and keyed bundles that carry log or timestamp evidence go
//! through `sigstore-verify`, which checks the Fulcio chain at the authenticated
//! signing time, the SCT, the Rekor SET, the inclusion proof against a signed
//! checkpoint and the consistency of the log body with the bundle. Keyed bundles
//! with no log evidence at all (imgguard's own referrer VSA, `cosign
//! --tlog-upload=false`) are checked with the key alone, as cosign's key
//! authorities do. The bundle's subject is bound to one of the image digests.

use sigstore_types::{
    Artifact, ArtifactDigest, Bundle, DerPublicKey, HashAlgorithm, Sha256Hash, Sha512Hash,
    SignatureContent, bundle::VerificationMaterialContent,
};

use crate::intoto::Statement;
use crate::oci::{Digest, DigestAlgorithm};
use sigstore_verify::{Error as SigstoreError, PublicKeyVerificationPolicy, VerificationPolicy};

use super::accepted::{Accepted, Signer, Transparency, VerifiedPayload};
use super::authority::KeyAuthority;
use super::sigstore_error::rejection_from;
use super::{Authority, KeylessIdentity, MAX_EVIDENCE_BYTES, Rejection, TrustRoot};

/// What the bundle must be about.
#[derive(Debug, Clone, Copy)]
pub enum BundleArtifact<'a> {
    /// An image (or any artifact known by digest): the signature or a DSSE subject
    /// must name one of these digests (index or platform manifest; sha256 or sha512).
    Image(&'a [Digest]),
    /// A file's bytes (message signatures over blobs, the conformance artifacts).
    Blob(&'a [u8]),
}

/// One candidate artifact and the image digest it stands for.
struct Candidate<'a> {
    artifact: Artifact<'a>,
    image: Option<Digest>,
}

/// The library's view of a digest (`None` if the hex does not decode, which a
/// validated `Digest` never has).
fn artifact_digest(digest: &Digest) -> Option<ArtifactDigest> {
    match digest.algorithm() {
        DigestAlgorithm::Sha256 => Sha256Hash::from_hex(digest.hex())
            .ok()
            .map(ArtifactDigest::from),
        DigestAlgorithm::Sha512 => Sha512Hash::from_hex(digest.hex())
            .ok()
            .and_then(|h| ArtifactDigest::new(HashAlgorithm::Sha2512, h).ok()),
    }
}

fn candidates(artifact: BundleArtifact<'_>) -> Vec<Candidate<'_>> {
    match artifact {
        BundleArtifact::Image(digests) => digests
            .iter()
            .filter_map(|d| {
                artifact_digest(d).map(|a| Candidate {
                    artifact: Artifact::from_digest(a),
                    image: Some(d.clone()),
                })
            })
            .collect(),
        BundleArtifact::Blob(bytes) => vec![Candidate {
            artifact: Artifact::from_blob(bytes),
            image: None,
        }],
    }
}

fn describe_artifact(artifact: BundleArtifact<'_>) -> String {
    match artifact {
        BundleArtifact::Image(digests) => digests
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" or "),
        BundleArtifact::Blob(bytes) => format!("the artifact {}", Digest::sha256_of(bytes)),
    }
}

/// Parse a bundle, rejecting oversized or malformed input as an invalid signature.
pub fn parse_bundle(bytes: &[u8]) -> Result<Bundle, Rejection> {
    const EXPECTED: &str = "a Sigstore bundle v0.1–v0.3 (JSON)";
    if bytes.len() > MAX_EVIDENCE_BYTES {
        return Err(Rejection::signature_invalid(
            EXPECTED,
            format!(
                "{} bytes, over the {MAX_EVIDENCE_BYTES}-byte limit",
                bytes.len()
            ),
        ));
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|_| Rejection::signature_invalid(EXPECTED, "bytes that are not UTF-8"))?;
    Bundle::from_json(text).map_err(|e| Rejection::signature_invalid(EXPECTED, e.to_string()))
}

/// Verify a bundle against every authority; the first that accepts it wins.
/// When all reject it, the most specific rejection is returned.
pub fn verify_bundle(
    bytes: &[u8],
    artifact: BundleArtifact<'_>,
    authorities: &[Authority],
    trust: Option<&TrustRoot>,
) -> Result<Accepted, Rejection> {
    let bundle = parse_bundle(bytes)?;
    let mut best: Option<Rejection> = None;
    for authority in authorities {
        match verify_bundle_value(&bundle, artifact, authority, trust) {
            Ok(accepted) => return Ok(accepted),
            Err(rejection) => {
                if best
                    .as_ref()
                    .is_none_or(|b| rejection.specificity() > b.specificity())
                {
                    best = Some(rejection);
                }
            }
        }
    }
    Err(best.unwrap_or_else(|| Rejection::NoSignatureFound {
        expected: "a trusted authority in the policy".into(),
        found: "no authorities configured".into(),
    }))
}

/// Verify an already-parsed bundle against one authority.
pub(crate) fn verify_bundle_value(
    bundle: &Bundle,
    artifact: BundleArtifact<'_>,
    authority: &Authority,
    trust: Option<&TrustRoot>,
) -> Result<Accepted, Rejection> {
    match authority {
        Authority::Keyless(identity) => verify_keyless(bundle, artifact, identity, trust),
        Authority::Key(key) => verify_keyed(bundle, artifact, key, trust),
    }
}

fn signed_at(result: &sigstore_verify::VerificationResult) -> Option<String> {
    result
        .integrated_time()
        .into_iter()
        .chain(result.verified_timestamps().iter().copied())
        .min()
        .map(|t| t.to_string())
}

fn dsse_payload(bundle: &Bundle) -> Option<VerifiedPayload> {
    match &bundle.content {
        SignatureContent::DsseEnvelope(env) => Some(VerifiedPayload {
            payload_type: env.payload_type.clone(),
            bytes: env.payload.as_bytes().to_vec(),
        }),
        _ => None,
    }
}

/// Run the library over each candidate digest; a subject mismatch on one candidate
/// moves on to the next (an index-signed bundle is checked against the index).
fn run_candidates(
    bundle: &Bundle,
    artifact: BundleArtifact<'_>,
    expected: &str,
    mut verify: impl FnMut(Artifact<'_>) -> Result<sigstore_verify::VerificationResult, SigstoreError>,
) -> Result<(sigstore_verify::VerificationResult, Option<Digest>), Rejection> {
    let mut mismatch = None;
    for candidate in candidates(artifact) {
        match verify(candidate.artifact) {
            Ok(result) => return Ok((result, candidate.image)),
            Err(SigstoreError::ArtifactMismatch(detail)) => mismatch = Some(detail),
            Err(other) => return Err(rejection_from(&other, expected)),
        }
    }
    Err(Rejection::subject_mismatch(
        describe_artifact(artifact),
        mismatch.map_or_else(
            || "no artifact to compare".to_owned(),
            |detail| format!("{} ({detail})", bundle_subjects(bundle)),
        ),
    ))
}

/// The subjects a DSSE bundle names, for "found" texts.
fn bundle_subjects(bundle: &Bundle) -> String {
    let SignatureContent::DsseEnvelope(env) = &bundle.content else {
        return "a message signature over another artifact".to_owned();
    };
    Statement::from_json(env.payload.as_bytes()).map_or_else(
        |_| "an unreadable statement".to_owned(),
        |s| statement_subjects(&s),
    )
}

/// `sha256:…, sha512:…` for the subjects of a statement.
pub(crate) fn statement_subjects(statement: &Statement) -> String {
    let list = statement.subject_digests();
    if list.is_empty() {
        "no subjects".to_owned()
    } else {
        list.join(", ")
    }
}

fn verify_keyless(
    bundle: &Bundle,
    artifact: BundleArtifact<'_>,
    identity: &KeylessIdentity,
    trust: Option<&TrustRoot>,
) -> Result<Accepted, Rejection> {
    let expected = identity.describe();
    let Some(trust) = trust else {
        return Err(Rejection::untrusted_root(
            "a trusted root for keyless verification",
            "none configured",
        ));
    };
    if matches!(
        bundle.verification_material.content,
        VerificationMaterialContent::PublicKey(_)
    ) {
        return Err(Rejection::identity_mismatch(
            format!("a certificate for {expected}"),
            "a bundle signed with a public key",
        ));
    }
    let mut policy = VerificationPolicy::any_identity();
    if let Some(exact) = identity.exact_identity() {
        policy = policy.require_identity(exact);
    }
    if let Some(issuer) = &identity.issuer {
        policy = policy.require_issuer(issuer.clone());
    }
    // A root without logs (GitHub's private instance) can only vouch for time via
    // TSA tokens; the bundle must then carry one, which the library enforces.
    if !trust.has_tlogs() {
        policy = policy.skip_tlog_unsafe();
    }
    if !trust.has_ctlogs() {
        policy = policy.skip_sct();
    }
    let (result, bound_to) = run_candidates(bundle, artifact, &expected, |a| {
        trust.verifier().verify(a, bundle, &policy)
    })?;
    if !result.certificate_verified() {
        return Err(Rejection::untrusted_root(
            "a certificate chain verified against the trusted root",
            "the chain was not checked",
        ));
    }
    let san = result.identity().map(|s| s.as_str().to_owned());
    let issuer = result.issuer().map(ToOwned::to_owned);
    identity.check(san.as_deref(), issuer.as_deref())?;
    Ok(Accepted {
        signer: Signer::Certificate {
            identity: san.unwrap_or_default(),
            issuer,
        },
        bound_to,
        transparency: Transparency {
            tlog_verified: result.tlog_verified(),
            signed_at: signed_at(&result),
        },
        payload: dsse_payload(bundle),
    })
}

fn verify_keyed(
    bundle: &Bundle,
    artifact: BundleArtifact<'_>,
    authority: &KeyAuthority,
    trust: Option<&TrustRoot>,
) -> Result<Accepted, Rejection> {
    let who = format!("key {}", authority.source);
    let expected = format!("a signature by {who}");
    if !matches!(
        bundle.verification_material.content,
        VerificationMaterialContent::PublicKey(_)
    ) {
        return Err(Rejection::identity_mismatch(
            expected,
            "a bundle signed with a Fulcio certificate",
        ));
    }
    let material = &bundle.verification_material;
    let has_log_evidence = !material.tlog_entries.is_empty()
        || !material
            .timestamp_verification_data
            .rfc3161_timestamps
            .is_empty();
    let signer = Signer::Key {
        source: authority.source.clone(),
        key_hint: authority.key.key_hint(),
    };
    if let (true, Some(trust)) = (has_log_evidence, trust) {
        let mut policy =
            PublicKeyVerificationPolicy::new(DerPublicKey::from_bytes(authority.key.spki_der()));
        if !trust.has_tlogs() {
            policy = policy.skip_tlog_unsafe();
        }
        let (result, bound_to) = run_candidates(bundle, artifact, &who, |a| {
            trust.verifier().verify(a, bundle, &policy)
        })?;
        return Ok(Accepted {
            signer,
            bound_to,
            transparency: Transparency {
                tlog_verified: result.tlog_verified(),
                signed_at: signed_at(&result),
            },
            payload: dsse_payload(bundle),
        });
    }
    // No log evidence (or no root to check it against): the key is the only proof.
    let bound_to = verify_with_key_only(bundle, artifact, authority, &expected)?;
    Ok(Accepted {
        signer,
        bound_to,
        transparency: Transparency::default(),
        payload: dsse_payload(bundle),
    })
}

fn verify_with_key_only(
    bundle: &Bundle,
    artifact: BundleArtifact<'_>,
    authority: &KeyAuthority,
    expected: &str,
) -> Result<Option<Digest>, Rejection> {
    match &bundle.content {
        SignatureContent::DsseEnvelope(env) => {
            authority
                .key
                .verify(&env.pae(), env.signature.sig.as_bytes())
                .map_err(|e| Rejection::signature_invalid(expected, e.to_string()))?;
            let statement: Statement =
                serde_json::from_slice(env.payload.as_bytes()).map_err(|e| {
                    Rejection::signature_invalid(
                        "an in-toto Statement payload",
                        format!("an unreadable payload: {e}"),
                    )
                })?;
            bind_statement(&statement, artifact)
        }
        SignatureContent::MessageSignature(msg) => {
            let BundleArtifact::Blob(blob) = artifact else {
                return Err(Rejection::signature_invalid(
                    "a DSSE attestation about the image",
                    "a message signature over an artifact imgguard does not have",
                ));
            };
            authority
                .key
                .verify(blob, msg.signature.as_bytes())
                .map_err(|e| Rejection::signature_invalid(expected, e.to_string()))?;
            Ok(None)
        }
        _ => Err(Rejection::signature_invalid(
            "a message signature or DSSE envelope",
            "unsupported bundle content",
        )),
    }
}

/// Check that a verified statement names the artifact among its subjects.
pub(crate) fn bind_statement(
    statement: &Statement,
    artifact: BundleArtifact<'_>,
) -> Result<Option<Digest>, Rejection> {
    let found = || statement_subjects(statement);
    let named = |d: &Digest| statement.has_subject_digest(d.algorithm().name(), d.hex());
    match artifact {
        BundleArtifact::Image(digests) => digests
            .iter()
            .find(|d| named(d))
            .map(|d| Some(d.clone()))
            .ok_or_else(|| Rejection::subject_mismatch(describe_artifact(artifact), found())),
        BundleArtifact::Blob(bytes) => {
            if named(&Digest::sha256_of(bytes)) {
                Ok(None)
            } else {
                Err(Rejection::subject_mismatch(
                    describe_artifact(artifact),
                    found(),
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn garbage_and_oversized_bundles_are_invalid_signatures() {
        let huge = vec![b' '; MAX_EVIDENCE_BYTES + 1];
        for bad in [&b"\xff\xfe"[..], b"{}", b"[]", b"null", &huge] {
            let err = parse_bundle(bad).unwrap_err();
            assert_eq!(err.code(), "verify.signature-invalid");
        }
    }

    #[test]
    fn unparseable_bundle_is_rejected_before_any_authority() {
        let err = verify_bundle(b"{}", BundleArtifact::Blob(b""), &[], None).unwrap_err();
        assert_eq!(err.code(), "verify.signature-invalid");
    }

    #[test]
    fn sha512_digests_bind_like_sha256() {
        let statement = Statement::from_json(
            br#"{"_type":"https://in-toto.io/Statement/v1","predicateType":"p","predicate":{},
                "subject":[{"name":"a","digest":{"sha512":"00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"}}]}"#,
        )
        .unwrap();
        let sha512: Digest = format!("sha512:{}", "0".repeat(128)).parse().unwrap();
        let sha256 = Digest::sha256_of(b"x");
        let bound = bind_statement(
            &statement,
            BundleArtifact::Image(&[sha256.clone(), sha512.clone()]),
        );
        assert_eq!(bound.unwrap(), Some(sha512));
        let err = bind_statement(&statement, BundleArtifact::Image(&[sha256])).unwrap_err();
        assert_eq!(err.code(), "verify.subject-mismatch");
        assert!(err.found().starts_with("sha512:"), "{err}");
    }
}
