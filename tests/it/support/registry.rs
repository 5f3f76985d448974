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

/// A minimal token server for distribution's `auth: token` mode: hands any requester
/// an RS256 JWT (signed with `openssl dgst`, certificate in the `x5c` header) granting
/// the scopes asked for. The registry verifies every token against the certificate.
pub struct TokenServer {
    pub realm: String,
    pub cert: PathBuf,
    pub issued: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

pub const TOKEN_SERVICE: &str = "imgguard-test-registry";
pub const TOKEN_ISSUER: &str = "imgguard-test-issuer";

fn b64url(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("00");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(b'?'));
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl TokenServer {
    pub fn start(dir: &Path) -> Self {
        use std::io::{BufRead, BufReader, Write as _};
        let key = dir.join("token.key");
        let cert = dir.join("token.pem");
        run(Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-subj",
                "/CN=imgguard token signer",
                "-days",
                "2",
            ])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert));
        let der = Command::new("openssl")
            .args(["x509", "-outform", "DER", "-in"])
            .arg(&cert)
            .output()
            .unwrap()
            .stdout;
        let x5c = {
            // Standard base64 (x5c is not base64url).
            let url = b64url(&der).replace('-', "+").replace('_', "/");
            let pad = (4 - url.len() % 4) % 4;
            format!("{url}{}", "=".repeat(pad))
        };
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let realm = format!("http://{}/token", listener.local_addr().unwrap());
        let issued = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = std::sync::Arc::clone(&issued);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    continue;
                }
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                        break;
                    }
                }
                let target = line.split(' ').nth(1).unwrap_or("");
                let query = target.split_once('?').map_or("", |(_, q)| q);
                let mut access = Vec::new();
                for pair in query.split('&') {
                    if let Some(v) = pair.strip_prefix("scope=") {
                        let scope = percent_decode(v);
                        let parts: Vec<&str> = scope.split(':').collect();
                        if parts.len() == 3 {
                            access.push(serde_json::json!({"type": parts[0], "name": parts[1],
                                "actions": parts[2].split(',').collect::<Vec<_>>()}));
                        }
                    }
                }
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_secs();
                let header = serde_json::json!({"typ": "JWT", "alg": "RS256", "x5c": [x5c]});
                let claims = serde_json::json!({"iss": TOKEN_ISSUER, "sub": "", "aud": TOKEN_SERVICE,
                    "exp": now + 600, "nbf": now - 10, "iat": now, "jti": format!("{now}-{}", counter.load(std::sync::atomic::Ordering::Relaxed)),
                    "access": access});
                let signing_input = format!(
                    "{}.{}",
                    b64url(header.to_string().as_bytes()),
                    b64url(claims.to_string().as_bytes())
                );
                let mut child = Command::new("openssl")
                    .args(["dgst", "-sha256", "-sign"])
                    .arg(&key)
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .spawn()
                    .unwrap();
                child
                    .stdin
                    .take()
                    .unwrap()
                    .write_all(signing_input.as_bytes())
                    .unwrap();
                let signature = child.wait_with_output().unwrap().stdout;
                let token = format!("{signing_input}.{}", b64url(&signature));
                counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let body = serde_json::json!({"token": token, "expires_in": 600}).to_string();
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        Self {
            realm,
            cert,
            issued,
        }
    }
}

impl Registry {
    /// Plain HTTP with distribution's token auth, tokens from a [`TokenServer`].
    pub fn with_token_auth() -> Option<(Self, TokenServer)> {
        if !require("docker-registry") || !require("skopeo") || !require("openssl") {
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let tokens = TokenServer::start(dir.path());
        let addr = format!("127.0.0.1:{}", free_port());
        let data = dir.path().join("data");
        std::fs::create_dir_all(&data).unwrap();
        let config = format!(
            "version: 0.1\nlog: {{level: warn, accesslog: {{disabled: true}}}}\nstorage:\n  filesystem: {{rootdirectory: {}}}\n  maintenance: {{uploadpurging: {{enabled: false}}}}\nauth:\n  token: {{realm: \"{}\", service: {TOKEN_SERVICE}, issuer: {TOKEN_ISSUER}, rootcertbundle: {}}}\nhttp: {{addr: {addr}, secret: test-only}}\n",
            data.display(),
            tokens.realm,
            tokens.cert.display()
        );
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
            tls: None,
            child,
        };
        registry.wait_ready();
        Some((registry, tokens))
    }
}

