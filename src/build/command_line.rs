//! A builder invocation: the program and its arguments as they are passed (no shell),
//! plus the form shown in logs and reports, where secret values are redacted.

use std::fmt::Write as _;

/// A program and its arguments, with a redacted display form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandLine {
    /// The program (looked up on `PATH`).
    pub program: String,
    args: Vec<String>,
    shown: Vec<String>,
}

impl CommandLine {
    /// A command with no arguments yet.
    pub fn new(program: impl Into<String>) -> Self {
        Self {
            program: program.into(),
            args: Vec::new(),
            shown: Vec::new(),
        }
    }

    /// Append an argument shown as is.
    #[must_use]
    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        let arg = arg.into();
        self.shown.push(arg.clone());
        self.args.push(arg);
        self
    }

    /// Append arguments shown as they are.
    #[must_use]
    pub fn args<I, S>(self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        args.into_iter().fold(self, Self::arg)
    }

    /// Append an argument that is shown as `shown` (its secret part redacted).
    #[must_use]
    pub fn redacted_arg(mut self, arg: impl Into<String>, shown: impl Into<String>) -> Self {
        self.args.push(arg.into());
        self.shown.push(shown.into());
        self
    }

    /// The arguments as passed to the program.
    pub fn arguments(&self) -> &[String] {
        &self.args
    }

    /// The command line for people: shell-quoted where needed, secrets redacted.
    pub fn display(&self) -> String {
        let mut out = quote(&self.program);
        for arg in &self.shown {
            let _ = write!(out, " {}", quote(arg));
        }
        out
    }
}

/// Single-quote a word when it holds anything a shell would interpret.
fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '-' | '_' | '.' | '/' | ':' | '=' | ',' | '@' | '+')
        });
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_redacts_and_quotes_but_args_are_exact() {
        let c = CommandLine::new("buildah")
            .arg("build")
            .redacted_arg(
                "--build-arg=TOKEN=hunter2hunter2",
                "--build-arg=TOKEN=hu…(14)",
            )
            .arg("my dir");
        assert_eq!(
            c.arguments(),
            ["build", "--build-arg=TOKEN=hunter2hunter2", "my dir"]
        );
        assert_eq!(
            c.display(),
            "buildah build '--build-arg=TOKEN=hu…(14)' 'my dir'"
        );
        assert!(!c.display().contains("hunter2"));
    }
}
