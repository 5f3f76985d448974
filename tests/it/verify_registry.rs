//! Signature and provenance verification end to end: evidence pushed to a real
//! `docker-registry` (no Referrers API, so the `sha256-<hex>` tag fallback is read),
//! discovered by `imgguard check`, verified, and reported with verdict and exit code.
//!
//! The keyed fixtures are read from `IMGGUARD_LOCAL_KEYED_FIXTURES` and pushed
//! byte-exact; their image's layer bytes were not kept, so a placeholder stands in for
//! it and the layer scan ends in a digest-mismatch gap (the verdict is then at best
//! `incomplete`). Clean pass/incomplete outcomes use an image built here and signed
//! with the same `cosign.key`.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::image::{Blobs, Comp, Image, Layer, oci_layout_files, write_dir};
use crate::support::registry::{ReferrersFront, Registry, free_port};
use crate::support::run::{Output, binary};

const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const IMAGE: &str = "sha256:4569ff20aee6683b2ec344d28ffdcaf4b761969bc0642276776deedd4bb5e94f";

fn fixtures() -> PathBuf {
    crate::support::fixtures::local_keyed()
}

fn dump(name: &str) -> Vec<u8> {
    fs_err::read(fixtures().join("registry-dump").join(name)).unwrap()
}

fn image_hex() -> &'static str {
    IMAGE.trim_start_matches("sha256:")
}

/// Push every blob a dumped manifest names (from `blobs`, by digest) and the
/// manifest itself at `reference`.
fn push_dumped(registry: &Registry, repo: &str, manifest: &[u8], blobs: &[Vec<u8>], at: &str) {
    for blob in blobs {
        registry.put_blob(repo, blob);
    }
    registry.put_manifest(repo, at, OCI_MANIFEST, manifest);
}

/// The keyed dump in `repo`: image (tag v1), `.sig`, `.att`, the referrer bundle and
/// the referrers tag-schema index. `sig_payload` replaces the signed payload when set
/// (a tampered copy; the manifest is rewritten to name it).
fn push_keyed_dump(
    registry: &Registry,
    repo: &str,
    sig_payload: Option<Vec<u8>>,
    fallback_index: bool,
) {
    let image_manifest = dump("image.manifest.json");
    let parsed: Value = serde_json::from_slice(&image_manifest).unwrap();
    let layer = &parsed["layers"][0];
    registry.plant_placeholder_blob(
        repo,
        layer["digest"].as_str().unwrap(),
        usize::try_from(layer["size"].as_u64().unwrap()).unwrap(),
    );
    push_dumped(
        registry,
        repo,
        &image_manifest,
        &[dump("image.config.json")],
        "v1",
    );
    let mut sig_manifest = dump("sig.manifest.json");
    let payload = match sig_payload {
        Some(tampered) => {
            let mut m: Value = serde_json::from_slice(&sig_manifest).unwrap();
            m["layers"][0]["digest"] = Value::String(format!(
                "sha256:{}",
                imgguard::oci::Digest::sha256_of(&tampered).hex()
            ));
            m["layers"][0]["size"] = Value::from(tampered.len());
            sig_manifest = serde_json::to_vec(&m).unwrap();
            tampered
        }
        None => dump("sig.simplesigning-payload.json"),
    };
    push_dumped(
        registry,
        repo,
        &sig_manifest,
        &[dump("sig.config.json"), payload],
        &format!("sha256-{}.sig", image_hex()),
    );
    push_dumped(
        registry,
        repo,
        &dump("att.manifest.json"),
        &[dump("att.config.json"), dump("att.dsse-envelope.json")],
        &format!("sha256-{}.att", image_hex()),
    );
    let referrer = dump("referrer.bundle-manifest.json");
    let referrer_digest = format!(
        "sha256:{}",
        imgguard::oci::Digest::sha256_of(&referrer).hex()
    );
    push_dumped(
        registry,
        repo,
        &referrer,
        &[b"{}".to_vec(), dump("referrer.sigstore-bundle.json")],
        &referrer_digest,
    );
    if fallback_index {
        registry.put_manifest(
            repo,
            &format!("sha256-{}", image_hex()),
            OCI_INDEX,
            &dump("referrers-tag-index.json"),
        );
    }
}

