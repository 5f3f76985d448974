//! The secret check's own spec keys, checked when a pipeline loads: the user's rule
//! packs (`checks.secrets.rules`, read relative to the spec file and proven like
//! `imgguard rules check`) and the nested-archive budgets (`checks.secrets.archives`).
//! A pack that does not prove out stops the run with exit 2 instead of scanning with
//! weaker rules than the user believes.

use std::path::Path;

use serde_saphyr::Spanned;

use super::SpecError;
use super::load::located;
use super::pipeline::{LoadedRulePack, MAX_ARCHIVE_BYTES, MAX_ARCHIVE_DEPTH, Pipeline};
use crate::analyze::secrets::{RuleSet, check_rules_within};

/// Where the secret keys were written.
#[derive(serde::Deserialize, Default)]
struct Positions {
    #[serde(default)]
    checks: Option<ChecksPositions>,
}

#[derive(serde::Deserialize, Default)]
struct ChecksPositions {
    #[serde(default)]
    secrets: Option<SecretPositions>,
}

#[derive(serde::Deserialize, Default)]
struct SecretPositions {
    #[serde(default)]
    rules: Vec<Spanned<String>>,
    #[serde(default)]
    archives: Option<ArchivePositions>,
}

#[derive(serde::Deserialize, Default)]
struct ArchivePositions {
    #[serde(default)]
    max_depth: Option<Spanned<u32>>,
    #[serde(default)]
    max_bytes: Option<Spanned<u64>>,
}

