//! Verification of incoming evidence: cosign `.sig`/`.att`, Sigstore bundles
//! (cosign v3, GitHub attestations), `BuildKit` provenance — offline, against a
//! `trusted_root.json` and the spec's keys and identities (DESIGN §7).
//!
//! Sits after source resolution: [`discover`] fetches the evidence the image's own
//! source holds (through `source::EvidenceStore`, digest-verified), then
//! [`ImageVerifier`] takes the image's digests and that [`Evidence`] and produces
//! the report's [`Verification`] section. Bundles and keyless legacy signatures are checked by `sigstore-verify`;
//! keyed signatures by `crate::crypto`. Apart from discovery, nothing here does I/O
//! except reading the spec's key files and trusted root once, in
//! [`ImageVerifier::from_spec`].

mod accepted;
mod authority;
mod bundle;
mod discover;
mod error;
mod evidence;
mod identity;
mod image_verifier;
mod legacy;
mod policy;
mod provenance_check;
mod rejection;
mod rekor_bundle;
mod sigstore_error;
mod slsa;
mod trust;
mod verification;

pub use accepted::{Accepted, Signer, Transparency, VerifiedPayload};
pub use authority::{Authority, KeyAuthority};
pub use bundle::{BundleArtifact, parse_bundle, verify_bundle};
pub use discover::{
    BUNDLE_MEDIA_TYPE, BUNDLE_MEDIA_TYPE_ALT, SIMPLE_SIGNING_MEDIA_TYPE, discover,
    is_bundle_media_type,
};
pub use error::VerifyError;
pub use evidence::{Evidence, EvidenceFormat, EvidenceLocation, MAX_EVIDENCE_BYTES};
pub use identity::{IdentityPattern, KeylessIdentity};
pub use image_verifier::{COSIGN_SIGN_V1, EvidenceSet, ImageSubject, ImageVerifier};
pub use legacy::{
    CERTIFICATE_ANNOTATION, CHAIN_ANNOTATION, SIGNATURE_ANNOTATION, verify_attestation,
    verify_simple_signing,
};
pub use policy::{AuthoritySpec, KeylessSpec, ProvenanceSpec, SignaturesSpec, VerifySpec};
pub use provenance_check::{ProvenanceCheck, SlsaBuildLevel};
pub use rejection::Rejection;
pub use rekor_bundle::REKOR_BUNDLE_ANNOTATION;
pub use slsa::{
    ProvenanceFacts, ProvenanceVersion, SLSA_PROVENANCE_V1, SLSA_PROVENANCE_V02, SourceUri,
    parse_source_uri,
};
pub use trust::TrustRoot;
pub use verification::{
    AcceptedEvidence, RejectedEvidence, RequirementResult, RequirementStatus, VerdictEffect,
    Verification,
};
