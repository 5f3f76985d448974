//! Flags for reaching registries and the local Docker-API engine. Parsing only: the
//! one side effect, reading `--password-stdin`, happens in [`RegistryArgs::options`].

use std::io::Read;
use std::path::PathBuf;
use std::time::Duration;

use crate::source::SourceError;
use crate::source::registry::{Password, RegistryError, RegistryOptions};

/// Registry and daemon access.
#[derive(Debug, Clone, clap::Args)]
pub struct RegistryArgs {
    /// Trust this CA bundle (PEM) for registry TLS, in addition to the system roots.
    #[arg(long = "ca-file", value_name = "FILE")]
    pub ca_files: Vec<PathBuf>,
    /// Read CA certificates from DIR/HOST[:PORT]/*.crt (replaces /etc/containers/certs.d,
    /// /etc/docker/certs.d and ~/.config/containers/certs.d).
    #[arg(long = "certs-d", value_name = "DIR")]
    pub certs_dirs: Vec<PathBuf>,
    /// Allow plain HTTP and unverified TLS for this registry host[:port] (loopback
    /// registries may use plain HTTP without it).
    #[arg(long = "insecure-registry", value_name = "HOST")]
    pub insecure_registries: Vec<String>,
    /// Registry user name (with --password-stdin).
    #[arg(long, requires = "password_stdin", value_name = "USER")]
    pub username: Option<String>,
    /// Read the registry password from standard input.
    #[arg(long, requires = "username")]
    pub password_stdin: bool,
    /// Read credentials from this auth file (docker config.json or podman auth.json
    /// format) instead of the default locations.
    #[arg(long = "authfile", value_name = "FILE")]
    pub auth_file: Option<PathBuf>,
    /// Docker-API endpoint for docker-daemon: images (default: DOCKER_HOST, then
    /// /var/run/docker.sock and podman's sockets).
    #[arg(long = "docker-host", value_name = "unix:///PATH")]
    pub docker_host: Option<String>,
    /// Never look in the local daemon for names without a registry host.
    #[arg(long)]
    pub no_daemon: bool,
    /// Seconds of silence before a registry request counts as failed.
    #[arg(
        long = "registry-timeout",
        value_name = "SECONDS",
        default_value_t = 60
    )]
    pub timeout: u64,
    /// Retries for transient registry failures (429, 5xx, resets, timeouts).
    #[arg(long = "registry-retries", value_name = "N", default_value_t = 4)]
    pub retries: u32,
    /// Never show a progress line (it only shows on a terminal outside CI anyway).
    #[arg(long)]
    pub no_progress: bool,
}

impl RegistryArgs {
    /// The library's options, reading the password from `stdin` when asked.
    pub fn options(&self, stdin: &mut dyn Read) -> Result<RegistryOptions, SourceError> {
        let mut options = RegistryOptions {
            ca_files: self.ca_files.clone(),
            insecure_registries: self.insecure_registries.clone(),
            auth_file: self.auth_file.clone(),
            read_timeout: Duration::from_secs(self.timeout.max(1)),
            retries: self.retries,
            docker_host: self.docker_host.clone(),
            prefer_daemon: !self.no_daemon,
            progress: !self.no_progress,
            ..RegistryOptions::default()
        };
        if !self.certs_dirs.is_empty() {
            options.certs_dirs.clone_from(&self.certs_dirs);
        }
        if let (Some(user), true) = (&self.username, self.password_stdin) {
            let mut password = String::new();
            stdin
                .take(64 * 1024)
                .read_to_string(&mut password)
                .map_err(|e| RegistryError::Credentials {
                    registry: "(any)".into(),
                    origin: "--password-stdin".into(),
                    reason: e.to_string(),
                })?;
            let password = password.trim_end_matches(['\n', '\r']).to_owned();
            options.credentials = Some((user.clone(), Password::new(password)));
        }
        Ok(options)
    }
}
