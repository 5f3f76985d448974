//! `imgguard check` and `imgguard baseline`: load the spec (and its waivers and
//! baseline), run the engine (which applies the policy and returns the verdict), and
//! hand the report to every writer asked for.

use std::io::{IsTerminal as _, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::CliError;
use super::args::{BaselineArgs, CheckArgs, RunArgs};
use super::attest_step::{
    DEFAULT_POLICY_URI, PipelineSource, attestation_settings, run_attestation,
};
use crate::analyze::dockerfile::Dockerfile;
use crate::analyze::registry::{analyzers_for, ruleset_digest};
use crate::build::BuiltImage;
use crate::engine::{BuildBinding, CheckOutcome, CheckRequest, PolicyFiles, VerifyRequest, check};
use crate::exit_code::ExitCode;
use crate::finding::Finding;
use crate::oci::{Digest, ImageReference, Platform};
use crate::policy::Baseline;
use crate::report::Report;
use crate::report::github::write_github_summary;
use crate::report::write::{RenderOptions, write_report};
use crate::source::open::demo_source;
use crate::source::registry::RegistryOptions;
use crate::source::{ImageSource, SourceError, open_source_with};
use crate::spec::date::Date;
use crate::spec::load::read_text;
use crate::spec::{
    DEFAULT_PIPELINE, Pipeline, ReportFormat, ReportTarget, SpecError, load_waivers, parse_pipeline,
};
use crate::verify::{AuthoritySpec, ImageVerifier, SignaturesSpec, VerifySpec};

/// The spec of a run: the file given, or the embedded default.
pub fn pipeline_of(run: &RunArgs) -> Result<Pipeline, CliError> {
    Ok(pipeline_with_source(run)?.0)
}

/// The spec of a run and what the VSA names it by (its URI and the digest of the
/// exact bytes parsed).
pub fn pipeline_with_source(run: &RunArgs) -> Result<(Pipeline, PipelineSource), CliError> {
    Ok(match &run.pipeline {
        Some(path) => {
            let text = read_text(path)?;
            let name = path.display().to_string();
            let pipeline = parse_pipeline(&text, &name)?;
            let digest = Digest::sha256_of(text.as_bytes());
            (pipeline, PipelineSource { uri: name, digest })
        }
        None => (
            parse_pipeline(DEFAULT_PIPELINE, "pipelines/default.yaml")?,
            PipelineSource {
                uri: DEFAULT_POLICY_URI.to_owned(),
                digest: Digest::sha256_of(DEFAULT_PIPELINE.as_bytes()),
            },
        ),
    })
}

/// Registry access for a run (reads `--password-stdin` once; nothing for the demo).
fn registry_options(run: &RunArgs) -> Result<RegistryOptions, CliError> {
    if run.demo {
        return Ok(RegistryOptions::default());
    }
    Ok(run.registry.options(&mut std::io::stdin())?)
}

/// What a check runs on once the spec is loaded: `check` and `run` share everything
/// from here on.
pub struct CheckInput<'a> {
    /// The spec.
    pub pipeline: &'a Pipeline,
    /// The spec file, when there is one: relative paths in it resolve against its
    /// directory.
    pub spec_path: Option<&'a Path>,
    /// The image a build stage produced: checked instead of IMAGE or `image.ref`.
    pub built: Option<&'a BuiltImage>,
    /// Findings of the stages before the check (e.g. secret-looking build arguments).
    pub findings: Vec<Finding>,
    /// What the VSA names the spec by (its URI and the digest of its bytes).
    pub source: PipelineSource,
    /// Push the built image after a PASS (`build.push`, `run --push`).
    pub push: Option<&'a super::push_step::ImagePush>,
}

impl<'a> CheckInput<'a> {
    /// A check of the command line's image (or the spec's) under `pipeline`.
    pub fn of_image(
        pipeline: &'a Pipeline,
        spec_path: Option<&'a Path>,
        source: PipelineSource,
    ) -> Self {
        Self {
            pipeline,
            spec_path,
            built: None,
            findings: Vec::new(),
            source,
            push: None,
        }
    }
}

