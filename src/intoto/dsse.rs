//! DSSE envelopes (`secure-systems-lab/dsse` protocol v1): the PAE, signing, and
//! verification that hands out the payload only after a trusted key verified it.

use serde::{Deserialize, Serialize};

use super::InTotoError;
use crate::crypto::{PrivateKey, PublicKey};

/// The payload type of in-toto Statements in DSSE.
pub const IN_TOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";
/// The OCI media type of a DSSE envelope blob (cosign `.att` layers).
pub const DSSE_ENVELOPE_MEDIA_TYPE: &str = "application/vnd.dsse.envelope.v1+json";
/// The largest envelope imgguard parses (attestations are KBs; provenance can be
/// hundreds of KB).
pub const MAX_ENVELOPE_BYTES: usize = 8 * 1024 * 1024;
const MAX_SIGNATURES: usize = 32;

/// One signature in an envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvelopeSignature {
    /// Optional key hint; never trusted, only informative. cosign writes `""`.
    #[serde(default)]
    pub keyid: String,
    /// The signature bytes (base64 in JSON).
    #[serde(with = "b64")]
    pub sig: Vec<u8>,
}

/// A DSSE envelope as JSON carries it: `payloadType`, base64 `payload`, `signatures`.
///
/// Field order on output matches cosign's (`payloadType`, `payload`, `signatures`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    /// What the payload is, e.g. [`IN_TOTO_PAYLOAD_TYPE`].
    pub payload_type: String,
    /// The raw payload bytes (base64 in JSON).
    #[serde(with = "b64")]
    pub payload: Vec<u8>,
    /// Signatures over `pae(payload_type, payload)`.
    pub signatures: Vec<EnvelopeSignature>,
}

/// An envelope whose signature was verified by one of the trusted keys.
#[derive(Debug, Clone, Copy)]
pub struct VerifiedEnvelope<'a> {
    /// The verified payload type.
    pub payload_type: &'a str,
    /// The verified payload bytes.
    pub payload: &'a [u8],
    /// The trusted key that verified it.
    pub key: &'a PublicKey,
}

/// The DSSE v1 Pre-Authentication Encoding:
/// `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, lengths in ASCII decimal.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let type_len = payload_type.len().to_string();
    let body_len = payload.len().to_string();
    let mut out = Vec::with_capacity(
        10 + type_len.len() + payload_type.len() + body_len.len() + payload.len(),
    );
    out.extend_from_slice(b"DSSEv1 ");
    out.extend_from_slice(type_len.as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload_type.as_bytes());
    out.push(b' ');
    out.extend_from_slice(body_len.as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload);
    out
}

impl Envelope {
    /// Signs `payload` with `key` into a one-signature envelope (keyid `""`, as cosign).
    pub fn sign(payload_type: &str, payload: Vec<u8>, key: &PrivateKey) -> Self {
        let sig = key.sign(&pae(payload_type, &payload));
        Self {
            payload_type: payload_type.to_owned(),
            payload,
            signatures: vec![EnvelopeSignature {
                keyid: String::new(),
                sig,
            }],
        }
    }

    /// Parses envelope JSON from untrusted bytes (size- and count-bounded).
    pub fn from_json(bytes: &[u8]) -> Result<Self, InTotoError> {
        if bytes.len() > MAX_ENVELOPE_BYTES {
            return Err(InTotoError::TooLarge {
                size: bytes.len(),
                limit: MAX_ENVELOPE_BYTES,
            });
        }
        let envelope: Self =
            serde_json::from_slice(bytes).map_err(|e| InTotoError::MalformedEnvelope {
                reason: e.to_string(),
            })?;
        if envelope.signatures.len() > MAX_SIGNATURES {
            return Err(InTotoError::MalformedEnvelope {
                reason: format!(
                    "{} signatures, over the limit of {MAX_SIGNATURES}",
                    envelope.signatures.len()
                ),
            });
        }
        Ok(envelope)
    }

