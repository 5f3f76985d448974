//! A push-driven tar reader for archives nested inside layer files: bytes arrive in
//! chunks of any size and come out as member events, so a tar (or the tar inside a
//! tar.gz) is scanned member by member without ever being held in memory. It reads
//! POSIX ustar, GNU long names and PAX `path`/`size` records; it verifies each
//! header's checksum and stops (reporting why) at the first header it cannot trust.
//! Bytes it cannot attribute to a member — after the end-of-archive marker or after a
//! broken header — are handed back as [`TarEvent::Trailing`] so the caller can still
//! scan them as raw bytes.

/// Largest GNU long-name or PAX extended header body collected (real ones are tiny).
const MAX_META_BYTES: u64 = 1024 * 1024;

/// What the splitter found in the bytes fed so far.
#[derive(Debug, PartialEq, Eq)]
pub enum TarEvent<'a> {
    /// A member with content begins (regular, contiguous or sparse file, or an unknown
    /// type, which POSIX says to read as a regular file).
    Begin {
        /// Its path inside the archive.
        name: &'a str,
        /// Its content length.
        size: u64,
    },
    /// The next piece of the current member's content.
    Data(&'a [u8]),
    /// The current member is complete.
    End,
    /// The archive cannot be read past this point; the reason is for the report.
    Broken(String),
    /// Bytes that belong to no member (after the end marker or a broken header).
    Trailing(&'a [u8]),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Meta {
    LongName,
    Pax,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Collecting the next 512-byte header.
    Header,
    /// Inside a member's content.
    Member { remaining: u64, padding: u64 },
    /// Collecting a long-name or PAX body.
    Meta {
        meta: Meta,
        remaining: u64,
        padding: u64,
    },
    /// Skipping padding or a body nobody scans (links, global PAX, devices).
    Skip { remaining: u64 },
    /// End marker seen or header broken: everything else is trailing.
    Done,
}

/// See the module docs.
#[derive(Debug)]
pub struct TarSplitter {
    state: State,
    header: Vec<u8>,
    meta: Vec<u8>,
    long_name: Option<String>,
    pax_path: Option<String>,
    pax_size: Option<u64>,
    members: usize,
    max_members: usize,
    name: String,
}

impl TarSplitter {
    /// A splitter that reads at most `max_members` members.
    pub fn new(max_members: usize) -> Self {
        Self {
            state: State::Header,
            header: Vec::with_capacity(512),
            meta: Vec::new(),
            long_name: None,
            pax_path: None,
            pax_size: None,
            members: 0,
            max_members,
            name: String::new(),
        }
    }

    /// Members begun so far.
    pub fn members(&self) -> usize {
        self.members
    }

    /// Whether a member's content is being delivered (its `End` has not come yet).
    pub fn in_member(&self) -> bool {
        matches!(self.state, State::Member { .. })
    }

    /// Feed the next bytes; events go to `on` in order.
    pub fn feed(&mut self, mut chunk: &[u8], on: &mut dyn FnMut(TarEvent<'_>)) {
        while !chunk.is_empty() {
            match self.state {
                State::Header => {
                    let want = 512 - self.header.len();
                    let (head, rest) = chunk.split_at(want.min(chunk.len()));
                    self.header.extend_from_slice(head);
                    chunk = rest;
                    if self.header.len() == 512 {
                        let block = std::mem::take(&mut self.header);
                        self.on_header(&block, on);
                        self.header = block;
                        self.header.clear();
                    }
                }
                State::Member { remaining, padding } => {
                    let (data, rest) = split(chunk, remaining);
                    on(TarEvent::Data(data));
                    chunk = rest;
                    let remaining = remaining - data.len() as u64;
                    if remaining == 0 {
                        on(TarEvent::End);
                        self.state = after(padding);
                    } else {
                        self.state = State::Member { remaining, padding };
                    }
                }
                State::Meta {
                    meta,
                    remaining,
                    padding,
                } => {
                    let (data, rest) = split(chunk, remaining);
                    self.meta.extend_from_slice(data);
                    chunk = rest;
                    let remaining = remaining - data.len() as u64;
                    if remaining == 0 {
                        self.on_meta(meta);
                        self.state = after(padding);
                    } else {
                        self.state = State::Meta {
                            meta,
                            remaining,
                            padding,
                        };
                    }
                }
                State::Skip { remaining } => {
                    let (data, rest) = split(chunk, remaining);
                    chunk = rest;
                    self.state = after(remaining - data.len() as u64);
                }
                State::Done => {
                    on(TarEvent::Trailing(chunk));
                    return;
                }
            }
        }
    }

    /// End of input: why the archive is incomplete, if it is (a member or header cut
    /// short). A missing end-of-archive marker is tolerated, as tar itself does.
    pub fn finish(&self) -> Option<String> {
        match self.state {
            State::Header if self.header.is_empty() => None,
            State::Done | State::Skip { .. } => None,
            State::Header => Some("truncated tar: a header is cut short".to_owned()),
            State::Member { remaining, .. } => Some(format!(
                "truncated tar: member {} is missing its last {remaining} bytes",
                self.name
            )),
            State::Meta { .. } => Some("truncated tar: an extended header is cut short".to_owned()),
        }
    }

    fn broken(&mut self, reason: String, block: &[u8], on: &mut dyn FnMut(TarEvent<'_>)) {
        on(TarEvent::Broken(reason));
        self.state = State::Done;
        on(TarEvent::Trailing(block));
    }

    fn on_header(&mut self, block: &[u8], on: &mut dyn FnMut(TarEvent<'_>)) {
        if block.iter().all(|&b| b == 0) {
            self.state = State::Done;
            return;
        }
        if !checksum_ok(block) {
            self.broken(
                "corrupt tar: header checksum mismatch".to_owned(),
                block,
                on,
            );
            return;
        }
        let Some(header_size) = numeric(field(block, 124, 12)) else {
            self.broken("corrupt tar: unreadable size field".to_owned(), block, on);
            return;
        };
        let typeflag = block.get(156).copied().unwrap_or(0);
        let size = match typeflag {
            b'x' | b'g' | b'L' | b'K' => header_size,
            _ => self.pax_size.take().unwrap_or(header_size),
        };
        let padding = (512 - size % 512) % 512;
        match typeflag {
            b'L' | b'x' if size > MAX_META_BYTES => {
                self.broken(
                    format!("corrupt tar: extended header of {size} bytes"),
                    block,
                    on,
                );
            }
            b'L' | b'x' => {
                self.meta.clear();
                let meta = if typeflag == b'L' {
                    Meta::LongName
                } else {
                    Meta::Pax
                };
                self.state = if size == 0 {
                    self.on_meta(meta);
                    after(padding)
                } else {
                    State::Meta {
                        meta,
                        remaining: size,
                        padding,
                    }
                };
            }
            // Links, directories, devices, FIFOs, global PAX, long link names, volume
            // labels, multi-volume continuations: no file content to scan here.
            b'1'..=b'6' | b'g' | b'K' | b'V' | b'M' => {
                self.long_name = None;
                self.pax_path = None;
                self.state = after(size.saturating_add(padding));
            }
            _ => {
                self.members += 1;
                if self.members > self.max_members {
                    self.broken(
                        format!(
                            "more than {} members: the rest is not opened",
                            self.max_members
                        ),
                        block,
                        on,
                    );
                    return;
                }
                self.name = self.member_name(block);
                on(TarEvent::Begin {
                    name: &self.name,
                    size,
                });
                if size == 0 {
                    on(TarEvent::End);
                    self.state = after(padding);
                } else {
                    self.state = State::Member {
                        remaining: size,
                        padding,
                    };
                }
            }
        }
    }

    fn member_name(&mut self, block: &[u8]) -> String {
        if let Some(path) = self.pax_path.take() {
            self.long_name = None;
            return path;
        }
        if let Some(name) = self.long_name.take() {
            return name;
        }
        let name = text(field(block, 0, 100));
        let prefix = text(field(block, 345, 155));
        // Only POSIX ustar has a prefix field; GNU keeps times there.
        if field(block, 257, 6) == b"ustar\0" && !prefix.is_empty() {
            format!("{prefix}/{name}")
        } else {
            name
        }
    }

    fn on_meta(&mut self, meta: Meta) {
        let body = std::mem::take(&mut self.meta);
        match meta {
            Meta::LongName => self.long_name = Some(text(&body)),
            Meta::Pax => {
                for (key, value) in pax_records(&body) {
                    match key {
                        b"path" => self.pax_path = Some(String::from_utf8_lossy(value).into()),
                        b"size" => {
                            self.pax_size =
                                std::str::from_utf8(value).ok().and_then(|v| v.parse().ok());
                        }
                        _ => {}
                    }
                }
            }
        }
        self.meta = body;
        self.meta.clear();
    }
}

fn split(chunk: &[u8], remaining: u64) -> (&[u8], &[u8]) {
    let n = usize::try_from(remaining).map_or(chunk.len(), |r| r.min(chunk.len()));
    chunk.split_at(n)
}

fn after(padding: u64) -> State {
    if padding == 0 {
        State::Header
    } else {
        State::Skip { remaining: padding }
    }
}

fn field(block: &[u8], at: usize, len: usize) -> &[u8] {
    block.get(at..at + len).unwrap_or(&[])
}

/// A NUL-terminated name field.
fn text(bytes: &[u8]) -> String {
    let end = memchr::memchr(0, bytes).unwrap_or(bytes.len());
    String::from_utf8_lossy(bytes.get(..end).unwrap_or(bytes)).into_owned()
}

/// An octal number, or GNU's base-256 (high bit of the first byte set).
fn numeric(bytes: &[u8]) -> Option<u64> {
    let (&first, rest) = bytes.split_first()?;
    if first & 0x80 != 0 {
        let mut value: u64 = u64::from(first & 0x7f);
        for &b in rest {
            value = value.checked_mul(256)?.checked_add(u64::from(b))?;
        }
        return Some(value);
    }
    let digits: Vec<u8> = bytes
        .iter()
        .copied()
        .skip_while(|&b| b == b' ' || b == 0)
        .take_while(|&b| b != b' ' && b != 0)
        .collect();
    if digits.is_empty() {
        return Some(0);
    }
    let digits = std::str::from_utf8(&digits).ok()?;
    u64::from_str_radix(digits, 8).ok()
}

/// The header checksum: the byte sum with the checksum field read as spaces (some old
/// writers summed signed bytes; both are accepted).
fn checksum_ok(block: &[u8]) -> bool {
    let Some(stored) = numeric(field(block, 148, 8)) else {
        return false;
    };
    let mut unsigned: u64 = 0;
    let mut signed: i64 = 0;
    for (i, &b) in block.iter().enumerate() {
        let b = if (148..156).contains(&i) { b' ' } else { b };
        unsigned += u64::from(b);
        signed += i64::from(b.cast_signed());
    }
    stored == unsigned || i64::try_from(stored).is_ok_and(|s| s == signed)
}

/// `LEN key=value\n` records of a PAX extended header.
fn pax_records(mut body: &[u8]) -> Vec<(&[u8], &[u8])> {
    let mut out = Vec::new();
    while !body.is_empty() {
        let Some(space) = memchr::memchr(b' ', body) else {
            break;
        };
        let Some(len) = std::str::from_utf8(body.get(..space).unwrap_or(&[]))
            .ok()
            .and_then(|l| l.parse::<usize>().ok())
        else {
            break;
        };
        let Some(record) = body.get(space + 1..len) else {
            break;
        };
        let record = record.strip_suffix(b"\n").unwrap_or(record);
        if let Some(eq) = memchr::memchr(b'=', record) {
            out.push((
                record.get(..eq).unwrap_or(&[]),
                record.get(eq + 1..).unwrap_or(&[]),
            ));
        }
        body = body.get(len..).unwrap_or(&[]);
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    #[derive(Debug, PartialEq, Eq)]
    enum Ev {
        Begin(String, u64),
        Data(Vec<u8>),
        End,
        Broken(String),
        Trailing(usize),
    }

    /// Feed `data` in `step`-byte chunks; merge adjacent data events.
    fn events(data: &[u8], step: usize) -> (Vec<Ev>, Option<String>) {
        let mut splitter = TarSplitter::new(100);
        let mut out: Vec<Ev> = Vec::new();
        for chunk in data.chunks(step) {
            splitter.feed(chunk, &mut |e| match e {
                TarEvent::Begin { name, size } => out.push(Ev::Begin(name.to_owned(), size)),
                TarEvent::Data(d) => {
                    if let Some(Ev::Data(prev)) = out.last_mut() {
                        prev.extend_from_slice(d);
                    } else {
                        out.push(Ev::Data(d.to_vec()));
                    }
                }
                TarEvent::End => out.push(Ev::End),
                TarEvent::Broken(r) => out.push(Ev::Broken(r)),
                TarEvent::Trailing(t) => {
                    if let Some(Ev::Trailing(n)) = out.last_mut() {
                        *n += t.len();
                    } else {
                        out.push(Ev::Trailing(t.len()));
                    }
                }
            });
        }
        (out, splitter.finish())
    }

    fn gnu_tar(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (name, content) in members {
            let mut header = tar::Header::new_gnu();
            header.set_size(content.len() as u64);
            header.set_mode(0o644);
            builder.append_data(&mut header, name, *content).unwrap();
        }
        builder.into_inner().unwrap()
    }

    #[test]
    fn members_come_out_whatever_the_chunking() {
        let long = format!("{}/deep/file.env", "d".repeat(150));
        let data = gnu_tar(&[("a.txt", b"hello"), ("empty", b""), (&long, &[7u8; 1500])]);
        let expected = vec![
            Ev::Begin("a.txt".into(), 5),
            Ev::Data(b"hello".to_vec()),
            Ev::End,
            Ev::Begin("empty".into(), 0),
            Ev::End,
            Ev::Begin(long.clone(), 1500),
            Ev::Data(vec![7u8; 1500]),
            Ev::End,
            // The second zero block of the end marker.
            Ev::Trailing(512),
        ];
        for step in [1, 7, 511, 512, 513, 4096, data.len()] {
            let (events, gap) = events(&data, step);
            assert!(events == expected, "step {step}: {:?}", &events[..3]);
            assert_eq!(gap, None);
        }
    }

    #[test]
    fn pax_path_and_ustar_prefix_name_the_member() {
        let mut builder = tar::Builder::new(Vec::new());
        let long = format!("{}/x.yml", "p".repeat(120));
        let mut header = tar::Header::new_ustar();
        header.set_size(3);
        header.set_mode(0o644);
        builder
            .append_data(&mut header, &long, &b"abc"[..])
            .unwrap();
        let pax = [("path", "pax/named.env".as_bytes())];
        builder.append_pax_extensions(pax).unwrap();
        let mut header = tar::Header::new_ustar();
        header.set_size(2);
        header.set_mode(0o644);
        builder
            .append_data(&mut header, "short", &b"zz"[..])
            .unwrap();
        let data = builder.into_inner().unwrap();
        let (events, gap) = events(&data, 100);
        let names: Vec<&Ev> = events
            .iter()
            .filter(|e| matches!(e, Ev::Begin(..)))
            .collect();
        assert_eq!(
            names,
            vec![&Ev::Begin(long, 3), &Ev::Begin("pax/named.env".into(), 2)]
        );
        assert_eq!(gap, None);
    }

    #[test]
    fn a_bad_checksum_stops_the_walk_and_the_rest_is_trailing() {
        let mut data = gnu_tar(&[("a.txt", b"hello"), ("b.txt", b"world")]);
        // Corrupt the second header's name: its checksum no longer matches.
        data[1024] ^= 0x55;
        let (events, _) = events(&data, 300);
        assert!(events.contains(&Ev::Broken("corrupt tar: header checksum mismatch".into())));
        let trailing: usize = events
            .iter()
            .map(|e| if let Ev::Trailing(n) = e { *n } else { 0 })
            .sum();
        assert_eq!(trailing, data.len() - 1024);
    }

    #[test]
    fn a_truncated_member_is_reported() {
        let data = gnu_tar(&[("big", &[1u8; 5000])]);
        let (_, gap) = events(&data[..2000], 512);
        assert!(gap.unwrap().contains("big"));
    }

    #[test]
    fn member_count_is_bounded() {
        let many: Vec<(String, Vec<u8>)> =
            (0..150).map(|i| (format!("f{i}"), b"x".to_vec())).collect();
        let refs: Vec<(&str, &[u8])> = many
            .iter()
            .map(|(n, c)| (n.as_str(), c.as_slice()))
            .collect();
        let (events, _) = events(&gnu_tar(&refs), 4096);
        let begun = events.iter().filter(|e| matches!(e, Ev::Begin(..))).count();
        assert_eq!(begun, 100);
        assert!(
            events
                .iter()
                .any(|e| matches!(e, Ev::Broken(r) if r.contains("100")))
        );
    }

    #[test]
    fn base256_and_octal_sizes_parse() {
        assert_eq!(numeric(b"00000000012\0"), Some(10));
        assert_eq!(numeric(b"     12 "), Some(10));
        let mut big = [0u8; 12];
        big[0] = 0x80;
        big[11] = 1;
        big[10] = 2;
        assert_eq!(numeric(&big), Some(513));
        assert_eq!(numeric(b"9"), None);
    }
}
