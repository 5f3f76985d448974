//! The embedded demo image: reproducible byte for byte, and checked end to end.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::image::{Blobs, Comp, Image, Layer, oci_layout_files};
use crate::support::run::{check_json, imgguard};

/// The demo image: the classic mistakes of a hand-rolled Dockerfile
/// (`FROM ubuntu:latest`, `ENV DB_PASS=…`, no `USER`).
pub fn demo_files() -> BTreeMap<String, Vec<u8>> {
    let base = Layer::new()
        .dir("bin")
        .dir("etc")
        .file("etc/os-release", "PRETTY_NAME=\"Ubuntu 24.04 LTS\"\nNAME=\"Ubuntu\"\nVERSION_ID=\"24.04\"\nID=ubuntu\n")
        .file("etc/passwd", "root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n")
        .dir("root")
        .file_mode("tmp/.keep", "", 0o644)
        .dir("usr/bin");
    let app = Layer::new()
        .dir("etc/apache2")
        .file(
            "etc/apache2/apache2.conf",
            "ServerRoot \"/etc/apache2\"\nListen 80\nUser www-data\n",
        )
        .dir("var/www/html")
        .file(
            "var/www/html/index.html",
            "<html><body>demo</body></html>\n",
        );
    let image = Image::new()
        .layer(
            base,
            Comp::Gzip,
            "/bin/sh -c #(nop) ADD file:demo-ubuntu-rootfs in / ",
        )
        .step("/bin/sh -c #(nop)  CMD [\"/bin/bash\"]")
        .layer(
            app,
            Comp::Gzip,
            "RUN /bin/sh -c apt-get update && apt-get install -y apache2 # buildkit",
        )
        .step("ENV DB_USER=readonly_user")
        .step("ENV DB_PASS=ComplexPassword123")
        .step("EXPOSE map[80/tcp:{}]")
        .step("CMD [\"apache2ctl\" \"-D\" \"FOREGROUND\"]")
        .env("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
        .env("DB_USER=readonly_user")
        .env("DB_PASS=ComplexPassword123")
        .config_field("ExposedPorts", serde_json::json!({"80/tcp": {}}))
        .config_field("Cmd", serde_json::json!(["apache2ctl", "-D", "FOREGROUND"]))
        .annotation(
            "org.opencontainers.image.base.name",
            "docker.io/library/ubuntu:latest",
        );
    let mut blobs = Blobs::default();
    let desc = image.store(&mut blobs);
    oci_layout_files(&blobs, &[(desc, Some("latest"))])
}

fn demo_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/demo"))
}

/// `testdata/demo` is exactly what `demo_files()` builds. Run with
/// `IMGGUARD_REGENERATE_DEMO=1` to rewrite it after changing the recipe.
#[test]
fn demo_image_regenerates_byte_for_byte() {
    let files = demo_files();
    if std::env::var_os("IMGGUARD_REGENERATE_DEMO").is_some() {
        let _ = std::fs::remove_dir_all(demo_dir());
        crate::support::image::write_dir(demo_dir(), &files);
    }
    let mut on_disk = BTreeMap::new();
    for entry in walk(demo_dir()) {
        let rel = entry
            .strip_prefix(demo_dir())
            .unwrap()
            .to_string_lossy()
            .into_owned();
        on_disk.insert(rel, std::fs::read(&entry).unwrap());
    }
    assert_eq!(
        on_disk.keys().collect::<Vec<_>>(),
        files.keys().collect::<Vec<_>>(),
        "testdata/demo differs from the recipe; regenerate with IMGGUARD_REGENERATE_DEMO=1 cargo nextest run demo_image"
    );
    for (name, bytes) in &files {
        assert!(
            on_disk[name] == *bytes,
            "testdata/demo/{name} differs from the recipe"
        );
    }
    let total: usize = files.values().map(Vec::len).sum();
    assert!(
        total < 16 * 1024,
        "the demo should stay a few KB, is {total} bytes"
    );
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// The embedded demo and the on-disk layout give the same digest and verdict.
#[test]
fn demo_checks_end_to_end_from_the_binary_and_the_directory() {
    let embedded = imgguard(&["check", "--demo", "--format", "json"]);
    let report = embedded.json();
    let (_, on_disk) = check_json(&format!("oci:{}", demo_dir().display()), &[]);
    assert_eq!(report["image"]["digest"], on_disk["image"]["digest"]);
    assert_eq!(report["image"]["source"]["transport"], "demo");
    assert_eq!(report["coverage"]["layers"], 2);
    assert_eq!(
        report["coverage"]["skipped"].as_array().unwrap().len(),
        0,
        "{report:#}"
    );
    // The password must never appear in any output, even in history lines.
    for out in [
        &embedded.stdout,
        &embedded.stderr,
        &imgguard(&["check", "--demo"]).stdout,
    ] {
        assert!(!out.contains("ComplexPassword123"), "secret leaked:\n{out}");
    }
}
