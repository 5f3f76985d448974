//! The pipeline spec, the policy (overrides, waivers, baseline) and every report
//! format, through the real binary on real images built in temp dirs: committed
//! schemas match the model, spec errors exit 2 with a location and a hint, each format
//! is snapshotted, SARIF validates against the official 2.1.0 schema, and a planted
//! secret value reaches no output at all.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::image::{Blobs, Comp, Image, Layer, oci_layout_files, write_dir};
use crate::support::run::{Output, binary, imgguard};

/// A value that must never appear in any output.
const PLANTED: &str = "PlantedS3cretValue-9f8e7d6c5b4a";

fn run_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(binary());
    cmd.args(args)
        .current_dir(dir)
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("CI_COMMIT_SHA");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run imgguard");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// An image whose layers have filesystem findings (links escaping the root), with the
/// planted value in ENV, a label and the history line of a layer with findings.
fn image_files(extra_finding: bool) -> BTreeMap<String, Vec<u8>> {
    let base = Layer::new().dir("etc").file("etc/os-release", "ID=demo\n");
    let app = Layer::new()
        .dir("app")
        .symlink("app/shadow", "../../../etc/shadow")
        .file("app/config.env", format!("DB_PASSWORD={PLANTED}\n"));
    let mut vendor = Layer::new()
        .dir("opt")
        .dir("opt/vendor")
        .symlink("opt/vendor/root", "../../../../root");
    if extra_finding {
        vendor = vendor.symlink("opt/new-link", "../../../../var/run/docker.sock");
    }
    let image = Image::new()
        .layer(base, Comp::Gzip, "/bin/sh -c #(nop) ADD file:base in / ")
        .layer(
            app,
            Comp::Gzip,
            &format!("RUN /bin/sh -c DB_PASSWORD={PLANTED} ./setup.sh # buildkit"),
        )
        .layer(vendor, Comp::Zstd, "COPY vendor /opt/vendor # buildkit")
        .step(&format!("ENV DB_PASS={PLANTED}"))
        .env(&format!("DB_PASS={PLANTED}"))
        .config_field("Labels", serde_json::json!({"api_token": PLANTED}))
        .config_field("User", serde_json::json!("10001"));
    let mut blobs = Blobs::default();
    let desc = image.store(&mut blobs);
    oci_layout_files(&blobs, &[(desc, Some("latest"))])
}

struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new(extra_finding: bool) -> Self {
        let dir = tempfile::tempdir().unwrap();
        write_dir(&dir.path().join("image"), &image_files(extra_finding));
        std::fs::write(dir.path().join("gate.yaml"), GATE).unwrap();
        Self { dir }
    }
    fn path(&self) -> &Path {
        self.dir.path()
    }
    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }
    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path().join(name)).unwrap()
    }
    fn run(&self, args: &[&str]) -> Output {
        run_in(self.path(), args, &[("IMGGUARD_TODAY", "2026-06-01")])
    }
}

const IMAGE: &str = "oci:image:latest";

/// Escaping links are medium findings; this pipeline gates on them (and leaves the
/// planted secret to the tests about secrets).
const GATE: &str = "apiVersion: imgguard.dev/v1
kind: Pipeline
metadata: {name: gate}
checks:
  secrets: {enabled: false}
  filesystem: {fail_on: medium}
";

