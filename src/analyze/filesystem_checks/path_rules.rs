//! What a path alone says: SSH keys, credential-bearing files, shell history, Git
//! metadata, package caches, sudo. Pure functions over normalised absolute paths, so
//! every name is tested without building a layer.

/// A rule a path matches, with a short description of what the file is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathMatch {
    /// Rule id.
    pub rule: &'static str,
    /// What the file is, for the message.
    pub what: &'static str,
}

fn hit(rule: &'static str, what: &'static str) -> PathMatch {
    PathMatch { rule, what }
}

/// Suffixes of credential-bearing files and what they hold.
const CREDENTIAL_SUFFIXES: &[(&str, &str)] = &[
    ("/.docker/config.json", "Docker registry credentials"),
    ("/.aws/credentials", "AWS credentials"),
    ("/.kube/config", "a Kubernetes kubeconfig"),
    ("/.git-credentials", "Git credentials"),
    (
        "/.npmrc",
        "npm registry configuration (often an auth token)",
    ),
    ("/.pypirc", "PyPI upload credentials"),
    ("/.netrc", "netrc login credentials"),
    ("/.pgpass", "PostgreSQL passwords"),
    ("/.vault-token", "a Vault token"),
    (
        "/.config/gcloud/application_default_credentials.json",
        "Google Cloud credentials",
    ),
    ("/.config/gcloud/credentials.db", "Google Cloud credentials"),
    ("/.azure/accessTokens.json", "Azure access tokens"),
    (
        "/.terraform.d/credentials.tfrc.json",
        "Terraform Cloud credentials",
    ),
    ("/.gem/credentials", "RubyGems credentials"),
    ("/.cargo/credentials.toml", "crates.io credentials"),
    ("/.cargo/credentials", "crates.io credentials"),
];

const THIRD_PARTY_DIRS: &[&str] = &[
    "/node_modules/",
    "/site-packages/",
    "/dist-packages/",
    "/vendor/",
    "/gems/",
    "/.m2/repository/",
];

const KEYSTORE_EXTENSIONS: &[&str] = &[".p12", ".pfx", ".jks", ".keystore"];

const HISTORY_FILES: &[&str] = &[
    ".bash_history",
    ".zsh_history",
    ".ash_history",
    ".sh_history",
    ".history",
    ".python_history",
    ".mysql_history",
    ".psql_history",
    ".rediscli_history",
    ".node_repl_history",
    ".sqlite_history",
    ".irb_history",
];

/// Package-manager caches and lists, and the files in them that count.
pub const PACKAGE_CACHES: &[&str] = &[
    "/var/cache/apt/archives",
    "/var/lib/apt/lists",
    "/var/cache/apk",
    "/var/cache/yum",
    "/var/cache/dnf",
    "/var/cache/zypp",
    "/root/.cache/pip",
    "/root/.npm/_cacache",
    "/usr/local/share/.cache/yarn",
    "/root/.cache/go-build",
];

const SUDO_PATHS: &[&str] = &[
    "/usr/bin/sudo",
    "/bin/sudo",
    "/usr/sbin/sudo",
    "/usr/local/bin/sudo",
    "/var/lib/dpkg/info/sudo.list",
];

/// The rule a regular file's path alone triggers.
pub fn classify_file(path: &str) -> Option<PathMatch> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let parent = path.get(..path.len() - name.len()).unwrap_or("");
    if parent == "/etc/ssh/" && name.starts_with("ssh_host_") && name.ends_with("_key") {
        return Some(hit("filesystem.ssh-host-key", "an SSH host private key"));
    }
    if parent == "/etc/dropbear/" && name.ends_with("_host_key") {
        return Some(hit(
            "filesystem.ssh-host-key",
            "a Dropbear host private key",
        ));
    }
    if parent.ends_with("/.ssh/") {
        if name.starts_with("id_") && !name.to_ascii_lowercase().ends_with(".pub") {
            return Some(hit("filesystem.ssh-private-key", "an SSH user private key"));
        }
        if name == "authorized_keys" || name == "authorized_keys2" {
            return Some(hit(
                "filesystem.ssh-authorized-keys",
                "SSH authorized_keys (remote login for whoever holds the key)",
            ));
        }
    }
    // Credential-looking files inside third-party packages are their test fixtures;
    // the content rules still scan them.
    let third_party = THIRD_PARTY_DIRS.iter().any(|d| path.contains(d));
    if third_party {
        return None;
    }
    if let Some((_, what)) = CREDENTIAL_SUFFIXES.iter().find(|(s, _)| path.ends_with(s)) {
        return Some(hit("filesystem.credential-file", what));
    }
    if name == ".env"
        || (name.starts_with(".env.")
            && !matches!(
                name,
                ".env.example" | ".env.sample" | ".env.template" | ".env.dist" | ".env.defaults"
            ))
    {
        return Some(hit(
            "filesystem.credential-file",
            "a dotenv file (application secrets)",
        ));
    }
    let lower = name.to_ascii_lowercase();
    if KEYSTORE_EXTENSIONS.iter().any(|e| lower.ends_with(e)) {
        return Some(hit(
            "filesystem.credential-file",
            "a PKCS#12/Java keystore (private keys)",
        ));
    }
    if HISTORY_FILES.contains(&name) {
        return Some(hit(
            "filesystem.shell-history",
            "a shell or REPL history (commands typed, often with passwords)",
        ));
    }
    None
}

