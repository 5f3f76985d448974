//! Evidence discovery: for an image's digest (and each platform manifest digest),
//! fetch what its own source holds — cosign `.sig` and `.att` tags, Sigstore bundles
//! among its OCI 1.1 referrers (Referrers API or the `sha256-<hex>` tag fallback, both
//! bundle media-type spellings), and `BuildKit` attestation manifests in the index.
//!
//! Sits between source resolution and [`super::ImageVerifier::verify`]: it does the
//! I/O (through [`EvidenceStore`] and [`ImageSource`], every byte digest-verified and
//! size-bounded) and hands over an [`EvidenceSet`]. A location that could not be read
//! becomes a gap (the requirement can then be `incomplete`, never satisfied by
//! silence); a 404 is simply "nothing there".

use crate::intoto::{DSSE_ENVELOPE_MEDIA_TYPE, IN_TOTO_PAYLOAD_TYPE};
use std::ops::ControlFlow;

use crate::layer::Budgets;
use crate::oci::{Descriptor, Digest, ImageManifest};
use crate::source::registry::RegistryError;
use crate::source::registry::referrers::{ReferrersVia, cosign_tag};
use crate::source::resolve::{DigestKind, fetch_verified, verify_bytes};
use crate::source::{EvidenceStore, ImageSource, ResolvedImage, SourceError};

use super::{
    Evidence, EvidenceFormat, EvidenceLocation, EvidenceSet, ImageSubject, MAX_EVIDENCE_BYTES,
};

/// Layer media type of a cosign `.sig` layer (simple-signing payload).
pub const SIMPLE_SIGNING_MEDIA_TYPE: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
/// The Sigstore bundle v0.3 media type, as cosign v3 writes it.
pub const BUNDLE_MEDIA_TYPE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";
/// The other spelling of the bundle v0.3 media type (`@sigstore/oci`, GitHub).
pub const BUNDLE_MEDIA_TYPE_ALT: &str = "application/vnd.dev.sigstore.bundle+json;version=0.3";
/// `BuildKit`'s annotation naming an attestation layer's predicate type.
const BUILDKIT_PREDICATE_ANNOTATION: &str = "in-toto.io/predicate-type";
/// `BuildKit`'s annotation naming the platform manifest an attestation describes.
const BUILDKIT_REFERENCE_DIGEST: &str = "vnd.docker.reference.digest";

/// Largest manifest or index read while looking for evidence.
const MAX_EVIDENCE_MANIFEST: u64 = 1024 * 1024;
/// Most layers read from one `.sig`/`.att`/attestation manifest.
const MAX_LAYERS: usize = 64;

/// Whether `media_type` is a Sigstore bundle: both spellings
/// (`….bundle.v0.3+json`, `….bundle+json;version=0.3`), any bundle version the
/// verifier reads, whitespace around parameters tolerated.
pub fn is_bundle_media_type(media_type: &str) -> bool {
    let normal: String = media_type.chars().filter(|c| !c.is_whitespace()).collect();
    normal == BUNDLE_MEDIA_TYPE
        || normal == BUNDLE_MEDIA_TYPE_ALT
        || normal
            .strip_prefix("application/vnd.dev.sigstore.bundle")
            .is_some_and(|rest| {
                [
                    "+json;version=0.1",
                    "+json;version=0.2",
                    ".v0.2+json",
                    ".v0.1+json",
                ]
                .contains(&rest)
            })
}

impl ImageSubject {
    /// The digests a resolved image is known by: its index (when it is one) and the
    /// manifests of the platforms selected for checking.
    pub fn of(image: &ResolvedImage) -> Self {
        Self {
            index: (image.digest_kind == DigestKind::Index).then(|| image.digest.clone()),
            manifests: image
                .platforms
                .iter()
                .map(|p| p.manifest_digest.clone())
                .collect(),
        }
    }
}

