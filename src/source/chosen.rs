//! A source picked among several for a reference that left the choice open (a bare
//! name: the local Docker-API engine first, then the registry). It delegates every
//! read and only adds to `info()` why it was picked, so reports can say which source
//! was used and why.

use std::io::Read;

use super::SourceError;
use super::image_source::{ImageSource, SourceInfo};
use super::resolve::DigestKind;
use crate::oci::{Descriptor, Digest};

/// A source with the reason it was chosen.
pub struct ChosenSource {
    inner: Box<dyn ImageSource>,
    why: String,
}

impl ChosenSource {
    /// `inner`, chosen for `why` (a sentence for people).
    pub fn new(inner: Box<dyn ImageSource>, why: String) -> Self {
        Self { inner, why }
    }
}

impl ImageSource for ChosenSource {
    fn info(&self) -> SourceInfo {
        SourceInfo {
            chosen: Some(self.why.clone()),
            ..self.inner.info()
        }
    }

    fn root(&self, document_limit: u64) -> Result<Descriptor, SourceError> {
        self.inner.root(document_limit)
    }

    fn fetch_document(&self, descriptor: &Descriptor, limit: u64) -> Result<Vec<u8>, SourceError> {
        self.inner.fetch_document(descriptor, limit)
    }

    fn open_blob(&self, descriptor: &Descriptor) -> Result<Box<dyn Read + Send>, SourceError> {
        self.inner.open_blob(descriptor)
    }

    fn identity(&self, root: &Descriptor) -> (Digest, DigestKind) {
        self.inner.identity(root)
    }

    fn evidence_store(
        &self,
        alternate: Option<&str>,
    ) -> Result<Option<Box<dyn crate::source::EvidenceStore + '_>>, SourceError> {
        self.inner.evidence_store(alternate)
    }
}
