//! Configuration, filesystem and Dockerfile checks end to end: images built by the test
//! support, checked by the real binary under each shipped profile. Every rule has a
//! positive and a negative case; the acceptance pair (the classic bad image and a
//! well-built one) runs under the default profile.

use serde_json::{Value, json};

use crate::support::image::{Blobs, Comp, Image, Layer, oci_layout_files, write_dir};
use crate::support::run::check_json;

const PINNED: &str = "docker.io/library/ubuntu:24.04@sha256:0000000000000000000000000000000000000000000000000000000000000000";

fn pipeline(name: &str) -> String {
    format!("{}/pipelines/{name}.yaml", env!("CARGO_MANIFEST_DIR"))
}

/// A base layer (with the setuid `passwd` every distro ships and a sticky /tmp), the
/// base image's CMD, then one own layer; non-root user and a pinned base.
fn well_built(own: Layer) -> Image {
    let base = Layer::new()
        .dir("etc")
        .file(
            "etc/passwd",
            "root:x:0:0:root:/root:/bin/bash\napp:x:10001:10001::/app:/usr/sbin/nologin\n",
        )
        .dir_mode("tmp", 0o1777)
        .dir("usr/bin")
        .file_mode("usr/bin/passwd", "elf", 0o4755);
    Image::new()
        .layer(
            base,
            Comp::Gzip,
            "/bin/sh -c #(nop) ADD file:base-rootfs in / ",
        )
        .step("/bin/sh -c #(nop)  CMD [\"/bin/bash\"]")
        .layer(own, Comp::Gzip, "COPY app /app # buildkit")
        .step("USER 10001")
        .config_field("User", json!("10001"))
        .annotation("org.opencontainers.image.base.name", PINNED)
}

fn app() -> Layer {
    Layer::new().dir("app").file("app/server", "binary")
}

fn layout(image: &Image) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut blobs = Blobs::default();
    let desc = image.store(&mut blobs);
    write_dir(dir.path(), &oci_layout_files(&blobs, &[(desc, None)]));
    dir
}

fn check(image: &Image, extra: &[&str]) -> Value {
    let dir = layout(image);
    let (out, report) = check_json(&format!("oci:{}", dir.path().display()), extra);
    assert!(
        matches!(out.code, 0 | 1),
        "exit {}: {}\n{}",
        out.code,
        out.stdout,
        out.stderr
    );
    report
}

/// Rules of the config, filesystem-check and Dockerfile families.
fn rules(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            let rule = f["rule"].as_str().unwrap();
            rule.starts_with("config.")
                || rule.starts_with("dockerfile.")
                || (rule.starts_with("filesystem.")
                    && !matches!(
                        rule,
                        "filesystem.unsafe-path"
                            | "filesystem.link-escapes-root"
                            | "filesystem.hardlink-escapes-root"
                            | "filesystem.pax-sparse"
                    ))
        })
        .map(|f| f["rule"].as_str().unwrap().to_owned())
        .collect()
}

fn finding<'r>(report: &'r Value, rule: &str) -> &'r Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} in {report:#}"))
}

#[test]
fn acceptance_classic_bad_image_reports_root_user_and_unpinned_base() {
    let apache = Layer::new()
        .dir("etc/apache2")
        .file("etc/apache2/apache2.conf", "Listen 80\nUser www-data\n")
        .dir("var/www/html")
        .file("var/www/html/index.html", "<html></html>\n");
    let base = Layer::new()
        .dir("etc")
        .file("etc/os-release", "ID=ubuntu\n");
    let image = Image::new()
        .layer(base, Comp::Gzip, "/bin/sh -c #(nop) ADD file:ubuntu in / ")
        .step("/bin/sh -c #(nop)  CMD [\"/bin/bash\"]")
        .layer(
            apache,
            Comp::Gzip,
            "RUN /bin/sh -c apt-get update && apt-get install -y apache2 # buildkit",
        )
        .step("ENV DB_PASS=ComplexPassword123")
        .step("EXPOSE map[80/tcp:{}]")
        .env("DB_PASS=ComplexPassword123")
        .config_field("ExposedPorts", json!({"80/tcp": {}}))
        .annotation(
            "org.opencontainers.image.base.name",
            "docker.io/library/ubuntu:latest",
        );
    let report = check(&image, &[]);
    let mut found = rules(&report);
    found.sort();
    assert_eq!(
        found,
        ["config.base-latest", "config.root-user"],
        "{report:#}"
    );
    let root = finding(&report, "config.root-user");
    assert!(
        root["message"]
            .as_str()
            .unwrap()
            .contains("expected a non-root USER")
    );
    assert!(root["message"].as_str().unwrap().contains("found no USER"));
    assert!(root["message"].as_str().unwrap().contains("CIS"));
    let base = finding(&report, "config.base-latest");
    assert_eq!(base["location"]["source"], "metadata");
    assert!(base["message"].as_str().unwrap().contains("ubuntu:latest"));
    assert!(!report.to_string().contains("ComplexPassword123"));
}

