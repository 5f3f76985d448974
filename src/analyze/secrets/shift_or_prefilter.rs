//! The default keyword prefilter, stage one of the scanner: one pass over the data
//! finds every occurrence of every keyword, then [`shard_hits`] reduces them to exactly
//! the hits the Aho-Corasick back end reports, so the findings do not depend on the
//! back end.
//!
//! Why not Aho-Corasick's own SIMD searcher (Teddy): it keeps eight buckets of nibble
//! masks over four leading bytes, so about 32 keywords per searcher before false
//! candidates swamp it; the ~155 built-in keywords need six passes over every byte,
//! and those passes were the scanner's limit (1.1–1.3 GB/s on text however they were
//! laid out). This filter is the bucketed shift-or of Hyperscan's FDR matcher: each
//! keyword goes into one of eight buckets, and a table indexed by a two-byte
//! "superchar" (a byte plus the low nibble of the next byte) says, for each bucket and
//! each of the first eight keyword positions, whether that superchar may stand there.
//! OR-ing the table entries of eight consecutive positions, each shifted by its
//! position, leaves a zero bit exactly where some keyword of a bucket may end its first
//! eight bytes; only those candidates are compared with the keywords. All keywords are
//! checked in one pass of about five instructions per byte, with 12-bit superchars
//! selective enough that true hits dominate the candidates.
//!
//! Measured (`secrets_bench --backend …`, 336 MB of /usr text, one core): keyword pass
//! 1.6–1.8 GB/s against 1.1–1.3 GB/s for the Aho-Corasick shards, same hits.
//!
//! Hostile input: work is linear in the data times the largest bucket, memory is
//! bounded by scanning in segments of start positions, and every table or slice access
//! is checked (a failed check only widens the candidates, never drops one).

use super::prefilter::{KeywordHit, Prefilter, PrefilterError};
use super::shard_hits::{self, Occurrence, ShardMap};

/// Bits of a superchar: a whole byte and the low nibble of the next one.
const DOMAIN_BITS: u32 = 12;
/// Entries of the reach table (32 KiB of `u64`, about one L1 data cache).
const DOMAIN: usize = 1 << DOMAIN_BITS;
const DOMAIN_MASK: usize = DOMAIN - 1;
/// Buckets: one bit per bucket in each byte of a reach entry.
const BUCKETS: usize = 8;
/// Leading keyword bytes the filter checks: one byte of a reach entry per position.
const WINDOW: usize = 8;
/// Keywords shorter than this do not share a bucket with longer ones: a short keyword
/// leaves its bucket's earlier positions open, so the bucket would filter little.
const SHORT: usize = 4;
/// Start positions handed over per batch: bounds the occurrences held at once (a
/// keyword repeated through a hostile file is one occurrence every few bytes).
const SEGMENT: usize = 64 * 1024;

/// The keywords of one bucket whose windows have one length: a candidate gives their
/// common start, and `first` finds the few whose first byte is there (`memchr`) before
/// any whole comparison.
#[derive(Debug, Clone, Default)]
struct WindowGroup {
    window: usize,
    first: Vec<u8>,
    ids: Vec<u32>,
}

/// One-pass bucketed shift-or keyword prefilter (see the module docs).
#[derive(Debug, Clone)]
pub struct ShiftOrPrefilter {
    /// Per superchar: bit `8 * k + b` is clear when bucket `b` has a keyword whose byte
    /// `k` positions before the end of its window may be this superchar.
    reach: Box<[u64; DOMAIN]>,
    /// The keywords of each bucket, grouped by window length.
    buckets: [Vec<WindowGroup>; BUCKETS],
    keywords: Vec<Box<[u8]>>,
    shards: ShardMap,
    max_len: usize,
}

