//! Secrets in the image configuration: `Env`, `Labels`, `Cmd`, `Entrypoint`,
//! `Healthcheck`, and every `history[].created_by`, including the build arguments
//! `BuildKit` records as `RUN |N KEY=VAL … cmd`. Input is the parsed config blob (OCI or
//! Docker schema, the same field names); output is redacted findings.

use serde_json::Value;

use super::scanner::Scanner;
use super::secret_finding::{SecretFinding, SecretSource};

/// Scan one image config document.
pub fn scan_image_config(scanner: &Scanner, config: &Value) -> Vec<SecretFinding> {
    let mut findings = Vec::new();
    let runtime = config
        .get("config")
        .or_else(|| config.get("container_config"));
    if let Some(runtime) = runtime {
        for entry in strings(runtime.get("Env")) {
            let key = entry.split_once('=').map(|(k, _)| k);
            scan_text(scanner, entry, SecretSource::Env, key, None, &mut findings);
        }
        if let Some(labels) = runtime.get("Labels").and_then(Value::as_object) {
            for (key, value) in labels {
                if let Some(value) = value.as_str() {
                    let text = format!("{key}={value}");
                    let key = Some(key.as_str());
                    scan_text(
                        scanner,
                        &text,
                        SecretSource::Label,
                        key,
                        None,
                        &mut findings,
                    );
                }
            }
        }
        for (field, source) in [
            ("Cmd", SecretSource::Cmd),
            ("Entrypoint", SecretSource::Entrypoint),
        ] {
            let joined = strings(runtime.get(field)).collect::<Vec<_>>().join(" ");
            scan_text(scanner, &joined, source, None, None, &mut findings);
        }
        let test = runtime.get("Healthcheck").and_then(|h| h.get("Test"));
        let joined = strings(test).collect::<Vec<_>>().join(" ");
        scan_text(
            scanner,
            &joined,
            SecretSource::Healthcheck,
            None,
            None,
            &mut findings,
        );
    }
    let history = config.get("history").and_then(Value::as_array);
    for (index, entry) in history.into_iter().flatten().enumerate() {
        let Some(created_by) = entry.get("created_by").and_then(Value::as_str) else {
            continue;
        };
        let mut args = Vec::new();
        for arg in buildkit_args(created_by) {
            let key = arg.split_once('=').map(|(k, _)| k);
            scan_text(
                scanner,
                arg,
                SecretSource::BuildArg,
                key,
                Some(index),
                &mut args,
            );
        }
        let mut whole = Vec::new();
        scan_text(
            scanner,
            created_by,
            SecretSource::History,
            None,
            Some(index),
            &mut whole,
        );
        // A build argument also appears in the instruction text: report it once, as
        // the build argument it is.
        whole.retain(|f| !args.iter().any(|a| a.secret == f.secret));
        findings.append(&mut args);
        findings.append(&mut whole);
    }
    findings
}

fn strings(value: Option<&Value>) -> impl Iterator<Item = &str> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
}

/// `RUN |2 A=1 B=2 /bin/sh -c …` → `["A=1", "B=2"]`.
pub fn buildkit_args(created_by: &str) -> Vec<&str> {
    let rest = created_by.trim_start();
    let rest = rest.strip_prefix("RUN ").unwrap_or(rest).trim_start();
    let Some(rest) = rest.strip_prefix('|') else {
        return Vec::new();
    };
    let mut parts = rest.split_whitespace();
    let Some(count) = parts.next().and_then(|n| n.parse::<usize>().ok()) else {
        return Vec::new();
    };
    parts
        .take(count.min(256))
        .filter(|p| p.contains('='))
        .collect()
}

fn scan_text(
    scanner: &Scanner,
    text: &str,
    source: SecretSource,
    key: Option<&str>,
    history_index: Option<usize>,
    out: &mut Vec<SecretFinding>,
) {
    if text.is_empty() {
        return;
    }
    scanner.scan(text.as_bytes(), &mut |m| {
        let mut finding = SecretFinding::from_match(&m, source);
        finding.key = key.map(str::to_owned);
        finding.history_index = history_index;
        out.push(finding);
    });
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use super::*;
    use crate::analyze::secrets::RuleSet;

    #[test]
    fn env_and_history_and_build_args_are_scanned() {
        let scanner = Scanner::new(&RuleSet::builtin().unwrap()).unwrap();
        let config = serde_json::json!({
            "config": {
                "Env": ["PATH=/usr/bin", "DB_USER=readonly_user", "DB_PASS=ComplexPassword123"],
                "Labels": {"deploy.token": "glpat-Zq8vL2mN4pR7sT1wX5yB"},
                "Cmd": ["psql", "postgres://app:Xk29vLq8Wm3Pz7Rt@db.internal/app"],
                "Healthcheck": {"Test": ["CMD", "curl", "-H", "Authorization: Bearer Zq8vL2mN4pR7sT1wX5yBc3Dd6Ef9Gh0J", "http://localhost/"]}
            },
            "history": [
                {"created_by": "ENV DB_PASS=ComplexPassword123", "empty_layer": true},
                {"created_by": "RUN |1 NPM_TOKEN=sk_live_Zq8vL2mN4pR7sT1wX5yBc3Dd /bin/sh -c npm ci"}
            ]
        });
        let found = scan_image_config(&scanner, &config);
        let summary: Vec<(SecretSource, &str, Option<&str>)> = found
            .iter()
            .map(|f| (f.source, f.rule.as_str(), f.key.as_deref()))
            .collect();
        assert!(summary.contains(&(
            SecretSource::Env,
            "secret.database-password-assignment",
            Some("DB_PASS")
        )));
        assert!(!summary.iter().any(|s| s.2 == Some("DB_USER")));
        assert!(summary.contains(&(
            SecretSource::Label,
            "secret.gitlab-personal-access-token",
            Some("deploy.token")
        )));
        assert!(summary.contains(&(SecretSource::Cmd, "secret.postgres-url-password", None)));
        assert!(summary.contains(&(SecretSource::Healthcheck, "secret.bearer-token", None)));
        assert!(summary.contains(&(
            SecretSource::History,
            "secret.database-password-assignment",
            None
        )));
        assert!(summary.contains(&(
            SecretSource::BuildArg,
            "secret.stripe-secret-key",
            Some("NPM_TOKEN")
        )));
        let stripe: Vec<_> = found
            .iter()
            .filter(|f| f.rule == "secret.stripe-secret-key")
            .collect();
        assert_eq!(stripe.len(), 1, "build arg reported once: {stripe:?}");
        assert_eq!(stripe[0].history_index, Some(1));
    }

    #[test]
    fn buildkit_args_are_parsed() {
        assert_eq!(
            buildkit_args("RUN |2 A=1 B=two /bin/sh -c make"),
            vec!["A=1", "B=two"]
        );
        assert!(buildkit_args("RUN /bin/sh -c make").is_empty());
        assert!(buildkit_args("|x A=1").is_empty());
    }
}
