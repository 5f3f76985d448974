//! Errors of the `verify` stage: problems with the verifier's own inputs (the
//! trusted root, key files, identity patterns), never with the image's evidence.
//!
//! Evidence that does not verify is a [`super::Rejection`] (data); these errors mean
//! the check could not be set up at all, which the CLI maps to a usage error (exit 2).

use std::path::PathBuf;

/// Why the verifier could not be built from the spec.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum VerifyError {
    /// The trusted root file could not be read.
    #[error("failed to read trusted root {path}")]
    #[diagnostic(
        code(imgguard::verify::trusted_root_unreadable),
        help("point `verify.signatures.trusted_root` at a Sigstore trusted_root.json file")
    )]
    TrustedRootUnreadable {
        /// The file named by the spec.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },

    /// The trusted root file is not a usable Sigstore trusted root.
    #[error("failed to load trusted root {path}: {detail}")]
    #[diagnostic(
        code(imgguard::verify::trusted_root_invalid),
        help(
            "the file must be a Sigstore trusted_root.json (media type application/vnd.dev.sigstore.trustedroot+json)"
        )
    )]
    TrustedRootInvalid {
        /// The file named by the spec.
        path: PathBuf,
        /// What the trust-root loader reported.
        detail: String,
    },

    /// A keyless authority is configured but no trusted root was given.
    #[error("failed to verify keyless signatures: no trusted root configured")]
    #[diagnostic(
        code(imgguard::verify::trusted_root_missing),
        help(
            "set `verify.signatures.trusted_root` to a trusted_root.json; imgguard never fetches one"
        )
    )]
    TrustedRootMissing,

    /// A public key file could not be read.
    #[error("failed to read public key {path}")]
    #[diagnostic(
        code(imgguard::verify::key_unreadable),
        help("the key must be a PEM `PUBLIC KEY` file, as written by `cosign generate-key-pair`")
    )]
    KeyUnreadable {
        /// The key file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },

    /// A public key file does not hold a supported public key.
    #[error("failed to parse public key {path}: {detail}")]
    #[diagnostic(
        code(imgguard::verify::key_invalid),
        help(
            "supported: ECDSA P-256/P-384, Ed25519 and RSA public keys in PEM SubjectPublicKeyInfo form"
        )
    )]
    KeyInvalid {
        /// The key file.
        path: PathBuf,
        /// Why it was rejected.
        detail: String,
    },

    /// A keyless identity pattern is not a valid regular expression.
    #[error("failed to compile identity pattern `{pattern}`")]
    #[diagnostic(
        code(imgguard::verify::identity_pattern_invalid),
        help("`identity_regex` is a Rust regex; it is anchored at both ends for you")
    )]
    IdentityPatternInvalid {
        /// The pattern from the spec.
        pattern: String,
        /// The regex error.
        #[source]
        source: regex::Error,
    },

    /// A keyless authority names neither or both of `identity` and `identity_regex`.
    #[error("failed to read keyless authority: give exactly one of `identity` or `identity_regex`")]
    #[diagnostic(
        code(imgguard::verify::identity_missing),
        help("an authority that accepts any identity would accept anyone's signature")
    )]
    IdentityAmbiguous,

    /// The provenance `source_ref` glob does not compile.
    #[error("failed to compile ref pattern `{pattern}`: {detail}")]
    #[diagnostic(
        code(imgguard::verify::ref_pattern_invalid),
        help("`source_ref` is a glob over the full ref, e.g. `refs/tags/v*`")
    )]
    RefPatternInvalid {
        /// The pattern from the spec.
        pattern: String,
        /// The glob error.
        detail: String,
    },
}
