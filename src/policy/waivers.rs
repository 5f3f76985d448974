//! Applying waivers: a finding matched by a waiver that has not expired is marked
//! `waived` (it stays in the report and is counted); a waiver past its `expires` date
//! stops applying and is reported as expired, with the findings it would have matched.

use globset::{GlobBuilder, GlobMatcher};
use schemars::JsonSchema;
use serde::Serialize;

use crate::finding::{Finding, Waived};
use crate::spec::date::Date;
use crate::spec::{Waiver, WaiverFile};

/// How one waiver was used in a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct WaiverUse {
    /// The waiver's id (or `#N`, its position in the file).
    pub id: String,
    /// Its reason.
    pub reason: String,
    /// Its owner.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Its expiry date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// Findings it waived (or, when expired, would have waived).
    pub matched: usize,
}

/// What the waivers did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct WaiverOutcome {
    /// Waivers in force that matched at least one finding.
    pub applied: Vec<WaiverUse>,
    /// Waivers past their expiry date (they no longer apply).
    pub expired: Vec<WaiverUse>,
    /// Waivers in force that matched nothing (candidates for removal).
    pub unused: Vec<WaiverUse>,
}

struct Compiled<'a> {
    waiver: &'a Waiver,
    glob: Option<GlobMatcher>,
}

impl Compiled<'_> {
    fn matches(&self, finding: &Finding) -> bool {
        let w = self.waiver;
        if let Some(fp) = &w.fingerprint
            && !fp.eq_ignore_ascii_case(&finding.fingerprint)
        {
            return false;
        }
        if let Some(rule) = &w.rule
            && rule != &finding.rule
        {
            return false;
        }
        if let Some(glob) = &self.glob {
            let path = finding.location.path.as_deref().unwrap_or("");
            if !glob.is_match(path.trim_start_matches('/')) {
                return false;
            }
        }
        let layer = finding.location.layer.as_ref();
        if let Some(digest) = &w.layer {
            let in_layer = layer.is_some_and(|l| {
                l.digest.to_string() == *digest
                    || l.diff_id.as_ref().is_some_and(|d| d.to_string() == *digest)
            });
            if !in_layer {
                return false;
            }
        }
        // Unknown attribution never counts as base: a waiver scoped to the base image
        // must not silence the image's own layers.
        if w.base_image_only && layer.is_none_or(|l| l.from_base != Some(true)) {
            return false;
        }
        true
    }
}

fn usage(waiver: &Waiver, position: usize, matched: usize) -> WaiverUse {
    WaiverUse {
        id: waiver.display_id(position),
        reason: waiver.reason.clone(),
        owner: waiver.owner.clone(),
        expires: waiver.expires.clone(),
        matched,
    }
}

