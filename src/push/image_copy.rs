//! Copying one image from where the build left it (any [`ImageSource`], in practice
//! the builder's OCI layout) to a registry repository, digest-preserving: every
//! document is re-hashed against the digest its parent names before it is sent, every
//! blob is streamed from disk through a [`VerifyingReader`], and the registry's answer
//! to each manifest PUT must name the same digest. Children go before their parents
//! (blobs, then platform manifests, then the index), as registries require; the
//! blobs of one manifest go up a few at a time.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use super::{PushError, PushRecord, VerifyingReader};
use crate::oci::reference::RegistryReference;
use crate::oci::{Descriptor, Digest, ImageIndex, ImageManifest, MediaKind};
use crate::source::ImageSource;
use crate::source::registry::RegistryError;
use crate::source::registry::client::RegistryClient;
use crate::source::registry::push::MAX_MANIFEST_BYTES;

/// An index nests at most this deep (an index of indexes is already rare).
const MAX_INDEX_DEPTH: u32 = 2;
/// Blobs uploaded at the same time (docker pushes up to 5, skopeo 6; each holds only
/// a small read buffer, so memory stays bounded).
const PARALLEL_UPLOADS: usize = 3;
/// At most this many manifests are pushed for one image.
const MAX_MANIFESTS: usize = 1024;

/// An image whose blobs and manifests are in the registry by digest, not yet tagged.
#[derive(Debug)]
pub struct PushedImage {
    /// The destination (its tag is set by [`PushedImage::tag`]).
    pub destination: RegistryReference,
    /// The root manifest or index.
    pub root: Descriptor,
    /// The root's exact bytes.
    pub root_bytes: Vec<u8>,
    /// What it took.
    pub record: PushRecord,
}

struct Copy<'a> {
    source: &'a dyn ImageSource,
    client: &'a RegistryClient,
    done: BTreeSet<Digest>,
    record: PushRecord,
}

/// Push every blob and manifest of `source`'s image to `client`'s repository by
/// digest; the image must be `expected` (the digest that was checked).
pub fn push_by_digest(
    source: &dyn ImageSource,
    client: &RegistryClient,
    destination: &RegistryReference,
    expected: &Digest,
) -> Result<PushedImage, PushError> {
    let started = std::time::Instant::now();
    let root = source.root(MAX_MANIFEST_BYTES).map_err(PushError::Source)?;
    let (identity, _) = source.identity(&root);
    if identity != *expected {
        return Err(PushError::Mismatch {
            what: "the built image".into(),
            expected: expected.to_string(),
            found: identity.to_string(),
        });
    }
    let mut copy = Copy {
        source,
        client,
        done: BTreeSet::new(),
        record: PushRecord {
            reference: format!(
                "{}/{}:{}",
                destination.registry,
                destination.repository,
                destination.tag_or_default().unwrap_or("latest")
            ),
            digest: expected.clone(),
            manifests: 0,
            blobs_uploaded: 0,
            blobs_present: 0,
            bytes_uploaded: 0,
            duration_ms: 0,
        },
    };
    let (root_bytes, media_type) = copy.manifest(&root, 0)?;
    let mut root = root;
    root.media_type = media_type;
    copy.record.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    Ok(PushedImage {
        destination: destination.clone(),
        root,
        root_bytes,
        record: copy.record,
    })
}

impl PushedImage {
    /// Set the tag: PUT the root's bytes at it, then read the tag back — the registry
    /// must serve exactly the digest that was checked.
    pub fn tag(&self, client: &RegistryClient) -> Result<(), PushError> {
        let tag = self.destination.tag_or_default().unwrap_or("latest");
        let put = client
            .put_manifest(tag, &self.root.media_type, &self.root_bytes, None)
            .map_err(|e| registry_error(client, e))?;
        check(&format!("tag {tag}"), &self.root.digest, &put.digest)?;
        let served = client
            .manifest_for_update(tag)
            .map_err(|e| registry_error(client, e))?;
        let found = served.map_or_else(|| "no manifest".to_owned(), |m| m.digest.to_string());
        if found != self.root.digest.to_string() {
            return Err(PushError::Mismatch {
                what: format!("tag {tag} as the registry serves it"),
                expected: self.root.digest.to_string(),
                found,
            });
        }
        Ok(())
    }
}

fn registry_error(client: &RegistryClient, source: RegistryError) -> PushError {
    PushError::Registry {
        repository: format!("{}/{}", client.registry(), client.repository()),
        source,
    }
}

fn check(what: &str, expected: &Digest, found: &Digest) -> Result<(), PushError> {
    if expected == found {
        return Ok(());
    }
    Err(PushError::Mismatch {
        what: what.to_owned(),
        expected: expected.to_string(),
        found: found.to_string(),
    })
}

