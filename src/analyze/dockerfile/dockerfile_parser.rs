//! A Dockerfile parser for linting and line mapping: parser directives (`# syntax=`,
//! `# escape=`), line continuations (with comments and blank lines inside them),
//! heredocs (`<<EOF`, `<<-EOF`, quoted delimiters, several per instruction), flags,
//! `ARG`s before the first `FROM`, and multi-stage builds. It never fails: what it
//! cannot read is recorded in [`Dockerfile::problems`] and skipped.

use crate::finding::DockerfileLocation;

/// One instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// Upper-case keyword.
    pub keyword: String,
    /// Leading `--flag[=value]` words.
    pub flags: Vec<String>,
    /// The arguments as one line (continuations joined, heredoc bodies not included).
    pub body: String,
    /// Heredoc bodies, in order.
    pub heredocs: Vec<String>,
    /// 1-based line where the instruction starts.
    pub line: u64,
}

/// One build stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// `AS name`, lower-cased as BuildKit compares them.
    pub name: Option<String>,
    /// The base as written.
    pub base: String,
    /// The base with global `ARG` defaults substituted.
    pub base_resolved: String,
    /// Line of the `FROM`.
    pub line: u64,
    /// The instructions after the `FROM`.
    pub instructions: Vec<Instruction>,
}

/// A parsed Dockerfile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dockerfile {
    /// The file name as given (for locations).
    pub file: String,
    /// `# syntax=` value.
    pub syntax: Option<String>,
    /// The escape character.
    pub escape: char,
    /// `ARG`s before the first `FROM`.
    pub global_args: Vec<Instruction>,
    /// Stages, in order.
    pub stages: Vec<Stage>,
    /// What could not be read (line, description).
    pub problems: Vec<(u64, String)>,
}

const MAX_HEREDOCS_PER_INSTRUCTION: usize = 16;

impl Dockerfile {
    /// Parse `text`; `file` names it in locations.
    pub fn parse(file: &str, text: &str) -> Self {
        let mut dockerfile = Self {
            file: file.to_owned(),
            escape: '\\',
            ..Self::default()
        };
        let lines: Vec<&str> = text.lines().collect();
        let mut i = 0usize;
        // Parser directives: only at the very top, before any other line.
        while let Some(line) = lines.get(i) {
            let Some((key, value)) = directive(line) else {
                break;
            };
            match key.as_str() {
                "syntax" => dockerfile.syntax = Some(value),
                "escape" => match value.as_str() {
                    "`" => dockerfile.escape = '`',
                    "\\" => dockerfile.escape = '\\',
                    other => dockerfile.problems.push((
                        line_no(i),
                        format!("unsupported escape character `{other}`"),
                    )),
                },
                _ => {}
            }
            i += 1;
        }
        let escape = dockerfile.escape;
        while let Some(first) = lines.get(i) {
            let start = i;
            let trimmed = first.trim();
            i += 1;
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let mut logical = String::new();
            let mut current = trimmed.to_owned();
            loop {
                let continued = current.trim_end().ends_with(escape);
                if continued {
                    let t = current.trim_end();
                    logical.push_str(t.get(..t.len() - escape.len_utf8()).unwrap_or(t));
                } else {
                    logical.push_str(&current);
                    break;
                }
                // Skip comment and blank lines inside a continuation.
                loop {
                    match lines.get(i) {
                        Some(next)
                            if next.trim().is_empty() || next.trim_start().starts_with('#') =>
                        {
                            i += 1;
                        }
                        _ => break,
                    }
                }
                match lines.get(i) {
                    Some(next) => {
                        (*next).clone_into(&mut current);
                        i += 1;
                    }
                    None => break,
                }
            }
            let (keyword, rest) = logical
                .trim()
                .split_once(char::is_whitespace)
                .map_or((logical.trim(), ""), |(k, r)| (k, r.trim()));
            let keyword = keyword.to_ascii_uppercase();
            let mut words = rest.split_whitespace().peekable();
            let mut flags = Vec::new();
            while let Some(w) = words.peek() {
                if w.starts_with("--") && keyword != "CMD" && keyword != "ENTRYPOINT" {
                    flags.push((*w).to_owned());
                    words.next();
                } else {
                    break;
                }
            }
            let body = words.collect::<Vec<_>>().join(" ");
            let mut heredocs = Vec::new();
            if matches!(keyword.as_str(), "RUN" | "COPY" | "ADD") {
                for (delimiter, strip_tabs) in heredoc_markers(&body)
                    .into_iter()
                    .take(MAX_HEREDOCS_PER_INSTRUCTION)
                {
                    let mut content = String::new();
                    let mut closed = false;
                    while let Some(line) = lines.get(i) {
                        i += 1;
                        let candidate = if strip_tabs {
                            line.trim_start_matches('\t')
                        } else {
                            line
                        };
                        if candidate == delimiter {
                            closed = true;
                            break;
                        }
                        content.push_str(candidate);
                        content.push('\n');
                    }
                    if !closed {
                        dockerfile.problems.push((
                            line_no(start),
                            format!("heredoc `{delimiter}` is not terminated"),
                        ));
                    }
                    heredocs.push(content);
                }
            }
            let instruction = Instruction {
                keyword,
                flags,
                body,
                heredocs,
                line: line_no(start),
            };
            dockerfile.push(instruction);
        }
        dockerfile
    }

