//! OCI image layouts (`oci-layout`, `index.json`, `blobs/<alg>/<hex>`) over any
//! [`FileTree`]: a directory (`oci:`), a tar (`oci-archive:`, and the OCI-shaped
//! archives Docker 25+ writes for `docker save`), or the embedded demo.

use std::io::Read;

use super::SourceError;
use super::evidence_store::EvidenceStore;
use super::file_tree::FileTree;
use super::image_source::{ImageSource, SourceInfo, blob_path};
use super::registry::referrers::{
    FetchedManifest, MAX_REFERRERS, Referrers, ReferrersVia, referrers_tag,
};
use super::resolve::verify_bytes;
use crate::oci::media_type::{ANNOTATION_CONTAINERD_IMAGE_NAME, ANNOTATION_REF_NAME, OCI_INDEX};
use crate::oci::reference::RegistryReference;
use crate::oci::{Descriptor, Digest, ImageIndex, ImageManifest, MediaKind};

/// `cosign save` marks each entry of a layout's `index.json` with this annotation.
const COSIGN_KIND: &str = "kind";
const KIND_IMAGE: &str = "dev.cosignproject.cosign/image";
const KIND_IMAGE_INDEX: &str = "dev.cosignproject.cosign/imageIndex";
const KIND_SIGNATURES: &str = "dev.cosignproject.cosign/sigs";
const KIND_ATTESTATIONS: &str = "dev.cosignproject.cosign/atts";

/// An OCI layout.
pub struct OciLayout<T> {
    tree: T,
    transport: String,
    tag: Option<String>,
    /// When `index.json` itself is the image index (several untagged platform
    /// manifests), its bytes, served as the root document.
    synthetic_root: std::sync::OnceLock<(Digest, Vec<u8>)>,
}

impl<T: FileTree> OciLayout<T> {
    /// A layout over `tree`, picking `tag` (an `org.opencontainers.image.ref.name`, or a
    /// `NAME:TAG` for Docker's OCI-shaped archives) when given.
    pub fn new(tree: T, transport: &str, tag: Option<String>) -> Self {
        Self {
            tree,
            transport: transport.to_owned(),
            tag,
            synthetic_root: std::sync::OnceLock::new(),
        }
    }

    /// Whether `tree` looks like an OCI layout.
    pub fn is_layout(tree: &T) -> Result<bool, SourceError> {
        Ok(tree.read_small("oci-layout", 4096)?.is_some())
    }

    fn matches(entry: &Descriptor, wanted: &str) -> bool {
        let ref_name = entry.annotation(ANNOTATION_REF_NAME);
        let full_name = entry.annotation(ANNOTATION_CONTAINERD_IMAGE_NAME);
        if ref_name == Some(wanted) || full_name == Some(wanted) {
            return true;
        }
        // `app:1` given, `docker.io/library/app:1` recorded (or the other way round).
        let normal = |s: &str| RegistryReference::parse(s).ok().map(|r| r.to_string());
        match (normal(wanted), full_name.and_then(normal)) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        }
    }
}

impl<T: FileTree> ImageSource for OciLayout<T> {
    fn info(&self) -> SourceInfo {
        SourceInfo::new(self.transport.clone(), self.tree.location())
    }

