//! Platforms (`linux/arm64/v8`): parsing, display and matching as container runtimes do.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::OciError;

/// An image platform as written in an index entry or an image config.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
pub struct Platform {
    /// Operating system, e.g. `linux`.
    pub os: String,
    /// CPU architecture, e.g. `amd64`.
    pub architecture: String,
    /// CPU variant, e.g. `v8`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// OS version (Windows images).
    #[serde(
        rename = "os.version",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub os_version: Option<String>,
}

impl Platform {
    /// Whether this is BuildKit's `unknown/unknown` marker for attestation manifests.
    pub fn is_unknown(&self) -> bool {
        self.os == "unknown" && self.architecture == "unknown"
    }

    /// Whether `self` (a requested platform) selects `other` (an image's platform).
    /// An unset variant in the request matches any variant; `arm64` treats an absent
    /// variant as `v8`, as containerd does.
    pub fn selects(&self, other: &Platform) -> bool {
        if self.os != other.os || self.architecture != other.architecture {
            return false;
        }
        match (&self.variant, &other.variant) {
            (None, _) => true,
            (Some(a), Some(b)) => a == b,
            (Some(a), None) => self.architecture == "arm64" && a == "v8",
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

impl FromStr for Platform {
    type Err = OciError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.split('/');
        let (Some(os), Some(arch)) = (parts.next(), parts.next()) else {
            return Err(OciError::InvalidDocument {
                what: "platform",
                expected: "os/arch[/variant]".into(),
                found: s.chars().take(64).collect(),
            });
        };
        let variant = parts.next().map(str::to_owned);
        if os.is_empty() || arch.is_empty() || parts.next().is_some() {
            return Err(OciError::InvalidDocument {
                what: "platform",
                expected: "os/arch[/variant]".into(),
                found: s.chars().take(64).collect(),
            });
        }
        Ok(Self {
            os: os.to_owned(),
            architecture: arch.to_owned(),
            variant,
            os_version: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_display_and_select() {
        let req: Platform = "linux/arm64".parse().unwrap();
        let img: Platform = "linux/arm64/v8".parse().unwrap();
        assert!(req.selects(&img));
        assert_eq!(img.to_string(), "linux/arm64/v8");
        let amd: Platform = "linux/amd64".parse().unwrap();
        assert!(!amd.selects(&img));
        assert!("linux".parse::<Platform>().is_err());
        assert!("a/b/c/d".parse::<Platform>().is_err());
    }
}
