//! Keyed cosign signatures that also carry a Rekor bundle annotation (cosign's
//! default for `sign --key`): the SET is checked offline against a trusted root.
//! The log here is a stand-in made in the test (its own key in a generated
//! `trusted_root.json`), so the SET, log ID and body are real signatures, not mocks
//! of the verifier.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use imgguard::crypto::PrivateKey;
use imgguard::oci::Digest;
use imgguard::verify::{
    Authority, REKOR_BUNDLE_ANNOTATION, SIGNATURE_ANNOTATION, TrustRoot, verify_simple_signing,
};

struct Log {
    key: PrivateKey,
}

impl Log {
    fn new() -> Self {
        Self {
            key: PrivateKey::generate_p256().unwrap(),
        }
    }

    fn trusted_root(&self) -> TrustRoot {
        let public = self.key.public_key();
        let root = serde_json::json!({
            "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
            "tlogs": [{
                "baseUrl": "https://rekor.test.invalid",
                "hashAlgorithm": "SHA2_256",
                "publicKey": {
                    "rawBytes": STANDARD.encode(public.spki_der()),
                    "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                    "validFor": {"start": "2020-01-01T00:00:00Z"}
                },
                "logId": {"keyId": STANDARD.encode(public.spki_sha256())}
            }],
            "certificateAuthorities": [],
            "ctlogs": [],
            "timestampAuthorities": []
        });
        TrustRoot::from_json(std::path::Path::new("generated"), &root.to_string()).unwrap()
    }

    /// cosign's `dev.sigstore.cosign/bundle` for a hashedrekord entry of
    /// (`payload`, `signature`, `signer`).
    fn rekor_bundle(
        &self,
        payload: &[u8],
        signature: &[u8],
        signer: &PrivateKey,
        time: i64,
    ) -> String {
        let body = serde_json::json!({
            "apiVersion": "0.0.1",
            "kind": "hashedrekord",
            "spec": {
                "data": {"hash": {"algorithm": "sha256", "value": Digest::sha256_of(payload).hex()}},
                "signature": {
                    "content": STANDARD.encode(signature),
                    "publicKey": {"content": STANDARD.encode(signer.public_key().to_pem())}
                }
            }
        });
        let payload = serde_json::json!({
            "body": STANDARD.encode(body.to_string()),
            "integratedTime": time,
            "logIndex": 42,
            "logID": self.key.public_key().key_id_hex(),
        });
        // serde_json sorts object keys, and these values have one canonical form:
        // this is the RFC 8785 encoding Rekor signs.
        let set = self.key.sign(payload.to_string().as_bytes());
        serde_json::json!({"SignedEntryTimestamp": STANDARD.encode(set), "Payload": payload})
            .to_string()
    }
}

fn image() -> Digest {
    Digest::sha256_of(b"an image manifest")
}

fn signed(signer: &PrivateKey) -> (Vec<u8>, Vec<u8>) {
    let payload = serde_json::to_vec(&serde_json::json!({
        "critical": {
            "identity": {"docker-reference": "registry.test/app"},
            "image": {"docker-manifest-digest": image().to_string()},
            "type": "cosign container image signature"
        },
        "optional": null
    }))
    .unwrap();
    let signature = signer.sign(&payload);
    (payload, signature)
}

fn annotations(signature: &[u8], rekor: String) -> BTreeMap<String, String> {
    BTreeMap::from([
        (SIGNATURE_ANNOTATION.to_owned(), STANDARD.encode(signature)),
        (REKOR_BUNDLE_ANNOTATION.to_owned(), rekor),
    ])
}

fn authority(signer: &PrivateKey) -> Authority {
    Authority::from_pem(&signer.public_key().to_pem(), "release.pub").unwrap()
}

const TIME: i64 = 1_700_000_000;

fn check(
    log: &Log,
    signer: &PrivateKey,
    payload: &[u8],
    signature: &[u8],
    rekor: String,
) -> Result<imgguard::verify::Accepted, imgguard::verify::Rejection> {
    verify_simple_signing(
        payload,
        &annotations(signature, rekor),
        &[image()],
        &[authority(signer)],
        Some(&log.trusted_root()),
    )
}

#[test]
fn keyed_sig_with_rekor_set_verifies_against_the_log_key() {
    let (log, signer) = (Log::new(), PrivateKey::generate_p256().unwrap());
    let (payload, signature) = signed(&signer);
    let rekor = log.rekor_bundle(&payload, &signature, &signer, TIME);
    let accepted = check(&log, &signer, &payload, &signature, rekor).unwrap();
    assert!(accepted.transparency.tlog_verified);
    assert_eq!(
        accepted.transparency.signed_at.as_deref(),
        Some("2023-11-14T22:13:20Z")
    );
}

#[test]
fn keyed_sig_with_forged_set_time_is_log_entry_invalid() {
    let (log, signer) = (Log::new(), PrivateKey::generate_p256().unwrap());
    let (payload, signature) = signed(&signer);
    let rekor = log.rekor_bundle(&payload, &signature, &signer, TIME);
    let forged = rekor.replace(&TIME.to_string(), &(TIME - 3600).to_string());
    assert_ne!(rekor, forged);
    let err = check(&log, &signer, &payload, &signature, forged).unwrap_err();
    assert_eq!(err.code(), "verify.log-entry-invalid", "{err}");
}

#[test]
fn keyed_sig_logged_by_an_untrusted_log_is_log_entry_invalid() {
    let (log, other_log, signer) = (Log::new(), Log::new(), PrivateKey::generate_p256().unwrap());
    let (payload, signature) = signed(&signer);
    let rekor = other_log.rekor_bundle(&payload, &signature, &signer, TIME);
    let err = check(&log, &signer, &payload, &signature, rekor).unwrap_err();
    assert_eq!(err.code(), "verify.log-entry-invalid", "{err}");
}

#[test]
fn keyed_sig_whose_log_entry_names_another_key_is_log_entry_invalid() {
    let (log, signer, stranger) = (
        Log::new(),
        PrivateKey::generate_p256().unwrap(),
        PrivateKey::generate_p256().unwrap(),
    );
    let (payload, signature) = signed(&signer);
    // A genuine SET, but over an entry that records a different signer.
    let rekor = log.rekor_bundle(&payload, &signature, &stranger, TIME);
    let err = check(&log, &signer, &payload, &signature, rekor).unwrap_err();
    assert_eq!(err.code(), "verify.log-entry-invalid", "{err}");
}
