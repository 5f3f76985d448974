//! `rules check`: prove, through the real scanner, that every rule's `examples` produce a
//! finding of that rule and its `negative_examples` do not. Built-in rules run this as a
//! test; users run it on their own packs with `imgguard rules check FILE`.

use super::rule::Rule;
use super::rule_set::RuleSet;
use super::scanner::Scanner;
use crate::finding::RedactedSecret;

/// What went wrong with one example.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckProblem {
    /// An `examples` entry produced no finding of the rule.
    ExampleNotMatched,
    /// An `examples` entry matched alone but the full rule set reported nothing there.
    ExampleLostInFullSet,
    /// A `negative_examples` entry produced a finding of the rule.
    NegativeMatched,
    /// The scanner for the rule could not be built.
    ScannerBuild(String),
}

/// One failed proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckFailure {
    /// Rule id.
    pub rule: String,
    /// Pack the rule came from.
    pub origin: String,
    /// Line of the rule in its pack.
    pub line: u64,
    /// 0-based index of the example (in `examples` or `negative_examples`).
    pub index: usize,
    /// What failed.
    pub problem: CheckProblem,
}

impl std::fmt::Display for CheckFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let i = self.index;
        let what = match &self.problem {
            CheckProblem::ExampleNotMatched => format!("example #{i} did not match"),
            CheckProblem::ExampleLostInFullSet => {
                format!("example #{i} matched alone but not with the full rule set")
            }
            CheckProblem::NegativeMatched => format!("negative_example #{i} matched"),
            CheckProblem::ScannerBuild(msg) => format!("scanner could not be built: {msg}"),
        };
        write!(
            f,
            "rule {} ({}:{}): {what}",
            self.rule, self.origin, self.line
        )
    }
}

/// Check every rule of `set`; an empty result means every proof holds.
pub fn check_rules(set: &RuleSet) -> Vec<CheckFailure> {
    check_rules_within(set.rules(), set)
}

/// Check `rules` (a user's pack) alone and inside `full` (the rules a scan would run:
/// the built-in rules plus every pack); an empty result means every proof holds.
pub fn check_rules_within(rules: &[Rule], full: &RuleSet) -> Vec<CheckFailure> {
    let mut failures = Vec::new();
    let full = match Scanner::new(full) {
        Ok(scanner) => Some(scanner),
        Err(err) => {
            failures.push(CheckFailure {
                rule: "*".to_owned(),
                origin: String::new(),
                line: 0,
                index: 0,
                problem: CheckProblem::ScannerBuild(err.to_string()),
            });
            None
        }
    };
    for rule in rules {
        check_rule(rule, full.as_ref(), &mut failures);
    }
    failures
}

/// What a rule's examples produced through the real scanner (the rule alone): the
/// redacted capture of each example, or `None` where it found nothing. For showing a
/// rule author what the capture group took; never holds a raw value.
pub fn example_captures(rule: &Rule) -> Vec<Option<RedactedSecret>> {
    let single = RuleSet::from_rules(vec![rule.clone()]);
    let Ok(alone) = Scanner::new(&single) else {
        return vec![None; rule.examples.len()];
    };
    rule.examples
        .iter()
        .map(|example| {
            let mut capture = None;
            alone.scan(example.as_bytes(), &mut |m| {
                if capture.is_none() && m.rule.id == rule.id {
                    capture = Some(m.redact());
                }
            });
            capture
        })
        .collect()
}

fn check_rule(rule: &Rule, full: Option<&Scanner>, failures: &mut Vec<CheckFailure>) {
    let fail = |index: usize, problem: CheckProblem| CheckFailure {
        rule: rule.id.clone(),
        origin: rule.origin.clone(),
        line: rule.line,
        index,
        problem,
    };
    let single = RuleSet::from_rules(vec![rule.clone()]);
    let alone = match Scanner::new(&single) {
        Ok(s) => s,
        Err(err) => {
            failures.push(fail(0, CheckProblem::ScannerBuild(err.to_string())));
            return;
        }
    };
    let finds = |scanner: &Scanner, input: &str, id: Option<&str>| {
        let mut hit = false;
        scanner.scan(input.as_bytes(), &mut |m| {
            if id.is_none_or(|id| m.rule.id == id) {
                hit = true;
            }
        });
        hit
    };
    for (i, example) in rule.examples.iter().enumerate() {
        if !finds(&alone, example, Some(&rule.id)) {
            failures.push(fail(i, CheckProblem::ExampleNotMatched));
        } else if full.is_some_and(|s| !finds(s, example, None)) {
            failures.push(fail(i, CheckProblem::ExampleLostInFullSet));
        }
    }
    for (i, negative) in rule.negative_examples.iter().enumerate() {
        if finds(&alone, negative, Some(&rule.id)) {
            failures.push(fail(i, CheckProblem::NegativeMatched));
        }
    }
}
