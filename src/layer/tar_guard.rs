//! A guard between the decompressor and the tar parser. tar-rs reads every PAX
//! extension and GNU long-name record whole into memory, so a 300 MB `comment` record
//! that compresses to a few hundred KB would be allocated. The guard follows the tar
//! block structure exactly as tar-rs does (including the PAX `size` override and GNU
//! sparse extension blocks) and stops the stream before an oversized record reaches
//! the parser.

use std::io::{self, Read};

use super::error::{IoCarrier, LayerError};

const BLOCK: usize = 512;
const BLOCK_U64: u64 = 512;
/// GNU sparse headers can chain extension blocks; more than this is not a real file.
const MAX_SPARSE_EXTENSIONS: u64 = 65_536;

enum State {
    /// Collecting a 512-byte header block.
    Header {
        block: Box<[u8; BLOCK]>,
        filled: usize,
    },
    /// Collecting a GNU sparse extension block; `then` bytes of data follow the chain.
    SparseExtension {
        block: Box<[u8; BLOCK]>,
        filled: usize,
        then: u64,
        count: u64,
    },
    /// Passing over `remaining` bytes of entry data and padding.
    Skip { remaining: u64 },
    /// A PAX extended header (`x`), buffered to learn its `size` override.
    Pax {
        data: Vec<u8>,
        remaining: u64,
        padding: u64,
    },
    /// After the end-of-archive block: nothing more is parsed.
    End,
}

/// Bounds tar metadata records while passing bytes through unchanged.
pub struct TarGuard<R> {
    inner: R,
    state: State,
    pending_size: Option<u64>,
    max_record: u64,
}

impl<R: Read> TarGuard<R> {
    /// Guard `inner`, refusing metadata records larger than `max_record` bytes.
    pub fn new(inner: R, max_record: u64) -> Self {
        Self {
            inner,
            state: State::Header {
                block: Box::new([0; BLOCK]),
                filled: 0,
            },
            pending_size: None,
            max_record,
        }
    }

    fn process(&mut self, mut bytes: &[u8]) -> Result<(), LayerError> {
        while !bytes.is_empty() {
            let state = std::mem::replace(&mut self.state, State::End);
            self.state = match state {
                State::End => return Ok(()),
                State::Skip { remaining } => {
                    let n = usize::try_from(remaining)
                        .unwrap_or(usize::MAX)
                        .min(bytes.len());
                    bytes = bytes.get(n..).unwrap_or(&[]);
                    let remaining = remaining - n as u64;
                    if remaining == 0 {
                        fresh_header()
                    } else {
                        State::Skip { remaining }
                    }
                }
                State::Pax {
                    mut data,
                    remaining,
                    padding,
                } => {
                    let n = usize::try_from(remaining)
                        .unwrap_or(usize::MAX)
                        .min(bytes.len());
                    data.extend_from_slice(bytes.get(..n).unwrap_or(&[]));
                    bytes = bytes.get(n..).unwrap_or(&[]);
                    let remaining = remaining - n as u64;
                    if remaining == 0 {
                        self.pending_size = pax_size(&data);
                        if padding == 0 {
                            fresh_header()
                        } else {
                            State::Skip { remaining: padding }
                        }
                    } else {
                        State::Pax {
                            data,
                            remaining,
                            padding,
                        }
                    }
                }
                State::Header { mut block, filled } => {
                    let n = (BLOCK - filled).min(bytes.len());
                    if let (Some(dst), Some(src)) =
                        (block.get_mut(filled..filled + n), bytes.get(..n))
                    {
                        dst.copy_from_slice(src);
                    }
                    bytes = bytes.get(n..).unwrap_or(&[]);
                    if filled + n < BLOCK {
                        State::Header {
                            block,
                            filled: filled + n,
                        }
                    } else {
                        self.on_header(&block)?
                    }
                }
                State::SparseExtension {
                    mut block,
                    filled,
                    then,
                    count,
                } => {
                    let n = (BLOCK - filled).min(bytes.len());
                    if let (Some(dst), Some(src)) =
                        (block.get_mut(filled..filled + n), bytes.get(..n))
                    {
                        dst.copy_from_slice(src);
                    }
                    bytes = bytes.get(n..).unwrap_or(&[]);
                    if filled + n < BLOCK {
                        State::SparseExtension {
                            block,
                            filled: filled + n,
                            then,
                            count,
                        }
                    } else if block.get(504).copied().unwrap_or(0) != 0 {
                        if count >= MAX_SPARSE_EXTENSIONS {
                            return Err(budget(
                                "GNU sparse extension blocks",
                                MAX_SPARSE_EXTENSIONS.to_string(),
                            ));
                        }
                        State::SparseExtension {
                            block: Box::new([0; BLOCK]),
                            filled: 0,
                            then,
                            count: count + 1,
                        }
                    } else {
                        skip_or_header(then)
                    }
                }
            };
        }
        Ok(())
    }

