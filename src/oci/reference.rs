//! Image references in the containers-transports style: a registry reference
//! (`registry/repo:tag`, `repo@sha256:…`, `docker://…`), `oci:DIR[:TAG]`,
//! `oci-archive:FILE[:TAG]`, `docker-archive:FILE[:NAME:TAG]`, `docker-daemon:NAME:TAG`.

use std::fmt;
use std::path::PathBuf;

use super::{Digest, OciError};

/// Docker Hub's registry host as docker writes it in references.
pub const DOCKER_HUB: &str = "docker.io";

/// Where an image is and how to reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageReference {
    /// An image in a registry.
    Registry(RegistryReference),
    /// An OCI image layout directory.
    OciLayout {
        /// The layout directory.
        path: PathBuf,
        /// The `org.opencontainers.image.ref.name` to pick, if any.
        tag: Option<String>,
    },
    /// A tar file holding an OCI image layout.
    OciArchive {
        /// The archive.
        path: PathBuf,
        /// The ref name to pick, if any.
        tag: Option<String>,
    },
    /// A `docker save` tarball (legacy or OCI-shaped).
    DockerArchive {
        /// The archive.
        path: PathBuf,
        /// `NAME:TAG` to pick among several images, if any.
        name: Option<String>,
    },
    /// An image in a local Docker-API engine.
    DockerDaemon {
        /// `NAME:TAG` or an image id.
        name: String,
    },
}

/// A normalised registry reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryReference {
    /// Registry host (with port), `docker.io` for Docker Hub.
    pub registry: String,
    /// Repository path, `library/…` for Docker Hub official images.
    pub repository: String,
    /// Tag, when given (defaults to `latest` only when no digest is given either).
    pub tag: Option<String>,
    /// Digest, when given.
    pub digest: Option<Digest>,
    /// Whether the user wrote a registry host explicitly.
    pub explicit_registry: bool,
}

impl RegistryReference {
    /// Parse a docker-style reference with Docker Hub normalisation.
    pub fn parse(input: &str) -> Result<Self, OciError> {
        let invalid = |reason: &str| OciError::InvalidReference {
            reference: input.chars().take(256).collect(),
            reason: reason.to_owned(),
        };
        if input.is_empty() || input.len() > 4096 {
            return Err(invalid("expected 1 to 4096 characters"));
        }
        let (rest, digest) = match input.split_once('@') {
            Some((rest, d)) => (rest, Some(d.parse::<Digest>()?)),
            None => (input, None),
        };
        // A tag is after the last ':' that comes after the last '/'.
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest.get(last_slash..).and_then(|tail| tail.rfind(':')) {
            Some(pos) => {
                let split = last_slash + pos;
                (
                    rest.get(..split).unwrap_or(rest),
                    rest.get(split + 1..).map(str::to_owned),
                )
            }
            None => (rest, None),
        };
        if let Some(tag) = &tag {
            let ok = !tag.is_empty()
                && tag.len() <= 128
                && tag
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
                && !tag.starts_with(['.', '-']);
            if !ok {
                return Err(invalid("tag must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"));
            }
        }
        let (registry, repository, explicit_registry) = match name.split_once('/') {
            Some((first, remainder))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (first.to_owned(), remainder.to_owned(), true)
            }
            _ => (DOCKER_HUB.to_owned(), name.to_owned(), false),
        };
        let registry = match registry.as_str() {
            "index.docker.io" | "registry-1.docker.io" => DOCKER_HUB.to_owned(),
            _ => registry,
        };
        let repository = if registry == DOCKER_HUB && !repository.contains('/') {
            format!("library/{repository}")
        } else {
            repository
        };
        let valid_component = |c: &str| {
            !c.is_empty()
                && c.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
                })
                && c.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        };
        if !repository.split('/').all(valid_component) {
            return Err(invalid(
                "repository path components must be lowercase letters, digits, '.', '_' or '-'",
            ));
        }
        Ok(Self {
            registry,
            repository,
            tag,
            digest,
            explicit_registry,
        })
    }

    /// The tag to resolve, `latest` when neither tag nor digest was given.
    pub fn tag_or_default(&self) -> Option<&str> {
        match (&self.tag, &self.digest) {
            (Some(t), _) => Some(t),
            (None, None) => Some("latest"),
            (None, Some(_)) => None,
        }
    }
}

impl fmt::Display for RegistryReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

