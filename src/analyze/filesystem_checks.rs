//! Filesystem checks on the layer stream (setuid/setgid, world-writable paths, SSH and
//! credential files by name, shell history, Git metadata, sudo, package caches), with
//! own-layer vs base-layer attribution.

pub mod account_files;
pub mod covered_by_secrets;
pub mod filesystem_checks_analyzer;
pub mod path_rules;

pub use covered_by_secrets::drop_path_findings_covered_by_secrets;
pub use filesystem_checks_analyzer::FilesystemChecks;
