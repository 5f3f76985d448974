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

    /// Append the printable runs completed in `chunk` to `out`.
    ///
    /// Only runs of at least `min_run` bytes matter, so the search skips ahead: with
    /// the byte before `i` non-printable, a long-enough run starting at `i` needs
    /// `chunk[i + min_run - 1]` printable; when it is not, no such run starts in
    /// `i..i + min_run` and the search jumps `min_run` bytes. Binary noise is mostly
    /// skipped this way; printable stretches are then walked once.
    pub fn push(&mut self, chunk: &[u8], out: &mut Vec<u8>) {
        let min = self.min_run;
        let mut i = 0;
        if !self.run.is_empty() {
            // The run carried from the last chunk continues with this chunk's head.
            let end = first_non_printable(chunk, 0);
            self.carry(chunk.get(..end).unwrap_or_default(), out);
            if end == chunk.len() {
                return;
            }
            self.end_carried(out);
            i = end + 1;
        }
        // Invariant: `i == 0` with nothing carried, or `chunk[i - 1]` is non-printable.
        while let Some(&last) = chunk.get(i + min - 1) {
            if printable(last) == 0 {
                i += min;
                continue;
            }
            if let Some(bad) = last_non_printable(chunk, i, i + min - 1) {
                i = bad + 1;
                continue;
            }
            // `chunk[i..i + min]` is printable and `chunk[i - 1]` is not: a run starts.
            let end = first_non_printable(chunk, i + min);
            let run = chunk.get(i..end).unwrap_or_default();
            if end == chunk.len() {
                self.carry(run, out);
                return;
            }
            emit_pieces(run, min, out);
            i = end + 1;
        }
        // The tail is shorter than `min_run`: keep its printable suffix, which may
        // begin a run that continues in the next chunk.
        let tail_start = chunk
            .get(i..)
            .and_then(|tail| tail.iter().rposition(|&b| printable(b) == 0))
            .map_or(i, |pos| i + pos + 1);
        if let Some(suffix) = chunk.get(tail_start..)
            && !suffix.is_empty()
        {
            self.carry(suffix, out);
        }
    }

    /// Add `bytes` to the carried run, emitting it whenever it reaches the longest
    /// run kept as one line.
    fn carry(&mut self, mut bytes: &[u8], out: &mut Vec<u8>) {
        while !bytes.is_empty() {
            let room = MAX_RUN + 1 - self.run.len();
            let (take, rest) = bytes.split_at(room.min(bytes.len()));
            self.run.extend_from_slice(take);
            bytes = rest;
            if self.run.len() == MAX_RUN + 1 {
                out.extend_from_slice(&self.run);
                out.push(b'\n');
                self.run.clear();
            }
        }
    }

    /// The carried run ended: emit it if long enough.
    fn end_carried(&mut self, out: &mut Vec<u8>) {
        if self.run.len() >= self.min_run {
            out.extend_from_slice(&self.run);
            out.push(b'\n');
        }
        self.run.clear();
    }

    /// Emit the last run.
    pub fn finish(mut self, out: &mut Vec<u8>) {
        self.end_carried(out);
    }
}

/// Index of the first non-printable byte of `chunk` at or after `from` (or its length).
fn first_non_printable(chunk: &[u8], from: usize) -> usize {
    chunk
        .get(from..)
        .and_then(|rest| rest.iter().position(|&b| printable(b) == 0))
        .map_or(chunk.len(), |pos| from + pos)
}

/// Index of the last non-printable byte in `chunk[from..to]`, if any.
fn last_non_printable(chunk: &[u8], from: usize, to: usize) -> Option<usize> {
    chunk
        .get(from..to)?
        .iter()
        .rposition(|&b| printable(b) == 0)
        .map(|pos| from + pos)
}

/// A complete run, cut into lines of at most `MAX_RUN + 1` bytes; pieces shorter
/// than `min` are dropped.
fn emit_pieces(run: &[u8], min: usize, out: &mut Vec<u8>) {
    for piece in run.chunks(MAX_RUN + 1) {
        if piece.len() >= min {
            out.extend_from_slice(piece);
            out.push(b'\n');
        }
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
