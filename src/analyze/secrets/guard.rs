//! The shared false-positive guard: every capture passes through it before it can
//! become a finding. It rejects documented example values, placeholders and template
//! references for every rule, and for generic rules (`value_check: password | token`)
//! also judges the value itself: identifiers, paths, hashes, UUIDs, low entropy.
//!
//! Precision beats recall for a gate: a value rejected here is never reported.

use super::entropy::shannon;
use super::rule::ValueCheck;

/// Documented example credentials (AWS docs, boto3, Stripe docs, JWT.io...).
const KNOWN_EXAMPLES: &[&[u8]] = &[
    b"AKIAIOSFODNN7EXAMPLE",
    b"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    b"AKIAI44QH8DHBEXAMPLE",
    b"je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
    b"ASIAIOSFODNN7EXAMPLE",
    b"sk_test_4eC39HqLyjWDarjtT1zdp7dc",
    // The Google Cloud SDK's own installed-app OAuth client secret: public, shipped in
    // every gcloud and in every application_default_credentials.json it writes.
    b"d-FL95Q19q7MQmFpd7hHD0Ty",
    b"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
];

/// Lowercase markers of placeholder or documentation values.
const PLACEHOLDER_MARKERS: &[&[u8]] = &[
    b"example",
    b"placeholder",
    b"changeme",
    b"change_me",
    b"change-me",
    b"changeit",
    b"your_",
    b"your-",
    b"yourtoken",
    b"yourpassword",
    b"yoursecret",
    b"yourkey",
    b"xxxx",
    b"****",
    b"....",
    b"\xe2\x80\xa6",
    b"dummy",
    b"redacted",
    b"replace_me",
    b"replaceme",
    b"replace-me",
    b"insert_",
    b"insert-",
    b"not_a_real",
    b"not-a-real",
    b"notreal",
    b"fake",
    b"sample",
    b"lorem",
    b"token_here",
    b"token-here",
    b"key_here",
    b"key-here",
    b"secret_here",
    b"secret-here",
    b"password_here",
    b"password-here",
];

/// Longest value the placeholder and run checks apply to; longer captures are key
/// material whose validators judge them (binary keys have long `AAAA` runs).
const MAX_PLACEHOLDER_CHECK: usize = 256;

/// Template and reference syntax: the value is not in the image, only a pointer to it.
/// A lone `<` or `>` is not one (random salts and passwords use them); an angle-bracketed
/// word (`<password>`, `<YOUR TOKEN>`) is, see [`has_angle_placeholder`].
const REFERENCE_MARKERS: &[&[u8]] = &[b"${", b"$(", b"{{", b"}}", b"<%", b"%>", b"#{", b"%("];

/// Whole values that are never secrets when a generic rule captures them.
const TRIVIAL_VALUES: &[&[u8]] = &[
    b"password",
    b"passwd",
    b"secret",
    b"token",
    b"pass",
    b"admin",
    b"root",
    b"none",
    b"null",
    b"nil",
    b"true",
    b"false",
    b"undefined",
    b"empty",
    b"default",
    b"required",
    b"optional",
    b"string",
    b"test",
    b"testing",
    b"user",
    b"username",
    b"guest",
    b"hidden",
    b"unset",
];

/// Why a value is not a reportable secret, or `None` when it is plausible.
pub fn rejection(value: &[u8], check: ValueCheck) -> Option<&'static str> {
    // A quoted capture (`password "PASSWORD"` in a .netrc) is judged by what is inside.
    let value = match (value.first(), value.last()) {
        (Some(&open @ (b'"' | b'\'')), Some(&close)) if value.len() >= 2 && open == close => {
            value.get(1..value.len() - 1).unwrap_or(value)
        }
        _ => value,
    };
    if KNOWN_EXAMPLES.contains(&value) {
        return Some("documented example value");
    }
    let lower = value.to_ascii_lowercase();
    // Long captures (key blocks) are random base64 where a 4-letter marker can occur by
    // chance; their validators reject placeholder blocks instead.
    if value.len() <= MAX_PLACEHOLDER_CHECK
        && PLACEHOLDER_MARKERS.iter().any(|m| contains(&lower, m))
    {
        return Some("placeholder");
    }
    if REFERENCE_MARKERS.iter().any(|m| contains(value, m))
        || value.first() == Some(&b'$')
        || value.first() == Some(&b'<')
        || has_angle_placeholder(value)
    {
        return Some("reference to a variable or template");
    }
    if value.len() <= MAX_PLACEHOLDER_CHECK {
        if distinct_bytes(value) <= 3 && value.len() >= 6 {
            return Some("too few distinct characters");
        }
        if has_run(value, 8) {
            return Some("sequential or repeated run");
        }
    }
    match check {
        ValueCheck::Format => None,
        ValueCheck::Password => password_rejection(value, &lower),
        ValueCheck::Token => token_rejection(value, &lower),
    }
}

