//! Why a piece of evidence (a signature, bundle or attestation) was not accepted.
//!
//! Every verifier in `verify` ends in either an accepted piece of evidence or one of
//! these rejections. They are data, not errors: a rejected signature is a finding
//! about the image, while an unreadable trust root is a [`super::VerifyError`].
//! Each rejection names what was expected and what was found, so a report can say
//! "expected X, found Y" without re-deriving it.

use schemars::JsonSchema;
use serde::Serialize;

/// The distinct outcomes a deploy gate needs to tell apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Rejection {
    /// No evidence of the required kind exists for the image at all.
    NoSignatureFound {
        /// What was looked for (e.g. "a signature by one of 2 authorities").
        expected: String,
        /// What was there instead (e.g. "no .sig, .att or referrer").
        found: String,
    },
    /// The cryptographic signature does not verify, or the evidence is malformed.
    SignatureInvalid {
        /// What would have made it valid.
        expected: String,
        /// What the check saw.
        found: String,
    },
    /// The signature is valid, but by someone the policy does not trust.
    IdentityMismatch {
        /// The identity (or key) the policy requires.
        expected: String,
        /// The identity (or key) that signed.
        found: String,
    },
    /// The signing certificate (or timestamp) does not chain to the trusted root.
    UntrustedRoot {
        /// What the trusted root would have accepted.
        expected: String,
        /// Why the chain did not hold.
        found: String,
    },
    /// The transparency-log evidence (SET, inclusion proof, checkpoint, body) is wrong.
    LogEntryInvalid {
        /// What a valid log entry would have shown.
        expected: String,
        /// What the log entry showed.
        found: String,
    },
    /// The transparency-log proof the evidence needs is not there to be checked
    /// offline (a keyless cosign signature without its Rekor bundle): the evidence is
    /// neither accepted nor refuted, so the requirement is `incomplete`, never met.
    LogProofUnavailable {
        /// The proof that would have let it be checked.
        expected: String,
        /// What the evidence carries instead.
        found: String,
    },
    /// The attestation is about something else than what the policy asks for.
    PredicateTypeMismatch {
        /// The predicate type required.
        expected: String,
        /// The predicate type found.
        found: String,
    },
    /// Verified provenance says the image was built other than the policy requires
    /// (builder, build type, source repository, ref, or SLSA level).
    ProvenanceMismatch {
        /// The provenance field (`builder_id`, `build_type`, `source_repo`, `source_ref`, `level`).
        field: String,
        /// What the policy allows.
        expected: String,
        /// What the provenance says.
        found: String,
    },
    /// The evidence is signed correctly but covers a different artifact.
    SubjectMismatch {
        /// The image digest(s) the evidence had to cover.
        expected: String,
        /// The digest(s) it covers.
        found: String,
    },
}

