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
    /// Run the pipeline a spec declares: build (its `build:` section), then check,
    /// verify, attest and push (`build.push`) exactly the image built, stopping at the
    /// first stage that fails.
    Run(RunPipelineArgs),
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
    /// Decide whether an image digest may deploy: find imgguard's signed VSA for it in
    /// the registry (cosign `.att` tag or a Sigstore bundle referrer) and check it.
    Gate(GateArgs),
    /// Write a cosign-compatible ECDSA P-256 key pair for signing VSAs
    /// (`<prefix>.key`, encrypted; `<prefix>.pub`). The password comes from
    /// IMGGUARD_KEY_PASSWORD or COSIGN_PASSWORD, else from a terminal prompt.
    Keygen(KeygenArgs),
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
    /// Require a signature of the image by this public key (PEM; repeatable, any one
    /// suffices), like `cosign verify --key`: added to the spec's
    /// `verify.signatures.authorities`, and makes the signature required.
    #[arg(long = "key", value_name = "FILE")]
    pub keys: Vec<PathBuf>,
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
    /// Report format, optionally with a file: human, json, sarif, junit, github,
    /// gitlab-codequality (alias gitlab), gitlab-secret-detection,
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
    /// The signed VSA.
    #[command(flatten)]
    pub attest: AttestArgs,
}

/// Flags of the attestation step (each overrides the spec's `attestation:`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct AttestArgs {
    /// Write a DSSE-signed SLSA VSA of this run to FILE (PASSED or FAILED).
    #[arg(long = "attest", value_name = "FILE")]
    pub attest_output: Option<PathBuf>,
    /// The signing key: a file (cosign encrypted, or PKCS#8 PEM) or env://VAR. Its
    /// password comes from IMGGUARD_KEY_PASSWORD or COSIGN_PASSWORD.
    #[arg(long = "attest-key", value_name = "KEY")]
    pub attest_key: Option<String>,
    /// The VSA's `verifier.id`, which deploy gates pin (a URI).
    #[arg(long = "verifier-id", value_name = "URI")]
    pub verifier_id: Option<String>,
    /// Push a PASSED VSA to the image's registry (cosign `.att` tag and a Sigstore
    /// bundle referrer). A FAILED or incomplete result is never pushed.
    #[arg(long = "push-attestation")]
    pub push_attestation: bool,
}

/// `imgguard gate`.
#[derive(Debug, clap::Args)]
pub struct GateArgs {
    /// The image, by digest: registry/repo@sha256:<hex> (a tag only with --resolve).
    pub image: String,
    /// A trusted VSA public key: a PEM file or env://VAR (repeatable).
    #[arg(long = "key", value_name = "KEY", required = true)]
    pub keys: Vec<String>,
    /// The verifier id the VSA must name.
    #[arg(long = "verifier-id", value_name = "URI")]
    pub verifier_id: String,
    /// The policy (pipeline spec) digest the VSA must name, sha256:<hex>.
    #[arg(long = "policy-digest", value_name = "DIGEST")]
    pub policy_digest: Option<String>,
    /// The policy URI the VSA must name.
    #[arg(long = "policy-uri", value_name = "URI")]
    pub policy_uri: Option<String>,
    /// A level `verifiedLevels` must contain (repeatable), e.g. IMGGUARD_NO_SECRETS.
    #[arg(long = "level", value_name = "LEVEL")]
    pub levels: Vec<String>,
    /// The oldest acceptable `timeVerified`, e.g. 24h, 90m, 7d.
    #[arg(long = "max-age", value_name = "DURATION")]
    pub max_age: Option<String>,
    /// Accept a tag: resolve it to a digest once, print it, and gate that digest.
    #[arg(long)]
    pub resolve: bool,
    /// Registry access.
    #[command(flatten)]
    pub registry: Box<super::registry_args::RegistryArgs>,
}

/// `imgguard keygen`.
#[derive(Debug, clap::Args)]
pub struct KeygenArgs {
    /// Write `<PREFIX>.key` and `<PREFIX>.pub` (never overwriting either).
    #[arg(
        long = "output-key-prefix",
        value_name = "PREFIX",
        default_value = "cosign"
    )]
    pub output_key_prefix: PathBuf,
    /// The private key's PEM label: `sigstore` (cosign >= 2) or `cosign` (the one
    /// containers/image tools read).
    #[arg(long, value_enum, default_value_t = KeyLabel::Sigstore)]
    pub label: KeyLabel,
}

/// PEM labels of the encrypted private key.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KeyLabel {
    /// `ENCRYPTED SIGSTORE PRIVATE KEY`.
    Sigstore,
    /// `ENCRYPTED COSIGN PRIVATE KEY`.
    Cosign,
}

/// `imgguard run`.
#[derive(Debug, clap::Args)]
pub struct RunPipelineArgs {
    /// The pipeline spec. With a `build:` section the image it builds is checked (no
    /// IMAGE may be given); without one, IMAGE or the spec's `image.ref`.
    #[arg(value_name = "PIPELINE")]
    pub spec: PathBuf,
    /// Push the built image to the spec's `image.ref` once it passed, as
    /// `build.push: true` does: by digest, then the tag after the attestation.
    #[arg(long)]
    pub push: bool,
    /// Everything `check` takes.
    #[command(flatten)]
    pub check: CheckArgs,
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

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_definition_is_consistent() {
        <super::Cli as clap::CommandFactory>::command().debug_assert();
    }
}
