//! Registry authentication: parsing `WWW-Authenticate` challenges and finding the
//! user's credentials (command line, auth file, podman's `auth.json`, docker's
//! `config.json` with `credHelpers`/`credsStore` helpers executed). The token exchange
//! itself is done by the client, which owns the HTTP connection.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use docker_credential::{CredentialRetrievalError, DockerCredential};

use super::RegistryError;
use super::options::{Password, RegistryOptions};
use crate::oci::reference::DOCKER_HUB;

/// What a registry asked for in its `WWW-Authenticate` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Challenge {
    /// HTTP basic authentication.
    Basic,
    /// The token flow: get a bearer token from `realm`.
    Bearer {
        /// The token endpoint.
        realm: String,
        /// The `service` parameter, if any.
        service: Option<String>,
        /// The `scope` the registry suggested, if any.
        scope: Option<String>,
    },
}

impl Challenge {
    /// Parse a `WWW-Authenticate` value; `None` for schemes imgguard does not speak.
    pub fn parse(header: &str) -> Option<Self> {
        let header = header.trim();
        let (scheme, rest) = header.split_once(' ').unwrap_or((header, ""));
        if scheme.eq_ignore_ascii_case("basic") {
            return Some(Self::Basic);
        }
        if !scheme.eq_ignore_ascii_case("bearer") {
            return None;
        }
        let params = parse_params(rest);
        Some(Self::Bearer {
            realm: params.get("realm")?.clone(),
            service: params.get("service").cloned(),
            scope: params.get("scope").cloned(),
        })
    }
}

/// `key="value", key2=value2` (quoted values may contain commas).
fn parse_params(input: &str) -> BTreeMap<String, String> {
    let mut params = BTreeMap::new();
    let mut rest = input.trim();
    while !rest.is_empty() {
        let Some((key, after)) = rest.split_once('=') else {
            break;
        };
        let key = key
            .trim()
            .trim_start_matches(',')
            .trim()
            .to_ascii_lowercase();
        let after = after.trim_start();
        let (value, remainder) = if let Some(quoted) = after.strip_prefix('"') {
            match quoted.find('"') {
                Some(end) => (
                    quoted.get(..end).unwrap_or(""),
                    quoted.get(end + 1..).unwrap_or(""),
                ),
                None => (quoted, ""),
            }
        } else {
            match after.find(',') {
                Some(end) => (
                    after.get(..end).unwrap_or(""),
                    after.get(end..).unwrap_or(""),
                ),
                None => (after, ""),
            }
        };
        params.insert(key, value.to_owned());
        rest = remainder.trim_start().trim_start_matches(',').trim_start();
    }
    params
}

/// A credential and where it came from (for messages; the secret never prints).
#[derive(Debug, Clone)]
pub struct Credential {
    /// The user name.
    pub username: String,
    /// The password or token.
    pub password: Password,
    /// Where it was found.
    pub origin: String,
}

/// What the credential lookup found.
#[derive(Debug, Default)]
pub struct CredentialLookup {
    /// The credential to use, if any.
    pub credential: Option<Credential>,
    /// Problems met on the way (a helper failed, an identity token was found); they are
    /// named if the registry then refuses anonymous access.
    pub problems: Vec<String>,
}

/// The keys a registry's credentials may be stored under.
fn server_keys(registry: &str) -> Vec<String> {
    if registry == DOCKER_HUB {
        vec![
            "https://index.docker.io/v1/".into(),
            "index.docker.io".into(),
            "docker.io".into(),
            "registry-1.docker.io".into(),
        ]
    } else {
        vec![
            registry.to_owned(),
            format!("https://{registry}"),
            format!("http://{registry}"),
        ]
    }
}

/// The auth files to consult, in order.
fn auth_files(options: &RegistryOptions) -> Vec<PathBuf> {
    if let Some(file) = &options.auth_file {
        return vec![file.clone()];
    }
    let env = |k: &str| std::env::var_os(k).map(PathBuf::from);
    let mut files = Vec::new();
    if let Some(f) = env("REGISTRY_AUTH_FILE") {
        files.push(f);
    }
    if let Some(run) = env("XDG_RUNTIME_DIR") {
        files.push(run.join("containers/auth.json"));
    }
    if let Some(home) = env("HOME") {
        files.push(home.join(".config/containers/auth.json"));
    }
    match env("DOCKER_CONFIG") {
        Some(dir) => files.push(dir.join("config.json")),
        None => {
            if let Some(home) = env("HOME") {
                files.push(home.join(".docker/config.json"));
            }
        }
    }
    files
}