    /// The envelope as compact JSON.
    pub fn to_json(&self) -> Vec<u8> {
        // Serialising plain strings and byte vectors cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Verifies that at least one signature is valid over the PAE under one of
    /// `trusted` keys. Only then is the payload handed out.
    pub fn verify<'a>(
        &'a self,
        trusted: &'a [PublicKey],
    ) -> Result<VerifiedEnvelope<'a>, InTotoError> {
        if self.signatures.is_empty() {
            return Err(InTotoError::NoSignatures);
        }
        let message = pae(&self.payload_type, &self.payload);
        // keyid is an unauthenticated hint: try every signature with every key.
        for signature in &self.signatures {
            for key in trusted {
                if key.verify(&message, &signature.sig).is_ok() {
                    return Ok(VerifiedEnvelope {
                        payload_type: &self.payload_type,
                        payload: &self.payload,
                        key,
                    });
                }
            }
        }
        Err(InTotoError::SignatureInvalid {
            expected: if trusted.is_empty() {
                "no key (none trusted)".to_owned()
            } else {
                trusted
                    .iter()
                    .map(|k| format!("{} {}", k.algorithm(), k.key_hint()))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            found: self.signatures.len(),
        })
    }
}

/// Base64 for DSSE fields: writes standard padded base64; reads standard or URL-safe,
/// padded or not (the DSSE spec allows either).
mod b64 {
    use base64::Engine as _;
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    use serde::{Deserialize as _, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        STANDARD
            .decode(&text)
            .or_else(|_| STANDARD_NO_PAD.decode(&text))
            .or_else(|_| URL_SAFE.decode(&text))
            .or_else(|_| URL_SAFE_NO_PAD.decode(&text))
            .map_err(|_| serde::de::Error::custom("field is not base64"))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

    use super::{Envelope, IN_TOTO_PAYLOAD_TYPE, pae};
    use crate::crypto::{PrivateKey, PublicKey, fixtures};
    use crate::intoto::{InTotoError, Statement, VSA_PREDICATE_TYPE, VsaPredicate};

    #[test]
    fn pae_matches_the_dsse_spec_example() {
        // protocol.md test vector: type "http://example.com/HelloWorld", body "hello world".
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
        );
        assert_eq!(pae("", b""), b"DSSEv1 0  0 ".to_vec());
    }

    #[test]
    fn google_bcid_vsa_with_raw_rs_signature_verifies() {
        let dir = fixtures::realworld().join("vsa");
        let bytes = fs_err::read(dir.join("gke-gce-pre.bcid-vsa.jsonl")).unwrap();
        let key = PublicKey::from_pem(
            &fixtures::read(&dir.join("vsa_signing_public_key.pem")),
            "bcid",
        )
        .unwrap();
        let envelope = Envelope::from_json(bytes.trim_ascii()).unwrap();
        assert_eq!(
            envelope.signatures[0].sig.len(),
            64,
            "fixture is P1363 r||s"
        );
        let trusted = [key];
        let verified = envelope.verify(&trusted).unwrap();
        let statement = Statement::from_verified(&verified).unwrap();
        assert_eq!(statement.predicate_type, VSA_PREDICATE_TYPE);
        assert!(statement.has_subject_digest("gce_image_id", "8970095005306000053"));
        let vsa = VsaPredicate::from_statement(&statement).unwrap();
        assert_eq!(
            vsa.verifier.id,
            "https://bcid.corp.google.com/verifier/bcid_package_enforcer/v0.1"
        );
        assert_eq!(vsa.verified_levels, ["BCID_L1", "SLSA_BUILD_LEVEL_2"]);

        // One flipped payload byte breaks it.
        let mut tampered = envelope.clone();
        tampered.payload[20] ^= 1;
        assert!(matches!(
            tampered.verify(&trusted),
            Err(InTotoError::SignatureInvalid { found: 1, .. })
        ));
        // Another key does not verify it.
        let other = [PrivateKey::generate_p256().unwrap().public_key().clone()];
        assert!(envelope.verify(&other).is_err());
    }

