//! Resolution: a reference's root descriptor → one digest → the platform images to
//! check. Every document is verified against its descriptor's digest here, so no
//! source can hand the engine unverified metadata. BuildKit attestation manifests are
//! recognised and kept aside, never scanned as a platform.

use schemars::JsonSchema;
use serde::Serialize;

use super::{ImageSource, SourceError, SourceInfo};
use crate::layer::Budgets;
use crate::oci::index::IndexEntryRole;
use crate::oci::{Descriptor, Digest, ImageConfig, ImageIndex, ImageManifest, MediaKind, Platform};

const MAX_INDEX_DEPTH: usize = 4;

/// What the image's one digest is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DigestKind {
    /// An image index (multi-platform).
    Index,
    /// A single-platform manifest.
    Manifest,
    /// An image ID (config digest) for sources without registry manifests.
    ImageId,
}

/// One platform's image.
#[derive(Debug, Clone)]
pub struct PlatformImage {
    /// Its platform.
    pub platform: Platform,
    /// The manifest's digest.
    pub manifest_digest: Digest,
    /// The manifest.
    pub manifest: ImageManifest,
    /// The config.
    pub config: ImageConfig,
}

/// An image resolved to one digest.
#[derive(Debug, Clone)]
pub struct ResolvedImage {
    /// The source used.
    pub source: SourceInfo,
    /// The one digest.
    pub digest: Digest,
    /// What it is.
    pub digest_kind: DigestKind,
    /// The platforms selected for checking.
    pub platforms: Vec<PlatformImage>,
    /// Every platform the image has (before selection).
    pub available_platforms: Vec<Platform>,
    /// BuildKit attestation manifests found in the index (evidence, not platforms).
    pub attestation_manifests: Vec<Descriptor>,
}

/// Fetch a document and verify it against its descriptor.
pub fn fetch_verified(
    source: &dyn ImageSource,
    descriptor: &Descriptor,
    what: &str,
    budgets: &Budgets,
) -> Result<Vec<u8>, SourceError> {
    let bytes = source.fetch_document(descriptor, budgets.max_document.0)?;
    verify_bytes(descriptor, &bytes, what)?;
    Ok(bytes)
}

/// Check `bytes` against `descriptor`'s digest and size; `what` names them in errors.
pub fn verify_bytes(descriptor: &Descriptor, bytes: &[u8], what: &str) -> Result<(), SourceError> {
    let found = descriptor.digest.same_algorithm_of(bytes);
    if found != descriptor.digest {
        return Err(SourceError::DigestMismatch {
            what: what.to_owned(),
            expected: descriptor.digest.clone(),
            found,
        });
    }
    if bytes.len() as u64 != descriptor.size {
        return Err(SourceError::Layout {
            what: format!("{what} {}", descriptor.digest),
            expected: format!("{} bytes as its descriptor says", descriptor.size),
            found: format!("{} bytes", bytes.len()),
        });
    }
    Ok(())
}

/// Resolve `source` to one digest and the platform images to check (`requested`
/// empty = all platforms).
pub fn resolve(
    source: &dyn ImageSource,
    requested: &[Platform],
    budgets: &Budgets,
) -> Result<ResolvedImage, SourceError> {
    let root = source.root(budgets.max_document.0)?;
    let mut platforms = Vec::new();
    let mut attestation_manifests = Vec::new();
    collect(
        source,
        &root,
        None,
        budgets,
        0,
        &mut platforms,
        &mut attestation_manifests,
    )?;
    let (digest, digest_kind) = source.identity(&root);
    let available_platforms: Vec<Platform> = platforms
        .iter()
        .map(|p: &PlatformImage| p.platform.clone())
        .collect();
    let selected = if requested.is_empty() {
        platforms
    } else {
        for r in requested {
            if !available_platforms.iter().any(|p| r.selects(p)) {
                return Err(SourceError::PlatformMissing {
                    requested: r.to_string(),
                    present: available_platforms
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
        }
        platforms
            .into_iter()
            .filter(|p| requested.iter().any(|r| r.selects(&p.platform)))
            .collect()
    };
    Ok(ResolvedImage {
        source: source.info(),
        digest,
        digest_kind,
        platforms: selected,
        available_platforms,
        attestation_manifests,
    })
}

fn collect(
    source: &dyn ImageSource,
    descriptor: &Descriptor,
    platform_hint: Option<&Platform>,
    budgets: &Budgets,
    depth: usize,
    out: &mut Vec<PlatformImage>,
    attestations: &mut Vec<Descriptor>,
) -> Result<(), SourceError> {
    if depth > MAX_INDEX_DEPTH {
        return Err(SourceError::Layout {
            what: format!("image index {}", descriptor.digest),
            expected: format!("at most {MAX_INDEX_DEPTH} levels of nested indexes"),
            found: "more".into(),
        });
    }
    let bytes = fetch_verified(source, descriptor, "manifest", budgets)?;
    let is_index = match MediaKind::of(&descriptor.media_type) {
        MediaKind::Index => true,
        MediaKind::Manifest => false,
        // Some layouts omit or misstate the media type: decide by the document's shape.
        _ => serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .is_some_and(|v| v.get("manifests").is_some()),
    };
    if is_index {
        let index = ImageIndex::parse(&bytes)?;
        for entry in &index.manifests {
            match ImageIndex::role(entry) {
                IndexEntryRole::Platform => collect(
                    source,
                    entry,
                    entry.platform.as_ref(),
                    budgets,
                    depth + 1,
                    out,
                    attestations,
                )?,
                IndexEntryRole::NestedIndex => {
                    collect(source, entry, None, budgets, depth + 1, out, attestations)?;
                }
                IndexEntryRole::Attestation => attestations.push(entry.clone()),
                IndexEntryRole::Other => {}
            }
        }
        return Ok(());
    }
    let manifest = ImageManifest::parse(&bytes)?;
    let config_bytes = fetch_verified(source, &manifest.config, "config", budgets)?;
    let config = ImageConfig::parse(&config_bytes)?;
    if manifest.layers.len() > budgets.max_layers {
        return Err(SourceError::Layout {
            what: format!("manifest {}", descriptor.digest),
            expected: format!("at most {} layers", budgets.max_layers),
            found: manifest.layers.len().to_string(),
        });
    }
    let platform = platform_hint.cloned().unwrap_or_else(|| Platform {
        os: config.os.clone(),
        architecture: config.architecture.clone(),
        variant: config.variant.clone(),
        os_version: None,
    });
    out.push(PlatformImage {
        platform,
        manifest_digest: descriptor.digest.clone(),
        manifest,
        config,
    });
    Ok(())
}
