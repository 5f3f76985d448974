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

/// 1 for printable ASCII and tab, else 0 (compiles to compares, no branch).
fn printable(b: u8) -> usize {
    usize::from(matches!(b, 0x20..=0x7e | b'\t'))
}

/// Streaming extractor: feed chunks, receive `run\n` text.
#[derive(Debug)]
pub struct StringsExtractor {
    min_run: usize,
    /// The part of the current run that arrived in earlier chunks.
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

    /// Append the printable runs completed in `chunk` to `out`. The loop keeps one
    /// counter (the current run's length, reset by a non-printable byte without a
    /// branch) and branches only when a long-enough run ends, which is rare and
    /// predictable: binary noise costs two compares and a multiply per byte.
    pub fn push(&mut self, chunk: &[u8], out: &mut Vec<u8>) {
        let carried = self.run.len();
        let mut run = carried;
        for (i, &b) in chunk.iter().enumerate() {
            let next = (run + 1) * printable(b);
            if (next == 0 && run >= self.min_run) || next > MAX_RUN {
                // A run ends at `i` (or is cut at MAX_RUN, ending after `i`).
                let end = if next > MAX_RUN { i + 1 } else { i };
                let len = if next > MAX_RUN { next } else { run };
                self.emit(chunk, end, len, out);
                run = 0;
                continue;
            }
            run = next;
        }
        // Keep the unfinished run for the next chunk.
        if run == 0 {
            self.run.clear();
        } else if run > chunk.len() {
            self.run.extend_from_slice(chunk);
        } else {
            self.run.clear();
            self.run
                .extend_from_slice(chunk.get(chunk.len() - run..).unwrap_or_default());
        }
    }

    /// Emit the run of `len` bytes that ends at `chunk[end]` (exclusive); its start may
    /// lie in earlier chunks (held in `self.run`).
    fn emit(&mut self, chunk: &[u8], end: usize, len: usize, out: &mut Vec<u8>) {
        if len > end {
            out.extend_from_slice(&self.run);
            out.extend_from_slice(chunk.get(..end).unwrap_or_default());
        } else {
            out.extend_from_slice(chunk.get(end - len..end).unwrap_or_default());
        }
        out.push(b'\n');
        self.run.clear();
    }

    /// Emit the last run.
    pub fn finish(mut self, out: &mut Vec<u8>) {
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

    /// The obvious definition: split at non-printable bytes, keep long runs, cut runs
    /// longer than `MAX_RUN`.
    fn reference(data: &[u8], min_run: usize) -> Vec<u8> {
        let mut out = Vec::new();
        for run in data.split(|&b| printable(b) == 0) {
            for piece in run.chunks(MAX_RUN + 1) {
                if piece.len() >= min_run {
                    out.extend_from_slice(piece);
                    out.push(b'\n');
                }
            }
        }
        out
    }

    #[test]
    fn matches_the_obvious_definition_for_any_chunking() {
        // A deterministic mix: binary noise, short and long printable runs, one run
        // longer than MAX_RUN, tabs.
        let mut data = Vec::new();
        let mut x: u32 = 12345;
        for i in 0..40_000 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let len = (x >> 16) as usize % 40;
            let byte = u8::try_from((x >> 8) & 0xff).unwrap_or(0);
            if i % 3 == 0 {
                data.extend(std::iter::repeat_n(b'a' + (byte % 26), len));
                data.push(b'\t');
            } else {
                data.push(byte);
            }
        }
        data.extend(std::iter::repeat_n(b'z', MAX_RUN * 2 + 7));
        data.push(0);
        for min_run in [1, 4, 8] {
            let want = reference(&data, min_run);
            for step in [1, 3, 64, 4096, 65_537, data.len()] {
                let mut out = Vec::new();
                let mut ex = StringsExtractor::new(min_run);
                for chunk in data.chunks(step) {
                    ex.push(chunk, &mut out);
                }
                ex.finish(&mut out);
                assert!(
                    out == want,
                    "min {min_run} step {step}: {} vs {} bytes",
                    out.len(),
                    want.len()
                );
            }
        }
    }
}
