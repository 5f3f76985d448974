//! The Sigstore bundle v0.3 copy of the VSA, as an OCI 1.1 referrer of the image.
//!
//! cosign v3, sigstore-go and GitHub tooling read this form: a manifest with
//! `artifactType application/vnd.dev.sigstore.bundle.v0.3+json`, the empty config,
//! one layer holding the bundle JSON, and `subject` = the image. A registry without the
//! Referrers API needs the client to keep the tag-schema index at `sha256-<hex>`
//! ([`update_referrers_index`]).

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

use super::{AttestError, OciBlob};
use crate::crypto::PublicKey;
use crate::intoto::Envelope;
use crate::oci::{Descriptor as OciDescriptor, Digest};

/// Media type (and artifact type) of a Sigstore bundle v0.3.
pub const BUNDLE_V03_MEDIA_TYPE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";
const OCI_MANIFEST_MEDIA_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX_MEDIA_TYPE: &str = "application/vnd.oci.image.index.v1+json";
const OCI_EMPTY_MEDIA_TYPE: &str = "application/vnd.oci.empty.v1+json";
const MAX_INDEX_ENTRIES: usize = 10_000;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Bundle<'a> {
    media_type: &'static str,
    verification_material: VerificationMaterial,
    dsse_envelope: BundleEnvelope<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VerificationMaterial {
    public_key: PublicKeyHint,
    tlog_entries: [(); 0],
    timestamp_verification_data: TimestampData,
}

