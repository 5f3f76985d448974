//! Filesystem checks on the layer stream (setuid/setgid, world-writable paths, SSH and
//! credential files by name, shell history, Git metadata, sudo, package caches), with
//! own-layer vs base-layer attribution.

pub mod filesystem_checks_analyzer;
pub mod path_rules;

pub use filesystem_checks_analyzer::FilesystemChecks;
