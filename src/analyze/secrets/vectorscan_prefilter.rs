//! The optional vectorscan (Hyperscan fork) keyword prefilter, behind the cargo feature
//! `vectorscan`. It reports every keyword occurrence; this module reduces them to the
//! leftmost-longest, non-overlapping hits the [`Prefilter`] contract (and the
//! Aho-Corasick back end) define, so both back ends produce the same findings.

use vectorscan_rs::{BlockDatabase, BlockScanner, Flag, Pattern, Scan};

use super::prefilter::{KeywordHit, Prefilter, PrefilterError};

/// vectorscan block-mode database over all keywords (one shard).
#[derive(Debug)]
pub struct VectorscanPrefilter {
    database: BlockDatabase,
    lengths: Vec<usize>,
}

impl VectorscanPrefilter {
    /// Compile the keywords as literal patterns.
    pub fn new(keywords: &[String]) -> Result<Self, PrefilterError> {
        let build_error = |message: String| PrefilterError::Build {
            count: keywords.len(),
            message,
        };
        let patterns = keywords
            .iter()
            .enumerate()
            .map(|(id, keyword)| {
                // Every byte hex-escaped: keywords are literals, never regex syntax.
                let expression = keyword
                    .bytes()
                    .flat_map(|b| format!("\\x{b:02x}").into_bytes())
                    .collect();
                let id = u32::try_from(id).map_err(|err| build_error(err.to_string()))?;
                Ok(Pattern::new(expression, Flag::default(), Some(id)))
            })
            .collect::<Result<Vec<_>, PrefilterError>>()?;
        let database = BlockDatabase::new(patterns).map_err(|err| build_error(err.to_string()))?;
        Ok(Self {
            database,
            lengths: keywords.iter().map(String::len).collect(),
        })
    }
}

impl Prefilter for VectorscanPrefilter {
    fn shard_count(&self) -> usize {
        1
    }

    fn for_each_hit(
        &self,
        shard: usize,
        haystack: &[u8],
        from: usize,
        on_hit: &mut dyn FnMut(KeywordHit) -> bool,
    ) {
        let Some(data) = haystack.get(from..) else {
            return;
        };
        if shard != 0 || data.is_empty() {
            return;
        }
        let Ok(mut scanner) = BlockScanner::new(&self.database) else {
            return;
        };
        let mut all: Vec<KeywordHit> = Vec::new();
        let scanned = scanner.scan(data, |id, _from, to, _flags| {
            let len = self.lengths.get(id as usize).copied().unwrap_or(0);
            let end = from + usize::try_from(to).unwrap_or(usize::MAX);
            all.push(KeywordHit {
                keyword: id,
                start: end.saturating_sub(len),
                end,
            });
            Scan::Continue
        });
        if scanned.is_err() {
            return;
        }
        // Leftmost first, longest among equal starts, then skip overlaps: the same
        // hits Aho-Corasick's leftmost-longest iterator reports.
        all.sort_unstable_by_key(|h| (h.start, std::cmp::Reverse(h.end), h.keyword));
        let mut next_free = from;
        for hit in all {
            if hit.start < next_free {
                continue;
            }
            next_free = hit.end;
            if !on_hit(hit) {
                return;
            }
        }
    }

    fn name(&self) -> &'static str {
        "vectorscan"
    }
}
