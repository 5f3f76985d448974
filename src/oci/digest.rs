//! Content digests (`sha256:<hex>`, `sha512:<hex>`): parsing with strict validation,
//! and a streaming hasher that produces one.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::Digest as _;

use super::OciError;

/// The hash function a digest names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DigestAlgorithm {
    /// SHA-256, the algorithm every registry and runtime supports.
    Sha256,
    /// SHA-512, allowed by the OCI image spec.
    Sha512,
}

impl DigestAlgorithm {
    /// The algorithm's name as written in a digest.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sha256 => "sha256",
            Self::Sha512 => "sha512",
        }
    }

    fn hex_len(self) -> usize {
        match self {
            Self::Sha256 => 64,
            Self::Sha512 => 128,
        }
    }
}

/// A validated content digest such as `sha256:e3b0…`.
///
/// Only lowercase hex of the exact length is accepted, so two equal digests always
/// have equal strings and a digest is always safe to use as a file name component.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest {
    algorithm: DigestAlgorithm,
    hex: String,
}

impl Digest {
    /// The SHA-256 digest of `bytes`.
    pub fn sha256_of(bytes: &[u8]) -> Self {
        Self {
            algorithm: DigestAlgorithm::Sha256,
            hex: hex::encode(sha2::Sha256::digest(bytes)),
        }
    }

    /// The digest of `bytes` with this digest's algorithm.
    #[must_use]
    pub fn same_algorithm_of(&self, bytes: &[u8]) -> Self {
        let mut hasher = DigestHasher::new(self.algorithm);
        hasher.update(bytes);
        hasher.finish()
    }

    /// The algorithm.
    pub fn algorithm(&self) -> DigestAlgorithm {
        self.algorithm
    }

    /// The lowercase hex part.
    pub fn hex(&self) -> &str {
        &self.hex
    }

    /// The cosign/referrers tag form: `sha256-<hex>`.
    pub fn tag_form(&self) -> String {
        format!("{}-{}", self.algorithm.name(), self.hex)
    }

    /// A short form for human output: `sha256:0123456789ab`.
    pub fn short(&self) -> String {
        let end = self.hex.len().min(12);
        format!(
            "{}:{}",
            self.algorithm.name(),
            self.hex.get(..end).unwrap_or("")
        )
    }
}

impl FromStr for Digest {
    type Err = OciError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let invalid = |reason| OciError::InvalidDigest {
            value: value.chars().take(140).collect(),
            reason,
        };
        let (algorithm, hex) = value
            .split_once(':')
            .ok_or_else(|| invalid("expected `algorithm:hex`"))?;
        let algorithm = match algorithm {
            "sha256" => DigestAlgorithm::Sha256,
            "sha512" => DigestAlgorithm::Sha512,
            _ => return Err(invalid("unsupported algorithm (expected sha256 or sha512)")),
        };
        if hex.len() != algorithm.hex_len() {
            return Err(invalid("wrong length for the algorithm"));
        }
        if !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(invalid("expected lowercase hex"));
        }
        Ok(Self {
            algorithm,
            hex: hex.to_owned(),
        })
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm.name(), self.hex)
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Serialize for Digest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Digest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for Digest {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Digest".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$"
        })
    }
}

/// An incremental hasher that yields a [`Digest`].
#[derive(Clone)]
pub enum DigestHasher {
    /// SHA-256 state.
    Sha256(sha2::Sha256),
    /// SHA-512 state.
    Sha512(sha2::Sha512),
}

impl DigestHasher {
    /// A fresh hasher for `algorithm`.
    pub fn new(algorithm: DigestAlgorithm) -> Self {
        match algorithm {
            DigestAlgorithm::Sha256 => Self::Sha256(sha2::Sha256::new()),
            DigestAlgorithm::Sha512 => Self::Sha512(sha2::Sha512::new()),
        }
    }

    /// Feed bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        match self {
            Self::Sha256(h) => h.update(bytes),
            Self::Sha512(h) => h.update(bytes),
        }
    }

    /// The digest of everything fed so far.
    pub fn finish(self) -> Digest {
        match self {
            Self::Sha256(h) => Digest {
                algorithm: DigestAlgorithm::Sha256,
                hex: hex::encode(h.finalize()),
            },
            Self::Sha512(h) => Digest {
                algorithm: DigestAlgorithm::Sha512,
                hex: hex::encode(h.finalize()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_round_trips() {
        let d: Digest = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
            .parse()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(d, Digest::sha256_of(b""));
        assert_eq!(d.tag_form().len(), 7 + 64);
    }

    #[test]
    fn rejects_uppercase_short_and_unknown() {
        for bad in [
            "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
            "sha256:abc",
            "md5:d41d8cd98f00b204e9800998ecf8427e",
            "sha256:../../../../etc/passwd00000000000000000000000000000000000000000",
            "nocolon",
        ] {
            assert!(bad.parse::<Digest>().is_err(), "{bad} accepted");
        }
    }
}
