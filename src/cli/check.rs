//! `imgguard check`.

use std::io::Write;

use super::CliError;
use super::args::{CheckArgs, Format};
use crate::analyze::registry::{default_analyzers, ruleset_digest};
use crate::engine::{CheckRequest, check};
use crate::exit_code::ExitCode;
use crate::oci::{ImageReference, Platform};
use crate::report::Report;
use crate::report::human::write_human;
use crate::report::json::write_json;
use crate::source::open::demo_source;
use crate::source::{ImageSource, SourceError, open_source_with};
use crate::spec::{DEFAULT_PIPELINE, load_pipeline, parse_pipeline};

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
    let analyzers = default_analyzers();
    let opened: Result<Box<dyn ImageSource>, SourceError> = if args.demo {
        Ok(demo_source())
    } else {
        let options = args.registry.options(&mut std::io::stdin())?;
        open_source_with(&ImageReference::parse(&reference)?, &options)
    };
    let source = opened?;
    let request = CheckRequest {
        reference,
        source: source.as_ref(),
        pipeline: &pipeline,
        platforms,
        analyzers: &analyzers,
        jobs: args.jobs,
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
