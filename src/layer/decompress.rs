//! Decompression chosen by media type and checked against magic bytes. The decoder
//! gives back its input afterwards so the compressed digest can cover trailing bytes.

use std::io::{self, BufRead, BufReader, Read};

use flate2::bufread::MultiGzDecoder;

use crate::oci::Compression;

const INPUT_BUFFER: usize = 128 * 1024;

/// A decoder over `R` for one of the supported compressions.
pub enum Decoder<R: Read> {
    /// A plain tar.
    None(BufReader<R>),
    /// gzip, every member (`GzDecoder` would stop after the first one).
    Gzip(Box<MultiGzDecoder<BufReader<R>>>),
    /// zstd, every frame.
    Zstd(Box<zstd::stream::read::Decoder<'static, BufReader<R>>>),
}

/// What the media type said and what the bytes showed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompressionCheck {
    /// Declared by the media type.
    pub declared: Compression,
    /// Shown by the magic bytes; this is what the decoder uses, as container
    /// runtimes also decide by magic.
    pub detected: Compression,
}

impl<R: Read> Decoder<R> {
    /// Peek at the magic bytes and open the matching decoder.
    pub fn open(inner: R, declared: Compression) -> io::Result<(Self, CompressionCheck)> {
        let mut buffered = BufReader::with_capacity(INPUT_BUFFER, inner);
        let detected = Compression::sniff(buffered.fill_buf()?);
        let decoder = match detected {
            Compression::None => Self::None(buffered),
            Compression::Gzip => Self::Gzip(Box::new(MultiGzDecoder::new(buffered))),
            Compression::Zstd => {
                let mut dec = zstd::stream::read::Decoder::with_buffer(buffered)?;
                // A window over 128 MiB is a memory bomb, not a real layer.
                dec.window_log_max(27)?;
                Self::Zstd(Box::new(dec))
            }
        };
        Ok((decoder, CompressionCheck { declared, detected }))
    }

    /// The input reader, positioned after what the decoder consumed.
    pub fn into_inner(self) -> BufReader<R> {
        match self {
            Self::None(r) => r,
            Self::Gzip(d) => (*d).into_inner(),
            Self::Zstd(d) => d.finish(),
        }
    }
}

impl<R: Read> Read for Decoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Self::None(r) => r.read(buf),
            Self::Gzip(d) => d.read(buf),
            Self::Zstd(d) => d.read(buf),
        }
    }
}
