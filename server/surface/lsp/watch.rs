//! Live ingest: follows Codex's session folders and Claude Code's transcript folders while the
//! editor is open, so each turn of a running session (the chat panel beside the editor, a
//! terminal beside it) reaches hovers and lenses within a second or two, with no CLI step. (Claude
//! Code deletes transcripts after 30 days by default: following them keeps them.) File events come
//! from the OS (notify); a slow rescan backs them up for file systems that drop events, and picks
//! up folders created later.

use super::server::Shared;
use crate::capture::{claude, codex};
use crate::ingest::{IngestOptions, IngestReport, Source, ingest};
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

/// Everything in the followed folders, the way `sessionlens ingest` reads it.
pub fn ingest_all(store: &Store, home: &Path) -> IngestReport {
    let mut files = Vec::new();
    for (source, root) in roots(home) {
        let (found, _) = match source {
            Source::Codex => codex::discover(std::slice::from_ref(&root), true),
            Source::Claude => claude::discover(std::slice::from_ref(&root), true),
        };
        files.extend(found.into_iter().map(|f| (source, f)));
    }
    ingest(store, &files, &IngestOptions::default(), &mut |_| {})
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

pub fn start(shared: Arc<Shared>, home: PathBuf) {
    let Some(store) = shared.store.get().cloned() else {
        return;
    };
    let spawned = std::thread::Builder::new()
        .name("sessionlens-watch".into())
        .spawn(move || run(&shared, &store, &home));
    if let Err(e) = spawned {
        tracing::error!("cannot start the Codex watcher: {e}");
    }
}

fn run(shared: &Shared, store: &Store, home: &Path) {
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
    let mut watched: BTreeSet<PathBuf> = BTreeSet::new();
    let mut follow = |watcher: &mut Option<notify::RecommendedWatcher>| {
        let Some(w) = watcher.as_mut() else { return };
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
    let report = ingest_all(store, home);
    tracing::info!(
        "catch-up ingest of {}: {} files, {} events added",
        home.display(),
        report.files,
        report.events_added
    );
    if report.events_added > 0 {
        shared.request_reload();
    }
    let mut last_scan = Instant::now();
    loop {
        if shared.is_shutting_down() {
            return;
        }
        follow(&mut watcher);
        let mut changed: BTreeSet<(PathBuf, Source)> = BTreeSet::new();
        match rx.recv_timeout(Duration::from_secs(1)) {
            Ok(first) => {
                let mut take = |res: notify::Result<notify::Event>| match res {
                    // Reading a file or folder is reported too (our own reads among them):
                    // only writes, creations and moves can bring new lines.
                    Ok(ev) if ev.kind.is_access() => {}
                    Ok(ev) => {
                        let created = ev.kind.is_create();
                        for p in ev.paths {
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
        let added = if last_scan.elapsed() >= RESCAN || (watcher.is_none() && !changed.is_empty()) {
            last_scan = Instant::now();
            ingest_all(store, home).events_added
        } else if !changed.is_empty() {
            let files: Vec<(Source, PathBuf)> = changed
                .into_iter()
                .filter(|(p, _)| p.is_file())
                .map(|(p, s)| (s, p))
                .collect();
            let report = ingest(store, &files, &IngestOptions::default(), &mut |_| {});
            for e in &report.errors {
                tracing::warn!("ingest {}: {}", e.path, e.error);
            }
            report.events_added
        } else {
            0
        };
        if added > 0 {
            tracing::info!("live ingest: {added} events");
            shared.request_reload();
        }
        if watcher.is_none() && last_scan.elapsed() < RESCAN {
            std::thread::sleep(Duration::from_secs(1));
        }
    }
}
