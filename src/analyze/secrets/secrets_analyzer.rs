//! The secrets analyzer on the engine's [`Analyzer`] interface: one compiled scanner,
//! the scan options and the content cache for a whole image. The engine pushes each
//! layer entry and its content; regular files go through [`FileScan`] (text with line
//! numbers, binaries by strings, nested archives), the config through
//! [`scan_image_config`]. Every finding leaves here as a shared [`Finding`] carrying
//! only the redacted value and the non-human-identity inventory fields.

use std::ops::Range;

use sha2::{Digest as _, Sha256};

use super::archive::ArchiveBudget;
use super::config_scan::scan_image_config;
use super::file_scan::{ContentCache, CoverageGap as FileGap, FileScan, FileScanOptions};
use super::prefilter::PrefilterError;
use super::rule_set::{RuleError, RuleSet};
use super::scanner::Scanner;
use super::secret_finding::{SecretFinding, SecretSource};
use crate::analyze::analyzer::{
    Analyzer, FindingSink, ImageContext, LayerAnalyzer, LayerContext, Want,
};
use crate::coverage::{CoverageGap, GapKind};
use crate::finding::{Category, Credential, Finding, Location, SourceKind};
use crate::layer::{Entry, EntryKind};
use crate::spec::pipeline::SecretSettings;

/// A failure to set up secret scanning.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum SecretsError {
    /// A rule pack is invalid.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Rules(#[from] RuleError),
    /// The keyword prefilter could not be built.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Prefilter(#[from] PrefilterError),
}

/// Secret scanning for one image.
#[derive(Debug)]
pub struct SecretsAnalyzer {
    scanner: Scanner,
    options: FileScanOptions,
    cache: ContentCache,
    identity: String,
    /// `checks.secrets.enabled`: when off, no layer or config is scanned (the rules
    /// still redact history lines before they are displayed).
    scanning: bool,
}

impl SecretsAnalyzer {
    /// The built-in rules plus the given user packs.
    pub fn new(extra_packs: &[RuleSet], options: FileScanOptions) -> Result<Self, SecretsError> {
        let mut rules = RuleSet::builtin()?;
        for pack in extra_packs {
            rules.extend(pack)?;
        }
        Self::with_rules(&rules, options)
    }

    /// Exactly `rules` (already including the built-in packs when wanted).
    pub fn with_rules(rules: &RuleSet, options: FileScanOptions) -> Result<Self, SecretsError> {
        let mut hasher = Sha256::new();
        hasher.update(rules.content_digest());
        hasher.update(
            format!(
                "strings>={} archives depth<={} bytes<={} expanded<={} members<={} cache<{}",
                options.min_strings_run,
                options.archives.max_depth,
                options.archives.max_member_bytes,
                options.archives.max_expanded_bytes,
                options.archives.max_members,
                options.cache_below
            )
            .as_bytes(),
        );
        Ok(Self {
            scanner: Scanner::new(rules)?,
            options,
            cache: ContentCache::default(),
            identity: format!("rules:{}", hex::encode(hasher.finalize())),
            scanning: true,
        })
    }

    /// The analyzer a spec's `checks.secrets` asks for: the built-in rules, the user
    /// packs read when the spec was loaded, minus the `disable`d rules, with the
    /// spec's archive budgets.
    pub fn for_settings(settings: &SecretSettings) -> Result<Self, SecretsError> {
        let mut rules = RuleSet::builtin()?;
        for pack in &settings.loaded_packs {
            rules.extend(&RuleSet::from_yaml(
                &pack.path.display().to_string(),
                &pack.text,
            )?)?;
        }
        rules.remove(&settings.disable);
        let defaults = FileScanOptions::default();
        let options = FileScanOptions {
            archives: ArchiveBudget {
                max_depth: settings.archives.max_depth,
                max_member_bytes: usize::try_from(settings.archives.max_bytes)
                    .unwrap_or(usize::MAX),
                max_expanded_bytes: settings.archives.max_expanded_bytes,
                ..defaults.archives
            },
            ..defaults
        };
        let mut analyzer = Self::with_rules(&rules, options)?;
        analyzer.scanning = settings.common.enabled;
        if !analyzer.scanning {
            analyzer.identity.push_str(":off");
        }
        Ok(analyzer)
    }

