//! The one module that knows the whole flow: resolve the image to one digest, run the
//! config analyzers, stream every layer of every selected platform through the layer
//! engine and the analyzers (layers in parallel, bounded by cores), mark findings in
//! files that later layers delete or overwrite, then apply the policy (overrides,
//! waivers, baseline, thresholds, coverage acceptance) and return the verdict. Callers
//! only render the outcome and map its verdict to an exit code.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use crate::analyze::config::Origin;
use crate::analyze::config::config_analyzer::history_origins;
use crate::analyze::dockerfile::Dockerfile;
use crate::analyze::filesystem_checks::drop_path_findings_covered_by_secrets;
use crate::analyze::{Analyzer, FindingSink, ImageContext, LayerContext, RuleDoc};
use crate::build::BuiltImage;
use crate::coverage::{Coverage, CoverageGap, GapKind};
use crate::finding::{Finding, LayerRef, SourceKind};
use crate::layer::blob_stream::BlobExpectation;
use crate::layer::path_index::LaterFate;
use crate::layer::{BlobStream, Budgets, LayerPathIndex, walk_layer};
use crate::oci::{Compression, Digest, MediaKind, Platform};
use crate::policy::{Baseline, PolicyInputs, PolicyOutcome, Verdict, apply_policy};
use crate::redact::{redact_spans, sensitive_assignments};
use crate::source::{ImageSource, ResolvedImage, SourceError, SourceInfo, resolve};
use crate::spec::date::Date;
use crate::spec::pipeline::PlatformSelection;
use crate::spec::{Pipeline, WaiverFile};
use crate::verify::{ImageSubject, ImageVerifier, Verification, discover};

/// Everything a check produced, before any output format.
#[derive(Debug)]
pub struct CheckOutcome {
    /// The reference as the user gave it.
    pub reference: String,
    /// The source used.
    pub source: SourceInfo,
    /// The resolved image, when resolution succeeded.
    pub image: Option<ResolvedImage>,
    /// Layers per platform (same order as `image.platforms`).
    pub layers: Vec<Vec<LayerRef>>,
    /// Findings, in stable order.
    pub findings: Vec<Finding>,
    /// What was checked and what was not.
    pub coverage: Coverage,
    /// The verdict.
    pub verdict: Verdict,
    /// Why.
    pub reasons: Vec<String>,
    /// What the policy did (waivers, baseline, disabled rules); `verdict` and
    /// `reasons` are its verdict and reasons.
    pub policy: PolicyOutcome,
    /// Signature and provenance verification (empty when the spec asks for none).
    pub verification: Verification,
    /// Every rule that was evaluated (sorted by id): what the analyzers check as
    /// configured, less what the spec switched off. A check with no finding passed.
    pub checks: Vec<RuleDoc>,
    /// Wall time in milliseconds.
    pub timing_ms: u128,
}

/// Options of one check.
pub struct CheckRequest<'a> {
    /// The reference as given (for reports).
    pub reference: String,
    /// The source to read.
    pub source: &'a dyn ImageSource,
    /// The spec.
    pub pipeline: &'a Pipeline,
    /// Platforms from the command line (override the spec's).
    pub platforms: Vec<Platform>,
    /// The analyzers to run.
    pub analyzers: &'a [Box<dyn Analyzer>],
    /// Worker threads for layers (0 = number of cores).
    pub jobs: usize,
    /// The Dockerfile the image was built from, to map findings to its lines.
    pub dockerfile: Option<&'a Dockerfile>,
    /// The waivers, the baseline and the day the policy is judged on.
    pub policy: PolicyFiles<'a>,
    /// Signature and provenance verification, when the spec asks for it.
    pub verify: Option<VerifyRequest<'a>>,
    /// The build stage, when the image was just built: the check binds to it.
    pub build: Option<BuildBinding<'a>>,
}

/// What the build stage hands the check: the image it recorded (whose digest the
/// image read must equal, or the verdict is incomplete) and its own findings (e.g.
/// secret-looking build arguments), which count like any other.
#[derive(Debug, Clone, Copy)]
pub struct BuildBinding<'a> {
    /// The image the builder recorded.
    pub image: &'a BuiltImage,
    /// Findings of the build stage.
    pub findings: &'a [Finding],
}

