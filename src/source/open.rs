//! Turn an [`ImageReference`] into the matching [`ImageSource`].

use super::SourceError;
use super::docker_archive::DockerArchive;
use super::file_tree::{DirTree, EmbeddedTree};
use super::image_source::ImageSource;
use super::oci_layout::OciLayout;
use super::tar_tree::TarTree;
use crate::oci::ImageReference;

/// The demo image's files, compiled in from `testdata/demo` (see `build.rs`).
mod demo_files {
    include!(concat!(env!("OUT_DIR"), "/demo_files.rs"));
}

/// The embedded demo image: an OCI layout holding the classic mistakes.
pub fn demo_source() -> Box<dyn ImageSource> {
    Box::new(OciLayout::new(
        EmbeddedTree::new("embedded:demo", demo_files::DEMO_FILES),
        "demo",
        None,
    ))
}

/// Open the source a reference names.
pub fn open_source(reference: &ImageReference) -> Result<Box<dyn ImageSource>, SourceError> {
    match reference {
        ImageReference::OciLayout { path, tag } => {
            let meta = fs_err::metadata(path).map_err(|source| SourceError::Io {
                path: path.clone(),
                source,
            })?;
            if !meta.is_dir() {
                return Err(SourceError::Layout {
                    what: format!("oci:{}", path.display()),
                    expected: "a directory holding an OCI layout".into(),
                    found: "a file (use oci-archive: for a tar of a layout)".into(),
                });
            }
            Ok(Box::new(OciLayout::new(
                DirTree::new(path.clone()),
                "oci",
                tag.clone(),
            )))
        }
        ImageReference::OciArchive { path, tag } => {
            let tree = TarTree::open(path)?;
            Ok(Box::new(OciLayout::new(tree, "oci-archive", tag.clone())))
        }
        ImageReference::DockerArchive { path, name } => {
            let tree = TarTree::open(path)?;
            // Docker 25+ writes an OCI layout (plus a legacy manifest.json) into the
            // archive; the OCI side carries the real manifest digests, so prefer it.
            if OciLayout::is_layout(&tree)? {
                Ok(Box::new(OciLayout::new(
                    tree,
                    "docker-archive",
                    name.clone(),
                )))
            } else {
                Ok(Box::new(DockerArchive::new(tree, name.clone())))
            }
        }
        ImageReference::Registry(_) => Err(SourceError::Unsupported {
            transport: "registry".into(),
        }),
        ImageReference::DockerDaemon { .. } => Err(SourceError::Unsupported {
            transport: "docker-daemon".into(),
        }),
    }
}
