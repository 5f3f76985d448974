//! The filesystem-checks analyzer: what a layer's files let an attacker do — setuid and
//! setgid files, world-writable paths, SSH keys, credential-bearing files found by name
//! (even when no content rule matches), shell history, Git metadata, sudo and
//! passwordless sudoers, package caches left behind. Each layer is attributed to the
//! image's own build or its base, and the profile decides what counts for each.
//! Only sudoers, passwd and shadow files are read, and only their first
//! [`ACCOUNT_FILE_LIMIT`] bytes.

use std::collections::{BTreeMap, BTreeSet};

use crate::analyze::config::{Origin, RuleSelection};
use crate::analyze::{Analyzer, FindingSink, LayerAnalyzer, LayerContext, Want};
use crate::coverage::{CoverageGap, GapKind};
use crate::finding::{Confidence, SourceKind};
use crate::layer::{Entry, EntryKind};

use super::account_files::{AccountFile, empty_passwords, nopasswd_line, uid0_aliases};
use super::path_rules::{classify_file, git_root, is_sudo, package_cache};

/// How much of one account file (sudoers, passwd, shadow) is read.
pub const ACCOUNT_FILE_LIMIT: usize = 256 * 1024;

/// See the module docs.
#[derive(Debug, Default)]
pub struct FilesystemChecks {
    selection: RuleSelection,
}

impl FilesystemChecks {
    /// An analyzer for `selection`.
    pub fn new(selection: RuleSelection) -> Self {
        Self { selection }
    }
}

impl Analyzer for FilesystemChecks {
    fn name(&self) -> &'static str {
        "filesystem-checks"
    }

    fn rules(&self) -> Vec<crate::analyze::RuleDoc> {
        crate::analyze::config::rule_help::docs_for(crate::finding::Category::Filesystem)
    }

    fn checks(&self) -> Vec<crate::analyze::RuleDoc> {
        let mut rules = self.rules();
        rules.retain(|r| self.selection.active(&r.id));
        rules
    }

    fn ruleset_identity(&self) -> String {
        self.selection.identity()
    }

    fn layer<'s>(&'s self, layer: &LayerContext) -> Option<Box<dyn LayerAnalyzer + 's>> {
        Some(Box::new(ChecksLayer {
            selection: &self.selection,
            origin: Origin::of(layer.layer.from_base),
            context: layer.clone(),
            git_roots: BTreeSet::new(),
            caches: BTreeMap::new(),
            sudo_reported: false,
            captured: None,
        }))
    }
}

struct CapturedFile {
    kind: AccountFile,
    path: String,
    content: Vec<u8>,
    truncated: bool,
}

struct ChecksLayer<'s> {
    selection: &'s RuleSelection,
    origin: Origin,
    context: LayerContext,
    git_roots: BTreeSet<String>,
    caches: BTreeMap<&'static str, (u64, u64)>,
    sudo_reported: bool,
    captured: Option<CapturedFile>,
}

impl ChecksLayer<'_> {
    fn report(
        &self,
        sink: &mut FindingSink,
        rule: &str,
        path: &str,
        message: &str,
        confidence: Confidence,
    ) {
        let location = self.context.location(SourceKind::Filesystem, path);
        if let Some(f) =
            self.selection
                .finding_with_confidence(rule, self.origin, message, location, confidence)
        {
            sink.push(f);
        }
    }

    fn layer_word(&self) -> &'static str {
        match self.origin {
            Origin::Own => "the image's own layer",
            Origin::Base => "a base-image layer",
        }
    }
}

