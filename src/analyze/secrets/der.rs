//! A minimal DER walker: just enough ASN.1 to tell a real private key from a block of
//! base64 that only looks like one. Never panics and never allocates on hostile input.

/// DER tag of SEQUENCE.
pub const SEQUENCE: u8 = 0x30;
/// DER tag of INTEGER.
pub const INTEGER: u8 = 0x02;
/// DER tag of OCTET STRING.
pub const OCTET_STRING: u8 = 0x04;
/// DER tag of OBJECT IDENTIFIER.
pub const OID: u8 = 0x06;

/// One tag-length-value element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// The (single-byte) tag.
    pub tag: u8,
    /// The content octets.
    pub content: &'a [u8],
}

/// Read one element; returns it and the bytes after it.
pub fn read(input: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    let (&tag, rest) = input.split_first()?;
    if tag & 0x1f == 0x1f {
        return None; // multi-byte tags never occur in key structures
    }
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 {
            return None; // indefinite or absurd length
        }
        let bytes = rest.get(..count)?;
        let len = bytes
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        (len, rest.get(count..)?)
    };
    let content = rest.get(..len)?;
    Some((Tlv { tag, content }, rest.get(len..)?))
}

/// Read one element with the expected tag.
pub fn expect(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (tlv, rest) = read(input)?;
    (tlv.tag == tag).then_some((tlv.content, rest))
}

/// Read `n` INTEGERs in a row, each non-empty.
pub fn integers(mut input: &[u8], n: usize) -> Option<&[u8]> {
    for _ in 0..n {
        let (content, rest) = expect(input, INTEGER)?;
        if content.is_empty() {
            return None;
        }
        input = rest;
    }
    Some(input)
}

/// The single small INTEGER value of `content` (for version fields).
pub fn small_integer(content: &[u8]) -> Option<u8> {
    match content {
        [v] => Some(*v),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_short_and_long_lengths() {
        let (tlv, rest) = read(&[0x02, 0x01, 0x05, 0xff]).unwrap_or_else(|| unreachable!());
        assert_eq!(tlv.tag, INTEGER);
        assert_eq!(tlv.content, &[5]);
        assert_eq!(rest, &[0xff]);
        let mut long = vec![0x04, 0x81, 0x80];
        long.extend(std::iter::repeat_n(0u8, 0x80));
        assert!(read(&long).is_some());
        assert!(read(&[0x04, 0x81]).is_none());
        assert!(read(&[0x04, 0x80, 0x00]).is_none());
        assert!(read(&[0x04, 0x05, 0x00]).is_none());
    }
}
