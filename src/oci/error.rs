//! Errors raised while parsing image metadata (digests, manifests, configs, references).

use miette::Diagnostic;
use thiserror::Error;

/// A piece of image metadata was not what the OCI or Docker specs allow.
#[derive(Debug, Error, Diagnostic)]
pub enum OciError {
    /// A digest string is malformed.
    #[error("invalid digest `{value}`: {reason}")]
    #[diagnostic(
        code(imgguard::oci::digest),
        help("a digest looks like sha256:<64 lowercase hex characters>")
    )]
    InvalidDigest {
        /// What was found (truncated).
        value: String,
        /// What was expected.
        reason: &'static str,
    },
    /// A JSON document (manifest, index, config) did not parse.
    #[error("invalid {what}: {source}")]
    #[diagnostic(code(imgguard::oci::json))]
    InvalidJson {
        /// Which document.
        what: &'static str,
        /// The parser's complaint.
        #[source]
        source: serde_json::Error,
    },
    /// A document parsed but breaks a rule of the spec.
    #[error("invalid {what}: expected {expected}, found {found}")]
    #[diagnostic(code(imgguard::oci::document))]
    InvalidDocument {
        /// Which document.
        what: &'static str,
        /// What the spec requires.
        expected: String,
        /// What the image has.
        found: String,
    },
    /// An image reference could not be parsed.
    #[error("invalid image reference `{reference}`: {reason}")]
    #[diagnostic(
        code(imgguard::oci::reference),
        help(
            "use registry/repo:tag, repo@sha256:…, oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE[:NAME:TAG] or docker-daemon:NAME:TAG"
        )
    )]
    InvalidReference {
        /// The reference as given.
        reference: String,
        /// Why it is rejected.
        reason: String,
    },
}
