//! The Sigstore trust root: a `trusted_root.json` read from a path named by the spec.
//!
//! Offline by design: imgguard never fetches or refreshes a root (no TUF). The root
//! is parsed once into a `sigstore_verify::Verifier`, which every keyless or logged
//! piece of evidence is checked against.

use std::path::{Path, PathBuf};

use sigstore_trust_root::TrustedRoot;

use super::VerifyError;

/// Largest trusted root accepted; real ones are ~10 KiB.
const MAX_TRUSTED_ROOT_BYTES: u64 = 4 * 1024 * 1024;

/// A loaded trusted root and the verifier built from it.
pub struct TrustRoot {
    path: PathBuf,
    root: TrustedRoot,
    verifier: sigstore_verify::Verifier,
}

impl std::fmt::Debug for TrustRoot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrustRoot")
            .field("path", &self.path)
            .field("tlogs", &self.root.tlogs.len())
            .field("ctlogs", &self.root.ctlogs.len())
            .finish_non_exhaustive()
    }
}

impl TrustRoot {
    /// Read and check a `trusted_root.json`.
    pub fn load(path: &Path) -> Result<Self, VerifyError> {
        let unreadable = |source| VerifyError::TrustedRootUnreadable {
            path: path.to_path_buf(),
            source,
        };
        let meta = fs_err::metadata(path).map_err(unreadable)?;
        if meta.len() > MAX_TRUSTED_ROOT_BYTES {
            return Err(VerifyError::TrustedRootInvalid {
                path: path.to_path_buf(),
                detail: format!(
                    "file is {} bytes, over the {MAX_TRUSTED_ROOT_BYTES}-byte limit",
                    meta.len()
                ),
            });
        }
        let json = fs_err::read_to_string(path).map_err(unreadable)?;
        Self::from_json(path, &json)
    }

    /// Parse a trusted root already in memory; `path` only names it in errors.
    pub fn from_json(path: &Path, json: &str) -> Result<Self, VerifyError> {
        let invalid = |detail: String| VerifyError::TrustedRootInvalid {
            path: path.to_path_buf(),
            detail,
        };
        let root = TrustedRoot::from_json(json).map_err(|e| invalid(e.to_string()))?;
        let verifier = sigstore_verify::Verifier::new(&root).map_err(|e| invalid(e.to_string()))?;
        Ok(Self {
            path: path.to_path_buf(),
            root,
            verifier,
        })
    }

    /// Where the root was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the root has transparency logs. Roots without any (GitHub's private
    /// instance) can only vouch for signing times through RFC 3161 timestamps.
    pub fn has_tlogs(&self) -> bool {
        !self.root.tlogs.is_empty()
    }

    /// Whether the root has CT logs to check certificate SCTs against.
    pub fn has_ctlogs(&self) -> bool {
        !self.root.ctlogs.is_empty()
    }

    pub(crate) fn verifier(&self) -> &sigstore_verify::Verifier {
        &self.verifier
    }
}
