//! Offline validators: checks a capture must pass (or that prove it) before it becomes a
//! finding. Nothing here touches the network.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde::{Deserialize, Serialize};

use super::{guard, pem};
use crate::analyze::secrets::rule::ValueCheck;

/// The validators a rule may name in YAML.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Validator {
    /// GitHub `gh?_` tokens: CRC32 of the 30-character body, base62 in the last 6.
    GithubChecksum,
    /// npm `npm_` tokens: the same CRC32/base62 scheme.
    NpmChecksum,
    /// A PEM/OpenSSH/PGP private key block that parses.
    PrivateKey,
    /// A `PuTTY` `.ppk` file that parses.
    PuttyKey,
    /// Base64 of a PEM private key (kubeconfig `client-key-data`).
    Base64PrivateKey,
    /// A JWT: base64url JSON header with `alg`, JSON payload.
    Jwt,
    /// A JWT issued to a Kubernetes service account.
    KubernetesSaToken,
    /// The `private_key` of a GCP service-account JSON document.
    GcpServiceAccount,
    /// An AWS secret key: confirmed when an access key id is near it.
    AwsPairing,
    /// A 40-character secret under a name AWS shares with others (`secret_key`): kept
    /// only when an access key id is near it.
    AwsPairingRequired,
    /// Base64 of `user:password` (Docker `auth`, HTTP Basic).
    BasicAuth,
    /// Base64 of a Docker `config.json` (a Kubernetes Secret's `.dockerconfigjson` or
    /// legacy `.dockercfg`) holding at least one registry credential.
    Base64DockerConfig,
}

/// The outcome of a validator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validation {
    /// Not a credential of this kind: drop the match.
    Reject,
    /// Plausible; keep the rule's confidence.
    Accept,
    /// Structure proven: confidence becomes high.
    Confirmed,
}

impl Validation {
    fn from_bool(proven: bool) -> Self {
        if proven {
            Self::Confirmed
        } else {
            Self::Reject
        }
    }
}

impl Validator {
    /// Validate `value`; `context` is the window the rule ran in.
    pub fn validate(self, value: &[u8], context: &[u8]) -> Validation {
        match self {
            Self::GithubChecksum | Self::NpmChecksum => {
                Validation::from_bool(crc32_base62_ok(value))
            }
            Self::PrivateKey => Validation::from_bool(pem::is_private_key_block(value)),
            Self::PuttyKey => Validation::from_bool(pem::is_putty_key(value)),
            Self::Base64PrivateKey => {
                Validation::from_bool(decode_standard(value).is_some_and(|pem_text| {
                    extract_block(&pem_text).is_some_and(pem::is_private_key_block)
                }))
            }
            Self::Jwt => jwt(value).map_or(Validation::Reject, |_| Validation::Accept),
            Self::KubernetesSaToken => match jwt(value) {
                Some(claims) if is_kubernetes_issuer(&claims) => Validation::Confirmed,
                _ => Validation::Reject,
            },
            Self::GcpServiceAccount => gcp_service_account(value, context),
            Self::AwsPairing => {
                if has_aws_key_id(context) {
                    Validation::Confirmed
                } else {
                    Validation::Accept
                }
            }
            Self::AwsPairingRequired => Validation::from_bool(has_aws_key_id(context)),
            Self::BasicAuth => basic_auth(value),
            Self::Base64DockerConfig => base64_docker_config(value),
        }
    }
}

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// `prefix_` + 30 random base62 + 6 base62 digits of CRC32(random).
fn crc32_base62_ok(value: &[u8]) -> bool {
    let Some(underscore) = value.iter().position(|&b| b == b'_') else {
        return false;
    };
    let Some(rest) = value.get(underscore + 1..) else {
        return false;
    };
    if rest.len() != 36 {
        return false;
    }
    let (body, checksum) = rest.split_at(30);
    let Some(decoded) = checksum.iter().try_fold(0u64, |acc, b| {
        let digit = BASE62.iter().position(|c| c == b)?;
        Some(acc * 62 + digit as u64)
    }) else {
        return false;
    };
    decoded == u64::from(crc32fast::hash(body))
}

/// The encoded checksum GitHub and npm append; used by tests to make valid examples.
#[doc(hidden)]
pub fn crc32_base62(body: &[u8]) -> String {
    let mut n = u64::from(crc32fast::hash(body));
    let mut digits = [b'0'; 6];
    for slot in digits.iter_mut().rev() {
        let idx = usize::try_from(n % 62).unwrap_or(0);
        *slot = BASE62.get(idx).copied().unwrap_or(b'0');
        n /= 62;
    }
    String::from_utf8_lossy(&digits).into_owned()
}

fn decode_standard(value: &[u8]) -> Option<Vec<u8>> {
    if value.len() > 256 * 1024 {
        return None;
    }
    STANDARD.decode(value).ok()
}

fn extract_block(text: &[u8]) -> Option<&[u8]> {
    let start = memchr::memmem::find(text, b"-----BEGIN ")?;
    let tail = text.get(start..)?;
    let end_marker = memchr::memmem::find(tail, b"-----END ")?;
    let after = tail.get(end_marker + 9..)?;
    let close = memchr::memmem::find(after, b"-----")?;
    tail.get(..end_marker + 9 + close + 5)
}

