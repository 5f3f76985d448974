//! One layer blob as a verified byte stream. A producer thread reads the blob, hashes
//! it (layer digest) and decompresses it, handing chunks to the consumer over a bounded
//! channel; the consumer hashes the chunks as it receives them (diff_id). Inflating
//! and hashing+tar-walking so run on two cores, and memory stays at a few chunks. The verdict on the bytes (digest, size, diff_id)
//! arrives when the consumer calls [`BlobStream::finish`].

use std::io::{self, Read};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use super::decompress::{CompressionCheck, Decoder};
use super::error::{IoCarrier, LayerError};
use super::hashing_reader::HashingReader;
use crate::oci::{Compression, Digest, DigestAlgorithm, DigestHasher};

const CHUNK: usize = 256 * 1024;
const CHANNEL_DEPTH: usize = 4;

/// What the producer learned about a blob that streamed completely.
#[derive(Debug, Clone)]
pub struct StreamOutcome {
    /// Digest of the stored bytes (equal to the descriptor's).
    pub digest: Digest,
    /// Stored size.
    pub compressed_size: u64,
    /// Digest of the uncompressed bytes.
    pub diff_id: Digest,
    /// Uncompressed size.
    pub uncompressed_size: u64,
    /// Declared and detected compression.
    pub compression: CompressionCheck,
}

/// What the blob is expected to be.
#[derive(Debug, Clone)]
pub struct BlobExpectation {
    /// The descriptor's digest.
    pub digest: Digest,
    /// The descriptor's size.
    pub size: u64,
    /// The config's diff_id for this layer, when known.
    pub diff_id: Option<Digest>,
    /// The media type's compression.
    pub compression: Compression,
    /// Uncompressed bytes allowed.
    pub max_uncompressed: u64,
}

type Chunk = Result<Vec<u8>, LayerError>;

/// The consumer end: a `Read` over the uncompressed layer.
pub struct BlobStream {
    receiver: Receiver<Chunk>,
    diff_hasher: DigestHasher,
    expected_diff_id: Option<Digest>,
    received: u64,
    current: Vec<u8>,
    position: usize,
    producer: Option<JoinHandle<Result<StreamOutcome, LayerError>>>,
    failed: bool,
}

impl BlobStream {
    /// Start streaming `blob` on a producer thread.
    pub fn start(blob: Box<dyn Read + Send>, expect: BlobExpectation) -> Self {
        let (sender, receiver) = sync_channel(CHANNEL_DEPTH);
        let expected_diff_id = expect.diff_id.clone();
        let diff_hasher = DigestHasher::new(
            expected_diff_id
                .as_ref()
                .map_or(DigestAlgorithm::Sha256, Digest::algorithm),
        );
        let producer = std::thread::Builder::new()
            .name("imgguard-inflate".into())
            .spawn(move || produce(blob, &expect, &sender));
        match producer {
            Ok(handle) => Self {
                receiver,
                diff_hasher,
                expected_diff_id,
                received: 0,
                current: Vec::new(),
                position: 0,
                producer: Some(handle),
                failed: false,
            },
            Err(e) => {
                let (s, r) = sync_channel(1);
                let _ = s.send(Err(LayerError::Source(format!(
                    "failed to start thread: {e}"
                ))));
                Self {
                    receiver: r,
                    diff_hasher,
                    expected_diff_id,
                    received: 0,
                    current: Vec::new(),
                    position: 0,
                    producer: None,
                    failed: false,
                }
            }
        }
    }

    /// Drain what is left and wait for the producer's verdict on the bytes.
    pub fn finish(mut self) -> Result<StreamOutcome, LayerError> {
        if !self.failed {
            // The tar end marker can come before the end of the stream; the digests
            // must cover every byte.
            if let Err(e) = io::copy(&mut self, &mut io::sink()) {
                let err = IoCarrier::recover(e, "layer stream");
                return Err(self.join().err().unwrap_or(err));
            }
        }
        self.join()
    }

    /// Stop early: drop the channel so the producer stops, and wait for it.
    pub fn abandon(self) {
        let Self {
            receiver, producer, ..
        } = self;
        drop(receiver);
        if let Some(p) = producer {
            let _ = p.join();
        }
    }

    fn join(&mut self) -> Result<StreamOutcome, LayerError> {
        let mut outcome = match self.producer.take() {
            Some(handle) => handle.join().map_err(|_| LayerError::Internal)??,
            None => return Err(LayerError::Internal),
        };
        if self.received != outcome.uncompressed_size {
            return Err(LayerError::Internal);
        }
        let hasher = std::mem::replace(
            &mut self.diff_hasher,
            DigestHasher::new(DigestAlgorithm::Sha256),
        );
        outcome.diff_id = hasher.finish();
        if let Some(expected) = &self.expected_diff_id
            && *expected != outcome.diff_id
        {
            return Err(LayerError::DiffIdMismatch {
                expected: expected.clone(),
                found: outcome.diff_id,
            });
        }
        Ok(outcome)
    }
}

impl Read for BlobStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if let Some(rest) = self.current.get(self.position..)
                && !rest.is_empty()
            {
                let n = rest.len().min(buf.len());
                if let (Some(dst), Some(src)) = (buf.get_mut(..n), rest.get(..n)) {
                    dst.copy_from_slice(src);
                }
                self.position += n;
                return Ok(n);
            }
            match self.receiver.recv() {
                Ok(Ok(chunk)) => {
                    self.diff_hasher.update(&chunk);
                    self.received += chunk.len() as u64;
                    self.current = chunk;
                    self.position = 0;
                }
                Ok(Err(e)) => {
                    self.failed = true;
                    return Err(IoCarrier::io(e));
                }
                Err(_) => return Ok(0),
            }
        }
    }
}

