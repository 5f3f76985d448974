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
//! hits the Aho-Corasick back end reports: the same shards (from [`teddy_layout`]), and
//! within a shard the leftmost-longest, non-overlapping hits from the resume point on.
//! Measured (`secrets_bench --backend …`, 336 MB of /usr text, one core, a loaded
//! machine): keyword pass 1.8–2.6 GB/s against 1.2–1.6 GB/s, text scan 1.05–1.5 GB/s
//! against 0.8–1.0 GB/s, same findings digest. Binaries cost the same on both: their
//! time is the printable-strings extraction.
//!
//! Fail closed: if vectorscan cannot scan (scratch allocation or a scan error), the hits
//! come from an Aho-Corasick prefilter over the same keywords, so an error never
//! silences a scan.

use std::cmp::Reverse;

use vectorscan_rs::{BlockDatabase, BlockScanner, Flag, Pattern, Scan};

use super::prefilter::{AhoCorasickPrefilter, KeywordHit, Prefilter, PrefilterError};
use super::teddy_layout;

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
    shard_of: Vec<usize>,
    shard_count: usize,
    max_len: usize,
    /// Used only when vectorscan fails at scan time.
    fallback: AhoCorasickPrefilter,
}

/// One keyword occurrence before the leftmost-longest reduction.
#[derive(Debug, Clone, Copy)]
struct Occurrence {
    shard: usize,
    hit: KeywordHit,
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
        Ok(Self {
            database,
            lengths: keywords.iter().map(String::len).collect(),
            shard_of,
            shard_count: shards.len(),
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
                let keyword = id as usize;
                if let (Some(&len), Some(&shard)) =
                    (self.lengths.get(keyword), self.shard_of.get(keyword))
                {
                    let end = start + usize::try_from(to).unwrap_or(usize::MAX);
                    let begin = end.saturating_sub(len);
                    if begin < own_end {
                        found.push(Occurrence {
                            shard,
                            hit: KeywordHit {
                                keyword: id,
                                start: begin,
                                end,
                            },
                        });
                    }
                }
                Scan::Continue
            });
            if outcome.is_err() {
                return Delivery::Failed;
            }
            found.sort_unstable_by_key(|o| {
                (o.shard, o.hit.start, Reverse(o.hit.end), o.hit.keyword)
            });
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
        self.shard_count
    }

    fn for_each_hit(
        &self,
        shard: usize,
        haystack: &[u8],
        from: usize,
        on_hit: &mut dyn FnMut(KeywordHit) -> bool,
    ) {
        if shard >= self.shard_count || from > haystack.len() {
            return;
        }
        let mut next_free = from;
        let delivery = self.occurrences(haystack, from, haystack.len(), &mut |found| {
            for occurrence in found.iter().filter(|o| o.shard == shard) {
                let hit = occurrence.hit;
                if hit.start < next_free {
                    continue;
                }
                next_free = hit.end;
                if !on_hit(hit) {
                    return false;
                }
            }
            true
        });
        if delivery == Delivery::Failed {
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
        let first = hits.len();
        let lo = resume.iter().copied().min().unwrap_or(0);
        let delivery = self.occurrences(haystack, lo, limit, &mut |found| {
            for occurrence in found {
                let Some(next_free) = resume.get_mut(occurrence.shard) else {
                    continue;
                };
                // Leftmost first, then longest: the first occurrence at or after the
                // shard's resume point is its next hit; the search resumes after it.
                if occurrence.hit.start < *next_free {
                    continue;
                }
                *next_free = occurrence.hit.end;
                hits.push(occurrence.hit);
            }
            true
        });
        if delivery == Delivery::Failed {
            // Each shard's resume point is past every hit delivered so far.
            self.fallback.collect_hits(haystack, resume, limit, hits);
        }
        // Shard by shard, as the default implementation appends them.
        if let Some(new) = hits.get_mut(first..) {
            new.sort_by_key(|h| (self.shard_of.get(h.keyword as usize).copied(), h.start));
        }
    }

    fn name(&self) -> &'static str {
        "vectorscan"
    }
}

