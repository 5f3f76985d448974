//! Nested archives inside layer files: recognising them by their magic bytes, their
//! budgets, and the zip (jar, war, ear, whl, Android apk, nupkg) central-directory walk,
//! which needs the whole archive in memory (within the budget). Tar, tar.gz/tgz
//! (Alpine apk) and gz are streamed instead (`tar_splitter`, `file_scan`). Whatever
//! the budget or the format stops is returned as a gap, never dropped.

use std::io::Read;

use flate2::read::DeflateDecoder;

/// Limits for opening nested archives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchiveBudget {
    /// Deepest nesting opened (1 = archives directly in a layer file; a tar inside a
    /// gzip stream is one level).
    pub max_depth: u32,
    /// Largest archive held in memory, in bytes (zip needs random access; tar and gzip
    /// are streamed and never held).
    pub max_member_bytes: usize,
    /// Most members opened per archive.
    pub max_members: usize,
    /// Most bytes a decompressed nested stream (a gzip stream, a deflated zip member)
    /// may expand to: a decompression bomb stops here, as a coverage gap.
    pub max_expanded_bytes: u64,
}

impl Default for ArchiveBudget {
    fn default() -> Self {
        Self {
            max_depth: 3,
            max_member_bytes: 64 * 1024 * 1024,
            max_members: 20_000,
            max_expanded_bytes: 1024 * 1024 * 1024,
        }
    }
}

/// Archive formats this module opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveKind {
    /// PKZIP container.
    Zip,
    /// POSIX tar.
    Tar,
    /// gzip stream(s), possibly holding a tar.
    Gzip,
}

/// Recognise an archive by its magic bytes.
pub fn detect(head: &[u8]) -> Option<ArchiveKind> {
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        Some(ArchiveKind::Zip)
    } else if head.starts_with(&[0x1f, 0x8b]) {
        Some(ArchiveKind::Gzip)
    } else if head.get(257..262) == Some(b"ustar") {
        Some(ArchiveKind::Tar)
    } else {
        None
    }
}

/// A member that could not be opened or read completely.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveGap {
    /// Member name (empty for the archive itself).
    pub member: String,
    /// Why it was not scanned.
    pub reason: String,
}

fn le16(data: &[u8], at: usize) -> Option<usize> {
    let bytes = data.get(at..at + 2)?;
    Some(usize::from(u16::from_le_bytes([
        *bytes.first()?,
        *bytes.get(1)?,
    ])))
}

fn le32(data: &[u8], at: usize) -> Option<u64> {
    let bytes: [u8; 4] = data.get(at..at + 4)?.try_into().ok()?;
    Some(u64::from(u32::from_le_bytes(bytes)))
}

/// One central-directory record.
struct CentralEntry {
    flags: usize,
    method: usize,
    compressed: u64,
    size: u64,
    local: u64,
    name: String,
    next: usize,
}

impl CentralEntry {
    fn parse(data: &[u8], at: usize) -> Option<Self> {
        let name_len = le16(data, at + 28)?;
        let extra_len = le16(data, at + 30)?;
        let comment_len = le16(data, at + 32)?;
        let name_bytes = data.get(at + 46..at + 46 + name_len)?;
        Some(Self {
            flags: le16(data, at + 8)?,
            method: le16(data, at + 10)?,
            compressed: le32(data, at + 20)?,
            size: le32(data, at + 24)?,
            local: le32(data, at + 42)?,
            name: String::from_utf8_lossy(name_bytes).into_owned(),
            next: at + 46 + name_len + extra_len + comment_len,
        })
    }
}

/// Walk a zip's central directory and hand every stored or deflated member to
/// `on_member(name, content reader)`; no zip64 or encryption (those are gaps).
pub fn zip_members(
    data: &[u8],
    budget: &ArchiveBudget,
    on_member: &mut dyn FnMut(&str, &mut dyn Read),
    gaps: &mut Vec<ArchiveGap>,
) {
    let gap = |gaps: &mut Vec<ArchiveGap>, member: &str, reason: &str| {
        gaps.push(ArchiveGap {
            member: member.to_owned(),
            reason: reason.to_owned(),
        });
    };
    let search_from = data.len().saturating_sub(22 + 65_535);
    let Some(eocd) = data
        .get(search_from..)
        .and_then(|tail| memchr::memmem::rfind(tail, b"PK\x05\x06"))
        .map(|pos| search_from + pos)
    else {
        gap(gaps, "", "zip end of central directory not found");
        return;
    };
    let (Some(count), Some(cd_offset)) = (le16(data, eocd + 10), le32(data, eocd + 16)) else {
        gap(gaps, "", "truncated zip end of central directory");
        return;
    };
    if cd_offset == 0xFFFF_FFFF || count == 0xFFFF {
        gap(gaps, "", "zip64 archives are not opened");
        return;
    }
    let mut at = usize::try_from(cd_offset).unwrap_or(usize::MAX);
    for index in 0..count {
        if index >= budget.max_members {
            gap(
                gaps,
                "",
                &format!("more than {} members", budget.max_members),
            );
            return;
        }
        if data.get(at..at + 4) != Some(b"PK\x01\x02") {
            gap(gaps, "", "corrupt zip central directory");
            return;
        }
        let Some(entry) = CentralEntry::parse(data, at) else {
            gap(gaps, "", "truncated zip central directory");
            return;
        };
        at = entry.next;
        let CentralEntry {
            flags,
            method,
            compressed,
            size,
            local,
            ref name,
            ..
        } = entry;
        if name.ends_with('/') {
            continue;
        }
        if flags & 1 != 0 {
            gap(gaps, name, "encrypted zip member");
            continue;
        }
        if size > budget.max_expanded_bytes {
            gap(
                gaps,
                name,
                &format!(
                    "member of {size} bytes is larger than the {}-byte expansion budget",
                    budget.max_expanded_bytes
                ),
            );
            continue;
        }
        let local = usize::try_from(local).unwrap_or(usize::MAX);
        let (Some(local_name), Some(local_extra)) =
            (le16(data, local + 26), le16(data, local + 28))
        else {
            gap(gaps, name, "truncated zip local header");
            continue;
        };
        let start = local + 30 + local_name + local_extra;
        let compressed = usize::try_from(compressed).unwrap_or(usize::MAX);
        let Some(raw) = data.get(start..start.saturating_add(compressed)) else {
            gap(gaps, name, "zip member outside the archive");
            continue;
        };
        match method {
            0 => on_member(name, &mut &*raw),
            8 => on_member(name, &mut DeflateDecoder::new(raw)),
            other => gap(
                gaps,
                name,
                &format!("zip compression method {other} not supported"),
            ),
        }
    }
}
