//! GitLab Code Quality JSON (`artifacts:reports:codequality`, the CodeClimate subset
//! GitLab reads). It is the one GitLab surface that shows every finding in the merge
//! request widget on every tier. Waived and baseline findings are left out (they are
//! not actionable); one issue per fingerprint, since GitLab deduplicates by it.
//!
//! GitLab's secret-detection report is not written: GitLab rejects a whole report that
//! fails its schema, the schema cannot be fetched here to test against, and its
//! location requires a commit SHA that image layers do not have.

use std::collections::BTreeSet;
use std::io::Write;

use serde_json::{Value, json};

use super::Report;
use crate::finding::Severity;

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "blocker",
        Severity::High => "critical",
        Severity::Medium => "major",
        Severity::Low => "minor",
        Severity::Info => "info",
    }
}

/// The Code Quality issues of a report.
pub fn code_quality_document(report: &Report) -> Value {
    let mut seen = BTreeSet::new();
    let issues: Vec<Value> = report
        .findings
        .iter()
        .filter(|f| f.waived.is_none() && !report.in_baseline(f))
        .filter(|f| seen.insert(f.fingerprint.clone()))
        .map(|f| {
            let (path, line) = match &f.location.dockerfile {
                Some(df) => (df.file.clone(), df.line.max(1)),
                None if report.dockerfile.is_some() => {
                    (report.dockerfile.clone().unwrap_or_default(), 1)
                }
                None => (
                    super::sarif::in_image_name(f)
                        .trim_start_matches('/')
                        .to_owned(),
                    f.location.line.unwrap_or(1).max(1),
                ),
            };
            let mut description = format!("{}: {} ({})", f.rule, f.message, f.title);
            if let Some(s) = &f.secret {
                description = format!("{description} value {}", s.redacted);
            }
            if let Some(l) = &f.location.layer {
                description = format!("{description} [layer {} {}]", l.index, l.digest.short());
            }
            json!({
                "type": "issue",
                "engine_name": "imgguard",
                "check_name": f.rule,
                "description": description,
                "categories": ["Security"],
                "fingerprint": f.fingerprint,
                "severity": severity(f.severity),
                "location": {"path": path, "lines": {"begin": line}}
            })
        })
        .collect();
    Value::Array(issues)
}

/// Write the report as GitLab Code Quality JSON.
pub fn write_gitlab_code_quality(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &code_quality_document(report))
        .map_err(std::io::Error::other)?;
    writeln!(out)
}