    fn on_header(&mut self, block: &[u8; BLOCK]) -> Result<State, LayerError> {
        if block.iter().all(|&b| b == 0) {
            return Ok(State::End);
        }
        let typeflag = block.get(156).copied().unwrap_or(0);
        let size = header_size(block)?;
        match typeflag {
            b'x' | b'g' | b'L' | b'K' => {
                if size > self.max_record {
                    let what = match typeflag {
                        b'x' => "PAX extended header",
                        b'g' => "PAX global header",
                        b'L' => "GNU long name record",
                        _ => "GNU long link record",
                    };
                    return Err(budget(
                        &format!("{what} of {size} bytes"),
                        format!("{} bytes", self.max_record),
                    ));
                }
                let padding = padded(size)? - size;
                if typeflag == b'x' {
                    let capacity = usize::try_from(size).unwrap_or(0);
                    if size == 0 {
                        self.pending_size = None;
                        return Ok(fresh_header());
                    }
                    Ok(State::Pax {
                        data: Vec::with_capacity(capacity),
                        remaining: size,
                        padding,
                    })
                } else {
                    Ok(skip_or_header(padded(size)?))
                }
            }
            _ => {
                // tar-rs takes the PAX size over the header's, for every entry type.
                let size = self.pending_size.take().unwrap_or(size);
                let data = padded(size)?;
                let extended = typeflag == b'S' && block.get(482).copied().unwrap_or(0) != 0;
                if extended {
                    Ok(State::SparseExtension {
                        block: Box::new([0; BLOCK]),
                        filled: 0,
                        then: data,
                        count: 1,
                    })
                } else {
                    Ok(skip_or_header(data))
                }
            }
        }
    }
}

impl<R: Read> Read for TarGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.process(buf.get(..n).unwrap_or(&[]))
            .map_err(IoCarrier::io)?;
        Ok(n)
    }
}

fn fresh_header() -> State {
    State::Header {
        block: Box::new([0; BLOCK]),
        filled: 0,
    }
}

fn skip_or_header(remaining: u64) -> State {
    if remaining == 0 {
        fresh_header()
    } else {
        State::Skip { remaining }
    }
}

fn budget(what: &str, limit: String) -> LayerError {
    LayerError::Budget {
        what: what.to_owned(),
        limit,
    }
}

fn padded(size: u64) -> Result<u64, LayerError> {
    size.checked_add(BLOCK_U64 - 1)
        .map(|s| s / BLOCK_U64 * BLOCK_U64)
        .ok_or(LayerError::Corrupt {
            what: "tar archive",
            detail: format!("entry size {size} overflows"),
        })
}

