//! Where the shared, never-copied fixtures live: the directories named by
//! `IMGGUARD_LOCAL_KEYED_FIXTURES` and `IMGGUARD_REALWORLD_FIXTURES`. Under `CI=true`
//! an unset variable is a failure; elsewhere the sibling `../shared/fixtures/` is used.

use std::path::PathBuf;

fn dir(variable: &str, default: &str, marker: &str) -> PathBuf {
    if let Some(dir) = std::env::var_os(variable) {
        return PathBuf::from(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{variable} must be set under CI=true"
    );
    let default = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(default);
    assert!(
        default.join(marker).is_file(),
        "fixtures not found: set {variable} (default {} is missing)",
        default.display()
    );
    default
}

/// The locally generated keyed cosign fixtures (`cosign.pub`, `registry-dump/`, …).
pub fn local_keyed() -> PathBuf {
    dir(
        "IMGGUARD_LOCAL_KEYED_FIXTURES",
        "../shared/fixtures/local-keyed",
        "cosign.pub",
    )
}

/// The real-world signature and provenance vectors.
pub fn realworld() -> PathBuf {
    dir(
        "IMGGUARD_REALWORLD_FIXTURES",
        "../shared/fixtures/realworld",
        "README.md",
    )
}