    /// The compiled scanner (rules, keywords).
    pub fn scanner(&self) -> &Scanner {
        &self.scanner
    }

    /// The cache shared by every file of the image.
    pub fn cache(&self) -> &ContentCache {
        &self.cache
    }

    /// Start scanning one layer file; feed it chunks, then `finish(analyzer.cache())`.
    pub fn start_file(&self, path: &str) -> FileScan<'_> {
        FileScan::with_cache(&self.scanner, &self.cache, self.options, path)
    }

    /// Scan the image config document (Env, Labels, Cmd, Entrypoint, Healthcheck,
    /// history and build arguments).
    pub fn scan_config(&self, config: &serde_json::Value) -> Vec<SecretFinding> {
        scan_image_config(&self.scanner, config)
    }
}

/// The analyzer for the registry: the built-in rules, or, if they cannot be compiled
/// (a bug), an analyzer that reports the failure as a coverage gap so the verdict can
/// never be a pass.
pub fn default_secrets_analyzer() -> Box<dyn Analyzer> {
    boxed(SecretsAnalyzer::new(&[], FileScanOptions::default()))
}

/// The analyzer for a spec's `checks.secrets`, failing closed like
/// [`default_secrets_analyzer`].
pub fn secrets_analyzer_for(settings: &SecretSettings) -> Box<dyn Analyzer> {
    boxed(SecretsAnalyzer::for_settings(settings))
}

fn boxed(analyzer: Result<SecretsAnalyzer, SecretsError>) -> Box<dyn Analyzer> {
    match analyzer {
        Ok(analyzer) => Box::new(analyzer),
        Err(err) => Box::new(UnavailableSecrets {
            reason: format!("secret rules could not be loaded: {err}"),
        }),
    }
}

/// Stand-in when the rules failed to load: fail closed.
#[derive(Debug)]
struct UnavailableSecrets {
    reason: String,
}

impl Analyzer for UnavailableSecrets {
    fn name(&self) -> &'static str {
        "secrets"
    }

    fn check_config(&self, image: &ImageContext<'_>, sink: &mut FindingSink) {
        let mut gap = CoverageGap::new(GapKind::Unsupported, self.reason.clone());
        gap.platform = Some(image.platform.to_owned());
        sink.gap(gap);
    }
}

fn source_kind(source: SecretSource) -> SourceKind {
    match source {
        SecretSource::File => SourceKind::File,
        SecretSource::Env => SourceKind::Env,
        SecretSource::Label => SourceKind::Label,
        SecretSource::Cmd => SourceKind::Cmd,
        SecretSource::Entrypoint => SourceKind::Entrypoint,
        SecretSource::Healthcheck => SourceKind::Healthcheck,
        SecretSource::History | SecretSource::BuildArg => SourceKind::History,
    }
}

/// A secret rule as `imgguard explain` and SARIF describe it (never its examples: they
/// look like real credentials).
fn rule_doc(rule: &super::rule::Rule) -> crate::analyze::RuleDoc {
    let lived = if rule.long_lived {
        "a long-lived credential"
    } else {
        "a short-lived credential"
    };
    let validated = if rule.validator.is_some() {
        " Matches are validated offline (checksum or structure) before they are reported."
    } else {
        ""
    };
    let description = format!(
        "{}: {lived} ({} {}) found in image files, nested archives, environment, labels, commands or build history. Anyone who can pull the image can read it.{validated} Confidence before validation: {}. False-positive guard: {} (rule pack `{}`).",
        rule.title,
        rule.provider,
        rule.kind.as_str(),
        match rule.confidence {
            crate::finding::Confidence::Low => "low (non-gating by default)",
            crate::finding::Confidence::Medium => "medium",
            crate::finding::Confidence::High => "high",
        },
        rule.fp_guard.trim_end_matches('.'),
        rule.origin,
    );
    crate::analyze::RuleDoc::new(
        &rule.id,
        Category::Secret,
        rule.severity,
        &rule.title,
        &description,
        "Revoke and rotate the credential first: it is exposed to everyone who pulled the image. Then rebuild without it (deleting it in a later layer leaves it in the earlier one) and pass it at run time from a secret store, or at build time with `RUN --mount=type=secret`.",
    )
}

