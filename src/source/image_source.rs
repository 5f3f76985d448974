//! The source interface: a root descriptor, small documents by descriptor, and blobs
//! as streams. Sources only deliver bytes; verification happens in `resolve` (documents)
//! and in the layer engine (blobs), so no source can skip it.

use std::io::Read;

use serde::Serialize;

use super::SourceError;
use super::evidence_store::EvidenceStore;
use super::resolve::DigestKind;
use crate::oci::{Descriptor, Digest};

/// Which transport and where, for reports ("which source was used").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct SourceInfo {
    /// `oci`, `oci-archive`, `docker-archive`, `registry`, `docker-daemon`, `demo`.
    pub transport: String,
    /// A path, registry URL or socket.
    pub location: String,
    /// Why this source, when the reference left a choice: a bare name like
    /// `myapp:dev` is looked up in the local Docker-API engine first, then in the
    /// registry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chosen: Option<String>,
    /// What the Docker-API engine said about the image (`docker-daemon` sources).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daemon: Option<DaemonImageInfo>,
}

impl SourceInfo {
    /// A source with no daemon details and no choice made.
    pub fn new(transport: impl Into<String>, location: impl Into<String>) -> Self {
        Self {
            transport: transport.into(),
            location: location.into(),
            ..Self::default()
        }
    }
}

/// The image as a Docker-API engine knows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct DaemonImageInfo {
    /// The name the engine was asked for.
    pub name: String,
    /// The engine's image ID (`sha256:…` of the config).
    pub image_id: String,
    /// `RepoDigests`: `repo@sha256:…` for each registry the image was pulled from or
    /// pushed to (empty for images built or loaded locally).
    pub repo_digests: Vec<String>,
}

/// Where an image's documents and blobs come from.
pub trait ImageSource: Send + Sync {
    /// Which transport and where.
    fn info(&self) -> SourceInfo;

    /// The descriptor the reference resolves to (an index or a manifest). Resolved once.
    fn root(&self, document_limit: u64) -> Result<Descriptor, SourceError>;

    /// The bytes of a manifest, index or config (at most `limit` bytes). The caller
    /// verifies them against the descriptor's digest.
    fn fetch_document(&self, descriptor: &Descriptor, limit: u64) -> Result<Vec<u8>, SourceError>;

    /// A blob's bytes as a stream. The layer engine verifies digest and size.
    fn open_blob(&self, descriptor: &Descriptor) -> Result<Box<dyn Read + Send>, SourceError>;

    /// The one digest that names the image, and what kind of digest it is.
    fn identity(&self, root: &Descriptor) -> (Digest, DigestKind) {
        let kind = match crate::oci::MediaKind::of(&root.media_type) {
            crate::oci::MediaKind::Index => DigestKind::Index,
            _ => DigestKind::Manifest,
        };
        (root.digest.clone(), kind)
    }

    /// Where signatures and attestations attached to the image live (`None` for
    /// sources without such a place: daemons, Docker archives). `alternate` names
    /// another repository to look in instead (`COSIGN_REPOSITORY`,
    /// `verify.repository`).
    ///
    /// No default: a wrapper that forgot to forward this would make a signed image
    /// look unsigned.
    fn evidence_store(
        &self,
        alternate: Option<&str>,
    ) -> Result<Option<Box<dyn EvidenceStore + '_>>, SourceError>;
}

/// The path of a blob inside an OCI layout.
pub fn blob_path(digest: &Digest) -> String {
    format!("blobs/{}/{}", digest.algorithm().name(), digest.hex())
}
