//! Budgets: typed limits that bound the memory and time hostile input can demand.
//! Each has a default that fits real images; a spec can override them.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A byte count written as `512MiB`, `1GiB`, `64KiB` or plain bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ByteSize(pub u64);

impl ByteSize {
    /// `n` KiB.
    pub const fn kib(n: u64) -> Self {
        Self(n * 1024)
    }
    /// `n` MiB.
    pub const fn mib(n: u64) -> Self {
        Self(n * 1024 * 1024)
    }
    /// `n` GiB.
    pub const fn gib(n: u64) -> Self {
        Self(n * 1024 * 1024 * 1024)
    }
}

impl fmt::Display for ByteSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [(&str, u64); 3] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
        for (name, size) in UNITS {
            if self.0 >= size && self.0.is_multiple_of(size) {
                return write!(f, "{}{name}", self.0 / size);
            }
        }
        write!(f, "{}B", self.0)
    }
}

impl FromStr for ByteSize {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let (num, unit) = s.split_at(split);
        let n: u64 = num
            .parse()
            .map_err(|_| format!("expected a size like 512MiB, found `{s}`"))?;
        let mult: u64 = match unit.trim() {
            "" | "B" => 1,
            "KiB" | "K" | "KB" => 1 << 10,
            "MiB" | "M" | "MB" => 1 << 20,
            "GiB" | "G" | "GB" => 1 << 30,
            "TiB" | "T" | "TB" => 1 << 40,
            other => {
                return Err(format!(
                    "unknown size unit `{other}` (use B, KiB, MiB, GiB, TiB)"
                ));
            }
        };
        n.checked_mul(mult)
            .map(Self)
            .ok_or_else(|| format!("size `{s}` overflows"))
    }
}

impl Serialize for ByteSize {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Int(u64),
            Text(String),
        }
        match Raw::deserialize(deserializer)? {
            Raw::Int(n) => Ok(Self(n)),
            Raw::Text(s) => s.parse().map_err(serde::de::Error::custom),
        }
    }
}

impl JsonSchema for ByteSize {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ByteSize".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "oneOf": [
                {"type": "integer", "minimum": 0},
                {"type": "string", "pattern": "^[0-9]+\\s*(B|K|KB|KiB|M|MB|MiB|G|GB|GiB|T|TB|TiB)?$"}
            ]
        })
    }
}

/// Every limit the layer engine enforces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Budgets {
    /// Uncompressed bytes one layer may expand to.
    pub max_layer_bytes: ByteSize,
    /// Uncompressed / compressed ratio allowed once a layer passes `ratio_grace`.
    pub max_expansion_ratio: u64,
    /// Bytes a layer may expand to before the ratio applies.
    pub ratio_grace: ByteSize,
    /// Tar entries per layer.
    pub max_entries_per_layer: u64,
    /// Length of one path or link target, in bytes.
    pub max_path_bytes: usize,
    /// Size of one PAX extended header or GNU long-name record.
    pub max_header_record: ByteSize,
    /// Size of a manifest, index or config document.
    pub max_document: ByteSize,
    /// Layers per platform.
    pub max_layers: usize,
}

impl Default for Budgets {
    fn default() -> Self {
        Self {
            max_layer_bytes: ByteSize::gib(32),
            max_expansion_ratio: 200,
            ratio_grace: ByteSize::mib(256),
            max_entries_per_layer: 2_000_000,
            max_path_bytes: 4096,
            max_header_record: ByteSize::mib(1),
            max_document: ByteSize::mib(8),
            max_layers: 1000,
        }
    }
}

impl Budgets {
    /// The uncompressed bytes a layer of `compressed` bytes may produce.
    pub fn layer_limit(&self, compressed: u64) -> u64 {
        let by_ratio = compressed
            .saturating_mul(self.max_expansion_ratio)
            .max(self.ratio_grace.0);
        by_ratio.min(self.max_layer_bytes.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_and_print() {
        assert_eq!("512MiB".parse::<ByteSize>().unwrap(), ByteSize::mib(512));
        assert_eq!("10".parse::<ByteSize>().unwrap(), ByteSize(10));
        assert!("12 parsecs".parse::<ByteSize>().is_err());
        assert!("99999999999999TiB".parse::<ByteSize>().is_err());
        assert_eq!(ByteSize::gib(1).to_string(), "1GiB");
    }

    #[test]
    fn ratio_limit_applies_after_grace() {
        let b = Budgets::default();
        assert_eq!(b.layer_limit(1024), ByteSize::mib(256).0);
        assert_eq!(b.layer_limit(ByteSize::gib(1).0), ByteSize::gib(32).0);
        assert_eq!(b.layer_limit(ByteSize::mib(10).0), ByteSize::mib(2000).0);
    }
}
