//! Evidence discovery in an OCI layout written by `cosign save`: the real-world
//! slsa-github-generator image (read from `IMGGUARD_REALWORLD_FIXTURES`) carries a
//! keyless cosign `.att` beside its index and a `BuildKit` attestation manifest inside
//! it. `imgguard check oci:…` finds both: the signed `.att` proves provenance, the
//! unsigned `BuildKit` statement is reported as evidence only. The layout holds no
//! layer blobs, so the layer scan itself stays incomplete.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::run::imgguard;

const GENERATOR: &str = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/v1.10.0";
const GITHUB_ACTIONS: &str = "https://token.actions.githubusercontent.com";
const INDEX: &str = "sha256:e0a0a765d690a5104331cfbac88ebbbf01736c1f87aaa3cd455c516a5ea586a5";

fn fixtures() -> PathBuf {
    crate::support::fixtures::realworld()
}

fn spec(dir: &Path, provenance: &str) -> PathBuf {
    let path = dir.join("spec.yaml");
    let root = fixtures().join("trusted-roots/sigstore-prod.trusted_root.json");
    fs_err::write(
        &path,
        format!(
            "apiVersion: imgguard.dev/v1\nkind: Pipeline\nmetadata: {{name: layout}}\nverify:\n  signatures:\n    required: false\n    trusted_root: {}\n    authorities:\n      - keyless: {{issuer: '{GITHUB_ACTIONS}', identity: '{GENERATOR}'}}\n  provenance:\n{provenance}",
            root.display()
        ),
    )
    .unwrap();
    path
}

fn check(spec: &Path) -> (i32, Value) {
    check_layout(&fixtures().join("cosign-legacy-att-buildkit/layout"), spec)
}

fn check_layout(layout: &Path, spec: &Path) -> (i32, Value) {
    let out = imgguard(&[
        "check",
        &format!("oci:{}", layout.display()),
        "--pipeline",
        spec.to_str().unwrap(),
        "--format",
        "json",
    ]);
    (out.code, out.json())
}

#[test]
fn cosign_save_layout_att_proves_provenance_buildkit_statement_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(
        dir.path(),
        &format!(
            "    required: true\n    builder_id: '{GENERATOR}'\n    source_repo: https://github.com/slsa-framework/example-package\n    min_level: 3\n"
        ),
    );
    let (code, report) = check(&spec);
    assert_eq!(
        report["image"]["digest"], INDEX,
        "the cosign-save image entry is the root"
    );
    let prov = &report["verification"]["provenance"];
    assert_eq!(prov["status"], "satisfied", "{prov:#}");
    let by = &prov["satisfied_by"][0];
    assert_eq!(by["format"], "cosign-attestation");
    assert_eq!(by["bound_to"], INDEX);
    assert_eq!(by["slsa_level"], "SLSA_BUILD_LEVEL_3");
    assert_eq!(
        by["digest"],
        "sha256:20b16d5835eceaa7b9dbb7e4fdf4db52a8b9159c1416dd73e54cade07e838917"
    );
    let unproven = &prov["unproven"][0];
    assert_eq!(unproven["format"], "unsigned-statement");
    assert_eq!(unproven["location"]["kind"], "index-attestation");
    assert!(unproven["signer"].is_null());
    // Optional signature: reported as missing, not gating.
    assert_eq!(report["verification"]["signatures"]["status"], "failed");
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["category"] != "signature" && f["category"] != "provenance")
    );
    // The layout has no layer blobs: incomplete, for that reason only.
    assert_eq!(code, 3);
}

#[test]
fn cosign_save_layout_with_the_wrong_source_repo_fails() {
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(
        dir.path(),
        "    required: true\n    source_repo: https://github.com/acme/payments\n",
    );
    let (code, report) = check(&spec);
    assert_eq!(code, 1);
    let prov = &report["verification"]["provenance"];
    assert_eq!(prov["status"], "failed");
    assert_eq!(prov["reason"]["outcome"], "provenance_mismatch");
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["category"] == "provenance")
        .unwrap();
    assert_eq!(finding["rule"], "provenance.provenance-mismatch");
    let message = finding["message"].as_str().unwrap();
    assert!(
        message.starts_with("expected source_repo https://github.com/acme/payments, found ")
            && message.contains("slsa-framework/example-package"),
        "{message}"
    );
}

/// A copy of the layout whose `.att` layer lost its Rekor bundle annotation: the
/// keyless signature's time (and so its certificate) cannot be checked offline.
fn layout_without_rekor_bundle(dir: &Path) -> PathBuf {
    let source = fixtures().join("cosign-legacy-att-buildkit/layout");
    let target = dir.join("layout");
    fs_err::create_dir_all(target.join("blobs/sha256")).unwrap();
    for entry in fs_err::read_dir(source.join("blobs/sha256")).unwrap() {
        let entry = entry.unwrap();
        fs_err::copy(
            entry.path(),
            target.join("blobs/sha256").join(entry.file_name()),
        )
        .unwrap();
    }
    fs_err::copy(source.join("oci-layout"), target.join("oci-layout")).unwrap();
    let att = "31cc4fb663c8d34e2e6a0bd5f183d576c2811ee286e0998b4c2965e3b35a0d86";
    let mut manifest: Value =
        serde_json::from_slice(&fs_err::read(source.join("blobs/sha256").join(att)).unwrap())
            .unwrap();
    let removed = manifest["layers"][0]["annotations"]
        .as_object_mut()
        .unwrap()
        .remove("dev.sigstore.cosign/bundle");
    assert!(removed.is_some());
    let bytes = serde_json::to_vec(&manifest).unwrap();
    let digest = imgguard::oci::Digest::sha256_of(&bytes);
    fs_err::write(target.join("blobs/sha256").join(digest.hex()), &bytes).unwrap();
    let mut index: Value =
        serde_json::from_slice(&fs_err::read(source.join("index.json")).unwrap()).unwrap();
    for entry in index["manifests"].as_array_mut().unwrap() {
        if entry["digest"] == format!("sha256:{att}") {
            entry["digest"] = Value::String(digest.to_string());
            entry["size"] = Value::from(bytes.len());
        }
    }
    fs_err::write(
        target.join("index.json"),
        serde_json::to_vec(&index).unwrap(),
    )
    .unwrap();
    target
}

#[test]
fn keyless_att_without_its_log_proof_is_incomplete_not_failed() {
    let dir = tempfile::tempdir().unwrap();
    let layout = layout_without_rekor_bundle(dir.path());
    let spec = spec(dir.path(), "    required: true\n");
    let (code, report) = check_layout(&layout, &spec);
    let prov = &report["verification"]["provenance"];
    assert_eq!(prov["status"], "incomplete", "{prov:#}");
    assert_eq!(prov["reason"]["outcome"], "log_proof_unavailable");
    assert_eq!(code, 3);
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["category"] != "provenance"),
        "undecided is not a violation"
    );
    let gaps = report["coverage"]["skipped"].as_array().unwrap();
    assert!(
        gaps.iter().any(|g| g["reason"]
            .as_str()
            .unwrap()
            .starts_with("required provenance could not be verified")),
        "{gaps:#?}"
    );
}
