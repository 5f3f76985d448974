//! The redacted form of a secret: the only form that leaves the detector. A prefix of at
//! most 4 characters (fewer for short values), the length, and a SHA-256 fingerprint.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A secret value reduced to what may be reported.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RedactedSecret {
    /// Up to 4 leading characters (none for values under 8 bytes, 2 under 16).
    pub prefix: String,
    /// Length of the value in bytes.
    pub length: usize,
    /// Lowercase hex SHA-256 of the value.
    pub sha256: String,
}

impl RedactedSecret {
    /// Redact a raw value.
    pub fn from_value(value: &[u8]) -> Self {
        let keep = match value.len() {
            0..8 => 0,
            8..16 => 2,
            _ => 4,
        };
        let prefix = value
            .iter()
            .take(keep)
            .map(|&b| {
                if b.is_ascii_graphic() {
                    char::from(b)
                } else {
                    '?'
                }
            })
            .collect();
        Self {
            prefix,
            length: value.len(),
            sha256: hex::encode(Sha256::digest(value)),
        }
    }

    /// `AKIA…(20)`: the display form used in reports.
    pub fn display(&self) -> String {
        format!("{}…({})", self.prefix, self.length)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_shrinks_for_short_values() {
        assert_eq!(
            RedactedSecret::from_value(b"AKIAZZZZZZZZZZZZZZZZ").prefix,
            "AKIA"
        );
        assert_eq!(RedactedSecret::from_value(b"hunter22").prefix, "hu");
        assert_eq!(RedactedSecret::from_value(b"abc").prefix, "");
        let r = RedactedSecret::from_value(b"abc");
        assert_eq!(r.length, 3);
        assert_eq!(
            r.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            RedactedSecret::from_value(b"AKIAZZZZZZZZZZZZZZZZ").display(),
            "AKIA…(20)"
        );
    }
}
