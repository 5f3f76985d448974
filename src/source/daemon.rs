//! Images in a local Docker-API engine (Docker, or podman's compatibility service):
//! the endpoint is found (`--docker-host`, `DOCKER_HOST`, the default sockets), the
//! image is inspected for its ID, and `GET /images/{id}/get` is spooled to one temp
//! file that the docker-archive / OCI-layout readers then stream layers from.

pub mod daemon_source;
pub mod engine_api;
pub mod error;

pub use daemon_source::DaemonSource;
pub use engine_api::{Endpoint, EngineApi};
pub use error::DaemonError;