/// Run the engine for `run` under `input`'s pipeline and its policy files, on the
/// built image if any.
fn run_engine(
    run: &RunArgs,
    input: &CheckInput<'_>,
    policy: PolicyFiles<'_>,
    options: &RegistryOptions,
) -> Result<(CheckOutcome, String), CliError> {
    let pipeline = input.pipeline;
    let platforms = run
        .platforms
        .iter()
        .map(|p| p.parse::<Platform>())
        .collect::<Result<Vec<_>, _>>()?;
    let reference = if let Some(built) = input.built {
        built.reference_text.clone()
    } else if run.demo {
        "demo".to_owned()
    } else {
        run.image
            .clone()
            .or_else(|| pipeline.image.reference.clone())
            .ok_or_else(|| CliError::Usage {
                message: "no image to check".into(),
                help: Some(
                    "give IMAGE on the command line or set `image.ref` in the pipeline spec".into(),
                ),
            })?
    };
    let dockerfile = read_dockerfile(run, pipeline, input.spec_path)?;
    let analyzers = analyzers_for(pipeline, dockerfile.clone());
    let opened: Result<Box<dyn ImageSource>, SourceError> = if let Some(built) = input.built {
        open_source_with(&built.reference, options)
    } else if run.demo {
        Ok(demo_source())
    } else {
        open_source_with(&ImageReference::parse(&reference)?, options)
    };
    let source = if run.registry.no_progress {
        opened?
    } else {
        crate::source::scan_progress::ScanProgressSource::wrap(opened?)
    };
    let verify_spec = verify_spec_of(run, pipeline)?;
    let verifier = if verify_spec.asks_for_evidence() {
        let base_dir = input
            .spec_path
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_default();
        Some(ImageVerifier::from_spec(&verify_spec, &base_dir)?)
    } else {
        None
    };
    let request = CheckRequest {
        reference,
        source: source.as_ref(),
        pipeline,
        platforms,
        analyzers: &analyzers,
        jobs: run.jobs,
        dockerfile: dockerfile.as_deref(),
        policy,
        build: input.built.map(|image| BuildBinding {
            image,
            findings: &input.findings,
        }),
        verify: verifier.as_ref().map(|verifier| VerifyRequest {
            verifier,
            repository: verify_spec.repository.clone().or_else(|| {
                std::env::var("COSIGN_REPOSITORY")
                    .ok()
                    .filter(|r| !r.is_empty())
            }),
        }),
    };
    let outcome = check(&request)?;
    Ok((outcome, ruleset_digest(&analyzers)))
}

/// The spec's `verify:` section with `--key` files added (each makes a signature
/// required; paths relative to the working directory).
fn verify_spec_of(run: &RunArgs, pipeline: &Pipeline) -> Result<VerifySpec, CliError> {
    let mut spec = pipeline.verify.clone();
    if run.keys.is_empty() {
        return Ok(spec);
    }
    let signatures = spec.signatures.get_or_insert_with(|| SignaturesSpec {
        required: true,
        trusted_root: None,
        authorities: Vec::new(),
    });
    signatures.required = true;
    for key in &run.keys {
        let absolute = std::path::absolute(key).map_err(|e| CliError::Usage {
            message: format!("`--key {}`: {e}", key.display()),
            help: None,
        })?;
        signatures.authorities.push(AuthoritySpec::Key(absolute));
    }
    Ok(spec)
}

fn load_baseline(path: &Path) -> Result<Baseline, CliError> {
    let text = read_text(path)?;
    Baseline::from_json(&text).map_err(|message| {
        CliError::Spec(crate::spec::SpecError::Value {
            path: path.display().to_string(),
            message,
            help: Some("write baselines with `imgguard baseline IMAGE -o FILE`".into()),
        })
    })
}

fn today(args: &CheckArgs) -> Result<Date, CliError> {
    match &args.today {
        None => Ok(Date::today()),
        Some(text) => Date::parse(text).ok_or_else(|| CliError::Usage {
            message: format!("`{text}` is not a date"),
            help: Some("write it as YYYY-MM-DD".into()),
        }),
    }
}

