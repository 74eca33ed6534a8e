//! Live ingest: follows Codex's session folders, Claude Code's transcript folders and the shell
//! hooks' spool while a long-lived process runs (the language server), so each turn of a running
//! session (the chat panel beside the editor, a terminal beside it) and each command typed in a
//! terminal reaches the store within a second or two, with no CLI step. (Claude Code deletes transcripts after 30 days by default: following them keeps
//! them.) File events come from the OS (notify); a slow rescan backs them up for file systems
//! that drop events, and picks up folders created later.
//!
//! Write side only: the watcher knows the store and the folders, never who runs it. Its owner
//! answers two questions — whether to stop, and what to make of each ingest pass's report — and
//! does the rest (the language server reloads its knowledge and refreshes the editor).

use super::gate::Gate;
use super::{IngestOptions, IngestReport, Source, ingest, spool};
use crate::capture::{claude, codex};
use crate::store::Store;
use notify::{RecursiveMode, Watcher};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// Events arriving this close together are one burst: ingest once after it.
const SETTLE: Duration = Duration::from_millis(100);
/// How often to rescan everything, whatever the OS reported.
const RESCAN: Duration = Duration::from_secs(30);

/// The folders followed, each with the source whose files it holds: Codex's under its home,
/// Claude Code's under its configuration folders.
fn roots(home: &Path) -> Vec<(Source, PathBuf)> {
    let codex = codex::default_roots(home)
        .into_iter()
        .map(|r| (Source::Codex, r));
    let claude = claude::default_roots()
        .into_iter()
        .map(|r| (Source::Claude, r));
    codex.chain(claude).collect()
}

/// The shell hooks' spool and the events hooks left pending, read into the store, counted as
/// added events.
fn with_spool(
    store: &Store,
    gate: &Gate,
    state: Option<&Path>,
    mut report: IngestReport,
) -> IngestReport {
    let Some(state) = state else {
        return report;
    };
    match gate.drain(store, state) {
        Ok(d) => report.events_added += d.added,
        Err(e) => tracing::warn!("pending hook events: {e}"),
    }
    let ignore = match crate::config::UserConfig::load()
        .and_then(|c| spool::Ignore::new(&c.terminal_ignore))
    {
        Ok(i) => i,
        Err(e) => {
            // Recording what the developer asked to keep out would be worse than waiting.
            tracing::warn!("terminal commands wait until the settings file reads: {e}");
            return report;
        }
    };
    match spool::consume(store, gate, state, &ignore, spool::SAME_COMMAND) {
        Ok(t) => {
            report.events_added += t.commands;
            report.terminal = Some(t);
        }
        Err(e) => tracing::warn!("terminal commands: {e}"),
    }
    report
}

/// When to read the spool again, if a pass left commands in it for an editor's report.
fn waiting(report: &IngestReport) -> Option<Instant> {
    report
        .terminal
        .as_ref()
        .filter(|t| t.waiting > 0)
        .map(|_| Instant::now() + spool::SAME_COMMAND)
}

/// Everything in the followed folders, the way `sessionlens ingest` reads it.
pub fn ingest_all(store: &Store, gate: &Gate, home: &Path) -> IngestReport {
    let mut files = Vec::new();
    for (source, root) in roots(home) {
        let (found, _) = match source {
            Source::Codex => codex::discover(std::slice::from_ref(&root), true),
            Source::Claude => claude::discover(std::slice::from_ref(&root), true),
        };
        files.extend(found.into_iter().map(|f| (source, f)));
    }
    ingest(store, gate, &files, &IngestOptions::default(), &mut |_| {})
}

/// The session files a reported path stands for: the file itself, or — for a folder created
/// inside a followed one (a new project or day folder) — the session files already in it, which
/// may have been written before the OS began reporting on the new folder.
fn changed_files(roots: &[(Source, PathBuf)], p: PathBuf, created: bool) -> Vec<(PathBuf, Source)> {
    if let Some(source) = source_of(roots, &p) {
        return vec![(p, source)];
    }
    if !created {
        return Vec::new();
    }
    let Some((source, _)) = roots.iter().find(|(_, r)| p.starts_with(r) && p != *r) else {
        return Vec::new();
    };
    if !p.is_dir() {
        return Vec::new();
    }
    let (found, _) = match source {
        Source::Codex => codex::discover(std::slice::from_ref(&p), true),
        Source::Claude => claude::discover(std::slice::from_ref(&p), true),
    };
    found.into_iter().map(|f| (f, *source)).collect()
}

