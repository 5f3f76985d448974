//! One layer file through the secret scanner: content arrives in chunks; text is
//! streamed with line numbers, binaries are scanned through their printable strings,
//! and nested archives are opened within a budget — tar and gzip streamed member by
//! member into nested scans of the same kind, zip held in memory for its central
//! directory. Small files (and small archive members) are looked up in a content-hash
//! cache so identical content in several layers is scanned once and reported wherever
//! it was seen.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use sha2::{Digest, Sha256};

use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use flate2::write::MultiGzDecoder;

use super::archive::{self, ArchiveBudget, ArchiveKind};
use super::rule::Confidence;
use super::scanner::{Scanner, SecretMatch};
use super::secret_finding::{SecretFinding, SecretSource};
use super::stream::StreamScanner;
use super::strings::{self, DEFAULT_MIN_RUN, StringsExtractor};
use super::tar_splitter::{TarEvent, TarSplitter};

/// Options for scanning files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileScanOptions {
    /// Minimum printable run extracted from binaries.
    pub min_strings_run: usize,
    /// Nested-archive limits.
    pub archives: ArchiveBudget,
    /// Files up to this size are held in memory, hashed and cached. Small on purpose:
    /// the duplicates worth caching are small config files, while hashing every larger
    /// file a second time (the layer's diff_id hash already reads it) was a tenth of a
    /// whole check's CPU time.
    pub cache_below: usize,
}

impl Default for FileScanOptions {
    fn default() -> Self {
        Self {
            min_strings_run: DEFAULT_MIN_RUN,
            archives: ArchiveBudget::default(),
            cache_below: 64 * 1024,
        }
    }
}

/// Something that was not (fully) scanned; the report lists it and the verdict cannot
/// be a pass unless the spec waives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverageGap {
    /// Path of the layer file.
    pub path: String,
    /// Members from the outer file inward (empty for the file itself).
    pub archive_path: Vec<String>,
    /// Why it was not scanned.
    pub reason: String,
}

type CachedScan = (Vec<SecretFinding>, Vec<CoverageGap>);

/// Findings of already scanned content, keyed by its SHA-256. Shared by the layers of
/// one image, which may be scanned in parallel.
#[derive(Debug, Default)]
pub struct ContentCache {
    entries: Mutex<HashMap<[u8; 32], CachedScan>>,
}

impl ContentCache {
    /// Number of distinct contents remembered.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 32], CachedScan>> {
        // A panic while holding the lock cannot leave a half-written entry behind:
        // entries are inserted whole.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn get(&self, digest: &[u8; 32]) -> Option<CachedScan> {
        self.lock().get(digest).cloned()
    }

    fn insert(&self, digest: [u8; 32], scan: CachedScan) {
        self.lock().insert(digest, scan);
    }
}

/// What scanning one file produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileScanResult {
    /// Redacted findings, each with `path` set.
    pub findings: Vec<SecretFinding>,
    /// Parts not scanned.
    pub gaps: Vec<CoverageGap>,
    /// Lowercase hex SHA-256 of the content, when it was small enough to be cached.
    pub sha256: Option<String>,
    /// Bytes of content.
    pub size: u64,
    /// Whether the result came from the cache (same content seen before).
    pub from_cache: bool,
}

