//! Public keys from SPKI (PEM or DER) and signature verification over raw bytes.
//!
//! Used by DSSE verification (`intoto`), the deploy gate (`attest`) and cosign keyed
//! signatures (`verify`). The key decides the scheme: ECDSA P-256 with SHA-256, P-384
//! with SHA-384 (as cosign and sigstore pair them), Ed25519, RSA with SHA-256.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use p256::ecdsa::signature::Verifier as _;
use p256::ecdsa::signature::hazmat::PrehashVerifier as _;
use sha2::{Digest as _, Sha256};
use spki::{DecodePublicKey as _, EncodePublicKey as _};

use super::CryptoError;

/// The algorithm family of a key, as named in messages and reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAlgorithm {
    /// ECDSA over NIST P-256, SHA-256 digests.
    EcdsaP256,
    /// ECDSA over NIST P-384, SHA-384 digests.
    EcdsaP384,
    /// Ed25519 (pure, over the whole message).
    Ed25519,
    /// RSA, SHA-256 digests, PKCS#1 v1.5 or PSS signatures.
    Rsa,
}

impl KeyAlgorithm {
    /// A short stable name (`ecdsa-p256`, `ecdsa-p384`, `ed25519`, `rsa`).
    pub fn name(self) -> &'static str {
        match self {
            Self::EcdsaP256 => "ecdsa-p256",
            Self::EcdsaP384 => "ecdsa-p384",
            Self::Ed25519 => "ed25519",
            Self::Rsa => "rsa",
        }
    }
}

impl fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Clone)]
enum Inner {
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    Ed25519(ed25519_dalek::VerifyingKey),
    Rsa(Box<rsa::RsaPublicKey>),
}

/// A public key that verifies signatures, with its SPKI DER kept for key ids.
#[derive(Clone)]
pub struct PublicKey {
    inner: Inner,
    spki_der: Vec<u8>,
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("algorithm", &self.algorithm())
            .field("hint", &self.key_hint())
            .finish()
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.spki_der == other.spki_der
    }
}

impl Eq for PublicKey {}

impl PublicKey {
    /// Parses a `PUBLIC KEY` PEM (SPKI). `source_name` is used in errors only.
    pub fn from_pem(pem: &str, source_name: &str) -> Result<Self, CryptoError> {
        let (label, der) =
            spki::der::pem::decode_vec(pem.trim().as_bytes()).map_err(|e| CryptoError::Pem {
                source_name: source_name.to_owned(),
                reason: e.to_string(),
            })?;
        if label != "PUBLIC KEY" {
            return Err(CryptoError::UnsupportedLabel {
                source_name: source_name.to_owned(),
                label: label.to_owned(),
            });
        }
        Self::from_spki_der(&der, source_name)
    }

    /// Loads a `PUBLIC KEY` PEM from a file or `env://VAR` (for `--key` and the spec).
    pub fn load(
        source: &super::KeySource,
        env: &dyn super::EnvLookup,
    ) -> Result<Self, CryptoError> {
        let pem = source.read_pem(env)?;
        Self::from_pem(&pem, &source.display_name())
    }

    /// Parses a DER-encoded `SubjectPublicKeyInfo`.
    pub fn from_spki_der(der: &[u8], source_name: &str) -> Result<Self, CryptoError> {
        let unsupported = || CryptoError::UnsupportedKey {
            source_name: source_name.to_owned(),
            kind: "public",
        };
        // Each decoder checks the algorithm OID (and the curve), so trying them in turn
        // never accepts a key under the wrong algorithm.
        let inner = if let Ok(k) = p256::ecdsa::VerifyingKey::from_public_key_der(der) {
            Inner::P256(k)
        } else if let Ok(k) = p384::ecdsa::VerifyingKey::from_public_key_der(der) {
            Inner::P384(k)
        } else if let Ok(k) = ed25519_dalek::VerifyingKey::from_public_key_der(der) {
            Inner::Ed25519(k)
        } else if let Ok(k) = rsa::RsaPublicKey::from_public_key_der(der) {
            Inner::Rsa(Box::new(k))
        } else {
            return Err(unsupported());
        };
        // Re-encode so that the key id does not depend on how the input was spelled.
        Self::rebuild(inner, source_name)
    }

