//! The signed pass/fail record end to end against a real `docker-registry`:
//! `imgguard keygen` → `imgguard check --attest --push-attestation` → `imgguard gate`,
//! both published locations (cosign `.att` tag and the bundle referrer with its
//! tag-schema index), a FAILED run that pushes nothing, and every refusal the gate
//! owes (another key, another digest, another verifier id, stale, a flipped byte).
//! The envelope is also verified by a Python `cryptography` script written without
//! imgguard's code, and the shared cosign-format keys sign VSAs that script accepts.

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;
use imgguard::attest::plan_cosign_att;
use imgguard::intoto::VSA_PREDICATE_TYPE;
use imgguard::oci::Digest;
use imgguard::source::registry::RegistryOptions;
use imgguard::source::registry::client::RegistryClient;
use serde_json::Value;

use crate::support::image::{Blobs, Comp, Image, Layer, oci_layout_files, write_dir};
use crate::support::registry::{Registry, run};
use crate::support::run::{Output, binary};

pub(crate) const VERIFIER: &str = "https://ci.example.test/imgguard";
const PASSWORD: &str = "attest-test-password";

fn imgguard_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(binary());
    cmd.args(args)
        .env_remove("IMGGUARD_KEY_PASSWORD")
        .env_remove("COSIGN_PASSWORD")
        .env_remove("DOCKER_CONFIG")
        .env_remove("REGISTRY_AUTH_FILE")
        .env("HOME", "/nonexistent-imgguard-home")
        .env("XDG_RUNTIME_DIR", "/nonexistent-imgguard-run")
        .stdin(std::process::Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap().into()
}

fn with_password(args: &[&str]) -> Output {
    imgguard_env(args, &[("IMGGUARD_KEY_PASSWORD", PASSWORD)])
}

