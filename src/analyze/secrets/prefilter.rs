//! Stage one of the scanner: find keyword hits fast. The scanner only runs a rule's
//! regex near a hit of one of that rule's keywords.
//!
//! The default back end is Aho-Corasick over case-sensitive keywords, built as a DFA with
//! leftmost-longest semantics so its packed (SIMD "Teddy") prefilter applies. The trait
//! keeps the door open for a second back end (vectorscan) behind a cargo feature.

use aho_corasick::{AhoCorasick, AhoCorasickKind, Input, MatchKind};

/// One keyword occurrence in a haystack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeywordHit {
    /// Index into the keyword list the prefilter was built from.
    pub keyword: u32,
    /// Byte offset of the first keyword byte.
    pub start: usize,
    /// Byte offset one past the last keyword byte.
    pub end: usize,
}

/// A keyword finder split into independent shards. Within a shard, implementations
/// report hits whose start is at or after `from`, in increasing start order,
/// non-overlapping and leftmost-longest, and stop as soon as `on_hit` returns `false`.
/// Shards exist so that each automaton stays small enough for its SIMD prefilter.
pub trait Prefilter: Send + Sync + std::fmt::Debug {
    /// Number of shards.
    fn shard_count(&self) -> usize;

    /// Report the hits of shard `shard` in `haystack[from..]`.
    fn for_each_hit(
        &self,
        shard: usize,
        haystack: &[u8],
        from: usize,
        on_hit: &mut dyn FnMut(KeywordHit) -> bool,
    );

    /// A short name of the back end for reports and benchmarks.
    fn name(&self) -> &'static str;
}

/// Error building a prefilter.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum PrefilterError {
    /// The automaton could not be built (too large).
    #[error("failed to build the keyword automaton over {count} keywords: {message}")]
    #[diagnostic(
        code(imgguard::secrets::prefilter),
        help("reduce the number or length of rule keywords")
    )]
    Build {
        /// Number of keywords.
        count: usize,
        /// Builder message.
        message: String,
    },
}

/// Keywords per shard for short (under 5 bytes) and for longer keywords. Measured on
/// /usr/include text: mixing short and long keywords in one packed (Teddy) searcher, or
/// putting more than a few dozen in one, costs far more than an extra pass; short
/// keywords in shards of 16 and long ones in shards of 32 scanned ~1 GB/s per core where
/// three mixed shards of 53 managed ~0.45 GB/s.
pub const SHORT_SHARD_SIZE: usize = 16;
/// See [`SHORT_SHARD_SIZE`].
pub const LONG_SHARD_SIZE: usize = 32;
/// Keywords shorter than this go to the short shards.
const SHORT_KEYWORD: usize = 5;

/// A keyword with its global index.
type IndexedKeyword<'a> = (u32, &'a String);

/// Aho-Corasick keyword prefilter (the default, pure Rust).
#[derive(Debug, Clone)]
pub struct AhoCorasickPrefilter {
    shards: Vec<Shard>,
}

#[derive(Debug, Clone)]
struct Shard {
    automaton: AhoCorasick,
    /// Global keyword index of each pattern of this shard.
    keyword_ids: Vec<u32>,
}

impl AhoCorasickPrefilter {
    /// Build over the given keywords (case-sensitive), sharded by length.
    pub fn new(keywords: &[String]) -> Result<Self, PrefilterError> {
        let indexed: Vec<IndexedKeyword<'_>> = keywords
            .iter()
            .enumerate()
            .map(|(i, k)| (u32::try_from(i).unwrap_or(u32::MAX), k))
            .collect();
        let (short, long): (Vec<IndexedKeyword<'_>>, Vec<IndexedKeyword<'_>>) = indexed
            .into_iter()
            .partition(|(_, k)| k.len() < SHORT_KEYWORD);
        // Balanced chunks: a tiny last shard would cost a whole pass for a few keywords.
        let balanced = |n: usize, max: usize| n.div_ceil(n.div_ceil(max).max(1)).max(1);
        let groups = short
            .chunks(balanced(short.len(), SHORT_SHARD_SIZE))
            .chain(long.chunks(balanced(long.len(), LONG_SHARD_SIZE)));
        let mut shards = Vec::new();
        for group in groups {
            let automaton = AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .kind(Some(AhoCorasickKind::DFA))
                .prefilter(true)
                .build(group.iter().map(|(_, k)| k.as_bytes()))
                .map_err(|err| PrefilterError::Build {
                    count: keywords.len(),
                    message: err.to_string(),
                })?;
            shards.push(Shard {
                automaton,
                keyword_ids: group.iter().map(|(id, _)| *id).collect(),
            });
        }
        Ok(Self { shards })
    }
}

impl Prefilter for AhoCorasickPrefilter {
    fn shard_count(&self) -> usize {
        self.shards.len()
    }

    fn for_each_hit(
        &self,
        shard: usize,
        haystack: &[u8],
        from: usize,
        on_hit: &mut dyn FnMut(KeywordHit) -> bool,
    ) {
        let Some(shard) = self.shards.get(shard) else {
            return;
        };
        if from > haystack.len() {
            return;
        }
        let input = Input::new(haystack).range(from..);
        for found in shard.automaton.find_iter(input) {
            let hit = KeywordHit {
                keyword: shard
                    .keyword_ids
                    .get(found.pattern().as_usize())
                    .copied()
                    .unwrap_or(u32::MAX),
                start: found.start(),
                end: found.end(),
            };
            if !on_hit(hit) {
                return;
            }
        }
    }

    fn name(&self) -> &'static str {
        "aho-corasick"
    }
}
