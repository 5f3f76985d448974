//! Read-only registry access for evidence attached to an image: a manifest by tag
//! (absent when the registry answers 404), an image's OCI 1.1 referrers (the Referrers
//! API, else the tag-schema fallback index at `sha256-<hex>`), and digest-verified,
//! size-bounded fetches of the manifests and blobs those name.
//!
//! Sits beside [`super::RegistrySource`] on the same [`RegistryClient`]: signature and
//! attestation discovery (`verify`) and the attestation gate (`attest`) read through
//! it. Nothing here writes to a registry.

use std::collections::BTreeMap;

use super::RegistryError;
use super::client::{DocumentError, RegistryClient};
use crate::oci::media_type::{DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST};
use crate::oci::{Descriptor, Digest, ImageIndex, MediaKind};
use crate::source::resolve::verify_bytes;
use crate::source::{EvidenceStore, SourceError};

/// Manifest types accepted when fetching by tag or digest.
const MANIFEST_TYPES: [&str; 4] = [
    OCI_MANIFEST,
    OCI_INDEX,
    DOCKER_MANIFEST,
    DOCKER_MANIFEST_LIST,
];

/// Most referrers read for one subject (a hostile index cannot make us fetch more).
pub const MAX_REFERRERS: usize = 256;

/// A manifest (or index) fetched from a registry, with the descriptor that names it.
#[derive(Debug, Clone)]
pub struct FetchedManifest {
    /// Media type (from the response, else the document's own field), digest of the
    /// bytes received, and their size.
    pub descriptor: Descriptor,
    /// The exact bytes.
    pub bytes: Vec<u8>,
}

/// How an image's referrers were found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferrersVia {
    /// `GET /v2/<name>/referrers/<digest>` answered with an image index.
    Api,
    /// The Referrers API is missing; the index at tag `sha256-<hex>` was read.
    TagFallback,
    /// An OCI layout's `index.json` lists manifests whose `subject` is the image.
    LayoutIndex,
    /// Neither exists: the image has no referrers.
    None,
}

impl ReferrersVia {
    /// `referrers-api`, `tag-fallback` or `none` (for reports).
    pub fn name(self) -> &'static str {
        match self {
            Self::Api => "referrers-api",
            Self::TagFallback => "tag-fallback",
            Self::LayoutIndex => "layout-index",
            Self::None => "none",
        }
    }
}

/// An image's referrers.
#[derive(Debug, Clone)]
pub struct Referrers {
    /// The referrer manifests' descriptors (at most [`MAX_REFERRERS`]).
    pub manifests: Vec<Descriptor>,
    /// How they were found.
    pub via: ReferrersVia,
    /// The fallback index as fetched (digest for `If-Match`-style updates), when
    /// `via` is [`ReferrersVia::TagFallback`].
    pub fallback_index: Option<FetchedManifest>,
}

/// The tag of the referrers tag-schema fallback index for `subject`: `sha256-<hex>`.
pub fn referrers_tag(subject: &Digest) -> String {
    format!("{}-{}", subject.algorithm().name(), subject.hex())
}

/// A cosign attachment tag: `sha256-<hex>.sig`, `.att`, `.sbom` (`suffix` without dot).
pub fn cosign_tag(subject: &Digest, suffix: &str) -> String {
    format!("{}.{suffix}", referrers_tag(subject))
}

fn document_error(path: &str, limit: u64, error: DocumentError) -> SourceError {
    match error {
        DocumentError::Registry(e) => e.into(),
        DocumentError::TooLarge(size) => SourceError::TooLarge {
            what: path.to_owned(),
            size,
            limit,
        },
    }
}

fn is_not_found(error: &RegistryError) -> bool {
    matches!(error, RegistryError::Status { status: 404, .. })
}

/// The manifest at `tag`, or `None` when the registry says there is none (404).
/// At most `limit` bytes; its digest is computed from the bytes received and checked
/// against `Docker-Content-Digest` when the registry sends one.
pub fn manifest_by_tag(
    client: &RegistryClient,
    tag: &str,
    limit: u64,
) -> Result<Option<FetchedManifest>, SourceError> {
    let path = format!("manifests/{tag}");
    let (headers, bytes) = match client.get_document(&path, &MANIFEST_TYPES, limit) {
        Ok(v) => v,
        Err(DocumentError::Registry(e)) if is_not_found(&e) => return Ok(None),
        Err(e) => return Err(document_error(&path, limit, e)),
    };
    let digest = Digest::sha256_of(&bytes);
    if let Some(announced) = headers
        .get("docker-content-digest")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<Digest>().ok())
    {
        let found = announced.same_algorithm_of(&bytes);
        if found != announced {
            return Err(SourceError::DigestMismatch {
                what: format!("manifest {}:{tag}", client.repository()),
                expected: announced,
                found,
            });
        }
    }
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(|t| t.split(';').next().unwrap_or("").trim().to_owned())
        .unwrap_or_default();
    let media_type = if MANIFEST_TYPES.contains(&content_type.as_str()) {
        content_type
    } else {
        own_media_type(&bytes).unwrap_or(content_type)
    };
    Ok(Some(FetchedManifest {
        descriptor: plain_descriptor(media_type, digest, bytes.len()),
        bytes,
    }))
}

fn own_media_type(bytes: &[u8]) -> Option<String> {
    serde_json::from_slice::<serde_json::Value>(bytes)
        .ok()?
        .get("mediaType")?
        .as_str()
        .map(str::to_owned)
}

