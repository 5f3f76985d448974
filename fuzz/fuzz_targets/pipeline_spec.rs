//! Arbitrary text as a pipeline spec.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = imgguard::spec::parse_pipeline(text, "fuzz.yaml");
    }
});
