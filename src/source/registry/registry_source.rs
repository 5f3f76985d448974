//! An image in a registry as an [`ImageSource`]. The tag is resolved once (with the
//! Accept types of OCI and Docker indexes and manifests); the digest of the bytes
//! received names the image, and every later request is by digest. Blobs are handed
//! to the layer engine as live HTTP streams.

use std::io::Read;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, OnceLock};

use super::blob_reader::{BlobReader, ByteCounter};
use super::client::{DocumentError, RegistryClient};
use super::progress::Progress;
use super::{RegistryError, RegistryOptions};
use crate::oci::media_type::{DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST};
use crate::oci::reference::RegistryReference;
use crate::oci::{Descriptor, Digest, MediaKind};
use crate::source::image_source::{ImageSource, SourceInfo};
use crate::source::{EvidenceStore, SourceError};

/// Every manifest type imgguard reads, in order of preference.
const MANIFEST_TYPES: [&str; 4] = [
    OCI_INDEX,
    DOCKER_MANIFEST_LIST,
    OCI_MANIFEST,
    DOCKER_MANIFEST,
];

/// A registry image.
pub struct RegistrySource {
    reference: RegistryReference,
    client: Arc<RegistryClient>,
    root: OnceLock<(Descriptor, Vec<u8>)>,
    received: ByteCounter,
    progress: Option<Progress>,
    /// Kept to reach an alternate evidence repository with the same settings.
    options: RegistryOptions,
}

impl RegistrySource {
    /// A source for `reference` (nothing is fetched until the engine asks).
    pub fn new(
        reference: RegistryReference,
        options: &RegistryOptions,
    ) -> Result<Self, SourceError> {
        let client = RegistryClient::new(&reference.registry, &reference.repository, options)?;
        let received: ByteCounter = Arc::new(AtomicU64::new(0));
        let progress = options
            .progress
            .then(|| Progress::start_if_terminal(Arc::clone(&received), "pulling layers"))
            .flatten();
        Ok(Self {
            reference,
            client: Arc::new(client),
            root: OnceLock::new(),
            received,
            progress,
            options: options.clone(),
        })
    }

    /// Fetch a document whole, mapping failures with `on_error`.
    fn document(
        &self,
        path: &str,
        limit: u64,
        on_error: impl Fn(RegistryError) -> SourceError,
    ) -> Result<(reqwest::header::HeaderMap, Vec<u8>), SourceError> {
        self.client
            .get_document(path, &MANIFEST_TYPES, limit)
            .map_err(|e| match e {
                DocumentError::Registry(e) => on_error(e),
                DocumentError::TooLarge(size) => SourceError::TooLarge {
                    what: path.to_owned(),
                    size,
                    limit,
                },
            })
    }

    fn not_found(&self, wanted: &str, error: RegistryError) -> SourceError {
        match error {
            RegistryError::Status { status: 404, .. } => SourceError::NotFound {
                location: self.client.location(),
                wanted: wanted.to_owned(),
                present: "no such manifest (404)".into(),
            },
            other => other.into(),
        }
    }

