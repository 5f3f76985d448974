//! One layer file through the secret scanner: content arrives in chunks; text is
//! streamed with line numbers, binaries are scanned through their printable strings,
//! nested archives are opened within a budget, and small files are looked up in a
//! content-hash cache so identical content in several layers is scanned once and
//! reported wherever it was seen.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use sha2::{Digest, Sha256};

use super::archive::{self, ArchiveBudget};
use super::rule::Confidence;
use super::scanner::{Scanner, SecretMatch};
use super::secret_finding::{SecretFinding, SecretSource};
use super::stream::StreamScanner;
use super::strings::{self, DEFAULT_MIN_RUN, StringsExtractor};

/// Options for scanning files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileScanOptions {
    /// Minimum printable run extracted from binaries.
    pub min_strings_run: usize,
    /// Nested-archive limits.
    pub archives: ArchiveBudget,
    /// Files up to this size are held in memory, hashed and cached.
    pub cache_below: usize,
}

impl Default for FileScanOptions {
    fn default() -> Self {
        Self {
            min_strings_run: DEFAULT_MIN_RUN,
            archives: ArchiveBudget::default(),
            cache_below: 1024 * 1024,
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
    /// Lowercase hex SHA-256 of the content.
    pub sha256: String,
    /// Bytes of content.
    pub size: u64,
    /// Whether the result came from the cache (same content seen before).
    pub from_cache: bool,
}

enum Mode<'s> {
    Buffer(Vec<u8>),
    Text(StreamScanner<'s>),
    Binary(StringsExtractor, StreamScanner<'s>, Vec<u8>),
}

/// Scanning state for one file.
pub struct FileScan<'s> {
    scanner: &'s Scanner,
    options: FileScanOptions,
    path: String,
    mode: Mode<'s>,
    hasher: Sha256,
    size: u64,
    findings: Vec<SecretFinding>,
    gaps: Vec<CoverageGap>,
}

impl std::fmt::Debug for FileScan<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileScan")
            .field("path", &self.path)
            .field("size", &self.size)
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

impl<'s> FileScan<'s> {
    /// Start scanning the file at `path`.
    pub fn new(scanner: &'s Scanner, options: FileScanOptions, path: &str) -> Self {
        Self {
            scanner,
            options,
            path: path.to_owned(),
            mode: Mode::Buffer(Vec::new()),
            hasher: Sha256::new(),
            size: 0,
            findings: Vec::new(),
            gaps: Vec::new(),
        }
    }

    /// Feed the next chunk of content.
    pub fn feed(&mut self, chunk: &[u8]) {
        self.hasher.update(chunk);
        self.size += chunk.len() as u64;
        let findings = &mut self.findings;
        match &mut self.mode {
            Mode::Buffer(buf) => {
                buf.extend_from_slice(chunk);
                let limit = if archive::detect(buf).is_some() {
                    self.options.archives.max_member_bytes
                } else {
                    self.options.cache_below
                };
                if buf.len() > limit {
                    let buffered = std::mem::take(buf);
                    self.switch_to_stream(&buffered);
                }
            }
            Mode::Text(stream) => {
                stream.feed(chunk, &mut |m| findings.push(file_finding(&m, true)));
            }
            Mode::Binary(extractor, stream, scratch) => {
                scratch.clear();
                extractor.push(chunk, scratch);
                stream.feed(scratch, &mut |m| findings.push(file_finding(&m, false)));
            }
        }
    }

    fn switch_to_stream(&mut self, buffered: &[u8]) {
        if archive::detect(buffered).is_some() {
            self.gaps.push(CoverageGap {
                path: self.path.clone(),
                archive_path: Vec::new(),
                reason: format!(
                    "archive larger than the {}-byte budget: scanned as binary strings only",
                    self.options.archives.max_member_bytes
                ),
            });
        }
        let findings = &mut self.findings;
        if strings::looks_binary(buffered) || archive::detect(buffered).is_some() {
            let mut extractor = StringsExtractor::new(self.options.min_strings_run);
            let mut stream = StreamScanner::new(self.scanner);
            let mut scratch = Vec::new();
            extractor.push(buffered, &mut scratch);
            stream.feed(&scratch, &mut |m| findings.push(file_finding(&m, false)));
            self.mode = Mode::Binary(extractor, stream, scratch);
        } else {
            let mut stream = StreamScanner::new(self.scanner);
            stream.feed(buffered, &mut |m| findings.push(file_finding(&m, true)));
            self.mode = Mode::Text(stream);
        }
    }

    /// End of the file: finish scanning, consult and fill the cache.
    pub fn finish(mut self, cache: &ContentCache) -> FileScanResult {
        let digest: [u8; 32] = self.hasher.finalize().into();
        let mut from_cache = false;
        match self.mode {
            Mode::Buffer(buf) => {
                if let Some((findings, gaps)) = cache.get(&digest) {
                    from_cache = true;
                    self.findings = findings;
                    self.gaps = gaps;
                } else {
                    let mut memory = MemoryScan {
                        scanner: self.scanner,
                        options: &self.options,
                        path: &self.path,
                        findings: Vec::new(),
                        gaps: Vec::new(),
                    };
                    memory.scan(&buf, &mut Vec::new(), 0);
                    self.findings = memory.findings;
                    self.gaps = memory.gaps;
                    cache.insert(digest, (self.findings.clone(), self.gaps.clone()));
                }
            }
            Mode::Text(stream) => {
                let findings = &mut self.findings;
                stream.finish(&mut |m| findings.push(file_finding(&m, true)));
            }
            Mode::Binary(extractor, stream, mut scratch) => {
                let findings = &mut self.findings;
                scratch.clear();
                extractor.finish(&mut scratch);
                let mut stream = stream;
                stream.feed(&scratch, &mut |m| findings.push(file_finding(&m, false)));
                stream.finish(&mut |m| findings.push(file_finding(&m, false)));
            }
        }
        let fixture = is_package_test_fixture(&self.path);
        for finding in &mut self.findings {
            finding.path = Some(self.path.clone());
            if fixture {
                finding.confidence = Confidence::Low;
            }
        }
        for gap in &mut self.gaps {
            gap.path.clone_from(&self.path);
        }
        FileScanResult {
            findings: self.findings,
            gaps: self.gaps,
            sha256: hex::encode(digest),
            size: self.size,
            from_cache,
        }
    }
}

/// In-memory scan of a small file or an archive member, recursing into archives.
struct MemoryScan<'a> {
    scanner: &'a Scanner,
    options: &'a FileScanOptions,
    path: &'a str,
    findings: Vec<SecretFinding>,
    gaps: Vec<CoverageGap>,
}

impl MemoryScan<'_> {
    fn scan(&mut self, content: &[u8], chain: &mut Vec<String>, depth: u32) {
        if let Some(kind) = archive::detect(content) {
            if depth >= self.options.archives.max_depth {
                self.gaps.push(CoverageGap {
                    path: self.path.to_owned(),
                    archive_path: chain.clone(),
                    reason: format!(
                        "archive nested deeper than {} levels",
                        self.options.archives.max_depth
                    ),
                });
                return;
            }
            let outer = chain.last().map_or(self.path, String::as_str).to_owned();
            let mut archive_gaps = Vec::new();
            let mut members: Vec<(String, Vec<u8>)> = Vec::new();
            archive::for_each_member(
                kind,
                &outer,
                content,
                &self.options.archives,
                &mut |name, member| members.push((name.to_owned(), member.to_vec())),
                &mut archive_gaps,
            );
            for gap in archive_gaps {
                let mut archive_path = chain.clone();
                if !gap.member.is_empty() {
                    archive_path.push(gap.member);
                }
                self.gaps.push(CoverageGap {
                    path: self.path.to_owned(),
                    archive_path,
                    reason: gap.reason,
                });
            }
            for (name, member) in members {
                chain.push(name);
                self.scan(&member, chain, depth + 1);
                chain.pop();
            }
            return;
        }
        let binary = strings::looks_binary(content);
        let extracted;
        let text: &[u8] = if binary {
            extracted = strings::printable_strings(content, self.options.min_strings_run);
            &extracted
        } else {
            content
        };
        let findings = &mut self.findings;
        self.scanner.scan(text, &mut |m| {
            let mut finding = file_finding(&m, !binary);
            finding.archive_path.clone_from(chain);
            findings.push(finding);
        });
    }
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
        assert!(result.findings.is_empty());
        assert_eq!(result.gaps.len(), 1, "{:?}", result.gaps);
        assert!(
            result.gaps[0].reason.contains("nested deeper"),
            "{:?}",
            result.gaps
        );
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
    fn package_test_fixtures_do_not_gate() {
        let scanner = scanner();
        let content = format!("TOKEN = '{TOKEN}'\n");
        let path = "/usr/lib/python3/site-packages/requests/tests/test_auth.py";
        let result = scan(&scanner, path, content.as_bytes(), &ContentCache::default());
        assert_eq!(result.findings.len(), 1);
        assert_eq!(result.findings[0].confidence, Confidence::Low);
    }
}
