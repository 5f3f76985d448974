//! `imgguard gate`: does this VSA let this image digest deploy?
//!
//! Pure decision over envelope bytes that the registry side found (at the `.att` tag or
//! as a referrer bundle's `dsseEnvelope`). Checks in the order the SLSA VSA spec's
//! "how to verify" gives: signature by a trusted key, then (only on the verified
//! payload) payload type, predicate type, subject digest, verifier id, policy,
//! `PASSED`, freshness and required levels. The first failing check is the reason.

use crate::crypto::PublicKey;
use crate::intoto::{
    Envelope, IN_TOTO_PAYLOAD_TYPE, InTotoError, Statement, VSA_PREDICATE_TYPE, VerificationResult,
    VsaPredicate,
};
use crate::oci::Digest;

use super::GateError;

/// The longest `--max-age` in days (100 years).
const MAX_AGE_DAYS: i64 = 36_500;
/// How far in the future `timeVerified` may be (clock skew between CI and the gate).
const MAX_CLOCK_SKEW: jiff::SignedDuration = jiff::SignedDuration::from_mins(5);

/// What the gate requires of a VSA.
#[derive(Debug, Clone)]
pub struct GateRequirements {
    /// The image digest to deploy (a tag is resolved by the caller, or refused).
    pub image_digest: Digest,
    /// Keys whose signature is trusted (`--key`, repeatable).
    pub trusted_keys: Vec<PublicKey>,
    /// The verifier id the VSA must name (`--verifier-id`).
    pub verifier_id: String,
    /// The policy digest the VSA must name (`--policy-digest sha256:<hex>`).
    pub policy_digest: Option<Digest>,
    /// The policy URI the VSA must name (`--policy-uri`).
    pub policy_uri: Option<String>,
    /// Levels that must all be in `verifiedLevels` (`--level`, repeatable).
    pub required_levels: Vec<String>,
    /// Maximum age of `timeVerified` (`--max-age 24h`).
    pub max_age: Option<jiff::SignedDuration>,
    /// The gate's clock.
    pub now: jiff::Timestamp,
}

/// A VSA the gate accepted: what it says, for the gate's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatePass {
    /// The verifier that issued it.
    pub verifier_id: String,
    /// When it verified the image (absent only when no `--max-age` was asked).
    pub time_verified: Option<jiff::Timestamp>,
    /// `resourceUri` as stated.
    pub resource_uri: String,
    /// Levels as stated.
    pub verified_levels: Vec<String>,
    /// Hint (base64 SHA-256 of the SPKI) of the key that verified it.
    pub key_hint: String,
}

/// Parses `--max-age`: `24h`, `90m`, `30s`, `7d`, combinations like `1h30m`, or ISO
/// 8601 (`PT24H`). Days are 24 hours.
pub fn parse_max_age(text: &str) -> Result<jiff::SignedDuration, GateError> {
    let usage = || GateError::Usage {
        reason: format!("`{text}` is not a duration (expected e.g. 24h, 90m, 7d)"),
    };
    let text = text.trim();
    let duration = if let Some(days) = text.strip_suffix('d') {
        let days: i64 = days.parse().map_err(|_| usage())?;
        // Bounded so that the hour count cannot overflow (jiff panics on that).
        if !(1..=MAX_AGE_DAYS).contains(&days) {
            return Err(usage());
        }
        jiff::SignedDuration::from_hours(days * 24)
    } else {
        text.parse::<jiff::SignedDuration>().map_err(|_| usage())?
    };
    if duration.is_negative() || duration.is_zero() {
        return Err(usage());
    }
    Ok(duration)
}

fn from_intoto(error: InTotoError) -> GateError {
    match error {
        InTotoError::SignatureInvalid { expected, found } => {
            GateError::SignatureInvalid { expected, found }
        }
        InTotoError::NoSignatures => GateError::SignatureInvalid {
            expected: "at least one signature".to_owned(),
            found: 0,
        },
        InTotoError::PayloadType { expected, found } => GateError::PayloadType { expected, found },
        InTotoError::TooLarge { .. } | InTotoError::MalformedEnvelope { .. } => {
            GateError::MalformedEnvelope {
                reason: error.to_string(),
            }
        }
        other => GateError::MalformedStatement {
            reason: other.to_string(),
        },
    }
}

