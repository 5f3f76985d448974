//! The analyzer interface (ripgrep's sink pattern): the engine pushes each entry of a
//! layer, then its content in chunks, into every interested analyzer; analyzers push
//! findings into a sink. Layers run in parallel, so each layer gets its own
//! [`LayerAnalyzer`] state.

use std::ops::Range;

use crate::coverage::CoverageGap;
use crate::finding::{Finding, LayerRef, Location, SourceKind};
use crate::layer::Entry;
use crate::oci::{Digest, ImageConfig, ImageManifest};

/// Collects what analyzers report.
#[derive(Debug, Default)]
pub struct FindingSink {
    /// Findings, in the order reported (the engine sorts them later).
    pub findings: Vec<Finding>,
    /// Parts an analyzer could not check.
    pub gaps: Vec<CoverageGap>,
}

impl FindingSink {
    /// Report a finding.
    pub fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    /// Report something that could not be checked.
    pub fn gap(&mut self, gap: CoverageGap) {
        self.gaps.push(gap);
    }
}

/// Whether an analyzer wants an entry's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// Metadata was enough.
    Nothing,
    /// Push the content in chunks.
    Content,
}

/// One platform image, as analyzers see it before and during the layer walk.
#[derive(Debug, Clone, Copy)]
pub struct ImageContext<'a> {
    /// `linux/amd64`.
    pub platform: &'a str,
    /// The platform manifest's digest.
    pub manifest_digest: &'a Digest,
    /// The manifest.
    pub manifest: &'a ImageManifest,
    /// The config.
    pub config: &'a ImageConfig,
    /// The layers, base first, with redacted instructions.
    pub layers: &'a [LayerRef],
}

impl ImageContext<'_> {
    /// A location in this platform's config.
    pub fn location(&self, source: SourceKind) -> Location {
        let mut location = Location::new(source);
        location.platform = Some(self.platform.to_owned());
        location
    }
}

/// One layer, as its analyzers see it.
#[derive(Debug, Clone)]
pub struct LayerContext {
    /// `linux/amd64`.
    pub platform: String,
    /// The layer.
    pub layer: LayerRef,
}

impl LayerContext {
    /// A location for `path` in this layer.
    pub fn location(&self, source: SourceKind, path: &str) -> Location {
        let mut location = Location::new(source).with_path(path);
        location.platform = Some(self.platform.clone());
        location.layer = Some(self.layer.clone());
        location
    }
}

/// An analyzer. Implementations are shared across threads; per-layer state lives in
/// the [`LayerAnalyzer`] each call to [`Analyzer::layer`] returns.
pub trait Analyzer: Send + Sync {
    /// A short stable name (`secrets`, `filesystem`, …).
    fn name(&self) -> &'static str;

    /// What decides this analyzer's findings besides imgguard's version: its rule
    /// packs, profile and enabled/disabled rules, as text for the ruleset digest.
    fn ruleset_identity(&self) -> String {
        String::new()
    }

    /// Check the image config (once per platform, before the layers).
    fn check_config(&self, image: &ImageContext<'_>, sink: &mut FindingSink) {
        let _ = (image, sink);
    }

    /// Per-layer state, or `None` when this analyzer does not look at layer contents.
    fn layer<'s>(&'s self, layer: &LayerContext) -> Option<Box<dyn LayerAnalyzer + 's>> {
        let _ = layer;
        None
    }

    /// The rules this analyzer can report, described for people (`imgguard explain`,
    /// SARIF rule metadata). Every rule id a finding of this analyzer carries is here.
    fn rules(&self) -> Vec<super::RuleDoc> {
        Vec::new()
    }

    /// The rules this analyzer evaluates as configured (profile, enabled and disabled
    /// rules, whether a Dockerfile was given): the checks a run performed, each of which
    /// passes when it reports nothing (JUnit's one test case per check).
    fn checks(&self) -> Vec<super::RuleDoc> {
        self.rules()
    }

    /// Byte ranges of secret values inside free text (history lines, commands), so the
    /// engine can redact them before anything is displayed.
    fn secret_spans(&self, text: &[u8]) -> Vec<Range<usize>> {
        let _ = text;
        Vec::new()
    }
}

/// Per-layer state of an analyzer.
pub trait LayerAnalyzer: Send {
    /// An entry begins. Return [`Want::Content`] to receive its content.
    fn entry(&mut self, entry: &Entry, sink: &mut FindingSink) -> Want;

    /// The next chunk of the current entry's content (only after [`Want::Content`]).
    fn content(&mut self, chunk: &[u8], sink: &mut FindingSink) {
        let _ = (chunk, sink);
    }

    /// The current entry's content ended (only after [`Want::Content`]).
    fn end_entry(&mut self, sink: &mut FindingSink) {
        let _ = sink;
    }

    /// The layer ended (called whether or not it streamed completely).
    fn finish(&mut self, sink: &mut FindingSink) {
        let _ = sink;
    }
}
