//! The command line: clap definitions and command handlers. Handlers parse, call the
//! engine and hand the result to a report writer; they hold no logic of their own.

pub mod args;
pub mod check;
pub mod error;
pub mod registry_args;
pub mod rules;
pub mod run;

pub use args::Cli;
pub use error::CliError;
pub use run::run;
