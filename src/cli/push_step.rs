//! The push stage as `imgguard run` drives it. Order, so that a deploy watching the
//! tag never finds an image that was not checked and attested:
//!
//! 1. build, check (verify, policy) — only a PASS goes on;
//! 2. every blob and manifest pushed to `image.ref`'s repository *by digest*
//!    ([`push_checked_image`]), untagged; the report records the push;
//! 3. the reports are written and the VSA issued and published (the registry needs
//!    the image manifest before a VSA can name it as its subject);
//! 4. the tag, last ([`PendingTag::finish`]), read back to confirm its digest.
//!
//! What was asked is checked before the build ([`image_push_of`]), so a spec that
//! cannot push fails in seconds, not after a long build.

use std::io::Write;

use super::CliError;
use crate::build::BuiltImage;
use crate::oci::reference::RegistryReference;
use crate::policy::Verdict;
use crate::push::{PushError, PushRecord, PushedImage, push_by_digest};
use crate::report::Report;
use crate::source::open_source_with;
use crate::source::registry::RegistryOptions;
use crate::source::registry::client::RegistryClient;
use crate::spec::{BuildSpec, Pipeline};

/// A push `imgguard run` was asked for: the built image to `destination`.
#[derive(Debug, Clone)]
pub struct ImagePush {
    /// `image.ref`, a registry reference with a tag (or none: `latest`) and no digest.
    pub destination: RegistryReference,
}

/// The push `build.push` (or `run --push`) asks for, checked before the build (see
/// [`BuildSpec::push_destination`]).
pub fn image_push_of(
    pipeline: &Pipeline,
    build: &BuildSpec,
    flag: bool,
) -> Result<Option<ImagePush>, CliError> {
    if !(build.push || flag) {
        return Ok(None);
    }
    let reference = pipeline.image.reference.as_deref();
    match build.push_destination(reference) {
        Ok(destination) => Ok(Some(ImagePush { destination })),
        Err(problem) => Err(PushError::Destination {
            reference: reference.unwrap_or_default().to_owned(),
            reason: problem.reason,
            help: Some(problem.help.to_owned()),
        }
        .into()),
    }
}

/// Blobs and manifests in the registry by digest; the tag still to set.
#[derive(Debug)]
pub struct PendingTag {
    pushed: PushedImage,
    client: RegistryClient,
}

impl PendingTag {
    /// What the report records.
    pub fn record(&self) -> PushRecord {
        self.pushed.record.clone()
    }

    /// Set the tag (last), confirm it, and say so on `notes` (standard error).
    pub fn finish(self, notes: &mut dyn Write) -> Result<(), CliError> {
        self.pushed.tag(&self.client)?;
        let _ = writeln!(
            notes,
            "imgguard: pushed {}@{}",
            self.pushed.record.reference, self.pushed.record.digest
        );
        Ok(())
    }
}

/// Push the checked image by digest when the report passed; `None` (and a note) when
/// it did not: a failing or incomplete image never reaches the registry.
pub fn push_checked_image(
    push: &ImagePush,
    built: &BuiltImage,
    report: &Report,
    options: &RegistryOptions,
    notes: &mut dyn Write,
) -> Result<Option<PendingTag>, CliError> {
    let destination = &push.destination;
    let (Verdict::Pass, Some(digest)) = (&report.verdict, &report.image.digest) else {
        let _ = writeln!(
            notes,
            "imgguard: not pushed to {destination}: the verdict is {}; only a pass is pushed",
            report.verdict.name()
        );
        return Ok(None);
    };
    let source = open_source_with(&built.reference, options).map_err(PushError::Source)?;
    let client =
        RegistryClient::new_for_push(&destination.registry, &destination.repository, options)
            .map_err(|source| PushError::Registry {
                repository: format!("{}/{}", destination.registry, destination.repository),
                source,
            })?;
    let pushed = push_by_digest(source.as_ref(), &client, destination, digest)?;
    let r = &pushed.record;
    let _ = writeln!(
        notes,
        "imgguard: pushed {} blob(s) ({} bytes; {} already there) and {} manifest(s) to {}/{} by digest in {} ms",
        r.blobs_uploaded,
        r.bytes_uploaded,
        r.blobs_present,
        r.manifests,
        destination.registry,
        destination.repository,
        r.duration_ms
    );
    Ok(Some(PendingTag { pushed, client }))
}
