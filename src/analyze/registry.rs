//! The analyzers an engine runs. Adding an analyzer is one line in
//! [`default_analyzers`].

use sha2::{Digest as _, Sha256};

use std::sync::Arc;

use super::Analyzer;
use super::config::{ConfigAnalyzer, RuleSelection};
use super::dockerfile::Dockerfile;
use super::filesystem_checks::FilesystemChecks;
use super::filesystem_inventory::FilesystemInventory;
use super::secrets::secrets_analyzer::{default_secrets_analyzer, secrets_analyzer_for};
use crate::spec::Pipeline;

/// Every built-in analyzer, in a fixed order, with the default profile.
pub fn default_analyzers() -> Vec<Box<dyn Analyzer>> {
    vec![
        Box::new(FilesystemInventory),
        Box::new(ConfigAnalyzer::default()),
        Box::new(FilesystemChecks::default()),
        default_secrets_analyzer(),
    ]
}

/// Every built-in analyzer, configured by `pipeline` (profile, disabled rules) and
/// mapping findings to `dockerfile` when one is given.
pub fn analyzers_for(
    pipeline: &Pipeline,
    dockerfile: Option<Arc<Dockerfile>>,
) -> Vec<Box<dyn Analyzer>> {
    let selection = RuleSelection::from_pipeline(pipeline);
    vec![
        Box::new(FilesystemInventory),
        Box::new(ConfigAnalyzer::new(selection.clone(), dockerfile)),
        Box::new(FilesystemChecks::new(selection)),
        secrets_analyzer_for(&pipeline.checks.secrets),
    ]
}

/// A digest of what decides the findings: imgguard's version, then each analyzer's
/// name and [identity](Analyzer::ruleset_identity) — the secret rule packs as loaded
/// (built-in and user), the profile and the enabled/disabled rules. A report and the
/// VSA's verifier version carry it, so a changed rule means a changed digest.
pub fn ruleset_digest(analyzers: &[Box<dyn Analyzer>]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
    for a in analyzers {
        hasher.update(b"\0");
        hasher.update(a.name().as_bytes());
        hasher.update(b"\0");
        hasher.update(a.ruleset_identity().as_bytes());
    }
    format!("sha256:{}", hex::encode(hasher.finalize()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::analyze::secrets::builtin::PACKS;
    use crate::analyze::secrets::{FileScanOptions, RuleSet, SecretsAnalyzer};
    use crate::spec::pipeline::{LoadedRulePack, Profile};
    use crate::spec::{DEFAULT_PIPELINE, parse_pipeline};

    const USER_PACK: &str = r#"rules:
  - id: secret.acme-deploy-key
    title: ACME deploy key
    provider: acme
    kind: api-token
    long_lived: true
    severity: high
    confidence: high
    keywords: [acme_dk_]
    pattern: '\b(acme_dk_[A-Za-z0-9]{24})\b'
    fp_guard: fixed prefix and length
    examples: ["ACME=acme_dk_Zq8vL2mN4pR7sT1wX5yBc3Dd"]
"#;

    fn digest_of(pipeline: &Pipeline) -> String {
        ruleset_digest(&analyzers_for(pipeline, None))
    }

    fn default_pipeline() -> Pipeline {
        parse_pipeline(DEFAULT_PIPELINE, "default.yaml").unwrap()
    }

    fn secrets_digest(packs: &[(&str, &str)]) -> String {
        let rules = RuleSet::from_packs(packs).unwrap();
        let analyzer = SecretsAnalyzer::with_rules(&rules, FileScanOptions::default()).unwrap();
        ruleset_digest(&[Box::new(analyzer) as Box<dyn Analyzer>])
    }

    #[test]
    fn ruleset_digest_is_stable_for_the_same_rules() {
        assert_eq!(
            digest_of(&default_pipeline()),
            digest_of(&default_pipeline())
        );
        assert_eq!(secrets_digest(PACKS), secrets_digest(PACKS));
    }

    #[test]
    fn ruleset_digest_changes_when_a_builtin_rule_pack_changes() {
        let original = secrets_digest(PACKS);
        // Every built-in pack, one at a time, with one rule's severity changed.
        for (i, (name, text)) in PACKS.iter().enumerate() {
            let changed = ["critical", "high", "medium", "low"]
                .iter()
                .map(|s| format!("severity: {s}"))
                .find(|s| text.contains(s.as_str()))
                .map(|s| text.replacen(&s, "severity: info", 1))
                .unwrap_or_default();
            assert_ne!(&changed, text, "{name} has no severity to change");
            let mut packs: Vec<(&str, &str)> = PACKS.to_vec();
            packs[i] = (name, &changed);
            assert_ne!(
                secrets_digest(&packs),
                original,
                "changing {name} left the ruleset digest unchanged"
            );
        }
    }

    #[test]
    fn ruleset_digest_changes_with_user_packs_profile_and_rule_selection() {
        let base = default_pipeline();
        let base_digest = digest_of(&base);
        let mut with_pack = base.clone();
        with_pack.checks.secrets.loaded_packs = vec![LoadedRulePack {
            path: "acme.yaml".into(),
            text: USER_PACK.to_owned(),
        }];
        let pack_digest = digest_of(&with_pack);
        assert_ne!(pack_digest, base_digest);
        let mut edited_pack = with_pack.clone();
        edited_pack.checks.secrets.loaded_packs[0].text =
            USER_PACK.replace("severity: high", "severity: critical");
        assert_ne!(digest_of(&edited_pack), pack_digest);

        let mut strict = base.clone();
        strict.checks.profile = Profile::Strict;
        assert_ne!(digest_of(&strict), base_digest);

        let mut no_aws = base.clone();
        no_aws
            .checks
            .secrets
            .disable
            .push("secret.aws-access-key-id".into());
        assert_ne!(digest_of(&no_aws), base_digest);

        let mut no_root_user = base.clone();
        no_root_user
            .checks
            .config
            .disable
            .push("config.root-user".into());
        assert_ne!(digest_of(&no_root_user), base_digest);
    }
}
