//! Errors the command line reports, each mapped to an exit code.

use miette::Diagnostic;
use thiserror::Error;

use crate::attest::{AttestError, GateError};
use crate::crypto::CryptoError;
use crate::exit_code::ExitCode;
use crate::oci::OciError;
use crate::source::SourceError;
use crate::source::registry::RegistryError;
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
    /// The spec's `verify:` section (or `--key`) names an unusable key or trust root.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Verify(#[from] crate::verify::VerifyError),
    /// The build stage produced no image.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Build(#[from] crate::build::BuildError),
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
    /// The attestation could not be issued or published.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Attest(#[from] AttestError),
    /// The deploy gate refused the image.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Gate(#[from] GateError),
    /// A key could not be read, decrypted or written.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Crypto(#[from] CryptoError),
    /// The registry could not be read.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Registry(#[from] RegistryError),
    /// The checked image could not be pushed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Push(#[from] crate::push::PushError),
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
            Self::Spec(_)
            | Self::Reference(_)
            | Self::Verify(_)
            | Self::Rules(_)
            | Self::Usage { .. }
            | Self::Crypto(_)
            | Self::Gate(GateError::Usage { .. }) => ExitCode::Usage,
            Self::Source(e) if e.is_usage() => ExitCode::Usage,
            Self::Source(_) | Self::Registry(_) => ExitCode::Incomplete,
            Self::Output { .. } => ExitCode::Internal,
            Self::Gate(_) => ExitCode::Fail,
            Self::Attest(e) => match e {
                AttestError::NotARegistryImage { .. } => ExitCode::Usage,
                AttestError::Registry(_)
                | AttestError::ImageNotInRegistry { .. }
                | AttestError::MalformedExisting { .. } => ExitCode::Incomplete,
                _ => ExitCode::Internal,
            },
            Self::Build(e) => e.exit_code(),
            Self::Push(e) => e.exit_code(),
        }
    }
}
