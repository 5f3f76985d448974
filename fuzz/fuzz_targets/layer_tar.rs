//! Arbitrary bytes as an uncompressed layer tar, through the guard, the walker and the
//! filesystem analyzer. Must never panic or allocate without bound.
#![no_main]

use imgguard::analyze::Analyzer;
use imgguard::analyze::filesystem_inventory::FilesystemInventory;
use imgguard::layer::{Budgets, walk_layer};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let analyzer = FilesystemInventory;
    let context = imgguard::fuzz_support::layer_context();
    let mut layers: Vec<_> = analyzer.layer(&context).into_iter().collect();
    let _ = walk_layer(data, &mut layers, &Budgets::default());
});
