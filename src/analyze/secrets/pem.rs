//! Structural validation of private-key blocks: PEM (RSA, EC, DSA, PKCS#8, encrypted
//! PKCS#8, legacy `Proc-Type: 4,ENCRYPTED`), OpenSSH, PGP armour, and `PuTTY` `.ppk`.
//! A block that does not parse (truncated, `...`, placeholder text) is not a key.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};

use super::der;

/// Upper bound on a decoded key body, so hostile input cannot allocate much.
const MAX_DECODED: usize = 64 * 1024;

/// Whether `block` (one `-----BEGIN … PRIVATE KEY-----` … `-----END …-----` block,
/// possibly JSON-escaped with literal `\n`) is a structurally valid private key.
pub fn is_private_key_block(block: &[u8]) -> bool {
    let text = normalize(block);
    let Some((label, headers, body)) = split_armor(&text) else {
        return false;
    };
    let encrypted_legacy = headers
        .iter()
        .any(|h| h.starts_with("Proc-Type:") && h.contains("ENCRYPTED"));
    let Some(decoded) = decode_base64_lines(&body) else {
        return false;
    };
    if encrypted_legacy {
        let has_dek = headers.iter().any(|h| h.starts_with("DEK-Info:"));
        return has_dek && !decoded.is_empty() && decoded.len() % 8 == 0;
    }
    match label.as_str() {
        "RSA PRIVATE KEY" => is_rsa(&decoded),
        "EC PRIVATE KEY" => is_ec(&decoded),
        "DSA PRIVATE KEY" => is_dsa(&decoded),
        "PRIVATE KEY" => is_pkcs8(&decoded),
        "ENCRYPTED PRIVATE KEY" => is_encrypted_pkcs8(&decoded),
        "OPENSSH PRIVATE KEY" => is_openssh(&decoded),
        "PGP PRIVATE KEY BLOCK" => is_pgp_secret_key(&decoded),
        "ENCRYPTED COSIGN PRIVATE KEY" | "ENCRYPTED SIGSTORE PRIVATE KEY" => {
            is_cosign_key(&decoded)
        }
        _ => false,
    }
}

/// Undo JSON/YAML escaping and carriage returns so one parser serves every embedding.
fn normalize(block: &[u8]) -> String {
    String::from_utf8_lossy(block)
        .replace("\\r\\n", "\n")
        .replace("\\n", "\n")
        .replace('\r', "")
}

/// Label, headers and base64 body lines of an armoured block.
fn split_armor(text: &str) -> Option<(String, Vec<String>, Vec<String>)> {
    let mut lines = text.lines().map(str::trim);
    let begin = lines.find(|l| l.starts_with("-----BEGIN "))?;
    let label = begin
        .strip_prefix("-----BEGIN ")?
        .strip_suffix("-----")?
        .to_owned();
    let end_line = format!("-----END {label}-----");
    let mut headers = Vec::new();
    let mut body = Vec::new();
    let mut ended = false;
    for line in lines {
        if line == end_line {
            ended = true;
            break;
        }
        if line.is_empty() {
            continue;
        }
        if body.is_empty() && line.contains(": ") {
            headers.push(line.to_owned());
        } else if line.starts_with('=') && label.starts_with("PGP") {
            // armour checksum line
        } else {
            body.push(line.to_owned());
        }
    }
    ended.then_some((label, headers, body))
}

fn decode_base64_lines(lines: &[String]) -> Option<Vec<u8>> {
    let joined: String = lines.concat();
    if joined.is_empty() || joined.len() > MAX_DECODED * 4 / 3 + 4 {
        return None;
    }
    STANDARD
        .decode(joined.as_bytes())
        .or_else(|_| STANDARD_NO_PAD.decode(joined.trim_end_matches('=').as_bytes()))
        .ok()
}

fn is_rsa(der_bytes: &[u8]) -> bool {
    let Some((seq, _)) = der::expect(der_bytes, der::SEQUENCE) else {
        return false;
    };
    // version, n, e, d, p, q, dp, dq, qinv
    der::integers(seq, 9).is_some()
}

fn is_dsa(der_bytes: &[u8]) -> bool {
    let Some((seq, _)) = der::expect(der_bytes, der::SEQUENCE) else {
        return false;
    };
    // version, p, q, g, y, x
    der::integers(seq, 6).is_some()
}

fn is_ec(der_bytes: &[u8]) -> bool {
    let Some((seq, _)) = der::expect(der_bytes, der::SEQUENCE) else {
        return false;
    };
    let Some((version, rest)) = der::expect(seq, der::INTEGER) else {
        return false;
    };
    let Some((key, _)) = der::expect(rest, der::OCTET_STRING) else {
        return false;
    };
    der::small_integer(version) == Some(1) && (16..=72).contains(&key.len())
}

fn is_pkcs8(der_bytes: &[u8]) -> bool {
    let Some((seq, _)) = der::expect(der_bytes, der::SEQUENCE) else {
        return false;
    };
    let Some((version, rest)) = der::expect(seq, der::INTEGER) else {
        return false;
    };
    let Some((algorithm, rest)) = der::expect(rest, der::SEQUENCE) else {
        return false;
    };
    let Some((oid, _)) = der::expect(algorithm, der::OID) else {
        return false;
    };
    let Some((key, _)) = der::expect(rest, der::OCTET_STRING) else {
        return false;
    };
    matches!(der::small_integer(version), Some(0 | 1)) && !oid.is_empty() && key.len() >= 16
}