/// Mark the findings `file` waives as of `today`. A finding already waived keeps its
/// first waiver.
pub fn apply_waivers(file: &WaiverFile, today: Date, findings: &mut [Finding]) -> WaiverOutcome {
    let compiled: Vec<Compiled<'_>> = file
        .waivers
        .iter()
        .map(|waiver| Compiled {
            waiver,
            glob: waiver.path.as_deref().and_then(|p| {
                GlobBuilder::new(p.trim_start_matches('/'))
                    .literal_separator(true)
                    .build()
                    .ok()
                    .map(|g| g.compile_matcher())
            }),
        })
        .collect();
    let mut counts = vec![0usize; compiled.len()];
    for finding in findings.iter_mut() {
        for (c, count) in compiled.iter().zip(counts.iter_mut()) {
            if !c.matches(finding) {
                continue;
            }
            *count += 1;
            let expired = c.waiver.expiry().is_some_and(|d| today >= d);
            if !expired && finding.waived.is_none() {
                finding.waived = Some(Waived {
                    reason: c.waiver.reason.clone(),
                    owner: c.waiver.owner.clone(),
                    expires: c.waiver.expires.clone(),
                });
            }
        }
    }
    let mut outcome = WaiverOutcome::default();
    for (position, (c, &matched)) in compiled.iter().zip(&counts).enumerate() {
        let entry = usage(c.waiver, position, matched);
        if c.waiver.expiry().is_some_and(|d| today >= d) {
            outcome.expired.push(entry);
        } else if matched > 0 {
            outcome.applied.push(entry);
        } else {
            outcome.unused.push(entry);
        }
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Category, LayerRef, Location, Severity, SourceKind};
    use crate::spec::parse_waivers;

    fn finding(path: &str, from_base: Option<bool>) -> Finding {
        let mut loc = Location::new(SourceKind::File).with_path(path);
        loc.layer = Some(LayerRef {
            index: 0,
            digest: format!("sha256:{}", "a".repeat(64)).parse().unwrap(),
            diff_id: None,
            created_by: None,
            from_base,
        });
        Finding::new("secret.x", Category::Secret, Severity::High, "t", "m", loc)
    }

    fn waivers(body: &str) -> WaiverFile {
        parse_waivers(
            &format!("apiVersion: imgguard.dev/v1\nkind: Waivers\nwaivers:\n{body}"),
            "w.yaml",
            false,
        )
        .unwrap()
    }

    #[test]
    fn rule_and_glob_scope_the_waiver() {
        let file = waivers("  - {rule: secret.x, path: /opt/*/conf, reason: vendor}\n");
        let mut f = vec![
            finding("/opt/a/conf", None),
            finding("/opt/a/b/conf", None),
            finding("/etc/conf", None),
        ];
        let out = apply_waivers(&file, Date::parse("2026-01-01").unwrap(), &mut f);
        assert!(f[0].waived.is_some());
        assert!(f[1].waived.is_none(), "`*` must not cross directories");
        assert!(f[2].waived.is_none());
        assert_eq!(out.applied[0].matched, 1);
    }

    #[test]
    fn expired_waivers_stop_applying_and_are_reported() {
        let file = waivers(
            "  - {id: W1, rule: secret.x, reason: r, expires: 2026-01-01}\n  - {rule: other, reason: r}\n",
        );
        let mut f = vec![finding("/x", None)];
        let out = apply_waivers(&file, Date::parse("2025-12-31").unwrap(), &mut f);
        assert!(f[0].waived.is_some());
        assert_eq!(out.applied.len(), 1);
        assert_eq!(out.unused[0].id, "#2");
        let mut f = vec![finding("/x", None)];
        let out = apply_waivers(&file, Date::parse("2026-01-01").unwrap(), &mut f);
        assert!(f[0].waived.is_none(), "expired on its expiry day");
        assert_eq!(out.expired[0].id, "W1");
        assert_eq!(out.expired[0].matched, 1);
    }

    #[test]
    fn base_only_and_layer_and_fingerprint_scopes() {
        let base_only = waivers("  - {rule: secret.x, base_image_only: true, reason: r}\n");
        let mut f = vec![
            finding("/x", Some(true)),
            finding("/x", Some(false)),
            finding("/x", None),
        ];
        apply_waivers(&base_only, Date::parse("2026-01-01").unwrap(), &mut f);
        assert!(f[0].waived.is_some());
        assert!(f[1].waived.is_none());
        assert!(f[2].waived.is_none(), "unknown attribution is not base");
        let other_layer = waivers(&format!(
            "  - {{rule: secret.x, layer: \"sha256:{}\", reason: r}}\n",
            "b".repeat(64)
        ));
        let mut f = vec![finding("/x", None)];
        apply_waivers(&other_layer, Date::parse("2026-01-01").unwrap(), &mut f);
        assert!(f[0].waived.is_none());
        let fp = finding("/x", None).fingerprint;
        let by_fp = waivers(&format!("  - {{fingerprint: {fp}, reason: r}}\n"));
        let mut f = vec![finding("/x", None), finding("/y", None)];
        apply_waivers(&by_fp, Date::parse("2026-01-01").unwrap(), &mut f);
        assert!(f[0].waived.is_some());
        assert!(f[1].waived.is_none());
    }
}
