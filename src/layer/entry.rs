//! One tar entry as analyzers see it: a normalised absolute path, its kind (with
//! whiteouts decoded), ownership, mode and size. Content arrives separately, in chunks.

/// What a tar entry is, with overlay whiteouts decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// A regular file (also GNU sparse and contiguous files).
    File,
    /// A directory.
    Directory,
    /// A symbolic link.
    Symlink,
    /// A hard link to an earlier entry of the same layer.
    Hardlink,
    /// A character device.
    CharDevice,
    /// A block device.
    BlockDevice,
    /// A named pipe.
    Fifo,
    /// `.wh.NAME`: `path` is removed from lower layers.
    Whiteout,
    /// `.wh..wh..opq`: `path` (a directory) hides everything lower layers put in it.
    OpaqueWhiteout,
    /// Anything else tar can hold.
    Other,
}

/// One entry of a layer.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Absolute, normalised path (`/etc/passwd`); for whiteouts, the path they remove.
    pub path: String,
    /// The kind.
    pub kind: EntryKind,
    /// Permission and special bits (`0o4755`).
    pub mode: u32,
    /// Owner.
    pub uid: u64,
    /// Group.
    pub gid: u64,
    /// Content size in bytes.
    pub size: u64,
    /// Link target as written in the archive, for links.
    pub link_target: Option<String>,
    /// The raw path contained `..` components or was absolute: an extractor that does
    /// not sanitise would write outside its root.
    pub unsafe_path: bool,
    /// Whether the raw name was not valid UTF-8 (shown lossily).
    pub lossy_name: bool,
    /// PAX sparse files carry their real name in `GNU.sparse.name`; this is set when
    /// that mapping was applied.
    pub pax_sparse: bool,
}

/// A path normalised for display and comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalisedPath {
    /// `/a/b/c`.
    pub path: String,
    /// The raw path tried to climb above the root or was absolute.
    pub escapes: bool,
}

/// Normalise a tar path: strip `./` and duplicate slashes, resolve `..` lexically
/// (clamped at the root, as container runtimes do) and remember whether it tried to escape.
pub fn normalise(raw: &str) -> NormalisedPath {
    let mut parts: Vec<&str> = Vec::new();
    let mut escapes = raw.starts_with('/');
    for component in raw.split('/') {
        match component {
            "" | "." => {}
            ".." => {
                // A `..` anywhere makes the raw path unsafe for naive extractors.
                parts.pop();
                escapes = true;
            }
            other => parts.push(other),
        }
    }
    let mut path = String::with_capacity(raw.len() + 1);
    for p in &parts {
        path.push('/');
        path.push_str(p);
    }
    if path.is_empty() {
        path.push('/');
    }
    NormalisedPath { path, escapes }
}

/// The parent directory of a normalised path (`/a/b` → `/a`, `/a` → `/`).
pub fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "/",
        Some(i) => path.get(..i).unwrap_or("/"),
    }
}

/// Join a normalised directory and a name.
pub fn join(dir: &str, name: &str) -> String {
    if dir == "/" {
        format!("/{name}")
    } else {
        format!("{dir}/{name}")
    }
}

/// Whether a symlink at `path` pointing at `target` resolves outside the root when
/// followed relative to its directory. Absolute targets resolve inside the container's
/// root and are normal (`/usr/bin/x -> /etc/alternatives/x`).
pub fn link_escapes_root(path: &str, target: &str) -> bool {
    if target.starts_with('/') {
        return false;
    }
    let mut depth: i64 = parent(path)
        .split('/')
        .filter(|c| !c.is_empty())
        .count()
        .try_into()
        .unwrap_or(i64::MAX);
    for component in target.split('/') {
        match component {
            "" | "." => {}
            ".." => {
                depth -= 1;
                if depth < 0 {
                    return true;
                }
            }
            _ => depth += 1,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_paths() {
        assert_eq!(normalise("./etc//passwd").path, "/etc/passwd");
        assert!(!normalise("./etc/passwd").escapes);
        let n = normalise("../../etc/shadow");
        assert_eq!(n.path, "/etc/shadow");
        assert!(n.escapes);
        assert!(normalise("/etc/passwd").escapes);
        assert!(normalise("a/../b").escapes);
        assert_eq!(normalise("./").path, "/");
        assert_eq!(parent("/a/b"), "/a");
        assert_eq!(parent("/a"), "/");
        assert_eq!(join("/", "x"), "/x");
    }

    #[test]
    fn detects_link_escape() {
        assert!(!link_escapes_root("/usr/bin/python", "python3"));
        assert!(!link_escapes_root("/usr/bin/x", "/etc/alternatives/x"));
        assert!(!link_escapes_root("/usr/lib/a", "../../bin/b"));
        assert!(link_escapes_root("/usr/lib/a", "../../../etc/shadow"));
        assert!(link_escapes_root("/a", ".."));
    }
}