/// Check the archive budgets and read, compile and prove every rule pack of
/// `pipeline` (`source`/`name` are the spec text and its name for diagnostics,
/// `base` the directory relative pack paths start from). The packs' texts are kept in
/// `checks.secrets.loaded_packs`.
pub fn load_secret_rule_packs(
    pipeline: &mut Pipeline,
    source: &str,
    name: &str,
    base: &Path,
) -> Result<(), SpecError> {
    let positions: SecretPositions = serde_saphyr::from_str::<Positions>(source)
        .ok()
        .and_then(|p| p.checks)
        .and_then(|c| c.secrets)
        .unwrap_or_default();
    if let Some(archives) = &positions.archives {
        if let Some(depth) = archives
            .max_depth
            .as_ref()
            .filter(|d| d.value > MAX_ARCHIVE_DEPTH)
        {
            return Err(located(
                source,
                name,
                depth,
                format!(
                    "archives.max_depth is {}, more than {MAX_ARCHIVE_DEPTH}",
                    depth.value
                ),
                "nesting deeper than a few levels is a zip bomb more often than an application",
            ));
        }
        if let Some(bytes) = archives
            .max_bytes
            .as_ref()
            .filter(|b| b.value > MAX_ARCHIVE_BYTES)
        {
            return Err(located(
                source,
                name,
                bytes,
                format!(
                    "archives.max_bytes is {}, more than {MAX_ARCHIVE_BYTES} (1 GiB)",
                    bytes.value
                ),
                "a zip archive is held in memory whole; larger ones are scanned as strings and reported as coverage gaps",
            ));
        }
    }
    let Some(mut full) = (!pipeline.checks.secrets.rules.is_empty())
        .then(RuleSet::builtin)
        .transpose()
        .map_err(|err| SpecError::Rules(Box::new(err)))?
    else {
        return Ok(());
    };
    let mut packs = Vec::new();
    for (index, written) in pipeline.checks.secrets.rules.iter().enumerate() {
        let path = base.join(written);
        let at = |message: String, help: &str| match positions.rules.get(index) {
            Some(spanned) => located(source, name, spanned, message, help),
            None => SpecError::Value {
                path: name.to_owned(),
                message,
                help: Some(help.to_owned()),
            },
        };
        let text = fs_err::read_to_string(&path).map_err(|err| {
            at(
                format!("failed to read rule pack {}: {err}", path.display()),
                "rule pack paths are relative to the spec file",
            )
        })?;
        let origin = path.display().to_string();
        let pack =
            RuleSet::from_yaml(&origin, &text).map_err(|err| SpecError::Rules(Box::new(err)))?;
        full.extend(&pack)
            .map_err(|err| SpecError::Rules(Box::new(err)))?;
        packs.push((index, pack, LoadedRulePack { path, text }));
    }
    for (index, pack, loaded) in &packs {
        let failures = check_rules_within(pack.rules(), &full);
        if let Some(first) = failures.first() {
            let message = format!(
                "rule pack {} does not prove out ({} failure(s)); first: {first}",
                loaded.path.display(),
                failures.len()
            );
            let help = format!(
                "run `imgguard rules check {}` for every proof",
                loaded.path.display()
            );
            return Err(match positions.rules.get(*index) {
                Some(spanned) => located(source, name, spanned, message, &help),
                None => SpecError::Value {
                    path: name.to_owned(),
                    message,
                    help: Some(help),
                },
            });
        }
    }
    pipeline.checks.secrets.loaded_packs = packs.into_iter().map(|(_, _, l)| l).collect();
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use crate::spec::error::render_plain;
    use crate::spec::parse_pipeline_in;

    const PACK: &str = r#"rules:
  - id: secret.acme-deploy-key
    title: ACME deploy key
    provider: acme
    kind: api-token
    long_lived: true
    severity: high
    confidence: high
    keywords: [acme_dk_]
    pattern: '\b(acme_dk_[A-Za-z0-9]{24})\b'
    fp_guard: fixed prefix and length
    examples: ["ACME=acme_dk_Zq8vL2mN4pR7sT1wX5yBc3Dd"]
"#;

    fn spec(secrets: &str) -> String {
        format!(
            "apiVersion: imgguard.dev/v1\nkind: Pipeline\nmetadata: {{name: x}}\nchecks:\n  secrets:\n{secrets}"
        )
    }

    #[test]
    fn rule_packs_load_relative_to_the_spec_and_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        fs_err::create_dir(dir.path().join("rules")).unwrap();
        fs_err::write(dir.path().join("rules/acme.yaml"), PACK).unwrap();
        let src = spec(
            "    rules: [rules/acme.yaml]\n    archives: {max_depth: 2, max_bytes: 1048576}\n",
        );
        let pipeline = parse_pipeline_in(&src, "ci/pipeline.yaml", dir.path()).unwrap();
        let secrets = &pipeline.checks.secrets;
        assert_eq!(secrets.loaded_packs.len(), 1);
        assert_eq!(secrets.loaded_packs[0].text, PACK);
        assert_eq!(secrets.archives.max_depth, 2);
        assert_eq!(secrets.archives.max_bytes, 1_048_576);
        assert!(secrets.enabled, "shared settings keep their defaults");
    }

    #[test]
    fn a_missing_or_unproven_pack_is_an_error_at_its_spec_line() {
        let dir = tempfile::tempdir().unwrap();
        let src = spec("    rules: [nope.yaml]\n");
        let err = parse_pipeline_in(&src, "p.yaml", dir.path()).unwrap_err();
        let text = render_plain(&err);
        assert!(text.contains("p.yaml:6:"), "{text}");
        assert!(text.contains("nope.yaml"), "{text}");

        let broken = PACK.replace("Zq8vL2mN4pR7sT1wX5yBc3Dd", "short");
        fs_err::write(dir.path().join("broken.yaml"), broken).unwrap();
        let src = spec("    rules: [broken.yaml]\n");
        let text = render_plain(&parse_pipeline_in(&src, "p.yaml", dir.path()).unwrap_err());
        assert!(text.contains("does not prove out"), "{text}");
        assert!(text.contains("imgguard rules check"), "{text}");
    }

    #[test]
    fn archive_budgets_are_bounded_and_unknown_keys_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let src = spec("    archives: {max_depth: 40}\n");
        let text = render_plain(&parse_pipeline_in(&src, "p.yaml", dir.path()).unwrap_err());
        assert!(text.contains("max_depth is 40"), "{text}");
        let src = spec("    archives: {max_bytes: 4294967296}\n");
        let text = render_plain(&parse_pipeline_in(&src, "p.yaml", dir.path()).unwrap_err());
        assert!(text.contains("more than 1073741824"), "{text}");
        let src = spec("    archives: {max_dept: 2}\n");
        let text = render_plain(&parse_pipeline_in(&src, "p.yaml", dir.path()).unwrap_err());
        assert!(text.contains("max_depth"), "{text}");
    }
}
