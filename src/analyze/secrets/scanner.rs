//! The two-stage secret scanner over one buffer: keyword hits from a [`Prefilter`], then
//! each hit rule's regex in a bounded window around the hit, then the shared checks
//! (entropy floor, placeholder guard, offline validator). Matches are pushed into a sink
//! and carry the raw capture only for the duration of the call.
//!
//! Determinism: the set of windows is a function of the keyword hits, and each window's
//! matches are a function of its bytes, so the streaming scanner (`stream`) and this
//! whole-buffer scan report exactly the same matches.

use std::cmp::Reverse;

use super::entropy::shannon;
use super::guard;
use super::line_counter::LineCounter;
use super::prefilter::{Backend, KeywordHit, Prefilter, PrefilterError};
use super::rule::{Confidence, Rule};
use super::rule_set::RuleSet;
use super::validator::Validation;
use crate::finding::RedactedSecret;

/// Bytes a line window extends to either side at most (long minified lines).
pub const LINE_CAP: usize = 1024;

/// A confirmed secret. The raw value is borrowed from the scanned buffer and must be
/// turned into a [`RedactedSecret`] before it leaves the sink.
#[derive(Debug, Clone, Copy)]
pub struct SecretMatch<'a> {
    /// The rule that matched.
    pub rule: &'a Rule,
    /// Byte offset of the capture from the start of the scanned content.
    pub offset: u64,
    /// 1-based line of the capture start.
    pub line: u64,
    /// Confidence after validation.
    pub confidence: Confidence,
    value: &'a [u8],
}

impl SecretMatch<'_> {
    /// The redacted form: the only form that may be stored or reported.
    pub fn redact(&self) -> RedactedSecret {
        RedactedSecret::from_value(self.value)
    }

    /// The raw captured bytes. Only for tests and the rule checker; never store them.
    #[doc(hidden)]
    pub fn raw_value(&self) -> &[u8] {
        self.value
    }
}

/// One regex job: run rule `rule` over `buf[start..end]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct WindowJob {
    pub rule: u32,
    pub start: usize,
    pub end: usize,
}

/// A confirmed capture before same-span resolution (positions relative to a buffer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Candidate {
    pub rule: u32,
    pub start: usize,
    pub end: usize,
    pub confidence: Confidence,
}

/// A compiled scanner: rules, keyword map and prefilter.
#[derive(Debug)]
pub struct Scanner {
    rules: Vec<Rule>,
    keywords: Vec<String>,
    keyword_rules: Vec<Vec<u32>>,
    prefilter: Box<dyn Prefilter>,
    max_before: usize,
    max_after: usize,
    max_keyword: usize,
}

impl Scanner {
    /// Build the scanner over a rule set with the default prefilter back end.
    pub fn new(rules: &RuleSet) -> Result<Self, PrefilterError> {
        Self::with_backend(rules, Backend::default())
    }

    /// Build the scanner over a rule set with the given prefilter back end.
    pub fn with_backend(rules: &RuleSet, backend: Backend) -> Result<Self, PrefilterError> {
        let keywords = distinct_keywords(rules.rules());
        let prefilter = backend.build(&keywords)?;
        Ok(Self::with_prefilter(rules, keywords, prefilter))
    }

    /// The distinct keywords of a rule set, in the order a prefilter must index them.
    pub fn keywords_of(rules: &RuleSet) -> Vec<String> {
        distinct_keywords(rules.rules())
    }

    /// Build with a given prefilter, which must index exactly `keywords`
    /// (as returned by [`Scanner::keywords_of`]) in that order.
    pub fn with_prefilter(
        rules: &RuleSet,
        keywords: Vec<String>,
        prefilter: Box<dyn Prefilter>,
    ) -> Self {
        let rules = rules.rules().to_vec();
        let keyword_rules = keyword_rule_map(&rules, &keywords);
        let max_before = rules
            .iter()
            .filter_map(|r| r.window.map(|w| w.before as usize))
            .chain(std::iter::once(LINE_CAP))
            .max()
            .unwrap_or(LINE_CAP);
        let max_after = rules
            .iter()
            .filter_map(|r| r.window.map(|w| w.after as usize))
            .chain(std::iter::once(LINE_CAP))
            .max()
            .unwrap_or(LINE_CAP);
        let max_keyword = keywords.iter().map(String::len).max().unwrap_or(0);
        Self {
            rules,
            keywords,
            keyword_rules,
            prefilter,
            max_before,
            max_after,
            max_keyword,
        }
    }

