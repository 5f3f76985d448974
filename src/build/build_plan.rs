//! Turning a `build:` section into command lines (no I/O): which program runs, with
//! which arguments, which files the builder records its result in, and where the
//! image lands. Relative paths resolve against the spec file's directory.
//!
//! buildah and podman build with `--iidfile`, then `push` the image into an OCI layout
//! with `--digestfile`: the check reads exactly those bytes, and the digest the builder
//! recorded must be the digest found there. docker records `--iidfile` and the image
//! is read from its daemon. A `command` writes an OCI layout or archive itself.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::BuildError;
use super::command_line::CommandLine;
use crate::finding::RedactedSecret;
use crate::oci::ImageReference;
use crate::spec::{BuildSpec, BuilderKind};

/// The tag the built image gets in the OCI layout.
pub const LAYOUT_TAG: &str = "latest";

/// What the build stage will run.
#[derive(Debug, Clone)]
pub struct BuildPlan {
    /// The builder.
    pub builder: BuilderKind,
    /// Asks the builder for its version (none for `command`).
    pub version: Option<CommandLine>,
    /// The build.
    pub build: CommandLine,
    /// Copies the built image into the OCI layout (buildah, podman).
    pub push: Option<CommandLine>,
    /// The working directory of the build (the spec file's directory).
    pub working_dir: PathBuf,
    /// Where the builder writes the image id (the config digest).
    pub iid_file: Option<PathBuf>,
    /// Where the builder writes the digest of what it pushed or produced.
    pub digest_file: Option<PathBuf>,
    /// The image to check.
    pub output: ImageReference,
    /// The Dockerfile, when the builder reads one.
    pub dockerfile: Option<PathBuf>,
}

/// Paths the plan may use for the builder's records and output.
#[derive(Debug, Clone)]
pub struct PlanDirs<'a> {
    /// The spec file's directory: relative paths resolve against it.
    pub base: &'a Path,
    /// A private directory for the builder's record files.
    pub work: &'a Path,
    /// The OCI layout to push into when the spec names none.
    pub default_layout: &'a Path,
    /// A name for a multi-platform manifest list, unique to this run.
    pub list_name: &'a str,
}

/// `path` against `base` unless it is absolute.
pub fn resolve(base: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    }
}

fn spec_error(message: impl Into<String>, help: &str) -> BuildError {
    BuildError::Spec {
        message: message.into(),
        help: Some(help.to_owned()),
    }
}

fn path_text(path: &Path) -> String {
    path.display().to_string()
}

impl BuildPlan {
    /// Plan `spec`. `secret_args` are the build argument keys whose values are
    /// redacted wherever the command line is shown.
    pub fn new(
        spec: &BuildSpec,
        dirs: &PlanDirs<'_>,
        secret_args: &BTreeSet<String>,
    ) -> Result<Self, BuildError> {
        match spec.builder {
            BuilderKind::Buildah | BuilderKind::Podman => {
                Self::containers_tool(spec, dirs, secret_args)
            }
            BuilderKind::Docker => Self::docker(spec, dirs, secret_args),
            BuilderKind::Command => Self::command(spec, dirs),
        }
    }

    fn reject_command_fields(spec: &BuildSpec) -> Result<(), BuildError> {
        if !spec.command.is_empty() || spec.digest_file.is_some() {
            return Err(spec_error(
                format!(
                    "`command` and `digest_file` are for `builder: command`, not `builder: {}`",
                    spec.builder.name()
                ),
                "remove them, or set `builder: command`",
            ));
        }
        Ok(())
    }

    /// The arguments buildah, podman and docker share.
    fn common_args(
        mut cmd: CommandLine,
        spec: &BuildSpec,
        dockerfile: &Path,
        secret_args: &BTreeSet<String>,
        base: &Path,
    ) -> Result<CommandLine, BuildError> {
        cmd = cmd.arg("--file").arg(path_text(dockerfile));
        if let Some(target) = &spec.target {
            cmd = cmd.arg("--target").arg(target.clone());
        }
        for (key, value) in &spec.args {
            let pair = format!("{key}={value}");
            cmd = cmd.arg("--build-arg");
            cmd = if secret_args.contains(key) {
                let shown = format!(
                    "{key}={}",
                    RedactedSecret::from_value(value.as_bytes()).redacted
                );
                cmd.redacted_arg(pair, shown)
            } else {
                cmd.arg(pair)
            };
        }
        for secret in &spec.secrets {
            if secret.id.is_empty() || secret.id.contains([',', '=']) {
                return Err(spec_error(
                    format!("secret id `{}` is not a plain name", secret.id),
                    "use letters, digits, `-`, `_` and `.` only",
                ));
            }
            let src = resolve(base, &secret.src);
            cmd = cmd
                .arg("--secret")
                .arg(format!("id={},src={}", secret.id, path_text(&src)));
        }
        Ok(cmd)
    }

