//! Signing keys: cosign encrypted PEM (both labels), plain PKCS#8 PEM, `env://VAR`.
//!
//! The `attest` stage loads one of these to sign the VSA's DSSE envelope. ECDSA
//! signatures are produced in ASN.1 DER with deterministic nonces (RFC 6979), which is
//! what cosign, sigstore and Kyverno expect.

use std::fmt;

use p256::ecdsa::signature::Signer as _;
use pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _};
use zeroize::Zeroizing;

use super::cosign_key::{COSIGN_LABEL, SIGSTORE_LABEL, decrypt_cosign_key};
use super::key_source::{EnvLookup, KeySource, password_from_env};
use super::{CryptoError, PublicKey};

/// How a private key was stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrivateKeyFormat {
    /// `ENCRYPTED SIGSTORE PRIVATE KEY` (cosign ≥ 2.0).
    SigstoreEncrypted,
    /// `ENCRYPTED COSIGN PRIVATE KEY` (older cosign).
    CosignEncrypted,
    /// Unencrypted `PRIVATE KEY` (PKCS#8).
    Pkcs8,
}

enum Inner {
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    Ed25519(ed25519_dalek::SigningKey),
}

/// A private key that signs, with its public half.
pub struct PrivateKey {
    inner: Inner,
    public: PublicKey,
    format: PrivateKeyFormat,
}

impl fmt::Debug for PrivateKey {
    // Never print key material.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("public", &self.public)
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

impl PrivateKey {
    /// Loads a key from a file or `env://VAR`, taking the password (if the key is
    /// encrypted) from `IMGGUARD_KEY_PASSWORD` or `COSIGN_PASSWORD` in `env`.
    pub fn load(source: &KeySource, env: &dyn EnvLookup) -> Result<Self, CryptoError> {
        let pem = source.read_pem(env)?;
        let password = password_from_env(env);
        Self::from_pem(
            &pem,
            password.as_ref().map(|p| p.as_slice()),
            &source.display_name(),
        )
    }

    /// Parses PEM text. `password` is needed only for the encrypted formats.
    pub fn from_pem(
        pem: &str,
        password: Option<&[u8]>,
        source_name: &str,
    ) -> Result<Self, CryptoError> {
        let (label, body) =
            spki::der::pem::decode_vec(pem.trim().as_bytes()).map_err(|e| CryptoError::Pem {
                source_name: source_name.to_owned(),
                reason: e.to_string(),
            })?;
        let body = Zeroizing::new(body);
        let format = match label {
            SIGSTORE_LABEL => PrivateKeyFormat::SigstoreEncrypted,
            COSIGN_LABEL => PrivateKeyFormat::CosignEncrypted,
            "PRIVATE KEY" => PrivateKeyFormat::Pkcs8,
            other => {
                return Err(CryptoError::UnsupportedLabel {
                    source_name: source_name.to_owned(),
                    label: other.to_owned(),
                });
            }
        };
        let der = match format {
            PrivateKeyFormat::Pkcs8 => body,
            PrivateKeyFormat::SigstoreEncrypted | PrivateKeyFormat::CosignEncrypted => {
                let password = password.ok_or_else(|| CryptoError::MissingPassword {
                    source_name: source_name.to_owned(),
                })?;
                decrypt_cosign_key(&body, password, source_name)?
            }
        };
        Self::from_pkcs8_der(&der, format, source_name)
    }

    /// Parses a PKCS#8 DER private key (ECDSA P-256, P-384 or Ed25519).
    pub fn from_pkcs8_der(
        der: &[u8],
        format: PrivateKeyFormat,
        source_name: &str,
    ) -> Result<Self, CryptoError> {
        let (inner, public) = if let Ok(k) = p256::ecdsa::SigningKey::from_pkcs8_der(der) {
            let public = PublicKey::from_p256(*k.verifying_key())?;
            (Inner::P256(k), public)
        } else if let Ok(k) = p384::ecdsa::SigningKey::from_pkcs8_der(der) {
            let public = PublicKey::from_p384(*k.verifying_key())?;
            (Inner::P384(k), public)
        } else if let Ok(k) = ed25519_dalek::SigningKey::from_pkcs8_der(der) {
            let public = PublicKey::from_ed25519(k.verifying_key())?;
            (Inner::Ed25519(k), public)
        } else {
            return Err(CryptoError::UnsupportedKey {
                source_name: source_name.to_owned(),
                kind: "private",
            });
        };
        Ok(Self {
            inner,
            public,
            format,
        })
    }

