//! The error type of the `intoto` part: envelope, statement and VSA problems.

use miette::Diagnostic;
use thiserror::Error;

use crate::crypto::CryptoError;

/// Everything that can go wrong reading, building or verifying an attestation.
#[derive(Debug, Error, Diagnostic)]
#[non_exhaustive]
pub enum InTotoError {
    /// The envelope is larger than imgguard reads.
    #[error("DSSE envelope is {size} bytes, over the {limit}-byte limit")]
    #[diagnostic(code(imgguard::intoto::too_large))]
    TooLarge {
        /// Size found.
        size: usize,
        /// The limit.
        limit: usize,
    },

    /// The envelope JSON is malformed.
    #[error("malformed DSSE envelope: {reason}")]
    #[diagnostic(
        code(imgguard::intoto::envelope),
        help(
            "a DSSE envelope is JSON with `payloadType`, base64 `payload` and `signatures[{{keyid, sig}}]`"
        )
    )]
    MalformedEnvelope {
        /// What is wrong.
        reason: String,
    },

    /// The envelope carries no signature at all.
    #[error("DSSE envelope has no signatures")]
    #[diagnostic(code(imgguard::intoto::unsigned))]
    NoSignatures,

    /// No signature verified with any trusted key.
    #[error(
        "no signature in the DSSE envelope verifies with a trusted key: expected a signature by {expected}, found {found} signature(s) that do not verify"
    )]
    #[diagnostic(
        code(imgguard::intoto::signature),
        help("the envelope was changed after signing, or it was signed by a key you did not pass")
    )]
    SignatureInvalid {
        /// Hints of the trusted keys tried.
        expected: String,
        /// Number of signatures in the envelope.
        found: usize,
    },

    /// The payload type is not the one expected.
    #[error("unexpected DSSE payloadType: expected {expected}, found {found}")]
    #[diagnostic(code(imgguard::intoto::payload_type))]
    PayloadType {
        /// Expected payload type.
        expected: String,
        /// Found payload type.
        found: String,
    },

    /// The Statement JSON is malformed or of an unknown `_type`.
    #[error("malformed in-toto Statement: {reason}")]
    #[diagnostic(code(imgguard::intoto::statement))]
    MalformedStatement {
        /// What is wrong.
        reason: String,
    },

    /// The predicate is not a well-formed VSA.
    #[error("malformed SLSA VSA predicate: {reason}")]
    #[diagnostic(code(imgguard::intoto::vsa))]
    MalformedVsa {
        /// What is wrong.
        reason: String,
    },

    /// The VSA input is not valid (caller's mistake, not untrusted data).
    #[error("invalid VSA input: {reason}")]
    #[diagnostic(
        code(imgguard::intoto::vsa_input),
        help("imgguard's own levels must not start with `SLSA_`; digests are `sha256:<64 hex>`")
    )]
    InvalidVsaInput {
        /// What is wrong.
        reason: String,
    },

    /// Signing or key handling failed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Crypto(#[from] CryptoError),
}
