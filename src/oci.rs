//! OCI and Docker image model: digests, descriptors, manifests, indexes, configs,
//! platforms and image references. Pure data and parsing; no I/O. Every later stage
//! (sources, the layer engine, reports, attestations) speaks these types.

pub mod config;
pub mod descriptor;
pub mod digest;
pub mod error;
pub mod index;
pub mod manifest;
pub mod media_type;
pub mod platform;
pub mod reference;

pub use config::ImageConfig;
pub use descriptor::Descriptor;
pub use digest::{Digest, DigestAlgorithm, DigestHasher};
pub use error::OciError;
pub use index::ImageIndex;
pub use manifest::ImageManifest;
pub use media_type::{Compression, MediaKind};
pub use platform::Platform;
pub use reference::ImageReference;
