//! Which blobs the gate should fetch: VSA layers in a cosign `.att` manifest, and VSA
//! bundles among an image's referrers (Referrers API answer or tag-schema index).
//!
//! Pure parsing of registry answers; the registry client fetches what these name and
//! hands the bytes to [`check_vsa_candidates`](super::check_vsa_candidates) (bundles
//! through [`dsse_envelope_from_bundle`](super::dsse_envelope_from_bundle)).

use serde::Deserialize;

use super::{AttestError, BUNDLE_V03_MEDIA_TYPE, PREDICATE_TYPE_ANNOTATION};
use crate::intoto::{DSSE_ENVELOPE_MEDIA_TYPE, MAX_ENVELOPE_BYTES, VSA_PREDICATE_TYPE};
use crate::oci::Descriptor as OciDescriptor;

/// The other spelling of the bundle v0.3 media type (seen in conformance fixtures).
const BUNDLE_V03_ALT_MEDIA_TYPE: &str = "application/vnd.dev.sigstore.bundle+json;version=0.3";
const BUNDLE_PREDICATE_ANNOTATION: &str = "dev.sigstore.bundle.predicateType";
const MAX_CANDIDATES: usize = 64;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    #[serde(default)]
    media_type: String,
    digest: String,
    size: u64,
    #[serde(default)]
    artifact_type: Option<String>,
    #[serde(default)]
    annotations: std::collections::BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct Layers {
    #[serde(default)]
    layers: Vec<Descriptor>,
}

#[derive(Deserialize)]
struct Manifests {
    #[serde(default)]
    manifests: Vec<Descriptor>,
}

fn malformed(what: &'static str, reason: String) -> AttestError {
    AttestError::MalformedExisting {
        what,
        reference: "registry answer".to_owned(),
        reason,
    }
}

fn is_bundle_type(media_type: &str) -> bool {
    media_type == BUNDLE_V03_MEDIA_TYPE || media_type == BUNDLE_V03_ALT_MEDIA_TYPE
}

fn predicate_may_be_vsa(
    annotations: &std::collections::BTreeMap<String, String>,
    key: &str,
) -> bool {
    // No annotation: cannot tell, so fetch and let the gate check the signed content.
    annotations.get(key).is_none_or(|p| p == VSA_PREDICATE_TYPE)
}

/// A descriptor worth fetching: a valid digest and a size within the envelope limit.
/// Entries that fail are skipped, not fatal: another tool's odd referrer must not hide
/// imgguard's VSA.
fn to_ref(d: Descriptor) -> Option<OciDescriptor> {
    let digest = d.digest.parse().ok()?;
    usize::try_from(d.size)
        .is_ok_and(|s| s <= MAX_ENVELOPE_BYTES)
        .then_some(OciDescriptor {
            media_type: d.media_type,
            digest,
            size: d.size,
            platform: None,
            annotations: d.annotations,
            artifact_type: d.artifact_type,
            urls: Vec::new(),
        })
}

/// The DSSE layers of a cosign `.att` manifest that may hold a VSA (at most 64, each
/// no larger than the envelope limit).
pub fn vsa_layers_in_att_manifest(manifest: &[u8]) -> Result<Vec<OciDescriptor>, AttestError> {
    let parsed: Layers =
        serde_json::from_slice(manifest).map_err(|e| malformed(".att manifest", e.to_string()))?;
    Ok(parsed
        .layers
        .into_iter()
        .filter(|l| l.media_type == DSSE_ENVELOPE_MEDIA_TYPE)
        .filter(|l| predicate_may_be_vsa(&l.annotations, PREDICATE_TYPE_ANNOTATION))
        .filter_map(to_ref)
        .take(MAX_CANDIDATES)
        .collect())
}

/// The referrer manifests (from a Referrers API answer or the tag-schema index) that
/// may be VSA bundles.
pub fn vsa_bundle_referrers(index: &[u8]) -> Result<Vec<OciDescriptor>, AttestError> {
    let parsed: Manifests =
        serde_json::from_slice(index).map_err(|e| malformed("referrers index", e.to_string()))?;
    Ok(parsed
        .manifests
        .into_iter()
        .filter(|m| m.artifact_type.as_deref().is_some_and(is_bundle_type))
        .filter(|m| predicate_may_be_vsa(&m.annotations, BUNDLE_PREDICATE_ANNOTATION))
        .filter_map(to_ref)
        .take(MAX_CANDIDATES)
        .collect())
}

