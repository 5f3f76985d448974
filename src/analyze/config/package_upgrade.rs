//! Recognises a whole-system package upgrade in a RUN command (`apt-get upgrade`,
//! `apt-get dist-upgrade`, `yum update` with no package named, `apk upgrade`, …). The
//! command is split on shell separators and options are skipped, so `apt-get -y
//! upgrade` counts and `yum update openssl` (a targeted fix) does not.

/// The package manager and subcommand of the first whole-system upgrade in `command`.
pub fn whole_system_upgrade(command: &str) -> Option<String> {
    for simple in command.split(['&', ';', '|', '\n', '(', ')']) {
        let words: Vec<&str> = simple
            .split_whitespace()
            .map(|w| w.trim_matches(|c| c == '"' || c == '\''))
            .skip_while(|w| matches!(*w, "sudo" | "env" | "exec" | "command") || w.contains('='))
            .collect();
        let Some((tool, rest)) = words.split_first() else {
            continue;
        };
        let tool = tool.rsplit('/').next().unwrap_or(tool);
        let mut args = rest.iter().filter(|w| !w.starts_with('-'));
        let Some(sub) = args.next() else {
            continue;
        };
        let named_packages = args.next().is_some();
        let all = match tool {
            "apt-get" | "apt" | "aptitude" => {
                matches!(
                    *sub,
                    "upgrade" | "dist-upgrade" | "full-upgrade" | "safe-upgrade"
                )
            }
            "yum" | "dnf" | "microdnf" | "tdnf" => {
                matches!(*sub, "update" | "upgrade" | "distro-sync") && !named_packages
            }
            "apk" => *sub == "upgrade" && !named_packages,
            "zypper" => matches!(*sub, "update" | "up" | "dist-upgrade" | "dup") && !named_packages,
            _ => false,
        };
        if all {
            return Some(format!("{tool} {sub}"));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_whole_system_upgrades_only() {
        assert_eq!(
            whole_system_upgrade("apt-get update && apt-get -y upgrade").as_deref(),
            Some("apt-get upgrade")
        );
        assert_eq!(
            whole_system_upgrade("DEBIAN_FRONTEND=noninteractive apt-get dist-upgrade -y")
                .as_deref(),
            Some("apt-get dist-upgrade")
        );
        assert_eq!(
            whole_system_upgrade("yum -y update").as_deref(),
            Some("yum update")
        );
        assert_eq!(
            whole_system_upgrade("apk upgrade --no-cache").as_deref(),
            Some("apk upgrade")
        );
        assert_eq!(whole_system_upgrade("yum update -y openssl"), None);
        assert_eq!(
            whole_system_upgrade("apt-get update && apt-get install -y curl"),
            None
        );
        assert_eq!(whole_system_upgrade("echo upgrade"), None);
        assert_eq!(whole_system_upgrade("pip install --upgrade pip"), None);
    }
}
