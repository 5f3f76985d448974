//! SLSA provenance predicates (v0.2 and v1), reduced to the facts a policy checks.
//!
//! Input is the `predicate` of a Statement whose signature has already been
//! verified (or an unsigned `BuildKit` statement, which is evidence only). Output is
//! [`ProvenanceFacts`]: builder, build type, source repository, ref and commit. The
//! models are lenient about extra fields (upstream predicates grow); what imgguard
//! relies on must be present and of the right type.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Rejection;

/// `predicateType` of SLSA provenance v0.2.
pub const SLSA_PROVENANCE_V02: &str = "https://slsa.dev/provenance/v0.2";
/// `predicateType` of SLSA provenance v1.
pub const SLSA_PROVENANCE_V1: &str = "https://slsa.dev/provenance/v1";

/// Which provenance schema the facts came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
pub enum ProvenanceVersion {
    /// `https://slsa.dev/provenance/v0.2`
    #[serde(rename = "v0.2")]
    V02,
    /// `https://slsa.dev/provenance/v1`
    #[serde(rename = "v1")]
    V1,
}

/// What a provenance predicate says about how the image was built.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ProvenanceFacts {
    /// The schema.
    pub version: ProvenanceVersion,
    /// `builder.id` / `runDetails.builder.id` (may be empty, as `BuildKit` writes it).
    pub builder_id: String,
    /// `buildType`.
    pub build_type: String,
    /// Source repository, normalised (`https://github.com/org/repo`, no `git+`, no `.git`).
    pub source_repo: Option<String>,
    /// Git ref the build ran from (`refs/tags/v1.2.3`).
    pub source_ref: Option<String>,
    /// Source commit (git SHA-1 or SHA-256 hex).
    pub source_commit: Option<String>,
}

