//! The locally generated keyed cosign artefacts (`.sig`, `.att`, referrer bundle)
//! verify with `cosign.pub`, fail with `sigstorelabel.pub`, and fail when tampered.
//! Read from `IMGGUARD_LOCAL_KEYED_FIXTURES` (never copied into the repository).

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test assertions"
)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use imgguard::oci::Digest;
use imgguard::verify::{
    Authority, BundleArtifact, Evidence, EvidenceFormat, EvidenceLocation, EvidenceSet,
    ImageSubject, ImageVerifier, RequirementStatus, VerifySpec, verify_attestation, verify_bundle,
    verify_simple_signing,
};

fn fixtures() -> PathBuf {
    crate::support::fixtures::local_keyed()
}

fn read(rel: &str) -> Vec<u8> {
    fs_err::read(fixtures().join(rel)).unwrap()
}

fn key(name: &str) -> Authority {
    let pem = String::from_utf8(read(name)).unwrap();
    Authority::from_pem(&pem, name).unwrap()
}

/// The signed image: the digest of the manifest bytes themselves.
fn image() -> Digest {
    let digest = Digest::sha256_of(&read("registry-dump/image.manifest.json"));
    assert_eq!(
        digest.to_string(),
        "sha256:4569ff20aee6683b2ec344d28ffdcaf4b761969bc0642276776deedd4bb5e94f"
    );
    digest
}

fn layer_annotations(manifest: &str) -> BTreeMap<String, String> {
    let manifest: serde_json::Value =
        serde_json::from_slice(&read(&format!("registry-dump/{manifest}"))).unwrap();
    serde_json::from_value(manifest["layers"][0]["annotations"].clone()).unwrap()
}

fn sig(payload: &[u8], authority: &Authority) -> Result<(), String> {
    verify_simple_signing(
        payload,
        &layer_annotations("sig.manifest.json"),
        &[image()],
        std::slice::from_ref(authority),
        None,
    )
    .map(|a| assert_eq!(a.bound_to, Some(image())))
    .map_err(|r| r.code().to_owned())
}

#[test]
fn local_keyed_sig_verifies_with_cosign_pub() {
    sig(
        &read("registry-dump/sig.simplesigning-payload.json"),
        &key("cosign.pub"),
    )
    .unwrap();
}

#[test]
fn local_keyed_sig_fails_with_sigstorelabel_pub() {
    let err = sig(
        &read("registry-dump/sig.simplesigning-payload.json"),
        &key("sigstorelabel.pub"),
    )
    .unwrap_err();
    assert_eq!(err, "verify.signature-invalid");
}

#[test]
fn local_keyed_sig_tampered_payload_fails() {
    let payload = String::from_utf8(read("registry-dump/sig.simplesigning-payload.json"))
        .unwrap()
        .replace("\"build\"", "\"prod!\"");
    let err = sig(payload.as_bytes(), &key("cosign.pub")).unwrap_err();
    assert_eq!(err, "verify.signature-invalid");
}

#[test]
fn local_keyed_sig_for_another_image_is_subject_mismatch() {
    let other = Digest::sha256_of(b"another manifest");
    let err = verify_simple_signing(
        &read("registry-dump/sig.simplesigning-payload.json"),
        &layer_annotations("sig.manifest.json"),
        &[other],
        &[key("cosign.pub")],
        None,
    )
    .unwrap_err();
    assert_eq!(err.code(), "verify.subject-mismatch", "{err}");
}

#[test]
fn local_keyed_sig_without_signature_annotation_fails() {
    let err = verify_simple_signing(
        &read("registry-dump/sig.simplesigning-payload.json"),
        &BTreeMap::new(),
        &[image()],
        &[key("cosign.pub")],
        None,
    )
    .unwrap_err();
    assert_eq!(err.code(), "verify.signature-invalid");
}

fn att(envelope: &[u8], authority: &Authority) -> Result<(), String> {
    verify_attestation(
        envelope,
        &layer_annotations("att.manifest.json"),
        &[image()],
        std::slice::from_ref(authority),
        None,
    )
    .map(|a| {
        assert_eq!(a.bound_to, Some(image()));
        assert!(a.payload.is_some());
    })
    .map_err(|r| r.code().to_owned())
}

#[test]
fn local_keyed_att_verifies_with_cosign_pub() {
    att(
        &read("registry-dump/att.dsse-envelope.json"),
        &key("cosign.pub"),
    )
    .unwrap();
}

#[test]
fn local_keyed_att_fails_with_sigstorelabel_pub() {
    let err = att(
        &read("registry-dump/att.dsse-envelope.json"),
        &key("sigstorelabel.pub"),
    )
    .unwrap_err();
    assert_eq!(err, "verify.signature-invalid");
}

/// Re-encode the envelope with one changed payload byte, keeping the signature.
fn tampered_envelope() -> Vec<u8> {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut envelope: serde_json::Value =
        serde_json::from_slice(&read("registry-dump/att.dsse-envelope.json")).unwrap();
    let payload = b64.decode(envelope["payload"].as_str().unwrap()).unwrap();
    let text = String::from_utf8(payload)
        .unwrap()
        .replace("PASSED", "FAILED");
    envelope["payload"] = serde_json::json!(b64.encode(text));
    serde_json::to_vec(&envelope).unwrap()
}