fn produce(
    blob: Box<dyn Read + Send>,
    expect: &BlobExpectation,
    sender: &SyncSender<Chunk>,
) -> Result<StreamOutcome, LayerError> {
    match produce_inner(blob, expect, sender) {
        Ok(outcome) => Ok(outcome),
        Err(ProduceError::ConsumerGone) => Err(LayerError::Internal),
        Err(ProduceError::Layer(e)) => {
            // Tell the consumer why the stream stopped; it may already be gone.
            let _ = sender.send(Err(e.clone()));
            Err(e)
        }
    }
}

enum ProduceError {
    ConsumerGone,
    Layer(LayerError),
}

impl From<LayerError> for ProduceError {
    fn from(e: LayerError) -> Self {
        Self::Layer(e)
    }
}

fn produce_inner(
    blob: Box<dyn Read + Send>,
    expect: &BlobExpectation,
    sender: &SyncSender<Chunk>,
) -> Result<StreamOutcome, ProduceError> {
    let algorithm = expect.digest.algorithm();
    // Never read more than one byte past the declared size from a hostile source.
    let bounded = blob.take(expect.size.saturating_add(1));
    let compressed = HashingReader::new(bounded, algorithm);
    let (decoder, compression) = Decoder::open(compressed, expect.compression)
        .map_err(|e| IoCarrier::recover(e, "layer blob"))?;
    let mut uncompressed = CountingReader {
        inner: decoder,
        count: 0,
    };
    let what = match compression.detected {
        Compression::Gzip => "gzip stream",
        Compression::Zstd => "zstd stream",
        Compression::None => "layer blob",
    };
    loop {
        let mut chunk = vec![0_u8; CHUNK];
        let mut filled = 0;
        while filled < CHUNK {
            let Some(dst) = chunk.get_mut(filled..) else {
                break;
            };
            match uncompressed.read(dst) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let decode_error = IoCarrier::recover(e, what);
                    // A stream that does not decode may simply not be the blob the
                    // descriptor names: report the root cause when it is that.
                    let decoder = uncompressed.inner;
                    let compressed = decoder.into_inner().into_inner();
                    if let Ok((digest, size)) = compressed.drain_and_finish() {
                        check_blob(expect, &digest, size)?;
                    }
                    return Err(decode_error.into());
                }
            }
        }
        if uncompressed.count > expect.max_uncompressed {
            return Err(LayerError::Budget {
                what: format!(
                    "layer expands past {} uncompressed bytes from {} compressed (decompression bomb?)",
                    expect.max_uncompressed, expect.size
                ),
                limit: format!("{} bytes", expect.max_uncompressed),
            }
            .into());
        }
        if filled == 0 {
            break;
        }
        chunk.truncate(filled);
        if sender.send(Ok(chunk)).is_err() {
            return Err(ProduceError::ConsumerGone);
        }
    }
    let uncompressed_size = uncompressed.count;
    let decoder = uncompressed.inner;
    // Bytes the decoder's buffer held but did not consume were hashed when they passed
    // through `compressed`; draining it covers whatever follows the last member.
    let compressed = decoder.into_inner().into_inner();
    let (digest, compressed_size) = compressed
        .drain_and_finish()
        .map_err(|e| IoCarrier::recover(e, "layer blob"))?;
    check_blob(expect, &digest, compressed_size)?;
    Ok(StreamOutcome {
        digest: expect.digest.clone(),
        compressed_size: expect.size,
        // Filled in by the consumer, which hashes what it receives.
        diff_id: expect.digest.clone(),
        uncompressed_size,
        compression,
    })
}

/// Counts the bytes read through it.
struct CountingReader<R> {
    inner: R,
    count: u64,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

fn check_blob(expect: &BlobExpectation, digest: &Digest, size: u64) -> Result<(), LayerError> {
    if size != expect.size {
        return Err(LayerError::SizeMismatch {
            expected: expect.size,
            found: size,
        });
    }
    if *digest != expect.digest {
        return Err(LayerError::DigestMismatch {
            expected: expect.digest.clone(),
            found: digest.clone(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};

    use super::*;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn expectation(blob: &[u8], uncompressed: &[u8], max: u64) -> BlobExpectation {
        BlobExpectation {
            digest: Digest::sha256_of(blob),
            size: blob.len() as u64,
            diff_id: Some(Digest::sha256_of(uncompressed)),
            compression: Compression::Gzip,
            max_uncompressed: max,
        }
    }

    #[test]
    fn verifies_and_counts_a_good_blob() {
        let data = vec![7_u8; 1 << 20];
        let blob = gzip(&data);
        let mut stream = BlobStream::start(
            Box::new(std::io::Cursor::new(blob.clone())),
            expectation(&blob, &data, 1 << 30),
        );
        let mut out = Vec::new();
        stream.read_to_end(&mut out).unwrap();
        assert_eq!(out, data);
        let outcome = stream.finish().unwrap();
        assert_eq!(outcome.uncompressed_size, 1 << 20);
    }

    #[test]
    fn stops_at_the_uncompressed_budget() {
        let data = vec![0_u8; 8 << 20];
        let blob = gzip(&data);
        let mut stream = BlobStream::start(
            Box::new(std::io::Cursor::new(blob.clone())),
            expectation(&blob, &data, 1 << 20),
        );
        let mut out = Vec::new();
        let err = stream.read_to_end(&mut out).unwrap_err();
        assert!(matches!(
            IoCarrier::recover(err, "x"),
            LayerError::Budget { .. }
        ));
        assert!(out.len() <= (1 << 20) + CHUNK);
        assert!(matches!(stream.finish(), Err(LayerError::Budget { .. })));
    }
}