const WAIVERS: &str = "apiVersion: imgguard.dev/v1
kind: Waivers
waivers:
  - id: VENDOR-1
    rule: filesystem.link-escapes-root
    path: /opt/vendor/**
    reason: vendored tree, reviewed
    owner: platform-team
    expires: 2026-12-31
  - id: OLD-1
    rule: filesystem.link-escapes-root
    path: /app/*
    reason: temporary
    owner: app-team
    expires: 2026-01-31
";

fn filters(dir: &Path) -> Vec<(String, String)> {
    vec![
        (regex_escape(&dir.display().to_string()), "[TMP]".into()),
        (
            format!(r"\b{}\b", regex_escape(env!("CARGO_PKG_VERSION"))),
            "[VERSION]".into(),
        ),
        (r#""total": \d+"#.into(), r#""total": "[MS]""#.into()),
        (r"sha256:[0-9a-f]{64}".into(), "sha256:[DIGEST]".into()),
        (
            r#""sha": "[0-9a-f]{64}""#.into(),
            r#""sha": "[DIGEST]""#.into(),
        ),
        (r"sha256:[0-9a-f]{12}\b".into(), "sha256:[SHORT]".into()),
        (r"oci:/[^ \n]*image".into(), "oci:[IMAGE]".into()),
        (
            r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}".into(),
            "[TIME]".into(),
        ),
    ]
}

fn regex_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn snapshot(name: &str, dir: &Path, text: &str) {
    let f = filters(dir);
    let refs: Vec<(&str, &str)> = f.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    insta::with_settings!({filters => refs, prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(name, text);
    });
}

fn sarif_schema() -> serde_json::Value {
    // IMGGUARD_SCHEMA_FIXTURES, else `schemas/` beside IMGGUARD_REALWORLD_FIXTURES, else
    // the shared fixtures of this machine. Never vendored: it is read, not committed.
    let dir = std::env::var("IMGGUARD_SCHEMA_FIXTURES").unwrap_or_else(|_| {
        std::env::var("IMGGUARD_REALWORLD_FIXTURES")
            .ok()
            .and_then(|r| {
                Path::new(&r)
                    .parent()
                    .map(|p| p.join("schemas").display().to_string())
            })
            .unwrap_or_else(|| "/work/shared/fixtures/schemas".into())
    });
    let path = Path::new(&dir).join("sarif-schema-2.1.0.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "the official SARIF 2.1.0 schema is needed at {} (set IMGGUARD_SCHEMA_FIXTURES): {e}",
            path.display()
        )
    });
    // The published schema's `language` pattern is not a valid regex
    // (`^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$`); fix it as the spec text intends.
    let fixed = text.replace(
        r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#,
        r#""^[a-zA-Z]{2}(-[a-zA-Z]{2})?$""#,
    );
    let mut schema: serde_json::Value = serde_json::from_str(&fixed).unwrap();
    // This copy keeps the document's shape under `definitions/Root` with no top-level
    // reference to it, so as published it accepts anything; point the root at it.
    if schema.get("properties").is_none() && schema["definitions"].get("Root").is_some() {
        schema["$ref"] = serde_json::json!("#/definitions/Root");
    }
    schema
}

fn validation_errors(schema: &serde_json::Value, doc: &serde_json::Value) -> Vec<String> {
    let validator = jsonschema::validator_for(schema).unwrap();
    validator
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

#[test]
fn committed_spec_schemas_match_the_model() {
    for which in ["pipeline", "waivers", "baseline"] {
        let out = imgguard(&["schema", which]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        let generated: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("schemas/{which}.v1.json"));
        if std::env::var_os("IMGGUARD_REGENERATE_SCHEMAS").is_some() {
            std::fs::write(
                &path,
                serde_json::to_string_pretty(&generated).unwrap() + "\n",
            )
            .unwrap();
        }
        let committed: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(
            generated, committed,
            "the {which} model changed: review, then regenerate with IMGGUARD_REGENERATE_SCHEMAS=1"
        );
    }
}

#[test]
fn shipped_pipelines_validate_against_model_and_schema() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("pipelines");
    let schema: serde_json::Value = serde_json::from_slice(
        &std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/pipeline.v1.json"))
            .unwrap(),
    )
    .unwrap();
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        seen += 1;
        let out = imgguard(&["validate", path.to_str().unwrap()]);
        assert_eq!(out.code, 0, "{}: {}", path.display(), out.stderr);
        assert!(out.stdout.contains("valid pipeline"), "{}", out.stdout);
        // The editor schema accepts what the loader accepts.
        let text = std::fs::read_to_string(&path).unwrap();
        let value: serde_json::Value = serde_saphyr_to_json(&text);
        let errors = validation_errors(&schema, &value);
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
        // And each runs to a verdict (not a usage error).
        let run = imgguard(&["check", "--demo", "--pipeline", path.to_str().unwrap()]);
        assert!(
            [0, 1, 3].contains(&run.code),
            "{}: {}",
            path.display(),
            run.stderr
        );
    }
    assert!(seen >= 1);
}

/// YAML → JSON for schema validation, through the JSON report of `validate`'s own loader
/// being unavailable: parse with the same crate into a generic value.
fn serde_saphyr_to_json(text: &str) -> serde_json::Value {
    serde_saphyr::from_str::<serde_json::Value>(text).unwrap()
}

#[test]
fn spec_errors_exit_2_with_file_line_span_and_hint() {
    let fx = Fixture::new(false);
    fx.write(
        "ci/bad.yaml",
        "apiVersion: imgguard.dev/v1\nkind: Pipeline\nmetadata: {name: bad}\nchecks:\n  secrets:\n    fail_onn: high\n",
    );
    let out = run_in(
        fx.path(),
        &["validate", "ci/bad.yaml"],
        &[("NO_COLOR", "1")],
    );
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("ci/bad.yaml:6:5"), "{}", out.stderr);
    assert!(
        out.stderr.contains("did you mean `fail_on`?"),
        "{}",
        out.stderr
    );
    snapshot("spec_error_unknown_key", fx.path(), &out.stderr);
    // The same error stops a check before any image is read.
    let out = fx.run(&["check", IMAGE, "--pipeline", "ci/bad.yaml"]);
    assert_eq!(out.code, 2);
    // A value error after parsing also points at its line.
    fx.write(
        "ci/v2.yaml",
        "apiVersion: imgguard.dev/v2\nkind: Pipeline\nmetadata: {name: bad}\n",
    );
    let out = fx.run(&["validate", "ci/v2.yaml"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("ci/v2.yaml:1:13"), "{}", out.stderr);
}

#[test]
fn explain_knows_rules_and_suggests_for_typos() {
    // Every family: secret rule packs, config, filesystem checks, Dockerfile lint.
    for (id, category) in [
        ("filesystem.link-escapes-root", "filesystem"),
        ("secret.aws-access-key-id", "secret"),
        ("secret.private-key-openssh", "secret"),
        ("config.root-user", "config"),
        ("filesystem.setuid", "filesystem"),
        ("dockerfile.secret-in-arg-env", "dockerfile"),
    ] {
        let out = imgguard(&["explain", id]);
        assert_eq!(out.code, 0, "{id}: {}", out.stderr);
        assert!(
            out.stdout.starts_with(id) && out.stdout.contains(&format!("category: {category}")),
            "{}",
            out.stdout
        );
        assert!(out.stdout.contains("How to fix: "), "{}", out.stdout);
    }
    for (typo, meant) in [
        ("secret.aws-acces-key-id", "secret.aws-access-key-id"),
        (
            "filesystem.link-escape-root",
            "filesystem.link-escapes-root",
        ),
    ] {
        let out = imgguard(&["explain", typo]);
        assert_eq!(out.code, 2);
        let hint = format!("did you mean `{meant}`?");
        assert!(out.stderr.contains(&hint), "{}", out.stderr);
    }
}

fn pipeline_with_reports(fx: &Fixture) {
    fx.write(
        "imgguard.yaml",
        "apiVersion: imgguard.dev/v1
kind: Pipeline
metadata: {name: payments-api}
checks:
  filesystem: {fail_on: medium}
waivers: .imgguard/waivers.yaml
reports:
  - {format: sarif, output: out/imgguard.sarif}
  - {format: junit, output: out/imgguard.junit.xml}
",
    );
    fx.write(".imgguard/waivers.yaml", WAIVERS);
}

/// Run a check with the spec's reports plus every other format: files under `out/`,
/// GitHub annotations on stdout and its summary in `summary.md`.
fn run_every_format(fx: &Fixture) -> Output {
    pipeline_with_reports(fx);
    let summary = fx.path().join("summary.md");
    let mut args = vec!["check", IMAGE, "--pipeline", "imgguard.yaml"];
    for f in [
        "human=out/report.txt",
        "json=out/report.json",
        "gitlab=out/gl-code-quality.json",
        "gitlab-secret-detection=out/gl-secret-detection-report.json",
        "github",
    ] {
        args.extend(["--format", f]);
    }
    run_in(
        fx.path(),
        &args,
        &[
            ("IMGGUARD_TODAY", "2026-06-01"),
            ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
        ],
    )
}

#[test]
fn every_format_from_one_run_snapshotted() {
    let fx = Fixture::new(false);
    let out = run_every_format(&fx);
    // OLD-1 expired, so the /app link gates again.
    assert_eq!(out.code, 1, "{}", out.stderr);
    let json: serde_json::Value = serde_json::from_str(&fx.read("out/report.json")).unwrap();
    assert_eq!(json["verdict"], "fail");
    assert_eq!(json["summary"]["waived"], 1);
    assert_eq!(json["waivers"]["expired"][0]["id"], "OLD-1");
    assert_eq!(json["waivers"]["applied"][0]["id"], "VENDOR-1");
    snapshot("format_human", fx.path(), &fx.read("out/report.txt"));
    snapshot("format_json", fx.path(), &fx.read("out/report.json"));
    snapshot("format_sarif", fx.path(), &fx.read("out/imgguard.sarif"));
    snapshot(
        "format_junit",
        fx.path(),
        &fx.read("out/imgguard.junit.xml"),
    );
    snapshot("format_github_annotations", fx.path(), &out.stdout);
    assert!(
        !out.stdout.contains('\x1b'),
        "no colour when stdout is not a terminal"
    );
    snapshot("format_github_summary", fx.path(), &fx.read("summary.md"));
    snapshot(
        "format_gitlab",
        fx.path(),
        &fx.read("out/gl-code-quality.json"),
    );
    snapshot(
        "format_gitlab_secret_detection",
        fx.path(),
        &fx.read("out/gl-secret-detection-report.json"),
    );
    // The JSON report still validates against the committed v1 schema.
    let schema: serde_json::Value = serde_json::from_slice(
        &std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/report.v1.json"))
            .unwrap(),
    )
    .unwrap();
    let errors = validation_errors(&schema, &json);
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let fx = Fixture::new(true);
    pipeline_with_reports(&fx);
    let out = fx.run(&["check", IMAGE, "--pipeline", "imgguard.yaml", "-f", "sarif"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let schema = sarif_schema();
    let errors = validation_errors(&schema, &doc);
    assert!(errors.is_empty(), "{errors:#?}");
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert!(results.len() >= 3);
    for r in results {
        let fp = r["partialFingerprints"]["primaryLocationLineHash"]
            .as_str()
            .unwrap();
        assert_eq!(fp.len(), 32);
        assert!(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].is_string());
    }
    assert_eq!(
        doc["runs"][0]["automationDetails"]["id"],
        "imgguard/payments-api/"
    );
    // A broken document is rejected, so the check above can fail.
    let mut broken = doc.clone();
    broken["runs"][0]["results"][0]["level"] = serde_json::json!("fatal");
    assert!(!validation_errors(&schema, &broken).is_empty());
    // The spec's reports were written in the same run.
    let from_spec: serde_json::Value =
        serde_json::from_str(&fx.read("out/imgguard.sarif")).unwrap();
    assert!(validation_errors(&schema, &from_spec).is_empty());
    assert!(fx.read("out/imgguard.junit.xml").contains("<testsuites"));
}

/// GitLab's secret-detection report schema (15.0.7), vendored in `testdata/schemas`
/// (MIT, see the README there).
fn gitlab_secret_detection_schema() -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/schemas/gitlab-secret-detection-report-format-15.0.7.json");
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn gitlab_secret_detection_validates_against_the_official_schema() {
    let fx = Fixture::new(true);
    pipeline_with_reports(&fx);
    let schema = gitlab_secret_detection_schema();
    for (env, sha) in [
        (
            vec![("CI_COMMIT_SHA", "0123456789abcdef0123456789abcdef01234567")],
            None,
        ),
        (vec![], Some(())),
    ] {
        let mut env = env.clone();
        env.push(("IMGGUARD_TODAY", "2026-06-01"));
        let mut cmd = Command::new(binary());
        cmd.args([
            "check",
            IMAGE,
            "--pipeline",
            "imgguard.yaml",
            "-f",
            "gitlab-secret-detection",
        ])
        .current_dir(fx.path())
        .env_remove("CI_COMMIT_SHA");
        for (k, v) in &env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{stdout}");
        let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        let errors = validation_errors(&schema, &doc);
        assert!(errors.is_empty(), "{errors:#?}\n{doc:#}");
        assert_eq!(doc["scan"]["type"], "secret_detection");
        assert!(doc["version"].as_str().unwrap().starts_with("15."));
        let vulns = doc["vulnerabilities"].as_array().unwrap();
        assert!(!vulns.is_empty(), "{doc:#}");
        for v in vulns {
            assert!(
                v["identifiers"][0]["value"]
                    .as_str()
                    .unwrap()
                    .starts_with("secret.")
            );
            let extract = v["raw_source_code_extract"].as_str().unwrap();
            assert!(extract.contains('…'), "only the redacted form: {extract}");
            let commit = v["location"]["commit"]["sha"].as_str().unwrap();
            match sha {
                None => assert_eq!(commit, "0123456789abcdef0123456789abcdef01234567"),
                // Without CI_COMMIT_SHA the image digest stands in.
                Some(()) => assert_eq!(commit.len(), 64, "{commit}"),
            }
        }
        assert!(!stdout.contains(PLANTED) && !stdout.contains(&PLANTED[..12]));
    }
    // A broken document is rejected, so the check above can fail.
    let out = fx.run(&[
        "check",
        IMAGE,
        "--pipeline",
        "imgguard.yaml",
        "-f",
        "gitlab-secret-detection",
    ]);
    let mut broken: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    broken["vulnerabilities"][0]["location"]
        .as_object_mut()
        .unwrap()
        .remove("commit");
    assert!(!validation_errors(&schema, &broken).is_empty());
    broken = serde_json::from_str(&out.stdout).unwrap();
    broken["scan"]["type"] = serde_json::json!("sast");
    assert!(!validation_errors(&schema, &broken).is_empty());
    // `gitlab` and `gitlab-codequality` are the same Code Quality report.
    let a = fx.run(&["check", IMAGE, "-p", "imgguard.yaml", "-f", "gitlab"]);
    let b = fx.run(&[
        "check",
        IMAGE,
        "-p",
        "imgguard.yaml",
        "-f",
        "gitlab-codequality",
    ]);
    assert_eq!(a.stdout, b.stdout);
    assert!(a.stdout.trim_start().starts_with('['), "{}", a.stdout);
}

#[test]
fn baseline_gates_only_on_new_findings() {
    let old = Fixture::new(false);
    let out = old.run(&[
        "baseline",
        IMAGE,
        "-p",
        "gate.yaml",
        "-o",
        ".imgguard/baseline.json",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("2 known finding(s)"), "{}", out.stdout);
    let baseline = old.read(".imgguard/baseline.json");
    assert!(baseline.contains("imgguard.baseline/v1"));
    // Same image: every finding is known, so the gate passes.
    let out = old.run(&[
        "check",
        IMAGE,
        "-p",
        "gate.yaml",
        "--baseline",
        ".imgguard/baseline.json",
    ]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout
            .contains("baseline .imgguard/baseline.json: 2 known, 0 new"),
        "{}",
        out.stdout
    );
    // Without the baseline it fails.
    let plain = old.run(&["check", IMAGE, "-p", "gate.yaml"]);
    assert_eq!(plain.code, 1, "{}{}", plain.stdout, plain.stderr);
    // A rebuilt image with one new finding fails on that finding only.
    let new = Fixture::new(true);
    new.write(".imgguard/baseline.json", &baseline);
    let out = new.run(&[
        "check",
        IMAGE,
        "-p",
        "gate.yaml",
        "--baseline",
        ".imgguard/baseline.json",
        "-f",
        "json",
    ]);
    assert_eq!(out.code, 1);
    let report = out.json();
    assert_eq!(report["baseline"]["new"], 1);
    assert_eq!(report["summary"]["gating"], 1);
    let gating = report["gating"].as_array().unwrap();
    let new_finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["location"]["path"] == "/opt/new-link")
        .unwrap();
    assert_eq!(gating[0], new_finding["fingerprint"]);
    // A corrupt baseline is a usage error, not a silent pass.
    new.write("bad.json", "{\"schema\": \"other\"}");
    assert_eq!(
        new.run(&["check", IMAGE, "-p", "gate.yaml", "--baseline", "bad.json"])
            .code,
        2
    );
}

#[test]
fn waivers_expire_and_strict_mode_requires_expiry() {
    let fx = Fixture::new(false);
    fx.write(".imgguard/waivers.yaml", WAIVERS);
    let waived_on = |day: &str, extra: &[&str]| {
        let mut args = vec![
            "check",
            IMAGE,
            "-p",
            "gate.yaml",
            "--waivers",
            ".imgguard/waivers.yaml",
        ];
        args.extend_from_slice(extra);
        run_in(fx.path(), &args, &[("IMGGUARD_TODAY", day)])
    };
    // Before OLD-1 expires both findings are waived: pass.
    let out = waived_on("2026-01-30", &["-f", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report = out.json();
    assert_eq!(report["summary"]["waived"], 2);
    assert_eq!(
        report["summary"]["total"], 2,
        "waived findings stay in the report"
    );
    assert!(report["findings"][0]["waived"]["reason"].is_string());
    // On its expiry day it stops applying.
    let out = waived_on("2026-01-31", &[]);
    assert_eq!(out.code, 1);
    assert!(
        out.stdout.contains("expired OLD-1 on 2026-01-31"),
        "{}",
        out.stdout
    );
    // Strict mode: a waiver without expiry is a spec error.
    fx.write(
        "w2.yaml",
        "apiVersion: imgguard.dev/v1\nkind: Waivers\nwaivers:\n  - {rule: filesystem.link-escapes-root, reason: r, owner: o}\n",
    );
    let out = fx.run(&[
        "check",
        IMAGE,
        "-p",
        "gate.yaml",
        "--waivers",
        "w2.yaml",
        "--strict",
    ]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("requires `expires`"), "{}", out.stderr);
    assert_eq!(
        fx.run(&["check", IMAGE, "-p", "gate.yaml", "--waivers", "w2.yaml"])
            .code,
        0
    );
    let out = fx.run(&["validate", "w2.yaml"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

/// `<testcase name="RULE" …>` and whether it has a `<failure`, `<skipped` or nothing.
fn junit_case<'x>(xml: &'x str, name: &str) -> Option<&'x str> {
    let open = format!("<testcase name=\"{name}\"");
    let start = xml.find(&open)?;
    let rest = xml.get(start..)?;
    // A case is self-closing (`/>`) or ends with `</testcase>`.
    let self_closed = rest.find("/>");
    let closed = rest.find("</testcase>");
    let end = match (self_closed, closed, rest.find('>')) {
        (Some(s), _, Some(gt)) if s + 1 == gt => s + 2,
        (_, Some(c), _) => c + "</testcase>".len(),
        _ => return None,
    };
    rest.get(..end)
}

#[test]
fn junit_has_one_case_per_check_passing_when_it_found_nothing() {
    let fx = Fixture::new(false);
    fx.write(
        "gate.yaml",
        "apiVersion: imgguard.dev/v1\nkind: Pipeline\nmetadata: {name: x}\nchecks:\n  filesystem: {fail_on: medium, disable: [filesystem.world-writable-file]}\n",
    );
    let out = fx.run(&["check", IMAGE, "-p", "gate.yaml", "-f", "junit"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let xml = out.stdout;
    // The rule that fired fails; rules that ran and found nothing pass.
    let fired = junit_case(&xml, "filesystem.link-escapes-root").expect("fired rule has a case");
    assert!(fired.contains("<failure"), "{fired}");
    for quiet in [
        "secret.aws-access-key-id",
        "config.root-user",
        "secret.github-personal-access-token",
    ] {
        let case = junit_case(&xml, quiet).unwrap_or_else(|| panic!("no case for {quiet}:\n{xml}"));
        assert!(
            !case.contains("<failure") && !case.contains("<skipped"),
            "{case}"
        );
    }
    // A rule the spec disabled did not run, so it is not a case.
    assert!(junit_case(&xml, "filesystem.world-writable-file").is_none());
    // As many cases as built-in rules that ran, well over one per category.
    let cases = xml.matches("<testcase ").count();
    assert!(cases > 100, "only {cases} test cases");

    // A category switched off is one skipped case, not silence.
    fx.write(
        "off.yaml",
        "apiVersion: imgguard.dev/v1\nkind: Pipeline\nmetadata: {name: x}\nchecks:\n  secrets: {enabled: false}\n",
    );
    let out = fx.run(&["check", IMAGE, "-p", "off.yaml", "-f", "junit"]);
    let skipped = junit_case(&out.stdout, "secret checks").expect("skipped secret case");
    assert!(skipped.contains("<skipped"), "{skipped}");
    assert!(junit_case(&out.stdout, "secret.aws-access-key-id").is_none());
}

#[test]
fn overrides_change_severity_and_disable_rules() {
    let fx = Fixture::new(false);
    fx.write(
        "low.yaml",
        "apiVersion: imgguard.dev/v1\nkind: Pipeline\nmetadata: {name: x}\nchecks:\n  secrets: {enabled: false}\n  filesystem: {fail_on: medium}\noverrides:\n  filesystem.link-escapes-root: {severity: low}\n",
    );
    let out = fx.run(&["check", IMAGE, "-p", "low.yaml", "-f", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.json()["findings"][0]["severity"], "low");
    fx.write(
        "off.yaml",
        "apiVersion: imgguard.dev/v1\nkind: Pipeline\nmetadata: {name: x}\nchecks:\n  secrets: {enabled: false}\n  filesystem: {disable: [filesystem.link-escapes-root]}\n",
    );
    let out = fx.run(&["check", IMAGE, "-p", "off.yaml", "-f", "json"]);
    assert_eq!(out.code, 0);
    assert_eq!(out.json()["summary"]["total"], 0);
    fx.write(
        "critical.yaml",
        "apiVersion: imgguard.dev/v1\nkind: Pipeline\nmetadata: {name: x}\nchecks:\n  secrets: {enabled: false}\n  filesystem: {fail_on: critical}\n",
    );
    assert_eq!(fx.run(&["check", IMAGE, "-p", "critical.yaml"]).code, 0);
}

#[test]
fn planted_secret_reaches_no_output_format() {
    let fx = Fixture::new(true);
    let out = run_every_format(&fx);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let human = fx.run(&["check", IMAGE, "-p", "gate.yaml"]);
    let mut texts = vec![
        ("stdout".to_owned(), out.stdout.clone()),
        ("stderr".to_owned(), out.stderr.clone()),
        ("human stdout".to_owned(), human.stdout + &human.stderr),
    ];
    for f in [
        "out/report.txt",
        "out/report.json",
        "out/gl-code-quality.json",
        "out/gl-secret-detection-report.json",
        "summary.md",
        "out/imgguard.sarif",
        "out/imgguard.junit.xml",
    ] {
        texts.push((f.to_owned(), fx.read(f)));
    }
    // The layer with findings was made by a history line that carries the value, so
    // the human, SARIF and JUnit reports all print that (redacted) instruction.
    assert!(fx.read("out/report.json").contains("DB_PASSWORD="));
    let baseline = fx.run(&["baseline", IMAGE, "-p", "gate.yaml", "-o", "b.json"]);
    texts.push(("baseline stdout".into(), baseline.stdout + &baseline.stderr));
    texts.push(("baseline file".into(), fx.read("b.json")));
    let bad = fx.run(&[
        "check",
        IMAGE,
        "-p",
        "gate.yaml",
        "--waivers",
        "missing.yaml",
    ]);
    texts.push(("error".into(), bad.stderr));
    for (name, text) in &texts {
        assert!(
            !text.contains(PLANTED),
            "{name} leaks the planted value:\n{text}"
        );
        assert!(
            !text.contains(&PLANTED[..12]),
            "{name} leaks a prefix of the value"
        );
    }
}

#[test]
fn several_formats_need_explicit_paths_with_output() {
    let fx = Fixture::new(false);
    let out = fx.run(&[
        "check",
        IMAGE,
        "-p",
        "gate.yaml",
        "-f",
        "json",
        "-f",
        "sarif",
        "-o",
        "x",
    ]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("FORMAT=PATH"), "{}", out.stderr);
    let out = fx.run(&["check", IMAGE, "-p", "gate.yaml", "-f", "yaml"]);
    assert_eq!(out.code, 2);
    let out = fx.run(&[
        "check",
        IMAGE,
        "-p",
        "gate.yaml",
        "-f",
        "json",
        "-o",
        "one.json",
    ]);
    assert_eq!(out.code, 1);
    assert!(fx.read("one.json").contains("imgguard.report/v1"));
}

/// A report built directly, for writer behaviour no analyzer of this build triggers yet
/// (secret findings, many annotations).
fn constructed_report(findings: Vec<imgguard::finding::Finding>) -> imgguard::report::Report {
    use imgguard::report::model::{ImageSummary, Summary, Timing, Tool, Verification};
    let gating: Vec<String> = {
        let mut g: Vec<String> = findings.iter().map(|f| f.fingerprint.clone()).collect();
        g.sort();
        g.dedup();
        g
    };
    imgguard::report::Report {
        schema: "imgguard.report/v1".into(),
        tool: Tool {
            name: "imgguard".into(),
            version: "0".into(),
            ruleset_digest: "sha256:0".into(),
        },
        image: ImageSummary {
            reference: "registry.example.com/team/app:1".into(),
            digest: Some(format!("sha256:{}", "c".repeat(64)).parse().unwrap()),
            digest_kind: None,
            source: imgguard::source::SourceInfo::new("registry", "registry.example.com"),
            platforms: Vec::new(),
            attestation_manifests: Vec::new(),
        },
        verdict: imgguard::policy::Verdict::Fail,
        reasons: vec!["because".into()],
        summary: Summary {
            total: findings.len(),
            gating: gating.len(),
            ..Summary::default()
        },
        findings,
        verification: Verification::default(),
        coverage: imgguard::coverage::Coverage::default(),
        timing_ms: Timing { total: 1 },
        pipeline: Some("p".into()),
        waivers: None,
        baseline: None,
        gating,
        dockerfile: None,
        build: None,
        push: None,
        checks: Vec::new(),
    }
}

fn secret_finding(i: usize, value: &str) -> imgguard::finding::Finding {
    use imgguard::finding::{
        Category, DockerfileLocation, Finding, Location, RedactedSecret, Severity, SourceKind,
    };
    let mut loc = Location::new(SourceKind::File)
        .with_path(format!("/app/conf-{i}.env, with: odd%chars\n"))
        .with_line(3);
    if i == 0 {
        loc.dockerfile = Some(DockerfileLocation {
            file: "build/Dockerfile".into(),
            line: 7,
        });
    }
    Finding::new(
        "secret.test-token",
        Category::Secret,
        if i.is_multiple_of(2) {
            Severity::Critical
        } else {
            Severity::High
        },
        "Test token",
        "a test token is baked into the image",
        loc,
    )
    .with_secret(RedactedSecret::from_value(value.as_bytes()))
}

#[test]
fn writers_see_only_redacted_values_and_github_caps_annotations() {
    use imgguard::spec::ReportFormat;
    let findings: Vec<_> = (0..13).map(|i| secret_finding(i, PLANTED)).collect();
    let report = constructed_report(findings);
    for format in ReportFormat::ALL {
        let mut out = Vec::new();
        imgguard::report::write_report(
            &report,
            format,
            imgguard::report::write::RenderOptions { colour: true },
            &mut out,
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains(PLANTED), "{format:?} leaks:\n{text}");
        assert!(
            text.contains("…(31)"),
            "{format:?} shows the redacted form:\n{text}"
        );
    }
    let summary = imgguard::report::github::github_summary(&report);
    assert!(!summary.contains(PLANTED));
    let mut out = Vec::new();
    imgguard::report::github::write_github_annotations(&report, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let errors: Vec<&str> = text.lines().filter(|l| l.starts_with("::error ")).collect();
    assert_eq!(errors.len(), 10, "{text}");
    assert!(
        text.contains("imgguard: 3 more error annotation(s) not shown"),
        "{text}"
    );
    // The most severe come first, and every line is one workflow command.
    assert!(
        errors.iter().take(7).all(|l| l.contains("(critical)")),
        "{text}"
    );
    assert!(errors[0].contains("file=build/Dockerfile,line=7"), "{text}");
    assert!(
        text.contains("conf-1.env%2C with%3A odd%25chars%0A")
            || text.contains("conf-1.env, with: odd%25chars%0A"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 12, "{text}");
    // SARIF of the constructed report validates too (Dockerfile location, odd paths).
    let doc = imgguard::report::sarif::sarif_document(&report);
    let errors = validation_errors(&sarif_schema(), &doc);
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(
        doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "build/Dockerfile"
    );
    // Without a line mapping: the in-image path, or the spec's Dockerfile when known.
    let second = &doc["runs"][0]["results"][1]["locations"][0]["physicalLocation"];
    assert_eq!(second["artifactLocation"]["uriBaseId"], "IMAGE_ROOT");
    assert_eq!(second["region"]["startLine"], 3);
    let mut with_dockerfile = report;
    with_dockerfile.dockerfile = Some("Dockerfile".into());
    let doc = imgguard::report::sarif::sarif_document(&with_dockerfile);
    assert_eq!(
        doc["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "Dockerfile"
    );
    assert!(validation_errors(&sarif_schema(), &doc).is_empty());
}

/// The fenced YAML block of `docs/spec.md` whose first line is `first_line`.
fn doc_block(first_line: &str) -> String {
    doc_block_in("docs/spec.md", first_line)
}

fn doc_block_in(file: &str, first_line: &str) -> String {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).unwrap();
    let start = doc
        .find(&format!("```yaml\n{first_line}\n"))
        .unwrap_or_else(|| panic!("no yaml block starting with {first_line}"));
    let body = &doc[start + "```yaml\n".len()..];
    body[..body.find("```").unwrap()].to_owned()
}

#[test]
fn docs_examples_parse() {
    let spec = doc_block("# imgguard.yaml");
    let pipeline = imgguard::spec::parse_pipeline(&spec, "docs/spec.md").unwrap();
    assert!(pipeline.strict);
    assert_eq!(pipeline.reports.len(), 6);
    // The README shows the same complete spec.
    assert_eq!(doc_block_in("README.md", "# imgguard.yaml"), spec);
    assert_eq!(pipeline.overrides.len(), 2);
    let waivers = doc_block("# .imgguard/waivers.yaml");
    let file = imgguard::spec::parse_waivers(&waivers, "docs/spec.md", true).unwrap();
    assert_eq!(file.waivers.len(), 2);
    // The editor schema accepts the documented spec too.
    let schema: serde_json::Value = serde_json::from_slice(
        &std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/pipeline.v1.json"))
            .unwrap(),
    )
    .unwrap();
    let errors = validation_errors(&schema, &serde_saphyr_to_json(&spec));
    assert!(errors.is_empty(), "{errors:#?}");
    let typo = spec.replace("fail_on: medium", "fail_onn: medium");
    assert!(!validation_errors(&schema, &serde_saphyr_to_json(&typo)).is_empty());
}

#[test]
fn docs_verify_example_parses() {
    let spec = format!(
        "apiVersion: imgguard.dev/v1\nkind: Pipeline\nmetadata: {{name: docs}}\n{}",
        doc_block("verify:")
    );
    let pipeline = imgguard::spec::parse_pipeline(&spec, "docs/spec.md").unwrap();
    let verify = &pipeline.verify;
    assert_eq!(verify.signatures.as_ref().unwrap().authorities.len(), 2);
    assert_eq!(verify.provenance.as_ref().unwrap().min_level, Some(3));
    assert!(verify.repository.is_some());
}

#[test]
fn human_report_is_coloured_on_a_terminal_only() {
    if !crate::support::registry::require("script") {
        return;
    }
    let fx = Fixture::new(false);
    let line = format!(
        "{} check {IMAGE} -p gate.yaml --no-progress",
        binary().display()
    );
    let on_tty = |env: &[(&str, &str)]| {
        let mut cmd = Command::new("script");
        cmd.args(["-qec", &line, "/dev/null"])
            .current_dir(fx.path())
            .env_remove("NO_COLOR")
            .env("IMGGUARD_TODAY", "2026-06-01")
            .stdin(std::process::Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        String::from_utf8_lossy(&cmd.output().unwrap().stdout).into_owned()
    };
    let coloured = on_tty(&[]);
    assert!(
        coloured.contains("\x1b[") && coloured.contains("FAIL"),
        "{coloured:?}"
    );
    let plain = on_tty(&[("NO_COLOR", "1")]);
    assert!(
        !plain.contains("\x1b[") && plain.contains("FAIL"),
        "{plain:?}"
    );
    // Piped: never colour (the snapshot test checks the file form too).
    let piped = fx.run(&["check", IMAGE, "-p", "gate.yaml"]);
    assert!(!piped.stdout.contains('\x1b'), "{}", piped.stdout);
}
