//! The image config blob: what the container runs as and with (`Env`, `User`,
//! `ExposedPorts`, …), the layer diff_ids and the build history.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

use super::{Digest, OciError};

/// An OCI / Docker image config. Unknown fields are ignored: configs carry many
/// engine-specific keys that do not matter for the checks.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ImageConfig {
    /// Creation time (RFC 3339), when recorded.
    #[serde(default)]
    pub created: Option<String>,
    /// Operating system.
    #[serde(default)]
    pub os: String,
    /// Architecture.
    #[serde(default)]
    pub architecture: String,
    /// Variant.
    #[serde(default)]
    pub variant: Option<String>,
    /// Runtime configuration.
    #[serde(default, deserialize_with = "null_as_default")]
    pub config: RuntimeConfig,
    /// The uncompressed layer digests.
    #[serde(default)]
    pub rootfs: RootFs,
    /// Build history, one entry per instruction (some are `empty_layer`).
    #[serde(default, deserialize_with = "null_as_default")]
    pub history: Vec<HistoryEntry>,
}

/// The `config` object of an image config.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RuntimeConfig {
    /// `USER`.
    #[serde(default)]
    pub user: Option<String>,
    /// `EXPOSE`, keys like `80/tcp`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub exposed_ports: BTreeMap<String, serde_json::Value>,
    /// `ENV`, `KEY=VALUE` strings.
    #[serde(default, deserialize_with = "null_as_default")]
    pub env: Vec<String>,
    /// `ENTRYPOINT`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub entrypoint: Vec<String>,
    /// `CMD`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub cmd: Vec<String>,
    /// `VOLUME`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub volumes: BTreeMap<String, serde_json::Value>,
    /// `WORKDIR`.
    #[serde(default)]
    pub working_dir: Option<String>,
    /// `LABEL`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub labels: BTreeMap<String, String>,
    /// `STOPSIGNAL`.
    #[serde(default)]
    pub stop_signal: Option<String>,
    /// `HEALTHCHECK` (Docker extension).
    #[serde(default)]
    pub healthcheck: Option<Healthcheck>,
    /// `ONBUILD` (Docker extension).
    #[serde(default, deserialize_with = "null_as_default")]
    pub on_build: Vec<String>,
    /// `SHELL` (Docker extension).
    #[serde(default, deserialize_with = "null_as_default")]
    pub shell: Vec<String>,
}

/// A Docker `HEALTHCHECK`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Healthcheck {
    /// The test command (`["CMD-SHELL", "…"]`, `["NONE"]`, …).
    #[serde(default, deserialize_with = "null_as_default")]
    pub test: Vec<String>,
}

/// `rootfs` of an image config.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RootFs {
    /// Must be `layers`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// One diff_id per layer, base first.
    #[serde(default)]
    pub diff_ids: Vec<Digest>,
}

/// One build step in the history.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// When it ran.
    #[serde(default)]
    pub created: Option<String>,
    /// The instruction, e.g. `RUN |1 TOKEN=… /bin/sh -c make` or `ENV A=b`.
    #[serde(default)]
    pub created_by: Option<String>,
    /// A comment (BuildKit writes `buildkit.dockerfile.v0`).
    #[serde(default)]
    pub comment: Option<String>,
    /// Whether this step produced no layer.
    #[serde(default)]
    pub empty_layer: bool,
}

fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

impl ImageConfig {
    /// Parse a config blob.
    pub fn parse(bytes: &[u8]) -> Result<Self, OciError> {
        serde_json::from_slice(bytes).map_err(|source| OciError::InvalidJson {
            what: "image config",
            source,
        })
    }

    /// The history entries that produced a layer, in layer order. Where history is
    /// missing or inconsistent (hand-made images), entries are `None`.
    pub fn layer_history(&self) -> Vec<Option<&HistoryEntry>> {
        let mut out: Vec<Option<&HistoryEntry>> = self
            .history
            .iter()
            .filter(|h| !h.empty_layer)
            .map(Some)
            .collect();
        if out.len() != self.rootfs.diff_ids.len() {
            out = vec![None; self.rootfs.diff_ids.len()];
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerates_nulls_and_maps_history_to_layers() {
        let cfg = ImageConfig::parse(
            br#"{"architecture":"amd64","os":"linux","config":{"Env":null,"Labels":null,"User":""},
            "rootfs":{"type":"layers","diff_ids":["sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"]},
            "history":[{"created_by":"ENV A=b","empty_layer":true},{"created_by":"COPY x /"}]}"#,
        )
        .unwrap();
        assert!(cfg.config.env.is_empty());
        let h = cfg.layer_history();
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].and_then(|e| e.created_by.as_deref()), Some("COPY x /"));
    }
}