    pub(super) fn from_p256(key: p256::ecdsa::VerifyingKey) -> Result<Self, CryptoError> {
        Self::rebuild(Inner::P256(key), "generated key")
    }

    pub(super) fn from_p384(key: p384::ecdsa::VerifyingKey) -> Result<Self, CryptoError> {
        Self::rebuild(Inner::P384(key), "generated key")
    }

    pub(super) fn from_ed25519(key: ed25519_dalek::VerifyingKey) -> Result<Self, CryptoError> {
        Self::rebuild(Inner::Ed25519(key), "generated key")
    }

    fn rebuild(inner: Inner, source_name: &str) -> Result<Self, CryptoError> {
        let der = match &inner {
            Inner::P256(k) => k.to_public_key_der(),
            Inner::P384(k) => k.to_public_key_der(),
            Inner::Ed25519(k) => k.to_public_key_der(),
            Inner::Rsa(k) => k.to_public_key_der(),
        }
        .map_err(|_| CryptoError::UnsupportedKey {
            source_name: source_name.to_owned(),
            kind: "public",
        })?;
        Ok(Self {
            inner,
            spki_der: der.into_vec(),
        })
    }

    /// The key's algorithm.
    pub fn algorithm(&self) -> KeyAlgorithm {
        match self.inner {
            Inner::P256(_) => KeyAlgorithm::EcdsaP256,
            Inner::P384(_) => KeyAlgorithm::EcdsaP384,
            Inner::Ed25519(_) => KeyAlgorithm::Ed25519,
            Inner::Rsa(_) => KeyAlgorithm::Rsa,
        }
    }

    /// The DER `SubjectPublicKeyInfo` (canonical re-encoding).
    pub fn spki_der(&self) -> &[u8] {
        &self.spki_der
    }

    /// The SPKI as `PUBLIC KEY` PEM, LF line endings.
    pub fn to_pem(&self) -> String {
        // Encoding a well-formed DER document as PEM cannot fail; fall back to an
        // empty string rather than panic if the encoder ever disagrees.
        spki::der::pem::encode_string("PUBLIC KEY", spki::der::pem::LineEnding::LF, &self.spki_der)
            .unwrap_or_default()
    }

    /// SHA-256 of the SPKI DER.
    pub fn spki_sha256(&self) -> [u8; 32] {
        Sha256::digest(&self.spki_der).into()
    }

    /// The key hint Sigstore bundles use: base64(SHA-256(SPKI DER)).
    ///
    /// This is `verificationMaterial.publicKey.hint` in a bundle v0.3 (seen in the
    /// conformance `managed-key` fixtures).
    pub fn key_hint(&self) -> String {
        STANDARD.encode(self.spki_sha256())
    }

    /// The key id as lowercase hex of SHA-256(SPKI DER), for reports and `--key` matching.
    pub fn key_id_hex(&self) -> String {
        hex::encode(self.spki_sha256())
    }

    /// Verifies `signature` over `message`.
    ///
    /// ECDSA signatures are accepted both as ASN.1 DER (cosign, sigstore) and as raw
    /// fixed-width `r‖s` (IEEE P1363, as Google's BCID VSAs carry); P-384 over SHA-384
    /// or SHA-256 (what cosign's keyed verifier uses for every curve). RSA signatures
    /// are accepted as PKCS#1 v1.5 or PSS (any salt length), both over SHA-256.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), CryptoError> {
        let ok = match &self.inner {
            Inner::P256(k) => verify_p256(k, message, signature),
            Inner::P384(k) => verify_p384(k, message, signature),
            Inner::Ed25519(k) => ed25519_dalek::Signature::from_slice(signature)
                .is_ok_and(|s| k.verify_strict(message, &s).is_ok()),
            Inner::Rsa(k) => verify_rsa(k, message, signature),
        };
        if ok {
            Ok(())
        } else {
            Err(CryptoError::BadSignature {
                algorithm: self.algorithm().name(),
                key_hint: self.key_hint(),
            })
        }
    }
}

