//! The attestation step of a run: from a finished report to a signed VSA file and,
//! for a PASSED result from a registry image (or a built image the push stage put in
//! a registry, `report.push`), the two published copies.
//!
//! `imgguard check` and `imgguard run` call [`attest_run`] after writing their reports
//! (`run` after pushing a built image by digest and before tagging it).
//! The verdict and exit code are never changed here: a FAILED or incomplete result
//! still gets its VSA file, and is never pushed.

use std::path::PathBuf;

use super::{
    AttestError, IssuedVsa, Published, VsaContext, issue_vsa, publish_vsa, vsa_input_from_report,
    write_vsa_file,
};
use crate::crypto::PrivateKey;
use crate::finding::Category;
use crate::intoto::{PolicyReference, VerificationResult};
use crate::oci::Digest;
use crate::oci::reference::RegistryReference;
use crate::report::model::Report;
use crate::source::registry::RegistryOptions;
use crate::source::registry::client::RegistryClient;
use crate::spec::Pipeline;

/// How the run's VSA is issued (the spec's `attestation:` merged with the flags).
#[derive(Debug)]
pub struct AttestationSettings {
    /// `verifier.id`.
    pub verifier_id: String,
    /// The signing key.
    pub key: PrivateKey,
    /// Where to write the envelope (PASSED or FAILED alike).
    pub output: Option<PathBuf>,
    /// Publish a PASSED VSA to the image's registry.
    pub push: bool,
    /// The spec the verdict was evaluated against (its URI and digest).
    pub policy: PolicyReference,
    /// Where the full JSON report was written, if anywhere (recorded beside its digest).
    pub report_uri: Option<String>,
}

/// Where a PASSED VSA goes when pushing.
#[derive(Debug, Clone, Copy)]
pub struct PushTarget<'a> {
    /// The image's repository.
    pub reference: &'a RegistryReference,
    /// Registry access (trust, credentials, retries).
    pub options: &'a RegistryOptions,
}

/// What happened to the push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushOutcome {
    /// Not asked for.
    NotRequested,
    /// Asked for, and not done for this reason (the result was not PASSED).
    Withheld {
        /// Why, for the run's output.
        reason: String,
    },
    /// Published.
    Pushed(Published),
}

/// What the attestation step did.
#[derive(Debug)]
pub struct AttestationOutcome {
    /// The signed VSA (`None` when the image never resolved to a digest).
    pub vsa: Option<IssuedVsa>,
    /// The file written.
    pub written: Option<PathBuf>,
    /// The push.
    pub push: PushOutcome,
}

/// Issues the VSA for `report` (whose exact JSON bytes are `report_json`), writes it,
/// and pushes it when it is PASSED and `settings.push` is set.
pub fn attest_run(
    report: &Report,
    report_json: &[u8],
    pipeline: &Pipeline,
    settings: &AttestationSettings,
    target: Option<PushTarget<'_>>,
    now: jiff::Timestamp,
) -> Result<AttestationOutcome, AttestError> {
    let Some(image) = report.image.digest.clone() else {
        return Ok(AttestationOutcome {
            vsa: None,
            written: None,
            push: withheld_or_not(
                settings.push,
                "the image was not resolved to a digest, so there is nothing to attest",
            ),
        });
    };
    // A built image read from the builder's layout is named by where the push stage
    // put it (`report.push`), which is where the VSA goes.
    let registry_reference = target
        .map(|t| t.reference)
        .filter(|_| report.image.source.transport == "registry" || report.push.is_some());
    let (resource_uri, subject_name) = resource_names(report, registry_reference, &image);
    let context = VsaContext {
        verifier_id: settings.verifier_id.clone(),
        policy: settings.policy.clone(),
        resource_uri,
        subject_name,
        time_verified: now,
        evidence: report.verification.evidence_descriptors(),
        report_uri: settings.report_uri.clone(),
        categories_checked: categories_checked(report),
        slsa_build_level: report.verification.slsa_build_level(),
    };
    let input = vsa_input_from_report(report, pipeline, report_json, context)?;
    let vsa = issue_vsa(&input, &settings.key)?;
    let written = match &settings.output {
        Some(path) => {
            if let Some(parent) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                fs_err::create_dir_all(parent).map_err(AttestError::Io)?;
            }
            write_vsa_file(path, &vsa)?;
            Some(path.clone())
        }
        None => None,
    };
    let push = if !settings.push {
        PushOutcome::NotRequested
    } else if vsa.result != VerificationResult::Passed {
        PushOutcome::Withheld {
            reason: format!(
                "verificationResult is {} (verdict {}): only a PASSED VSA is pushed",
                vsa.result.as_str(),
                report.verdict.name()
            ),
        }
    } else {
        let (Some(target), Some(reference)) = (target, registry_reference) else {
            return Err(AttestError::NotARegistryImage {
                source_kind: report.image.source.transport.clone(),
            });
        };
        let client = RegistryClient::new_for_push(
            &reference.registry,
            &reference.repository,
            target.options,
        )?;
        PushOutcome::Pushed(publish_vsa(
            &client,
            &vsa,
            settings.key.public_key(),
            &image,
            now,
        )?)
    };
    Ok(AttestationOutcome {
        vsa: Some(vsa),
        written,
        push,
    })
}

fn withheld_or_not(push: bool, reason: &str) -> PushOutcome {
    if push {
        PushOutcome::Withheld {
            reason: reason.to_owned(),
        }
    } else {
        PushOutcome::NotRequested
    }
}

/// `resourceUri` and the subject name: `oci://registry/repo@digest` and
/// `registry/repo` for a registry image; the source's own form otherwise.
fn resource_names(
    report: &Report,
    reference: Option<&RegistryReference>,
    image: &Digest,
) -> (String, String) {
    if let Some(r) = reference {
        let name = format!("{}/{}", r.registry, r.repository);
        return (format!("oci://{name}@{image}"), name);
    }
    let source = &report.image.source;
    let name = if source.location.is_empty() {
        report.image.reference.clone()
    } else {
        format!("{}:{}", source.transport, source.location)
    };
    (format!("{name}@{image}"), name)
}

/// Categories whose analyzers saw the whole image: none when any part went
/// unchecked, even with the gap accepted (a level is a claim about every byte).
fn categories_checked(report: &Report) -> Vec<Category> {
    if report.coverage.skipped.is_empty() {
        vec![Category::Secret, Category::Config, Category::Filesystem]
    } else {
        Vec::new()
    }
}
