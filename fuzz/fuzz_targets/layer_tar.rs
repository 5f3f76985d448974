//! Arbitrary bytes as an uncompressed layer tar, through the guard, the walker, the
//! filesystem analyzer and the filesystem checks (strict: every rule, every content
//! read). Must never panic or allocate without bound.
#![no_main]

use imgguard::analyze::Analyzer;
use imgguard::analyze::config::RuleSelection;
use imgguard::analyze::filesystem_checks::FilesystemChecks;
use imgguard::analyze::filesystem_inventory::FilesystemInventory;
use imgguard::layer::{Budgets, walk_layer};
use imgguard::spec::pipeline::Profile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let analyzer = FilesystemInventory;
    let checks = FilesystemChecks::new(RuleSelection::profile(Profile::Strict));
    let context = imgguard::fuzz_support::layer_context();
    let mut layers: Vec<_> = analyzer
        .layer(&context)
        .into_iter()
        .chain(checks.layer(&context))
        .collect();
    let _ = walk_layer(data, &mut layers, &Budgets::default());
});
