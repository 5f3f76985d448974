//! The Dockerfile, when the spec or `--dockerfile` names one: parsed (heredocs,
//! continuations, directives, stages), linted, and used to map image findings back to
//! the line that caused them (`Dockerfile:7` in SARIF and the human report). Reading
//! the file is the caller's job; this part only sees its text.

pub mod dockerfile_parser;
pub mod history_map;
pub mod lint;

pub use dockerfile_parser::{Dockerfile, Instruction, Stage};
