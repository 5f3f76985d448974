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

fn printable(b: u8) -> bool {
    (0x20..0x7f).contains(&b) || b == b'\t'
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

    /// Append the printable runs completed in `chunk` to `out`.
    pub fn push(&mut self, chunk: &[u8], out: &mut Vec<u8>) {
        let mut rest = chunk;
        loop {
            let run_len = rest
                .iter()
                .position(|&b| !printable(b))
                .unwrap_or(rest.len());
            let (run, tail) = rest.split_at(run_len);
            self.run.extend_from_slice(run);
            if self.run.len() >= MAX_RUN {
                self.flush(out);
            }
            let Some((_, after)) = tail.split_first() else {
                return; // the run may continue in the next chunk
            };
            self.flush(out);
            rest = after;
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
