//! Analyzers: each takes the entries and metadata of an image and returns findings.
//! This module only declares them; the layer engine drives them.

pub mod secrets;
