//! Secret detection end to end through the real binary: config, history and build
//! arguments, deleted files, nested archives, binaries, the credential inventory, and
//! that no planted value appears in any output.

use serde_json::Value;

use crate::support::image::{Blobs, Comp, Image, Layer, oci_layout_files, write_dir};
use crate::support::run::{check_json, imgguard};

const DB_PASS: &str = "ComplexPassword123";
const GITLAB: &str = "glpat-Qv7rT2mW9xK4pL8sN3bZ";
const SLACK_HOOK: &str = "T0A1B2C3D/B9Z8Y7X6W/Qm4Rt7Lp2Vx9Kc3Nb6Hz1Wd8";
const STRIPE: &str = "sk_live_Rq8Vm2Lp7Xs4Tk9Wn3Bd6Hz1";

/// A minimal stored zip holding one member (enough for a jar).
fn stored_zip(name: &str, content: &[u8]) -> Vec<u8> {
    let crc = crc32fast::hash(content);
    let len = u32::try_from(content.len()).unwrap();
    let name_len = u16::try_from(name.len()).unwrap();
    let mut out = Vec::new();
    out.extend_from_slice(b"PK\x03\x04\x14\x00\x00\x00\x00\x00\x00\x00\x00\x00");
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&name_len.to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(content);
    let cd_offset = u32::try_from(out.len()).unwrap();
    let mut cd = Vec::new();
    cd.extend_from_slice(b"PK\x01\x02\x14\x00\x14\x00\x00\x00\x00\x00\x00\x00\x00\x00");
    cd.extend_from_slice(&crc.to_le_bytes());
    cd.extend_from_slice(&len.to_le_bytes());
    cd.extend_from_slice(&len.to_le_bytes());
    cd.extend_from_slice(&name_len.to_le_bytes());
    cd.extend_from_slice(&[0; 12]);
    cd.extend_from_slice(&0u32.to_le_bytes());
    cd.extend_from_slice(name.as_bytes());
    let cd_len = u32::try_from(cd.len()).unwrap();
    out.extend_from_slice(&cd);
    out.extend_from_slice(b"PK\x05\x06\x00\x00\x00\x00\x01\x00\x01\x00");
    out.extend_from_slice(&cd_len.to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out
}

fn secrets_image() -> Image {
    let yml = format!(
        "server:\n  port: 8080\nslack:\n  webhook: https://hooks.slack.com/services/{SLACK_HOOK}\n"
    );
    let mut binary = vec![0u8, 1, 2, 3, 0x7f, 0xfe];
    binary.extend_from_slice(format!("\0STRIPE_KEY={STRIPE}\0").as_bytes());
    Image::new()
        .layer(
            Layer::new()
                .dir("root")
                .file(
                    "root/.npmrc",
                    format!("//gitlab.example/:_authToken={GITLAB}\n"),
                )
                .file(
                    "app/app.jar",
                    stored_zip("BOOT-INF/classes/application.yml", yml.as_bytes()),
                )
                .file("usr/bin/tool", binary),
            Comp::Gzip,
            "COPY . /",
        )
        .layer(
            Layer::new().whiteout("root/.npmrc"),
            Comp::Gzip,
            "RUN rm /root/.npmrc",
        )
        .step(&format!("ENV DB_PASS={DB_PASS}"))
        .env(&format!("DB_PASS={DB_PASS}"))
        .env("DB_USER=readonly_user")
}

fn layout(image: &Image) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut blobs = Blobs::default();
    let desc = image.store(&mut blobs);
    write_dir(dir.path(), &oci_layout_files(&blobs, &[(desc, None)]));
    let reference = format!("oci:{}", dir.path().display());
    (dir, reference)
}

fn secret_findings(report: &Value) -> Vec<Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["category"] == "secret")
        .cloned()
        .collect()
}

#[test]
fn secrets_are_found_everywhere_with_attribution() {
    let (_dir, reference) = layout(&secrets_image());
    let (out, report) = check_json(&reference, &[]);
    let found = secret_findings(&report);
    let by_rule =
        |rule: &str| -> Vec<&Value> { found.iter().filter(|f| f["rule"] == rule).collect() };

    let db = by_rule("secret.database-password-assignment");
    let sources: Vec<&str> = db
        .iter()
        .map(|f| f["location"]["source"].as_str().unwrap())
        .collect();
    assert!(
        sources.contains(&"env") && sources.contains(&"history"),
        "{sources:?}\n{report:#}"
    );
    assert!(!found.iter().any(|f| f["location"]["path"] == "DB_USER"));

    let npmrc = by_rule("secret.gitlab-personal-access-token");
    assert_eq!(npmrc.len(), 1, "{report:#}");
    assert_eq!(npmrc[0]["location"]["path"], "/root/.npmrc");
    assert_eq!(npmrc[0]["location"]["deleted"], true);
    assert_eq!(npmrc[0]["location"]["line"], 1);
    assert_eq!(npmrc[0]["location"]["layer"]["index"], 0);

    let hook = by_rule("secret.slack-webhook-url");
    assert_eq!(hook.len(), 1, "{report:#}");
    assert_eq!(
        hook[0]["location"]["archive_path"],
        serde_json::json!(["BOOT-INF/classes/application.yml"])
    );
    assert_eq!(hook[0]["location"]["line"], 4);

    let stripe = by_rule("secret.stripe-secret-key");
    assert_eq!(stripe.len(), 1, "{report:#}");
    assert_eq!(stripe[0]["location"]["path"], "/usr/bin/tool");
    assert_eq!(stripe[0]["credential"]["provider"], "stripe");
    assert_eq!(stripe[0]["credential"]["kind"], "api-token");
    assert_eq!(stripe[0]["credential"]["long_lived"], true);

    assert_eq!(report["verdict"], "fail", "{report:#}");
    assert_eq!(out.code, 1);
}

#[test]
fn no_planted_secret_value_reaches_any_output() {
    let (_dir, reference) = layout(&secrets_image());
    let runs = [
        imgguard(&["check", &reference, "--format", "json"]),
        imgguard(&["check", &reference]),
    ];
    for run in &runs {
        for value in [DB_PASS, GITLAB, SLACK_HOOK, STRIPE] {
            assert!(
                !run.stdout.contains(value),
                "{value} leaked to stdout:\n{}",
                run.stdout
            );
            assert!(
                !run.stderr.contains(value),
                "{value} leaked to stderr:\n{}",
                run.stderr
            );
        }
    }
}