    /// The rules, in rule-set order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The distinct keywords the prefilter indexes.
    pub fn keywords(&self) -> &[String] {
        &self.keywords
    }

    /// The prefilter back end's name.
    pub fn prefilter_name(&self) -> &'static str {
        self.prefilter.name()
    }

    /// Bytes before a hit that a window may reach.
    pub(crate) fn lookbehind(&self) -> usize {
        self.max_before
    }

    /// Bytes after a hit start that a window may reach.
    pub(crate) fn lookahead(&self) -> usize {
        self.max_after + self.max_keyword
    }

    /// Scan a whole buffer and push every match into `sink`, in offset order.
    pub fn scan(&self, buf: &[u8], sink: &mut dyn FnMut(SecretMatch<'_>)) {
        let mut hits = Vec::new();
        let mut resume = vec![0; self.prefilter.shard_count()];
        self.prefilter
            .collect_hits(buf, &mut resume, buf.len(), &mut hits);
        let mut jobs = Vec::new();
        let mut candidates = Vec::new();
        self.process_hits(buf, &hits, &mut jobs, &mut candidates);
        resolve_same_span(&self.rules, &mut candidates);
        let mut lines = LineCounter::new();
        for cand in candidates {
            let line = lines.line_at(buf, 0, cand.start);
            if let Some(m) = self.to_match(buf, 0, cand, line) {
                sink(m);
            }
        }
    }

    /// Number of prefilter shards (each keeps its own resume point when streaming).
    #[doc(hidden)]
    pub fn shard_count(&self) -> usize {
        self.prefilter.shard_count()
    }

    /// Find the hits of one shard in `buf[from..]` whose start is below `limit`;
    /// returns the end of the last hit taken (or `from`).
    #[doc(hidden)]
    pub fn hits_between(
        &self,
        shard: usize,
        buf: &[u8],
        from: usize,
        limit: usize,
        hits: &mut Vec<KeywordHit>,
    ) -> usize {
        let mut resume = from;
        self.prefilter.for_each_hit(shard, buf, from, &mut |hit| {
            if hit.start >= limit {
                return false;
            }
            resume = hit.end;
            hits.push(hit);
            true
        });
        resume
    }

    /// The hits of every shard in `buf` that start below `limit`, shard `s` searched
    /// from `resume[s]`, which becomes the end of the last hit taken from it.
    #[doc(hidden)]
    pub fn hits_all_between(
        &self,
        buf: &[u8],
        resume: &mut [usize],
        limit: usize,
        hits: &mut Vec<KeywordHit>,
    ) {
        self.prefilter.collect_hits(buf, resume, limit, hits);
    }

    /// Windows for the hits, then the regex and checks in each window.
    pub(crate) fn process_hits(
        &self,
        buf: &[u8],
        hits: &[KeywordHit],
        jobs: &mut Vec<WindowJob>,
        out: &mut Vec<Candidate>,
    ) {
        jobs.clear();
        for hit in hits {
            let Some(rule_ids) = self.keyword_rules.get(hit.keyword as usize) else {
                continue;
            };
            for &rule_id in rule_ids {
                let Some(rule) = self.rules.get(rule_id as usize) else {
                    continue;
                };
                if let (Some(literal), Some(within)) = (&rule.requires, rule.requires_within) {
                    let reach = hit.start.saturating_add(within as usize).min(buf.len());
                    let near = buf.get(hit.start..reach).unwrap_or_default();
                    if memchr::memmem::find(near, literal.as_bytes()).is_none() {
                        continue;
                    }
                }
                let (start, end) = match rule.window {
                    None => line_window(buf, hit.start, hit.end),
                    Some(w) => (
                        hit.start.saturating_sub(w.before as usize),
                        hit.end.saturating_add(w.after as usize).min(buf.len()),
                    ),
                };
                jobs.push(WindowJob {
                    rule: rule_id,
                    start,
                    end,
                });
            }
        }
        jobs.sort_unstable();
        jobs.dedup();
        for job in jobs.iter() {
            self.confirm_window(buf, *job, out);
        }
    }

    fn confirm_window(&self, buf: &[u8], job: WindowJob, out: &mut Vec<Candidate>) {
        let (Some(rule), Some(window)) = (
            self.rules.get(job.rule as usize),
            buf.get(job.start..job.end),
        ) else {
            return;
        };
        if rule
            .requires
            .as_deref()
            .is_some_and(|literal| memchr::memmem::find(window, literal.as_bytes()).is_none())
        {
            return;
        }
        for caps in rule.regex.captures_iter(window) {
            let Some(capture) = caps.get(1) else {
                continue;
            };
            let value = capture.as_bytes();
            if value.is_empty() {
                continue;
            }
            if rule.entropy.is_some_and(|floor| shannon(value) < floor) {
                continue;
            }
            if guard::rejection(value, rule.value_check).is_some() {
                continue;
            }
            let confidence = match rule.validator.map(|v| v.validate(value, window)) {
                Some(Validation::Reject) => continue,
                Some(Validation::Confirmed) => Confidence::High,
                Some(Validation::Accept) | None => rule.confidence,
            };
            out.push(Candidate {
                rule: job.rule,
                start: job.start + capture.start(),
                end: job.start + capture.end(),
                confidence,
            });
        }
    }

    pub(crate) fn to_match<'s, 'b>(
        &'s self,
        buf: &'b [u8],
        base: u64,
        cand: Candidate,
        line: u64,
    ) -> Option<SecretMatch<'b>>
    where
        's: 'b,
    {
        let rule = self.rules.get(cand.rule as usize)?;
        let value = buf.get(cand.start..cand.end)?;
        Some(SecretMatch {
            rule,
            offset: base + cand.start as u64,
            line,
            confidence: cand.confidence,
            value,
        })
    }
}

