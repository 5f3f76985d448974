//! The image-config analyzer: what the image is configured to do (user, ports, volumes,
//! healthcheck, ONBUILD), where its base came from, and what its build history ran
//! (`ADD` of a URL, whole-system upgrades). Runs once per platform before the layers.
//! Secrets in ENV and labels are the secret analyzer's: nothing here reads values.
//! With a Dockerfile, every finding names the line that caused it.

use std::sync::Arc;

use crate::analyze::dockerfile::Dockerfile;
use crate::analyze::{Analyzer, FindingSink, ImageContext};
use crate::finding::{Finding, Location, SourceKind};
use crate::oci::ImageConfig;

use super::base_image::{BASE_DIGEST, BASE_NAME, Pinning, pinning};
use super::history_instruction::HistoryInstruction;
use super::package_upgrade::whole_system_upgrade;
use super::rule_catalogue::Origin;
use super::rule_selection::RuleSelection;

/// Ports whose service gives a shell or control of a host: SSH, telnet, the r-services,
/// the Docker API, RDP, VNC, WinRM.
const REMOTE_ACCESS_PORTS: &[(u16, &str)] = &[
    (22, "SSH"),
    (23, "telnet"),
    (512, "rexec"),
    (513, "rlogin"),
    (514, "rsh"),
    (2375, "the unauthenticated Docker API"),
    (2376, "the Docker API"),
    (3389, "RDP"),
    (5900, "VNC"),
    (5901, "VNC"),
    (5902, "VNC"),
    (5903, "VNC"),
    (5985, "WinRM"),
    (5986, "WinRM"),
];

const DOCKER_SOCKETS: &[&str] = &["/var/run/docker.sock", "/run/docker.sock"];

const SENSITIVE_VOLUMES: &[&str] = &[
    "/", "/etc", "/root", "/proc", "/sys", "/dev", "/boot", "/run", "/var/run", "/usr", "/bin",
    "/sbin", "/lib",
];

/// See the module docs.
#[derive(Debug, Default)]
pub struct ConfigAnalyzer {
    selection: RuleSelection,
    dockerfile: Option<Arc<Dockerfile>>,
}

impl ConfigAnalyzer {
    /// An analyzer for `selection`, mapping findings to `dockerfile` when one is given.
    pub fn new(selection: RuleSelection, dockerfile: Option<Arc<Dockerfile>>) -> Self {
        Self {
            selection,
            dockerfile,
        }
    }
}

impl Analyzer for ConfigAnalyzer {
    fn name(&self) -> &'static str {
        "config"
    }

    fn rules(&self) -> Vec<crate::analyze::RuleDoc> {
        let mut rules = super::rule_help::docs_for(crate::finding::Category::Config);
        rules.extend(super::rule_help::docs_for(
            crate::finding::Category::Dockerfile,
        ));
        rules
    }

    fn checks(&self) -> Vec<crate::analyze::RuleDoc> {
        let mut rules = super::rule_help::docs_for(crate::finding::Category::Config);
        // Dockerfile rules read the Dockerfile: without one they did not run.
        if self.dockerfile.is_some() {
            rules.extend(super::rule_help::docs_for(
                crate::finding::Category::Dockerfile,
            ));
        }
        rules.retain(|r| self.selection.active(&r.id));
        rules
    }

    fn ruleset_identity(&self) -> String {
        self.selection.identity()
    }

    fn check_config(&self, image: &ImageContext<'_>, sink: &mut FindingSink) {
        let origins = history_origins(image);
        let lines = self
            .dockerfile
            .as_deref()
            .map(|d| d.map_history(&image.config.history, &origins));
        let run = Run {
            image,
            selection: &self.selection,
            dockerfile: self.dockerfile.as_deref(),
            origins: &origins,
            lines: lines.as_deref(),
        };
        run.root_user(sink);
        run.ports(sink);
        run.base_image(sink);
        run.history(sink);
        run.volumes(sink);
        run.healthcheck(sink);
        run.onbuild(sink);
        if let Some(dockerfile) = self.dockerfile.as_deref() {
            let covered: Vec<Finding> = sink.findings.clone();
            for finding in dockerfile.lint(&self.selection) {
                if !covered_by_image(&finding, &covered) {
                    sink.push(finding);
                }
            }
        }
    }
}

/// A Dockerfile lint finding is dropped when an image finding already reports the same
/// problem at the same line (the image is the stronger evidence).
fn covered_by_image(lint: &Finding, image_findings: &[Finding]) -> bool {
    let counterpart = match lint.rule.as_str() {
        "dockerfile.missing-user" => ["config.root-user", ""],
        "dockerfile.from-unpinned" => ["config.base-latest", "config.base-unpinned"],
        "dockerfile.add-from-url" => ["config.add-from-url", ""],
        _ => return false,
    };
    let lint_line = lint.location.dockerfile.as_ref().map(|d| d.line);
    image_findings.iter().any(|f| {
        counterpart.contains(&f.rule.as_str())
            && f.location.dockerfile.as_ref().map(|d| d.line) == lint_line
    })
}

