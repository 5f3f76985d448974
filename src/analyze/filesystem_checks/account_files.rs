//! What the small account files say: passwordless sudo (`NOPASSWD`, `Defaults
//! !authenticate`), accounts other than root with UID 0, and accounts with an empty
//! password field in `/etc/shadow` (Alpine's CVE-2019-5021). Only names and line
//! numbers leave here, never a password field.

/// Which account file an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountFile {
    /// `/etc/sudoers` or `/etc/sudoers.d/*`.
    Sudoers,
    /// `/etc/passwd`.
    Passwd,
    /// `/etc/shadow`.
    Shadow,
}

impl AccountFile {
    /// The kind of `path`, when it is one.
    pub fn of(path: &str) -> Option<Self> {
        match path {
            "/etc/passwd" => Some(Self::Passwd),
            "/etc/shadow" => Some(Self::Shadow),
            p if super::path_rules::is_sudoers(p) => Some(Self::Sudoers),
            _ => None,
        }
    }

    /// The rule that reads this file.
    pub fn rule(self) -> &'static str {
        match self {
            Self::Sudoers => "filesystem.sudo-nopasswd",
            Self::Passwd => "filesystem.uid0-alias",
            Self::Shadow => "filesystem.empty-password",
        }
    }
}

/// 1-based line of the first passwordless sudo rule.
pub fn nopasswd_line(text: &str) -> Option<usize> {
    text.lines()
        .position(|line| {
            let line = line.trim_start();
            !line.starts_with('#')
                && (line.contains("NOPASSWD")
                    || (line.starts_with("Defaults") && line.contains("!authenticate")))
        })
        .map(|n| n + 1)
}

/// (1-based line, name) of accounts other than root whose UID is 0.
pub fn uid0_aliases(passwd: &str) -> Vec<(usize, String)> {
    passwd
        .lines()
        .enumerate()
        .filter_map(|(n, line)| {
            let mut fields = line.split(':');
            let name = fields.next()?.trim();
            let uid = fields.nth(1)?.trim();
            (name != "root" && !name.is_empty() && !name.starts_with('#') && uid == "0")
                .then(|| (n + 1, name.to_owned()))
        })
        .collect()
}

/// (1-based line, name) of accounts whose password field is empty (login without one).
pub fn empty_passwords(shadow: &str) -> Vec<(usize, String)> {
    shadow
        .lines()
        .enumerate()
        .filter_map(|(n, line)| {
            let mut fields = line.split(':');
            let name = fields.next()?.trim();
            let password = fields.next()?;
            (!name.is_empty() && !name.starts_with('#') && password.is_empty())
                .then(|| (n + 1, name.to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_account_files() {
        assert_eq!(
            nopasswd_line("root ALL=(ALL) ALL\n%wheel ALL=(ALL) NOPASSWD: ALL\n"),
            Some(2)
        );
        assert_eq!(nopasswd_line("# app ALL=(ALL) NOPASSWD: ALL\n"), None);
        assert_eq!(nopasswd_line("Defaults !authenticate\n"), Some(1));
        assert_eq!(
            uid0_aliases(
                "root:x:0:0::/root:/bin/sh\ntoor:x:0:0::/:/bin/sh\napp:x:1000:0::/:/bin/sh\n"
            ),
            vec![(2, "toor".to_owned())]
        );
        assert_eq!(
            empty_passwords("root:::0:::::\nbin:!:1::\napp:*:1::\nsvc:$6$salt$hash:1::\n"),
            vec![(1, "root".to_owned())]
        );
        assert!(empty_passwords("garbage\n\n").is_empty());
        assert_eq!(
            AccountFile::of("/etc/sudoers.d/x"),
            Some(AccountFile::Sudoers)
        );
        assert_eq!(AccountFile::of("/etc/passwd-"), None);
    }
}
