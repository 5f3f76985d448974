//! SARIF 2.1.0 for GitHub code scanning (and any SARIF viewer). Findings inside an
//! image have no repository file, so each result's physical location is the Dockerfile
//! line when known, else an artifact under the `IMAGE_ROOT` base (`oci:///…@sha256:…/`)
//! naming the path in the image; the layer, platform and image digest go in
//! `logicalLocations` and `properties`. `partialFingerprints.primaryLocationLineHash`
//! is imgguard's own fingerprint, because `upload-sarif` cannot compute one for a file
//! it does not have, and it stays stable across rebuilds that move a finding.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;

use serde_json::{Value, json};

use super::Report;
use super::rule_info::find_rule;
use crate::finding::{Finding, Severity, SourceKind};

/// Results per run GitHub code scanning accepts.
pub const MAX_RESULTS: usize = 25_000;

/// The SARIF schema URI written into every document.
pub const SARIF_SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's `security-severity` (over 9.0 is critical, 7.0–8.9 high, 4.0–6.9 medium).
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

/// Percent-encode everything but unreserved characters and `/`, so any path in an
/// image is a valid relative URI reference.
pub fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.trim_start_matches('/').bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    if out.is_empty() {
        out.push_str("%2F");
    }
    out
}

fn source_dir(source: SourceKind) -> &'static str {
    match source {
        SourceKind::Env => "env",
        SourceKind::Label => "label",
        SourceKind::History => "history",
        SourceKind::Cmd => "cmd",
        SourceKind::Entrypoint => "entrypoint",
        SourceKind::Healthcheck => "healthcheck",
        SourceKind::User => "user",
        SourceKind::Expose => "expose",
        SourceKind::Volume => "volume",
        SourceKind::Metadata => "metadata",
        SourceKind::File | SourceKind::Filesystem | SourceKind::Dockerfile | SourceKind::Spec => "",
    }
}

/// The in-image name of a finding: `path!archive/entry` for files, `image-config/env/KEY`
/// for config values.
pub fn in_image_name(finding: &Finding) -> String {
    let loc = &finding.location;
    let path = loc.path.clone().unwrap_or_default();
    let mut name = match source_dir(loc.source) {
        "" => path,
        dir => format!("image-config/{dir}/{path}"),
    };
    for inner in &loc.archive_path {
        name.push('!');
        name.push_str(inner);
    }
    name
}

/// The Dockerfile line when known, else the Dockerfile itself, else the path in the image.
fn physical_location(report: &Report, finding: &Finding) -> Value {
    let loc = &finding.location;
    if let Some(df) = &loc.dockerfile {
        return json!({
            "artifactLocation": {"uri": uri_path(&df.file)},
            "region": {"startLine": df.line.max(1)}
        });
    }
    if loc.source == SourceKind::Spec
        && let Some(file) = &loc.path
    {
        // A spec line (a build argument): the spec file is in the repository.
        return json!({
            "artifactLocation": {"uri": uri_path(file)},
            "region": {"startLine": loc.line.unwrap_or(1).max(1)}
        });
    }
    if let Some(file) = &report.dockerfile {
        return json!({"artifactLocation": {"uri": uri_path(file)}});
    }
    let mut physical = json!({
        "artifactLocation": {"uri": uri_path(&in_image_name(finding)), "uriBaseId": "IMAGE_ROOT"}
    });
    if let (Some(line), Some(obj)) = (loc.line, physical.as_object_mut()) {
        obj.insert("region".into(), json!({"startLine": line.max(1)}));
    }
    physical
}

fn result(report: &Report, finding: &Finding, rule_index: usize) -> Value {
    let loc = &finding.location;
    let name = in_image_name(finding);
    let layer = loc.layer.as_ref();
    let mut where_ = format!("{name} in image {}", report.digest_text());
    if let Some(l) = layer {
        where_ = format!("{where_}, layer {} ({})", l.index, l.digest);
    }
    if let Some(p) = &loc.platform {
        where_ = format!("{where_}, platform {p}");
    }
    let mut message = format!("{} — {}. At {where_}.", finding.title, finding.message);
    if let Some(s) = &finding.secret {
        message = format!("{message} Value {} (sha256 {}).", s.redacted, s.sha256);
    }
    let qualified = match layer {
        Some(l) => format!("{}!/{}", l.digest, name.trim_start_matches('/')),
        None => format!("{}!/{name}", report.digest_text()),
    };
    let mut properties = json!({
        "category": finding.category.name(),
        "severity": finding.severity.name(),
        "pathInImage": name,
        "imageDigest": report.digest_text(),
        "deleted": loc.deleted,
        "overwritten": loc.overwritten,
        "gating": report.is_gating(finding),
    });
    if let Some(obj) = properties.as_object_mut() {
        if let Some(l) = layer {
            obj.insert("layerDigest".into(), json!(l.digest.to_string()));
            obj.insert("layerIndex".into(), json!(l.index));
            if let Some(by) = &l.created_by {
                obj.insert("createdBy".into(), json!(by));
            }
        }
        if let Some(p) = &loc.platform {
            obj.insert("platform".into(), json!(p));
        }
        if let Some(s) = &finding.secret {
            obj.insert("secretSha256".into(), json!(s.sha256));
        }
    }
    let mut result = json!({
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        // Gating findings are errors whatever their severity, like the annotations.
        "level": if report.is_gating(finding) { "error" } else { level(finding.severity) },
        "message": {"text": message},
        "locations": [{
            "physicalLocation": physical_location(report, finding),
            "logicalLocations": [{"fullyQualifiedName": qualified, "kind": "resource"}]
        }],
        "partialFingerprints": {
            "primaryLocationLineHash": finding.fingerprint,
            "imgguard/v1": finding.fingerprint
        },
        "properties": properties
    });
    if let Some(obj) = result.as_object_mut() {
        if report.baseline.is_some() {
            let state = if report.in_baseline(finding) {
                "unchanged"
            } else {
                "new"
            };
            obj.insert("baselineState".into(), json!(state));
        }
        if let Some(w) = &finding.waived {
            let mut justification = w.reason.clone();
            if let Some(owner) = &w.owner {
                justification = format!("{justification} (owner {owner})");
            }
            if let Some(expires) = &w.expires {
                justification = format!("{justification} (expires {expires})");
            }
            obj.insert(
                "suppressions".into(),
                json!([{"kind": "external", "status": "accepted", "justification": justification}]),
            );
        }
    }
    result
}

