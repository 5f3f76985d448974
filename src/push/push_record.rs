//! What the report records about the push stage (`report.push`): where the checked
//! image went and what it took.

use schemars::JsonSchema;
use serde::Serialize;

use crate::oci::Digest;

/// The push of the checked image to `image.ref`. The report is written after the
/// image's blobs and manifests are in the registry by digest and before the tag is
/// set (the tag comes last, after the attestation): a run that exits non-zero after
/// writing the report did not set the tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct PushRecord {
    /// `registry/repository:tag` the image is pushed to.
    pub reference: String,
    /// The digest pushed: the digest checked, which the registry confirmed.
    pub digest: Digest,
    /// Manifests and indexes pushed (the root included).
    pub manifests: usize,
    /// Blobs uploaded.
    pub blobs_uploaded: usize,
    /// Blobs the registry already had (not uploaded again).
    pub blobs_present: usize,
    /// Bytes uploaded.
    pub bytes_uploaded: u64,
    /// How long pushing the blobs and manifests took (the tag is set later).
    pub duration_ms: u64,
}