/// Keep one candidate per capture span: the most confident, then most severe, then the
/// earliest rule (specific packs load before generic ones). Sorts by position.
pub(crate) fn resolve_same_span(rules: &[Rule], candidates: &mut Vec<Candidate>) {
    let rank = |c: &Candidate| {
        let rule = rules.get(c.rule as usize);
        (
            c.start,
            c.end,
            Reverse(c.confidence),
            Reverse(rule.map(|r| r.severity)),
            c.rule,
        )
    };
    candidates.sort_unstable_by_key(rank);
    candidates.dedup_by(|later, earlier| later.start == earlier.start && later.end == earlier.end);
}

/// The keyword's line, capped at [`LINE_CAP`] bytes to either side.
fn line_window(buf: &[u8], start: usize, end: usize) -> (usize, usize) {
    let lo = start.saturating_sub(LINE_CAP);
    let line_start = buf
        .get(lo..start)
        .and_then(|before| memchr::memrchr(b'\n', before))
        .map_or(lo, |pos| lo + pos + 1);
    let hi = end.saturating_add(LINE_CAP).min(buf.len());
    let line_end = buf
        .get(end..hi)
        .and_then(|after| memchr::memchr(b'\n', after))
        .map_or(hi, |pos| end + pos);
    (line_start, line_end)
}

fn distinct_keywords(rules: &[Rule]) -> Vec<String> {
    let mut keywords: Vec<String> = rules.iter().flat_map(|r| r.keywords.clone()).collect();
    keywords.sort_unstable();
    keywords.dedup();
    keywords
}

/// For each keyword, the rules to run on its hit: its own rules plus those of every
/// keyword it contains or overlaps, because leftmost-longest search reports only one of
/// two overlapping keywords.
fn keyword_rule_map(rules: &[Rule], keywords: &[String]) -> Vec<Vec<u32>> {
    let own: Vec<Vec<u32>> = keywords
        .iter()
        .map(|k| {
            rules
                .iter()
                .enumerate()
                .filter(|(_, r)| r.keywords.iter().any(|rk| rk == k))
                .filter_map(|(i, _)| u32::try_from(i).ok())
                .collect()
        })
        .collect();
    keywords
        .iter()
        .map(|k| {
            let mut ids: Vec<u32> = keywords
                .iter()
                .zip(&own)
                .filter(|(other, _)| other.as_str() == k.as_str() || interacts(k, other))
                .flat_map(|(_, ids)| ids.iter().copied())
                .collect();
            ids.sort_unstable();
            ids.dedup();
            ids
        })
        .collect()
}

/// Whether a hit of `found` may hide an occurrence of `other`: `other` is inside it, or
/// the two overlap by at least two bytes (a suffix of one starts the other). One-byte
/// overlaps are left out: they are common (`pass`/`smtp`) and would run many rules on
/// every hit, while text that fuses two keywords on one shared byte is contrived.
fn interacts(found: &str, other: &str) -> bool {
    let (f, o) = (found.as_bytes(), other.as_bytes());
    if f.windows(o.len().max(1)).any(|w| w == o) {
        return true;
    }
    let overlap = |a: &[u8], b: &[u8]| {
        (2..a.len().min(b.len())).any(|n| {
            a.get(a.len() - n..)
                .zip(b.get(..n))
                .is_some_and(|(x, y)| x == y)
        })
    };
    overlap(f, o) || overlap(o, f)
}
