//! `imgguard run PIPELINE`: the whole declared pipeline. The build stage (when the
//! spec has `build:`) runs first; its image then goes through the same path as
//! `imgguard check` (check, verify, attest, reports), bound to the digest the builder
//! recorded; with `build.push` a PASS is then pushed to `image.ref` (the order is in
//! [`push_step`](super::push_step)). The first stage that fails ends the run with its
//! exit code.

use std::io::{IsTerminal as _, Write};
use std::path::Path;

use super::CliError;
use super::args::RunPipelineArgs;
use super::attest_step::PipelineSource;
use super::check::{CheckInput, check_pipeline};
use super::push_step::image_push_of;
use crate::analyze::Analyzer;
use crate::analyze::config::RuleSelection;
use crate::analyze::secrets::secrets_analyzer::default_secrets_analyzer;
use crate::build::build_args::{arg_lines, build_arg_findings, secret_build_args};
use crate::build::build_image;
use crate::build::process::BuildLog;
use crate::engine::redact_instruction;
use crate::exit_code::ExitCode;
use crate::finding::RedactedSecret;
use crate::oci::Digest;
use crate::spec::load::read_text;
use crate::spec::parse_pipeline;

/// Run the pipeline in `args.spec`; the builder's output goes to `log`.
pub fn run_pipeline(
    args: &RunPipelineArgs,
    stdout: &mut dyn Write,
    log: &mut dyn Write,
) -> Result<ExitCode, CliError> {
    let usage = |message: &str, help: &str| CliError::Usage {
        message: message.to_owned(),
        help: Some(help.to_owned()),
    };
    if args.check.run.pipeline.is_some() || args.check.run.demo {
        return Err(usage(
            "`run` takes the pipeline as its argument",
            "write `imgguard run PIPELINE`; `--pipeline` and `--demo` are for `check`",
        ));
    }
    let name = args.spec.display().to_string();
    let text = read_text(&args.spec)?;
    let pipeline = parse_pipeline(&text, &name)?;
    let spec_path = Some(args.spec.as_path());
    let source = PipelineSource {
        uri: name.clone(),
        digest: Digest::sha256_of(text.as_bytes()),
    };
    let Some(build) = &pipeline.build else {
        if args.push {
            return Err(usage(
                "`--push` pushes the image the pipeline builds, and this spec has no `build:`",
                "add a `build:` section, or drop `--push`",
            ));
        }
        return check_pipeline(
            &args.check,
            &CheckInput::of_image(&pipeline, spec_path, source),
            stdout,
        );
    };
    if args.check.run.image.is_some() {
        return Err(usage(
            "the pipeline builds its image: IMAGE cannot be given",
            "remove IMAGE, or check another image with `imgguard check IMAGE -p PIPELINE`",
        ));
    }
    let push = image_push_of(&pipeline, build, args.push)?;
    let attestation_push =
        args.check.attest.push_attestation || pipeline.attestation.as_ref().is_some_and(|a| a.push);
    if attestation_push && push.is_none() {
        return Err(usage(
            "the attestation of a built image can only be pushed with the image",
            "set `build.push: true` (or give `--push`) so the image goes to `image.ref` first",
        ));
    }
    let base = args
        .spec
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let secrets = default_secrets_analyzer();
    let analyzers: Vec<&dyn Analyzer> = vec![secrets.as_ref()];
    let secret_keys = secret_build_args(&build.args, &analyzers);
    let findings = build_arg_findings(
        &name,
        &arg_lines(&text),
        &build.args,
        &secret_keys,
        &RuleSelection::from_pipeline(&pipeline),
    );
    let secret_values: Vec<(&str, String)> = build
        .args
        .iter()
        .filter(|(k, v)| secret_keys.contains(*k) && !v.is_empty())
        .map(|(_, v)| {
            (
                v.as_str(),
                RedactedSecret::from_value(v.as_bytes()).redacted,
            )
        })
        .collect();
    let redact = |line: &str| {
        let line = secret_values
            .iter()
            .fold(line.to_owned(), |l, (value, shown)| l.replace(value, shown));
        redact_instruction(&line, &analyzers)
    };
    let progress = std::io::stderr().is_terminal();
    let image = build_image(
        build,
        base,
        &secret_keys,
        &mut BuildLog {
            out: log,
            redact: &redact,
            progress,
        },
    )?;
    let input = CheckInput {
        pipeline: &pipeline,
        spec_path,
        built: Some(&image),
        findings,
        source,
        push: push.as_ref(),
    };
    check_pipeline(&args.check, &input, stdout)
}