struct Run<'a> {
    image: &'a ImageContext<'a>,
    selection: &'a RuleSelection,
    dockerfile: Option<&'a Dockerfile>,
    origins: &'a [Origin],
    lines: Option<&'a [Option<u64>]>,
}

impl Run<'_> {
    fn config(&self) -> &ImageConfig {
        self.image.config
    }

    fn emit(
        &self,
        sink: &mut FindingSink,
        id: &str,
        origin: Origin,
        message: &str,
        mut location: Location,
        line: Option<u64>,
    ) {
        if let (Some(d), Some(line)) = (self.dockerfile, line) {
            location.dockerfile = Some(d.location(line));
        }
        if let Some(f) = self.selection.finding(id, origin, message, location) {
            sink.push(f);
        }
    }

    /// The Dockerfile line of the last own history entry whose keyword is `keyword`.
    fn line_of_last(&self, keyword: &str) -> Option<u64> {
        let lines = self.lines?;
        self.config()
            .history
            .iter()
            .zip(lines)
            .zip(self.origins)
            .rev()
            .filter(|(_, origin)| **origin == Origin::Own)
            .find_map(|((h, line), _)| {
                let i = HistoryInstruction::parse(h.created_by.as_deref()?)?;
                (i.keyword == keyword).then_some(*line).flatten()
            })
    }

    fn root_user(&self, sink: &mut FindingSink) {
        let user = self.config().config.user.as_deref().unwrap_or("").trim();
        let Some(found) = root_user(user) else {
            return;
        };
        let line = self
            .line_of_last("USER")
            .or_else(|| self.dockerfile.and_then(Dockerfile::final_from_line));
        let location = self.image.location(SourceKind::User).with_path("User");
        self.emit(
            sink,
            "config.root-user",
            Origin::Own,
            &format!("expected a non-root USER (a numeric UID other than 0, e.g. `USER 10001`), found {found}"),
            location,
            line,
        );
    }

    fn ports(&self, sink: &mut FindingSink) {
        for key in self.config().config.exposed_ports.keys() {
            let port = key.split('/').next().unwrap_or(key);
            let Ok(number) = port.trim().parse::<u16>() else {
                continue;
            };
            let Some((_, service)) = REMOTE_ACCESS_PORTS.iter().find(|(p, _)| *p == number) else {
                continue;
            };
            let location = self
                .image
                .location(SourceKind::Expose)
                .with_path(key.clone());
            self.emit(
                sink,
                "config.remote-access-port",
                Origin::Own,
                &format!("expected no remote-access service in an application image, found `EXPOSE {}` ({service}); use `kubectl exec`/`docker exec` for access", shown(key)),
                location,
                self.line_of_last("EXPOSE"),
            );
        }
    }

    fn base_image(&self, sink: &mut FindingSink) {
        let manifest = &self.image.manifest.annotations;
        let labels = &self.config().config.labels;
        let recorded = manifest
            .get(BASE_NAME)
            .map(|n| (n.as_str(), "annotation"))
            .or_else(|| labels.get(BASE_NAME).map(|n| (n.as_str(), "label")));
        let from_line = self.dockerfile.and_then(Dockerfile::final_from_line);
        let (reference, source, location) = match recorded {
            Some((name, kind)) => {
                let source = if kind == "annotation" {
                    SourceKind::Metadata
                } else {
                    SourceKind::Label
                };
                (
                    name.to_owned(),
                    format!("the {kind} {BASE_NAME}"),
                    self.image.location(source).with_path(BASE_NAME),
                )
            }
            None => match self.dockerfile.and_then(Dockerfile::final_base) {
                Some(base) => (
                    base,
                    "the Dockerfile's final FROM".to_owned(),
                    self.image
                        .location(SourceKind::Dockerfile)
                        .with_path("FROM"),
                ),
                None => return,
            },
        };
        let recorded_digest = manifest
            .get(BASE_DIGEST)
            .map(|d| format!("; the build recorded {d}, pin that"))
            .unwrap_or_default();
        let id = match pinning(&reference) {
            Pinning::Digest | Pinning::NotApplicable => return,
            Pinning::Latest => "config.base-latest",
            Pinning::Tag(_) => "config.base-unpinned",
        };
        self.emit(
            sink,
            id,
            Origin::Own,
            &format!("expected the base image pinned by digest (`name:tag@sha256:…`), found `{}` in {source}{recorded_digest}", shown(&reference)),
            location,
            from_line,
        );
    }

    fn history(&self, sink: &mut FindingSink) {
        let history = &self.config().history;
        let mut layer = 0usize;
        for (index, entry) in history.iter().enumerate() {
            let layer_ref = (!entry.empty_layer)
                .then(|| self.image.layers.get(layer))
                .flatten();
            if !entry.empty_layer {
                layer += 1;
            }
            let Some(instruction) = entry
                .created_by
                .as_deref()
                .and_then(HistoryInstruction::parse)
            else {
                continue;
            };
            let origin = self.origins.get(index).copied().unwrap_or(Origin::Own);
            let line = self.lines.and_then(|l| l.get(index).copied().flatten());
            let mut location = self
                .image
                .location(SourceKind::History)
                .with_path(format!("history[{index}]"));
            location.layer = layer_ref.cloned();
            match instruction.keyword.as_str() {
                "ADD" => {
                    if let Some(url) = unverified_url(&instruction.body) {
                        self.emit(
                            sink,
                            "config.add-from-url",
                            origin,
                            &format!("expected remote files fetched with a checksum (`ADD --checksum=sha256:…` or a verified download), found `ADD` of {url}"),
                            location,
                            line,
                        );
                    }
                }
                "RUN" => {
                    if let Some(command) = whole_system_upgrade(&instruction.body) {
                        self.emit(
                            sink,
                            "config.package-upgrade",
                            origin,
                            &format!("expected a patched, pinned base image instead of upgrading in place, found `{command}`"),
                            location,
                            line,
                        );
                    }
                }
                _ => {}
            }
        }
    }

    fn volumes(&self, sink: &mut FindingSink) {
        for volume in self.config().config.volumes.keys() {
            let normalised = crate::layer::entry::normalise(volume).path;
            let id = if DOCKER_SOCKETS.contains(&normalised.as_str()) {
                "config.docker-socket-volume"
            } else if SENSITIVE_VOLUMES.contains(&normalised.as_str()) {
                "config.sensitive-volume"
            } else {
                continue;
            };
            let location = self
                .image
                .location(SourceKind::Volume)
                .with_path(volume.clone());
            self.emit(
                sink,
                id,
                Origin::Own,
                &format!("expected volumes only for application data, found `VOLUME {normalised}`"),
                location,
                self.line_of_last("VOLUME"),
            );
        }
    }

    fn healthcheck(&self, sink: &mut FindingSink) {
        let test = self
            .config()
            .config
            .healthcheck
            .as_ref()
            .map(|h| h.test.as_slice())
            .unwrap_or_default();
        let found = match test.first().map(String::as_str) {
            None => "no HEALTHCHECK",
            Some("NONE") => "`HEALTHCHECK NONE`",
            Some(_) => return,
        };
        let location = self
            .image
            .location(SourceKind::Healthcheck)
            .with_path("Healthcheck");
        self.emit(
            sink,
            "config.healthcheck-missing",
            Origin::Own,
            &format!("expected a HEALTHCHECK so a standalone Docker engine can restart a hung container, found {found}"),
            location,
            self.dockerfile.and_then(Dockerfile::final_from_line),
        );
    }

    fn onbuild(&self, sink: &mut FindingSink) {
        let triggers = &self.config().config.on_build;
        if triggers.is_empty() {
            return;
        }
        let keywords: Vec<String> = triggers
            .iter()
            .filter_map(|t| t.split_whitespace().next())
            .map(|k| shown(&k.to_ascii_uppercase()))
            .collect();
        let location = self
            .image
            .location(SourceKind::Metadata)
            .with_path("OnBuild");
        self.emit(
            sink,
            "config.onbuild",
            Origin::Own,
            &format!(
                "expected a deployable image without build triggers, found {} ONBUILD trigger(s) ({}) that run in every image built FROM it",
                triggers.len(),
                keywords.join(", ")
            ),
            location,
            self.line_of_last("ONBUILD"),
        );
    }
}

