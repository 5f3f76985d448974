//! The provenance policy: compiled from `verify.provenance`, evaluated against the
//! facts of a verified provenance predicate. Pure functions, no I/O.
//!
//! Also decides which SLSA build level a piece of provenance proves, for the VSA's
//! `verifiedLevels`: unsigned provenance proves nothing; signed provenance proves
//! L1; a signature by the builder itself lifts it to the builder's level (L3 for
//! slsa-github-generator's `_slsa3` reusable workflows, L2 for GitHub-hosted
//! runners attesting through GitHub's OIDC identity).

use globset::{Glob, GlobMatcher};
use serde::Serialize;

use super::accepted::Signer;
use super::{ProvenanceFacts, ProvenanceSpec, Rejection, VerifyError};

/// GitHub Actions' OIDC issuer.
const GITHUB_ACTIONS_ISSUER: &str = "https://token.actions.githubusercontent.com";
/// The builder id GitHub's `attest-build-provenance` writes.
const GITHUB_HOSTED_BUILDER: &str = "https://github.com/actions/runner/github-hosted";
/// slsa-github-generator's reusable workflows.
const SLSA_GITHUB_GENERATOR: &str =
    "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/";

/// A SLSA build level (0 = nothing proved).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(into = "String")]
pub struct SlsaBuildLevel(u8);

impl SlsaBuildLevel {
    /// Nothing proved.
    pub const NONE: Self = Self(0);

    /// The numeric level.
    pub fn get(self) -> u8 {
        self.0
    }

    /// The VSA `verifiedLevels` entry (`SLSA_BUILD_LEVEL_3`), or
    /// `SLSA_BUILD_LEVEL_UNEVALUATED` when nothing was proved.
    pub fn vsa_name(self) -> String {
        if self.0 == 0 {
            "SLSA_BUILD_LEVEL_UNEVALUATED".to_owned()
        } else {
            format!("SLSA_BUILD_LEVEL_{}", self.0)
        }
    }

    /// The level a piece of provenance proves. `signer` is `None` for unsigned
    /// (`BuildKit` in-index) provenance, which is evidence but never proof.
    pub fn proved_by(facts: &ProvenanceFacts, signer: Option<&Signer>) -> Self {
        let Some(signer) = signer else {
            return Self::NONE;
        };
        if let Signer::Certificate { identity, issuer } = signer {
            let github = issuer.as_deref() == Some(GITHUB_ACTIONS_ISSUER);
            // The generator signs with its own workflow identity, which must be the
            // builder the provenance names: then the builder vouches for itself.
            if github
                && facts.builder_id == *identity
                && identity.starts_with(SLSA_GITHUB_GENERATOR)
                && identity.contains("_slsa3.yml@refs/tags/v")
            {
                return Self(3);
            }
            if github && facts.builder_id == GITHUB_HOSTED_BUILDER {
                return Self(2);
            }
        }
        Self(1)
    }
}

impl schemars::JsonSchema for SlsaBuildLevel {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "SlsaBuildLevel".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^SLSA_BUILD_LEVEL_([1-4]|UNEVALUATED)$"
        })
    }
}

impl From<SlsaBuildLevel> for String {
    fn from(level: SlsaBuildLevel) -> Self {
        level.vsa_name()
    }
}

/// `verify.provenance`, compiled.
#[derive(Debug, Clone)]
pub struct ProvenanceCheck {
    /// Whether missing or failing provenance fails the verdict.
    pub required: bool,
    builder_id: Option<String>,
    build_type: Option<String>,
    source_repo: Option<String>,
    source_ref: Option<(String, GlobMatcher)>,
    min_level: Option<SlsaBuildLevel>,
}

fn mismatch(field: &str, expected: &str, found: Option<&str>) -> Rejection {
    Rejection::ProvenanceMismatch {
        field: field.to_owned(),
        expected: format!("{field} {expected}"),
        found: format!(
            "{field} {}",
            found.filter(|s| !s.is_empty()).unwrap_or("absent")
        ),
    }
}

impl ProvenanceCheck {
    /// Compile the spec (the ref glob).
    pub fn from_spec(spec: &ProvenanceSpec) -> Result<Self, VerifyError> {
        let source_ref = spec
            .source_ref
            .as_ref()
            .map(|pattern| {
                Glob::new(pattern)
                    .map(|g| (pattern.clone(), g.compile_matcher()))
                    .map_err(|e| VerifyError::RefPatternInvalid {
                        pattern: pattern.clone(),
                        detail: e.to_string(),
                    })
            })
            .transpose()?;
        Ok(Self {
            required: spec.required,
            builder_id: spec.builder_id.clone(),
            build_type: spec.build_type.clone(),
            source_repo: spec
                .source_repo
                .as_deref()
                .map(|r| super::slsa::parse_source_uri(r).repo),
            source_ref,
            min_level: spec.min_level.map(SlsaBuildLevel),
        })
    }

