//! `docker save` archives in the legacy layout (`manifest.json` + `<id>.json` +
//! `<id>/layer.tar`). Such archives carry no registry manifest, so the image is named
//! by its image ID (the config digest, as `docker images` shows it) and a manifest is
//! synthesised whose layer digests are checked while the layers stream. OCI-shaped
//! archives (Docker 25+) are read as OCI layouts instead (see `open`).

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::OnceLock;

use serde::Deserialize;

use super::SourceError;
use super::file_tree::FileTree;
use super::image_source::{ImageSource, SourceInfo};
use super::resolve::DigestKind;
use super::tar_tree::TarTree;
use crate::layer::hashing_reader::HashingReader;
use crate::oci::media_type::{
    DOCKER_CONFIG, DOCKER_LAYER_GZIP, DOCKER_LAYER_TAR, DOCKER_MANIFEST, OCI_LAYER_ZSTD,
};
use crate::oci::reference::RegistryReference;
use crate::oci::{Compression, Descriptor, Digest, DigestAlgorithm, ImageConfig, ImageManifest};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ManifestEntry {
    config: String,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    layers: Vec<String>,
}

struct Synthesised {
    root: Descriptor,
    manifest_bytes: Vec<u8>,
    config: Descriptor,
    config_bytes: Vec<u8>,
    /// Layer digest → path in the archive.
    layer_paths: BTreeMap<Digest, String>,
}

/// A legacy `docker save` archive.
pub struct DockerArchive {
    tree: TarTree,
    name: Option<String>,
    synthesised: OnceLock<Synthesised>,
}

impl DockerArchive {
    /// An archive over an indexed tar, picking `name` (`NAME:TAG`) when given.
    pub fn new(tree: TarTree, name: Option<String>) -> Self {
        Self {
            tree,
            name,
            synthesised: OnceLock::new(),
        }
    }

    fn synthesise(&self, limit: u64) -> Result<Synthesised, SourceError> {
        let location = self.tree.location();
        let layout = |expected: &str, found: String| SourceError::Layout {
            what: format!("docker archive {location}"),
            expected: expected.to_owned(),
            found,
        };
        let bytes = self
            .tree
            .read_small("manifest.json", limit)?
            .ok_or_else(|| {
                layout(
                    "a `manifest.json` (docker save) or `index.json` (OCI)",
                    "neither".into(),
                )
            })?;
        let entries: Vec<ManifestEntry> = serde_json::from_slice(&bytes)
            .map_err(|e| layout("a valid manifest.json", format!("invalid JSON: {e}")))?;
        let tags = |e: &ManifestEntry| e.repo_tags.clone().unwrap_or_default();
        let present = || {
            let all: Vec<String> = entries.iter().flat_map(tags).collect();
            if all.is_empty() {
                format!("{} untagged image(s)", entries.len())
            } else {
                all.join(", ")
            }
        };
        let entry = match &self.name {
            Some(wanted) => {
                let normal = |s: &str| RegistryReference::parse(s).ok().map(|r| r.to_string());
                let wanted_normal = normal(wanted);
                entries
                    .iter()
                    .find(|e| {
                        tags(e).iter().any(|t| {
                            t == wanted || (wanted_normal.is_some() && normal(t) == wanted_normal)
                        })
                    })
                    .ok_or_else(|| SourceError::NotFound {
                        location: location.clone(),
                        wanted: wanted.clone(),
                        present: present(),
                    })?
            }
            None => match entries.as_slice() {
                [only] => only,
                _ => {
                    return Err(SourceError::NotFound {
                        location: location.clone(),
                        wanted: "one image (the archive holds several; add :NAME:TAG)".into(),
                        present: present(),
                    });
                }
            },
        };
        let config_bytes = self.tree.read_small(&entry.config, limit)?.ok_or_else(|| {
            layout(
                &format!("the config file {}", entry.config),
                "it is missing".into(),
            )
        })?;
        let config_digest = Digest::sha256_of(&config_bytes);
        // Legacy archives name the config after its digest: check it.
        let stem = entry
            .config
            .trim_end_matches(".json")
            .rsplit('/')
            .next()
            .unwrap_or("");
        if stem.len() == 64 && stem != config_digest.hex() {
            return Err(SourceError::DigestMismatch {
                what: format!("config {}", entry.config),
                expected: format!("sha256:{stem}").parse()?,
                found: config_digest,
            });
        }
        let config = ImageConfig::parse(&config_bytes)?;
        if config.rootfs.diff_ids.len() != entry.layers.len() {
            return Err(layout(
                &format!(
                    "{} layers as the config's rootfs.diff_ids lists",
                    config.rootfs.diff_ids.len()
                ),
                format!("{} in manifest.json", entry.layers.len()),
            ));
        }
        let mut layers = Vec::new();
        let mut layer_paths = BTreeMap::new();
        for (path, diff_id) in entry.layers.iter().zip(&config.rootfs.diff_ids) {
            let (mut reader, size) = self
                .tree
                .open(path)?
                .ok_or_else(|| layout(&format!("layer file {path}"), "it is missing".into()))?;
            let mut head = [0_u8; 4];
            let n = reader.read(&mut head).map_err(|source| SourceError::Io {
                path: path.into(),
                source,
            })?;
            let compression = Compression::sniff(head.get(..n).unwrap_or(&[]));
            let (digest, media_type) = match compression {
                // The blob is the uncompressed tar: its digest is the diff_id, checked while it streams.
                Compression::None => (diff_id.clone(), DOCKER_LAYER_TAR),
                // Rare (some tools compress): hash the stored file to know its digest.
                Compression::Gzip | Compression::Zstd => {
                    let (reader, _) = self.tree.open(path)?.ok_or_else(|| {
                        layout(&format!("layer file {path}"), "it is missing".into())
                    })?;
                    let (digest, _) = HashingReader::new(reader, DigestAlgorithm::Sha256)
                        .drain_and_finish()
                        .map_err(|source| SourceError::Io {
                            path: path.into(),
                            source,
                        })?;
                    (
                        digest,
                        if compression == Compression::Gzip {
                            DOCKER_LAYER_GZIP
                        } else {
                            OCI_LAYER_ZSTD
                        },
                    )
                }
            };
            layer_paths.insert(digest.clone(), path.clone());
            layers.push(plain_descriptor(media_type, digest, size));
        }
        let config_descriptor =
            plain_descriptor(DOCKER_CONFIG, config_digest, config_bytes.len() as u64);
        let manifest = ImageManifest {
            schema_version: 2,
            media_type: Some(DOCKER_MANIFEST.to_owned()),
            config: config_descriptor.clone(),
            layers,
            subject: None,
            artifact_type: None,
            annotations: BTreeMap::new(),
        };
        let manifest_bytes =
            serde_json::to_vec(&manifest).map_err(|e| layout("a manifest", e.to_string()))?;
        let root = plain_descriptor(
            DOCKER_MANIFEST,
            Digest::sha256_of(&manifest_bytes),
            manifest_bytes.len() as u64,
        );
        Ok(Synthesised {
            root,
            manifest_bytes,
            config: config_descriptor,
            config_bytes,
            layer_paths,
        })
    }