impl ShiftOrPrefilter {
    /// Build over the given keywords (case-sensitive). Empty keywords never match.
    pub fn new(keywords: &[String]) -> Result<Self, PrefilterError> {
        let bytes: Vec<Box<[u8]>> = keywords.iter().map(|k| k.as_bytes().into()).collect();
        let len_of = |id: u32| bytes.get(id as usize).map_or(0, |k| k.len());
        let mut order: Vec<u32> = (0..keywords.len())
            .filter_map(|i| u32::try_from(i).ok())
            .filter(|&id| len_of(id) > 0)
            .collect();
        // Alike lengths together: a bucket filters on as many positions as its
        // shortest keyword has.
        order.sort_by(|&a, &b| {
            (len_of(a).min(WINDOW), bytes.get(a as usize))
                .cmp(&(len_of(b).min(WINDOW), bytes.get(b as usize)))
        });
        let per_bucket = order.len().div_ceil(BUCKETS).max(1);
        let mut buckets: [Vec<u32>; BUCKETS] = Default::default();
        let mut bucket = 0usize;
        for id in order {
            let current = buckets.get(bucket).map_or(&[][..], Vec::as_slice);
            let after_short = current.last().is_some_and(|&last| len_of(last) < SHORT);
            if current.len() >= per_bucket || (after_short && len_of(id) >= SHORT) {
                bucket = (bucket + 1).min(BUCKETS - 1);
            }
            if let Some(members) = buckets.get_mut(bucket) {
                members.push(id);
            }
        }
        let mut reach: Box<[u64; DOMAIN]> = vec![u64::MAX; DOMAIN]
            .into_boxed_slice()
            .try_into()
            .map_err(|_| PrefilterError::Build {
                count: keywords.len(),
                message: "reach table of the wrong size".to_owned(),
            })?;
        for (b, members) in buckets.iter().enumerate() {
            for keyword in members.iter().filter_map(|&id| bytes.get(id as usize)) {
                allow_keyword(&mut reach, b, keyword);
            }
        }
        let buckets = buckets.map(|members| {
            let mut groups: Vec<WindowGroup> = Vec::new();
            for id in members {
                let Some(keyword) = bytes.get(id as usize) else {
                    continue;
                };
                let (window, first) = (keyword.len().min(WINDOW), keyword.first().copied());
                let Some(first) = first else {
                    continue;
                };
                if !groups.iter().any(|g| g.window == window) {
                    groups.push(WindowGroup {
                        window,
                        ..WindowGroup::default()
                    });
                }
                if let Some(group) = groups.iter_mut().find(|g| g.window == window) {
                    group.first.push(first);
                    group.ids.push(id);
                }
            }
            groups
        });
        Ok(Self {
            reach,
            buckets,
            shards: ShardMap::new(keywords),
            max_len: keywords.iter().map(String::len).max().unwrap_or(0),
            keywords: bytes,
        })
    }

    /// Hand every keyword occurrence that starts in `haystack[lo..limit]` to `each`, one
    /// segment of start positions at a time, in segment order and sorted for
    /// [`shard_hits`]. Returns `false` when `each` asked to stop.
    fn occurrences(
        &self,
        haystack: &[u8],
        lo: usize,
        limit: usize,
        each: &mut dyn FnMut(&[Occurrence]) -> bool,
    ) -> bool {
        let limit = limit.min(haystack.len());
        let reach = self.max_len.saturating_sub(1);
        let mut found = Vec::new();
        let mut start = lo;
        while start < limit {
            // Occurrences starting in [start, own_end) end by own_end + reach.
            let own_end = start.saturating_add(SEGMENT).min(limit);
            let end = own_end.saturating_add(reach).min(haystack.len());
            let Some(data) = haystack.get(start..end) else {
                break;
            };
            found.clear();
            self.scan(data, &mut |keyword, at| {
                let begin = start + at;
                let len = self.keywords.get(keyword as usize).map_or(0, |k| k.len());
                if begin < own_end
                    && let Some(occurrence) = self.shards.occurrence(keyword, begin, begin + len)
                {
                    found.push(occurrence);
                }
            });
            shard_hits::sort_batch(&mut found);
            if !each(&found) {
                return false;
            }
            start = own_end;
        }
        true
    }