/// How the content is being scanned.
enum Mode<'s> {
    /// Not decided yet: held (and hashed) until it outgrows the cache threshold or ends.
    Buffer(Vec<u8>),
    /// Text, streamed with line numbers.
    Text(StreamScanner<'s>),
    /// A binary, streamed through its printable strings.
    Binary(Box<BinaryStream<'s>>),
    /// A zip, held until its end (the central directory is at the end).
    Zip(HeldZip),
    /// A tar, split into members as it streams.
    Tar(Box<TarStream<'s>>),
    /// A gzip stream, decompressed as it streams into one nested file.
    Gzip(Box<GzipStream<'s>>),
    /// The rest cannot be decoded (the reason is already a gap).
    Ignore,
}

/// The bytes of a zip being held, counted in the budget that every zip nested in the
/// same top-level file shares: a zip inside a zip inside a zip holds at most
/// `max_member_bytes` in all, not that much per level.
struct HeldZip {
    data: Vec<u8>,
    held: Arc<AtomicUsize>,
}

impl HeldZip {
    fn new(held: &Arc<AtomicUsize>) -> Self {
        Self {
            data: Vec::new(),
            held: Arc::clone(held),
        }
    }

    /// Append `chunk` if the shared budget allows it; `false` (nothing taken) if not.
    fn take(&mut self, chunk: &[u8], budget: usize) -> bool {
        let held = self.held.load(Ordering::Relaxed);
        if held.saturating_add(chunk.len()) > budget {
            return false;
        }
        self.held.fetch_add(chunk.len(), Ordering::Relaxed);
        self.data.extend_from_slice(chunk);
        true
    }

    /// Give the bytes back to the budget, keeping them for the caller.
    fn release(mut self) -> Vec<u8> {
        let data = std::mem::take(&mut self.data);
        self.held.fetch_sub(data.len(), Ordering::Relaxed);
        data
    }
}

impl Drop for HeldZip {
    fn drop(&mut self) {
        self.held.fetch_sub(self.data.len(), Ordering::Relaxed);
    }
}

/// Printable strings of a binary through the streaming scanner.
struct BinaryStream<'s> {
    extractor: StringsExtractor,
    stream: StreamScanner<'s>,
    scratch: Vec<u8>,
}

impl<'s> BinaryStream<'s> {
    fn new(scanner: &'s Scanner, min_run: usize) -> Self {
        Self {
            extractor: StringsExtractor::new(min_run),
            stream: StreamScanner::new(scanner),
            scratch: Vec::new(),
        }
    }

    fn feed(&mut self, chunk: &[u8], findings: &mut Vec<SecretFinding>) {
        self.scratch.clear();
        self.extractor.push(chunk, &mut self.scratch);
        self.stream.feed(&self.scratch, &mut |m| {
            findings.push(file_finding(&m, false));
        });
    }

    fn finish(self, findings: &mut Vec<SecretFinding>) {
        let Self {
            extractor,
            mut stream,
            mut scratch,
        } = self;
        scratch.clear();
        extractor.finish(&mut scratch);
        stream.feed(&scratch, &mut |m| findings.push(file_finding(&m, false)));
        stream.finish(&mut |m| findings.push(file_finding(&m, false)));
    }
}

/// A tar being split: the member in progress is its own nested [`FileScan`].
struct TarStream<'s> {
    splitter: TarSplitter,
    member: Option<(String, Box<FileScan<'s>>)>,
    /// Bytes after the end marker or a broken header, scanned as raw strings.
    trailer: Option<BinaryStream<'s>>,
}

/// A gzip stream decompressing into one nested [`FileScan`].
struct GzipStream<'s> {
    decoder: MultiGzDecoder<NestedSink<'s>>,
}

/// The write end of a decompressor: counts the expanded bytes against the budget and
/// feeds them to the nested file.
struct NestedSink<'s> {
    file: Option<Box<FileScan<'s>>>,
    written: u64,
    limit: u64,
    over_budget: bool,
}

impl std::io::Write for NestedSink<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let len = buf.len() as u64;
        if self.written.saturating_add(len) > self.limit {
            self.over_budget = true;
            return Err(std::io::Error::other("expansion budget exceeded"));
        }
        self.written += len;
        if let Some(file) = self.file.as_mut() {
            file.feed(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Scanning state for one file (a layer file, or a member of an archive inside one).
pub struct FileScan<'s> {
    scanner: &'s Scanner,
    cache: Option<&'s ContentCache>,
    options: FileScanOptions,
    path: String,
    /// Archive levels opened above this file.
    depth: u32,
    /// This file is what a gzip stream held: a tar here is the same level as the gzip.
    gunzipped: bool,
    /// It was such a tar (its members are named without this file's own name).
    transparent: bool,
    mode: Mode<'s>,
    hasher: Option<Sha256>,
    size: u64,
    findings: Vec<SecretFinding>,
    gaps: Vec<CoverageGap>,
    /// Bytes of zips held by this file and every file nested in it (shared).
    zip_held: Arc<AtomicUsize>,
}

impl std::fmt::Debug for FileScan<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileScan")
            .field("path", &self.path)
            .field("size", &self.size)
            .field("depth", &self.depth)
            .finish_non_exhaustive()
    }
}

fn file_finding(m: &SecretMatch<'_>, with_line: bool) -> SecretFinding {
    let mut finding = SecretFinding::from_match(m, SecretSource::File);
    if !with_line {
        finding.line = None;
    }
    finding
}

/// Chunk size for pulling zip members through the scanner.
const PULL_CHUNK: usize = 64 * 1024;

impl<'s> FileScan<'s> {
    /// Start scanning the file at `path`.
    pub fn new(scanner: &'s Scanner, options: FileScanOptions, path: &str) -> Self {
        Self::nested(scanner, None, options, path, 0)
    }

    /// Start scanning the file at `path`; small members of archives inside it are
    /// looked up in (and added to) `cache` too.
    pub fn with_cache(
        scanner: &'s Scanner,
        cache: &'s ContentCache,
        options: FileScanOptions,
        path: &str,
    ) -> Self {
        Self::nested(scanner, Some(cache), options, path, 0)
    }

