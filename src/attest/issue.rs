//! Issuing imgguard's VSA: build the Statement, sign it, write the envelope file.
//!
//! The `attest` stage calls [`issue_vsa`] with what the engine decided and
//! [`write_vsa_file`] for `--attest FILE` / `attestation.output`; a PASSED result then
//! goes to [`plan_publication`](super::publish::plan_publication).

use std::path::Path;

use crate::crypto::PrivateKey;
use crate::intoto::{Envelope, Statement, VerificationResult, VsaInput, build_vsa, sign_vsa};

use super::AttestError;

/// A signed VSA, ready to write and (if PASSED) to publish.
#[derive(Debug, Clone, PartialEq)]
pub struct IssuedVsa {
    /// The Statement signed.
    pub statement: Statement,
    /// The DSSE envelope.
    pub envelope: Envelope,
    /// The envelope's JSON: exactly the bytes written to the file and pushed.
    pub json: Vec<u8>,
    /// The verdict stated.
    pub result: VerificationResult,
}

/// Builds and signs the VSA.
pub fn issue_vsa(input: &VsaInput, key: &PrivateKey) -> Result<IssuedVsa, AttestError> {
    let statement = build_vsa(input)?;
    let envelope = sign_vsa(&statement, key);
    let json = envelope.to_json();
    Ok(IssuedVsa {
        statement,
        envelope,
        json,
        result: input.result,
    })
}

/// Writes the envelope JSON to `path` (PASSED or FAILED alike: the file is the record).
pub fn write_vsa_file(path: &Path, vsa: &IssuedVsa) -> Result<(), AttestError> {
    fs_err::write(path, &vsa.json).map_err(AttestError::Io)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::{issue_vsa, write_vsa_file};
    use crate::attest::{GateRequirements, check_vsa_envelope};
    use crate::crypto::PrivateKey;
    use crate::intoto::VerificationResult;
    use crate::intoto::vsa_test_support::{INDEX, digest, sample_input};

    #[test]
    fn the_written_file_passes_the_gate() {
        let key = PrivateKey::generate_p256().unwrap();
        let vsa = issue_vsa(&sample_input(), &key).unwrap();
        assert_eq!(vsa.result, VerificationResult::Passed);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.vsa.dsse.json");
        write_vsa_file(&path, &vsa).unwrap();
        let bytes = fs_err::read(&path).unwrap();
        assert_eq!(bytes, vsa.json);
        let requirements = GateRequirements {
            image_digest: digest(INDEX),
            trusted_keys: vec![key.public_key().clone()],
            verifier_id: "https://ci.example/imgguard".to_owned(),
            policy_digest: None,
            policy_uri: None,
            required_levels: Vec::new(),
            max_age: None,
            now: jiff::Timestamp::now(),
        };
        check_vsa_envelope(&bytes, &requirements).unwrap();
        assert!(write_vsa_file(&dir.path().join("missing/dir/x.json"), &vsa).is_err());
    }
}
