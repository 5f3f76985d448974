//! A reader that hashes and counts every byte that passes through it.

use std::io::{self, Read};

use crate::oci::{Digest, DigestAlgorithm, DigestHasher};

/// Hashes and counts the bytes read from `inner`.
pub struct HashingReader<R> {
    inner: R,
    hasher: DigestHasher,
    count: u64,
}

impl<R: Read> HashingReader<R> {
    /// Wrap `inner`, hashing with `algorithm`.
    pub fn new(inner: R, algorithm: DigestAlgorithm) -> Self {
        Self {
            inner,
            hasher: DigestHasher::new(algorithm),
            count: 0,
        }
    }

    /// Bytes read so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The digest and count of what was read so far, and the inner reader.
    pub fn finish(self) -> (Digest, u64, R) {
        (self.hasher.finish(), self.count, self.inner)
    }

    /// Read `inner` to its end (so the digest covers trailing bytes too) and return the
    /// digest and total count.
    pub fn drain_and_finish(mut self) -> io::Result<(Digest, u64)> {
        io::copy(&mut self, &mut io::sink())?;
        Ok((self.hasher.finish(), self.count))
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(read) = buf.get(..n) {
            self.hasher.update(read);
        }
        self.count += n as u64;
        Ok(n)
    }
}
