//! Analyzers: each takes the image config and the stream of layer entries and returns
//! findings. They never do I/O of their own and never see the source, the policy or the
//! report. Adding one is a file here plus one line in [`registry::default_analyzers`].

pub mod analyzer;
pub mod config;
pub mod dockerfile;
pub mod filesystem_checks;
pub mod filesystem_inventory;
pub mod registry;
pub mod rule_doc;
pub mod secrets;

pub use analyzer::{Analyzer, FindingSink, ImageContext, LayerAnalyzer, LayerContext, Want};
pub use rule_doc::RuleDoc;
