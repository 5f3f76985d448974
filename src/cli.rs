//! The command line: clap definitions and command handlers. Handlers parse, call the
//! engine and hand the result to a report writer; they hold no logic of their own.

pub mod args;
pub mod attest_step;
pub mod check;
pub mod error;
pub mod gate;
pub mod keygen;
pub mod push_step;
pub mod registry_args;
pub mod rules;
pub mod run;
pub mod run_pipeline;

pub use args::Cli;
pub use error::CliError;
pub use run::run;
