//! A reader over a blob being uploaded that hashes what it hands out and refuses to
//! hand out the last byte of a blob whose digest or size is wrong: the upload then
//! breaks off before the registry could accept it, and the reason is kept for the
//! error message (the HTTP layer only sees "the body failed").

use std::io::{self, Read};
use std::sync::{Arc, OnceLock};

use crate::oci::{Digest, DigestHasher};

/// Streams `expected_size` bytes that must hash to `expected`.
pub struct VerifyingReader {
    inner: Box<dyn Read + Send>,
    hasher: Option<DigestHasher>,
    expected: Digest,
    expected_size: u64,
    read: u64,
    failure: Arc<OnceLock<String>>,
}

impl VerifyingReader {
    /// Wraps `inner`; a mismatch is recorded in `failure` (shared with the caller).
    pub fn new(
        inner: Box<dyn Read + Send>,
        expected: Digest,
        expected_size: u64,
        failure: Arc<OnceLock<String>>,
    ) -> Self {
        Self {
            inner,
            hasher: Some(DigestHasher::new(expected.algorithm())),
            expected,
            expected_size,
            read: 0,
            failure,
        }
    }

    fn fail(&self, reason: String) -> io::Error {
        let _ = self.failure.set(reason.clone());
        io::Error::new(io::ErrorKind::InvalidData, reason)
    }
}

impl Read for VerifyingReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let total = self.read.saturating_add(n as u64);
        if n == 0 {
            if self.read < self.expected_size {
                return Err(self.fail(format!(
                    "{} ends after {} of {} bytes",
                    self.expected, self.read, self.expected_size
                )));
            }
            return Ok(0);
        }
        if total > self.expected_size {
            return Err(self.fail(format!(
                "{} is longer than its {} bytes",
                self.expected, self.expected_size
            )));
        }
        let chunk = buf.get(..n).unwrap_or_default();
        if let Some(hasher) = self.hasher.as_mut() {
            hasher.update(chunk);
        }
        self.read = total;
        if total == self.expected_size
            && let Some(hasher) = self.hasher.take()
        {
            // The HTTP layer stops reading at the declared length: check now, before
            // the last bytes leave.
            let found = hasher.finish();
            if found != self.expected {
                return Err(self.fail(format!(
                    "the bytes read hash to {found}, not {}",
                    self.expected
                )));
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    fn read_all(bytes: &[u8], digest: &Digest, size: u64) -> (io::Result<Vec<u8>>, Option<String>) {
        let failure = Arc::new(OnceLock::new());
        let mut reader = VerifyingReader::new(
            Box::new(io::Cursor::new(bytes.to_vec())),
            digest.clone(),
            size,
            failure.clone(),
        );
        let mut out = Vec::new();
        let result = reader.read_to_end(&mut out).map(|_| out);
        (result, failure.get().cloned())
    }

    #[test]
    fn the_right_bytes_pass_unchanged() {
        let bytes = b"layer bytes".repeat(5000);
        let digest = Digest::sha256_of(&bytes);
        let (out, failure) = read_all(&bytes, &digest, bytes.len() as u64);
        assert_eq!(out.unwrap(), bytes);
        assert_eq!(failure, None);
    }

    #[test]
    fn wrong_bytes_never_yield_their_last_chunk() {
        let bytes = b"tampered".to_vec();
        let digest = Digest::sha256_of(b"original");
        let (out, failure) = read_all(&bytes, &digest, bytes.len() as u64);
        assert_eq!(out.unwrap_err().kind(), io::ErrorKind::InvalidData);
        assert!(failure.unwrap().contains("hash to"));
    }

    #[test]
    fn short_and_long_blobs_fail() {
        let bytes = b"0123456789".to_vec();
        let digest = Digest::sha256_of(&bytes);
        let (out, failure) = read_all(&bytes, &digest, 11);
        assert!(out.is_err());
        assert!(failure.unwrap().contains("ends after 10 of 11"));
        let (out, failure) = read_all(&bytes, &digest, 9);
        assert!(out.is_err());
        assert!(failure.unwrap().contains("longer than"));
    }
}
