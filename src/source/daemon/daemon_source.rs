//! An image in a Docker-API engine as an [`ImageSource`]. Nothing is fetched until
//! the engine asks for the root: then the name is inspected once, the image is saved
//! by its ID (so a re-tag in between cannot swap the image), spooled to one temp file,
//! and read with the same archive readers as `docker-archive:` (legacy, or the OCI
//! layout Docker 25+ and the containerd store write).

use std::io::Read;
use std::sync::OnceLock;

use super::DaemonError;
use super::engine_api::{Endpoint, EngineApi, ImageInspect};
use crate::oci::{Descriptor, Digest};
use crate::source::SourceError;
use crate::source::docker_archive::DockerArchive;
use crate::source::image_source::{DaemonImageInfo, ImageSource, SourceInfo};
use crate::source::oci_layout::OciLayout;
use crate::source::registry::RegistryOptions;
use crate::source::resolve::DigestKind;
use crate::source::tar_tree::TarTree;

struct Saved {
    inspect: ImageInspect,
    inner: Box<dyn ImageSource>,
    /// Kept so the file lives as long as the readers that point into it.
    _spool: tempfile::NamedTempFile,
}

/// A daemon image.
pub struct DaemonSource {
    api: EngineApi,
    name: String,
    saved: OnceLock<Saved>,
}

impl DaemonSource {
    /// A source for `name` on the first engine that answers.
    pub fn connect(name: &str, options: &RegistryOptions) -> Result<Self, SourceError> {
        Ok(Self::new(Self::engine(options)?, name))
    }

    /// The first engine that answers `_ping`.
    pub fn engine(options: &RegistryOptions) -> Result<EngineApi, SourceError> {
        let candidates = Endpoint::candidates(options.docker_host.as_deref())?;
        let mut tried = Vec::new();
        for endpoint in candidates {
            tried.push(endpoint.to_string());
            let api = EngineApi::new(endpoint, options.read_timeout)?;
            if api.ping() {
                return Ok(api);
            }
        }
        Err(DaemonError::Unreachable {
            tried: if tried.is_empty() {
                "no socket found".into()
            } else {
                tried.join(", ")
            },
        }
        .into())
    }

    /// A source for `name` on `api`.
    pub fn new(api: EngineApi, name: &str) -> Self {
        Self {
            api,
            name: name.to_owned(),
            saved: OnceLock::new(),
        }
    }

    /// Whether the engine has `name` (used to decide where a bare name comes from).
    pub fn has_image(&self) -> bool {
        matches!(self.api.inspect(&self.name), Ok(Some(_)))
    }

    fn save(&self) -> Result<Saved, SourceError> {
        let endpoint = self.api.endpoint().to_string();
        let inspect = self
            .api
            .inspect(&self.name)?
            .ok_or_else(|| DaemonError::NotFound {
                endpoint: endpoint.clone(),
                name: self.name.clone(),
            })?;
        let spool_error = |e: std::io::Error| DaemonError::Spool {
            reason: e.to_string(),
        };
        let mut spool = tempfile::Builder::new()
            .prefix("imgguard-daemon-")
            .suffix(".tar")
            .tempfile()
            .map_err(spool_error)?;
        self.api.save(&inspect.id, spool.as_file_mut())?;
        spool.as_file().sync_all().map_err(spool_error)?;
        let tree = TarTree::open(spool.path())?;
        let inner: Box<dyn ImageSource> = if OciLayout::is_layout(&tree)? {
            Box::new(OciLayout::new(tree, "docker-daemon", None))
        } else {
            Box::new(DockerArchive::new(tree, None))
        };
        Ok(Saved {
            inspect,
            inner,
            _spool: spool,
        })
    }

    fn saved(&self) -> Result<&Saved, SourceError> {
        if let Some(s) = self.saved.get() {
            return Ok(s);
        }
        let saved = self.save()?;
        Ok(self.saved.get_or_init(|| saved))
    }

    /// The image ID and registry digests the engine reported, once saved.
    pub fn inspect(&self) -> Option<&ImageInspect> {
        self.saved.get().map(|s| &s.inspect)
    }
}

impl ImageSource for DaemonSource {
    fn info(&self) -> SourceInfo {
        SourceInfo {
            daemon: self.saved.get().map(|s| DaemonImageInfo {
                name: self.name.clone(),
                image_id: s.inspect.id.clone(),
                repo_digests: s.inspect.repo_digests.clone().unwrap_or_default(),
            }),
            ..SourceInfo::new("docker-daemon", self.api.endpoint().to_string())
        }
    }

    fn root(&self, document_limit: u64) -> Result<Descriptor, SourceError> {
        self.saved()?.inner.root(document_limit)
    }

    fn fetch_document(&self, descriptor: &Descriptor, limit: u64) -> Result<Vec<u8>, SourceError> {
        self.saved()?.inner.fetch_document(descriptor, limit)
    }

    fn open_blob(&self, descriptor: &Descriptor) -> Result<Box<dyn Read + Send>, SourceError> {
        self.saved()?.inner.open_blob(descriptor)
    }

    fn identity(&self, root: &Descriptor) -> (Digest, DigestKind) {
        match self.saved.get() {
            Some(s) => s.inner.identity(root),
            None => (root.digest.clone(), DigestKind::Manifest),
        }
    }

    fn evidence_store(
        &self,
        _alternate: Option<&str>,
    ) -> Result<Option<Box<dyn crate::source::EvidenceStore + '_>>, SourceError> {
        // The Docker Engine API exposes no signatures or referrers.
        Ok(None)
    }
}
