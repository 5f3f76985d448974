//! Mapping image history to Dockerfile lines: the image's own history entries are the
//! final stage's instructions (and those of the stages it builds on), in order. They
//! are aligned from the end, so the base image's history never binds to a line: an
//! entry binds to the nearest earlier instruction with the same keyword and the same
//! normalised text, or, failing that, to the nearest one with the same keyword
//! (builders rewrite `COPY` sources and `EXPOSE` lists).

use crate::analyze::config::Origin;
use crate::analyze::config::history_instruction::HistoryInstruction;
use crate::finding::{Finding, LayerRef};
use crate::oci::config::HistoryEntry;

use super::Dockerfile;

impl Dockerfile {
    /// The Dockerfile line of each history entry, `None` where none matches.
    pub fn map_history(&self, history: &[HistoryEntry], origins: &[Origin]) -> Vec<Option<u64>> {
        let instructions: Vec<(&str, String, u64)> = self
            .final_chain()
            .into_iter()
            .flat_map(|s| &s.instructions)
            .map(|i| (i.keyword.as_str(), normalise(&i.body), i.line))
            .collect();
        let mut lines = vec![None; history.len()];
        let mut end = instructions.len();
        for (index, entry) in history.iter().enumerate().rev() {
            if origins.get(index) == Some(&Origin::Base) || end == 0 {
                break;
            }
            let Some(h) = entry
                .created_by
                .as_deref()
                .and_then(HistoryInstruction::parse)
            else {
                continue;
            };
            let body = normalise(&h.body);
            let candidates = instructions.get(..end).unwrap_or(&[]);
            let strong = candidates.iter().rposition(|(k, b, _)| {
                *k == h.keyword && (*b == body || (!body.is_empty() && b.contains(&body)))
            });
            let found = strong.or_else(|| candidates.iter().rposition(|(k, _, _)| *k == h.keyword));
            if let Some(j) = found {
                if let (Some(slot), Some((_, _, line))) =
                    (lines.get_mut(index), instructions.get(j))
                {
                    *slot = Some(*line);
                }
                end = j;
            }
        }
        lines
    }
}

impl Dockerfile {
    /// Attach the Dockerfile line of the layer that holds each finding of `platform`
    /// (file, filesystem and secret findings from any analyzer), where the finding has
    /// no Dockerfile location yet. For the engine to call once all findings are in;
    /// `origins` is one per history entry, as the config analyzer computes them.
    pub fn annotate_layer_findings(
        &self,
        findings: &mut [Finding],
        platform: &str,
        history: &[HistoryEntry],
        origins: &[Origin],
        layers: &[LayerRef],
    ) {
        let lines = self.map_history(history, origins);
        let layer_entries: Vec<usize> = history
            .iter()
            .enumerate()
            .filter(|(_, h)| !h.empty_layer)
            .map(|(i, _)| i)
            .collect();
        if layer_entries.len() != layers.len() {
            return;
        }
        for finding in findings {
            let location = &mut finding.location;
            if location.dockerfile.is_some() || location.platform.as_deref() != Some(platform) {
                continue;
            }
            let Some(layer) = &location.layer else {
                continue;
            };
            let line = layer_entries
                .get(layer.index)
                .and_then(|h| lines.get(*h).copied().flatten());
            if let Some(line) = line {
                location.dockerfile = Some(self.location(line));
            }
        }
    }
}

/// Whitespace collapsed, exec-form punctuation and leading flags removed.
fn normalise(text: &str) -> String {
    text.replace(['[', ']', '"', ','], " ")
        .split_whitespace()
        .skip_while(|w| w.starts_with("--"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(created_by: &str, empty: bool) -> HistoryEntry {
        HistoryEntry {
            created_by: Some(created_by.to_owned()),
            empty_layer: empty,
            ..HistoryEntry::default()
        }
    }

    #[test]
    fn maps_own_history_from_the_end() {
        let d = Dockerfile::parse(
            "Dockerfile",
            "FROM ubuntu:latest\nRUN apt-get update && \\\n    apt-get install -y apache2\nENV DB_USER=x\nEXPOSE 80\nCMD [\"apache2ctl\", \"-D\", \"FOREGROUND\"]\n",
        );
        let history = vec![
            entry("/bin/sh -c #(nop) ADD file:abc in / ", false),
            entry("/bin/sh -c #(nop)  CMD [\"/bin/bash\"]", true),
            entry(
                "RUN /bin/sh -c apt-get update &&     apt-get install -y apache2 # buildkit",
                false,
            ),
            entry("ENV DB_USER=x", true),
            entry("EXPOSE map[80/tcp:{}]", true),
            entry("CMD [\"apache2ctl\" \"-D\" \"FOREGROUND\"]", true),
        ];
        let origins = [
            Origin::Base,
            Origin::Base,
            Origin::Own,
            Origin::Own,
            Origin::Own,
            Origin::Own,
        ];
        let lines = d.map_history(&history, &origins);
        assert_eq!(lines, vec![None, None, Some(2), Some(4), Some(5), Some(6)]);
    }

    #[test]
    fn layer_findings_get_the_line_of_their_layer() {
        use crate::finding::{Category, Location, Severity, SourceKind};
        use crate::oci::Digest;
        let d = Dockerfile::parse("Dockerfile", "FROM a:1\nCOPY app /app\nRUN make\n");
        let history = vec![
            entry("/bin/sh -c #(nop) ADD file:x in / ", false),
            entry("CMD [\"sh\"]", true),
            entry("COPY app /app # buildkit", false),
            entry("RUN /bin/sh -c make # buildkit", false),
        ];
        let digest: Digest =
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
                .parse()
                .unwrap();
        let layers: Vec<LayerRef> = (0..3)
            .map(|index| LayerRef {
                index,
                digest: digest.clone(),
                diff_id: None,
                created_by: None,
                from_base: Some(index == 0),
            })
            .collect();
        let mut findings: Vec<Finding> = (0..3)
            .map(|i| {
                let mut location = Location::new(SourceKind::File).with_path("/x");
                location.platform = Some("linux/amd64".into());
                location.layer = layers.get(i).cloned();
                Finding::new(
                    "secret.x",
                    Category::Secret,
                    Severity::High,
                    "t",
                    "m",
                    location,
                )
            })
            .collect();
        let origins = [Origin::Base, Origin::Base, Origin::Own, Origin::Own];
        d.annotate_layer_findings(&mut findings, "linux/amd64", &history, &origins, &layers);
        let lines: Vec<Option<u64>> = findings
            .iter()
            .map(|f| f.location.dockerfile.as_ref().map(|l| l.line))
            .collect();
        assert_eq!(lines, vec![None, Some(2), Some(3)]);
    }

    #[test]
    fn base_cmd_does_not_bind_without_attribution_when_instructions_run_out() {
        let d = Dockerfile::parse("Dockerfile", "FROM a:1\nUSER app\n");
        let history = vec![entry("CMD [\"sh\"]", true), entry("USER app", true)];
        let lines = d.map_history(&history, &[Origin::Own, Origin::Own]);
        assert_eq!(lines, vec![None, Some(2)]);
    }
}
