//! The analyzers an engine runs. Adding an analyzer is one line in
//! [`default_analyzers`].

use sha2::{Digest as _, Sha256};

use std::sync::Arc;

use super::Analyzer;
use super::config::{ConfigAnalyzer, RuleSelection};
use super::dockerfile::Dockerfile;
use super::filesystem_checks::FilesystemChecks;
use super::filesystem_inventory::FilesystemInventory;
use super::secrets::secrets_analyzer::default_secrets_analyzer;
use crate::spec::Pipeline;

/// Every built-in analyzer, in a fixed order, with the default profile.
pub fn default_analyzers() -> Vec<Box<dyn Analyzer>> {
    vec![
        Box::new(FilesystemInventory),
        Box::new(ConfigAnalyzer::default()),
        Box::new(FilesystemChecks::default()),
        default_secrets_analyzer(),
    ]
}

/// Every built-in analyzer, configured by `pipeline` (profile, disabled rules) and
/// mapping findings to `dockerfile` when one is given.
pub fn analyzers_for(
    pipeline: &Pipeline,
    dockerfile: Option<Arc<Dockerfile>>,
) -> Vec<Box<dyn Analyzer>> {
    let selection = RuleSelection::from_pipeline(pipeline);
    vec![
        Box::new(FilesystemInventory),
        Box::new(ConfigAnalyzer::new(selection.clone(), dockerfile)),
        Box::new(FilesystemChecks::new(selection)),
        default_secrets_analyzer(),
    ]
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
