//! Loading a pipeline spec from YAML with precise diagnostics.

use std::path::Path;

use super::error::YamlDiagnostic;
use super::{Pipeline, SpecError};
use crate::coverage::GapKind;

/// The default pipeline, compiled into the binary.
pub const DEFAULT_PIPELINE: &str = include_str!("../../pipelines/default.yaml");

/// Parse a pipeline from `source`; `name` is used in diagnostics.
pub fn parse_pipeline(source: &str, name: &str) -> Result<Pipeline, SpecError> {
    let pipeline: Pipeline = serde_saphyr::from_str(source).map_err(|e| {
        SpecError::Invalid(YamlDiagnostic(serde_saphyr::miette::to_miette_report(
            &e, source, name,
        )))
    })?;
    validate(&pipeline, name)?;
    Ok(pipeline)
}

/// Load a pipeline file.
pub fn load_pipeline(path: &Path) -> Result<Pipeline, SpecError> {
    let name = path.display().to_string();
    let source = fs_err::read_to_string(path).map_err(|source| SpecError::Io {
        path: name.clone(),
        source,
    })?;
    parse_pipeline(&source, &name)
}

fn validate(pipeline: &Pipeline, name: &str) -> Result<(), SpecError> {
    let value = |message: String, help: &str| SpecError::Value {
        path: name.to_owned(),
        message,
        help: Some(help.to_owned()),
    };
    if pipeline.api_version != "imgguard.dev/v1" {
        return Err(value(
            format!(
                "expected apiVersion `imgguard.dev/v1`, found `{}`",
                pipeline.api_version
            ),
            "this imgguard reads imgguard.dev/v1 specs",
        ));
    }
    if pipeline.kind != "Pipeline" {
        return Err(value(
            format!("expected kind `Pipeline`, found `{}`", pipeline.kind),
            "set `kind: Pipeline`",
        ));
    }
    for never in [
        GapKind::DigestMismatch,
        GapKind::DiffIdMismatch,
        GapKind::SizeMismatch,
    ] {
        if pipeline.coverage.accept.contains(&never) {
            return Err(value(
                format!(
                    "coverage.accept lists `{}`, which can never be accepted",
                    never.name()
                ),
                "bytes that do not match their digest are not the image; remove it from coverage.accept",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_pipeline_loads() {
        let p = parse_pipeline(DEFAULT_PIPELINE, "pipelines/default.yaml").unwrap();
        assert_eq!(p.metadata.name, "default");
    }

    #[test]
    fn unknown_key_is_an_error_with_a_location() {
        let src = "apiVersion: imgguard.dev/v1\nkind: Pipeline\nmetadata: {name: x}\nchecks:\n  secrets: {fail_onn: high}\n";
        let err = parse_pipeline(src, "x.yaml").unwrap_err();
        let text = format!("{:?}", miette::Report::new(err));
        assert!(text.contains("fail_onn"), "{text}");
    }

    #[test]
    fn digest_mismatch_cannot_be_accepted() {
        let src = "apiVersion: imgguard.dev/v1\nkind: Pipeline\nmetadata: {name: x}\ncoverage: {accept: [digest-mismatch]}\n";
        assert!(matches!(
            parse_pipeline(src, "x.yaml"),
            Err(SpecError::Value { .. })
        ));
    }
}
