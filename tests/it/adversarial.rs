//! Hostile images: every one ends `incomplete` (exit 3) with its reason in
//! `coverage.skipped`, in bounded memory, and never with a panic.

use std::io::Write;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::support::image::{Blobs, Comp, Image, Layer, oci_layout_files, sha256, write_dir};
use crate::support::run::{binary, check_json};

fn layout(image: &Image) -> (tempfile::TempDir, Value) {
    let dir = tempfile::tempdir().unwrap();
    let mut blobs = Blobs::default();
    let desc = image.store(&mut blobs);
    write_dir(
        dir.path(),
        &oci_layout_files(&blobs, &[(desc.clone(), None)]),
    );
    (dir, desc)
}

fn layer_blob_path(dir: &Path, desc: &Value, index: usize) -> std::path::PathBuf {
    let manifest_path = dir.join("blobs/sha256").join(
        desc["digest"]
            .as_str()
            .unwrap()
            .trim_start_matches("sha256:"),
    );
    let manifest: Value = serde_json::from_slice(&std::fs::read(manifest_path).unwrap()).unwrap();
    let digest = manifest["layers"][index]["digest"]
        .as_str()
        .unwrap()
        .trim_start_matches("sha256:")
        .to_owned();
    dir.join("blobs/sha256").join(digest)
}

/// Assert an incomplete verdict with exactly one gap of `kind`; return the gap reason.
fn assert_incomplete(reference: &str, extra: &[&str], kind: &str) -> String {
    let (out, report) = check_json(reference, extra);
    assert_eq!(
        out.code, 3,
        "expected exit 3\nstdout:{}\nstderr:{}",
        out.stdout, out.stderr
    );
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    assert_eq!(report["verdict"], "incomplete");
    let gaps = report["coverage"]["skipped"].as_array().unwrap();
    let matching: Vec<&Value> = gaps.iter().filter(|g| g["kind"] == kind).collect();
    assert_eq!(
        matching.len(),
        1,
        "expected one {kind} gap, found {gaps:#?}"
    );
    matching[0]["reason"].as_str().unwrap().to_owned()
}

fn plain_image(comp: Comp) -> Image {
    Image::new()
        .layer(
            Layer::new().file("etc/a.conf", "alpha=1\n"),
            comp,
            "COPY a /",
        )
        .layer(
            Layer::new().file("etc/b.conf", "beta=2\n"),
            comp,
            "COPY b /",
        )
}

#[test]
fn a_tampered_layer_blob_is_a_digest_mismatch() {
    for comp in [Comp::None, Comp::Gzip] {
        let (dir, desc) = layout(&plain_image(comp));
        let blob = layer_blob_path(dir.path(), &desc, 1);
        let mut bytes = std::fs::read(&blob).unwrap();
        let n = bytes.len();
        bytes[n / 2] ^= 0x01;
        std::fs::write(&blob, &bytes).unwrap();
        let reason = assert_incomplete(
            &format!("oci:{}", dir.path().display()),
            &[],
            "digest-mismatch",
        );
        assert!(
            reason.contains("expected sha256:") && reason.contains("found sha256:"),
            "{comp:?}: {reason}"
        );
    }
}

#[test]
fn a_wrong_diff_id_is_a_diff_id_mismatch() {
    let bogus = sha256(b"not the layer");
    let (dir, _) = layout(&plain_image(Comp::Gzip).override_diff_id(0, &bogus));
    let reason = assert_incomplete(
        &format!("oci:{}", dir.path().display()),
        &[],
        "diff-id-mismatch",
    );
    assert!(reason.contains(&bogus), "{reason}");
}

#[test]
fn a_truncated_gzip_layer_is_a_corrupt_stream() {
    fn truncate(mut b: Vec<u8>) -> Vec<u8> {
        b.truncate(b.len() - 12);
        b
    }
    let (dir, _) = layout(&plain_image(Comp::Gzip).transform_blob(1, truncate));
    let reason = assert_incomplete(
        &format!("oci:{}", dir.path().display()),
        &[],
        "corrupt-stream",
    );
    assert!(reason.contains("gzip"), "{reason}");
}

