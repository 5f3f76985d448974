//! Small constructors the fuzz targets need (a layer context, a blob expectation), kept
//! in the library so the targets stay one-liners over the real code paths.

use crate::analyze::LayerContext;
use crate::finding::LayerRef;
use crate::layer::blob_stream::BlobExpectation;
use crate::oci::{Compression, Digest};

/// A layer context for analyzers under fuzzing.
pub fn layer_context() -> LayerContext {
    LayerContext {
        platform: "linux/amd64".into(),
        layer: LayerRef {
            index: 0,
            digest: Digest::sha256_of(b""),
            diff_id: None,
            created_by: None,
            from_base: None,
        },
    }
}

/// An expectation that the bytes match (so fuzzing explores decoding, not the digest check).
pub fn expectation_for(blob: &[u8]) -> BlobExpectation {
    BlobExpectation {
        digest: Digest::sha256_of(blob),
        size: blob.len() as u64,
        diff_id: None,
        compression: Compression::sniff(blob),
        max_uncompressed: 64 << 20,
    }
}