    /// Report `(keyword, start)` for every occurrence that lies wholly in `data`, in
    /// order of the end of each keyword's window.
    fn scan(&self, data: &[u8], report: &mut dyn FnMut(u32, usize)) {
        let (at, carry) = self.scan_blocks(data, report);
        let rest = data.get(at..).unwrap_or_default();
        if !rest.is_empty() {
            let mut padded = [0u8; 9];
            for (slot, byte) in padded.iter_mut().zip(rest) {
                *slot = *byte;
            }
            let (low, _) = self.block_portable(&padded, carry);
            // Positions past the end are no candidates (`rest` is 1..=8 bytes).
            let past_end =
                u32::try_from(rest.len()).map_or(0, |n| u64::MAX.checked_shl(8 * n).unwrap_or(0));
            let low = low | past_end;
            if low != u64::MAX {
                self.confirm(data, at, low, report);
            }
        }
    }

    /// The whole nine-byte blocks of `data`, eight positions at a time; returns where
    /// the blocks ended and the carry into the rest. The carry stays in a vector
    /// register: moving it through a general register each block doubled the time.
    #[cfg(target_arch = "x86_64")]
    fn scan_blocks(&self, data: &[u8], report: &mut dyn FnMut(u32, usize)) -> (usize, u64) {
        use safe_arch::{
            bitor_m128i, byte_shr_imm_u128_m128i, get_i64_from_m128i_s, set_i64_m128i_s,
        };
        // Zero: positions before `data` may be anything, which costs a few candidates
        // at the start and never misses one.
        let mut carry = 0u64;
        let mut at = 0usize;
        // Candidates wait in a small array and the state lives only in the inner loop:
        // with a call inside the loop the compiler kept the state in memory, which
        // slowed every block.
        let mut pending = [(0usize, 0u64); 32];
        loop {
            let mut state = set_i64_m128i_s(carry.cast_signed());
            let mut count = 0usize;
            let mut more = true;
            while count < pending.len() {
                let Some(block) = data.get(at..).and_then(<[u8]>::first_chunk::<9>) else {
                    more = false;
                    break;
                };
                let v = bitor_m128i(self.spread(block), state);
                let low = get_i64_from_m128i_s(v).cast_unsigned();
                if low != u64::MAX
                    && let Some(slot) = pending.get_mut(count)
                {
                    *slot = (at, low);
                    count += 1;
                }
                state = byte_shr_imm_u128_m128i::<8>(v);
                at += WINDOW;
            }
            carry = get_i64_from_m128i_s(state).cast_unsigned();
            for &(base, low) in pending.get(..count).unwrap_or_default() {
                self.confirm(data, base, low, report);
            }
            if !more {
                break;
            }
        }
        (at, carry)
    }

    #[cfg(not(target_arch = "x86_64"))]
    fn scan_blocks(&self, data: &[u8], report: &mut dyn FnMut(u32, usize)) -> (usize, u64) {
        let mut carry = 0u64;
        let mut at = 0usize;
        while let Some(block) = data.get(at..).and_then(<[u8]>::first_chunk::<9>) {
            let (low, next) = self.block_portable(block, carry);
            if low != u64::MAX {
                self.confirm(data, at, low, report);
            }
            carry = next;
            at += WINDOW;
        }
        (at, carry)
    }

    /// The reach entry of the superchar at `block[j]`.
    #[inline]
    fn reach_at(&self, block: &[u8; 9], j: usize) -> u64 {
        let pair = block
            .get(j..)
            .and_then(<[u8]>::first_chunk::<2>)
            .map_or(0, |pair| usize::from(u16::from_le_bytes(*pair)));
        self.reach.get(pair & DOMAIN_MASK).copied().unwrap_or(0)
    }

    /// The reach entries of the eight positions of `block`, each shifted to its
    /// position (its ninth byte completes the last superchar). OR-ed with the carry,
    /// byte `t` bit `b` clear means a keyword of bucket `b` may end its window at
    /// position `t`; the high half is the carry into the next block.
    #[cfg(target_arch = "x86_64")]
    #[inline]
    fn spread(&self, block: &[u8; 9]) -> safe_arch::m128i {
        use safe_arch::{bitor_m128i, byte_shl_imm_u128_m128i as shl, set_i64_m128i_s as from64};
        let at = |j: usize| from64(self.reach_at(block, j).cast_signed());
        bitor_m128i(
            bitor_m128i(
                bitor_m128i(at(0), shl::<1>(at(1))),
                bitor_m128i(shl::<2>(at(2)), shl::<3>(at(3))),
            ),
            bitor_m128i(
                bitor_m128i(shl::<4>(at(4)), shl::<5>(at(5))),
                bitor_m128i(shl::<6>(at(6)), shl::<7>(at(7))),
            ),
        )
    }

