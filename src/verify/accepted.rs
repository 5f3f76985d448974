//! What a verifier hands back when a piece of evidence holds: who signed, what it
//! is bound to, how its time was established, and the now-trusted payload.
//!
//! Only a value of this type lets a payload (a Statement, a simple-signing body)
//! reach the provenance policy: it is built after the signature checked out, so an
//! unverified payload can never be mistaken for a verified one.

use crate::oci::Digest;
use schemars::JsonSchema;
use serde::Serialize;

/// Who produced a verified signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Signer {
    /// A configured public key.
    Key {
        /// The key file from the spec.
        source: String,
        /// base64(sha256(SPKI DER)), as Sigstore bundles' `publicKey.hint`.
        key_hint: String,
    },
    /// A Fulcio certificate whose chain was verified against the trusted root.
    Certificate {
        /// The certificate SAN.
        identity: String,
        /// The OIDC issuer claim, if the certificate has one.
        issuer: Option<String>,
    },
}

impl std::fmt::Display for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Key { source, key_hint } => write!(f, "key {source} ({key_hint})"),
            Self::Certificate { identity, issuer } => write!(
                f,
                "{identity} issued by {}",
                issuer.as_deref().unwrap_or("no issuer")
            ),
        }
    }
}

/// How the evidence's place in time (and in a log) was established.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Transparency {
    /// A transparency-log inclusion (SET and/or inclusion proof + checkpoint) verified.
    pub tlog_verified: bool,
    /// The earliest authenticated signing time (log integrated time or TSA time), RFC 3339.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed_at: Option<String>,
}

/// A DSSE payload whose signature has been verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedPayload {
    /// `payloadType` (`application/vnd.in-toto+json` for attestations).
    pub payload_type: String,
    /// The raw payload bytes the signature covers.
    pub bytes: Vec<u8>,
}

/// A signature that held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// Who signed.
    pub signer: Signer,
    /// The image digest the signature is bound to (`None` for a plain blob).
    pub bound_to: Option<Digest>,
    /// Log / timestamp evidence.
    pub transparency: Transparency,
    /// The verified DSSE payload, for attestations.
    pub payload: Option<VerifiedPayload>,
}
