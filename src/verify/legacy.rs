//! cosign's legacy tag formats: `.sig` simple-signing layers and `.att` DSSE layers.
//!
//! Keyed: the layer's signature is checked with the configured key. Keyless: the
//! certificate, chain and Rekor bundle annotations are re-framed as a Sigstore
//! bundle v0.1 (certificate chain + one log entry with its SET) and handed to
//! `sigstore-verify`, so the Fulcio chain is checked at the SET's integrated time
//! and the log body is checked against the signature — offline, against the
//! trusted root. Only after the signature holds is the payload read: the
//! simple-signing `docker-manifest-digest` (or the Statement subject) must be one
//! of the image digests.

use sha2::{Digest as _, Sha256};

use crate::oci::Digest;
use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use sigstore_types::bundle::{
    MessageDigest, MessageSignature, VerificationMaterial, X509Certificate,
};
use sigstore_types::dsse::DsseSignature;
use sigstore_types::{
    Bundle, DerCertificate, DigestBytes, DsseEnvelope, HashAlgorithm, KeyId, MediaType,
    PayloadBytes, SignatureBytes, SignatureContent, VerificationMaterialContent,
};

use crate::intoto::{Envelope, Statement};

use super::accepted::{Accepted, Signer, Transparency, VerifiedPayload};
use super::authority::KeyAuthority;
use super::bundle::{BundleArtifact, bind_statement, verify_bundle_value};
use super::rekor_bundle::{REKOR_BUNDLE_ANNOTATION, tlog_entry_from_annotation};
use super::{Authority, KeylessIdentity, MAX_EVIDENCE_BYTES, Rejection, TrustRoot};

/// Base64 signature over the payload (empty on `.att` layers).
pub const SIGNATURE_ANNOTATION: &str = "dev.cosignproject.cosign/signature";
/// PEM leaf certificate (keyless).
pub const CERTIFICATE_ANNOTATION: &str = "dev.sigstore.cosign/certificate";
/// PEM chain (intermediates, root).
pub const CHAIN_ANNOTATION: &str = "dev.sigstore.cosign/chain";

const SIMPLE_SIGNING_TYPE: &str = "cosign container image signature";

#[derive(Deserialize)]
struct SimpleSigning {
    critical: Critical,
}

#[derive(Deserialize)]
struct Critical {
    image: CriticalImage,
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Deserialize)]
struct CriticalImage {
    #[serde(rename = "docker-manifest-digest")]
    docker_manifest_digest: String,
}

fn too_large(bytes: &[u8], expected: &str) -> Result<(), Rejection> {
    if bytes.len() > MAX_EVIDENCE_BYTES {
        return Err(Rejection::signature_invalid(
            expected,
            format!(
                "{} bytes, over the {MAX_EVIDENCE_BYTES}-byte limit",
                bytes.len()
            ),
        ));
    }
    Ok(())
}

fn keep_best(best: &mut Option<Rejection>, rejection: Rejection) {
    if best
        .as_ref()
        .is_none_or(|b| rejection.specificity() > b.specificity())
    {
        *best = Some(rejection);
    }
}

fn no_authority() -> Rejection {
    Rejection::NoSignatureFound {
        expected: "a trusted authority in the policy".into(),
        found: "no authorities configured".into(),
    }
}

/// Verify a `.sig` layer: `payload` is the simple-signing blob, `annotations` the
/// layer's annotations.
pub fn verify_simple_signing(
    payload: &[u8],
    annotations: &BTreeMap<String, String>,
    image: &[Digest],
    authorities: &[Authority],
    trust: Option<&TrustRoot>,
) -> Result<Accepted, Rejection> {
    too_large(payload, "a simple-signing payload")?;
    let signature = annotations
        .get(SIGNATURE_ANNOTATION)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            Rejection::signature_invalid(
                format!("a `{SIGNATURE_ANNOTATION}` annotation"),
                "none on the layer",
            )
        })?;
    let signature = STANDARD.decode(signature.trim()).map_err(|e| {
        Rejection::signature_invalid("a base64 signature", format!("undecodable: {e}"))
    })?;
    let mut best = None;
    for authority in authorities {
        let outcome = match authority {
            Authority::Key(key) => sig_keyed(payload, &signature, annotations, key, trust),
            Authority::Keyless(identity) => {
                let content = SignatureContent::MessageSignature(
                    MessageSignature::new(SignatureBytes::new(signature.clone()))
                        .with_message_digest(MessageDigest::new(
                            HashAlgorithm::Sha2256,
                            DigestBytes::new(Sha256::digest(payload).to_vec()),
                        )),
                );
                keyless_bundle(annotations, content).and_then(|bundle| {
                    verify_bundle_value(
                        &bundle,
                        BundleArtifact::Blob(payload),
                        &Authority::Keyless(identity.clone()),
                        trust,
                    )
                })
            }
        };
        match outcome.and_then(|accepted| bind_simple_signing(payload, image, accepted)) {
            Ok(accepted) => return Ok(accepted),
            Err(rejection) => keep_best(&mut best, rejection),
        }
    }
    Err(best.unwrap_or_else(no_authority))
}

