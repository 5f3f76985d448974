//! The Docker-API daemon source against a real engine: `podman system service` on a
//! private socket, images loaded with `podman load`. Covers `docker-daemon:NAME:TAG`,
//! a bare name found in the daemon first, and a name the engine does not have.

use std::process::Command;

use crate::support::image::{Blobs, Comp, Image, Layer, oci_layout_files, write_tar};
use crate::support::podman::Podman;
use crate::support::run::{Output, binary};

fn check(podman: &Podman, reference: &str, extra: &[&str]) -> Output {
    let out = Command::new(binary())
        .args(["check", reference, "--format", "json"])
        .args(extra)
        .env("DOCKER_HOST", podman.docker_host())
        .output()
        .unwrap();
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn loaded(podman: &Podman, tag: &str) -> Image {
    let image = Image::new()
        .layer(
            Layer::new().dir("etc").file("etc/hostname", "daemon\n"),
            Comp::None,
            "COPY rootfs /",
        )
        .layer(
            Layer::new()
                .dir("app")
                .file("app/run.sh", "#!/bin/sh\necho hi\n"),
            Comp::None,
            "COPY app /app",
        );
    // An OCI archive (podman load reads it as docker save output would be read), then
    // the wanted name: podman names loaded OCI archives after their ref annotation.
    let mut blobs = Blobs::default();
    let root = image.store(&mut blobs);
    let archive = podman.dir.path().join("image.tar");
    write_tar(
        &archive,
        &oci_layout_files(&blobs, &[(root, Some("1"))]),
        &[],
    );
    podman.load(&archive);
    let id = podman.podman(&["images", "--quiet", "--no-trunc"]);
    let id = id.lines().next().unwrap().trim();
    podman.podman(&["tag", id, tag]);
    image
}

#[test]
fn docker_daemon_reference_reads_the_image_podman_loaded() {
    let Some(podman) = Podman::start() else {
        return;
    };
    loaded(&podman, "imgguard/daemon-app:1");
    let id = podman
        .podman(&[
            "image",
            "inspect",
            "--format",
            "{{.Id}}",
            "imgguard/daemon-app:1",
        ])
        .trim()
        .to_owned();

    let out = check(&podman, "docker-daemon:imgguard/daemon-app:1", &[]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let report = out.json();
    assert_eq!(report["verdict"], "pass");
    assert_eq!(
        report["image"]["source"]["transport"], "docker-daemon",
        "{report:#}"
    );
    assert_eq!(
        report["image"]["source"]["location"],
        podman.docker_host(),
        "{report:#}"
    );
    assert_eq!(report["coverage"]["layers"], 2);
    assert_eq!(report["coverage"]["files"], 4);
    // The image is named by what the engine calls it: its ID.
    assert!(
        report["image"]["digest"]
            .as_str()
            .unwrap()
            .ends_with(id.trim_start_matches("sha256:")),
        "{id} vs {report:#}"
    );

    // The same through --docker-host instead of DOCKER_HOST.
    let out = Command::new(binary())
        .args([
            "check",
            "docker-daemon:imgguard/daemon-app:1",
            "--format",
            "json",
        ])
        .args(["--docker-host", &podman.docker_host()])
        .env_remove("DOCKER_HOST")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_bare_name_is_taken_from_the_daemon_first() {
    let Some(podman) = Podman::start() else {
        return;
    };
    loaded(&podman, "bareapp:dev");
    let out = check(&podman, "bareapp:dev", &[]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let report = out.json();
    assert_eq!(
        report["image"]["source"]["transport"], "docker-daemon",
        "{report:#}"
    );
    assert_eq!(report["coverage"]["layers"], 2);

    // The human report says which source was used.
    let out = Command::new(binary())
        .args(["check", "bareapp:dev"])
        .env("DOCKER_HOST", podman.docker_host())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("docker-daemon"), "{stdout}");
    assert!(
        stdout.contains("`bareapp:dev` names no registry host and the local Docker-API engine"),
        "{stdout}"
    );
    assert!(
        stdout.contains("daemon image: bareapp:dev (ID sha256:"),
        "{stdout}"
    );
    // podman records `localhost/NAME@sha256:…` RepoDigests even for loaded images.
    assert!(
        stdout.contains("RepoDigest localhost/bareapp@sha256:"),
        "{stdout}"
    );
    assert!(
        report["image"]["source"]["chosen"]
            .as_str()
            .unwrap()
            .contains("registry was not consulted"),
        "{report:#}"
    );
}

#[test]
fn an_image_the_daemon_lacks_is_incomplete_and_named() {
    let Some(podman) = Podman::start() else {
        return;
    };
    let out = check(&podman, "docker-daemon:imgguard/absent:1", &[]);
    assert_eq!(out.code, 3, "{}\n{}", out.stdout, out.stderr);
    let report = out.json();
    assert_eq!(report["verdict"], "incomplete");
    assert!(
        report.to_string().contains("imgguard/absent:1"),
        "{report:#}"
    );
}

#[test]
fn an_image_pulled_from_a_registry_reports_its_repo_digests() {
    let Some(podman) = Podman::start() else {
        return;
    };
    let Some(registry) = crate::support::registry::Registry::plain() else {
        return;
    };
    // Zstd layers are not pullable by podman 4.3; gzip ones are.
    let image = Image::new()
        .layer(
            Layer::new().dir("etc").file("etc/hostname", "pulled\n"),
            Comp::Gzip,
            "COPY rootfs /",
        )
        .layer(
            Layer::new().dir("app").file("app/run.sh", "#!/bin/sh\n"),
            Comp::Gzip,
            "COPY app /app",
        );
    let mut blobs = Blobs::default();
    let root = image.store(&mut blobs);
    let manifest_digest = root["digest"].as_str().unwrap().to_owned();
    let dir = tempfile::tempdir().unwrap();
    crate::support::image::write_dir(dir.path(), &oci_layout_files(&blobs, &[(root, Some("v1"))]));
    registry.push(dir.path(), "v1", "team/pulled:1", false);
    let name = format!("{}/team/pulled:1", registry.addr);
    podman.podman(&["pull", "--tls-verify=false", "--quiet", &name]);

    let out = check(&podman, &format!("docker-daemon:{name}"), &[]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let report = out.json();
    let daemon = &report["image"]["source"]["daemon"];
    assert_eq!(daemon["name"], name.as_str(), "{report:#}");
    assert!(
        daemon["image_id"].as_str().unwrap().starts_with("sha256:"),
        "{report:#}"
    );
    let repo_digests: Vec<&str> = daemon["repo_digests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let expected = format!("{}/team/pulled@{manifest_digest}", registry.addr);
    assert!(
        repo_digests.contains(&expected.as_str()),
        "{repo_digests:?} vs {expected}"
    );

    // The human report names the daemon image, its ID and its RepoDigests.
    let out = Command::new(binary())
        .args(["check", &format!("docker-daemon:{name}")])
        .env("DOCKER_HOST", podman.docker_host())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("source: docker-daemon"), "{stdout}");
    assert!(
        stdout.contains(&format!("RepoDigest {expected}")),
        "{stdout}"
    );
    assert!(stdout.contains("(ID sha256:"), "{stdout}");
}
