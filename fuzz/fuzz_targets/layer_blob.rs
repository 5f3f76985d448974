//! Arbitrary bytes as a compressed layer blob (gzip/zstd/none by magic) through the
//! verifying stream and the tar walk.
#![no_main]

use imgguard::layer::{BlobStream, Budgets, walk_layer};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let expect = imgguard::fuzz_support::expectation_for(data);
    let mut stream = BlobStream::start(Box::new(std::io::Cursor::new(data.to_vec())), expect);
    let (_, result) = walk_layer(&mut stream, &mut [], &Budgets::default());
    if result.is_ok() {
        let _ = stream.finish();
    } else {
        stream.abandon();
    }
});
