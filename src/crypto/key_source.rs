//! Where a key comes from: a file path or `env://VAR`, and where its password comes from.
//!
//! The environment is read through [`EnvLookup`] so that callers (and tests) decide
//! which variables exist; the CLI passes [`ProcessEnv`].

use std::path::PathBuf;

use zeroize::Zeroizing;

use super::CryptoError;

/// Reads environment variables; implemented by [`ProcessEnv`] and by test maps.
pub trait EnvLookup {
    /// The value of `name`, if set and valid UTF-8.
    fn var(&self, name: &str) -> Option<String>;
}

/// The process environment.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnv;

impl EnvLookup for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

impl<S: std::hash::BuildHasher> EnvLookup for std::collections::HashMap<String, String, S> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).cloned()
    }
}

/// A key reference as written in the spec or on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// A PEM file on disk.
    File(PathBuf),
    /// `env://VAR`: the PEM text is the value of the variable.
    Env(String),
}

impl KeySource {
    /// Parses `env://VAR` or a path.
    pub fn parse(reference: &str) -> Self {
        match reference.strip_prefix("env://") {
            Some(name) => Self::Env(name.to_owned()),
            None => Self::File(PathBuf::from(reference)),
        }
    }

    /// How the source is named in messages (never the key itself).
    pub fn display_name(&self) -> String {
        match self {
            Self::File(p) => p.display().to_string(),
            Self::Env(name) => format!("env://{name}"),
        }
    }

    /// Reads the PEM text.
    pub fn read_pem(&self, env: &dyn EnvLookup) -> Result<Zeroizing<String>, CryptoError> {
        match self {
            Self::File(path) => Ok(Zeroizing::new(fs_err::read_to_string(path)?)),
            Self::Env(name) => env
                .var(name)
                .map(Zeroizing::new)
                .ok_or_else(|| CryptoError::MissingEnv { name: name.clone() }),
        }
    }
}

/// The password for encrypted keys: `IMGGUARD_KEY_PASSWORD`, else `COSIGN_PASSWORD`.
///
/// An empty value is a valid (empty) password, as cosign allows.
pub fn password_from_env(env: &dyn EnvLookup) -> Option<Zeroizing<Vec<u8>>> {
    env.var("IMGGUARD_KEY_PASSWORD")
        .or_else(|| env.var("COSIGN_PASSWORD"))
        .map(|p| Zeroizing::new(p.into_bytes()))
}
