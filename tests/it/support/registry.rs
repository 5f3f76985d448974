//! A real `docker-registry` (distribution 2.8) on a free loopback port with private
//! storage: plain HTTP, or htpasswd (bcrypt) basic auth over TLS from a test CA and a
//! leaf certificate (rustls refuses a self-signed CA used as the server certificate).
//! Images are pushed with `skopeo` from OCI layouts the image builder writes. Under
//! `CI=true` a missing tool fails the test; elsewhere the test is skipped with a note.

use std::fmt::Write as _;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const USER: &str = "testuser";
pub const PASSWORD: &str = "testpass-0123456789";

/// Whether `tool` is on PATH; under CI a missing tool is a failure, never a skip.
pub fn require(tool: &str) -> bool {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{tool} is required under CI=true (./ci.sh installs it)"
        );
        eprintln!("skipping: {tool} is not installed");
    }
    found
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// TLS material: a CA and a leaf for 127.0.0.1 / localhost.
pub struct TestCa {
    pub ca: PathBuf,
    pub leaf: PathBuf,
    pub leaf_key: PathBuf,
}

impl TestCa {
    pub fn create(dir: &Path) -> Self {
        let p = |n: &str| dir.join(n);
        run(Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-subj",
                "/CN=imgguard test CA",
                "-days",
                "2",
            ])
            .arg("-keyout")
            .arg(p("ca.key"))
            .arg("-out")
            .arg(p("ca.pem")));
        run(Command::new("openssl")
            .args([
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-subj",
                "/CN=127.0.0.1",
            ])
            .arg("-keyout")
            .arg(p("leaf.key"))
            .arg("-out")
            .arg(p("leaf.csr")));
        std::fs::write(
            p("leaf.ext"),
            "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        run(Command::new("openssl")
            .args(["x509", "-req", "-days", "2", "-CAcreateserial"])
            .arg("-in")
            .arg(p("leaf.csr"))
            .arg("-CA")
            .arg(p("ca.pem"))
            .arg("-CAkey")
            .arg(p("ca.key"))
            .arg("-extfile")
            .arg(p("leaf.ext"))
            .arg("-out")
            .arg(p("leaf.pem")));
        Self {
            ca: p("ca.pem"),
            leaf: p("leaf.pem"),
            leaf_key: p("leaf.key"),
        }
    }
}

/// A running registry; stopped and its storage removed on drop.
pub struct Registry {
    pub addr: String,
    pub dir: tempfile::TempDir,
    pub tls: Option<TestCa>,
    child: Child,
}

impl Registry {
    /// Plain HTTP, anonymous.
    pub fn plain() -> Option<Self> {
        Self::start(false)
    }

    /// htpasswd basic auth over TLS from a test CA.
    pub fn with_auth_and_tls() -> Option<Self> {
        Self::start(true)
    }

    fn start(secure: bool) -> Option<Self> {
        if !require("docker-registry") || !require("skopeo") {
            return None;
        }
        if secure && (!require("openssl") || !require("htpasswd")) {
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let addr = format!("127.0.0.1:{port}");
        let data = dir.path().join("data");
        std::fs::create_dir_all(&data).unwrap();
        let mut config = format!(
            "version: 0.1\nlog: {{level: warn, accesslog: {{disabled: true}}}}\nstorage:\n  filesystem: {{rootdirectory: {}}}\n  delete: {{enabled: true}}\n  maintenance: {{uploadpurging: {{enabled: false}}}}\n",
            data.display()
        );
        let tls = if secure {
            let ca = TestCa::create(dir.path());
            let htpasswd = run(Command::new("htpasswd").args(["-Bbn", USER, PASSWORD]));
            std::fs::write(dir.path().join("htpasswd"), htpasswd).unwrap();
            write!(
                config,
                "auth:\n  htpasswd: {{realm: imgguard-test, path: {}}}\nhttp:\n  addr: {addr}\n  secret: test-only\n  tls: {{certificate: {}, key: {}}}\n",
                dir.path().join("htpasswd").display(),
                ca.leaf.display(),
                ca.leaf_key.display()
            )
            .unwrap();
            Some(ca)
        } else {
            writeln!(config, "http: {{addr: {addr}, secret: test-only}}").unwrap();
            None
        };
        let config_path = dir.path().join("config.yml");
        std::fs::write(&config_path, config).unwrap();
        let log = std::fs::File::create(dir.path().join("registry.log")).unwrap();
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(&config_path)
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        let registry = Self {
            addr,
            dir,
            tls,
            child,
        };
        registry.wait_ready();
        Some(registry)
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while TcpStream::connect(&self.addr).is_err() {
            assert!(
                Instant::now() < deadline,
                "docker-registry did not start: {}",
                std::fs::read_to_string(self.dir.path().join("registry.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// A certs.d-style directory: DIR/127.0.0.1:PORT/ca.crt.
    pub fn certs_d(&self) -> PathBuf {
        let root = self.dir.path().join("certs.d");
        let host = root.join(&self.addr);
        std::fs::create_dir_all(&host).unwrap();
        std::fs::copy(&self.tls.as_ref().unwrap().ca, host.join("ca.crt")).unwrap();
        root
    }

    /// Push the image(s) of an OCI layout (`DIR:TAG`) to `repo:tag`, digests preserved.
    pub fn push(&self, layout: &Path, layout_tag: &str, repo_tag: &str, all: bool) {
        let mut cmd = Command::new("skopeo");
        cmd.args(["copy", "--quiet", "--preserve-digests"]);
        if all {
            cmd.arg("--all");
        }
        match &self.tls {
            None => {
                cmd.arg("--dest-tls-verify=false");
            }
            Some(_) => {
                cmd.arg("--dest-creds")
                    .arg(format!("{USER}:{PASSWORD}"))
                    .arg("--dest-cert-dir")
                    .arg(self.certs_d().join(&self.addr));
            }
        }
        cmd.arg(format!("oci:{}:{layout_tag}", layout.display()))
            .arg(format!("docker://{}/{repo_tag}", self.addr));
        run(&mut cmd);
    }

    /// The file holding a blob in the registry's storage.
    pub fn blob_file(&self, digest: &str) -> PathBuf {
        let hex = digest.trim_start_matches("sha256:");
        self.dir
            .path()
            .join("data/docker/registry/v2/blobs/sha256")
            .join(&hex[..2])
            .join(hex)
            .join("data")
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
