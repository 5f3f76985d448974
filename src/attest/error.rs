//! Errors of the `attest` part: building publishable artefacts, and every reason the
//! deploy gate refuses a VSA (each with "expected X, found Y").

use miette::Diagnostic;
use thiserror::Error;

use crate::intoto::InTotoError;

/// Building or planning the publication of an attestation failed.
#[derive(Debug, Error, Diagnostic)]
#[non_exhaustive]
pub enum AttestError {
    /// Only a PASSED VSA is ever pushed.
    #[error("refusing to publish a VSA whose verificationResult is {found}: only PASSED is pushed")]
    #[diagnostic(
        code(imgguard::attest::not_passed),
        help("a FAILED or incomplete result is written to the local VSA file only")
    )]
    NotPassed {
        /// The result found.
        found: String,
    },

    /// The check did not resolve the image to a digest, so there is nothing to attest.
    #[error("no image digest to attest: the image could not be resolved")]
    #[diagnostic(
        code(imgguard::attest::no_digest),
        help("a VSA names an image digest; fix the reason the check could not resolve the image")
    )]
    NoImageDigest,

    /// A manifest or index already in the registry could not be read.
    #[error("malformed existing {what} at {reference}: {reason}")]
    #[diagnostic(
        code(imgguard::attest::existing),
        help("imgguard appends to what is there; it will not overwrite a manifest it cannot read")
    )]
    MalformedExisting {
        /// `.att manifest` or `referrers index`.
        what: &'static str,
        /// The tag read.
        reference: String,
        /// What is wrong.
        reason: String,
    },

    /// The envelope or statement is unusable.
    #[error(transparent)]
    #[diagnostic(transparent)]
    InToto(#[from] InTotoError),

    /// Publishing needs the image's registry, but the image came from elsewhere.
    #[error(
        "cannot push the attestation: the image was read from a {source_kind} source, not a registry"
    )]
    #[diagnostic(
        code(imgguard::attest::not_registry),
        help("check the image by its registry reference (registry/repo@sha256:…) to push its VSA")
    )]
    NotARegistryImage {
        /// The transport the image came from.
        source_kind: String,
    },
    /// The image digest is not in the registry the VSA is pushed to.
    #[error("image {digest} is not in {repository}: refusing to attach a VSA to it")]
    #[diagnostic(code(imgguard::attest::image_not_in_registry))]
    ImageNotInRegistry {
        /// `registry/repository`.
        repository: String,
        /// The digest.
        digest: String,
    },
    /// The registry refused or failed a read or write.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Registry(#[from] crate::source::registry::RegistryError),
    /// Writing the VSA file failed (the path is in the message, via `fs_err`).
    #[error("failed to write the VSA file")]
    #[diagnostic(code(imgguard::attest::io))]
    Io(#[source] std::io::Error),
}

