//! The build stage: run the plan (version, build, push), read the builder's records,
//! and hand back the image it produced. Nothing here decides a verdict; a build that
//! fails is an error, and the image is checked by the engine like any other.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

use super::build_plan::{BuildPlan, PlanDirs};
use super::command_line::CommandLine;
use super::process::{BuildLog, run_streaming, version};
use super::{BuildError, BuildRecord, BuiltImage};
use crate::oci::{Digest, ImageReference};
use crate::spec::{BuildSpec, BuilderKind};

/// A builder record file is a digest and a newline; anything longer is not one.
const MAX_RECORD: u64 = 4096;

/// Build the image `spec` describes. `base` is the spec file's directory;
/// `secret_args` are the build argument keys whose values are never shown.
pub fn build_image(
    spec: &BuildSpec,
    base: &Path,
    secret_args: &BTreeSet<String>,
    log: &mut BuildLog<'_>,
) -> Result<BuiltImage, BuildError> {
    let started = Instant::now();
    let work = tempfile::Builder::new()
        .prefix("imgguard-build-")
        .tempdir()
        .map_err(|source| BuildError::Io {
            path: std::env::temp_dir(),
            source,
        })?;
    let layout = work.path().join("layout");
    let list_name = format!(
        "localhost/imgguard-build-{}-{}",
        std::process::id(),
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    );
    let dirs = PlanDirs {
        base,
        work: work.path(),
        default_layout: &layout,
        list_name: &list_name,
    };
    let plan = BuildPlan::new(spec, &dirs, secret_args)?;
    let builder = spec.builder.name();
    let version = plan
        .version
        .as_ref()
        .map(|v| version(v, builder))
        .transpose()?;
    if let Some(v) = &version {
        log.note(v);
    }
    let mut commands = vec![plan.build.display()];
    let build_started = SystemTime::now();
    run_checked(&plan.build, builder, &plan.working_dir, log)?;
    let image_id = plan.iid_file.as_deref().map(read_digest).transpose()?;
    let mut reference = plan.output.clone();
    let mut digest = None;
    match (spec.builder, &plan.push) {
        (BuilderKind::Buildah | BuilderKind::Podman, Some(push)) => {
            let push = match &image_id {
                // Push the exact image built, by id: no tag that anything could move.
                Some(id) => push
                    .clone()
                    .arg(id.to_string())
                    .arg(plan.output.to_string()),
                None => push.clone(),
            };
            if let ImageReference::OciLayout { path, .. } = &plan.output
                && let Some(parent) = path.parent()
            {
                // buildah and podman create the layout but not the directories above it.
                fs_err::create_dir_all(parent).map_err(|source| BuildError::Io {
                    path: parent.to_path_buf(),
                    source,
                })?;
            }
            commands.push(push.display());
            run_checked(&push, builder, &plan.working_dir, log)?;
            digest = plan.digest_file.as_deref().map(read_digest).transpose()?;
            if digest.is_none() {
                return Err(BuildError::Record {
                    path: PathBuf::from("--digestfile"),
                    message: "the push recorded no digest".into(),
                });
            }
        }
        (BuilderKind::Docker, _) => {
            let Some(id) = &image_id else {
                return Err(BuildError::Record {
                    path: PathBuf::from("--iidfile"),
                    message: "docker recorded no image id".into(),
                });
            };
            reference = ImageReference::DockerDaemon {
                name: id.to_string(),
            };
        }
        _ => {
            output_written_since(&plan.output, build_started)?;
            digest = plan.digest_file.as_deref().map(read_digest).transpose()?;
        }
    }
    let reference_text = reference.to_string();
    log.note(&format!(
        "built {reference_text} ({})",
        digest
            .as_ref()
            .or(image_id.as_ref())
            .map_or_else(|| "digest from the output".to_owned(), ToString::to_string)
    ));
    let record = BuildRecord {
        builder: builder.to_owned(),
        version,
        commands,
        dockerfile: plan.dockerfile.as_ref().map(|p| p.display().to_string()),
        image: reference_text.clone(),
        digest,
        image_id,
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    };
    Ok(BuiltImage {
        reference,
        reference_text,
        record,
        _work: Some(work),
    })
}

fn run_checked(
    cmd: &CommandLine,
    builder: &str,
    dir: &Path,
    log: &mut BuildLog<'_>,
) -> Result<(), BuildError> {
    let status = run_streaming(cmd, builder, dir, log)?;
    if status.success() {
        return Ok(());
    }
    Err(BuildError::Failed {
        command: cmd.display(),
        status: status.to_string(),
    })
}

/// A digest record (`sha256:<hex>`, or bare hex as some tools write image ids).
fn read_digest(path: &Path) -> Result<Digest, BuildError> {
    let record_error = |message: String| BuildError::Record {
        path: path.to_path_buf(),
        message,
    };
    let file = fs_err::File::open(path).map_err(|e| record_error(e.to_string()))?;
    let mut text = String::new();
    std::io::Read::read_to_string(&mut std::io::Read::take(file, MAX_RECORD), &mut text)
        .map_err(|e| record_error(e.to_string()))?;
    let text = text.trim();
    let full = if text.contains(':') {
        text.to_owned()
    } else {
        format!("sha256:{text}")
    };
    full.parse::<Digest>()
        .map_err(|e| record_error(format!("`{text}` is not a digest ({e})")))
}

/// A `command` must have written its output during this build: an output left over
/// from an earlier run is not what this build produced.
fn output_written_since(output: &ImageReference, since: SystemTime) -> Result<(), BuildError> {
    let path = match output {
        ImageReference::OciLayout { path, .. } => path.join("index.json"),
        ImageReference::OciArchive { path, .. } | ImageReference::DockerArchive { path, .. } => {
            path.clone()
        }
        _ => return Ok(()),
    };
    let modified = fs_err::metadata(&path)
        .and_then(|m| {
            m.modified()
                .map_err(|e| std::io::Error::new(e.kind(), e.to_string()))
        })
        .map_err(|e| BuildError::Record {
            path: path.clone(),
            message: format!("the command wrote no output there ({e})"),
        })?;
    // File systems with coarse timestamps round down: allow one second.
    let slack = since
        .checked_sub(std::time::Duration::from_secs(1))
        .unwrap_or(since);
    if modified < slack {
        return Err(BuildError::Record {
            path,
            message: "it is older than this build: the command did not write it".into(),
        });
    }
    Ok(())
}