/// What the policy needs besides the spec: the loaded waivers and baseline files (the
/// caller reads them; the engine does no file I/O for policy) and today's date.
#[derive(Debug, Clone, Copy)]
pub struct PolicyFiles<'a> {
    /// The waivers file, with its path.
    pub waivers: Option<(&'a str, &'a WaiverFile)>,
    /// The baseline, with its path.
    pub baseline: Option<(&'a str, &'a Baseline)>,
    /// The day waiver expiry is judged against.
    pub today: Date,
}

impl Default for PolicyFiles<'_> {
    /// No waivers, no baseline, today (UTC).
    fn default() -> Self {
        Self {
            waivers: None,
            baseline: None,
            today: Date::today(),
        }
    }
}

/// Apply the whole policy of `request` to a check's findings and coverage.
fn decide(
    request: &CheckRequest<'_>,
    findings: &mut Vec<Finding>,
    coverage: &mut Coverage,
) -> PolicyOutcome {
    let inputs = PolicyInputs {
        pipeline: request.pipeline,
        waivers: request.policy.waivers,
        baseline: request.policy.baseline,
        today: request.policy.today,
    };
    apply_policy(&inputs, findings, coverage)
}

/// The `verify:` stage of a check: the compiled requirements and where to look.
pub struct VerifyRequest<'a> {
    /// The spec's `verify:` section, keys and trusted root loaded.
    pub verifier: &'a ImageVerifier,
    /// Read cosign tags and referrers from this repository instead of the image's
    /// (`verify.repository`, else `COSIGN_REPOSITORY`).
    pub repository: Option<String>,
}

/// Run a check. Source failures become an `incomplete` outcome, never an error: CI
/// consumers always get a report. Only a bad request (a platform the image does not
/// have) is returned as an error.
pub fn check(request: &CheckRequest<'_>) -> Result<CheckOutcome, SourceError> {
    let started = Instant::now();
    let pipeline = request.pipeline;
    let budgets = &pipeline.budgets;
    let requested = requested_platforms(request)?;
    let mut coverage = Coverage::default();
    let image = match resolve(request.source, &requested, budgets) {
        Ok(image) => image,
        Err(e) if e.is_usage() => return Err(e),
        Err(e) => {
            coverage
                .skipped
                .push(CoverageGap::new(source_gap_kind(&e), e.to_string()));
            let mut findings: Vec<Finding> = request
                .build
                .map(|b| b.findings.to_vec())
                .unwrap_or_default();
            let policy = decide(request, &mut findings, &mut coverage);
            return Ok(CheckOutcome {
                reference: request.reference.clone(),
                source: request.source.info(),
                image: None,
                layers: Vec::new(),
                findings,
                coverage,
                verdict: policy.verdict,
                reasons: policy.reasons.clone(),
                policy,
                verification: Verification::default(),
                checks: Vec::new(),
                timing_ms: started.elapsed().as_millis(),
            });
        }
    };
    let analyzers: Vec<&dyn Analyzer> = request.analyzers.iter().map(AsRef::as_ref).collect();
    let mut findings = Vec::new();
    let mut origins: Vec<Vec<Origin>> = Vec::new();
    let layers: Vec<Vec<LayerRef>> = image
        .platforms
        .iter()
        .map(|p| layer_refs(p, &analyzers, &mut coverage))
        .collect();
    for (platform, refs) in image.platforms.iter().zip(&layers) {
        let name = platform.platform.to_string();
        let context = ImageContext {
            platform: &name,
            manifest_digest: &platform.manifest_digest,
            manifest: &platform.manifest,
            config: &platform.config,
            layers: refs,
        };
        origins.push(history_origins(&context));
        let mut sink = FindingSink::default();
        for analyzer in &analyzers {
            analyzer.check_config(&context, &mut sink);
        }
        findings.append(&mut sink.findings);
        coverage.skipped.append(&mut sink.gaps);
    }
    let jobs: Vec<LayerJob<'_>> = image
        .platforms
        .iter()
        .zip(&layers)
        .enumerate()
        .flat_map(|(p, (platform, refs))| {
            platform
                .manifest
                .layers
                .iter()
                .zip(refs)
                .map(move |(descriptor, layer)| LayerJob {
                    platform_index: p,
                    platform: platform.platform.to_string(),
                    descriptor,
                    layer,
                })
        })
        .collect();
    let results = run_layer_jobs(request.source, &jobs, &analyzers, budgets, request.jobs);
    let mut path_indexes: Vec<Vec<(usize, LayerPathIndex)>> =
        vec![Vec::new(); image.platforms.len()];
    for (job, result) in jobs.iter().zip(results) {
        coverage.layers += 1;
        coverage.files += result.entries;
        coverage.bytes += result.uncompressed_bytes;
        coverage.compressed_bytes += result.compressed_bytes;
        coverage.skipped.extend(result.gaps);
        findings.extend(result.findings);
        if let Some(indexes) = path_indexes.get_mut(job.platform_index) {
            indexes.push((job.layer.index, result.paths));
        }
    }
    drop_path_findings_covered_by_secrets(&mut findings);
    if let Some(dockerfile) = request.dockerfile {
        for ((platform, refs), origins) in image.platforms.iter().zip(&layers).zip(&origins) {
            dockerfile.annotate_layer_findings(
                &mut findings,
                &platform.platform.to_string(),
                &platform.config.history,
                origins,
                refs,
            );
        }
    }
    mark_later_fates(
        &mut findings,
        &image
            .platforms
            .iter()
            .map(|p| p.platform.to_string())
            .collect::<Vec<_>>(),
        &path_indexes,
    );
    let verification = request
        .verify
        .as_ref()
        .map(|v| verify_image(request.source, &image, v, budgets))
        .unwrap_or_default();
    findings.extend(verification.findings());
    coverage.skipped.extend(verification.gaps());
    if let Some(build) = &request.build {
        coverage.skipped.extend(build.image.confirm(&image));
        findings.extend(build.findings.iter().cloned());
    }
    for finding in &mut findings {
        finding.refresh_fingerprint();
    }
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let policy = decide(request, &mut findings, &mut coverage);
    Ok(CheckOutcome {
        reference: request.reference.clone(),
        source: image.source.clone(),
        image: Some(image),
        layers,
        findings,
        coverage,
        verdict: policy.verdict,
        reasons: policy.reasons.clone(),
        policy,
        verification,
        checks: evaluated_checks(request.pipeline, request.analyzers),
        timing_ms: started.elapsed().as_millis(),
    })
}