#[cfg(test)]
mod tests {
    //! Parity of the two back ends: identical keyword hits and identical findings (rule,
    //! offset, line, confidence, redacted value) over every rule example and negative
    //! example, a mixed text/binary corpus with every rule planted, and chunk and block
    //! boundaries of the streaming scanner.
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::cast_possible_truncation
    )]

    use std::collections::BTreeSet;
    use std::sync::OnceLock;

    use super::*;
    use crate::analyze::secrets::rule::Confidence;
    use crate::analyze::secrets::{
        Backend, RuleSet, Scanner, SecretMatch, StreamScanner, bench, strings,
    };

    /// (offset, rule id, line, confidence, redacted display, sha256, length).
    type Found = (u64, String, u64, Confidence, String, String, usize);

    fn rules() -> &'static RuleSet {
        static SET: OnceLock<RuleSet> = OnceLock::new();
        SET.get_or_init(|| RuleSet::builtin().expect("built-in rules load"))
    }

    /// (Aho-Corasick scanner, vectorscan scanner) over the built-in rules.
    fn scanners() -> &'static (Scanner, Scanner) {
        static PAIR: OnceLock<(Scanner, Scanner)> = OnceLock::new();
        PAIR.get_or_init(|| {
            let ac = Scanner::with_backend(rules(), Backend::AhoCorasick).unwrap();
            let vs = Scanner::with_backend(rules(), Backend::Vectorscan).unwrap();
            assert_eq!(ac.prefilter_name(), "aho-corasick");
            assert_eq!(vs.prefilter_name(), "vectorscan");
            (ac, vs)
        })
    }

    fn record(out: &mut Vec<Found>) -> impl FnMut(SecretMatch<'_>) + '_ {
        |m| {
            let r = m.redact();
            out.push((
                m.offset,
                m.rule.id.clone(),
                m.line,
                m.confidence,
                r.redacted,
                r.sha256,
                r.length,
            ));
        }
    }

    fn whole(scanner: &Scanner, input: &[u8]) -> Vec<Found> {
        let mut out = Vec::new();
        scanner.scan(input, &mut record(&mut out));
        out
    }

    fn streamed(scanner: &Scanner, input: &[u8], pieces: &[usize]) -> Vec<Found> {
        let mut out = Vec::new();
        let mut sink = record(&mut out);
        let mut stream = StreamScanner::new(scanner);
        let mut rest = input;
        for &size in pieces.iter().cycle() {
            if rest.is_empty() {
                break;
            }
            let (piece, tail) = rest.split_at(size.clamp(1, rest.len()));
            stream.feed(piece, &mut sink);
            rest = tail;
        }
        stream.finish(&mut sink);
        drop(sink);
        out.sort();
        out
    }

    /// Both back ends, whole buffer and streamed in `pieces`; returns the findings.
    fn assert_parity(what: &str, input: &[u8], pieces: &[&[usize]]) -> Vec<Found> {
        let (ac, vs) = scanners();
        let mut expected = whole(ac, input);
        assert_eq!(whole(vs, input), expected, "whole-buffer scan of {what}");
        expected.sort();
        for p in pieces {
            assert_eq!(streamed(ac, input, p), expected, "{what} streamed as {p:?}");
            assert_eq!(
                streamed(vs, input, p),
                expected,
                "vectorscan: {what} streamed as {p:?}"
            );
        }
        expected
    }

    fn ids(found: &[Found]) -> BTreeSet<&str> {
        found.iter().map(|f| f.1.as_str()).collect()
    }

    /// Deterministic pseudo-random bytes.
    fn noise(seed: u64, len: usize) -> Vec<u8> {
        let mut state = seed | 1;
        (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect()
    }

    #[test]
    fn vectorscan_finds_what_aho_corasick_finds_in_every_rule_example_and_negative() {
        let mut positives = 0;
        let mut all = Vec::new();
        for rule in rules().rules() {
            for example in &rule.examples {
                let found = assert_parity(&rule.id, example.as_bytes(), &[&[1], &[7, 3]]);
                assert!(
                    ids(&found).contains(rule.id.as_str()),
                    "{}: example not found: {found:?}",
                    rule.id
                );
                positives += 1;
                all.extend_from_slice(example.as_bytes());
                all.push(b'\n');
            }
            for negative in &rule.negative_examples {
                let found = assert_parity(&rule.id, negative.as_bytes(), &[&[1], &[7, 3]]);
                assert!(
                    !ids(&found).contains(rule.id.as_str()),
                    "{}: negative example found",
                    rule.id
                );
                all.extend_from_slice(negative.as_bytes());
                all.push(b'\n');
            }
        }
        assert!(positives >= 100, "{positives} examples");
        // All of them in one buffer: neighbours may now share windows.
        let found = assert_parity("all examples", &all, &[&[1], &[4093], &[65_536]]);
        assert!(found.len() >= positives, "{} findings", found.len());
    }

    /// Text with every example planted on its own line, random binary noise with every
    /// example planted between NULs, and the printable strings of that noise.
    fn mixed_corpus() -> (Vec<u8>, Vec<u8>) {
        let mut text = bench::synthetic_text_corpus(3 * 1024 * 1024);
        let mut binary = noise(0x5eed, 2 * 1024 * 1024);
        let examples: Vec<&String> = rules().rules().iter().flat_map(|r| &r.examples).collect();
        for (i, example) in examples.iter().enumerate() {
            let pos = (i * 23_761 + 999) % text.len();
            let nl = memchr::memchr(b'\n', &text[pos..]).map_or(text.len(), |p| pos + p + 1);
            let mut line = example.as_bytes().to_vec();
            line.push(b'\n');
            text.splice(nl..nl, line);
            let pos = (i * 15_307 + 77) % binary.len();
            let mut planted = vec![0u8];
            planted.extend_from_slice(example.as_bytes());
            planted.push(0);
            binary.splice(pos..pos, planted);
        }
        (text, binary)
    }

    #[test]
    fn vectorscan_finds_what_aho_corasick_finds_in_a_mixed_corpus_with_binary_noise() {
        let (text, binary) = mixed_corpus();
        let chunkings: &[&[usize]] = &[&[1 << 20], &[65_536], &[4093, 777], &[1_048_577, 13]];
        let found = assert_parity("text corpus", &text, chunkings);
        let every: BTreeSet<&str> = rules().rules().iter().map(|r| r.id.as_str()).collect();
        let found_ids = ids(&found);
        let missing: Vec<&&str> = every.difference(&found_ids).collect();
        assert!(missing.is_empty(), "rules not found in text: {missing:?}");
        assert_parity("raw binary", &binary, chunkings);
        let extracted = strings::printable_strings(&binary, strings::DEFAULT_MIN_RUN);
        let found = assert_parity("strings of binary", &extracted, chunkings);
        assert!(
            ids(&found).len() * 10 >= every.len() * 9,
            "only {} rules found in the strings of the binary",
            ids(&found).len()
        );
        let mut both = text;
        both.extend_from_slice(&binary);
        assert_parity("text then binary", &both, &[&[65_536]]);
    }

    #[test]
    fn vectorscan_finds_what_aho_corasick_finds_across_chunk_and_block_boundaries() {
        const BLOCK: usize = 1 << 20;
        let token = "glpat-Zq8vL2mN4pR7sT1wX5yB";
        let pem = rules()
            .rules()
            .iter()
            .find(|r| r.id == "secret.private-key-rsa")
            .map(|r| r.examples[0].clone())
            .unwrap();
        let filler: Vec<u8> = b"filler text without keywords\n"
            .iter()
            .copied()
            .cycle()
            .take(BLOCK - 64)
            .collect();
        let (ac, _) = scanners();
        // The streaming scanner scans a block once its buffer holds a block plus both
        // look-arounds: put keywords right at those edges as well as at piece edges.
        let edges = [
            BLOCK,
            BLOCK + ac.lookahead(),
            BLOCK + ac.lookahead() + ac.lookbehind(),
        ];
        for shift in (0..80).step_by(3) {
            let mut input = filler.clone();
            input.extend_from_slice(&vec![b'x'; shift]);
            input.extend_from_slice(format!("GITLAB_TOKEN={token}\nAWS=AKIAZ").as_bytes());
            for edge in edges {
                if input.len() + 20 < edge {
                    input.resize(edge - 12 - shift % 7, b'.');
                }
                input.extend_from_slice(
                    format!("\nTOKEN={token} password=Xk9#mQ2$vL7p\n").as_bytes(),
                );
                input.extend_from_slice(pem.as_bytes());
            }
            input.push(b'\n');
            let cut = filler.len() + shift + 15;
            let found = assert_parity(
                &format!("boundary shift {shift}"),
                &input,
                &[&[cut, 1, 5, BLOCK], &[BLOCK - 1], &[cut]],
            );
            assert!(
                ids(&found).contains("secret.gitlab-personal-access-token"),
                "{found:?}"
            );
        }
    }

    /// Keywords fused and overlapping in every way, with random fillers.
    fn keyword_soup(keywords: &[String], len: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(len + 64);
        let bytes = noise(0xfeed, len);
        let mut i = 0;
        while out.len() < len {
            let r = usize::from(bytes[i % bytes.len()]) << 8 | usize::from(bytes[(i + 1) % len]);
            let keyword = keywords[r % keywords.len()].as_bytes();
            match r % 5 {
                // A prefix or suffix only, so it fuses with the next keyword.
                0 => out.extend_from_slice(&keyword[..=keyword.len() / 2]),
                1 => out.extend_from_slice(&keyword[keyword.len() / 2..]),
                2 => out.push(b"=_- \n\0x"[r % 7]),
                _ => out.extend_from_slice(keyword),
            }
            i += 2;
        }
        out
    }

    /// Hits of both back ends over `soup`: all at once, from resume points and limits
    /// as the streaming scanner leaves them, and shard by shard with an early stop.
    /// Returns the number of hits.
    fn assert_same_hits(keywords: &[String], soup: &[u8]) -> usize {
        let ac = AhoCorasickPrefilter::new(keywords).unwrap();
        let vs = VectorscanPrefilter::new(keywords).unwrap();
        assert_eq!(vs.shard_count(), ac.shard_count());
        let collect = |p: &dyn Prefilter, resume: &[usize], limit: usize| {
            let mut resume = resume.to_vec();
            let mut hits = Vec::new();
            p.collect_hits(soup, &mut resume, limit, &mut hits);
            (hits, resume)
        };
        let start = vec![0; ac.shard_count()];
        let all = collect(&ac, &start, soup.len());
        assert_eq!(collect(&vs, &start, soup.len()), all);
        let steps = noise(7, 64);
        for (n, step) in steps.iter().enumerate() {
            let limit = (n * 6007 + usize::from(*step)) % soup.len() + 50;
            let resume: Vec<usize> = (0..ac.shard_count())
                .map(|s| limit.saturating_sub((s * 31 + usize::from(*step)) % 97 + 50))
                .collect();
            assert_eq!(
                collect(&vs, &resume, limit),
                collect(&ac, &resume, limit),
                "resume {resume:?}, limit {limit}"
            );
        }
        for shard in 0..ac.shard_count() {
            for from in [0, 1, 12_345, soup.len() - 3, soup.len()] {
                let each = |p: &dyn Prefilter| {
                    let mut hits = Vec::new();
                    p.for_each_hit(shard, soup, from, &mut |h| {
                        hits.push(h);
                        hits.len() < 5_000
                    });
                    hits
                };
                assert_eq!(each(&vs), each(&ac), "shard {shard} from {from}");
            }
        }
        all.0.len()
    }

    #[test]
    fn vectorscan_reports_the_same_keyword_hits_as_aho_corasick_in_every_shard() {
        let keywords = Scanner::keywords_of(rules());
        let shards = AhoCorasickPrefilter::new(&keywords).unwrap().shard_count();
        assert!(shards >= 2, "one shard cannot test the shard map");
        let hits = assert_same_hits(&keywords, &keyword_soup(&keywords, 400_000));
        assert!(hits > 20_000, "only {hits} hits");
    }

    #[test]
    fn vectorscan_reports_the_same_hits_for_keywords_that_prefix_and_overlap_each_other() {
        // A user's pack may hold such keywords: leftmost-longest must pick the same one.
        let keywords: Vec<String> = [
            "tok",
            "token",
            "tokens",
            "token_",
            "en_se",
            "secret",
            "secret_key",
            "ret_k",
            "pass",
            "password",
            "passwd",
            "word=",
            "sec",
            "key",
            "keys",
            "api_key",
            "pi_k",
            "xox",
            "xoxb-",
            "xoxp-",
            "b-to",
            "aaa",
            "aaaa",
        ]
        .map(str::to_owned)
        .into();
        let hits = assert_same_hits(&keywords, &keyword_soup(&keywords, 200_000));
        assert!(hits > 20_000, "only {hits} hits");
    }

    #[test]
    fn vectorscan_parity_check_notices_a_missing_rule() {
        // The comparison has teeth: a scanner that lacks one rule differs.
        let (text, _) = mixed_corpus();
        let mut fewer = rules().clone();
        fewer.remove(&["secret.gitlab-personal-access-token".to_owned()]);
        let vs = Scanner::with_backend(&fewer, Backend::Vectorscan).unwrap();
        let (ac, _) = scanners();
        assert_ne!(whole(&vs, &text), whole(ac, &text));
    }
}
