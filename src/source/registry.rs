//! Registry access: a small OCI distribution client (scheme choice, token and basic
//! auth, retries), credentials from the user's config files, and the
//! [`RegistrySource`] that resolves a tag once and streams blobs into the layer engine.

pub mod auth;
pub mod blob_reader;
pub mod client;
pub mod error;
pub mod options;
pub mod progress;
pub mod push;
pub mod referrers;
pub mod registry_source;

pub use error::RegistryError;
pub use options::{Password, RegistryOptions};
pub use registry_source::RegistrySource;
