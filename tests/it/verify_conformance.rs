//! Real-world Sigstore/cosign/SLSA vectors: every case in the fixtures README gives
//! its expected result. The vectors are read from `IMGGUARD_REALWORLD_FIXTURES`
//! (never copied into the repository); one test per case, so a regression names
//! itself.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test assertions"
)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use imgguard::oci::Digest;
use imgguard::verify::{
    Accepted, Authority, BundleArtifact, Evidence, EvidenceFormat, EvidenceLocation, EvidenceSet,
    ImageSubject, ImageVerifier, KeylessIdentity, KeylessSpec, ProvenanceSpec, Rejection,
    RequirementStatus, TrustRoot, VerifySpec, verify_attestation, verify_bundle,
};

const BEACON: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const GITHUB_ACTIONS: &str = "https://token.actions.githubusercontent.com";
const GITHUB_OAUTH: &str = "https://github.com/login/oauth";

/// The fixtures directory: `IMGGUARD_REALWORLD_FIXTURES`, or `../shared/fixtures/realworld`
/// next to the crate outside CI. Never a silent pass when it is missing.
fn fixtures() -> PathBuf {
    if let Some(dir) = std::env::var_os("IMGGUARD_REALWORLD_FIXTURES") {
        let dir = PathBuf::from(dir);
        assert!(
            dir.join("README.md").is_file(),
            "IMGGUARD_REALWORLD_FIXTURES={} has no README.md",
            dir.display()
        );
        return dir;
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "IMGGUARD_REALWORLD_FIXTURES must be set under CI=true"
    );
    let default = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/realworld");
    assert!(
        default.join("README.md").is_file(),
        "real-world fixtures not found: set IMGGUARD_REALWORLD_FIXTURES (default {} is missing)",
        default.display()
    );
    default
}

fn read(rel: &str) -> Vec<u8> {
    let path = fixtures().join(rel);
    fs_err::read(&path).unwrap()
}

fn root(rel: &str) -> TrustRoot {
    TrustRoot::load(&fixtures().join(rel)).unwrap()
}

fn prod() -> TrustRoot {
    root("trusted-roots/sigstore-prod.trusted_root.json")
}

fn staging() -> TrustRoot {
    root("trusted-roots/sigstore-staging.trusted_root.json")
}

fn keyless(identity: &str, issuer: Option<&str>) -> Authority {
    Authority::Keyless(
        KeylessIdentity::from_spec(&KeylessSpec {
            issuer: issuer.map(Into::into),
            identity: Some(identity.into()),
            identity_regex: None,
        })
        .unwrap(),
    )
}

fn beacon() -> Authority {
    keyless(BEACON, Some(GITHUB_ACTIONS))
}

fn digest(s: &str) -> Digest {
    s.parse().unwrap()
}

fn conformance(
    case: &str,
    authority: &Authority,
    trust: &TrustRoot,
) -> Result<Accepted, Rejection> {
    let dir = format!("conformance/{case}");
    let artifact_rel = if fixtures().join(&dir).join("artifact").is_file() {
        format!("{dir}/artifact")
    } else {
        "conformance/a.txt".to_owned()
    };
    let artifact = read(&artifact_rel);
    verify_bundle(
        &read(&format!("{dir}/bundle.sigstore.json")),
        BundleArtifact::Blob(&artifact),
        std::slice::from_ref(authority),
        Some(trust),
    )
}

fn case_root(case: &str) -> TrustRoot {
    let own = format!("conformance/{case}/trusted_root.json");
    if fixtures().join(&own).is_file() {
        root(&own)
    } else {
        prod()
    }
}

fn expect_pass(case: &str) -> Accepted {
    conformance(case, &beacon(), &case_root(case)).unwrap()
}

fn expect_fail(case: &str) -> Rejection {
    conformance(case, &beacon(), &case_root(case)).unwrap_err()
}

fn managed_key(case: &str) -> Result<Authority, String> {
    let pem = String::from_utf8(read(&format!("conformance/{case}/key.pub"))).unwrap();
    Authority::from_pem(&pem, "key.pub").map_err(|e| e.to_string())
}

