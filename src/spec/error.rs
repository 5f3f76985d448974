//! Errors of the pipeline spec and the waivers file: always exit 2, always with a
//! location and a hint when one can be given.

use std::sync::Arc;

use miette::{Diagnostic, NamedSource, SourceSpan};
use thiserror::Error;

/// A spec (or waivers or baseline file) that cannot be used.
#[derive(Debug, Error, Diagnostic)]
pub enum SpecError {
    /// The file could not be read.
    #[error("failed to read {path}: {source}")]
    #[diagnostic(
        code(imgguard::spec::io),
        help("check the path; relative paths are resolved from the current directory")
    )]
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
    /// A value parsed but is not allowed, pointing at where it was written.
    #[error(transparent)]
    #[diagnostic(transparent)]
    At(Box<LocatedError>),
    /// A secret rule pack named by the spec does not load (its own line and column).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Rules(Box<crate::analyze::secrets::RuleError>),
    /// A value parsed but is not allowed (no position known, e.g. a command-line value).
    #[error("invalid {path}: {message}")]
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

/// A YAML diagnostic from the parser, carrying its source and span, plus the hint
/// imgguard adds (for example "did you mean `fail_on`?").
pub struct YamlDiagnostic {
    /// The parser's report (source, labels, message).
    pub report: miette::Report,
    /// The hint shown under it.
    pub help: Option<String>,
}

impl std::fmt::Debug for YamlDiagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.report, f)
    }
}

impl std::fmt::Display for YamlDiagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.report, f)
    }
}

impl std::error::Error for YamlDiagnostic {}

impl Diagnostic for YamlDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new("imgguard::spec::yaml"))
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        match &self.help {
            Some(help) => Some(Box::new(help.as_str())),
            None => self.report.help(),
        }
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.report.source_code()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.report.labels()
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        self.report.related()
    }
    fn diagnostic_source(&self) -> Option<&dyn Diagnostic> {
        self.report.diagnostic_source()
    }
}

/// A semantic error found after parsing, pointing at the value that caused it.
#[derive(Debug, Error, Diagnostic)]
#[error("invalid {name}: {message}")]
#[diagnostic(code(imgguard::spec::value))]
pub struct LocatedError {
    /// The file name shown in the header.
    pub name: String,
    /// What is wrong, with what was expected.
    pub message: String,
    /// The source text.
    #[source_code]
    pub source_code: Arc<NamedSource<String>>,
    /// The offending value.
    #[label("here")]
    pub span: SourceSpan,
    /// How to fix it.
    #[help]
    pub help: Option<String>,
}

/// Render a diagnostic as plain text (no colour, unicode frame), as a terminal without
/// colour support would show it.
pub fn render_plain(diagnostic: &dyn Diagnostic) -> String {
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor());
    let mut out = String::new();
    // Writing into a String cannot fail; a partial render is still the best we have.
    let _ = handler.render_report(&mut out, diagnostic);
    out
}
