//! in-toto Statements (v1 and v0.1) and `ResourceDescriptor`s (subjects, policy, inputs).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{IN_TOTO_PAYLOAD_TYPE, InTotoError, VerifiedEnvelope};
use crate::oci::Digest;

/// `_type` of an in-toto Statement v1.
pub const STATEMENT_V1: &str = "https://in-toto.io/Statement/v1";
/// `_type` of an in-toto Statement v0.1 (`BuildKit`, cosign v2 `attest`).
pub const STATEMENT_V01: &str = "https://in-toto.io/Statement/v0.1";
const MAX_SUBJECTS: usize = 4096;

/// A digest set: lowercase algorithm name → lowercase hex (or, for some ecosystems,
/// another encoding, e.g. Google's `gce_image_id`).
pub type DigestSet = BTreeMap<String, String>;

/// An in-toto `ResourceDescriptor` (the fields imgguard reads or writes).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceDescriptor {
    /// Human-readable name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Where the resource can be found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// Digests of the resource.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub digest: DigestSet,
    /// Media type of the resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// Free-form annotations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<serde_json::Map<String, serde_json::Value>>,
}

impl ResourceDescriptor {
    /// A descriptor with a URI and one digest.
    pub fn from_digest(uri: Option<String>, digest: &Digest) -> Self {
        Self {
            uri,
            digest: digest_set(digest),
            ..Self::default()
        }
    }
}

/// The in-toto digest set of an OCI digest: `{"sha256": "<hex>"}`.
pub fn digest_set(digest: &Digest) -> DigestSet {
    BTreeMap::from([(
        digest.algorithm().name().to_owned(),
        digest.hex().to_owned(),
    )])
}

/// Splits `algorithm:encoded` (e.g. `sha256:ab…`) and checks sha256/sha384/sha512 hex.
pub fn parse_digest(digest: &str) -> Option<(&str, &str)> {
    let (algorithm, encoded) = digest.split_once(':')?;
    let len = match algorithm {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => return None,
    };
    (encoded.len() == len
        && encoded
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
    .then_some((algorithm, encoded))
}

/// An in-toto Statement (v1 or v0.1; the fields imgguard uses have the same shape).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Statement {
    /// [`STATEMENT_V1`] or [`STATEMENT_V01`].
    #[serde(rename = "_type")]
    pub statement_type: String,
    /// The artefacts the statement is about.
    pub subject: Vec<ResourceDescriptor>,
    /// URI of the predicate's type.
    pub predicate_type: String,
    /// The predicate, uninterpreted.
    #[serde(default)]
    pub predicate: serde_json::Value,
}

impl Statement {
    /// Parses the payload of a verified envelope (payload type must be in-toto).
    pub fn from_verified(envelope: &VerifiedEnvelope<'_>) -> Result<Self, InTotoError> {
        if envelope.payload_type != IN_TOTO_PAYLOAD_TYPE {
            return Err(InTotoError::PayloadType {
                expected: IN_TOTO_PAYLOAD_TYPE.to_owned(),
                found: envelope.payload_type.to_owned(),
            });
        }
        Self::from_json(envelope.payload)
    }

    /// Parses Statement JSON. Call only on bytes whose signature was verified, or on
    /// bytes treated as unsigned evidence (`BuildKit` attestations).
    pub fn from_json(bytes: &[u8]) -> Result<Self, InTotoError> {
        let statement: Self =
            serde_json::from_slice(bytes).map_err(|e| InTotoError::MalformedStatement {
                reason: e.to_string(),
            })?;
        if statement.statement_type != STATEMENT_V1 && statement.statement_type != STATEMENT_V01 {
            return Err(InTotoError::MalformedStatement {
                reason: format!(
                    "expected _type {STATEMENT_V1} or {STATEMENT_V01}, found {}",
                    statement.statement_type
                ),
            });
        }
        if statement.subject.is_empty() || statement.subject.len() > MAX_SUBJECTS {
            return Err(InTotoError::MalformedStatement {
                reason: format!(
                    "expected 1 to {MAX_SUBJECTS} subjects, found {}",
                    statement.subject.len()
                ),
            });
        }
        Ok(statement)
    }

    /// True when a subject has `algorithm` → `encoded` among its digests
    /// (hex compared case-insensitively).
    pub fn has_subject_digest(&self, algorithm: &str, encoded: &str) -> bool {
        self.subject.iter().any(|s| {
            s.digest
                .get(algorithm)
                .is_some_and(|d| d.eq_ignore_ascii_case(encoded))
        })
    }

    /// True when a subject carries `digest`.
    pub fn has_subject(&self, digest: &Digest) -> bool {
        self.has_subject_digest(digest.algorithm().name(), digest.hex())
    }

    /// All subject digests as `algorithm:encoded`, for "found …" messages.
    pub fn subject_digests(&self) -> Vec<String> {
        self.subject
            .iter()
            .flat_map(|s| s.digest.iter().map(|(a, d)| format!("{a}:{d}")))
            .collect()
    }

    /// The Statement as compact JSON (field order: `_type`, `subject`, `predicateType`,
    /// `predicate`).
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::{STATEMENT_V01, Statement, parse_digest};

    #[test]
    fn parses_v01_and_v1_and_rejects_other_types() {
        for t in [STATEMENT_V01, "https://in-toto.io/Statement/v1"] {
            let json = format!(
                r#"{{"_type":"{t}","subject":[{{"name":"a","digest":{{"sha256":"AB"}}}}],"predicateType":"p","predicate":{{"x":1}},"extra":true}}"#
            );
            let s = Statement::from_json(json.as_bytes()).unwrap();
            assert!(s.has_subject_digest("sha256", "ab"));
            assert!(!s.has_subject_digest("sha512", "ab"));
            assert_eq!(s.subject_digests(), ["sha256:AB"]);
        }
        let other = br#"{"_type":"https://in-toto.io/Statement/v2","subject":[{"digest":{"sha256":"ab"}}],"predicateType":"p"}"#;
        assert!(Statement::from_json(other).is_err());
        let no_subject =
            br#"{"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":"p"}"#;
        assert!(Statement::from_json(no_subject).is_err());
    }

    #[test]
    fn digest_parsing_is_strict() {
        let hex = "a".repeat(64);
        assert_eq!(
            parse_digest(&format!("sha256:{hex}")),
            Some(("sha256", hex.as_str()))
        );
        assert_eq!(parse_digest(&format!("sha256:{}", "A".repeat(64))), None);
        assert_eq!(parse_digest("sha256:abc"), None);
        assert_eq!(parse_digest(&format!("md5:{hex}")), None);
        assert_eq!(parse_digest(&hex), None);
    }
}
