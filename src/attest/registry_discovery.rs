//! Finding imgguard VSAs for an image digest in a registry, for `imgguard gate`: the
//! cosign `.att` tag's DSSE layers, and Sigstore bundle referrers (Referrers API, else
//! the `sha256-<hex>` tag-schema index), read through
//! [`referrers`](crate::source::registry::referrers), so every fetched document is
//! bounded and digest-checked. What the envelopes say is judged by
//! [`check_vsa_envelope`](super::check_vsa_envelope).
//!
//! One odd or broken candidate never hides another: it is recorded as a note and the
//! search goes on. Only a registry that cannot be used at all is an error.

use super::{
    BUNDLE_V03_MEDIA_TYPE, att_tag, bundle_layer_in_referrer, dsse_envelope_from_bundle,
    may_be_vsa_bundle, vsa_layers_in_att_manifest,
};
use crate::intoto::MAX_ENVELOPE_BYTES;
use crate::oci::Digest;
use crate::source::SourceError;
use crate::source::registry::RegistryError;
use crate::source::registry::client::RegistryClient;
use crate::source::registry::push::MAX_MANIFEST_BYTES;
use crate::source::registry::referrers::{
    ReferrersVia, fetch_verified, manifest_by_tag, referrers,
};

/// The other spelling of the bundle media type, as an artifact type filter.
const BUNDLE_ALT_MEDIA_TYPE: &str = "application/vnd.dev.sigstore.bundle+json;version=0.3";

/// One envelope found, with where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VsaCandidate {
    /// `tag sha256-….att layer sha256:…` or `referrer sha256:… (referrers API | tag sha256-…)`.
    pub location: String,
    /// The DSSE envelope JSON.
    pub envelope: Vec<u8>,
}

/// Everything found for one image.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VsaSearch {
    /// Envelopes to check, `.att` layers first, in registry order.
    pub candidates: Vec<VsaCandidate>,
    /// Candidates skipped and why (malformed manifest, missing blob, …).
    pub notes: Vec<String>,
    /// Whether the registry answered the Referrers API.
    pub referrers_api: bool,
}

impl VsaSearch {
    /// Records `error` about `what` as a note, unless the registry itself is unusable.
    fn soft(&mut self, what: &str, error: SourceError) -> Result<(), SourceError> {
        if is_fatal(&error) {
            return Err(error);
        }
        self.notes.push(format!("{what}: {error}"));
        Ok(())
    }
}

/// A failure that means the registry is not usable (not one bad candidate).
fn is_fatal(error: &SourceError) -> bool {
    matches!(
        error,
        SourceError::Registry(
            RegistryError::Unreachable { .. }
                | RegistryError::Unauthorized { .. }
                | RegistryError::Token { .. }
                | RegistryError::Setup { .. }
                | RegistryError::CaFile { .. }
                | RegistryError::Credentials { .. }
        )
    )
}

/// Searches both locations for VSAs about `image`.
pub fn find_vsas(client: &RegistryClient, image: &Digest) -> Result<VsaSearch, SourceError> {
    let mut search = VsaSearch::default();
    let envelope_limit = MAX_ENVELOPE_BYTES as u64;
    let tag = att_tag(image);
    match manifest_by_tag(client, &tag, MAX_MANIFEST_BYTES) {
        Ok(Some(manifest)) => match vsa_layers_in_att_manifest(&manifest.bytes) {
            Ok(layers) => {
                for layer in layers {
                    let location = format!("tag {tag} layer {}", layer.digest);
                    match fetch_verified(client, &layer, envelope_limit) {
                        Ok(envelope) => search.candidates.push(VsaCandidate { location, envelope }),
                        Err(e) => search.soft(&location, e)?,
                    }
                }
            }
            Err(e) => search.notes.push(format!("tag {tag}: {e}")),
        },
        Ok(None) => {}
        Err(e) => search.soft(&format!("tag {tag}"), e)?,
    }
    let found = match referrers(
        client,
        image,
        &[BUNDLE_V03_MEDIA_TYPE, BUNDLE_ALT_MEDIA_TYPE],
        MAX_MANIFEST_BYTES,
    ) {
        Ok(found) => found,
        Err(e) => {
            search.soft("referrers", e)?;
            return Ok(search);
        }
    };
    let via = match found.via {
        ReferrersVia::Api => "referrers API".to_owned(),
        ReferrersVia::TagFallback => format!("tag {}", image.tag_form()),
        // A registry never answers with a layout's index; nothing to read otherwise.
        ReferrersVia::LayoutIndex | ReferrersVia::None => return Ok(search),
    };
    search.referrers_api = found.via == ReferrersVia::Api;
    for referrer in found.manifests.iter().filter(|r| may_be_vsa_bundle(r)) {
        let location = format!("referrer {} ({via})", referrer.digest);
        let manifest = match fetch_verified(client, referrer, MAX_MANIFEST_BYTES) {
            Ok(m) => m,
            Err(e) => {
                search.soft(&location, e)?;
                continue;
            }
        };
        let layer = match bundle_layer_in_referrer(&manifest) {
            Ok(layer) => layer,
            Err(e) => {
                search.notes.push(format!("{location}: {e}"));
                continue;
            }
        };
        let bundle = match fetch_verified(client, &layer, envelope_limit) {
            Ok(bundle) => bundle,
            Err(e) => {
                search.soft(&location, e)?;
                continue;
            }
        };
        match dsse_envelope_from_bundle(&bundle) {
            Ok(envelope) => search.candidates.push(VsaCandidate { location, envelope }),
            Err(e) => search.notes.push(format!("{location}: {e}")),
        }
    }
    Ok(search)
}