fn is_encrypted_pkcs8(der_bytes: &[u8]) -> bool {
    let Some((seq, _)) = der::expect(der_bytes, der::SEQUENCE) else {
        return false;
    };
    let Some((algorithm, rest)) = der::expect(seq, der::SEQUENCE) else {
        return false;
    };
    let Some((oid, _)) = der::expect(algorithm, der::OID) else {
        return false;
    };
    let Some((data, _)) = der::expect(rest, der::OCTET_STRING) else {
        return false;
    };
    !oid.is_empty() && data.len() >= 16
}

/// `openssh-key-v1\0`, cipher, kdf, kdf options, key count, public keys, private
/// section; an unencrypted private section starts with two equal check words.
fn is_openssh(bytes: &[u8]) -> bool {
    let Some(mut rest) = bytes.strip_prefix(b"openssh-key-v1\0") else {
        return false;
    };
    let string = |input: &mut &[u8]| -> Option<Vec<u8>> {
        let (len, tail) = input.split_first_chunk::<4>()?;
        let len = usize::try_from(u32::from_be_bytes(*len)).ok()?;
        let value = tail.get(..len)?.to_vec();
        *input = tail.get(len..)?;
        Some(value)
    };
    let Some(cipher) = string(&mut rest) else {
        return false;
    };
    if string(&mut rest).is_none() || string(&mut rest).is_none() {
        return false;
    }
    let Some((count, tail)) = rest.split_first_chunk::<4>() else {
        return false;
    };
    let count = u32::from_be_bytes(*count);
    rest = tail;
    if !(1..=16).contains(&count) {
        return false;
    }
    for _ in 0..count {
        if string(&mut rest).is_none() {
            return false;
        }
    }
    let Some(private) = string(&mut rest) else {
        return false;
    };
    if cipher == b"none" {
        let checks = private.get(0..4).zip(private.get(4..8));
        checks.is_some_and(|(a, b)| a == b)
    } else {
        !private.is_empty() && private.len() % 8 == 0
    }
}

/// cosign/sigstore keys: JSON with the KDF, the cipher and the sealed PKCS#8 key.
fn is_cosign_key(bytes: &[u8]) -> bool {
    let Ok(serde_json::Value::Object(doc)) = serde_json::from_slice(bytes) else {
        return false;
    };
    let text = |v: Option<&serde_json::Value>| {
        v.and_then(serde_json::Value::as_str)
            .is_some_and(|s| !s.is_empty())
    };
    doc.get("kdf").is_some_and(serde_json::Value::is_object)
        && doc.get("cipher").is_some_and(serde_json::Value::is_object)
        && text(doc.get("ciphertext"))
}

/// The first packet of an armoured secret key is a Secret-Key packet (tag 5).
fn is_pgp_secret_key(bytes: &[u8]) -> bool {
    let Some(&first) = bytes.first() else {
        return false;
    };
    if first & 0x80 == 0 {
        return false;
    }
    let tag = if first & 0x40 != 0 {
        first & 0x3f
    } else {
        (first >> 2) & 0x0f
    };
    tag == 5 && bytes.len() > 32
}

/// Whether `text` is a structurally valid `PuTTY` private key file (v2 or v3).
pub fn is_putty_key(text: &[u8]) -> bool {
    let text = normalize(text);
    let mut lines = text.lines().map(str::trim_end);
    let Some(header) = lines.next() else {
        return false;
    };
    let Some(algorithm) = header
        .strip_prefix("PuTTY-User-Key-File-2: ")
        .or_else(|| header.strip_prefix("PuTTY-User-Key-File-3: "))
    else {
        return false;
    };
    if algorithm.is_empty() {
        return false;
    }
    let mut public_ok = false;
    let mut private_ok = false;
    let mut mac_ok = false;
    while let Some(line) = lines.next() {
        if let Some(n) = line.strip_prefix("Public-Lines: ") {
            public_ok = take_base64(&mut lines, n).is_some_and(|d| !d.is_empty());
        } else if let Some(n) = line.strip_prefix("Private-Lines: ") {
            private_ok = take_base64(&mut lines, n).is_some_and(|d| !d.is_empty());
        } else if let Some(mac) = line.strip_prefix("Private-MAC: ") {
            mac_ok = mac.len() >= 40 && mac.bytes().all(|b| b.is_ascii_hexdigit());
            break;
        }
    }
    public_ok && private_ok && mac_ok
}

fn take_base64<'a>(lines: &mut impl Iterator<Item = &'a str>, count: &str) -> Option<Vec<u8>> {
    let count: usize = count.trim().parse().ok()?;
    if count == 0 || count > 512 {
        return None;
    }
    let body: Vec<String> = lines.take(count).map(|l| l.trim().to_owned()).collect();
    if body.len() != count {
        return None;
    }
    decode_base64_lines(&body)
}
