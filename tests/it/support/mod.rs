//! Test support: builds real images (tar, gzip, zstd, whiteouts, OCI layouts and
//! archives, both `docker save` styles, multi-platform indexes with BuildKit
//! attestation manifests) in temp dirs, and runs the real binary.

pub mod fixtures;
pub mod image;
pub mod podman;
pub mod registry;
pub mod run;
