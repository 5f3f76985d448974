//! Local sources end to end: OCI layouts (by tag, several), OCI archives, both
//! `docker save` styles, multi-platform indexes with BuildKit attestation manifests,
//! every compression, whiteouts, links and platform selection.

use serde_json::Value;

use crate::support::image::{
    Blobs, Comp, Image, Layer, attestation_manifest, index, oci_layout_files, write_dir,
    write_legacy_docker_archive, write_oci_style_docker_archive, write_tar,
};
use crate::support::run::{check_json, imgguard};

fn sample_image(comp: Comp) -> Image {
    Image::new()
        .layer(
            Layer::new()
                .dir("etc")
                .file("etc/hostname", "box\n")
                .symlink("etc/mtab", "../proc/self/mounts"),
            comp,
            "COPY rootfs /",
        )
        .layer(
            Layer::new()
                .dir("app")
                .file("app/run.sh", "#!/bin/sh\necho hi\n")
                .hardlink("app/run2.sh", "app/run.sh"),
            comp,
            "COPY app /app",
        )
        // A non-root user keeps the config checks quiet: these tests are about sources.
        .config_field("User", serde_json::json!("10001"))
}

fn findings_of(report: &Value, rule: &str) -> Vec<Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .cloned()
        .collect()
}

fn layout_of(image: &Image, tag: Option<&str>) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut blobs = Blobs::default();
    let desc = image.store(&mut blobs);
    write_dir(
        dir.path(),
        &oci_layout_files(&blobs, &[(desc.clone(), tag)]),
    );
    (dir, desc["digest"].as_str().unwrap().to_owned())
}

#[test]
fn every_compression_streams_and_verifies() {
    for comp in [Comp::None, Comp::Gzip, Comp::Zstd] {
        let (dir, digest) = layout_of(&sample_image(comp), None);
        let (out, report) = check_json(&format!("oci:{}", dir.path().display()), &[]);
        assert_eq!(out.code, 0, "{comp:?}: {}\n{}", out.stdout, out.stderr);
        assert_eq!(report["verdict"], "pass");
        assert_eq!(report["image"]["digest"], digest);
        assert_eq!(report["image"]["digest_kind"], "manifest");
        assert_eq!(report["coverage"]["layers"], 2);
        assert_eq!(report["coverage"]["files"], 6, "{report:#}");
        // An ordinary relative symlink and a hard link are walked and are no finding.
        assert!(
            report["findings"].as_array().unwrap().is_empty(),
            "{comp:?}: {report:#}"
        );
    }
}

