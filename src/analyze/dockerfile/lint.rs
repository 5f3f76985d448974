//! Dockerfile lint: secrets in `ARG`/`ENV` (with `RUN --mount=type=secret` suggested),
//! `FROM` without a digest, `ADD` of a URL without a checksum, and a final stage with
//! no non-root `USER`. Key names decide secrecy here (the Dockerfile is the author's
//! intent); names are matched by whole words so `TOKENIZERS_PARALLELISM`, `GPG_KEY`,
//! `*_FILE` and `PWD` are not secrets. Values are never shown.

use crate::analyze::config::RuleSelection;
use crate::analyze::config::base_image::{Pinning, pinning};
use crate::analyze::config::config_analyzer::{root_user, unverified_url};
use crate::analyze::config::rule_catalogue::Origin;
use crate::finding::{Finding, Location, SourceKind};

use super::{Dockerfile, Instruction};

impl Dockerfile {
    /// Lint findings, each located at its line.
    pub fn lint(&self, selection: &RuleSelection) -> Vec<Finding> {
        let mut findings = Vec::new();
        let mut push = |id: &str, path: String, line: u64, message: String| {
            let mut location = Location::new(SourceKind::Dockerfile)
                .with_path(path)
                .with_line(line);
            location.dockerfile = Some(self.location(line));
            if let Some(f) = selection.finding(id, Origin::Own, &message, location) {
                findings.push(f);
            }
        };
        // ENV of the final image lands in its config, where the secret analyzer reports
        // it by value; only build-stage ENVs and ARGs (history) are the lint's.
        let final_lines: Vec<u64> = self
            .final_chain()
            .iter()
            .flat_map(|s| &s.instructions)
            .filter(|i| i.keyword == "ENV")
            .map(|i| i.line)
            .collect();
        let all = self
            .global_args
            .iter()
            .chain(self.stages.iter().flat_map(|s| &s.instructions))
            .filter(|i| !final_lines.contains(&i.line));
        for instruction in all {
            for (key, value) in assignments(instruction) {
                if !secret_name(&key) {
                    continue;
                }
                let literal = value
                    .as_deref()
                    .filter(|v| !v.is_empty() && !v.starts_with('$'));
                let found = match (instruction.keyword.as_str(), literal) {
                    ("ARG", _) => format!(
                        "`ARG {key}` (build arguments are recorded in the history of every RUN that uses them)"
                    ),
                    ("ENV", Some(v)) => format!(
                        "`ENV {key}` with a literal value of {} characters (it ships in the image config)",
                        v.chars().count()
                    ),
                    _ => continue,
                };
                push(
                    "dockerfile.secret-in-arg-env",
                    format!("{} {key}", instruction.keyword),
                    instruction.line,
                    format!(
                        "expected build secrets passed with `RUN --mount=type=secret,id={}` and runtime secrets injected at deploy, found {found}",
                        key.to_ascii_lowercase()
                    ),
                );
            }
        }
        for (index, stage) in self.stages.iter().enumerate() {
            if !self.builds_on_stage(index) {
                let kind = match pinning(&stage.base_resolved) {
                    Pinning::Latest => "a floating `latest`",
                    Pinning::Tag(_) => "a tag",
                    Pinning::Digest | Pinning::NotApplicable => "",
                };
                if !kind.is_empty() {
                    push(
                        "dockerfile.from-unpinned",
                        format!("FROM {}", stage.base_resolved),
                        stage.line,
                        format!(
                            "expected `FROM name:tag@sha256:…`, found `FROM {}` ({kind} without a digest)",
                            stage.base_resolved
                        ),
                    );
                }
            }
            for instruction in stage.instructions.iter().filter(|i| i.keyword == "ADD") {
                let words = format!("{} {}", instruction.flags.join(" "), instruction.body);
                if let Some(url) = unverified_url(&words) {
                    push(
                        "dockerfile.add-from-url",
                        format!("ADD {url}"),
                        instruction.line,
                        format!(
                            "expected remote files fetched with `ADD --checksum=sha256:…`, found `ADD` of {url}"
                        ),
                    );
                }
            }
        }
        let chain = self.final_chain();
        let last_user = chain
            .iter()
            .flat_map(|s| &s.instructions)
            .rfind(|i| i.keyword == "USER");
        let (found, line) = match last_user {
            Some(user) => (root_user(user.body.trim()), user.line),
            None => (root_user(""), self.final_from_line().unwrap_or(1)),
        };
        if let Some(found) = found {
            push(
                "dockerfile.missing-user",
                "USER".to_owned(),
                line,
                format!("expected the final stage to set a non-root `USER`, found {found}"),
            );
        }
        findings
    }
}