    #[test]
    fn cosign_att_fixture_verifies_with_cosign_pub_and_not_the_other_key() {
        let dir = fixtures::local_keyed();
        let bytes = fs_err::read(dir.join("registry-dump/att.dsse-envelope.json")).unwrap();
        let envelope = Envelope::from_json(&bytes).unwrap();
        let good = [
            PublicKey::from_pem(&fixtures::read(&dir.join("cosign.pub")), "cosign.pub").unwrap(),
        ];
        let bad = [PublicKey::from_pem(
            &fixtures::read(&dir.join("sigstorelabel.pub")),
            "sigstorelabel.pub",
        )
        .unwrap()];
        let verified = envelope.verify(&good).unwrap();
        let statement = Statement::from_verified(&verified).unwrap();
        assert!(statement.has_subject_digest(
            "sha256",
            "4569ff20aee6683b2ec344d28ffdcaf4b761969bc0642276776deedd4bb5e94f"
        ));
        assert!(envelope.verify(&bad).is_err());
        // Our serialisation is byte-identical to what the cosign-like harness wrote.
        assert_eq!(envelope.to_json(), bytes);
        // A flipped byte anywhere in the payload fails.
        for i in [0, envelope.payload.len() / 2, envelope.payload.len() - 1] {
            let mut t = envelope.clone();
            t.payload[i] ^= 0x01;
            assert!(t.verify(&good).is_err(), "byte {i}");
        }
        let mut t = envelope.clone();
        t.payload_type.push('x');
        assert!(
            t.verify(&good).is_err(),
            "payload type is covered by the PAE"
        );
    }

    #[test]
    fn envelope_signed_here_verifies_with_python_cryptography() {
        let dir = tempfile::tempdir().unwrap();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/dsse_verify.py");
        let statement = br#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"x","digest":{"sha256":"00"}}],"predicateType":"https://slsa.dev/verification_summary/v1","predicate":{}}"#;
        for key in [
            PrivateKey::generate_p256().unwrap(),
            PrivateKey::generate_ed25519().unwrap(),
        ] {
            let envelope = Envelope::sign(IN_TOTO_PAYLOAD_TYPE, statement.to_vec(), &key);
            let env_path = dir.path().join("env.json");
            let key_path = dir.path().join("key.pem");
            fs_err::write(&env_path, envelope.to_json()).unwrap();
            fs_err::write(&key_path, key.public_key().to_pem()).unwrap();
            let run = |env: &std::path::Path| {
                std::process::Command::new("python3")
                    .arg(script)
                    .arg(env)
                    .arg(&key_path)
                    .output()
                    .unwrap()
            };
            let out = run(&env_path);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(out.stdout, b"https://slsa.dev/verification_summary/v1\n");
            // The oracle can fail: a flipped payload byte is refused.
            let mut tampered = envelope.clone();
            tampered.payload[10] ^= 1;
            fs_err::write(&env_path, tampered.to_json()).unwrap();
            assert!(!run(&env_path).status.success());
        }
    }

    #[test]
    fn malformed_envelopes_are_errors_not_panics() {
        for bad in [
            &b""[..],
            b"{}",
            b"[]",
            br#"{"payloadType":"t","payload":"!!","signatures":[]}"#,
            br#"{"payloadType":"t","payload":"","signatures":[{"sig":"%%"}]}"#,
        ] {
            assert!(
                Envelope::from_json(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        let unsigned =
            Envelope::from_json(br#"{"payloadType":"t","payload":"","signatures":[]}"#).unwrap();
        assert!(matches!(
            unsigned.verify(&[]),
            Err(InTotoError::NoSignatures)
        ));
        // URL-safe unpadded base64 is accepted for reading.
        let e =
            Envelope::from_json(br#"{"payloadType":"t","payload":"_-8","signatures":[]}"#).unwrap();
        assert_eq!(e.payload, [0xff, 0xef]);
    }
}
