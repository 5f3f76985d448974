//! `imgguard rules list` and `imgguard rules check FILE`: the secret rule catalogue, and
//! the proof a user's own rule pack gets before a pipeline may load it (the same proof
//! the built-in packs pass as tests).

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use serde::Serialize;

use super::CliError;
use super::args::RulesListFormat;
use crate::analyze::secrets::{
    CheckFailure, Confidence, Rule, RuleError, RuleSet, check_rules_within, example_captures,
    gates_by_default,
};
use crate::exit_code::ExitCode;

/// One rule as `rules list --format json` prints it.
#[derive(Debug, Serialize)]
struct ListedRule<'a> {
    id: &'a str,
    title: &'a str,
    provider: &'a str,
    kind: &'static str,
    long_lived: bool,
    severity: &'static str,
    confidence: &'static str,
    gates_by_default: bool,
    validator: Option<String>,
    origin: &'a str,
}

fn confidence_name(confidence: Confidence) -> &'static str {
    match confidence {
        Confidence::Low => "low",
        Confidence::Medium => "medium",
        Confidence::High => "high",
    }
}

fn listed(rule: &Rule) -> ListedRule<'_> {
    ListedRule {
        id: &rule.id,
        title: &rule.title,
        provider: &rule.provider,
        kind: rule.kind.as_str(),
        long_lived: rule.long_lived,
        severity: rule.severity.name(),
        confidence: confidence_name(rule.confidence),
        gates_by_default: gates_by_default(rule.confidence),
        validator: rule
            .validator
            .and_then(|v| serde_json::to_value(v).ok())
            .and_then(|v| v.as_str().map(str::to_owned)),
        origin: &rule.origin,
    }
}

fn rules_error(error: RuleError) -> CliError {
    CliError::Rules(Box::new(error))
}

fn write_out(stdout: &mut dyn Write, text: &str) -> Result<(), CliError> {
    stdout
        .write_all(text.as_bytes())
        .map_err(|source| CliError::Output {
            path: "stdout".into(),
            source,
        })
}

/// `imgguard rules list [--pack FILE]… [--format human|json]`.
pub fn list(
    packs: &[std::path::PathBuf],
    format: RulesListFormat,
    stdout: &mut dyn Write,
) -> Result<ExitCode, CliError> {
    let mut rules = RuleSet::builtin().map_err(rules_error)?;
    for pack in packs {
        rules
            .extend(&RuleSet::from_file(pack).map_err(rules_error)?)
            .map_err(rules_error)?;
    }
    let text = match format {
        RulesListFormat::Json => {
            let listed: Vec<ListedRule<'_>> = rules.rules().iter().map(listed).collect();
            let mut text = serde_json::to_string_pretty(&listed).unwrap_or_default();
            text.push('\n');
            text
        }
        RulesListFormat::Human => {
            let width = rules.rules().iter().map(|r| r.id.len()).max().unwrap_or(2);
            let mut text = format!(
                "{:<width$}  {:<14} {:<20} {:<8} {:<10} gates\n",
                "id", "provider", "kind", "severity", "confidence"
            );
            for rule in rules.rules() {
                let row = listed(rule);
                let _ = writeln!(
                    text,
                    "{:<width$}  {:<14} {:<20} {:<8} {:<10} {}",
                    row.id,
                    row.provider,
                    row.kind,
                    row.severity,
                    row.confidence,
                    if row.gates_by_default { "yes" } else { "no" }
                );
            }
            let gating = rules
                .rules()
                .iter()
                .filter(|r| gates_by_default(r.confidence))
                .count();
            let _ = write!(
                text,
                "\n{} rules ({gating} gate by default; low-confidence rules report without gating)\n",
                rules.len()
            );
            text
        }
    };
    write_out(stdout, &text)?;
    Ok(ExitCode::Pass)
}