/// A loopback proxy in front of a registry that misbehaves once per path: the first
/// manifest request gets `503`, the first response for each blob is cut off after a
/// few body bytes (a connection reset mid-stream). One request per connection.
pub struct FaultyProxy {
    pub addr: String,
    pub faults: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl FaultyProxy {
    /// A proxy answering the first request for each manifest with `status` (e.g.
    /// `429 Too Many Requests`, sent with `Retry-After: 1`), and cutting the first
    /// response for each blob after 100 bytes.
    pub fn start_with(upstream: &str, status: &'static str) -> Self {
        use std::io::{Read as _, Write as _};
        use std::sync::atomic::Ordering;
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let faults = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = std::sync::Arc::clone(&faults);
        let upstream = upstream.to_owned();
        let seen = std::sync::Arc::new(std::sync::Mutex::new(std::collections::HashSet::new()));
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(mut client) = client else { continue };
                let upstream = upstream.clone();
                let counter = std::sync::Arc::clone(&counter);
                let seen = std::sync::Arc::clone(&seen);
                std::thread::spawn(move || {
                    let head = read_head(&mut client);
                    let text = String::from_utf8_lossy(&head).into_owned();
                    let path = text.split(' ').nth(1).unwrap_or("").to_owned();
                    let first = seen.lock().unwrap().insert(path.clone());
                    if first && path.contains("/manifests/") {
                        counter.fetch_add(1, Ordering::Relaxed);
                        let _ = client.write_all(format!("HTTP/1.1 {status}\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").as_bytes());
                        return;
                    }
                    let cut = first && path.contains("/blobs/");
                    let Some(mut up) = send_upstream(&upstream, &text) else {
                        return;
                    };
                    if cut {
                        let response_head = read_head(&mut up);
                        let mut body = [0_u8; 100];
                        let n = up.read(&mut body).unwrap_or(0);
                        let _ = client.write_all(&response_head);
                        let _ = client.write_all(&body[..n]);
                        counter.fetch_add(1, Ordering::Relaxed);
                        let _ = client.shutdown(std::net::Shutdown::Both);
                        return;
                    }
                    let _ = std::io::copy(&mut up, &mut client);
                });
            }
        });
        Self { addr, faults }
    }
}

/// Send a request head to `upstream`, asking it to close after this one response.
fn send_upstream(upstream: &str, head: &str) -> Option<TcpStream> {
    use std::io::Write as _;
    let rewritten: String = head
        .split("\r\n")
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
        .collect::<Vec<_>>()
        .join("\r\n")
        .trim_end()
        .to_owned()
        + "\r\nConnection: close\r\n\r\n";
    let mut up = TcpStream::connect(upstream).ok()?;
    up.write_all(rewritten.as_bytes()).unwrap();
    Some(up)
}

/// Read an HTTP head (through the blank line), byte by byte so nothing after it is lost.
fn read_head(stream: &mut TcpStream) -> Vec<u8> {
    use std::io::Read as _;
    let mut head = Vec::new();
    let mut byte = [0_u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 65536 {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => break,
        }
    }
    head
}

/// A plain TCP forwarder on `bind_ip` (port chosen by the OS) to `upstream`, so a
/// loopback registry can be reached through a non-loopback address.
pub struct Forwarder {
    pub addr: String,
}

impl Forwarder {
    pub fn start(bind_ip: &str, upstream: &str) -> Option<Self> {
        let listener = TcpListener::bind((bind_ip, 0)).ok()?;
        let addr = listener.local_addr().ok()?.to_string();
        let upstream = upstream.to_owned();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                let Ok(server) = TcpStream::connect(&upstream) else {
                    continue;
                };
                let (mut c2, mut s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                let (mut c1, mut s1) = (client, server);
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut c1, &mut s1);
                    let _ = s1.shutdown(std::net::Shutdown::Write);
                });
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut s2, &mut c2);
                    let _ = c2.shutdown(std::net::Shutdown::Write);
                });
            }
        });
        Some(Self { addr })
    }
}

/// A non-loopback address of this machine, when it has one.
pub fn non_loopback_ip() -> Option<String> {
    let out = Command::new("hostname").arg("-I").output().ok()?;
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .find(|ip| {
            ip.parse::<std::net::Ipv4Addr>()
                .is_ok_and(|a| !a.is_loopback())
        })
        .map(str::to_owned)
}

