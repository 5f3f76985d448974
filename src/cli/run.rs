//! Dispatch a parsed command line.

use std::io::Write;

use super::CliError;
use super::args::{Cli, Command, SchemaKind};
use super::check::run_check;
use crate::exit_code::ExitCode;

/// Run `cli`, writing normal output to `stdout`.
pub fn run(cli: &Cli, stdout: &mut dyn Write) -> Result<ExitCode, CliError> {
    match &cli.command {
        Command::Check(args) => run_check(args, stdout),
        Command::Schema { which } => {
            let schema = match which {
                SchemaKind::Report => crate::report::model::report_schema(),
                SchemaKind::Pipeline => {
                    serde_json::to_value(schemars::schema_for!(crate::spec::Pipeline))
                        .unwrap_or_default()
                }
            };
            let text = serde_json::to_string_pretty(&schema).unwrap_or_default();
            writeln!(stdout, "{text}").map_err(|source| CliError::Output {
                path: "stdout".into(),
                source,
            })?;
            Ok(ExitCode::Pass)
        }
    }
}
