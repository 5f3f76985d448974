//! The waivers file (`kind: Waivers`): reviewed exceptions, each matching findings by
//! fingerprint or by rule + path glob, optionally scoped to one layer digest or to the
//! base image's layers, with a reason, an owner and an expiry date. Parsing and checks
//! of the file itself live here; applying waivers to findings is the policy's job.

use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

use super::SpecError;
use super::date::Date;
use super::load::{API_VERSION, located_at, parse_yaml, read_text};

/// A waivers file.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WaiverFile {
    /// Must be `imgguard.dev/v1`.
    pub api_version: String,
    /// Must be `Waivers`.
    pub kind: String,
    /// The waivers.
    #[serde(default)]
    pub waivers: Vec<Waiver>,
}

/// One waiver.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    /// A short id shown in reports (default: its position, `#1`, `#2`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Match one finding by its fingerprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// Match findings of this rule id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// With `rule`: a glob on the path in the image (or the config key), e.g.
    /// `/opt/vendor/**`. `*` stays within one directory; `**` crosses them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Only findings in the layer with this digest (blob digest or diff_id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
    /// Only findings in layers that belong to the base image.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub base_image_only: bool,
    /// Why the finding is acceptable (required).
    pub reason: String,
    /// Who answers for it (required in strict mode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// `YYYY-MM-DD` (UTC): from this day on the waiver no longer applies (required in
    /// strict mode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

impl Waiver {
    /// The id reports show.
    pub fn display_id(&self, position: usize) -> String {
        self.id
            .clone()
            .unwrap_or_else(|| format!("#{}", position.saturating_add(1)))
    }

    /// The expiry date (validated at load time).
    pub fn expiry(&self) -> Option<Date> {
        self.expires.as_deref().and_then(Date::parse)
    }
}

#[derive(Deserialize)]
struct Positions {
    #[serde(rename = "apiVersion")]
    api_version: Spanned<String>,
    kind: Spanned<String>,
    #[serde(default)]
    waivers: Vec<Spanned<WaiverPositions>>,
}

#[derive(Deserialize)]
struct WaiverPositions {
    #[serde(default)]
    id: Option<Spanned<String>>,
    #[serde(default)]
    fingerprint: Option<Spanned<String>>,
    #[serde(default)]
    rule: Option<Spanned<String>>,
    #[serde(default)]
    path: Option<Spanned<String>>,
    #[serde(default)]
    layer: Option<Spanned<String>>,
    #[serde(default)]
    owner: Option<Spanned<String>>,
    #[serde(default)]
    expires: Option<Spanned<String>>,
    reason: Spanned<String>,
}

/// Parse a waivers file; `strict` makes `owner` and `expires` required.
pub fn parse_waivers(source: &str, name: &str, strict: bool) -> Result<WaiverFile, SpecError> {
    let file: WaiverFile = parse_yaml(source, name)?;
    let positions: Positions = parse_yaml(source, name)?;
    let err = |at: &serde_saphyr::Location, message: String, help: &str| {
        Err::<(), SpecError>(located_at(source, name, at, message, help))
    };
    if positions.api_version.value != API_VERSION {
        err(
            &positions.api_version.referenced,
            format!(
                "expected apiVersion `{API_VERSION}`, found `{}`",
                positions.api_version.value
            ),
            "this imgguard reads imgguard.dev/v1 waivers",
        )?;
    }
    if positions.kind.value != "Waivers" {
        err(
            &positions.kind.referenced,
            format!("expected kind `Waivers`, found `{}`", positions.kind.value),
            "set `kind: Waivers`",
        )?;
    }
    let mut ids = std::collections::BTreeSet::new();
    for item in &positions.waivers {
        let w = &item.value;
        if let Some(id) = &w.id
            && !ids.insert(id.value.clone())
        {
            err(
                &id.referenced,
                format!("waiver id `{}` is used twice", id.value),
                "give each waiver its own id, so reports name exactly one",
            )?;
        }
        if w.fingerprint.is_none() && w.rule.is_none() {
            err(
                &item.referenced,
                "a waiver must match by `fingerprint` or by `rule` (with an optional `path`)"
                    .into(),
                "copy the fingerprint from the report, or name the rule id",
            )?;
        }
        if let (Some(path), None) = (&w.path, &w.rule) {
            err(
                &path.referenced,
                "`path` only narrows a `rule`; this waiver has no `rule`".into(),
                "add `rule:` or remove `path:`",
            )?;
        }
        if let Some(path) = &w.path
            && let Err(e) = globset::Glob::new(path.value.trim_start_matches('/'))
        {
            {
                err(
                    &path.referenced,
                    format!("`{}` is not a valid glob: {}", path.value, e.kind()),
                    "use `*` within a directory and `**` across directories",
                )?;
            }
        }
        if let Some(layer) = &w.layer
            && layer.value.parse::<crate::oci::Digest>().is_err()
        {
            {
                err(
                    &layer.referenced,
                    format!("`{}` is not a digest", layer.value),
                    "write the layer digest as `sha256:<64 hex>`",
                )?;
            }
        }
        if w.reason.value.trim().is_empty() {
            err(
                &w.reason.referenced,
                "the reason is empty".into(),
                "say why this finding is acceptable",
            )?;
        }
        match &w.expires {
            Some(expires) if Date::parse(&expires.value).is_none() => err(
                &expires.referenced,
                format!("`{}` is not a date", expires.value),
                "write the expiry as YYYY-MM-DD (UTC), e.g. 2026-12-31",
            )?,
            None if strict => err(
                &item.referenced,
                "strict mode requires `expires` on every waiver".into(),
                "add `expires: YYYY-MM-DD`; waivers that never expire are not reviewed",
            )?,
            _ => {}
        }
        if strict && w.owner.as_ref().is_none_or(|o| o.value.trim().is_empty()) {
            err(
                &(w.owner.as_ref().map_or(&w.reason, |o| o)).referenced,
                "strict mode requires an `owner` on every waiver".into(),
                "add `owner:` naming the person or team who answers for it",
            )?;
        }
    }
    Ok(file)
}