    fn nested(
        scanner: &'s Scanner,
        cache: Option<&'s ContentCache>,
        options: FileScanOptions,
        path: &str,
        depth: u32,
    ) -> Self {
        Self {
            scanner,
            cache,
            options,
            path: path.to_owned(),
            depth,
            gunzipped: false,
            transparent: false,
            mode: Mode::Buffer(Vec::new()),
            hasher: Some(Sha256::new()),
            size: 0,
            findings: Vec::new(),
            gaps: Vec::new(),
            zip_held: Arc::new(AtomicUsize::new(0)),
        }
    }

    fn child(&self, name: &str) -> Box<FileScan<'s>> {
        let mut child = Self::nested(self.scanner, self.cache, self.options, name, self.depth + 1);
        child.zip_held = Arc::clone(&self.zip_held);
        Box::new(child)
    }

    fn gap(&mut self, reason: String) {
        self.gaps.push(CoverageGap {
            path: self.path.clone(),
            archive_path: Vec::new(),
            reason,
        });
    }

    /// Feed the next chunk of content.
    pub fn feed(&mut self, chunk: &[u8]) {
        self.size += chunk.len() as u64;
        if let Mode::Buffer(buf) = &mut self.mode {
            if let Some(hasher) = self.hasher.as_mut() {
                hasher.update(chunk);
            }
            buf.extend_from_slice(chunk);
            if buf.len() > self.options.cache_below {
                // Too large to cache: decide what it is from its head and stream it.
                let buffered = std::mem::take(buf);
                self.hasher = None;
                self.start(&buffered);
                self.stream(&buffered);
            }
            return;
        }
        self.stream(chunk);
    }

    /// Choose how to scan the content from its first bytes.
    fn start(&mut self, head: &[u8]) {
        self.mode = match archive::detect(head) {
            Some(kind) if self.may_open(kind) => match kind {
                ArchiveKind::Zip => Mode::Zip(HeldZip::new(&self.zip_held)),
                ArchiveKind::Tar => Mode::Tar(Box::new(TarStream {
                    splitter: TarSplitter::new(self.options.archives.max_members),
                    member: None,
                    trailer: None,
                })),
                ArchiveKind::Gzip => {
                    let mut inner = self.child(&gunzipped_name(&self.path));
                    inner.gunzipped = true;
                    Mode::Gzip(Box::new(GzipStream {
                        decoder: MultiGzDecoder::new(NestedSink {
                            file: Some(inner),
                            written: 0,
                            limit: self.options.archives.max_expanded_bytes,
                            over_budget: false,
                        }),
                    }))
                }
            },
            Some(_) => {
                self.gap(format!(
                    "archive nested deeper than {} levels is not opened (its bytes were scanned as strings)",
                    self.options.archives.max_depth
                ));
                self.binary_mode()
            }
            None if strings::looks_binary(head) => self.binary_mode(),
            None => Mode::Text(StreamScanner::new(self.scanner)),
        };
    }

    fn binary_mode(&self) -> Mode<'s> {
        Mode::Binary(Box::new(BinaryStream::new(
            self.scanner,
            self.options.min_strings_run,
        )))
    }

    /// Whether an archive of `kind` found here may be opened (depth budget; a tar
    /// inside a gzip stream is the gzip's level).
    fn may_open(&mut self, kind: ArchiveKind) -> bool {
        if kind == ArchiveKind::Tar && self.gunzipped {
            self.transparent = true;
            self.depth = self.depth.saturating_sub(1);
            return true;
        }
        self.depth < self.options.archives.max_depth
    }

    /// Feed content to the chosen mode.
    fn stream(&mut self, chunk: &[u8]) {
        let mut mode = std::mem::replace(&mut self.mode, Mode::Ignore);
        match &mut mode {
            Mode::Buffer(_) | Mode::Ignore => {}
            Mode::Text(stream) => {
                let findings = &mut self.findings;
                stream.feed(chunk, &mut |m| findings.push(file_finding(&m, true)));
            }
            Mode::Binary(binary) => binary.feed(chunk, &mut self.findings),
            Mode::Zip(buf) => {
                let budget = self.options.archives.max_member_bytes;
                if !buf.take(chunk, budget) {
                    self.gap(format!(
                        "zip archive does not fit the {budget}-byte in-memory budget (shared by the zips nested in one file): scanned as binary strings only"
                    ));
                    let held = match std::mem::replace(&mut mode, self.binary_mode()) {
                        Mode::Zip(zip) => zip.release(),
                        _ => Vec::new(),
                    };
                    if let Mode::Binary(binary) = &mut mode {
                        binary.feed(&held, &mut self.findings);
                        binary.feed(chunk, &mut self.findings);
                    }
                }
            }
            Mode::Tar(tar) => self.tar_feed(tar, chunk),
            Mode::Gzip(gzip) => {
                if let Err(err) = gzip.decoder.write_all(chunk)
                    && let Mode::Gzip(gzip) = std::mem::replace(&mut mode, Mode::Ignore)
                {
                    self.gzip_end(*gzip, Some(err));
                }
            }
        }
        self.mode = mode;
    }

    fn tar_feed(&mut self, tar: &mut TarStream<'s>, chunk: &[u8]) {
        let TarStream {
            splitter,
            member,
            trailer,
        } = tar;
        let mut broken = None;
        let mut ended = Vec::new();
        splitter.feed(chunk, &mut |event| match event {
            TarEvent::Begin { name, .. } => {
                *member = Some((name.to_owned(), self.child(name)));
            }
            TarEvent::Data(data) => {
                if let Some((_, file)) = member.as_mut() {
                    file.feed(data);
                }
            }
            TarEvent::End => {
                if let Some(done) = member.take() {
                    ended.push(done);
                }
            }
            TarEvent::Broken(reason) => broken = Some(reason),
            TarEvent::Trailing(bytes) => {
                if trailer.is_some() || bytes.iter().any(|&b| b != 0) {
                    trailer
                        .get_or_insert_with(|| {
                            BinaryStream::new(self.scanner, self.options.min_strings_run)
                        })
                        .feed(bytes, &mut self.findings);
                }
            }
        });
        // Members finish outside the splitter's callback (they may recurse).
        for (name, file) in ended {
            self.absorb(Some(&name), file.finish_nested());
        }
        // A broken first header means the file only looked like a tar: its bytes are
        // scanned as strings like any binary, and nothing was skipped.
        if let Some(reason) = broken
            && splitter.members() > 0
        {
            self.gap(format!("{reason} (the rest was scanned as binary strings)"));
        }
    }

    fn tar_end(&mut self, tar: TarStream<'s>) {
        let TarStream {
            splitter,
            member,
            trailer,
        } = tar;
        if let Some((name, file)) = member {
            self.absorb(Some(&name), file.finish_nested());
        }
        if let Some(reason) = splitter.finish() {
            self.gap(reason);
        }
        if let Some(trailer) = trailer {
            trailer.finish(&mut self.findings);
        }
    }

    fn gzip_end(&mut self, gzip: GzipStream<'s>, error: Option<std::io::Error>) {
        let mut decoder = gzip.decoder;
        let error = error.or_else(|| decoder.try_finish().err());
        let sink = decoder.get_mut();
        let file = sink.file.take();
        if let Some(err) = error {
            self.gap(if sink.over_budget {
                format!(
                    "gzip stream expands beyond the {}-byte budget: the rest is not scanned",
                    self.options.archives.max_expanded_bytes
                )
            } else {
                format!("failed to decompress gzip: {err}")
            });
        }
        if let Some(file) = file {
            let name = file.path.clone();
            let cache = file.cache;
            let (result, transparent) = file.finish_with(cache);
            self.absorb((!transparent).then_some(name.as_str()), result);
        }
    }

    fn zip_end(&mut self, data: &[u8]) {
        let mut archive_gaps = Vec::new();
        let mut done = Vec::new();
        let limit = self.options.archives.max_expanded_bytes;
        archive::zip_members(
            data,
            &self.options.archives,
            &mut |name, reader| {
                let mut file = self.child(name);
                let mut buf = vec![0u8; PULL_CHUNK];
                let mut total: u64 = 0;
                let mut problem = None;
                loop {
                    match reader.read(&mut buf) {
                        Ok(0) => break,
                        Ok(n) => {
                            total += n as u64;
                            if total > limit {
                                problem = Some(format!(
                                    "member expands beyond the {limit}-byte budget: the rest is not scanned"
                                ));
                                break;
                            }
                            file.feed(buf.get(..n).unwrap_or_default());
                        }
                        Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(err) => {
                            problem = Some(format!("failed to decompress: {err}"));
                            break;
                        }
                    }
                }
                done.push((name.to_owned(), file, problem));
            },
            &mut archive_gaps,
        );
        for (name, file, problem) in done {
            if let Some(reason) = problem {
                self.gaps.push(CoverageGap {
                    path: self.path.clone(),
                    archive_path: vec![name.clone()],
                    reason,
                });
            }
            self.absorb(Some(&name), file.finish_nested());
        }
        for gap in archive_gaps {
            self.gaps.push(CoverageGap {
                path: self.path.clone(),
                archive_path: if gap.member.is_empty() {
                    Vec::new()
                } else {
                    vec![gap.member]
                },
                reason: gap.reason,
            });
        }
    }

    /// Take in a nested file's result: its findings and gaps now sit one archive level
    /// deeper (under `name`, unless it was the transparent tar of a gzip stream).
    fn absorb(&mut self, name: Option<&str>, result: FileScanResult) {
        for mut finding in result.findings {
            if let Some(name) = name {
                finding.archive_path.insert(0, name.to_owned());
            }
            self.findings.push(finding);
        }
        for mut gap in result.gaps {
            if let Some(name) = name {
                gap.archive_path.insert(0, name.to_owned());
            }
            self.gaps.push(gap);
        }
    }

    /// End of content for the chosen mode.
    fn end(&mut self) {
        match std::mem::replace(&mut self.mode, Mode::Ignore) {
            Mode::Buffer(_) | Mode::Ignore => {}
            Mode::Text(stream) => {
                let findings = &mut self.findings;
                stream.finish(&mut |m| findings.push(file_finding(&m, true)));
            }
            Mode::Binary(binary) => binary.finish(&mut self.findings),
            Mode::Zip(zip) => self.zip_end(&zip.data),
            Mode::Tar(tar) => self.tar_end(*tar),
            Mode::Gzip(gzip) => self.gzip_end(*gzip, None),
        }
    }

    fn finish_nested(self) -> FileScanResult {
        let cache = self.cache;
        self.finish_with(cache).0
    }

    /// End of the file: finish scanning, consult and fill the cache.
    pub fn finish(self, cache: &ContentCache) -> FileScanResult {
        self.finish_with(Some(cache)).0
    }

    /// The result, and whether the content was a gzip stream's transparent tar.
    fn finish_with(mut self, cache: Option<&ContentCache>) -> (FileScanResult, bool) {
        let mut from_cache = false;
        let mut sha256 = None;
        if matches!(self.mode, Mode::Buffer(_))
            && let Mode::Buffer(buf) = std::mem::replace(&mut self.mode, Mode::Ignore)
        {
            let digest: Option<[u8; 32]> = self.hasher.take().map(|h| h.finalize().into());
            let cached = match (cache, digest) {
                (Some(cache), Some(digest)) => cache.get(&digest),
                _ => None,
            };
            if let Some((findings, gaps)) = cached {
                from_cache = true;
                self.findings = findings;
                self.gaps = gaps;
            } else {
                self.start(&buf);
                self.stream(&buf);
                self.end();
                if let (Some(cache), Some(digest)) = (cache, digest) {
                    cache.insert(digest, (self.findings.clone(), self.gaps.clone()));
                }
            }
            sha256 = digest.map(hex::encode);
        } else {
            self.end();
        }
        let fixture = is_package_test_fixture(&self.path) || is_documentation(&self.path);
        for finding in &mut self.findings {
            finding.path = Some(self.path.clone());
            if fixture {
                finding.confidence = Confidence::Low;
            }
        }
        for gap in &mut self.gaps {
            gap.path.clone_from(&self.path);
        }
        let result = FileScanResult {
            findings: self.findings,
            gaps: self.gaps,
            sha256,
            size: self.size,
            from_cache,
        };
        (result, self.transparent)
    }
}

