//! The boundary between building what to publish (here, no I/O) and pushing it (the
//! registry client, elsewhere).
//!
//! [`plan_publication`] refuses anything but a PASSED VSA, then returns every blob and
//! manifest to push. The registry client performs, in order:
//!
//! 1. `GET /v2/<repo>/manifests/<att.tag>` (404 → `None`) and pass the body to
//!    [`plan_publication`] as `existing_att`.
//! 2. Unless `att.already_present`: PUT blobs `att.layer`, `att.config`, then PUT
//!    `att.manifest` (media type `application/vnd.oci.image.manifest.v1+json`) at
//!    `att.tag`.
//! 3. PUT blobs `referrer.config`, `referrer.bundle`, then PUT `referrer.manifest` by its
//!    digest.
//! 4. If that PUT's response lacks the `OCI-Subject` header (no Referrers API; GHCR,
//!    distribution 2.x): GET the index at `referrer.fallback_tag` (404 → `None`), call
//!    [`update_referrers_index`](super::update_referrers_index) and PUT the result there
//!    (media type `application/vnd.oci.image.index.v1+json`), with `If-Match` when the
//!    GET returned an `ETag`; on 412 start step 4 again.
//!
//! Not done here yet: the docker.io / ECR "downgrade" `@sigstore/oci` applies (drop
//! `subject` and `artifactType`).

use super::{
    AttestError, CosignAttPlan, ReferrerPlan, build_bundle_v03, plan_cosign_att, plan_referrer,
};
use crate::crypto::PublicKey;
use crate::intoto::{Envelope, Statement, VerificationResult, VsaPredicate};
use crate::oci::Descriptor;

/// Everything to push for one VSA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishPlan {
    /// The cosign legacy `.att` copy.
    pub att: CosignAttPlan,
    /// The Sigstore bundle referrer copy.
    pub referrer: ReferrerPlan,
}

/// Checks the envelope is a PASSED VSA signed by `signer`, then plans both copies.
///
/// `image` is the subject (index or manifest) as the registry serves it; `created` the
/// VSA's time; `rfc3161_timestamps` optional TSA tokens for the bundle.
pub fn plan_publication(
    envelope: &Envelope,
    signer: &PublicKey,
    image: &Descriptor,
    existing_att: Option<&[u8]>,
    created: jiff::Timestamp,
    rfc3161_timestamps: &[Vec<u8>],
) -> Result<PublishPlan, AttestError> {
    // Re-verify our own envelope: what is pushed must be exactly what the gate accepts.
    let trusted = [signer.clone()];
    let verified = envelope.verify(&trusted)?;
    let statement = Statement::from_verified(&verified)?;
    let vsa = VsaPredicate::from_statement(&statement)?;
    if vsa.verification_result != VerificationResult::Passed {
        return Err(AttestError::NotPassed {
            found: vsa.verification_result.as_str().to_owned(),
        });
    }
    let att = plan_cosign_att(
        &image.digest,
        envelope.to_json(),
        &statement.predicate_type,
        existing_att,
    )?;
    let bundle = build_bundle_v03(envelope, signer, rfc3161_timestamps);
    let referrer = plan_referrer(bundle, image, &statement.predicate_type, created);
    Ok(PublishPlan { att, referrer })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

    use super::plan_publication;
    use crate::attest::{
        AttestError, GateRequirements, check_vsa_candidates, check_vsa_envelope,
        dsse_envelope_from_bundle,
    };
    use crate::crypto::PrivateKey;
    use crate::intoto::vsa_test_support::{INDEX, digest, sample_input};
    use crate::intoto::{VerificationResult, build_vsa, sign_vsa};
    use crate::oci::Descriptor;

    fn image() -> Descriptor {
        Descriptor {
            media_type: "application/vnd.oci.image.index.v1+json".to_owned(),
            digest: digest(INDEX),
            size: 1000,
            platform: None,
            annotations: std::collections::BTreeMap::new(),
            artifact_type: None,
            urls: Vec::new(),
        }
    }

    #[test]
    fn a_passed_vsa_plans_both_copies_of_the_same_envelope() {
        let key = PrivateKey::generate_p256().unwrap();
        let envelope = sign_vsa(&build_vsa(&sample_input()).unwrap(), &key);
        let created = "2026-11-22T12:00:00Z".parse().unwrap();
        let plan =
            plan_publication(&envelope, key.public_key(), &image(), None, created, &[]).unwrap();
        assert_eq!(plan.att.layer.bytes, envelope.to_json());
        assert_eq!(plan.att.tag, format!("sha256-{}.att", &INDEX[7..]));
        let bundle: serde_json::Value =
            serde_json::from_slice(&plan.referrer.bundle.bytes).unwrap();
        assert_eq!(
            bundle["dsseEnvelope"]["payload"],
            serde_json::from_slice::<serde_json::Value>(&envelope.to_json()).unwrap()["payload"]
        );
    }

    #[test]
    fn both_published_copies_pass_the_gate() {
        let key = PrivateKey::generate_p256().unwrap();
        let envelope = sign_vsa(&build_vsa(&sample_input()).unwrap(), &key);
        let created = "2026-11-22T12:00:00Z".parse().unwrap();
        let plan =
            plan_publication(&envelope, key.public_key(), &image(), None, created, &[]).unwrap();
        let from_bundle = dsse_envelope_from_bundle(&plan.referrer.bundle.bytes).unwrap();
        let requirements = GateRequirements {
            image_digest: digest(INDEX),
            trusted_keys: vec![key.public_key().clone()],
            verifier_id: "https://ci.example/imgguard".to_owned(),
            policy_digest: None,
            policy_uri: None,
            required_levels: Vec::new(),
            max_age: None,
            now: created,
        };
        check_vsa_candidates(
            [plan.att.layer.bytes.as_slice(), from_bundle.as_slice()],
            &requirements,
        )
        .unwrap();
        check_vsa_envelope(&from_bundle, &requirements).unwrap();
        check_vsa_envelope(&plan.att.layer.bytes, &requirements).unwrap();
    }

    #[test]
    fn a_failed_vsa_or_a_foreign_signature_is_never_planned() {
        let key = PrivateKey::generate_p256().unwrap();
        let created = "2026-11-22T12:00:00Z".parse().unwrap();
        let mut input = sample_input();
        input.result = VerificationResult::Failed;
        let failed = sign_vsa(&build_vsa(&input).unwrap(), &key);
        let err =
            plan_publication(&failed, key.public_key(), &image(), None, created, &[]).unwrap_err();
        assert!(matches!(err, AttestError::NotPassed { .. }), "{err}");
        let passed = sign_vsa(&build_vsa(&sample_input()).unwrap(), &key);
        let other = PrivateKey::generate_p256().unwrap();
        assert!(
            plan_publication(&passed, other.public_key(), &image(), None, created, &[]).is_err()
        );
    }
}
