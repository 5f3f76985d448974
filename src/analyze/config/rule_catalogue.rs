//! The catalogue of configuration, filesystem and Dockerfile rules: id, title, family,
//! CIS/Dockle/hadolint cross-reference, and the severity under each profile for own
//! and base layers (`None`: the rule is off there). Data, so the profiles can be read
//! and tested in one place.

use crate::finding::{Category, Severity};
use crate::spec::pipeline::Profile;

use Severity::{Critical, High, Info, Low, Medium};

/// Where the thing a rule looks at came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The image's own layers or config (also when attribution is unknown: fail closed).
    Own,
    /// A layer of the base image.
    Base,
}

impl Origin {
    /// From a layer's `from_base` (unknown counts as own).
    pub fn of(from_base: Option<bool>) -> Self {
        if from_base == Some(true) {
            Self::Base
        } else {
            Self::Own
        }
    }
}

/// Severities for one profile: own layers, base layers.
type Pair = [Option<Severity>; 2];

/// One rule.
#[derive(Debug)]
pub struct RuleInfo {
    /// Stable id, e.g. `config.root-user`.
    pub id: &'static str,
    /// Family.
    pub category: Category,
    /// Short title.
    pub title: &'static str,
    /// CIS Docker Benchmark / Dockle / hadolint cross-reference.
    pub reference: Option<&'static str>,
    /// Per profile (default, strict, docker-standalone): own, base.
    pub severity: [Pair; 3],
}

impl RuleInfo {
    /// The severity under `profile` for something of `origin`, or `None` when off.
    pub fn severity(&self, profile: Profile, origin: Origin) -> Option<Severity> {
        let pair = match profile {
            Profile::Default => self.severity[0],
            Profile::Strict => self.severity[1],
            Profile::DockerStandalone => self.severity[2],
        };
        match origin {
            Origin::Own => pair[0],
            Origin::Base => pair[1],
        }
    }
}

const fn own(s: Severity) -> Pair {
    [Some(s), None]
}

const fn both(own: Severity, base: Severity) -> Pair {
    [Some(own), Some(base)]
}

const OFF: Pair = [None, None];

