//! What a rule is, for `imgguard explain` and for the rule metadata of SARIF and other
//! reports. Analyzers own their rules and publish them through
//! [`Analyzer::rules`](crate::analyze::Analyzer::rules); [`rule_catalog`] gathers the
//! rules of every built-in analyzer (built once per process: compiling the secret rules
//! is not free).

use std::sync::OnceLock;

use crate::analyze::Analyzer;
use crate::analyze::registry::default_analyzers;

pub use crate::analyze::RuleDoc as RuleInfo;

/// The rules `analyzers` can report, one per id, sorted by id.
pub fn rules_of(analyzers: &[Box<dyn Analyzer>]) -> Vec<RuleInfo> {
    let mut rules: Vec<RuleInfo> = analyzers.iter().flat_map(|a| a.rules()).collect();
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    rules.dedup_by(|a, b| a.id == b.id);
    rules
}

fn catalog() -> &'static [RuleInfo] {
    static CATALOG: OnceLock<Vec<RuleInfo>> = OnceLock::new();
    CATALOG.get_or_init(|| rules_of(&default_analyzers()))
}

/// Every rule this build can explain, sorted by id.
pub fn rule_catalog() -> Vec<RuleInfo> {
    catalog().to_vec()
}

/// The rule with `id`, if this build knows it.
pub fn find_rule(id: &str) -> Option<RuleInfo> {
    let rules = catalog();
    rules
        .binary_search_by(|r| r.id.as_str().cmp(id))
        .ok()
        .and_then(|i| rules.get(i))
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Category;

    #[test]
    fn the_catalogue_knows_every_family() {
        let rules = rule_catalog();
        for category in [
            Category::Secret,
            Category::Config,
            Category::Filesystem,
            Category::Dockerfile,
        ] {
            assert!(
                rules.iter().any(|r| r.category == category),
                "no {} rules",
                category.name()
            );
        }
        // Every built-in secret rule pack is there.
        let secrets = crate::analyze::secrets::rule_set::RuleSet::builtin().unwrap();
        for r in secrets.rules() {
            assert!(find_rule(&r.id).is_some(), "{} is missing", r.id);
        }
        // Every config/filesystem/dockerfile catalogue rule, and the inventory's.
        for r in crate::analyze::config::RULES {
            assert!(find_rule(r.id).is_some(), "{} is missing", r.id);
        }
        for id in [
            "filesystem.unsafe-path",
            "filesystem.link-escapes-root",
            "filesystem.hardlink-escapes-root",
            "filesystem.pax-sparse",
        ] {
            assert!(find_rule(id).is_some(), "{id} is missing");
        }
        assert!(find_rule("secret.no-such-rule").is_none());
        // Ids are unique and every entry says why and how to fix.
        for r in &rules {
            assert!(
                !r.description.is_empty() && !r.remediation.is_empty(),
                "{}",
                r.id
            );
            assert!(
                r.id.starts_with(&format!("{}.", r.category.name())),
                "{}",
                r.id
            );
        }
    }
}
