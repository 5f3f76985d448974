//! JUnit XML (GitLab `artifacts:reports:junit`, and any CI test tab): one test suite
//! per check category, one test case per rule that fired (failing when any of its
//! findings gates) or a passing "no findings" case, and a coverage case that fails
//! when part of the image could not be checked. Values are redacted as in the report.

use std::collections::BTreeMap;
use std::io::Write;

use quick_junit::{NonSuccessKind, Property, TestCase, TestCaseStatus, TestSuite};

use super::Report;
use crate::finding::{Category, Finding};

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

/// The JUnit document of a report.
pub fn junit_document(report: &Report) -> quick_junit::Report {
    let mut doc = quick_junit::Report::new("imgguard");
    let mut by_category: BTreeMap<Category, BTreeMap<&str, Vec<&Finding>>> = BTreeMap::new();
    for c in [Category::Secret, Category::Config, Category::Filesystem] {
        by_category.entry(c).or_default();
    }
    for f in &report.findings {
        by_category
            .entry(f.category)
            .or_default()
            .entry(f.rule.as_str())
            .or_default()
            .push(f);
    }
    for (category, rules) in &by_category {
        let mut suite = TestSuite::new(format!("imgguard.{}", category.name()));
        suite.add_property(Property::new("image", report.digest_text()));
        if rules.is_empty() {
            let mut case = TestCase::new("no findings", TestCaseStatus::success());
            case.set_classname(format!("imgguard.{}", category.name()));
            suite.add_test_case(case);
        }
        for (rule, findings) in rules {
            let gating = findings.iter().filter(|f| report.is_gating(f)).count();
            let details: Vec<String> = findings.iter().map(|f| place(report, f)).collect();
            let mut status = if gating > 0 {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(format!(
                    "{gating} of {} finding(s) gate the deploy",
                    findings.len()
                ));
                s.set_type(category.name());
                s
            } else {
                TestCaseStatus::success()
            };
            if gating > 0 {
                status.set_description(details.join("\n"));
            }
            let mut case = TestCase::new(*rule, status);
            case.set_classname(format!("imgguard.{}", category.name()));
            case.set_assertions(findings.len());
            if gating == 0 {
                case.set_system_out(details.join("\n"));
            }
            suite.add_test_case(case);
        }
        doc.add_test_suite(suite);
    }
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
    doc.add_test_suite(coverage);
    doc
}

/// Write the report as JUnit XML.
pub fn write_junit(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let text = junit_document(report)
        .to_string()
        .map_err(std::io::Error::other)?;
    out.write_all(text.as_bytes())?;
    writeln!(out)
}
