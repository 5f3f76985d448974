//! The streaming scanner: one file's content arrives in chunks of any size; matches come
//! out exactly as a whole-buffer [`Scanner::scan`] of the concatenation would report
//! them, each once, with 1-based line numbers. Memory stays bounded: the buffer holds a
//! block plus the look-behind and look-ahead that rule windows need.

use super::line_counter::LineCounter;
use super::prefilter::KeywordHit;
use super::scanner::{Candidate, Scanner, SecretMatch, WindowJob, resolve_same_span};

/// Bytes appended per round; large enough to amortise the look-ahead re-search.
const BLOCK: usize = 1024 * 1024;

/// Streaming state for one file.
#[derive(Debug)]
pub struct StreamScanner<'s> {
    scanner: &'s Scanner,
    buf: Vec<u8>,
    base: u64,
    resume: Vec<usize>,
    lines: LineCounter,
    pending: Vec<Candidate>,
    hits: Vec<KeywordHit>,
    jobs: Vec<WindowJob>,
    found: Vec<Candidate>,
}

impl<'s> StreamScanner<'s> {
    /// Start scanning a new file.
    pub fn new(scanner: &'s Scanner) -> Self {
        Self {
            scanner,
            buf: Vec::new(),
            base: 0,
            resume: vec![0; scanner.shard_count()],
            lines: LineCounter::new(),
            pending: Vec::new(),
            hits: Vec::new(),
            jobs: Vec::new(),
            found: Vec::new(),
        }
    }

    /// Bytes fed so far.
    pub fn bytes_seen(&self) -> u64 {
        self.base + self.buf.len() as u64
    }

    /// Feed the next chunk; matches that are final are pushed into `sink`.
    pub fn feed(&mut self, chunk: &[u8], sink: &mut dyn FnMut(SecretMatch<'_>)) {
        let threshold = BLOCK + self.scanner.lookahead() + self.scanner.lookbehind();
        for piece in chunk.chunks(BLOCK) {
            self.buf.extend_from_slice(piece);
            if self.buf.len() >= threshold {
                self.round(false, sink);
            }
        }
    }

    /// End of file: scan what is left and push the remaining matches.
    pub fn finish(mut self, sink: &mut dyn FnMut(SecretMatch<'_>)) {
        self.round(true, sink);
    }

    fn round(&mut self, finishing: bool, sink: &mut dyn FnMut(SecretMatch<'_>)) {
        let scanner = self.scanner;
        let limit = if finishing {
            self.buf.len()
        } else {
            self.buf.len().saturating_sub(scanner.lookahead())
        };
        self.hits.clear();
        scanner.hits_all_between(&self.buf, &mut self.resume, limit, &mut self.hits);
        for resume in &mut self.resume {
            *resume = (*resume).max(limit);
        }
        self.found.clear();
        scanner.process_hits(&self.buf, &self.hits, &mut self.jobs, &mut self.found);
        self.pending.append(&mut self.found);

        // A capture is final once no unprocessed hit can have a window reaching it.
        let lookbehind = scanner.lookbehind();
        let (mut ready, rest): (Vec<Candidate>, Vec<Candidate>) = self
            .pending
            .drain(..)
            .partition(|c| finishing || c.end + lookbehind < limit);
        self.pending = rest;
        resolve_same_span(scanner.rules(), &mut ready);
        for cand in ready {
            let line = self.lines.line_at(&self.buf, self.base, cand.start);
            if let Some(m) = scanner.to_match(&self.buf, self.base, cand, line) {
                sink(m);
            }
        }
        if finishing {
            return;
        }
        let keep_from = self
            .pending
            .iter()
            .map(|c| c.start)
            .chain(self.resume.iter().copied())
            .chain([limit.saturating_sub(lookbehind)])
            .min()
            .unwrap_or(0);
        if keep_from == 0 {
            return;
        }
        self.lines.advance_to(&self.buf, self.base, keep_from);
        self.buf.drain(..keep_from);
        self.base += keep_from as u64;
        for resume in &mut self.resume {
            *resume -= keep_from;
        }
        for c in &mut self.pending {
            c.start -= keep_from;
            c.end -= keep_from;
        }
    }
}
