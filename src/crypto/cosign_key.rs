//! cosign's encrypted private-key format (the go-tuf "encrypted" JSON inside PEM).
//!
//! The PEM label is `ENCRYPTED SIGSTORE PRIVATE KEY` (cosign ≥ 2.0) or
//! `ENCRYPTED COSIGN PRIVATE KEY` (older; the only one containers/image reads). The
//! body is JSON: scrypt KDF parameters and salt, a nacl/secretbox (XSalsa20-Poly1305)
//! nonce, and the ciphertext of a PKCS#8 DER private key. Key = scrypt(password, salt,
//! N, r, p, 32 bytes).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use crypto_secretbox::aead::{Aead as _, KeyInit as _};
use crypto_secretbox::{Nonce, XSalsa20Poly1305};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::CryptoError;

/// The PEM label cosign ≥ 2.0 writes.
pub const SIGSTORE_LABEL: &str = "ENCRYPTED SIGSTORE PRIVATE KEY";
/// The PEM label older cosign writes (and containers/image requires).
pub const COSIGN_LABEL: &str = "ENCRYPTED COSIGN PRIVATE KEY";

/// Upper bound on scrypt `N` read from a key file: 2^18 with r = 8 is 256 MiB of
/// memory. cosign writes 2^15; a hostile file must not make imgguard allocate more.
const MAX_LOG_N: u8 = 18;
const MAX_R: u32 = 32;
const MAX_P: u32 = 16;
const SALT_LEN: usize = 32;
const NONCE_LEN: usize = 24;

/// The scrypt cost parameters stored in the key file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CosignKdfParams {
    /// CPU/memory cost, a power of two.
    #[serde(rename = "N")]
    pub n: u64,
    /// Block size.
    pub r: u32,
    /// Parallelism.
    pub p: u32,
}