/// The rules a check evaluated: each analyzer's configured checks, less the rules and
/// categories the spec's policy switches off, one per id.
fn evaluated_checks(pipeline: &Pipeline, analyzers: &[Box<dyn Analyzer>]) -> Vec<RuleDoc> {
    let mut checks: Vec<RuleDoc> = analyzers
        .iter()
        .flat_map(|a| a.checks())
        .filter(|r| crate::policy::overrides::rule_enabled(pipeline, &r.id, r.category))
        .collect();
    checks.sort_by(|a, b| a.id.cmp(&b.id));
    checks.dedup_by(|a, b| a.id == b.id);
    checks
}

/// Discover the evidence the image's source holds and verify it.
fn verify_image(
    source: &dyn ImageSource,
    image: &ResolvedImage,
    request: &VerifyRequest<'_>,
    budgets: &Budgets,
) -> Verification {
    let evidence = discover(source, image, request.repository.as_deref(), budgets);
    request.verifier.verify(&ImageSubject::of(image), &evidence)
}

fn requested_platforms(request: &CheckRequest<'_>) -> Result<Vec<Platform>, SourceError> {
    if !request.platforms.is_empty() {
        return Ok(request.platforms.clone());
    }
    match &request.pipeline.image.platforms {
        PlatformSelection::All | PlatformSelection::Keyword(_) => Ok(Vec::new()),
        PlatformSelection::List(list) => list
            .iter()
            .map(|p| p.parse().map_err(SourceError::from))
            .collect(),
    }
}

fn source_gap_kind(error: &SourceError) -> GapKind {
    match error {
        SourceError::DigestMismatch { .. } => GapKind::DigestMismatch,
        SourceError::TooLarge { .. } => GapKind::Budget,
        SourceError::Oci(_) | SourceError::Layout { .. } => GapKind::Inconsistent,
        _ => GapKind::Unavailable,
    }
}

/// Layer references with redacted instructions and base-image attribution.
fn layer_refs(
    platform: &crate::source::PlatformImage,
    analyzers: &[&dyn Analyzer],
    coverage: &mut Coverage,
) -> Vec<LayerRef> {
    let config = &platform.config;
    let diff_ids = &config.rootfs.diff_ids;
    if diff_ids.len() != platform.manifest.layers.len() {
        coverage.skipped.push(CoverageGap {
            platform: Some(platform.platform.to_string()),
            ..CoverageGap::new(
                GapKind::Inconsistent,
                format!(
                    "manifest {} lists {} layers but its config lists {} diff_ids; layers cannot be verified",
                    platform.manifest_digest,
                    platform.manifest.layers.len(),
                    diff_ids.len()
                ),
            )
        });
    }
    let history = config.layer_history();
    let base_layers = base_layer_count(config);
    platform
        .manifest
        .layers
        .iter()
        .enumerate()
        .map(|(index, descriptor)| LayerRef {
            index,
            digest: descriptor.digest.clone(),
            diff_id: diff_ids.get(index).cloned(),
            created_by: history
                .get(index)
                .copied()
                .flatten()
                .and_then(|h| h.created_by.as_deref())
                .map(|text| redact_instruction(text, analyzers)),
            from_base: base_layers.map(|n| index < n),
        })
        .collect()
}

