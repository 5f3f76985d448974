//! Printable-strings extraction for binary content: runs of printable ASCII of at least
//! a minimum length, one per line, so binaries are scanned like `strings(1)` output.

/// Default minimum run length (long enough to skip opcode noise, short enough for keys).
pub const DEFAULT_MIN_RUN: usize = 8;

/// Longest run kept as one line; longer runs are split (bounded memory).
const MAX_RUN: usize = 64 * 1024;

/// Whether content looks binary: a NUL byte in its first 8 KiB.
pub fn looks_binary(prefix: &[u8]) -> bool {
    memchr::memchr(0, prefix.get(..8192).unwrap_or(prefix)).is_some()
}

/// Printable ASCII and tab (the hot test of binary scanning).
fn is_printable(b: u8) -> bool {
    matches!(b, 0x20..=0x7e | b'\t')
}

/// Streaming extractor: feed chunks, receive `run\n` text.
#[derive(Debug)]
pub struct StringsExtractor {
    min_run: usize,
    run: Vec<u8>,
}

impl StringsExtractor {
    /// An extractor keeping runs of at least `min_run` bytes.
    pub fn new(min_run: usize) -> Self {
        Self {
            min_run: min_run.max(1),
            run: Vec::new(),
        }
    }

    /// Append the printable runs completed in `chunk` to `out`. Runs that end inside
    /// the chunk are copied only when long enough, so binary noise costs one table
    /// range test per byte.
    pub fn push(&mut self, chunk: &[u8], out: &mut Vec<u8>) {
        let mut rest = chunk;
        loop {
            let run_len = rest
                .iter()
                .position(|&b| !is_printable(b))
                .unwrap_or(rest.len());
            let (run, tail) = rest.split_at(run_len);
            let Some((_, after)) = tail.split_first() else {
                // The run may continue in the next chunk.
                self.run.extend_from_slice(run);
                if self.run.len() >= MAX_RUN {
                    self.flush(out);
                }
                return;
            };
            if self.run.is_empty() {
                if run.len() >= self.min_run {
                    out.extend_from_slice(run);
                    out.push(b'\n');
                }
            } else {
                self.run.extend_from_slice(run);
                self.flush(out);
            }
            // Skip the non-printable stretch in one go.
            let skip = after
                .iter()
                .position(|&b| is_printable(b))
                .unwrap_or(after.len());
            rest = after.get(skip..).unwrap_or_default();
            if rest.is_empty() {
                return;
            }
        }
    }

    /// Emit the last run.
    pub fn finish(mut self, out: &mut Vec<u8>) {
        self.flush(out);
    }

    fn flush(&mut self, out: &mut Vec<u8>) {
        if self.run.len() >= self.min_run {
            out.extend_from_slice(&self.run);
            out.push(b'\n');
        }
        self.run.clear();
    }
}

/// All printable runs of `buf` of at least `min_run` bytes, newline-separated.
pub fn printable_strings(buf: &[u8], min_run: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut extractor = StringsExtractor::new(min_run);
    extractor.push(buf, &mut out);
    extractor.finish(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_long_runs_only_across_chunks() {
        let mut out = Vec::new();
        let mut ex = StringsExtractor::new(4);
        ex.push(b"\x00\x01abc\x00hello wo", &mut out);
        ex.push(b"rld\x7f\x02xyz", &mut out);
        ex.finish(&mut out);
        assert_eq!(out, b"hello world\n");
        assert!(looks_binary(b"ELF\x00"));
        assert!(!looks_binary(b"plain text"));
    }
}
