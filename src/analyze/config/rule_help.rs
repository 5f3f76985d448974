//! Why each configuration, filesystem and Dockerfile rule of the
//! [catalogue](super::rule_catalogue) matters and how to fix a finding: the text
//! `imgguard explain` and SARIF rule help show. Kept beside the catalogue's data so a
//! new rule without help fails a test.

use super::rule_catalogue::{Origin, RULES, RuleInfo};
use crate::analyze::RuleDoc;
use crate::finding::{Category, Severity};
use crate::spec::pipeline::Profile;

/// What the rule detects and why it matters; how to fix it.
fn help(id: &str) -> Option<(&'static str, &'static str)> {
    Some(match id {
        "config.root-user" => (
            "The image config names no user, or user 0/root, so every process in the container runs as root. A container escape or a writable host mount then gives an attacker root on the node.",
            "Create an unprivileged user in the image and end the Dockerfile with `USER 10001` (a numeric UID, so Kubernetes `runAsNonRoot` can verify it).",
        ),
        "config.remote-access-port" => (
            "The image exposes a port conventionally used for remote shells or administration (SSH, telnet, RDP, VNC). Containers are replaced, not logged into; a remote-access daemon is an extra way in.",
            "Remove the daemon and its `EXPOSE`; use `kubectl exec`/`docker exec` for debugging.",
        ),
        "config.base-latest" => (
            "The history records the base image as `latest` (or no tag), so rebuilding the same Dockerfile can silently pick up a different base.",
            "Pin the base image by digest: `FROM image:1.2@sha256:…`, and let a bot (Renovate, Dependabot) raise updates.",
        ),
        "config.base-unpinned" => (
            "The base image is recorded by tag only. Tags move; the build is not reproducible and a compromised tag changes what you ship.",
            "Pin the base image by digest: `FROM image:1.2@sha256:…`.",
        ),
        "config.add-from-url" => (
            "An `ADD https://…` step downloaded content at build time without a checksum; whatever the server returned that day is in the image.",
            "Download with `ADD --checksum=sha256:… URL`, or `RUN curl … && echo 'HASH  file' | sha256sum -c`.",
        ),
        "config.package-upgrade" => (
            "A step upgrades every installed package (`apt-get upgrade`, `apk upgrade`, `dnf upgrade`), so the image content depends on the day it was built.",
            "Rebuild on a newer base image instead, or pin the specific packages that need a fix.",
        ),
        "config.docker-socket-volume" => (
            "The image declares `/var/run/docker.sock` as a volume. Whoever talks to the Docker socket controls the host.",
            "Remove the `VOLUME`; if a tool truly needs an engine, give it a rootless or remote one explicitly at deploy time.",
        ),
        "config.sensitive-volume" => (
            "The image declares a host-sensitive directory (`/`, `/etc`, `/proc`, `/sys`, `/boot`, `/dev`, …) as a volume, inviting a deployment to mount the host's copy.",
            "Remove the `VOLUME`; declare only application data directories.",
        ),
        "config.healthcheck-missing" => (
            "The image has no `HEALTHCHECK`. Under plain Docker nothing else notices a hung process (Kubernetes ignores it and uses probes, so only the docker-standalone profile asks for it).",
            "Add `HEALTHCHECK CMD …` that exercises the service, or deploy with an orchestrator's probes.",
        ),
        "config.onbuild" => (
            "The image carries `ONBUILD` triggers: instructions that run in the build of every image that uses it as a base, invisible in that image's Dockerfile.",
            "Remove `ONBUILD` and put the steps in the downstream Dockerfiles where they can be reviewed.",
        ),
        "filesystem.setuid" => (
            "A file has the setuid or setgid bit. Any vulnerable setuid binary is a local privilege escalation inside the container.",
            "Remove the bit (`chmod u-s,g-s FILE`) or the binary, or run with `no-new-privileges`; keep only the setuid binaries you need.",
        ),
        "filesystem.world-writable-dir" => (
            "A directory is writable by every user and lacks the sticky bit, so any process can replace files other users rely on.",
            "`chmod o-w DIR`, or `chmod +t DIR` for shared scratch directories such as /tmp.",
        ),
        "filesystem.world-writable-file" => (
            "A file is writable by every user; any process in the container can change what another one reads or executes.",
            "`chmod o-w FILE` in the step that creates it.",
        ),
        "filesystem.ssh-host-key" => (
            "An SSH host private key is in the image: every container from it shares the key, and anyone with the image can impersonate the host.",
            "Delete the keys in the same step that installs the SSH server (`rm /etc/ssh/ssh_host_*`) and generate them at first start, or drop the SSH server.",
        ),
        "filesystem.ssh-private-key" => (
            "A user SSH private key file is in the image; anyone who can pull the image gets the key.",
            "Revoke the key, rebuild without it (a later `rm` does not remove it from earlier layers), and use `RUN --mount=type=ssh` for build-time access.",
        ),
        "filesystem.ssh-authorized-keys" => (
            "An `authorized_keys` file grants whoever holds the matching private keys a way into containers running an SSH daemon.",
            "Remove the file; do not run SSH in containers.",
        ),
        "filesystem.credential-file" => (
            "A file that conventionally holds credentials (`.netrc`, `.npmrc`, `.pypirc`, `.docker/config.json`, cloud CLI credentials, …) is in the image.",
            "Revoke what it holds, rebuild without it, and use build secrets (`RUN --mount=type=secret`) for build-time access.",
        ),
        "filesystem.shell-history" => (
            "A shell or REPL history file is in the image; histories routinely hold passwords and tokens typed on the command line.",
            "Remove the history in the step that created it, and build from a clean context (`.dockerignore`).",
        ),
        "filesystem.git-directory" => (
            "A `.git` directory shipped in the image: full source history, remotes with embedded credentials and unreleased code.",
            "Add `.git` to `.dockerignore`, or copy only build outputs into the final stage.",
        ),
        "filesystem.package-cache" => (
            "Package-manager caches or index lists were left behind: larger images and stale metadata.",
            "Clean in the same step (`rm -rf /var/lib/apt/lists/*`, `apk add --no-cache`, `pip install --no-cache-dir`) or use a cache mount.",
        ),
        "filesystem.sudo-installed" => (
            "`sudo` is installed. Containers should start as the user they need; sudo only widens what a compromised process can do.",
            "Remove sudo and set `USER` to the account the process needs.",
        ),
        "filesystem.sudo-nopasswd" => (
            "A sudoers rule grants `NOPASSWD`, so any process of that user becomes root without a secret.",
            "Remove the rule (and sudo).",
        ),
        "filesystem.uid0-alias" => (
            "An account other than root has UID 0 in /etc/passwd: a second root that audits and `runAsNonRoot` checks by name miss.",
            "Give the account its own UID or remove it.",
        ),
        "filesystem.empty-password" => (
            "An account has an empty password hash in /etc/shadow, so anyone can log in as it (Alpine CVE-2019-5021 shipped root this way).",
            "Lock the account (`passwd -l NAME`, or `!` in the shadow field).",
        ),
        "dockerfile.secret-in-arg-env" => (
            "A Dockerfile `ARG` or `ENV` has a secret-looking name. Build arguments and environment values are recorded in the image history and config for anyone who pulls it.",
            "Pass secrets with `RUN --mount=type=secret,id=…` at build time and through the runtime environment or a secret store when the container runs.",
        ),
        "dockerfile.secret-build-arg" => (
            "The pipeline spec's `build.args` passes a secret-looking value (by its name, or because a secret rule matches it) as a build argument. Build arguments are recorded in the history of every `RUN` that uses them, so the secret ships in the image.",
            "Move it to `build.secrets` (`{id: …, src: FILE}`, passed as `--secret id=…,src=…`) and read it with `RUN --mount=type=secret,id=…`; rotate the value if an image was already built with it.",
        ),
        "dockerfile.from-unpinned" => (
            "A build stage's `FROM` names a tag without a digest, so the same Dockerfile can build from different bases.",
            "Pin by digest: `FROM image:1.2@sha256:…`.",
        ),
        "dockerfile.add-from-url" => (
            "A build stage uses `ADD URL` without `--checksum`; the downloaded bytes are not verified.",
            "Use `ADD --checksum=sha256:… URL`, or download and verify with `sha256sum -c`.",
        ),
        "dockerfile.missing-user" => (
            "The final stage never switches to a non-root `USER`, so the container runs as root.",
            "End the final stage with `USER 10001` (a numeric, unprivileged UID).",
        ),
        _ => return None,
    })
}