    fn dockerfile_of(spec: &BuildSpec, base: &Path) -> PathBuf {
        let context = resolve(base, &spec.context);
        match &spec.dockerfile {
            Some(d) => resolve(base, d),
            None => context.join("Dockerfile"),
        }
    }

    fn containers_tool(
        spec: &BuildSpec,
        dirs: &PlanDirs<'_>,
        secret_args: &BTreeSet<String>,
    ) -> Result<Self, BuildError> {
        Self::reject_command_fields(spec)?;
        let program = spec.builder.name();
        let context = resolve(dirs.base, &spec.context);
        let dockerfile = Self::dockerfile_of(spec, dirs.base);
        let layout = match &spec.output {
            None => dirs.default_layout.to_path_buf(),
            Some(text) => layout_dir(text, dirs.base)?,
        };
        let digest_file = dirs.work.join("digest");
        let iid_file = dirs.work.join("iid");
        // `--layers` keeps one layer per instruction, as docker does: the history then
        // maps to Dockerfile lines, and a file deleted later is still seen where it ships.
        let mut build = CommandLine::new(program).arg("build").arg("--layers");
        let multi = spec.platforms.len() > 1;
        if multi {
            build = build
                .arg("--manifest")
                .arg(dirs.list_name)
                .arg("--platform")
                .arg(spec.platforms.join(","));
        } else {
            build = build.arg("--iidfile").arg(path_text(&iid_file));
            if let Some(platform) = spec.platforms.first() {
                build = build.arg("--platform").arg(platform.clone());
            }
        }
        build = Self::common_args(build, spec, &dockerfile, secret_args, dirs.base)?
            .arg(path_text(&context));
        let destination = format!("oci:{}:{LAYOUT_TAG}", path_text(&layout));
        let push = if multi {
            CommandLine::new(program)
                .args(["manifest", "push", "--all", "--digestfile"])
                .arg(path_text(&digest_file))
                .arg(dirs.list_name)
                .arg(destination)
        } else {
            // The image id is read from the iid file when the plan runs.
            CommandLine::new(program)
                .arg("push")
                .arg("--digestfile")
                .arg(path_text(&digest_file))
        };
        Ok(Self {
            builder: spec.builder,
            version: Some(CommandLine::new(program).arg("--version")),
            build,
            push: Some(push),
            working_dir: dirs.base.to_path_buf(),
            iid_file: (!multi).then_some(iid_file),
            digest_file: Some(digest_file),
            output: ImageReference::OciLayout {
                path: layout,
                tag: Some(LAYOUT_TAG.to_owned()),
            },
            dockerfile: Some(dockerfile),
        })
    }

    fn docker(
        spec: &BuildSpec,
        dirs: &PlanDirs<'_>,
        secret_args: &BTreeSet<String>,
    ) -> Result<Self, BuildError> {
        Self::reject_command_fields(spec)?;
        if spec.platforms.len() > 1 {
            return Err(spec_error(
                "`builder: docker` builds one platform here (a multi-platform docker build needs a registry or the containerd store)",
                "use `builder: buildah` or `podman` for several platforms, or list one",
            ));
        }
        if spec.output.is_some() {
            return Err(spec_error(
                "`output` is not used with `builder: docker` (the image stays in the daemon)",
                "remove `output`",
            ));
        }
        let context = resolve(dirs.base, &spec.context);
        let dockerfile = Self::dockerfile_of(spec, dirs.base);
        let iid_file = dirs.work.join("iid");
        let mut build = CommandLine::new("docker")
            .arg("build")
            .arg("--iidfile")
            .arg(path_text(&iid_file));
        if let Some(platform) = spec.platforms.first() {
            build = build.arg("--platform").arg(platform.clone());
        }
        build = Self::common_args(build, spec, &dockerfile, secret_args, dirs.base)?
            .arg(path_text(&context));
        Ok(Self {
            builder: BuilderKind::Docker,
            version: Some(CommandLine::new("docker").arg("--version")),
            build,
            push: None,
            working_dir: dirs.base.to_path_buf(),
            iid_file: Some(iid_file),
            digest_file: None,
            // Replaced by `docker-daemon:<image id>` once the id is known.
            output: ImageReference::DockerDaemon {
                name: String::new(),
            },
            dockerfile: Some(dockerfile),
        })
    }

