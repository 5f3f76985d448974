//! Image-configuration checks (CIS Docker Benchmark §4 image items, Dockle, Trivy's
//! config checks): the rule catalogue and its profiles, and the analyzer that reads the
//! config, manifest annotations and build history.

pub mod base_image;
pub mod config_analyzer;
pub mod history_instruction;
pub mod package_upgrade;
pub mod rule_catalogue;
pub mod rule_help;
pub mod rule_selection;

pub use config_analyzer::ConfigAnalyzer;
pub use rule_catalogue::{Origin, RULES, RuleInfo};
pub use rule_selection::RuleSelection;