    /// One block without SIMD: the candidate bits of its eight positions and the carry
    /// into the next block. The tail of every scan, the loop on other targets, and the
    /// oracle for the SIMD loop in tests.
    fn block_portable(&self, block: &[u8; 9], carry: u64) -> (u64, u64) {
        let mut v = u128::from(carry);
        for j in 0..WINDOW {
            v |= u128::from(self.reach_at(block, j)) << (8 * j);
        }
        let low = u64::try_from(v & u128::from(u64::MAX)).unwrap_or(0);
        let high = u64::try_from(v >> 64).unwrap_or(0);
        (low, high)
    }

    /// Compare the keywords of each candidate (position, bucket) in `low` with `data`.
    #[inline(never)]
    fn confirm(&self, data: &[u8], base: usize, low: u64, report: &mut dyn FnMut(u32, usize)) {
        let mut open = !low;
        while open != 0 {
            let bit = open.trailing_zeros() as usize;
            open &= open - 1;
            let window_end = base + bit / 8;
            let Some(groups) = self.buckets.get(bit % 8) else {
                continue;
            };
            for group in groups {
                let Some(start) = (window_end + 1).checked_sub(group.window) else {
                    continue;
                };
                let Some(&byte) = data.get(start) else {
                    continue;
                };
                for index in memchr::memchr_iter(byte, &group.first) {
                    let Some((&id, keyword)) = group
                        .ids
                        .get(index)
                        .and_then(|id| Some((id, self.keywords.get(*id as usize)?)))
                    else {
                        continue;
                    };
                    if data.get(start..start + keyword.len()) == Some(&keyword[..]) {
                        report(id, start);
                    }
                }
            }
        }
    }
}

/// Clear, for bucket `bucket`, the reach bits that let `keyword` match: position `k`
/// before the end of its window takes the keyword's byte there and, when the keyword
/// goes on, the low nibble of its next byte; positions before a short keyword's start
/// take anything.
fn allow_keyword(reach: &mut [u64; DOMAIN], bucket: usize, keyword: &[u8]) {
    let window = keyword.len().min(WINDOW);
    for k in 0..WINDOW {
        let bit = 1u64 << (8 * k + bucket);
        let Some(offset) = (window - 1).checked_sub(k) else {
            for entry in reach.iter_mut() {
                *entry &= !bit;
            }
            continue;
        };
        let Some(&byte) = keyword.get(offset) else {
            continue;
        };
        match keyword.get(offset + 1) {
            Some(&next) => {
                let superchar = usize::from(u16::from_le_bytes([byte, next])) & DOMAIN_MASK;
                if let Some(entry) = reach.get_mut(superchar) {
                    *entry &= !bit;
                }
            }
            None => {
                for next in 0..=u8::MAX {
                    let superchar = usize::from(u16::from_le_bytes([byte, next])) & DOMAIN_MASK;
                    if let Some(entry) = reach.get_mut(superchar) {
                        *entry &= !bit;
                    }
                }
            }
        }
    }
}