fn verify_p256(key: &p256::ecdsa::VerifyingKey, message: &[u8], signature: &[u8]) -> bool {
    let raw = || {
        p256::ecdsa::Signature::from_slice(signature).is_ok_and(|s| key.verify(message, &s).is_ok())
    };
    let der = || {
        p256::ecdsa::DerSignature::try_from(signature)
            .is_ok_and(|s| key.verify(message, &s).is_ok())
    };
    raw() || der()
}

fn verify_p384(key: &p384::ecdsa::VerifyingKey, message: &[u8], signature: &[u8]) -> bool {
    // P-384 pairs with SHA-384 (sigstore's ECDSA_P384_SHA384), but cosign's keyed
    // verifier loads every ECDSA key with SHA-256, so signatures over SHA-256 exist too.
    let sha256 = Sha256::digest(message);
    let check = |s: &p384::ecdsa::Signature| {
        key.verify(message, s).is_ok() || key.verify_prehash(&sha256, s).is_ok()
    };
    let raw = || p384::ecdsa::Signature::from_slice(signature).is_ok_and(|s| check(&s));
    let der = || p384::ecdsa::Signature::from_der(signature).is_ok_and(|s| check(&s));
    raw() || der()
}

fn verify_rsa(key: &rsa::RsaPublicKey, message: &[u8], signature: &[u8]) -> bool {
    let pkcs1 = || {
        rsa::pkcs1v15::Signature::try_from(signature).is_ok_and(|s| {
            rsa::pkcs1v15::VerifyingKey::<Sha256>::new(key.clone())
                .verify(message, &s)
                .is_ok()
        })
    };
    let pss = || {
        rsa::pss::Signature::try_from(signature).is_ok_and(|s| {
            rsa::pss::VerifyingKey::<Sha256>::new_with_auto_salt_len(key.clone())
                .verify(message, &s)
                .is_ok()
        })
    };
    pkcs1() || pss()
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::indexing_slicing,
        clippy::panic,
        reason = "tests"
    )]

    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;

    use super::{KeyAlgorithm, PublicKey};
    use crate::crypto::fixtures;

    fn foreign_cases() -> serde_json::Value {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/foreign_signatures.py");
        let out = std::process::Command::new("python3")
            .arg(script)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    #[test]
    fn verifies_signatures_made_by_python_cryptography() {
        let cases = foreign_cases();
        let message = STANDARD.decode(cases["message"].as_str().unwrap()).unwrap();
        let mut seen = Vec::new();
        for case in cases["cases"].as_array().unwrap() {
            let Some(sig) = case["sig"].as_str() else {
                continue;
            };
            let name = case["name"].as_str().unwrap();
            let key = PublicKey::from_pem(case["public"].as_str().unwrap(), name).unwrap();
            let sig = STANDARD.decode(sig).unwrap();
            key.verify(&message, &sig)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            let mut tampered = message.clone();
            tampered[0] ^= 1;
            assert!(key.verify(&tampered, &sig).is_err(), "{name} tampered");
            let mut bad_sig = sig.clone();
            let last = bad_sig.len() - 1;
            bad_sig[last] ^= 1;
            assert!(
                key.verify(&message, &bad_sig).is_err(),
                "{name} flipped sig"
            );
            seen.push((name.to_owned(), key.algorithm()));
        }
        let algorithms: Vec<_> = seen.iter().map(|(_, a)| *a).collect();
        for a in [
            KeyAlgorithm::EcdsaP256,
            KeyAlgorithm::EcdsaP384,
            KeyAlgorithm::Ed25519,
            KeyAlgorithm::Rsa,
        ] {
            assert!(algorithms.contains(&a), "{a} not covered: {seen:?}");
        }
        assert_eq!(seen.len(), 7);
    }

    #[test]
    fn cosign_simple_signing_fixture_verifies_with_cosign_pub_only() {
        let dir = fixtures::local_keyed();
        let dump = dir.join("registry-dump");
        let payload = fs_err::read(dump.join("sig.simplesigning-payload.json")).unwrap();
        let manifest: serde_json::Value =
            serde_json::from_str(&fixtures::read(&dump.join("sig.manifest.json"))).unwrap();
        let sig_b64 = manifest["layers"][0]["annotations"]["dev.cosignproject.cosign/signature"]
            .as_str()
            .unwrap();
        let sig = STANDARD.decode(sig_b64).unwrap();
        let good =
            PublicKey::from_pem(&fixtures::read(&dir.join("cosign.pub")), "cosign.pub").unwrap();
        let other = PublicKey::from_pem(
            &fixtures::read(&dir.join("sigstorelabel.pub")),
            "sigstorelabel.pub",
        )
        .unwrap();
        good.verify(&payload, &sig).unwrap();
        assert!(other.verify(&payload, &sig).is_err());
        let mut flipped = payload.clone();
        flipped[10] ^= 0x20;
        assert!(good.verify(&flipped, &sig).is_err());
    }

    #[test]
    fn sigstore_conformance_managed_key_signature_verifies() {
        let dir = fixtures::realworld().join("conformance");
        let case = dir.join("managed-key-happy-path");
        let key = PublicKey::from_pem(&fixtures::read(&case.join("key.pub")), "key.pub").unwrap();
        let bundle: serde_json::Value =
            serde_json::from_str(&fixtures::read(&case.join("bundle.sigstore.json"))).unwrap();
        let sig = STANDARD
            .decode(bundle["messageSignature"]["signature"].as_str().unwrap())
            .unwrap();
        let artifact = fs_err::read(dir.join("a.txt")).unwrap();
        key.verify(&artifact, &sig).unwrap();
        assert!(key.verify(b"another artifact", &sig).is_err());
        // The bundle's key hint is this key's hint (and the field verify will match on).
        assert_eq!(
            bundle["verificationMaterial"]["publicKey"]["hint"].as_str(),
            Some(key.key_hint().as_str())
        );
    }

    #[test]
    fn key_hint_matches_the_bundle_fixture() {
        let dir = fixtures::local_keyed();
        let key =
            PublicKey::from_pem(&fixtures::read(&dir.join("cosign.pub")), "cosign.pub").unwrap();
        let bundle: serde_json::Value = serde_json::from_str(&fixtures::read(
            &dir.join("registry-dump/referrer.sigstore-bundle.json"),
        ))
        .unwrap();
        assert_eq!(
            bundle["verificationMaterial"]["publicKey"]["hint"],
            key.key_hint()
        );
        assert_eq!(key.algorithm(), KeyAlgorithm::EcdsaP256);
        assert_eq!(key.key_id_hex().len(), 64);
        // PEM round trip keeps the key.
        assert_eq!(PublicKey::from_pem(&key.to_pem(), "x").unwrap(), key);
    }

    #[test]
    fn loads_from_a_file_or_an_env_var() {
        let path = fixtures::local_keyed().join("cosign.pub");
        let from_file = PublicKey::load(
            &crate::crypto::KeySource::File(path.clone()),
            &std::collections::HashMap::<String, String>::new(),
        )
        .unwrap();
        let env = std::collections::HashMap::from([("VSA_PUB".to_owned(), fixtures::read(&path))]);
        let from_env =
            PublicKey::load(&crate::crypto::KeySource::parse("env://VSA_PUB"), &env).unwrap();
        assert_eq!(from_file, from_env);
        assert!(PublicKey::load(&crate::crypto::KeySource::parse("env://NONE"), &env).is_err());
    }

    #[test]
    fn rejects_non_public_key_pem_and_garbage() {
        let dir = fixtures::local_keyed();
        let err = PublicKey::from_pem(&fixtures::read(&dir.join("cosign.key")), "cosign.key")
            .unwrap_err();
        assert!(err.to_string().contains("unsupported PEM label"), "{err}");
        assert!(PublicKey::from_pem("not pem", "x").is_err());
        assert!(PublicKey::from_spki_der(&[0x30, 0x03, 0x02, 0x01, 0x01], "x").is_err());
    }
}