/// The source of a changed file, when it is a session file inside a followed folder.
fn source_of(roots: &[(Source, PathBuf)], p: &Path) -> Option<Source> {
    let (source, _) = roots.iter().find(|(_, r)| p.starts_with(r))?;
    let named = match source {
        Source::Codex => codex::is_rollout_name(p),
        Source::Claude => claude::is_transcript_name(p),
    };
    named.then_some(*source)
}

/// Why an ingest pass ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// Everything, once, when following starts.
    CatchUp,
    /// The files the OS reported changed.
    Changed,
    /// Everything again, on the slow timer (or at each change when the OS reports nothing).
    Rescan,
}

/// Who runs the watcher: asked every second whether to stop, told the report of each pass.
pub trait Owner: Send + 'static {
    fn stopping(&self) -> bool;
    fn ingested(&mut self, pass: Pass, report: &IngestReport);
}

/// Follows the folders under `home` (Codex's) and Claude Code's on a thread of its own, ingesting
/// into `store` through `gate`, until its owner is stopping.
pub fn start(
    store: Arc<Store>,
    gate: Arc<Gate>,
    home: PathBuf,
    owner: impl Owner,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("sessionlens-watch".into())
        .spawn(move || run(&store, &gate, &home, owner))?;
    Ok(())
}

/// How often a running watcher applies retention (`retention_days` in the settings file).
const RETENTION_EVERY: Duration = Duration::from_secs(60 * 60);

/// Applies retention if the settings file asks for it; how many events it erased.
fn retain(store: &Store) -> Option<u64> {
    let days = match crate::config::UserConfig::load() {
        Ok(c) => c.retention_days?,
        Err(e) => {
            tracing::warn!("retention waits until the settings file reads: {e}");
            return None;
        }
    };
    match super::retention::apply(store, days) {
        Ok(done) => Some(done.seqs.len() as u64),
        Err(e) => {
            tracing::warn!("retention: {e}");
            None
        }
    }
}