/// The reports to write: the command line's, then the spec's; the human report on
/// standard output when the command line asks for nothing.
fn targets(args: &CheckArgs, pipeline: &Pipeline) -> Result<Vec<ReportTarget>, CliError> {
    let mut cli = args.formats.clone();
    if let Some(output) = &args.output {
        let pathless: Vec<&mut ReportTarget> =
            cli.iter_mut().filter(|t| t.output.is_none()).collect();
        match pathless.len() {
            0 if args.formats.is_empty() => cli.push(ReportTarget {
                format: ReportFormat::Human,
                output: Some(output.display().to_string()),
            }),
            1 => {
                for t in pathless {
                    t.output = Some(output.display().to_string());
                }
            }
            _ => {
                return Err(CliError::Usage {
                    message: "`--output` is ambiguous with several formats".into(),
                    help: Some("write each as `--format FORMAT=PATH`".into()),
                });
            }
        }
    }
    if cli.is_empty() {
        cli.push(ReportTarget {
            format: ReportFormat::Human,
            output: None,
        });
    }
    cli.extend(pipeline.reports.iter().cloned());
    Ok(cli)
}

fn output_error(path: &str) -> impl Fn(std::io::Error) -> CliError + '_ {
    move |source| CliError::Output {
        path: path.to_owned(),
        source,
    }
}

fn create(path: &str) -> Result<fs_err::File, CliError> {
    let p = PathBuf::from(path);
    if let Some(parent) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs_err::create_dir_all(parent).map_err(output_error(path))?;
    }
    fs_err::File::create(&p).map_err(output_error(path))
}

fn write_target(
    report: &Report,
    target: &ReportTarget,
    stdout: &mut dyn Write,
) -> Result<(), CliError> {
    if target.format == ReportFormat::Github {
        // Annotations are only read from standard output; the summary goes to the
        // file named, else to $GITHUB_STEP_SUMMARY when running in Actions.
        write_report(report, target.format, RenderOptions::default(), stdout)
            .map_err(output_error("stdout"))?;
        let summary = target.output.clone().or_else(|| {
            std::env::var("GITHUB_STEP_SUMMARY")
                .ok()
                .filter(|s| !s.is_empty())
        });
        if let Some(path) = summary {
            let mut file = fs_err::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .map_err(output_error(&path))?;
            write_github_summary(report, &mut file).map_err(output_error(&path))?;
        }
        return Ok(());
    }
    if let Some(path) = &target.output {
        let mut file = create(path)?;
        return write_report(report, target.format, RenderOptions::default(), &mut file)
            .map_err(output_error(path));
    }
    let colour = target.format == ReportFormat::Human
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none();
    write_report(report, target.format, RenderOptions { colour }, stdout)
        .map_err(output_error("stdout"))
}

/// Run a check and write its reports.
pub fn run_check(args: &CheckArgs, stdout: &mut dyn Write) -> Result<ExitCode, CliError> {
    let (pipeline, source) = pipeline_with_source(&args.run)?;
    check_pipeline(
        args,
        &CheckInput::of_image(&pipeline, args.run.pipeline.as_deref(), source),
        stdout,
    )
}