/// Checks one VSA envelope (JSON bytes) against the requirements.
pub fn check_vsa_envelope(
    envelope_json: &[u8],
    requirements: &GateRequirements,
) -> Result<GatePass, GateError> {
    if requirements.trusted_keys.is_empty() {
        return Err(GateError::Usage {
            reason: "no trusted key given".to_owned(),
        });
    }
    let envelope = Envelope::from_json(envelope_json).map_err(from_intoto)?;
    let verified = envelope
        .verify(&requirements.trusted_keys)
        .map_err(from_intoto)?;
    if verified.payload_type != IN_TOTO_PAYLOAD_TYPE {
        return Err(GateError::PayloadType {
            expected: IN_TOTO_PAYLOAD_TYPE.to_owned(),
            found: verified.payload_type.to_owned(),
        });
    }
    let statement = Statement::from_verified(&verified).map_err(from_intoto)?;
    if statement.predicate_type != VSA_PREDICATE_TYPE {
        return Err(GateError::PredicateType {
            expected: VSA_PREDICATE_TYPE.to_owned(),
            found: statement.predicate_type,
        });
    }
    if !statement.has_subject(&requirements.image_digest) {
        return Err(GateError::SubjectMismatch {
            expected: requirements.image_digest.to_string(),
            found: statement.subject_digests().join(", "),
        });
    }
    let vsa =
        VsaPredicate::from_statement(&statement).map_err(|e| GateError::MalformedStatement {
            reason: e.to_string(),
        })?;
    if vsa.verifier.id != requirements.verifier_id {
        return Err(GateError::VerifierId {
            expected: requirements.verifier_id.clone(),
            found: vsa.verifier.id,
        });
    }
    check_policy(&vsa, requirements)?;
    if vsa.verification_result != VerificationResult::Passed {
        return Err(GateError::NotPassed {
            found: vsa.verification_result.as_str().to_owned(),
        });
    }
    let time_verified = check_time(vsa.time_verified.as_deref(), requirements)?;
    for level in &requirements.required_levels {
        if !vsa.verified_levels.contains(level) {
            return Err(GateError::MissingLevel {
                expected: level.clone(),
                found: vsa.verified_levels.join(", "),
            });
        }
    }
    Ok(GatePass {
        verifier_id: vsa.verifier.id,
        time_verified,
        resource_uri: vsa.resource_uri,
        verified_levels: vsa.verified_levels,
        key_hint: verified.key.key_hint(),
    })
}

/// The VSA names the policy the gate requires (digest and URI, when asked).
fn check_policy(vsa: &VsaPredicate, requirements: &GateRequirements) -> Result<(), GateError> {
    if let Some(expected) = &requirements.policy_digest {
        let matches = vsa
            .policy
            .digest
            .get(expected.algorithm().name())
            .is_some_and(|d| d.eq_ignore_ascii_case(expected.hex()));
        if !matches {
            let found: Vec<String> = vsa
                .policy
                .digest
                .iter()
                .map(|(a, d)| format!("{a}:{d}"))
                .collect();
            return Err(GateError::PolicyDigest {
                expected: expected.to_string(),
                found: if found.is_empty() {
                    "no policy digest".to_owned()
                } else {
                    found.join(", ")
                },
            });
        }
    }
    if let Some(expected) = &requirements.policy_uri
        && vsa.policy.uri.as_deref() != Some(expected.as_str())
    {
        return Err(GateError::PolicyUri {
            expected: expected.clone(),
            found: vsa
                .policy
                .uri
                .clone()
                .unwrap_or_else(|| "no policy uri".to_owned()),
        });
    }
    Ok(())
}

fn check_time(
    time_verified: Option<&str>,
    requirements: &GateRequirements,
) -> Result<Option<jiff::Timestamp>, GateError> {
    let parsed =
        match time_verified {
            Some(text) => Some(text.parse::<jiff::Timestamp>().map_err(|_| {
                GateError::TimeVerifiedMissing {
                    found: format!("`{text}`"),
                }
            })?),
            None => None,
        };
    let Some(max_age) = requirements.max_age else {
        return Ok(parsed);
    };
    let Some(time) = parsed else {
        return Err(GateError::TimeVerifiedMissing {
            found: "nothing".to_owned(),
        });
    };
    let age = requirements.now.duration_since(time);
    if age < -MAX_CLOCK_SKEW {
        return Err(GateError::FromTheFuture {
            now: requirements.now.to_string(),
            time_verified: time.to_string(),
        });
    }
    if age > max_age {
        return Err(GateError::Stale {
            max_age: format!("{max_age:#}"),
            time_verified: time.to_string(),
            age: format!("{:#}", age.round(jiff::Unit::Second).unwrap_or(age)),
        });
    }
    Ok(Some(time))
}

