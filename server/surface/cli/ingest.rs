//! `sessionlens ingest [codex|claude] [PATH…]`: discover session files — Codex rollouts, Claude
//! Code transcripts, or both — read them into the store, report.

use crate::capture::{DiscoverError, claude, codex};
use crate::ingest::{IngestOptions, IngestReport, Source};
use crate::knowledge::text;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// What to read: each source with its paths (none: the source's default folders).
pub fn run(
    data_dir: Option<&Path>,
    sources: &[(Source, Vec<PathBuf>)],
    opts: &IngestOptions,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let store = super::open_store(data_dir)?;
    let mut files: Vec<(Source, PathBuf)> = Vec::new();
    let mut searched: Vec<PathBuf> = Vec::new();
    let mut errors: Vec<DiscoverError> = Vec::new();
    let mut defaulted = true;
    for (source, paths) in sources {
        let (roots, missing_ok) = if paths.is_empty() {
            (default_roots(*source, sources.len() == 1)?, true)
        } else {
            defaulted = false;
            (paths.clone(), false)
        };
        let (found, errs) = match source {
            Source::Codex => codex::discover(&roots, missing_ok),
            Source::Claude => claude::discover(&roots, missing_ok),
        };
        files.extend(found.into_iter().map(|f| (*source, f)));
        errors.extend(errs);
        searched.extend(roots);
    }
    let mut report = ingest_with_progress(&store, &files, opts, json);
    for e in errors {
        report.errors.push(crate::ingest::FileError {
            path: e.path.display().to_string(),
            error: e.error,
        });
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        if defaulted && files.is_empty() {
            let what = match sources {
                [(Source::Codex, _)] => "Codex sessions",
                [(Source::Claude, _)] => "Claude Code sessions",
                _ => "sessions",
            };
            println!(
                "No {what} found under {}",
                searched
                    .iter()
                    .map(|r| r.display().to_string())
                    .collect::<Vec<_>>()
                    .join(" or ")
            );
        }
        print_report(&report, store.path());
    }
    Ok(
        if report.errors.is_empty() || report.errors.len() < report.files as usize {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(2)
        },
    )
}

/// Where a source keeps its sessions. Codex's home is required only when Codex alone was asked
/// for (`ingest codex` with no home is an error; plain `ingest` just reads Claude Code's).
fn default_roots(source: Source, only: bool) -> anyhow::Result<Vec<PathBuf>> {
    Ok(match source {
        Source::Codex => match crate::config::codex_home() {
            Some(home) => codex::default_roots(&home),
            None if only => {
                anyhow::bail!("cannot find Codex's home: set CODEX_HOME or pass paths")
            }
            None => Vec::new(),
        },
        Source::Claude => claude::default_roots(),
    })
}

/// Ingests with a progress bar on stderr when it is a terminal.
pub fn ingest_with_progress(
    store: &crate::store::Store,
    files: &[(Source, PathBuf)],
    opts: &IngestOptions,
    quiet: bool,
) -> IngestReport {
    let total: u64 = files
        .iter()
        .filter_map(|(_, f)| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let bar = (!quiet && std::io::stderr().is_terminal() && total > 0).then(|| {
        let bar = indicatif::ProgressBar::new(total);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} reading sessions [{bar:30}] {bytes}/{total_bytes} {eta}",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        bar
    });
    let mut on_bytes = |n: u64| {
        if let Some(b) = &bar {
            b.inc(n);
        }
    };
    let report = crate::ingest::ingest(store, files, opts, &mut on_bytes);
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    report
}

pub fn print_report(r: &IngestReport, store: &Path) {
    println!(
        "Read {} file{} ({} new, {} updated, {} unchanged{}{}), {}, {} lines",
        r.files,
        if r.files == 1 { "" } else { "s" },
        r.files_new,
        r.files_updated,
        r.files_unchanged,
        if r.files_replaced > 0 {
            format!(", {} rewritten by Codex and read again", r.files_replaced)
        } else {
            String::new()
        },
        if r.files_reread > 0 {
            format!(", {} changed in place and read again", r.files_reread)
        } else {
            String::new()
        },
        text::bytes(r.bytes_read),
        r.lines.lines,
    );
    println!(
        "Added {} events to {} session{}{}",
        r.events_added,
        r.sessions,
        if r.sessions == 1 { "" } else { "s" },
        if r.events_already_stored > 0 {
            format!(" ({} already stored)", r.events_already_stored)
        } else {
            String::new()
        }
    );
    let unknown: u64 = r.lines.unknown.values().sum();
    if r.lines.skipped() > 0 {
        let mut parts = Vec::new();
        if unknown > 0 {
            let kinds: Vec<String> = r
                .lines
                .unknown
                .iter()
                .map(|(k, n)| format!("{k} ×{n}"))
                .collect();
            parts.push(format!("{unknown} of unknown kinds ({})", kinds.join(", ")));
        }
        if r.lines.malformed > 0 {
            parts.push(format!("{} not valid JSON", r.lines.malformed));
        }
        if r.lines.oversized > 0 {
            parts.push(format!(
                "{} longer than {} MiB (inline images)",
                r.lines.oversized,
                crate::capture::lines::MAX_LINE >> 20
            ));
        }
        println!("Skipped {} lines: {}", r.lines.skipped(), parts.join("; "));
    }
    if r.lines.invalid_utf8 > 0 {
        println!(
            "{} line{} had invalid UTF-8 and {} decoded with replacement characters",
            r.lines.invalid_utf8,
            if r.lines.invalid_utf8 == 1 { "" } else { "s" },
            if r.lines.invalid_utf8 == 1 {
                "was"
            } else {
                "were"
            }
        );
    }
    if r.lines.inherited > 0 {
        println!(
            "{} line{} copied from another thread (a sub-agent's or fork's parent) counted there, not again",
            r.lines.inherited,
            if r.lines.inherited == 1 { "" } else { "s" },
        );
    }
    if r.partial_lines > 0 {
        println!(
            "{} file{} end{} in a line still being written; it will be read next time",
            r.partial_lines,
            if r.partial_lines == 1 { "" } else { "s" },
            if r.partial_lines == 1 { "s" } else { "" }
        );
    }
    for e in &r.errors {
        println!("error: {}: {}", e.path, e.error);
    }
    println!("Store: {}", store.display());
}