/// Load a waivers file.
pub fn load_waivers(path: &Path, strict: bool) -> Result<WaiverFile, SpecError> {
    parse_waivers(&read_text(path)?, &path.display().to_string(), strict)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "apiVersion: imgguard.dev/v1\nkind: Waivers\nwaivers:\n";

    fn text(err: &SpecError) -> String {
        crate::spec::error::render_plain(err)
    }

    #[test]
    fn a_full_waiver_parses() {
        let src = format!(
            "{HEAD}  - id: W-1\n    rule: secret.generic\n    path: /opt/**\n    base_image_only: true\n    reason: test fixture\n    owner: team-a\n    expires: 2030-01-31\n"
        );
        let f = parse_waivers(&src, "w.yaml", true).unwrap();
        assert_eq!(f.waivers.len(), 1);
        assert_eq!(f.waivers[0].expiry().unwrap().to_string(), "2030-01-31");
    }

    #[test]
    fn strict_requires_expiry_and_owner() {
        let src = format!("{HEAD}  - rule: secret.generic\n    reason: r\n    owner: o\n");
        assert!(parse_waivers(&src, "w.yaml", false).is_ok());
        let t = text(&parse_waivers(&src, "w.yaml", true).unwrap_err());
        assert!(t.contains("requires `expires`"), "{t}");
        assert!(t.contains("w.yaml:4:"), "{t}");
        let src =
            format!("{HEAD}  - rule: secret.generic\n    reason: r\n    expires: 2030-01-01\n");
        let t = text(&parse_waivers(&src, "w.yaml", true).unwrap_err());
        assert!(t.contains("requires an `owner`"), "{t}");
    }

    #[test]
    fn bad_values_point_at_themselves() {
        let src = format!("{HEAD}  - rule: r\n    reason: r\n    expires: 31/12/2030\n");
        let t = text(&parse_waivers(&src, "w.yaml", false).unwrap_err());
        assert!(t.contains("w.yaml:6:14"), "{t}");
        let src = format!("{HEAD}  - rule: r\n    path: \"/a/[b\"\n    reason: r\n");
        let t = text(&parse_waivers(&src, "w.yaml", false).unwrap_err());
        assert!(t.contains("not a valid glob"), "{t}");
        let src = format!("{HEAD}  - reason: r\n");
        let t = text(&parse_waivers(&src, "w.yaml", false).unwrap_err());
        assert!(t.contains("`fingerprint` or by `rule`"), "{t}");
        let src =
            format!("{HEAD}  - {{id: A, rule: r, reason: r}}\n  - {{id: A, rule: s, reason: r}}\n");
        let t = text(&parse_waivers(&src, "w.yaml", false).unwrap_err());
        assert!(t.contains("used twice") && t.contains("w.yaml:5:"), "{t}");
        let src = format!("{HEAD}  - rule: r\n    reasn: r\n");
        let t = text(&parse_waivers(&src, "w.yaml", false).unwrap_err());
        assert!(t.contains("did you mean `reason`?"), "{t}");
    }
}
