//! 1-based line numbers for match offsets, counted incrementally so a buffer is walked
//! about once even with many matches.

/// A cursor that remembers the line at one absolute offset.
#[derive(Debug, Clone, Copy)]
pub struct LineCounter {
    offset: u64,
    line: u64,
}

impl Default for LineCounter {
    fn default() -> Self {
        Self::new()
    }
}

impl LineCounter {
    /// Line 1 at offset 0.
    pub fn new() -> Self {
        Self { offset: 0, line: 1 }
    }

    /// The line of absolute offset `base + pos`, where `buf` starts at absolute `base`
    /// and holds every byte between the cursor and the target.
    pub fn line_at(&mut self, buf: &[u8], base: u64, pos: usize) -> u64 {
        let target = base + pos as u64;
        let rel = |abs: u64| usize::try_from(abs.saturating_sub(base)).unwrap_or(usize::MAX);
        if target >= self.offset {
            let counted = buf
                .get(rel(self.offset)..pos)
                .map_or(0, |s| memchr::memchr_iter(b'\n', s).count());
            self.line += counted as u64;
        } else {
            let counted = buf
                .get(pos..rel(self.offset))
                .map_or(0, |s| memchr::memchr_iter(b'\n', s).count());
            self.line -= counted as u64;
        }
        self.offset = target;
        self.line
    }

    /// Move the cursor to absolute offset `base + pos` (same contract as `line_at`).
    pub fn advance_to(&mut self, buf: &[u8], base: u64, pos: usize) {
        self.line_at(buf, base, pos);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_forward_and_back() {
        let buf = b"a\nb\nc\nd";
        let mut lc = LineCounter::new();
        assert_eq!(lc.line_at(buf, 0, 0), 1);
        assert_eq!(lc.line_at(buf, 0, 4), 3);
        assert_eq!(lc.line_at(buf, 0, 2), 2);
        assert_eq!(lc.line_at(buf, 0, 6), 4);
    }
}
