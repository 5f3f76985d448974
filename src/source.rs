//! Image sources: where an image's manifests and blobs come from (an OCI layout
//! directory, an OCI or Docker archive, the embedded demo, and later registries and
//! daemons), and the resolution of a reference to one digest and its platform images.

pub mod chosen;
pub mod daemon;
pub mod docker_archive;
pub mod error;
pub mod evidence_store;
pub mod file_tree;
pub mod image_source;
pub mod oci_layout;
pub mod open;
pub mod registry;
pub mod resolve;
pub mod scan_progress;
pub mod tar_tree;

pub use error::SourceError;
pub use evidence_store::EvidenceStore;
pub use image_source::{DaemonImageInfo, ImageSource, SourceInfo};
pub use open::{open_source, open_source_with};
pub use resolve::{DigestKind, PlatformImage, ResolvedImage, resolve};