/// How a `USER` value makes the container run as root, or `None` when it does not.
/// A numeric UID 0 is root whatever the group (`0:1000`); a name is root only when it
/// is `root` (other names are resolved by the runtime against `/etc/passwd`).
pub fn root_user(user: &str) -> Option<String> {
    if user.is_empty() {
        return Some("no USER (the runtime defaults to root)".to_owned());
    }
    let name = user.split(':').next().unwrap_or(user).trim();
    let is_root = name == "root"
        || (!name.is_empty()
            && name.bytes().all(|b| b.is_ascii_digit())
            && name.bytes().all(|b| b == b'0'));
    is_root.then(|| format!("`USER {}`", shown(user)))
}

/// A config value as a message may show it: image references, user names and port
/// keys are plain words; anything else (a hostile config could put a secret anywhere)
/// is replaced by its length.
fn shown(value: &str) -> String {
    let plain = value.len() <= 256
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-/:@+".contains(&b));
    if plain {
        value.to_owned()
    } else {
        format!("<{} bytes not shown>", value.len())
    }
}

/// The scheme and host of the first URL source of an `ADD` body without `--checksum`.
pub fn unverified_url(body: &str) -> Option<String> {
    let words: Vec<&str> = body.split_whitespace().collect();
    if words.iter().any(|w| w.starts_with("--checksum=")) {
        return None;
    }
    let sources: Vec<&str> = words
        .iter()
        .copied()
        .filter(|w| !w.starts_with("--"))
        .collect();
    let (_, sources) = sources.split_last()?;
    sources.iter().find_map(|s| {
        let s = s.trim_matches(|c| c == '"' || c == '\'' || c == '[' || c == ']' || c == ',');
        // scp-style Git sources (`git@github.com:org/repo.git`) have no scheme.
        if let Some(rest) = s.strip_prefix("git@") {
            let host = rest.split(':').next().unwrap_or("");
            return Some(format!("git@{}:…", shown(host)));
        }
        let (scheme, rest) = s.split_once("://")?;
        if !matches!(scheme, "http" | "https" | "git" | "ftp") {
            return None;
        }
        // Only scheme and host: paths and credentials in URLs are not shown.
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        let host = host.rsplit('@').next().unwrap_or(host);
        Some(format!("{scheme}://{}/…", shown(host)))
    })
}

