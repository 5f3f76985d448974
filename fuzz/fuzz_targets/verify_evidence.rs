//! Arbitrary bytes as a Sigstore bundle, a cosign `.att` envelope, a `.sig` payload
//! and as cosign's certificate / Rekor-bundle annotations, through the verifiers.
#![no_main]

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use imgguard::oci::Digest;
use imgguard::verify::{
    Authority, BundleArtifact, CERTIFICATE_ANNOTATION, CHAIN_ANNOTATION, KeylessIdentity,
    KeylessSpec, REKOR_BUNDLE_ANNOTATION, SIGNATURE_ANNOTATION, TrustRoot, verify_attestation,
    verify_bundle, verify_simple_signing,
};
use libfuzzer_sys::fuzz_target;

/// A throwaway P-256 public key (no private half exists anywhere).
const KEY: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEve2wYrdwuXvw2Wucfndb3DNsYXFS
nA5wTLNn2UC8JMUSKsoZLp0+iGhoOBWSXr/f9XU6OKhKiPDhbT4YZrQl2Q==
-----END PUBLIC KEY-----";

struct Setup {
    authorities: Vec<Authority>,
    trust: TrustRoot,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let keyless = KeylessIdentity::from_spec(&KeylessSpec {
            issuer: Some("https://token.actions.githubusercontent.com".into()),
            identity: None,
            identity_regex: Some(".*".into()),
        })
        .unwrap();
        let root = r#"{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1",
            "tlogs":[],"certificateAuthorities":[],"ctlogs":[],"timestampAuthorities":[]}"#;
        Setup {
            authorities: vec![
                Authority::from_pem(KEY, "fuzz.pub").unwrap(),
                Authority::Keyless(keyless),
            ],
            trust: TrustRoot::from_json(Path::new("fuzz"), root).unwrap(),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let setup = setup();
    let image = [Digest::sha256_of(data)];
    let _ = verify_bundle(
        data,
        BundleArtifact::Image(&image),
        &setup.authorities,
        Some(&setup.trust),
    );
    let _ = verify_attestation(data, &BTreeMap::new(), &image, &setup.authorities, None);
    let text = String::from_utf8_lossy(data).into_owned();
    let annotations = BTreeMap::from([
        (SIGNATURE_ANNOTATION.to_owned(), "MEUCIQ==".to_owned()),
        (CERTIFICATE_ANNOTATION.to_owned(), text.clone()),
        (CHAIN_ANNOTATION.to_owned(), text.clone()),
        (REKOR_BUNDLE_ANNOTATION.to_owned(), text),
    ]);
    let _ = verify_simple_signing(
        data,
        &annotations,
        &image,
        &setup.authorities,
        Some(&setup.trust),
    );
});
