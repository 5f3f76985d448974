//! Turns every occurrence of every keyword into exactly the hits the Aho-Corasick back
//! end reports, so that a back end which finds all keywords in one pass (shift-or,
//! vectorscan) gives the scanner the same windows and therefore the same findings.
//!
//! The Aho-Corasick back end searches each shard of [`teddy_layout`] on its own and
//! reports, within a shard, the leftmost-longest non-overlapping hits from a resume
//! point on. Given all occurrences sorted by shard, start and longest first, the same
//! hits are the first occurrence of each shard at or after the shard's resume point,
//! then the first at or after that hit's end, and so on.

use std::cmp::Reverse;

use super::prefilter::KeywordHit;
use super::teddy_layout;

/// The shard of every keyword, as the Aho-Corasick back end lays them out.
#[derive(Debug, Clone)]
pub(crate) struct ShardMap {
    shard_of: Vec<usize>,
    count: usize,
}

impl ShardMap {
    /// The layout of `keywords` (indices are keyword ids).
    pub(crate) fn new(keywords: &[String]) -> Self {
        let bytes: Vec<&[u8]> = keywords.iter().map(String::as_bytes).collect();
        let shards = teddy_layout::layout(&bytes);
        let mut shard_of = vec![usize::MAX; keywords.len()];
        for (shard, members) in shards.iter().enumerate() {
            for &keyword in members {
                if let Some(slot) = shard_of.get_mut(keyword) {
                    *slot = shard;
                }
            }
        }
        Self {
            shard_of,
            count: shards.len(),
        }
    }

    /// Number of shards.
    pub(crate) fn count(&self) -> usize {
        self.count
    }

    /// The shard of keyword `keyword`.
    pub(crate) fn shard_of(&self, keyword: u32) -> Option<usize> {
        self.shard_of.get(keyword as usize).copied()
    }

    /// An occurrence of `keyword` over `start..end`, with its shard.
    pub(crate) fn occurrence(&self, keyword: u32, start: usize, end: usize) -> Option<Occurrence> {
        Some(Occurrence {
            shard: self.shard_of(keyword)?,
            hit: KeywordHit {
                keyword,
                start,
                end,
            },
        })
    }
}

/// One keyword occurrence before the leftmost-longest reduction.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Occurrence {
    /// Shard of the keyword.
    pub shard: usize,
    /// Where it is.
    pub hit: KeywordHit,
}

/// Sort one batch of occurrences for the reductions below: by shard, start, longest
/// first. Batches must partition the start positions and arrive in position order.
pub(crate) fn sort_batch(found: &mut [Occurrence]) {
    found.sort_unstable_by_key(|o| (o.shard, o.hit.start, Reverse(o.hit.end), o.hit.keyword));
}

/// Hand the hits of `shard` in a sorted batch to `on_hit`, from `next_free` on, and
/// advance `next_free` past each. Returns `false` when `on_hit` asked to stop.
pub(crate) fn take_shard(
    found: &[Occurrence],
    shard: usize,
    next_free: &mut usize,
    on_hit: &mut dyn FnMut(KeywordHit) -> bool,
) -> bool {
    for occurrence in found.iter().filter(|o| o.shard == shard) {
        let hit = occurrence.hit;
        if hit.start < *next_free {
            continue;
        }
        *next_free = hit.end;
        if !on_hit(hit) {
            return false;
        }
    }
    true
}

/// Append the hits of every shard in a sorted batch to `hits`: shard `s` from
/// `resume[s]` on, which becomes the end of the last hit taken from it.
pub(crate) fn take_all(found: &[Occurrence], resume: &mut [usize], hits: &mut Vec<KeywordHit>) {
    for occurrence in found {
        let Some(next_free) = resume.get_mut(occurrence.shard) else {
            continue;
        };
        // Leftmost first, then longest: the first occurrence at or after the shard's
        // resume point is its next hit; the search resumes after it.
        if occurrence.hit.start < *next_free {
            continue;
        }
        *next_free = occurrence.hit.end;
        hits.push(occurrence.hit);
    }
}

/// Source of all occurrences starting in `lo..` (up to a limit the closure knows),
/// delivered in sorted batches to the callback, which returns `false` to stop.
pub(crate) type Batches<'a> = &'a mut dyn FnMut(&[Occurrence]) -> bool;

/// [`Prefilter::for_each_hit`](super::prefilter::Prefilter::for_each_hit) over a
/// source of occurrences: the hits of `shard` from `from` on. Returns the source's
/// outcome and the point past the last hit delivered, or `None` when there is nothing
/// to search.
pub(crate) fn for_each_hit<R>(
    shards: &ShardMap,
    shard: usize,
    haystack_len: usize,
    from: usize,
    on_hit: &mut dyn FnMut(KeywordHit) -> bool,
    occurrences: impl FnOnce(usize, Batches<'_>) -> R,
) -> Option<(R, usize)> {
    if shard >= shards.count() || from > haystack_len {
        return None;
    }
    let mut next_free = from;
    let outcome = occurrences(from, &mut |found| {
        take_shard(found, shard, &mut next_free, on_hit)
    });
    Some((outcome, next_free))
}

/// [`Prefilter::collect_hits`](super::prefilter::Prefilter::collect_hits) over a
/// source of occurrences, searched from the lowest resume point.
pub(crate) fn collect_hits<R>(
    resume: &mut [usize],
    hits: &mut Vec<KeywordHit>,
    occurrences: impl FnOnce(usize, Batches<'_>) -> R,
) -> R {
    let lo = resume.iter().copied().min().unwrap_or(0);
    occurrences(lo, &mut |found| {
        take_all(found, resume, hits);
        true
    })
}