    fn synthesised(&self, limit: u64) -> Result<&Synthesised, SourceError> {
        if let Some(s) = self.synthesised.get() {
            return Ok(s);
        }
        let s = self.synthesise(limit)?;
        Ok(self.synthesised.get_or_init(|| s))
    }
}

fn plain_descriptor(media_type: &str, digest: Digest, size: u64) -> Descriptor {
    Descriptor {
        media_type: media_type.to_owned(),
        digest,
        size,
        platform: None,
        annotations: BTreeMap::new(),
        artifact_type: None,
        urls: Vec::new(),
    }
}

impl ImageSource for DockerArchive {
    fn info(&self) -> SourceInfo {
        SourceInfo::new("docker-archive", self.tree.location())
    }

    fn root(&self, document_limit: u64) -> Result<Descriptor, SourceError> {
        Ok(self.synthesised(document_limit)?.root.clone())
    }

    fn fetch_document(&self, descriptor: &Descriptor, limit: u64) -> Result<Vec<u8>, SourceError> {
        let s = self.synthesised(limit)?;
        if descriptor.digest == s.root.digest {
            Ok(s.manifest_bytes.clone())
        } else if descriptor.digest == s.config.digest {
            Ok(s.config_bytes.clone())
        } else {
            Err(SourceError::MissingBlob {
                digest: descriptor.digest.clone(),
                location: self.tree.location(),
            })
        }
    }

    fn open_blob(&self, descriptor: &Descriptor) -> Result<Box<dyn Read + Send>, SourceError> {
        let missing = || SourceError::MissingBlob {
            digest: descriptor.digest.clone(),
            location: self.tree.location(),
        };
        let s = self.synthesised.get().ok_or_else(missing)?;
        let path = s.layer_paths.get(&descriptor.digest).ok_or_else(missing)?;
        self.tree.open(path)?.map(|(r, _)| r).ok_or_else(missing)
    }

    fn identity(&self, root: &Descriptor) -> (Digest, DigestKind) {
        match self.synthesised.get() {
            Some(s) => (s.config.digest.clone(), DigestKind::ImageId),
            None => (root.digest.clone(), DigestKind::Manifest),
        }
    }

    fn evidence_store(
        &self,
        _alternate: Option<&str>,
    ) -> Result<Option<Box<dyn crate::source::EvidenceStore + '_>>, SourceError> {
        // A `docker save` archive carries no cosign tags or referrers.
        Ok(None)
    }
}