/// The `.git` directory an entry lies in (or is), e.g. `/app/.git`.
pub fn git_root(path: &str) -> Option<&str> {
    let at = if path.ends_with("/.git") {
        path.len()
    } else {
        path.find("/.git/")? + "/.git".len()
    };
    path.get(..at)
}

/// The package cache a file lies in, skipping lock files and partial downloads.
pub fn package_cache(path: &str) -> Option<&'static str> {
    let name = path.rsplit('/').next().unwrap_or(path);
    if name == "lock" || path.contains("/partial/") {
        return None;
    }
    PACKAGE_CACHES
        .iter()
        .find(|root| {
            path.strip_prefix(**root)
                .is_some_and(|rest| rest.starts_with('/'))
        })
        .copied()
}

/// Whether the path is sudo's binary or dpkg's record of it.
pub fn is_sudo(path: &str) -> bool {
    SUDO_PATHS.contains(&path)
}

/// Whether the path is a sudoers file whose content is read.
pub fn is_sudoers(path: &str) -> bool {
    path == "/etc/sudoers"
        || path
            .strip_prefix("/etc/sudoers.d/")
            .is_some_and(|name| !name.is_empty() && !name.contains('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(path: &str) -> Option<&'static str> {
        classify_file(path).map(|m| m.rule)
    }

    #[test]
    fn classifies_sensitive_paths() {
        assert_eq!(
            rule("/etc/ssh/ssh_host_ed25519_key"),
            Some("filesystem.ssh-host-key")
        );
        assert_eq!(rule("/etc/ssh/ssh_host_ed25519_key.pub"), None);
        assert_eq!(
            rule("/root/.ssh/id_rsa"),
            Some("filesystem.ssh-private-key")
        );
        assert_eq!(rule("/home/app/.ssh/id_ed25519.pub"), None);
        assert_eq!(
            rule("/root/.ssh/authorized_keys"),
            Some("filesystem.ssh-authorized-keys")
        );
        assert_eq!(rule("/root/.ssh/known_hosts"), None);
        for cred in [
            "/root/.docker/config.json",
            "/home/a/.aws/credentials",
            "/root/.kube/config",
            "/root/.git-credentials",
            "/app/.npmrc",
            "/root/.pypirc",
            "/root/.netrc",
            "/app/.env",
            "/app/.env.production",
            "/opt/certs/server.p12",
            "/app/keystore.JKS",
        ] {
            assert_eq!(rule(cred), Some("filesystem.credential-file"), "{cred}");
        }
        for clean in [
            "/app/node_modules/pkg/.npmrc",
            "/usr/lib/python3/dist-packages/x/tests/client.p12",
            "/app/node_modules/dotenv/.env",
            "/app/.env.example",
            "/etc/docker/config.json",
            "/usr/lib/jvm/lib/security/cacerts",
            "/app/environment.rb",
            "/root/.aws/config",
        ] {
            assert_eq!(rule(clean), None, "{clean}");
        }
        assert_eq!(
            rule("/root/.bash_history"),
            Some("filesystem.shell-history")
        );
        assert_eq!(
            rule("/home/x/.python_history"),
            Some("filesystem.shell-history")
        );
    }

    #[test]
    fn git_caches_sudo() {
        assert_eq!(git_root("/app/.git/config"), Some("/app/.git"));
        assert_eq!(git_root("/app/.git"), Some("/app/.git"));
        assert_eq!(git_root("/app/.github/workflows/ci.yml"), None);
        assert_eq!(git_root("/app/.gitignore"), None);
        assert_eq!(
            package_cache("/var/lib/apt/lists/archive.ubuntu.com_dists_noble_InRelease"),
            Some("/var/lib/apt/lists")
        );
        assert_eq!(package_cache("/var/lib/apt/lists/lock"), None);
        assert_eq!(package_cache("/var/cache/apt/archives/partial/x.deb"), None);
        assert_eq!(package_cache("/var/cache/apt/archives2/x"), None);
        assert!(is_sudo("/usr/bin/sudo"));
        assert!(!is_sudo("/usr/bin/sudoedit"));
        assert!(is_sudoers("/etc/sudoers"));
        assert!(is_sudoers("/etc/sudoers.d/app"));
        assert!(!is_sudoers("/etc/sudoers.d/"));
        assert!(!is_sudoers("/etc/sudoers.dist"));
    }
}
