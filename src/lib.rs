//! imgguard: decide whether one container image may be deployed.
pub mod attest;
pub mod crypto;
pub mod intoto;
