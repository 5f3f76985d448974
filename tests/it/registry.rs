//! Registry sources end to end against a real `docker-registry`: plain HTTP on
//! loopback, basic auth over TLS from a test CA (CA by flag and by certs.d; credentials
//! by flag, auth file and REGISTRY_AUTH_FILE), a multi-platform index, a blob tampered
//! with in the registry's storage, and an unreachable registry.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::support::image::{Blobs, Comp, Image, Layer, index, oci_layout_files, write_dir};
use crate::support::registry::{PASSWORD, Registry, USER};
use crate::support::run::{Output, binary, check_json};

fn sample(arch: &str, variant: Option<&str>) -> Image {
    Image::new()
        .platform("linux", arch, variant)
        .layer(
            Layer::new()
                .dir("etc")
                .file("etc/hostname", format!("{arch}\n")),
            Comp::Gzip,
            "COPY rootfs /",
        )
        .layer(
            Layer::new()
                .dir("app")
                .file("app/run.sh", "#!/bin/sh\necho hi\n"),
            Comp::Zstd,
            "COPY app /app",
        )
}

/// Write `roots` as an OCI layout tagged `tag` and return (dir, root digest, blobs).
fn layout(root: Value, blobs: &Blobs, tag: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    write_dir(
        dir.path(),
        &oci_layout_files(blobs, &[(root.clone(), Some(tag))]),
    );
    (dir, root["digest"].as_str().unwrap().to_owned())
}