/// `KEY[=VALUE]` pairs of an `ARG` or `ENV` (`ENV KEY VALUE` legacy form too).
fn assignments(instruction: &Instruction) -> Vec<(String, Option<String>)> {
    match instruction.keyword.as_str() {
        "ARG" => instruction
            .body
            .split_whitespace()
            .map(|w| match w.split_once('=') {
                Some((k, v)) => (k.to_owned(), Some(v.trim_matches(['"', '\'']).to_owned())),
                None => (w.to_owned(), None),
            })
            .collect(),
        "ENV" => {
            let body = instruction.body.trim();
            let first = body.split_whitespace().next().unwrap_or("");
            if first.contains('=') {
                shell_words(body)
                    .into_iter()
                    .filter_map(|w| {
                        w.split_once('=')
                            .map(|(k, v)| (k.to_owned(), Some(v.to_owned())))
                    })
                    .collect()
            } else {
                let value = body.get(first.len()..).unwrap_or("").trim();
                vec![(first.to_owned(), Some(value.to_owned()))]
            }
        }
        _ => Vec::new(),
    }
}

/// Split on whitespace outside quotes, dropping the quotes.
fn shell_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quote = None;
    for c in text.chars() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, c) if c.is_whitespace() => {
                if !current.is_empty() {
                    words.push(std::mem::take(&mut current));
                }
            }
            _ => current.push(c),
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Whether a variable name says it holds a secret.
pub fn secret_name(key: &str) -> bool {
    let upper = key.to_ascii_uppercase();
    let words: Vec<&str> = upper
        .split(['_', '-', '.'])
        .filter(|w| !w.is_empty())
        .collect();
    if upper == "PWD" || upper.starts_with("GPG_KEY") {
        return false;
    }
    if let Some(last) = words.last()
        && matches!(
            *last,
            "FILE"
                | "PATH"
                | "DIR"
                | "URL"
                | "ID"
                | "NAME"
                | "USER"
                | "USERNAME"
                | "LENGTH"
                | "TYPE"
                | "HEADER"
                | "ENABLED"
        )
    {
        return false;
    }
    let secret_word = |w: &str| {
        matches!(
            w,
            "PASSWORD"
                | "PASSWD"
                | "PASS"
                | "PWD"
                | "SECRET"
                | "TOKEN"
                | "APIKEY"
                | "CREDENTIALS"
                | "CREDENTIAL"
        )
    };
    words.iter().any(|w| secret_word(w))
        || words.windows(2).any(|p| {
            matches!(p, [a, "KEY"] if matches!(*a, "API" | "PRIVATE" | "ACCESS" | "SECRET" | "SIGNING" | "ENCRYPTION" | "MASTER" | "AUTH"))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::pipeline::Profile;

    fn rules(text: &str) -> Vec<(String, u64)> {
        Dockerfile::parse("Dockerfile", text)
            .lint(&RuleSelection::profile(Profile::Default))
            .into_iter()
            .map(|f| (f.rule, f.location.dockerfile.unwrap().line))
            .collect()
    }

    #[test]
    fn secret_names_by_word() {
        for yes in [
            "DB_PASS",
            "API_KEY",
            "GITHUB_TOKEN",
            "AWS_SECRET_ACCESS_KEY",
            "npm-token",
            "PASSWORD",
        ] {
            assert!(secret_name(yes), "{yes}");
        }
        for no in [
            "TOKENIZERS_PARALLELISM",
            "GPG_KEY",
            "POSTGRES_PASSWORD_FILE",
            "PWD",
            "KEYCLOAK_VERSION",
            "AWS_ACCESS_KEY_ID",
            "PASSENGER_APP_ENV",
            "DB_USER",
        ] {
            assert!(!secret_name(no), "{no}");
        }
    }

    #[test]
    fn flags_the_classic_mistakes() {
        let found = rules(
            "FROM ubuntu:latest AS build\nARG NPM_TOKEN\nENV DB_PASS=ComplexPassword123 DB_USER=x\nADD https://example.com/a.tgz /opt/\nFROM scratch\nCOPY --from=build /opt /opt\nENV API_TOKEN=final-stage-env-is-the-secret-analyzers\nEXPOSE 80\n",
        );
        assert_eq!(
            found,
            vec![
                ("dockerfile.secret-in-arg-env".into(), 2),
                ("dockerfile.secret-in-arg-env".into(), 3),
                ("dockerfile.from-unpinned".into(), 1),
                ("dockerfile.add-from-url".into(), 4),
                ("dockerfile.missing-user".into(), 5),
            ]
        );
        let d = Dockerfile::parse(
            "Dockerfile",
            "FROM a AS b\nENV DB_PASS=ComplexPassword123\nFROM scratch\n",
        );
        assert_eq!(d.lint(&RuleSelection::profile(Profile::Default)).len(), 3);
        for f in d.lint(&RuleSelection::profile(Profile::Default)) {
            assert!(!f.message.contains("ComplexPassword123"), "{}", f.message);
        }
    }

    #[test]
    fn a_well_written_dockerfile_is_clean() {
        let found = rules(
            "# syntax=docker/dockerfile:1\nFROM golang:1.23@sha256:0000000000000000000000000000000000000000000000000000000000000000 AS build\nRUN --mount=type=secret,id=npm_token make\nADD --checksum=sha256:00 https://example.com/a.tgz /opt/\nFROM gcr.io/distroless/static@sha256:1111111111111111111111111111111111111111111111111111111111111111\nCOPY --from=build /out /app\nENV TOKEN_FILE=/run/secrets/token DB_PASS=$DB_PASS\nUSER 65532:65532\n",
        );
        assert!(found.is_empty(), "{found:?}");
    }
}