#[test]
fn acceptance_well_built_image_has_no_config_findings() {
    let report = check(&well_built(app()), &[]);
    assert_eq!(rules(&report), Vec::<String>::new(), "{report:#}");
    assert_eq!(report["verdict"], "pass");
    // The base layer's setuid passwd is reported only by the strict profile, as info.
    let strict = check(&well_built(app()), &["--pipeline", &pipeline("strict")]);
    let setuid = finding(&strict, "filesystem.setuid");
    assert_eq!(setuid["severity"], "info");
    assert_eq!(setuid["location"]["layer"]["from_base"], true);
    assert_eq!(setuid["location"]["path"], "/usr/bin/passwd");
}

/// (rule, bad image, good image, extra args).
fn config_cases() -> Vec<(&'static str, Image, Image, Vec<String>)> {
    let strict = vec!["--pipeline".to_owned(), pipeline("strict")];
    let standalone = vec!["--pipeline".to_owned(), pipeline("docker-standalone")];
    let user = |u: &str| well_built(app()).config_field("User", json!(u));
    let port = |p: &str| well_built(app()).config_field("ExposedPorts", json!({ p: {} }));
    let base = |b: &str| well_built(app()).annotation("org.opencontainers.image.base.name", b);
    let history =
        |line: &str| well_built(app()).layer(Layer::new().file("opt/x", "x"), Comp::Gzip, line);
    let volume = |v: &str| well_built(app()).config_field("Volumes", json!({ v: {} }));
    vec![
        ("config.root-user", user("0:1000"), user("1000:0"), vec![]),
        ("config.root-user", user("root"), user("app"), vec![]),
        (
            "config.remote-access-port",
            port("22/tcp"),
            port("8080/tcp"),
            vec![],
        ),
        (
            "config.remote-access-port",
            port("2375/tcp"),
            port("443/tcp"),
            vec![],
        ),
        ("config.base-latest", base("ubuntu"), base(PINNED), vec![]),
        (
            "config.base-unpinned",
            base("ubuntu:24.04"),
            base(PINNED),
            vec![],
        ),
        (
            "config.add-from-url",
            history("ADD https://example.com/tool.tgz /opt/ # buildkit"),
            history(
                "ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/tool.tgz /opt/ # buildkit",
            ),
            vec![],
        ),
        (
            "config.package-upgrade",
            history("RUN /bin/sh -c apt-get update && apt-get -y upgrade # buildkit"),
            history("RUN /bin/sh -c apt-get update && apt-get install -y curl # buildkit"),
            strict.clone(),
        ),
        (
            "config.docker-socket-volume",
            volume("/var/run/docker.sock"),
            volume("/data"),
            vec![],
        ),
        (
            "config.sensitive-volume",
            volume("/etc"),
            volume("/var/lib/app"),
            vec![],
        ),
        (
            "config.healthcheck-missing",
            well_built(app()),
            well_built(app()).config_field(
                "Healthcheck",
                json!({"Test": ["CMD", "/app/server", "--health"]}),
            ),
            standalone,
        ),
        (
            "config.onbuild",
            well_built(app()).config_field("OnBuild", json!(["RUN make"])),
            well_built(app()),
            strict,
        ),
    ]
}

#[test]
fn every_config_rule_fires_on_its_positive_and_not_on_its_negative() {
    for (rule, bad, good, args) in config_cases() {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let bad_report = check(&bad, &args);
        assert!(
            rules(&bad_report).contains(&rule.to_owned()),
            "{rule} missing:\n{bad_report:#}"
        );
        let message = finding(&bad_report, rule)["message"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            message.starts_with("expected ") && message.contains(", found "),
            "{rule}: {message}"
        );
        let good_report = check(&good, &args);
        // Under strict, the well-built image's base layer has its own (info) findings.
        let mut baseline = rules(&check(&well_built(app()), &args));
        baseline.retain(|r| r != rule);
        assert_eq!(
            rules(&good_report),
            baseline,
            "{rule} false positive:\n{good_report:#}"
        );
    }
}

