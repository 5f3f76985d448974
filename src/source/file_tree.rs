//! A read-only tree of named files: an OCI layout's files, wherever they live (a
//! directory, inside a tar archive, or compiled into the binary). Paths are relative
//! and `/`-separated; anything that could escape the tree is refused.

use std::io::{Cursor, Read};
use std::path::PathBuf;

use super::SourceError;

/// An open file and its size.
pub type OpenFile = (Box<dyn Read + Send>, u64);

/// Files by relative path.
pub trait FileTree: Send + Sync {
    /// Open a file for streaming, with its size, or `None` when absent.
    fn open(&self, path: &str) -> Result<Option<OpenFile>, SourceError>;

    /// Where the tree is, for messages.
    fn location(&self) -> String;

    /// Read a whole small file, refusing more than `limit` bytes.
    fn read_small(&self, path: &str, limit: u64) -> Result<Option<Vec<u8>>, SourceError> {
        let Some((reader, size)) = self.open(path)? else {
            return Ok(None);
        };
        if size > limit {
            return Err(SourceError::TooLarge {
                what: path.to_owned(),
                size,
                limit,
            });
        }
        let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        reader
            .take(limit.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|source| SourceError::Io {
                path: PathBuf::from(format!("{}/{path}", self.location())),
                source,
            })?;
        Ok(Some(bytes))
    }
}

/// Whether a relative path stays inside its tree.
pub fn is_safe_relative(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && path
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != "..")
}

/// A directory on disk.
#[derive(Debug, Clone)]
pub struct DirTree {
    root: PathBuf,
}

impl DirTree {
    /// A tree rooted at `root`.
    pub fn new(root: PathBuf) -> Self {
        Self { root }
    }
}

impl FileTree for DirTree {
    fn open(&self, path: &str) -> Result<Option<OpenFile>, SourceError> {
        if !is_safe_relative(path) {
            return Ok(None);
        }
        let full = self.root.join(path);
        match fs_err::File::open(&full) {
            Ok(file) => {
                let meta = file.metadata().map_err(|source| SourceError::Io {
                    path: full.clone(),
                    source,
                })?;
                if !meta.is_file() {
                    return Ok(None);
                }
                Ok(Some((Box::new(file), meta.len())))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(SourceError::Io { path: full, source }),
        }
    }

    fn location(&self) -> String {
        self.root.display().to_string()
    }
}

/// Files compiled into the binary (the demo image).
#[derive(Debug, Clone, Copy)]
pub struct EmbeddedTree {
    files: &'static [(&'static str, &'static [u8])],
    name: &'static str,
}

impl EmbeddedTree {
    /// A tree over static files.
    pub const fn new(name: &'static str, files: &'static [(&'static str, &'static [u8])]) -> Self {
        Self { files, name }
    }
}

impl FileTree for EmbeddedTree {
    fn open(&self, path: &str) -> Result<Option<OpenFile>, SourceError> {
        Ok(self
            .files
            .iter()
            .find(|(name, _)| *name == path)
            .map(|(_, bytes)| {
                (
                    Box::new(Cursor::new(*bytes)) as Box<dyn Read + Send>,
                    bytes.len() as u64,
                )
            }))
    }

    fn location(&self) -> String {
        self.name.to_owned()
    }
}
