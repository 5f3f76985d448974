//! The pipeline spec's `verify:` section (DESIGN §5), as plain serde structs.
//!
//! This is the user-facing model only: no I/O, no compiled patterns. The spec loader
//! deserialises it; [`super::ImageVerifier::from_spec`] turns it into checks
//! (reads keys and the trusted root, compiles identity patterns).

use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `verify:` — which signatures and provenance the image must carry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifySpec {
    /// Image signatures (cosign `.sig`, Sigstore bundles, cosign v3 signatures).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signatures: Option<SignaturesSpec>,
    /// SLSA provenance attestations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<ProvenanceSpec>,
    /// Read cosign tags and referrers from this repository instead of the image's
    /// (`registry/name`, like cosign's `COSIGN_REPOSITORY`, which it overrides).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
}

impl VerifySpec {
    /// Whether the section is absent or empty.
    pub fn is_empty(&self) -> bool {
        !self.asks_for_evidence() && self.repository.is_none()
    }

    /// Whether any signature or provenance check is configured (else none runs).
    pub fn asks_for_evidence(&self) -> bool {
        self.signatures.is_some() || self.provenance.is_some()
    }
}

/// `verify.signatures`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignaturesSpec {
    /// A missing or invalid signature fails the verdict (otherwise it is reported only).
    #[serde(default = "default_required")]
    pub required: bool,
    /// Sigstore `trusted_root.json` (Fulcio CAs, Rekor keys, TSAs); never fetched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted_root: Option<PathBuf>,
    /// Who may sign: any one authority's valid signature satisfies the requirement.
    pub authorities: Vec<AuthoritySpec>,
}

/// One trusted signer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum AuthoritySpec {
    /// A public key file (PEM `PUBLIC KEY`): cosign keyed signatures.
    Key(PathBuf),
    /// A Fulcio certificate identity: cosign keyless / Sigstore bundles.
    Keyless(KeylessSpec),
}

/// `keyless:` — the certificate identity a keyless signature must carry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeylessSpec {
    /// The OIDC issuer (Fulcio extension `1.3.6.1.4.1.57264.1.8`/`.1`), matched exactly.
    /// Omit it only for instances whose certificates carry no issuer (GitHub's release
    /// signer): then the certificate must have no issuer either.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// The certificate SAN (email or URI), matched exactly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// The certificate SAN as a regex, anchored at both ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_regex: Option<String>,
}

/// `verify.provenance`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProvenanceSpec {
    /// Missing or non-conforming provenance fails the verdict.
    #[serde(default = "default_required")]
    pub required: bool,
    /// Allowed `builder.id` (v0.2) / `runDetails.builder.id` (v1), exact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub builder_id: Option<String>,
    /// Allowed `buildType`, exact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_type: Option<String>,
    /// The source repository the build must come from (`https://github.com/org/repo`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_repo: Option<String>,
    /// The git ref the build must come from, as a glob (`refs/tags/v*`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_ref: Option<String>,
    /// The lowest SLSA build level the provenance must prove (1–3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_level: Option<u8>,
    /// Who may sign provenance; defaults to `verify.signatures.authorities`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authorities: Vec<AuthoritySpec>,
}

fn default_required() -> bool {
    true
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn design_example_parses() {
        let json = serde_json::json!({
            "signatures": {
                "required": true,
                "trusted_root": "trust/trusted_root.json",
                "authorities": [
                    {"key": "keys/release.pub"},
                    {"keyless": {"issuer": "https://token.actions.githubusercontent.com",
                                 "identity": "https://github.com/acme/payments/.github/workflows/release.yml@refs/heads/main"}}
                ]
            },
            "provenance": {
                "required": true,
                "builder_id": "https://github.com/actions/runner/github-hosted",
                "source_repo": "https://github.com/acme/payments",
                "source_ref": "refs/tags/v*"
            }
        });
        let spec: VerifySpec = serde_json::from_value(json).unwrap();
        let sigs = spec.signatures.unwrap();
        assert_eq!(sigs.authorities.len(), 2);
        assert_eq!(
            sigs.authorities.first().unwrap(),
            &AuthoritySpec::Key(PathBuf::from("keys/release.pub"))
        );
        assert_eq!(
            spec.provenance.unwrap().source_ref.as_deref(),
            Some("refs/tags/v*")
        );
    }

    #[test]
    fn design_yaml_parses_with_the_spec_loader() {
        let yaml = r"
signatures:
  required: true
  trusted_root: trust/trusted_root.json
  authorities:
    - key: keys/release.pub
    - keyless: {issuer: https://token.actions.githubusercontent.com,
                identity: https://github.com/acme/payments/.github/workflows/release.yml@refs/heads/main}
    - keyless:
        issuer: https://token.actions.githubusercontent.com
        identity_regex: 'https://github\.com/acme/.*'
provenance:
  required: true
  builder_id: https://github.com/actions/runner/github-hosted
  source_repo: https://github.com/acme/payments
  source_ref: refs/tags/v*
  min_level: 2
";
        let spec: VerifySpec = serde_saphyr::from_str(yaml).unwrap();
        let sigs = spec.signatures.unwrap();
        assert_eq!(sigs.authorities.len(), 3);
        assert!(matches!(
            sigs.authorities.get(2),
            Some(AuthoritySpec::Keyless(KeylessSpec {
                identity_regex: Some(_),
                ..
            }))
        ));
        assert_eq!(spec.provenance.unwrap().min_level, Some(2));
        let bad = "signatures: {authorities: [{certificate: x.pem}]}";
        assert!(serde_saphyr::from_str::<VerifySpec>(bad).is_err());
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let json = serde_json::json!({"signatures": {"authorities": [], "trust_root": "x"}});
        assert!(serde_json::from_value::<VerifySpec>(json).is_err());
        let json = serde_json::json!({"signatures": {"authorities": [{"keyless": {"issuer": "i", "subject": "s"}}]}});
        assert!(serde_json::from_value::<VerifySpec>(json).is_err());
    }

    #[test]
    fn required_defaults_to_true() {
        let json = serde_json::json!({"signatures": {"authorities": []}, "provenance": {}});
        let spec: VerifySpec = serde_json::from_value(json).unwrap();
        assert!(spec.signatures.unwrap().required);
        assert!(spec.provenance.unwrap().required);
    }
}
