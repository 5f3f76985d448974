//! Reports: the only layer that writes output, and only to a `Write`. Every format is
//! built from the same [`Report`] model, whose secrets are redacted by construction.

pub mod human;
pub mod json;
pub mod model;

pub use model::{REPORT_SCHEMA_ID, Report};