#[test]
fn a_corrupt_tar_header_is_a_corrupt_stream() {
    fn break_checksum(mut tar: Vec<u8>) -> Vec<u8> {
        tar[148] ^= 0x7;
        tar
    }
    // The image ships the broken tar with matching digests: only the tar is wrong.
    let tampered = break_checksum(Layer::new().file("etc/a.conf", "alpha=1\n").tar());
    let image = plain_image(Comp::None)
        .transform_blob(0, break_checksum)
        .override_diff_id(0, &sha256(&tampered));
    let (dir, _) = layout(&image);
    let reason = assert_incomplete(
        &format!("oci:{}", dir.path().display()),
        &[],
        "corrupt-stream",
    );
    assert!(reason.contains("tar"), "{reason}");
}

/// Peak RSS in MB of `imgguard check REF --format json`, with its report.
fn check_with_peak_rss(reference: &str, extra: &[&str]) -> (f64, i32, Value) {
    let mut cmd = Command::new("/usr/bin/time");
    cmd.arg("-f")
        .arg("IMGGUARD_MAXRSS_KB=%M")
        .arg(binary())
        .args(["check", reference, "--format", "json"])
        .args(extra);
    let out = cmd
        .output()
        .expect("/usr/bin/time (Debian package `time`) must be installed");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let kb: f64 = stderr
        .lines()
        .find_map(|l| l.strip_prefix("IMGGUARD_MAXRSS_KB="))
        .unwrap_or_else(|| panic!("no RSS line in {stderr}"))
        .trim()
        .parse()
        .unwrap();
    let report: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    (kb / 1024.0, out.status.code().unwrap_or(-1), report)
}

/// A 300 MB PAX `comment` record gzips to a few hundred KB; tar-rs would allocate it whole.
#[test]
fn a_300_mb_pax_record_is_refused_without_allocating_it() {
    fn huge_pax_layer() -> Vec<u8> {
        const SIZE: u64 = 300_000_000;
        let mut header = tar::Header::new_ustar();
        header.set_path("PaxHeaders/x").unwrap();
        header.set_entry_type(tar::EntryType::XHeader);
        header.set_size(SIZE);
        header.set_cksum();
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(header.as_bytes()).unwrap();
        let record_head = format!("{SIZE} comment=");
        enc.write_all(record_head.as_bytes()).unwrap();
        let chunk = vec![b'A'; 1 << 20];
        let mut left = SIZE as usize - record_head.len() - 1;
        while left > 0 {
            let n = left.min(chunk.len());
            enc.write_all(&chunk[..n]).unwrap();
            left -= n;
        }
        enc.write_all(b"\n").unwrap();
        enc.write_all(&[0; 1024]).unwrap();
        enc.finish().unwrap()
    }
    fn replace(_: Vec<u8>) -> Vec<u8> {
        huge_pax_layer()
    }
    // The diff_id is not checked here (the layer is refused before its end), so any value works.
    let (dir, desc) = layout(&plain_image(Comp::Gzip).transform_blob(1, replace));
    let blob_size = std::fs::metadata(layer_blob_path(dir.path(), &desc, 1))
        .unwrap()
        .len();
    assert!(
        blob_size < 2_000_000,
        "the hostile layer should be small, is {blob_size}"
    );
    let (rss, code, report) = check_with_peak_rss(&format!("oci:{}", dir.path().display()), &[]);
    assert_eq!(code, 3, "{report:#}");
    let gap = &report["coverage"]["skipped"][0];
    assert_eq!(gap["kind"], "budget");
    assert!(
        gap["reason"]
            .as_str()
            .unwrap()
            .contains("PAX extended header"),
        "{gap}"
    );
    assert!(
        rss < 100.0,
        "peak RSS {rss:.1} MB: the PAX record was allocated"
    );
}