/// The catalogue entries of `category`, as people read them: the default profile's
/// severity for the image's own layers (or the strict profile's when the rule is off
/// by default), the cross-references and each profile's setting in the description.
pub fn docs_for(category: Category) -> Vec<RuleDoc> {
    RULES
        .iter()
        .filter(|r| r.category == category)
        .map(doc)
        .collect()
}

fn profile_line(rule: &RuleInfo) -> String {
    let name = |s: Option<Severity>| s.map_or("off", Severity::name);
    [
        ("default", Profile::Default),
        ("strict", Profile::Strict),
        ("docker-standalone", Profile::DockerStandalone),
    ]
    .iter()
    .map(|(label, p)| {
        format!(
            "{label}: {} (base-image layers: {})",
            name(rule.severity(*p, Origin::Own)),
            name(rule.severity(*p, Origin::Base))
        )
    })
    .collect::<Vec<_>>()
    .join("; ")
}

fn doc(rule: &RuleInfo) -> RuleDoc {
    let (why, fix) = help(rule.id).unwrap_or((
        "See the rule's cross-references.",
        "See the rule's cross-references.",
    ));
    let severity = rule
        .severity(Profile::Default, Origin::Own)
        .or_else(|| rule.severity(Profile::Strict, Origin::Own))
        .unwrap_or(Severity::Info);
    let mut description = format!("{why} Severity by profile: {}.", profile_line(rule));
    if let Some(reference) = rule.reference {
        description = format!("{description} See also: {reference}.");
    }
    RuleDoc::new(
        rule.id,
        rule.category,
        severity,
        rule.title,
        &description,
        fix,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalogue_rule_has_help() {
        for r in RULES {
            assert!(help(r.id).is_some(), "{} has no help text", r.id);
        }
        let docs: usize = [Category::Config, Category::Filesystem, Category::Dockerfile]
            .into_iter()
            .map(|c| docs_for(c).len())
            .sum();
        assert_eq!(docs, RULES.len());
    }

    #[test]
    fn descriptions_name_each_profile() {
        let d = docs_for(Category::Config);
        let upgrade = d.iter().find(|r| r.id == "config.package-upgrade").unwrap();
        assert!(
            upgrade.description.contains("default: off")
                && upgrade.description.contains("strict: low"),
            "{}",
            upgrade.description
        );
        assert_eq!(upgrade.severity, Severity::Low);
    }
}