fn sig_keyed(
    payload: &[u8],
    signature: &[u8],
    annotations: &BTreeMap<String, String>,
    key: &KeyAuthority,
    trust: Option<&TrustRoot>,
) -> Result<Accepted, Rejection> {
    key.key.verify(payload, signature).map_err(|e| {
        Rejection::signature_invalid(format!("a signature by key {}", key.source), e.to_string())
    })?;
    let transparency = keyed_log(
        annotations,
        key,
        trust,
        || {
            SignatureContent::MessageSignature(MessageSignature::new(SignatureBytes::new(
                signature.to_vec(),
            )))
        },
        BundleArtifact::Blob(payload),
    )?;
    Ok(Accepted {
        signer: Signer::Key {
            source: key.source.clone(),
            key_hint: key.key.key_hint(),
        },
        bound_to: None,
        transparency,
        payload: None,
    })
}

/// A keyed layer may also carry a Rekor bundle; when a trusted root is configured
/// it must verify (a forged log entry is never ignored), otherwise the key alone
/// stands and the report says the log was not checked.
fn keyed_log(
    annotations: &BTreeMap<String, String>,
    key: &KeyAuthority,
    trust: Option<&TrustRoot>,
    content: impl FnOnce() -> SignatureContent,
    artifact: BundleArtifact<'_>,
) -> Result<Transparency, Rejection> {
    let (Some(rekor), Some(trust)) = (annotations.get(REKOR_BUNDLE_ANNOTATION), trust) else {
        return Ok(Transparency::default());
    };
    if !trust.has_tlogs() {
        return Ok(Transparency::default());
    }
    let entry = tlog_entry_from_annotation(rekor)?;
    let hint = sigstore_types::bundle::PublicKeyIdentifier::new(key.key.key_hint());
    let bundle = Bundle::new(
        MediaType::Bundle0_1,
        VerificationMaterial::new(VerificationMaterialContent::PublicKey(hint))
            .with_tlog_entries(vec![entry]),
        content(),
    );
    let accepted =
        verify_bundle_value(&bundle, artifact, &Authority::Key(key.clone()), Some(trust))?;
    Ok(accepted.transparency)
}

/// Build the v0.1 bundle a keyless legacy layer amounts to.
fn keyless_bundle(
    annotations: &BTreeMap<String, String>,
    content: SignatureContent,
) -> Result<Bundle, Rejection> {
    let cert_pem = annotations.get(CERTIFICATE_ANNOTATION).ok_or_else(|| {
        Rejection::identity_mismatch(
            "a Fulcio certificate (keyless signature)",
            "no certificate annotation (a keyed signature)",
        )
    })?;
    // Without the Rekor bundle, only an online log lookup could establish the signing
    // time: undecided offline, not refuted.
    let rekor =
        annotations
            .get(REKOR_BUNDLE_ANNOTATION)
            .ok_or_else(|| Rejection::LogProofUnavailable {
                expected: "a Rekor bundle annotation to establish the signing time offline".into(),
                found: "none on the layer".into(),
            })?;
    let mut certificates = pem_certificates(cert_pem)?;
    if let Some(chain) = annotations.get(CHAIN_ANNOTATION) {
        certificates.extend(pem_certificates(chain)?);
    }
    let entry = tlog_entry_from_annotation(rekor)?;
    Ok(Bundle::new(
        MediaType::Bundle0_1,
        VerificationMaterial::new(VerificationMaterialContent::X509CertificateChain {
            certificates,
        })
        .with_tlog_entries(vec![entry]),
        content,
    ))
}

fn pem_certificates(pem: &str) -> Result<Vec<X509Certificate>, Rejection> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let mut out = Vec::new();
    let mut rest = pem;
    while let Some(start) = rest.find(BEGIN) {
        let after = rest.get(start..).unwrap_or_default();
        let end = after.find(END).ok_or_else(|| {
            Rejection::untrusted_root("PEM certificates", "an unterminated PEM block")
        })?;
        let block = after.get(..end + END.len()).unwrap_or_default();
        let der = DerCertificate::from_pem(block).map_err(|e| {
            Rejection::untrusted_root(
                "PEM certificates",
                format!("an unreadable certificate: {e}"),
            )
        })?;
        out.push(X509Certificate::new(der));
        rest = after.get(end + END.len()..).unwrap_or_default();
        if out.len() > 16 {
            return Err(Rejection::untrusted_root(
                "a certificate chain of at most 16 certificates",
                "more",
            ));
        }
    }
    if out.is_empty() {
        return Err(Rejection::untrusted_root(
            "PEM certificates",
            "no CERTIFICATE block",
        ));
    }
    Ok(out)
}