#[derive(Serialize)]
struct PublicKeyHint {
    hint: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TimestampData {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    rfc3161_timestamps: Vec<SignedTimestamp>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SignedTimestamp {
    signed_timestamp: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BundleEnvelope<'a> {
    payload: String,
    payload_type: &'a str,
    signatures: Vec<BundleSignature>,
}

#[derive(Serialize)]
struct BundleSignature {
    sig: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    keyid: String,
}

/// Builds a keyed Sigstore bundle v0.3 around `envelope`.
///
/// `publicKey.hint` = base64(SHA-256(SPKI DER)). `rfc3161_timestamps` are DER
/// `TimeStampResp` tokens over the signature: sigstore-verify rejects a keyed bundle
/// with neither a timestamp nor a tlog entry, so pass one when a TSA is configured.
pub fn build_bundle_v03(
    envelope: &Envelope,
    key: &PublicKey,
    rfc3161_timestamps: &[Vec<u8>],
) -> Vec<u8> {
    let bundle = Bundle {
        media_type: BUNDLE_V03_MEDIA_TYPE,
        verification_material: VerificationMaterial {
            public_key: PublicKeyHint {
                hint: key.key_hint(),
            },
            tlog_entries: [],
            timestamp_verification_data: TimestampData {
                rfc3161_timestamps: rfc3161_timestamps
                    .iter()
                    .map(|t| SignedTimestamp {
                        signed_timestamp: STANDARD.encode(t),
                    })
                    .collect(),
            },
        },
        dsse_envelope: BundleEnvelope {
            payload: STANDARD.encode(&envelope.payload),
            payload_type: &envelope.payload_type,
            signatures: envelope
                .signatures
                .iter()
                .map(|s| BundleSignature {
                    sig: STANDARD.encode(&s.sig),
                    keyid: s.keyid.clone(),
                })
                .collect(),
        },
    };
    serde_json::to_vec(&bundle).unwrap_or_default()
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor<'a> {
    media_type: &'a str,
    size: u64,
    digest: &'a str,
}

/// The subject as `@sigstore/oci` writes it (mediaType, digest, size).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SubjectRef<'a> {
    media_type: &'a str,
    digest: &'a str,
    size: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReferrerManifest<'a> {
    schema_version: u32,
    media_type: &'static str,
    artifact_type: &'static str,
    config: Descriptor<'a>,
    layers: [Descriptor<'a>; 1],
    subject: SubjectRef<'a>,
    annotations: &'a BTreeMap<String, String>,
}

/// One entry of the referrers index (field order as the OCI image-spec examples).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct IndexEntry {
    media_type: String,
    digest: String,
    size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    artifact_type: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    annotations: BTreeMap<String, String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Index {
    schema_version: u32,
    #[serde(default)]
    media_type: String,
    manifests: Vec<serde_json::Value>,
}

/// What to push for the referrer copy: `config` and `bundle` blobs, then `manifest` by
/// digest; then, if the registry answered without `OCI-Subject`, the fallback index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferrerPlan {
    /// The empty config `{}`.
    pub config: OciBlob,
    /// The bundle JSON.
    pub bundle: OciBlob,
    /// The referrer manifest (PUT by its digest).
    pub manifest: OciBlob,
    /// `sha256-<hex>` of the subject: the tag-schema fallback index's tag.
    pub fallback_tag: String,
    annotations: BTreeMap<String, String>,
}

/// `sha256-<hex>`: the referrers tag-schema tag for a subject digest.
pub fn referrers_fallback_tag(subject_digest: &Digest) -> String {
    subject_digest.tag_form()
}

/// Plans the referrer manifest for `bundle_json` about `subject` (the image's index or
/// manifest descriptor as the registry serves it).
pub fn plan_referrer(
    bundle_json: Vec<u8>,
    subject: &OciDescriptor,
    predicate_type: &str,
    created: jiff::Timestamp,
) -> ReferrerPlan {
    let fallback_tag = referrers_fallback_tag(&subject.digest);
    let config = OciBlob::new(OCI_EMPTY_MEDIA_TYPE, b"{}".to_vec());
    let bundle = OciBlob::new(BUNDLE_V03_MEDIA_TYPE, bundle_json);
    let created = created.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    let annotations = BTreeMap::from([
        (
            "dev.sigstore.bundle.content".to_owned(),
            "dsse-envelope".to_owned(),
        ),
        (
            "dev.sigstore.bundle.predicateType".to_owned(),
            predicate_type.to_owned(),
        ),
        ("org.opencontainers.image.created".to_owned(), created),
    ]);
    let config_digest = config.digest.to_string();
    let bundle_digest = bundle.digest.to_string();
    let subject_digest = subject.digest.to_string();
    let manifest = ReferrerManifest {
        schema_version: 2,
        media_type: OCI_MANIFEST_MEDIA_TYPE,
        artifact_type: BUNDLE_V03_MEDIA_TYPE,
        config: Descriptor {
            media_type: &config.media_type,
            size: config.size(),
            digest: &config_digest,
        },
        layers: [Descriptor {
            media_type: &bundle.media_type,
            size: bundle.size(),
            digest: &bundle_digest,
        }],
        subject: SubjectRef {
            media_type: &subject.media_type,
            digest: &subject_digest,
            size: subject.size,
        },
        annotations: &annotations,
    };
    let manifest_bytes = serde_json::to_vec(&manifest).unwrap_or_default();
    ReferrerPlan {
        config,
        bundle,
        manifest: OciBlob::new(OCI_MANIFEST_MEDIA_TYPE, manifest_bytes),
        fallback_tag,
        annotations,
    }
}

/// The referrers tag-schema index with the plan's manifest added: `existing` is the
/// index now at [`ReferrerPlan::fallback_tag`] (`None` when the tag does not exist).
/// Returns `None` when the manifest is already listed (nothing to push).
pub fn update_referrers_index(
    existing: Option<&[u8]>,
    plan: &ReferrerPlan,
) -> Result<Option<OciBlob>, AttestError> {
    let malformed = |reason: String| AttestError::MalformedExisting {
        what: "referrers index",
        reference: plan.fallback_tag.clone(),
        reason,
    };
    let mut index = match existing {
        Some(bytes) => {
            let index: Index =
                serde_json::from_slice(bytes).map_err(|e| malformed(e.to_string()))?;
            if !index.media_type.is_empty() && index.media_type != OCI_INDEX_MEDIA_TYPE {
                return Err(malformed(format!(
                    "expected media type {OCI_INDEX_MEDIA_TYPE}, found {}",
                    index.media_type
                )));
            }
            if index.manifests.len() >= MAX_INDEX_ENTRIES {
                return Err(malformed(format!(
                    "{} entries, over the limit of {MAX_INDEX_ENTRIES}",
                    index.manifests.len()
                )));
            }
            Index {
                media_type: OCI_INDEX_MEDIA_TYPE.to_owned(),
                ..index
            }
        }
        None => Index {
            schema_version: 2,
            media_type: OCI_INDEX_MEDIA_TYPE.to_owned(),
            manifests: Vec::new(),
        },
    };
    let manifest_digest = plan.manifest.digest.to_string();
    let listed = index.manifests.iter().any(|m| {
        m.get("digest").and_then(serde_json::Value::as_str) == Some(manifest_digest.as_str())
    });
    if listed {
        return Ok(None);
    }
    let entry = IndexEntry {
        media_type: plan.manifest.media_type.clone(),
        digest: manifest_digest,
        size: plan.manifest.size(),
        artifact_type: Some(BUNDLE_V03_MEDIA_TYPE.to_owned()),
        annotations: plan.annotations.clone(),
    };
    index
        .manifests
        .push(serde_json::to_value(&entry).map_err(|e| malformed(e.to_string()))?);
    let bytes = serde_json::to_vec(&index).map_err(|e| malformed(e.to_string()))?;
    Ok(Some(OciBlob::new(OCI_INDEX_MEDIA_TYPE, bytes)))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BundleRead {
    media_type: String,
    dsse_envelope: Option<Envelope>,
}

/// The DSSE envelope inside a Sigstore bundle (any version, both media-type
/// spellings), as envelope JSON for [`check_vsa_candidates`](super::check_vsa_candidates).
///
/// Only the envelope is taken: a keyed imgguard VSA is trusted through its signature
/// by the gate's key, so the bundle's tlog entries and timestamps are not needed here
/// (the `verify` stage checks them for others' bundles).
pub fn dsse_envelope_from_bundle(bundle_json: &[u8]) -> Result<Vec<u8>, AttestError> {
    let malformed = |reason: String| {
        AttestError::InToto(crate::intoto::InTotoError::MalformedEnvelope { reason })
    };
    if bundle_json.len() > crate::intoto::MAX_ENVELOPE_BYTES {
        return Err(malformed("bundle too large".to_owned()));
    }
    let bundle: BundleRead =
        serde_json::from_slice(bundle_json).map_err(|e| malformed(e.to_string()))?;
    if !bundle
        .media_type
        .starts_with("application/vnd.dev.sigstore.bundle")
    {
        return Err(malformed(format!(
            "expected a Sigstore bundle media type, found {}",
            bundle.media_type
        )));
    }
    let envelope = bundle.dsse_envelope.ok_or_else(|| {
        malformed("the bundle holds a message signature, not a DSSE envelope".to_owned())
    })?;
    Ok(envelope.to_json())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

    use super::{
        build_bundle_v03, dsse_envelope_from_bundle, plan_referrer, update_referrers_index,
    };
    use crate::attest::OciBlob;
    use crate::crypto::{PublicKey, fixtures};
    use crate::intoto::{Envelope, VSA_PREDICATE_TYPE};
    use crate::oci::Descriptor;

    fn json(bytes: &[u8]) -> serde_json::Value {
        serde_json::from_slice(bytes).unwrap()
    }

    fn subject() -> Descriptor {
        let dump = fixtures::local_keyed().join("registry-dump");
        // The real image manifest: digest sha256:4569ff20…, 345 bytes.
        OciBlob::new(
            "application/vnd.oci.image.manifest.v1+json",
            fs_err::read(dump.join("image.manifest.json")).unwrap(),
        )
        .descriptor()
    }

    #[test]
    fn bundle_and_referrer_match_the_fixture() {
        let dir = fixtures::local_keyed();
        let dump = dir.join("registry-dump");
        let envelope =
            Envelope::from_json(&fs_err::read(dump.join("att.dsse-envelope.json")).unwrap())
                .unwrap();
        let key =
            PublicKey::from_pem(&fixtures::read(&dir.join("cosign.pub")), "cosign.pub").unwrap();
        let bundle = build_bundle_v03(&envelope, &key, &[]);
        let fixture_bundle = fs_err::read(dump.join("referrer.sigstore-bundle.json")).unwrap();
        assert_eq!(json(&bundle), json(&fixture_bundle));
        // The gate reads the same envelope back out of the bundle.
        assert_eq!(
            Envelope::from_json(&dsse_envelope_from_bundle(&fixture_bundle).unwrap()).unwrap(),
            envelope
        );
        assert!(dsse_envelope_from_bundle(b"{\"mediaType\":\"x\"}").is_err());

        // Fed the fixture's own bundle bytes, the manifest equals the fixture's.
        let created = "2026-11-22T11:01:01Z".parse().unwrap();
        let plan = plan_referrer(fixture_bundle, &subject(), VSA_PREDICATE_TYPE, created);
        let fixture_manifest = fs_err::read(dump.join("referrer.bundle-manifest.json")).unwrap();
        assert_eq!(
            plan.manifest.bytes, fixture_manifest,
            "byte-identical manifest"
        );
        assert_eq!(
            plan.config.digest.to_string(),
            "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        );
        assert_eq!(
            plan.fallback_tag,
            "sha256-4569ff20aee6683b2ec344d28ffdcaf4b761969bc0642276776deedd4bb5e94f"
        );

        // A fresh index equals the fixture's tag-schema index.
        let index = update_referrers_index(None, &plan).unwrap().unwrap();
        let fixture_index = fs_err::read(dump.join("referrers-tag-index.json")).unwrap();
        assert_eq!(json(&index.bytes), json(&fixture_index));
        // Already listed: nothing to push.
        assert!(
            update_referrers_index(Some(&fixture_index), &plan)
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn envelopes_come_out_of_real_bundles_of_both_spellings() {
        let dir = fixtures::realworld();
        for path in [
            "cosign-v3-bundles/cosign-testdata-oci-attestation.sigstore.json",
            "cosign-v3-bundles/kubewarden-controller-v1.34.0.cosign-sign-v1.sigstore.json",
            "conformance/happy-path-intoto-in-dsse-v3/bundle.sigstore.json",
        ] {
            let bytes = fs_err::read(dir.join(path)).unwrap();
            let envelope =
                Envelope::from_json(&dsse_envelope_from_bundle(&bytes).unwrap()).unwrap();
            assert_eq!(
                envelope.payload_type, "application/vnd.in-toto+json",
                "{path}"
            );
            assert_eq!(envelope.signatures.len(), 1, "{path}");
        }
        let message_signature =
            fs_err::read(dir.join("conformance/managed-key-happy-path/bundle.sigstore.json"))
                .unwrap();
        assert!(dsse_envelope_from_bundle(&message_signature).is_err());
    }

    #[test]
    fn index_update_appends_and_keeps_other_referrers() {
        let created = "2026-11-22T11:01:01Z".parse().unwrap();
        let a = plan_referrer(b"{\"a\":1}".to_vec(), &subject(), "p", created);
        let b = plan_referrer(b"{\"b\":1}".to_vec(), &subject(), "p", created);
        let first = update_referrers_index(None, &a).unwrap().unwrap();
        let second = update_referrers_index(Some(&first.bytes), &b)
            .unwrap()
            .unwrap();
        let manifests = json(&second.bytes)["manifests"].as_array().unwrap().clone();
        assert_eq!(manifests.len(), 2);
        assert_eq!(manifests[0]["digest"], a.manifest.digest.to_string());
        assert_eq!(manifests[1]["digest"], b.manifest.digest.to_string());
        assert!(update_referrers_index(Some(b"[]"), &a).is_err());
        assert!(
            update_referrers_index(
                Some(br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","manifests":[]}"#),
                &a
            )
            .is_err()
        );
    }

    #[test]
    fn bundle_carries_timestamps_when_given() {
        let key = crate::crypto::PrivateKey::generate_p256().unwrap();
        let envelope = Envelope::sign("application/vnd.in-toto+json", b"{}".to_vec(), &key);
        let bundle = json(&build_bundle_v03(
            &envelope,
            key.public_key(),
            &[vec![1, 2, 3]],
        ));
        assert_eq!(
            bundle["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"][0]["signedTimestamp"],
            "AQID"
        );
        assert_eq!(
            bundle["verificationMaterial"]["publicKey"]["hint"],
            key.public_key().key_hint()
        );
    }
}
