//! Dispatch a parsed command line.

use std::io::Write;

use super::CliError;
use super::args::{Cli, Command, SchemaKind};
use super::check::{run_baseline, run_check};
use super::run_pipeline::run_pipeline;
use crate::exit_code::ExitCode;
use crate::report::rule_info::{find_rule, rule_catalog};
use crate::spec::load::read_text;
use crate::spec::{parse_pipeline, parse_waivers};

/// Run `cli`, writing normal output to `stdout`.
pub fn run(cli: &Cli, stdout: &mut dyn Write) -> Result<ExitCode, CliError> {
    match &cli.command {
        Command::Check(args) => run_check(args, stdout),
        Command::Run(args) => run_pipeline(args, stdout, &mut std::io::stderr().lock()),
        Command::Baseline(args) => run_baseline(args, stdout),
        Command::Validate { file } => validate(file, stdout),
        Command::Explain { rule } => explain(rule, stdout),
        Command::Gate(args) => super::gate::run_gate(args, stdout, &mut std::io::stderr()),
        Command::Keygen(args) => super::keygen::run_keygen(args, stdout),
        Command::Schema { which } => {
            let text = serde_json::to_string_pretty(&schema(*which)).unwrap_or_default();
            writeln!(stdout, "{text}").map_err(stdout_error)?;
            Ok(ExitCode::Pass)
        }
    }
}

fn stdout_error(source: std::io::Error) -> CliError {
    CliError::Output {
        path: "stdout".into(),
        source,
    }
}

/// The JSON Schema of a public format, with a stable `$id`.
pub fn schema(which: SchemaKind) -> serde_json::Value {
    let (mut value, id) = match which {
        SchemaKind::Report => return crate::report::model::report_schema(),
        SchemaKind::Pipeline => (
            serde_json::to_value(schemars::schema_for!(crate::spec::Pipeline)),
            "pipeline.v1.json",
        ),
        SchemaKind::Waivers => (
            serde_json::to_value(schemars::schema_for!(crate::spec::WaiverFile)),
            "waivers.v1.json",
        ),
        SchemaKind::Baseline => (
            serde_json::to_value(schemars::schema_for!(crate::policy::Baseline)),
            "baseline.v1.json",
        ),
    };
    if let Ok(serde_json::Value::Object(obj)) = &mut value {
        obj.insert(
            "$id".into(),
            serde_json::Value::String(format!("https://imgguard.dev/schemas/{id}")),
        );
    }
    value.unwrap_or_default()
}

/// The `kind` of a spec-family document.
#[derive(serde::Deserialize)]
struct Kind {
    kind: String,
}

/// `imgguard validate FILE`: a pipeline (and the waivers file it names) or a waivers file.
fn validate(file: &std::path::Path, stdout: &mut dyn Write) -> Result<ExitCode, CliError> {
    let text = read_text(file)?;
    let name = file.display().to_string();
    // Read only `kind` first; anything else (including a broken document) is parsed
    // as a pipeline, whose loader gives the precise diagnostic.
    let is_waivers = serde_saphyr::from_str::<Kind>(&text).is_ok_and(|k| k.kind == "Waivers");
    if is_waivers {
        let waivers = parse_waivers(&text, &name, false)?;
        writeln!(
            stdout,
            "{name}: valid waivers file ({} waiver(s))",
            waivers.waivers.len()
        )
        .map_err(stdout_error)?;
        return Ok(ExitCode::Pass);
    }
    let pipeline = parse_pipeline(&text, &name)?;
    if let Some(w) = &pipeline.waivers {
        let waivers = crate::spec::load_waivers(std::path::Path::new(w), pipeline.strict)?;
        writeln!(
            stdout,
            "{w}: valid waivers file ({} waiver(s))",
            waivers.waivers.len()
        )
        .map_err(stdout_error)?;
    }
    writeln!(
        stdout,
        "{name}: valid pipeline `{}`",
        pipeline.metadata.name
    )
    .map_err(stdout_error)?;
    Ok(ExitCode::Pass)
}

/// `imgguard explain RULE_ID`.
fn explain(id: &str, stdout: &mut dyn Write) -> Result<ExitCode, CliError> {
    let Some(rule) = find_rule(id) else {
        let catalog = rule_catalog();
        let ids: Vec<&str> = catalog.iter().map(|r| r.id.as_str()).collect();
        return Err(CliError::Usage {
            message: format!("unknown rule `{id}`"),
            help: Some(crate::spec::hint::did_you_mean(id, &ids)),
        });
    };
    writeln!(
        stdout,
        "{} — {}\n\ncategory: {}\ndefault severity: {}\n\n{}\n\nHow to fix: {}\n\nWaive one finding by its fingerprint, or this rule for a path:\n  - {{rule: {}, path: \"/some/dir/**\", reason: \"…\", owner: \"…\", expires: \"YYYY-MM-DD\"}}\nChange its severity in a pipeline:\n  overrides:\n    {}: {{severity: low}}",
        rule.id,
        rule.title,
        rule.category.name(),
        rule.severity.name(),
        rule.description,
        rule.remediation,
        rule.id,
        rule.id,
    )
    .map_err(stdout_error)?;
    Ok(ExitCode::Pass)
}
