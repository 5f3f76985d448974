//! The secrets analyzer as the layer engine uses it: one compiled scanner, the scan
//! options and the content cache for a whole image. Files are scanned through
//! [`FileScan`] (many in parallel; the analyzer is `Sync`), the image config through
//! [`SecretsAnalyzer::scan_config`].

use super::config_scan::scan_image_config;
use super::file_scan::{ContentCache, FileScan, FileScanOptions};
use super::prefilter::PrefilterError;
use super::rule_set::{RuleError, RuleSet};
use super::scanner::Scanner;
use super::secret_finding::SecretFinding;

/// A failure to set up secret scanning.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum SecretsError {
    /// A rule pack is invalid.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Rules(#[from] RuleError),
    /// The keyword prefilter could not be built.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Prefilter(#[from] PrefilterError),
}

/// Secret scanning for one image.
#[derive(Debug)]
pub struct SecretsAnalyzer {
    scanner: Scanner,
    options: FileScanOptions,
    cache: ContentCache,
}

impl SecretsAnalyzer {
    /// The built-in rules plus the given user packs.
    pub fn new(extra_packs: &[RuleSet], options: FileScanOptions) -> Result<Self, SecretsError> {
        let mut rules = RuleSet::builtin()?;
        for pack in extra_packs {
            rules.extend(pack)?;
        }
        Ok(Self {
            scanner: Scanner::new(&rules)?,
            options,
            cache: ContentCache::default(),
        })
    }

    /// The compiled scanner (rules, keywords).
    pub fn scanner(&self) -> &Scanner {
        &self.scanner
    }

    /// The cache shared by every file of the image.
    pub fn cache(&self) -> &ContentCache {
        &self.cache
    }

    /// Start scanning one layer file; feed it chunks, then `finish(analyzer.cache())`.
    pub fn start_file(&self, path: &str) -> FileScan<'_> {
        FileScan::new(&self.scanner, self.options, path)
    }

    /// Scan the image config document (Env, Labels, Cmd, Entrypoint, Healthcheck,
    /// history and build arguments).
    pub fn scan_config(&self, config: &serde_json::Value) -> Vec<SecretFinding> {
        scan_image_config(&self.scanner, config)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    #[test]
    fn analyzer_is_shareable_across_threads_and_scans_files() {
        fn assert_sync<T: Sync + Send>() {}
        assert_sync::<SecretsAnalyzer>();
        let analyzer = SecretsAnalyzer::new(&[], FileScanOptions::default()).unwrap();
        let mut file = analyzer.start_file("/app/.env");
        file.feed(b"DB_PASS=ComplexPassword123\nDB_USER=readonly_user\n");
        let result = file.finish(analyzer.cache());
        assert_eq!(result.findings.len(), 1);
        assert_eq!(
            result.findings[0].rule,
            "secret.database-password-assignment"
        );
        assert_eq!(result.findings[0].line, Some(1));
    }
}