/// Fetch every piece of evidence the image's source holds for `image`. `alternate`
/// names a repository to read cosign tags and referrers from instead of the image's
/// own (`COSIGN_REPOSITORY`).
pub fn discover(
    source: &dyn ImageSource,
    image: &ResolvedImage,
    alternate: Option<&str>,
    budgets: &Budgets,
) -> EvidenceSet {
    let mut set = EvidenceSet::default();
    let subject = ImageSubject::of(image);
    let digests: Vec<Digest> = subject
        .index
        .iter()
        .chain(subject.manifests.iter())
        .cloned()
        .collect();
    match source.evidence_store(alternate) {
        Ok(Some(store)) => {
            for digest in &digests {
                if from_store(store.as_ref(), digest, &mut set).is_break() {
                    break;
                }
            }
        }
        Ok(None) => {}
        Err(e) => set.gaps.push(format!(
            "evidence repository {}: {e}",
            alternate.unwrap_or("(the image's)")
        )),
    }
    for attestation in &image.attestation_manifests {
        from_buildkit(source, attestation, budgets, &mut set);
    }
    set
}

fn gap(set: &mut EvidenceSet, what: &str, error: &SourceError) {
    set.gaps.push(format!("{what}: {error}"));
}

/// Whether an error means the whole store is out of reach (no point asking again).
fn unreachable(error: &SourceError) -> bool {
    matches!(
        error,
        SourceError::Registry(
            RegistryError::Unreachable { .. }
                | RegistryError::Unauthorized { .. }
                | RegistryError::Token { .. }
        )
    )
}

/// Cosign tags and bundle referrers of one digest; breaks when the store is out of
/// reach (the gap is recorded once).
fn from_store(
    store: &dyn EvidenceStore,
    digest: &Digest,
    set: &mut EvidenceSet,
) -> ControlFlow<()> {
    let repository = store.repository();
    for (suffix, layer_type, format) in [
        (
            "sig",
            SIMPLE_SIGNING_MEDIA_TYPE,
            EvidenceFormat::CosignSimpleSigning,
        ),
        (
            "att",
            DSSE_ENVELOPE_MEDIA_TYPE,
            EvidenceFormat::CosignAttestation,
        ),
    ] {
        let tag = cosign_tag(digest, suffix);
        let where_ = format!("{repository}:{tag}");
        let fetched = match store.manifest_by_tag(&tag, MAX_EVIDENCE_MANIFEST) {
            Ok(Some(f)) => f,
            Ok(None) => continue,
            Err(e) => {
                gap(set, &where_, &e);
                if unreachable(&e) {
                    return ControlFlow::Break(());
                }
                continue;
            }
        };
        let manifest = match ImageManifest::parse(&fetched.bytes) {
            Ok(m) => m,
            Err(e) => {
                gap(set, &where_, &e.into());
                continue;
            }
        };
        let location = EvidenceLocation::Tag {
            repository: repository.clone(),
            tag: tag.clone(),
            manifest: fetched.descriptor.digest.to_string(),
        };
        for layer in manifest
            .layers
            .iter()
            .filter(|l| l.media_type == layer_type)
            .take(MAX_LAYERS)
        {
            match store.fetch(layer, MAX_EVIDENCE_BYTES as u64) {
                Ok(bytes) => set.items.push(
                    Evidence::new(format, location.clone(), bytes)
                        .with_annotations(layer.annotations.clone()),
                ),
                Err(e) => gap(set, &format!("{where_} layer {}", layer.digest), &e),
            }
        }
    }
    let referrers = match store.referrers(digest, MAX_EVIDENCE_MANIFEST) {
        Ok(r) => r,
        Err(e) => {
            gap(set, &format!("{repository} referrers of {digest}"), &e);
            return if unreachable(&e) {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            };
        }
    };
    for entry in &referrers.manifests {
        if entry
            .artifact_type
            .as_deref()
            .is_some_and(|t| !is_bundle_media_type(t))
        {
            continue;
        }
        from_referrer(store, &repository, digest, entry, referrers.via, set);
    }
    ControlFlow::Continue(())
}