/// Every rule. The default profile stays quiet on base layers and on hygiene issues
/// that do not change what an attacker can do in a Kubernetes pod.
pub const RULES: &[RuleInfo] = &[
    RuleInfo {
        id: "config.root-user",
        category: Category::Config,
        title: "Container runs as root",
        reference: Some("CIS Docker 4.1, Dockle CIS-DI-0001, hadolint DL3002"),
        severity: [own(Medium), own(High), own(Medium)],
    },
    RuleInfo {
        id: "config.remote-access-port",
        category: Category::Config,
        title: "Image exposes a remote-access port",
        reference: Some("Trivy DS004"),
        severity: [own(Medium), own(High), own(Medium)],
    },
    RuleInfo {
        id: "config.base-latest",
        category: Category::Config,
        title: "Base image recorded as a floating `latest` tag",
        reference: Some("Dockle DKL-DI-0006, hadolint DL3006/DL3007, Trivy DS001"),
        severity: [own(Medium), own(High), own(Medium)],
    },
    RuleInfo {
        id: "config.base-unpinned",
        category: Category::Config,
        title: "Base image recorded by tag without digest",
        reference: Some("CIS Docker 4.2"),
        severity: [own(Low), own(Medium), own(Low)],
    },
    RuleInfo {
        id: "config.add-from-url",
        category: Category::Config,
        title: "`ADD` fetches a URL without a checksum",
        reference: Some("CIS Docker 4.9, Dockle CIS-DI-0009, hadolint DL3020"),
        severity: [own(Medium), both(High, Low), own(Medium)],
    },
    RuleInfo {
        id: "config.package-upgrade",
        category: Category::Config,
        title: "Build upgrades all packages in place",
        reference: Some("Dockle DKL-DI-0003, hadolint DL3005"),
        severity: [OFF, both(Low, Info), OFF],
    },
    RuleInfo {
        id: "config.docker-socket-volume",
        category: Category::Config,
        title: "Image declares the Docker socket as a volume",
        reference: Some("CIS Docker 5.31, Dockle DKL-DI-0002"),
        severity: [own(High), own(High), own(High)],
    },
    RuleInfo {
        id: "config.sensitive-volume",
        category: Category::Config,
        title: "Image declares a sensitive system directory as a volume",
        reference: Some("CIS Docker 5.5, Dockle DKL-DI-0002"),
        severity: [own(Medium), own(High), own(Medium)],
    },
    RuleInfo {
        id: "config.healthcheck-missing",
        category: Category::Config,
        title: "No HEALTHCHECK for a standalone Docker deployment",
        reference: Some("CIS Docker 4.6, Dockle CIS-DI-0006"),
        severity: [OFF, OFF, own(Low)],
    },
    RuleInfo {
        id: "config.onbuild",
        category: Category::Config,
        title: "Image carries ONBUILD triggers",
        reference: Some("hadolint DL3043"),
        severity: [OFF, own(Low), OFF],
    },
    RuleInfo {
        id: "filesystem.setuid",
        category: Category::Filesystem,
        title: "Setuid or setgid file",
        reference: Some("CIS Docker 4.8, Dockle CIS-DI-0008"),
        severity: [own(Medium), both(High, Info), own(Medium)],
    },
    RuleInfo {
        id: "filesystem.world-writable-dir",
        category: Category::Filesystem,
        title: "World-writable directory without the sticky bit",
        reference: None,
        severity: [own(Medium), both(Medium, Low), own(Medium)],
    },
    RuleInfo {
        id: "filesystem.world-writable-file",
        category: Category::Filesystem,
        title: "World-writable file",
        reference: None,
        severity: [own(Low), both(Medium, Info), own(Low)],
    },
    RuleInfo {
        id: "filesystem.ssh-host-key",
        category: Category::Filesystem,
        title: "SSH host private key baked into the image",
        reference: Some("Dockle CIS-DI-0010"),
        severity: [both(High, Medium), both(High, High), both(High, Medium)],
    },
    RuleInfo {
        id: "filesystem.ssh-private-key",
        category: Category::Filesystem,
        title: "SSH user private key file",
        reference: Some("Dockle CIS-DI-0010"),
        severity: [both(High, Medium), both(High, High), both(High, Medium)],
    },
    RuleInfo {
        id: "filesystem.ssh-authorized-keys",
        category: Category::Filesystem,
        title: "SSH authorized_keys file",
        reference: None,
        severity: [both(Medium, Low), both(High, Medium), both(Medium, Low)],
    },
    RuleInfo {
        id: "filesystem.credential-file",
        category: Category::Filesystem,
        title: "Credential-bearing file",
        reference: Some("Dockle CIS-DI-0010"),
        severity: [both(Medium, Low), both(High, Medium), both(Medium, Low)],
    },
    RuleInfo {
        id: "filesystem.shell-history",
        category: Category::Filesystem,
        title: "Shell or REPL history file",
        reference: None,
        severity: [both(Medium, Low), both(High, Medium), both(Medium, Low)],
    },
    RuleInfo {
        id: "filesystem.git-directory",
        category: Category::Filesystem,
        title: "Git repository metadata shipped in the image",
        reference: None,
        severity: [own(Low), both(Medium, Low), own(Low)],
    },
    RuleInfo {
        id: "filesystem.package-cache",
        category: Category::Filesystem,
        title: "Package-manager cache or lists left behind",
        reference: Some("Dockle DKL-DI-0005, hadolint DL3009"),
        severity: [own(Info), both(Low, Info), own(Info)],
    },
    RuleInfo {
        id: "filesystem.sudo-installed",
        category: Category::Filesystem,
        title: "sudo is installed",
        reference: Some("Dockle DKL-DI-0001, hadolint DL3004"),
        severity: [both(Low, Info), both(Medium, Low), both(Low, Info)],
    },
    RuleInfo {
        id: "filesystem.sudo-nopasswd",
        category: Category::Filesystem,
        title: "Passwordless sudo (NOPASSWD) in sudoers",
        reference: None,
        severity: [both(High, Medium), both(High, High), both(High, Medium)],
    },
    RuleInfo {
        id: "filesystem.uid0-alias",
        category: Category::Filesystem,
        title: "Account other than root with UID 0",
        reference: Some("Dockle DKL-LI-0002"),
        severity: [both(Medium, Low), both(High, Medium), both(Medium, Low)],
    },
    RuleInfo {
        id: "filesystem.empty-password",
        category: Category::Filesystem,
        title: "Account with an empty password",
        reference: Some("Dockle DKL-LI-0001, CVE-2019-5021"),
        severity: [both(High, High), both(High, High), both(High, High)],
    },
    RuleInfo {
        id: "dockerfile.secret-in-arg-env",
        category: Category::Dockerfile,
        title: "Secret-looking ARG or ENV in the Dockerfile",
        reference: Some("hadolint DL3064, BuildKit SecretsUsedInArgOrEnv"),
        severity: [own(Medium), own(High), own(Medium)],
    },
    RuleInfo {
        id: "dockerfile.secret-build-arg",
        category: Category::Dockerfile,
        title: "Secret passed to the build as a build argument",
        reference: Some("BuildKit SecretsUsedInArgOrEnv"),
        severity: [own(High), own(Critical), own(High)],
    },
    RuleInfo {
        id: "dockerfile.from-unpinned",
        category: Category::Dockerfile,
        title: "Build stage FROM without a digest",
        reference: Some("hadolint DL3006/DL3007"),
        severity: [own(Low), own(Medium), own(Low)],
    },
    RuleInfo {
        id: "dockerfile.add-from-url",
        category: Category::Dockerfile,
        title: "`ADD` of a URL without a checksum in a build stage",
        reference: Some("hadolint DL3020"),
        severity: [own(Low), own(Medium), own(Low)],
    },
    RuleInfo {
        id: "dockerfile.missing-user",
        category: Category::Dockerfile,
        title: "Final stage sets no non-root USER",
        reference: Some("hadolint DL3002"),
        severity: [own(Medium), own(High), own(Medium)],
    },
];

/// The rule with this id.
pub fn rule(id: &str) -> Option<&'static RuleInfo> {
    RULES.iter().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_prefixed_by_their_category() {
        let mut seen = std::collections::BTreeSet::new();
        for r in RULES {
            assert!(seen.insert(r.id), "duplicate {}", r.id);
            assert!(
                r.id.starts_with(&format!("{}.", r.category.name())),
                "{} is not in {}",
                r.id,
                r.category.name()
            );
        }
    }

    #[test]
    fn healthcheck_only_under_docker_standalone() {
        let r = rule("config.healthcheck-missing").unwrap();
        assert_eq!(r.severity(Profile::Default, Origin::Own), None);
        assert_eq!(r.severity(Profile::Strict, Origin::Own), None);
        assert_eq!(
            r.severity(Profile::DockerStandalone, Origin::Own),
            Some(Low)
        );
    }

    #[test]
    fn default_profile_ignores_base_layer_hygiene() {
        for id in [
            "filesystem.setuid",
            "filesystem.world-writable-dir",
            "filesystem.package-cache",
        ] {
            let r = rule(id).unwrap();
            assert_eq!(r.severity(Profile::Default, Origin::Base), None, "{id}");
            assert!(r.severity(Profile::Strict, Origin::Base).is_some(), "{id}");
        }
    }
}
