//! The human report: findings grouped by platform and layer, the instruction that
//! made each layer, coverage gaps, waivers and baseline, and a one-line verdict naming
//! the digest. Colour only when the caller says the output is a terminal.

use std::io::Write;

use super::Report;
use crate::finding::{Category, Severity};
use crate::policy::Verdict;
use crate::verify::{RequirementStatus, Verification};

/// ANSI styling that is a no-op when colour is off.
#[derive(Clone, Copy)]
struct Paint(bool);

impl Paint {
    fn wrap(self, code: &str, text: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn severity(self, severity: Severity) -> String {
        let label = format!("{:<8}", severity.name().to_uppercase());
        let code = match severity {
            Severity::Critical => "1;31",
            Severity::High => "31",
            Severity::Medium => "33",
            Severity::Low => "36",
            Severity::Info => "2",
        };
        self.wrap(code, &label)
    }

    fn verdict(self, verdict: Verdict) -> String {
        let (label, code) = match verdict {
            Verdict::Pass => ("PASS", "1;32"),
            Verdict::Fail => ("FAIL", "1;31"),
            Verdict::Incomplete => ("INCOMPLETE", "1;33"),
        };
        self.wrap(code, label)
    }
}

/// Write the human summary without colour.
pub fn write_human(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    write_human_with(report, false, out)
}

/// Write the human summary, with ANSI colour when `colour` is set.
pub fn write_human_with(report: &Report, colour: bool, out: &mut dyn Write) -> std::io::Result<()> {
    let paint = Paint(colour);
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
    if let Some(why) = &image.source.chosen {
        writeln!(out, "        {why}")?;
    }
    if let Some(d) = &image.source.daemon {
        writeln!(out, "daemon image: {} (ID {})", d.name, d.image_id)?;
        if d.repo_digests.is_empty() {
            writeln!(
                out,
                "        no RepoDigests: built or loaded locally, never pulled or pushed"
            )?;
        }
        for rd in &d.repo_digests {
            writeln!(out, "        RepoDigest {rd}")?;
        }
    }
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
                None if matches!(f.category, Category::Signature | Category::Provenance) => {
                    writeln!(out, "── signatures / provenance")?;
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
        if let Some(w) = &f.waived {
            flags.push(format!("waived: {}", w.reason));
        }
        if report.in_baseline(f) {
            flags.push("in baseline".into());
        }
        let flags = if flags.is_empty() {
            String::new()
        } else {
            format!(" ({})", flags.join(", "))
        };
        writeln!(
            out,
            "  {} {} {}{flags}",
            paint.severity(f.severity),
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
    write_verification(&report.verification, out)?;
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
    if let Some(w) = &report.waivers {
        writeln!(
            out,
            "waivers {}: {} applied, {} expired, {} unused",
            w.file,
            w.outcome.applied.len(),
            w.outcome.expired.len(),
            w.outcome.unused.len()
        )?;
        for e in &w.outcome.expired {
            writeln!(
                out,
                "  expired {} on {} ({} finding(s) no longer waived): {}",
                e.id,
                e.expires.as_deref().unwrap_or("?"),
                e.matched,
                e.reason
            )?;
        }
    }
    if let Some(b) = &report.baseline {
        writeln!(
            out,
            "baseline {}: {} known, {} new",
            b.file, b.matched, b.new
        )?;
    }
    for reason in &report.reasons {
        writeln!(out, "  because {reason}")?;
    }
    writeln!(
        out,
        "{} {} — {} finding(s), {} gating, {} waived",
        paint.verdict(report.verdict),
        report.digest_text(),
        report.summary.total,
        report.summary.gating,
        report.summary.waived
    )
}

/// The "signatures / provenance" section: each requirement's status, the evidence
/// that satisfied it, what was rejected and why, and what could not be read.
fn write_verification(verification: &Verification, out: &mut dyn Write) -> std::io::Result<()> {
    let requirements = [
        ("signatures", &verification.signatures),
        ("provenance", &verification.provenance),
    ];
    for (name, result) in requirements {
        let Some(r) = result else { continue };
        let status = match r.status {
            RequirementStatus::Satisfied => "satisfied",
            RequirementStatus::Failed => "failed",
            RequirementStatus::Incomplete => "incomplete",
        };
        let required = if r.required { "required" } else { "optional" };
        writeln!(out)?;
        writeln!(out, "{name}: {status} ({required})")?;
        if let Some(reason) = &r.reason {
            writeln!(
                out,
                "  {}: expected {}, found {}",
                reason.code(),
                reason.expected(),
                reason.found()
            )?;
        }
        for e in &r.satisfied_by {
            let signer = e
                .signer
                .as_ref()
                .map_or_else(|| "unsigned".to_owned(), ToString::to_string);
            writeln!(
                out,
                "  ok {} {} [{}] by {signer}",
                e.format.name(),
                e.location.describe(),
                e.digest.short()
            )?;
        }
        for e in &r.unproven {
            writeln!(
                out,
                "  unproven {} {} [{}]: unsigned, evidence only",
                e.format.name(),
                e.location.describe(),
                e.digest.short()
            )?;
        }
        for e in &r.rejected {
            writeln!(
                out,
                "  rejected {} {} [{}]: {}: expected {}, found {}",
                e.format.name(),
                e.location.describe(),
                e.digest.short(),
                e.rejection.code(),
                e.rejection.expected(),
                e.rejection.found()
            )?;
        }
        for gap in &r.gaps {
            writeln!(out, "  unreadable: {gap}")?;
        }
    }
    Ok(())
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}…")
    }
}