impl ImageReference {
    /// Parse a reference string with an optional transport prefix.
    pub fn parse(input: &str) -> Result<Self, OciError> {
        let split_path = |rest: &str| -> (PathBuf, Option<String>) {
            // containers/image splits at the first ':' (paths with ':' are not supported there either).
            match rest.split_once(':') {
                Some((p, t)) if !t.is_empty() => (PathBuf::from(p), Some(t.to_owned())),
                Some((p, _)) => (PathBuf::from(p), None),
                None => (PathBuf::from(rest), None),
            }
        };
        let empty = |t: &str| OciError::InvalidReference {
            reference: input.chars().take(256).collect(),
            reason: format!("`{t}` needs a path or name after the colon"),
        };
        if let Some(rest) = input.strip_prefix("oci:") {
            let (path, tag) = split_path(rest);
            if path.as_os_str().is_empty() {
                return Err(empty("oci:"));
            }
            return Ok(Self::OciLayout { path, tag });
        }
        if let Some(rest) = input.strip_prefix("oci-archive:") {
            let (path, tag) = split_path(rest);
            if path.as_os_str().is_empty() {
                return Err(empty("oci-archive:"));
            }
            return Ok(Self::OciArchive { path, tag });
        }
        if let Some(rest) = input.strip_prefix("docker-archive:") {
            let (path, name) = split_path(rest);
            if path.as_os_str().is_empty() {
                return Err(empty("docker-archive:"));
            }
            return Ok(Self::DockerArchive { path, name });
        }
        if let Some(rest) = input.strip_prefix("docker-daemon:") {
            if rest.is_empty() {
                return Err(empty("docker-daemon:"));
            }
            return Ok(Self::DockerDaemon {
                name: rest.to_owned(),
            });
        }
        let rest = input.strip_prefix("docker://").unwrap_or(input);
        RegistryReference::parse(rest).map(Self::Registry)
    }
}

impl fmt::Display for ImageReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tail = |t: &Option<String>| t.as_ref().map(|t| format!(":{t}")).unwrap_or_default();
        match self {
            Self::Registry(r) => write!(f, "{r}"),
            Self::OciLayout { path, tag } => write!(f, "oci:{}{}", path.display(), tail(tag)),
            Self::OciArchive { path, tag } => {
                write!(f, "oci-archive:{}{}", path.display(), tail(tag))
            }
            Self::DockerArchive { path, name } => {
                write!(f, "docker-archive:{}{}", path.display(), tail(name))
            }
            Self::DockerDaemon { name } => write!(f, "docker-daemon:{name}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reg(s: &str) -> RegistryReference {
        match ImageReference::parse(s).unwrap() {
            ImageReference::Registry(r) => r,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn docker_hub_normalisation() {
        let r = reg("ubuntu");
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str()),
            ("docker.io", "library/ubuntu")
        );
        assert_eq!(r.tag_or_default(), Some("latest"));
        let r = reg("acme/app:1.2");
        assert_eq!(r.repository, "acme/app");
        assert_eq!(r.tag.as_deref(), Some("1.2"));
        let r = reg("docker://index.docker.io/library/busybox:1");
        assert_eq!(r.registry, "docker.io");
    }

    #[test]
    fn explicit_registry_with_port_and_digest() {
        let d = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        let r = reg(&format!("127.0.0.1:5000/team/app@{d}"));
        assert_eq!(r.registry, "127.0.0.1:5000");
        assert_eq!(r.repository, "team/app");
        assert!(r.tag.is_none());
        assert_eq!(r.tag_or_default(), None);
        assert!(r.explicit_registry);
        let r = reg("localhost/app:dev");
        assert_eq!(r.registry, "localhost");
    }

    #[test]
    fn transports() {
        assert_eq!(
            ImageReference::parse("oci:testdata/demo:v1").unwrap(),
            ImageReference::OciLayout {
                path: "testdata/demo".into(),
                tag: Some("v1".into())
            }
        );
        assert_eq!(
            ImageReference::parse("docker-archive:/tmp/x.tar:app:1").unwrap(),
            ImageReference::DockerArchive {
                path: "/tmp/x.tar".into(),
                name: Some("app:1".into())
            }
        );
        assert!(ImageReference::parse("oci:").is_err());
        assert!(ImageReference::parse("Upper/Case").is_err());
        assert!(ImageReference::parse("app:bad tag").is_err());
    }
}