    fn push(&mut self, instruction: Instruction) {
        if instruction.keyword == "FROM" {
            let words: Vec<&str> = instruction.body.split_whitespace().collect();
            let base = words.first().copied().unwrap_or("").to_owned();
            let name = match (words.get(1), words.get(2)) {
                (Some(kw), Some(name)) if kw.eq_ignore_ascii_case("as") => {
                    Some(name.to_ascii_lowercase())
                }
                _ => None,
            };
            if base.is_empty() {
                self.problems
                    .push((instruction.line, "FROM without an image".into()));
            }
            let base_resolved = self.substitute(&base);
            self.stages.push(Stage {
                name,
                base,
                base_resolved,
                line: instruction.line,
                instructions: Vec::new(),
            });
            return;
        }
        match self.stages.last_mut() {
            Some(stage) => stage.instructions.push(instruction),
            None if instruction.keyword == "ARG" => self.global_args.push(instruction),
            None => self.problems.push((
                instruction.line,
                format!("`{}` before the first FROM", instruction.keyword),
            )),
        }
    }

    /// Substitute global `ARG` defaults (`$A`, `${A}`, `${A:-x}`) in a FROM reference.
    fn substitute(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for arg in &self.global_args {
            let (name, default) = arg
                .body
                .split_once('=')
                .map_or((arg.body.as_str(), None), |(n, d)| {
                    (n, Some(d.trim_matches('"')))
                });
            let Some(default) = default else {
                continue;
            };
            out = out
                .replace(&format!("${{{name}}}"), default)
                .replace(&format!("${name}"), default);
            if let Some(start) = out.find(&format!("${{{name}:-"))
                && let Some(end) = out.get(start..).and_then(|s| s.find('}'))
            {
                out.replace_range(start..=start + end, default);
            }
        }
        out
    }

    /// The stage a FROM names, when it is an earlier stage of this file.
    fn stage_named(&self, name: &str, before: usize) -> Option<usize> {
        let name = name.to_ascii_lowercase();
        self.stages
            .iter()
            .take(before)
            .position(|s| s.name.as_deref() == Some(name.as_str()))
            .or_else(|| name.parse::<usize>().ok().filter(|n| *n < before))
    }

    /// Whether stage `index` builds on an earlier stage (so its FROM is not an image).
    pub fn builds_on_stage(&self, index: usize) -> bool {
        self.stages
            .get(index)
            .is_some_and(|s| self.stage_named(&s.base_resolved, index).is_some())
    }

    /// The final stage and the stages it builds on, first to last.
    pub fn final_chain(&self) -> Vec<&Stage> {
        let mut chain = Vec::new();
        let mut index = self.stages.len().checked_sub(1);
        while let Some(i) = index {
            let Some(stage) = self.stages.get(i) else {
                break;
            };
            chain.push(stage);
            index = self.stage_named(&stage.base_resolved, i);
        }
        chain.reverse();
        chain
    }

    /// The image the final stage is built from, as resolved.
    pub fn final_base(&self) -> Option<String> {
        self.final_chain().first().map(|s| s.base_resolved.clone())
    }

    /// The line of the `FROM` that names the final image's base.
    pub fn final_from_line(&self) -> Option<u64> {
        self.final_chain().first().map(|s| s.line)
    }

    /// A location at `line` of this file.
    pub fn location(&self, line: u64) -> DockerfileLocation {
        DockerfileLocation {
            file: self.file.clone(),
            line,
        }
    }
}

fn line_no(index: usize) -> u64 {
    u64::try_from(index).unwrap_or(u64::MAX).saturating_add(1)
}

fn directive(line: &str) -> Option<(String, String)> {
    let rest = line.trim().strip_prefix('#')?;
    let (key, value) = rest.split_once('=')?;
    let key = key.trim().to_ascii_lowercase();
    if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    Some((key, value.trim().to_owned()))
}

