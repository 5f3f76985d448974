//! The attestation step as the command line drives it: merge the flags with the
//! spec's `attestation:` section, load the key before any work is done (a bad key is a
//! usage error, exit 2, not a surprise after a long check), then call
//! [`attest_run`](crate::attest::attest_run) once the reports are written.

use std::io::Write;
use std::path::PathBuf;

use super::CliError;
use super::args::AttestArgs;
use crate::attest::{AttestationSettings, PushOutcome, PushTarget, attest_run};
use crate::crypto::{KeySource, PrivateKey, ProcessEnv};
use crate::intoto::PolicyReference;
use crate::oci::ImageReference;
use crate::report::Report;
use crate::report::json::write_json;
use crate::source::registry::RegistryOptions;
use crate::spec::{Pipeline, ReportFormat, ReportTarget};

/// The `policy.uri` of a run under the embedded default pipeline.
pub const DEFAULT_POLICY_URI: &str = "https://imgguard.dev/pipelines/default.yaml";

/// The spec a run evaluated: the URI it is known by and the digest of its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineSource {
    /// The spec file as given, or [`DEFAULT_POLICY_URI`].
    pub uri: String,
    /// SHA-256 of the exact bytes parsed.
    pub digest: crate::oci::Digest,
}

/// The settings of the attestation step, or `None` when neither the flags nor the
/// spec ask for one. The key is loaded (and decrypted) here.
pub fn attestation_settings(
    args: &AttestArgs,
    pipeline: &Pipeline,
    source: &PipelineSource,
    reports: &[ReportTarget],
) -> Result<Option<AttestationSettings>, CliError> {
    let spec = pipeline.attestation.clone().unwrap_or_default();
    let asked = pipeline.attestation.is_some()
        || args.attest_output.is_some()
        || args.push_attestation
        || args.attest_key.is_some()
        || args.verifier_id.is_some();
    if !asked {
        return Ok(None);
    }
    let output = args
        .attest_output
        .clone()
        .or_else(|| spec.output.as_ref().map(PathBuf::from));
    let push = args.push_attestation || spec.push;
    if output.is_none() && !push {
        return Err(usage(
            "an attestation needs somewhere to go",
            "give --attest FILE or --push-attestation (or `attestation.output` / `attestation.push`)",
        ));
    }
    let verifier_id = args
        .verifier_id
        .clone()
        .or(spec.verifier_id)
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| {
            usage(
                "the attestation needs a verifier id",
                "give --verifier-id URI or set `attestation.verifier_id` in the spec",
            )
        })?;
    let key_reference = args
        .attest_key
        .clone()
        .or(spec.sign.map(|s| s.key))
        .ok_or_else(|| {
            usage(
                "the attestation needs a signing key",
                "give --attest-key FILE|env://VAR or set `attestation.sign.key`; `imgguard keygen` makes one",
            )
        })?;
    let key = PrivateKey::load(&KeySource::parse(&key_reference), &ProcessEnv)?;
    let report_uri = reports
        .iter()
        .find(|t| t.format == ReportFormat::Json)
        .and_then(|t| t.output.clone());
    Ok(Some(AttestationSettings {
        verifier_id,
        key,
        output,
        push,
        policy: PolicyReference {
            uri: spec.policy_uri.unwrap_or_else(|| source.uri.clone()),
            digest: source.digest.clone(),
        },
        report_uri,
    }))
}

fn usage(message: &str, help: &str) -> CliError {
    CliError::Usage {
        message: message.to_owned(),
        help: Some(help.to_owned()),
    }
}

/// Issues, writes and (when PASSED and asked) pushes the run's VSA, telling `notes`
/// (standard error) what happened. The run's exit code is not changed by the result.
pub fn run_attestation(
    settings: &AttestationSettings,
    report: &Report,
    pipeline: &Pipeline,
    options: &RegistryOptions,
    notes: &mut dyn Write,
) -> Result<(), CliError> {
    let mut report_json = Vec::new();
    write_json(report, &mut report_json).map_err(|source| CliError::Output {
        path: "report JSON".into(),
        source,
    })?;
    // After a push, the image's registry is where it was pushed.
    let named = report
        .push
        .as_ref()
        .map_or(report.image.reference.as_str(), |p| p.reference.as_str());
    let reference = ImageReference::parse(named).ok();
    let target = match &reference {
        Some(ImageReference::Registry(r)) => Some(PushTarget {
            reference: r,
            options,
        }),
        _ => None,
    };
    let outcome = attest_run(
        report,
        &report_json,
        pipeline,
        settings,
        target,
        jiff::Timestamp::now(),
    )?;
    // Notes are best effort: a closed stderr must not turn a verdict into an error.
    if let (Some(vsa), Some(path)) = (&outcome.vsa, &outcome.written) {
        let _ = writeln!(
            notes,
            "imgguard: wrote VSA ({}) to {}",
            vsa.result.as_str(),
            path.display()
        );
    }
    match &outcome.push {
        PushOutcome::NotRequested => {}
        PushOutcome::Withheld { reason } => {
            let _ = writeln!(notes, "imgguard: VSA not pushed: {reason}");
        }
        PushOutcome::Pushed(p) => {
            let referrer = match &p.fallback_tag {
                None => "via the Referrers API".to_owned(),
                Some(tag) => format!("listed in the fallback index at tag {tag}"),
            };
            let _ = writeln!(
                notes,
                "imgguard: pushed VSA for {}@{}: tag {} ({}{}), referrer {} ({referrer})",
                p.repository,
                p.image,
                p.att_tag,
                p.att_manifest,
                if p.att_already_present {
                    ", already attached"
                } else {
                    ""
                },
                p.referrer_manifest,
            );
        }
    }
    Ok(())
}
