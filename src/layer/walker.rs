//! The tar walk of one layer: reads entries through the [`TarGuard`], decodes
//! whiteouts, enforces the entry and path budgets, records the layer's paths and pushes
//! every entry (and, where wanted, its content) into the analyzers.

use std::io::Read;

use super::budget::Budgets;
use super::entry::{Entry, EntryKind, join, normalise, parent};
use super::error::{IoCarrier, LayerError};
use super::path_index::LayerPathIndex;
use super::tar_guard::TarGuard;
use crate::analyze::{FindingSink, LayerAnalyzer, Want};
use crate::coverage::{CoverageGap, GapKind};

const CONTENT_CHUNK: usize = 64 * 1024;
const WHITEOUT_PREFIX: &str = ".wh.";
const OPAQUE_MARKER: &str = ".wh..wh..opq";

/// What walking one layer produced.
#[derive(Debug, Default)]
pub struct LayerWalk {
    /// Entries seen.
    pub entries: u64,
    /// Paths this layer adds, removes or hides.
    pub paths: LayerPathIndex,
    /// Findings and per-entry gaps.
    pub sink: FindingSink,
}

/// Walk `stream` as a tar archive, pushing entries into `analyzers`. Per-entry
/// problems become gaps in the result; an error ends the walk (the stream is no
/// longer in step) and is returned together with what was collected so far.
pub fn walk_layer<R: Read>(
    stream: R,
    analyzers: &mut [Box<dyn LayerAnalyzer + '_>],
    budgets: &Budgets,
) -> (LayerWalk, Result<(), LayerError>) {
    let mut walk = LayerWalk::default();
    let result = walk_inner(stream, analyzers, budgets, &mut walk);
    for a in analyzers.iter_mut() {
        a.finish(&mut walk.sink);
    }
    (walk, result)
}

fn walk_inner<R: Read>(
    stream: R,
    analyzers: &mut [Box<dyn LayerAnalyzer + '_>],
    budgets: &Budgets,
    walk: &mut LayerWalk,
) -> Result<(), LayerError> {
    let guard = TarGuard::new(stream, budgets.max_header_record.0);
    let mut archive = tar::Archive::new(guard);
    let entries = archive
        .entries()
        .map_err(|e| IoCarrier::recover(e, "tar archive"))?;
    let mut wants: Vec<bool> = vec![false; analyzers.len()];
    let mut buffer = vec![0_u8; CONTENT_CHUNK];
    for raw in entries {
        let mut raw = raw.map_err(|e| IoCarrier::recover(e, "tar archive"))?;
        walk.entries += 1;
        if walk.entries > budgets.max_entries_per_layer {
            return Err(LayerError::Budget {
                what: format!(
                    "more than {} entries in one layer",
                    budgets.max_entries_per_layer
                ),
                limit: budgets.max_entries_per_layer.to_string(),
            });
        }
        let Some(entry) = describe(&mut raw, budgets, &mut walk.sink) else {
            continue;
        };
        match entry.kind {
            EntryKind::Whiteout => walk.paths.add_whiteout(&entry.path),
            EntryKind::OpaqueWhiteout => walk.paths.add_opaque_dir(&entry.path),
            _ => walk.paths.add_entry(&entry.path),
        }
        let mut any = false;
        for (want, analyzer) in wants.iter_mut().zip(analyzers.iter_mut()) {
            *want = analyzer.entry(&entry, &mut walk.sink) == Want::Content;
            any |= *want;
        }
        if !any || entry.kind != EntryKind::File {
            continue;
        }
        loop {
            let n = match raw.read(&mut buffer) {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(IoCarrier::recover(e, "tar archive")),
            };
            let Some(chunk) = buffer.get(..n) else { break };
            if chunk.is_empty() {
                break;
            }
            for (want, analyzer) in wants.iter().zip(analyzers.iter_mut()) {
                if *want {
                    analyzer.content(chunk, &mut walk.sink);
                }
            }
        }
        for (want, analyzer) in wants.iter().zip(analyzers.iter_mut()) {
            if *want {
                analyzer.end_entry(&mut walk.sink);
            }
        }
    }
    Ok(())
}

/// Turn a tar-rs entry into an [`Entry`], or record why it cannot be described.
fn describe<R: Read>(
    raw: &mut tar::Entry<'_, R>,
    budgets: &Budgets,
    sink: &mut FindingSink,
) -> Option<Entry> {
    let mut raw_path = raw.path_bytes().into_owned();
    let mut pax_sparse = false;
    if let Ok(Some(extensions)) = raw.pax_extensions() {
        for ext in extensions.flatten() {
            // PAX sparse entries (GNU 0.1/1.0) are listed as `GNUSparseFile.N/name`;
            // the real name is in `GNU.sparse.name`.
            if ext.key_bytes() == b"GNU.sparse.name" {
                raw_path = ext.value_bytes().to_vec();
                pax_sparse = true;
            }
        }
    }
    if raw_path.len() > budgets.max_path_bytes {
        sink.gap(CoverageGap::new(
            GapKind::Budget,
            format!(
                "entry path of {} bytes exceeds the path budget of {} bytes; entry not analysed",
                raw_path.len(),
                budgets.max_path_bytes
            ),
        ));
        return None;
    }
    let (text, lossy_name) = match String::from_utf8(raw_path) {
        Ok(s) => (s, false),
        Err(e) => (String::from_utf8_lossy(e.as_bytes()).into_owned(), true),
    };
    let normalised = normalise(&text);
    let header = raw.header();
    let link_target = match raw.link_name_bytes() {
        Some(bytes) if bytes.len() > budgets.max_path_bytes => {
            sink.gap(
                CoverageGap::new(
                    GapKind::Budget,
                    format!(
                        "link target of {} bytes exceeds the path budget",
                        bytes.len()
                    ),
                )
                .with_path(normalised.path.clone()),
            );
            return None;
        }
        Some(bytes) => Some(String::from_utf8_lossy(&bytes).into_owned()),
        None => None,
    };
    let entry_type = header.entry_type();
    let name = normalised.path.rsplit('/').next().unwrap_or("");
    let (kind, path) = if name == OPAQUE_MARKER {
        (
            EntryKind::OpaqueWhiteout,
            parent(&normalised.path).to_owned(),
        )
    } else if let Some(target) = name.strip_prefix(WHITEOUT_PREFIX) {
        (EntryKind::Whiteout, join(parent(&normalised.path), target))
    } else {
        let kind = match entry_type {
            tar::EntryType::Regular | tar::EntryType::Continuous | tar::EntryType::GNUSparse => {
                EntryKind::File
            }
            tar::EntryType::Directory => EntryKind::Directory,
            tar::EntryType::Symlink => EntryKind::Symlink,
            tar::EntryType::Link => EntryKind::Hardlink,
            tar::EntryType::Char => EntryKind::CharDevice,
            tar::EntryType::Block => EntryKind::BlockDevice,
            tar::EntryType::Fifo => EntryKind::Fifo,
            _ => EntryKind::Other,
        };
        (kind, normalised.path.clone())
    };
    Some(Entry {
        path,
        kind,
        mode: header.mode().unwrap_or(0),
        uid: header.uid().unwrap_or(0),
        gid: header.gid().unwrap_or(0),
        size: raw.size(),
        link_target,
        unsafe_path: normalised.escapes,
        lossy_name,
        pax_sparse,
    })
}