/// The shared finding for a redacted secret finding at `location`.
pub fn to_finding(secret: SecretFinding, mut location: Location) -> Finding {
    location.archive_path = secret.archive_path;
    location.line = secret.line;
    let lived = if secret.long_lived {
        "long-lived"
    } else {
        "short-lived"
    };
    let message = format!(
        "{} ({} {}, {lived}) is baked into the image",
        secret.title,
        secret.provider,
        secret.kind.as_str()
    );
    Finding::new(
        secret.rule,
        Category::Secret,
        secret.severity,
        secret.title,
        message,
        location,
    )
    .with_secret(secret.secret)
    .with_confidence(secret.confidence)
    .with_credential(Credential {
        provider: secret.provider,
        kind: secret.kind.as_str().to_owned(),
        long_lived: secret.long_lived,
    })
}

impl Analyzer for SecretsAnalyzer {
    fn name(&self) -> &'static str {
        "secrets"
    }

    fn rules(&self) -> Vec<crate::analyze::RuleDoc> {
        self.scanner.rules().iter().map(rule_doc).collect()
    }

    fn ruleset_identity(&self) -> String {
        self.identity.clone()
    }

    fn check_config(&self, image: &ImageContext<'_>, sink: &mut FindingSink) {
        if !self.scanning {
            return;
        }
        let document = match serde_json::to_value(image.config) {
            Ok(document) => document,
            Err(err) => {
                let mut gap = CoverageGap::new(
                    GapKind::Unsupported,
                    format!("failed to prepare the image config for the secret scan: {err}"),
                );
                gap.platform = Some(image.platform.to_owned());
                sink.gap(gap);
                return;
            }
        };
        // History entries that made a layer, in order: index of the entry → layer.
        let mut layer_of_history = Vec::new();
        let mut next_layer = 0usize;
        for entry in &image.config.history {
            if entry.empty_layer {
                layer_of_history.push(None);
            } else {
                layer_of_history.push(Some(next_layer));
                next_layer += 1;
            }
        }
        let history_matches_layers = next_layer == image.layers.len();
        for secret in self.scan_config(&document) {
            let mut location = image.location(source_kind(secret.source));
            if let Some(index) = secret.history_index {
                location.path = Some(match &secret.key {
                    Some(key) if secret.source == SecretSource::BuildArg => {
                        format!("history[{index}] build-arg {key}")
                    }
                    _ => format!("history[{index}]"),
                });
                if history_matches_layers {
                    location.layer = layer_of_history
                        .get(index)
                        .copied()
                        .flatten()
                        .and_then(|layer| image.layers.get(layer))
                        .cloned();
                }
            } else {
                location.path.clone_from(&secret.key);
            }
            let mut secret = secret;
            secret.line = None;
            sink.push(to_finding(secret, location));
        }
    }

    fn layer<'s>(&'s self, layer: &LayerContext) -> Option<Box<dyn LayerAnalyzer + 's>> {
        if !self.scanning {
            return None;
        }
        Some(Box::new(SecretsLayer {
            analyzer: self,
            context: layer.clone(),
            current: None,
        }))
    }

    fn secret_spans(&self, text: &[u8]) -> Vec<Range<usize>> {
        let mut spans = Vec::new();
        self.scanner.scan(text, &mut |m| {
            let start = usize::try_from(m.offset).unwrap_or(usize::MAX);
            spans.push(start..start.saturating_add(m.raw_value().len()));
        });
        spans
    }
}

/// Per-layer state: the file being scanned.
struct SecretsLayer<'s> {
    analyzer: &'s SecretsAnalyzer,
    context: LayerContext,
    current: Option<FileScan<'s>>,
}

