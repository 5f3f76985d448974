//! Which rules run for one check: the spec's profile and its `disable` lists applied to
//! the [catalogue](super::rule_catalogue). Analyzers ask it for a finding; it answers
//! `None` when the rule is off, so no check needs to know about profiles.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::finding::{Category, Confidence, Finding, Location};
use crate::spec::Pipeline;
use crate::spec::pipeline::Profile;

use super::rule_catalogue::{Origin, rule};

/// The profile and the rules the spec turned off.
#[derive(Debug, Clone, Default)]
pub struct RuleSelection {
    /// The profile.
    pub profile: Profile,
    /// Rule ids turned off.
    pub disabled: BTreeSet<String>,
    /// Rule ids turned on although the profile leaves them off.
    pub enabled: BTreeSet<String>,
}

impl RuleSelection {
    /// The selection a pipeline asks for: its profile, and the `disable`/`enable` lists
    /// of the config (config and Dockerfile rules) and filesystem sections. A disabled
    /// category turns all its rules off; `disable` wins over `enable`.
    pub fn from_pipeline(pipeline: &Pipeline) -> Self {
        let checks = &pipeline.checks;
        let mut disabled: BTreeSet<String> = checks
            .config
            .disable
            .iter()
            .chain(&checks.filesystem.disable)
            .cloned()
            .collect();
        for (settings, category) in [
            (&checks.config, Category::Config),
            (&checks.config, Category::Dockerfile),
            (&checks.filesystem, Category::Filesystem),
        ] {
            if !settings.enabled {
                disabled.extend(
                    super::rule_catalogue::RULES
                        .iter()
                        .filter(|r| r.category == category)
                        .map(|r| r.id.to_owned()),
                );
            }
        }
        let enabled = checks
            .config
            .enable
            .iter()
            .chain(&checks.filesystem.enable)
            .cloned()
            .collect();
        Self {
            profile: checks.profile,
            disabled,
            enabled,
        }
    }

    /// Which rules fire at which severity under this selection, for the ruleset
    /// digest: the profile, then every catalogue rule with its severity for own and
    /// base layers (`-` when off). Changes when the catalogue, the profile or the
    /// spec's `disable`/`enable` lists change.
    pub fn identity(&self) -> String {
        let mut text = format!("profile:{}", self.profile.name());
        for info in super::rule_catalogue::RULES {
            let name = |origin| self.severity(info.id, origin).map_or("-", |s| s.name());
            let _ = write!(
                text,
                ";{}={}/{}",
                info.id,
                name(Origin::Own),
                name(Origin::Base)
            );
        }
        text
    }

    /// A selection for `profile` with nothing disabled.
    pub fn profile(profile: Profile) -> Self {
        Self {
            profile,
            ..Self::default()
        }
    }

    /// Whether `id` can fire for anything (own or base layers).
    pub fn active(&self, id: &str) -> bool {
        self.enabled(id, Origin::Own) || self.enabled(id, Origin::Base)
    }

    /// Whether `id` can fire at all for something of `origin`.
    pub fn enabled(&self, id: &str, origin: Origin) -> bool {
        self.severity(id, origin).is_some()
    }

    /// The severity of `id` for `origin`: the profile's, or for a rule the spec turned
    /// on, the first severity another profile gives it (strict first).
    fn severity(&self, id: &str, origin: Origin) -> Option<crate::finding::Severity> {
        if self.disabled.contains(id) {
            return None;
        }
        let info = rule(id)?;
        info.severity(self.profile, origin).or_else(|| {
            if !self.enabled.contains(id) {
                return None;
            }
            [Profile::Strict, Profile::DockerStandalone, Profile::Default]
                .into_iter()
                .find_map(|p| info.severity(p, origin))
        })
    }

    /// A finding of rule `id`, or `None` when the rule is off for `origin`. The
    /// message says what was expected and what was found; the rule's cross-reference
    /// is appended.
    pub fn finding(
        &self,
        id: &str,
        origin: Origin,
        message: &str,
        location: Location,
    ) -> Option<Finding> {
        let info = rule(id)?;
        let severity = self.severity(id, origin)?;
        let message = match info.reference {
            Some(reference) => format!("{message} [{reference}]"),
            None => message.to_owned(),
        };
        Some(Finding::new(
            id,
            info.category,
            severity,
            info.title,
            message,
            location,
        ))
    }

    /// Like [`Self::finding`] with a confidence below `High` (path-only evidence).
    pub fn finding_with_confidence(
        &self,
        id: &str,
        origin: Origin,
        message: &str,
        location: Location,
        confidence: Confidence,
    ) -> Option<Finding> {
        self.finding(id, origin, message, location)
            .map(|f| f.with_confidence(confidence))
    }
}
