//! JUnit XML (GitLab `artifacts:reports:junit`, and any CI test tab): one test case
//! per check. Every rule the run evaluated is a case in its category's suite — passing
//! when it found nothing that gates, failing with its gating findings otherwise — a
//! category the spec switched off is a skipped case, each configured signature or
//! provenance requirement is a case, and a coverage case fails when part of the image
//! could not be checked. Values are redacted as in the report.

use std::collections::BTreeMap;
use std::io::Write;

use quick_junit::{NonSuccessKind, Property, TestCase, TestCaseStatus, TestSuite};

use super::Report;
use crate::finding::{Category, Finding};
use crate::verify::{RequirementResult, RequirementStatus};

fn place(report: &Report, f: &Finding) -> String {
    let mut text = super::sarif::in_image_name(f);
    if let Some(line) = f.location.line {
        text = format!("{text}:{line}");
    }
    if let Some(l) = &f.location.layer {
        text = format!("{text} (layer {} {})", l.index, l.digest.short());
    }
    if let Some(p) = &f.location.platform {
        text = format!("{text} [{p}]");
    }
    let mut tags = Vec::new();
    if report.is_gating(f) {
        tags.push("gating".to_owned());
    }
    if f.waived.is_some() {
        tags.push("waived".to_owned());
    }
    if report.in_baseline(f) {
        tags.push("baseline".to_owned());
    }
    let tags = if tags.is_empty() {
        String::new()
    } else {
        format!(" {{{}}}", tags.join(", "))
    };
    let value = f
        .secret
        .as_ref()
        .map(|s| format!(" value {} sha256:{}", s.redacted, s.sha256))
        .unwrap_or_default();
    format!(
        "{} {} at {text}: {}{value}{tags}",
        f.severity.name().to_uppercase(),
        f.rule,
        f.message
    )
}

/// The categories every check has a suite for (a category with no evaluated rule is a
/// skipped case: the spec switched it off).
const ALWAYS: [Category; 3] = [Category::Secret, Category::Config, Category::Filesystem];

/// The JUnit document of a report.
pub fn junit_document(report: &Report) -> quick_junit::Report {
    let mut doc = quick_junit::Report::new("imgguard");
    // category -> rule -> findings; every evaluated rule starts with none.
    let mut by_category: BTreeMap<Category, BTreeMap<&str, Vec<&Finding>>> = BTreeMap::new();
    for c in ALWAYS {
        by_category.entry(c).or_default();
    }
    for check in &report.checks {
        by_category
            .entry(check.category)
            .or_default()
            .entry(check.id.as_str())
            .or_default();
    }
    let mut verification_findings: BTreeMap<Category, Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        if matches!(f.category, Category::Signature | Category::Provenance)
            && requirement_of(report, f.category).is_some()
        {
            verification_findings.entry(f.category).or_default().push(f);
            continue;
        }
        by_category
            .entry(f.category)
            .or_default()
            .entry(f.rule.as_str())
            .or_default()
            .push(f);
    }
    for (category, rules) in &by_category {
        let classname = format!("imgguard.{}", category.name());
        let mut suite = TestSuite::new(classname.clone());
        suite.add_property(Property::new("image", report.digest_text()));
        if rules.is_empty() {
            let mut status = TestCaseStatus::skipped();
            status.set_message(format!(
                "{} checks are switched off by the spec",
                category.name()
            ));
            let mut case = TestCase::new(format!("{} checks", category.name()), status);
            case.set_classname(classname.clone());
            suite.add_test_case(case);
        }
        for (rule, findings) in rules {
            suite.add_test_case(rule_case(report, &classname, rule, findings));
        }
        doc.add_test_suite(suite);
    }
    if let Some(suite) = verification_suite(report, &verification_findings) {
        doc.add_test_suite(suite);
    }
    doc.add_test_suite(coverage_suite(report));
    doc
}

