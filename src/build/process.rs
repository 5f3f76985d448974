//! Running a builder as a child process, without a shell: its standard output and
//! error are streamed line by line to our log, each line prefixed with `[build]` and
//! passed through a redactor first, so a value the build echoes never reaches the log.

use std::io::{BufRead as _, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::Instant;

use super::BuildError;
use super::command_line::CommandLine;

/// Longest line passed on; longer ones are cut (builders print progress bars).
const MAX_LINE: u64 = 16 * 1024;

/// Where the builder's output goes, and how.
pub struct BuildLog<'a> {
    /// The sink (standard error in the binary).
    pub out: &'a mut dyn Write,
    /// Redacts secrets from a line.
    pub redact: &'a dyn Fn(&str) -> String,
    /// Show the elapsed time in each prefix (a terminal watching the build).
    pub progress: bool,
}

impl BuildLog<'_> {
    /// Write one line of our own, prefixed like the builder's.
    pub fn note(&mut self, line: &str) {
        // Losing a log line must not fail the build.
        let _ = writeln!(self.out, "[build] {}", (self.redact)(line));
    }
}

fn spawn_error(cmd: &CommandLine, builder: &str, source: std::io::Error) -> BuildError {
    if source.kind() == std::io::ErrorKind::NotFound {
        BuildError::BuilderMissing {
            builder: builder.to_owned(),
            program: cmd.program.clone(),
        }
    } else {
        BuildError::Spawn {
            program: cmd.program.clone(),
            source,
        }
    }
}

/// The first line the program prints for `--version` (e.g. `buildah version 1.28.2 …`).
pub fn version(cmd: &CommandLine, builder: &str) -> Result<String, BuildError> {
    let out = Command::new(&cmd.program)
        .args(cmd.arguments())
        .stdin(Stdio::null())
        .output()
        .map_err(|e| spawn_error(cmd, builder, e))?;
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(text
        .lines()
        .next()
        .unwrap_or("")
        .trim()
        .chars()
        .take(200)
        .collect())
}

/// Run `cmd` in `dir`, streaming its output into `log`; its exit status.
pub fn run_streaming(
    cmd: &CommandLine,
    builder: &str,
    dir: &Path,
    log: &mut BuildLog<'_>,
) -> Result<ExitStatus, BuildError> {
    log.note(&format!("$ {}", cmd.display()));
    let mut child = Command::new(&cmd.program)
        .args(cmd.arguments())
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| spawn_error(cmd, builder, e))?;
    let started = Instant::now();
    let (tx, rx) = mpsc::channel::<Vec<u8>>();
    let readers: Vec<_> = [
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    ]
    .into_iter()
    .flatten()
    .map(|stream| {
        let tx = tx.clone();
        std::thread::spawn(move || forward_lines(stream, &tx))
    })
    .collect();
    drop(tx);
    for line in rx {
        let text = String::from_utf8_lossy(&line);
        let text = (log.redact)(text.trim_end_matches(['\n', '\r']));
        let _ = if log.progress {
            writeln!(
                log.out,
                "[build {:>5.1}s] {text}",
                started.elapsed().as_secs_f64()
            )
        } else {
            writeln!(log.out, "[build] {text}")
        };
    }
    for reader in readers {
        let _ = reader.join();
    }
    child.wait().map_err(|source| BuildError::Spawn {
        program: cmd.program.clone(),
        source,
    })
}

/// Send each line of `stream` (cut at [`MAX_LINE`] bytes) until it ends.
fn forward_lines(stream: Box<dyn Read + Send>, tx: &mpsc::Sender<Vec<u8>>) {
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = Vec::new();
        match (&mut reader).take(MAX_LINE).read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {
                if !line.ends_with(b"\n") {
                    // Cut: drop the rest of this overlong line.
                    let mut rest = Vec::new();
                    let _ = reader.read_until(b'\n', &mut rest);
                    line.extend_from_slice(" …".as_bytes());
                }
                if tx.send(line).is_err() {
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    #[test]
    fn output_is_prefixed_redacted_and_the_status_kept() {
        let cmd = CommandLine::new("sh")
            .args(["-c", "echo hello; echo token=hunter2hunter2 >&2; exit 3"]);
        let mut out = Vec::new();
        let redact = |l: &str| l.replace("hunter2hunter2", "hu…(14)");
        let mut log = BuildLog {
            out: &mut out,
            redact: &redact,
            progress: false,
        };
        let status = run_streaming(&cmd, "command", Path::new("."), &mut log).unwrap();
        assert_eq!(status.code(), Some(3));
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("[build] hello\n"), "{text}");
        assert!(text.contains("[build] token=hu…(14)\n"), "{text}");
        assert!(!text.contains("hunter2hunter2"), "{text}");
    }

    #[test]
    fn a_missing_program_is_builder_missing() {
        let cmd = CommandLine::new("imgguard-no-such-builder").arg("--version");
        assert!(matches!(
            version(&cmd, "buildah"),
            Err(BuildError::BuilderMissing { .. })
        ));
    }
}