    fn root(&self, document_limit: u64) -> Result<Descriptor, SourceError> {
        let location = self.tree.location();
        let layout =
            self.tree
                .read_small("oci-layout", 4096)?
                .ok_or_else(|| SourceError::Layout {
                    what: format!("OCI layout {location}"),
                    expected: "an `oci-layout` file".into(),
                    found: "none".into(),
                })?;
        let version = serde_json::from_slice::<serde_json::Value>(&layout)
            .ok()
            .and_then(|v| {
                v.get("imageLayoutVersion")
                    .and_then(|v| v.as_str().map(str::to_owned))
            });
        if version.as_deref() != Some("1.0.0") {
            return Err(SourceError::Layout {
                what: format!("OCI layout {location}"),
                expected: "imageLayoutVersion 1.0.0".into(),
                found: version.unwrap_or_else(|| "no version".into()),
            });
        }
        let bytes = self
            .tree
            .read_small("index.json", document_limit)?
            .ok_or_else(|| SourceError::Layout {
                what: format!("OCI layout {location}"),
                expected: "an `index.json` file".into(),
                found: "none".into(),
            })?;
        let index = ImageIndex::parse(&bytes)?;
        let names = || {
            let list: Vec<String> = index
                .manifests
                .iter()
                .map(|m| {
                    m.annotation(ANNOTATION_REF_NAME)
                        .or(m.annotation(ANNOTATION_CONTAINERD_IMAGE_NAME))
                        .map_or_else(|| m.digest.to_string(), str::to_owned)
                })
                .collect();
            if list.is_empty() {
                "no images".to_owned()
            } else {
                list.join(", ")
            }
        };
        if let Some(tag) = &self.tag {
            return index
                .manifests
                .iter()
                .find(|m| Self::matches(m, tag))
                .cloned()
                .ok_or_else(|| SourceError::NotFound {
                    location,
                    wanted: tag.clone(),
                    present: names(),
                });
        }
        match index.manifests.as_slice() {
            [] => Err(SourceError::NotFound {
                location,
                wanted: "any image".into(),
                present: names(),
            }),
            [only] => Ok(only.clone()),
            several => {
                // `cosign save`: the image sits beside its signatures, marked by `kind`.
                let mut images = several.iter().filter(|m| {
                    m.annotation(COSIGN_KIND)
                        .is_some_and(|k| k == KIND_IMAGE || k == KIND_IMAGE_INDEX)
                });
                if let (Some(image), None) = (images.next(), images.next()) {
                    return Ok(image.clone());
                }
                let tagged = several
                    .iter()
                    .filter(|m| m.annotation(ANNOTATION_REF_NAME).is_some())
                    .count();
                if tagged > 1 {
                    return Err(SourceError::NotFound {
                        location,
                        wanted: "one image (the layout holds several; add :TAG to the reference)"
                            .into(),
                        present: names(),
                    });
                }
                // Several untagged platform manifests: index.json itself is the index.
                let digest = Digest::sha256_of(&bytes);
                let size = bytes.len() as u64;
                let _ = self.synthetic_root.set((digest.clone(), bytes));
                Ok(Descriptor {
                    media_type: OCI_INDEX.to_owned(),
                    digest,
                    size,
                    platform: None,
                    annotations: std::collections::BTreeMap::new(),
                    artifact_type: None,
                    urls: Vec::new(),
                })
            }
        }
    }

    fn fetch_document(&self, descriptor: &Descriptor, limit: u64) -> Result<Vec<u8>, SourceError> {
        if let Some((digest, bytes)) = self.synthetic_root.get()
            && *digest == descriptor.digest
        {
            return Ok(bytes.clone());
        }
        if descriptor.size > limit {
            return Err(SourceError::TooLarge {
                what: descriptor.digest.to_string(),
                size: descriptor.size,
                limit,
            });
        }
        self.tree
            .read_small(&blob_path(&descriptor.digest), limit)?
            .ok_or_else(|| SourceError::MissingBlob {
                digest: descriptor.digest.clone(),
                location: self.tree.location(),
            })
    }

    fn evidence_store(
        &self,
        alternate: Option<&str>,
    ) -> Result<Option<Box<dyn EvidenceStore + '_>>, SourceError> {
        // An alternate repository names a registry; a layout carries its own evidence.
        let _ = alternate;
        Ok(Some(Box::new(self)))
    }

    fn open_blob(&self, descriptor: &Descriptor) -> Result<Box<dyn Read + Send>, SourceError> {
        self.tree
            .open(&blob_path(&descriptor.digest))?
            .map(|(reader, _)| reader)
            .ok_or_else(|| SourceError::MissingBlob {
                digest: descriptor.digest.clone(),
                location: self.tree.location(),
            })
    }
}