impl LayerAnalyzer for ChecksLayer<'_> {
    fn entry(&mut self, entry: &Entry, sink: &mut FindingSink) -> Want {
        let path = entry.path.as_str();
        match entry.kind {
            EntryKind::File => {}
            EntryKind::Directory => {
                if entry.mode & 0o002 != 0 && entry.mode & 0o1000 == 0 {
                    let message = format!(
                        "expected world-writable directories to carry the sticky bit (mode 1777, like /tmp), found mode {:04o} in {}",
                        entry.mode & 0o7777,
                        self.layer_word()
                    );
                    self.report(
                        sink,
                        "filesystem.world-writable-dir",
                        path,
                        &message,
                        Confidence::High,
                    );
                }
                if let Some(root) = git_root(path) {
                    self.git(sink, root);
                }
                return Want::Nothing;
            }
            _ => return Want::Nothing,
        }
        let mode = entry.mode & 0o7777;
        if entry.mode & 0o6000 != 0 {
            let bits = match (entry.mode & 0o4000 != 0, entry.mode & 0o2000 != 0) {
                (true, true) => "setuid and setgid",
                (true, false) => "setuid",
                _ => "setgid",
            };
            let message = format!(
                "expected no new privilege-raising files, found a {bits} file (mode {mode:04o}, owner {}:{}) in {}",
                entry.uid,
                entry.gid,
                self.layer_word()
            );
            self.report(sink, "filesystem.setuid", path, &message, Confidence::High);
        }
        if entry.mode & 0o002 != 0 {
            let message = format!(
                "expected files writable only by their owner, found a world-writable file (mode {mode:04o})"
            );
            self.report(
                sink,
                "filesystem.world-writable-file",
                path,
                &message,
                Confidence::High,
            );
        }
        if let Some(root) = git_root(path) {
            self.git(sink, root);
        }
        if let Some(cache) = package_cache(path) {
            let slot = self.caches.entry(cache).or_default();
            slot.0 += 1;
            slot.1 = slot.1.saturating_add(entry.size);
        }
        if is_sudo(path) && !self.sudo_reported {
            self.sudo_reported = true;
            let message = format!(
                "expected no sudo in a container image (switch users at build time with `USER`), found {path}"
            );
            self.report(
                sink,
                "filesystem.sudo-installed",
                path,
                &message,
                Confidence::High,
            );
        }
        if entry.size > 0
            && let Some(m) = classify_file(path)
        {
            let message = format!(
                "expected no credentials or key material in the image, found {} by its path ({} bytes; content is checked by the secret rules)",
                m.what, entry.size
            );
            self.report(sink, m.rule, path, &message, Confidence::Medium);
        }
        if let Some(kind) = AccountFile::of(path)
            && self.selection.enabled(kind.rule(), self.origin)
        {
            self.captured = Some(CapturedFile {
                kind,
                path: path.to_owned(),
                content: Vec::new(),
                truncated: false,
            });
            return Want::Content;
        }
        Want::Nothing
    }

    fn content(&mut self, chunk: &[u8], _sink: &mut FindingSink) {
        if let Some(file) = &mut self.captured {
            let room = ACCOUNT_FILE_LIMIT.saturating_sub(file.content.len());
            if chunk.len() > room {
                file.truncated = true;
            }
            file.content
                .extend_from_slice(chunk.get(..room.min(chunk.len())).unwrap_or(&[]));
        }
    }

    fn end_entry(&mut self, sink: &mut FindingSink) {
        let Some(file) = self.captured.take() else {
            return;
        };
        if file.truncated {
            sink.gap(CoverageGap::new(
                GapKind::ContentSkipped,
                format!(
                    "{} is larger than {ACCOUNT_FILE_LIMIT} bytes; only its start was checked",
                    file.path
                ),
            ));
        }
        let text = String::from_utf8_lossy(&file.content);
        let hits: Vec<(usize, String)> = match file.kind {
            AccountFile::Sudoers => nopasswd_line(&text)
                .map(|n| (n, format!("a NOPASSWD rule at line {n}: any process running as that user becomes root")))
                .into_iter()
                .collect(),
            AccountFile::Passwd => uid0_aliases(&text)
                .into_iter()
                .map(|(n, name)| (n, format!("account `{name}` with UID 0 at line {n}: a second root")))
                .collect(),
            AccountFile::Shadow => empty_passwords(&text)
                .into_iter()
                .map(|(n, name)| (n, format!("account `{name}` with an empty password field at line {n}: anyone can log in or `su` to it")))
                .collect(),
        };
        let expected = match file.kind {
            AccountFile::Sudoers => "sudo to ask for a password (or no sudo at all)",
            AccountFile::Passwd => "root to be the only UID 0 account",
            AccountFile::Shadow => "every account locked (`!` or `*`) or with a password",
        };
        for (n, found) in hits {
            let message = format!("expected {expected}, found {found}");
            let mut location = self.context.location(SourceKind::File, &file.path);
            location.line = u64::try_from(n).ok();
            if let Some(f) =
                self.selection
                    .finding(file.kind.rule(), self.origin, &message, location)
            {
                sink.push(f);
            }
        }
    }

    fn finish(&mut self, sink: &mut FindingSink) {
        for (root, (files, bytes)) in std::mem::take(&mut self.caches) {
            let message = format!(
                "expected package caches and lists removed in the step that fills them, found {files} file(s), {bytes} bytes"
            );
            self.report(
                sink,
                "filesystem.package-cache",
                root,
                &message,
                Confidence::High,
            );
        }
    }
}

impl ChecksLayer<'_> {
    fn git(&mut self, sink: &mut FindingSink, root: &str) {
        if self.git_roots.insert(root.to_owned()) {
            let message = "expected no version-control metadata in the image (add `.git` to .dockerignore), found a .git directory: its history can hold removed secrets";
            self.report(
                sink,
                "filesystem.git-directory",
                root,
                message,
                Confidence::High,
            );
        }
    }
}
