//! `imgguard gate IMAGE@sha256:…`: find imgguard's VSAs for one image digest in its
//! registry and pass only when one of them is acceptable. Exit 0 on pass; 1 with the
//! exact reason otherwise; 2 for bad arguments or keys; 3 when the registry cannot be
//! read.

use std::io::Write;

use super::CliError;
use super::args::GateArgs;
use crate::attest::{
    GateError, GateRequirements, check_vsa_candidates, check_vsa_envelope, find_vsas, parse_max_age,
};
use crate::crypto::{KeySource, ProcessEnv, PublicKey};
use crate::exit_code::ExitCode;
use crate::oci::{Digest, ImageReference};
use crate::source::registry::client::RegistryClient;
use crate::source::registry::push::MAX_MANIFEST_BYTES;
use crate::source::registry::referrers::manifest_by_tag;

fn usage(reason: String) -> CliError {
    CliError::Gate(GateError::Usage { reason })
}

fn out_error(source: std::io::Error) -> CliError {
    CliError::Output {
        path: "stdout".into(),
        source,
    }
}

/// Runs the gate, writing the decision to `stdout` and skipped candidates to `notes`.
pub fn run_gate(
    args: &GateArgs,
    stdout: &mut dyn Write,
    notes: &mut dyn Write,
) -> Result<ExitCode, CliError> {
    let ImageReference::Registry(reference) = ImageReference::parse(&args.image)? else {
        return Err(usage(format!(
            "`{}` is not a registry image: the gate reads VSAs from the image's registry",
            args.image
        )));
    };
    if reference.digest.is_none() && !args.resolve {
        return Err(usage(format!(
            "`{}` names a tag, which can move: give the image as …@sha256:<hex>, or pass --resolve to resolve the tag once and gate that digest",
            args.image
        )));
    }
    let trusted_keys = args
        .keys
        .iter()
        .map(|k| PublicKey::load(&KeySource::parse(k), &ProcessEnv))
        .collect::<Result<Vec<_>, _>>()?;
    let max_age = args.max_age.as_deref().map(parse_max_age).transpose()?;
    let policy_digest = args
        .policy_digest
        .as_deref()
        .map(|d| {
            d.parse::<Digest>()
                .map_err(|_| usage(format!("--policy-digest `{d}` is not sha256:<hex>")))
        })
        .transpose()?;
    let options = args.registry.options(&mut std::io::stdin())?;
    let client = RegistryClient::new(&reference.registry, &reference.repository, &options)?;
    let image = if let Some(digest) = &reference.digest {
        digest.clone()
    } else {
        let tag = reference.tag_or_default().unwrap_or("latest");
        let Some(found) = manifest_by_tag(&client, tag, MAX_MANIFEST_BYTES)? else {
            return Err(usage(format!(
                "tag `{tag}` does not exist in {}",
                client.location()
            )));
        };
        writeln!(
            stdout,
            "resolved {} to {}/{}@{}",
            args.image, reference.registry, reference.repository, found.descriptor.digest
        )
        .map_err(out_error)?;
        found.descriptor.digest
    };
    let search = find_vsas(&client, &image)?;
    for note in &search.notes {
        let _ = writeln!(notes, "imgguard: skipped {note}");
    }
    let requirements = GateRequirements {
        image_digest: image.clone(),
        trusted_keys,
        verifier_id: args.verifier_id.clone(),
        policy_digest,
        policy_uri: args.policy_uri.clone(),
        required_levels: args.levels.clone(),
        max_age,
        now: jiff::Timestamp::now(),
    };
    for candidate in &search.candidates {
        if let Ok(pass) = check_vsa_envelope(&candidate.envelope, &requirements) {
            writeln!(
                stdout,
                "PASS {}/{}@{image}: VSA by {} ({}), verified {}, levels [{}], key {}",
                reference.registry,
                reference.repository,
                pass.verifier_id,
                candidate.location,
                pass.time_verified
                    .map_or_else(|| "at an unstated time".to_owned(), |t| format!("at {t}")),
                pass.verified_levels.join(", "),
                pass.key_hint,
            )
            .map_err(out_error)?;
            return Ok(ExitCode::Pass);
        }
    }
    let refused = check_vsa_candidates(
        search.candidates.iter().map(|c| c.envelope.as_slice()),
        &requirements,
    );
    match refused {
        // Unreachable: every candidate was refused above; keep the gate fail-closed.
        Ok(_) => Err(CliError::Gate(GateError::NoVsaFound {
            image: image.to_string(),
        })),
        Err(e) => Err(e.into()),
    }
}