fn run(store: &Store, gate: &Gate, home: &Path, mut owner: impl Owner) {
    let (tx, rx) = channel();
    let mut watcher = match notify::recommended_watcher(move |res| {
        let _ = tx.send(res);
    }) {
        Ok(w) => Some(w),
        Err(e) => {
            tracing::warn!("no file events ({e}); rescanning every {RESCAN:?}");
            None
        }
    };
    let roots = roots(home);
    // The spool's folder, made (private) if the shells have not made it yet, so it can be watched.
    let state = crate::config::state_dir()
        .ok()
        .filter(|d| crate::config::private_dir(d).is_ok());
    let spool_file = state.as_deref().map(crate::config::spool_path);
    let mut watched: BTreeSet<PathBuf> = BTreeSet::new();
    let mut follow = |watcher: &mut Option<notify::RecommendedWatcher>| {
        let Some(w) = watcher.as_mut() else { return };
        if let Some(dir) = &state
            && !watched.contains(dir)
        {
            match w.watch(dir, RecursiveMode::NonRecursive) {
                Ok(()) => {
                    watched.insert(dir.clone());
                }
                Err(e) => tracing::warn!("cannot watch {}: {e}", dir.display()),
            }
        }
        for (_, root) in &roots {
            if !watched.contains(root) && root.is_dir() {
                match w.watch(root, RecursiveMode::Recursive) {
                    Ok(()) => {
                        tracing::info!("watching {}", root.display());
                        watched.insert(root.clone());
                    }
                    Err(e) => tracing::warn!("cannot watch {}: {e}", root.display()),
                }
            }
        }
    };
    // Watch first, then catch up: a file written during the catch-up is then both read and
    // reported, never neither (reading it twice adds nothing).
    follow(&mut watcher);
    let report = with_spool(store, gate, state.as_deref(), ingest_all(store, gate, home));
    tracing::info!(
        "catch-up ingest of {}: {} files, {} events added",
        home.display(),
        report.files,
        report.events_added
    );
    // Commands that ended too recently to store yet: when to look at the spool again.
    let mut spool_due = waiting(&report);
    let mut report = report;
    report.retention_erased = retain(store);
    owner.ingested(Pass::CatchUp, &report);
    let mut last_scan = Instant::now();
    let mut last_retention = Instant::now();
    loop {
        if owner.stopping() {
            return;
        }
        if last_retention.elapsed() >= RETENTION_EVERY {
            last_retention = Instant::now();
            let report = IngestReport {
                retention_erased: retain(store),
                ..IngestReport::default()
            };
            owner.ingested(Pass::Rescan, &report);
        }
        follow(&mut watcher);
        let mut changed: BTreeSet<(PathBuf, Source)> = BTreeSet::new();
        let mut typed = false;
        match rx.recv_timeout(Duration::from_secs(1)) {
            Ok(first) => {
                let mut take = |res: notify::Result<notify::Event>| match res {
                    // Reading a file or folder is reported too (our own reads among them):
                    // only writes, creations and moves can bring new lines.
                    Ok(ev) if ev.kind.is_access() => {}
                    Ok(ev) => {
                        let created = ev.kind.is_create();
                        for p in ev.paths {
                            if spool_file.as_ref() == Some(&p) {
                                typed = true;
                                continue;
                            }
                            changed.extend(changed_files(&roots, p, created));
                        }
                    }
                    Err(e) => tracing::debug!("watch: {e}"),
                };
                take(first);
                while let Ok(more) = rx.recv_timeout(SETTLE) {
                    take(more);
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => watcher = None,
        }
        if spool_due.is_some_and(|due| Instant::now() >= due) {
            spool_due = None;
            typed = true;
        }
        let pass = if last_scan.elapsed() >= RESCAN || (watcher.is_none() && !changed.is_empty()) {
            last_scan = Instant::now();
            let report = with_spool(store, gate, state.as_deref(), ingest_all(store, gate, home));
            Some((Pass::Rescan, report))
        } else if !changed.is_empty() || typed {
            let files: Vec<(Source, PathBuf)> = changed
                .into_iter()
                .filter(|(p, _)| p.is_file())
                .map(|(p, s)| (s, p))
                .collect();
            let report = ingest(store, gate, &files, &IngestOptions::default(), &mut |_| {});
            let report = if typed {
                with_spool(store, gate, state.as_deref(), report)
            } else {
                report
            };
            for e in &report.errors {
                tracing::warn!("ingest {}: {}", e.path, e.error);
            }
            Some((Pass::Changed, report))
        } else {
            None
        };
        if let Some((pass, report)) = pass {
            if report.terminal.is_some() {
                spool_due = waiting(&report);
            }
            if report.events_added > 0 {
                tracing::info!("live ingest: {} events", report.events_added);
            }
            owner.ingested(pass, &report);
        }
        if watcher.is_none() && last_scan.elapsed() < RESCAN {
            std::thread::sleep(Duration::from_secs(1));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reported_path_stands_for_the_session_files_it_holds() {
        let dir = tempfile::tempdir().unwrap();
        let codex = dir.path().join("sessions");
        let claude = dir.path().join("projects");
        let day = codex.join("2026/11/18");
        std::fs::create_dir_all(&day).unwrap();
        std::fs::create_dir_all(&claude).unwrap();
        let rollout = day.join("rollout-2026-11-18T10-00-00-x.jsonl");
        std::fs::write(&rollout, "{}\n").unwrap();
        std::fs::write(day.join(".rollout.jsonl.tmp"), "").unwrap();
        let roots = vec![
            (Source::Codex, codex.clone()),
            (Source::Claude, claude.clone()),
        ];

        let transcript = claude.join("-w/0f3c2a4e.jsonl");
        assert_eq!(
            changed_files(&roots, transcript.clone(), false),
            vec![(transcript, Source::Claude)]
        );
        // A folder created while followed: the files already in it, which the OS may never report.
        assert_eq!(
            changed_files(&roots, codex.join("2026"), true),
            vec![(rollout.clone(), Source::Codex)]
        );
        assert!(changed_files(&roots, codex.join("2026"), false).is_empty());
        assert!(changed_files(&roots, day.join("notes.txt"), false).is_empty());
        assert!(changed_files(&roots, dir.path().join("elsewhere.jsonl"), false).is_empty());
        assert!(
            changed_files(&roots, codex.clone(), true).is_empty(),
            "a root itself"
        );
    }
}
