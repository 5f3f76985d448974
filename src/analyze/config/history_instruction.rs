//! One image history `created_by` line read back as a Dockerfile instruction. Builders
//! write it differently: BuildKit `RUN |2 A=1 B=2 /bin/sh -c make # buildkit`, the
//! classic builder `/bin/sh -c #(nop)  ENV A=b` or `|1 A=b /bin/sh -c make`, and
//! BuildKit's `|N` build-arg prefixes or `# buildkit` suffix break naive parsers
//! (Dockle #134, Trivy #9485).

/// An instruction recovered from history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryInstruction {
    /// Upper-case keyword (`RUN`, `COPY`, `ENV`, …).
    pub keyword: String,
    /// The rest, with build-arg prefixes, the shell wrapper and builder suffixes removed.
    pub body: String,
}

impl HistoryInstruction {
    /// Read a `created_by` line. `None` when it is empty.
    pub fn parse(created_by: &str) -> Option<Self> {
        let mut text = created_by.trim();
        for suffix in ["# buildkit", "#buildkit"] {
            if let Some(stripped) = text.strip_suffix(suffix) {
                text = stripped.trim_end();
            }
        }
        if text.is_empty() {
            return None;
        }
        // Classic builder: `/bin/sh -c #(nop) KEYWORD …` for non-RUN steps.
        if let Some(rest) = strip_shell(text) {
            let rest = rest.trim_start();
            if let Some(nop) = rest.strip_prefix("#(nop)") {
                return Some(Self::split(nop.trim_start()));
            }
            return Some(Self::run(rest));
        }
        // Classic builder RUN with build args: `|1 A=b /bin/sh -c cmd`.
        if text.starts_with('|') {
            return Some(Self::run(strip_build_args(text)));
        }
        let instruction = Self::split(text);
        if instruction.keyword == "RUN" {
            return Some(Self::run(&instruction.body));
        }
        Some(instruction)
    }

    fn split(text: &str) -> Self {
        let (keyword, body) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
        Self {
            keyword: keyword.to_ascii_uppercase(),
            body: body.trim().to_owned(),
        }
    }

    /// A RUN body without `|N K=V` prefixes and the `/bin/sh -c` wrapper.
    fn run(body: &str) -> Self {
        let body = strip_build_args(body.trim());
        let body = strip_shell(body).unwrap_or(body);
        Self {
            keyword: "RUN".to_owned(),
            body: body.trim().to_owned(),
        }
    }
}

fn strip_shell(text: &str) -> Option<&str> {
    ["/bin/sh -c ", "/bin/bash -c ", "/bin/ash -c ", "cmd /S /C "]
        .iter()
        .find_map(|p| text.strip_prefix(p))
}

/// `|2 A=1 B=2 rest` → `rest`. Values may hold spaces only when the builder quoted
/// nothing, which it never does, so counting tokens is exact.
fn strip_build_args(text: &str) -> &str {
    let Some(rest) = text.strip_prefix('|') else {
        return text;
    };
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    let Ok(count) = rest.get(..digits).unwrap_or("").parse::<usize>() else {
        return text;
    };
    let mut remaining = rest.get(digits..).unwrap_or("").trim_start();
    for _ in 0..count {
        match remaining.split_once(char::is_whitespace) {
            Some((_, after)) => remaining = after.trim_start(),
            None => return "",
        }
    }
    remaining
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> (String, String) {
        let i = HistoryInstruction::parse(s).unwrap();
        (i.keyword, i.body)
    }

    #[test]
    fn reads_every_builder_spelling() {
        assert_eq!(
            p("RUN |2 A=1 B=2 /bin/sh -c make all # buildkit"),
            ("RUN".into(), "make all".into())
        );
        assert_eq!(
            p("/bin/sh -c #(nop)  ENV A=b"),
            ("ENV".into(), "A=b".into())
        );
        assert_eq!(
            p("|1 TOKEN=x /bin/sh -c apt-get upgrade"),
            ("RUN".into(), "apt-get upgrade".into())
        );
        assert_eq!(
            p("/bin/sh -c apt-get update"),
            ("RUN".into(), "apt-get update".into())
        );
        assert_eq!(
            p("ADD https://x.example/a.tgz /opt/ # buildkit"),
            ("ADD".into(), "https://x.example/a.tgz /opt/".into())
        );
        assert_eq!(p("USER app"), ("USER".into(), "app".into()));
        assert!(HistoryInstruction::parse("  ").is_none());
    }
}
