//! What the report says about the build: which builder, which version, the command
//! lines it ran (secrets redacted) and the digests it recorded. Part of the public
//! report (`imgguard.report/v1`, field `build`).

use schemars::JsonSchema;
use serde::Serialize;

use crate::oci::Digest;

/// The build stage of a run.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct BuildRecord {
    /// `buildah`, `podman`, `docker` or `command`.
    pub builder: String,
    /// The builder's own version line (`buildah version 1.28.2 …`); null for `command`.
    pub version: Option<String>,
    /// The command lines run, in order, with secret build-argument values redacted.
    pub commands: Vec<String>,
    /// The Dockerfile built, when the builder read one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dockerfile: Option<String>,
    /// The image that was checked, as a reference (`oci:DIR:TAG`, `docker-daemon:ID`…).
    pub image: String,
    /// The digest the builder recorded for what it produced (`--digestfile`), which the
    /// checked image's digest equals.
    pub digest: Option<Digest>,
    /// The image id (config digest) the builder recorded (`--iidfile`).
    pub image_id: Option<Digest>,
    /// Wall time of the build stage in milliseconds.
    pub duration_ms: u64,
}
