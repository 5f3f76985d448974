//! Where signatures and attestations attached to an image live: cosign tags
//! (`sha256-<hex>.sig`/`.att`) and OCI 1.1 referrers, in a registry repository or in an
//! OCI layout (`cosign save`). Sources that have such a place hand one out through
//! [`super::ImageSource::evidence_store`]; evidence discovery (`verify::discover`)
//! reads through it and never knows which transport it is talking to.

use super::SourceError;
use super::registry::referrers::{FetchedManifest, Referrers};
use crate::oci::{Descriptor, Digest};

/// Read access to an image's attached evidence.
pub trait EvidenceStore {
    /// The repository (`registry/name`) or layout location, for evidence locations.
    fn repository(&self) -> String;

    /// The manifest at `tag`, `None` when there is none.
    fn manifest_by_tag(
        &self,
        tag: &str,
        limit: u64,
    ) -> Result<Option<FetchedManifest>, SourceError>;

    /// The referrers of `subject` (Referrers API, tag-schema fallback, or a layout's
    /// own index).
    fn referrers(&self, subject: &Digest, limit: u64) -> Result<Referrers, SourceError>;

    /// The manifest or blob `descriptor` names, verified against its digest and size;
    /// refused when the descriptor says it is over `limit`.
    fn fetch(&self, descriptor: &Descriptor, limit: u64) -> Result<Vec<u8>, SourceError>;
}

impl<S: EvidenceStore + ?Sized> EvidenceStore for &S {
    fn repository(&self) -> String {
        (**self).repository()
    }

    fn manifest_by_tag(
        &self,
        tag: &str,
        limit: u64,
    ) -> Result<Option<FetchedManifest>, SourceError> {
        (**self).manifest_by_tag(tag, limit)
    }

    fn referrers(&self, subject: &Digest, limit: u64) -> Result<Referrers, SourceError> {
        (**self).referrers(subject, limit)
    }

    fn fetch(&self, descriptor: &Descriptor, limit: u64) -> Result<Vec<u8>, SourceError> {
        (**self).fetch(descriptor, limit)
    }
}
