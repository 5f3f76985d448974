//! Errors of the layer engine. Each becomes a coverage gap of a matching kind: a layer
//! that could not be fully checked never passes.

use thiserror::Error;

use crate::coverage::GapKind;
use crate::oci::Digest;

/// Why a layer could not be fully streamed and checked.
#[derive(Debug, Clone, Error)]
pub enum LayerError {
    /// The blob's bytes hash to something else than its digest.
    #[error("layer blob digest mismatch: expected {expected}, found {found}")]
    DigestMismatch {
        /// The descriptor's digest.
        expected: Digest,
        /// The digest of the bytes read.
        found: Digest,
    },
    /// The uncompressed bytes hash to something else than the config's diff_id.
    #[error("layer diff_id mismatch: expected {expected}, found {found}")]
    DiffIdMismatch {
        /// From `rootfs.diff_ids`.
        expected: Digest,
        /// Of the bytes read.
        found: Digest,
    },
    /// The blob's length differs from the descriptor's size.
    #[error("layer blob size mismatch: expected {expected} bytes, found {found}")]
    SizeMismatch {
        /// The descriptor's size.
        expected: u64,
        /// Bytes read.
        found: u64,
    },
    /// A limit was hit.
    #[error("budget exceeded: {what} (limit {limit})")]
    Budget {
        /// Which budget.
        what: String,
        /// Its value.
        limit: String,
    },
    /// The compressed stream or the tar is corrupt or truncated.
    #[error("corrupt {what}: {detail}")]
    Corrupt {
        /// `gzip stream`, `tar archive`, …
        what: &'static str,
        /// The decoder's complaint.
        detail: String,
    },
    /// The source failed to deliver the blob.
    #[error("failed to read layer blob: {0}")]
    Source(String),
    /// A thread of the pipeline died (a bug).
    #[error("layer pipeline thread failed")]
    Internal,
}

impl LayerError {
    /// The coverage gap kind this error records.
    pub fn gap_kind(&self) -> GapKind {
        match self {
            Self::DigestMismatch { .. } => GapKind::DigestMismatch,
            Self::DiffIdMismatch { .. } => GapKind::DiffIdMismatch,
            Self::SizeMismatch { .. } => GapKind::SizeMismatch,
            Self::Budget { .. } => GapKind::Budget,
            Self::Corrupt { .. } | Self::Internal => GapKind::CorruptStream,
            Self::Source(_) => GapKind::Unavailable,
        }
    }

    /// Whether this error means the layer's bytes are not the image's bytes (so what
    /// was found in them is about something else).
    pub fn bytes_untrusted(&self) -> bool {
        matches!(
            self,
            Self::DigestMismatch { .. } | Self::DiffIdMismatch { .. } | Self::SizeMismatch { .. }
        )
    }
}

/// Carries a [`LayerError`] through `std::io::Read` so tar and decoders pass it up intact.
#[derive(Debug, Error)]
#[error("{0}")]
pub struct IoCarrier(pub LayerError);

impl IoCarrier {
    /// Wrap a layer error as an I/O error.
    pub fn io(error: LayerError) -> std::io::Error {
        std::io::Error::other(Self(error))
    }

    /// Recover a layer error from an I/O error (looking through wrappers such as
    /// tar-rs's own error type), or describe it as corruption of `what`.
    #[expect(
        clippy::needless_pass_by_value,
        reason = "called from map_err closures that own the error"
    )]
    pub fn recover(error: std::io::Error, what: &'static str) -> LayerError {
        let mut current: Option<&(dyn std::error::Error + 'static)> =
            error.get_ref().map(|e| e as _);
        while let Some(e) = current {
            if let Some(carrier) = e.downcast_ref::<IoCarrier>() {
                return carrier.0.clone();
            }
            if let Some(io) = e.downcast_ref::<std::io::Error>()
                && let Some(inner) = io.get_ref()
            {
                current = Some(inner as _);
                continue;
            }
            current = e.source();
        }
        LayerError::Corrupt {
            what,
            detail: error.to_string(),
        }
    }
}
