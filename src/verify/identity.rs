//! A compiled keyless authority: which certificate identity and issuer are trusted.
//!
//! Built from a [`super::KeylessSpec`]; checked against the SAN and issuer of a
//! Fulcio certificate only after the certificate chain has been verified.

use regex::Regex;

use super::{KeylessSpec, Rejection, VerifyError};

/// How the certificate SAN is matched.
#[derive(Debug, Clone)]
pub enum IdentityPattern {
    /// The SAN equals this string.
    Exact(String),
    /// The SAN matches this regex over its whole length.
    Regex(Regex),
}

/// The identity and issuer a keyless signature must carry.
#[derive(Debug, Clone)]
pub struct KeylessIdentity {
    /// Required OIDC issuer; `None` means the certificate must carry none.
    pub issuer: Option<String>,
    /// Required SAN.
    pub identity: IdentityPattern,
}

impl KeylessIdentity {
    /// Compile a spec entry; exactly one of `identity` / `identity_regex` must be set.
    pub fn from_spec(spec: &KeylessSpec) -> Result<Self, VerifyError> {
        let identity = match (&spec.identity, &spec.identity_regex) {
            (Some(exact), None) => IdentityPattern::Exact(exact.clone()),
            (None, Some(pattern)) => {
                // Anchoring is done here so a pattern like `.*@acme.com` can never
                // match `evil@acme.com.attacker.net`.
                let anchored = format!("^(?:{pattern})$");
                let regex = Regex::new(&anchored).map_err(|source| {
                    VerifyError::IdentityPatternInvalid {
                        pattern: pattern.clone(),
                        source,
                    }
                })?;
                IdentityPattern::Regex(regex)
            }
            _ => return Err(VerifyError::IdentityAmbiguous),
        };
        Ok(Self {
            issuer: spec.issuer.clone(),
            identity,
        })
    }

    /// The exact SAN, when the pattern is not a regex (lets the library check it too).
    pub fn exact_identity(&self) -> Option<&str> {
        match &self.identity {
            IdentityPattern::Exact(value) => Some(value),
            IdentityPattern::Regex(_) => None,
        }
    }

    /// Check a verified certificate's claims against this authority.
    pub fn check(&self, san: Option<&str>, issuer: Option<&str>) -> Result<(), Rejection> {
        let san_ok = match (&self.identity, san) {
            (IdentityPattern::Exact(expected), Some(actual)) => expected == actual,
            (IdentityPattern::Regex(regex), Some(actual)) => regex.is_match(actual),
            (_, None) => false,
        };
        if !san_ok {
            return Err(Rejection::identity_mismatch(
                format!("identity {}", self.describe_identity()),
                format!("identity {}", san.unwrap_or("none")),
            ));
        }
        if self.issuer.as_deref() != issuer {
            return Err(Rejection::identity_mismatch(
                format!("issuer {}", self.issuer.as_deref().unwrap_or("none")),
                format!("issuer {}", issuer.unwrap_or("none")),
            ));
        }
        Ok(())
    }

    /// How the identity requirement reads in a report.
    pub fn describe_identity(&self) -> String {
        match &self.identity {
            IdentityPattern::Exact(value) => value.clone(),
            IdentityPattern::Regex(regex) => format!("matching {}", regex.as_str()),
        }
    }

    /// `identity (issuer)` for reports.
    pub fn describe(&self) -> String {
        format!(
            "{} issued by {}",
            self.describe_identity(),
            self.issuer.as_deref().unwrap_or("no issuer")
        )
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    fn spec(identity: Option<&str>, regex: Option<&str>) -> KeylessSpec {
        KeylessSpec {
            issuer: Some("https://token.actions.githubusercontent.com".into()),
            identity: identity.map(Into::into),
            identity_regex: regex.map(Into::into),
        }
    }

    #[test]
    fn regex_is_anchored() {
        let id = KeylessIdentity::from_spec(&spec(None, Some(r".*@acme\.com"))).unwrap();
        let iss = Some("https://token.actions.githubusercontent.com");
        assert!(id.check(Some("dev@acme.com"), iss).is_ok());
        let err = id
            .check(Some("dev@acme.com.attacker.net"), iss)
            .unwrap_err();
        assert_eq!(err.code(), "verify.identity-mismatch");
    }

    #[test]
    fn issuer_must_match_exactly() {
        let id = KeylessIdentity::from_spec(&spec(Some("a@b.c"), None)).unwrap();
        let err = id
            .check(Some("a@b.c"), Some("https://accounts.google.com"))
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("found issuer https://accounts.google.com")
        );
        assert!(id.check(Some("a@b.c"), None).is_err());
    }

    #[test]
    fn exactly_one_identity_form() {
        assert!(KeylessIdentity::from_spec(&spec(None, None)).is_err());
        assert!(KeylessIdentity::from_spec(&spec(Some("a"), Some("b"))).is_err());
        assert!(KeylessIdentity::from_spec(&spec(None, Some("("))).is_err());
    }
}