/// Own or base, per history entry. The base image's history ends with its `CMD` or
/// `ENTRYPOINT`; the entries after the one before the first own layer are the image's.
pub fn history_origins(image: &ImageContext<'_>) -> Vec<Origin> {
    let history = &image.config.history;
    let mut origins = vec![Origin::Own; history.len()];
    let layer_entries: Vec<usize> = history
        .iter()
        .enumerate()
        .filter(|(_, h)| !h.empty_layer)
        .map(|(i, _)| i)
        .collect();
    if layer_entries.len() != image.layers.len() {
        return origins;
    }
    let Some(first_own) = image
        .layers
        .iter()
        .position(|l| l.from_base == Some(false))
        .and_then(|l| layer_entries.get(l).copied())
    else {
        return origins;
    };
    if first_own == 0 || image.layers.first().and_then(|l| l.from_base) != Some(true) {
        return origins;
    }
    let is_base_end = |h: &crate::oci::config::HistoryEntry| {
        h.created_by
            .as_deref()
            .and_then(HistoryInstruction::parse)
            .is_some_and(|i| i.keyword == "CMD" || i.keyword == "ENTRYPOINT")
    };
    let mut boundary = first_own;
    while boundary > 0 {
        let Some(previous) = history.get(boundary - 1) else {
            break;
        };
        if !previous.empty_layer || is_base_end(previous) {
            break;
        }
        boundary -= 1;
    }
    for origin in origins.iter_mut().take(boundary) {
        *origin = Origin::Base;
    }
    origins
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_user_forms() {
        for root in [
            "",
            "root",
            "0",
            "0:0",
            "root:root",
            "0:1000",
            "00",
            "root:staff",
        ] {
            assert!(root_user(root).is_some(), "{root}");
        }
        for not_root in ["1000", "app", "10001:0", "nobody", "app:root", "1000:1000"] {
            assert!(root_user(not_root).is_none(), "{not_root}");
        }
    }

    #[test]
    fn only_plain_values_are_shown() {
        assert_eq!(
            shown("docker.io/library/ubuntu:latest"),
            "docker.io/library/ubuntu:latest"
        );
        assert_eq!(shown("0:1000"), "0:1000");
        assert_eq!(shown("0:pass word=x"), "<13 bytes not shown>");
    }

    #[test]
    fn add_url_needs_a_url_and_no_checksum() {
        assert_eq!(
            unverified_url("https://user:tok@example.com/a.tgz?x=1 /opt/").as_deref(),
            Some("https://example.com/…")
        );
        assert_eq!(
            unverified_url("--chown=1:1 http://e.example/x /x").as_deref(),
            Some("http://e.example/…")
        );
        assert_eq!(
            unverified_url("--checksum=sha256:00 https://e.example/x /x"),
            None
        );
        assert_eq!(unverified_url("file:abc in /"), None);
        assert_eq!(
            unverified_url("git@github.com:acme/app.git /src").as_deref(),
            Some("git@github.com:…")
        );
        assert_eq!(unverified_url("app.tar.gz /app"), None);
    }
}
