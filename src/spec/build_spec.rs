//! The spec's optional `build:` section: which existing builder to run, on what, and
//! where its output lands. The build stage (`crate::build`) turns it into command
//! lines; every later stage checks exactly the digest that build recorded.

use std::collections::BTreeMap;
use std::path::PathBuf;

use schemars::JsonSchema;

use crate::oci::ImageReference;
use crate::oci::reference::RegistryReference;
use serde::{Deserialize, Serialize};

/// How to build the image. Relative paths resolve against the spec file's directory.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BuildSpec {
    /// The builder to run.
    pub builder: BuilderKind,
    /// The build context directory (default: the spec file's directory).
    #[serde(default = "default_context")]
    pub context: PathBuf,
    /// The Dockerfile (default: `Dockerfile` in the context). It is also linted and
    /// used to map image findings to its lines, unless `checks.dockerfile` names
    /// another.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dockerfile: Option<PathBuf>,
    /// The build stage to stop at (`--target`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Build arguments (`--build-arg KEY=VALUE`). Never put secrets here: build
    /// arguments land in the image history; a secret-looking one is a finding.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub args: BTreeMap<String, String>,
    /// Platforms to build, e.g. `[linux/amd64, linux/arm64]` (default: the host's).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub platforms: Vec<String>,
    /// Build secrets, passed as `--secret id=ID,src=FILE` (read by
    /// `RUN --mount=type=secret,id=ID`), never as build arguments.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<BuildSecret>,
    /// For `builder: command`: the program and its arguments, run without a shell.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub command: Vec<String>,
    /// Where the built image lands. For `builder: command` (required): the image the
    /// command writes, as `oci:DIR[:TAG]`, `oci-archive:FILE[:TAG]` or
    /// `docker-archive:FILE`. For buildah and podman: an OCI layout directory to keep
    /// the pushed image in (default: a temporary directory removed after the run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    /// For `builder: command`: a file where the command writes the digest of what it
    /// built; it must name the image found at `output`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest_file: Option<PathBuf>,
    /// Push the built image to `image.ref` once it passed (like `docker buildx build
    /// --push` or build-push-action's `push: true`): exactly the bytes checked, by
    /// digest, then the tag — after the attestation when `attestation.push` is set. A
    /// failing or incomplete result is never pushed. Needs `builder: buildah`,
    /// `podman`, or a `command` writing `oci:` or `oci-archive:`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub push: bool,
}

/// Why `build.push` cannot work as written, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushProblem {
    /// What is wrong.
    pub reason: String,
    /// How to fix it.
    pub help: &'static str,
}

impl BuildSpec {
    /// Where a push of this build goes: `image_ref` (the spec's `image.ref`), which
    /// must be a registry reference without a digest (only the build decides it), and
    /// the builder must leave OCI layout bytes that can be pushed unchanged.
    pub fn push_destination(
        &self,
        image_ref: Option<&str>,
    ) -> Result<RegistryReference, PushProblem> {
        let problem = |reason: String, help| Err(PushProblem { reason, help });
        let Some(text) = image_ref else {
            return problem(
                "there is no `image.ref` to push to".into(),
                "set `image.ref: registry.example.com/team/app:TAG`",
            );
        };
        let layout_output = match self.builder {
            BuilderKind::Buildah | BuilderKind::Podman => true,
            BuilderKind::Docker => false,
            BuilderKind::Command => self.output.as_deref().is_some_and(|o| {
                matches!(
                    ImageReference::parse(o),
                    Ok(ImageReference::OciLayout { .. } | ImageReference::OciArchive { .. })
                )
            }),
        };
        if !layout_output {
            return problem(
                format!(
                    "`builder: {}` does not leave the image as OCI layout bytes that can be pushed unchanged",
                    self.builder.name()
                ),
                "use `builder: buildah` or `podman`, or a `command` with `output: oci:DIR` or `oci-archive:FILE`; after `docker build`, push with `docker push` and check the pushed digest",
            );
        }
        match ImageReference::parse(text) {
            Ok(ImageReference::Registry(r)) if r.digest.is_none() => Ok(r),
            Ok(ImageReference::Registry(_)) => problem(
                format!("`image.ref: {text}` names a digest, which only the build decides"),
                "write `image.ref` with a tag (registry/repo:TAG)",
            ),
            Ok(_) => problem(
                format!("`image.ref: {text}` is not a registry reference"),
                "write `image.ref` as registry.example.com/team/app:TAG",
            ),
            Err(e) => problem(
                format!("`image.ref: {text}` is not a reference: {e}"),
                "write `image.ref` as registry.example.com/team/app:TAG",
            ),
        }
    }
}

fn default_context() -> PathBuf {
    PathBuf::from(".")
}

/// A supported builder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum BuilderKind {
    /// `buildah build`, then `buildah push` into an OCI layout (no daemon).
    Buildah,
    /// `podman build`, then `podman push` into an OCI layout (no daemon).
    Podman,
    /// `docker build --iidfile`, then the image is read from the Docker daemon.
    Docker,
    /// Any program that writes an OCI layout or archive (`command`, `output`).
    Command,
}

impl BuilderKind {
    /// The lowercase name used in specs and reports.
    pub fn name(self) -> &'static str {
        match self {
            Self::Buildah => "buildah",
            Self::Podman => "podman",
            Self::Docker => "docker",
            Self::Command => "command",
        }
    }
}

/// A build secret: a file the builder mounts for one `RUN` step.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BuildSecret {
    /// The id `RUN --mount=type=secret,id=ID` asks for.
    pub id: String,
    /// The file holding the secret.
    pub src: PathBuf,
}