/// One rule's case: failing when any of its findings gates; the other findings
/// (waived, in the baseline, under the threshold) are listed in its output.
fn rule_case(report: &Report, classname: &str, rule: &str, findings: &[&Finding]) -> TestCase {
    let gating = findings.iter().filter(|f| report.is_gating(f)).count();
    let details: Vec<String> = findings.iter().map(|f| place(report, f)).collect();
    let status = if gating > 0 {
        let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
        s.set_message(format!(
            "{gating} of {} finding(s) gate the deploy",
            findings.len()
        ));
        s.set_type(classname.trim_start_matches("imgguard."));
        s.set_description(details.join("\n"));
        s
    } else {
        TestCaseStatus::success()
    };
    let mut case = TestCase::new(rule, status);
    case.set_classname(classname);
    case.set_assertions(findings.len());
    if gating == 0 && !details.is_empty() {
        case.set_system_out(details.join("\n"));
    }
    case
}

fn requirement_of(report: &Report, category: Category) -> Option<&RequirementResult> {
    match category {
        Category::Signature => report.verification.signatures.as_ref(),
        Category::Provenance => report.verification.provenance.as_ref(),
        _ => None,
    }
}

/// One case per configured verification requirement (`verify.signatures`,
/// `verify.provenance`), carrying the gating findings that explain a failure.
fn verification_suite(
    report: &Report,
    findings: &BTreeMap<Category, Vec<&Finding>>,
) -> Option<TestSuite> {
    let requirements: Vec<(Category, &str, &RequirementResult)> = [
        (Category::Signature, "signatures"),
        (Category::Provenance, "provenance"),
    ]
    .into_iter()
    .filter_map(|(c, name)| requirement_of(report, c).map(|r| (c, name, r)))
    .collect();
    if requirements.is_empty() {
        return None;
    }
    let mut suite = TestSuite::new("imgguard.verification");
    suite.add_property(Property::new("image", report.digest_text()));
    for (category, name, result) in requirements {
        let details: Vec<String> = findings
            .get(&category)
            .into_iter()
            .flatten()
            .map(|f| place(report, f))
            .chain(result.reason.iter().map(ToString::to_string))
            .chain(result.gaps.iter().cloned())
            .collect();
        let status = match (result.status, result.required) {
            (RequirementStatus::Satisfied, _) | (_, false) => TestCaseStatus::success(),
            (RequirementStatus::Failed, true) => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(format!("required {name} not satisfied"));
                s.set_type(category.name());
                s.set_description(details.join("\n"));
                s
            }
            (RequirementStatus::Incomplete, true) => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
                s.set_message(format!("required {name} could not be checked"));
                s.set_type("incomplete");
                s.set_description(details.join("\n"));
                s
            }
        };
        let passed = matches!(status, TestCaseStatus::Success { .. });
        let mut case = TestCase::new(name, status);
        case.set_classname("imgguard.verification");
        case.set_assertions(result.satisfied_by.len() + result.rejected.len());
        if passed && !details.is_empty() {
            case.set_system_out(details.join("\n"));
        }
        suite.add_test_case(case);
    }
    Some(suite)
}

fn coverage_suite(report: &Report) -> TestSuite {
    let mut coverage = TestSuite::new("imgguard.coverage");
    let open: Vec<String> = report
        .coverage
        .skipped
        .iter()
        .filter(|g| !g.accepted)
        .map(|g| format!("{}: {}", g.kind.name(), g.reason))
        .collect();
    let status = if open.is_empty() {
        TestCaseStatus::success()
    } else {
        let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
        s.set_message(format!(
            "{} part(s) of the image could not be checked",
            open.len()
        ));
        s.set_type("incomplete");
        s.set_description(open.join("\n"));
        s
    };
    let mut case = TestCase::new("every layer fully checked", status);
    case.set_classname("imgguard.coverage");
    coverage.add_test_case(case);
    coverage
}

/// Write the report as JUnit XML.
pub fn write_junit(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let text = junit_document(report)
        .to_string()
        .map_err(std::io::Error::other)?;
    out.write_all(text.as_bytes())?;
    writeln!(out)
}