/// The name of what a gzip stream holds: `x.tar.gz` → `x.tar`, `x.tgz` → `x.tar`,
/// `x.gz` → `x`.
fn gunzipped_name(path: &str) -> String {
    let base = path.rsplit('/').next().unwrap_or(path);
    if let Some(stem) = base.strip_suffix(".tgz") {
        format!("{stem}.tar")
    } else {
        base.strip_suffix(".gz").unwrap_or(base).to_owned()
    }
}

/// Installed documentation (`/usr/share/doc`, man and info pages, Vim's help) holds
/// example keys and URLs with passwords by design; its findings are kept but do not
/// gate, as for package test fixtures.
pub fn is_documentation(path: &str) -> bool {
    const DOC_ROOTS: [&str; 6] = [
        "/usr/share/doc/",
        "/usr/share/man/",
        "/usr/share/info/",
        "/usr/share/gtk-doc/",
        "/usr/local/share/doc/",
        "/usr/local/share/man/",
    ];
    DOC_ROOTS.iter().any(|root| path.starts_with(root))
        || (path.starts_with("/usr/share/vim/") && path.contains("/doc/"))
}

/// Test fixtures shipped inside installed packages hold sample credentials by design;
/// their findings are kept but do not gate.
pub fn is_package_test_fixture(path: &str) -> bool {
    let in_package = [
        "/site-packages/",
        "/dist-packages/",
        "/node_modules/",
        "/gems/",
    ]
    .iter()
    .any(|p| path.contains(p));
    let in_tests = [
        "/tests/",
        "/test/",
        "/testing/",
        "/__tests__/",
        "/spec/",
        "/fixtures/",
    ]
    .iter()
    .any(|p| path.contains(p));
    in_package && in_tests
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use std::io::Write as _;

    use super::*;
    use crate::analyze::secrets::RuleSet;

    const TOKEN: &str = "glpat-Zq8vL2mN4pR7sT1wX5yB";

    fn scanner() -> Scanner {
        Scanner::new(&RuleSet::builtin().unwrap()).unwrap()
    }

    /// A minimal zip writer (deflate when `deflate`), enough to build test archives.
    fn zip(members: &[(&str, &[u8])], deflate: bool) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for (name, content) in members {
            let data = if deflate {
                let mut enc =
                    flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
                enc.write_all(content).unwrap();
                enc.finish().unwrap()
            } else {
                content.to_vec()
            };
            let method: u16 = if deflate { 8 } else { 0 };
            let crc = crc32fast::hash(content);
            let offset = u32::try_from(out.len()).unwrap();
            let name_len = u16::try_from(name.len()).unwrap();
            let (csize, usize_) = (
                u32::try_from(data.len()).unwrap(),
                u32::try_from(content.len()).unwrap(),
            );
            out.extend_from_slice(b"PK\x03\x04\x14\x00\x00\x00");
            out.extend_from_slice(&method.to_le_bytes());
            out.extend_from_slice(&[0; 4]);
            out.extend_from_slice(&crc.to_le_bytes());
            out.extend_from_slice(&csize.to_le_bytes());
            out.extend_from_slice(&usize_.to_le_bytes());
            out.extend_from_slice(&name_len.to_le_bytes());
            out.extend_from_slice(&[0; 2]);
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(&data);
            central.extend_from_slice(b"PK\x01\x02\x14\x00\x14\x00\x00\x00");
            central.extend_from_slice(&method.to_le_bytes());
            central.extend_from_slice(&[0; 4]);
            central.extend_from_slice(&crc.to_le_bytes());
            central.extend_from_slice(&csize.to_le_bytes());
            central.extend_from_slice(&usize_.to_le_bytes());
            central.extend_from_slice(&name_len.to_le_bytes());
            central.extend_from_slice(&[0; 12]);
            central.extend_from_slice(&offset.to_le_bytes());
            central.extend_from_slice(name.as_bytes());
        }
        let cd_offset = u32::try_from(out.len()).unwrap();
        let cd_len = u32::try_from(central.len()).unwrap();
        let count = u16::try_from(members.len()).unwrap();
        out.extend_from_slice(&central);
        out.extend_from_slice(b"PK\x05\x06\x00\x00\x00\x00");
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&cd_len.to_le_bytes());
        out.extend_from_slice(&cd_offset.to_le_bytes());
        out.extend_from_slice(&[0; 2]);
        out
    }

    fn tar_gz(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (name, content) in members {
            let mut header = tar::Header::new_ustar();
            header.set_size(content.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            builder.append_data(&mut header, name, *content).unwrap();
        }
        let tar = builder.into_inner().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&tar).unwrap();
        gz.finish().unwrap()
    }

    fn scan(scanner: &Scanner, path: &str, content: &[u8], cache: &ContentCache) -> FileScanResult {
        let mut file = FileScan::new(scanner, FileScanOptions::default(), path);
        for chunk in content.chunks(1000) {
            file.feed(chunk);
        }
        file.finish(cache)
    }

    #[test]
    fn secret_in_a_jar_inside_a_war_carries_the_archive_chain() {
        let scanner = scanner();
        let yml = format!("spring:\n  token: x\ngitlab:\n  token: {TOKEN}\n");
        let jar = zip(
            &[("BOOT-INF/classes/application.yml", yml.as_bytes())],
            true,
        );
        let war = zip(&[("WEB-INF/lib/app.jar", &jar)], false);
        let result = scan(&scanner, "/opt/app.war", &war, &ContentCache::default());
        assert!(result.gaps.is_empty(), "{:?}", result.gaps);
        let f = result
            .findings
            .iter()
            .find(|f| f.rule == "secret.gitlab-personal-access-token")
            .expect("found in nested jar");
        assert_eq!(
            f.archive_path,
            vec!["WEB-INF/lib/app.jar", "BOOT-INF/classes/application.yml"]
        );
        assert_eq!(f.line, Some(4));
        assert_eq!(f.path.as_deref(), Some("/opt/app.war"));
    }

    #[test]
    fn tar_gz_and_gz_members_are_scanned() {
        let scanner = scanner();
        let env = format!("GITLAB_TOKEN={TOKEN}\n");
        let tgz = tar_gz(&[("pkg/.env", env.as_bytes())]);
        let result = scan(&scanner, "/srv/bundle.tgz", &tgz, &ContentCache::default());
        assert_eq!(result.findings.len(), 1, "{result:?}");
        assert_eq!(result.findings[0].archive_path, vec!["pkg/.env"]);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(env.as_bytes()).unwrap();
        let gz = gz.finish().unwrap();
        let result = scan(
            &scanner,
            "/srv/secrets.env.gz",
            &gz,
            &ContentCache::default(),
        );
        assert_eq!(result.findings.len(), 1, "{result:?}");
        assert_eq!(result.findings[0].archive_path, vec!["secrets.env"]);
    }

    #[test]
    fn nesting_beyond_the_budget_is_a_coverage_gap() {
        let scanner = scanner();
        let env = format!("GITLAB_TOKEN={TOKEN}\n");
        let mut data = zip(&[("a.env", env.as_bytes())], false);
        for level in 0..4 {
            data = zip(&[(&format!("level{level}.zip"), &data)], false);
        }
        let result = scan(&scanner, "/deep.zip", &data, &ContentCache::default());
        assert_eq!(result.gaps.len(), 1, "{:?}", result.gaps);
        assert!(
            result.gaps[0].reason.contains("nested deeper"),
            "{:?}",
            result.gaps
        );
        let chain = vec!["level3.zip", "level2.zip", "level1.zip"];
        assert_eq!(result.gaps[0].archive_path, chain);
        // The archive too deep to open is still scanned as raw strings (stored members
        // are plain bytes), and the finding says where.
        assert_eq!(result.findings.len(), 1, "{:?}", result.findings);
        assert_eq!(result.findings[0].archive_path, chain);
    }

    #[test]
    fn zips_nested_in_one_file_share_one_in_memory_budget() {
        // Each zip alone fits the budget; the inner one held while the outer one is
        // would not, so it is scanned as strings (a gap), and memory stays at one
        // budget per file however deep the nesting.
        let scanner = scanner();
        let env = format!("GITLAB_TOKEN={TOKEN}\n");
        let padding: Vec<u8> = (0..40_000u32)
            .map(|i| b"abcdefgh"[(i % 8) as usize])
            .collect();
        let inner = zip(&[("a.env", env.as_bytes()), ("pad.txt", &padding)], false);
        let outer = zip(&[("inner.zip", &inner)], false);
        assert!(inner.len() < 60_000 && outer.len() < 60_000 && inner.len() + outer.len() > 60_000);
        let mut options = FileScanOptions::default();
        options.archives.max_member_bytes = 60_000;
        let mut file = FileScan::new(&scanner, options, "/outer.zip");
        for chunk in outer.chunks(1000) {
            file.feed(chunk);
        }
        let held = Arc::clone(&file.zip_held);
        let result = file.finish(&ContentCache::default());
        assert_eq!(
            held.load(Ordering::Relaxed),
            0,
            "every held byte is given back"
        );
        assert_eq!(result.gaps.len(), 1, "{:?}", result.gaps);
        assert!(
            result.gaps[0].reason.contains("in-memory budget"),
            "{:?}",
            result.gaps
        );
        assert_eq!(result.gaps[0].archive_path, vec!["inner.zip"]);
        assert_eq!(result.findings.len(), 1, "{:?}", result.findings);
        assert_eq!(result.findings[0].archive_path, vec!["inner.zip"]);
        // With room for both, the inner zip is opened and the finding names its member.
        let result = scan(&scanner, "/outer.zip", &outer, &ContentCache::default());
        assert!(result.gaps.is_empty(), "{:?}", result.gaps);
        assert_eq!(result.findings[0].archive_path, vec!["inner.zip", "a.env"]);
    }

    #[test]
    fn a_broken_tar_header_is_a_gap_and_the_rest_is_scanned_as_strings() {
        let scanner = scanner();
        let env = format!("GITLAB_TOKEN={TOKEN}\n");
        let mut builder = tar::Builder::new(Vec::new());
        for (name, content) in [("a.txt", &b"hello"[..]), ("b.env", env.as_bytes())] {
            let mut header = tar::Header::new_ustar();
            header.set_size(content.len() as u64);
            header.set_mode(0o644);
            builder.append_data(&mut header, name, content).unwrap();
        }
        let mut data = builder.into_inner().unwrap();
        data[1024] ^= 0x55;
        let result = scan(&scanner, "/srv/x.tar", &data, &ContentCache::default());
        assert_eq!(result.gaps.len(), 1, "{:?}", result.gaps);
        assert!(
            result.gaps[0].reason.contains("checksum"),
            "{:?}",
            result.gaps
        );
        assert_eq!(result.findings.len(), 1, "{:?}", result.findings);
        assert!(result.findings[0].archive_path.is_empty());
    }

    #[test]
    fn a_tgz_inside_a_zip_names_the_whole_chain_and_streams_large_members() {
        let scanner = scanner();
        // A member over the cache threshold is streamed, not buffered.
        let mut big = "filler\n".repeat(300_000);
        big = big + "GITLAB_TOKEN=" + TOKEN + "\n";
        let tgz = tar_gz(&[("etc/app.env", big.as_bytes())]);
        let jar = zip(&[("deps/lib.tgz", &tgz)], true);
        let result = scan(&scanner, "/opt/app.jar", &jar, &ContentCache::default());
        assert!(result.gaps.is_empty(), "{:?}", result.gaps);
        assert_eq!(result.findings.len(), 1, "{:?}", result.findings);
        assert_eq!(
            result.findings[0].archive_path,
            vec!["deps/lib.tgz", "etc/app.env"]
        );
        assert_eq!(result.findings[0].line, Some(300_001));
    }

    #[test]
    fn a_file_that_only_looks_like_a_tar_is_scanned_as_a_binary_without_a_gap() {
        let scanner = scanner();
        let mut data = vec![0x41u8; 4096];
        data[257..263].copy_from_slice(b"ustar\0");
        data.extend_from_slice(format!("\0GITLAB_TOKEN={TOKEN}\0").as_bytes());
        let result = scan(&scanner, "/srv/x.bin", &data, &ContentCache::default());
        assert!(result.gaps.is_empty(), "{:?}", result.gaps);
        assert_eq!(result.findings.len(), 1, "{:?}", result.findings);
    }

    #[test]
    fn corrupt_archive_is_a_gap_not_silence() {
        let scanner = scanner();
        let mut data = zip(&[("a.env", b"nothing here")], false);
        data.truncate(data.len() - 30);
        let result = scan(&scanner, "/broken.zip", &data, &ContentCache::default());
        assert!(!result.gaps.is_empty());
    }

    #[test]
    fn same_content_in_two_layers_is_scanned_once_and_reported_twice() {
        let scanner = scanner();
        let cache = ContentCache::default();
        let npmrc = format!("always-auth=true\n//gitlab.example/:_authToken={TOKEN}\n");
        let first = scan(&scanner, "/root/.npmrc", npmrc.as_bytes(), &cache);
        let second = scan(&scanner, "/home/app/.npmrc", npmrc.as_bytes(), &cache);
        assert!(!first.from_cache && second.from_cache);
        assert_eq!(cache.len(), 1);
        assert_eq!(first.findings.len(), 1);
        assert_eq!(second.findings[0].path.as_deref(), Some("/home/app/.npmrc"));
        assert_eq!(first.findings[0].secret, second.findings[0].secret);
        assert_eq!(first.findings[0].line, Some(2));
    }

    #[test]
    fn large_text_files_stream_with_line_numbers_and_binaries_via_strings() {
        let scanner = scanner();
        let mut text = "filler line\n".repeat(200_000).into_bytes();
        text.extend_from_slice(format!("GITLAB_TOKEN={TOKEN}\n").as_bytes());
        let result = scan(
            &scanner,
            "/var/log/big.log",
            &text,
            &ContentCache::default(),
        );
        assert_eq!(result.findings.len(), 1);
        assert_eq!(result.findings[0].line, Some(200_001));
        let mut binary = vec![0u8; 3 * 1024 * 1024];
        binary.extend_from_slice(format!("\x00{TOKEN}\x00").as_bytes());
        let result = scan(&scanner, "/usr/bin/tool", &binary, &ContentCache::default());
        assert_eq!(result.findings.len(), 1, "{:?}", result.findings);
        assert_eq!(result.findings[0].line, None);
    }

    #[test]
    fn installed_documentation_does_not_gate() {
        let scanner = scanner();
        let content = format!("TOKEN = '{TOKEN}'\n");
        for path in [
            "/usr/share/doc/libxmlsec1-dev/examples/rsakey.env",
            "/usr/share/vim/vim90/doc/pi_netrw.txt",
        ] {
            let result = scan(&scanner, path, content.as_bytes(), &ContentCache::default());
            assert_eq!(result.findings.len(), 1);
            assert_eq!(result.findings[0].confidence, Confidence::Low, "{path}");
        }
        let result = scan(
            &scanner,
            "/app/doc/notes.txt",
            content.as_bytes(),
            &ContentCache::default(),
        );
        assert_ne!(result.findings[0].confidence, Confidence::Low);
    }

    #[test]
    fn package_test_fixtures_do_not_gate() {
        let scanner = scanner();
        let content = format!("TOKEN = '{TOKEN}'\n");
        let path = "/usr/lib/python3/site-packages/requests/tests/test_auth.py";
        let result = scan(&scanner, path, content.as_bytes(), &ContentCache::default());
        assert_eq!(result.findings.len(), 1);
        assert_eq!(result.findings[0].confidence, Confidence::Low);
    }
}
