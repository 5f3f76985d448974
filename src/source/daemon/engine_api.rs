//! The few Docker Engine API calls imgguard needs (`_ping`, image inspect, image save),
//! over the daemon's unix socket or a `tcp://` endpoint. Docker and podman's
//! compatibility service both answer them; unversioned paths get the daemon's own API
//! version, so old and new engines work alike.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::blocking::Client;
use serde::Deserialize;

use super::DaemonError;
use crate::source::registry::client::error_chain;

const MAX_INSPECT: u64 = 4 << 20;

/// Where a Docker-API engine listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// A unix socket.
    Unix(PathBuf),
    /// `tcp://host:port`, spoken as plain HTTP (only loopback hosts are accepted).
    Tcp(String),
}

impl Endpoint {
    /// Parse `unix:///path` or `tcp://host:port`.
    pub fn parse(value: &str) -> Result<Self, DaemonError> {
        if let Some(path) = value.strip_prefix("unix://") {
            return Ok(Self::Unix(PathBuf::from(path)));
        }
        if let Some(host) = value.strip_prefix("tcp://") {
            let host = host.trim_end_matches('/');
            if crate::source::registry::options::is_loopback(host) {
                return Ok(Self::Tcp(host.to_owned()));
            }
        }
        Err(DaemonError::Endpoint {
            value: value.to_owned(),
        })
    }

    /// The endpoints to try: the explicit one, `DOCKER_HOST`, or the default sockets
    /// that exist (docker's, then podman's rootless and rootful ones).
    pub fn candidates(explicit: Option<&str>) -> Result<Vec<Self>, DaemonError> {
        if let Some(v) = explicit {
            return Ok(vec![Self::parse(v)?]);
        }
        if let Some(v) = std::env::var_os("DOCKER_HOST").filter(|v| !v.is_empty()) {
            return Ok(vec![Self::parse(&v.to_string_lossy())?]);
        }
        let mut sockets = vec![PathBuf::from("/var/run/docker.sock")];
        if let Some(run) = std::env::var_os("XDG_RUNTIME_DIR") {
            sockets.push(PathBuf::from(run).join("podman/podman.sock"));
        }
        sockets.push(PathBuf::from("/run/podman/podman.sock"));
        Ok(sockets
            .into_iter()
            .filter(|p| p.exists())
            .map(Self::Unix)
            .collect())
    }
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unix(p) => write!(f, "unix://{}", p.display()),
            Self::Tcp(h) => write!(f, "tcp://{h}"),
        }
    }
}

/// What image inspect says about an image.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ImageInspect {
    /// The image ID (`sha256:…`).
    pub id: String,
    /// `name@sha256:…` for each registry the image came from.
    #[serde(default)]
    pub repo_digests: Option<Vec<String>>,
    /// `name:tag` tags.
    #[serde(default)]
    pub repo_tags: Option<Vec<String>>,
}

/// A connection to one engine.
#[derive(Debug, Clone)]
pub struct EngineApi {
    endpoint: Endpoint,
    http: Client,
    base: String,
}

impl EngineApi {
    /// A client for `endpoint` (nothing is sent yet).
    pub fn new(endpoint: Endpoint, read_timeout: Duration) -> Result<Self, DaemonError> {
        let builder = Client::builder()
            .connect_timeout(Duration::from_secs(3))
            .timeout(read_timeout)
            .no_proxy();
        let (builder, base) = match &endpoint {
            Endpoint::Unix(path) => (
                builder.unix_socket(path.clone()),
                "http://docker".to_owned(),
            ),
            Endpoint::Tcp(host) => (builder, format!("http://{host}")),
        };
        let http = builder.build().map_err(|e| DaemonError::Request {
            endpoint: endpoint.to_string(),
            what: "set up the client".into(),
            reason: error_chain(&e),
        })?;
        Ok(Self {
            endpoint,
            http,
            base,
        })
    }

    /// The endpoint.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// Whether the engine answers `_ping`.
    pub fn ping(&self) -> bool {
        self.http
            .get(format!("{}/_ping", self.base))
            .timeout(Duration::from_secs(3))
            .send()
            .is_ok_and(|r| r.status().is_success())
    }

    fn request_error(&self, what: &str, reason: String) -> DaemonError {
        DaemonError::Request {
            endpoint: self.endpoint.to_string(),
            what: what.to_owned(),
            reason,
        }
    }

    /// Inspect `name`; `Ok(None)` when the engine has no such image.
    pub fn inspect(&self, name: &str) -> Result<Option<ImageInspect>, DaemonError> {
        let what = format!("inspect image {name}");
        let response = self
            .http
            .get(format!(
                "{}/images/{}/json",
                self.base,
                path_component(name)?
            ))
            .send()
            .map_err(|e| self.request_error(&what, error_chain(&e)))?;
        match response.status() {
            StatusCode::NOT_FOUND => return Ok(None),
            s if !s.is_success() => return Err(self.request_error(&what, format!("status {s}"))),
            _ => {}
        }
        let mut body = Vec::new();
        response
            .take(MAX_INSPECT)
            .read_to_end(&mut body)
            .map_err(|e| self.request_error(&what, e.to_string()))?;
        serde_json::from_slice(&body)
            .map(Some)
            .map_err(|e| self.request_error(&what, format!("invalid JSON: {e}")))
    }

    /// Stream `GET /images/{id}/get` (a docker-archive tar) into `out`.
    pub fn save(&self, id: &str, out: &mut dyn Write) -> Result<u64, DaemonError> {
        let what = format!("save image {id}");
        let mut response = self
            .http
            .get(format!("{}/images/{}/get", self.base, path_component(id)?))
            .send()
            .map_err(|e| self.request_error(&what, error_chain(&e)))?;
        if !response.status().is_success() {
            return Err(self.request_error(&what, format!("status {}", response.status())));
        }
        std::io::copy(&mut response, out).map_err(|e| self.request_error(&what, e.to_string()))
    }
}

/// An image name or ID as one URL path component (Docker's router accepts slashes in
/// it; anything outside the reference alphabet is refused rather than escaped).
fn path_component(name: &str) -> Result<&str, DaemonError> {
    let ok = !name.is_empty()
        && name.len() <= 512
        && !name.contains("..")
        && name.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'/' | b':' | b'@')
        });
    if ok {
        Ok(name)
    } else {
        Err(DaemonError::Name {
            name: name.chars().take(256).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]
    use super::*;

    #[test]
    fn endpoints() {
        assert_eq!(
            Endpoint::parse("unix:///run/podman/podman.sock").unwrap(),
            Endpoint::Unix("/run/podman/podman.sock".into())
        );
        assert_eq!(
            Endpoint::parse("tcp://127.0.0.1:2375").unwrap(),
            Endpoint::Tcp("127.0.0.1:2375".into())
        );
        assert!(Endpoint::parse("tcp://203.0.113.9:2375").is_err());
        assert!(Endpoint::parse("ssh://host").is_err());
    }

    #[test]
    fn names_are_path_safe() {
        assert!(path_component("localhost/app:dev").is_ok());
        assert!(path_component("sha256:0123").is_ok());
        assert!(path_component("../../containers/json").is_err());
        assert!(path_component("a?b").is_err());
        assert!(path_component("").is_err());
    }
}
