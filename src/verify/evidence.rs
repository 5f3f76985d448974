//! Evidence handed to the verifier: bytes already fetched, plus where they came from.
//!
//! Discovery (registry `.sig`/`.att` tags, referrers and the tag fallback, `BuildKit`
//! attestation manifests, files) sits in front of the verifier and produces these;
//! the verifier never does I/O of its own. The location travels into the report, so
//! it can say which format and which place satisfied a requirement.

use std::collections::BTreeMap;
use std::path::PathBuf;

use schemars::JsonSchema;
use serde::Serialize;

use crate::oci::Digest;

/// Largest single piece of evidence accepted (bundles and envelopes are a few KiB;
/// provenance with a full GitHub event payload stays well under 1 MiB).
pub const MAX_EVIDENCE_BYTES: usize = 8 * 1024 * 1024;

/// Which storage format the evidence is in (research/signatures.md §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum EvidenceFormat {
    /// cosign legacy `.sig` layer: a simple-signing payload with annotations.
    CosignSimpleSigning,
    /// cosign legacy `.att` layer: a DSSE envelope with annotations.
    CosignAttestation,
    /// A Sigstore bundle (v0.1–v0.3), e.g. an OCI 1.1 referrer.
    SigstoreBundle,
    /// A bare, unsigned in-toto Statement (`BuildKit` attestation manifest layer).
    UnsignedStatement,
}

impl EvidenceFormat {
    /// The kebab-case name the report uses.
    pub fn name(self) -> &'static str {
        match self {
            Self::CosignSimpleSigning => "cosign-simple-signing",
            Self::CosignAttestation => "cosign-attestation",
            Self::SigstoreBundle => "sigstore-bundle",
            Self::UnsignedStatement => "unsigned-statement",
        }
    }
}

/// Where a piece of evidence was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum EvidenceLocation {
    /// A cosign tag (`sha256-<hex>.sig` / `.att`) in the image's or an alternate repository.
    Tag {
        /// Repository holding the tag.
        repository: String,
        /// The tag.
        tag: String,
        /// Digest of the manifest at the tag.
        manifest: String,
    },
    /// An OCI 1.1 referrer of the image.
    Referrer {
        /// Repository holding the referrer.
        repository: String,
        /// Digest of the referrer manifest.
        manifest: String,
        /// `referrers-api` or `tag-fallback`.
        via: String,
    },
    /// A `BuildKit` attestation manifest inside the image index.
    IndexAttestation {
        /// Digest of the attestation manifest.
        manifest: String,
        /// The platform manifest it describes (`vnd.docker.reference.digest`).
        describes: String,
    },
    /// A local file (e.g. `imgguard verify --bundle FILE`).
    File {
        /// The file.
        path: PathBuf,
    },
}

impl EvidenceLocation {
    /// Where, for people: the URI, or the index attestation manifest and what it describes.
    pub fn describe(&self) -> String {
        match self {
            Self::Referrer { via, .. } => {
                format!("{} (referrer, {via})", self.uri().unwrap_or_default())
            }
            Self::IndexAttestation {
                manifest,
                describes,
            } => format!("index attestation manifest {manifest} for {describes}"),
            Self::Tag { .. } | Self::File { .. } => self.uri().unwrap_or_default(),
        }
    }

    /// A URI for the evidence, as the VSA's `inputAttestations` want one (`None` when
    /// the location has no address of its own).
    pub fn uri(&self) -> Option<String> {
        match self {
            Self::Tag {
                repository, tag, ..
            } => Some(format!("oci://{repository}:{tag}")),
            Self::Referrer {
                repository,
                manifest,
                ..
            } => Some(format!("oci://{repository}@{manifest}")),
            Self::IndexAttestation { .. } => None,
            Self::File { path } => Some(format!("file://{}", path.display())),
        }
    }
}

/// One piece of fetched evidence.
#[derive(Debug, Clone)]
pub struct Evidence {
    /// The storage format.
    pub format: EvidenceFormat,
    /// Where it came from.
    pub location: EvidenceLocation,
    /// The layer/blob bytes: payload, envelope, bundle or statement.
    pub bytes: Vec<u8>,
    /// The layer annotations (cosign legacy formats carry signature, certificate,
    /// chain and Rekor bundle here).
    pub annotations: BTreeMap<String, String>,
}

impl Evidence {
    /// Evidence without annotations.
    pub fn new(format: EvidenceFormat, location: EvidenceLocation, bytes: Vec<u8>) -> Self {
        Self {
            format,
            location,
            bytes,
            annotations: BTreeMap::new(),
        }
    }

    /// Attach layer annotations.
    #[must_use]
    pub fn with_annotations(mut self, annotations: BTreeMap<String, String>) -> Self {
        self.annotations = annotations;
        self
    }

    /// The digest of the evidence bytes (what the VSA lists in `inputAttestations`).
    pub fn digest(&self) -> Digest {
        Digest::sha256_of(&self.bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_have_oci_uris() {
        let repo = || "ghcr.io/acme/app".to_owned();
        let cases = [
            (
                EvidenceLocation::Tag {
                    repository: repo(),
                    tag: "sha256-ab.att".into(),
                    manifest: "sha256:cd".into(),
                },
                Some("oci://ghcr.io/acme/app:sha256-ab.att"),
            ),
            (
                EvidenceLocation::Referrer {
                    repository: repo(),
                    manifest: "sha256:cd".into(),
                    via: "tag-fallback".into(),
                },
                Some("oci://ghcr.io/acme/app@sha256:cd"),
            ),
            (
                EvidenceLocation::IndexAttestation {
                    manifest: "sha256:cd".into(),
                    describes: "sha256:ef".into(),
                },
                None,
            ),
        ];
        for (location, uri) in cases {
            assert_eq!(location.uri().as_deref(), uri);
        }
    }

    #[test]
    fn evidence_digest_is_sha256_of_the_bytes() {
        let e = Evidence::new(
            EvidenceFormat::SigstoreBundle,
            EvidenceLocation::File {
                path: "b.json".into(),
            },
            b"{}".to_vec(),
        );
        assert_eq!(
            e.digest().to_string(),
            "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        );
    }
}
