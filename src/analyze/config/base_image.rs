//! The base image reference as the build recorded it (OCI annotation
//! `org.opencontainers.image.base.name`, the same key as a label, or the Dockerfile's
//! final `FROM`), and whether it is pinned by digest.

/// The annotation (and label) naming the base image.
pub const BASE_NAME: &str = "org.opencontainers.image.base.name";
/// The annotation recording the base image's digest at build time.
pub const BASE_DIGEST: &str = "org.opencontainers.image.base.digest";

/// How a base reference is pinned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pinning {
    /// `name@sha256:…` (with or without a tag).
    Digest,
    /// `name` or `name:latest`: whatever the registry serves today.
    Latest,
    /// `name:tag`: movable, but names a release line.
    Tag(String),
    /// `scratch`, or a reference that is only a build argument (`${BASE}`): nothing to pin.
    NotApplicable,
}

/// Classify a base reference as written.
pub fn pinning(reference: &str) -> Pinning {
    let reference = reference.trim();
    if reference.is_empty() || reference == "scratch" || reference.contains('$') {
        return Pinning::NotApplicable;
    }
    if reference.contains('@') {
        return Pinning::Digest;
    }
    // The tag is after the last `:` that follows the last `/` (a `:` before it is a port).
    let last = reference.rsplit('/').next().unwrap_or(reference);
    match last.rsplit_once(':') {
        Some((_, "latest")) | None => Pinning::Latest,
        Some((_, tag)) => Pinning::Tag(tag.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_references() {
        assert_eq!(pinning("docker.io/library/ubuntu:latest"), Pinning::Latest);
        assert_eq!(pinning("ubuntu"), Pinning::Latest);
        assert_eq!(pinning("localhost:5000/app"), Pinning::Latest);
        assert_eq!(pinning("ubuntu:24.04"), Pinning::Tag("24.04".into()));
        assert_eq!(
            pinning(
                "ubuntu:24.04@sha256:0000000000000000000000000000000000000000000000000000000000000000"
            ),
            Pinning::Digest
        );
        assert_eq!(pinning("scratch"), Pinning::NotApplicable);
        assert_eq!(pinning("${BASE}"), Pinning::NotApplicable);
    }
}
