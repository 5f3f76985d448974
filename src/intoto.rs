//! in-toto attestations: DSSE envelopes, Statements (v0.1 and v1) and the SLSA
//! Verification Summary Attestation (VSA) predicate.
//!
//! Pure data and signing over bytes: no I/O. `attest` builds and signs imgguard's VSA
//! here; `verify` and `gate` verify envelopes (signature over the PAE first, then the
//! payload is parsed) and read Statements.

mod dsse;
mod error;
mod statement;
mod vsa;
mod vsa_builder;

pub use dsse::{
    DSSE_ENVELOPE_MEDIA_TYPE, Envelope, EnvelopeSignature, IN_TOTO_PAYLOAD_TYPE,
    MAX_ENVELOPE_BYTES, VerifiedEnvelope, pae,
};
pub use error::InTotoError;
pub use statement::{
    DigestSet, ResourceDescriptor, STATEMENT_V01, STATEMENT_V1, Statement, digest_set, parse_digest,
};
pub use vsa::{VSA_PREDICATE_TYPE, VerificationResult, VsaPolicy, VsaPredicate, VsaVerifier};
pub use vsa_builder::{
    FindingsSummary, IMGGUARD_SUMMARY_FIELD, PolicyReference, Subject, VsaInput, build_vsa,
    sign_vsa,
};

/// Test helpers other parts' tests use to build sample VSAs.
#[cfg(test)]
pub(crate) use vsa_builder::tests as vsa_test_support;