impl Copy<'_> {
    /// Push the manifest or index `descriptor` names (after everything it names);
    /// returns its bytes and media type.
    fn manifest(
        &mut self,
        descriptor: &Descriptor,
        depth: u32,
    ) -> Result<(Vec<u8>, String), PushError> {
        let bytes = self
            .source
            .fetch_document(descriptor, MAX_MANIFEST_BYTES)
            .map_err(PushError::Source)?;
        let what = format!("manifest {}", descriptor.digest);
        check(
            &what,
            &descriptor.digest,
            &descriptor.digest.same_algorithm_of(&bytes),
        )?;
        let media_type = if descriptor.media_type.is_empty() {
            serde_json::from_slice::<serde_json::Value>(&bytes)
                .ok()
                .and_then(|v| v.get("mediaType")?.as_str().map(str::to_owned))
                .unwrap_or_default()
        } else {
            descriptor.media_type.clone()
        };
        let invalid = |e: crate::oci::OciError| PushError::Source(e.into());
        match MediaKind::of(&media_type) {
            MediaKind::Index if depth < MAX_INDEX_DEPTH => {
                let index = ImageIndex::parse(&bytes).map_err(invalid)?;
                for child in &index.manifests {
                    self.manifest(child, depth + 1)?;
                }
            }
            MediaKind::Manifest => {
                let manifest = ImageManifest::parse(&bytes).map_err(invalid)?;
                // Foreign layers are fetched from their `urls` by whoever pulls the
                // image; registries do not take them and neither docker nor skopeo
                // pushes them.
                let wanted: Vec<&Descriptor> = std::iter::once(&manifest.config)
                    .chain(&manifest.layers)
                    .filter(|d| d.urls.is_empty() || !is_non_distributable(&d.media_type))
                    .filter(|d| self.done.insert(d.digest.clone()))
                    .collect();
                self.blobs(&wanted)?;
            }
            _ => {
                return Err(PushError::Unsupported {
                    digest: descriptor.digest.to_string(),
                    media_type,
                });
            }
        }
        if self.done.insert(descriptor.digest.clone()) {
            self.record.manifests += 1;
            if self.record.manifests > MAX_MANIFESTS {
                return Err(PushError::Unsupported {
                    digest: descriptor.digest.to_string(),
                    media_type: format!("more than {MAX_MANIFESTS} manifests"),
                });
            }
            let put = self
                .client
                .put_manifest(&descriptor.digest.to_string(), &media_type, &bytes, None)
                .map_err(|e| registry_error(self.client, e))?;
            check(&what, &descriptor.digest, &put.digest)?;
        }
        Ok((bytes, media_type))
    }

    /// Upload `wanted` (blobs the registry may lack), [`PARALLEL_UPLOADS`] at a time
    /// as docker and skopeo do; the first failure stops new uploads and is returned.
    fn blobs(&mut self, wanted: &[&Descriptor]) -> Result<(), PushError> {
        let (source, client) = (self.source, self.client);
        let next = AtomicUsize::new(0);
        let stop = AtomicBool::new(false);
        let outcomes = Mutex::new(Vec::with_capacity(wanted.len()));
        std::thread::scope(|scope| {
            for _ in 0..PARALLEL_UPLOADS.min(wanted.len()) {
                scope.spawn(|| {
                    while !stop.load(Ordering::Relaxed) {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(descriptor) = wanted.get(index) else {
                            break;
                        };
                        let outcome = upload_blob(source, client, descriptor);
                        stop.fetch_or(outcome.is_err(), Ordering::Relaxed);
                        if let Ok(mut all) = outcomes.lock() {
                            all.push((index, outcome));
                        }
                    }
                });
            }
        });
        // A worker that panicked has already made the scope panic: no poison here.
        let mut outcomes = outcomes
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        outcomes.sort_by_key(|(index, _)| *index);
        for (_, outcome) in outcomes {
            match outcome? {
                None => self.record.blobs_present += 1,
                Some(size) => {
                    self.record.blobs_uploaded += 1;
                    self.record.bytes_uploaded = self.record.bytes_uploaded.saturating_add(size);
                }
            }
        }
        Ok(())
    }
}

/// Upload one blob unless the registry has it, streamed and verified: `Some(size)`
/// when uploaded, `None` when it was there.
fn upload_blob(
    source: &dyn ImageSource,
    client: &RegistryClient,
    descriptor: &Descriptor,
) -> Result<Option<u64>, PushError> {
    if client
        .blob_exists(&descriptor.digest)
        .map_err(|e| registry_error(client, e))?
    {
        return Ok(None);
    }
    let failure = Arc::new(OnceLock::new());
    let open = || -> std::io::Result<Box<dyn std::io::Read + Send>> {
        let reader = source
            .open_blob(descriptor)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        Ok(Box::new(VerifyingReader::new(
            reader,
            descriptor.digest.clone(),
            descriptor.size,
            failure.clone(),
        )))
    };
    let give_up = || failure.get().is_some();
    let uploaded = client.upload_blob_stream(&descriptor.digest, descriptor.size, &open, &give_up);
    if let Some(reason) = failure.get() {
        return Err(PushError::Mismatch {
            what: format!("blob {}", descriptor.digest),
            expected: descriptor.digest.to_string(),
            found: reason.clone(),
        });
    }
    uploaded.map_err(|e| registry_error(client, e))?;
    Ok(Some(descriptor.size))
}

fn is_non_distributable(media_type: &str) -> bool {
    media_type.contains("nondistributable") || media_type.contains(".foreign.")
}
