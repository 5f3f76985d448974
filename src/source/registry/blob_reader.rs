//! A registry blob as a `Read`: the HTTP response body streamed as it arrives, resumed
//! with a `Range` request when the connection breaks mid-way. Nothing is buffered
//! beyond the HTTP client's chunks and nothing is verified here: the layer engine
//! hashes every byte it is handed, so a resumed stream that splices wrong bytes fails
//! the digest check like any other corruption.

use std::io::{self, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use reqwest::StatusCode;
use reqwest::blocking::Response;

use super::client::RegistryClient;

/// Bytes received across all blobs, for the progress line.
pub type ByteCounter = Arc<AtomicU64>;

/// A blob being read from a registry.
pub struct BlobReader {
    client: Arc<RegistryClient>,
    path: String,
    response: Option<Response>,
    offset: u64,
    resumes: u32,
    counter: Option<ByteCounter>,
}

impl BlobReader {
    /// A reader over an already-opened response for `path` (`blobs/<digest>`).
    pub fn new(
        client: Arc<RegistryClient>,
        path: String,
        response: Response,
        counter: Option<ByteCounter>,
    ) -> Self {
        Self {
            client,
            path,
            response: Some(response),
            offset: 0,
            resumes: 0,
            counter,
        }
    }

    /// Reopen the blob at the current offset after a broken read.
    fn resume(&mut self) -> io::Result<()> {
        let response = self
            .client
            .get(&self.path, &[], self.offset)
            .map_err(|e| io::Error::other(e.to_string()))?;
        if self.offset > 0 && response.status() != StatusCode::PARTIAL_CONTENT {
            // The registry ignored the range: skip what was already delivered.
            let mut skipped = response.take(self.offset);
            let n = io::copy(&mut skipped, &mut io::sink())?;
            if n != self.offset {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "blob shorter on retry than before",
                ));
            }
            self.response = Some(skipped.into_inner());
        } else {
            self.response = Some(response);
        }
        Ok(())
    }
}

impl Read for BlobReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let result = match self.response.as_mut() {
                Some(r) => r.read(buf),
                None => Err(io::Error::other("blob response missing")),
            };
            match result {
                Ok(n) => {
                    self.offset += n as u64;
                    if let Some(c) = &self.counter {
                        c.fetch_add(n as u64, Ordering::Relaxed);
                    }
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    if self.resumes >= self.client.retries() {
                        return Err(io::Error::new(
                            e.kind(),
                            format!(
                                "blob {} broke off after {} bytes and {} resumption(s): {e}",
                                self.path, self.offset, self.resumes
                            ),
                        ));
                    }
                    self.response = None;
                    RegistryClient::pause(self.resumes);
                    self.resumes += 1;
                    self.resume()?;
                }
            }
        }
    }
}
