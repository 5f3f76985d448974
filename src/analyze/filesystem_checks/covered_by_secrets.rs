//! Path-only findings step aside when the secret analyzer proved the content: a file
//! found by name (`id_ed25519`, `.aws/credentials`, …) that a secret rule also matched
//! in the same layer is one problem, reported once, with the stronger evidence.

use crate::finding::{Category, Finding};

/// Rules whose finding is only the path's say-so.
const PATH_ONLY_RULES: &[&str] = &[
    "filesystem.ssh-host-key",
    "filesystem.ssh-private-key",
    "filesystem.credential-file",
    "filesystem.shell-history",
];

/// Remove path-only findings for files in which a secret finding was made. For the
/// engine to call once every analyzer's findings are collected.
pub fn drop_path_findings_covered_by_secrets(findings: &mut Vec<Finding>) {
    let key = |f: &Finding| {
        (
            f.location.platform.clone(),
            f.location.layer.as_ref().map(|l| l.index),
            f.location.path.clone(),
        )
    };
    let proven: std::collections::BTreeSet<_> = findings
        .iter()
        .filter(|f| f.category == Category::Secret && f.location.archive_path.is_empty())
        .map(key)
        .collect();
    findings.retain(|f| !(PATH_ONLY_RULES.contains(&f.rule.as_str()) && proven.contains(&key(f))));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Location, Severity, SourceKind};

    fn at(rule: &str, category: Category, path: &str) -> Finding {
        let mut location = Location::new(SourceKind::File).with_path(path);
        location.platform = Some("linux/amd64".into());
        Finding::new(rule, category, Severity::High, "t", "m", location)
    }

    #[test]
    fn keeps_path_findings_no_secret_rule_proved() {
        let mut findings = vec![
            at(
                "filesystem.ssh-private-key",
                Category::Filesystem,
                "/root/.ssh/id_rsa",
            ),
            at("secret.private-key", Category::Secret, "/root/.ssh/id_rsa"),
            at(
                "filesystem.credential-file",
                Category::Filesystem,
                "/root/.npmrc",
            ),
        ];
        drop_path_findings_covered_by_secrets(&mut findings);
        let rules: Vec<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
        assert_eq!(rules, ["secret.private-key", "filesystem.credential-file"]);
    }
}
