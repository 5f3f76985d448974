//! Argument definitions.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::spec::ReportTarget;

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
    /// Record the fingerprints of an image's current findings, so later checks with
    /// `--baseline` gate only on new ones.
    Baseline(BaselineArgs),
    /// Check a pipeline spec or a waivers file without running it.
    Validate {
        /// The file (`kind: Pipeline` or `kind: Waivers`).
        file: PathBuf,
    },
    /// Explain a rule: what it detects, why it matters, how to fix it.
    Explain {
        /// The rule id, e.g. `filesystem.unsafe-path`.
        rule: String,
    },
    /// Secret rules: list them, or prove a rule pack of your own.
    Rules {
        /// What to do.
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Print the JSON Schema of a public format.
    Schema {
        /// Which schema.
        #[arg(value_enum)]
        which: SchemaKind,
    },
}

/// `imgguard rules …`.
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List the secret rules: id, provider, kind, severity, confidence.
    List {
        /// Also list the rules of this pack (repeatable).
        #[arg(long = "pack", value_name = "FILE")]
        packs: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = RulesListFormat::Human)]
        format: RulesListFormat,
    },
    /// Prove a rule pack: it parses, compiles, every example is found with its capture
    /// and no negative example is (exit 0; 1 when a proof fails; 2 when it does not load).
    Check {
        /// The rule pack (YAML, `rules: [...]`).
        file: PathBuf,
    },
}

/// Output of `rules list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesListFormat {
    /// A table.
    Human,
    /// A JSON array.
    Json,
}

/// Schemas imgguard publishes.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SchemaKind {
    /// The JSON report (`imgguard.report/v1`).
    Report,
    /// The pipeline spec (`kind: Pipeline`).
    Pipeline,
    /// The waivers file (`kind: Waivers`).
    Waivers,
    /// The baseline file (`imgguard.baseline/v1`).
    Baseline,
}

/// What every command that runs a check shares.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The image: registry/repo:tag, repo@sha256:…, oci:DIR[:TAG], oci-archive:FILE[:TAG],
    /// docker-archive:FILE[:NAME:TAG], docker-daemon:NAME:TAG. Default: the spec's
    /// `image.ref`.
    #[arg(conflicts_with = "demo")]
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
    /// Worker threads for layers (default: one per core).
    #[arg(long, default_value_t = 0)]
    pub jobs: usize,
    /// The Dockerfile the image was built from: lint it and map findings to its lines
    /// (overrides the spec's `checks.dockerfile`).
    #[arg(long, value_name = "FILE")]
    pub dockerfile: Option<PathBuf>,
    /// Registry and daemon access.
    #[command(flatten)]
    pub registry: Box<super::registry_args::RegistryArgs>,
}

/// `imgguard check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The image and pipeline.
    #[command(flatten)]
    pub run: RunArgs,
    /// Report format, optionally with a file: human, json, sarif, junit, github, gitlab,
    /// or FORMAT=PATH. Repeatable; added to the spec's `reports:` list. Without it, the
    /// human report goes to standard output.
    #[arg(long = "format", short = 'f', value_name = "FORMAT[=PATH]")]
    pub formats: Vec<ReportTarget>,
    /// Write the (single) `--format` given without a path to this file.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Waivers file (overrides the spec's `waivers:`).
    #[arg(long, value_name = "FILE")]
    pub waivers: Option<PathBuf>,
    /// Gate only on findings not in this baseline (overrides the spec's `baseline:`).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Strict mode: every waiver needs an owner and an expiry date.
    #[arg(long)]
    pub strict: bool,
    /// The day waiver expiry is judged against (default: today, UTC).
    #[arg(long, value_name = "YYYY-MM-DD", env = "IMGGUARD_TODAY", hide = true)]
    pub today: Option<String>,
}

/// `imgguard baseline`.
#[derive(Debug, clap::Args)]
pub struct BaselineArgs {
    /// The image and pipeline.
    #[command(flatten)]
    pub run: RunArgs,
    /// Where to write the baseline.
    #[arg(
        long,
        short = 'o',
        value_name = "FILE",
        default_value = ".imgguard/baseline.json"
    )]
    pub output: PathBuf,
}
