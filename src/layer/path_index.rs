//! Which paths each layer adds, removes or hides, kept as 64-bit hashes so memory stays
//! small however many files a layer has. After all layers have streamed, the engine
//! asks it whether a later layer deleted or overwrote the file a finding names.

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};

use super::entry::parent;

/// The paths one layer touches.
#[derive(Debug, Default, Clone)]
pub struct LayerPathIndex {
    entries: HashSet<u64>,
    whiteouts: HashSet<u64>,
    opaque_dirs: HashSet<u64>,
}

/// What a later layer did to a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LaterFate {
    /// Removed by a whiteout (of it or of a parent), or hidden by an opaque directory.
    Deleted,
    /// Replaced by a new entry at the same path.
    Overwritten,
}

fn key(path: &str) -> u64 {
    // `DefaultHasher::new()` is keyed with zeros: stable within a run, which is all
    // this index needs.
    let mut h = DefaultHasher::new();
    path.hash(&mut h);
    h.finish()
}

impl LayerPathIndex {
    /// Record a regular entry (file, dir, link, …).
    pub fn add_entry(&mut self, path: &str) {
        self.entries.insert(key(path));
    }

    /// Record a whiteout removing `path`.
    pub fn add_whiteout(&mut self, path: &str) {
        self.whiteouts.insert(key(path));
    }

    /// Record an opaque directory.
    pub fn add_opaque_dir(&mut self, path: &str) {
        self.opaque_dirs.insert(key(path));
    }

    /// What this layer, lying above the layer that holds `path`, does to it.
    pub fn fate_of(&self, path: &str) -> Option<LaterFate> {
        let mut dir = path;
        // The path itself, then each ancestor.
        if self.whiteouts.contains(&key(path)) {
            return Some(LaterFate::Deleted);
        }
        while dir != "/" {
            dir = parent(dir);
            let k = key(dir);
            if self.opaque_dirs.contains(&k) || (dir != "/" && self.whiteouts.contains(&k)) {
                return Some(LaterFate::Deleted);
            }
        }
        if self.entries.contains(&key(path)) {
            return Some(LaterFate::Overwritten);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whiteouts_opaque_and_overwrites() {
        let mut l = LayerPathIndex::default();
        l.add_whiteout("/root/.npmrc");
        l.add_opaque_dir("/app/cache");
        l.add_whiteout("/tmp/build");
        l.add_entry("/etc/passwd");
        assert_eq!(l.fate_of("/root/.npmrc"), Some(LaterFate::Deleted));
        assert_eq!(l.fate_of("/app/cache/x/y"), Some(LaterFate::Deleted));
        assert_eq!(l.fate_of("/tmp/build/secret.txt"), Some(LaterFate::Deleted));
        assert_eq!(l.fate_of("/etc/passwd"), Some(LaterFate::Overwritten));
        assert_eq!(l.fate_of("/etc/shadow"), None);
        assert_eq!(l.fate_of("/app/cachefile"), None);
    }
}
