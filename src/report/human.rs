//! The human report: findings grouped by platform and layer, the instruction that
//! made each layer, coverage gaps, and a one-line verdict naming the digest.

use std::io::Write;

use super::Report;
use crate::policy::Verdict;

/// Write the human summary.
pub fn write_human(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let image = &report.image;
    writeln!(
        out,
        "imgguard {} — {}",
        report.tool.version, image.reference
    )?;
    writeln!(
        out,
        "source: {} {}",
        image.source.transport, image.source.location
    )?;
    if let Some(d) = &image.digest {
        writeln!(out, "digest: {d}")?;
    }
    for p in &image.platforms {
        writeln!(
            out,
            "platform {}: manifest {} ({} layers)",
            p.platform,
            p.manifest_digest.short(),
            p.layers
        )?;
    }
    writeln!(out)?;
    let mut current: Option<(Option<&str>, Option<usize>)> = None;
    for f in &report.findings {
        let key = (
            f.location.platform.as_deref(),
            f.location.layer.as_ref().map(|l| l.index),
        );
        if current != Some(key) {
            current = Some(key);
            match &f.location.layer {
                Some(layer) => {
                    let by = layer.created_by.as_deref().unwrap_or("(no history)");
                    let base = if layer.from_base == Some(true) {
                        " [base image]"
                    } else {
                        ""
                    };
                    writeln!(
                        out,
                        "── {} layer {} {}{base}",
                        key.0.unwrap_or(""),
                        layer.index,
                        layer.digest.short()
                    )?;
                    writeln!(out, "   {}", truncate(by, 160))?;
                }
                None => writeln!(out, "── {} image config", key.0.unwrap_or(""))?,
            }
        }
        let mut place = f.location.path.clone().unwrap_or_default();
        if !f.location.archive_path.is_empty() {
            place = format!("{place}!{}", f.location.archive_path.join("!"));
        }
        if let Some(line) = f.location.line {
            place = format!("{place}:{line}");
        }
        let mut flags = Vec::new();
        if f.location.deleted {
            flags.push(format!(
                "deleted by layer {}",
                f.location.deleted_by_layer.unwrap_or_default()
            ));
        }
        if f.location.overwritten {
            flags.push(format!(
                "overwritten by layer {}",
                f.location.overwritten_by_layer.unwrap_or_default()
            ));
        }
        if let Some(d) = &f.location.dockerfile {
            flags.push(format!("{}:{}", d.file, d.line));
        }
        if f.waived.is_some() {
            flags.push("waived".into());
        }
        let flags = if flags.is_empty() {
            String::new()
        } else {
            format!(" ({})", flags.join(", "))
        };
        writeln!(
            out,
            "  {:<8} {} {}{flags}",
            f.severity.name().to_uppercase(),
            f.rule,
            place
        )?;
        writeln!(out, "           {}", f.message)?;
        if let Some(secret) = &f.secret {
            writeln!(
                out,
                "           value {} sha256:{}…",
                secret.redacted,
                secret.sha256.get(..12).unwrap_or("")
            )?;
        }
    }
    let cov = &report.coverage;
    writeln!(out)?;
    writeln!(
        out,
        "coverage: {} layers, {} entries, {} bytes uncompressed, {} gap(s)",
        cov.layers,
        cov.files,
        cov.bytes,
        cov.skipped.len()
    )?;
    for gap in &cov.skipped {
        let accepted = if gap.accepted {
            " [accepted by spec]"
        } else {
            ""
        };
        let layer = gap.layer.map(|l| format!(" layer {l}")).unwrap_or_default();
        writeln!(
            out,
            "  gap {}{layer}: {}{accepted}",
            gap.kind.name(),
            gap.reason
        )?;
    }
    for reason in &report.reasons {
        writeln!(out, "  because {reason}")?;
    }
    let verdict = match report.verdict {
        Verdict::Pass => "PASS",
        Verdict::Fail => "FAIL",
        Verdict::Incomplete => "INCOMPLETE",
    };
    let digest = image
        .digest
        .as_ref()
        .map_or_else(|| "(unresolved)".to_owned(), ToString::to_string);
    writeln!(
        out,
        "{verdict} {digest} — {} finding(s), {} gating, {} waived",
        report.summary.total, report.summary.gating, report.summary.waived
    )
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}…")
    }
}