/// A spec requiring a signature by `key` (and reading, but not requiring, provenance).
fn spec(dir: &Path, key: &Path, extra: &str) -> PathBuf {
    let path = dir.join("spec.yaml");
    fs_err::write(
        &path,
        format!(
            "apiVersion: imgguard.dev/v1\nkind: Pipeline\nmetadata: {{name: verify-test}}\nverify:\n  signatures:\n    required: true\n    authorities:\n      - key: {}\n  provenance:\n    required: false\n{extra}",
            key.display()
        ),
    )
    .unwrap();
    path
}

/// Run imgguard with `args` (no `COSIGN_REPOSITORY` unless `env` sets one).
fn run(args: &[&str], env: &[(&str, &str)], cwd: Option<&Path>) -> Output {
    let mut cmd = std::process::Command::new(binary());
    cmd.args(args).env_remove("COSIGN_REPOSITORY");
    for (k, v) in env {
        cmd.env(k, v);
    }
    if let Some(dir) = cwd {
        cmd.current_dir(dir);
    }
    let out = cmd.output().unwrap();
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn check(reference: &str, spec: &Path, env: &[(&str, &str)]) -> (Output, Value) {
    let spec = spec.to_str().unwrap();
    let out = run(
        &["check", reference, "--pipeline", spec, "--format", "json"],
        env,
        None,
    );
    let json = out.json();
    (out, json)
}

fn rejected<'a>(requirement: &'a Value, format: &str) -> Vec<&'a Value> {
    requirement["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["format"] == format)
        .collect()
}

fn findings_of(report: &Value, category: &str) -> Vec<Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["category"] == category)
        .cloned()
        .collect()
}

#[test]
fn keyed_sig_att_and_referrer_bundle_verify_with_cosign_pub() {
    let Some(registry) = Registry::plain() else {
        return;
    };
    push_keyed_dump(&registry, "demo/app", None, true);
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(dir.path(), &fixtures().join("cosign.pub"), "");
    let reference = format!("{}/demo/app:v1", registry.addr);
    let (out, report) = check(&reference, &spec, &[]);
    assert_eq!(report["image"]["digest"], IMAGE);
    let sigs = &report["verification"]["signatures"];
    assert_eq!(sigs["status"], "satisfied", "{}", out.stdout);
    let by = &sigs["satisfied_by"][0];
    assert_eq!(by["format"], "cosign-simple-signing");
    assert_eq!(by["location"]["kind"], "tag");
    assert_eq!(by["location"]["tag"], format!("sha256-{}.sig", image_hex()));
    assert_eq!(
        by["digest"],
        format!(
            "sha256:{}",
            imgguard::oci::Digest::sha256_of(&dump("sig.simplesigning-payload.json")).hex()
        )
    );
    assert_eq!(by["signer"]["kind"], "key");
    // The `.att` and the referrer bundle (found through the tag fallback) both verify
    // with cosign.pub: they are turned down only afterwards, for holding a VSA rather
    // than provenance.
    let prov = &report["verification"]["provenance"];
    let att = rejected(prov, "cosign-attestation");
    assert_eq!(att.len(), 1, "{prov}");
    assert_eq!(att[0]["rejection"]["outcome"], "predicate_type_mismatch");
    assert_eq!(
        att[0]["rejection"]["found"],
        "https://slsa.dev/verification_summary/v1"
    );
    let bundle = rejected(prov, "sigstore-bundle");
    assert_eq!(bundle.len(), 1, "{prov}");
    assert_eq!(bundle[0]["location"]["kind"], "referrer");
    assert_eq!(bundle[0]["location"]["via"], "tag-fallback");
    assert_eq!(bundle[0]["rejection"]["outcome"], "predicate_type_mismatch");
    assert_valid_report(&report);
    // Verification holds; only the placeholder layer keeps the verdict from a pass.
    assert!(findings_of(&report, "signature").is_empty());
    assert!(findings_of(&report, "provenance").is_empty());
    assert_eq!(out.code, 3, "{}", out.stdout);
    let gaps = report["coverage"]["skipped"].as_array().unwrap();
    assert!(
        gaps.iter().all(|g| g["kind"] == "digest-mismatch"),
        "{gaps:?}"
    );
}