#[test]
fn profile_gates_what_runs() {
    let upgrade = well_built(app()).layer(
        Layer::new().file("opt/x", "x"),
        Comp::Gzip,
        "RUN /bin/sh -c apt-get -y dist-upgrade # buildkit",
    );
    assert!(
        rules(&check(&upgrade, &[])).is_empty(),
        "upgrade is strict-only"
    );
    let bare = well_built(app());
    assert!(
        rules(&check(&bare, &[])).is_empty(),
        "healthcheck is docker-standalone only"
    );
    assert!(
        rules(&check(&bare, &["--pipeline", &pipeline("strict")]))
            .iter()
            .all(|r| r != "config.healthcheck-missing")
    );
    // Strict raises the severity of the same finding and fails from medium.
    let root = well_built(app()).config_field("User", json!("0"));
    let default = check(&root, &[]);
    assert_eq!(finding(&default, "config.root-user")["severity"], "medium");
    assert_eq!(default["verdict"], "pass");
    let strict = check(&root, &["--pipeline", &pipeline("strict")]);
    assert_eq!(finding(&strict, "config.root-user")["severity"], "high");
    assert_eq!(strict["verdict"], "fail");
}

#[test]
fn spec_disables_a_rule_and_picks_a_profile() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("p.yaml");
    std::fs::write(
        &spec,
        "apiVersion: imgguard.dev/v1\nkind: Pipeline\nmetadata: {name: t}\nchecks:\n  profile: strict\n  config: {disable: [config.root-user]}\n",
    )
    .unwrap();
    let image = well_built(app())
        .config_field("User", json!("root"))
        .config_field("OnBuild", json!(["RUN make"]));
    let report = check(&image, &["--pipeline", spec.to_str().unwrap()]);
    let found = rules(&report);
    assert!(!found.contains(&"config.root-user".to_owned()), "{found:?}");
    assert!(found.contains(&"config.onbuild".to_owned()), "{found:?}");
    // `enable` turns on a rule the profile leaves off.
    std::fs::write(
        &spec,
        "apiVersion: imgguard.dev/v1\nkind: Pipeline\nmetadata: {name: t}\nchecks:\n  config: {enable: [config.healthcheck-missing]}\n",
    )
    .unwrap();
    let report = check(&well_built(app()), &["--pipeline", spec.to_str().unwrap()]);
    assert_eq!(rules(&report), ["config.healthcheck-missing"], "{report:#}");
    assert_eq!(
        finding(&report, "config.healthcheck-missing")["severity"],
        "low"
    );
    // An unknown profile is a spec error (exit 2) pointing at the key.
    std::fs::write(
        &spec,
        "apiVersion: imgguard.dev/v1\nkind: Pipeline\nmetadata: {name: t}\nchecks:\n  profile: lenient\n",
    )
    .unwrap();
    let out =
        crate::support::run::imgguard(&["check", "--demo", "--pipeline", spec.to_str().unwrap()]);
    assert_eq!(out.code, 2, "{}", out.stderr);
}

/// (rule, bad own layer, good own layer).
fn filesystem_cases() -> Vec<(&'static str, Layer, Layer)> {
    vec![
        (
            "filesystem.setuid",
            app().file_mode("app/helper", "x", 0o4755),
            app().file_mode("app/helper", "x", 0o755),
        ),
        (
            "filesystem.setuid",
            app().file_mode("app/helper", "x", 0o2755),
            app().file_mode("app/helper", "x", 0o750),
        ),
        (
            "filesystem.world-writable-dir",
            app().dir_mode("app/uploads", 0o777),
            app().dir_mode("app/uploads", 0o1777),
        ),
        (
            "filesystem.world-writable-file",
            app().file_mode("app/state", "x", 0o666),
            app().file_mode("app/state", "x", 0o644),
        ),
        (
            "filesystem.ssh-host-key",
            app().file("etc/ssh/ssh_host_ed25519_key", "key"),
            app().file("etc/ssh/ssh_host_ed25519_key.pub", "pub"),
        ),
        (
            "filesystem.ssh-private-key",
            app().file("root/.ssh/id_ed25519", "key"),
            app().file("root/.ssh/id_ed25519.pub", "pub"),
        ),
        (
            "filesystem.ssh-authorized-keys",
            app().file("root/.ssh/authorized_keys", "ssh-ed25519 AAAA"),
            app().file("root/.ssh/known_hosts", "github.com ssh-ed25519 AAAA"),
        ),
        (
            "filesystem.credential-file",
            app().file("root/.docker/config.json", "{}"),
            app().file("etc/docker/daemon.json", "{}"),
        ),
        (
            "filesystem.credential-file",
            app().file("app/.env", "A=b"),
            app().file("app/.env.example", "A="),
        ),
        (
            "filesystem.credential-file",
            app().file("app/certs/client.p12", "p12"),
            app().file("app/certs/ca.crt", "crt"),
        ),
        (
            "filesystem.shell-history",
            app().file("root/.bash_history", "ls\n"),
            app().file("root/.bash_history", ""),
        ),
        (
            "filesystem.git-directory",
            app().file("app/.git/config", "[core]\n"),
            app().file("app/.gitignore", "target\n"),
        ),
        (
            "filesystem.package-cache",
            app().file(
                "var/lib/apt/lists/deb.debian.org_dists_bookworm_InRelease",
                "x",
            ),
            app().file("var/lib/apt/lists/lock", ""),
        ),
        (
            "filesystem.sudo-installed",
            app().file_mode("usr/bin/sudo", "elf", 0o755),
            app().file_mode("usr/bin/su2", "elf", 0o755),
        ),
        (
            "filesystem.sudo-nopasswd",
            app().file(
                "etc/sudoers.d/app",
                "Defaults env_reset\napp ALL=(ALL) NOPASSWD: ALL\n",
            ),
            app().file(
                "etc/sudoers.d/app",
                "# app ALL=(ALL) NOPASSWD: ALL\napp ALL=(ALL) ALL\n",
            ),
        ),
        (
            "filesystem.uid0-alias",
            app().file(
                "etc/passwd",
                "root:x:0:0::/root:/bin/sh\ntoor:x:0:0::/:/bin/sh\n",
            ),
            app().file(
                "etc/passwd",
                "root:x:0:0::/root:/bin/sh\napp:x:10001:0::/:/bin/sh\n",
            ),
        ),
        (
            "filesystem.empty-password",
            app().file("etc/shadow", "root:::0:::::\n"),
            app().file("etc/shadow", "root:!::0:::::\napp:*:19000::::::\n"),
        ),
    ]
}

