//! imgguard: decide whether one container image may be deployed.
pub mod analyze;