/// Decode a JWT; returns the payload claims when header and payload are JSON objects and
/// the header names an algorithm.
fn jwt(value: &[u8]) -> Option<serde_json::Map<String, serde_json::Value>> {
    let mut parts = value.split(|&b| b == b'.');
    let header = parts.next()?;
    let payload = parts.next()?;
    let signature = parts.next()?;
    if parts.next().is_some() {
        return None;
    }
    let decode = |segment: &[u8]| -> Option<serde_json::Map<String, serde_json::Value>> {
        let trimmed: &[u8] = segment
            .iter()
            .rposition(|&b| b != b'=')
            .and_then(|end| segment.get(..=end))
            .unwrap_or(segment);
        let bytes = URL_SAFE_NO_PAD.decode(trimmed).ok()?;
        match serde_json::from_slice(&bytes).ok()? {
            serde_json::Value::Object(map) => Some(map),
            _ => None,
        }
    };
    let header = decode(header)?;
    let alg = header.get("alg")?.as_str()?;
    if alg.is_empty() || (alg != "none" && signature.len() < 16) {
        return None;
    }
    decode(payload)
}

fn is_kubernetes_issuer(claims: &serde_json::Map<String, serde_json::Value>) -> bool {
    let iss_is_k8s = claims
        .get("iss")
        .and_then(serde_json::Value::as_str)
        .is_some_and(|iss| iss.contains("kubernetes"));
    let has_sa_claims = claims.contains_key("kubernetes.io")
        || claims.contains_key("kubernetes.io/serviceaccount/service-account.name");
    iss_is_k8s || has_sa_claims
}

fn gcp_service_account(value: &[u8], context: &[u8]) -> Validation {
    if !pem::is_private_key_block(value) {
        return Validation::Reject;
    }
    let has = |needle: &[u8]| memchr::memmem::find(context, needle).is_some();
    if has(b"\"service_account\"") && has(b"\"client_email\"") && has(b"gserviceaccount.com") {
        Validation::Confirmed
    } else {
        Validation::Accept
    }
}

fn has_aws_key_id(context: &[u8]) -> bool {
    let valid = |id: &[u8]| {
        id.iter()
            .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(b))
    };
    ["AKIA", "ASIA"].iter().any(|prefix| {
        memchr::memmem::find_iter(context, prefix.as_bytes())
            .any(|pos| context.get(pos + 4..pos + 20).is_some_and(&valid))
    })
}

fn basic_auth(value: &[u8]) -> Validation {
    let Some(decoded) = decode_standard(value) else {
        return Validation::Reject;
    };
    let Some(colon) = decoded.iter().position(|&b| b == b':') else {
        return Validation::Reject;
    };
    let (user, password) = decoded.split_at(colon);
    let password = password.get(1..).unwrap_or_default();
    let printable = decoded.iter().all(|b| b.is_ascii_graphic() || *b == b' ');
    if user.is_empty() || password.is_empty() || !printable {
        return Validation::Reject;
    }
    if guard::rejection(password, ValueCheck::Format).is_some() {
        return Validation::Reject;
    }
    Validation::Confirmed
}

/// Confirmed when the decoded JSON has a registry entry (under `auths`, or at the top
/// level for `.dockercfg`) with a non-empty `auth`, `password` or `identitytoken`.
fn base64_docker_config(value: &[u8]) -> Validation {
    let Some(decoded) = decode_standard(value) else {
        return Validation::Reject;
    };
    let Ok(serde_json::Value::Object(doc)) = serde_json::from_slice(&decoded) else {
        return Validation::Reject;
    };
    let registries = match doc.get("auths") {
        Some(serde_json::Value::Object(auths)) => auths,
        _ => &doc,
    };
    let has_credential = registries.values().any(|entry| {
        ["auth", "password", "identitytoken"].iter().any(|field| {
            entry
                .get(*field)
                .and_then(serde_json::Value::as_str)
                .is_some_and(|v| {
                    !v.is_empty() && guard::rejection(v.as_bytes(), ValueCheck::Format).is_none()
                })
        })
    });
    Validation::from_bool(has_credential)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_checksum_accepts_computed_and_rejects_flipped() {
        let body = "R4nd0mB0dyForTheChecksumTest12";
        let token = format!("ghp_{body}{}", crc32_base62(body.as_bytes()));
        assert_eq!(token.len(), 40);
        assert!(crc32_base62_ok(token.as_bytes()));
        let flipped = token.replace('R', "Q");
        assert!(!crc32_base62_ok(flipped.as_bytes()));
    }

    #[test]
    fn docker_config_needs_a_registry_credential() {
        let with = STANDARD.encode(br#"{"auths":{"r.test":{"auth":"dXNlcjpTM2NyZXRQNHNz"}}}"#);
        assert_eq!(base64_docker_config(with.as_bytes()), Validation::Confirmed);
        let empty = STANDARD.encode(br#"{"auths":{}}"#);
        assert_eq!(base64_docker_config(empty.as_bytes()), Validation::Reject);
        let placeholder = STANDARD.encode(br#"{"auths":{"r.test":{"password":"changeme"}}}"#);
        assert_eq!(
            base64_docker_config(placeholder.as_bytes()),
            Validation::Reject
        );
    }

    #[test]
    fn basic_auth_needs_user_and_password() {
        assert_eq!(basic_auth(b"dXNlcjpTM2NyZXRQNHNz"), Validation::Confirmed); // user:S3cretP4ss
        assert_eq!(basic_auth(b"dXNlcm5hbWU="), Validation::Reject); // username
    }
}
