//! Reports: the only layer that writes output, and only to a `Write`. Every format is
//! built from the same [`Report`] model, whose secrets are redacted by construction.

pub mod github;
pub mod gitlab;
pub mod gitlab_secret_detection;
pub mod human;
pub mod json;
pub mod junit;
pub mod model;
pub mod rule_info;
pub mod sarif;
pub mod write;

pub use model::{REPORT_SCHEMA_ID, Report};
pub use write::write_report;
