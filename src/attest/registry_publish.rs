//! Executing a [`PublishPlan`] against a registry: the cosign `.att` copy, then the
//! Sigstore bundle referrer and, when the registry has no Referrers API, the
//! tag-schema fallback index (read, append, PUT with `If-Match`, retried on 412).
//!
//! Called by the attestation stage for a PASSED VSA only; [`plan_publication`]
//! re-verifies the envelope and refuses anything else, so a FAILED VSA cannot reach a
//! registry through this path.

use super::{AttestError, IssuedVsa, plan_publication, update_referrers_index};
use crate::crypto::PublicKey;
use crate::oci::media_type::OCI_INDEX;
use crate::oci::{Descriptor, Digest};
use crate::source::registry::RegistryError;
use crate::source::registry::client::RegistryClient;
use crate::source::registry::push::VersionedManifest;

/// How many times a read-modify-write of a shared manifest is tried when another
/// writer got there first (412 Precondition Failed).
const MAX_CONFLICT_RETRIES: u32 = 5;

/// What was published, for the run's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// `registry/repository`.
    pub repository: String,
    /// The image digest the VSA is attached to.
    pub image: Digest,
    /// The `.att` tag.
    pub att_tag: String,
    /// The `.att` manifest's digest after the push.
    pub att_manifest: Digest,
    /// The envelope was already attached there (nothing pushed for this copy).
    pub att_already_present: bool,
    /// The referrer manifest's digest.
    pub referrer_manifest: Digest,
    /// The registry answered with `OCI-Subject` (it has the Referrers API).
    pub referrers_api: bool,
    /// The tag-schema fallback index updated (`sha256-<hex>`), when one was needed.
    pub fallback_tag: Option<String>,
}

/// Publishes `vsa` (signed by `signer`) for `image` through `client`, which must be
/// a push client ([`RegistryClient::new_for_push`]) for the image's repository.
pub fn publish_vsa(
    client: &RegistryClient,
    vsa: &IssuedVsa,
    signer: &PublicKey,
    image: &Digest,
    created: jiff::Timestamp,
) -> Result<Published, AttestError> {
    let subject = image_descriptor(client, image)?;
    let mut attempt = 0;
    let (plan, att_manifest) = loop {
        let existing = client.manifest_for_update(&super::att_tag(image))?;
        let plan = plan_publication(
            &vsa.envelope,
            signer,
            &subject,
            existing.as_ref().map(|m| m.bytes.as_slice()),
            created,
            &[],
        )?;
        if let (true, Some(found)) = (plan.att.already_present, &existing) {
            let digest = found.digest.clone();
            break (plan, digest);
        }
        client.push_blob(&plan.att.layer.digest, &plan.att.layer.bytes)?;
        client.push_blob(&plan.att.config.digest, &plan.att.config.bytes)?;
        match client.put_manifest(
            &plan.att.tag,
            &plan.att.manifest.media_type,
            &plan.att.manifest.bytes,
            existing.as_ref().and_then(|m| m.etag.as_deref()),
        ) {
            Ok(put) => break (plan, put.digest),
            Err(e) if is_conflict(&e) && attempt < MAX_CONFLICT_RETRIES => attempt += 1,
            Err(e) => return Err(e.into()),
        }
    };
    let referrer = &plan.referrer;
    client.push_blob(&referrer.config.digest, &referrer.config.bytes)?;
    client.push_blob(&referrer.bundle.digest, &referrer.bundle.bytes)?;
    let put = client.put_manifest(
        &referrer.manifest.digest.to_string(),
        &referrer.manifest.media_type,
        &referrer.manifest.bytes,
        None,
    )?;
    let referrers_api = put.oci_subject.is_some();
    let fallback_tag = if referrers_api {
        None
    } else {
        update_fallback_index(client, &plan.referrer)?;
        Some(referrer.fallback_tag.clone())
    };
    Ok(Published {
        repository: format!("{}/{}", client.registry(), client.repository()),
        image: image.clone(),
        att_tag: plan.att.tag.clone(),
        att_manifest,
        att_already_present: plan.att.already_present,
        referrer_manifest: put.digest,
        referrers_api,
        fallback_tag,
    })
}

fn is_conflict(error: &RegistryError) -> bool {
    matches!(error, RegistryError::Status { status: 412, .. })
}

/// The image's root as the registry serves it (media type and size for `subject`).
fn image_descriptor(client: &RegistryClient, image: &Digest) -> Result<Descriptor, AttestError> {
    let Some(VersionedManifest {
        bytes, media_type, ..
    }) = client.manifest_for_update(&image.to_string())?
    else {
        return Err(AttestError::ImageNotInRegistry {
            repository: format!("{}/{}", client.registry(), client.repository()),
            digest: image.to_string(),
        });
    };
    Ok(Descriptor {
        media_type,
        digest: image.clone(),
        size: bytes.len() as u64,
        platform: None,
        annotations: std::collections::BTreeMap::new(),
        artifact_type: None,
        urls: Vec::new(),
    })
}

/// Read the `sha256-<hex>` index, append the referrer, PUT it back with `If-Match`;
/// start again when another writer changed it in between.
fn update_fallback_index(
    client: &RegistryClient,
    plan: &super::ReferrerPlan,
) -> Result<(), AttestError> {
    let mut attempt = 0;
    loop {
        let existing = client.manifest_for_update(&plan.fallback_tag)?;
        let Some(index) =
            update_referrers_index(existing.as_ref().map(|m| m.bytes.as_slice()), plan)?
        else {
            return Ok(());
        };
        match client.put_manifest(
            &plan.fallback_tag,
            OCI_INDEX,
            &index.bytes,
            existing.as_ref().and_then(|m| m.etag.as_deref()),
        ) {
            Ok(_) => return Ok(()),
            Err(e) if is_conflict(&e) && attempt < MAX_CONFLICT_RETRIES => attempt += 1,
            Err(e) => return Err(e.into()),
        }
    }
}
