//! The `imgguard` binary: parse arguments, run, map the outcome to an exit code.

use std::process::ExitCode as ProcessExit;

use clap::Parser;
use imgguard::cli::{Cli, run};
use imgguard::exit_code::ExitCode;

fn main() -> ProcessExit {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            let code = if e.use_stderr() {
                ExitCode::Usage
            } else {
                ExitCode::Pass
            };
            return ProcessExit::from(code.code());
        }
    };
    let mut stdout = std::io::stdout().lock();
    match run(&cli, &mut stdout) {
        Ok(code) => ProcessExit::from(code.code()),
        Err(error) => {
            let code = error.exit_code();
            let report = miette::Report::new(error);
            #[expect(
                clippy::print_stderr,
                reason = "the binary's one place that renders a fatal error"
            )]
            {
                eprintln!("{report:?}");
            }
            ProcessExit::from(code.code())
        }
    }
}