/// The report's `verification` section validates against its own generated schema.
fn assert_matches_schema(verification: &imgguard::verify::Verification) {
    let schema =
        serde_json::to_value(schemars::schema_for!(imgguard::verify::Verification)).unwrap();
    let instance = serde_json::to_value(verification).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{instance:#}");
}

// ---- sigstore-conformance bundle-verify cases ----

#[test]
fn conformance_happy_path_v0_3_alternate_media_type() {
    let accepted = expect_pass("happy-path-v0.3");
    assert!(accepted.transparency.tlog_verified);
}

#[test]
fn conformance_happy_path_intoto_in_dsse_v3() {
    let accepted = expect_pass("happy-path-intoto-in-dsse-v3");
    assert!(accepted.payload.is_some());
}

#[test]
fn conformance_rekor2_dsse_happy_path() {
    expect_pass("rekor2-dsse-happy-path");
}

#[test]
fn conformance_intoto_with_custom_trust_root() {
    expect_pass("intoto-with-custom-trust-root");
}

#[test]
fn conformance_managed_key_happy_path() {
    let key = managed_key("managed-key-happy-path").unwrap();
    let artifact = read("conformance/a.txt");
    let accepted = verify_bundle(
        &read("conformance/managed-key-happy-path/bundle.sigstore.json"),
        BundleArtifact::Blob(&artifact),
        &[key],
        Some(&prod()),
    )
    .unwrap();
    assert!(accepted.transparency.tlog_verified);
}

#[test]
fn conformance_managed_key_wrong_key_fail() {
    // The upstream key.pub is deliberately unusable: it must never verify.
    let outcome = managed_key("managed-key-wrong-key_fail").and_then(|key| {
        let artifact = read("conformance/a.txt");
        verify_bundle(
            &read("conformance/managed-key-wrong-key_fail/bundle.sigstore.json"),
            BundleArtifact::Blob(&artifact),
            &[key],
            Some(&prod()),
        )
        .map_err(|r| r.to_string())
    });
    assert!(outcome.is_err());
}

#[test]
fn conformance_set_invalid_signature_fail() {
    assert_eq!(
        expect_fail("set-invalid-signature_fail").code(),
        "verify.log-entry-invalid"
    );
}

#[test]
fn conformance_checkpoint_wrong_roothash_fail() {
    assert_eq!(
        expect_fail("checkpoint-wrong-roothash_fail").code(),
        "verify.log-entry-invalid"
    );
}

#[test]
fn conformance_invalid_inclusion_proof_fail() {
    assert_eq!(
        expect_fail("invalid-inclusion-proof_fail").code(),
        "verify.log-entry-invalid"
    );
}

#[test]
fn conformance_intoto_set_outside_signing_cert_validity_fail() {
    let err = expect_fail("intoto-set-outside-signing-cert-validity_fail");
    assert_eq!(err.code(), "verify.untrusted-root", "{err}");
}

#[test]
fn conformance_intoto_log_entry_mismatch_fail() {
    expect_fail("intoto-log-entry-mismatch_fail");
}

#[test]
fn conformance_dsse_invalid_sig_fail() {
    let err = expect_fail("dsse-invalid-sig_fail");
    assert_eq!(err.code(), "verify.signature-invalid", "{err}");
}

#[test]
fn conformance_dsse_mismatch_sig_fail() {
    expect_fail("dsse-mismatch-sig_fail");
}

#[test]
fn conformance_bundle_from_wrong_instance_fail() {
    expect_fail("bundle-from-wrong-instance_fail");
}

#[test]
fn conformance_wrong_identity_is_identity_mismatch() {
    let other = keyless(
        "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main",
        Some(GITHUB_ACTIONS),
    );
    let err = conformance("happy-path-intoto-in-dsse-v3", &other, &prod()).unwrap_err();
    assert_eq!(err.code(), "verify.identity-mismatch", "{err}");
}

#[test]
fn conformance_wrong_issuer_is_identity_mismatch() {
    let other = keyless(BEACON, Some("https://accounts.google.com"));
    let err = conformance("happy-path-v0.3", &other, &prod()).unwrap_err();
    assert_eq!(err.code(), "verify.identity-mismatch", "{err}");
}

#[test]
fn conformance_identity_regex_is_anchored() {
    let regex = |pattern: &str| {
        Authority::Keyless(
            KeylessIdentity::from_spec(&KeylessSpec {
                issuer: Some(GITHUB_ACTIONS.into()),
                identity: None,
                identity_regex: Some(pattern.into()),
            })
            .unwrap(),
        )
    };
    let ok = regex(r"https://github\.com/sigstore-conformance/.*@refs/heads/main");
    conformance("happy-path-v0.3", &ok, &prod()).unwrap();
    // A prefix of the identity must not match on its own.
    let prefix = regex(r"https://github\.com/sigstore-conformance/");
    let err = conformance("happy-path-v0.3", &prefix, &prod()).unwrap_err();
    assert_eq!(err.code(), "verify.identity-mismatch");
}

#[test]
fn conformance_wrong_artifact_is_subject_mismatch() {
    let artifact = b"not the signed artifact".to_vec();
    let err = verify_bundle(
        &read("conformance/happy-path-intoto-in-dsse-v3/bundle.sigstore.json"),
        BundleArtifact::Blob(&artifact),
        &[beacon()],
        Some(&prod()),
    )
    .unwrap_err();
    assert_eq!(err.code(), "verify.subject-mismatch", "{err}");
}

#[test]
fn conformance_staging_bundle_against_prod_root_is_untrusted() {
    let err = conformance("happy-path-v0.3", &beacon(), &staging()).unwrap_err();
    assert_ne!(err.code(), "verify.identity-mismatch", "{err}");
}

// ---- sigstore-python assets ----

fn python_case(
    bundle: &str,
    artifact: &str,
    identity: &str,
    issuer: &str,
    trust: &TrustRoot,
) -> Result<Accepted, Rejection> {
    let artifact = read(&format!("sigstore-python/{artifact}"));
    verify_bundle(
        &read(&format!("sigstore-python/{bundle}")),
        BundleArtifact::Blob(&artifact),
        &[keyless(identity, Some(issuer))],
        Some(trust),
    )
}

#[test]
fn sigstore_python_bundle_v3_staging() {
    python_case(
        "bundle_v3.txt.sigstore",
        "bundle_v3.txt",
        "william@yossarian.net",
        GITHUB_OAUTH,
        &staging(),
    )
    .unwrap();
}

#[test]
fn sigstore_python_bundle_v3_fails_with_prod_root() {
    python_case(
        "bundle_v3.txt.sigstore",
        "bundle_v3.txt",
        "william@yossarian.net",
        GITHUB_OAUTH,
        &prod(),
    )
    .unwrap_err();
}

#[test]
fn sigstore_python_staging_rekor_v2_message_signature() {
    python_case(
        "staging-rekor-v2.txt.sigstore.json",
        "staging-rekor-v2.txt",
        "jku@goto.fi",
        GITHUB_OAUTH,
        &staging(),
    )
    .unwrap();
}

#[test]
fn sigstore_python_dsse_slsa_v1_on_rekor_v2() {
    let artifact = read("conformance/a.txt");
    verify_bundle(
        &read("sigstore-python/a.dsse.staging-rekor-v2.txt.sigstore.json"),
        BundleArtifact::Blob(&artifact),
        &[beacon()],
        Some(&staging()),
    )
    .unwrap();
}

#[test]
fn sigstore_python_cve_2022_36056_fail() {
    let err = python_case(
        "bundle_cve_2022_36056.txt.sigstore",
        "bundle_cve_2022_36056.txt",
        "william@yossarian.net",
        GITHUB_OAUTH,
        &staging(),
    )
    .unwrap_err();
    assert_eq!(err.code(), "verify.log-entry-invalid", "{err}");
}

#[test]
fn sigstore_python_github_wheel_by_digest() {
    let wheel = digest("sha256:c4e92e9ecc828bef2aa7dba1de8ac983511f7532a0df11c770d39099a25cf201");
    verify_bundle(
        &read("sigstore-python/bundle_v3_github.whl.sigstore"),
        BundleArtifact::Image(std::slice::from_ref(&wheel)),
        &[keyless(
            "https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2",
            Some(GITHUB_ACTIONS),
        )],
        Some(&prod()),
    )
    .unwrap();
}

// ---- cosign v3 bundles ----

const KUBEWARDEN: &str = "https://github.com/kubewarden/kubewarden-controller/.github/workflows/release.yml@refs/tags/v1.34.0";

fn kubewarden_image() -> Digest {
    digest("sha256:c811d58de79c92f03214e63aa339484e488d694ae8a6283b5f3f17a9faf50172")
}

#[test]
fn cosign_v3_image_signature_kubewarden() {
    let accepted = verify_bundle(
        &read("cosign-v3-bundles/kubewarden-controller-v1.34.0.cosign-sign-v1.sigstore.json"),
        BundleArtifact::Image(&[kubewarden_image()]),
        &[keyless(KUBEWARDEN, Some(GITHUB_ACTIONS))],
        Some(&prod()),
    )
    .unwrap();
    assert_eq!(accepted.bound_to, Some(kubewarden_image()));
}

#[test]
fn cosign_v3_image_signature_through_image_verifier() {
    let spec: VerifySpec = serde_json::from_value(serde_json::json!({
        "signatures": {
            "trusted_root": fixtures().join("trusted-roots/sigstore-prod.trusted_root.json"),
            "authorities": [{"keyless": {"issuer": GITHUB_ACTIONS, "identity": KUBEWARDEN}}]
        }
    }))
    .unwrap();
    let verifier = ImageVerifier::from_spec(&spec, &fixtures()).unwrap();
    let bytes =
        read("cosign-v3-bundles/kubewarden-controller-v1.34.0.cosign-sign-v1.sigstore.json");
    let evidence = EvidenceSet {
        items: vec![Evidence::new(
            EvidenceFormat::SigstoreBundle,
            EvidenceLocation::Referrer {
                repository: "ghcr.io/kubewarden/kubewarden-controller".into(),
                manifest: "sha256:00".into(),
                via: "referrers-api".into(),
            },
            bytes.clone(),
        )],
        gaps: vec![],
    };
    let image = ImageSubject {
        index: None,
        manifests: vec![kubewarden_image()],
    };
    let result = verifier.verify(&image, &evidence);
    let sigs = result.signatures.as_ref().unwrap();
    assert_eq!(sigs.status, RequirementStatus::Satisfied, "{sigs:?}");
    assert_matches_schema(&result);
    let inputs = result.input_attestations();
    assert_eq!(inputs.len(), 1);
    assert_eq!(inputs.first().unwrap().digest, Digest::sha256_of(&bytes));

    // The same evidence for another image is a subject mismatch, and fails.
    let other = ImageSubject {
        index: None,
        manifests: vec![digest(
            "sha256:0000000000000000000000000000000000000000000000000000000000000000",
        )],
    };
    let result = verifier.verify(&other, &evidence);
    let sigs = result.signatures.unwrap();
    assert_eq!(sigs.status, RequirementStatus::Failed);
    assert_eq!(sigs.reason.unwrap().code(), "verify.subject-mismatch");
}

#[test]
fn cosign_v3_oci_attestation() {
    let image = digest("sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4");
    verify_bundle(
        &read("cosign-v3-bundles/cosign-testdata-oci-attestation.sigstore.json"),
        BundleArtifact::Image(&[image]),
        &[keyless("cody@soyland.com", Some(GITHUB_OAUTH))],
        Some(&prod()),
    )
    .unwrap();
}

// ---- npm provenance ----

#[test]
fn npm_provenance_sha512_subject() {
    let tarball = digest(
        "sha512:849a897e81bf7b8a8541a6ae40bd3473a27a16b1cb0462ad905bd6dc96d34881053a12eb4a375233f81677fc9439f628fe0b0445e8535c60b5559597fbd5f80e",
    );
    let accepted = verify_bundle(
        &read("provenance/sigstore-js-5.0.0.npm-provenance.sigstore.json"),
        BundleArtifact::Image(std::slice::from_ref(&tarball)),
        &[keyless(
            "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main",
            Some(GITHUB_ACTIONS),
        )],
        Some(&prod()),
    )
    .unwrap();
    assert_eq!(accepted.bound_to, Some(tarball));
    let payload = accepted.payload.unwrap();
    let statement: serde_json::Value = serde_json::from_slice(&payload.bytes).unwrap();
    let facts = imgguard::verify::ProvenanceFacts::from_predicate(
        statement["predicateType"].as_str().unwrap(),
        &statement["predicate"],
    )
    .unwrap();
    assert_eq!(
        facts.source_repo.as_deref(),
        Some("https://github.com/sigstore/sigstore-js")
    );
    assert_eq!(
        facts.builder_id,
        "https://github.com/actions/runner/github-hosted"
    );
}

// ---- GitHub's private Sigstore instance ----

#[test]
fn github_instance_bundle_with_its_root() {
    let artifact =
        digest("sha256:76f1fe8593bf227cca2c089e3c16dc95014a8d3e89c5dd220530469ca043c428");
    let accepted = verify_bundle(
        &read("github-instance/github-private-attestation.sigstore.json"),
        BundleArtifact::Image(&[artifact]),
        &[keyless("https://dotcom.releases.github.com", None)],
        Some(&root("trusted-roots/github-instance.trusted_root.json")),
    )
    .unwrap();
    assert!(!accepted.transparency.tlog_verified);
    assert!(accepted.transparency.signed_at.is_some(), "TSA time");
}

#[test]
fn github_instance_bundle_fails_with_prod_root() {
    let artifact =
        digest("sha256:76f1fe8593bf227cca2c089e3c16dc95014a8d3e89c5dd220530469ca043c428");
    verify_bundle(
        &read("github-instance/github-private-attestation.sigstore.json"),
        BundleArtifact::Image(&[artifact]),
        &[keyless("https://dotcom.releases.github.com", None)],
        Some(&prod()),
    )
    .unwrap_err();
}

// ---- legacy keyless cosign .att + BuildKit layout ----

const GENERATOR: &str = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/v1.10.0";
const LAYOUT: &str = "cosign-legacy-att-buildkit/layout/blobs/sha256";

fn index_digest() -> Digest {
    let text = String::from_utf8(read("cosign-legacy-att-buildkit/image-index.digest")).unwrap();
    digest(text.trim())
}

fn platform_digest() -> Digest {
    digest("sha256:ae01bed04d3f41efa80182824a50345cd1430f4d1a9308eda4369122bd94c85e")
}

/// The `.att` layer: envelope bytes and annotations, read through the manifest.
fn legacy_att() -> (Vec<u8>, BTreeMap<String, String>) {
    let manifest: serde_json::Value = serde_json::from_slice(&read(&format!(
        "{LAYOUT}/31cc4fb663c8d34e2e6a0bd5f183d576c2811ee286e0998b4c2965e3b35a0d86"
    )))
    .unwrap();
    let layer = &manifest["layers"][0];
    let annotations: BTreeMap<String, String> =
        serde_json::from_value(layer["annotations"].clone()).unwrap();
    let blob = layer["digest"]
        .as_str()
        .unwrap()
        .strip_prefix("sha256:")
        .unwrap();
    let bytes = read(&format!("{LAYOUT}/{blob}"));
    assert_eq!(Digest::sha256_of(&bytes).hex(), blob, "layer digest");
    (bytes, annotations)
}

#[test]
fn legacy_keyless_att_verifies_offline() {
    let (envelope, annotations) = legacy_att();
    let accepted = verify_attestation(
        &envelope,
        &annotations,
        &[index_digest(), platform_digest()],
        &[keyless(GENERATOR, Some(GITHUB_ACTIONS))],
        Some(&prod()),
    )
    .unwrap();
    assert_eq!(accepted.bound_to, Some(index_digest()));
    assert!(accepted.transparency.tlog_verified);
}

#[test]
fn legacy_keyless_att_wrong_identity_fails() {
    let (envelope, annotations) = legacy_att();
    let err = verify_attestation(
        &envelope,
        &annotations,
        &[index_digest()],
        &[keyless(
            "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v1.10.0",
            Some(GITHUB_ACTIONS),
        )],
        Some(&prod()),
    )
    .unwrap_err();
    assert_eq!(err.code(), "verify.identity-mismatch", "{err}");
}

#[test]
fn legacy_keyless_att_other_image_is_subject_mismatch() {
    let (envelope, annotations) = legacy_att();
    let err = verify_attestation(
        &envelope,
        &annotations,
        &[platform_digest()],
        &[keyless(GENERATOR, Some(GITHUB_ACTIONS))],
        Some(&prod()),
    )
    .unwrap_err();
    assert_eq!(err.code(), "verify.subject-mismatch", "{err}");
}

#[test]
fn legacy_keyless_att_forged_set_is_log_entry_invalid() {
    let (envelope, mut annotations) = legacy_att();
    let rekor = annotations
        .get(imgguard::verify::REKOR_BUNDLE_ANNOTATION)
        .unwrap();
    let mut value: serde_json::Value = serde_json::from_str(rekor).unwrap();
    // Move the integrated time by one second: the SET no longer covers it.
    let time = value["Payload"]["integratedTime"].as_i64().unwrap();
    value["Payload"]["integratedTime"] = serde_json::json!(time + 1);
    annotations.insert(
        imgguard::verify::REKOR_BUNDLE_ANNOTATION.into(),
        value.to_string(),
    );
    let err = verify_attestation(
        &envelope,
        &annotations,
        &[index_digest()],
        &[keyless(GENERATOR, Some(GITHUB_ACTIONS))],
        Some(&prod()),
    )
    .unwrap_err();
    assert_eq!(err.code(), "verify.log-entry-invalid", "{err}");
}

#[test]
fn legacy_keyless_att_with_staging_root_is_untrusted() {
    let (envelope, annotations) = legacy_att();
    let err = verify_attestation(
        &envelope,
        &annotations,
        &[index_digest()],
        &[keyless(GENERATOR, Some(GITHUB_ACTIONS))],
        Some(&staging()),
    )
    .unwrap_err();
    assert!(
        ["verify.untrusted-root", "verify.log-entry-invalid"].contains(&err.code()),
        "{err}"
    );
}

fn buildkit_evidence() -> Vec<Evidence> {
    let (envelope, annotations) = legacy_att();
    let statement = read(&format!(
        "{LAYOUT}/c1944d4717b644d2c7e1eccab4cc6e963cefbe288d75b7f7c3dfee4f4a894406"
    ));
    vec![
        Evidence::new(
            EvidenceFormat::CosignAttestation,
            EvidenceLocation::Tag {
                repository: "ghcr.io/slsa-framework/example-package".into(),
                tag: format!("sha256-{}.att", index_digest().hex()),
                manifest: "sha256:31cc4fb663c8d34e2e6a0bd5f183d576c2811ee286e0998b4c2965e3b35a0d86"
                    .into(),
            },
            envelope,
        )
        .with_annotations(annotations),
        Evidence::new(
            EvidenceFormat::UnsignedStatement,
            EvidenceLocation::IndexAttestation {
                manifest: "sha256:b276155e3c74e740a8bff1dd562f028dc0107551c97776c44246cb2dce55092c"
                    .into(),
                describes: platform_digest().to_string(),
            },
            statement,
        ),
    ]
}

fn provenance_verifier(spec: &serde_json::Value) -> ImageVerifier {
    let spec: VerifySpec = serde_json::from_value(serde_json::json!({
        "signatures": {
            "required": false,
            "trusted_root": fixtures().join("trusted-roots/sigstore-prod.trusted_root.json"),
            "authorities": [{"keyless": {"issuer": GITHUB_ACTIONS, "identity": GENERATOR}}]
        },
        "provenance": spec,
    }))
    .unwrap();
    ImageVerifier::from_spec(&spec, &fixtures()).unwrap()
}

fn layout_image() -> ImageSubject {
    ImageSubject {
        index: Some(index_digest()),
        manifests: vec![platform_digest()],
    }
}

#[test]
fn buildkit_layout_slsa_v0_2_provenance_policy_passes_at_level_3() {
    let verifier = provenance_verifier(&serde_json::json!({
        "builder_id": GENERATOR,
        "source_repo": "https://github.com/slsa-framework/example-package",
        "source_ref": "refs/tags/v*",
        "min_level": 3
    }));
    let evidence = EvidenceSet {
        items: buildkit_evidence(),
        gaps: vec![],
    };
    let result = verifier.verify(&layout_image(), &evidence);
    let prov = result.provenance.as_ref().unwrap();
    assert_eq!(prov.status, RequirementStatus::Satisfied, "{prov:#?}");
    assert_eq!(result.slsa_level().vsa_name(), "SLSA_BUILD_LEVEL_3");
    assert_eq!(result.slsa_build_level(), Some(3));
    assert_matches_schema(&result);
    // The VSA lists the signed .att it consumed, by digest and tag.
    let inputs = result.evidence_descriptors();
    assert_eq!(inputs.len(), 1);
    let input = inputs.first().unwrap();
    assert_eq!(
        input.digest.get("sha256").map(String::as_str),
        Some("20b16d5835eceaa7b9dbb7e4fdf4db52a8b9159c1416dd73e54cade07e838917")
    );
    assert_eq!(
        input.uri.as_deref(),
        Some(
            "oci://ghcr.io/slsa-framework/example-package:sha256-e0a0a765d690a5104331cfbac88ebbbf01736c1f87aaa3cd455c516a5ea586a5.att"
        )
    );
    // The BuildKit statement is read, bound to the platform manifest, and proves nothing.
    let unproven = prov.unproven.first().unwrap();
    assert_eq!(unproven.bound_to, Some(platform_digest()));
    assert_eq!(unproven.slsa_level.unwrap().get(), 0);
}

#[test]
fn buildkit_layout_wrong_source_repo_fails() {
    let verifier = provenance_verifier(&serde_json::json!({
        "source_repo": "https://github.com/acme/payments"
    }));
    let evidence = EvidenceSet {
        items: buildkit_evidence(),
        gaps: vec![],
    };
    let prov = verifier
        .verify(&layout_image(), &evidence)
        .provenance
        .unwrap();
    assert_eq!(prov.status, RequirementStatus::Failed);
    assert_eq!(prov.reason.unwrap().code(), "verify.provenance-mismatch");
}

#[test]
fn buildkit_statement_alone_is_evidence_not_proof() {
    let verifier = provenance_verifier(&serde_json::json!({}));
    let items: Vec<Evidence> = buildkit_evidence()
        .into_iter()
        .filter(|e| e.format == EvidenceFormat::UnsignedStatement)
        .collect();
    let prov = verifier
        .verify(
            &layout_image(),
            &EvidenceSet {
                items,
                gaps: vec![],
            },
        )
        .provenance
        .unwrap();
    assert_eq!(prov.status, RequirementStatus::Failed);
    assert_eq!(prov.unproven.len(), 1);
    assert_eq!(prov.reason.unwrap().code(), "verify.no-signature-found");
}

#[test]
fn missing_evidence_with_unreachable_location_is_incomplete() {
    let verifier = provenance_verifier(&serde_json::json!({}));
    let prov = verifier
        .verify(
            &layout_image(),
            &EvidenceSet {
                items: vec![],
                gaps: vec!["registry unreachable: ghcr.io".into()],
            },
        )
        .provenance
        .unwrap();
    assert_eq!(prov.status, RequirementStatus::Incomplete);
}

#[test]
fn provenance_spec_rejects_unknown_keys() {
    let spec = serde_json::from_value::<ProvenanceSpec>(serde_json::json!({"builder": "x"}));
    assert!(spec.is_err());
}

/// A keyed `.sig` over the index (made here with a fresh key): the signature covers
/// the index, so the `BuildKit` statement inside it becomes proof (level 1: signed,
/// but not by the builder).
fn keyed_index_signature(key: &imgguard::crypto::PrivateKey) -> Evidence {
    keyed_signature(key, &index_digest())
}

fn keyed_signature(key: &imgguard::crypto::PrivateKey, signed: &Digest) -> Evidence {
    use base64::Engine as _;
    let payload = serde_json::to_vec(&serde_json::json!({
        "critical": {
            "identity": {"docker-reference": "ghcr.io/slsa-framework/example-package"},
            "image": {"docker-manifest-digest": signed.to_string()},
            "type": "cosign container image signature"
        },
        "optional": null
    }))
    .unwrap();
    let signature = base64::engine::general_purpose::STANDARD.encode(key.sign(&payload));
    Evidence::new(
        EvidenceFormat::CosignSimpleSigning,
        EvidenceLocation::Tag {
            repository: "ghcr.io/slsa-framework/example-package".into(),
            tag: format!("{}.sig", signed.tag_form()),
            manifest: "sha256:00".into(),
        },
        payload,
    )
    .with_annotations(BTreeMap::from([(
        imgguard::verify::SIGNATURE_ANNOTATION.to_owned(),
        signature,
    )]))
}

/// The `BuildKit` statement plus a `.sig` over the index made with `key`.
fn index_signed_buildkit(key: &imgguard::crypto::PrivateKey) -> EvidenceSet {
    let mut items = vec![keyed_index_signature(key)];
    items.extend(
        buildkit_evidence()
            .into_iter()
            .filter(|e| e.format == EvidenceFormat::UnsignedStatement),
    );
    EvidenceSet {
        items,
        gaps: vec![],
    }
}

fn keyed_verifier(key: &imgguard::crypto::PrivateKey, dir: &std::path::Path) -> ImageVerifier {
    fs_err::write(dir.join("release.pub"), key.public_key().to_pem()).unwrap();
    let spec: VerifySpec = serde_json::from_value(serde_json::json!({
        "signatures": {"authorities": [{"key": "release.pub"}]},
        "provenance": {"source_repo": "https://github.com/slsa-framework/example-package"}
    }))
    .unwrap();
    ImageVerifier::from_spec(&spec, dir).unwrap()
}

#[test]
fn buildkit_provenance_covered_by_keyed_index_signature_is_proof() {
    let dir = tempfile::tempdir().unwrap();
    for key in [
        imgguard::crypto::PrivateKey::generate_p256().unwrap(),
        imgguard::crypto::PrivateKey::generate_ed25519().unwrap(),
    ] {
        let verifier = keyed_verifier(&key, dir.path());
        let result = verifier.verify(&layout_image(), &index_signed_buildkit(&key));
        let sigs = result.signatures.as_ref().unwrap();
        assert_eq!(sigs.status, RequirementStatus::Satisfied, "{sigs:#?}");
        assert_eq!(
            sigs.satisfied_by.first().unwrap().bound_to,
            Some(index_digest())
        );
        let prov = result.provenance.as_ref().unwrap();
        assert_eq!(prov.status, RequirementStatus::Satisfied, "{prov:#?}");
        assert_eq!(result.slsa_level().get(), 1);
        assert_eq!(result.input_attestations().len(), 2);
    }
}

#[test]
fn keyed_signature_by_another_key_leaves_buildkit_provenance_unproven() {
    let dir = tempfile::tempdir().unwrap();
    let trusted = imgguard::crypto::PrivateKey::generate_p256().unwrap();
    let other = imgguard::crypto::PrivateKey::generate_p256().unwrap();
    let verifier = keyed_verifier(&trusted, dir.path());
    let result = verifier.verify(&layout_image(), &index_signed_buildkit(&other));
    let sigs = result.signatures.unwrap();
    assert_eq!(sigs.status, RequirementStatus::Failed);
    assert_eq!(sigs.reason.unwrap().code(), "verify.signature-invalid");
    let prov = result.provenance.unwrap();
    assert_eq!(prov.status, RequirementStatus::Failed);
    assert_eq!(prov.unproven.len(), 1);
}

#[test]
fn signature_on_one_platform_of_a_multi_platform_image_is_not_enough() {
    let dir = tempfile::tempdir().unwrap();
    let key = imgguard::crypto::PrivateKey::generate_p256().unwrap();
    let verifier = keyed_verifier(&key, dir.path());
    let arm64 = Digest::sha256_of(b"the arm64 manifest");
    let image = ImageSubject {
        index: Some(index_digest()),
        manifests: vec![platform_digest(), arm64.clone()],
    };
    let only_amd64 = EvidenceSet {
        items: vec![keyed_signature(&key, &platform_digest())],
        gaps: vec![],
    };
    let sigs = verifier.verify(&image, &only_amd64).signatures.unwrap();
    assert_eq!(sigs.status, RequirementStatus::Failed);
    assert_eq!(
        sigs.satisfied_by.len(),
        1,
        "the amd64 signature itself is valid"
    );
    let reason = sigs.reason.unwrap();
    assert_eq!(reason.code(), "verify.subject-mismatch");
    assert_eq!(reason.found(), format!("none for {arm64}"));

    let both = EvidenceSet {
        items: vec![
            keyed_signature(&key, &platform_digest()),
            keyed_signature(&key, &arm64),
        ],
        gaps: vec![],
    };
    let sigs = verifier.verify(&image, &both).signatures.unwrap();
    assert_eq!(sigs.status, RequirementStatus::Satisfied);
}
