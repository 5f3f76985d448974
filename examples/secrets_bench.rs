//! Secret-scanner micro-benchmark: MB/s per core over a mixed corpus read from
//! directories (text and binary files kept apart), or a synthetic text corpus.
//!
//! `cargo run --release --example secrets_bench -- [--text-mb 320] [--binary-mb 320]
//! [--backend aho-corasick|vectorscan] [--repeat 3] [DIR ...]` (`vectorscan` needs `--features vectorscan`;
//! the default is the scanner's default back end).
//! Files are read in sorted path order until each class has its budget, so the corpus
//! is the same on every run on the same machine; a digest of the findings (rule, offset,
//! value fingerprint) lets two engines or two commits be compared.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use imgguard::analyze::secrets::{Backend, RuleSet, Scanner, bench, strings};

fn collect(dir: &Path, limits: (usize, usize), text: &mut Vec<u8>, binary: &mut Vec<u8>) {
    let mut stack: Vec<PathBuf> = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        if text.len() >= limits.0 && binary.len() >= limits.1 {
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
                if binary.len() < limits.1 {
                    binary.extend_from_slice(&content);
                }
            } else if text.len() < limits.0 {
                text.extend_from_slice(&content);
            }
        }
    }
}

/// The fastest of `n` runs: on a shared machine the slower runs measure the neighbours.
fn best_of(n: usize, mut run: impl FnMut() -> bench::BenchResult) -> bench::BenchResult {
    let mut best = run();
    for _ in 1..n {
        let next = run();
        if next.seconds < best.seconds {
            best = next;
        }
    }
    best
}

#[expect(clippy::cast_precision_loss, reason = "benchmark arithmetic")]
fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1e6
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1).peekable();
    let (mut text_mb, mut binary_mb) = (320usize, 320usize);
    let mut dirs = Vec::new();
    let mut backend = Backend::default();
    let mut repeat = 3usize;
    while let Some(arg) = args.next() {
        if arg == "--text-mb" {
            text_mb = args.next().and_then(|v| v.parse().ok()).unwrap_or(text_mb);
        } else if arg == "--binary-mb" {
            binary_mb = args
                .next()
                .and_then(|v| v.parse().ok())
                .unwrap_or(binary_mb);
        } else if arg == "--repeat" {
            repeat = args
                .next()
                .and_then(|v| v.parse().ok())
                .unwrap_or(repeat)
                .max(1);
        } else if arg == "--backend" {
            let name = args.next().unwrap_or_default();
            backend = Backend::from_name(&name).ok_or_else(|| {
                let built: Vec<&str> = Backend::ALL.iter().map(|b| b.name()).collect();
                std::io::Error::other(format!(
                    "unknown or not built back end {name:?}; built: {}",
                    built.join(", ")
                ))
            })?;
        } else {
            dirs.push(PathBuf::from(arg));
        }
    }
    let rules = RuleSet::builtin().map_err(std::io::Error::other)?;
    let scanner = Scanner::with_backend(&rules, backend).map_err(std::io::Error::other)?;
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
        text = bench::synthetic_text_corpus(text_mb * 1024 * 1024);
    }
    let limits = (text_mb * 1024 * 1024, binary_mb * 1024 * 1024);
    for dir in &dirs {
        collect(dir, limits, &mut text, &mut binary);
    }
    writeln!(
        out,
        "corpus: {:.1} MB text + {:.1} MB binary, findings digest {}",
        mb(text.len()),
        mb(binary.len()),
        bench::findings_digest(&scanner, &text, &binary)
    )?;
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
        let r = best_of(repeat, || bench::time_prefilter_only(&scanner, &text));
        report(&mut out, "text keyword prefilter only", r)?;
    }
    let text_scan = best_of(repeat, || bench::time_stream_scan(&scanner, &text, 1 << 20));
    if !text.is_empty() {
        report(&mut out, "text (stream, 1 MiB chunks)", text_scan)?;
    }
    let mut binary_scan = bench::BenchResult {
        bytes: 0,
        seconds: 0.0,
        matches: 0,
    };
    if !binary.is_empty() {
        let r = best_of(repeat, || {
            bench::time_stream_scan(&scanner, &binary, 1 << 20)
        });
        report(&mut out, "binary raw (not the engine)", r)?;
        binary_scan = best_of(repeat, || {
            let cpu = bench::thread_cpu_seconds();
            let start = std::time::Instant::now();
            let extracted = strings::printable_strings(&binary, strings::DEFAULT_MIN_RUN);
            let extract_s = match (cpu, bench::thread_cpu_seconds()) {
                (Some(before), Some(after)) if after > before => after - before,
                _ => start.elapsed().as_secs_f64(),
            };
            let mut scan = bench::time_stream_scan(&scanner, &extracted, 1 << 20);
            scan.seconds += extract_s;
            scan.bytes = binary.len() as u64;
            scan
        });
        report(&mut out, "binary via strings", binary_scan)?;
    }
    let mixed = bench::BenchResult {
        bytes: text_scan.bytes + binary_scan.bytes,
        seconds: text_scan.seconds + binary_scan.seconds,
        matches: text_scan.matches + binary_scan.matches,
    };
    report(&mut out, "mixed (as the engine scans)", mixed)?;
    writeln!(
        out,
        "scanner per core: text {:.0} MB/s, mixed {:.0} MB/s (target >= 1000 MB/s on text)",
        text_scan.mb_per_second(),
        mixed.mb_per_second()
    )?;
    Ok(())
}
