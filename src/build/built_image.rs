//! The image a build produced, as the later stages take it: a reference that needs
//! no tag lookup in anything shared (an OCI layout the builder wrote, or the daemon's
//! image id), the digests the builder recorded, and the check that the image read is
//! exactly the one recorded.

use crate::coverage::{CoverageGap, GapKind};
use crate::oci::{Digest, ImageReference};
use crate::source::ResolvedImage;

use super::BuildRecord;

/// What the build handed back.
#[derive(Debug)]
pub struct BuiltImage {
    /// The image to check.
    pub reference: ImageReference,
    /// The reference as text, for reports.
    pub reference_text: String,
    /// What the report records about the build.
    pub record: BuildRecord,
    /// Keeps a temporary output directory alive until the run ends.
    pub(super) _work: Option<tempfile::TempDir>,
}

impl BuiltImage {
    /// Whether `image` is exactly what the builder recorded: its digest equals the
    /// recorded digest, and the recorded image id names the image or its one
    /// platform's config. `None` when it is; otherwise the gap that makes the
    /// verdict incomplete (digest mismatches can never be accepted).
    pub fn confirm(&self, image: &ResolvedImage) -> Option<CoverageGap> {
        if let Some(expected) = &self.record.digest
            && image.digest != *expected
        {
            return Some(mismatch("digest", expected, &image.digest));
        }
        if let Some(id) = &self.record.image_id {
            let config_matches = self.record.digest.is_none() || image.platforms.len() == 1;
            let named = image.digest == *id
                || (config_matches
                    && !image.platforms.is_empty()
                    && image
                        .platforms
                        .iter()
                        .all(|p| p.manifest.config.digest == *id));
            if !named {
                let found = image.platforms.first().map_or_else(
                    || image.digest.clone(),
                    |p| p.manifest.config.digest.clone(),
                );
                return Some(mismatch("image id", id, &found));
            }
        }
        None
    }
}

fn mismatch(what: &str, expected: &Digest, found: &Digest) -> CoverageGap {
    CoverageGap::new(
        GapKind::DigestMismatch,
        format!(
            "the image read is not the one the builder recorded: {what}: expected {expected}, found {found}"
        ),
    )
}
