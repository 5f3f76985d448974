//! Test-only access to the shared fixture directories named by environment variables.
//!
//! `IMGGUARD_REALWORLD_FIXTURES` and `IMGGUARD_LOCAL_KEYED_FIXTURES` point at
//! third-party and locally generated fixtures that are never committed. Under
//! `CI=true` an unset variable is a failure; elsewhere the sibling `../shared`
//! checkout is used. A missing directory always fails the test: nothing is skipped.

#![allow(
    clippy::panic,
    reason = "test support: a missing fixture must fail the test"
)]

use std::path::PathBuf;

fn fixture_dir(var: &str, default_leaf: &str) -> PathBuf {
    if let Some(dir) = std::env::var_os(var) {
        let dir = PathBuf::from(dir);
        assert!(dir.is_dir(), "{var}={} is not a directory", dir.display());
        return dir;
    }
    assert!(
        std::env::var("CI").ok().is_none_or(|v| v != "true"),
        "{var} must be set when CI=true (the fixtures it names are required)"
    );
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures")
        .join(default_leaf);
    assert!(
        dir.is_dir(),
        "{var} is unset and {} does not exist; set {var} to the fixture directory",
        dir.display()
    );
    dir
}

/// `$IMGGUARD_REALWORLD_FIXTURES` (third-party artefacts).
pub(crate) fn realworld() -> PathBuf {
    fixture_dir("IMGGUARD_REALWORLD_FIXTURES", "realworld")
}

/// `$IMGGUARD_LOCAL_KEYED_FIXTURES` (cosign-format keys and a registry dump).
pub(crate) fn local_keyed() -> PathBuf {
    fixture_dir("IMGGUARD_LOCAL_KEYED_FIXTURES", "local-keyed")
}

/// Reads a fixture file as text.
pub(crate) fn read(path: &std::path::Path) -> String {
    fs_err::read_to_string(path).unwrap_or_else(|e| panic!("{e}"))
}
