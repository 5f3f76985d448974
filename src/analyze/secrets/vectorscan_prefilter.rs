//! The optional vectorscan (Hyperscan fork) keyword prefilter, behind the cargo feature
//! `vectorscan`: stage one of the scanner, like [`AhoCorasickPrefilter`], and a drop-in
//! for it.
//!
//! Why keywords and not the rules' regexes: the scanner's findings are defined by the
//! keyword hits (a rule's regex runs only in the window around a hit of one of its
//! keywords, and leftmost-longest search hides some hits), so a back end that is to
//! report identical findings must report identical hits. A "which rules may match in
//! this chunk" filter over the full regexes would also cost more than it saves: the
//! tuned Aho-Corasick keyword pass already runs at about the speed research measured for
//! that filter, and most of the scanner's time is that pass, not the regex confirmation.
//!
//! What vectorscan buys: one pass over the data finds the keywords of every shard, where
//! Aho-Corasick needs one pass per shard (shards keep its SIMD searcher fast). Vectorscan
//! reports every occurrence of every keyword; this module reduces them to exactly the
//! hits the Aho-Corasick back end reports: the same shards (from
//! [`teddy_layout`](super::teddy_layout)), and
//! within a shard the leftmost-longest, non-overlapping hits from the resume point on.
//! Measured (`secrets_bench --backend …`, 336 MB of /usr text, one core, a loaded
//! machine): keyword pass 1.8–2.6 GB/s against 1.2–1.6 GB/s, text scan 1.05–1.5 GB/s
//! against 0.8–1.0 GB/s, same findings digest. Binaries cost the same on both: their
//! time is the printable-strings extraction.
//!
//! Fail closed: if vectorscan cannot scan (scratch allocation or a scan error), the hits
//! come from an Aho-Corasick prefilter over the same keywords, so an error never
//! silences a scan.

use vectorscan_rs::{BlockDatabase, BlockScanner, Flag, Pattern, Scan};

use super::prefilter::{AhoCorasickPrefilter, KeywordHit, Prefilter, PrefilterError};
use super::shard_hits::{self, Occurrence, ShardMap};

/// Bytes of starting positions handed to one vectorscan call: bounds the occurrences
/// held at once (a keyword repeated over a whole block would otherwise mean millions).
const SEGMENT: usize = 256 * 1024;

/// vectorscan block-mode database over all keywords, with the Aho-Corasick shard map.
#[derive(Debug)]
pub struct VectorscanPrefilter {
    database: BlockDatabase,
    /// Byte length of each keyword.
    lengths: Vec<usize>,
    /// Shard of each keyword (the Aho-Corasick back end's layout).
    shards: ShardMap,
    max_len: usize,
    /// Used only when vectorscan fails at scan time.
    fallback: AhoCorasickPrefilter,
}

/// Whether the occurrences were all delivered or vectorscan failed part way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Delivery {
    Complete,
    Stopped,
    Failed,
}

impl VectorscanPrefilter {
    /// Compile the keywords as literal patterns (every byte hex-escaped, so a keyword is
    /// never read as regex syntax).
    pub fn new(keywords: &[String]) -> Result<Self, PrefilterError> {
        let build_error = |message: String| PrefilterError::Build {
            count: keywords.len(),
            message,
        };
        let patterns = keywords
            .iter()
            .enumerate()
            .map(|(id, keyword)| {
                let expression = keyword
                    .bytes()
                    .flat_map(|b| format!("\\x{b:02x}").into_bytes())
                    .collect();
                let id = u32::try_from(id).map_err(|err| build_error(err.to_string()))?;
                Ok(Pattern::new(expression, Flag::empty(), Some(id)))
            })
            .collect::<Result<Vec<_>, PrefilterError>>()?;
        let database = BlockDatabase::new(patterns).map_err(|err| build_error(err.to_string()))?;
        Ok(Self {
            database,
            lengths: keywords.iter().map(String::len).collect(),
            shards: ShardMap::new(keywords),
            max_len: keywords.iter().map(String::len).max().unwrap_or(0),
            fallback: AhoCorasickPrefilter::new(keywords)?,
        })
    }

    /// Hand every keyword occurrence that lies in `haystack[lo..]` and starts below
    /// `limit` to `each`, one segment of start positions at a time, in segment order
    /// and sorted by shard, start, longest first within a segment. Because segments
    /// partition the start positions, a leftmost-longest pass over the segments in order
    /// equals one over all occurrences. `each` returns `false` to stop.
    fn occurrences(
        &self,
        haystack: &[u8],
        lo: usize,
        limit: usize,
        each: &mut dyn FnMut(&[Occurrence]) -> bool,
    ) -> Delivery {
        let limit = limit.min(haystack.len());
        let reach = self.max_len.saturating_sub(1);
        let Ok(mut scanner) = BlockScanner::new(&self.database) else {
            return Delivery::Failed;
        };
        let mut found = Vec::new();
        let mut start = lo;
        while start < limit {
            // Occurrences starting in [start, own_end) end by own_end + reach.
            let own_end = start.saturating_add(SEGMENT).min(limit);
            let end = own_end.saturating_add(reach).min(haystack.len());
            let Some(data) = haystack.get(start..end) else {
                return Delivery::Failed;
            };
            found.clear();
            let outcome = scanner.scan(data, |id, _from, to, _flags| {
                if let Some(&len) = self.lengths.get(id as usize) {
                    let end = start + usize::try_from(to).unwrap_or(usize::MAX);
                    let begin = end.saturating_sub(len);
                    if begin < own_end
                        && let Some(occurrence) = self.shards.occurrence(id, begin, end)
                    {
                        found.push(occurrence);
                    }
                }
                Scan::Continue
            });
            if outcome.is_err() {
                return Delivery::Failed;
            }
            shard_hits::sort_batch(&mut found);
            if !each(&found) {
                return Delivery::Stopped;
            }
            start = own_end;
        }
        Delivery::Complete
    }
}

impl Prefilter for VectorscanPrefilter {
    fn shard_count(&self) -> usize {
        self.shards.count()
    }

    fn for_each_hit(
        &self,
        shard: usize,
        haystack: &[u8],
        from: usize,
        on_hit: &mut dyn FnMut(KeywordHit) -> bool,
    ) {
        let searched = shard_hits::for_each_hit(
            &self.shards,
            shard,
            haystack.len(),
            from,
            on_hit,
            |lo, each| self.occurrences(haystack, lo, haystack.len(), each),
        );
        if let Some((Delivery::Failed, next_free)) = searched {
            // Every hit before `next_free` was delivered; Aho-Corasick goes on from there.
            self.fallback
                .for_each_hit(shard, haystack, next_free, on_hit);
        }
    }

    /// All shards from one vectorscan pass.
    fn collect_hits(
        &self,
        haystack: &[u8],
        resume: &mut [usize],
        limit: usize,
        hits: &mut Vec<KeywordHit>,
    ) {
        let delivery = shard_hits::collect_hits(resume, hits, |lo, each| {
            self.occurrences(haystack, lo, limit, each)
        });
        if delivery == Delivery::Failed {
            // Each shard's resume point is past every hit delivered so far.
            self.fallback.collect_hits(haystack, resume, limit, hits);
        }
    }

    fn name(&self) -> &'static str {
        "vectorscan"
    }
}