    /// A fresh ECDSA P-256 key from the operating system's random source.
    pub fn generate_p256() -> Result<Self, CryptoError> {
        // Rejection-sample a scalar: 32 random bytes are a valid key except with
        // probability ~2^-32 (zero or ≥ the group order).
        for _ in 0..64 {
            let mut bytes = Zeroizing::new([0u8; 32]);
            getrandom::fill(bytes.as_mut_slice()).map_err(|_| CryptoError::Random)?;
            if let Ok(k) = p256::ecdsa::SigningKey::from_slice(bytes.as_slice()) {
                let public = PublicKey::from_p256(*k.verifying_key())?;
                return Ok(Self {
                    inner: Inner::P256(k),
                    public,
                    format: PrivateKeyFormat::Pkcs8,
                });
            }
        }
        Err(CryptoError::Random)
    }

    /// A fresh Ed25519 key from the operating system's random source.
    pub fn generate_ed25519() -> Result<Self, CryptoError> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        getrandom::fill(bytes.as_mut_slice()).map_err(|_| CryptoError::Random)?;
        let k = ed25519_dalek::SigningKey::from_bytes(&bytes);
        let public = PublicKey::from_ed25519(k.verifying_key())?;
        Ok(Self {
            inner: Inner::Ed25519(k),
            public,
            format: PrivateKeyFormat::Pkcs8,
        })
    }

    /// The public half.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// How the key was stored.
    pub fn format(&self) -> PrivateKeyFormat {
        self.format
    }

