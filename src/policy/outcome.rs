//! The whole policy step in one call: overrides, then waivers, then the verdict (with
//! the baseline, when there is one). The engine's findings go in; the findings come
//! out marked, with the verdict and what the waivers and the baseline did. No I/O: the
//! caller loads the waivers and baseline files and says what day it is.

use std::collections::BTreeSet;

use schemars::JsonSchema;
use serde::Serialize;

use super::baseline::Baseline;
use super::overrides::apply_overrides;
use super::verdict::{Verdict, evaluate_with_baseline, is_gating};
use super::waivers::{WaiverOutcome, apply_waivers};
use crate::coverage::Coverage;
use crate::finding::Finding;
use crate::spec::date::Date;
use crate::spec::{Pipeline, WaiverFile};

/// What the policy needs besides the findings.
#[derive(Debug, Clone, Copy)]
pub struct PolicyInputs<'a> {
    /// The spec.
    pub pipeline: &'a Pipeline,
    /// The waivers file, when one is configured.
    pub waivers: Option<(&'a str, &'a WaiverFile)>,
    /// The baseline, when one is configured, with its path.
    pub baseline: Option<(&'a str, &'a Baseline)>,
    /// Today (UTC), for waiver expiry.
    pub today: Date,
}

/// What the baseline did in a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct BaselineOutcome {
    /// The baseline file.
    pub file: String,
    /// Fingerprints it holds.
    pub known: usize,
    /// Findings of this run already in it (they do not gate).
    pub matched: usize,
    /// Findings of this run not in it.
    pub new: usize,
    /// The fingerprints of this run's findings that are in it.
    pub matched_fingerprints: Vec<String>,
}

/// What the waivers file did in a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct WaiversReport {
    /// The waivers file.
    pub file: String,
    /// What each waiver did.
    #[serde(flatten)]
    pub outcome: WaiverOutcome,
}

/// The result of the policy step.
#[derive(Debug, Clone)]
pub struct PolicyOutcome {
    /// The verdict.
    pub verdict: Verdict,
    /// Why.
    pub reasons: Vec<String>,
    /// Findings dropped because their rule is disabled.
    pub disabled: usize,
    /// Waivers, when a file was given.
    pub waivers: Option<WaiversReport>,
    /// Baseline, when one was given.
    pub baseline: Option<BaselineOutcome>,
    known: BTreeSet<String>,
}

impl PolicyOutcome {
    /// Whether `finding` counts against the verdict (not waived, over its category's
    /// threshold, and not in the baseline).
    pub fn is_gating(&self, pipeline: &Pipeline, finding: &Finding) -> bool {
        is_gating(pipeline, finding) && !self.known.contains(&finding.fingerprint)
    }

    /// Whether `finding` is in the baseline.
    pub fn in_baseline(&self, finding: &Finding) -> bool {
        self.known.contains(&finding.fingerprint)
    }
}

/// Apply the policy to a check's findings and coverage.
pub fn apply_policy(
    inputs: &PolicyInputs<'_>,
    findings: &mut Vec<Finding>,
    coverage: &mut Coverage,
) -> PolicyOutcome {
    let disabled = apply_overrides(inputs.pipeline, findings);
    let waivers = inputs.waivers.map(|(file, w)| WaiversReport {
        file: file.to_owned(),
        outcome: apply_waivers(w, inputs.today, findings),
    });
    let known = inputs
        .baseline
        .map(|(_, b)| b.fingerprints())
        .unwrap_or_default();
    let baseline = inputs.baseline.map(|(file, b)| {
        let matched_fingerprints: Vec<String> = findings
            .iter()
            .filter(|f| known.contains(&f.fingerprint))
            .map(|f| f.fingerprint.clone())
            .collect();
        BaselineOutcome {
            file: file.to_owned(),
            known: b.findings.len(),
            matched: matched_fingerprints.len(),
            new: findings.len() - matched_fingerprints.len(),
            matched_fingerprints,
        }
    });
    let (verdict, mut reasons) =
        evaluate_with_baseline(inputs.pipeline, findings, coverage, &known);
    if let Some(w) = &waivers {
        for expired in &w.outcome.expired {
            reasons.push(format!(
                "waiver {} expired on {} and no longer applies ({} finding(s))",
                expired.id,
                expired.expires.as_deref().unwrap_or("?"),
                expired.matched
            ));
        }
    }
    PolicyOutcome {
        verdict,
        reasons,
        disabled,
        waivers,
        baseline,
        known,
    }
}
