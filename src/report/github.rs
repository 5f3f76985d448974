//! GitHub Actions output: workflow-command annotations (`::error`, `::warning`,
//! `::notice`) for standard output, and a Markdown step summary for the file named by
//! `$GITHUB_STEP_SUMMARY`. GitHub shows at most 10 annotations of each type per step
//! and drops the rest silently, so the 10 most severe of each type are written and a
//! plain line says how many more there are. The summary stays under GitHub's 1 MiB cap.

use std::fmt::Write as _;
use std::io::Write;

use super::Report;
use crate::finding::{Finding, Severity};
use crate::policy::Verdict;

/// Annotations GitHub displays per type and step.
pub const ANNOTATIONS_PER_TYPE: usize = 10;

/// GitHub refuses step summaries over 1 MiB; stay well below.
const SUMMARY_BUDGET: usize = 900 * 1024;

/// Escape a workflow-command message.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a workflow-command property value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Gating findings are errors whatever their severity; the rest are warnings or notices.
fn kind(report: &Report, finding: &Finding) -> &'static str {
    if report.is_gating(finding) {
        return "error";
    }
    match finding.severity {
        Severity::Critical | Severity::High | Severity::Medium => "warning",
        Severity::Low | Severity::Info => "notice",
    }
}

fn where_text(f: &Finding) -> String {
    let mut text = super::sarif::in_image_name(f);
    if let Some(line) = f.location.line {
        text = format!("{text}:{line}");
    }
    if let Some(l) = &f.location.layer {
        text = format!("{text} (layer {} {})", l.index, l.digest.short());
    }
    text
}

/// Write the annotations (for standard output).
pub fn write_github_annotations(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let mut actionable: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.waived.is_none() && !report.in_baseline(f))
        .collect();
    // Most severe first; gating before non-gating; then the report's stable order.
    actionable.sort_by_key(|f| (std::cmp::Reverse(f.severity), !report.is_gating(f)));
    for k in ["error", "warning", "notice"] {
        let of_kind: Vec<&&Finding> = actionable.iter().filter(|f| kind(report, f) == k).collect();
        for f in of_kind.iter().take(ANNOTATIONS_PER_TYPE) {
            let mut props = Vec::new();
            if let Some(df) = &f.location.dockerfile {
                props.push(format!("file={}", escape_property(&df.file)));
                props.push(format!("line={}", df.line.max(1)));
            }
            props.push(format!(
                "title={}",
                escape_property(&format!("imgguard {} ({})", f.rule, f.severity.name()))
            ));
            let mut message = format!("{} at {}", f.message, where_text(f));
            if let Some(s) = &f.secret {
                message = format!("{message}; value {}", s.redacted);
            }
            writeln!(out, "::{k} {}::{}", props.join(","), escape_data(&message))?;
        }
        let more = of_kind.len().saturating_sub(ANNOTATIONS_PER_TYPE);
        if more > 0 {
            writeln!(
                out,
                "imgguard: {more} more {k} annotation(s) not shown (GitHub shows {ANNOTATIONS_PER_TYPE} per type); see the step summary or the SARIF report"
            )?;
        }
    }
    let verdict = report.verdict.name().to_uppercase();
    writeln!(
        out,
        "imgguard: {verdict} {} — {} finding(s), {} gating, {} waived",
        report.digest_text(),
        report.summary.total,
        report.summary.gating,
        report.summary.waived
    )
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// The Markdown step summary.
pub fn github_summary(report: &Report) -> String {
    let mut md = String::new();
    let badge = match report.verdict {
        Verdict::Pass => "✅ PASS",
        Verdict::Fail => "❌ FAIL",
        Verdict::Incomplete => "⚠️ INCOMPLETE",
    };
    let _ = writeln!(md, "## imgguard: {badge}\n");
    let _ = writeln!(md, "| | |\n|---|---|");
    let _ = writeln!(md, "| image | `{}` |", cell(&report.image.reference));
    let _ = writeln!(md, "| digest | `{}` |", report.digest_text());
    if let Some(p) = &report.pipeline {
        let _ = writeln!(md, "| pipeline | `{}` |", cell(p));
    }
    let _ = writeln!(
        md,
        "| findings | {} total, {} gating, {} waived |",
        report.summary.total, report.summary.gating, report.summary.waived
    );
    if let Some(b) = &report.baseline {
        let _ = writeln!(
            md,
            "| baseline | {} known, {} new (`{}`) |",
            b.matched,
            b.new,
            cell(&b.file)
        );
    }
    let _ = writeln!(
        md,
        "| coverage | {} layers, {} entries, {} gap(s) |",
        report.coverage.layers,
        report.coverage.files,
        report.coverage.skipped.len()
    );
    if !report.reasons.is_empty() {
        let _ = writeln!(md, "\n### Why\n");
        for r in &report.reasons {
            let _ = writeln!(md, "- {}", cell(r));
        }
    }
    if !report.findings.is_empty() {
        let _ = writeln!(
            md,
            "\n### Findings\n\n| severity | rule | where | status |\n|---|---|---|---|"
        );
        let mut shown = 0usize;
        for f in &report.findings {
            if md.len() > SUMMARY_BUDGET {
                break;
            }
            let mut status = Vec::new();
            if report.is_gating(f) {
                status.push("gating");
            }
            if f.waived.is_some() {
                status.push("waived");
            }
            if report.in_baseline(f) {
                status.push("baseline");
            }
            if f.location.deleted {
                status.push("deleted later");
            }
            let value = f
                .secret
                .as_ref()
                .map(|s| format!(" `{}`", s.redacted))
                .unwrap_or_default();
            let _ = writeln!(
                md,
                "| {} | `{}` | `{}`{value} | {} |",
                f.severity.name(),
                cell(&f.rule),
                cell(&where_text(f)),
                status.join(", ")
            );
            shown += 1;
        }
        if shown < report.findings.len() {
            let _ = writeln!(
                md,
                "\n{} more finding(s) not shown (summary size limit); see the JSON or SARIF report.",
                report.findings.len() - shown
            );
        }
    }
    let gaps: Vec<_> = report.coverage.skipped.iter().take(50).collect();
    if !gaps.is_empty() {
        let _ = writeln!(md, "\n### Not fully checked\n");
        for g in gaps {
            let accepted = if g.accepted {
                " (accepted by spec)"
            } else {
                ""
            };
            let _ = writeln!(md, "- `{}`: {}{accepted}", g.kind.name(), cell(&g.reason));
        }
    }
    if let Some(w) = &report.waivers
        && !w.outcome.expired.is_empty()
    {
        {
            let _ = writeln!(md, "\n### Expired waivers (no longer applied)\n");
            for e in &w.outcome.expired {
                let _ = writeln!(
                    md,
                    "- {} expired {} — {} ({} finding(s))",
                    cell(&e.id),
                    e.expires.as_deref().unwrap_or("?"),
                    cell(&e.reason),
                    e.matched
                );
            }
        }
    }
    md
}

/// Write the Markdown step summary.
pub fn write_github_summary(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    out.write_all(github_summary(report).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_workflow_command_rules() {
        assert_eq!(escape_data("50%\r\nx"), "50%25%0D%0Ax");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
