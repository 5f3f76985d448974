//! How to reach registries and daemons: trust (CA files, certs.d), which hosts may use
//! plain HTTP, explicit credentials, timeouts and retries. Built by the CLI from its
//! flags; the library never reads flags itself.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// A password held so that it never prints: `Debug` shows only its length.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Wrap a password (trailing newlines from stdin are the caller's to strip).
    pub fn new(value: String) -> Self {
        Self(value)
    }

    /// The value, for the one place that sends it.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Password(<{} bytes>)", self.0.len())
    }
}

/// Registry and daemon access settings.
#[derive(Debug, Clone)]
pub struct RegistryOptions {
    /// Extra CA certificates (PEM) trusted for every registry.
    pub ca_files: Vec<PathBuf>,
    /// Directories holding `HOST[:PORT]/*.crt` (the certs.d convention).
    pub certs_dirs: Vec<PathBuf>,
    /// Hosts (`host[:port]`) that may use plain HTTP or unverified TLS.
    pub insecure_registries: Vec<String>,
    /// Credentials given on the command line (they win over every config file).
    pub credentials: Option<(String, Password)>,
    /// An auth file to read instead of the default locations.
    pub auth_file: Option<PathBuf>,
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Longest silence while reading a response before the attempt counts as failed.
    pub read_timeout: Duration,
    /// Attempts after the first one for requests that fail transiently.
    pub retries: u32,
    /// The Docker-API endpoint (`unix:///path`), when not from `DOCKER_HOST` or the
    /// default sockets.
    pub docker_host: Option<String>,
    /// Whether to try the local daemon for names without a registry host.
    pub prefer_daemon: bool,
    /// Show a progress line on stderr (only honoured when stderr is a terminal).
    pub progress: bool,
}

impl Default for RegistryOptions {
    fn default() -> Self {
        let mut certs_dirs = vec![
            PathBuf::from("/etc/containers/certs.d"),
            PathBuf::from("/etc/docker/certs.d"),
        ];
        if let Some(home) = std::env::var_os("HOME") {
            certs_dirs.push(PathBuf::from(home).join(".config/containers/certs.d"));
        }
        Self {
            ca_files: Vec::new(),
            certs_dirs,
            insecure_registries: Vec::new(),
            credentials: None,
            auth_file: None,
            connect_timeout: Duration::from_secs(15),
            read_timeout: Duration::from_secs(60),
            retries: 4,
            docker_host: None,
            prefer_daemon: true,
            progress: true,
        }
    }
}

impl RegistryOptions {
    /// Whether `registry` (`host[:port]`) was named with `--insecure-registry`.
    pub fn is_insecure(&self, registry: &str) -> bool {
        self.insecure_registries
            .iter()
            .any(|h| h.eq_ignore_ascii_case(registry))
    }
}

/// Whether a registry host is on the loopback interface (plain HTTP allowed there).
pub fn is_loopback(registry: &str) -> bool {
    let host = host_of(registry);
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

/// The host part of `host[:port]` (IPv6 literals keep their brackets).
fn host_of(registry: &str) -> &str {
    if registry.starts_with('[') {
        return registry
            .find(']')
            .and_then(|end| registry.get(..=end))
            .unwrap_or(registry);
    }
    registry.split(':').next().unwrap_or(registry)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        assert!(is_loopback("127.0.0.1:5000"));
        assert!(is_loopback("127.3.2.1"));
        assert!(is_loopback("localhost:80"));
        assert!(is_loopback("[::1]:5000"));
        assert!(!is_loopback("registry.example.com"));
        assert!(!is_loopback("10.0.0.1:5000"));
        assert!(!is_loopback("localhost.evil.example"));
    }

    #[test]
    fn password_never_prints() {
        let p = Password::new("hunter2hunter2".into());
        assert_eq!(format!("{p:?}"), "Password(<14 bytes>)");
    }
}