    fn resolve_root(&self, limit: u64) -> Result<(Descriptor, Vec<u8>), SourceError> {
        let wanted = match (&self.reference.digest, self.reference.tag_or_default()) {
            (Some(d), _) => d.to_string(),
            (None, Some(tag)) => tag.to_owned(),
            (None, None) => "latest".to_owned(),
        };
        let (headers, bytes) = self.document(&format!("manifests/{wanted}"), limit, |e| {
            self.not_found(&wanted, e)
        })?;
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let content_type = header("content-type")
            .map(|t| t.split(';').next().unwrap_or("").trim().to_owned())
            .unwrap_or_default();
        let announced = header("docker-content-digest").and_then(|d| d.parse::<Digest>().ok());
        let what = format!("manifest {}:{wanted}", self.reference.repository);
        let digest = match (&self.reference.digest, &announced) {
            (Some(d), _) => d.same_algorithm_of(&bytes),
            (None, Some(a)) => a.same_algorithm_of(&bytes),
            (None, None) => Digest::sha256_of(&bytes),
        };
        if let Some(expected) = self.reference.digest.as_ref().or(announced.as_ref())
            && *expected != digest
        {
            return Err(SourceError::DigestMismatch {
                what: what.clone(),
                expected: expected.clone(),
                found: digest,
            });
        }
        let media_type = if matches!(
            MediaKind::of(&content_type),
            MediaKind::Index | MediaKind::Manifest
        ) {
            content_type
        } else {
            // Some registries send application/json: trust the document's own field.
            serde_json::from_slice::<serde_json::Value>(&bytes)
                .ok()
                .and_then(|v| v.get("mediaType")?.as_str().map(str::to_owned))
                .unwrap_or(content_type)
        };
        if !matches!(
            MediaKind::of(&media_type),
            MediaKind::Index | MediaKind::Manifest
        ) {
            return Err(RegistryError::ManifestType {
                url: format!("{}/manifests/{wanted}", self.client.location()),
                media_type,
            }
            .into());
        }
        let descriptor = Descriptor {
            media_type,
            digest,
            size: bytes.len() as u64,
            platform: None,
            annotations: std::collections::BTreeMap::new(),
            artifact_type: None,
            urls: Vec::new(),
        };
        Ok((descriptor, bytes))
    }
}

impl ImageSource for RegistrySource {
    fn info(&self) -> SourceInfo {
        SourceInfo::new("registry", self.client.location())
    }

    fn root(&self, document_limit: u64) -> Result<Descriptor, SourceError> {
        if let Some((d, _)) = self.root.get() {
            return Ok(d.clone());
        }
        let resolved = self.resolve_root(document_limit)?;
        let descriptor = resolved.0.clone();
        let _ = self.root.set(resolved);
        Ok(descriptor)
    }

    fn fetch_document(&self, descriptor: &Descriptor, limit: u64) -> Result<Vec<u8>, SourceError> {
        if let Some((root, bytes)) = self.root.get()
            && root.digest == descriptor.digest
        {
            return Ok(bytes.clone());
        }
        let path = match MediaKind::of(&descriptor.media_type) {
            MediaKind::Index | MediaKind::Manifest => format!("manifests/{}", descriptor.digest),
            _ => format!("blobs/{}", descriptor.digest),
        };
        if descriptor.size > limit {
            return Err(SourceError::TooLarge {
                what: path,
                size: descriptor.size,
                limit,
            });
        }
        let (_, bytes) = self.document(&path, limit, |e| missing(e, descriptor, &self.client))?;
        Ok(bytes)
    }

    fn evidence_store(
        &self,
        alternate: Option<&str>,
    ) -> Result<Option<Box<dyn EvidenceStore + '_>>, SourceError> {
        let Some(alternate) = alternate else {
            return Ok(Some(Box::new(self.client.as_ref())));
        };
        let repository = RegistryReference::parse(alternate)?;
        let client =
            RegistryClient::new(&repository.registry, &repository.repository, &self.options)?;
        Ok(Some(Box::new(client)))
    }

    fn open_blob(&self, descriptor: &Descriptor) -> Result<Box<dyn Read + Send>, SourceError> {
        let path = format!("blobs/{}", descriptor.digest);
        if let Some(p) = &self.progress {
            p.expect(descriptor.size);
        }
        let response = self
            .client
            .get(&path, &[], 0)
            .map_err(|e| missing(e, descriptor, &self.client))?;
        Ok(Box::new(BlobReader::new(
            Arc::clone(&self.client),
            path,
            response,
            Some(Arc::clone(&self.received)),
        )))
    }
}

fn missing(error: RegistryError, descriptor: &Descriptor, client: &RegistryClient) -> SourceError {
    match error {
        RegistryError::Status { status: 404, .. } => SourceError::MissingBlob {
            digest: descriptor.digest.clone(),
            location: client.location(),
        },
        other => other.into(),
    }
}
