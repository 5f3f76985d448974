//! Adversarial inputs for every parser of untrusted attestation data: mutated real
//! fixtures must give errors, never panics (test-only).

#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

use crate::attest::{
    GateRequirements, OciBlob, check_vsa_envelope, dsse_envelope_from_bundle, plan_cosign_att,
    plan_referrer, update_referrers_index,
};
use crate::crypto::{PrivateKey, PublicKey, fixtures};
use crate::intoto::{Envelope, Statement};

/// Deterministic mutations: every single-byte flip at a stride, truncations, and
/// byte insertions.
fn mutations(input: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let stride = (input.len() / 150).max(1);
    for i in (0..input.len()).step_by(stride) {
        for flip in [0x01, 0x20, 0x80, 0xff] {
            let mut m = input.to_vec();
            m[i] ^= flip;
            out.push(m);
        }
        out.push(input[..i].to_vec());
        let mut m = input.to_vec();
        m.insert(i, b'"');
        out.push(m);
    }
    out
}

#[test]
fn mutated_fixtures_never_panic_and_never_pass_the_gate() {
    let keyed = fixtures::local_keyed();
    let dump = keyed.join("registry-dump");
    let key = PublicKey::from_pem(&fixtures::read(&keyed.join("cosign.pub")), "k").unwrap();
    let envelope = fs_err::read(dump.join("att.dsse-envelope.json")).unwrap();
    let requirements = GateRequirements {
        image_digest: "sha256:4569ff20aee6683b2ec344d28ffdcaf4b761969bc0642276776deedd4bb5e94f"
            .parse()
            .unwrap(),
        trusted_keys: vec![key.clone()],
        verifier_id: "https://imgguard.example/verifier/v0".to_owned(),
        policy_digest: None,
        policy_uri: None,
        required_levels: Vec::new(),
        max_age: None,
        now: "2026-11-22T20:00:00Z".parse().unwrap(),
    };
    check_vsa_envelope(&envelope, &requirements).unwrap();
    let original = Envelope::from_json(&envelope).unwrap();
    for m in mutations(&envelope) {
        if let Ok(pass) = check_vsa_envelope(&m, &requirements) {
            // Only a mutation that leaves the signed content equal may pass (e.g. a
            // flip inside the unauthenticated keyid, or an equivalent base64 spelling).
            let parsed = Envelope::from_json(&m).unwrap();
            assert_eq!(parsed.payload, original.payload, "{pass:?}");
            assert_eq!(parsed.payload_type, original.payload_type);
        }
        let _ = Statement::from_json(&m);
        let _ = dsse_envelope_from_bundle(&m);
    }

    let manifest = fs_err::read(dump.join("att.manifest.json")).unwrap();
    for m in mutations(&manifest) {
        let _ = plan_cosign_att(&requirements.image_digest, b"{}".to_vec(), "p", Some(&m));
    }
    let subject = OciBlob::new(
        "application/vnd.oci.image.manifest.v1+json",
        fs_err::read(dump.join("image.manifest.json")).unwrap(),
    )
    .descriptor();
    let plan = plan_referrer(
        b"{}".to_vec(),
        &subject,
        "p",
        "2026-11-22T20:00:00Z".parse().unwrap(),
    );
    let index = fs_err::read(dump.join("referrers-tag-index.json")).unwrap();
    for m in mutations(&index) {
        let _ = update_referrers_index(Some(&m), &plan);
    }
    let bundle = fs_err::read(dump.join("referrer.sigstore-bundle.json")).unwrap();
    for m in mutations(&bundle) {
        let _ = dsse_envelope_from_bundle(&m);
    }
}

#[test]
fn mutated_keys_never_panic() {
    let keyed = fixtures::local_keyed();
    let public = fs_err::read(keyed.join("cosign.pub")).unwrap();
    for m in mutations(&public) {
        if let Ok(text) = String::from_utf8(m) {
            let _ = PublicKey::from_pem(&text, "m");
        }
    }
    let private = fs_err::read(keyed.join("cosign.key")).unwrap();
    // Fewer mutations: each successful parse runs scrypt.
    for m in mutations(&private).into_iter().step_by(7) {
        if let Ok(text) = String::from_utf8(m) {
            let _ = PrivateKey::from_pem(&text, Some(b"imgguard-test"), "m");
        }
    }
}
