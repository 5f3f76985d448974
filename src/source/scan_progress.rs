//! The scan progress line for sources other than registries (which draw their own pull
//! progress): wraps a source, counts the blob bytes the layer engine reads and shows
//! them on a terminal. Everything else is delegated unchanged.

use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::image_source::{ImageSource, SourceInfo};
use super::registry::progress::Progress;
use super::resolve::DigestKind;
use super::{EvidenceStore, SourceError};
use crate::oci::{Descriptor, Digest};

/// A source whose blob reads are shown on a progress line.
pub struct ScanProgressSource {
    inner: Box<dyn ImageSource>,
    read: Arc<AtomicU64>,
    progress: Progress,
}

impl ScanProgressSource {
    /// `inner` with a progress line when stderr is a terminal and `CI` is unset;
    /// `inner` itself otherwise, and for registries (they show their pulls).
    pub fn wrap(inner: Box<dyn ImageSource>) -> Box<dyn ImageSource> {
        if inner.info().transport == "registry" {
            return inner;
        }
        let read = Arc::new(AtomicU64::new(0));
        match Progress::start_if_terminal(Arc::clone(&read), "scanning layers") {
            Some(progress) => Box::new(Self {
                inner,
                read,
                progress,
            }),
            None => inner,
        }
    }
}

struct Counting {
    inner: Box<dyn Read + Send>,
    read: Arc<AtomicU64>,
}

impl Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl ImageSource for ScanProgressSource {
    fn info(&self) -> SourceInfo {
        self.inner.info()
    }

    fn root(&self, document_limit: u64) -> Result<Descriptor, SourceError> {
        self.inner.root(document_limit)
    }

    fn fetch_document(&self, descriptor: &Descriptor, limit: u64) -> Result<Vec<u8>, SourceError> {
        self.inner.fetch_document(descriptor, limit)
    }

    fn open_blob(&self, descriptor: &Descriptor) -> Result<Box<dyn Read + Send>, SourceError> {
        let blob = self.inner.open_blob(descriptor)?;
        self.progress.expect(descriptor.size);
        Ok(Box::new(Counting {
            inner: blob,
            read: Arc::clone(&self.read),
        }))
    }

    fn identity(&self, root: &Descriptor) -> (Digest, DigestKind) {
        self.inner.identity(root)
    }

    // Forwarded explicitly: the trait's default (no store) would make a wrapped
    // registry look unsigned.
    fn evidence_store(
        &self,
        alternate: Option<&str>,
    ) -> Result<Option<Box<dyn EvidenceStore + '_>>, SourceError> {
        self.inner.evidence_store(alternate)
    }
}