/// Whether a referrer (from [`referrers`](crate::source::registry::referrers)) may be
/// a VSA bundle: a bundle artifact type, or none at all (a "downgraded" referrer whose
/// manifest decides), and no predicate annotation naming another predicate.
pub fn may_be_vsa_bundle(referrer: &OciDescriptor) -> bool {
    referrer.artifact_type.as_deref().is_none_or(is_bundle_type)
        && predicate_may_be_vsa(&referrer.annotations, BUNDLE_PREDICATE_ANNOTATION)
}

/// The bundle layer of a referrer manifest.
pub fn bundle_layer_in_referrer(manifest: &[u8]) -> Result<OciDescriptor, AttestError> {
    let parsed: Layers = serde_json::from_slice(manifest)
        .map_err(|e| malformed("referrer manifest", e.to_string()))?;
    parsed
        .layers
        .into_iter()
        .find(|l| is_bundle_type(&l.media_type))
        .and_then(to_ref)
        .ok_or_else(|| {
            malformed(
                "referrer manifest",
                "no Sigstore bundle layer within the size limit".to_owned(),
            )
        })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

    use super::{bundle_layer_in_referrer, vsa_bundle_referrers, vsa_layers_in_att_manifest};
    use crate::attest::plan_cosign_att;
    use crate::crypto::fixtures;
    use crate::oci::Digest;

    fn sha256_digest(bytes: &[u8]) -> Digest {
        Digest::sha256_of(bytes)
    }

    #[test]
    fn finds_the_vsa_layer_and_bundle_in_the_fixture_dump() {
        let dump = fixtures::local_keyed().join("registry-dump");
        let att = fs_err::read(dump.join("att.manifest.json")).unwrap();
        let envelope = fs_err::read(dump.join("att.dsse-envelope.json")).unwrap();
        let layers = vsa_layers_in_att_manifest(&att).unwrap();
        assert_eq!(layers.len(), 1);
        assert_eq!(layers[0].digest, sha256_digest(&envelope));

        let index = fs_err::read(dump.join("referrers-tag-index.json")).unwrap();
        let referrer = fs_err::read(dump.join("referrer.bundle-manifest.json")).unwrap();
        let refs = vsa_bundle_referrers(&index).unwrap();
        assert_eq!(refs.len(), 1);
        assert_eq!(refs[0].digest, sha256_digest(&referrer));
        let bundle = fs_err::read(dump.join("referrer.sigstore-bundle.json")).unwrap();
        assert_eq!(
            bundle_layer_in_referrer(&referrer).unwrap().digest,
            sha256_digest(&bundle)
        );
        // The .sig manifest holds no attestation.
        let sig = fs_err::read(dump.join("sig.manifest.json")).unwrap();
        assert!(vsa_layers_in_att_manifest(&sig).unwrap().is_empty());
        assert!(bundle_layer_in_referrer(&sig).is_err());
    }

    #[test]
    fn other_predicates_and_oversized_layers_are_skipped() {
        let image: Digest = format!("sha256:{}", "1".repeat(64)).parse().unwrap();
        let provenance = plan_cosign_att(
            &image,
            b"{}".to_vec(),
            "https://slsa.dev/provenance/v1",
            None,
        )
        .unwrap();
        assert!(
            vsa_layers_in_att_manifest(&provenance.manifest.bytes)
                .unwrap()
                .is_empty()
        );
        let huge = format!(
            r#"{{"layers":[{{"mediaType":"application/vnd.dsse.envelope.v1+json","size":99999999999,"digest":"sha256:{}"}}]}}"#,
            "2".repeat(64)
        );
        assert!(
            vsa_layers_in_att_manifest(huge.as_bytes())
                .unwrap()
                .is_empty()
        );
        let other = r#"{"manifests":[{"mediaType":"m","size":1,"digest":"sha256:00","artifactType":"application/vnd.cncf.notary.signature"}]}"#;
        assert!(vsa_bundle_referrers(other.as_bytes()).unwrap().is_empty());
        assert!(vsa_bundle_referrers(b"<html>").is_err());
    }
}