#[test]
fn keyed_evidence_fails_with_sigstorelabel_pub() {
    let Some(registry) = Registry::plain() else {
        return;
    };
    push_keyed_dump(&registry, "demo/app", None, true);
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(dir.path(), &fixtures().join("sigstorelabel.pub"), "");
    let reference = format!("{}/demo/app:v1", registry.addr);
    let (out, report) = check(&reference, &spec, &[]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert_eq!(report["verdict"], "fail");
    let sigs = &report["verification"]["signatures"];
    assert_eq!(sigs["status"], "failed");
    assert_eq!(sigs["reason"]["outcome"], "signature_invalid", "{sigs}");
    let prov = &report["verification"]["provenance"];
    for format in ["cosign-attestation", "sigstore-bundle"] {
        let r = rejected(prov, format);
        assert_eq!(r.len(), 1, "{format}: {prov}");
        assert_ne!(
            r[0]["rejection"]["outcome"], "predicate_type_mismatch",
            "{format} must not verify with the wrong key"
        );
    }
    let findings = findings_of(&report, "signature");
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["rule"], "signature.signature-invalid");
    let message = findings[0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("expected ") && message.contains(", found "),
        "{message}"
    );
    // Optional provenance never fails the verdict.
    assert!(findings_of(&report, "provenance").is_empty());
    assert_valid_report(&report);
}

/// The report, with its filled `verification` section, meets the committed schema.
fn assert_valid_report(report: &Value) {
    let schema: Value = serde_json::from_slice(
        &fs_err::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/report.v1.json"))
            .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(report)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn verify_spec_unknown_key_points_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    fs_err::write(
        dir.path().join("spec.yaml"),
        "apiVersion: imgguard.dev/v1\nkind: Pipeline\nmetadata: {name: bad}\nverify:\n  signatures:\n    trust_root: trust/root.json\n    authorities: []\n",
    )
    .unwrap();
    let out = run(
        &["validate", "spec.yaml"],
        &[("NO_COLOR", "1")],
        Some(dir.path()),
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("spec.yaml:6:5"), "{}", out.stderr);
    assert!(out.stderr.contains("trust_root"), "{}", out.stderr);
}

#[test]
fn tampered_signed_payload_fails() {
    let Some(registry) = Registry::plain() else {
        return;
    };
    let tampered = String::from_utf8(dump("sig.simplesigning-payload.json"))
        .unwrap()
        .replace(
            "cosign container image signature",
            "cosign container image signaturE",
        );
    assert_ne!(tampered.as_bytes(), dump("sig.simplesigning-payload.json"));
    push_keyed_dump(&registry, "demo/app", Some(tampered.into_bytes()), true);
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(dir.path(), &fixtures().join("cosign.pub"), "");
    let (out, report) = check(&format!("{}/demo/app:v1", registry.addr), &spec, &[]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    let sigs = &report["verification"]["signatures"];
    assert_eq!(sigs["status"], "failed");
    assert_eq!(sigs["reason"]["outcome"], "signature_invalid", "{sigs}");
    assert_eq!(
        findings_of(&report, "signature")[0]["rule"],
        "signature.signature-invalid"
    );
}

/// A small image built here, pushed with skopeo (digests kept); returns its digest.
fn push_built_image(registry: &Registry, repo_tag: &str) -> String {
    let mut blobs = Blobs::default();
    let root = Image::new()
        .layer(
            Layer::new().file("hello.txt", "hello\n"),
            Comp::Gzip,
            "COPY hello.txt /",
        )
        .store(&mut blobs);
    let dir = tempfile::tempdir().unwrap();
    write_dir(
        dir.path(),
        &oci_layout_files(&blobs, &[(root.clone(), Some("v1"))]),
    );
    registry.push(dir.path(), "v1", repo_tag, false);
    root["digest"].as_str().unwrap().to_owned()
}

/// Sign `digest` the way `cosign sign --key` does (simple signing, ECDSA P-256 DER)
/// with the fixture `cosign.key`, and push the `.sig` manifest to `repo`.
fn push_signature(registry: &Registry, repo: &str, digest: &str) {
    push_signature_at(registry, repo, digest, digest);
}

/// Like [`push_signature`], but at the `.sig` tag of `tag_digest` (a signature of
/// one image filed under another).
fn push_signature_at(registry: &Registry, repo: &str, digest: &str, tag_digest: &str) {
    use base64::Engine as _;
    let pem = fs_err::read_to_string(fixtures().join("cosign.key")).unwrap();
    let key =
        imgguard::crypto::PrivateKey::from_pem(&pem, Some(b"imgguard-test"), "cosign.key").unwrap();
    let payload = serde_json::to_vec(&serde_json::json!({
        "critical": {
            "identity": {"docker-reference": format!("{}/{repo}", registry.addr)},
            "image": {"docker-manifest-digest": digest},
            "type": "cosign container image signature"
        },
        "optional": null
    }))
    .unwrap();
    let signature = base64::engine::general_purpose::STANDARD.encode(key.sign(&payload));
    let payload_digest = registry.put_blob(repo, &payload);
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "", "os": "", "config": {},
        "rootfs": {"type": "layers", "diff_ids": [payload_digest]}
    }))
    .unwrap();
    let config_digest = registry.put_blob(repo, &config);
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": config_digest, "size": config.len()},
        "layers": [{"mediaType": "application/vnd.dev.cosign.simplesigning.v1+json",
                    "digest": payload_digest, "size": payload.len(),
                    "annotations": {"dev.cosignproject.cosign/signature": signature}}]
    }))
    .unwrap();
    let tag = format!("{}.sig", tag_digest.replace(':', "-"));
    registry.put_manifest(repo, &tag, OCI_MANIFEST, &manifest);
}

