//! Finding imgguard VSAs for an image digest in a registry, for `imgguard gate`: the
//! cosign `.att` tag's DSSE layers, and Sigstore bundle referrers (Referrers API, else
//! the `sha256-<hex>` tag-schema index). Every fetched document is bounded and
//! digest-checked; what it holds is judged by [`check_vsa_envelope`](super::check_vsa_envelope).
//!
//! One odd or broken candidate never hides another: it is recorded as a note and the
//! search goes on. Only a registry that cannot be reached at all is an error.

use super::{
    att_tag, bundle_layer_in_referrer, dsse_envelope_from_bundle, referrers_fallback_tag,
    vsa_bundle_referrers, vsa_layers_in_att_manifest,
};
use crate::intoto::MAX_ENVELOPE_BYTES;
use crate::oci::Digest;
use crate::source::registry::RegistryError;
use crate::source::registry::client::RegistryClient;

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

/// A failure that means the registry itself is not usable (not one bad candidate).
fn is_fatal(error: &RegistryError) -> bool {
    matches!(
        error,
        RegistryError::Unreachable { .. }
            | RegistryError::Unauthorized { .. }
            | RegistryError::Token { .. }
            | RegistryError::Setup { .. }
            | RegistryError::CaFile { .. }
            | RegistryError::Credentials { .. }
    )
}

/// Searches both locations for VSAs about `image`.
pub fn find_vsas(client: &RegistryClient, image: &Digest) -> Result<VsaSearch, RegistryError> {
    let mut search = VsaSearch::default();
    let soft = |search: &mut VsaSearch, what: String, error: RegistryError| {
        if is_fatal(&error) {
            Err(error)
        } else {
            search.notes.push(format!("{what}: {error}"));
            Ok(())
        }
    };
    let tag = att_tag(image);
    match client.manifest(&tag) {
        Ok(Some(manifest)) => match vsa_layers_in_att_manifest(&manifest.bytes) {
            Ok(layers) => {
                for layer in layers {
                    match client.blob(&layer.digest, MAX_ENVELOPE_BYTES as u64) {
                        Ok(envelope) => search.candidates.push(VsaCandidate {
                            location: format!("tag {tag} layer {}", layer.digest),
                            envelope,
                        }),
                        Err(e) => {
                            soft(&mut search, format!("tag {tag} layer {}", layer.digest), e)?;
                        }
                    }
                }
            }
            Err(e) => search.notes.push(format!("tag {tag}: {e}")),
        },
        Ok(None) => {}
        Err(e) => soft(&mut search, format!("tag {tag}"), e)?,
    }
    let (index, via) = if let Some(index) = client.referrers(image)? {
        search.referrers_api = true;
        (Some(index), "referrers API".to_owned())
    } else {
        let fallback = referrers_fallback_tag(image);
        let via = format!("tag {fallback}");
        match client.manifest(&fallback) {
            Ok(found) => (found.map(|m| m.bytes), via),
            Err(e) => {
                soft(&mut search, via.clone(), e)?;
                (None, via)
            }
        }
    };
    let Some(index) = index else {
        return Ok(search);
    };
    let referrers = match vsa_bundle_referrers(&index) {
        Ok(referrers) => referrers,
        Err(e) => {
            search.notes.push(format!("{via}: {e}"));
            return Ok(search);
        }
    };
    for referrer in referrers {
        let location = format!("referrer {} ({via})", referrer.digest);
        let manifest = match client.manifest(&referrer.digest.to_string()) {
            Ok(Some(m)) => m,
            Ok(None) => {
                search.notes.push(format!("{location}: manifest not found"));
                continue;
            }
            Err(e) => {
                soft(&mut search, location, e)?;
                continue;
            }
        };
        let layer = match bundle_layer_in_referrer(&manifest.bytes) {
            Ok(layer) => layer,
            Err(e) => {
                search.notes.push(format!("{location}: {e}"));
                continue;
            }
        };
        let bundle = match client.blob(&layer.digest, MAX_ENVELOPE_BYTES as u64) {
            Ok(bundle) => bundle,
            Err(e) => {
                soft(&mut search, location, e)?;
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
