//! `imgguard check`.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use super::CliError;
use super::args::{CheckArgs, Format};
use crate::analyze::dockerfile::Dockerfile;
use crate::analyze::registry::{analyzers_for, ruleset_digest};
use crate::engine::{CheckRequest, check};
use crate::exit_code::ExitCode;
use crate::oci::{ImageReference, Platform};
use crate::report::Report;
use crate::report::human::write_human;
use crate::report::json::write_json;
use crate::source::open::demo_source;
use crate::source::{ImageSource, SourceError, open_source};
use crate::spec::{DEFAULT_PIPELINE, SpecError, load_pipeline, parse_pipeline};

/// Run a check and write its report to `stdout` (or the `--output` file).
pub fn run_check(args: &CheckArgs, stdout: &mut dyn Write) -> Result<ExitCode, CliError> {
    let pipeline = match &args.pipeline {
        Some(path) => load_pipeline(path)?,
        None => parse_pipeline(DEFAULT_PIPELINE, "pipelines/default.yaml")?,
    };
    let platforms = args
        .platforms
        .iter()
        .map(|p| p.parse::<Platform>())
        .collect::<Result<Vec<_>, _>>()?;
    let reference = if args.demo {
        "demo".to_owned()
    } else {
        args.image
            .clone()
            .or_else(|| pipeline.image.reference.clone())
            .unwrap_or_default()
    };
    let dockerfile = read_dockerfile(args, &pipeline)?;
    let analyzers = analyzers_for(&pipeline, dockerfile.clone());
    let opened: Result<Box<dyn ImageSource>, SourceError> = if args.demo {
        Ok(demo_source())
    } else {
        open_source(&ImageReference::parse(&reference)?)
    };
    let source = opened?;
    let request = CheckRequest {
        reference,
        source: source.as_ref(),
        pipeline: &pipeline,
        platforms,
        analyzers: &analyzers,
        jobs: args.jobs,
        dockerfile: dockerfile.as_deref(),
    };
    let outcome = check(&request)?;
    let report = Report::from_outcome(&outcome, &pipeline, ruleset_digest(&analyzers));
    let write = |out: &mut dyn Write| match args.format {
        Format::Human => write_human(&report, out),
        Format::Json => write_json(&report, out),
    };
    match &args.output {
        Some(path) => {
            let mut file = fs_err::File::create(path).map_err(|source| CliError::Output {
                path: path.display().to_string(),
                source,
            })?;
            write(&mut file).map_err(|source| CliError::Output {
                path: path.display().to_string(),
                source,
            })?;
        }
        None => write(stdout).map_err(|source| CliError::Output {
            path: "stdout".into(),
            source,
        })?,
    }
    Ok(ExitCode::of_verdict(outcome.verdict))
}

/// The Dockerfile named by `--dockerfile` (relative to the working directory) or the
/// spec's `checks.dockerfile` (relative to the spec file), parsed.
fn read_dockerfile(
    args: &CheckArgs,
    pipeline: &crate::spec::Pipeline,
) -> Result<Option<Arc<Dockerfile>>, CliError> {
    let path: Option<PathBuf> = match (&args.dockerfile, &pipeline.checks.dockerfile) {
        (Some(path), _) => Some(path.clone()),
        (None, Some(path)) => Some(
            args.pipeline
                .as_deref()
                .and_then(std::path::Path::parent)
                .map_or_else(|| path.clone(), |dir| dir.join(path)),
        ),
        (None, None) => None,
    };
    let Some(path) = path else {
        return Ok(None);
    };
    let name = path.display().to_string();
    let text = fs_err::read_to_string(&path).map_err(|source| SpecError::Io {
        path: name.clone(),
        source,
    })?;
    Ok(Some(Arc::new(Dockerfile::parse(&name, &text))))
}