fn rule_descriptor(finding: &Finding) -> Value {
    let known = find_rule(&finding.rule);
    let title = known
        .as_ref()
        .map_or(finding.title.as_str(), |r| r.title.as_str());
    let description = known
        .as_ref()
        .map_or(finding.title.as_str(), |r| r.description.as_str());
    let remediation = known.as_ref().map_or("", |r| r.remediation.as_str());
    let severity = known.as_ref().map_or(finding.severity, |r| r.severity);
    let precision = match finding.confidence {
        crate::finding::Confidence::High => "high",
        crate::finding::Confidence::Medium => "medium",
        crate::finding::Confidence::Low => "low",
    };
    let help = format!(
        "{description}\n\n{remediation}\n\nRun `imgguard explain {}` for details.",
        finding.rule
    );
    json!({
        "id": finding.rule,
        "name": finding.rule,
        "shortDescription": {"text": title},
        "fullDescription": {"text": description},
        "help": {"text": help.trim_start(), "markdown": help.trim_start()},
        "defaultConfiguration": {"level": level(severity)},
        "properties": {
            "tags": ["security", "container", finding.category.name()],
            "precision": precision,
            "security-severity": security_severity(severity)
        }
    })
}

/// The SARIF document of a report.
pub fn sarif_document(report: &Report) -> Value {
    let mut rule_ids: BTreeMap<&str, usize> = BTreeMap::new();
    let mut rules = Vec::new();
    for f in &report.findings {
        if !rule_ids.contains_key(f.rule.as_str()) {
            rule_ids.insert(&f.rule, rules.len());
            rules.push(rule_descriptor(f));
        }
    }
    // GitHub rejects a run with more than 25,000 results; keep the most severe.
    let mut ordered: Vec<&Finding> = report.findings.iter().collect();
    if ordered.len() > MAX_RESULTS {
        ordered.sort_by_key(|f| (std::cmp::Reverse(f.severity), !report.is_gating(f)));
        ordered.truncate(MAX_RESULTS);
    }
    let omitted = report.findings.len() - ordered.len();
    let results: Vec<Value> = ordered
        .into_iter()
        .map(|f| {
            result(
                report,
                f,
                rule_ids.get(f.rule.as_str()).copied().unwrap_or(0),
            )
        })
        .collect();
    // An absolute URI with an empty authority, so any reference (a registry name, an
    // `oci:` path) is a valid path: `oci:///registry/repo@sha256:…/`.
    let name = uri_path(report.image.reference.split('@').next().unwrap_or(""));
    let image_root = match &report.image.digest {
        Some(d) => format!("oci:///{name}@{d}/"),
        None => format!("oci:///{name}/"),
    };
    let category = format!(
        "imgguard/{}/",
        report.pipeline.as_deref().unwrap_or("default")
    );
    json!({
        "$schema": SARIF_SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "imgguard",
                "version": report.tool.version,
                "semanticVersion": report.tool.version,
                "informationUri": "https://imgguard.dev",
                "rules": rules
            }},
            "automationDetails": {"id": category},
            "originalUriBaseIds": {"IMAGE_ROOT": {
                "uri": image_root,
                "description": {"text": "The root filesystem of the checked image"}
            }},
            "results": results,
            "properties": {
                "verdict": report.verdict.name(),
                "imageReference": report.image.reference,
                "imageDigest": report.digest_text(),
                "rulesetDigest": report.tool.ruleset_digest,
                "reasons": report.reasons,
                "omittedResults": omitted
            }
        }]
    })
}

/// Write the report as SARIF 2.1.0.
pub fn write_sarif(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &sarif_document(report))
        .map_err(std::io::Error::other)?;
    writeln!(out)
}
