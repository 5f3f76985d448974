//! Keys and raw signatures: the one place imgguard touches public-key cryptography.
//!
//! Sits under `intoto` (DSSE signing and verification), `attest` (signing the VSA,
//! the deploy gate) and `verify` (cosign keyed signatures). Public keys come from SPKI
//! PEM; private keys from cosign's encrypted format, plain PKCS#8 PEM or an
//! `env://VAR`. Nothing here knows about images or envelopes.
//!
//! Key ids: a key is named by SHA-256 of its DER `SubjectPublicKeyInfo`, as
//! [`PublicKey::key_hint`] (base64, the Sigstore bundle `publicKey.hint`) or
//! [`PublicKey::key_id_hex`] (hex, for reports). DSSE envelopes imgguard signs carry
//! `keyid: ""` like cosign's, because keyids are unauthenticated hints and go's DSSE
//! verifier skips a signature whose non-empty keyid differs from the verifier's.

mod cosign_key;
mod error;
mod key_source;
mod keygen;
mod private_key;
mod public_key;

pub use cosign_key::{CosignKdfParams, decrypt_cosign_key, encrypt_cosign_key};
pub use error::CryptoError;
pub use key_source::{EnvLookup, KeySource, ProcessEnv, password_from_env};
pub use keygen::{
    CosignKeyLabel, GeneratedKeyPair, generate_cosign_key_pair, write_cosign_key_pair,
};
pub use private_key::{PrivateKey, PrivateKeyFormat};
pub use public_key::{KeyAlgorithm, PublicKey};

#[cfg(test)]
pub(crate) mod fixtures;
