//! Loading YAML documents (the pipeline spec, the waivers file) with precise
//! diagnostics: every error names the file, line and column, underlines the span and,
//! for a misspelt key or value, suggests the closest allowed one.

use std::path::Path;
use std::sync::Arc;

use miette::{NamedSource, SourceSpan};
use serde::de::DeserializeOwned;
use serde_saphyr::Spanned;

use super::error::{LocatedError, YamlDiagnostic};
use super::hint::did_you_mean;
use super::{Pipeline, SpecError};
use crate::coverage::GapKind;

/// The default pipeline, compiled into the binary.
pub const DEFAULT_PIPELINE: &str = include_str!("../../pipelines/default.yaml");

/// The only `apiVersion` this build reads.
pub const API_VERSION: &str = "imgguard.dev/v1";

/// Deserialize any spec-family document from `source`; `name` is shown in diagnostics.
pub fn parse_yaml<T: DeserializeOwned>(source: &str, name: &str) -> Result<T, SpecError> {
    serde_saphyr::from_str(source).map_err(|e| {
        let options = serde_saphyr::render_options! { source_name: Some(name) };
        let report = serde_saphyr::miette::to_miette_report_with_options(&e, source, name, options);
        SpecError::Invalid(YamlDiagnostic {
            report,
            help: hint_for(&e),
        })
    })
}

fn hint_for(error: &serde_saphyr::Error) -> Option<String> {
    match error.without_snippet() {
        serde_saphyr::Error::SerdeUnknownField {
            field, expected, ..
        } => Some(format!(
            "{} (unknown keys are errors, so a typo never turns a check off)",
            did_you_mean(field, expected)
        )),
        serde_saphyr::Error::SerdeUnknownVariant {
            variant, expected, ..
        } => Some(did_you_mean(variant, expected)),
        serde_saphyr::Error::SerdeMissingField { field, .. } => Some(format!(
            "add `{field}:`; `imgguard schema pipeline` lists every key"
        )),
        _ => None,
    }
}

/// Parse a pipeline from `source`; `name` is used in diagnostics. Paths in it (rule
/// packs) are relative to the current directory.
pub fn parse_pipeline(source: &str, name: &str) -> Result<Pipeline, SpecError> {
    parse_pipeline_in(source, name, Path::new(""))
}

/// Parse a pipeline whose relative paths start at `base` (the spec file's directory).
pub fn parse_pipeline_in(source: &str, name: &str, base: &Path) -> Result<Pipeline, SpecError> {
    let mut pipeline: Pipeline = parse_yaml(source, name)?;
    validate(source, name)?;
    validate_push(&pipeline, source, name)?;
    super::rule_packs::load_secret_rule_packs(&mut pipeline, source, name, base)?;
    Ok(pipeline)
}

/// Read a file as text, naming it in the error.
pub fn read_text(path: &Path) -> Result<String, SpecError> {
    fs_err::read_to_string(path).map_err(|source| SpecError::Io {
        path: path.display().to_string(),
        source,
    })
}

/// Load a pipeline file.
pub fn load_pipeline(path: &Path) -> Result<Pipeline, SpecError> {
    let name = path.display().to_string();
    let base = path.parent().unwrap_or(Path::new(""));
    parse_pipeline_in(&read_text(path)?, &name, base)
}

/// The positions of the values checked after parsing.
#[derive(serde::Deserialize)]
struct Positions {
    #[serde(rename = "apiVersion")]
    api_version: Spanned<String>,
    kind: Spanned<String>,
    #[serde(default)]
    coverage: Option<CoveragePositions>,
}

#[derive(serde::Deserialize)]
struct CoveragePositions {
    #[serde(default)]
    accept: Vec<Spanned<String>>,
}

/// Platforms written as a list (an untagged enum would lose the spans, so the list
/// form is tried on its own; `platforms: all` simply does not parse as this).
#[derive(serde::Deserialize)]
struct PlatformListPositions {
    image: ImageListPositions,
}

#[derive(serde::Deserialize)]
struct ImageListPositions {
    platforms: Vec<Spanned<String>>,
}

