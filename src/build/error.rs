//! Errors of the build stage. Each maps to one exit code (DESIGN §3): a builder that
//! ran and failed is a failed pipeline (1); a builder that is not installed, or a
//! `build:` section that cannot work, is a usage error (2); a builder whose records
//! disagree with the image it left behind means the image cannot be trusted to be the
//! one built (3).

use std::path::PathBuf;

use miette::Diagnostic;
use thiserror::Error;

use crate::exit_code::ExitCode;

/// Why the build stage produced no image to check.
#[derive(Debug, Error, Diagnostic)]
pub enum BuildError {
    /// The builder's program is not installed.
    #[error("failed to find the builder `{program}` (`build.builder: {builder}`)")]
    #[diagnostic(
        code(imgguard::build::builder_missing),
        help(
            "install it (e.g. `apt-get install {program}`), or set `build.builder` to one that is installed"
        )
    )]
    BuilderMissing {
        /// The spec's builder.
        builder: String,
        /// The program looked for.
        program: String,
    },
    /// The builder could not be started.
    #[error("failed to start `{program}`")]
    #[diagnostic(
        code(imgguard::build::spawn),
        help("check that it is executable by this user")
    )]
    Spawn {
        /// The program.
        program: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The builder ran and reported failure.
    #[error("the build failed: `{command}` exited with {status}")]
    #[diagnostic(
        code(imgguard::build::failed),
        help(
            "the builder's output above (lines starting with `[build]`) says why; nothing was checked"
        )
    )]
    Failed {
        /// The command line (secrets redacted).
        command: String,
        /// How it ended.
        status: String,
    },
    /// The `build:` section cannot be run as written.
    #[error("`build:` {message}")]
    #[diagnostic(code(imgguard::build::spec))]
    Spec {
        /// What is wrong.
        message: String,
        /// How to fix it.
        #[help]
        help: Option<String>,
    },
    /// A file of the build stage could not be read or written.
    #[error("failed to access {path}")]
    #[diagnostic(code(imgguard::build::io))]
    Io {
        /// The path.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The builder's record of what it built is missing or unreadable.
    #[error("failed to read the builder's record {path}: {message}")]
    #[diagnostic(
        code(imgguard::build::record),
        help("the builder did not say what it built, so no image can be bound to this build")
    )]
    Record {
        /// The record file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// The image found is not the one the builder recorded.
    #[error(
        "the built image does not match the builder's record: {what}: expected {expected}, found {found}"
    )]
    #[diagnostic(
        code(imgguard::build::mismatch),
        help(
            "something changed the output between the build and the check; nothing unverified is checked"
        )
    )]
    Mismatch {
        /// Which record.
        what: String,
        /// What the builder recorded.
        expected: String,
        /// What the output holds.
        found: String,
    },
}

impl BuildError {
    /// The exit code for this error (DESIGN §3).
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Self::Failed { .. } => ExitCode::Fail,
            Self::BuilderMissing { .. } | Self::Spawn { .. } | Self::Spec { .. } => ExitCode::Usage,
            Self::Record { .. } | Self::Mismatch { .. } => ExitCode::Incomplete,
            Self::Io { .. } => ExitCode::Internal,
        }
    }
}
