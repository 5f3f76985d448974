//! GitLab's secret-detection report (`artifacts:reports:secret_detection`,
//! `gl-secret-detection-report.json`), security report schema 15.0.7. GitLab rejects a
//! whole report that fails its schema, so the document is validated against the official
//! schema in a test.
//!
//! Only secret findings that gate or would gate are listed: waived findings and findings
//! in the baseline are left out, as in the Code Quality report. The schema's
//! `raw_source_code_extract` is meant for an unsanitised excerpt; imgguard puts only the
//! redacted form there (the `Finding` model holds nothing else). The schema requires a
//! commit for every location: `CI_COMMIT_SHA` when GitLab runs the job, else the image
//! digest, which is what names the checked bytes.

use std::collections::BTreeSet;
use std::io::Write;

use serde_json::{Value, json};

use super::Report;
use crate::finding::{Category, Finding, Severity};
use crate::policy::Verdict;

/// The security report schema version the document follows.
pub const SCHEMA_VERSION: &str = "15.0.7";

const SCHEMA_URL: &str = "https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/v15.0.7/dist/secret-detection-report-format.json";

const SOLUTION: &str = "Revoke and rotate the credential, then rebuild the image without it: deleting the file in a later layer does not remove it from the image. Pass secrets at run time (a secret store, a mounted file) or use build secrets (`RUN --mount=type=secret`).";

/// What the document needs besides the report: the commit and the scan times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretDetectionContext {
    /// The commit the pipeline runs for (`CI_COMMIT_SHA`), when known.
    pub commit_sha: Option<String>,
    /// When the check started, `YYYY-MM-DDTHH:MM:SS` (UTC).
    pub start_time: String,
    /// When the check ended, same format.
    pub end_time: String,
}

impl SecretDetectionContext {
    /// From the environment (`CI_COMMIT_SHA`) and the clock: the check ended now and
    /// took the report's total time.
    pub fn from_env(report: &Report) -> Self {
        let now = jiff::Timestamp::now();
        let took = jiff::SignedDuration::from_millis(
            i64::try_from(report.timing_ms.total).unwrap_or(i64::MAX),
        );
        let start = now.checked_sub(took).unwrap_or(now);
        let format = |t: jiff::Timestamp| t.strftime("%Y-%m-%dT%H:%M:%S").to_string();
        Self {
            commit_sha: std::env::var("CI_COMMIT_SHA")
                .ok()
                .filter(|s| !s.trim().is_empty()),
            start_time: format(start),
            end_time: format(now),
        }
    }
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "Critical",
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
        Severity::Info => "Info",
    }
}

/// Where in the image, for the description (the file path is in `location.file`).
fn whereabouts(report: &Report, finding: &Finding) -> String {
    let loc = &finding.location;
    let mut parts = Vec::new();
    if let Some(p) = &loc.platform {
        parts.push(format!("platform {p}"));
    }
    if let Some(l) = &loc.layer {
        parts.push(format!("layer {} ({})", l.index, l.digest));
        if let Some(created_by) = &l.created_by {
            parts.push(format!("created by `{created_by}`"));
        }
        if l.from_base == Some(true) {
            parts.push("from the base image".into());
        }
    }
    if loc.deleted {
        parts.push("deleted by a later layer but still in the image".into());
    }
    if loc.overwritten {
        parts.push("overwritten by a later layer but still in the image".into());
    }
    parts.push(format!(
        "image {}@{}",
        report.image.reference,
        report.digest_text()
    ));
    parts.join("; ")
}

fn vulnerability(report: &Report, finding: &Finding, commit: &Value) -> Value {
    let file = super::sarif::in_image_name(finding)
        .trim_start_matches('/')
        .to_owned();
    let redacted = finding
        .secret
        .as_ref()
        .map_or_else(|| "(redacted)".to_owned(), |s| s.redacted.clone());
    let mut description = format!(
        "{}. Value (redacted): {redacted}. Where: {}.",
        finding.message,
        whereabouts(report, finding)
    );
    if let Some(s) = &finding.secret {
        description = format!("{description} SHA-256 of the value: {}.", s.sha256);
    }
    let location = match finding.location.line {
        Some(line) => {
            json!({"file": file, "commit": commit, "start_line": line, "end_line": line})
        }
        None => json!({"file": file, "commit": commit}),
    };
    json!({
        "id": finding.fingerprint,
        "name": finding.title,
        "description": description,
        "severity": severity(finding.severity),
        "solution": SOLUTION,
        "raw_source_code_extract": redacted,
        "identifiers": [{
            "type": "imgguard_rule_id",
            "name": format!("imgguard rule {}", finding.rule),
            "value": finding.rule,
        }],
        "location": location,
    })
}

/// The secret-detection document of a report.
pub fn secret_detection_document(report: &Report, context: &SecretDetectionContext) -> Value {
    let commit = match &context.commit_sha {
        Some(sha) => json!({"sha": sha}),
        None => json!({
            "sha": report
                .image
                .digest
                .as_ref()
                .map_or_else(|| "unresolved".to_owned(), |d| d.hex().to_owned()),
            "message": format!("image {} (no CI_COMMIT_SHA: the image digest stands in for the commit)", report.image.reference),
        }),
    };
    let mut seen = BTreeSet::new();
    let vulnerabilities: Vec<Value> = report
        .findings
        .iter()
        .filter(|f| f.category == Category::Secret)
        .filter(|f| f.waived.is_none() && !report.in_baseline(f))
        .filter(|f| seen.insert(f.fingerprint.clone()))
        .map(|f| vulnerability(report, f, &commit))
        .collect();
    let tool = json!({
        "id": "imgguard",
        "name": "imgguard",
        "version": report.tool.version,
        "vendor": {"name": "imgguard"},
    });
    let open_gaps = report
        .coverage
        .skipped
        .iter()
        .filter(|g| !g.accepted)
        .count();
    let mut messages = Vec::new();
    if open_gaps > 0 {
        messages.push(json!({
            "level": "warn",
            "value": format!("{open_gaps} part(s) of the image could not be fully checked; the verdict is incomplete, not a pass"),
        }));
    }
    json!({
        "version": SCHEMA_VERSION,
        "schema": SCHEMA_URL,
        "scan": {
            "analyzer": tool,
            "scanner": tool,
            "type": "secret_detection",
            "start_time": context.start_time,
            "end_time": context.end_time,
            "status": if report.verdict == Verdict::Incomplete { "failure" } else { "success" },
            "messages": messages,
        },
        "vulnerabilities": vulnerabilities,
    })
}

/// Write the report as GitLab's secret-detection report.
pub fn write_gitlab_secret_detection(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let context = SecretDetectionContext::from_env(report);
    serde_json::to_writer_pretty(&mut *out, &secret_detection_document(report, &context))
        .map_err(std::io::Error::other)?;
    writeln!(out)
}
