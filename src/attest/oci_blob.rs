//! A blob to push: bytes plus the descriptor fields a manifest needs.

use crate::oci::{Descriptor, Digest};

/// A content-addressed blob with its media type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OciBlob {
    /// The media type its descriptor carries.
    pub media_type: String,
    /// SHA-256 of `bytes`.
    pub digest: Digest,
    /// The content.
    pub bytes: Vec<u8>,
}

impl OciBlob {
    /// Wraps `bytes`, computing the digest.
    pub fn new(media_type: &str, bytes: Vec<u8>) -> Self {
        Self {
            media_type: media_type.to_owned(),
            digest: Digest::sha256_of(&bytes),
            bytes,
        }
    }

    /// Size in bytes.
    pub fn size(&self) -> u64 {
        u64::try_from(self.bytes.len()).unwrap_or(u64::MAX)
    }

    /// Its descriptor (media type, digest, size).
    pub fn descriptor(&self) -> Descriptor {
        Descriptor {
            media_type: self.media_type.clone(),
            digest: self.digest.clone(),
            size: self.size(),
            platform: None,
            annotations: std::collections::BTreeMap::new(),
            artifact_type: None,
            urls: Vec::new(),
        }
    }
}