/// Checks every candidate envelope found for the image; the first acceptable one wins.
///
/// With no candidates the answer is [`GateError::NoVsaFound`]; with one, its own
/// reason; with several, [`GateError::NoneAccepted`] listing each reason.
pub fn check_vsa_candidates<'a>(
    candidates: impl IntoIterator<Item = &'a [u8]>,
    requirements: &GateRequirements,
) -> Result<GatePass, GateError> {
    let mut reasons = Vec::new();
    for candidate in candidates {
        match check_vsa_envelope(candidate, requirements) {
            Ok(pass) => return Ok(pass),
            Err(error @ GateError::Usage { .. }) => return Err(error),
            Err(error) => reasons.push(error),
        }
    }
    if reasons.len() == 1
        && let Some(only) = reasons.pop()
    {
        return Err(only);
    }
    match reasons.len() {
        0 => Err(GateError::NoVsaFound {
            image: requirements.image_digest.to_string(),
        }),
        count => Err(GateError::NoneAccepted {
            image: requirements.image_digest.to_string(),
            count,
            reasons: reasons
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        }),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

    use super::{GateRequirements, check_vsa_candidates, check_vsa_envelope, parse_max_age};
    use crate::attest::GateError;
    use crate::crypto::{PrivateKey, PublicKey, fixtures};
    use crate::intoto::vsa_test_support::{AMD64, INDEX, POLICY, digest, sample_input};
    use crate::intoto::{
        Envelope, IN_TOTO_PAYLOAD_TYPE, VerificationResult, VsaInput, build_vsa, sign_vsa,
    };

    struct Fixture {
        key: PrivateKey,
    }

    impl Fixture {
        fn new() -> Self {
            Self {
                key: PrivateKey::generate_p256().unwrap(),
            }
        }

        fn sign(&self, input: &VsaInput) -> Vec<u8> {
            sign_vsa(&build_vsa(input).unwrap(), &self.key).to_json()
        }

        fn sign_statement_json(&self, statement: &serde_json::Value) -> Vec<u8> {
            Envelope::sign(
                IN_TOTO_PAYLOAD_TYPE,
                serde_json::to_vec(statement).unwrap(),
                &self.key,
            )
            .to_json()
        }

        fn requirements(&self) -> GateRequirements {
            GateRequirements {
                image_digest: digest(INDEX),
                trusted_keys: vec![self.key.public_key().clone()],
                verifier_id: "https://ci.example/imgguard".to_owned(),
                policy_digest: Some(digest(POLICY)),
                policy_uri: Some("https://ci.example/pipelines/app.yaml".to_owned()),
                required_levels: vec!["IMGGUARD_NO_SECRETS".to_owned()],
                max_age: Some(parse_max_age("24h").unwrap()),
                now: "2026-11-22T18:00:00Z".parse().unwrap(),
            }
        }
    }

    fn statement_value(input: &VsaInput) -> serde_json::Value {
        serde_json::to_value(build_vsa(input).unwrap()).unwrap()
    }

    #[test]
    fn passes_a_fresh_passed_vsa_for_the_index_and_each_platform() {
        let f = Fixture::new();
        let envelope = f.sign(&sample_input());
        let pass = check_vsa_envelope(&envelope, &f.requirements()).unwrap();
        assert_eq!(pass.verifier_id, "https://ci.example/imgguard");
        assert_eq!(pass.key_hint, f.key.public_key().key_hint());
        assert_eq!(
            pass.time_verified,
            Some("2026-11-22T12:00:00Z".parse().unwrap())
        );
        let mut platform = f.requirements();
        platform.image_digest = digest(AMD64);
        check_vsa_envelope(&envelope, &platform).unwrap();
    }

    #[test]
    fn another_key_is_refused() {
        let f = Fixture::new();
        let envelope = f.sign(&sample_input());
        let mut req = f.requirements();
        req.trusted_keys = vec![PrivateKey::generate_p256().unwrap().public_key().clone()];
        let err = check_vsa_envelope(&envelope, &req).unwrap_err();
        assert!(
            matches!(err, GateError::SignatureInvalid { found: 1, .. }),
            "{err}"
        );
    }

    #[test]
    fn a_flipped_byte_is_refused() {
        let f = Fixture::new();
        let envelope = f.sign(&sample_input());
        let text = String::from_utf8(envelope).unwrap();
        // Flip one base64 character inside the payload.
        let at = text.find("\"payload\":\"").unwrap() + 40;
        let mut bytes = text.into_bytes();
        bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
        let err = check_vsa_envelope(&bytes, &f.requirements()).unwrap_err();
        assert!(matches!(err, GateError::SignatureInvalid { .. }), "{err}");
    }

    #[test]
    fn another_digest_is_a_subject_mismatch() {
        let f = Fixture::new();
        let envelope = f.sign(&sample_input());
        let mut req = f.requirements();
        req.image_digest = digest(&format!("sha256:{}", "9".repeat(64)));
        let err = check_vsa_envelope(&envelope, &req).unwrap_err();
        assert!(matches!(err, GateError::SubjectMismatch { .. }), "{err}");
        let text = err.to_string();
        assert!(
            text.contains(&format!("expected sha256:{}", "9".repeat(64))),
            "{text}"
        );
        assert!(text.contains(&INDEX[7..]), "{text}");
    }

    #[test]
    fn another_verifier_id_is_refused() {
        let f = Fixture::new();
        let mut input = sample_input();
        input.verifier_id = "https://evil.example/imgguard".to_owned();
        let err = check_vsa_envelope(&f.sign(&input), &f.requirements()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "verifier id mismatch: expected https://ci.example/imgguard, found https://evil.example/imgguard"
        );
    }

    #[test]
    fn another_policy_is_refused() {
        let f = Fixture::new();
        let mut input = sample_input();
        input.policy.digest = digest(&format!("sha256:{}", "5".repeat(64)));
        let err = check_vsa_envelope(&f.sign(&input), &f.requirements()).unwrap_err();
        assert!(matches!(err, GateError::PolicyDigest { .. }), "{err}");
        let mut input = sample_input();
        input.policy.uri = "https://ci.example/pipelines/lax.yaml".to_owned();
        let err = check_vsa_envelope(&f.sign(&input), &f.requirements()).unwrap_err();
        assert!(matches!(err, GateError::PolicyUri { .. }), "{err}");
    }

    #[test]
    fn a_failed_vsa_is_refused() {
        let f = Fixture::new();
        let mut input = sample_input();
        input.result = VerificationResult::Failed;
        let err = check_vsa_envelope(&f.sign(&input), &f.requirements()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "verification result: expected PASSED, found FAILED"
        );
    }

    #[test]
    fn stale_future_and_timeless_vsas_are_refused() {
        let f = Fixture::new();
        let envelope = f.sign(&sample_input());
        let mut req = f.requirements();
        req.now = "2026-11-23T12:00:01Z".parse().unwrap();
        let err = check_vsa_envelope(&envelope, &req).unwrap_err();
        assert!(matches!(err, GateError::Stale { .. }), "{err}");
        // Exactly at the limit still passes.
        req.now = "2026-11-23T12:00:00Z".parse().unwrap();
        check_vsa_envelope(&envelope, &req).unwrap();
        req.now = "2026-11-22T11:54:00Z".parse().unwrap();
        let err = check_vsa_envelope(&envelope, &req).unwrap_err();
        assert!(matches!(err, GateError::FromTheFuture { .. }), "{err}");
        // Within clock skew is fine.
        req.now = "2026-11-22T11:56:00Z".parse().unwrap();
        check_vsa_envelope(&envelope, &req).unwrap();

        let mut statement = statement_value(&sample_input());
        statement["predicate"]
            .as_object_mut()
            .unwrap()
            .remove("timeVerified");
        let timeless = f.sign_statement_json(&statement);
        let err = check_vsa_envelope(&timeless, &f.requirements()).unwrap_err();
        assert!(
            matches!(err, GateError::TimeVerifiedMissing { .. }),
            "{err}"
        );
        // Without --max-age a missing time is not a reason.
        let mut no_age = f.requirements();
        no_age.max_age = None;
        check_vsa_envelope(&timeless, &no_age).unwrap();
    }

    #[test]
    fn wrong_predicate_or_payload_type_is_refused() {
        let f = Fixture::new();
        let mut statement = statement_value(&sample_input());
        statement["predicateType"] = "https://slsa.dev/provenance/v1".into();
        let err =
            check_vsa_envelope(&f.sign_statement_json(&statement), &f.requirements()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "predicate type mismatch: expected https://slsa.dev/verification_summary/v1, found https://slsa.dev/provenance/v1"
        );
        let other = Envelope::sign(
            "application/vnd.example+json",
            serde_json::to_vec(&statement_value(&sample_input())).unwrap(),
            &f.key,
        );
        let err = check_vsa_envelope(&other.to_json(), &f.requirements()).unwrap_err();
        assert!(matches!(err, GateError::PayloadType { .. }), "{err}");
    }

    #[test]
    fn a_missing_level_is_refused() {
        let f = Fixture::new();
        let mut req = f.requirements();
        req.required_levels.push("SLSA_BUILD_LEVEL_3".to_owned());
        let err = check_vsa_envelope(&f.sign(&sample_input()), &req).unwrap_err();
        assert!(
            err.to_string().starts_with(
                "verified levels: expected SLSA_BUILD_LEVEL_3, found [SLSA_BUILD_LEVEL_2"
            ),
            "{err}"
        );
    }

    #[test]
    fn candidates_none_several_and_one_good() {
        let f = Fixture::new();
        let req = f.requirements();
        let err = check_vsa_candidates(std::iter::empty(), &req).unwrap_err();
        assert!(matches!(err, GateError::NoVsaFound { .. }), "{err}");
        let mut failed = sample_input();
        failed.result = VerificationResult::Failed;
        let failed = f.sign(&failed);
        let garbage = b"not json".to_vec();
        let err = check_vsa_candidates([failed.as_slice(), garbage.as_slice()], &req).unwrap_err();
        assert!(
            matches!(err, GateError::NoneAccepted { count: 2, .. }),
            "{err}"
        );
        let good = f.sign(&sample_input());
        check_vsa_candidates([failed.as_slice(), good.as_slice()], &req).unwrap();
    }

    #[test]
    fn no_key_is_a_usage_error() {
        let f = Fixture::new();
        let envelope = f.sign(&sample_input());
        let mut req = f.requirements();
        req.trusted_keys.clear();
        assert!(matches!(
            check_vsa_envelope(&envelope, &req),
            Err(GateError::Usage { .. })
        ));
    }

    #[test]
    fn max_age_parsing() {
        assert_eq!(
            parse_max_age("24h").unwrap(),
            jiff::SignedDuration::from_hours(24)
        );
        assert_eq!(
            parse_max_age("7d").unwrap(),
            jiff::SignedDuration::from_hours(168)
        );
        assert_eq!(
            parse_max_age("90m").unwrap(),
            jiff::SignedDuration::from_mins(90)
        );
        assert_eq!(
            parse_max_age("1h30m").unwrap(),
            jiff::SignedDuration::from_mins(90)
        );
        assert_eq!(
            parse_max_age("PT24H").unwrap(),
            jiff::SignedDuration::from_hours(24)
        );
        for bad in ["", "abc", "0s", "-1h", "d", "99999999999999999d"] {
            assert!(parse_max_age(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_keyed_att_fixture_passes_the_gate_with_its_key_only() {
        let dir = fixtures::local_keyed();
        let envelope = fs_err::read(dir.join("registry-dump/att.dsse-envelope.json")).unwrap();
        let key =
            PublicKey::from_pem(&fixtures::read(&dir.join("cosign.pub")), "cosign.pub").unwrap();
        let mut req = GateRequirements {
            image_digest: digest(
                "sha256:4569ff20aee6683b2ec344d28ffdcaf4b761969bc0642276776deedd4bb5e94f",
            ),
            trusted_keys: vec![key],
            verifier_id: "https://imgguard.example/verifier/v0".to_owned(),
            policy_digest: Some(digest(&format!("sha256:{}", "0".repeat(64)))),
            policy_uri: Some("https://imgguard.example/policies/prod.yaml".to_owned()),
            required_levels: vec!["SLSA_BUILD_LEVEL_2".to_owned()],
            max_age: Some(parse_max_age("24h").unwrap()),
            now: "2026-11-22T20:00:00Z".parse().unwrap(),
        };
        check_vsa_envelope(&envelope, &req).unwrap();
        req.now = "2026-11-24T20:00:00Z".parse().unwrap();
        assert!(matches!(
            check_vsa_envelope(&envelope, &req),
            Err(GateError::Stale { .. })
        ));
        req.now = "2026-11-22T20:00:00Z".parse().unwrap();
        req.trusted_keys = vec![
            PublicKey::from_pem(
                &fixtures::read(&dir.join("sigstorelabel.pub")),
                "sigstorelabel.pub",
            )
            .unwrap(),
        ];
        assert!(matches!(
            check_vsa_envelope(&envelope, &req),
            Err(GateError::SignatureInvalid { .. })
        ));
    }
}
