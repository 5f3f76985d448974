//! Loading and compiling rule packs: YAML text → checked, compiled [`Rule`]s.
//! Every error names the pack and the rule's line so a user can fix their own pack.

use std::collections::HashSet;

use regex::bytes::RegexBuilder;
use sha2::{Digest as _, Sha256};

use super::builtin;
use super::rule::{MAX_WINDOW, Rule, RulePackSpec, RuleSpec};

/// Shortest keyword the prefilter accepts; shorter ones would flood it with hits.
pub const MIN_KEYWORD_LEN: usize = 3;

/// Upper bound on one compiled regex, so a hostile pack cannot exhaust memory.
const REGEX_SIZE_LIMIT: usize = 4 * 1024 * 1024;

/// A problem with a rule pack.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum RuleError {
    /// The pack file could not be read.
    #[error("failed to read rule pack {path}")]
    #[diagnostic(
        code(imgguard::rules::read),
        help("check the path and its permissions")
    )]
    Read {
        /// Path of the pack.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The YAML did not match the rule model.
    #[error("failed to parse rule pack {origin} at line {line}, column {column}: {message}")]
    #[diagnostic(
        code(imgguard::rules::parse),
        help(
            "each rule needs id, title, provider, kind, long_lived, severity, confidence, keywords, pattern, fp_guard and examples; unknown keys are errors"
        )
    )]
    Parse {
        /// Pack name or path.
        origin: String,
        /// 1-based line (0 when unknown).
        line: u64,
        /// 1-based column (0 when unknown).
        column: u64,
        /// Parser message.
        message: String,
    },
    /// The pattern did not compile.
    #[error("rule {id} in {origin} (line {line}) has an invalid pattern: {message}")]
    #[diagnostic(
        code(imgguard::rules::pattern),
        help("patterns are regex::bytes syntax with unicode off; no look-around")
    )]
    Pattern {
        /// Rule id.
        id: String,
        /// Pack name.
        origin: String,
        /// Line of the rule.
        line: u64,
        /// Compiler message.
        message: String,
    },
    /// The rule is structurally wrong (captures, keywords, window, duplicates...).
    #[error("rule {id} in {origin} (line {line}) is invalid: {problem}")]
    #[diagnostic(
        code(imgguard::rules::invalid),
        help(
            "a rule has exactly one capture group, keywords of at least 3 bytes, a window of at most 64 KiB, at least one example, and a unique id starting with `secret.`"
        )
    )]
    Invalid {
        /// Rule id.
        id: String,
        /// Pack name.
        origin: String,
        /// Line of the rule.
        line: u64,
        /// What is wrong.
        problem: String,
    },
}

/// An ordered, validated collection of compiled rules.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    rules: Vec<Rule>,
    /// `(origin, sha256 of the YAML text)` of every pack added, in order.
    sources: Vec<(String, [u8; 32])>,
}

impl RuleSet {
    /// The built-in rules compiled into the binary.
    pub fn builtin() -> Result<Self, RuleError> {
        Self::from_packs(builtin::PACKS)
    }

    /// Parse and compile `(origin, yaml)` packs in order (ids unique across them).
    pub fn from_packs(packs: &[(&str, &str)]) -> Result<Self, RuleError> {
        let mut set = Self::default();
        for (name, text) in packs {
            set.add_pack(name, text)?;
        }
        Ok(set)
    }

    /// Parse and compile one pack from YAML text.
    pub fn from_yaml(origin: &str, text: &str) -> Result<Self, RuleError> {
        let mut set = Self::default();
        set.add_pack(origin, text)?;
        Ok(set)
    }