/// An error at `spanned`'s position in `source`.
pub fn located<T>(
    source: &str,
    name: &str,
    spanned: &Spanned<T>,
    message: String,
    help: &str,
) -> SpecError {
    located_at(source, name, &spanned.referenced, message, help)
}

/// An error at `location` in `source`.
pub fn located_at(
    source: &str,
    name: &str,
    location: &serde_saphyr::Location,
    message: String,
    help: &str,
) -> SpecError {
    let span = location.span();
    let offset = span
        .byte_offset()
        .and_then(|o| usize::try_from(o).ok())
        .unwrap_or(0);
    let len = span
        .byte_len()
        .and_then(|l| usize::try_from(l).ok())
        .unwrap_or(0);
    SpecError::At(Box::new(LocatedError {
        name: name.to_owned(),
        message,
        source_code: Arc::new(NamedSource::new(name, source.to_owned())),
        span: SourceSpan::new(offset.into(), len),
        help: Some(help.to_owned()),
    }))
}

fn validate(source: &str, name: &str) -> Result<(), SpecError> {
    let positions: Positions = parse_yaml(source, name)?;
    if positions.api_version.value != API_VERSION {
        return Err(located(
            source,
            name,
            &positions.api_version,
            format!(
                "expected apiVersion `{API_VERSION}`, found `{}`",
                positions.api_version.value
            ),
            &format!("this imgguard reads {API_VERSION} specs"),
        ));
    }
    if positions.kind.value != "Pipeline" {
        return Err(located(
            source,
            name,
            &positions.kind,
            format!("expected kind `Pipeline`, found `{}`", positions.kind.value),
            "set `kind: Pipeline`",
        ));
    }
    if let Ok(PlatformListPositions {
        image: ImageListPositions { platforms: list },
    }) = serde_saphyr::from_str(source)
    {
        for platform in &list {
            if let Err(e) = platform.value.parse::<crate::oci::Platform>() {
                return Err(located(
                    source,
                    name,
                    platform,
                    format!("`{}` is not a platform: {e}", platform.value),
                    "write platforms as os/arch[/variant], e.g. linux/amd64 or linux/arm64/v8",
                ));
            }
        }
    }
    let never = [
        GapKind::DigestMismatch,
        GapKind::DiffIdMismatch,
        GapKind::SizeMismatch,
    ];
    for entry in positions.coverage.iter().flat_map(|c| &c.accept) {
        if never.iter().any(|k| k.name() == entry.value) {
            return Err(located(
                source,
                name,
                entry,
                format!(
                    "coverage.accept lists `{}`, which can never be accepted",
                    entry.value
                ),
                "bytes that do not match their digest are not the image; remove it from coverage.accept",
            ));
        }
    }
    Ok(())
}

