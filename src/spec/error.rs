//! Errors of the pipeline spec: always exit 2, always with a location and a hint.

use miette::Diagnostic;
use thiserror::Error;

/// A spec that cannot be used.
#[derive(Debug, Error, Diagnostic)]
pub enum SpecError {
    /// The file could not be read.
    #[error("failed to read pipeline spec {path}: {source}")]
    #[diagnostic(code(imgguard::spec::io))]
    Io {
        /// The path.
        path: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// YAML or schema error, with the offending span (line, column, hint).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Invalid(YamlDiagnostic),
    /// A value parsed but is not allowed.
    #[error("invalid pipeline spec {path}: {message}")]
    #[diagnostic(code(imgguard::spec::value))]
    Value {
        /// The path.
        path: String,
        /// What is wrong, with what was expected.
        message: String,
        /// How to fix it.
        #[help]
        help: Option<String>,
    },
}

/// A YAML diagnostic from the parser, carrying its source and span.
pub struct YamlDiagnostic(pub miette::Report);

impl std::fmt::Debug for YamlDiagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.0, f)
    }
}

impl std::fmt::Display for YamlDiagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for YamlDiagnostic {}

impl Diagnostic for YamlDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.0.code()
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.0.help()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.0.source_code()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.0.labels()
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        self.0.related()
    }
    fn diagnostic_source(&self) -> Option<&dyn Diagnostic> {
        self.0.diagnostic_source()
    }
}