/// Redact secrets from an instruction line before anything shows it.
pub fn redact_instruction(text: &str, analyzers: &[&dyn Analyzer]) -> String {
    let bytes = text.as_bytes();
    let mut spans = sensitive_assignments(bytes);
    for a in analyzers {
        spans.extend(a.secret_spans(bytes));
    }
    redact_spans(text, spans)
}

/// How many layers come from the base image, when the history shows it: the base
/// image's history ends with its `CMD`/`ENTRYPOINT` (an empty layer) before the
/// image's own instructions begin.
fn base_layer_count(config: &crate::oci::ImageConfig) -> Option<usize> {
    let history = &config.history;
    let is_base_end = |created_by: &str| {
        let c = created_by
            .trim_start_matches("/bin/sh -c ")
            .trim_start_matches("#(nop) ")
            .trim_start();
        c.starts_with("CMD") || c.starts_with("ENTRYPOINT")
    };
    // The last CMD/ENTRYPOINT that is followed by a layer-producing step.
    let mut last = None;
    for (i, h) in history.iter().enumerate() {
        if h.empty_layer
            && h.created_by.as_deref().is_some_and(is_base_end)
            && history.iter().skip(i + 1).any(|later| !later.empty_layer)
        {
            last = Some(i);
        }
    }
    let end = last?;
    Some(history.iter().take(end).filter(|h| !h.empty_layer).count())
}

struct LayerJob<'a> {
    platform_index: usize,
    platform: String,
    descriptor: &'a crate::oci::Descriptor,
    layer: &'a LayerRef,
}

#[derive(Default)]
struct LayerResult {
    entries: u64,
    uncompressed_bytes: u64,
    compressed_bytes: u64,
    paths: LayerPathIndex,
    findings: Vec<Finding>,
    gaps: Vec<CoverageGap>,
}

fn run_layer_jobs(
    source: &dyn ImageSource,
    jobs: &[LayerJob<'_>],
    analyzers: &[&dyn Analyzer],
    budgets: &Budgets,
    threads: usize,
) -> Vec<LayerResult> {
    let threads = if threads == 0 {
        std::thread::available_parallelism().map_or(2, std::num::NonZero::get)
    } else {
        threads
    };
    let threads = threads.min(jobs.len()).max(1);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<LayerResult>>> =
        Mutex::new((0..jobs.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else { break };
                    let result = run_layer(source, job, analyzers, budgets);
                    if let Ok(mut slots) = results.lock()
                        && let Some(slot) = slots.get_mut(i)
                    {
                        *slot = Some(result);
                    }
                }
            });
        }
    });
    let slots = results.into_inner().unwrap_or_default();
    slots
        .into_iter()
        .zip(jobs)
        .map(|(slot, job)| {
            slot.unwrap_or_else(|| LayerResult {
                gaps: vec![layer_gap(
                    job,
                    GapKind::CorruptStream,
                    "the layer worker stopped unexpectedly".into(),
                )],
                ..LayerResult::default()
            })
        })
        .collect()
}

fn layer_gap(job: &LayerJob<'_>, kind: GapKind, reason: String) -> CoverageGap {
    CoverageGap {
        platform: Some(job.platform.clone()),
        layer: Some(job.layer.index),
        digest: Some(job.layer.digest.clone()),
        ..CoverageGap::new(kind, reason)
    }
}