/// The simple-signing payload must name one of the image digests.
fn bind_simple_signing(
    payload: &[u8],
    image: &[Digest],
    mut accepted: Accepted,
) -> Result<Accepted, Rejection> {
    let parsed: SimpleSigning = serde_json::from_slice(payload).map_err(|e| {
        Rejection::signature_invalid(
            "a simple-signing payload with critical.image.docker-manifest-digest",
            format!("an unreadable payload: {e}"),
        )
    })?;
    if parsed.critical.kind != SIMPLE_SIGNING_TYPE {
        return Err(Rejection::PredicateTypeMismatch {
            expected: SIMPLE_SIGNING_TYPE.into(),
            found: parsed.critical.kind,
        });
    }
    let named = parsed.critical.image.docker_manifest_digest;
    let bound = image
        .iter()
        .find(|d| d.to_string() == named)
        .ok_or_else(|| {
            Rejection::subject_mismatch(
                image
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(" or "),
                named.clone(),
            )
        })?;
    accepted.bound_to = Some(bound.clone());
    Ok(accepted)
}

/// Verify a `.att` layer: `envelope` is the DSSE envelope JSON.
pub fn verify_attestation(
    envelope: &[u8],
    annotations: &BTreeMap<String, String>,
    image: &[Digest],
    authorities: &[Authority],
    trust: Option<&TrustRoot>,
) -> Result<Accepted, Rejection> {
    let envelope = Envelope::from_json(envelope)
        .map_err(|e| Rejection::signature_invalid("a DSSE envelope", e.to_string()))?;
    if envelope.signatures.is_empty() {
        return Err(Rejection::signature_invalid(
            "a DSSE envelope with a signature",
            "no signatures",
        ));
    }
    let mut best = None;
    for authority in authorities {
        let outcome = match authority {
            Authority::Key(key) => att_keyed(&envelope, annotations, image, key, trust),
            // cosign's keyless envelopes carry one signature; each is tried with the
            // certificate, as the log entry names exactly one.
            Authority::Keyless(identity) => envelope
                .signatures
                .iter()
                .map(|signature| {
                    let single = DsseEnvelope::new(
                        envelope.payload_type.clone(),
                        PayloadBytes::new(envelope.payload.clone()),
                        DsseSignature::new(
                            SignatureBytes::new(signature.sig.clone()),
                            KeyId::new(signature.keyid.clone()),
                        ),
                    );
                    att_keyless(&single, annotations, image, identity, trust)
                })
                .reduce(|a, b| match (a, b) {
                    (Ok(x), _) | (Err(_), Ok(x)) => Ok(x),
                    (Err(x), Err(y)) => Err(if y.specificity() > x.specificity() {
                        y
                    } else {
                        x
                    }),
                })
                .unwrap_or_else(|| Err(no_authority())),
        };
        match outcome {
            Ok(accepted) => return Ok(accepted),
            Err(rejection) => keep_best(&mut best, rejection),
        }
    }
    Err(best.unwrap_or_else(no_authority))
}

fn att_keyed(
    envelope: &Envelope,
    annotations: &BTreeMap<String, String>,
    image: &[Digest],
    key: &KeyAuthority,
    trust: Option<&TrustRoot>,
) -> Result<Accepted, Rejection> {
    let verified = envelope
        .verify(std::slice::from_ref(&key.key))
        .map_err(|e| {
            Rejection::signature_invalid(
                format!("a DSSE signature by key {}", key.source),
                e.to_string(),
            )
        })?;
    let statement =
        Statement::from_verified(&verified).map_err(|e| Rejection::PredicateTypeMismatch {
            expected: "an in-toto Statement (payloadType application/vnd.in-toto+json)".into(),
            found: e.to_string(),
        })?;
    let bound_to = bind_statement(&statement, BundleArtifact::Image(image))?;
    // The log entry, if any, records one signature: find the one the key made.
    let signature = envelope
        .signatures
        .iter()
        .find(|s| {
            key.key
                .verify(
                    &crate::intoto::pae(&envelope.payload_type, &envelope.payload),
                    &s.sig,
                )
                .is_ok()
        })
        .map(|s| s.sig.clone())
        .unwrap_or_default();
    let single = DsseEnvelope::new(
        envelope.payload_type.clone(),
        PayloadBytes::new(envelope.payload.clone()),
        DsseSignature::new(SignatureBytes::new(signature), KeyId::new(String::new())),
    );
    let transparency = keyed_log(
        annotations,
        key,
        trust,
        || SignatureContent::DsseEnvelope(single),
        BundleArtifact::Image(image),
    )?;
    Ok(Accepted {
        signer: Signer::Key {
            source: key.source.clone(),
            key_hint: key.key.key_hint(),
        },
        bound_to,
        transparency,
        payload: Some(VerifiedPayload {
            payload_type: envelope.payload_type.clone(),
            bytes: envelope.payload.clone(),
        }),
    })
}

fn att_keyless(
    envelope: &DsseEnvelope,
    annotations: &BTreeMap<String, String>,
    image: &[Digest],
    identity: &KeylessIdentity,
    trust: Option<&TrustRoot>,
) -> Result<Accepted, Rejection> {
    let bundle = keyless_bundle(
        annotations,
        SignatureContent::DsseEnvelope(envelope.clone()),
    )?;
    verify_bundle_value(
        &bundle,
        BundleArtifact::Image(image),
        &Authority::Keyless(identity.clone()),
        trust,
    )
}