    fn command(spec: &BuildSpec, dirs: &PlanDirs<'_>) -> Result<Self, BuildError> {
        let Some((program, args)) = spec.command.split_first() else {
            return Err(spec_error(
                "`builder: command` needs `command: [PROGRAM, ARG…]`",
                "e.g. `command: [make, image]`; it runs without a shell in the spec's directory",
            ));
        };
        let help = "`output: oci:DIR[:TAG]`, `oci-archive:FILE[:TAG]` or `docker-archive:FILE` (relative to the spec file)";
        let Some(text) = &spec.output else {
            return Err(spec_error(
                "`builder: command` needs `output:`, the image the command writes",
                help,
            ));
        };
        let output = match ImageReference::parse(text) {
            Ok(ImageReference::OciLayout { path, tag }) => ImageReference::OciLayout {
                path: resolve(dirs.base, &path),
                tag,
            },
            Ok(ImageReference::OciArchive { path, tag }) => ImageReference::OciArchive {
                path: resolve(dirs.base, &path),
                tag,
            },
            Ok(ImageReference::DockerArchive { path, name }) => ImageReference::DockerArchive {
                path: resolve(dirs.base, &path),
                name,
            },
            _ => {
                return Err(spec_error(
                    format!("`output: {text}` is not a file the command writes"),
                    help,
                ));
            }
        };
        if spec.target.is_some() || !spec.args.is_empty() || !spec.secrets.is_empty() {
            return Err(spec_error(
                "`target`, `args` and `secrets` are passed by buildah, podman and docker; a `command` takes its own arguments",
                "put them in `command:`, and pass secrets as files, not arguments",
            ));
        }
        Ok(Self {
            builder: BuilderKind::Command,
            version: None,
            build: CommandLine::new(program.clone()).args(args.iter().cloned()),
            push: None,
            working_dir: dirs.base.to_path_buf(),
            iid_file: None,
            digest_file: spec.digest_file.as_deref().map(|p| resolve(dirs.base, p)),
            output,
            dockerfile: spec.dockerfile.as_deref().map(|p| resolve(dirs.base, p)),
        })
    }
}

