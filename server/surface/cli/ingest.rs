//! `sessionlens ingest [codex|claude|terminal] [PATH…]`: discover session files — Codex
//! rollouts, Claude Code transcripts — and the commands the shell hooks spooled, read them into
//! the store, report.

use super::{Global, print};
use crate::capture::{DiscoverError, claude, codex};
use crate::config::{self, UserConfig};
use crate::ingest::gate::Gate;
use crate::ingest::spool::{self, Ignore};
use crate::ingest::{IngestOptions, IngestReport, Source};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    only: Option<Only>,
    /// Minutes without writes after which a session counts as ended.
    #[arg(long, default_value_t = 10, value_name = "MINUTES", global = true)]
    idle_minutes: u64,
    /// Events per transaction (tuning and tests).
    #[arg(long, default_value_t = crate::ingest::BATCH_EVENTS, hide = true, global = true)]
    batch_events: usize,
}

// `ingest codex` or `ingest claude`: one source instead of both.
#[derive(clap::Subcommand)]
enum Only {
    /// Codex rollout files (CLI and IDE). No path: $CODEX_HOME/sessions and archived_sessions.
    Codex {
        /// Files or folders to read.
        paths: Vec<PathBuf>,
    },
    /// Claude Code transcripts. No path: `projects/` in each folder of $CLAUDE_CONFIG_DIR, else
    /// in ~/.config/claude and ~/.claude.
    Claude {
        /// Files or folders to read.
        paths: Vec<PathBuf>,
    },
    /// Commands typed in a terminal with the shell hook (`sessionlens init SHELL`), from the
    /// spool in $SESSIONLENS_STATE_DIR, else $XDG_STATE_HOME/sessionlens.
    Terminal,
}

pub fn run(g: &Global, args: Args) -> anyhow::Result<ExitCode> {
    // Started by a hook (`codex-hook`, `claude-hook`) to derive the insights in the background:
    // its claim goes when this run ends, however it ends.
    let _claim = std::env::var_os("SESSIONLENS_REFRESH_CLAIM")
        .filter(|p| Path::new(p).file_name() == Some("refresh.claim".as_ref()))
        .map(Claim);
    // Each source with its paths (none: the source's default folders).
    let terminal = matches!(args.only, None | Some(Only::Terminal));
    let sources = match args.only {
        Some(Only::Codex { paths }) => vec![(Source::Codex, paths)],
        Some(Only::Claude { paths }) => vec![(Source::Claude, paths)],
        Some(Only::Terminal) => Vec::new(),
        None => vec![(Source::Codex, Vec::new()), (Source::Claude, Vec::new())],
    };
    let opts = IngestOptions {
        idle_after: std::time::Duration::from_secs(args.idle_minutes * 60),
        batch_events: args.batch_events.max(1),
        ..IngestOptions::default()
    };
    let gate = g.gate()?;
    let store = g.store()?;
    let mut files: Vec<(Source, PathBuf)> = Vec::new();
    let mut searched: Vec<PathBuf> = Vec::new();
    let mut errors: Vec<DiscoverError> = Vec::new();
    let mut defaulted = true;
    for (source, paths) in &sources {
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
    let mut report = ingest_with_progress(&store, &gate, &files, &opts, g.json);
    // What hooks could not store while another process held the store.
    if report.store_error.is_none()
        && let Err(e) = gate.drain(&store, &config::state_dir()?)
    {
        report.store_error = Some(e.to_string());
    }
    if terminal && report.store_error.is_none() {
        let ignore = Ignore::new(&UserConfig::load()?.terminal_ignore)?;
        report.terminal = Some(spool::consume(
            &store,
            &gate,
            &config::state_dir()?,
            &ignore,
            std::time::Duration::ZERO,
        )?);
    }
    // Retention, when the settings file asks for it: what is older than the window is erased.
    if report.store_error.is_none()
        && let Some(days) = UserConfig::load()?.retention_days
    {
        match crate::ingest::retention::apply(&store, days) {
            Ok(done) => report.retention_erased = Some(done.seqs.len() as u64),
            Err(e) => report.store_error = Some(e.to_string()),
        }
    }
    // The insights, brought up to what was stored, so the next hook's briefing is current: only
    // the sessions after the cached checkpoint are derived again (everything, the first time).
    if report.store_error.is_none() {
        match crate::knowledge::snapshot::Knowledge::refresh_cache(&store, true) {
            Ok(made) => tracing::debug!("insights: {made:?}"),
            Err(e) => tracing::warn!("bringing the insights up to date: {e:#}"),
        }
    }
    for e in errors {
        report.errors.push(crate::ingest::FileError {
            path: e.path.display().to_string(),
            error: e.error,
        });
    }
    if g.json {
        print::json(&report)?;
    } else {
        if defaulted && files.is_empty() && !sources.is_empty() {
            let what = match sources.as_slice() {
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
        print::ingest_report(&report, store.path());
    }
    if report.retention_erased.is_some_and(|n| n > 0) {
        // Rewrite the file so the erased bytes leave the disk, when nothing else has it open.
        let path = store.path().to_owned();
        drop(store);
        if !g.json {
            println!(
                "Retention: erased {} events older than the window{}",
                report.retention_erased.unwrap_or(0),
                match crate::store::Store::purge(&path) {
                    Ok(true) => "; the store file was rewritten without them",
                    _ => " (their bytes leave the file at the next `sessionlens forget --purge`)",
                }
            );
        }
    }
    if let Some(e) = &report.store_error {
        eprintln!(
            "error: {e}\nNothing read after the last commit was lost: the next `sessionlens ingest` reads on from there."
        );
        return Ok(ExitCode::FAILURE);
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
    gate: &Gate,
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
    let report = crate::ingest::ingest(store, gate, files, opts, &mut on_bytes);
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    report
}

/// A hook's claim on the background refresh, given up when the run ends.
struct Claim(std::ffi::OsString);

impl Drop for Claim {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