    /// Check the facts (and the level they prove) against the policy.
    pub fn evaluate(
        &self,
        facts: &ProvenanceFacts,
        level: SlsaBuildLevel,
    ) -> Result<(), Rejection> {
        if let Some(expected) = self.builder_id.as_ref().filter(|e| facts.builder_id != **e) {
            return Err(mismatch("builder_id", expected, Some(&facts.builder_id)));
        }
        if let Some(expected) = self.build_type.as_ref().filter(|e| facts.build_type != **e) {
            return Err(mismatch("build_type", expected, Some(&facts.build_type)));
        }
        if let Some(expected) = self
            .source_repo
            .as_ref()
            .filter(|e| facts.source_repo.as_deref() != Some(e.as_str()))
        {
            return Err(mismatch(
                "source_repo",
                expected,
                facts.source_repo.as_deref(),
            ));
        }
        if let Some((pattern, _)) = self
            .source_ref
            .as_ref()
            .filter(|(_, m)| !facts.source_ref.as_deref().is_some_and(|r| m.is_match(r)))
        {
            return Err(mismatch(
                "source_ref",
                &format!("matching {pattern}"),
                facts.source_ref.as_deref(),
            ));
        }
        if let Some(min) = self.min_level.filter(|min| level < *min) {
            return Err(mismatch("level", &min.vsa_name(), Some(&level.vsa_name())));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;
    use crate::verify::ProvenanceVersion;

    fn facts() -> ProvenanceFacts {
        ProvenanceFacts {
            version: ProvenanceVersion::V02,
            builder_id: "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/v1.10.0".into(),
            build_type: "https://github.com/slsa-framework/slsa-github-generator/container@v1".into(),
            source_repo: Some("https://github.com/slsa-framework/example-package".into()),
            source_ref: Some("refs/tags/v13.0.30".into()),
            source_commit: None,
        }
    }

    fn spec() -> ProvenanceSpec {
        ProvenanceSpec {
            required: true,
            builder_id: Some(facts().builder_id),
            build_type: None,
            source_repo: Some("git+https://github.com/slsa-framework/example-package.git".into()),
            source_ref: Some("refs/tags/v*".into()),
            min_level: Some(3),
            authorities: vec![],
        }
    }

    fn generator_signer() -> Signer {
        Signer::Certificate {
            identity: facts().builder_id,
            issuer: Some(GITHUB_ACTIONS_ISSUER.into()),
        }
    }

    #[test]
    fn generator_signed_by_itself_is_level_3_and_passes() {
        let level = SlsaBuildLevel::proved_by(&facts(), Some(&generator_signer()));
        assert_eq!(level.vsa_name(), "SLSA_BUILD_LEVEL_3");
        ProvenanceCheck::from_spec(&spec())
            .unwrap()
            .evaluate(&facts(), level)
            .unwrap();
    }

    #[test]
    fn unsigned_proves_nothing() {
        let level = SlsaBuildLevel::proved_by(&facts(), None);
        assert_eq!(level.vsa_name(), "SLSA_BUILD_LEVEL_UNEVALUATED");
        let err = ProvenanceCheck::from_spec(&spec())
            .unwrap()
            .evaluate(&facts(), level)
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("expected level SLSA_BUILD_LEVEL_3"),
            "{err}"
        );
    }

    #[test]
    fn other_signer_of_generator_provenance_is_level_1() {
        let signer = Signer::Certificate {
            identity: "https://github.com/evil/repo/.github/workflows/x.yml@refs/heads/main".into(),
            issuer: Some(GITHUB_ACTIONS_ISSUER.into()),
        };
        assert_eq!(SlsaBuildLevel::proved_by(&facts(), Some(&signer)).get(), 1);
    }

    #[test]
    fn each_field_is_checked() {
        let check = ProvenanceCheck::from_spec(&spec()).unwrap();
        let level = SlsaBuildLevel(3);
        let mut f = facts();
        f.builder_id = "https://example.com/other".into();
        assert!(
            check
                .evaluate(&f, level)
                .unwrap_err()
                .to_string()
                .contains("builder_id")
        );
        let mut f = facts();
        f.source_repo = Some("https://github.com/evil/example-package".into());
        assert!(
            check
                .evaluate(&f, level)
                .unwrap_err()
                .to_string()
                .contains("source_repo")
        );
        let mut f = facts();
        f.source_ref = Some("refs/heads/feature".into());
        let err = check.evaluate(&f, level).unwrap_err();
        assert_eq!(
            err.to_string(),
            "provenance mismatch: expected source_ref matching refs/tags/v*, found source_ref refs/heads/feature"
        );
        let mut f = facts();
        f.source_ref = None;
        assert!(check.evaluate(&f, level).is_err());
    }
}
