//! Argument definitions.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Decide whether a container image may be deployed.
#[derive(Debug, Parser)]
#[command(name = "imgguard", version, about, max_term_width = 100)]
pub struct Cli {
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check an image against a pipeline spec (the embedded default when none is given).
    Check(CheckArgs),
    /// Print the JSON Schema of a public format.
    Schema {
        /// Which schema.
        #[arg(value_enum)]
        which: SchemaKind,
    },
}

/// Schemas imgguard publishes.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SchemaKind {
    /// The JSON report (`imgguard.report/v1`).
    Report,
    /// The pipeline spec.
    Pipeline,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A summary for people.
    Human,
    /// The `imgguard.report/v1` JSON report.
    Json,
}

/// `imgguard check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The image: registry/repo:tag, repo@sha256:…, oci:DIR[:TAG], oci-archive:FILE[:TAG],
    /// docker-archive:FILE[:NAME:TAG], docker-daemon:NAME:TAG.
    #[arg(required_unless_present = "demo", conflicts_with = "demo")]
    pub image: Option<String>,
    /// Check the small demo image compiled into imgguard.
    #[arg(long)]
    pub demo: bool,
    /// The pipeline spec (default: the embedded pipelines/default.yaml).
    #[arg(long, short = 'p', value_name = "FILE")]
    pub pipeline: Option<PathBuf>,
    /// Check only these platforms (repeatable), e.g. linux/amd64.
    #[arg(long = "platform", value_name = "OS/ARCH[/VARIANT]")]
    pub platforms: Vec<String>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Write the report here instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Worker threads for layers (default: one per core).
    #[arg(long, default_value_t = 0)]
    pub jobs: usize,
    /// Registry and daemon access.
    #[command(flatten)]
    pub registry: Box<super::registry_args::RegistryArgs>,
}
