//! Errors of registry access. Every one means the image could not be (fully) read, so
//! the verdict is `incomplete`; none of them carries a credential.

use miette::Diagnostic;
use thiserror::Error;

/// Why a registry could not serve the image.
#[derive(Debug, Error, Diagnostic)]
pub enum RegistryError {
    /// The HTTP client could not be built (a bad CA file, for instance).
    #[error("failed to set up the connection to {registry}: {reason}")]
    #[diagnostic(
        code(imgguard::registry::setup),
        help("check --ca-file and the certs.d directory for this registry")
    )]
    Setup {
        /// The registry host.
        registry: String,
        /// Why.
        reason: String,
    },
    /// A CA file could not be read or holds no certificate.
    #[error("failed to load CA certificates from {path}: {reason}")]
    #[diagnostic(code(imgguard::registry::ca_file))]
    CaFile {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// The registry could not be reached (after retries).
    #[error("failed to reach {url}: {reason}")]
    #[diagnostic(
        code(imgguard::registry::unreachable),
        help(
            "a TLS error usually means the registry's CA is unknown: pass --ca-file or put it in certs.d/HOST/ca.crt; plain HTTP is used only for loopback or --insecure-registry HOST"
        )
    )]
    Unreachable {
        /// What was requested.
        url: String,
        /// Why (every attempt's error, most recent last).
        reason: String,
    },
    /// The registry refused the credentials, or demanded some and none were found.
    #[error("registry {registry} refused access to {repository}: {reason}")]
    #[diagnostic(
        code(imgguard::registry::unauthorized),
        help(
            "log in with `docker login` / `podman login`, or pass --username with --password-stdin"
        )
    )]
    Unauthorized {
        /// The registry host.
        registry: String,
        /// The repository.
        repository: String,
        /// What happened.
        reason: String,
    },
    /// The token endpoint did not hand out a token.
    #[error("failed to get a token from {realm}: {reason}")]
    #[diagnostic(code(imgguard::registry::token))]
    Token {
        /// The token realm.
        realm: String,
        /// Why.
        reason: String,
    },
    /// The registry answered with an unexpected status.
    #[error("{url} answered {status}: {message}")]
    #[diagnostic(code(imgguard::registry::status))]
    Status {
        /// What was requested.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The registry's error message (truncated).
        message: String,
    },
    /// The manifest's type is not one imgguard reads.
    #[error("{url} is a `{media_type}` manifest, which imgguard does not read")]
    #[diagnostic(
        code(imgguard::registry::manifest_type),
        help("schema 1 manifests are deprecated; push the image again with a current tool")
    )]
    ManifestType {
        /// What was requested.
        url: String,
        /// Its media type.
        media_type: String,
    },
    /// A credential source failed (a helper exited non-zero, a config is unreadable).
    #[error("failed to read credentials for {registry} from {origin}: {reason}")]
    #[diagnostic(code(imgguard::registry::credentials))]
    Credentials {
        /// The registry host.
        registry: String,
        /// Where the lookup went.
        origin: String,
        /// Why (never the secret).
        reason: String,
    },
    /// A document or blob is larger than imgguard reads or writes.
    #[error("{url} is {size} bytes, over the limit of {limit}")]
    #[diagnostic(code(imgguard::registry::too_large))]
    TooLarge {
        /// What was requested.
        url: String,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// Bytes do not match the digest that names them (sent, received or announced).
    #[error("digest mismatch at {url}: expected {expected}, found {found}")]
    #[diagnostic(
        code(imgguard::registry::mismatch),
        help("the registry or something between it and imgguard altered the content")
    )]
    Mismatch {
        /// What was requested.
        url: String,
        /// The digest expected.
        expected: String,
        /// The digest found.
        found: String,
    },
}
