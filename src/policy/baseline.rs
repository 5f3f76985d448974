//! Baselines: the fingerprints of findings a team has already accepted as history
//! (`imgguard baseline IMAGE -o .imgguard/baseline.json`). With a baseline, only
//! findings whose fingerprint is not in it gate, so the gate can be adopted without
//! fixing every old finding first. Fingerprints leave out layer digests and line
//! numbers, so a rebuild that moves a known finding does not make it new.

use std::collections::BTreeSet;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::finding::Finding;

/// The schema identifier of a baseline file.
pub const BASELINE_SCHEMA_ID: &str = "imgguard.baseline/v1";

/// A baseline file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Always `imgguard.baseline/v1`.
    pub schema: String,
    /// The image the baseline was taken from (for people; matching uses fingerprints).
    pub image: BaselineImage,
    /// The known findings.
    pub findings: Vec<BaselineEntry>,
}

/// The image a baseline was taken from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BaselineImage {
    /// The reference as given.
    pub reference: String,
    /// Its digest, when it was resolved.
    pub digest: Option<String>,
}

/// One known finding: its fingerprint, plus the rule and path so a reviewer can read it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BaselineEntry {
    /// The finding's fingerprint.
    pub fingerprint: String,
    /// Its rule id.
    pub rule: String,
    /// Its path in the image or config key, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

impl Baseline {
    /// A baseline of every finding of a check (waived ones included: a waiver may
    /// expire, the history stays known).
    pub fn of_findings(reference: &str, digest: Option<String>, findings: &[Finding]) -> Self {
        let entries: BTreeSet<BaselineEntry> = findings
            .iter()
            .map(|f| BaselineEntry {
                fingerprint: f.fingerprint.clone(),
                rule: f.rule.clone(),
                path: f.location.path.clone(),
            })
            .collect();
        Self {
            schema: BASELINE_SCHEMA_ID.to_owned(),
            image: BaselineImage {
                reference: reference.to_owned(),
                digest,
            },
            findings: entries.into_iter().collect(),
        }
    }

    /// Parse a baseline file's text.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let baseline: Self = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if baseline.schema != BASELINE_SCHEMA_ID {
            return Err(format!(
                "expected schema `{BASELINE_SCHEMA_ID}`, found `{}`",
                baseline.schema
            ));
        }
        Ok(baseline)
    }

    /// The known fingerprints.
    pub fn fingerprints(&self) -> BTreeSet<String> {
        self.findings
            .iter()
            .map(|e| e.fingerprint.clone())
            .collect()
    }
}
