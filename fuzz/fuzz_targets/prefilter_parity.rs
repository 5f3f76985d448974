//! Differential: the default shift-or prefilter must report exactly the keyword hits
//! of the Aho-Corasick reference, for any keywords and any haystack. The input's first
//! part (up to the first `\0\0`) is the keywords, split at `\0`; the rest is the
//! haystack; its first byte also picks a resume point and limit, as the streaming
//! scanner would leave them.
#![no_main]

use imgguard::analyze::secrets::{AhoCorasickPrefilter, Prefilter, ShiftOrPrefilter};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let split = data.windows(2).position(|w| w == b"\0\0");
    let (head, haystack) = match split {
        Some(at) => (&data[..at], &data[at + 2..]),
        None => return,
    };
    // Distinct keywords, as the scanner builds every prefilter.
    let mut keywords: Vec<String> = head
        .split(|&b| b == 0)
        .filter(|k| !k.is_empty() && k.len() <= 40)
        .take(300)
        .map(|k| String::from_utf8_lossy(k).into_owned())
        .collect();
    keywords.sort_unstable();
    keywords.dedup();
    if keywords.is_empty() {
        return;
    }
    let (Ok(reference), Ok(shift_or)) = (
        AhoCorasickPrefilter::new(&keywords),
        ShiftOrPrefilter::new(&keywords),
    ) else {
        return;
    };
    assert_eq!(reference.shard_count(), shift_or.shard_count());
    let pick = usize::from(haystack.first().copied().unwrap_or(0));
    let limit = haystack.len().saturating_sub(pick % 7);
    for start in [0, pick % (haystack.len() + 1)] {
        let mut resume_a = vec![start; reference.shard_count()];
        let mut resume_b = resume_a.clone();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        reference.collect_hits(haystack, &mut resume_a, limit, &mut a);
        shift_or.collect_hits(haystack, &mut resume_b, limit, &mut b);
        a.sort_unstable_by_key(|h| (h.start, h.end, h.keyword));
        b.sort_unstable_by_key(|h| (h.start, h.end, h.keyword));
        assert_eq!(a, b, "hits for {keywords:?}");
        assert_eq!(resume_a, resume_b);
    }
});