/// `<<EOF`, `<<-EOF`, `<<"EOF"`, `<<'EOF'` markers in an instruction body.
fn heredoc_markers(body: &str) -> Vec<(String, bool)> {
    let mut markers = Vec::new();
    let mut rest = body;
    while let Some(pos) = rest.find("<<") {
        let after = rest.get(pos + 2..).unwrap_or("");
        let (strip_tabs, after) = match after.strip_prefix('-') {
            Some(a) => (true, a),
            None => (false, after),
        };
        let word: String = after
            .trim_start_matches(['"', '\''])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !word.is_empty() {
            markers.push((word, strip_tabs));
        }
        rest = after;
    }
    markers
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "# syntax=docker/dockerfile:1.7\n# escape=\\\nARG BASE=ubuntu:24.04\nFROM ${BASE} AS build\nRUN apt-get update && \\\n    # a comment inside\n\n    apt-get install -y make\nRUN <<EOF\nset -e\nmake\nEOF\nCOPY <<-A.txt <<B /out/\n\thello\n\tA\nworld\nB\nFROM scratch\nCOPY --from=build /out /app\nUSER 10001\n";

    #[test]
    fn parses_directives_continuations_heredocs_and_stages() {
        let d = Dockerfile::parse("Dockerfile", SAMPLE);
        assert_eq!(d.syntax.as_deref(), Some("docker/dockerfile:1.7"));
        assert_eq!(d.stages.len(), 2);
        let build = &d.stages[0];
        assert_eq!(build.name.as_deref(), Some("build"));
        assert_eq!(build.base_resolved, "ubuntu:24.04");
        assert_eq!(build.line, 4);
        let run = &build.instructions[0];
        assert_eq!(run.line, 5);
        assert!(
            run.body.contains("apt-get update &&") && run.body.ends_with("apt-get install -y make"),
            "{}",
            run.body
        );
        let heredoc = &build.instructions[1];
        assert_eq!(heredoc.line, 9);
        assert_eq!(heredoc.heredocs, vec!["set -e\nmake\n".to_owned()]);
        let copy = &build.instructions[2];
        assert_eq!(copy.line, 13);
        assert_eq!(
            copy.heredocs,
            vec!["hello\n".to_owned(), "world\n".to_owned()]
        );
        let last = &d.stages[1];
        assert_eq!(last.line, 18);
        assert_eq!(last.instructions[0].flags, vec!["--from=build".to_owned()]);
        assert_eq!(last.instructions[1].line, 20);
        assert!(d.problems.is_empty(), "{:?}", d.problems);
        assert_eq!(d.final_base().as_deref(), Some("scratch"));
    }

    #[test]
    fn backtick_escape_and_stage_chains() {
        let d = Dockerfile::parse(
            "Dockerfile",
            "# escape=`\nFROM alpine:3.20 AS base\nRUN echo a `\n  b\nFROM base\nRUN echo c\n",
        );
        assert_eq!(d.escape, '`');
        assert_eq!(d.stages[0].instructions[0].body, "echo a b");
        let chain = d.final_chain();
        assert_eq!(chain.len(), 2);
        assert_eq!(d.final_base().as_deref(), Some("alpine:3.20"));
        assert_eq!(d.final_from_line(), Some(2));
        assert!(d.builds_on_stage(1));
    }

    #[test]
    fn arbitrary_token_soup_never_panics() {
        const TOKENS: &[&str] = &[
            "FROM",
            "RUN",
            "COPY",
            "ADD",
            "ARG",
            "ENV",
            "USER",
            " ",
            "\n",
            "\\",
            "`",
            "<<",
            "<<-",
            "EOF",
            "\"",
            "'",
            "#",
            "# escape=`\n",
            "# syntax=x\n",
            "=",
            "$",
            "${",
            "}",
            ":-",
            "AS",
            "--mount=type=secret",
            "é",
            "\t",
            "\r\n",
            "@sha256:",
            "scratch",
        ];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..2000 {
            let mut text = String::new();
            for _ in 0..(state % 60) {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                let pick = usize::try_from(state >> 33).unwrap() % TOKENS.len();
                text.push_str(TOKENS[pick]);
            }
            let d = Dockerfile::parse("fuzz", &text);
            let _ = d.final_chain();
            let _ = d.final_base();
            let _ = d.lint(&crate::analyze::config::RuleSelection::default());
        }
    }

    #[test]
    fn unterminated_heredoc_and_stray_instruction_are_problems_not_panics() {
        let d = Dockerfile::parse("D", "RUN x\nFROM a\nRUN <<EOF\nnever closed\n");
        assert_eq!(d.problems.len(), 2, "{:?}", d.problems);
    }
}
