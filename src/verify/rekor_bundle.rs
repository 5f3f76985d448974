//! cosign's legacy "Rekor bundle" annotation (`dev.sigstore.cosign/bundle`),
//! re-framed as a Sigstore transparency-log entry.
//!
//! `{"SignedEntryTimestamp": b64, "Payload": {"body": b64, "integratedTime": n,
//! "logIndex": n, "logID": hex}}`. The SET signs the canonical JSON of `Payload`;
//! turning the annotation into a `TransparencyLogEntry` with an inclusion promise
//! lets `sigstore-verify` check the SET, the integrated time against the
//! certificate, and the body against the signature, as for a v0.1 bundle.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use sigstore_types::bundle::{InclusionPromise, LogId};
use sigstore_types::{
    CanonicalizedBody, KindVersion, LogIndex, LogKeyId, SignedTimestamp, TransparencyLogEntry,
};

use super::Rejection;

/// The annotation key cosign stores the Rekor bundle under.
pub const REKOR_BUNDLE_ANNOTATION: &str = "dev.sigstore.cosign/bundle";

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RekorBundle {
    signed_entry_timestamp: String,
    payload: RekorPayload,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RekorPayload {
    body: String,
    integrated_time: i64,
    log_index: u64,
    #[serde(rename = "logID")]
    log_id: String,
}

/// The `kind`/`apiVersion` pair of a Rekor entry body.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BodyKind {
    kind: String,
    api_version: String,
}

const EXPECTED: &str =
    "a cosign Rekor bundle annotation (SET, body, integratedTime, logIndex, logID)";

/// Turn the annotation's JSON into a log entry carrying its SET.
pub fn tlog_entry_from_annotation(json: &str) -> Result<TransparencyLogEntry, Rejection> {
    let invalid = |found: String| Rejection::log_entry_invalid(EXPECTED, found);
    let bundle: RekorBundle =
        serde_json::from_str(json).map_err(|e| invalid(format!("unreadable JSON: {e}")))?;
    let body = STANDARD
        .decode(bundle.payload.body.as_bytes())
        .map_err(|e| invalid(format!("a body that is not base64: {e}")))?;
    let kind: BodyKind = serde_json::from_slice(&body)
        .map_err(|e| invalid(format!("a body without kind/apiVersion: {e}")))?;
    let kind_version: KindVersion = serde_json::from_value(serde_json::json!({
        "kind": kind.kind,
        "version": kind.api_version,
    }))
    .map_err(|e| invalid(e.to_string()))?;
    let set = STANDARD
        .decode(bundle.signed_entry_timestamp.as_bytes())
        .map_err(|e| invalid(format!("a SET that is not base64: {e}")))?;
    let log_id = hex::decode(&bundle.payload.log_id)
        .map_err(|e| invalid(format!("a logID that is not hex: {e}")))?;
    let log_index = LogIndex::new(bundle.payload.log_index).map_err(|e| invalid(e.to_string()))?;
    let integrated_time = jiff::Timestamp::from_second(bundle.payload.integrated_time)
        .map_err(|e| invalid(format!("integratedTime out of range: {e}")))?;
    Ok(TransparencyLogEntry::new(
        log_index,
        LogId::new(LogKeyId::new(log_id)),
        kind_version,
        CanonicalizedBody::new(body),
    )
    .with_integrated_time(integrated_time)
    .with_inclusion_promise(InclusionPromise::new(SignedTimestamp::new(set))))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn garbage_is_a_log_entry_rejection() {
        for bad in [
            "{}",
            "not json",
            r#"{"SignedEntryTimestamp":"!!","Payload":{"body":"e30=","integratedTime":1,"logIndex":1,"logID":"00"}}"#,
            r#"{"SignedEntryTimestamp":"AA==","Payload":{"body":"e30=","integratedTime":1,"logIndex":1,"logID":"00"}}"#,
        ] {
            let err = tlog_entry_from_annotation(bad).unwrap_err();
            assert_eq!(err.code(), "verify.log-entry-invalid", "{bad}");
        }
    }
}
