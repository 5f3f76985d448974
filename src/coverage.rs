//! Coverage: how much of the image was checked, and every part that was not, with the
//! reason. Any gap makes the verdict `incomplete` unless the spec accepts that kind of gap.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::oci::Digest;

/// Why part of the image was not fully checked. The names are what a spec's coverage
/// policy refers to, so they are part of the public contract.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum GapKind {
    /// A blob's bytes do not hash to its digest.
    DigestMismatch,
    /// A layer's uncompressed bytes do not hash to its diff_id.
    DiffIdMismatch,
    /// A blob's length differs from its descriptor.
    SizeMismatch,
    /// A compressed stream or tar archive is truncated or corrupt.
    CorruptStream,
    /// A budget (bytes, entries, path length, header size, time) was exceeded.
    Budget,
    /// One entry could not be read.
    UnreadableEntry,
    /// A nested archive was not opened (depth or size budget, or unsupported format).
    NestedArchive,
    /// Content was not scanned by policy (e.g. a binary file with no strings pass).
    ContentSkipped,
    /// A format the engine does not support.
    Unsupported,
    /// The image or a blob could not be fetched.
    Unavailable,
    /// The config, manifest and layers disagree.
    Inconsistent,
}

impl GapKind {
    /// The kebab-case name used in specs and reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::DigestMismatch => "digest-mismatch",
            Self::DiffIdMismatch => "diff-id-mismatch",
            Self::SizeMismatch => "size-mismatch",
            Self::CorruptStream => "corrupt-stream",
            Self::Budget => "budget",
            Self::UnreadableEntry => "unreadable-entry",
            Self::NestedArchive => "nested-archive",
            Self::ContentSkipped => "content-skipped",
            Self::Unsupported => "unsupported",
            Self::Unavailable => "unavailable",
            Self::Inconsistent => "inconsistent",
        }
    }
}

/// One part of the image that was not fully checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CoverageGap {
    /// The kind of gap.
    pub kind: GapKind,
    /// The platform.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// The layer index.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<usize>,
    /// The layer or blob digest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<Digest>,
    /// The path in the layer, when the gap is one entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// What was expected and what was found.
    pub reason: String,
    /// Whether the spec's coverage policy accepts this gap.
    #[serde(default)]
    pub accepted: bool,
}

impl CoverageGap {
    /// A gap of `kind` with a reason.
    pub fn new(kind: GapKind, reason: impl Into<String>) -> Self {
        Self {
            kind,
            platform: None,
            layer: None,
            digest: None,
            path: None,
            reason: reason.into(),
            accepted: false,
        }
    }

    /// Set the path.
    #[must_use]
    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }
}

/// How much of the image was checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Coverage {
    /// Layers streamed (over all platforms).
    pub layers: usize,
    /// Tar entries seen.
    pub files: u64,
    /// Uncompressed bytes streamed.
    pub bytes: u64,
    /// Compressed bytes read and digest-verified.
    pub compressed_bytes: u64,
    /// Everything not fully checked.
    pub skipped: Vec<CoverageGap>,
}

impl Coverage {
    /// Whether any gap is not accepted by the spec.
    pub fn is_incomplete(&self) -> bool {
        self.skipped.iter().any(|g| !g.accepted)
    }
}
