//! Stage one of the scanner: find keyword hits fast. The scanner only runs a rule's
//! regex near a hit of one of that rule's keywords.
//!
//! The reference back end is Aho-Corasick over case-sensitive keywords, built as a DFA
//! with leftmost-longest semantics so its packed (SIMD "Teddy") prefilter applies, in
//! shards laid out by [`teddy_layout`]; its hits define what every back end reports.
//! The default back end, shift-or (`shift_or_prefilter`), finds all shards' keywords in
//! one pass and reports the same hits; so does vectorscan (cargo feature `vectorscan`,
//! `vectorscan_prefilter`). [`Backend`] picks one.

use aho_corasick::{AhoCorasick, AhoCorasickKind, Input, MatchKind};

use super::teddy_layout;

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

    /// Append the hits of every shard that start before `limit` to `hits` (in no
    /// particular order), searching shard `s` from `resume[s]`; afterwards `resume[s]`
    /// is the end of the last hit taken from shard `s` (unchanged when none). A back
    /// end that finds all shards in one pass overrides this with the same hits.
    fn collect_hits(
        &self,
        haystack: &[u8],
        resume: &mut [usize],
        limit: usize,
        hits: &mut Vec<KeywordHit>,
    ) {
        for (shard, from) in resume.iter_mut().enumerate() {
            self.for_each_hit(shard, haystack, *from, &mut |hit| {
                if hit.start >= limit {
                    return false;
                }
                *from = hit.end;
                hits.push(hit);
                true
            });
        }
    }

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

/// Which prefilter back end a [`Scanner`](super::Scanner) uses. All report the same
/// hits, so the findings do not depend on the choice, only the speed does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Aho-Corasick shards, pure Rust; always built; the reference.
    AhoCorasick,
    /// One-pass bucketed shift-or, pure Rust; always built; the default without
    /// vectorscan.
    ShiftOr,
    /// vectorscan, built with the cargo feature `vectorscan` (the default when built).
    #[cfg(feature = "vectorscan")]
    Vectorscan,
}

impl Default for Backend {
    fn default() -> Self {
        #[cfg(feature = "vectorscan")]
        return Self::Vectorscan;
        #[cfg(not(feature = "vectorscan"))]
        return Self::ShiftOr;
    }
}

impl Backend {
    /// Every back end built into this binary.
    pub const ALL: &'static [Backend] = &[
        Self::AhoCorasick,
        Self::ShiftOr,
        #[cfg(feature = "vectorscan")]
        Self::Vectorscan,
    ];

    /// The back end's name, as [`Prefilter::name`] reports it.
    pub fn name(self) -> &'static str {
        match self {
            Self::AhoCorasick => "aho-corasick",
            Self::ShiftOr => "shift-or",
            #[cfg(feature = "vectorscan")]
            Self::Vectorscan => "vectorscan",
        }
    }

    /// The built-in back end with this name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|b| b.name() == name)
    }

    /// Build this back end over `keywords`, which must be distinct (as
    /// [`Scanner::keywords_of`](super::Scanner::keywords_of) returns them): back ends
    /// may report a duplicated keyword under either id.
    pub fn build(self, keywords: &[String]) -> Result<Box<dyn Prefilter>, PrefilterError> {
        Ok(match self {
            Self::AhoCorasick => Box::new(AhoCorasickPrefilter::new(keywords)?),
            Self::ShiftOr => Box::new(super::shift_or_prefilter::ShiftOrPrefilter::new(keywords)?),
            #[cfg(feature = "vectorscan")]
            Self::Vectorscan => Box::new(super::vectorscan_prefilter::VectorscanPrefilter::new(
                keywords,
            )?),
        })
    }
}

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
    /// Build over the given keywords (case-sensitive), sharded and ordered by
    /// [`teddy_layout`] so every shard keeps its SIMD searcher fast.
    pub fn new(keywords: &[String]) -> Result<Self, PrefilterError> {
        let bytes: Vec<&[u8]> = keywords.iter().map(String::as_bytes).collect();
        let mut shards = Vec::new();
        for group in teddy_layout::layout(&bytes) {
            let automaton = AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .kind(Some(AhoCorasickKind::DFA))
                .prefilter(true)
                .build(group.iter().filter_map(|&i| bytes.get(i)))
                .map_err(|err| PrefilterError::Build {
                    count: keywords.len(),
                    message: err.to_string(),
                })?;
            shards.push(Shard {
                automaton,
                keyword_ids: group
                    .iter()
                    .map(|&i| u32::try_from(i).unwrap_or(u32::MAX))
                    .collect(),
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