#[test]
fn every_filesystem_rule_fires_on_its_positive_and_not_on_its_negative() {
    for (rule, bad, good) in filesystem_cases() {
        let bad_report = check(&well_built(bad), &[]);
        assert!(
            rules(&bad_report).contains(&rule.to_owned()),
            "{rule} missing:\n{bad_report:#}"
        );
        let f = finding(&bad_report, rule);
        assert_eq!(f["location"]["layer"]["from_base"], false, "{rule}");
        let message = f["message"].as_str().unwrap();
        assert!(
            message.starts_with("expected ") && message.contains(", found "),
            "{rule}: {message}"
        );
        let good_report = check(&well_built(good), &[]);
        assert_eq!(
            rules(&good_report),
            Vec::<String>::new(),
            "{rule} false positive:\n{good_report:#}"
        );
    }
}

#[test]
fn sudoers_nopasswd_names_the_line() {
    let layer = app().file(
        "etc/sudoers",
        "root ALL=(ALL) ALL\n%wheel ALL=(ALL) NOPASSWD: ALL\n",
    );
    let report = check(&well_built(layer), &[]);
    let f = finding(&report, "filesystem.sudo-nopasswd");
    assert_eq!(f["location"]["line"], 2);
    assert_eq!(f["severity"], "high");
    assert_eq!(report["verdict"], "fail");
    let defaults = app().file("etc/sudoers", "Defaults !authenticate\napp ALL=(ALL) ALL\n");
    let report = check(&well_built(defaults), &[]);
    assert_eq!(
        finding(&report, "filesystem.sudo-nopasswd")["location"]["line"],
        1
    );
}

#[test]
fn base_layer_hygiene_is_quiet_by_default_and_reported_by_strict() {
    let mut image = well_built(app());
    // World-writable dir and a package cache in the base layer.
    image.layers[0].0 = image.layers[0]
        .0
        .clone()
        .dir_mode("var/spool", 0o777)
        .file("var/cache/apt/archives/x.deb", "deb");
    assert!(rules(&check(&image, &[])).is_empty());
    let strict = rules(&check(&image, &["--pipeline", &pipeline("strict")]));
    for rule in [
        "filesystem.world-writable-dir",
        "filesystem.package-cache",
        "filesystem.setuid",
    ] {
        assert!(
            strict.contains(&rule.to_owned()),
            "{rule} not in {strict:?}"
        );
    }
}

