//! Live ingest: follows Codex's session folders while the editor is open, so each turn of a
//! running Codex session (the chat panel beside the editor) reaches hovers and lenses within a
//! second or two, with no CLI step. File events come from the OS (notify); a slow rescan
//! backs them up for file systems that drop events, and picks up folders created later.

use super::server::Shared;
use crate::capture::codex;
use crate::ingest::{IngestOptions, IngestReport, ingest_codex};
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

/// Everything under Codex's home, the way `sessionlens ingest codex` reads it.
pub fn ingest_all(store: &Store, home: &Path) -> IngestReport {
    let (files, _) = codex::discover(&codex::default_roots(home), true);
    ingest_codex(store, &files, &IngestOptions::default(), &mut |_| {})
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
    let roots = codex::default_roots(home);
    let mut watched: BTreeSet<PathBuf> = BTreeSet::new();
    let mut last_scan = Instant::now();
    loop {
        if shared.is_shutting_down() {
            return;
        }
        if let Some(w) = watcher.as_mut() {
            for root in &roots {
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
        }
        let mut changed: BTreeSet<PathBuf> = BTreeSet::new();
        match rx.recv_timeout(Duration::from_secs(1)) {
            Ok(first) => {
                let mut take = |res: notify::Result<notify::Event>| match res {
                    Ok(ev) => {
                        changed.extend(ev.paths.into_iter().filter(|p| codex::is_rollout_name(p)))
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
            let files: Vec<PathBuf> = changed.into_iter().filter(|p| p.is_file()).collect();
            let report = ingest_codex(store, &files, &IngestOptions::default(), &mut |_| {});
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
