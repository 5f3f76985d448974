//! `imgguard run PIPELINE` with a `build:` section: real buildah (chroot isolation, vfs
//! storage in a private temp dir, no network) builds a `FROM scratch` image whose
//! rootfs is Debian's static busybox; the check reads exactly the OCI layout buildah
//! pushed, bound to the digest buildah recorded. A `command` builder covers the
//! builder-failure, stale-output and digest-mismatch exits without buildah.
//! Under `CI=true` a missing buildah or busybox-static is a failure, not a skip.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::attest::{VERIFIER, gate};
use crate::support::image::{Blobs, Comp, Image, Layer, oci_layout_files, sha256, write_dir};
use crate::support::registry::{PASSWORD, Registry, USER, require};
use crate::support::run::{Output, binary};

/// An AWS key pair that passes the rules (from rules/aws.yaml's examples).
const KEY_ID: &str = "AKIAY2G647QO5C7TM4EV";
const SECRET_KEY: &str = "lEw0iD45FO4glQnCmSfgZlfGFsRbZMV6NLljlvdh";
const NPM_TOKEN: &str = "npm_Q9f3kR7vT2xL8mN4pS6wY1zB5cD0eG3hJ7kX";

/// A private buildah environment: vfs storage under a temp dir, chroot isolation.
struct Buildah {
    dir: tempfile::TempDir,
}

impl Buildah {
    fn new() -> Option<Self> {
        if !require("buildah") {
            return None;
        }
        if !Path::new("/bin/busybox").exists() {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "busybox-static (/bin/busybox) is required under CI=true"
            );
            eprintln!("skipping: /bin/busybox (busybox-static) is not installed");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        for d in ["root", "run", "tmp"] {
            std::fs::create_dir_all(p.join(d)).unwrap();
        }
        std::fs::write(
            p.join("storage.conf"),
            format!(
                "[storage]\ndriver = \"vfs\"\nrunroot = \"{0}/run\"\ngraphroot = \"{0}/root\"\n",
                p.display()
            ),
        )
        .unwrap();
        std::fs::write(
            p.join("registries.conf"),
            "unqualified-search-registries = []\n",
        )
        .unwrap();
        Some(Self { dir })
    }

    fn env(&self, cmd: &mut Command) {
        let p = self.dir.path();
        cmd.env("CONTAINERS_STORAGE_CONF", p.join("storage.conf"))
            .env("CONTAINERS_REGISTRIES_CONF", p.join("registries.conf"))
            .env("BUILDAH_ISOLATION", "chroot")
            .env("STORAGE_DRIVER", "vfs")
            .env("TMPDIR", p.join("tmp"));
    }
}

