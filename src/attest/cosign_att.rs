//! cosign's legacy attestation: the manifest at tag `sha256-<hex>.att`.
//!
//! Exactly what `cosign attest` (v2, `--new-bundle-format=false`) writes and what
//! Kyverno `type: Cosign`, policy-controller key authorities and
//! `cosign verify-attestation` read: an OCI image manifest whose config is a stub
//! listing the layer digests as `diff_ids`, and one layer per attestation with media
//! type `application/vnd.dsse.envelope.v1+json` and annotations
//! `dev.cosignproject.cosign/signature: ""` and `predicateType: <uri>`. A new
//! attestation is appended to the layers already there (cosign semantics).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{AttestError, OciBlob, referrers_fallback_tag};
use crate::intoto::DSSE_ENVELOPE_MEDIA_TYPE;
use crate::oci::Digest;

/// The annotation cosign puts on every signature/attestation layer (empty for `.att`).
pub const COSIGN_SIGNATURE_ANNOTATION: &str = "dev.cosignproject.cosign/signature";
/// The annotation naming an attestation layer's predicate type.
pub const PREDICATE_TYPE_ANNOTATION: &str = "predicateType";
const OCI_MANIFEST_MEDIA_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_CONFIG_MEDIA_TYPE: &str = "application/vnd.oci.image.config.v1+json";
/// Older cosign (and `COSIGN_DOCKER_MEDIA_TYPES=1`) writes Docker schema 2 types;
/// appending keeps whatever the existing manifest uses.
const DOCKER_MANIFEST_MEDIA_TYPE: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// More layers than this in an existing `.att` manifest is refused as hostile.
const MAX_LAYERS: usize = 1000;

/// A descriptor as go-containerregistry writes it (field order: mediaType, size, digest).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    media_type: String,
    size: u64,
    digest: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    annotations: BTreeMap<String, String>,
    // Fields imgguard does not interpret are carried over unchanged.
    #[serde(flatten)]
    other: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Manifest {
    schema_version: u32,
    #[serde(default)]
    media_type: String,
    config: Descriptor,
    layers: Vec<Descriptor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    annotations: Option<BTreeMap<String, String>>,
}

/// The config stub, in go-containerregistry's field order.
#[derive(Serialize)]
struct ConfigStub<'a> {
    architecture: &'static str,
    created: &'static str,
    history: [History; 1],
    os: &'static str,
    rootfs: RootFs<'a>,
    config: BTreeMap<String, String>,
}

#[derive(Serialize)]
struct History {
    created: &'static str,
}

#[derive(Serialize)]
struct RootFs<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    diff_ids: Vec<&'a str>,
}

/// What to push for the `.att` copy, in order: `layer`, `config`, then `manifest` at
/// `tag` with media type `manifest.media_type`. When `already_present` is true nothing
/// needs pushing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CosignAttPlan {
    /// `sha256-<hex>.att`.
    pub tag: String,
    /// The DSSE envelope blob.
    pub layer: OciBlob,
    /// The config stub blob.
    pub config: OciBlob,
    /// The manifest bytes to PUT at `tag` (media type OCI image manifest).
    pub manifest: OciBlob,
    /// Layers in the manifest, the new one included.
    pub layer_count: usize,
    /// The same envelope is already attached: skip the push.
    pub already_present: bool,
}

/// `sha256-<hex>.att` for an image digest `sha256:<hex>`.
pub fn att_tag(image_digest: &Digest) -> String {
    // cosign's attachment tags extend the referrers tag-schema tag with a suffix.
    format!("{}.att", referrers_fallback_tag(image_digest))
}