impl LayerAnalyzer for SecretsLayer<'_> {
    fn entry(&mut self, entry: &Entry, _sink: &mut FindingSink) -> Want {
        if entry.kind == EntryKind::File && entry.size > 0 {
            self.current = Some(self.analyzer.start_file(&entry.path));
            Want::Content
        } else {
            self.current = None;
            Want::Nothing
        }
    }

    fn content(&mut self, chunk: &[u8], _sink: &mut FindingSink) {
        if let Some(file) = self.current.as_mut() {
            file.feed(chunk);
        }
    }

    fn end_entry(&mut self, sink: &mut FindingSink) {
        let Some(file) = self.current.take() else {
            return;
        };
        let result = file.finish(self.analyzer.cache());
        for secret in result.findings {
            let path = secret.path.clone().unwrap_or_default();
            let location = self.context.location(SourceKind::File, &path);
            sink.push(to_finding(secret, location));
        }
        for gap in result.gaps {
            sink.gap(layer_gap(&self.context, gap));
        }
    }

    fn finish(&mut self, _sink: &mut FindingSink) {
        // A file cut short by a broken layer is reported by the engine's own gap.
        self.current = None;
    }
}

fn layer_gap(context: &LayerContext, gap: FileGap) -> CoverageGap {
    let kind = if gap.reason.contains("binary strings only") {
        GapKind::Budget
    } else {
        GapKind::NestedArchive
    };
    let path = if gap.archive_path.is_empty() {
        gap.path
    } else {
        format!("{}!{}", gap.path, gap.archive_path.join("!"))
    };
    let mut out = CoverageGap::new(kind, gap.reason);
    out.path = Some(path);
    out.platform = Some(context.platform.clone());
    out.layer = Some(context.layer.index);
    out.digest = Some(context.layer.digest.clone());
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    #[test]
    fn analyzer_is_shareable_across_threads_and_scans_files() {
        fn assert_sync<T: Sync + Send>() {}
        assert_sync::<SecretsAnalyzer>();
        let analyzer = SecretsAnalyzer::new(&[], FileScanOptions::default()).unwrap();
        let mut file = analyzer.start_file("/app/.env");
        file.feed(b"DB_PASS=ComplexPassword123\nDB_USER=readonly_user\n");
        let result = file.finish(analyzer.cache());
        assert_eq!(result.findings.len(), 1);
        assert_eq!(
            result.findings[0].rule,
            "secret.database-password-assignment"
        );
        assert_eq!(result.findings[0].line, Some(1));
    }

    #[test]
    fn disabled_secrets_scan_nothing_but_still_redact() {
        let mut settings = SecretSettings::default();
        settings.common.enabled = false;
        let analyzer = SecretsAnalyzer::for_settings(&settings).unwrap();
        let layer = crate::fuzz_support::layer_context();
        assert!(analyzer.layer(&layer).is_none());
        assert!(analyzer.ruleset_identity().ends_with(":off"));
        let text = b"RUN |1 TOKEN=glpat-Zq8vL2mN4pR7sT1wX5yB /bin/sh -c make";
        assert_eq!(analyzer.secret_spans(text).len(), 1);
    }

    #[test]
    fn secret_spans_cover_exactly_the_values() {
        let analyzer = SecretsAnalyzer::new(&[], FileScanOptions::default()).unwrap();
        let text = b"RUN |1 TOKEN=glpat-Zq8vL2mN4pR7sT1wX5yB /bin/sh -c make";
        let spans = analyzer.secret_spans(text);
        assert_eq!(spans.len(), 1);
        assert_eq!(&text[spans[0].clone()], b"glpat-Zq8vL2mN4pR7sT1wX5yB");
    }

    #[test]
    fn findings_carry_inventory_and_only_the_redacted_value() {
        let analyzer = SecretsAnalyzer::new(&[], FileScanOptions::default()).unwrap();
        let mut file = analyzer.start_file("/root/.aws/credentials");
        file.feed(b"[default]\naws_access_key_id = AKIAZ3MSJV4WRLQ7HXNB\n");
        let result = file.finish(analyzer.cache());
        let finding = to_finding(
            result.findings[0].clone(),
            Location::new(SourceKind::File).with_path("/root/.aws/credentials"),
        );
        let credential = finding.credential.clone().unwrap();
        assert_eq!(credential.provider, "aws");
        assert_eq!(credential.kind, "cloud-key");
        assert!(credential.long_lived);
        assert_eq!(finding.location.line, Some(2));
        let json = serde_json::to_string(&finding).unwrap();
        assert!(!json.contains("Z3MSJV4WRLQ7HXNB"), "{json}");
    }
}
