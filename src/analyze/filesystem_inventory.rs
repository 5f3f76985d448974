//! The filesystem inventory: counts what each layer holds and flags entries that are
//! dangerous to any extractor — paths that climb out of the root or are absolute,
//! links whose targets leave the root, hard links to outside names, PAX sparse files
//! (hand-made layers; Go's tar never writes them). It never follows a link.

use crate::finding::{Category, Finding, Severity, SourceKind};
use crate::layer::entry::{link_escapes_root, normalise};
use crate::layer::{Entry, EntryKind};

use super::{Analyzer, FindingSink, LayerAnalyzer, LayerContext, Want};

/// See the module docs.
#[derive(Debug, Default)]
pub struct FilesystemInventory;

impl Analyzer for FilesystemInventory {
    fn name(&self) -> &'static str {
        "filesystem"
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
