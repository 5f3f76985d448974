//! Micro-benchmark hooks for the scanner: a deterministic mixed corpus and a timed scan.
//! Used by `examples/secrets_bench.rs`; not part of the stable API.

use std::collections::BTreeMap;
use std::time::Instant;

use sha2::{Digest as _, Sha256};

use super::scanner::Scanner;
use super::stream::StreamScanner;

/// Result of one timed scan.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct BenchResult {
    /// Bytes scanned.
    pub bytes: u64,
    /// CPU seconds of the scanning thread (wall seconds when unavailable).
    pub seconds: f64,
    /// Matches reported.
    pub matches: u64,
}

impl BenchResult {
    /// Megabytes (10^6 bytes) per second.
    pub fn mb_per_second(&self) -> f64 {
        #[expect(clippy::cast_precision_loss, reason = "benchmark arithmetic")]
        let bytes = self.bytes as f64;
        bytes / 1e6 / self.seconds.max(1e-9)
    }
}

/// CPU seconds (user + system) this thread has used, from `/proc/thread-self/stat`;
/// wall time misleads on a shared machine.
#[doc(hidden)]
pub fn thread_cpu_seconds() -> Option<f64> {
    let stat = fs_err::read_to_string("/proc/thread-self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are 14 and 15.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// Run only the keyword prefilter over `corpus` (all shards) and count hits.
#[doc(hidden)]
pub fn time_prefilter_only(scanner: &Scanner, corpus: &[u8]) -> BenchResult {
    let cpu = thread_cpu_seconds();
    let start = Instant::now();
    let mut hits = Vec::new();
    let mut matches = 0u64;
    let mut resume = vec![0; scanner.shard_count()];
    for piece in corpus.chunks(1 << 20) {
        hits.clear();
        resume.fill(0);
        scanner.hits_all_between(piece, &mut resume, piece.len(), &mut hits);
        matches += hits.len() as u64;
    }
    finish_timing(corpus.len(), start, cpu, matches)
}

fn finish_timing(bytes: usize, start: Instant, cpu: Option<f64>, matches: u64) -> BenchResult {
    let wall = start.elapsed().as_secs_f64();
    let seconds = match (cpu, thread_cpu_seconds()) {
        (Some(before), Some(after)) if after > before => after - before,
        _ => wall,
    };
    BenchResult {
        bytes: bytes as u64,
        seconds,
        matches,
    }
}

/// Scan `corpus` through the streaming scanner in `chunk`-byte pieces on this thread.
#[doc(hidden)]
pub fn time_stream_scan(scanner: &Scanner, corpus: &[u8], chunk: usize) -> BenchResult {
    let cpu = thread_cpu_seconds();
    let start = Instant::now();
    let mut matches = 0u64;
    let mut stream = StreamScanner::new(scanner);
    let mut sink = |_m: super::scanner::SecretMatch<'_>| matches += 1;
    for piece in corpus.chunks(chunk.max(1)) {
        stream.feed(piece, &mut sink);
    }
    stream.finish(&mut sink);
    finish_timing(corpus.len(), start, cpu, matches)
}

/// Every match over `text` (streamed, 1 MiB chunks) and over the printable strings of
/// `binary`, as `(rule id, offset, value sha256)` lines in scan order. Values are never
/// included, only their fingerprints.
#[doc(hidden)]
pub fn findings(scanner: &Scanner, text: &[u8], binary: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    for (class, corpus, extract) in [("text", text, false), ("binary", binary, true)] {
        let extracted;
        let content = if extract {
            extracted = super::strings::printable_strings(corpus, super::strings::DEFAULT_MIN_RUN);
            extracted.as_slice()
        } else {
            corpus
        };
        let mut stream = StreamScanner::new(scanner);
        let mut sink = |m: super::scanner::SecretMatch<'_>| {
            out.push(format!(
                "{class} {} {} {}",
                m.rule.id,
                m.offset,
                m.redact().sha256
            ));
        };
        for piece in content.chunks(1 << 20) {
            stream.feed(piece, &mut sink);
        }
        stream.finish(&mut sink);
    }
    out
}

/// A short digest of [`findings`] with the count per rule, to compare engines or
/// commits over the same corpus.
#[doc(hidden)]
pub fn findings_digest(scanner: &Scanner, text: &[u8], binary: &[u8]) -> String {
    let all = findings(scanner, text, binary);
    let mut hasher = Sha256::new();
    let mut per_rule: BTreeMap<&str, u64> = BTreeMap::new();
    for line in &all {
        hasher.update(line.as_bytes());
        hasher.update(b"\n");
        if let Some(rule) = line.split(' ').nth(1) {
            *per_rule.entry(rule).or_default() += 1;
        }
    }
    let digest = hex::encode(hasher.finalize());
    let counts: Vec<String> = per_rule.iter().map(|(r, n)| format!("{r}={n}")).collect();
    format!(
        "{} ({} findings: {})",
        digest.get(..16).unwrap_or(&digest),
        all.len(),
        counts.join(" ")
    )
}

/// A deterministic text corpus of about `size` bytes: source-like lines with keywords
/// that hit the prefilter (`password`, `token`, `secret`, URLs) and a few planted
/// synthetic secrets.
#[doc(hidden)]
pub fn synthetic_text_corpus(size: usize) -> Vec<u8> {
    const LINES: &[&str] = &[
        "fn main() { let config = Config::load(\"settings.toml\")?; run(config) }\n",
        "    // The tokenizer splits the input into tokens before parsing.\n",
        "    if user.password_hash.is_empty() { return Err(Error::NoPassword); }\n",
        "See https://docs.example.org/guide/install.html for the installation guide.\n",
        "    self.secret_store.get(&key).map(|s| s.expose()).unwrap_or_default()\n",
        "export PATH=/usr/local/bin:$PATH\n",
        "The quick brown fox jumps over the lazy dog; lorem ipsum dolor sit amet.\n",
        "  - name: redis\n    image: redis:7-alpine\n    ports: [\"6379:6379\"]\n",
        "#include <stdio.h>\nint main(void) { printf(\"hello, world\\n\"); return 0; }\n",
        "password = os.environ[\"DB_PASSWORD\"]  # read from the environment\n",
        "<a href=\"http://www.gnu.org/licenses/\">GNU General Public License</a>\n",
        "token_count += 1; secretary.notify(meeting); pass\n",
    ];
    let mut out = Vec::with_capacity(size + 256);
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut n = 0usize;
    while out.len() < size {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let idx = usize::try_from(state % LINES.len() as u64).unwrap_or(0);
        if let Some(line) = LINES.get(idx) {
            out.extend_from_slice(line.as_bytes());
        }
        n += 1;
        if n.is_multiple_of(5000) {
            out.extend_from_slice(
                b"aws_secret_access_key = Zq8vL2mN4pR7sT1wX5yBc3Dd6Ef9Gh0Jk2Lm4NoP\n",
            );
        }
    }
    out
}
