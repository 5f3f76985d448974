//! Secret detection: rules as data, a two-stage scanner (keyword prefilter, then the one
//! rule's regex in a window around each keyword hit), offline validators and a shared
//! false-positive guard. Findings leave this module only in redacted form.
//!
//! Data flow: `rules/*.yaml` → [`RuleSet`] → [`Scanner`] → [`SecretMatch`] (raw capture,
//! transient) → [`RedactedSecret`] (prefix, length, sha256) handed to the caller.

pub mod archive;
#[cfg(test)]
mod backend_parity;
pub mod bench;
pub mod builtin;
pub mod check;
pub mod config_scan;
pub mod der;
pub mod entropy;
pub mod file_scan;
pub mod guard;
pub mod line_counter;
pub mod pem;
pub mod prefilter;
pub mod rule;
pub mod rule_set;
pub mod scanner;
pub mod secret_finding;
pub mod secrets_analyzer;
mod shard_hits;
pub mod shift_or_prefilter;
pub mod stream;
pub mod strings;
pub mod tar_splitter;
pub mod teddy_layout;
pub mod validator;
#[cfg(feature = "vectorscan")]
pub mod vectorscan_prefilter;

pub use crate::finding::RedactedSecret;
pub use archive::ArchiveBudget;
pub use check::{CheckFailure, CheckProblem, check_rules, check_rules_within, example_captures};
pub use config_scan::scan_image_config;
pub use file_scan::{ContentCache, CoverageGap, FileScan, FileScanOptions, FileScanResult};
pub use prefilter::{AhoCorasickPrefilter, Backend, KeywordHit, Prefilter};
pub use rule::{Confidence, CredentialKind, Rule, Severity, ValueCheck, Window, gates_by_default};
pub use rule_set::{RuleError, RuleSet};
pub use scanner::{Scanner, SecretMatch};
pub use secret_finding::{SecretFinding, SecretSource};
pub use secrets_analyzer::{
    SecretsAnalyzer, SecretsError, default_secrets_analyzer, secrets_analyzer_for,
};
pub use shift_or_prefilter::ShiftOrPrefilter;
pub use stream::StreamScanner;
pub use validator::{Validation, Validator};

#[cfg(test)]
mod tests;