/// Plans the `.att` manifest: the existing one (if the tag exists) with the envelope
/// appended as a new layer, deduplicated by digest.
pub fn plan_cosign_att(
    image_digest: &Digest,
    envelope_json: Vec<u8>,
    predicate_type: &str,
    existing_manifest: Option<&[u8]>,
) -> Result<CosignAttPlan, AttestError> {
    let tag = att_tag(image_digest);
    let malformed = |reason: String| AttestError::MalformedExisting {
        what: ".att manifest",
        reference: tag.clone(),
        reason,
    };
    let (mut layers, manifest_media_type, config_media_type, annotations) = match existing_manifest
    {
        Some(bytes) => {
            let manifest: Manifest =
                serde_json::from_slice(bytes).map_err(|e| malformed(e.to_string()))?;
            if manifest.layers.len() >= MAX_LAYERS {
                return Err(malformed(format!(
                    "{} layers, over the limit of {MAX_LAYERS}",
                    manifest.layers.len()
                )));
            }
            let media_type = match manifest.media_type.as_str() {
                "" | OCI_MANIFEST_MEDIA_TYPE => OCI_MANIFEST_MEDIA_TYPE,
                DOCKER_MANIFEST_MEDIA_TYPE => DOCKER_MANIFEST_MEDIA_TYPE,
                other => {
                    return Err(malformed(format!(
                        "expected an image manifest, found media type {other}"
                    )));
                }
            };
            (
                manifest.layers,
                media_type,
                manifest.config.media_type,
                manifest.annotations,
            )
        }
        None => (
            Vec::new(),
            OCI_MANIFEST_MEDIA_TYPE,
            OCI_CONFIG_MEDIA_TYPE.to_owned(),
            None,
        ),
    };
    let layer = OciBlob::new(DSSE_ENVELOPE_MEDIA_TYPE, envelope_json);
    let layer_digest = layer.digest.to_string();
    let already_present = layers.iter().any(|l| l.digest == layer_digest);
    if !already_present {
        layers.push(Descriptor {
            media_type: layer.media_type.clone(),
            size: layer.size(),
            digest: layer_digest,
            annotations: BTreeMap::from([
                (COSIGN_SIGNATURE_ANNOTATION.to_owned(), String::new()),
                (
                    PREDICATE_TYPE_ANNOTATION.to_owned(),
                    predicate_type.to_owned(),
                ),
            ]),
            other: BTreeMap::new(),
        });
    }
    let config_stub = ConfigStub {
        architecture: "",
        created: "0001-01-01T00:00:00Z",
        history: [History {
            created: "0001-01-01T00:00:00Z",
        }],
        os: "",
        rootfs: RootFs {
            kind: "layers",
            diff_ids: layers.iter().map(|l| l.digest.as_str()).collect(),
        },
        config: BTreeMap::new(),
    };
    let config_bytes = serde_json::to_vec(&config_stub).map_err(|e| malformed(e.to_string()))?;
    let config = OciBlob::new(&config_media_type, config_bytes);
    let manifest = Manifest {
        schema_version: 2,
        media_type: manifest_media_type.to_owned(),
        config: Descriptor {
            media_type: config.media_type.clone(),
            size: config.size(),
            digest: config.digest.to_string(),
            annotations: BTreeMap::new(),
            other: BTreeMap::new(),
        },
        layers,
        annotations,
    };
    let layer_count = manifest.layers.len();
    let manifest_bytes = serde_json::to_vec(&manifest).map_err(|e| malformed(e.to_string()))?;
    Ok(CosignAttPlan {
        tag,
        layer,
        config,
        manifest: OciBlob::new(manifest_media_type, manifest_bytes),
        layer_count,
        already_present,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

    use super::plan_cosign_att;
    use crate::crypto::fixtures;
    use crate::intoto::VSA_PREDICATE_TYPE;
    use crate::oci::Digest;

    const IMAGE_TEXT: &str =
        "sha256:4569ff20aee6683b2ec344d28ffdcaf4b761969bc0642276776deedd4bb5e94f";

    fn image() -> Digest {
        IMAGE_TEXT.parse().unwrap()
    }

    #[test]
    fn matches_the_cosign_att_fixture_byte_for_byte() {
        let dump = fixtures::local_keyed().join("registry-dump");
        let envelope = fs_err::read(dump.join("att.dsse-envelope.json")).unwrap();
        let plan = plan_cosign_att(&image(), envelope.clone(), VSA_PREDICATE_TYPE, None).unwrap();
        assert_eq!(plan.tag, format!("sha256-{}.att", &IMAGE_TEXT[7..]));
        assert_eq!(plan.layer.bytes, envelope);
        assert_eq!(
            plan.config.bytes,
            fs_err::read(dump.join("att.config.json")).unwrap()
        );
        assert_eq!(
            plan.manifest.bytes,
            fs_err::read(dump.join("att.manifest.json")).unwrap()
        );
        assert!(!plan.already_present);
        assert_eq!(plan.layer_count, 1);
    }

    #[test]
    fn appends_to_an_existing_att_and_dedupes() {
        let dump = fixtures::local_keyed().join("registry-dump");
        let existing = fs_err::read(dump.join("att.manifest.json")).unwrap();
        let envelope = fs_err::read(dump.join("att.dsse-envelope.json")).unwrap();
        let same =
            plan_cosign_att(&image(), envelope, VSA_PREDICATE_TYPE, Some(&existing)).unwrap();
        assert!(same.already_present);
        assert_eq!(same.layer_count, 1);
        assert_eq!(same.manifest.bytes, existing);

        let other =
            br#"{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[]}"#;
        let plan = plan_cosign_att(
            &image(),
            other.to_vec(),
            VSA_PREDICATE_TYPE,
            Some(&existing),
        )
        .unwrap();
        assert!(!plan.already_present);
        assert_eq!(plan.layer_count, 2);
        let manifest: serde_json::Value = serde_json::from_slice(&plan.manifest.bytes).unwrap();
        let layers = manifest["layers"].as_array().unwrap();
        let old: serde_json::Value = serde_json::from_slice(&existing).unwrap();
        assert_eq!(
            layers[0], old["layers"][0],
            "the old layer is kept verbatim"
        );
        assert_eq!(layers[1]["digest"], plan.layer.digest.to_string());
        assert_eq!(
            layers[1]["annotations"]["predicateType"],
            VSA_PREDICATE_TYPE
        );
        assert_eq!(
            layers[1]["annotations"]["dev.cosignproject.cosign/signature"],
            ""
        );
        let config: serde_json::Value = serde_json::from_slice(&plan.config.bytes).unwrap();
        assert_eq!(config["rootfs"]["diff_ids"].as_array().unwrap().len(), 2);
        assert_eq!(manifest["config"]["digest"], plan.config.digest.to_string());
    }

    #[test]
    fn appending_keeps_docker_media_types_of_older_cosign() {
        let existing = br#"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":1,"digest":"sha256:aa"},"layers":[{"mediaType":"application/vnd.dsse.envelope.v1+json","size":1,"digest":"sha256:bb","annotations":{"predicateType":"x"}}]}"#;
        let plan = plan_cosign_att(&image(), b"{}".to_vec(), "p", Some(existing)).unwrap();
        assert_eq!(
            plan.manifest.media_type,
            "application/vnd.docker.distribution.manifest.v2+json"
        );
        assert_eq!(
            plan.config.media_type,
            "application/vnd.docker.container.image.v1+json"
        );
        let manifest: serde_json::Value = serde_json::from_slice(&plan.manifest.bytes).unwrap();
        assert_eq!(manifest["layers"][0]["digest"], "sha256:bb");
        assert_eq!(manifest["config"]["mediaType"], plan.config.media_type);
        let index = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","config":{"mediaType":"x","size":1,"digest":"sha256:aa"},"layers":[]}"#;
        assert!(plan_cosign_att(&image(), b"{}".to_vec(), "p", Some(index)).is_err());
    }

    #[test]
    fn a_malformed_existing_manifest_is_an_error() {
        assert!(plan_cosign_att(&image(), b"{}".to_vec(), "p", Some(b"not json")).is_err());
    }
}
