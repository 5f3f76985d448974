//! Arbitrary text as a Dockerfile: parsed, linted and mapped to a history. Must never
//! panic.
#![no_main]

use imgguard::analyze::config::RuleSelection;
use imgguard::analyze::dockerfile::Dockerfile;
use imgguard::spec::pipeline::Profile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let dockerfile = Dockerfile::parse("Dockerfile", text);
        let _ = dockerfile.lint(&RuleSelection::profile(Profile::Strict));
        let _ = dockerfile.final_base();
        let _ = dockerfile.map_history(&[], &[]);
    }
});
