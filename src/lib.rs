//! imgguard: decide whether one container image may be deployed.
pub mod crypto;
pub mod intoto;
pub mod verify;