/// Check (verify, apply the policy) and write the reports: the path `check` and `run`
/// share.
pub fn check_pipeline(
    args: &CheckArgs,
    input: &CheckInput<'_>,
    stdout: &mut dyn Write,
) -> Result<ExitCode, CliError> {
    let pipeline = input.pipeline;
    let targets = targets(args, pipeline)?;
    let attestation = attestation_settings(&args.attest, pipeline, &input.source, &targets)?;
    let strict = pipeline.strict || args.strict;
    let waivers_path = args
        .waivers
        .clone()
        .or_else(|| pipeline.waivers.as_ref().map(PathBuf::from));
    let waivers = waivers_path
        .as_ref()
        .map(|p| load_waivers(p, strict).map(|w| (p.display().to_string(), w)))
        .transpose()?;
    let baseline_path = args
        .baseline
        .clone()
        .or_else(|| pipeline.baseline.as_ref().map(PathBuf::from));
    let baseline = baseline_path
        .as_ref()
        .map(|p| load_baseline(p).map(|b| (p.display().to_string(), b)))
        .transpose()?;
    let today = today(args)?;
    let policy = PolicyFiles {
        waivers: waivers.as_ref().map(|(p, w)| (p.as_str(), w)),
        baseline: baseline.as_ref().map(|(p, b)| (p.as_str(), b)),
        today,
    };
    let options = registry_options(&args.run)?;
    let (outcome, ruleset) = run_engine(&args.run, input, policy, &options)?;
    let mut report = Report::from_outcome(&outcome, pipeline, ruleset);
    report.build = input.built.map(|b| b.record.clone());
    // By digest before the reports and the VSA (which names it); tagged last.
    let pending_tag = match (input.push, input.built) {
        (Some(push), Some(built)) => super::push_step::push_checked_image(
            push,
            built,
            &report,
            &options,
            &mut std::io::stderr(),
        )?,
        _ => None,
    };
    report.push = pending_tag
        .as_ref()
        .map(super::push_step::PendingTag::record);
    for target in &targets {
        write_target(&report, target, stdout)?;
    }
    if let Some(settings) = &attestation {
        run_attestation(
            settings,
            &report,
            pipeline,
            &options,
            &mut std::io::stderr(),
        )?;
    }
    if let Some(pending) = pending_tag {
        pending.finish(&mut std::io::stderr())?;
    }
    Ok(ExitCode::of_verdict(outcome.verdict))
}

/// Record a baseline of an image's findings.
pub fn run_baseline(args: &BaselineArgs, stdout: &mut dyn Write) -> Result<ExitCode, CliError> {
    let (pipeline, source) = pipeline_with_source(&args.run)?;
    // The engine drops findings of disabled rules (they never reach a report), so they
    // do not reach the baseline either.
    let input = CheckInput::of_image(&pipeline, args.run.pipeline.as_deref(), source);
    let options = registry_options(&args.run)?;
    let (outcome, _) = run_engine(&args.run, &input, PolicyFiles::default(), &options)?;
    let baseline = Baseline::of_findings(
        &outcome.reference,
        outcome.image.as_ref().map(|i| i.digest.to_string()),
        &outcome.findings,
    );
    let path = args.output.display().to_string();
    let mut file = create(&path)?;
    serde_json::to_writer_pretty(&mut file, &baseline)
        .map_err(std::io::Error::other)
        .and_then(|()| writeln!(file))
        .map_err(output_error(&path))?;
    writeln!(
        stdout,
        "wrote {path}: {} known finding(s) of {} ({})",
        baseline.findings.len(),
        outcome.reference,
        baseline.image.digest.as_deref().unwrap_or("unresolved")
    )
    .map_err(output_error("stdout"))?;
    if outcome.coverage.is_incomplete() {
        // A baseline of a partly checked image would bless what was never seen: say
        // so and exit 3, like a check would.
        writeln!(
            stdout,
            "warning: {} part(s) of the image could not be checked; findings in them are not in the baseline",
            outcome.coverage.skipped.iter().filter(|g| !g.accepted).count()
        )
        .map_err(output_error("stdout"))?;
        return Ok(ExitCode::Incomplete);
    }
    Ok(ExitCode::Pass)
}

/// The Dockerfile named by `--dockerfile` (relative to the working directory), the
/// spec's `checks.dockerfile`, or the one its `build:` builds (both relative to the
/// spec file), parsed.
fn read_dockerfile(
    run: &RunArgs,
    pipeline: &crate::spec::Pipeline,
    spec_path: Option<&Path>,
) -> Result<Option<Arc<Dockerfile>>, CliError> {
    let spec_dir = spec_path.and_then(Path::parent);
    let relative = |path: &Path| spec_dir.map_or_else(|| path.to_path_buf(), |dir| dir.join(path));
    let built = pipeline
        .build
        .as_ref()
        .and_then(|b| match (&b.dockerfile, b.builder) {
            (Some(path), _) => Some(path.clone()),
            (None, crate::spec::BuilderKind::Command) => None,
            (None, _) => Some(b.context.join("Dockerfile")),
        });
    let path: Option<PathBuf> = match (&run.dockerfile, &pipeline.checks.dockerfile) {
        (Some(path), _) => Some(path.clone()),
        (None, Some(path)) => Some(relative(path)),
        (None, None) => built.as_deref().map(relative),
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
