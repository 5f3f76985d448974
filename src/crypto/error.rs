//! The error type of the `crypto` part: key parsing, decryption, signing, verification.

use miette::Diagnostic;
use thiserror::Error;

/// Everything that can go wrong while loading a key, signing or verifying.
///
/// Messages never carry key material or passwords, only where the key came from.
#[derive(Debug, Error, Diagnostic)]
#[non_exhaustive]
pub enum CryptoError {
    /// The text is not PEM, or its base64 body is broken.
    #[error("failed to read PEM from {source_name}: {reason}")]
    #[diagnostic(
        code(imgguard::crypto::pem),
        help("a key file must be PEM: `-----BEGIN …-----`, base64 lines, `-----END …-----`")
    )]
    Pem {
        /// Where the key came from (a path or `env://VAR`).
        source_name: String,
        /// Why the PEM could not be read.
        reason: String,
    },

    /// The PEM label names a kind of key imgguard does not read.
    #[error("unsupported PEM label `{label}` in {source_name}")]
    #[diagnostic(
        code(imgguard::crypto::label),
        help(
            "public keys: `PUBLIC KEY` (SPKI); private keys: `ENCRYPTED SIGSTORE PRIVATE KEY`, `ENCRYPTED COSIGN PRIVATE KEY` or `PRIVATE KEY` (PKCS#8)"
        )
    )]
    UnsupportedLabel {
        /// Where the key came from.
        source_name: String,
        /// The label found.
        label: String,
    },

    /// The DER inside the PEM is not a key of a supported algorithm.
    #[error("unsupported or malformed {kind} key in {source_name}")]
    #[diagnostic(
        code(imgguard::crypto::key),
        help(
            "supported: ECDSA P-256 and P-384, Ed25519, RSA (public keys only); signing keys: ECDSA P-256, P-384, Ed25519"
        )
    )]
    UnsupportedKey {
        /// Where the key came from.
        source_name: String,
        /// `public` or `private`.
        kind: &'static str,
    },

    /// The cosign encrypted-key JSON is malformed or uses an unknown KDF or cipher.
    #[error("malformed cosign encrypted key in {source_name}: {reason}")]
    #[diagnostic(
        code(imgguard::crypto::cosign_key),
        help("expected cosign's format: scrypt KDF and nacl/secretbox cipher over PKCS#8")
    )]
    CosignKeyFormat {
        /// Where the key came from.
        source_name: String,
        /// What is wrong with it.
        reason: String,
    },

    /// The password did not open the encrypted key.
    #[error("wrong password for the encrypted key in {source_name}")]
    #[diagnostic(
        code(imgguard::crypto::password),
        help("set IMGGUARD_KEY_PASSWORD (or COSIGN_PASSWORD) to the key's password")
    )]
    WrongPassword {
        /// Where the key came from.
        source_name: String,
    },

    /// An encrypted key needs a password and none was given.
    #[error("no password for the encrypted key in {source_name}")]
    #[diagnostic(
        code(imgguard::crypto::no_password),
        help(
            "set IMGGUARD_KEY_PASSWORD or COSIGN_PASSWORD (an empty value for a key without a password)"
        )
    )]
    MissingPassword {
        /// Where the key came from.
        source_name: String,
    },

    /// `env://VAR` names a variable that is not set.
    #[error("environment variable `{name}` named by `env://{name}` is not set")]
    #[diagnostic(
        code(imgguard::crypto::env),
        help("export the PEM text of the key in that variable")
    )]
    MissingEnv {
        /// The variable's name.
        name: String,
    },

    /// Reading a key file failed.
    #[error("failed to read key file")]
    #[diagnostic(code(imgguard::crypto::io))]
    Io(#[from] std::io::Error),

    /// The signature bytes do not verify against the key.
    #[error("signature does not verify with the {algorithm} key {key_hint}")]
    #[diagnostic(
        code(imgguard::crypto::signature),
        help("the data was changed after signing, or it was signed by another key")
    )]
    BadSignature {
        /// The key's algorithm.
        algorithm: &'static str,
        /// The key's hint (base64 of the SPKI SHA-256).
        key_hint: String,
    },

    /// The operating system's random source failed.
    #[error("failed to read random bytes from the operating system")]
    #[diagnostic(code(imgguard::crypto::random))]
    Random,

    /// A key file already exists where keygen would write.
    #[error("refusing to overwrite existing key file {path}")]
    #[diagnostic(
        code(imgguard::crypto::exists),
        help("choose another output prefix or remove the old key pair first")
    )]
    KeyFileExists {
        /// The path that exists.
        path: String,
    },
}