/// `imgguard rules check FILE`: parse (line and column on error), compile, and prove
/// through the real scanner that every `examples` entry is found by its rule (alone and
/// next to the built-in rules) and no `negative_examples` entry is. Exit 0 when every
/// proof holds, 1 when one fails, 2 when the pack cannot be parsed or compiled.
/// A rule whose id is built in replaces the built-in one for the proof, so an edited
/// built-in pack (`rules check rules/aws.yaml`) is proven as it will ship.
pub fn check(file: &Path, stdout: &mut dyn Write) -> Result<ExitCode, CliError> {
    let pack = RuleSet::from_file(file).map_err(rules_error)?;
    let mut full = RuleSet::builtin().map_err(rules_error)?;
    let redefined: Vec<String> = pack.rules().iter().map(|r| r.id.clone()).collect();
    full.remove(&redefined);
    full.extend(&pack).map_err(rules_error)?;
    let failures = check_rules_within(pack.rules(), &full);
    let mut text = String::new();
    for rule in pack.rules() {
        let own: Vec<&CheckFailure> = failures.iter().filter(|f| f.rule == rule.id).collect();
        let status = if own.is_empty() { "ok  " } else { "FAIL" };
        let _ = writeln!(
            text,
            "{status} {} (line {}): {} example(s), {} negative example(s)",
            rule.id,
            rule.line,
            rule.examples.len(),
            rule.negative_examples.len()
        );
        for (i, capture) in example_captures(rule).iter().enumerate() {
            if let Some(capture) = capture {
                let _ = writeln!(text, "       example #{i} captured {}", capture.redacted);
            }
        }
        for failure in own {
            let _ = writeln!(text, "       {failure}");
        }
    }
    let global: Vec<&CheckFailure> = failures.iter().filter(|f| f.rule == "*").collect();
    for failure in &global {
        let _ = writeln!(text, "FAIL {failure}");
    }
    let _ = writeln!(
        text,
        "{}: {} rule(s), {}",
        file.display(),
        pack.len(),
        if failures.is_empty() {
            "every example and negative example proven".to_owned()
        } else {
            format!("{} proof(s) failed", failures.len())
        }
    );
    write_out(stdout, &text)?;
    Ok(if failures.is_empty() {
        ExitCode::Pass
    } else {
        ExitCode::Fail
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    const PACK: &str = r#"rules:
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
    negative_examples: ["ACME=acme_dk_short"]
"#;

    fn pack_file(text: &str) -> tempfile::NamedTempFile {
        let file = tempfile::NamedTempFile::new().unwrap();
        fs_err::write(file.path(), text).unwrap();
        file
    }

    #[test]
    fn rules_list_names_every_builtin_rule_in_both_formats() {
        let mut out = Vec::new();
        assert_eq!(
            list(&[], RulesListFormat::Json, &mut out).unwrap(),
            ExitCode::Pass
        );
        let rows: Vec<serde_json::Value> = serde_json::from_slice(&out).unwrap();
        assert_eq!(rows.len(), RuleSet::builtin().unwrap().len());
        let aws = rows
            .iter()
            .find(|r| r["id"] == "secret.aws-access-key-id")
            .unwrap();
        assert_eq!(aws["provider"], "aws");
        assert_eq!(aws["kind"], "cloud-key");
        assert_eq!(aws["severity"], "high");
        assert_eq!(aws["confidence"], "high");
        let mut human = Vec::new();
        list(&[], RulesListFormat::Human, &mut human).unwrap();
        let human = String::from_utf8(human).unwrap();
        assert!(
            human.contains("secret.generic-password-assignment"),
            "{human}"
        );
        assert!(human.lines().next().unwrap().contains("confidence"));
    }

    #[test]
    fn rules_check_proves_a_good_pack_and_shows_the_redacted_capture() {
        let file = pack_file(PACK);
        let mut out = Vec::new();
        assert_eq!(check(file.path(), &mut out).unwrap(), ExitCode::Pass);
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("ok   secret.acme-deploy-key"), "{text}");
        assert!(text.contains("captured acme…(32)"), "{text}");
        assert!(!text.contains("Zq8vL2mN4pR7sT1wX5yBc3Dd"), "{text}");
    }

    #[test]
    fn rules_check_proves_every_builtin_pack_file() {
        for (path, _) in crate::analyze::secrets::builtin::PACKS {
            let mut out = Vec::new();
            let code = check(Path::new(path), &mut out).unwrap();
            let text = String::from_utf8(out).unwrap();
            assert_eq!(code, ExitCode::Pass, "{path}:\n{text}");
            assert!(
                text.contains("every example and negative example proven"),
                "{text}"
            );
        }
    }

    #[test]
    fn rules_check_fails_with_1_on_a_broken_proof_and_2_on_a_broken_pack() {
        let wrong_negative = PACK.replace(
            "negative_examples: [\"ACME=acme_dk_short\"]",
            "negative_examples: [\"ACME=acme_dk_Zq8vL2mN4pR7sT1wX5yBc3Dd\"]",
        );
        let file = pack_file(&wrong_negative);
        let mut out = Vec::new();
        assert_eq!(check(file.path(), &mut out).unwrap(), ExitCode::Fail);
        assert!(
            String::from_utf8(out)
                .unwrap()
                .contains("negative_example #0 matched")
        );

        let unknown_key = PACK.replace("fp_guard:", "fp_gaurd:");
        let file = pack_file(&unknown_key);
        let err = check(file.path(), &mut Vec::new()).unwrap_err();
        assert_eq!(err.exit_code(), ExitCode::Usage);
        let message = err.to_string();
        assert!(message.contains("at line 11, column 5"), "{message}");
        assert!(message.contains("fp_gaurd"), "{message}");
    }
}
