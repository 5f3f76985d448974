//! The analyzers an engine runs. Adding an analyzer is one line in
//! [`default_analyzers`].

use sha2::{Digest as _, Sha256};

use super::Analyzer;
use super::filesystem_inventory::FilesystemInventory;
use super::secrets::secrets_analyzer::default_secrets_analyzer;

/// Every built-in analyzer, in a fixed order.
pub fn default_analyzers() -> Vec<Box<dyn Analyzer>> {
    vec![Box::new(FilesystemInventory), default_secrets_analyzer()]
}

/// A digest naming the analyzers and rule packs of this build, so a report or an
/// attestation says exactly which checks produced it.
pub fn ruleset_digest(analyzers: &[Box<dyn Analyzer>]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
    for a in analyzers {
        hasher.update(b"\0");
        hasher.update(a.name().as_bytes());
    }
    format!("sha256:{}", hex::encode(hasher.finalize()))
}