impl Default for CosignKdfParams {
    /// cosign's and go-tuf's standard parameters.
    fn default() -> Self {
        Self {
            n: 32_768,
            r: 8,
            p: 1,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Kdf {
    name: String,
    params: CosignKdfParams,
    salt: String,
}

#[derive(Serialize, Deserialize)]
struct Cipher {
    name: String,
    nonce: String,
}

#[derive(Serialize, Deserialize)]
struct EncryptedKey {
    kdf: Kdf,
    cipher: Cipher,
    ciphertext: String,
}

fn format_error(source_name: &str, reason: impl Into<String>) -> CryptoError {
    CryptoError::CosignKeyFormat {
        source_name: source_name.to_owned(),
        reason: reason.into(),
    }
}

fn derive_key(
    password: &[u8],
    salt: &[u8],
    params: CosignKdfParams,
    source_name: &str,
) -> Result<Zeroizing<[u8; 32]>, CryptoError> {
    if !params.n.is_power_of_two() || params.n < 2 {
        return Err(format_error(source_name, "scrypt N is not a power of two"));
    }
    let log_n = u8::try_from(params.n.trailing_zeros())
        .map_err(|_| format_error(source_name, "scrypt N out of range"))?;
    if log_n > MAX_LOG_N || params.r > MAX_R || params.p > MAX_P {
        return Err(format_error(
            source_name,
            format!(
                "scrypt parameters N={} r={} p={} exceed imgguard's limit (N ≤ 2^{MAX_LOG_N}, r ≤ {MAX_R}, p ≤ {MAX_P})",
                params.n, params.r, params.p
            ),
        ));
    }
    let scrypt_params = scrypt::Params::new(log_n, params.r, params.p)
        .map_err(|_| format_error(source_name, "invalid scrypt parameters"))?;
    let mut key = Zeroizing::new([0u8; 32]);
    scrypt::scrypt(password, salt, &scrypt_params, key.as_mut_slice())
        .map_err(|_| format_error(source_name, "scrypt failed"))?;
    Ok(key)
}

/// Decrypts the JSON body of a cosign encrypted key; returns the PKCS#8 DER.
///
/// `body` is the PEM payload (the JSON bytes), not the PEM text.
pub fn decrypt_cosign_key(
    body: &[u8],
    password: &[u8],
    source_name: &str,
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let parsed: EncryptedKey =
        serde_json::from_slice(body).map_err(|e| format_error(source_name, e.to_string()))?;
    if parsed.kdf.name != "scrypt" {
        return Err(format_error(
            source_name,
            format!("unsupported KDF `{}`", parsed.kdf.name),
        ));
    }
    if parsed.cipher.name != "nacl/secretbox" {
        return Err(format_error(
            source_name,
            format!("unsupported cipher `{}`", parsed.cipher.name),
        ));
    }
    let salt = STANDARD
        .decode(&parsed.kdf.salt)
        .map_err(|_| format_error(source_name, "salt is not base64"))?;
    let nonce = STANDARD
        .decode(&parsed.cipher.nonce)
        .map_err(|_| format_error(source_name, "nonce is not base64"))?;
    let nonce: [u8; NONCE_LEN] = nonce
        .try_into()
        .map_err(|_| format_error(source_name, "nonce is not 24 bytes"))?;
    let ciphertext = STANDARD
        .decode(&parsed.ciphertext)
        .map_err(|_| format_error(source_name, "ciphertext is not base64"))?;
    let key = derive_key(password, &salt, parsed.kdf.params, source_name)?;
    let cipher = XSalsa20Poly1305::new(key.as_slice().into());
    cipher
        .decrypt(&Nonce::from(nonce), ciphertext.as_slice())
        .map(Zeroizing::new)
        .map_err(|_| CryptoError::WrongPassword {
            source_name: source_name.to_owned(),
        })
}

/// Encrypts a PKCS#8 DER private key into cosign's format; returns the full PEM text.
///
/// `label` should be [`SIGSTORE_LABEL`] (what cosign ≥ 2.0 writes) unless the key must
/// be read by containers/image, which only accepts [`COSIGN_LABEL`].
pub fn encrypt_cosign_key(
    pkcs8_der: &[u8],
    password: &[u8],
    params: CosignKdfParams,
    label: &str,
) -> Result<Zeroizing<String>, CryptoError> {
    let mut salt = [0u8; SALT_LEN];
    getrandom::fill(&mut salt).map_err(|_| CryptoError::Random)?;
    let mut nonce = [0u8; NONCE_LEN];
    getrandom::fill(&mut nonce).map_err(|_| CryptoError::Random)?;
    let key = derive_key(password, &salt, params, "new key")?;
    let cipher = XSalsa20Poly1305::new(key.as_slice().into());
    let ciphertext = cipher
        .encrypt(&Nonce::from(nonce), pkcs8_der)
        .map_err(|_| format_error("new key", "secretbox encryption failed"))?;
    let json = serde_json::to_vec(&EncryptedKey {
        kdf: Kdf {
            name: "scrypt".to_owned(),
            params,
            salt: STANDARD.encode(salt),
        },
        cipher: Cipher {
            name: "nacl/secretbox".to_owned(),
            nonce: STANDARD.encode(nonce),
        },
        ciphertext: STANDARD.encode(ciphertext),
    })
    .map_err(|e| format_error("new key", e.to_string()))?;
    spki::der::pem::encode_string(label, spki::der::pem::LineEnding::LF, &json)
        .map(Zeroizing::new)
        .map_err(|e| format_error("new key", e.to_string()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;

    use super::{COSIGN_LABEL, CosignKdfParams, decrypt_cosign_key, encrypt_cosign_key};
    use crate::crypto::CryptoError;

    fn body_with_params(n: u64, r: u32, p: u32) -> Vec<u8> {
        format!(
            r#"{{"kdf":{{"name":"scrypt","params":{{"N":{n},"r":{r},"p":{p}}},"salt":"{salt}"}},"cipher":{{"name":"nacl/secretbox","nonce":"{nonce}"}},"ciphertext":"{ct}"}}"#,
            salt = STANDARD.encode([0u8; 32]),
            nonce = STANDARD.encode([0u8; 24]),
            ct = STANDARD.encode([0u8; 48]),
        )
        .into_bytes()
    }

    #[test]
    fn hostile_scrypt_costs_are_refused_before_any_work() {
        let started = std::time::Instant::now();
        for (n, r, p) in [
            (1 << 30, 8, 1),
            (1 << 15, 1 << 20, 1),
            (1 << 15, 8, 1 << 20),
            (3, 8, 1),
            (0, 8, 1),
        ] {
            let err = decrypt_cosign_key(&body_with_params(n, r, p), b"", "hostile").unwrap_err();
            assert!(
                matches!(err, CryptoError::CosignKeyFormat { .. }),
                "{n} {r} {p}: {err}"
            );
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn unknown_kdf_cipher_or_bad_fields_are_format_errors() {
        for body in [
            b"{}".to_vec(),
            String::from_utf8(body_with_params(1 << 15, 8, 1))
                .unwrap()
                .replace("scrypt", "argon2")
                .into_bytes(),
            String::from_utf8(body_with_params(1 << 15, 8, 1))
                .unwrap()
                .replace("nacl/secretbox", "aes-gcm")
                .into_bytes(),
            String::from_utf8(body_with_params(1 << 15, 8, 1))
                .unwrap()
                .replace(&STANDARD.encode([0u8; 24]), "AAAA")
                .into_bytes(),
        ] {
            let err = decrypt_cosign_key(&body, b"", "x").unwrap_err();
            assert!(matches!(err, CryptoError::CosignKeyFormat { .. }), "{err}");
        }
        // Well-formed but not encrypted with this password.
        let err = decrypt_cosign_key(&body_with_params(1 << 10, 8, 1), b"", "x").unwrap_err();
        assert!(matches!(err, CryptoError::WrongPassword { .. }), "{err}");
    }

    #[test]
    fn encrypt_decrypt_round_trip_with_the_cosign_label() {
        let params = CosignKdfParams {
            n: 1 << 10,
            r: 8,
            p: 1,
        };
        let pem = encrypt_cosign_key(b"pkcs8 bytes", b"pw", params, COSIGN_LABEL).unwrap();
        assert!(pem.starts_with("-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----\n"));
        let (_, body) = spki::der::pem::decode_vec(pem.as_bytes()).unwrap();
        assert_eq!(
            decrypt_cosign_key(&body, b"pw", "x").unwrap().as_slice(),
            b"pkcs8 bytes"
        );
        assert!(decrypt_cosign_key(&body, b"pW", "x").is_err());
    }
}
