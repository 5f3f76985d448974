//! Image indexes (OCI) and manifest lists (Docker): the multi-platform root of an image.

use serde::{Deserialize, Serialize};

use super::{Descriptor, OciError, media_type};

/// An OCI image index or Docker manifest list.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageIndex {
    /// Must be 2.
    pub schema_version: u32,
    /// The declared media type, when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// The manifests (or nested indexes) it lists.
    pub manifests: Vec<Descriptor>,
    /// Annotations.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub annotations: std::collections::BTreeMap<String, String>,
}

/// What an index entry is, from the point of view of "which platforms does this image run on".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexEntryRole {
    /// A runnable platform image.
    Platform,
    /// A nested index (containerd's OCI layouts wrap the real index in another one).
    NestedIndex,
    /// A BuildKit attestation manifest (`unknown/unknown` with the reference-type annotation).
    Attestation,
    /// Something else (an artifact, a signature).
    Other,
}

impl ImageIndex {
    /// Parse an index and check the fields the engine relies on.
    pub fn parse(bytes: &[u8]) -> Result<Self, OciError> {
        let index: Self =
            serde_json::from_slice(bytes).map_err(|source| OciError::InvalidJson {
                what: "image index",
                source,
            })?;
        if index.schema_version != 2 {
            return Err(OciError::InvalidDocument {
                what: "image index",
                expected: "schemaVersion 2".into(),
                found: format!("schemaVersion {}", index.schema_version),
            });
        }
        Ok(index)
    }

    /// Classify an entry of this index.
    pub fn role(entry: &Descriptor) -> IndexEntryRole {
        if entry.annotation(media_type::ANNOTATION_REFERENCE_TYPE)
            == Some(media_type::REFERENCE_TYPE_ATTESTATION)
        {
            return IndexEntryRole::Attestation;
        }
        match media_type::MediaKind::of(&entry.media_type) {
            media_type::MediaKind::Index => IndexEntryRole::NestedIndex,
            media_type::MediaKind::Manifest => {
                if entry
                    .platform
                    .as_ref()
                    .is_some_and(super::Platform::is_unknown)
                {
                    // `unknown/unknown` without the annotation is still not runnable.
                    IndexEntryRole::Attestation
                } else {
                    IndexEntryRole::Platform
                }
            }
            _ => IndexEntryRole::Other,
        }
    }
}