fn password_rejection(value: &[u8], lower: &[u8]) -> Option<&'static str> {
    if value.len() < 8 {
        return Some("too short for a password");
    }
    if value.len() > 200 {
        return Some("too long for a password");
    }
    if let Some(reason) = shared_generic_rejection(value, lower) {
        return Some(reason);
    }
    let classes = char_classes(value);
    if classes < 2 && shannon(value) < 3.0 {
        return Some("single character class and low entropy");
    }
    None
}

fn token_rejection(value: &[u8], lower: &[u8]) -> Option<&'static str> {
    if value.len() < 16 {
        return Some("too short for a token");
    }
    if let Some(reason) = shared_generic_rejection(value, lower) {
        return Some(reason);
    }
    if shannon(value) < 3.5 {
        return Some("entropy too low for a random token");
    }
    if char_classes(value) < 2 {
        return Some("single character class");
    }
    None
}

/// Checks for both generic judgements; `Some` means the value is rejected.
fn shared_generic_rejection(value: &[u8], lower: &[u8]) -> Option<&'static str> {
    if TRIVIAL_VALUES.contains(&lower) {
        return Some("trivial value");
    }
    if value.iter().all(u8::is_ascii_digit) {
        return Some("number");
    }
    if is_path(value) {
        return Some("file path");
    }
    if is_uuid(value) {
        return Some("uuid");
    }
    if is_hash(value) {
        return Some("hex digest");
    }
    if is_identifier(value) {
        return Some("identifier or code reference");
    }
    if value
        .iter()
        .any(|b| matches!(b, b'(' | b')' | b'[' | b']' | b'{' | b'}'))
    {
        return Some("code expression");
    }
    if lower.starts_with(b"sha256:") || lower.starts_with(b"sha512-") || lower.starts_with(b"sha1-")
    {
        return Some("integrity digest");
    }
    if lower.starts_with(b"ssh-") || lower.starts_with(b"ecdsa-sha2-") {
        return Some("public key");
    }
    if lower.starts_with(b"http://")
        || lower.starts_with(b"https://")
        || lower.starts_with(b"file:")
    {
        return Some("url");
    }
    None
}

/// `<` then 1 to 64 word characters, spaces, dots or dashes, then `>`: a placeholder
/// such as `<password>` or `<YOUR API KEY>` anywhere in the value.
fn has_angle_placeholder(value: &[u8]) -> bool {
    value.iter().enumerate().any(|(i, &b)| {
        b == b'<'
            && value.get(i + 1..).is_some_and(|rest| {
                let inner = rest
                    .iter()
                    .take_while(|c| {
                        c.is_ascii_alphanumeric() || matches!(c, b'_' | b' ' | b'.' | b'-')
                    })
                    .count();
                (1..=64).contains(&inner) && rest.get(inner) == Some(&b'>')
            })
    })
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(hay, needle).is_some()
}

fn distinct_bytes(value: &[u8]) -> usize {
    let mut seen = [false; 256];
    for &b in value {
        if let Some(s) = seen.get_mut(usize::from(b)) {
            *s = true;
        }
    }
    seen.iter().filter(|&&s| s).count()
}

/// A run of `n` bytes that repeat or step by one (`aaaaaaaa`, `12345678`, `abcdefgh`).
fn has_run(value: &[u8], n: usize) -> bool {
    let mut same = 1;
    let mut up = 1;
    let mut down = 1;
    for pair in value.windows(2) {
        let [a, b] = pair else { continue };
        same = if a == b { same + 1 } else { 1 };
        up = if b.wrapping_sub(*a) == 1 && b.is_ascii_alphanumeric() {
            up + 1
        } else {
            1
        };
        down = if a.wrapping_sub(*b) == 1 && b.is_ascii_alphanumeric() {
            down + 1
        } else {
            1
        };
        if same >= n || up >= n || down >= n {
            return true;
        }
    }
    false
}