#[test]
fn dockerfile_lines_are_attached_and_lint_does_not_double_report() {
    let dir = tempfile::tempdir().unwrap();
    let dockerfile = dir.path().join("Dockerfile");
    std::fs::write(
        &dockerfile,
        "# syntax=docker/dockerfile:1\nFROM ubuntu:latest\nARG NPM_TOKEN\nRUN apt-get update && \\\n    apt-get -y upgrade\nADD https://example.com/tool.tgz /opt/\nEXPOSE 22\nCMD [\"/app/server\"]\n",
    )
    .unwrap();
    let base = Layer::new()
        .dir("etc")
        .file("etc/os-release", "ID=ubuntu\n");
    let image = Image::new()
        .layer(base, Comp::Gzip, "/bin/sh -c #(nop) ADD file:ubuntu in / ")
        .step("/bin/sh -c #(nop)  CMD [\"/bin/bash\"]")
        .step("ARG NPM_TOKEN")
        .layer(app(), Comp::Gzip, "RUN |1 NPM_TOKEN=npm_abcdefghijklmnopqrstuvwxyz0123456789 /bin/sh -c apt-get update &&     apt-get -y upgrade # buildkit")
        .layer(Layer::new().file_mode("opt/tool.tgz", "x", 0o4755), Comp::Gzip, "ADD https://example.com/tool.tgz /opt/ # buildkit")
        .step("EXPOSE map[22/tcp:{}]")
        .step("CMD [\"/app/server\"]")
        .config_field("ExposedPorts", json!({"22/tcp": {}}))
        .annotation("org.opencontainers.image.base.name", "docker.io/library/ubuntu:latest");
    let layout = layout(&image);
    let report = check(
        &image,
        &[
            "--pipeline",
            &pipeline("strict"),
            "--dockerfile",
            dockerfile.to_str().unwrap(),
        ],
    );
    let line = |rule: &str| {
        finding(&report, rule)["location"]["dockerfile"]["line"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(line("config.base-latest"), 2);
    assert_eq!(line("config.root-user"), 2);
    assert_eq!(line("config.package-upgrade"), 4);
    assert_eq!(line("config.add-from-url"), 6);
    assert_eq!(line("config.remote-access-port"), 7);
    assert_eq!(line("dockerfile.secret-in-arg-env"), 3);
    // A layer finding (any analyzer's) points at the instruction that made the layer.
    assert_eq!(line("filesystem.setuid"), 6);
    let human = crate::support::run::imgguard(&[
        "check",
        &format!("oci:{}", layout.path().display()),
        "--dockerfile",
        dockerfile.to_str().unwrap(),
    ]);
    assert!(
        human
            .stdout
            .contains(&format!("{}:6", dockerfile.display())),
        "{}",
        human.stdout
    );
    let found = rules(&report);
    for duplicate in [
        "dockerfile.from-unpinned",
        "dockerfile.add-from-url",
        "dockerfile.missing-user",
    ] {
        assert!(
            !found.contains(&duplicate.to_owned()),
            "{duplicate} duplicates an image finding: {found:?}"
        );
    }
    assert!(
        !report
            .to_string()
            .contains("npm_abcdefghijklmnopqrstuvwxyz0123456789")
    );
    // A missing Dockerfile is a usage error.
    let out = crate::support::run::imgguard(&[
        "check",
        "--demo",
        "--dockerfile",
        "/nonexistent/Dockerfile",
    ]);
    assert_eq!(out.code, 2, "{}", out.stderr);
}

#[test]
fn demo_reports_root_user_and_unpinned_base() {
    let out = crate::support::run::imgguard(&["check", "--demo", "--format", "json"]);
    let report = out.json();
    let mut found = rules(&report);
    found.sort();
    assert_eq!(
        found,
        ["config.base-latest", "config.root-user"],
        "{report:#}"
    );
}

#[test]
fn spec_dockerfile_is_read_relative_to_the_spec() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), "FROM ubuntu:24.04\nUSER 0\n").unwrap();
    let spec = dir.path().join("imgguard.yaml");
    std::fs::write(
        &spec,
        "apiVersion: imgguard.dev/v1\nkind: Pipeline\nmetadata: {name: t}\nchecks:\n  dockerfile: Dockerfile\n",
    )
    .unwrap();
    let image = well_built(app())
        .step("USER 0")
        .config_field("User", json!("0"));
    let report = check(&image, &["--pipeline", spec.to_str().unwrap()]);
    let root = finding(&report, "config.root-user");
    assert_eq!(root["location"]["dockerfile"]["line"], 2, "{report:#}");
    assert!(
        root["location"]["dockerfile"]["file"]
            .as_str()
            .unwrap()
            .ends_with("Dockerfile")
    );
    // The pinned annotation wins over the Dockerfile's tag-only FROM for the image
    // finding; the lint still reports the FROM line.
    let from = finding(&report, "dockerfile.from-unpinned");
    assert_eq!(from["location"]["dockerfile"]["line"], 1);
    assert!(!rules(&report).contains(&"config.base-unpinned".to_owned()));
}
