//! The layer engine: turns one layer blob into a verified stream of tar entries pushed
//! into analyzers. Blob bytes are hashed as they stream (the layer digest), then
//! decompressed (gzip/zstd/none, checked against magic bytes) and hashed again (the
//! diff_id), then walked as tar behind a guard that bounds every header. Nothing is
//! written to disk.

pub mod blob_stream;
pub mod budget;
pub mod decompress;
pub mod entry;
pub mod error;
pub mod hashing_reader;
pub mod path_index;
pub mod tar_guard;
pub mod walker;

pub use blob_stream::{BlobStream, StreamOutcome};
pub use budget::{Budgets, ByteSize};
pub use entry::{Entry, EntryKind};
pub use error::LayerError;
pub use path_index::LayerPathIndex;
pub use walker::{LayerWalk, walk_layer};
