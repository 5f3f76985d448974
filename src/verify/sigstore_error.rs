//! Translation of `sigstore-verify` errors into imgguard's distinct outcomes.
//!
//! The library's categories are finer than a deploy gate needs; this is the one
//! place that decides which of them is "untrusted root", which is "log entry
//! invalid", and so on, so every bundle path reports the same way.

use sigstore_verify::{CertificateError, Error, TimestampError};

use super::Rejection;

/// Map a library failure onto a rejection; `authority` names who had to sign.
pub(crate) fn rejection_from(error: &Error, authority: &str) -> Rejection {
    let found = error.to_string();
    match error {
        Error::IdentityMismatch { .. } | Error::IssuerMismatch { .. } => {
            Rejection::identity_mismatch(authority, found)
        }
        Error::ArtifactMismatch(_) => {
            Rejection::subject_mismatch("a subject equal to the image digest", found)
        }
        Error::Certificate(CertificateError::Sct(_)) => Rejection::untrusted_root(
            "a certificate with an SCT from a CT log in the trusted root",
            found,
        ),
        Error::Certificate(_) => Rejection::untrusted_root(
            "a certificate chaining to a Fulcio CA of the trusted root at signing time",
            found,
        ),
        Error::Timestamp(TimestampError::NoVerifiedTimestamp(_)) => Rejection::log_entry_invalid(
            "a verified transparency-log entry or RFC 3161 timestamp",
            found,
        ),
        Error::Timestamp(_) => Rejection::untrusted_root(
            "an RFC 3161 timestamp from a TSA of the trusted root",
            found,
        ),
        Error::TransparencyLog(_) => Rejection::log_entry_invalid(
            "a log entry (SET, inclusion proof, checkpoint) matching the bundle and signed by a log of the trusted root",
            found,
        ),
        // Structural bundle rules are almost all about log evidence (missing SET,
        // missing proof, checkpoint mismatch, no signing-time evidence).
        Error::Bundle(inner) => match inner {
            sigstore_verify::bundle::Error::UnsupportedMediaType(_)
            | sigstore_verify::bundle::Error::UnsupportedVerificationMaterial
            | sigstore_verify::bundle::Error::CertificateChainNotAllowed(_) => {
                Rejection::signature_invalid("a well-formed Sigstore bundle v0.1–v0.3", found)
            }
            _ => Rejection::log_entry_invalid(
                "log evidence as the bundle version requires (SET, inclusion proof with checkpoint, or timestamp)",
                found,
            ),
        },
        Error::InvalidTrustRoot(_) | Error::TrustRoot(_) | Error::TrustedCertificate(_) => {
            Rejection::untrusted_root("a usable trusted root", found)
        }
        _ => Rejection::signature_invalid(format!("a valid signature by {authority}"), found),
    }
}
