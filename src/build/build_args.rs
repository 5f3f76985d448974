//! Secret-looking build arguments. Build arguments are recorded in the history of
//! every `RUN` that uses them, so a secret passed as one ships in the image: the spec
//! should use `build.secrets` instead. This module decides which arguments look
//! secret (by name, as the Dockerfile lint judges `ARG` names, or because a secret
//! rule matches the value), so their values are redacted from every command line shown, and turns each
//! into a finding at its spec line. Values never leave this module unredacted.

use std::collections::{BTreeMap, BTreeSet};

use serde_saphyr::Spanned;

use crate::analyze::Analyzer;
use crate::analyze::config::RuleSelection;
use crate::analyze::config::rule_catalogue::Origin;
use crate::analyze::dockerfile::lint::secret_name;
use crate::finding::{Finding, Location, RedactedSecret, SourceKind};

/// The rule a secret-looking build argument reports under.
pub const SECRET_BUILD_ARG_RULE: &str = "dockerfile.secret-build-arg";

/// The keys of `args` whose values look secret.
pub fn secret_build_args(
    args: &BTreeMap<String, String>,
    analyzers: &[&dyn Analyzer],
) -> BTreeSet<String> {
    args.iter()
        .filter(|(key, value)| !value.is_empty() && looks_secret(key, value, analyzers))
        .map(|(key, _)| key.clone())
        .collect()
}

fn looks_secret(key: &str, value: &str, analyzers: &[&dyn Analyzer]) -> bool {
    if secret_name(key) {
        return true;
    }
    // Rules with a keyword context (`aws_secret_access_key = …`) need the key beside
    // the value; a match anywhere in the value part counts.
    let text = format!("{key}={value}");
    let value_start = key.len() + 1;
    let bytes = text.as_bytes();
    analyzers
        .iter()
        .flat_map(|a| a.secret_spans(bytes))
        .any(|span| span.end > value_start)
}

/// Where each `build.args` value sits in the spec text (1-based lines).
pub fn arg_lines(spec_text: &str) -> BTreeMap<String, u64> {
    #[derive(serde::Deserialize)]
    struct Doc {
        #[serde(default)]
        build: Option<Build>,
    }
    #[derive(serde::Deserialize)]
    struct Build {
        #[serde(default)]
        args: BTreeMap<String, Spanned<String>>,
    }
    // Positions are a convenience for the report: a spec whose values are not all
    // strings was already rejected by the real parser, so nothing is lost here.
    serde_saphyr::from_str::<Doc>(spec_text)
        .ok()
        .and_then(|d| d.build)
        .map(|b| {
            b.args
                .into_iter()
                .map(|(k, v)| (k, v.referenced.line()))
                .collect()
        })
        .unwrap_or_default()
}

/// One finding per secret-looking build argument, located at its spec line.
pub fn build_arg_findings(
    spec_file: &str,
    lines: &BTreeMap<String, u64>,
    args: &BTreeMap<String, String>,
    secret_keys: &BTreeSet<String>,
    selection: &RuleSelection,
) -> Vec<Finding> {
    args.iter()
        .filter(|(key, _)| secret_keys.contains(*key))
        .filter_map(|(key, value)| {
            let mut location = Location::new(SourceKind::Spec).with_path(spec_file);
            if let Some(line) = lines.get(key) {
                location = location.with_line(*line);
            }
            let secret = RedactedSecret::from_value(value.as_bytes());
            let message = format!(
                "expected build secrets passed with `build.secrets` (`--secret id=…,src=FILE`, read by `RUN --mount=type=secret`), found build argument `{key}` with a secret-looking value {} (build arguments are recorded in the image history)",
                secret.redacted
            );
            selection
                .finding(SECRET_BUILD_ARG_RULE, Origin::Own, &message, location)
                .map(|f| f.with_secret(secret))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;
    use crate::analyze::secrets::secrets_analyzer::default_secrets_analyzer;

    fn args(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn names_and_values_decide_secrecy() {
        let secrets = default_secrets_analyzer();
        let analyzers: Vec<&dyn Analyzer> = vec![secrets.as_ref()];
        let found = secret_build_args(
            &args(&[
                ("NPM_TOKEN", "abc123"),
                ("VERSION", "1.2.3"),
                ("GITHUB", "ghp_x"),
                ("SOMETHING", "AKIAY2G647QO5C7TM4EV"),
                ("DB_PASSWORD", ""),
                ("GPG_KEY", "ABCDEF0123456789"),
            ]),
            &analyzers,
        );
        assert_eq!(
            found.into_iter().collect::<Vec<_>>(),
            vec!["NPM_TOKEN".to_owned(), "SOMETHING".to_owned()]
        );
    }

    #[test]
    fn findings_carry_the_spec_line_and_never_the_value() {
        let spec = "apiVersion: imgguard.dev/v1\nkind: Pipeline\nmetadata: {name: x}\nbuild:\n  builder: buildah\n  args:\n    VERSION: \"1\"\n    NPM_TOKEN: npm_s3cr3tvalue0123456789\n";
        let lines = arg_lines(spec);
        assert_eq!(lines.get("NPM_TOKEN"), Some(&8));
        let values = args(&[("NPM_TOKEN", "npm_s3cr3tvalue0123456789"), ("VERSION", "1")]);
        let keys: BTreeSet<String> = ["NPM_TOKEN".to_owned()].into();
        let findings = build_arg_findings(
            "spec.yaml",
            &lines,
            &values,
            &keys,
            &RuleSelection::default(),
        );
        assert_eq!(findings.len(), 1);
        let f = &findings[0];
        assert_eq!(f.rule, SECRET_BUILD_ARG_RULE);
        assert_eq!(f.location.line, Some(8));
        assert_eq!(f.location.path.as_deref(), Some("spec.yaml"));
        let json = serde_json::to_string(f).unwrap();
        assert!(!json.contains("s3cr3tvalue"), "{json}");
        assert_eq!(f.secret.as_ref().unwrap().length, 25);
    }
}
