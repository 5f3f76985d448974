//! The JSON report (`--format json`).

use std::io::Write;

use super::Report;

/// Write the report as pretty JSON followed by a newline.
pub fn write_json(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report).map_err(std::io::Error::other)?;
    writeln!(out)
}
