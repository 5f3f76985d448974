//! imgguard: decide whether one container image may be deployed, and say so in a
//! signed, machine-checkable record. See DESIGN.md for how the parts fit:
//! `cli → engine → stages → {finding, spec, oci}`.

pub mod analyze;
pub mod attest;
pub mod build;
pub mod cli;
pub mod coverage;
pub mod crypto;
pub mod engine;
pub mod exit_code;
pub mod finding;
#[doc(hidden)]
pub mod fuzz_support;
pub mod intoto;
pub mod layer;
pub mod oci;
pub mod policy;
pub mod push;
pub mod redact;
pub mod report;
pub mod source;
pub mod spec;
pub mod verify;