fn check_with_stdin(reference: &str, extra: &[&str], stdin: &str, env: &[(&str, &Path)]) -> Output {
    let mut cmd = Command::new(binary());
    cmd.args([
        "check",
        reference,
        "--format",
        "json",
        "--registry-retries",
        "1",
    ])
    .args(extra)
    .env_remove("DOCKER_CONFIG")
    .env_remove("REGISTRY_AUTH_FILE")
    .env("HOME", "/nonexistent-imgguard-home")
    .env("XDG_RUNTIME_DIR", "/nonexistent-imgguard-run")
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn gap_reasons(report: &Value) -> String {
    report["coverage"]["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["reason"].as_str().unwrap_or("").to_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn plain_registry_resolves_the_tag_once_and_names_the_digest() {
    let Some(registry) = Registry::plain() else {
        return;
    };
    let mut blobs = Blobs::default();
    let root = sample("amd64", None).store(&mut blobs);
    let (dir, digest) = layout(root, &blobs, "v1");
    registry.push(dir.path(), "v1", "team/app:1.4.2", false);

    for reference in [
        format!("{}/team/app:1.4.2", registry.addr),
        format!("docker://{}/team/app:1.4.2", registry.addr),
        format!("{}/team/app@{digest}", registry.addr),
    ] {
        let (out, report) = check_json(&reference, &["--no-progress"]);
        assert_eq!(out.code, 0, "{reference}: {}\n{}", out.stdout, out.stderr);
        assert_eq!(report["verdict"], "pass");
        assert_eq!(report["image"]["digest"], digest, "{report:#}");
        assert_eq!(
            report["image"]["source"]["transport"], "registry",
            "{report:#}"
        );
        assert_eq!(report["coverage"]["layers"], 2);
        assert_eq!(report["coverage"]["files"], 4, "{report:#}");
    }
}

#[test]
fn missing_tag_is_incomplete_and_says_so() {
    let Some(registry) = Registry::plain() else {
        return;
    };
    let mut blobs = Blobs::default();
    let root = sample("amd64", None).store(&mut blobs);
    let (dir, _) = layout(root, &blobs, "v1");
    registry.push(dir.path(), "v1", "team/app:1", false);
    let (out, report) = check_json(&format!("{}/team/app:2", registry.addr), &[]);
    assert_eq!(out.code, 3, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(report["verdict"], "incomplete");
    assert!(gap_reasons(&report).contains("no image 2"), "{report:#}");
}

#[test]
fn multi_platform_index_checks_every_platform_unless_narrowed() {
    let Some(registry) = Registry::plain() else {
        return;
    };
    let mut blobs = Blobs::default();
    let amd = sample("amd64", None).store(&mut blobs);
    let arm = sample("arm64", Some("v8")).store(&mut blobs);
    let idx = index(&mut blobs, vec![amd.clone(), arm.clone()]);
    let (dir, digest) = layout(idx, &blobs, "multi");
    registry.push(dir.path(), "multi", "team/multi:1", true);
    let reference = format!("{}/team/multi:1", registry.addr);

    let (out, report) = check_json(&reference, &[]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(report["image"]["digest"], digest);
    assert_eq!(report["image"]["digest_kind"], "index");
    let platforms: Vec<&str> = report["image"]["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["platform"].as_str().unwrap())
        .collect();
    assert_eq!(platforms, ["linux/amd64", "linux/arm64/v8"], "{report:#}");
    assert_eq!(report["coverage"]["layers"], 4);

    let (out, report) = check_json(&reference, &["--platform", "linux/arm64"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(report["image"]["platforms"].as_array().unwrap().len(), 1);
    assert_eq!(
        report["image"]["platforms"][0]["manifest_digest"],
        arm["digest"]
    );

    let out = crate::support::run::imgguard(&["check", &reference, "--platform", "linux/s390x"]);
    assert_eq!(out.code, 2, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("linux/amd64") && out.stderr.contains("arm64/v8"), // miette may wrap the list
        "{}",
        out.stderr
    );
}

#[test]
fn a_blob_tampered_with_in_registry_storage_makes_the_check_incomplete() {
    let Some(registry) = Registry::plain() else {
        return;
    };
    let mut blobs = Blobs::default();
    let root = sample("amd64", None).store(&mut blobs);
    let manifest: Value =
        serde_json::from_slice(&blobs.blobs[root["digest"].as_str().unwrap()]).unwrap();
    let (dir, _) = layout(root, &blobs, "v1");
    registry.push(dir.path(), "v1", "team/tampered:1", false);
    // Flip one byte in the middle of the gzip layer as stored by the registry.
    let layer = manifest["layers"][0]["digest"].as_str().unwrap();
    let file = registry.blob_file(layer);
    let mut bytes = std::fs::read(&file).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x55;
    std::fs::write(&file, &bytes).unwrap();

    let (out, report) = check_json(&format!("{}/team/tampered:1", registry.addr), &[]);
    assert_eq!(out.code, 3, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(report["verdict"], "incomplete");
    let reasons = gap_reasons(&report);
    assert!(
        reasons.contains(&format!("expected {layer}")) && reasons.contains("found sha256:"),
        "{reasons}"
    );
}

#[test]
fn unreachable_registry_is_incomplete_not_a_pass() {
    let port = crate::support::registry::free_port();
    let (out, report) = check_json(
        &format!("127.0.0.1:{port}/team/app:1"),
        &["--registry-retries", "0"],
    );
    assert_eq!(out.code, 3, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(report["verdict"], "incomplete");
    assert!(
        gap_reasons(&report).contains(&format!("127.0.0.1:{port}")),
        "{report:#}"
    );
}

#[test]
fn tls_and_basic_auth_need_the_ca_and_the_credentials() {
    let Some(registry) = Registry::with_auth_and_tls() else {
        return;
    };
    let mut blobs = Blobs::default();
    let root = sample("amd64", None).store(&mut blobs);
    let (dir, digest) = layout(root, &blobs, "v1");
    registry.push(dir.path(), "v1", "secure/app:1", false);
    let reference = format!("{}/secure/app:1", registry.addr);
    let ca = registry.tls.as_ref().unwrap().ca.display().to_string();
    let certs_d = registry.certs_d().display().to_string();

    // Unknown CA: never a pass, and never a silent fallback to plain HTTP.
    let out = check_with_stdin(&reference, &[], "", &[]);
    assert_eq!(out.code, 3, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("certificate") || out.stdout.contains("UnknownIssuer"),
        "{}",
        out.stdout
    );

    // Known CA, no credentials: refused.
    let out = check_with_stdin(&reference, &["--ca-file", &ca], "", &[]);
    assert_eq!(out.code, 3, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("refused access"), "{}", out.stdout);

    // Wrong password: refused, and the password never shows.
    let out = check_with_stdin(
        &reference,
        &["--ca-file", &ca, "--username", USER, "--password-stdin"],
        "wrong-password-xyz\n",
        &[],
    );
    assert_eq!(out.code, 3, "{}\n{}", out.stdout, out.stderr);
    assert!(
        !out.stdout.contains("wrong-password-xyz") && !out.stderr.contains("wrong-password-xyz")
    );

    // --username + --password-stdin with --ca-file.
    let out = check_with_stdin(
        &reference,
        &["--ca-file", &ca, "--username", USER, "--password-stdin"],
        &format!("{PASSWORD}\n"),
        &[],
    );
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(out.json()["image"]["digest"], digest);

    // certs.d + a docker config.json (auths) via --authfile, DOCKER_CONFIG and
    // REGISTRY_AUTH_FILE (podman's auth.json has the same shape).
    let auth_dir = tempfile::tempdir().unwrap();
    let auth = auth_dir.path().join("config.json");
    let token = base64_encode(format!("{USER}:{PASSWORD}").as_bytes());
    std::fs::write(
        &auth,
        format!(
            r#"{{"auths":{{"{}":{{"auth":"{token}"}}}}}}"#,
            registry.addr
        ),
    )
    .unwrap();
    let auth_s = auth.display().to_string();
    for (extra, env) in [
        (vec!["--certs-d", &certs_d, "--authfile", &auth_s], vec![]),
        (
            vec!["--certs-d", &certs_d],
            vec![("DOCKER_CONFIG", auth_dir.path())],
        ),
        (
            vec!["--certs-d", &certs_d],
            vec![("REGISTRY_AUTH_FILE", auth.as_path())],
        ),
    ] {
        let out = check_with_stdin(&reference, &extra, "", &env);
        assert_eq!(
            out.code, 0,
            "{extra:?} {env:?}: {}\n{}",
            out.stdout, out.stderr
        );
        assert_eq!(out.json()["image"]["digest"], digest);
        assert!(!out.stdout.contains(PASSWORD) && !out.stderr.contains(PASSWORD));
    }
}

fn base64_encode(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn anonymous_bearer_token_flow_against_distribution_token_auth() {
    let Some((registry, tokens)) = Registry::with_token_auth() else {
        return;
    };
    let mut blobs = Blobs::default();
    let root = sample("amd64", None).store(&mut blobs);
    let (dir, digest) = layout(root, &blobs, "v1");
    registry.push(dir.path(), "v1", "team/tokened:1", false);
    let before = tokens.issued.load(std::sync::atomic::Ordering::Relaxed);

    let (out, report) = check_json(&format!("{}/team/tokened:1", registry.addr), &[]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(report["image"]["digest"], digest);
    // imgguard fetched (at least) one token of its own, and the registry accepted it.
    assert!(tokens.issued.load(std::sync::atomic::Ordering::Relaxed) > before);
}

#[test]
fn retries_a_503_and_resumes_blobs_cut_off_mid_stream() {
    let Some(registry) = Registry::plain() else {
        return;
    };
    let mut blobs = Blobs::default();
    // Layers big enough that 100 bytes is a true mid-stream cut.
    let big: Vec<u8> = (0..400_000_u32)
        .flat_map(|i| i.wrapping_mul(2_654_435_761).to_le_bytes())
        .collect();
    let image = Image::new()
        .layer(
            Layer::new().file("data/a.bin", &big),
            Comp::Gzip,
            "COPY a /data",
        )
        .layer(
            Layer::new().file("data/b.bin", &big[..100_000]),
            Comp::None,
            "COPY b /data",
        );
    let root = image.store(&mut blobs);
    let (dir, digest) = layout(root, &blobs, "v1");
    registry.push(dir.path(), "v1", "team/flaky:1", false);
    for status in ["503 Service Unavailable", "429 Too Many Requests"] {
        let proxy = crate::support::registry::FaultyProxy::start_with(&registry.addr, status);

        let (out, report) = check_json(&format!("{}/team/flaky:1", proxy.addr), &[]);
        assert_eq!(out.code, 0, "{status}: {}\n{}", out.stdout, out.stderr);
        assert_eq!(report["image"]["digest"], digest);
        assert_eq!(report["coverage"]["layers"], 2);
        // One 503/429 for the tag, one cut for each of config and two layers (config is
        // a document: fetched again whole; layers resume with Range).
        assert!(
            proxy.faults.load(std::sync::atomic::Ordering::Relaxed) >= 3,
            "{status}: faults: {}",
            proxy.faults.load(std::sync::atomic::Ordering::Relaxed)
        );
    }
    // Without retries the same faults are never a pass.
    let proxy =
        crate::support::registry::FaultyProxy::start_with(&registry.addr, "429 Too Many Requests");
    let (out, report) = check_json(
        &format!("{}/team/flaky:1", proxy.addr),
        &["--registry-retries", "0"],
    );
    assert_eq!(out.code, 3, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(report["verdict"], "incomplete");
}

#[test]
fn credential_helpers_and_creds_store_are_executed() {
    let Some(registry) = Registry::with_auth_and_tls() else {
        return;
    };
    let mut blobs = Blobs::default();
    let root = sample("amd64", None).store(&mut blobs);
    let (dir, digest) = layout(root, &blobs, "v1");
    registry.push(dir.path(), "v1", "secure/helped:1", false);
    let reference = format!("{}/secure/helped:1", registry.addr);
    let certs_d = registry.certs_d().display().to_string();

    // A docker-credential helper on PATH that answers for this registry only, and logs
    // that it ran.
    let bin = tempfile::tempdir().unwrap();
    let ran = bin.path().join("ran.log");
    let helper = bin.path().join("docker-credential-imgguardtest");
    std::fs::write(
        &helper,
        format!(
            "#!/bin/sh\n[ \"$1\" = get ] || exit 1\nread server\necho \"$server\" >> {}\ncase \"$server\" in *{}*) ;; *) echo 'credentials not found in native keychain'; exit 1;; esac\necho '{{\"ServerURL\":\"'$server'\",\"Username\":\"{USER}\",\"Secret\":\"{PASSWORD}\"}}'\n",
            ran.display(),
            registry.addr
        ),
    )
    .unwrap();
    std::fs::set_permissions(&helper, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for config in [
        format!(
            r#"{{"credHelpers":{{"{}":"imgguardtest"}}}}"#,
            registry.addr
        ),
        r#"{"credsStore":"imgguardtest"}"#.to_owned(),
    ] {
        let docker_config = tempfile::tempdir().unwrap();
        std::fs::write(docker_config.path().join("config.json"), &config).unwrap();
        let _ = std::fs::remove_file(&ran);
        let out = check_with_stdin(
            &reference,
            &["--certs-d", &certs_d],
            "",
            &[
                ("DOCKER_CONFIG", docker_config.path()),
                ("PATH", Path::new(&path)),
            ],
        );
        assert_eq!(out.code, 0, "{config}: {}\n{}", out.stdout, out.stderr);
        assert_eq!(out.json()["image"]["digest"], digest);
        assert!(
            std::fs::read_to_string(&ran)
                .unwrap_or_default()
                .contains(&registry.addr),
            "{config}: the helper did not run"
        );
        assert!(!out.stdout.contains(PASSWORD) && !out.stderr.contains(PASSWORD));
    }
}

/// Run `args` under a pseudo-terminal (util-linux `script`), returning what the
/// terminal showed (stdout and stderr together).
fn on_a_terminal(args: &[&str], env: &[(&str, &str)]) -> String {
    let mut line = binary().display().to_string();
    for a in args {
        line.push(' ');
        line.push_str(a);
    }
    let mut cmd = Command::new("script");
    cmd.args(["-qec", &line, "/dev/null"])
        .env_remove("CI")
        .env_remove("GITHUB_ACTIONS")
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn progress_shows_on_a_terminal_only_and_never_under_ci() {
    let Some(registry) = Registry::plain() else {
        return;
    };
    if !crate::support::registry::require("script") {
        return;
    }
    let mut blobs = Blobs::default();
    let root = sample("amd64", None).store(&mut blobs);
    let (dir, _) = layout(root, &blobs, "v1");
    registry.push(dir.path(), "v1", "team/progress:1", false);
    let reference = format!("{}/team/progress:1", registry.addr);
    let local = format!("oci:{}:v1", dir.path().display());

    // A terminal: the pull and the scan show a progress line.
    let shown = on_a_terminal(&["check", &reference, "-f", "json", "-o", "/dev/null"], &[]);
    assert!(shown.contains("pulling layers:"), "{shown:?}");
    let shown = on_a_terminal(&["check", &local, "-f", "json", "-o", "/dev/null"], &[]);
    assert!(shown.contains("scanning layers:"), "{shown:?}");

    // A terminal under CI, or --no-progress: silent.
    for (extra, env) in [
        (vec![], vec![("CI", "true")]),
        (vec!["--no-progress"], vec![]),
    ] {
        for r in [&reference, &local] {
            let mut args = vec!["check", r.as_str(), "-f", "json", "-o", "/dev/null"];
            args.extend(extra.iter().copied());
            let shown = on_a_terminal(&args, &env);
            assert!(
                !shown.contains("layers:") && !shown.contains("MiB"),
                "{args:?} {env:?}: {shown:?}"
            );
        }
    }

    // Not a terminal (CI logs, pipes): silent.
    for r in [&reference, &local] {
        let out = Command::new(binary())
            .args(["check", r, "-f", "json"])
            .env_remove("CI")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !stderr.contains("layers:") && !stderr.contains('\r'),
            "{stderr:?}"
        );
    }
}

#[test]
fn plain_http_only_for_loopback_or_an_insecure_registry_flag() {
    let Some(registry) = Registry::plain() else {
        return;
    };
    let Some(ip) = crate::support::registry::non_loopback_ip() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "a non-loopback address is needed under CI=true"
        );
        return;
    };
    let mut blobs = Blobs::default();
    let root = sample("amd64", None).store(&mut blobs);
    let (dir, digest) = layout(root, &blobs, "v1");
    registry.push(dir.path(), "v1", "team/insecure:1", false);
    let forwarder = crate::support::registry::Forwarder::start(&ip, &registry.addr).unwrap();
    let reference = format!("{}/team/insecure:1", forwarder.addr);

    // Not loopback: HTTPS only, so the plain-HTTP registry cannot be reached: never a pass.
    let (out, report) = check_json(&reference, &["--registry-retries", "0"]);
    assert_eq!(out.code, 3, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(report["verdict"], "incomplete");
    assert!(gap_reasons(&report).contains(&forwarder.addr), "{report:#}");

    // Named with --insecure-registry: plain HTTP is allowed for that host only.
    let (out, report) = check_json(&reference, &["--insecure-registry", &forwarder.addr]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(report["image"]["digest"], digest);
    let (out, _) = check_json(
        &reference,
        &[
            "--insecure-registry",
            "192.0.2.99:5000",
            "--registry-retries",
            "0",
        ],
    );
    assert_eq!(out.code, 3, "{}\n{}", out.stdout, out.stderr);
}