/// Raw distribution-API writes, for pushing pre-made documents byte-exact (cosign
/// `.sig`/`.att` manifests, referrers, fallback indexes) where skopeo would rewrite them.
impl Registry {
    fn http(&self) -> reqwest::blocking::Client {
        assert!(self.tls.is_none(), "raw pushes are for the plain registry");
        reqwest::blocking::Client::new()
    }

    /// Upload `bytes` as a blob of `repo` (monolithic POST + PUT); returns its digest.
    pub fn put_blob(&self, repo: &str, bytes: &[u8]) -> String {
        let digest = format!("sha256:{}", imgguard::oci::Digest::sha256_of(bytes).hex());
        let http = self.http();
        let start = http
            .post(format!("http://{}/v2/{repo}/blobs/uploads/", self.addr))
            .send()
            .unwrap();
        assert_eq!(start.status().as_u16(), 202, "start upload to {repo}");
        let location = start.headers()["location"].to_str().unwrap().to_owned();
        let url = if location.starts_with('/') {
            format!("http://{}{location}", self.addr)
        } else {
            location
        };
        let sep = if url.contains('?') { '&' } else { '?' };
        let done = http
            .put(format!("{url}{sep}digest={digest}"))
            .header("content-type", "application/octet-stream")
            .body(bytes.to_vec())
            .send()
            .unwrap();
        assert_eq!(done.status().as_u16(), 201, "upload {digest}");
        digest
    }

    /// PUT a manifest or index at `reference` (a tag or its digest), bytes unchanged.
    pub fn put_manifest(&self, repo: &str, reference: &str, media_type: &str, bytes: &[u8]) {
        let response = self
            .http()
            .put(format!(
                "http://{}/v2/{repo}/manifests/{reference}",
                self.addr
            ))
            .header("content-type", media_type)
            .body(bytes.to_vec())
            .send()
            .unwrap();
        let status = response.status().as_u16();
        assert_eq!(
            status,
            201,
            "put manifest {repo}:{reference}: {}",
            response.text().unwrap_or_default()
        );
    }

    /// Make the registry believe `repo` holds blob `digest` of `size` bytes without
    /// having its bytes: a placeholder in its storage plus the repository link. For
    /// fixtures whose layer bytes were not kept; reading that blob then fails its
    /// digest check, as it must.
    pub fn plant_placeholder_blob(&self, repo: &str, digest: &str, size: usize) {
        let hex = digest.trim_start_matches("sha256:");
        let data = self.blob_file(digest);
        std::fs::create_dir_all(data.parent().unwrap()).unwrap();
        std::fs::write(&data, vec![0_u8; size]).unwrap();
        let link = self
            .dir
            .path()
            .join("data/docker/registry/v2/repositories")
            .join(repo)
            .join("_layers/sha256")
            .join(hex);
        std::fs::create_dir_all(&link).unwrap();
        std::fs::write(link.join("link"), digest).unwrap();
    }
}

/// A front for a real registry that adds the OCI 1.1 Referrers API (which
/// distribution 2.x lacks): `GET /v2/<name>/referrers/<digest>` is answered with
/// `referrers` (status, content type, body); everything else is passed through.
pub struct ReferrersFront {
    pub addr: String,
}

impl ReferrersFront {
    pub fn start(upstream: &str, referrers: (u16, &str, Vec<u8>)) -> Self {
        use std::io::Write as _;
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let upstream = upstream.to_owned();
        let (status, content_type, body) = (referrers.0, referrers.1.to_owned(), referrers.2);
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(mut client) = client else { continue };
                let upstream = upstream.clone();
                let content_type = content_type.clone();
                let body = body.clone();
                std::thread::spawn(move || {
                    let head = read_head(&mut client);
                    let text = String::from_utf8_lossy(&head).into_owned();
                    if !text.starts_with("GET ") && !text.starts_with("HEAD ") {
                        return; // a TLS probe or a write: not served here
                    }
                    let path = text.split(' ').nth(1).unwrap_or("").to_owned();
                    if path.contains("/referrers/") {
                        let _ = write!(
                            client,
                            "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            body.len()
                        );
                        let _ = client.write_all(&body);
                        return;
                    }
                    let Some(mut up) = send_upstream(&upstream, &text) else {
                        return;
                    };
                    let _ = std::io::copy(&mut up, &mut client);
                });
            }
        });
        Self { addr }
    }
}
