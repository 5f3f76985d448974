//! Errors of image sources. A source error means the image could not be fully read:
//! the verdict is `incomplete` (exit 3), or a usage error when the reference itself is bad.

use std::path::PathBuf;

use miette::Diagnostic;
use thiserror::Error;

use crate::oci::{Digest, OciError};

/// Why an image could not be read.
#[derive(Debug, Error, Diagnostic)]
pub enum SourceError {
    /// A file or directory could not be read.
    #[error("failed to read {path}")]
    #[diagnostic(code(imgguard::source::io))]
    Io {
        /// The path.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The image is not where or what the reference says.
    #[error("{what}: expected {expected}, found {found}")]
    #[diagnostic(code(imgguard::source::layout))]
    Layout {
        /// What was being read.
        what: String,
        /// What was expected.
        expected: String,
        /// What was found.
        found: String,
    },
    /// A blob is missing from the source.
    #[error("blob {digest} is missing from {location}")]
    #[diagnostic(code(imgguard::source::missing_blob))]
    MissingBlob {
        /// Its digest.
        digest: Digest,
        /// Where it was looked for.
        location: String,
    },
    /// A document's bytes do not match its digest.
    #[error("{what} digest mismatch: expected {expected}, found {found}")]
    #[diagnostic(code(imgguard::source::digest_mismatch))]
    DigestMismatch {
        /// Which document.
        what: String,
        /// Expected digest.
        expected: Digest,
        /// Actual digest.
        found: Digest,
    },
    /// A document is larger than the budget allows.
    #[error("{what} is {size} bytes, over the {limit}-byte document budget")]
    #[diagnostic(code(imgguard::source::too_large))]
    TooLarge {
        /// Which document.
        what: String,
        /// Its size.
        size: u64,
        /// The budget.
        limit: u64,
    },
    /// A requested platform is not in the image.
    #[error("platform {requested} is not in the image; it has: {present}")]
    #[diagnostic(
        code(imgguard::source::platform),
        help("pick one of the platforms listed, or drop --platform to check them all")
    )]
    PlatformMissing {
        /// What was asked for.
        requested: String,
        /// What the image has.
        present: String,
    },
    /// The reference names a tag or image the source does not have.
    #[error("{location} has no image {wanted}; it has: {present}")]
    #[diagnostic(code(imgguard::source::not_found))]
    NotFound {
        /// Where.
        location: String,
        /// What was asked for.
        wanted: String,
        /// What is there.
        present: String,
    },
    /// A manifest, index or config is malformed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Oci(#[from] OciError),
    /// A registry could not serve the image.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Registry(#[from] super::registry::RegistryError),
    /// The local Docker-API daemon could not serve the image.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Daemon(#[from] super::daemon::DaemonError),
    /// The transport is recognised but not available in this build.
    #[error("{transport} images are not supported yet")]
    #[diagnostic(code(imgguard::source::unsupported))]
    Unsupported {
        /// The transport.
        transport: String,
    },
}

impl SourceError {
    /// Whether the error lies in what the user asked for (exit 2) rather than in the
    /// image (exit 3).
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            Self::PlatformMissing { .. } | Self::Unsupported { .. }
        )
    }
}