impl Rejection {
    /// A stable machine-readable code for the outcome (used in reports and findings).
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoSignatureFound { .. } => "verify.no-signature-found",
            Self::SignatureInvalid { .. } => "verify.signature-invalid",
            Self::IdentityMismatch { .. } => "verify.identity-mismatch",
            Self::UntrustedRoot { .. } => "verify.untrusted-root",
            Self::LogEntryInvalid { .. } => "verify.log-entry-invalid",
            Self::LogProofUnavailable { .. } => "verify.log-proof-unavailable",
            Self::PredicateTypeMismatch { .. } => "verify.predicate-type-mismatch",
            Self::ProvenanceMismatch { .. } => "verify.provenance-mismatch",
            Self::SubjectMismatch { .. } => "verify.subject-mismatch",
        }
    }

    /// What the check expected.
    pub fn expected(&self) -> &str {
        match self {
            Self::NoSignatureFound { expected, .. }
            | Self::SignatureInvalid { expected, .. }
            | Self::IdentityMismatch { expected, .. }
            | Self::UntrustedRoot { expected, .. }
            | Self::LogEntryInvalid { expected, .. }
            | Self::LogProofUnavailable { expected, .. }
            | Self::PredicateTypeMismatch { expected, .. }
            | Self::ProvenanceMismatch { expected, .. }
            | Self::SubjectMismatch { expected, .. } => expected,
        }
    }

    /// What the check found.
    pub fn found(&self) -> &str {
        match self {
            Self::NoSignatureFound { found, .. }
            | Self::SignatureInvalid { found, .. }
            | Self::IdentityMismatch { found, .. }
            | Self::UntrustedRoot { found, .. }
            | Self::LogEntryInvalid { found, .. }
            | Self::LogProofUnavailable { found, .. }
            | Self::PredicateTypeMismatch { found, .. }
            | Self::ProvenanceMismatch { found, .. }
            | Self::SubjectMismatch { found, .. } => found,
        }
    }

    /// A one-line title for the outcome.
    pub fn title(&self) -> &'static str {
        match self {
            Self::NoSignatureFound { .. } => "no signature found",
            Self::SignatureInvalid { .. } => "signature invalid",
            Self::IdentityMismatch { .. } => "identity mismatch",
            Self::UntrustedRoot { .. } => "untrusted root",
            Self::LogEntryInvalid { .. } => "log entry invalid",
            Self::LogProofUnavailable { .. } => "log proof cannot be checked offline",
            Self::PredicateTypeMismatch { .. } => "predicate type mismatch",
            Self::ProvenanceMismatch { .. } => "provenance mismatch",
            Self::SubjectMismatch { .. } => "subject mismatch",
        }
    }

    /// How specific the rejection is: when several authorities reject the same
    /// evidence, the report keeps the one that says most about what went wrong.
    pub(crate) fn specificity(&self) -> u8 {
        match self {
            Self::NoSignatureFound { .. } => 0,
            Self::SignatureInvalid { .. } => 1,
            Self::UntrustedRoot { .. } => 2,
            Self::IdentityMismatch { .. } => 3,
            Self::LogEntryInvalid { .. } | Self::LogProofUnavailable { .. } => 4,
            Self::PredicateTypeMismatch { .. } => 5,
            Self::SubjectMismatch { .. } => 6,
            Self::ProvenanceMismatch { .. } => 7,
        }
    }

    /// Whether the evidence was left undecided (it may hold, but cannot be checked
    /// here): a requirement with nothing better is then `incomplete`, not `failed`.
    pub fn is_undecided(&self) -> bool {
        matches!(self, Self::LogProofUnavailable { .. })
    }

    pub(crate) fn signature_invalid(expected: impl Into<String>, found: impl Into<String>) -> Self {
        Self::SignatureInvalid {
            expected: expected.into(),
            found: found.into(),
        }
    }

    pub(crate) fn log_entry_invalid(expected: impl Into<String>, found: impl Into<String>) -> Self {
        Self::LogEntryInvalid {
            expected: expected.into(),
            found: found.into(),
        }
    }

    pub(crate) fn subject_mismatch(expected: impl Into<String>, found: impl Into<String>) -> Self {
        Self::SubjectMismatch {
            expected: expected.into(),
            found: found.into(),
        }
    }

    pub(crate) fn identity_mismatch(expected: impl Into<String>, found: impl Into<String>) -> Self {
        Self::IdentityMismatch {
            expected: expected.into(),
            found: found.into(),
        }
    }

    pub(crate) fn untrusted_root(expected: impl Into<String>, found: impl Into<String>) -> Self {
        Self::UntrustedRoot {
            expected: expected.into(),
            found: found.into(),
        }
    }
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: expected {}, found {}",
            self.title(),
            self.expected(),
            self.found()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_says_expected_and_found() {
        let r = Rejection::subject_mismatch("sha256:aa", "sha256:bb");
        assert_eq!(
            r.to_string(),
            "subject mismatch: expected sha256:aa, found sha256:bb"
        );
        assert_eq!(r.code(), "verify.subject-mismatch");
    }

    #[test]
    fn subject_mismatch_is_more_specific_than_signature_invalid() {
        let a = Rejection::subject_mismatch("a", "b");
        let b = Rejection::signature_invalid("a", "b");
        assert!(a.specificity() > b.specificity());
    }
}