impl Prefilter for ShiftOrPrefilter {
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
        shard_hits::for_each_hit(
            &self.shards,
            shard,
            haystack.len(),
            from,
            on_hit,
            |lo, each| self.occurrences(haystack, lo, haystack.len(), each),
        );
    }

    /// All shards from one pass.
    fn collect_hits(
        &self,
        haystack: &[u8],
        resume: &mut [usize],
        limit: usize,
        hits: &mut Vec<KeywordHit>,
    ) {
        shard_hits::collect_hits(resume, hits, |lo, each| {
            self.occurrences(haystack, lo, limit, each)
        });
    }

    fn name(&self) -> &'static str {
        "shift-or"
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    fn prefilter(words: &[&str]) -> ShiftOrPrefilter {
        let keywords: Vec<String> = words.iter().map(|w| (*w).to_owned()).collect();
        ShiftOrPrefilter::new(&keywords).unwrap()
    }

    fn all_occurrences(p: &ShiftOrPrefilter, data: &[u8]) -> Vec<(u32, usize)> {
        let mut out = Vec::new();
        p.scan(data, &mut |id, start| out.push((id, start)));
        out.sort_unstable();
        out
    }

    /// Every (keyword, start) by brute force.
    fn brute_force(words: &[&str], data: &[u8]) -> Vec<(u32, usize)> {
        let mut out = Vec::new();
        for (id, word) in words.iter().enumerate() {
            let w = word.as_bytes();
            if w.is_empty() {
                continue;
            }
            for start in 0..data.len() {
                if data[start..].starts_with(w) {
                    out.push((u32::try_from(id).unwrap(), start));
                }
            }
        }
        out.sort_unstable();
        out
    }

    fn noise(seed: u64, len: usize, alphabet: &[u8]) -> Vec<u8> {
        let mut state = seed | 1;
        (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                alphabet[usize::try_from(state >> 40).unwrap() % alphabet.len()]
            })
            .collect()
    }

    #[test]
    fn finds_every_occurrence_of_every_keyword_including_overlaps_and_edges() {
        let words = [
            "tok",
            "token",
            "tokens",
            "en_se",
            "secret",
            "secret_key",
            "ret_k",
            "aaa",
            "aaaa",
            "xoxb-",
            "b-to",
            "a",
            "ab",
            "PRIVATE KEY",
            "0123456789abcdef",
            "",
        ];
        let alphabet = b"aabtokensecr_kyxo-bPRIVATE KY0123456789abcdef \n";
        for len in [0, 1, 2, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1000, 20_000] {
            let data = noise(len as u64 + 3, len, alphabet);
            let p = prefilter(&words);
            assert_eq!(
                all_occurrences(&p, &data),
                brute_force(&words, &data),
                "len {len}"
            );
        }
    }

    #[test]
    fn keywords_at_the_very_start_and_end_of_the_data_are_found() {
        let words = ["glpat-", "AKIA", "xox", "0123456789abcdefXYZ"];
        let p = prefilter(&words);
        for data in [
            &b"glpat-"[..],
            b"AKIA",
            b"xox",
            b"xAKIA",
            b"AKIAx",
            b"..0123456789abcdefXYZ",
            b"0123456789abcdefXYZ",
        ] {
            assert_eq!(
                all_occurrences(&p, data),
                brute_force(&words, data),
                "{data:?}"
            );
        }
    }

    #[test]
    fn the_simd_block_equals_the_portable_block() {
        let words: Vec<String> = (0..200).map(|i| format!("kw{i:03}_{}", i * 7)).collect();
        let p = ShiftOrPrefilter::new(&words).unwrap();
        let data = noise(11, 4096, b"kw0123456789_ \n");
        let mut carry = 0u64;
        for block in data.chunks_exact(9) {
            let block: &[u8; 9] = block.try_into().unwrap();
            let portable = p.block_portable(block, carry);
            #[cfg(target_arch = "x86_64")]
            {
                use safe_arch::{bitor_m128i, get_i64_from_m128i_s, set_i64_m128i_s};
                let v = bitor_m128i(p.spread(block), set_i64_m128i_s(carry.cast_signed()));
                let high = safe_arch::byte_shr_imm_u128_m128i::<8>(v);
                let simd = (
                    get_i64_from_m128i_s(v).cast_unsigned(),
                    get_i64_from_m128i_s(high).cast_unsigned(),
                );
                assert_eq!(simd, portable);
            }
            carry = portable.1;
        }
    }

    #[test]
    fn many_keywords_in_one_bucket_are_still_exact() {
        // Far more keywords than buckets can keep apart: the filter passes more
        // candidates, the comparison keeps the result exact.
        let owned: Vec<String> = (0..600).map(|i| format!("{i:x}")).collect();
        let words: Vec<&str> = owned.iter().map(String::as_str).collect();
        let data = noise(5, 30_000, b"0123456789abcdef");
        assert_eq!(
            all_occurrences(&prefilter(&words), &data),
            brute_force(&words, &data)
        );
    }
}
