//! A [`FileTree`] over the members of a tar file (`docker save` output, an OCI archive).
//! The archive is indexed once (name → offset and size); each blob is then read
//! straight from the file through its own handle, so layers stream in parallel and
//! nothing is extracted. Symbolic and hard links inside the archive (legacy
//! `docker save` links `<id>/layer.tar` to `<diffid>.tar`) resolve within the archive only.

use std::collections::HashMap;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::SourceError;
use super::file_tree::{FileTree, OpenFile, is_safe_relative};
use crate::layer::entry::{normalise, parent};
use crate::oci::Compression;

const MAX_MEMBERS: usize = 1_000_000;
const MAX_LINK_HOPS: usize = 16;

#[derive(Debug, Clone)]
enum Member {
    File { offset: u64, size: u64 },
    Link(String),
}

/// An indexed tar file.
#[derive(Debug)]
pub struct TarTree {
    path: PathBuf,
    members: HashMap<String, Member>,
}

fn key_of(raw: &str) -> String {
    normalise(raw).path.trim_start_matches('/').to_owned()
}

impl TarTree {
    /// Index the archive at `path`.
    pub fn open(path: &Path) -> Result<Self, SourceError> {
        let io_err = |source| SourceError::Io {
            path: path.to_owned(),
            source,
        };
        let mut file = fs_err::File::open(path).map_err(io_err)?;
        let mut magic = [0_u8; 4];
        let n = file.read(&mut magic).map_err(io_err)?;
        let compression = Compression::sniff(magic.get(..n).unwrap_or(&[]));
        if compression != Compression::None {
            return Err(SourceError::Layout {
                what: format!("archive {}", path.display()),
                expected:
                    "an uncompressed tar (as `docker save` and `skopeo copy … oci-archive:` write)"
                        .into(),
                found: format!("a {} file; decompress it first", compression.name()),
            });
        }
        file.seek(SeekFrom::Start(0)).map_err(io_err)?;
        let mut archive = tar::Archive::new(BufReader::new(file));
        let mut members = HashMap::new();
        let corrupt = |e: std::io::Error| SourceError::Layout {
            what: format!("archive {}", path.display()),
            expected: "a readable tar archive".into(),
            found: format!("a corrupt one ({e})"),
        };
        for entry in archive.entries_with_seek().map_err(corrupt)? {
            let entry = entry.map_err(corrupt)?;
            if members.len() >= MAX_MEMBERS {
                return Err(SourceError::Layout {
                    what: format!("archive {}", path.display()),
                    expected: format!("at most {MAX_MEMBERS} members"),
                    found: "more".into(),
                });
            }
            let name = key_of(&String::from_utf8_lossy(&entry.path_bytes()));
            let member = match entry.header().entry_type() {
                tar::EntryType::Regular | tar::EntryType::Continuous => Member::File {
                    offset: entry.raw_file_position(),
                    size: entry.size(),
                },
                tar::EntryType::Symlink => {
                    let target = entry
                        .link_name_bytes()
                        .map(|t| String::from_utf8_lossy(&t).into_owned())
                        .unwrap_or_default();
                    // Relative to the link's directory, and never outside the archive.
                    let joined = if target.starts_with('/') {
                        target
                    } else {
                        format!("{}/{target}", parent(&format!("/{name}")))
                    };
                    Member::Link(key_of(&joined))
                }
                tar::EntryType::Link => {
                    let target = entry
                        .link_name_bytes()
                        .map(|t| String::from_utf8_lossy(&t).into_owned())
                        .unwrap_or_default();
                    Member::Link(key_of(&target))
                }
                _ => continue,
            };
            members.insert(name, member);
        }
        Ok(Self {
            path: path.to_owned(),
            members,
        })
    }

    fn resolve(&self, name: &str) -> Option<(u64, u64)> {
        let mut current = name.to_owned();
        for _ in 0..MAX_LINK_HOPS {
            match self.members.get(&current)? {
                Member::File { offset, size } => return Some((*offset, *size)),
                Member::Link(target) => current.clone_from(target),
            }
        }
        None
    }
}

impl FileTree for TarTree {
    fn open(&self, path: &str) -> Result<Option<OpenFile>, SourceError> {
        if !is_safe_relative(path) {
            return Ok(None);
        }
        let Some((offset, size)) = self.resolve(path) else {
            return Ok(None);
        };
        let io_err = |source| SourceError::Io {
            path: self.path.clone(),
            source,
        };
        let mut file = fs_err::File::open(&self.path).map_err(io_err)?;
        file.seek(SeekFrom::Start(offset)).map_err(io_err)?;
        Ok(Some((Box::new(BufReader::new(file).take(size)), size)))
    }

    fn location(&self) -> String {
        self.path.display().to_string()
    }
}
