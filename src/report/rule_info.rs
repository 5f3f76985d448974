//! What a rule is, for `imgguard explain` and for the rule metadata of SARIF and other
//! reports. Analyzers own their rules; this is the catalogue the output layer reads.
//! [`rule_catalog`] lists the rules this build knows; analyzers that expose their own
//! metadata are added to it in one place.

use crate::finding::{Category, Severity};

/// One rule, described for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleInfo {
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

impl RuleInfo {
    fn new(
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

/// Every rule this build can explain, sorted by id.
pub fn rule_catalog() -> Vec<RuleInfo> {
    let mut rules = vec![
        RuleInfo::new(
            "filesystem.unsafe-path",
            Category::Filesystem,
            Severity::High,
            "Layer entry path escapes the root",
            "A tar entry in a layer has an absolute path or `..` components. Runtimes normalise such paths, but a hostile layer uses them to write outside the image root when a tool extracts it naively.",
            "Rebuild the layer with a builder that writes relative paths (docker, buildah, kaniko all do); never hand-craft layer tarballs.",
        ),
        RuleInfo::new(
            "filesystem.link-escapes-root",
            Category::Filesystem,
            Severity::Medium,
            "Symbolic link points outside the image root",
            "A symbolic link's target climbs out of the image root with `..`. Tools that follow links while extracting or copying can be made to read or write host files.",
            "Make the link relative within the image, or absolute to a path inside the image.",
        ),
        RuleInfo::new(
            "filesystem.hardlink-escapes-root",
            Category::Filesystem,
            Severity::High,
            "Hard link points outside the image root",
            "A hard link's target is outside the layer's root. A naive extractor links a host file into the container filesystem.",
            "Rebuild the layer; hard links must name files inside the image.",
        ),
        RuleInfo::new(
            "filesystem.pax-sparse",
            Category::Filesystem,
            Severity::Medium,
            "PAX sparse file in a layer",
            "The layer holds a PAX-format sparse file, which the tar reader cannot expand; its content was not scanned.",
            "Rebuild the layer without sparse files (GNU tar `--sparse` off, or copy the file normally).",
        ),
    ];
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    rules
}

/// The rule with `id`, if this build knows it.
pub fn find_rule(id: &str) -> Option<RuleInfo> {
    rule_catalog().into_iter().find(|r| r.id == id)
}