/// Why `imgguard gate` refuses: one variant per reason, each naming what it expected
/// and what it found.
#[derive(Debug, Error, Diagnostic)]
#[non_exhaustive]
pub enum GateError {
    /// No VSA was found for the image at either location.
    #[error(
        "no VSA found for {image}: expected a signed attestation at the `.att` tag or as a referrer"
    )]
    #[diagnostic(
        code(imgguard::gate::no_vsa),
        help("run `imgguard check … --attest` with `attestation.push: true` for this digest")
    )]
    NoVsaFound {
        /// The image digest.
        image: String,
    },

    /// Several candidates were found; none passed. Each reason is listed.
    #[error("none of the {count} attestations found for {image} is acceptable: {reasons}")]
    #[diagnostic(code(imgguard::gate::none_accepted))]
    NoneAccepted {
        /// The image digest.
        image: String,
        /// How many candidates were checked.
        count: usize,
        /// One reason per candidate, `; `-joined.
        reasons: String,
    },

    /// The envelope is not well-formed DSSE.
    #[error("malformed VSA envelope: {reason}")]
    #[diagnostic(code(imgguard::gate::envelope))]
    MalformedEnvelope {
        /// What is wrong.
        reason: String,
    },

    /// No signature verifies with a trusted key.
    #[error(
        "VSA signature invalid: expected a signature by {expected}, found {found} signature(s) that do not verify"
    )]
    #[diagnostic(
        code(imgguard::gate::signature),
        help("the VSA was changed after signing, or signed by a key not given with --key")
    )]
    SignatureInvalid {
        /// The trusted keys (algorithm and hint).
        expected: String,
        /// Number of signatures in the envelope.
        found: usize,
    },

    /// The envelope does not hold an in-toto Statement.
    #[error("VSA payload type mismatch: expected {expected}, found {found}")]
    #[diagnostic(code(imgguard::gate::payload_type))]
    PayloadType {
        /// Expected payload type.
        expected: String,
        /// Found payload type.
        found: String,
    },

    /// The signed payload is not a readable Statement or VSA.
    #[error("malformed VSA statement: {reason}")]
    #[diagnostic(code(imgguard::gate::statement))]
    MalformedStatement {
        /// What is wrong.
        reason: String,
    },

    /// The Statement is not a VSA.
    #[error("predicate type mismatch: expected {expected}, found {found}")]
    #[diagnostic(code(imgguard::gate::predicate_type))]
    PredicateType {
        /// Expected predicate type.
        expected: String,
        /// Found predicate type.
        found: String,
    },

    /// The VSA is about another artefact.
    #[error("subject mismatch: expected {expected}, found {found}")]
    #[diagnostic(
        code(imgguard::gate::subject),
        help("the VSA was issued for another image digest")
    )]
    SubjectMismatch {
        /// The image digest.
        expected: String,
        /// The subject digests in the VSA.
        found: String,
    },

    /// Another verifier issued the VSA.
    #[error("verifier id mismatch: expected {expected}, found {found}")]
    #[diagnostic(code(imgguard::gate::verifier_id))]
    VerifierId {
        /// Expected verifier id.
        expected: String,
        /// Found verifier id.
        found: String,
    },

    /// The VSA was evaluated against another policy.
    #[error("policy digest mismatch: expected {expected}, found {found}")]
    #[diagnostic(code(imgguard::gate::policy_digest))]
    PolicyDigest {
        /// Expected digest.
        expected: String,
        /// Found digest(s).
        found: String,
    },

    /// The VSA names another policy URI.
    #[error("policy uri mismatch: expected {expected}, found {found}")]
    #[diagnostic(code(imgguard::gate::policy_uri))]
    PolicyUri {
        /// Expected URI.
        expected: String,
        /// Found URI.
        found: String,
    },

    /// The VSA records a failure.
    #[error("verification result: expected PASSED, found {found}")]
    #[diagnostic(code(imgguard::gate::not_passed))]
    NotPassed {
        /// The result found.
        found: String,
    },

    /// Freshness cannot be judged: no `timeVerified`.
    #[error("VSA has no usable timeVerified: expected an RFC 3339 time, found {found}")]
    #[diagnostic(code(imgguard::gate::time_missing))]
    TimeVerifiedMissing {
        /// What was found (`nothing` or the unparsable text).
        found: String,
    },

    /// The VSA is older than `--max-age`.
    #[error(
        "VSA is stale: expected verification within {max_age}, found timeVerified {time_verified} ({age} ago)"
    )]
    #[diagnostic(
        code(imgguard::gate::stale),
        help("re-run `imgguard check` for this digest to issue a fresh VSA")
    )]
    Stale {
        /// The maximum age.
        max_age: String,
        /// The VSA's time.
        time_verified: String,
        /// How old it is.
        age: String,
    },

    /// The VSA claims a time in the future (beyond clock skew).
    #[error(
        "VSA timeVerified is in the future: expected at most {now} (plus 5 minutes of clock skew), found {time_verified}"
    )]
    #[diagnostic(code(imgguard::gate::future))]
    FromTheFuture {
        /// The gate's clock.
        now: String,
        /// The VSA's time.
        time_verified: String,
    },

    /// A required level is missing.
    #[error("verified levels: expected {expected}, found [{found}]")]
    #[diagnostic(code(imgguard::gate::level))]
    MissingLevel {
        /// The required level.
        expected: String,
        /// The levels found.
        found: String,
    },

    /// A gate argument is invalid (caller's mistake).
    #[error("invalid gate argument: {reason}")]
    #[diagnostic(
        code(imgguard::gate::usage),
        help(
            "the image must be `…@sha256:<hex>` (use --resolve for a tag); --max-age like `24h`, `90m`, `7d`"
        )
    )]
    Usage {
        /// What is wrong.
        reason: String,
    },
}