#[test]
fn local_keyed_att_tampered_payload_fails() {
    let err = att(&tampered_envelope(), &key("cosign.pub")).unwrap_err();
    assert_eq!(err, "verify.signature-invalid");
}

fn referrer(bytes: &[u8], authority: &Authority) -> Result<(), String> {
    verify_bundle(
        bytes,
        BundleArtifact::Image(&[image()]),
        std::slice::from_ref(authority),
        None,
    )
    .map(|a| assert_eq!(a.bound_to, Some(image())))
    .map_err(|r| r.code().to_owned())
}

#[test]
fn local_keyed_referrer_bundle_verifies_with_cosign_pub() {
    referrer(
        &read("registry-dump/referrer.sigstore-bundle.json"),
        &key("cosign.pub"),
    )
    .unwrap();
}

#[test]
fn local_keyed_referrer_bundle_fails_with_sigstorelabel_pub() {
    let err = referrer(
        &read("registry-dump/referrer.sigstore-bundle.json"),
        &key("sigstorelabel.pub"),
    )
    .unwrap_err();
    assert_eq!(err, "verify.signature-invalid");
}

#[test]
fn local_keyed_referrer_bundle_tampered_payload_fails() {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut bundle: serde_json::Value =
        serde_json::from_slice(&read("registry-dump/referrer.sigstore-bundle.json")).unwrap();
    let payload = b64
        .decode(bundle["dsseEnvelope"]["payload"].as_str().unwrap())
        .unwrap();
    let text = String::from_utf8(payload)
        .unwrap()
        .replace("PASSED", "FAILED");
    bundle["dsseEnvelope"]["payload"] = serde_json::json!(b64.encode(text));
    let err = referrer(&serde_json::to_vec(&bundle).unwrap(), &key("cosign.pub")).unwrap_err();
    assert_eq!(err, "verify.signature-invalid");
}

#[test]
fn local_keyed_referrer_bundle_for_another_image_is_subject_mismatch() {
    let err = verify_bundle(
        &read("registry-dump/referrer.sigstore-bundle.json"),
        BundleArtifact::Image(&[Digest::sha256_of(b"another manifest")]),
        &[key("cosign.pub")],
        None,
    )
    .unwrap_err();
    assert_eq!(err.code(), "verify.subject-mismatch", "{err}");
}

/// The `.att` and the referrer hold a VSA, not provenance: with a provenance
/// requirement they are verified, then rejected for their predicate type, while the
/// `.sig` satisfies the signature requirement.
#[test]
fn local_keyed_vsa_is_not_provenance() {
    let spec: VerifySpec = serde_json::from_value(serde_json::json!({
        "signatures": {"authorities": [{"key": "cosign.pub"}]},
        "provenance": {}
    }))
    .unwrap();
    let verifier = ImageVerifier::from_spec(&spec, &fixtures()).unwrap();
    let tag = |suffix: &str| EvidenceLocation::Tag {
        repository: "127.0.0.1:5123/demo/app".into(),
        tag: format!("sha256-{}.{suffix}", image().hex()),
        manifest: "sha256:00".into(),
    };
    let items = vec![
        Evidence::new(
            EvidenceFormat::CosignSimpleSigning,
            tag("sig"),
            read("registry-dump/sig.simplesigning-payload.json"),
        )
        .with_annotations(layer_annotations("sig.manifest.json")),
        Evidence::new(
            EvidenceFormat::CosignAttestation,
            tag("att"),
            read("registry-dump/att.dsse-envelope.json"),
        )
        .with_annotations(layer_annotations("att.manifest.json")),
        Evidence::new(
            EvidenceFormat::SigstoreBundle,
            EvidenceLocation::Referrer {
                repository: "127.0.0.1:5123/demo/app".into(),
                manifest: "sha256:79314b1f1e5b8c9f77955c1d3046e0b71d2c1e44b99d469bcade0da68a511e4d"
                    .into(),
                via: "tag-fallback".into(),
            },
            read("registry-dump/referrer.sigstore-bundle.json"),
        ),
    ];
    let subject = ImageSubject {
        index: None,
        manifests: vec![image()],
    };
    let result = verifier.verify(
        &subject,
        &EvidenceSet {
            items,
            gaps: vec![],
        },
    );
    let sigs = result.signatures.as_ref().unwrap();
    assert_eq!(sigs.status, RequirementStatus::Satisfied);
    assert_eq!(sigs.satisfied_by.len(), 1);
    let prov = result.provenance.as_ref().unwrap();
    assert_eq!(prov.status, RequirementStatus::Failed);
    assert_eq!(prov.rejected.len(), 2);
    let reason = prov.reason.as_ref().unwrap();
    assert_eq!(reason.code(), "verify.predicate-type-mismatch", "{reason}");
    assert_eq!(reason.found(), "https://slsa.dev/verification_summary/v1");
    assert_eq!(result.effect(), imgguard::verify::VerdictEffect::Fail);
}