    /// Read, parse and compile one pack file (a user's own rules).
    pub fn from_file(path: &std::path::Path) -> Result<Self, RuleError> {
        let text = fs_err::read_to_string(path).map_err(|source| RuleError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_yaml(&path.display().to_string(), &text)
    }

    /// Add the rules of one pack; ids must stay unique across packs.
    pub fn add_pack(&mut self, origin: &str, text: &str) -> Result<(), RuleError> {
        let spec: RulePackSpec = serde_saphyr::from_str(text).map_err(|err| {
            let (line, column) = err
                .location()
                .map_or((0, 0), |loc| (loc.line(), loc.column()));
            RuleError::Parse {
                origin: origin.to_owned(),
                line,
                column,
                message: err.to_string(),
            }
        })?;
        let mut seen: HashSet<String> = self.rules.iter().map(|r| r.id.clone()).collect();
        for rule_spec in spec.rules {
            let rule = compile(origin, rule_spec)?;
            if !seen.insert(rule.id.clone()) {
                return Err(invalid(&rule.id, origin, rule.line, "duplicate rule id"));
            }
            self.rules.push(rule);
        }
        self.sources
            .push((origin.to_owned(), Sha256::digest(text.as_bytes()).into()));
        Ok(())
    }

    /// Drop the rules whose id is in `ids` (a spec's `disable` list).
    pub fn remove(&mut self, ids: &[String]) {
        self.rules.retain(|r| !ids.contains(&r.id));
    }

    /// A SHA-256 over the text of every pack added and the ids of the rules kept, so
    /// any change to a rule pack, or to which of its rules run, changes it.
    pub fn content_digest(&self) -> [u8; 32] {
        let mut hasher = Sha256::new();
        for (origin, digest) in &self.sources {
            hasher.update(origin.as_bytes());
            hasher.update(b"\0");
            hasher.update(digest);
        }
        for rule in &self.rules {
            hasher.update(b"\0rule\0");
            hasher.update(rule.id.as_bytes());
            hasher.update(b"\0");
            hasher.update(rule.pattern.as_bytes());
        }
        hasher.finalize().into()
    }

    /// Append the rules of another set; ids must stay unique.
    pub fn extend(&mut self, other: &RuleSet) -> Result<(), RuleError> {
        for rule in &other.rules {
            if self.rules.iter().any(|r| r.id == rule.id) {
                return Err(invalid(
                    &rule.id,
                    &rule.origin,
                    rule.line,
                    "duplicate rule id",
                ));
            }
            self.rules.push(rule.clone());
        }
        self.sources.extend(other.sources.iter().cloned());
        Ok(())
    }

    /// A set made of already compiled rules (used to check one rule alone).
    pub fn from_rules(rules: Vec<Rule>) -> Self {
        Self {
            rules,
            sources: Vec::new(),
        }
    }

    /// The rules in load order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Number of rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether there are no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

fn invalid(id: &str, origin: &str, line: u64, problem: &str) -> RuleError {
    RuleError::Invalid {
        id: id.to_owned(),
        origin: origin.to_owned(),
        line,
        problem: problem.to_owned(),
    }
}

fn compile(origin: &str, spec: RuleSpec) -> Result<Rule, RuleError> {
    let line = spec.id.referenced.line();
    let id = spec.id.value;
    let bad = |problem: &str| invalid(&id, origin, line, problem);
    if !id.starts_with("secret.")
        || !id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
    {
        return Err(bad(
            "id must start with `secret.` and use lowercase letters, digits, `-` and `.`",
        ));
    }
    if spec.keywords.is_empty() {
        return Err(bad("at least one keyword is required"));
    }
    if let Some(short) = spec.keywords.iter().find(|k| k.len() < MIN_KEYWORD_LEN) {
        return Err(bad(&format!(
            "keyword {short:?} is shorter than {MIN_KEYWORD_LEN} bytes"
        )));
    }
    if spec.examples.is_empty() {
        return Err(bad("at least one example is required"));
    }
    if spec.fp_guard.trim().is_empty() {
        return Err(bad(
            "fp_guard must explain why the rule does not false-alarm",
        ));
    }
    if spec
        .window
        .is_some_and(|w| w.before > MAX_WINDOW || w.after > MAX_WINDOW)
    {
        return Err(bad("window before/after must be at most 65536 bytes"));
    }
    if spec.entropy.is_some_and(|f| !(0.0..=8.0).contains(&f)) {
        return Err(bad("entropy floor must be between 0 and 8 bits per byte"));
    }
    let regex = RegexBuilder::new(&spec.pattern)
        .unicode(false)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|err| RuleError::Pattern {
            id: id.clone(),
            origin: origin.to_owned(),
            line,
            message: err.to_string(),
        })?;
    if regex.captures_len() != 2 {
        return Err(bad(&format!(
            "pattern must have exactly one capture group, found {}",
            regex.captures_len().saturating_sub(1)
        )));
    }
    if spec.requires_within.is_some() && spec.requires.as_deref().is_none_or(str::is_empty) {
        return Err(bad("requires_within needs a requires literal"));
    }
    Ok(Rule {
        id,
        title: spec.title,
        provider: spec.provider,
        kind: spec.kind,
        long_lived: spec.long_lived,
        severity: spec.severity,
        confidence: spec.confidence,
        keywords: spec.keywords,
        pattern: spec.pattern,
        entropy: spec.entropy,
        validator: spec.validator,
        value_check: spec.value_check,
        window: spec.window,
        requires: spec.requires.filter(|r| !r.is_empty()),
        requires_within: spec.requires_within,
        fp_guard: spec.fp_guard,
        examples: spec.examples,
        negative_examples: spec.negative_examples,
        origin: origin.to_owned(),
        line,
        regex,
    })
}