/// `build.push: true` needs an `image.ref` it can push to (also checked by `run`
/// before it builds, for `--push`).
fn validate_push(pipeline: &Pipeline, source: &str, name: &str) -> Result<(), SpecError> {
    #[derive(serde::Deserialize)]
    struct At {
        build: BuildAt,
    }
    #[derive(serde::Deserialize)]
    struct BuildAt {
        push: Spanned<bool>,
    }
    let Some(build) = pipeline.build.as_ref().filter(|b| b.push) else {
        return Ok(());
    };
    let Err(problem) = build.push_destination(pipeline.image.reference.as_deref()) else {
        return Ok(());
    };
    Err(match serde_saphyr::from_str::<At>(source) {
        Ok(at) => located(
            source,
            name,
            &at.build.push,
            format!("`build.push` cannot work: {}", problem.reason),
            problem.help,
        ),
        Err(_) => SpecError::Value {
            path: name.to_owned(),
            message: format!("`build.push` cannot work: {}", problem.reason),
            help: Some(problem.help.to_owned()),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(err: &SpecError) -> String {
        crate::spec::error::render_plain(err)
    }

    #[test]
    fn default_pipeline_loads() {
        let p = parse_pipeline(DEFAULT_PIPELINE, "pipelines/default.yaml").unwrap();
        assert_eq!(p.metadata.name, "default");
    }

    #[test]
    fn unknown_key_names_file_line_and_the_likely_key() {
        let src = "apiVersion: imgguard.dev/v1\nkind: Pipeline\nmetadata: {name: x}\nchecks:\n  secrets: {fail_onn: high}\n";
        let text = rendered(&parse_pipeline(src, "ci/x.yaml").unwrap_err());
        assert!(text.contains("fail_onn"), "{text}");
        assert!(text.contains("ci/x.yaml:5:"), "{text}");
        assert!(text.contains("did you mean `fail_on`?"), "{text}");
        assert!(text.contains("imgguard::spec::yaml"), "{text}");
    }

    #[test]
    fn misspelt_value_suggests_the_variant() {
        let src = "apiVersion: imgguard.dev/v1\nkind: Pipeline\nmetadata: {name: x}\nchecks:\n  secrets: {fail_on: hihg}\n";
        let text = rendered(&parse_pipeline(src, "x.yaml").unwrap_err());
        assert!(text.contains("did you mean `high`?"), "{text}");
    }

    #[test]
    fn duplicate_keys_are_rejected() {
        let src =
            "apiVersion: imgguard.dev/v1\nkind: Pipeline\nkind: Pipeline\nmetadata: {name: x}\n";
        let text = rendered(&parse_pipeline(src, "x.yaml").unwrap_err());
        assert!(text.contains("x.yaml:3:"), "{text}");
    }

    #[test]
    fn wrong_api_version_points_at_the_value() {
        let src = "apiVersion: imgguard.dev/v2\nkind: Pipeline\nmetadata: {name: x}\n";
        let text = rendered(&parse_pipeline(src, "x.yaml").unwrap_err());
        assert!(text.contains("x.yaml:1:13"), "{text}");
        assert!(text.contains("imgguard.dev/v2"), "{text}");
    }

    #[test]
    fn bad_platforms_point_at_themselves() {
        let src = "apiVersion: imgguard.dev/v1\nkind: Pipeline\nmetadata: {name: x}\nimage:\n  platforms: [linux/amd64, \"linux\"]\n";
        let text = rendered(&parse_pipeline(src, "x.yaml").unwrap_err());
        assert!(text.contains("x.yaml:5:28"), "{text}");
        let ok = "apiVersion: imgguard.dev/v1\nkind: Pipeline\nmetadata: {name: x}\nimage:\n  platforms: all\n";
        assert!(parse_pipeline(ok, "x.yaml").is_ok());
    }

    #[test]
    fn build_push_needs_an_image_ref_it_can_push_to() {
        let head = "apiVersion: imgguard.dev/v1\nkind: Pipeline\nmetadata: {name: x}\n";
        let build = "build:\n  builder: buildah\n  push: true\n";
        let err = parse_pipeline(&format!("{head}{build}"), "x.yaml").unwrap_err();
        let text = rendered(&err);
        assert!(text.contains("x.yaml:6:9"), "{text}");
        assert!(text.contains("no `image.ref`"), "{text}");
        let with_digest = format!(
            "{head}image: {{ref: \"reg.example/app@sha256:{}\"}}\n{build}",
            "a".repeat(64)
        );
        let text = rendered(&parse_pipeline(&with_digest, "x.yaml").unwrap_err());
        assert!(text.contains("names a digest"), "{text}");
        let docker = format!(
            "{head}image: {{ref: reg.example/app:1}}\nbuild: {{builder: docker, push: true}}\n"
        );
        assert!(parse_pipeline(&docker, "x.yaml").is_err());
        let fine = format!("{head}image: {{ref: reg.example/app:1}}\n{build}");
        assert!(parse_pipeline(&fine, "x.yaml").is_ok());
    }

    #[test]
    fn digest_mismatch_cannot_be_accepted() {
        let src = "apiVersion: imgguard.dev/v1\nkind: Pipeline\nmetadata: {name: x}\ncoverage: {accept: [budget, digest-mismatch]}\n";
        let err = parse_pipeline(src, "x.yaml").unwrap_err();
        assert!(matches!(err, SpecError::At(_)));
        let text = rendered(&err);
        assert!(text.contains("x.yaml:4:29"), "{text}");
    }
}