#[test]
fn an_entry_count_bomb_hits_the_entry_budget() {
    let mut layer = Layer::new();
    for i in 0..1500 {
        layer = layer.file(&format!("f/{i}"), "");
    }
    let (dir, _) = layout(&Image::new().layer(layer, Comp::Gzip, "RUN touch"));
    let spec = dir.path().join("spec.yaml");
    std::fs::write(&spec, "apiVersion: imgguard.dev/v1\nkind: Pipeline\nmetadata: {name: tight}\nbudgets: {max_entries_per_layer: 1000}\n").unwrap();
    let reason = assert_incomplete(
        &format!("oci:{}", dir.path().display()),
        &["--pipeline", spec.to_str().unwrap()],
        "budget",
    );
    assert!(reason.contains("1000 entries"), "{reason}");
}

#[test]
fn a_decompression_bomb_stops_at_the_budget_in_bounded_memory() {
    fn bomb(comp: Comp) -> Vec<u8> {
        // 1 GiB of zeros in one file, as 1024 concatenated members/frames of 1 MiB:
        // about 1 MB of gzip (the format's ~1000:1 limit) and a few KB of zstd.
        const SIZE: u64 = 1 << 30;
        let mut header = tar::Header::new_ustar();
        header.set_path("zeros").unwrap();
        header.set_size(SIZE);
        header.set_cksum();
        let pack = |data: &[u8]| match comp {
            Comp::Gzip => {
                let mut enc =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
                enc.write_all(data).unwrap();
                enc.finish().unwrap()
            }
            _ => zstd::encode_all(data, 19).unwrap(),
        };
        let zeros = pack(&vec![0_u8; 1 << 20]);
        let mut out = pack(header.as_bytes());
        for _ in 0..(SIZE >> 20) {
            out.extend_from_slice(&zeros);
        }
        out.extend_from_slice(&pack(&[0; 1024]));
        out
    }
    fn gzip_bomb(_: Vec<u8>) -> Vec<u8> {
        bomb(Comp::Gzip)
    }
    fn zstd_bomb(_: Vec<u8>) -> Vec<u8> {
        bomb(Comp::Zstd)
    }
    for (comp, f) in [
        (Comp::Gzip, gzip_bomb as fn(Vec<u8>) -> Vec<u8>),
        (Comp::Zstd, zstd_bomb),
    ] {
        let (dir, _) = layout(&plain_image(comp).transform_blob(0, f));
        let (rss, code, report) =
            check_with_peak_rss(&format!("oci:{}", dir.path().display()), &[]);
        assert_eq!(code, 3, "{comp:?}: {report:#}");
        let gaps = report["coverage"]["skipped"].as_array().unwrap();
        assert!(
            gaps.iter().any(|g| g["kind"] == "budget"
                && g["reason"].as_str().unwrap().contains("decompression bomb")),
            "{gaps:#?}"
        );
        assert!(rss < 100.0, "{comp:?}: peak RSS {rss:.1} MB");
    }
}

/// A tar of `size` bytes of text (members of 1 MiB) whose last member holds `tail`.
fn big_nested_tar(size: usize, tail: &str) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    let filler = "log line with nothing secret in it\n".repeat(30_000);
    let mut written = 0;
    let mut i = 0;
    while written < size {
        let mut header = tar::Header::new_ustar();
        header.set_size(filler.len() as u64);
        header.set_mode(0o644);
        builder
            .append_data(&mut header, format!("logs/{i}.log"), filler.as_bytes())
            .unwrap();
        written += filler.len();
        i += 1;
    }
    let mut header = tar::Header::new_ustar();
    header.set_size(tail.len() as u64);
    header.set_mode(0o644);
    builder
        .append_data(&mut header, "app/config/.env", tail.as_bytes())
        .unwrap();
    builder.into_inner().unwrap()
}

