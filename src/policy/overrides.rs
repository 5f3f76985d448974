//! Per-rule overrides from the spec: a new severity, or the rule switched off (its
//! findings dropped before anything counts them), plus each category's `enabled` flag
//! and `disable` list.

use crate::finding::{Category, Finding};
use crate::spec::Pipeline;

/// Apply the spec's overrides to `findings`; returns how many findings were dropped
/// because their rule is disabled.
pub fn apply_overrides(pipeline: &Pipeline, findings: &mut Vec<Finding>) -> usize {
    let before = findings.len();
    findings.retain(|f| !is_disabled(pipeline, f));
    for finding in findings.iter_mut() {
        if let Some(severity) = pipeline
            .overrides
            .get(&finding.rule)
            .and_then(|o| o.severity)
        {
            finding.severity = severity;
        }
    }
    before - findings.len()
}

fn is_disabled(pipeline: &Pipeline, finding: &Finding) -> bool {
    !rule_enabled(pipeline, &finding.rule, finding.category)
}

/// Whether the spec lets rule `rule` of `category` report at all (its override, its
/// category's `enabled` flag and `disable` list).
pub fn rule_enabled(pipeline: &Pipeline, rule: &str, category: Category) -> bool {
    if pipeline.overrides.get(rule).is_some_and(|o| !o.enabled) {
        return false;
    }
    let settings = match category {
        Category::Secret => &pipeline.checks.secrets.common,
        Category::Config | Category::Dockerfile => &pipeline.checks.config,
        Category::Filesystem => &pipeline.checks.filesystem,
        Category::Signature | Category::Provenance => return true,
    };
    // A category switched off reports nothing, whichever analyzer produced the finding.
    settings.enabled && !settings.disable.iter().any(|r| r == rule)
}