    /// The key as PKCS#8 DER (secret: zeroized on drop).
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let doc = match &self.inner {
            Inner::P256(k) => k.to_pkcs8_der(),
            Inner::P384(k) => k.to_pkcs8_der(),
            Inner::Ed25519(k) => k.to_pkcs8_der(),
        }
        .map_err(|_| CryptoError::UnsupportedKey {
            source_name: "in-memory key".to_owned(),
            kind: "private",
        })?;
        Ok(Zeroizing::new(doc.as_bytes().to_vec()))
    }

    /// Signs `message`: ECDSA (SHA-256 for P-256, SHA-384 for P-384) as ASN.1 DER, or
    /// a 64-byte Ed25519 signature.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        match &self.inner {
            Inner::P256(k) => {
                let sig: p256::ecdsa::DerSignature = k.sign(message);
                sig.as_bytes().to_vec()
            }
            Inner::P384(k) => {
                let sig: p384::ecdsa::DerSignature = k.sign(message);
                sig.as_bytes().to_vec()
            }
            Inner::Ed25519(k) => k.sign(message).to_bytes().to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

    use std::collections::HashMap;

    use super::{PrivateKey, PrivateKeyFormat};
    use crate::crypto::{CryptoError, KeySource, PublicKey, fixtures};

    const PASSWORD: &[u8] = b"imgguard-test";

    #[test]
    fn loads_both_cosign_labels_from_the_shared_fixtures() {
        let dir = fixtures::local_keyed();
        for (name, format) in [
            ("cosign", PrivateKeyFormat::CosignEncrypted),
            ("sigstorelabel", PrivateKeyFormat::SigstoreEncrypted),
        ] {
            let pem = fixtures::read(&dir.join(format!("{name}.key")));
            let key = PrivateKey::from_pem(&pem, Some(PASSWORD), name).unwrap();
            assert_eq!(key.format(), format);
            let public =
                PublicKey::from_pem(&fixtures::read(&dir.join(format!("{name}.pub"))), name)
                    .unwrap();
            assert_eq!(key.public_key(), &public, "{name}: public half differs");
            let sig = key.sign(b"hello");
            public.verify(b"hello", &sig).unwrap();
        }
    }

    #[test]
    fn wrong_or_missing_password_is_refused() {
        let dir = fixtures::local_keyed();
        let pem = fixtures::read(&dir.join("cosign.key"));
        let err = PrivateKey::from_pem(&pem, Some(b"wrong"), "cosign.key").unwrap_err();
        assert!(matches!(err, CryptoError::WrongPassword { .. }), "{err}");
        let err = PrivateKey::from_pem(&pem, None, "cosign.key").unwrap_err();
        assert!(matches!(err, CryptoError::MissingPassword { .. }), "{err}");
    }

    #[test]
    fn loads_a_real_cosign_generated_key_with_empty_password() {
        let path = fixtures::realworld().join("keys/cosign_generated_encrypted_empty_private.key");
        let env: HashMap<String, String> =
            HashMap::from([("COSIGN_PASSWORD".to_owned(), String::new())]);
        let key = PrivateKey::load(&KeySource::File(path), &env).unwrap();
        assert_eq!(key.format(), PrivateKeyFormat::SigstoreEncrypted);
        let sig = key.sign(b"m");
        key.public_key().verify(b"m", &sig).unwrap();
    }

    #[test]
    fn env_source_and_password_precedence() {
        let dir = fixtures::local_keyed();
        let pem = fixtures::read(&dir.join("cosign.key"));
        // IMGGUARD_KEY_PASSWORD wins over COSIGN_PASSWORD.
        let env: HashMap<String, String> = HashMap::from([
            ("SIGNING_KEY".to_owned(), pem),
            (
                "IMGGUARD_KEY_PASSWORD".to_owned(),
                "imgguard-test".to_owned(),
            ),
            ("COSIGN_PASSWORD".to_owned(), "wrong".to_owned()),
        ]);
        let source = KeySource::parse("env://SIGNING_KEY");
        assert_eq!(source, KeySource::Env("SIGNING_KEY".to_owned()));
        PrivateKey::load(&source, &env).unwrap();
        let err = PrivateKey::load(&KeySource::parse("env://NOPE"), &env).unwrap_err();
        assert!(matches!(err, CryptoError::MissingEnv { .. }), "{err}");
    }

    #[test]
    fn loads_plain_pkcs8_written_by_python() {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/foreign_signatures.py");
        let out = std::process::Command::new("python3")
            .arg(script)
            .output()
            .unwrap();
        assert!(out.status.success());
        let cases: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut loaded = 0;
        for case in cases["cases"].as_array().unwrap() {
            let Some(private) = case["private"].as_str() else {
                continue;
            };
            let key = PrivateKey::from_pem(private, None, "python").unwrap();
            assert_eq!(key.format(), PrivateKeyFormat::Pkcs8);
            let public = PublicKey::from_pem(case["public"].as_str().unwrap(), "python").unwrap();
            assert_eq!(key.public_key(), &public);
            public.verify(b"x", &key.sign(b"x")).unwrap();
            loaded += 1;
        }
        assert_eq!(loaded, 2);
    }

    #[test]
    fn generated_keys_sign_and_round_trip_pkcs8() {
        for key in [
            PrivateKey::generate_p256().unwrap(),
            PrivateKey::generate_ed25519().unwrap(),
        ] {
            let der = key.to_pkcs8_der().unwrap();
            let again = PrivateKey::from_pkcs8_der(&der, PrivateKeyFormat::Pkcs8, "mem").unwrap();
            assert_eq!(again.public_key(), key.public_key());
            let sig = key.sign(b"payload");
            again.public_key().verify(b"payload", &sig).unwrap();
            assert!(again.public_key().verify(b"payloaD", &sig).is_err());
        }
        assert_ne!(
            PrivateKey::generate_p256().unwrap().public_key(),
            PrivateKey::generate_p256().unwrap().public_key()
        );
    }
}