#[test]
fn signed_image_passes_and_reports_the_evidence_digest() {
    let Some(registry) = Registry::plain() else {
        return;
    };
    let digest = push_built_image(&registry, "team/signed:1");
    push_signature(&registry, "team/signed", &digest);
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(dir.path(), &fixtures().join("cosign.pub"), "");
    let (out, report) = check(&format!("{}/team/signed:1", registry.addr), &spec, &[]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let by = &report["verification"]["signatures"]["satisfied_by"][0];
    assert_eq!(by["bound_to"], digest);
    assert!(by["digest"].as_str().unwrap().starts_with("sha256:"));
}

#[test]
fn key_flag_requires_a_signature_without_a_spec() {
    let Some(registry) = Registry::plain() else {
        return;
    };
    let digest = push_built_image(&registry, "team/signed:1");
    push_signature(&registry, "team/signed", &digest);
    let reference = format!("{}/team/signed:1", registry.addr);
    let key = fixtures().join("cosign.pub");
    let wrong = fixtures().join("sigstorelabel.pub");
    let code = |key: &Path| {
        let key = key.to_str().unwrap();
        run(
            &["check", &reference, "--format", "json", "--key", key],
            &[],
            None,
        )
        .code
    };
    assert_eq!(code(&key), 0);
    assert_eq!(code(&wrong), 1);
}

#[test]
fn required_signature_but_none_present_fails_no_signature_found() {
    let Some(registry) = Registry::plain() else {
        return;
    };
    push_built_image(&registry, "team/unsigned:1");
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(dir.path(), &fixtures().join("cosign.pub"), "");
    let (out, report) = check(&format!("{}/team/unsigned:1", registry.addr), &spec, &[]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    let sigs = &report["verification"]["signatures"];
    assert_eq!(sigs["status"], "failed");
    assert_eq!(sigs["reason"]["outcome"], "no_signature_found");
    let findings = findings_of(&report, "signature");
    assert_eq!(findings[0]["rule"], "signature.no-signature-found");
}

#[test]
fn cosign_repository_is_read_instead_of_the_image_repository() {
    let Some(registry) = Registry::plain() else {
        return;
    };
    let digest = push_built_image(&registry, "team/app:1");
    push_signature(&registry, "sigs/app", &digest);
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(dir.path(), &fixtures().join("cosign.pub"), "");
    let reference = format!("{}/team/app:1", registry.addr);
    let (out, _) = check(&reference, &spec, &[]);
    assert_eq!(out.code, 1, "the image's own repository holds no signature");
    let alternate = format!("{}/sigs/app", registry.addr);
    let (out, report) = check(&reference, &spec, &[("COSIGN_REPOSITORY", &alternate)]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let by = &report["verification"]["signatures"]["satisfied_by"][0];
    assert_eq!(by["location"]["repository"], alternate);
    // The spec key wins over the environment.
    let spec = self::spec(
        dir.path(),
        &fixtures().join("cosign.pub"),
        &format!("  repository: {alternate}\n"),
    );
    let (out, _) = check(
        &reference,
        &spec,
        &[("COSIGN_REPOSITORY", &format!("{}/team/app", registry.addr))],
    );
    assert_eq!(out.code, 0, "{}", out.stdout);
}

#[test]
fn unreachable_evidence_registry_is_incomplete_not_fail_or_pass() {
    let Some(registry) = Registry::plain() else {
        return;
    };
    push_built_image(&registry, "team/app:1");
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(dir.path(), &fixtures().join("cosign.pub"), "");
    let down = format!("127.0.0.1:{}/sigs/app", free_port());
    let (out, report) = check(
        &format!("{}/team/app:1", registry.addr),
        &spec,
        &[("COSIGN_REPOSITORY", &down)],
    );
    assert_eq!(out.code, 3, "{}", out.stdout);
    assert_eq!(report["verdict"], "incomplete");
    let sigs = &report["verification"]["signatures"];
    assert_eq!(sigs["status"], "incomplete");
    assert!(!sigs["gaps"].as_array().unwrap().is_empty());
    assert!(findings_of(&report, "signature").is_empty());
    let gaps = report["coverage"]["skipped"].as_array().unwrap();
    assert!(
        gaps.iter()
            .any(|g| g["kind"] == "unavailable"
                && g["reason"].as_str().unwrap().contains("signature")),
        "{gaps:?}"
    );
}

#[test]
fn native_referrers_api_is_read_and_a_non_index_answer_falls_back_to_the_tag() {
    let Some(registry) = Registry::plain() else {
        return;
    };
    // No fallback index: only the Referrers API can lead to the bundle.
    push_keyed_dump(&registry, "demo/app", None, false);
    let front = ReferrersFront::start(
        &registry.addr,
        (200, OCI_INDEX, dump("referrers-tag-index.json")),
    );
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(dir.path(), &fixtures().join("cosign.pub"), "");
    let (out, report) = check(&format!("{}/demo/app:v1", front.addr), &spec, &[]);
    let bundle = rejected(&report["verification"]["provenance"], "sigstore-bundle");
    assert_eq!(bundle.len(), 1, "{}", out.stdout);
    assert_eq!(bundle[0]["location"]["via"], "referrers-api");
    assert_eq!(bundle[0]["rejection"]["outcome"], "predicate_type_mismatch");

    // A registry that answers the API with something that is not an index (GHCR
    // style) is treated as having none: the tag fallback is read.
    let Some(registry) = Registry::plain() else {
        return;
    };
    push_keyed_dump(&registry, "demo/app", None, true);
    let front = ReferrersFront::start(
        &registry.addr,
        (200, "text/html", b"<html>moved</html>".to_vec()),
    );
    let (out, report) = check(&format!("{}/demo/app:v1", front.addr), &spec, &[]);
    let bundle = rejected(&report["verification"]["provenance"], "sigstore-bundle");
    assert_eq!(bundle.len(), 1, "{}", out.stdout);
    assert_eq!(bundle[0]["location"]["via"], "tag-fallback");
}

#[test]
fn signature_of_another_image_is_subject_mismatch() {
    let Some(registry) = Registry::plain() else {
        return;
    };
    let digest = push_built_image(&registry, "team/app:1");
    let other = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    push_signature_at(&registry, "team/app", other, &digest);
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(dir.path(), &fixtures().join("cosign.pub"), "");
    let (out, report) = check(&format!("{}/team/app:1", registry.addr), &spec, &[]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    let sigs = &report["verification"]["signatures"];
    assert_eq!(sigs["reason"]["outcome"], "subject_mismatch", "{sigs}");
    let finding = &findings_of(&report, "signature")[0];
    assert_eq!(finding["rule"], "signature.subject-mismatch");
    assert!(finding["message"].as_str().unwrap().contains(other));
}

#[test]
fn spec_key_paths_are_relative_to_the_spec_and_the_human_report_says_why() {
    let Some(registry) = Registry::plain() else {
        return;
    };
    push_built_image(&registry, "team/unsigned:1");
    let dir = tempfile::tempdir().unwrap();
    fs_err::create_dir_all(dir.path().join("conf/keys")).unwrap();
    fs_err::copy(
        fixtures().join("cosign.pub"),
        dir.path().join("conf/keys/release.pub"),
    )
    .unwrap();
    let reference = format!("{}/team/unsigned:1", registry.addr);
    let spec = spec(&dir.path().join("conf"), Path::new("keys/release.pub"), "");
    let out = run(
        &["check", &reference, "--pipeline", spec.to_str().unwrap()],
        &[],
        Some(dir.path()),
    );
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("signatures: failed (required)"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("verify.no-signature-found: expected "),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("signature.no-signature-found"),
        "{}",
        out.stdout
    );
    // A key the spec names but that is not there is a spec error (exit 2).
    let spec = self::spec(&dir.path().join("conf"), Path::new("keys/missing.pub"), "");
    let out = run(
        &["check", &reference, "--pipeline", spec.to_str().unwrap()],
        &[],
        None,
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("missing.pub"), "{}", out.stderr);
}

/// A two-entry index as `docker buildx` pushes it: the linux/amd64 image and a
/// `BuildKit` attestation manifest holding an unsigned SLSA v0.2 statement about it.
/// Returns the index digest.
fn push_buildkit_index(registry: &Registry, repo_tag: &str) -> String {
    use serde_json::json;
    let mut blobs = Blobs::default();
    let image = Image::new()
        .layer(
            Layer::new().file("hello.txt", "hello\n"),
            Comp::Gzip,
            "COPY hello.txt /",
        )
        .store(&mut blobs);
    let platform_digest = image["digest"].as_str().unwrap().to_owned();
    let statement = json!({
        "_type": "https://in-toto.io/Statement/v0.1",
        "predicateType": "https://slsa.dev/provenance/v0.2",
        "subject": [{"name": "app", "digest": {"sha256": platform_digest.trim_start_matches("sha256:")}}],
        "predicate": {
            "builder": {"id": "https://github.com/docker/buildx"},
            "buildType": "https://mobyproject.org/buildkit@v1",
            "invocation": {"configSource": {"uri": "https://github.com/acme/app.git"}}
        }
    });
    let (sd, sn) = blobs.put(serde_json::to_vec(&statement).unwrap());
    let (cd, cn) = blobs.put(b"{}".to_vec());
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cn},
        "layers": [{"mediaType": "application/vnd.in-toto+json", "digest": sd, "size": sn,
                    "annotations": {"in-toto.io/predicate-type": "https://slsa.dev/provenance/v0.2"}}],
    });
    let (md, mn) = blobs.put(serde_json::to_vec(&manifest).unwrap());
    let attestation = json!({"mediaType": OCI_MANIFEST, "digest": md, "size": mn,
        "platform": {"os": "unknown", "architecture": "unknown"},
        "annotations": {"vnd.docker.reference.type": "attestation-manifest",
                        "vnd.docker.reference.digest": platform_digest}});
    let root = crate::support::image::index(&mut blobs, vec![image, attestation]);
    let dir = tempfile::tempdir().unwrap();
    write_dir(
        dir.path(),
        &oci_layout_files(&blobs, &[(root.clone(), Some("v1"))]),
    );
    registry.push(dir.path(), "v1", repo_tag, true);
    root["digest"].as_str().unwrap().to_owned()
}

#[test]
fn buildkit_provenance_is_evidence_until_a_signature_covers_the_index() {
    let Some(registry) = Registry::plain() else {
        return;
    };
    let index = push_buildkit_index(&registry, "team/built:1");
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(dir.path(), &fixtures().join("cosign.pub"), "");
    // Provenance required too.
    let text = fs_err::read_to_string(&spec).unwrap().replace(
        "    required: false\n",
        "    required: true\n    builder_id: https://github.com/docker/buildx\n",
    );
    fs_err::write(&spec, text).unwrap();
    let reference = format!("{}/team/built:1", registry.addr);

    // Unsigned: the statement is read from the registry and proves nothing.
    let (out, report) = check(&reference, &spec, &[]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    let prov = &report["verification"]["provenance"];
    assert_eq!(prov["status"], "failed");
    assert_eq!(
        prov["unproven"][0]["format"], "unsigned-statement",
        "{prov:#}"
    );
    assert_eq!(prov["unproven"][0]["location"]["kind"], "index-attestation");
    assert!(
        prov["reason"]["found"]
            .as_str()
            .unwrap()
            .contains("only unsigned BuildKit provenance"),
        "{prov:#}"
    );
    assert!(!findings_of(&report, "provenance").is_empty());

    // A signature by the trusted key over the index covers the statement inside it.
    push_signature(&registry, "team/built", &index);
    let (out, report) = check(&reference, &spec, &[]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let sigs = &report["verification"]["signatures"];
    assert_eq!(sigs["satisfied_by"][0]["bound_to"], index);
    let prov = &report["verification"]["provenance"];
    assert_eq!(prov["status"], "satisfied", "{prov:#}");
    assert_eq!(prov["satisfied_by"][0]["format"], "unsigned-statement");
    assert_eq!(prov["satisfied_by"][0]["signer"]["kind"], "key");
}