impl<T: FileTree> OciLayout<T> {
    fn layout_index(&self, limit: u64) -> Result<ImageIndex, SourceError> {
        let bytes =
            self.tree
                .read_small("index.json", limit)?
                .ok_or_else(|| SourceError::Layout {
                    what: format!("OCI layout {}", self.tree.location()),
                    expected: "an `index.json` file".into(),
                    found: "none".into(),
                })?;
        Ok(ImageIndex::parse(&bytes)?)
    }

    fn fetched(&self, entry: &Descriptor, limit: u64) -> Result<FetchedManifest, SourceError> {
        Ok(FetchedManifest {
            descriptor: entry.clone(),
            bytes: EvidenceStore::fetch(self, entry, limit)?,
        })
    }
}

/// A layout's attached evidence: entries tagged `sha256-<hex>.sig`/`.att` (or marked
/// by `cosign save`'s `kind`), and manifests in `index.json` whose `subject` is the
/// image (OCI 1.1 layouts list referrers there), or a tag-schema index.
impl<T: FileTree> EvidenceStore for OciLayout<T> {
    fn repository(&self) -> String {
        self.tree.location()
    }

    fn manifest_by_tag(
        &self,
        tag: &str,
        limit: u64,
    ) -> Result<Option<FetchedManifest>, SourceError> {
        let index = self.layout_index(limit)?;
        let by_name = index
            .manifests
            .iter()
            .find(|m| m.annotation(ANNOTATION_REF_NAME) == Some(tag));
        // `cosign save` holds one image, so its `sigs`/`atts` entries are that image's.
        let kind = match tag.rsplit_once('.').map(|(_, suffix)| suffix) {
            Some("sig") => Some(KIND_SIGNATURES),
            Some("att") => Some(KIND_ATTESTATIONS),
            _ => None,
        };
        let by_kind = || {
            index
                .manifests
                .iter()
                .find(|m| kind.is_some() && m.annotation(COSIGN_KIND) == kind)
        };
        by_name
            .or_else(by_kind)
            .map(|entry| self.fetched(entry, limit))
            .transpose()
    }

    fn referrers(&self, subject: &Digest, limit: u64) -> Result<Referrers, SourceError> {
        let index = self.layout_index(limit)?;
        let mut manifests = Vec::new();
        for entry in index.manifests.iter().take(MAX_REFERRERS) {
            if MediaKind::of(&entry.media_type) != MediaKind::Manifest
                || entry.annotation(COSIGN_KIND).is_some()
            {
                continue;
            }
            let bytes = EvidenceStore::fetch(self, entry, limit)?;
            let Ok(manifest) = ImageManifest::parse(&bytes) else {
                continue;
            };
            if manifest
                .subject
                .as_ref()
                .is_some_and(|s| s.digest == *subject)
            {
                let mut descriptor = entry.clone();
                descriptor.artifact_type = manifest
                    .artifact_type
                    .clone()
                    .or_else(|| Some(manifest.config.media_type.clone()));
                manifests.push(descriptor);
            }
        }
        if !manifests.is_empty() {
            return Ok(Referrers {
                manifests,
                via: ReferrersVia::LayoutIndex,
                fallback_index: None,
            });
        }
        let Some(fallback) = self.manifest_by_tag(&referrers_tag(subject), limit)? else {
            return Ok(Referrers {
                manifests,
                via: ReferrersVia::None,
                fallback_index: None,
            });
        };
        let index = ImageIndex::parse(&fallback.bytes)?;
        Ok(Referrers {
            manifests: index.manifests.into_iter().take(MAX_REFERRERS).collect(),
            via: ReferrersVia::TagFallback,
            fallback_index: Some(fallback),
        })
    }

    fn fetch(&self, descriptor: &Descriptor, limit: u64) -> Result<Vec<u8>, SourceError> {
        let bytes = self.fetch_document(descriptor, limit)?;
        verify_bytes(descriptor, &bytes, "evidence")?;
        Ok(bytes)
    }
}
