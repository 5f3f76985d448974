//! The push stage of `imgguard run` (DESIGN §1, §5): after a PASS, copy exactly the
//! image that was built and checked from the builder's OCI layout to the registry
//! named by `image.ref` — every blob (streamed from disk, digest-verified while it is
//! read, skipped when the registry has it), every manifest and index byte for byte by
//! digest, then the tag. Nothing here decides a verdict: the CLI only calls it for a
//! PASS, and tags after the attestation is published.

pub mod error;
pub mod image_copy;
pub mod push_record;
pub mod verifying_reader;

pub use error::PushError;
pub use image_copy::{PushedImage, push_by_digest};
pub use push_record::PushRecord;
pub use verifying_reader::VerifyingReader;