/// Archives inside layer files are streamed, not held: an 8 MB tar and the same tar
/// gzipped, each with a secret in its last member, are scanned to the end (finding with
/// the archive chain, no gap) even with a 1 MiB in-memory archive budget, which a
/// buffered archive would exceed.
#[test]
fn nested_tar_and_tar_gz_are_streamed_to_their_last_member_in_bounded_memory() {
    let token = "glpat-Zq8vL2mN4pR7sT1wX5yB";
    let tar = big_nested_tar(8 << 20, &format!("A=1\nGITLAB_TOKEN={token}\n"));
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar).unwrap();
    let tgz = gz.finish().unwrap();
    let layer = Layer::new()
        .file("opt/data/bundle.tar", &tar)
        .file("opt/data/bundle.tar.gz", &tgz);
    drop(tar);
    let (dir, _) = layout(&Image::new().layer(layer, Comp::Gzip, "COPY data /opt/data"));
    let spec = dir.path().join("spec.yaml");
    std::fs::write(&spec, "apiVersion: imgguard.dev/v1\nkind: Pipeline\nmetadata: {name: tight}\nchecks:\n  secrets: {archives: {max_bytes: 1048576}}\n").unwrap();
    let (rss, code, report) = check_with_peak_rss(
        &format!("oci:{}", dir.path().display()),
        &["--pipeline", spec.to_str().unwrap()],
    );
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["coverage"]["skipped"], serde_json::json!([]));
    let chains: Vec<(String, Value, Value)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "secret.gitlab-personal-access-token")
        .map(|f| {
            (
                f["location"]["path"].as_str().unwrap().to_owned(),
                f["location"]["archive_path"].clone(),
                f["location"]["line"].clone(),
            )
        })
        .collect();
    let want = serde_json::json!(["app/config/.env"]);
    for path in ["/opt/data/bundle.tar", "/opt/data/bundle.tar.gz"] {
        assert!(
            chains
                .iter()
                .any(|(p, chain, line)| p == path && *chain == want && *line == 2),
            "{path}: {chains:?}"
        );
    }
    assert!(
        rss < 100.0,
        "peak RSS {rss:.1} MB: a nested archive was buffered"
    );
}

/// A small `.gz` inside a layer that expands beyond the expansion budget stops there,
/// as a coverage gap, in bounded memory (the budget is lowered to keep the test fast;
/// the default is 1 GiB).
#[test]
fn a_nested_gzip_bomb_is_a_gap_in_bounded_memory() {
    // 96 MiB of zeros: ~100 KB of gzip, against a 32 MiB budget.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..96 {
        gz.write_all(&zeros).unwrap();
    }
    let bomb = gz.finish().unwrap();
    let layer = Layer::new().file("srv/dump.sql.gz", &bomb);
    let (dir, _) = layout(&Image::new().layer(layer, Comp::Gzip, "COPY dump /srv"));
    let spec = dir.path().join("spec.yaml");
    std::fs::write(&spec, "apiVersion: imgguard.dev/v1\nkind: Pipeline\nmetadata: {name: tight}\nchecks:\n  secrets: {archives: {max_expanded_bytes: 33554432}}\n").unwrap();
    let (rss, code, report) = check_with_peak_rss(
        &format!("oci:{}", dir.path().display()),
        &["--pipeline", spec.to_str().unwrap()],
    );
    assert_eq!(code, 3, "{report:#}");
    let gaps = report["coverage"]["skipped"].as_array().unwrap();
    assert!(
        gaps.iter().any(|g| g["path"] == "/srv/dump.sql.gz"
            && g["reason"].as_str().unwrap().contains("expands beyond")),
        "{gaps:#?}"
    );
    assert!(rss < 100.0, "peak RSS {rss:.1} MB");
}
