//! The pipeline spec: a versioned YAML document (`apiVersion: imgguard.dev/v1`,
//! `kind: Pipeline`) that decides what is checked and what fails. Loading keeps spans
//! so every error points at its line and column.

pub mod error;
pub mod load;
pub mod pipeline;

pub use error::SpecError;
pub use load::{DEFAULT_PIPELINE, load_pipeline, parse_pipeline};
pub use pipeline::Pipeline;
