//! Parity of every prefilter back end with the Aho-Corasick reference: identical
//! keyword hits and identical findings (rule, offset, line, confidence, redacted value)
//! over every rule example and negative example, a mixed text/binary corpus with every
//! rule planted, and chunk and block boundaries of the streaming scanner. Runs for the
//! shift-or back end always and for vectorscan when it is built.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use std::collections::BTreeSet;
use std::sync::OnceLock;

use super::prefilter::{AhoCorasickPrefilter, Prefilter};
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

/// The back ends under test: every one built except the reference.
fn others() -> impl Iterator<Item = Backend> {
    Backend::ALL
        .iter()
        .copied()
        .filter(|b| *b != Backend::AhoCorasick)
}

/// (Aho-Corasick scanner, the other back ends' scanners) over the built-in rules.
fn scanners() -> &'static (Scanner, Vec<Scanner>) {
    static ALL: OnceLock<(Scanner, Vec<Scanner>)> = OnceLock::new();
    ALL.get_or_init(|| {
        let ac = Scanner::with_backend(rules(), Backend::AhoCorasick).unwrap();
        assert_eq!(ac.prefilter_name(), "aho-corasick");
        let others: Vec<Scanner> = others()
            .map(|b| {
                let scanner = Scanner::with_backend(rules(), b).unwrap();
                assert_eq!(scanner.prefilter_name(), b.name());
                scanner
            })
            .collect();
        assert!(!others.is_empty(), "no back end besides the reference");
        (ac, others)
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

/// Every back end, whole buffer and streamed in `pieces`; returns the findings.
fn assert_parity(what: &str, input: &[u8], pieces: &[&[usize]]) -> Vec<Found> {
    let (ac, others) = scanners();
    let mut expected = whole(ac, input);
    let unsorted = expected.clone();
    expected.sort();
    for p in pieces {
        assert_eq!(streamed(ac, input, p), expected, "{what} streamed as {p:?}");
    }
    for other in others {
        let name = other.prefilter_name();
        assert_eq!(
            whole(other, input),
            unsorted,
            "{name}: whole-buffer scan of {what}"
        );
        for p in pieces {
            assert_eq!(
                streamed(other, input, p),
                expected,
                "{name}: {what} streamed as {p:?}"
            );
        }
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
fn every_back_end_finds_what_aho_corasick_finds_in_every_rule_example_and_negative() {
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
fn every_back_end_finds_what_aho_corasick_finds_in_a_mixed_corpus_with_binary_noise() {
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
fn every_back_end_finds_what_aho_corasick_finds_across_chunk_and_block_boundaries() {
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
            input.extend_from_slice(format!("\nTOKEN={token} password=Xk9#mQ2$vL7p\n").as_bytes());
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

/// Hits of every back end over `soup`: all at once, from resume points and limits
/// as the streaming scanner leaves them, and shard by shard with an early stop.
/// Returns the number of hits.
fn assert_same_hits(keywords: &[String], soup: &[u8]) -> usize {
    let ac = AhoCorasickPrefilter::new(keywords).unwrap();
    let mut hits = 0;
    for backend in others() {
        let other = backend.build(keywords).unwrap();
        hits = assert_same_hits_as(&ac, other.as_ref(), soup);
    }
    hits
}

fn assert_same_hits_as(ac: &AhoCorasickPrefilter, other: &dyn Prefilter, soup: &[u8]) -> usize {
    let name = other.name();
    assert_eq!(other.shard_count(), ac.shard_count(), "{name}");
    let collect = |p: &dyn Prefilter, resume: &[usize], limit: usize| {
        let mut resume = resume.to_vec();
        let mut hits = Vec::new();
        p.collect_hits(soup, &mut resume, limit, &mut hits);
        // The order of the hits is not part of the contract; the set is.
        hits.sort_unstable_by_key(|h| (h.start, h.end, h.keyword));
        (hits, resume)
    };
    let start = vec![0; ac.shard_count()];
    let all = collect(ac, &start, soup.len());
    assert_eq!(collect(other, &start, soup.len()), all, "{name}");
    let steps = noise(7, 64);
    for (n, step) in steps.iter().enumerate() {
        let limit = (n * 6007 + usize::from(*step)) % soup.len() + 50;
        let resume: Vec<usize> = (0..ac.shard_count())
            .map(|s| limit.saturating_sub((s * 31 + usize::from(*step)) % 97 + 50))
            .collect();
        assert_eq!(
            collect(other, &resume, limit),
            collect(ac, &resume, limit),
            "{name}: resume {resume:?}, limit {limit}"
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
            assert_eq!(each(other), each(ac), "{name}: shard {shard} from {from}");
        }
    }
    all.0.len()
}

#[test]
fn every_back_end_reports_the_same_keyword_hits_as_aho_corasick_in_every_shard() {
    let keywords = Scanner::keywords_of(rules());
    let shards = AhoCorasickPrefilter::new(&keywords).unwrap().shard_count();
    assert!(shards >= 2, "one shard cannot test the shard map");
    let hits = assert_same_hits(&keywords, &keyword_soup(&keywords, 400_000));
    assert!(hits > 20_000, "only {hits} hits");
}

#[test]
fn every_back_end_reports_the_same_hits_for_keywords_that_prefix_and_overlap_each_other() {
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
fn parity_check_notices_a_missing_rule() {
    // The comparison has teeth: a scanner that lacks one rule differs.
    let (text, _) = mixed_corpus();
    let mut fewer = rules().clone();
    fewer.remove(&["secret.gitlab-personal-access-token".to_owned()]);
    let (ac, _) = scanners();
    for backend in others() {
        let other = Scanner::with_backend(&fewer, backend).unwrap();
        assert_ne!(whole(&other, &text), whole(ac, &text), "{}", backend.name());
    }
}