/// Find credentials for `registry`, command line first, then the auth files in order.
pub fn lookup(registry: &str, options: &RegistryOptions) -> CredentialLookup {
    let mut found = CredentialLookup::default();
    if let Some((username, password)) = &options.credentials {
        found.credential = Some(Credential {
            username: username.clone(),
            password: password.clone(),
            origin: "--username/--password-stdin".into(),
        });
        return found;
    }
    for file in auth_files(options) {
        match from_file(&file, registry) {
            Ok(Some(credential)) => {
                found.credential = Some(credential);
                return found;
            }
            Ok(None) => {}
            Err(problem) => found.problems.push(problem),
        }
    }
    found
}

fn from_file(path: &Path, registry: &str) -> Result<Option<Credential>, String> {
    let bytes = match fs_err::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    for key in server_keys(registry) {
        match docker_credential::get_credential_from_reader(bytes.as_slice(), &key) {
            Ok(DockerCredential::UsernamePassword(username, password)) => {
                return Ok(Some(Credential {
                    username,
                    password: Password::new(password),
                    origin: path.display().to_string(),
                }));
            }
            Ok(DockerCredential::IdentityToken(_)) => {
                return Err(format!(
                    "{} holds an identity token for {key}, which imgguard cannot exchange yet; use a username and password",
                    path.display()
                ));
            }
            Err(CredentialRetrievalError::NoCredentialConfigured) => {}
            Err(CredentialRetrievalError::HelperFailure { helper, .. }) => {
                // The helper's output may hold secrets: name the helper only.
                return Err(format!(
                    "credential helper `{helper}` named in {} failed for {key}",
                    path.display()
                ));
            }
            Err(e) => return Err(format!("{}: {e}", path.display())),
        }
    }
    Ok(None)
}

/// Build the error for a refused request, naming what was tried.
pub fn refused(
    registry: &str,
    repository: &str,
    lookup: &CredentialLookup,
    status: u16,
) -> RegistryError {
    let mut reason = match &lookup.credential {
        Some(c) => format!(
            "status {status} with the credentials of user `{}` from {}",
            c.username, c.origin
        ),
        None => format!("status {status} without credentials (none found)"),
    };
    for problem in &lookup.problems {
        reason.push_str("; ");
        reason.push_str(problem);
    }
    RegistryError::Unauthorized {
        registry: registry.to_owned(),
        repository: repository.to_owned(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]
    use super::*;

    #[test]
    fn parses_bearer_and_basic_challenges() {
        assert_eq!(
            Challenge::parse(
                r#"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push""#
            ),
            Some(Challenge::Bearer {
                realm: "https://auth.example/token".into(),
                service: Some("registry.example".into()),
                scope: Some("repository:a/b:pull,push".into()),
            })
        );
        assert_eq!(
            Challenge::parse(r#"Basic realm="imgguard-test""#),
            Some(Challenge::Basic)
        );
        assert_eq!(Challenge::parse("Negotiate abc"), None);
        assert_eq!(Challenge::parse("Bearer service=x"), None);
    }

    #[test]
    fn reads_auths_and_runs_credential_helpers() {
        let dir = tempfile::tempdir().unwrap();
        let helper = dir.path().join("docker-credential-imgguardtest");
        fs_err::write(
            &helper,
            "#!/bin/sh\nread server\necho '{\"ServerURL\":\"'$server'\",\"Username\":\"helperuser\",\"Secret\":\"s3cr3t\"}'\n",
        )
        .unwrap();
        std::fs::set_permissions(&helper, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        let config = dir.path().join("config.json");
        // "dXNlcjpwYXNz" = user:pass
        fs_err::write(
            &config,
            r#"{"auths":{"reg.example:5000":{"auth":"dXNlcjpwYXNz"}},"credHelpers":{"helped.example":"imgguardtest"}}"#,
        )
        .unwrap();
        let c = from_file(&config, "reg.example:5000").unwrap().unwrap();
        assert_eq!(c.username, "user");
        assert_eq!(c.password.expose(), "pass");
        assert!(from_file(&config, "other.example").unwrap().is_none());
        // The helper runs from PATH.
        let path = format!(
            "{}:{}",
            dir.path().display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .env("PATH", path)
            .env("IMGGUARD_HELPER_CONFIG", &config)
            .args([
                "--exact",
                "source::registry::auth::tests::helper_child",
                "--nocapture",
            ])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("helper gave helperuser"), "{stdout}");
    }

    /// Runs in a child process (with the helper on PATH) for the test above.
    #[test]
    fn helper_child() {
        let Some(config) = std::env::var_os("IMGGUARD_HELPER_CONFIG") else {
            return;
        };
        let c = from_file(Path::new(&config), "helped.example")
            .unwrap()
            .unwrap();
        assert_eq!(c.password.expose(), "s3cr3t");
        #[allow(clippy::print_stdout, reason = "read by the parent test")]
        {
            println!("helper gave {}", c.username);
        }
    }
}
