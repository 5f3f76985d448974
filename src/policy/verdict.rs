//! The verdict: `fail` when a gating finding exists, else `incomplete` when any part of
//! the image was not fully checked (and the spec does not accept that kind of gap),
//! else `pass`. A violation found is certain whatever the unchecked part holds; an
//! unchecked part is never a pass.

use std::collections::BTreeSet;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::coverage::Coverage;
use crate::finding::{Category, Finding};
use crate::spec::Pipeline;
use crate::spec::pipeline::CheckSettings;

/// The outcome of a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Every required check ran and the policy holds.
    Pass,
    /// The policy is violated.
    Fail,
    /// Part of the image could not be checked.
    Incomplete,
}

impl Verdict {
    /// The lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::Incomplete => "incomplete",
        }
    }
}

fn settings_for(pipeline: &Pipeline, category: Category) -> Option<&CheckSettings> {
    match category {
        Category::Secret => Some(&pipeline.checks.secrets.common),
        Category::Config | Category::Dockerfile => Some(&pipeline.checks.config),
        Category::Filesystem => Some(&pipeline.checks.filesystem),
        Category::Signature | Category::Provenance => None,
    }
}

/// Whether a finding counts against the verdict under `pipeline`.
pub fn is_gating(pipeline: &Pipeline, finding: &Finding) -> bool {
    if finding.waived.is_some() {
        return false;
    }
    match settings_for(pipeline, finding.category) {
        Some(s) => {
            s.enabled && finding.severity >= s.fail_on && finding.confidence >= s.min_confidence
        }
        // Signature and provenance findings are only raised for required checks.
        None => true,
    }
}

/// Mark accepted gaps, then decide. Returns the verdict and the reasons for it.
pub fn evaluate(
    pipeline: &Pipeline,
    findings: &[Finding],
    coverage: &mut Coverage,
) -> (Verdict, Vec<String>) {
    evaluate_with_baseline(pipeline, findings, coverage, &BTreeSet::new())
}

/// [`evaluate`], where findings whose fingerprint is in `known` (the baseline) do not gate.
pub fn evaluate_with_baseline(
    pipeline: &Pipeline,
    findings: &[Finding],
    coverage: &mut Coverage,
    known: &BTreeSet<String>,
) -> (Verdict, Vec<String>) {
    for gap in &mut coverage.skipped {
        gap.accepted = pipeline.coverage.accept.contains(&gap.kind);
    }
    let gating: Vec<&Finding> = findings
        .iter()
        .filter(|f| is_gating(pipeline, f) && !known.contains(&f.fingerprint))
        .collect();
    let mut reasons = Vec::new();
    if !gating.is_empty() {
        let mut by_rule: std::collections::BTreeMap<&str, usize> =
            std::collections::BTreeMap::new();
        for f in &gating {
            *by_rule.entry(f.rule.as_str()).or_default() += 1;
        }
        for (rule, n) in by_rule {
            reasons.push(format!(
                "{n} finding(s) of {rule} at or above the failing severity"
            ));
        }
    }
    let open_gaps = coverage.skipped.iter().filter(|g| !g.accepted).count();
    if open_gaps > 0 {
        reasons.push(format!(
            "{open_gaps} part(s) of the image could not be fully checked"
        ));
    }
    let verdict = if !gating.is_empty() {
        Verdict::Fail
    } else if open_gaps > 0 {
        Verdict::Incomplete
    } else {
        Verdict::Pass
    };
    (verdict, reasons)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coverage::{CoverageGap, GapKind};
    use crate::finding::{Confidence, Location, Severity, SourceKind};
    use crate::spec::{DEFAULT_PIPELINE, parse_pipeline};

    fn finding(severity: Severity, confidence: Confidence) -> Finding {
        Finding::new(
            "secret.x",
            Category::Secret,
            severity,
            "t",
            "m",
            Location::new(SourceKind::Env),
        )
        .with_confidence(confidence)
    }

    #[test]
    fn fail_beats_incomplete_beats_pass() {
        let p = parse_pipeline(DEFAULT_PIPELINE, "default").unwrap();
        let mut cov = Coverage::default();
        assert_eq!(evaluate(&p, &[], &mut cov).0, Verdict::Pass);
        cov.skipped
            .push(CoverageGap::new(GapKind::Budget, "too big"));
        assert_eq!(evaluate(&p, &[], &mut cov).0, Verdict::Incomplete);
        let high = finding(Severity::High, Confidence::High);
        assert_eq!(evaluate(&p, &[high], &mut cov).0, Verdict::Fail);
        let low_conf = finding(Severity::Critical, Confidence::Low);
        assert_eq!(
            evaluate(&p, &[low_conf], &mut Coverage::default()).0,
            Verdict::Pass
        );
        let medium = finding(Severity::Medium, Confidence::High);
        assert_eq!(
            evaluate(&p, &[medium], &mut Coverage::default()).0,
            Verdict::Pass
        );
    }

    #[test]
    fn only_the_gap_kinds_a_spec_accepts_stop_being_incomplete() {
        let strict = parse_pipeline(DEFAULT_PIPELINE, "default").unwrap();
        let accepting = parse_pipeline(
            "apiVersion: imgguard.dev/v1\nkind: Pipeline\nmetadata: {name: x}\ncoverage: {accept: [nested-archive]}\n",
            "x",
        )
        .unwrap();
        let mut cov = Coverage::default();
        cov.skipped
            .push(CoverageGap::new(GapKind::NestedArchive, "too deep"));
        assert_eq!(evaluate(&strict, &[], &mut cov).0, Verdict::Incomplete);
        assert!(!cov.skipped[0].accepted);
        let (v, reasons) = evaluate(&accepting, &[], &mut cov);
        assert_eq!(v, Verdict::Pass, "{reasons:?}");
        assert!(
            cov.skipped[0].accepted,
            "accepted gaps stay in the report, marked"
        );
        // Another kind of gap is still incomplete under the same spec.
        cov.skipped
            .push(CoverageGap::new(GapKind::Budget, "too big"));
        assert_eq!(evaluate(&accepting, &[], &mut cov).0, Verdict::Incomplete);
        // And a gating finding still fails.
        let high = finding(Severity::High, Confidence::High);
        assert_eq!(evaluate(&accepting, &[high], &mut cov).0, Verdict::Fail);
    }

    #[test]
    fn baseline_findings_do_not_gate_but_new_ones_do() {
        let p = parse_pipeline(DEFAULT_PIPELINE, "default").unwrap();
        let old = finding(Severity::High, Confidence::High);
        let known: BTreeSet<String> = [old.fingerprint.clone()].into();
        let (v, _) = evaluate_with_baseline(
            &p,
            std::slice::from_ref(&old),
            &mut Coverage::default(),
            &known,
        );
        assert_eq!(v, Verdict::Pass);
        let mut new = old.clone();
        new.location.path = Some("/elsewhere".into());
        new.refresh_fingerprint();
        let (v, _) = evaluate_with_baseline(&p, &[old, new], &mut Coverage::default(), &known);
        assert_eq!(v, Verdict::Fail);
    }
}
