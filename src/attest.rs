//! The attestation stage and the deploy gate: imgguard's signed pass/fail record.
//!
//! Builds on `intoto` (VSA, DSSE) and `crypto` (keys). `gate` decides whether a VSA
//! envelope lets an image digest deploy; `cosign_att` and `referrer` build the bytes
//! that publishing pushes (cosign's legacy `.att` tag and a Sigstore bundle v0.3
//! referrer with the tag-schema fallback index); `discovery` names the blobs the gate
//! fetches. [`publish`] plans the pushes without I/O; `registry_publish` performs them
//! and `registry_discovery` finds VSAs for the gate, both over the registry client's
//! write and read primitives (`source::registry::push`); `stage` is the attestation
//! step a run calls after its reports.

mod cosign_att;
mod discovery;
mod error;
mod from_report;
mod gate;
mod issue;
mod oci_blob;
pub mod publish;
mod referrer;
mod registry_discovery;
mod registry_publish;
mod stage;

pub use cosign_att::{
    COSIGN_SIGNATURE_ANNOTATION, CosignAttPlan, PREDICATE_TYPE_ANNOTATION, att_tag, plan_cosign_att,
};
pub use discovery::{
    bundle_layer_in_referrer, may_be_vsa_bundle, vsa_bundle_referrers, vsa_layers_in_att_manifest,
};
pub use error::{AttestError, GateError};
pub use from_report::{
    LEVEL_CONFIG_BASELINE, LEVEL_FILESYSTEM_BASELINE, LEVEL_NO_SECRETS, VsaContext,
    vsa_input_from_report,
};
pub use gate::{
    GatePass, GateRequirements, check_vsa_candidates, check_vsa_envelope, parse_max_age,
};
pub use issue::{IssuedVsa, issue_vsa, write_vsa_file};
pub use oci_blob::OciBlob;
pub use publish::{PublishPlan, plan_publication};
pub use referrer::{
    BUNDLE_V03_MEDIA_TYPE, ReferrerPlan, build_bundle_v03, dsse_envelope_from_bundle,
    plan_referrer, referrers_fallback_tag, update_referrers_index,
};
pub use registry_discovery::{VsaCandidate, VsaSearch, find_vsas};
pub use registry_publish::{Published, publish_vsa};
pub use stage::{AttestationOutcome, AttestationSettings, PushOutcome, PushTarget, attest_run};

#[cfg(test)]
mod robustness;
