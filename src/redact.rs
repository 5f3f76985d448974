//! Redaction of free text (history lines, commands) before anything displays it.
//! Analyzers name the secret spans they recognise; on top of that, any `KEY=VALUE`
//! whose key sounds sensitive has its value redacted, so a history line never carries
//! a password even where no rule fires.

use std::ops::Range;

use crate::finding::RedactedSecret;

const SENSITIVE_KEY_PARTS: [&str; 10] = [
    "PASS", "PWD", "SECRET", "TOKEN", "KEY", "AUTH", "CRED", "PRIVATE", "SESSION", "COOKIE",
];

/// Value spans of `KEY=VALUE` pairs whose key looks sensitive.
pub fn sensitive_assignments(text: &[u8]) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    let mut i = 0;
    while let Some(eq) = text
        .get(i..)
        .and_then(|t| t.iter().position(|&b| b == b'='))
        .map(|p| p + i)
    {
        let key_start = text
            .get(..eq)
            .and_then(|t| {
                t.iter().rposition(|b| {
                    !(b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-' || *b == b'.')
                })
            })
            .map_or(0, |p| p + 1);
        let key =
            String::from_utf8_lossy(text.get(key_start..eq).unwrap_or(&[])).to_ascii_uppercase();
        let value_start = eq + 1;
        let (start, end) = if let Some(&q @ (b'"' | b'\'')) = text.get(value_start) {
            let close = text
                .get(value_start + 1..)
                .and_then(|t| t.iter().position(|&b| b == q));
            (
                value_start + 1,
                close.map_or(text.len(), |c| value_start + 1 + c),
            )
        } else {
            let stop = text
                .get(value_start..)
                .and_then(|t| t.iter().position(u8::is_ascii_whitespace));
            (value_start, stop.map_or(text.len(), |s| value_start + s))
        };
        if !key.is_empty() && end > start && SENSITIVE_KEY_PARTS.iter().any(|p| key.contains(p)) {
            spans.push(start..end);
        }
        i = end.max(value_start);
    }
    spans
}

/// Replace every span in `text` with its redacted form. Overlapping spans are merged.
pub fn redact_spans(text: &str, mut spans: Vec<Range<usize>>) -> String {
    spans.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for span in spans {
        let start = span.start.max(pos);
        let end = span.end.min(bytes.len());
        if start >= end {
            continue;
        }
        out.push_str(&String::from_utf8_lossy(
            bytes.get(pos..start).unwrap_or(&[]),
        ));
        out.push_str(&RedactedSecret::from_value(bytes.get(start..end).unwrap_or(&[])).redacted);
        pos = end;
    }
    out.push_str(&String::from_utf8_lossy(bytes.get(pos..).unwrap_or(&[])));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_sensitive_assignments_only() {
        let line = "ENV DB_USER=readonly_user DB_PASS=ComplexPassword123";
        let out = redact_spans(line, sensitive_assignments(line.as_bytes()));
        assert_eq!(out, "ENV DB_USER=readonly_user DB_PASS=Comp…(18)");
        let run = r#"RUN |1 NPM_TOKEN="npm_abcdefghijklmnop" /bin/sh -c make"#;
        let out = redact_spans(run, sensitive_assignments(run.as_bytes()));
        assert!(!out.contains("abcdefghijklmnop"), "{out}");
        assert!(out.contains("/bin/sh -c make"));
    }
}