/// The layout directory of `output:` for buildah and podman (`DIR` or `oci:DIR`).
fn layout_dir(text: &str, base: &Path) -> Result<PathBuf, BuildError> {
    if text.contains(':') && !text.starts_with("oci:") {
        return Err(spec_error(
            format!("`output: {text}` is not an OCI layout directory"),
            "buildah and podman push the image to `output: DIR` (an OCI layout); it is then checked from there",
        ));
    }
    let dir = text.strip_prefix("oci:").unwrap_or(text);
    if dir.is_empty() || dir.contains(':') {
        return Err(spec_error(
            format!("`output: {text}` must be a directory without a tag or `:`"),
            "the image is stored under the tag `latest`",
        ));
    }
    Ok(resolve(base, Path::new(dir)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

    use super::*;
    use crate::spec::BuildSecret;

    fn spec(builder: BuilderKind) -> BuildSpec {
        BuildSpec {
            builder,
            context: PathBuf::from("app"),
            dockerfile: None,
            target: Some("runtime".into()),
            args: [
                ("VERSION".to_owned(), "1.2".to_owned()),
                ("NPM_TOKEN".to_owned(), "npm_abcdefghijklmnop".to_owned()),
            ]
            .into(),
            platforms: vec!["linux/amd64".into()],
            secrets: vec![BuildSecret {
                id: "npmrc".into(),
                src: PathBuf::from("secrets/npmrc"),
            }],
            command: Vec::new(),
            output: None,
            digest_file: None,
            push: false,
        }
    }

    fn dirs() -> PlanDirs<'static> {
        PlanDirs {
            base: Path::new("/repo"),
            work: Path::new("/tmp/w"),
            default_layout: Path::new("/tmp/w/layout"),
            list_name: "localhost/imgguard-build-1",
        }
    }

    #[test]
    fn buildah_builds_then_pushes_to_a_layout_and_redacts_secret_args() {
        let keys: BTreeSet<String> = ["NPM_TOKEN".to_owned()].into();
        let plan = BuildPlan::new(&spec(BuilderKind::Buildah), &dirs(), &keys).unwrap();
        assert_eq!(
            plan.build.arguments(),
            [
                "build",
                "--layers",
                "--iidfile",
                "/tmp/w/iid",
                "--platform",
                "linux/amd64",
                "--file",
                "/repo/app/Dockerfile",
                "--target",
                "runtime",
                "--build-arg",
                "NPM_TOKEN=npm_abcdefghijklmnop",
                "--build-arg",
                "VERSION=1.2",
                "--secret",
                "id=npmrc,src=/repo/secrets/npmrc",
                "/repo/app",
            ]
        );
        let shown = plan.build.display();
        assert!(!shown.contains("abcdefghijklmnop"), "{shown}");
        assert!(shown.contains("NPM_TOKEN=npm_…(20)"), "{shown}");
        assert!(shown.contains("VERSION=1.2"), "{shown}");
        assert_eq!(
            plan.push.unwrap().arguments(),
            ["push", "--digestfile", "/tmp/w/digest"]
        );
        assert_eq!(
            plan.output,
            ImageReference::OciLayout {
                path: PathBuf::from("/tmp/w/layout"),
                tag: Some("latest".into())
            }
        );
    }

    #[test]
    fn several_platforms_build_a_manifest_list() {
        let mut s = spec(BuilderKind::Podman);
        s.platforms = vec!["linux/amd64".into(), "linux/arm64".into()];
        s.output = Some("out/image".into());
        let plan = BuildPlan::new(&s, &dirs(), &BTreeSet::new()).unwrap();
        let args = plan.build.arguments();
        assert!(
            args.windows(2)
                .any(|w| w == ["--manifest", "localhost/imgguard-build-1"])
        );
        assert!(
            args.windows(2)
                .any(|w| w == ["--platform", "linux/amd64,linux/arm64"])
        );
        assert!(plan.iid_file.is_none());
        assert_eq!(
            plan.push.unwrap().arguments(),
            [
                "manifest",
                "push",
                "--all",
                "--digestfile",
                "/tmp/w/digest",
                "localhost/imgguard-build-1",
                "oci:/repo/out/image:latest"
            ]
        );
    }

    #[test]
    fn command_needs_an_output_it_writes() {
        let mut s = spec(BuilderKind::Command);
        s.args.clear();
        s.secrets.clear();
        s.target = None;
        s.command = vec!["make".into(), "image".into()];
        assert!(BuildPlan::new(&s, &dirs(), &BTreeSet::new()).is_err());
        s.output = Some("docker://example.com/x:1".into());
        assert!(BuildPlan::new(&s, &dirs(), &BTreeSet::new()).is_err());
        s.output = Some("oci-archive:out/image.tar".into());
        let plan = BuildPlan::new(&s, &dirs(), &BTreeSet::new()).unwrap();
        assert_eq!(plan.build.program, "make");
        assert_eq!(plan.build.arguments(), ["image"]);
        assert_eq!(
            plan.output,
            ImageReference::OciArchive {
                path: PathBuf::from("/repo/out/image.tar"),
                tag: None
            }
        );
    }

    #[test]
    fn bad_secret_ids_and_misplaced_fields_are_spec_errors() {
        let mut s = spec(BuilderKind::Buildah);
        s.secrets[0].id = "a,src=/etc/shadow".into();
        assert!(matches!(
            BuildPlan::new(&s, &dirs(), &BTreeSet::new()),
            Err(BuildError::Spec { .. })
        ));
        let mut s = spec(BuilderKind::Docker);
        s.platforms.push("linux/arm64".into());
        assert!(BuildPlan::new(&s, &dirs(), &BTreeSet::new()).is_err());
        let mut s = spec(BuilderKind::Buildah);
        s.command = vec!["x".into()];
        assert!(BuildPlan::new(&s, &dirs(), &BTreeSet::new()).is_err());
    }
}
