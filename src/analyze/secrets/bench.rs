//! Micro-benchmark hooks for the scanner: a deterministic mixed corpus and a timed scan.
//! Used by `examples/secrets_bench.rs`; not part of the stable API.

use std::time::Instant;

use super::scanner::Scanner;
use super::stream::StreamScanner;

/// Result of one timed scan.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct BenchResult {
    /// Bytes scanned.
    pub bytes: u64,
    /// Wall seconds on one thread.
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

/// Scan `corpus` through the streaming scanner in `chunk`-byte pieces on this thread.
#[doc(hidden)]
pub fn time_stream_scan(scanner: &Scanner, corpus: &[u8], chunk: usize) -> BenchResult {
    let start = Instant::now();
    let mut matches = 0u64;
    let mut stream = StreamScanner::new(scanner);
    let mut sink = |_m: super::scanner::SecretMatch<'_>| matches += 1;
    for piece in corpus.chunks(chunk.max(1)) {
        stream.feed(piece, &mut sink);
    }
    stream.finish(&mut sink);
    BenchResult {
        bytes: corpus.len() as u64,
        seconds: start.elapsed().as_secs_f64(),
        matches,
    }
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
