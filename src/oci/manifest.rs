//! Image manifests: one platform's config and ordered layers.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Descriptor, OciError};

/// An OCI image manifest or Docker schema-2 manifest.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageManifest {
    /// Must be 2.
    pub schema_version: u32,
    /// The declared media type, when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// The config blob.
    pub config: Descriptor,
    /// Layers, base first.
    #[serde(default)]
    pub layers: Vec<Descriptor>,
    /// OCI 1.1 subject (for artifacts that refer to an image).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Descriptor>,
    /// OCI 1.1 artifact type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    /// Annotations (base image name/digest live here).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

impl ImageManifest {
    /// Parse a manifest and check the fields the engine relies on.
    pub fn parse(bytes: &[u8]) -> Result<Self, OciError> {
        let manifest: Self =
            serde_json::from_slice(bytes).map_err(|source| OciError::InvalidJson {
                what: "image manifest",
                source,
            })?;
        if manifest.schema_version != 2 {
            return Err(OciError::InvalidDocument {
                what: "image manifest",
                expected: "schemaVersion 2".into(),
                found: format!("schemaVersion {}", manifest.schema_version),
            });
        }
        Ok(manifest)
    }
}
