//! imgguard's integration tests: one binary, one module per area.

mod verify_conformance;
mod verify_local_keyed;
