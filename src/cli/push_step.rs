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
use crate::oci::ImageReference;
use crate::oci::reference::RegistryReference;
use crate::policy::Verdict;
use crate::push::{PushError, PushRecord, PushedImage, push_by_digest};
use crate::report::Report;
use crate::source::open_source_with;
use crate::source::registry::RegistryOptions;
use crate::source::registry::client::RegistryClient;
use crate::spec::{BuildSpec, BuilderKind, Pipeline};

/// A push `imgguard run` was asked for: the built image to `destination`.
#[derive(Debug, Clone)]
pub struct ImagePush {
    /// `image.ref`, a registry reference with a tag (or none: `latest`) and no digest.
    pub destination: RegistryReference,
}

fn destination_error(reference: &str, reason: &str, help: &str) -> CliError {
    PushError::Destination {
        reference: reference.to_owned(),
        reason: reason.to_owned(),
        help: Some(help.to_owned()),
    }
    .into()
}

/// The push `build.push` (or `run --push`) asks for, checked against the spec: the
/// destination must be a registry reference without a digest, and the builder must
/// leave an OCI layout or archive whose bytes can be pushed unchanged.
pub fn image_push_of(
    pipeline: &Pipeline,
    build: &BuildSpec,
    flag: bool,
) -> Result<Option<ImagePush>, CliError> {
    if !(build.push || flag) {
        return Ok(None);
    }
    let Some(text) = pipeline.image.reference.as_deref() else {
        return Err(destination_error(
            "",
            "the spec has no `image.ref`",
            "set `image.ref: registry.example.com/team/app:TAG`, the place to push to",
        ));
    };
    let pushable_output = match build.builder {
        BuilderKind::Buildah | BuilderKind::Podman => true,
        BuilderKind::Docker => false,
        BuilderKind::Command => build.output.as_deref().is_some_and(|o| {
            matches!(
                ImageReference::parse(o),
                Ok(ImageReference::OciLayout { .. } | ImageReference::OciArchive { .. })
            )
        }),
    };
    if !pushable_output {
        return Err(destination_error(
            text,
            &format!(
                "`builder: {}` does not leave the image as OCI layout bytes that can be pushed unchanged",
                build.builder.name()
            ),
            "use `builder: buildah` or `podman`, or a `command` with `output: oci:DIR` or `oci-archive:FILE`; after `docker build`, push with `docker push` and check the pushed digest",
        ));
    }
    match ImageReference::parse(text) {
        Ok(ImageReference::Registry(destination)) if destination.digest.is_none() => {
            Ok(Some(ImagePush { destination }))
        }
        Ok(ImageReference::Registry(_)) => Err(destination_error(
            text,
            "it names a digest, which only the build decides",
            "write `image.ref` with a tag (registry/repo:TAG)",
        )),
        Ok(_) => Err(destination_error(
            text,
            "it is not a registry reference",
            "write `image.ref` as registry.example.com/team/app:TAG",
        )),
        Err(e) => Err(e.into()),
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
        "imgguard: pushed {} blob(s) ({} bytes; {} already there) and {} manifest(s) to {}/{} by digest",
        r.blobs_uploaded,
        r.bytes_uploaded,
        r.blobs_present,
        r.manifests,
        destination.registry,
        destination.repository
    );
    Ok(Some(PendingTag { pushed, client }))
}
