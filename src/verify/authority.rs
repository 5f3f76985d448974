//! A compiled trusted signer: a public key read from disk, or a keyless identity.
//!
//! Built from the spec's [`super::AuthoritySpec`] once, before any evidence is seen,
//! so an unreadable key is a spec error (exit 2) and never a failed signature.

use std::path::Path;

use crate::crypto::PublicKey;

use super::{AuthoritySpec, KeylessIdentity, VerifyError};

/// Largest public key file accepted (an RSA-8192 PEM is ~1.5 KiB).
const MAX_KEY_BYTES: u64 = 64 * 1024;

/// A public key authority.
#[derive(Debug, Clone)]
pub struct KeyAuthority {
    /// Where the key came from, for reports.
    pub source: String,
    /// The key.
    pub key: PublicKey,
}

/// One trusted signer.
#[derive(Debug, Clone)]
pub enum Authority {
    /// Signatures made with this key.
    Key(KeyAuthority),
    /// Signatures made with a Fulcio certificate for this identity.
    Keyless(KeylessIdentity),
}

impl Authority {
    /// Compile a spec entry; relative key paths are resolved against `base_dir`
    /// (the directory of the pipeline spec).
    pub fn from_spec(spec: &AuthoritySpec, base_dir: &Path) -> Result<Self, VerifyError> {
        match spec {
            AuthoritySpec::Key(path) => {
                let full = base_dir.join(path);
                let unreadable = |source| VerifyError::KeyUnreadable {
                    path: full.clone(),
                    source,
                };
                let len = fs_err::metadata(&full).map_err(unreadable)?.len();
                if len > MAX_KEY_BYTES {
                    return Err(VerifyError::KeyInvalid {
                        path: full,
                        detail: format!("file is {len} bytes, too large for a public key"),
                    });
                }
                let pem = fs_err::read_to_string(&full).map_err(unreadable)?;
                let source = path.display().to_string();
                Self::from_pem(&pem, &source).map_err(|e| match e {
                    VerifyError::KeyInvalid { detail, .. } => VerifyError::KeyInvalid {
                        path: full.clone(),
                        detail,
                    },
                    other => other,
                })
            }
            AuthoritySpec::Keyless(keyless) => {
                Ok(Self::Keyless(KeylessIdentity::from_spec(keyless)?))
            }
        }
    }

    /// A key authority from PEM text; `source` names it in reports.
    pub fn from_pem(pem: &str, source: &str) -> Result<Self, VerifyError> {
        let key = PublicKey::from_pem(pem, source).map_err(|e| VerifyError::KeyInvalid {
            path: source.into(),
            detail: e.to_string(),
        })?;
        Ok(Self::Key(KeyAuthority {
            source: source.to_owned(),
            key,
        }))
    }

    /// How the authority reads in a report.
    pub fn describe(&self) -> String {
        match self {
            Self::Key(k) => format!("key {} ({})", k.source, k.key.key_hint()),
            Self::Keyless(id) => id.describe(),
        }
    }
}