fn run_layer(
    source: &dyn ImageSource,
    job: &LayerJob<'_>,
    analyzers: &[&dyn Analyzer],
    budgets: &Budgets,
) -> LayerResult {
    let mut result = LayerResult::default();
    let MediaKind::Layer(declared) = MediaKind::of(&job.descriptor.media_type) else {
        result.gaps.push(layer_gap(
            job,
            GapKind::Unsupported,
            format!(
                "expected a layer media type, found `{}`; not scanned",
                job.descriptor.media_type
            ),
        ));
        return result;
    };
    let blob = match source.open_blob(job.descriptor) {
        Ok(b) => b,
        Err(e) => {
            result
                .gaps
                .push(layer_gap(job, GapKind::Unavailable, e.to_string()));
            return result;
        }
    };
    let expectation = BlobExpectation {
        digest: job.descriptor.digest.clone(),
        size: job.descriptor.size,
        diff_id: job.layer.diff_id.clone(),
        compression: declared,
        max_uncompressed: budgets.layer_limit(job.descriptor.size),
    };
    let mut stream = BlobStream::start(blob, expectation);
    let context = LayerContext {
        platform: job.platform.clone(),
        layer: job.layer.clone(),
    };
    let mut layer_analyzers: Vec<_> = analyzers.iter().filter_map(|a| a.layer(&context)).collect();
    let (walk, walked) = walk_layer(&mut stream, &mut layer_analyzers, budgets);
    drop(layer_analyzers);
    result.entries = walk.entries;
    result.paths = walk.paths;
    let mut sink = walk.sink;
    for gap in &mut sink.gaps {
        gap.platform.get_or_insert_with(|| job.platform.clone());
        gap.layer.get_or_insert(job.layer.index);
        gap.digest.get_or_insert_with(|| job.layer.digest.clone());
    }
    result.gaps.append(&mut sink.gaps);
    let verified = match walked {
        Err(e @ crate::layer::LayerError::Budget { .. }) => {
            // Don't inflate the rest of a bomb just to hash it.
            stream.abandon();
            Err(e)
        }
        Err(walk_error) => match stream.finish() {
            // The bytes are the image's, but they are not a readable tar.
            Ok(_) => Err(walk_error),
            Err(stream_error) => Err(stream_error),
        },
        Ok(()) => stream.finish().map(|outcome| {
            result.uncompressed_bytes = outcome.uncompressed_size;
            result.compressed_bytes = outcome.compressed_size;
            if outcome.compression.declared != outcome.compression.detected {
                result.gaps.push(layer_gap(
                    job,
                    GapKind::Inconsistent,
                    format!(
                        "media type `{}` declares {} compression, the bytes are {}",
                        job.descriptor.media_type,
                        outcome.compression.declared.name(),
                        outcome.compression.detected.name()
                    ),
                ));
            }
            let _ = Compression::None;
        }),
    };
    match verified {
        Ok(()) => result.findings = sink.findings,
        Err(e) => {
            if e.bytes_untrusted() {
                result.gaps.push(layer_gap(
                    job,
                    e.gap_kind(),
                    format!("{e}; {} finding(s) from these bytes discarded, as they are not the image's", sink.findings.len()),
                ));
            } else {
                result
                    .gaps
                    .push(layer_gap(job, e.gap_kind(), e.to_string()));
                // The bytes that were read are the image's: what was found in them stands.
                result.findings = sink.findings;
            }
        }
    }
    result
}

/// Mark file findings whose file a later layer deletes or overwrites.
fn mark_later_fates(
    findings: &mut [Finding],
    platforms: &[String],
    indexes: &[Vec<(usize, LayerPathIndex)>],
) {
    for finding in findings {
        let location = &mut finding.location;
        if !matches!(location.source, SourceKind::File | SourceKind::Filesystem) {
            continue;
        }
        let (Some(layer), Some(path), Some(platform)) = (
            &location.layer,
            location.path.as_deref(),
            location.platform.as_deref(),
        ) else {
            continue;
        };
        let Some(p) = platforms.iter().position(|name| name == platform) else {
            continue;
        };
        let Some(layer_indexes) = indexes.get(p) else {
            continue;
        };
        let mut above: Vec<&(usize, LayerPathIndex)> = layer_indexes
            .iter()
            .filter(|(i, _)| *i > layer.index)
            .collect();
        above.sort_by_key(|(i, _)| *i);
        for (i, index) in above {
            match index.fate_of(path) {
                Some(LaterFate::Deleted) => {
                    location.deleted = true;
                    location.deleted_by_layer = Some(*i);
                    break;
                }
                Some(LaterFate::Overwritten) => {
                    location.overwritten = true;
                    location.overwritten_by_layer = Some(*i);
                    break;
                }
                None => {}
            }
        }
    }
}

/// The digest that names the image in reports (for messages that need one even when
/// resolution failed).
pub fn image_digest(outcome: &CheckOutcome) -> Option<&Digest> {
    outcome.image.as_ref().map(|i| &i.digest)
}
