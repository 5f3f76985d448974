//! Arbitrary bytes as one layer file through the secret scanner: nested archive
//! detection and streaming (tar, gzip, zip), strings extraction and the rules, fed in
//! chunks whose size the input's first byte picks. Must never panic or allocate
//! without bound.
#![no_main]

use std::sync::OnceLock;

use imgguard::analyze::secrets::{
    ArchiveBudget, ContentCache, FileScan, FileScanOptions, RuleSet, Scanner,
};
use libfuzzer_sys::fuzz_target;

fn scanner() -> &'static Scanner {
    static SCANNER: OnceLock<Scanner> = OnceLock::new();
    SCANNER.get_or_init(|| {
        let rules = RuleSet::builtin().expect("built-in rules compile");
        Scanner::new(&rules).expect("built-in rules make a scanner")
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&step, content)) = data.split_first() else {
        return;
    };
    let options = FileScanOptions {
        archives: ArchiveBudget {
            max_member_bytes: 1 << 20,
            max_expanded_bytes: 8 << 20,
            ..ArchiveBudget::default()
        },
        cache_below: 4096,
        ..FileScanOptions::default()
    };
    let cache = ContentCache::default();
    let mut file = FileScan::with_cache(scanner(), &cache, options, "/fuzz/input");
    for chunk in content.chunks(usize::from(step).max(1) * 17) {
        file.feed(chunk);
    }
    let _ = file.finish(&cache);
});
