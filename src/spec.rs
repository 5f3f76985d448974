//! The pipeline spec: a versioned YAML document (`apiVersion: imgguard.dev/v1`,
//! `kind: Pipeline`) that decides what is checked and what fails, plus the waivers
//! file it points at. Loading keeps spans so every error points at its line and column.

pub mod build_spec;
pub mod date;
pub mod error;
pub mod hint;
pub mod load;
pub mod pipeline;
pub mod rule_packs;
pub mod waivers;

pub use build_spec::{BuildSecret, BuildSpec, BuilderKind};
pub use error::SpecError;
pub use load::{DEFAULT_PIPELINE, load_pipeline, parse_pipeline, parse_pipeline_in};
pub use pipeline::{Pipeline, ReportFormat, ReportTarget};
pub use waivers::{Waiver, WaiverFile, load_waivers, parse_waivers};
