//! The build stage (DESIGN §1, §8): run the builder the spec names (buildah, podman,
//! docker or a command), as a child process without a shell, and hand back exactly
//! the image it produced, bound to the digest the builder itself recorded. Every
//! later stage (check, verify, attest) reads that image.

pub mod build_args;
pub mod build_plan;
pub mod build_record;
pub mod build_stage;
pub mod built_image;
pub mod command_line;
pub mod error;
pub mod process;

pub use build_record::BuildRecord;
pub use build_stage::build_image;
pub use built_image::BuiltImage;
pub use error::BuildError;
