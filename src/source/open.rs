//! Turn an [`ImageReference`] into the matching [`ImageSource`]. A registry name
//! without a registry host (`myapp:dev`) is looked up in the local Docker-API engine
//! first when one answers and has it, as docker and podman users expect; the source's
//! `info()` says which one was used.

use super::SourceError;
use super::chosen::ChosenSource;
use super::daemon::DaemonSource;
use super::daemon::engine_api::EngineApi;
use super::docker_archive::DockerArchive;
use super::file_tree::{DirTree, EmbeddedTree};
use super::image_source::ImageSource;
use super::oci_layout::OciLayout;
use super::registry::{RegistryOptions, RegistrySource};
use super::tar_tree::TarTree;
use crate::oci::ImageReference;
use crate::oci::reference::{DOCKER_HUB, RegistryReference};

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

/// Open the source a reference names, with default registry and daemon settings.
pub fn open_source(reference: &ImageReference) -> Result<Box<dyn ImageSource>, SourceError> {
    open_source_with(reference, &RegistryOptions::default())
}

/// Open the source a reference names, reaching registries and daemons with `options`.
pub fn open_source_with(
    reference: &ImageReference,
    options: &RegistryOptions,
) -> Result<Box<dyn ImageSource>, SourceError> {
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
        ImageReference::Registry(r) => {
            if !options.prefer_daemon || r.explicit_registry || r.digest.is_some() {
                return Ok(Box::new(RegistrySource::new(r.clone(), options)?));
            }
            let name = short_name(r);
            let registry = |why: String| -> Result<Box<dyn ImageSource>, SourceError> {
                Ok(Box::new(ChosenSource::new(
                    Box::new(RegistrySource::new(r.clone(), options)?),
                    why,
                )))
            };
            let Ok(api) = DaemonSource::engine(options) else {
                return registry(format!(
                    "`{name}` names no registry host and no local Docker-API engine answered, so it was pulled from the registry"
                ));
            };
            let endpoint = api.endpoint().to_string();
            match daemon_with(r, &api) {
                Some(daemon) => Ok(Box::new(ChosenSource::new(
                    Box::new(daemon),
                    format!(
                        "`{name}` names no registry host and the local Docker-API engine at {endpoint} has it, so the registry was not consulted (write the full name with its registry host, or pass `--no-daemon`, to check the registry's copy)"
                    ),
                ))),
                None => registry(format!(
                    "`{name}` names no registry host and the local Docker-API engine at {endpoint} does not have it, so it was pulled from the registry"
                )),
            }
        }
        ImageReference::DockerDaemon { name } => {
            Ok(Box::new(DaemonSource::connect(name, options)?))
        }
    }
}

/// The daemon source for a bare name, when the engine has the image.
fn daemon_with(reference: &RegistryReference, api: &EngineApi) -> Option<DaemonSource> {
    // The name as the user would write it (podman stores `myapp:dev` as
    // `localhost/myapp:dev` and finds it by the short name only), then docker's full form.
    [short_name(reference), reference.to_string()]
        .iter()
        .map(|name| DaemonSource::new(api.clone(), name))
        .find(DaemonSource::has_image)
}

/// A bare name as the user wrote it: `myapp:dev`, not `docker.io/library/myapp:dev`.
fn short_name(reference: &RegistryReference) -> String {
    let tag = reference.tag_or_default().unwrap_or("latest");
    let short = match reference.repository.strip_prefix("library/") {
        Some(name) if reference.registry == DOCKER_HUB => name.to_owned(),
        _ => reference.repository.clone(),
    };
    format!("{short}:{tag}")
}
