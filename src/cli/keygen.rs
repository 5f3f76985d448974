//! `imgguard keygen`: a cosign-compatible encrypted ECDSA P-256 key pair for signing
//! VSAs. The password comes from `IMGGUARD_KEY_PASSWORD` or `COSIGN_PASSWORD`; only on
//! a terminal is it asked for (twice, not echoed). Without either, keygen refuses
//! rather than write a key protected by nothing.

use std::io::{IsTerminal as _, Write};

use zeroize::Zeroizing;

use super::CliError;
use super::args::{KeyLabel, KeygenArgs};
use crate::crypto::{CosignKeyLabel, ProcessEnv, password_from_env, write_cosign_key_pair};
use crate::exit_code::ExitCode;

/// Writes the key pair and names the files on `stdout`.
pub fn run_keygen(args: &KeygenArgs, stdout: &mut dyn Write) -> Result<ExitCode, CliError> {
    let password = match password_from_env(&ProcessEnv) {
        Some(p) => p,
        None if std::io::stdin().is_terminal() => prompt_password()?,
        None => {
            return Err(CliError::Usage {
                message: "no password for the new key: IMGGUARD_KEY_PASSWORD and COSIGN_PASSWORD are unset and standard input is not a terminal".into(),
                help: Some("set IMGGUARD_KEY_PASSWORD (or COSIGN_PASSWORD) to the password; an empty value means an empty password, as with cosign".into()),
            });
        }
    };
    let label = match args.label {
        KeyLabel::Sigstore => CosignKeyLabel::Sigstore,
        KeyLabel::Cosign => CosignKeyLabel::Cosign,
    };
    let (key, public) = write_cosign_key_pair(&args.output_key_prefix, &password, label)?;
    writeln!(
        stdout,
        "Private key written to {}\nPublic key written to {}",
        key.display(),
        public.display()
    )
    .map_err(|source| CliError::Output {
        path: "stdout".into(),
        source,
    })?;
    Ok(ExitCode::Pass)
}

/// Asks twice on the terminal with echo off.
fn prompt_password() -> Result<Zeroizing<Vec<u8>>, CliError> {
    let first = read_hidden("Enter password for private key: ")?;
    let second = read_hidden("Enter password for private key again: ")?;
    if first != second {
        return Err(CliError::Usage {
            message: "the passwords do not match".into(),
            help: None,
        });
    }
    Ok(first)
}

fn read_hidden(prompt: &str) -> Result<Zeroizing<Vec<u8>>, CliError> {
    let io = |source: std::io::Error| CliError::Output {
        path: "the terminal".into(),
        source,
    };
    let mut stderr = std::io::stderr();
    write!(stderr, "{prompt}").map_err(io)?;
    stderr.flush().map_err(io)?;
    let stdin = std::io::stdin();
    let original = rustix::termios::tcgetattr(&stdin).map_err(|e| io(e.into()))?;
    let mut quiet = original.clone();
    quiet.local_modes.remove(rustix::termios::LocalModes::ECHO);
    rustix::termios::tcsetattr(&stdin, rustix::termios::OptionalActions::Now, &quiet)
        .map_err(|e| io(e.into()))?;
    let mut line = Zeroizing::new(String::new());
    let read = stdin.read_line(&mut line);
    // Echo comes back whatever the read did.
    let restored =
        rustix::termios::tcsetattr(&stdin, rustix::termios::OptionalActions::Now, &original);
    let _ = writeln!(stderr);
    read.map_err(io)?;
    restored.map_err(|e| io(e.into()))?;
    let trimmed = line.trim_end_matches(['\n', '\r']);
    Ok(Zeroizing::new(trimmed.as_bytes().to_vec()))
}
