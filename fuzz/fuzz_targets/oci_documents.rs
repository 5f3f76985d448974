//! Arbitrary bytes as a manifest, index, config and reference.
#![no_main]

use imgguard::oci::{ImageConfig, ImageIndex, ImageManifest, ImageReference};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = ImageManifest::parse(data);
    let _ = ImageIndex::parse(data);
    if let Ok(config) = ImageConfig::parse(data) {
        let _ = config.layer_history();
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = ImageReference::parse(text);
    }
});
