//! Errors of the push stage, each with one exit code (DESIGN §3): a destination the
//! spec cannot push to is a usage error (2); anything that stops the copy once it has
//! started — an unreachable or refusing registry, built bytes that are no longer what
//! was checked, a registry that stores other bytes than were sent — leaves the
//! pipeline undelivered, like an image that could not be fully checked (3).

use miette::Diagnostic;
use thiserror::Error;

use crate::exit_code::ExitCode;
use crate::source::SourceError;
use crate::source::registry::RegistryError;

/// Why the checked image was not pushed.
#[derive(Debug, Error, Diagnostic)]
pub enum PushError {
    /// `image.ref` cannot receive the built image.
    #[error("cannot push the built image: {reason}")]
    #[diagnostic(code(imgguard::push::destination))]
    Destination {
        /// `image.ref` as written (empty when there is none).
        reference: String,
        /// Why not.
        reason: String,
        /// How to fix it.
        #[help]
        help: Option<String>,
    },
    /// The built image could not be read back from where the builder left it.
    #[error("failed to read the built image for the push")]
    #[diagnostic(
        code(imgguard::push::source),
        help("the builder's output changed or vanished after the check; nothing was tagged")
    )]
    Source(#[source] SourceError),
    /// The registry refused or failed a read or write.
    #[error("failed to push the built image to {repository}")]
    #[diagnostic(
        code(imgguard::push::registry),
        help(
            "blobs and manifests pushed so far are untagged; run again once the registry is reachable and the credentials may push"
        )
    )]
    Registry {
        /// `registry/repository`.
        repository: String,
        /// What went wrong.
        #[source]
        source: RegistryError,
    },
    /// Bytes read or stored are not the ones checked.
    #[error("digest mismatch pushing {what}: expected {expected}, found {found}")]
    #[diagnostic(
        code(imgguard::push::mismatch),
        help(
            "only the exact bytes that were checked are pushed; the tag was not set (check the build output and the registry)"
        )
    )]
    Mismatch {
        /// What was being pushed.
        what: String,
        /// The digest checked.
        expected: String,
        /// The digest found.
        found: String,
    },
    /// A document in the built image that is neither a manifest nor an index.
    #[error("cannot push {digest}: `{media_type}` is neither an image manifest nor an index")]
    #[diagnostic(code(imgguard::push::unsupported))]
    Unsupported {
        /// Its digest.
        digest: String,
        /// Its media type.
        media_type: String,
    },
}

impl PushError {
    /// The exit code of this error (DESIGN §3).
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Self::Destination { .. } => ExitCode::Usage,
            Self::Source(_)
            | Self::Registry { .. }
            | Self::Mismatch { .. }
            | Self::Unsupported { .. } => ExitCode::Incomplete,
        }
    }
}