fn plain_descriptor(media_type: String, digest: Digest, size: usize) -> Descriptor {
    Descriptor {
        media_type,
        digest,
        size: size as u64,
        platform: None,
        annotations: BTreeMap::new(),
        artifact_type: None,
        urls: Vec::new(),
    }
}

/// The referrers of `subject`: the Referrers API when the registry has it, else the
/// tag-schema fallback index, else none. Any answer to the API that is not an OCI
/// index (404, a redirect page, `MANIFEST_UNKNOWN`, 400/405) counts as "no API", as
/// GHCR and distribution 2.x answer that way. `artifact_type` filters the result
/// (client-side too, since registries may ignore the filter).
pub fn referrers(
    client: &RegistryClient,
    subject: &Digest,
    artifact_types: &[&str],
    limit: u64,
) -> Result<Referrers, SourceError> {
    let path = format!("referrers/{subject}");
    // A downgraded referrer (no artifactType on the entry) is kept: the caller
    // decides from the manifest itself.
    let select = |index: ImageIndex| -> Vec<Descriptor> {
        index
            .manifests
            .into_iter()
            .filter(|d| {
                artifact_types.is_empty()
                    || d.artifact_type
                        .as_deref()
                        .is_none_or(|t| artifact_types.contains(&t))
            })
            .take(MAX_REFERRERS)
            .collect()
    };
    match client.get_document(&path, &[OCI_INDEX], limit) {
        Ok((headers, bytes)) => {
            let is_index = headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|t| t.starts_with(OCI_INDEX));
            if is_index && let Ok(index) = ImageIndex::parse(&bytes) {
                return Ok(Referrers {
                    manifests: select(index),
                    via: ReferrersVia::Api,
                    fallback_index: None,
                });
            }
        }
        Err(DocumentError::Registry(RegistryError::Status { .. })) => {}
        Err(e) => return Err(document_error(&path, limit, e)),
    }
    let Some(fetched) = manifest_by_tag(client, &referrers_tag(subject), limit)? else {
        return Ok(Referrers {
            manifests: Vec::new(),
            via: ReferrersVia::None,
            fallback_index: None,
        });
    };
    let index = ImageIndex::parse(&fetched.bytes)?;
    Ok(Referrers {
        manifests: select(index),
        via: ReferrersVia::TagFallback,
        fallback_index: Some(fetched),
    })
}

/// The manifest or blob `descriptor` names (by digest; `manifests/` for index and
/// manifest media types, else `blobs/`), verified against its digest and size, and
/// refused unread when the descriptor says it is over `limit`.
pub fn fetch_verified(
    client: &RegistryClient,
    descriptor: &Descriptor,
    limit: u64,
) -> Result<Vec<u8>, SourceError> {
    let (path, accept, what): (String, &[&str], &str) = match MediaKind::of(&descriptor.media_type)
    {
        MediaKind::Index | MediaKind::Manifest => (
            format!("manifests/{}", descriptor.digest),
            &MANIFEST_TYPES,
            "manifest",
        ),
        _ => (format!("blobs/{}", descriptor.digest), &[], "blob"),
    };
    if descriptor.size > limit {
        return Err(SourceError::TooLarge {
            what: format!("{what} {}", descriptor.digest),
            size: descriptor.size,
            limit,
        });
    }
    // Read one byte past the declared size so a longer body is caught, not cut.
    let (_, bytes) = client
        .get_document(&path, accept, descriptor.size.saturating_add(1).min(limit))
        .map_err(|e| match e {
            DocumentError::Registry(RegistryError::Status { status: 404, .. }) => {
                SourceError::MissingBlob {
                    digest: descriptor.digest.clone(),
                    location: client.location(),
                }
            }
            other => document_error(&path, limit, other),
        })?;
    verify_bytes(descriptor, &bytes, what)?;
    Ok(bytes)
}

impl EvidenceStore for RegistryClient {
    fn repository(&self) -> String {
        format!("{}/{}", self.registry(), RegistryClient::repository(self))
    }

    fn manifest_by_tag(
        &self,
        tag: &str,
        limit: u64,
    ) -> Result<Option<FetchedManifest>, SourceError> {
        manifest_by_tag(self, tag, limit)
    }

    fn referrers(&self, subject: &Digest, limit: u64) -> Result<Referrers, SourceError> {
        referrers(self, subject, &[], limit)
    }

    fn fetch(&self, descriptor: &Descriptor, limit: u64) -> Result<Vec<u8>, SourceError> {
        fetch_verified(self, descriptor, limit)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn tags_follow_the_cosign_and_referrers_schemas() {
        let d: Digest = "sha256:4569ff20aee6683b2ec344d28ffdcaf4b761969bc0642276776deedd4bb5e94f"
            .parse()
            .unwrap();
        assert_eq!(
            referrers_tag(&d),
            "sha256-4569ff20aee6683b2ec344d28ffdcaf4b761969bc0642276776deedd4bb5e94f"
        );
        assert_eq!(
            cosign_tag(&d, "sig"),
            "sha256-4569ff20aee6683b2ec344d28ffdcaf4b761969bc0642276776deedd4bb5e94f.sig"
        );
    }

    #[test]
    fn bytes_must_match_digest_and_size() {
        let bytes = b"{}".to_vec();
        let mut d = plain_descriptor(OCI_MANIFEST.into(), Digest::sha256_of(&bytes), 2);
        verify_bytes(&d, &bytes, "manifest").unwrap();
        assert!(matches!(
            verify_bytes(&d, b"{ }", "manifest"),
            Err(SourceError::DigestMismatch { .. })
        ));
        d.size = 3;
        assert!(matches!(
            verify_bytes(&d, &bytes, "manifest"),
            Err(SourceError::Layout { .. })
        ));
    }
}