/// One referrer manifest: keep its bundle layer when it is a bundle about `digest`.
fn from_referrer(
    store: &dyn EvidenceStore,
    repository: &str,
    digest: &Digest,
    entry: &Descriptor,
    via: ReferrersVia,
    set: &mut EvidenceSet,
) {
    let where_ = format!("{repository}@{}", entry.digest);
    let manifest = match store
        .fetch(entry, MAX_EVIDENCE_MANIFEST)
        .and_then(|bytes| Ok(ImageManifest::parse(&bytes)?))
    {
        Ok(m) => m,
        Err(e) => return gap(set, &where_, &e),
    };
    // A fallback index may list referrers of other digests; the API should not, but a
    // stray one proves nothing either way.
    if manifest
        .subject
        .as_ref()
        .is_some_and(|s| s.digest != *digest)
    {
        return;
    }
    let declared = manifest
        .artifact_type
        .as_deref()
        .or(entry.artifact_type.as_deref());
    let location = EvidenceLocation::Referrer {
        repository: repository.to_owned(),
        manifest: entry.digest.to_string(),
        via: via.name().to_owned(),
    };
    for layer in manifest
        .layers
        .iter()
        .filter(|l| {
            is_bundle_media_type(&l.media_type) || declared.is_some_and(is_bundle_media_type)
        })
        .take(MAX_LAYERS)
    {
        match store.fetch(layer, MAX_EVIDENCE_BYTES as u64) {
            Ok(bytes) => set.items.push(
                Evidence::new(EvidenceFormat::SigstoreBundle, location.clone(), bytes)
                    .with_annotations(manifest.annotations.clone()),
            ),
            Err(e) => gap(set, &format!("{where_} layer {}", layer.digest), &e),
        }
    }
}

/// A `BuildKit` attestation manifest: its in-toto provenance layers, unsigned.
fn from_buildkit(
    source: &dyn ImageSource,
    entry: &Descriptor,
    budgets: &Budgets,
    set: &mut EvidenceSet,
) {
    let where_ = format!("attestation manifest {}", entry.digest);
    let manifest = match fetch_verified(source, entry, "attestation manifest", budgets)
        .and_then(|bytes| Ok(ImageManifest::parse(&bytes)?))
    {
        Ok(m) => m,
        Err(e) => return gap(set, &where_, &e),
    };
    let location = EvidenceLocation::IndexAttestation {
        manifest: entry.digest.to_string(),
        describes: entry
            .annotation(BUILDKIT_REFERENCE_DIGEST)
            .unwrap_or_default()
            .to_owned(),
    };
    for layer in manifest
        .layers
        .iter()
        .filter(|l| {
            l.media_type == IN_TOTO_PAYLOAD_TYPE
                && l.annotation(BUILDKIT_PREDICATE_ANNOTATION)
                    .is_none_or(|p| p.starts_with("https://slsa.dev/provenance/"))
        })
        .take(MAX_LAYERS)
    {
        let fetched = source
            .fetch_document(layer, MAX_EVIDENCE_BYTES as u64)
            .and_then(|bytes| {
                verify_bytes(layer, &bytes, "attestation layer")?;
                Ok(bytes)
            });
        match fetched {
            Ok(bytes) => set.items.push(Evidence::new(
                EvidenceFormat::UnsignedStatement,
                location.clone(),
                bytes,
            )),
            Err(e) => gap(set, &format!("{where_} layer {}", layer.digest), &e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_bundle_spellings_are_bundles() {
        assert!(is_bundle_media_type(BUNDLE_MEDIA_TYPE));
        assert!(is_bundle_media_type(BUNDLE_MEDIA_TYPE_ALT));
        assert!(is_bundle_media_type(
            "application/vnd.dev.sigstore.bundle+json; version=0.3"
        ));
        assert!(is_bundle_media_type(
            "application/vnd.dev.sigstore.bundle+json;version=0.2"
        ));
        assert!(!is_bundle_media_type(
            "application/vnd.dev.sigstore.bundle.v9+json"
        ));
        assert!(!is_bundle_media_type(DSSE_ENVELOPE_MEDIA_TYPE));
    }
}
