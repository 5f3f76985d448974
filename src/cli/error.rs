//! Errors the command line reports, each mapped to an exit code.

use miette::Diagnostic;
use thiserror::Error;

use crate::exit_code::ExitCode;
use crate::oci::OciError;
use crate::source::SourceError;
use crate::spec::SpecError;

/// A command that could not run to a verdict.
#[derive(Debug, Error, Diagnostic)]
pub enum CliError {
    /// A bad spec, waivers or baseline file.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Spec(#[from] SpecError),
    /// A bad reference or platform.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Reference(#[from] OciError),
    /// The image could not be opened.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Source(#[from] SourceError),
    /// A secret rule pack that does not load (line and column when parsing failed).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Rules(Box<crate::analyze::secrets::RuleError>),
    /// Arguments that do not fit together, or name something unknown.
    #[error("{message}")]
    #[diagnostic(code(imgguard::cli::usage))]
    Usage {
        /// What is wrong.
        message: String,
        /// How to fix it.
        #[help]
        help: Option<String>,
    },
    /// Output could not be written.
    #[error("failed to write the report to {path}: {source}")]
    #[diagnostic(
        code(imgguard::cli::output),
        help("check that the directory is writable")
    )]
    Output {
        /// Where.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

impl CliError {
    /// The exit code for this error.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Self::Spec(_) | Self::Reference(_) | Self::Rules(_) | Self::Usage { .. } => {
                ExitCode::Usage
            }
            Self::Source(e) if e.is_usage() => ExitCode::Usage,
            Self::Source(_) => ExitCode::Incomplete,
            Self::Output { .. } => ExitCode::Internal,
        }
    }
}
