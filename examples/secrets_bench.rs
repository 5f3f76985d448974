//! Secret-scanner micro-benchmark: MB/s per core over a mixed corpus read from
//! directories (text and binary files kept apart), or a synthetic text corpus.
//!
//! `cargo run --release --example secrets_bench -- [--mb 512] [DIR ...]`
//! (with `--features vectorscan` and `IMGGUARD_BENCH_VECTORSCAN=1` for that back end)

use std::io::Write as _;
use std::path::{Path, PathBuf};

use imgguard::analyze::secrets::{RuleSet, Scanner, bench, strings};

fn collect(dir: &Path, limit: usize, text: &mut Vec<u8>, binary: &mut Vec<u8>) {
    let mut stack: Vec<PathBuf> = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        if text.len() + binary.len() >= limit {
            return;
        }
        let Ok(meta) = fs_err::symlink_metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            if let Ok(entries) = fs_err::read_dir(&path) {
                let mut children: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
                children.sort();
                stack.extend(children.into_iter().rev());
            }
        } else if meta.is_file()
            && meta.len() <= 64 * 1024 * 1024
            && let Ok(content) = fs_err::read(&path)
        {
            if strings::looks_binary(&content) {
                binary.extend_from_slice(&content);
            } else {
                text.extend_from_slice(&content);
            }
        }
    }
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1).peekable();
    let mut limit_mb = 512usize;
    let mut dirs = Vec::new();
    while let Some(arg) = args.next() {
        if arg == "--mb" {
            limit_mb = args.next().and_then(|v| v.parse().ok()).unwrap_or(limit_mb);
        } else {
            dirs.push(PathBuf::from(arg));
        }
    }
    let rules = RuleSet::builtin().map_err(std::io::Error::other)?;
    #[cfg(feature = "vectorscan")]
    let scanner = if std::env::var_os("IMGGUARD_BENCH_VECTORSCAN").is_some() {
        let keywords = Scanner::keywords_of(&rules);
        let prefilter =
            imgguard::analyze::secrets::vectorscan_prefilter::VectorscanPrefilter::new(&keywords)
                .map_err(std::io::Error::other)?;
        Scanner::with_prefilter(&rules, keywords, Box::new(prefilter))
    } else {
        Scanner::new(&rules).map_err(std::io::Error::other)?
    };
    #[cfg(not(feature = "vectorscan"))]
    let scanner = Scanner::new(&rules).map_err(std::io::Error::other)?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "rules: {}, keywords: {}, prefilter: {}",
        rules.len(),
        scanner.keywords().len(),
        scanner.prefilter_name()
    )?;
    let (mut text, mut binary) = (Vec::new(), Vec::new());
    if dirs.is_empty() {
        text = bench::synthetic_text_corpus(limit_mb * 1024 * 1024);
    }
    for dir in &dirs {
        collect(dir, limit_mb * 1024 * 1024, &mut text, &mut binary);
    }
    let report = |out: &mut std::io::StdoutLock<'_>, name: &str, r: bench::BenchResult| {
        writeln!(
            out,
            "{name:<28} {:>8.1} MB in {:>6.3} s = {:>7.1} MB/s ({} matches)",
            r.mb_per_second() * r.seconds,
            r.seconds,
            r.mb_per_second(),
            r.matches
        )
    };
    if !text.is_empty() {
        if std::env::var_os("IMGGUARD_BENCH_TOP_KEYWORDS").is_some() {
            let mut counts = vec![0u64; scanner.keywords().len()];
            let mut hits = Vec::new();
            for shard in 0..scanner.shard_count() {
                hits.clear();
                scanner.hits_between(shard, &text, 0, text.len(), &mut hits);
                for hit in &hits {
                    if let Some(c) = counts.get_mut(hit.keyword as usize) {
                        *c += 1;
                    }
                }
            }
            let mut ranked: Vec<(u64, &String)> =
                counts.into_iter().zip(scanner.keywords()).collect();
            ranked.sort_unstable_by_key(|r| std::cmp::Reverse(r.0));
            for (count, keyword) in ranked.iter().take(20) {
                writeln!(out, "  {count:>9} {keyword:?}")?;
            }
        }
        let r = bench::time_prefilter_only(&scanner, &text);
        report(&mut out, "text keyword prefilter only", r)?;
        let r = bench::time_stream_scan(&scanner, &text, 1 << 20);
        report(&mut out, "text (stream, 1 MiB chunks)", r)?;
    }
    if !binary.is_empty() {
        let r = bench::time_stream_scan(&scanner, &binary, 1 << 20);
        report(&mut out, "binary raw", r)?;
        let start = std::time::Instant::now();
        let extracted = strings::printable_strings(&binary, strings::DEFAULT_MIN_RUN);
        let extract_s = start.elapsed().as_secs_f64();
        let mut r = bench::time_stream_scan(&scanner, &extracted, 1 << 20);
        r.seconds += extract_s;
        r.bytes = binary.len() as u64;
        report(&mut out, "binary via strings", r)?;
    }
    let mut mixed = text;
    mixed.extend_from_slice(&binary);
    if !mixed.is_empty() {
        let r = bench::time_stream_scan(&scanner, &mixed, 1 << 20);
        report(&mut out, "mixed raw", r)?;
    }
    Ok(())
}
