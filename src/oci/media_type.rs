//! Media types of the OCI image spec and the Docker v2 schema, and what each means for
//! the engine (which document it is, how a layer is compressed).

/// OCI image index.
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// OCI image manifest.
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// OCI image config.
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
/// Docker manifest list.
pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
/// Docker image manifest (schema 2).
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// Docker image config.
pub const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
/// Docker gzip layer.
pub const DOCKER_LAYER_GZIP: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";
/// Uncompressed Docker layer (what `docker save` archives hold).
pub const DOCKER_LAYER_TAR: &str = "application/vnd.docker.image.rootfs.diff.tar";
/// OCI uncompressed layer.
pub const OCI_LAYER_TAR: &str = "application/vnd.oci.image.layer.v1.tar";
/// OCI gzip layer.
pub const OCI_LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
/// OCI zstd layer.
pub const OCI_LAYER_ZSTD: &str = "application/vnd.oci.image.layer.v1.tar+zstd";
/// The annotation BuildKit puts on attestation manifests inside an index.
pub const ANNOTATION_REFERENCE_TYPE: &str = "vnd.docker.reference.type";
/// Its value for attestation manifests.
pub const REFERENCE_TYPE_ATTESTATION: &str = "attestation-manifest";
/// The annotation naming the tag of a manifest in an OCI layout's `index.json`.
pub const ANNOTATION_REF_NAME: &str = "org.opencontainers.image.ref.name";
/// containerd's annotation naming the full image name in an OCI layout.
pub const ANNOTATION_CONTAINERD_IMAGE_NAME: &str = "io.containerd.image.name";
/// OCI annotation: the base image's name.
pub const ANNOTATION_BASE_NAME: &str = "org.opencontainers.image.base.name";
/// OCI annotation: the base image's digest.
pub const ANNOTATION_BASE_DIGEST: &str = "org.opencontainers.image.base.digest";

/// What a descriptor's media type says the referenced blob is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    /// An image index or Docker manifest list.
    Index,
    /// An image manifest.
    Manifest,
    /// A filesystem layer with the given declared compression.
    Layer(Compression),
    /// Anything else (configs, artifacts, signatures).
    Other,
}

impl MediaKind {
    /// Classify a media type string.
    pub fn of(media_type: &str) -> Self {
        match media_type {
            OCI_INDEX | DOCKER_MANIFEST_LIST => Self::Index,
            OCI_MANIFEST | DOCKER_MANIFEST => Self::Manifest,
            _ => Compression::of_layer_media_type(media_type).map_or(Self::Other, Self::Layer),
        }
    }
}

/// How a layer blob is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    /// A plain tar.
    None,
    /// gzip (possibly several members).
    Gzip,
    /// zstd (possibly several frames).
    Zstd,
}

impl Compression {
    /// The compression a layer media type declares, or `None` when it is not a layer.
    #[expect(
        clippy::case_sensitive_file_extension_comparisons,
        reason = "media types are exact, case-sensitive strings, not file names"
    )]
    pub fn of_layer_media_type(media_type: &str) -> Option<Self> {
        // Docker's "foreign" and OCI's "nondistributable" layers are layers too: they
        // still end up in the container's filesystem.
        let m = media_type;
        if !(m.starts_with("application/vnd.oci.image.layer.")
            || m.starts_with("application/vnd.docker.image.rootfs."))
        {
            return None;
        }
        if m.ends_with("+gzip") || m.ends_with(".tar.gzip") {
            Some(Self::Gzip)
        } else if m.ends_with("+zstd") || m.ends_with(".tar.zstd") {
            Some(Self::Zstd)
        } else if m.ends_with(".tar") {
            Some(Self::None)
        } else {
            None
        }
    }

    /// The compression the first bytes of a blob show.
    pub fn sniff(head: &[u8]) -> Self {
        match head {
            [0x1f, 0x8b, ..] => Self::Gzip,
            [0x28, 0xb5, 0x2f, 0xfd, ..] => Self::Zstd,
            _ => Self::None,
        }
    }

    /// A lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Gzip => "gzip",
            Self::Zstd => "zstd",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_layers_and_documents() {
        assert_eq!(
            MediaKind::of(OCI_LAYER_GZIP),
            MediaKind::Layer(Compression::Gzip)
        );
        assert_eq!(
            MediaKind::of(DOCKER_LAYER_GZIP),
            MediaKind::Layer(Compression::Gzip)
        );
        assert_eq!(
            MediaKind::of(OCI_LAYER_ZSTD),
            MediaKind::Layer(Compression::Zstd)
        );
        assert_eq!(
            MediaKind::of(DOCKER_LAYER_TAR),
            MediaKind::Layer(Compression::None)
        );
        assert_eq!(
            MediaKind::of("application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"),
            MediaKind::Layer(Compression::Gzip)
        );
        assert_eq!(MediaKind::of(DOCKER_MANIFEST_LIST), MediaKind::Index);
        assert_eq!(MediaKind::of(OCI_CONFIG), MediaKind::Other);
        assert_eq!(
            MediaKind::of("application/vnd.in-toto+json"),
            MediaKind::Other
        );
    }

    #[test]
    fn sniffs_magic() {
        assert_eq!(Compression::sniff(&[0x1f, 0x8b, 8]), Compression::Gzip);
        assert_eq!(
            Compression::sniff(&[0x28, 0xb5, 0x2f, 0xfd]),
            Compression::Zstd
        );
        assert_eq!(Compression::sniff(b"etc/"), Compression::None);
    }
}
