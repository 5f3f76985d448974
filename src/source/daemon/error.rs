//! Errors of the Docker-API daemon source.

use miette::Diagnostic;
use thiserror::Error;

/// Why the daemon could not serve the image.
#[derive(Debug, Error, Diagnostic)]
pub enum DaemonError {
    /// No engine answered.
    #[error("no Docker-API engine answered (tried: {tried})")]
    #[diagnostic(
        code(imgguard::daemon::unreachable),
        help(
            "start docker or `podman system service`, or point DOCKER_HOST / --docker-host at its socket"
        )
    )]
    Unreachable {
        /// The endpoints tried.
        tried: String,
    },
    /// The endpoint is not one imgguard speaks to.
    #[error("unsupported Docker endpoint `{value}`: expected unix:///PATH or tcp://LOOPBACK:PORT")]
    #[diagnostic(code(imgguard::daemon::endpoint))]
    Endpoint {
        /// What was given.
        value: String,
    },
    /// The image name cannot be sent to the API.
    #[error("`{name}` is not a valid image name or ID")]
    #[diagnostic(code(imgguard::daemon::name))]
    Name {
        /// The name.
        name: String,
    },
    /// The engine does not have the image.
    #[error("the engine at {endpoint} has no image `{name}`")]
    #[diagnostic(
        code(imgguard::daemon::not_found),
        help("`docker images` / `podman images` lists what it has")
    )]
    NotFound {
        /// Where.
        endpoint: String,
        /// What.
        name: String,
    },
    /// A request failed.
    #[error("failed to {what} at {endpoint}: {reason}")]
    #[diagnostic(code(imgguard::daemon::request))]
    Request {
        /// Where.
        endpoint: String,
        /// What was being done.
        what: String,
        /// Why.
        reason: String,
    },
    /// The temp file for the saved archive could not be written.
    #[error("failed to spool the saved image to a temp file: {reason}")]
    #[diagnostic(code(imgguard::daemon::spool))]
    Spool {
        /// Why.
        reason: String,
    },
}