#[derive(Deserialize)]
struct Builder {
    #[serde(default)]
    id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PredicateV02 {
    builder: Builder,
    build_type: String,
    #[serde(default)]
    invocation: Option<InvocationV02>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct InvocationV02 {
    #[serde(default)]
    config_source: Option<ConfigSource>,
    #[serde(default)]
    environment: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct ConfigSource {
    #[serde(default)]
    uri: Option<String>,
    #[serde(default)]
    digest: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PredicateV1 {
    build_definition: BuildDefinition,
    run_details: RunDetails,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BuildDefinition {
    build_type: String,
    #[serde(default)]
    external_parameters: serde_json::Value,
    #[serde(default)]
    resolved_dependencies: Vec<ResourceDescriptor>,
}

#[derive(Deserialize)]
struct RunDetails {
    builder: Builder,
}

#[derive(Deserialize)]
struct ResourceDescriptor {
    #[serde(default)]
    uri: Option<String>,
    #[serde(default)]
    digest: BTreeMap<String, String>,
}

/// Where a source URI points: repository, and a ref or commit if it names one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceUri {
    /// Normalised repository URL.
    pub repo: String,
    /// A ref (`refs/…`) after `@` or `#`.
    pub git_ref: Option<String>,
    /// A commit hash after `@` or `#`.
    pub commit: Option<String>,
}

fn is_commit(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Split `git+https://github.com/org/repo@refs/tags/v1` or
/// `https://github.com/org/repo.git#<sha>` into repository, ref and commit.
pub fn parse_source_uri(uri: &str) -> SourceUri {
    let uri = uri.strip_prefix("git+").unwrap_or(uri);
    let (rest, fragment) = match uri.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (uri, None),
    };
    // Only an `@` in the path separates a revision; one in the authority is userinfo.
    let path_start = rest.find("://").map_or(0, |i| {
        rest.get(i + 3..)
            .and_then(|s| s.find('/'))
            .map_or(rest.len(), |j| i + 3 + j)
    });
    let (repo, revision) = match rest.get(path_start..).and_then(|p| p.rfind('@')) {
        Some(at) => (
            rest.get(..path_start + at).unwrap_or(rest),
            rest.get(path_start + at + 1..),
        ),
        None => (rest, None),
    };
    let repo = repo
        .strip_suffix(".git")
        .unwrap_or(repo)
        .trim_end_matches('/');
    let mut out = SourceUri {
        repo: repo.to_owned(),
        ..SourceUri::default()
    };
    for part in [revision, fragment].into_iter().flatten() {
        if part.is_empty() {
            continue;
        }
        if is_commit(part) {
            out.commit = Some(part.to_ascii_lowercase());
        } else {
            out.git_ref = Some(part.to_owned());
        }
    }
    out
}

fn commit_from(digest: &BTreeMap<String, String>) -> Option<String> {
    ["gitCommit", "sha1", "sha256"]
        .iter()
        .find_map(|k| digest.get(*k))
        .filter(|v| is_commit(v))
        .map(|v| v.to_ascii_lowercase())
}

fn malformed(predicate_type: &str, e: &serde_json::Error) -> Rejection {
    Rejection::PredicateTypeMismatch {
        expected: format!("a well-formed {predicate_type} predicate"),
        found: format!("a predicate imgguard cannot read: {e}"),
    }
}

impl ProvenanceFacts {
    /// Read the facts from a provenance predicate of the given type.
    pub fn from_predicate(
        predicate_type: &str,
        predicate: &serde_json::Value,
    ) -> Result<Self, Rejection> {
        match predicate_type {
            SLSA_PROVENANCE_V02 => {
                let p: PredicateV02 = serde_json::from_value(predicate.clone())
                    .map_err(|e| malformed(predicate_type, &e))?;
                Ok(Self::from_v02(p))
            }
            SLSA_PROVENANCE_V1 => {
                let p: PredicateV1 = serde_json::from_value(predicate.clone())
                    .map_err(|e| malformed(predicate_type, &e))?;
                Ok(Self::from_v1(p))
            }
            other => Err(Rejection::PredicateTypeMismatch {
                expected: format!("{SLSA_PROVENANCE_V1} or {SLSA_PROVENANCE_V02}"),
                found: other.to_owned(),
            }),
        }
    }

    fn from_v02(p: PredicateV02) -> Self {
        let mut facts = Self {
            version: ProvenanceVersion::V02,
            builder_id: p.builder.id,
            build_type: p.build_type,
            source_repo: None,
            source_ref: None,
            source_commit: None,
        };
        if let Some(invocation) = p.invocation {
            if let Some(source) = invocation.config_source {
                if let Some(uri) = source.uri.as_deref() {
                    let parsed = parse_source_uri(uri);
                    facts.source_repo = Some(parsed.repo);
                    facts.source_ref = parsed.git_ref;
                    facts.source_commit = parsed.commit;
                }
                if facts.source_commit.is_none() {
                    facts.source_commit = commit_from(&source.digest);
                }
            }
            // slsa-github-generator also records the ref in the environment.
            if facts.source_ref.is_none() {
                facts.source_ref = invocation
                    .environment
                    .as_ref()
                    .and_then(|e| e.get("github_ref"))
                    .and_then(serde_json::Value::as_str)
                    .filter(|s| !s.is_empty())
                    .map(ToOwned::to_owned);
            }
        }
        facts
    }

    fn from_v1(p: PredicateV1) -> Self {
        let mut facts = Self {
            version: ProvenanceVersion::V1,
            builder_id: p.run_details.builder.id,
            build_type: p.build_definition.build_type,
            source_repo: None,
            source_ref: None,
            source_commit: None,
        };
        let ext = &p.build_definition.external_parameters;
        let str_at = |pointer: &str| {
            ext.pointer(pointer)
                .and_then(serde_json::Value::as_str)
                .filter(|s| !s.is_empty())
                .map(ToOwned::to_owned)
        };
        // GitHub workflow build types name the source in `workflow`.
        if let Some(repo) = str_at("/workflow/repository") {
            facts.source_repo = Some(parse_source_uri(&repo).repo);
            facts.source_ref = str_at("/workflow/ref");
        } else if let Some(uri) = str_at("/configSource/uri").or_else(|| str_at("/source")) {
            // BuildKit v1 (`configSource`) and generic build types.
            let parsed = parse_source_uri(&uri);
            facts.source_repo = Some(parsed.repo);
            facts.source_ref = parsed.git_ref;
            facts.source_commit = parsed.commit;
        }
        // The commit comes from the resolved dependency of the same repository.
        for dep in &p.build_definition.resolved_dependencies {
            let Some(uri) = dep.uri.as_deref().filter(|u| u.starts_with("git+")) else {
                continue;
            };
            let parsed = parse_source_uri(uri);
            if facts
                .source_repo
                .as_deref()
                .is_some_and(|r| r != parsed.repo)
            {
                continue;
            }
            facts.source_repo.get_or_insert_with(|| parsed.repo.clone());
            if facts.source_ref.is_none() {
                facts.source_ref = parsed.git_ref;
            }
            if facts.source_commit.is_none() {
                facts.source_commit = commit_from(&dep.digest).or(parsed.commit);
            }
            break;
        }
        facts
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn source_uri_forms() {
        let p = parse_source_uri(
            "git+https://github.com/slsa-framework/example-package@refs/tags/v13.0.30",
        );
        assert_eq!(p.repo, "https://github.com/slsa-framework/example-package");
        assert_eq!(p.git_ref.as_deref(), Some("refs/tags/v13.0.30"));
        let p = parse_source_uri(
            "https://github.com/slsa-framework/example-package.git#d37a7f740ee7404914456f24dcd90e865a0509e8",
        );
        assert_eq!(p.repo, "https://github.com/slsa-framework/example-package");
        assert_eq!(
            p.commit.as_deref(),
            Some("d37a7f740ee7404914456f24dcd90e865a0509e8")
        );
        let p = parse_source_uri("https://user@example.com/repo");
        assert_eq!(p.repo, "https://user@example.com/repo");
        assert_eq!(p.git_ref, None);
    }

    #[test]
    fn v1_github_workflow() {
        let predicate = serde_json::json!({
            "buildDefinition": {
                "buildType": "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",
                "externalParameters": {"workflow": {"ref": "refs/heads/main",
                    "repository": "https://github.com/sigstore/sigstore-js", "path": ".github/workflows/release.yml"}},
                "resolvedDependencies": [{"uri": "git+https://github.com/sigstore/sigstore-js@refs/heads/main",
                    "digest": {"gitCommit": "7d2900eca1c22b3f87c13987c8d4b7c9a29b733a"}}]
            },
            "runDetails": {"builder": {"id": "https://github.com/actions/runner/github-hosted"}}
        });
        let f = ProvenanceFacts::from_predicate(SLSA_PROVENANCE_V1, &predicate).unwrap();
        assert_eq!(
            f.builder_id,
            "https://github.com/actions/runner/github-hosted"
        );
        assert_eq!(
            f.source_repo.as_deref(),
            Some("https://github.com/sigstore/sigstore-js")
        );
        assert_eq!(f.source_ref.as_deref(), Some("refs/heads/main"));
        assert_eq!(
            f.source_commit.as_deref(),
            Some("7d2900eca1c22b3f87c13987c8d4b7c9a29b733a")
        );
    }

    #[test]
    fn wrong_type_and_malformed_are_rejected() {
        let err =
            ProvenanceFacts::from_predicate("https://spdx.dev/Document", &serde_json::json!({}))
                .unwrap_err();
        assert_eq!(err.code(), "verify.predicate-type-mismatch");
        let err = ProvenanceFacts::from_predicate(
            SLSA_PROVENANCE_V1,
            &serde_json::json!({"runDetails": {}}),
        )
        .unwrap_err();
        assert_eq!(err.code(), "verify.predicate-type-mismatch");
    }
}
