//! What a rule is, for people: the catalogue entry every analyzer publishes through
//! [`Analyzer::rules`](super::Analyzer::rules), read by `imgguard explain` and by the
//! rule metadata of SARIF and the other reports.

use crate::finding::{Category, Severity};

/// One rule, described for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleDoc {
    /// Stable id, e.g. `filesystem.unsafe-path`.
    pub id: String,
    /// Family.
    pub category: Category,
    /// Default severity (a spec may override it).
    pub severity: Severity,
    /// One line.
    pub title: String,
    /// What the rule detects and why it matters.
    pub description: String,
    /// How to fix a finding.
    pub remediation: String,
}

impl RuleDoc {
    /// A rule from its parts.
    pub fn new(
        id: &str,
        category: Category,
        severity: Severity,
        title: &str,
        description: &str,
        remediation: &str,
    ) -> Self {
        Self {
            id: id.to_owned(),
            category,
            severity,
            title: title.to_owned(),
            description: description.to_owned(),
            remediation: remediation.to_owned(),
        }
    }
}