fn run_imgguard(args: &[&str], env: impl FnOnce(&mut Command)) -> Output {
    let mut cmd = Command::new(binary());
    cmd.args(args);
    env(&mut cmd);
    let out = cmd.output().expect("run imgguard");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A build context with busybox, the given Dockerfile and a credentials file.
fn context(dockerfile: &str, spec: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let ctx = dir.path().join("app");
    std::fs::create_dir_all(&ctx).unwrap();
    std::fs::copy("/bin/busybox", ctx.join("busybox")).unwrap();
    std::fs::write(
        ctx.join("credentials"),
        format!("[default]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET_KEY}\n"),
    )
    .unwrap();
    std::fs::write(ctx.join("Dockerfile"), dockerfile).unwrap();
    let spec_path = dir.path().join("pipeline.yaml");
    std::fs::write(&spec_path, spec).unwrap();
    (dir, spec_path)
}

const SPEC: &str = "apiVersion: imgguard.dev/v1\nkind: Pipeline\nmetadata: {name: build-test}\nbuild:\n  builder: buildah\n  context: app\n";

/// The secret is copied in by one layer (line 4) and deleted by the next: it still ships.
const LEAKY: &str = r#"FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "mkdir", "-p", "/root/.aws"]
COPY credentials /root/.aws/credentials
RUN ["/bin/busybox", "rm", "-f", "/root/.aws/credentials"]
USER 1000
"#;

const FIXED: &str = r#"FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "mkdir", "-p", "/app"]
USER 1000
"#;

fn assert_no_leak(out: &Output, values: &[&str]) {
    for v in values {
        assert!(!out.stdout.contains(v), "{v} leaked to stdout");
        assert!(!out.stderr.contains(v), "{v} leaked to stderr");
    }
}

fn findings<'a>(report: &'a Value, rule: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

#[test]
fn run_builds_with_buildah_and_finds_the_deleted_secret_at_its_dockerfile_line() {
    let Some(buildah) = Buildah::new() else {
        return;
    };
    let (_dir, spec) = context(LEAKY, SPEC);
    let out = run_imgguard(&["run", spec.to_str().unwrap(), "--format", "json"], |c| {
        buildah.env(c);
    });
    assert_eq!(out.code, 1, "stderr:\n{}", out.stderr);
    assert!(out.stderr.contains("[build] "), "{}", out.stderr);
    assert!(
        out.stderr.contains("buildah build --layers"),
        "{}",
        out.stderr
    );
    let report = out.json();
    let build = &report["build"];
    assert_eq!(build["builder"], "buildah");
    assert!(
        build["version"]
            .as_str()
            .unwrap()
            .starts_with("buildah version "),
        "{build}"
    );
    assert_eq!(report["image"]["digest"], build["digest"], "{build}");
    assert_eq!(report["image"]["source"]["transport"], "oci");
    // One layer per instruction, so the deleted file is still there to be found.
    assert_eq!(report["image"]["platforms"][0]["layers"], 4);
    let keys = findings(&report, "secret.aws-access-key-id");
    assert!(!keys.is_empty(), "{report:#}");
    for key in keys {
        let loc = &key["location"];
        assert!(
            loc["path"]
                .as_str()
                .unwrap()
                .ends_with("root/.aws/credentials"),
            "{loc}"
        );
        assert_eq!(loc["deleted"], true, "{loc}");
        assert_eq!(loc["dockerfile"]["line"], 4, "{loc}");
        assert!(
            loc["dockerfile"]["file"]
                .as_str()
                .unwrap()
                .ends_with("app/Dockerfile"),
            "{loc}"
        );
    }
    assert_eq!(report["verdict"], "fail");
    assert_no_leak(&out, &[KEY_ID, SECRET_KEY]);
}

#[test]
fn run_passes_the_fixed_build_and_reports_the_built_digest() {
    let Some(buildah) = Buildah::new() else {
        return;
    };
    let (dir, spec) = context(
        FIXED,
        &format!("{SPEC}  output: out/image\n  args: {{VERSION: \"1.0\"}}\n"),
    );
    let out = run_imgguard(&["run", spec.to_str().unwrap(), "--format", "json"], |c| {
        buildah.env(c);
    });
    assert_eq!(
        out.code, 0,
        "stdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
    let report = out.json();
    assert_eq!(report["verdict"], "pass", "{report:#}");
    let digest = report["image"]["digest"].as_str().unwrap().to_owned();
    assert_eq!(report["build"]["digest"], digest.as_str());
    // The kept layout names exactly that manifest, whose config is buildah's image id.
    let layout = dir.path().join("out/image");
    let index: Value =
        serde_json::from_slice(&std::fs::read(layout.join("index.json")).unwrap()).unwrap();
    assert_eq!(index["manifests"][0]["digest"], digest.as_str());
    let manifest: Value = serde_json::from_slice(
        &std::fs::read(
            layout
                .join("blobs/sha256")
                .join(digest.trim_start_matches("sha256:")),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(manifest["config"]["digest"], report["build"]["image_id"]);
    let commands = report["build"]["commands"].as_array().unwrap();
    assert!(
        commands[0]
            .as_str()
            .unwrap()
            .contains("--build-arg VERSION=1.0"),
        "{commands:?}"
    );
    assert!(
        commands[1]
            .as_str()
            .unwrap()
            .contains(" push --digestfile ")
    );
}

#[test]
fn run_with_a_key_yields_a_passed_vsa_for_the_built_digest() {
    let Some(buildah) = Buildah::new() else {
        return;
    };
    let (dir, spec) = context(FIXED, SPEC);
    let password = [("IMGGUARD_KEY_PASSWORD", "build-test-password")];
    let prefix = dir.path().join("vsa");
    let keygen = run_imgguard(
        &["keygen", "--output-key-prefix", prefix.to_str().unwrap()],
        |c| {
            c.envs(password);
        },
    );
    assert_eq!(keygen.code, 0, "{}", keygen.stderr);
    let vsa = dir.path().join("out/vsa.dsse.json");
    let out = run_imgguard(
        &[
            "run",
            spec.to_str().unwrap(),
            "--format",
            "json",
            "--attest",
            vsa.to_str().unwrap(),
            "--attest-key",
            prefix.with_extension("key").to_str().unwrap(),
            "--verifier-id",
            "https://ci.example.com/imgguard",
        ],
        |c| {
            buildah.env(c);
            c.envs(password);
        },
    );
    assert_eq!(out.code, 0, "stderr:\n{}", out.stderr);
    let report = out.json();
    let digest = report["image"]["digest"].as_str().unwrap();
    assert_eq!(report["build"]["digest"], digest);
    let statement = vsa_statement(&vsa);
    assert_eq!(statement["predicate"]["verificationResult"], "PASSED");
    let subjects = statement["subject"].as_array().unwrap();
    assert!(
        subjects
            .iter()
            .any(|s| format!("sha256:{}", s["digest"]["sha256"].as_str().unwrap()) == digest),
        "{subjects:?} vs {digest}"
    );
}

#[test]
fn a_secret_build_arg_is_a_finding_at_its_spec_line_and_never_shown() {
    let Some(buildah) = Buildah::new() else {
        return;
    };
    let dockerfile = "FROM scratch\nARG NPM_TOKEN\nCOPY busybox /bin/busybox\nUSER 1000\n";
    let spec = format!("{SPEC}  args:\n    VERSION: \"2\"\n    NPM_TOKEN: {NPM_TOKEN}\n");
    let (_dir, spec_path) = context(dockerfile, &spec);
    let out = run_imgguard(
        &["run", spec_path.to_str().unwrap(), "--format", "json"],
        |c| {
            buildah.env(c);
        },
    );
    assert_eq!(out.code, 1, "stderr:\n{}", out.stderr);
    let report = out.json();
    let found = findings(&report, "dockerfile.secret-build-arg");
    assert_eq!(found.len(), 1, "{report:#}");
    assert_eq!(found[0]["location"]["source"], "spec");
    assert_eq!(found[0]["location"]["line"], 9);
    assert_eq!(found[0]["secret"]["length"], NPM_TOKEN.len());
    let commands = report["build"]["commands"][0].as_str().unwrap();
    assert!(commands.contains("NPM_TOKEN=npm_…("), "{commands}");
    assert_no_leak(&out, &[NPM_TOKEN]);
}

const COMMAND_SPEC: &str =
    "apiVersion: imgguard.dev/v1\nkind: Pipeline\nmetadata: {name: command-build}\n";

/// A small clean OCI layout a `command` builder copies into place.
fn prebuilt_layout(dir: &Path) -> String {
    let image = Image::new()
        .layer(
            Layer::new().file("app/hello.txt", "hello\n"),
            Comp::Gzip,
            "COPY hello.txt /app/",
        )
        .config_field("User", Value::String("1000".into()));
    let mut blobs = Blobs::default();
    let desc = image.store(&mut blobs);
    write_dir(
        dir,
        &oci_layout_files(&blobs, &[(desc.clone(), Some("v1"))]),
    );
    desc["digest"].as_str().unwrap().to_owned()
}

#[test]
fn a_command_builder_writes_a_layout_that_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let digest = prebuilt_layout(&dir.path().join("prebuilt"));
    let spec = dir.path().join("pipeline.yaml");
    std::fs::write(
        &spec,
        format!(
            "{COMMAND_SPEC}build:\n  builder: command\n  command: [sh, -c, \"cp -r prebuilt out && echo {digest} > digest.txt\"]\n  output: oci:out:v1\n  digest_file: digest.txt\n"
        ),
    )
    .unwrap();
    let out = run_imgguard(&["run", spec.to_str().unwrap(), "--format", "json"], |_| {});
    assert_eq!(out.code, 0, "stderr:\n{}", out.stderr);
    let report = out.json();
    assert_eq!(report["image"]["digest"], digest.as_str());
    assert_eq!(report["build"]["builder"], "command");
    assert_eq!(report["build"]["digest"], digest.as_str());
    // Run again: the output is now stale unless the command rewrites it.
    std::fs::write(
        &spec,
        format!("{COMMAND_SPEC}build:\n  builder: command\n  command: [\"true\"]\n  output: oci:out:v1\n"),
    )
    .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let out = run_imgguard(&["run", spec.to_str().unwrap()], |_| {});
    assert_eq!(out.code, 3, "stderr:\n{}", out.stderr);
    assert!(
        out.stderr.contains("older than this build"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_digest_record_that_does_not_match_the_output_is_incomplete() {
    let dir = tempfile::tempdir().unwrap();
    prebuilt_layout(&dir.path().join("prebuilt"));
    let wrong = format!("sha256:{}", "0".repeat(64));
    let spec = dir.path().join("pipeline.yaml");
    std::fs::write(
        &spec,
        format!(
            "{COMMAND_SPEC}build:\n  builder: command\n  command: [sh, -c, \"cp -r prebuilt out && echo {wrong} > digest.txt\"]\n  output: oci:out:v1\n  digest_file: digest.txt\n"
        ),
    )
    .unwrap();
    let out = run_imgguard(&["run", spec.to_str().unwrap(), "--format", "json"], |_| {});
    assert_eq!(out.code, 3, "stderr:\n{}", out.stderr);
    let report = out.json();
    assert_eq!(report["verdict"], "incomplete");
    let gaps = report["coverage"]["skipped"].as_array().unwrap();
    assert!(
        gaps.iter().any(|g| g["reason"]
            .as_str()
            .unwrap()
            .contains("not the one the builder recorded")),
        "{gaps:?}"
    );
}

#[test]
fn a_failing_builder_is_exit_1_and_a_missing_one_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("pipeline.yaml");
    std::fs::write(
        &spec,
        format!("{COMMAND_SPEC}build:\n  builder: command\n  command: [sh, -c, \"echo compiling; exit 7\"]\n  output: oci:out\n"),
    )
    .unwrap();
    let out = run_imgguard(&["run", spec.to_str().unwrap()], |_| {});
    assert_eq!(out.code, 1, "stderr:\n{}", out.stderr);
    assert!(out.stderr.contains("[build] compiling"), "{}", out.stderr);
    assert!(out.stderr.contains("the build failed"), "{}", out.stderr);
    assert!(out.stdout.is_empty(), "{}", out.stdout);

    std::fs::write(&spec, format!("{COMMAND_SPEC}build:\n  builder: buildah\n")).unwrap();
    let empty = tempfile::tempdir().unwrap();
    let out = run_imgguard(&["run", spec.to_str().unwrap()], |c| {
        c.env("PATH", empty.path());
    });
    assert_eq!(out.code, 2, "stderr:\n{}", out.stderr);
    assert!(
        out.stderr.contains("failed to find the builder `buildah`"),
        "{}",
        out.stderr
    );
}

#[test]
fn run_verifies_the_built_image_like_check_does() {
    if !require("openssl") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let digest = prebuilt_layout(&dir.path().join("prebuilt"));
    let key = Command::new("sh")
        .args([
            "-c",
            "openssl ecparam -genkey -name prime256v1 -noout | openssl ec -pubout 2>/dev/null",
        ])
        .output()
        .unwrap();
    assert!(key.status.success());
    std::fs::write(dir.path().join("release.pub"), &key.stdout).unwrap();
    let spec = dir.path().join("pipeline.yaml");
    std::fs::write(
        &spec,
        format!(
            "{COMMAND_SPEC}build:\n  builder: command\n  command: [cp, -r, prebuilt, out]\n  output: oci:out:v1\nverify:\n  signatures:\n    required: true\n    authorities:\n      - key: release.pub\n"
        ),
    )
    .unwrap();
    let out = run_imgguard(&["run", spec.to_str().unwrap(), "--format", "json"], |_| {});
    // The built image is unsigned: the verify stage of `run` fails it.
    assert_eq!(out.code, 1, "stderr:\n{}", out.stderr);
    let report = out.json();
    assert_eq!(report["image"]["digest"], digest.as_str());
    assert_eq!(report["verdict"], "fail");
    let signatures = &report["verification"]["signatures"];
    assert_eq!(signatures["status"], "failed", "{signatures:#}");
    assert_eq!(
        signatures["reason"]["outcome"], "no_signature_found",
        "{signatures:#}"
    );
}

// ---- The push stage: `build.push` copies the checked image to `image.ref`. ----

const KEY_PASSWORD: [(&str, &str); 1] = [("IMGGUARD_KEY_PASSWORD", "push-test-password")];

/// An encrypted VSA key pair `DIR/vsa.key`, `DIR/vsa.pub`.
fn vsa_keys(dir: &Path) -> (PathBuf, PathBuf) {
    let prefix = dir.join("vsa");
    let keygen = run_imgguard(
        &["keygen", "--output-key-prefix", prefix.to_str().unwrap()],
        |c| {
            c.envs(KEY_PASSWORD);
        },
    );
    assert_eq!(keygen.code, 0, "{}", keygen.stderr);
    (prefix.with_extension("key"), prefix.with_extension("pub"))
}

/// The in-toto statement inside a DSSE envelope file.
fn vsa_statement(path: &Path) -> Value {
    use base64::Engine as _;
    let envelope: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let payload = base64::engine::general_purpose::STANDARD
        .decode(envelope["payload"].as_str().unwrap())
        .unwrap();
    serde_json::from_slice(&payload).unwrap()
}

/// A buildah spec that pushes to `reference`, publishing a VSA signed by `key` when given.
fn push_spec(reference: &str, key: Option<&Path>) -> String {
    let attestation = key.map_or_else(String::new, |key| {
        format!(
            "attestation:\n  verifier_id: {VERIFIER}\n  sign: {{key: {}}}\n  push: true\n",
            key.display()
        )
    });
    format!("{SPEC}  push: true\nimage:\n  ref: {reference}\n{attestation}")
}

/// GET a manifest from the plain test registry: (status, Docker-Content-Digest,
/// sha256 of the body).
fn registry_manifest(registry: &Registry, repo: &str, reference: &str) -> (u16, String, String) {
    let response = reqwest::blocking::Client::new()
        .get(format!(
            "http://{}/v2/{repo}/manifests/{reference}",
            registry.addr
        ))
        .header(
            "accept",
            "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json",
        )
        .send()
        .unwrap();
    let status = response.status().as_u16();
    let announced = response
        .headers()
        .get("docker-content-digest")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = response.bytes().unwrap();
    (status, announced, sha256(&body))
}

#[test]
fn run_pushes_the_passing_build_after_its_vsa_and_the_gate_accepts_the_digest() {
    let Some(buildah) = Buildah::new() else {
        return;
    };
    let Some(registry) = Registry::plain() else {
        return;
    };
    let keys_dir = tempfile::tempdir().unwrap();
    let (key, public) = vsa_keys(keys_dir.path());
    let reference = format!("{}/team/app:1.0", registry.addr);
    let (dir, spec) = context(FIXED, &push_spec(&reference, Some(&key)));
    let vsa = dir.path().join("vsa.dsse.json");
    let run = || {
        run_imgguard(
            &[
                "run",
                spec.to_str().unwrap(),
                "--format",
                "json",
                "--attest",
                vsa.to_str().unwrap(),
            ],
            |c| {
                buildah.env(c);
                c.envs(KEY_PASSWORD);
            },
        )
    };
    let out = run();
    assert_eq!(
        out.code, 0,
        "stdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
    let report = out.json();
    let digest = report["image"]["digest"].as_str().unwrap().to_owned();
    assert_eq!(report["build"]["digest"], digest.as_str());
    let push = &report["push"];
    assert_eq!(push["reference"], reference.as_str(), "{push}");
    assert_eq!(push["digest"], digest.as_str(), "{push}");
    // The config and two layers (COPY, RUN), all new to this registry.
    assert_eq!(push["blobs_uploaded"], 3, "{push}");
    assert_eq!(push["blobs_present"], 0, "{push}");
    assert_eq!(push["manifests"], 1, "{push}");
    // The registry serves the very bytes built, under the tag and by digest.
    let (status, announced, body) = registry_manifest(&registry, "team/app", "1.0");
    assert_eq!(
        (status, announced.as_str(), body.as_str()),
        (200, digest.as_str(), digest.as_str())
    );
    // Order: by digest, then the VSA, then the tag.
    let by_digest = out.stderr.find("by digest").unwrap();
    let vsa_pushed = out.stderr.find("imgguard: pushed VSA").unwrap();
    let tagged = out
        .stderr
        .find(&format!("imgguard: pushed {reference}@{digest}"))
        .unwrap();
    assert!(
        by_digest < vsa_pushed && vsa_pushed < tagged,
        "{}",
        out.stderr
    );

    // The VSA names the image where it was pushed, not the builder's temporary layout.
    let statement = vsa_statement(&vsa);
    assert_eq!(
        statement["predicate"]["resourceUri"],
        format!("oci://{}/team/app@{digest}", registry.addr).as_str()
    );
    let accepted = gate(
        &format!("{}/team/app@{digest}", registry.addr),
        &public,
        &[],
    );
    assert_eq!(accepted.code, 0, "{}\n{}", accepted.stdout, accepted.stderr);

    // Built again (the same bytes): every blob is already there and is not sent again.
    let again = run();
    assert_eq!(again.code, 0, "{}", again.stderr);
    let report = again.json();
    assert_eq!(report["push"]["digest"], digest.as_str(), "{report:#}");
    assert_eq!(report["push"]["blobs_uploaded"], 0);
    assert_eq!(report["push"]["blobs_present"], 3);
}

#[test]
fn a_failing_build_is_never_pushed() {
    let Some(buildah) = Buildah::new() else {
        return;
    };
    let Some(registry) = Registry::plain() else {
        return;
    };
    let keys_dir = tempfile::tempdir().unwrap();
    let (key, _) = vsa_keys(keys_dir.path());
    let reference = format!("{}/team/leaky:1.0", registry.addr);
    let (_dir, spec) = context(LEAKY, &push_spec(&reference, Some(&key)));
    let out = run_imgguard(&["run", spec.to_str().unwrap(), "--format", "json"], |c| {
        buildah.env(c);
        c.envs(KEY_PASSWORD);
    });
    assert_eq!(out.code, 1, "stderr:\n{}", out.stderr);
    let report = out.json();
    assert_eq!(report["verdict"], "fail");
    assert!(report.get("push").is_none(), "{report:#}");
    assert!(
        out.stderr
            .contains(&format!("not pushed to {reference}: the verdict is fail")),
        "{}",
        out.stderr
    );
    let digest = report["image"]["digest"].as_str().unwrap();
    for wanted in ["1.0", digest] {
        let (status, _, _) = registry_manifest(&registry, "team/leaky", wanted);
        assert_eq!(status, 404, "{wanted} is in the registry");
    }
    let config = report["image"]["platforms"][0]["config_digest"]
        .as_str()
        .unwrap();
    let head = reqwest::blocking::Client::new()
        .head(format!(
            "http://{}/v2/team/leaky/blobs/{config}",
            registry.addr
        ))
        .send()
        .unwrap();
    assert_eq!(head.status().as_u16(), 404);
    assert_no_leak(&out, &[KEY_ID, SECRET_KEY]);
}

#[test]
fn run_pushes_to_a_registry_with_basic_auth_over_tls() {
    use base64::Engine as _;
    let Some(buildah) = Buildah::new() else {
        return;
    };
    let Some(registry) = Registry::with_auth_and_tls() else {
        return;
    };
    let reference = format!("{}/secure/app:v1", registry.addr);
    let (dir, spec) = context(FIXED, &push_spec(&reference, None));
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"));
    let authfile = dir.path().join("auth.json");
    std::fs::write(
        &authfile,
        format!(
            r#"{{"auths": {{"{}": {{"auth": "{auth}"}}}}}}"#,
            registry.addr
        ),
    )
    .unwrap();
    let certs = registry.certs_d();
    let access = [
        "--certs-d",
        certs.to_str().unwrap(),
        "--authfile",
        authfile.to_str().unwrap(),
    ];
    let mut args = vec!["run", spec.to_str().unwrap(), "--format", "json"];
    args.extend_from_slice(&access);
    let out = run_imgguard(&args, |c| {
        buildah.env(c);
    });
    assert_eq!(out.code, 0, "stderr:\n{}", out.stderr);
    let digest = out.json()["image"]["digest"].as_str().unwrap().to_owned();
    // Read back through the registry source: the tag resolves to the built digest.
    let mut args = vec!["check", &reference, "--format", "json"];
    args.extend_from_slice(&access);
    let check = run_imgguard(&args, |_| {});
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert_eq!(check.json()["image"]["digest"], digest.as_str());

    // Without credentials the push is refused: its own error, exit 3, nothing tagged.
    let (_other, spec) = context(
        FIXED,
        &push_spec(&format!("{}/secure/app:v2", registry.addr), None),
    );
    let out = run_imgguard(
        &[
            "run",
            spec.to_str().unwrap(),
            "--certs-d",
            certs.to_str().unwrap(),
            "--authfile",
            "/dev/null/none",
        ],
        |c| {
            buildah.env(c);
        },
    );
    assert_eq!(out.code, 3, "stderr:\n{}", out.stderr);
    assert!(
        out.stderr.contains("imgguard::push::registry"),
        "{}",
        out.stderr
    );
}

/// A clean two-platform index with a BuildKit attestation manifest, as an OCI layout.
fn prebuilt_index(dir: &Path) -> String {
    let image = |arch: &str, text: &str| {
        Image::new()
            .platform("linux", arch, None)
            .layer(
                Layer::new().file("app/hello.txt", text),
                Comp::Gzip,
                "COPY hello.txt /app/",
            )
            .config_field("User", Value::String("1000".into()))
    };
    let mut blobs = Blobs::default();
    let amd = image("amd64", "hello amd64\n").store(&mut blobs);
    let arm = image("arm64", "hello arm64\n").store(&mut blobs);
    let att =
        crate::support::image::attestation_manifest(&mut blobs, amd["digest"].as_str().unwrap());
    let idx = crate::support::image::index(&mut blobs, vec![amd, arm, att]);
    write_dir(dir, &oci_layout_files(&blobs, &[(idx.clone(), Some("v1"))]));
    idx["digest"].as_str().unwrap().to_owned()
}

#[test]
fn a_multi_platform_build_is_pushed_index_and_every_manifest_unchanged() {
    let Some(registry) = Registry::plain() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let digest = prebuilt_index(&dir.path().join("prebuilt"));
    let index: Value = serde_json::from_slice(
        &std::fs::read(
            dir.path()
                .join("prebuilt/blobs/sha256")
                .join(digest.trim_start_matches("sha256:")),
        )
        .unwrap(),
    )
    .unwrap();
    let spec = dir.path().join("pipeline.yaml");
    // The same image left as a layout directory and as an archive (streamed from
    // inside the tar), each pushed to its own repository.
    for (repo, command, output) in [
        ("multi/app", "[cp, -r, prebuilt, out]", "oci:out:v1"),
        (
            "multi/archive",
            "[tar, -C, prebuilt, -cf, out.tar, .]",
            "oci-archive:out.tar:v1",
        ),
    ] {
        std::fs::write(
            &spec,
            format!(
                "{COMMAND_SPEC}image: {{ref: {}/{repo}}}\nbuild:\n  builder: command\n  command: {command}\n  output: {output}\n",
                registry.addr
            ),
        )
        .unwrap();
        let out = run_imgguard(
            &["run", spec.to_str().unwrap(), "--push", "--format", "json"],
            |_| {},
        );
        assert_eq!(out.code, 0, "{output}: stderr:\n{}", out.stderr);
        let report = out.json();
        assert_eq!(report["image"]["digest"], digest.as_str());
        let push = &report["push"];
        // No tag in image.ref: `latest`, as docker does.
        assert_eq!(
            push["reference"],
            format!("{}/{repo}:latest", registry.addr).as_str()
        );
        // The index, two platform manifests and the attestation manifest; two
        // configs, two layers, the attestation's config and statement.
        assert_eq!(push["manifests"], 4, "{push}");
        assert_eq!(push["blobs_uploaded"], 6, "{push}");
        let (status, announced, body) = registry_manifest(&registry, repo, "latest");
        assert_eq!(status, 200);
        assert_eq!(
            (announced.as_str(), body.as_str()),
            (digest.as_str(), digest.as_str())
        );
        // Every child is there, byte for byte.
        for child in index["manifests"].as_array().unwrap() {
            let child = child["digest"].as_str().unwrap();
            let (status, _, body) = registry_manifest(&registry, repo, child);
            assert_eq!((status, body.as_str()), (200, child));
        }
    }
}

#[test]
fn a_push_that_cannot_work_is_refused_before_the_build() {
    let dir = tempfile::tempdir().unwrap();
    prebuilt_layout(&dir.path().join("prebuilt"));
    let spec = dir.path().join("pipeline.yaml");
    // The command leaves a marker: it must never run when the push is refused.
    let build = "build:\n  builder: command\n  command: [sh, -c, \"touch built && cp -r prebuilt out\"]\n  output: oci:out:v1\n";
    let digest = format!("sha256:{}", "a".repeat(64));
    let cases: [(String, &[&str], &str); 5] = [
        (
            format!("{COMMAND_SPEC}{build}  push: true\n"),
            &[],
            "no `image.ref`",
        ),
        (
            format!("{COMMAND_SPEC}image: {{ref: \"127.0.0.1:5000/app@{digest}\"}}\n{build}"),
            &["--push"],
            "names a digest",
        ),
        (
            format!("{COMMAND_SPEC}image: {{ref: \"oci:elsewhere\"}}\n{build}  push: true\n"),
            &[],
            "not a registry",
        ),
        (
            format!(
                "{COMMAND_SPEC}image: {{ref: 127.0.0.1:5000/app:1}}\nbuild:\n  builder: command\n  command: [touch, built]\n  output: docker-archive:out.tar\n  push: true\n"
            ),
            &[],
            "does not leave",
        ),
        (
            format!("{COMMAND_SPEC}image: {{ref: 127.0.0.1:5000/app:1}}\n{build}"),
            &[
                "--push-attestation",
                "--attest-key",
                "env://UNUSED",
                "--verifier-id",
                "https://x.example",
            ],
            "can only be pushed",
        ),
    ];
    for (text, extra, expected) in cases {
        std::fs::write(&spec, &text).unwrap();
        let mut args = vec!["run", spec.to_str().unwrap()];
        args.extend_from_slice(extra);
        let out = run_imgguard(&args, |_| {});
        assert_eq!(out.code, 2, "{text}\nstderr:\n{}", out.stderr);
        assert!(
            out.stderr.contains(expected),
            "{text}\nstderr:\n{}",
            out.stderr
        );
        assert!(!dir.path().join("built").exists(), "{text}: the build ran");
    }
    // `--push` needs a build to push.
    std::fs::write(
        &spec,
        format!("{COMMAND_SPEC}image: {{ref: \"oci:prebuilt:v1\"}}\n"),
    )
    .unwrap();
    let out = run_imgguard(&["run", spec.to_str().unwrap(), "--push"], |_| {});
    assert_eq!(out.code, 2, "stderr:\n{}", out.stderr);
}

#[test]
fn a_blob_changed_after_the_check_is_not_uploaded() {
    use imgguard::oci::{Digest, ImageReference};
    use imgguard::source::registry::RegistryOptions;
    use imgguard::source::registry::client::RegistryClient;
    let Some(registry) = Registry::plain() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("layout");
    let digest: Digest = prebuilt_layout(&layout).parse().unwrap();
    let manifest: Value = serde_json::from_slice(
        &std::fs::read(layout.join("blobs/sha256").join(digest.hex())).unwrap(),
    )
    .unwrap();
    let layer = manifest["layers"][0]["digest"].as_str().unwrap().to_owned();
    let layer_file = layout
        .join("blobs/sha256")
        .join(layer.trim_start_matches("sha256:"));
    let mut bytes = std::fs::read(&layer_file).unwrap();
    *bytes.last_mut().unwrap() ^= 0xff;
    std::fs::write(&layer_file, bytes).unwrap();

    let options = RegistryOptions::default();
    let source = imgguard::source::open_source_with(
        &ImageReference::parse(&format!("oci:{}:v1", layout.display())).unwrap(),
        &options,
    )
    .unwrap();
    let destination = imgguard::oci::reference::RegistryReference::parse(&format!(
        "{}/tampered/app:1",
        registry.addr
    ))
    .unwrap();
    let client =
        RegistryClient::new_for_push(&destination.registry, &destination.repository, &options)
            .unwrap();
    let started = std::time::Instant::now();
    let error = imgguard::push::push_by_digest(source.as_ref(), &client, &destination, &digest)
        .unwrap_err();
    assert!(
        matches!(&error, imgguard::push::PushError::Mismatch { what, .. } if what.contains(&layer)),
        "{error:?}"
    );
    // Refused on the first attempt, not retried with the same wrong bytes.
    assert!(
        started.elapsed() < std::time::Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(error.exit_code(), imgguard::exit_code::ExitCode::Incomplete);
    assert!(!client.blob_exists(&layer.parse().unwrap()).unwrap());
    let (status, _, _) = registry_manifest(&registry, "tampered/app", &digest.to_string());
    assert_eq!(status, 404);
}