#[test]
fn tag_selects_among_several_images_and_a_missing_tag_names_the_present_ones() {
    let dir = tempfile::tempdir().unwrap();
    let mut blobs = Blobs::default();
    let a = sample_image(Comp::Gzip).store(&mut blobs);
    let b = sample_image(Comp::Zstd).store(&mut blobs);
    write_dir(
        dir.path(),
        &oci_layout_files(&blobs, &[(a.clone(), Some("v1")), (b.clone(), Some("v2"))]),
    );
    let (_, report) = check_json(&format!("oci:{}:v2", dir.path().display()), &[]);
    assert_eq!(report["image"]["digest"], b["digest"]);
    let out = imgguard(&["check", &format!("oci:{}:v3", dir.path().display())]);
    assert_eq!(out.code, 3, "{}", out.stderr);
    let (_, untagged) = check_json(&format!("oci:{}", dir.path().display()), &[]);
    assert_eq!(untagged["verdict"], "incomplete");
    assert!(
        untagged["coverage"]["skipped"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("v1, v2"),
        "{untagged:#}"
    );
}

#[test]
fn oci_archive_reads_the_same_image() {
    let image = sample_image(Comp::Gzip);
    let mut blobs = Blobs::default();
    let desc = image.store(&mut blobs);
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("image.tar");
    write_tar(
        &archive,
        &oci_layout_files(&blobs, &[(desc.clone(), Some("1.0"))]),
        &[],
    );
    let (out, report) = check_json(&format!("oci-archive:{}:1.0", archive.display()), &[]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_eq!(report["image"]["digest"], desc["digest"]);
    assert_eq!(report["image"]["source"]["transport"], "oci-archive");
}

#[test]
fn legacy_docker_save_archive_is_named_by_image_id_and_verified() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("save.tar");
    write_legacy_docker_archive(&archive, &sample_image(Comp::Gzip), "acme/app:1.0");
    let (out, report) = check_json(&format!("docker-archive:{}", archive.display()), &[]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(report["image"]["digest_kind"], "image-id");
    assert_eq!(report["coverage"]["layers"], 2);
    assert_eq!(report["coverage"]["files"], 6);
    let (_, by_name) = check_json(
        &format!("docker-archive:{}:acme/app:1.0", archive.display()),
        &[],
    );
    assert_eq!(by_name["image"]["digest"], report["image"]["digest"]);
    let (_, missing) = check_json(
        &format!("docker-archive:{}:acme/app:2.0", archive.display()),
        &[],
    );
    assert_eq!(missing["verdict"], "incomplete");
    assert!(
        missing["coverage"]["skipped"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("acme/app:1.0")
    );
}

#[test]
fn docker_25_oci_style_archive_uses_the_real_manifest_digest() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("save.tar");
    let image = sample_image(Comp::None);
    write_oci_style_docker_archive(&archive, &image, "app:1");
    let (out, report) = check_json(&format!("docker-archive:{}:app:1", archive.display()), &[]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(report["image"]["digest_kind"], "manifest");
    let mut blobs = Blobs::default();
    assert_eq!(report["image"]["digest"], image.store(&mut blobs)["digest"]);
}

fn multi_platform_layout() -> (tempfile::TempDir, Value, Value, Value) {
    let mut blobs = Blobs::default();
    let amd = sample_image(Comp::Gzip).store(&mut blobs);
    let arm = sample_image(Comp::Zstd)
        .platform("linux", "arm64", Some("v8"))
        .store(&mut blobs);
    let att = attestation_manifest(&mut blobs, amd["digest"].as_str().unwrap());
    let idx = index(&mut blobs, vec![amd.clone(), arm.clone(), att.clone()]);
    let dir = tempfile::tempdir().unwrap();
    write_dir(
        dir.path(),
        &oci_layout_files(&blobs, &[(idx.clone(), Some("multi"))]),
    );
    (dir, idx, amd, att)
}

#[test]
fn an_index_checks_every_platform_and_sets_buildkit_attestations_aside() {
    let (dir, idx, amd, att) = multi_platform_layout();
    let (out, report) = check_json(&format!("oci:{}", dir.path().display()), &[]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_eq!(report["image"]["digest"], idx["digest"]);
    assert_eq!(report["image"]["digest_kind"], "index");
    let platforms: Vec<&str> = report["image"]["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["platform"].as_str().unwrap())
        .collect();
    assert_eq!(platforms, ["linux/amd64", "linux/arm64/v8"]);
    assert_eq!(
        report["image"]["platforms"][0]["manifest_digest"],
        amd["digest"]
    );
    assert_eq!(
        report["image"]["attestation_manifests"],
        serde_json::json!([att["digest"]])
    );
    assert_eq!(report["coverage"]["layers"], 4);
}

#[test]
fn platform_flag_narrows_and_an_absent_platform_is_a_usage_error() {
    let (dir, ..) = multi_platform_layout();
    let reference = format!("oci:{}", dir.path().display());
    let (_, report) = check_json(&reference, &["--platform", "linux/arm64"]);
    assert_eq!(report["image"]["platforms"].as_array().unwrap().len(), 1);
    assert_eq!(report["coverage"]["layers"], 2);
    let out = imgguard(&["check", &reference, "--platform", "linux/s390x"]);
    assert_eq!(out.code, 2);
    let flat: String = out
        .stderr
        .split_whitespace()
        .filter(|w| *w != "│")
        .collect();
    assert!(
        flat.contains("linux/amd64,linux/arm64/v8"),
        "{}",
        out.stderr
    );
}

#[test]
fn unsafe_paths_and_escaping_links_are_findings_and_deletion_is_tracked() {
    let image = Image::new()
        .layer(
            Layer::new()
                .file("../../escape.txt", "x")
                .symlink("etc/shadow-link", "../../../../etc/shadow")
                .hardlink("evil-hardlink", "../../outside"),
            Comp::Gzip,
            "ADD hostile.tar /",
        )
        .layer(
            Layer::new()
                .whiteout("etc/shadow-link")
                .file("evil-hardlink", "replaced"),
            Comp::Gzip,
            "RUN cleanup",
        );
    let (dir, _) = layout_of(&image, None);
    let (out, report) = check_json(&format!("oci:{}", dir.path().display()), &[]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    let unsafe_path = findings_of(&report, "filesystem.unsafe-path");
    assert_eq!(unsafe_path.len(), 1, "{report:#}");
    assert_eq!(unsafe_path[0]["location"]["path"], "/escape.txt");
    assert_eq!(
        unsafe_path[0]["location"]["layer"]["created_by"],
        "ADD hostile.tar /"
    );
    let link = findings_of(&report, "filesystem.link-escapes-root");
    assert_eq!(link.len(), 1);
    assert_eq!(link[0]["location"]["deleted"], true, "{link:#?}");
    assert_eq!(link[0]["location"]["deleted_by_layer"], 1);
    let hard = findings_of(&report, "filesystem.hardlink-escapes-root");
    assert_eq!(hard[0]["location"]["overwritten"], true);
    assert_eq!(hard[0]["location"]["overwritten_by_layer"], 1);
}

#[test]
fn opaque_directories_hide_lower_files() {
    let image = Image::new()
        .layer(
            Layer::new().symlink("cache/link", "../../../../x"),
            Comp::Gzip,
            "RUN a",
        )
        .layer(
            Layer::new().opaque("cache").file("cache/new", "n"),
            Comp::Gzip,
            "RUN b",
        );
    let (dir, _) = layout_of(&image, None);
    let (_, report) = check_json(&format!("oci:{}", dir.path().display()), &[]);
    let link = findings_of(&report, "filesystem.link-escapes-root");
    assert_eq!(link[0]["location"]["deleted"], true, "{report:#}");
}