fn char_classes(value: &[u8]) -> usize {
    let lower = value.iter().any(u8::is_ascii_lowercase);
    let upper = value.iter().any(u8::is_ascii_uppercase);
    let digit = value.iter().any(u8::is_ascii_digit);
    let other = value.iter().any(|b| !b.is_ascii_alphanumeric());
    [lower, upper, digit, other].iter().filter(|&&c| c).count()
}

fn is_path(value: &[u8]) -> bool {
    value.starts_with(b"/")
        || value.starts_with(b"./")
        || value.starts_with(b"../")
        || value.starts_with(b"~/")
        || (value.len() > 2 && value.get(1) == Some(&b':') && value.get(2) == Some(&b'\\'))
}

fn is_uuid(value: &[u8]) -> bool {
    value.len() == 36
        && value.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

fn is_hash(value: &[u8]) -> bool {
    matches!(value.len(), 32 | 40 | 56 | 64 | 96 | 128) && value.iter().all(u8::is_ascii_hexdigit)
}

/// Words joined by `_`, `-` or `.` in one case (`readonly_user`, `DB_HOST`), or a dotted
/// code path (`settings.DB_PASSWORD`, `os.environ.get`).
fn is_identifier(value: &[u8]) -> bool {
    let word_char = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.');
    if !value.iter().all(word_char) {
        return false;
    }
    let has_digit = value.iter().any(u8::is_ascii_digit);
    let single_case =
        !value.iter().any(u8::is_ascii_uppercase) || !value.iter().any(u8::is_ascii_lowercase);
    if single_case && !has_digit {
        return true;
    }
    let dotted = value.contains(&b'.')
        && value.split(|&b| b == b'.').all(|part| {
            part.first()
                .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
        });
    dotted && !has_digit
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_password_is_judged_by_value() {
        assert_eq!(rejection(b"ComplexPassword123", ValueCheck::Password), None);
        assert!(rejection(b"readonly_user", ValueCheck::Password).is_some());
        assert!(rejection(b"changeme", ValueCheck::Password).is_some());
        assert!(rejection(b"${DB_PASSWORD}", ValueCheck::Password).is_some());
        assert!(rejection(b"$(cat /run/secrets/db)", ValueCheck::Password).is_some());
        assert!(rejection(b"<password>", ValueCheck::Password).is_some());
        assert!(rejection(b"db-<PASSWORD HERE>", ValueCheck::Password).is_some());
        assert_eq!(
            rejection(b"aOv%R?T>YZPNvS<_!I4k9Gv", ValueCheck::Password),
            None,
            "a lone < or > in a random value is not a template"
        );
        assert!(rejection(b"/run/secrets/db_password", ValueCheck::Password).is_some());
        assert!(rejection(b"settings.DB_PASSWORD", ValueCheck::Password).is_some());
        assert!(rejection(b"\"PASSWORD\"", ValueCheck::Password).is_some());
        assert_eq!(
            rejection(b"'ComplexPassword123'", ValueCheck::Password),
            None
        );
    }

    #[test]
    fn documented_examples_and_placeholders_are_rejected_for_every_rule() {
        assert!(rejection(b"AKIAIOSFODNN7EXAMPLE", ValueCheck::Format).is_some());
        assert!(rejection(b"your-token-here", ValueCheck::Format).is_some());
        assert!(rejection(b"xxxxxxxxxxxxxxxxxxxx", ValueCheck::Format).is_some());
        assert!(
            rejection(
                b"ghp_000000000000000000000000000000000000",
                ValueCheck::Format
            )
            .is_some()
        );
        assert_eq!(
            rejection(b"ghp_R4nd0mLooking1Value9qZ", ValueCheck::Format),
            None
        );
    }

    #[test]
    fn generic_tokens_reject_hashes_uuids_and_low_entropy() {
        assert!(rejection(b"123e4567-e89b-12d3-a456-426614174000", ValueCheck::Token).is_some());
        assert!(rejection(b"d41d8cd98f00b204e9800998ecf8427e", ValueCheck::Token).is_some());
        assert!(rejection(b"aaaabbbbaaaabbbb", ValueCheck::Token).is_some());
        assert_eq!(rejection(b"Zq8vL2mN4pR7sT1wX5yB", ValueCheck::Token), None);
    }
}