/// `imgguard keygen` into `dir/<name>.{key,pub}`.
fn keygen(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let prefix = dir.join(name);
    let out = with_password(&["keygen", "--output-key-prefix", prefix.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    (prefix.with_extension("key"), prefix.with_extension("pub"))
}

fn clean_image(marker: &str) -> Image {
    Image::new().platform("linux", "amd64", None).layer(
        Layer::new()
            .dir("app")
            .file("app/run.sh", format!("#!/bin/sh\necho {marker}\n")),
        Comp::Gzip,
        "COPY app /app",
    )
}

/// Push `image` to `repo:tag`; returns its digest.
fn push(registry: &Registry, image: &Image, repo_tag: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut blobs = Blobs::default();
    let root = image.store(&mut blobs);
    write_dir(
        dir.path(),
        &oci_layout_files(&blobs, &[(root.clone(), Some("t"))]),
    );
    registry.push(dir.path(), "t", repo_tag, false);
    root["digest"].as_str().unwrap().to_owned()
}

fn tags(registry: &Registry, repo: &str) -> Vec<String> {
    let out = run(Command::new("skopeo").args([
        "list-tags",
        "--tls-verify=false",
        &format!("docker://{}/{repo}", registry.addr),
    ]));
    let parsed: Value = serde_json::from_str(&out).unwrap();
    let mut tags: Vec<String> = parsed["Tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_owned())
        .collect();
    tags.sort();
    tags
}

fn delete_tag(registry: &Registry, repo: &str, tag: &str) {
    run(Command::new("skopeo").args([
        "delete",
        "--tls-verify=false",
        &format!("docker://{}/{repo}:{tag}", registry.addr),
    ]));
}

fn check_and_push(reference: &str, key: &Path, dir: &Path) -> Output {
    let vsa = dir.join("out/app.vsa.dsse.json");
    let report = dir.join("out/report.json");
    with_password(&[
        "check",
        reference,
        "--no-progress",
        "--registry-retries",
        "1",
        "--format",
        &format!("json={}", report.display()),
        "--attest",
        vsa.to_str().unwrap(),
        "--attest-key",
        key.to_str().unwrap(),
        "--verifier-id",
        VERIFIER,
        "--push-attestation",
    ])
}

pub(crate) fn gate(image: &str, public: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "gate",
        image,
        "--key",
        public.to_str().unwrap(),
        "--verifier-id",
        VERIFIER,
        "--registry-retries",
        "1",
    ];
    args.extend_from_slice(extra);
    imgguard_env(&args, &[])
}

fn statement_of(envelope: &[u8]) -> Value {
    let env: Value = serde_json::from_slice(envelope).unwrap();
    let payload = base64::engine::general_purpose::STANDARD
        .decode(env["payload"].as_str().unwrap())
        .unwrap();
    serde_json::from_slice(&payload).unwrap()
}

/// Verifies an envelope with the Python `cryptography` oracle (not imgguard's code).
fn python_verify(envelope: &Path, public: &Path) -> Output {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/dsse_verify.py");
    Command::new("python3")
        .arg(script)
        .arg(envelope)
        .arg(public)
        .output()
        .unwrap()
        .into()
}

/// Replaces the `.att` manifest of `image` with one holding only `envelope`, through
/// imgguard's registry writer (what a hostile or confused publisher could put there).
fn attach_only(registry: &Registry, repo: &str, image: &str, envelope: Vec<u8>) {
    let options = RegistryOptions {
        retries: 1,
        ..RegistryOptions::default()
    };
    let client = RegistryClient::new_for_push(&registry.addr, repo, &options).unwrap();
    let digest: Digest = image.parse().unwrap();
    let plan = plan_cosign_att(&digest, envelope, VSA_PREDICATE_TYPE, None).unwrap();
    client
        .push_blob(&plan.layer.digest, &plan.layer.bytes)
        .unwrap();
    client
        .push_blob(&plan.config.digest, &plan.config.bytes)
        .unwrap();
    client
        .put_manifest(
            &plan.tag,
            &plan.manifest.media_type,
            &plan.manifest.bytes,
            None,
        )
        .unwrap();
}

#[test]
fn check_attest_push_then_gate_passes_and_refuses_what_it_must() {
    let Some(registry) = Registry::plain() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (key, public) = keygen(dir.path(), "vsa");
    let (_other_key, other_public) = keygen(dir.path(), "other");
    let digest = push(&registry, &clean_image("a"), "team/app:1.0");
    let by_tag = format!("{}/team/app:1.0", registry.addr);
    let by_digest = format!("{}/team/app@{digest}", registry.addr);

    let out = check_and_push(&by_tag, &key, dir.path());
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("pushed VSA"), "{}", out.stderr);
    let hex = digest.trim_start_matches("sha256:");
    let pushed = tags(&registry, "team/app");
    assert!(pushed.contains(&format!("sha256-{hex}.att")), "{pushed:?}");
    assert!(pushed.contains(&format!("sha256-{hex}")), "{pushed:?}");

    // The file: a DSSE envelope around a VSA about this digest, with the report's
    // and the policy's digests, verified by code not written for imgguard.
    let vsa_path = dir.path().join("out/app.vsa.dsse.json");
    let envelope = std::fs::read(&vsa_path).unwrap();
    let statement = statement_of(&envelope);
    assert_eq!(statement["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(statement["predicateType"], VSA_PREDICATE_TYPE);
    assert_eq!(statement["subject"][0]["digest"]["sha256"], hex);
    let predicate = &statement["predicate"];
    assert_eq!(predicate["verificationResult"], "PASSED");
    assert_eq!(predicate["verifier"]["id"], VERIFIER);
    assert_eq!(
        predicate["resourceUri"],
        format!("oci://{}/team/app@{digest}", registry.addr)
    );
    let policy_digest = Digest::sha256_of(imgguard::spec::DEFAULT_PIPELINE.as_bytes());
    assert_eq!(predicate["policy"]["digest"]["sha256"], policy_digest.hex());
    let report_bytes = std::fs::read(dir.path().join("out/report.json")).unwrap();
    let report_digest = Digest::sha256_of(&report_bytes);
    assert!(
        predicate["inputAttestations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["digest"]["sha256"] == report_digest.hex()),
        "{predicate:#}"
    );
    assert!(envelope.len() < 8192, "a VSA stays a few KB");
    let oracle = python_verify(&vsa_path, &public);
    assert_eq!(oracle.code, 0, "{}\n{}", oracle.stdout, oracle.stderr);
    assert!(
        oracle.stdout.contains(VSA_PREDICATE_TYPE),
        "{}",
        oracle.stdout
    );
    let foreign = python_verify(&vsa_path, &other_public);
    assert_ne!(foreign.code, 0, "the oracle must refuse another key");

    // The gate passes, with freshness and the policy digest pinned.
    let pass = gate(
        &by_digest,
        &public,
        &[
            "--max-age",
            "1h",
            "--policy-digest",
            &policy_digest.to_string(),
        ],
    );
    assert_eq!(pass.code, 0, "{}\n{}", pass.stdout, pass.stderr);
    assert!(pass.stdout.starts_with("PASS "), "{}", pass.stdout);

    // Refusals, each with its reason.
    let other_key = gate(&by_digest, &other_public, &[]);
    assert_eq!(other_key.code, 1, "{}", other_key.stderr);
    assert!(
        other_key.stderr.contains("signature invalid"),
        "{}",
        other_key.stderr
    );
    let other_id = imgguard_env(
        &[
            "gate",
            &by_digest,
            "--key",
            public.to_str().unwrap(),
            "--verifier-id",
            "https://someone-else.example/verifier",
        ],
        &[],
    );
    assert_eq!(other_id.code, 1, "{}", other_id.stderr);
    assert!(
        other_id.stderr.contains("verifier id mismatch"),
        "{}",
        other_id.stderr
    );
    let other_policy = gate(
        &by_digest,
        &public,
        &[
            "--policy-digest",
            &Digest::sha256_of(b"another spec").to_string(),
        ],
    );
    assert_eq!(other_policy.code, 1);
    assert!(
        other_policy.stderr.contains("policy digest mismatch"),
        "{}",
        other_policy.stderr
    );
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let stale = gate(&by_digest, &public, &["--max-age", "1s"]);
    assert_eq!(stale.code, 1, "{}", stale.stderr);
    assert!(stale.stderr.contains("stale"), "{}", stale.stderr);

    // A second image: this image's VSA attached there is about another digest; a
    // flipped byte breaks the signature.
    let second = push(&registry, &clean_image("b"), "team/app:2.0");
    let second_ref = format!("{}/team/app@{second}", registry.addr);
    let none = gate(&second_ref, &public, &[]);
    assert_eq!(none.code, 1);
    assert!(none.stderr.contains("no VSA found"), "{}", none.stderr);
    attach_only(&registry, "team/app", &second, envelope.clone());
    let foreign_subject = gate(&second_ref, &public, &[]);
    assert_eq!(foreign_subject.code, 1, "{}", foreign_subject.stderr);
    assert!(
        foreign_subject.stderr.contains("subject mismatch"),
        "{}",
        foreign_subject.stderr
    );
    let mut flipped: Value = serde_json::from_slice(&envelope).unwrap();
    let payload = flipped["payload"].as_str().unwrap().to_owned();
    let mut raw = base64::engine::general_purpose::STANDARD
        .decode(payload)
        .unwrap();
    let at = raw.len() / 2;
    raw[at] ^= 0x01;
    flipped["payload"] = base64::engine::general_purpose::STANDARD
        .encode(&raw)
        .into();
    attach_only(
        &registry,
        "team/app",
        &digest,
        serde_json::to_vec(&flipped).unwrap(),
    );
    delete_tag(&registry, "team/app", &format!("sha256-{hex}"));
    let tampered = gate(&by_digest, &public, &[]);
    assert_eq!(tampered.code, 1, "{}", tampered.stderr);
    assert!(
        tampered.stderr.contains("signature invalid"),
        "{}",
        tampered.stderr
    );
}

#[test]
fn either_location_alone_lets_the_gate_pass() {
    let Some(registry) = Registry::plain() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (key, public) = keygen(dir.path(), "vsa");
    let digest = push(&registry, &clean_image("loc"), "team/loc:1");
    let hex = digest.trim_start_matches("sha256:").to_owned();
    let by_digest = format!("{}/team/loc@{digest}", registry.addr);
    let out = check_and_push(&by_digest, &key, dir.path());
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);

    // Only the `.att` copy left.
    delete_tag(&registry, "team/loc", &format!("sha256-{hex}"));
    let att_only = gate(&by_digest, &public, &[]);
    assert_eq!(att_only.code, 0, "{}\n{}", att_only.stdout, att_only.stderr);
    assert!(
        att_only.stdout.contains(".att layer"),
        "{}",
        att_only.stdout
    );

    // Publish again (a new VSA: appended to `.att`, the index written anew), then keep
    // only the referrer copy.
    let again = check_and_push(&by_digest, &key, dir.path());
    assert_eq!(again.code, 0, "{}\n{}", again.stdout, again.stderr);
    let att: Value = serde_json::from_str(&run(Command::new("skopeo").args([
        "inspect",
        "--raw",
        "--tls-verify=false",
        &format!("docker://{}/team/loc:sha256-{hex}.att", registry.addr),
    ])))
    .unwrap();
    assert_eq!(
        att["layers"].as_array().unwrap().len(),
        2,
        "appended, {att:#}"
    );
    delete_tag(&registry, "team/loc", &format!("sha256-{hex}.att"));
    let referrer_only = gate(&by_digest, &public, &[]);
    assert_eq!(
        referrer_only.code, 0,
        "{}\n{}",
        referrer_only.stdout, referrer_only.stderr
    );
    assert!(
        referrer_only
            .stdout
            .contains(&format!("(tag sha256-{hex})")),
        "{}",
        referrer_only.stdout
    );

    // Neither: refused.
    delete_tag(&registry, "team/loc", &format!("sha256-{hex}"));
    let neither = gate(&by_digest, &public, &[]);
    assert_eq!(neither.code, 1);
    assert!(
        neither.stderr.contains("no VSA found"),
        "{}",
        neither.stderr
    );
}

#[test]
fn a_failed_check_writes_its_vsa_and_pushes_nothing() {
    let Some(registry) = Registry::plain() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (key, public) = keygen(dir.path(), "vsa");
    let leaky = clean_image("leak").layer(
        Layer::new().dir("root").file(
            "root/.aws/credentials",
            "[default]\naws_access_key_id = AKIAQYLPMN5HHHFPZAM2\naws_secret_access_key = 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\n",
        ),
        Comp::Gzip,
        "COPY credentials /root/.aws/",
    );
    let digest = push(&registry, &leaky, "team/leaky:1");
    let before = tags(&registry, "team/leaky");
    let out = check_and_push(&format!("{}/team/leaky:1", registry.addr), &key, dir.path());
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("VSA not pushed"), "{}", out.stderr);
    assert_eq!(tags(&registry, "team/leaky"), before, "nothing was pushed");
    let vsa = dir.path().join("out/app.vsa.dsse.json");
    let statement = statement_of(&std::fs::read(&vsa).unwrap());
    assert_eq!(statement["predicate"]["verificationResult"], "FAILED");
    assert_eq!(
        statement["predicate"]["verifiedLevels"],
        serde_json::json!(["FAILED"])
    );
    assert_eq!(python_verify(&vsa, &public).code, 0);
    let gate_out = gate(
        &format!("{}/team/leaky@{digest}", registry.addr),
        &public,
        &[],
    );
    assert_eq!(gate_out.code, 1);
    assert!(
        gate_out.stderr.contains("no VSA found"),
        "{}",
        gate_out.stderr
    );
}

#[test]
fn gate_refuses_tags_unless_resolving_and_reports_unreachable_registries() {
    let Some(registry) = Registry::plain() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (key, public) = keygen(dir.path(), "vsa");
    let digest = push(&registry, &clean_image("tag"), "team/tag:1");
    let by_tag = format!("{}/team/tag:1", registry.addr);
    assert_eq!(check_and_push(&by_tag, &key, dir.path()).code, 0);
    let refused = gate(&by_tag, &public, &[]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(refused.stderr.contains("--resolve"), "{}", refused.stderr);
    let resolved = gate(&by_tag, &public, &["--resolve"]);
    assert_eq!(resolved.code, 0, "{}\n{}", resolved.stdout, resolved.stderr);
    assert!(
        resolved.stdout.contains(&format!(
            "resolved {by_tag} to {}/team/tag@{digest}",
            registry.addr
        )),
        "{}",
        resolved.stdout
    );
    let port = crate::support::registry::free_port();
    let unreachable = gate(&format!("127.0.0.1:{port}/team/tag@{digest}"), &public, &[]);
    assert_eq!(unreachable.code, 3, "{}", unreachable.stderr);
    let bad_age = gate(
        &format!("{}/team/tag@{digest}", registry.addr),
        &public,
        &["--max-age", "soon"],
    );
    assert_eq!(bad_age.code, 2, "{}", bad_age.stderr);
}

#[test]
fn keygen_needs_a_password_and_writes_a_pair_cosign_readers_load() {
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("nopass");
    let refused = imgguard_env(
        &["keygen", "--output-key-prefix", prefix.to_str().unwrap()],
        &[],
    );
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("IMGGUARD_KEY_PASSWORD"),
        "{}",
        refused.stderr
    );
    assert!(!prefix.with_extension("key").exists());

    let (key, public) = keygen(dir.path(), "vsa");
    let pem = std::fs::read_to_string(&key).unwrap();
    assert!(pem.starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----"));
    // Loaded back by imgguard with the password, refused without it.
    let loaded =
        imgguard::crypto::PrivateKey::from_pem(&pem, Some(PASSWORD.as_bytes()), "vsa.key").unwrap();
    let public_pem = std::fs::read_to_string(&public).unwrap();
    assert_eq!(loaded.public_key().to_pem(), public_pem);
    assert!(imgguard::crypto::PrivateKey::from_pem(&pem, Some(b"wrong"), "vsa.key").is_err());
    // And by an independent reader (Python scrypt + secretbox layout + cryptography).
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/cosign_key_check.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(PASSWORD)
        .stdin(std::fs::File::open(&key).unwrap())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), public_pem);
    // Never overwrites.
    let again = with_password(&[
        "keygen",
        "--output-key-prefix",
        dir.path().join("vsa").to_str().unwrap(),
    ]);
    assert_eq!(again.code, 2, "{}", again.stderr);
}

#[test]
fn shared_cosign_keys_under_both_labels_sign_vsas_from_file_and_env() {
    let fixtures = crate::support::fixtures::local_keyed();
    let dir = tempfile::tempdir().unwrap();
    for name in ["cosign", "sigstorelabel"] {
        let key = fixtures.join(format!("{name}.key"));
        let public = fixtures.join(format!("{name}.pub"));
        let vsa = dir.path().join(format!("{name}.vsa.json"));
        let args = |key_ref: &str| {
            vec![
                "check".to_owned(),
                "--demo".to_owned(),
                "--attest".to_owned(),
                vsa.display().to_string(),
                "--attest-key".to_owned(),
                key_ref.to_owned(),
                "--verifier-id".to_owned(),
                VERIFIER.to_owned(),
            ]
        };
        let from_file = args(key.to_str().unwrap());
        let from_file: Vec<&str> = from_file.iter().map(String::as_str).collect();
        let wrong = imgguard_env(&from_file, &[("COSIGN_PASSWORD", "not-it")]);
        assert_eq!(wrong.code, 2, "{name}: {}", wrong.stderr);
        let out = imgguard_env(&from_file, &[("COSIGN_PASSWORD", "imgguard-test")]);
        assert!(out.code == 0 || out.code == 1, "{name}: {}", out.stderr);
        let oracle = python_verify(&vsa, &public);
        assert_eq!(oracle.code, 0, "{name}: {}", oracle.stderr);
        std::fs::remove_file(&vsa).unwrap();
        let pem = std::fs::read_to_string(&key).unwrap();
        let from_env = args("env://IMGGUARD_TEST_VSA_KEY");
        let from_env: Vec<&str> = from_env.iter().map(String::as_str).collect();
        let out = imgguard_env(
            &from_env,
            &[
                ("IMGGUARD_KEY_PASSWORD", "imgguard-test"),
                ("IMGGUARD_TEST_VSA_KEY", &pem),
            ],
        );
        assert!(out.code == 0 || out.code == 1, "{name}: {}", out.stderr);
        assert_eq!(python_verify(&vsa, &public).code, 0, "{name}");
    }
    // A key that is not there is a usage error before any check runs.
    let missing = imgguard_env(
        &[
            "check",
            "--demo",
            "--attest",
            dir.path().join("x.json").to_str().unwrap(),
            "--attest-key",
            "env://IMGGUARD_TEST_NO_SUCH_KEY",
            "--verifier-id",
            VERIFIER,
        ],
        &[],
    );
    assert_eq!(missing.code, 2, "{}", missing.stderr);
    assert!(!dir.path().join("x.json").exists());
}

#[test]
fn the_spec_attestation_section_signs_and_pushes_through_token_auth() {
    let Some((registry, tokens)) = Registry::with_token_auth() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (key, public) = keygen(dir.path(), "vsa");
    let digest = push(&registry, &clean_image("spec"), "team/spec:1");
    let vsa = dir.path().join("spec.vsa.json");
    let spec_path = dir.path().join("imgguard.yaml");
    let spec = format!(
        "apiVersion: imgguard.dev/v1\nkind: Pipeline\nmetadata: {{name: attest-spec}}\nattestation:\n  verifier_id: {VERIFIER}\n  output: {}\n  sign: {{key: env://IMGGUARD_TEST_SIGNING_KEY}}\n  push: true\n",
        vsa.display()
    );
    std::fs::write(&spec_path, &spec).unwrap();
    let pem = std::fs::read_to_string(&key).unwrap();
    let before = tokens.issued.load(std::sync::atomic::Ordering::Relaxed);
    let out = imgguard_env(
        &[
            "check",
            &format!("{}/team/spec:1", registry.addr),
            "--pipeline",
            spec_path.to_str().unwrap(),
            "--no-progress",
            "--registry-retries",
            "1",
        ],
        &[
            ("IMGGUARD_TEST_SIGNING_KEY", &pem),
            ("COSIGN_PASSWORD", PASSWORD),
        ],
    );
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("pushed VSA"), "{}", out.stderr);
    // Pushing needed tokens with the push scope, which the token server issued.
    assert!(tokens.issued.load(std::sync::atomic::Ordering::Relaxed) > before);
    let statement = statement_of(&std::fs::read(&vsa).unwrap());
    let spec_digest = Digest::sha256_of(spec.as_bytes());
    assert_eq!(
        statement["predicate"]["policy"]["uri"],
        spec_path.display().to_string()
    );
    assert_eq!(
        statement["predicate"]["policy"]["digest"]["sha256"],
        spec_digest.hex()
    );
    let pass = gate(
        &format!("{}/team/spec@{digest}", registry.addr),
        &public,
        &[
            "--policy-digest",
            &spec_digest.to_string(),
            "--policy-uri",
            spec_path.to_str().unwrap(),
            "--level",
            "IMGGUARD_NO_SECRETS",
        ],
    );
    assert_eq!(pass.code, 0, "{}\n{}", pass.stdout, pass.stderr);
    // A spec asking for a VSA without a key is a usage error before anything runs.
    std::fs::write(
        &spec_path,
        spec.replace("  sign: {key: env://IMGGUARD_TEST_SIGNING_KEY}\n", ""),
    )
    .unwrap();
    let keyless = imgguard_env(
        &["check", "--demo", "--pipeline", spec_path.to_str().unwrap()],
        &[],
    );
    assert_eq!(keyless.code, 2, "{}", keyless.stderr);
    assert!(keyless.stderr.contains("signing key"), "{}", keyless.stderr);
}

#[test]
fn the_documented_attestation_section_parses() {
    let docs =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/spec.md")).unwrap();
    let start = docs.find("```yaml\nattestation:").unwrap() + "```yaml\n".len();
    let block = &docs[start..start + docs[start..].find("```").unwrap()];
    let spec =
        format!("apiVersion: imgguard.dev/v1\nkind: Pipeline\nmetadata: {{name: docs}}\n{block}");
    let pipeline = imgguard::spec::parse_pipeline(&spec, "docs/spec.md").unwrap();
    let attestation = pipeline.attestation.unwrap();
    assert_eq!(
        attestation.verifier_id.as_deref(),
        Some("https://ci.acme.example/imgguard")
    );
    assert!(attestation.push);
    assert_eq!(attestation.sign.unwrap().key, "env://IMGGUARD_SIGNING_KEY");
}
