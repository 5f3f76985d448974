//! The filesystem inventory: counts what each layer holds and flags entries that are
//! dangerous to any extractor — paths that climb out of the root or are absolute,
//! links whose targets leave the root, hard links to outside names, PAX sparse files
//! (hand-made layers; Go's tar never writes them). It never follows a link.

use crate::finding::{Category, Finding, Severity, SourceKind};
use crate::layer::entry::{link_escapes_root, normalise};
use crate::layer::{Entry, EntryKind};

use super::{Analyzer, FindingSink, LayerAnalyzer, LayerContext, RuleDoc, Want};

/// See the module docs.
#[derive(Debug, Default)]
pub struct FilesystemInventory;

impl Analyzer for FilesystemInventory {
    fn name(&self) -> &'static str {
        "filesystem"
    }

    fn rules(&self) -> Vec<RuleDoc> {
        vec![
            RuleDoc::new(
                "filesystem.unsafe-path",
                Category::Filesystem,
                Severity::High,
                "Layer entry path escapes the root",
                "A tar entry in a layer has an absolute path or `..` components. Runtimes normalise such paths, but a hostile layer uses them to write outside the image root when a tool extracts it naively.",
                "Rebuild the layer with a builder that writes relative paths (docker, buildah, kaniko all do); never hand-craft layer tarballs.",
            ),
            RuleDoc::new(
                "filesystem.link-escapes-root",
                Category::Filesystem,
                Severity::Medium,
                "Symbolic link points outside the image root",
                "A symbolic link's target climbs out of the image root with `..`. Tools that follow links while extracting or copying can be made to read or write host files.",
                "Make the link relative within the image, or absolute to a path inside the image.",
            ),
            RuleDoc::new(
                "filesystem.hardlink-escapes-root",
                Category::Filesystem,
                Severity::High,
                "Hard link points outside the image root",
                "A hard link's target is outside the layer's root. A naive extractor links a host file into the container filesystem.",
                "Rebuild the layer; hard links must name files inside the image.",
            ),
            RuleDoc::new(
                "filesystem.pax-sparse",
                Category::Filesystem,
                Severity::Medium,
                "PAX sparse file in a layer",
                "The layer holds a PAX-format sparse file, which the tar reader cannot expand; its content was not scanned.",
                "Rebuild the layer without sparse files (GNU tar `--sparse` off, or copy the file normally).",
            ),
        ]
    }

    fn layer<'s>(&'s self, layer: &LayerContext) -> Option<Box<dyn LayerAnalyzer + 's>> {
        Some(Box::new(InventoryLayer {
            context: layer.clone(),
        }))
    }
}

struct InventoryLayer {
    context: LayerContext,
}

impl InventoryLayer {
    fn report(
        &self,
        sink: &mut FindingSink,
        entry: &Entry,
        rule: &str,
        severity: Severity,
        title: &str,
        message: String,
    ) {
        let location = self.context.location(SourceKind::Filesystem, &entry.path);
        sink.push(Finding::new(
            rule,
            Category::Filesystem,
            severity,
            title,
            message,
            location,
        ));
    }
}

impl LayerAnalyzer for InventoryLayer {
    fn entry(&mut self, entry: &Entry, sink: &mut FindingSink) -> Want {
        if entry.unsafe_path {
            self.report(
                sink,
                entry,
                "filesystem.unsafe-path",
                Severity::High,
                "Layer entry path escapes the root",
                format!(
                    "expected a relative path inside the layer, found an absolute path or `..` components (shown normalised as {})",
                    entry.path
                ),
            );
        }
        match (entry.kind, entry.link_target.as_deref()) {
            (EntryKind::Symlink, Some(target)) if link_escapes_root(&entry.path, target) => {
                self.report(
                    sink,
                    entry,
                    "filesystem.link-escapes-root",
                    Severity::Medium,
                    "Symbolic link points outside the image root",
                    format!("expected a link target inside the root, found `{target}`"),
                );
            }
            (EntryKind::Hardlink, Some(target)) if normalise(target).escapes => {
                self.report(
                    sink,
                    entry,
                    "filesystem.hardlink-escapes-root",
                    Severity::High,
                    "Hard link names a file outside the layer",
                    format!("expected a hard link to a path in the layer, found `{target}`"),
                );
            }
            _ => {}
        }
        if entry.pax_sparse {
            self.report(
                sink,
                entry,
                "filesystem.pax-sparse",
                Severity::Low,
                "PAX sparse file in a layer",
                "expected regular tar entries as container builders write them, found a PAX sparse file (a hand-made layer)".to_owned(),
            );
        }
        Want::Nothing
    }
}
