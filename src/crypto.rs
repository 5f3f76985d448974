//! Keys and raw signatures: the one place imgguard touches public-key cryptography.
//!
//! Sits under `intoto` (DSSE signing and verification), `attest` (signing the VSA,
//! the deploy gate) and `verify` (cosign keyed signatures). Public keys come from SPKI
//! PEM; private keys from cosign's encrypted format, plain PKCS#8 PEM or an
//! `env://VAR`. Nothing here knows about images or envelopes.

mod cosign_key;
mod error;
mod key_source;
mod keygen;
mod private_key;
mod public_key;

pub use cosign_key::{CosignKdfParams, decrypt_cosign_key, encrypt_cosign_key};
pub use error::CryptoError;
pub use key_source::{EnvLookup, KeySource, ProcessEnv, password_from_env};
pub use keygen::{GeneratedKeyPair, generate_cosign_key_pair, write_cosign_key_pair};
pub use private_key::{PrivateKey, PrivateKeyFormat};
pub use public_key::{KeyAlgorithm, PublicKey};

#[cfg(test)]
pub(crate) mod fixtures;
