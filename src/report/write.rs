//! One entry point for every format, so the command line and the spec's `reports:`
//! list pick a writer the same way.

use std::io::Write;

use super::Report;
use crate::spec::ReportFormat;

/// How the human report is rendered.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// ANSI colour (only when writing to a terminal).
    pub colour: bool,
}

/// Write `report` in `format`. For `github` this writes the annotations; the step
/// summary is [`super::github::write_github_summary`].
pub fn write_report(
    report: &Report,
    format: ReportFormat,
    options: RenderOptions,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        ReportFormat::Human => super::human::write_human_with(report, options.colour, out),
        ReportFormat::Json => super::json::write_json(report, out),
        ReportFormat::Sarif => super::sarif::write_sarif(report, out),
        ReportFormat::Junit => super::junit::write_junit(report, out),
        ReportFormat::Github => super::github::write_github_annotations(report, out),
        ReportFormat::Gitlab | ReportFormat::GitlabCodequality => {
            super::gitlab::write_gitlab_code_quality(report, out)
        }
        ReportFormat::GitlabSecretDetection => {
            super::gitlab_secret_detection::write_gitlab_secret_detection(report, out)
        }
    }
}