/// The size field: octal digits, or GNU base-256 when the high bit is set.
fn header_size(block: &[u8; BLOCK]) -> Result<u64, LayerError> {
    let field = block.get(124..136).unwrap_or(&[]);
    let corrupt = || LayerError::Corrupt {
        what: "tar archive",
        detail: "invalid size field in header".into(),
    };
    if field.first().is_some_and(|b| b & 0x80 != 0) {
        let mut value: u64 = 0;
        for (i, &b) in field.iter().enumerate() {
            let b = if i == 0 { b & 0x7f } else { b };
            value = value
                .checked_mul(256)
                .and_then(|v| v.checked_add(u64::from(b)))
                .ok_or_else(corrupt)?;
        }
        return Ok(value);
    }
    let text = field
        .iter()
        .copied()
        .skip_while(|&b| b == b' ' || b == 0)
        .take_while(|&b| b != b' ' && b != 0);
    let mut value: u64 = 0;
    for b in text {
        if !(b'0'..=b'7').contains(&b) {
            return Err(corrupt());
        }
        value = value
            .checked_mul(8)
            .and_then(|v| v.checked_add(u64::from(b - b'0')))
            .ok_or_else(corrupt)?;
    }
    Ok(value)
}

/// The `size` record of a PAX extended header, if any (records are `LEN key=value\n`).
fn pax_size(data: &[u8]) -> Option<u64> {
    let mut rest = data;
    let mut size = None;
    while !rest.is_empty() {
        let space = rest.iter().position(|&b| b == b' ')?;
        let len: usize = std::str::from_utf8(rest.get(..space)?).ok()?.parse().ok()?;
        let record = rest.get(space + 1..len)?;
        if let Some(value) = record.strip_prefix(b"size=") {
            let value = value.strip_suffix(b"\n").unwrap_or(value);
            size = std::str::from_utf8(value).ok()?.parse().ok();
        }
        rest = rest.get(len..)?;
    }
    size
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(name: &str, typeflag: u8, size: u64) -> Vec<u8> {
        let mut h = tar::Header::new_ustar();
        h.set_path(name).unwrap();
        h.set_size(size);
        h.set_entry_type(tar::EntryType::new(typeflag));
        h.set_cksum();
        h.as_bytes().to_vec()
    }

    fn run(bytes: &[u8], max: u64) -> Result<(), LayerError> {
        let mut g = TarGuard::new(bytes, max);
        let mut out = Vec::new();
        g.read_to_end(&mut out)
            .map(|_| ())
            .map_err(|e| IoCarrier::recover(e, "tar"))
    }

    #[test]
    fn passes_a_normal_archive_and_rejects_a_big_pax_record() {
        let mut ok = header("a.txt", b'0', 5);
        ok.extend_from_slice(&[b'x'; 512]);
        ok.extend_from_slice(&[0; 1024]);
        run(&ok, 1024).unwrap();

        let mut bad = header("pax", b'x', 10_000);
        bad.extend_from_slice(&vec![b' '; 10_240]);
        let err = run(&bad, 1024).unwrap_err();
        assert!(matches!(err, LayerError::Budget { .. }), "{err}");
    }

    #[test]
    fn follows_the_pax_size_override() {
        // A PAX header says the next entry has 1024 bytes of data although its ustar
        // header says 0; after those 1024 bytes a giant GNU long-name record follows.
        let record = b"13 size=1024\n";
        let mut bytes = header("pax", b'x', record.len() as u64);
        let mut block = record.to_vec();
        block.resize(512, 0);
        bytes.extend_from_slice(&block);
        bytes.extend_from_slice(&header("f", b'0', 0));
        bytes.extend_from_slice(&[7; 1024]);
        bytes.extend_from_slice(&header("././@LongLink", b'L', 1 << 30));
        let err = run(&bytes, 4096).unwrap_err();
        assert!(matches!(err, LayerError::Budget { .. }), "{err}");
    }

    #[test]
    fn parses_sizes() {
        let mut b = [0_u8; BLOCK];
        b[124..136].copy_from_slice(b"00000001750\0");
        assert_eq!(header_size(&b).unwrap(), 1000);
        b[124] = 0x80;
        b[125..136].fill(0);
        b[135] = 0x10;
        assert_eq!(header_size(&b).unwrap(), 16);
        assert_eq!(pax_size(b"13 size=1024\n20 path=/etc/passwd\n"), Some(1024));
    }
}
