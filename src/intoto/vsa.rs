//! The SLSA Verification Summary Attestation v1 predicate
//! (`https://slsa.dev/verification_summary/v1`, SLSA spec 1.0–1.2).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{InTotoError, ResourceDescriptor, Statement};

/// The VSA v1 predicate type.
pub const VSA_PREDICATE_TYPE: &str = "https://slsa.dev/verification_summary/v1";

/// Who verified: `id` (required) and component versions (optional).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VsaVerifier {
    /// `TypeURI` of the verifier; consumers pin it.
    pub id: String,
    /// Component → version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<BTreeMap<String, String>>,
}

/// The outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum VerificationResult {
    /// The artefact met the policy.
    #[serde(rename = "PASSED")]
    Passed,
    /// The artefact did not meet the policy (or was not fully checked).
    #[serde(rename = "FAILED")]
    Failed,
}

impl VerificationResult {
    /// `PASSED` or `FAILED`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Passed => "PASSED",
            Self::Failed => "FAILED",
        }
    }
}

/// The policy a VSA was evaluated against (a `ResourceDescriptor`).
pub type VsaPolicy = ResourceDescriptor;

/// A VSA v1 predicate. Unknown fields (URI-named extensions) are kept in `extensions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VsaPredicate {
    /// Who verified.
    pub verifier: VsaVerifier,
    /// When (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_verified: Option<String>,
    /// The resource the consumer expects, e.g. `oci://registry/repo@sha256:…`.
    pub resource_uri: String,
    /// The policy evaluated.
    pub policy: VsaPolicy,
    /// Every attestation (and report) the verdict relied on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_attestations: Option<Vec<ResourceDescriptor>>,
    /// `PASSED` or `FAILED`.
    pub verification_result: VerificationResult,
    /// Levels verified: `SLSA_BUILD_LEVEL_n` and custom non-`SLSA_` names.
    pub verified_levels: Vec<String>,
    /// Counts of dependency levels (`{}` = no dependencies; absent = no claim).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dependency_levels: Option<BTreeMap<String, u64>>,
    /// The SLSA spec version the levels refer to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slsa_version: Option<String>,
    /// URI-named extension fields.
    #[serde(flatten)]
    pub extensions: BTreeMap<String, serde_json::Value>,
}

impl VsaPredicate {
    /// Reads the VSA predicate out of a Statement, checking the predicate type.
    pub fn from_statement(statement: &Statement) -> Result<Self, InTotoError> {
        if statement.predicate_type != VSA_PREDICATE_TYPE {
            return Err(InTotoError::MalformedVsa {
                reason: format!(
                    "expected predicateType {VSA_PREDICATE_TYPE}, found {}",
                    statement.predicate_type
                ),
            });
        }
        serde_json::from_value(statement.predicate.clone()).map_err(|e| InTotoError::MalformedVsa {
            reason: e.to_string(),
        })
    }
}
