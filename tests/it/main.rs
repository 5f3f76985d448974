//! imgguard's one integration-test binary. `support` builds real images in temp dirs
//! and runs the real binary; each module tests one part of the contract.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::missing_panics_doc,
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::must_use_candidate,
    clippy::new_without_default,
    clippy::cast_possible_truncation,
    clippy::type_complexity,
    clippy::needless_pass_by_value,
    missing_docs,
    reason = "test code: a failed assumption should panic with context"
)]
mod adversarial;
mod attest;
mod build;
mod config_checks;
mod daemon;
mod demo;
mod examples;
mod local_sources;
mod registry;
mod report_schema;
mod secrets;
mod secrets_recall;
mod spec_and_reports;
mod support;
mod verify_conformance;
mod verify_keyed_rekor;
mod verify_layout;
mod verify_local_keyed;
mod verify_registry;
