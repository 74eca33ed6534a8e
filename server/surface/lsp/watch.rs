//! The language server's side of live ingest: it starts `ingest::watch` on the store it opened
//! and, whenever a pass adds events, asks for a new knowledge snapshot (which refreshes what the
//! editor shows). Following the folders and ingesting is write-side work and lives there.

use super::session::Shared;
use crate::ingest::IngestReport;
use crate::ingest::watch::{self, Owner, Pass};
use std::path::PathBuf;
use std::sync::Arc;

/// The server, as the watcher's owner.
struct Server(Arc<Shared>);

impl Owner for Server {
    fn stopping(&self) -> bool {
        self.0.is_shutting_down()
    }

    fn ingested(&mut self, _: Pass, report: &IngestReport) {
        if report.events_added > 0 || report.retention_erased.is_some_and(|n| n > 0) {
            self.0.request_reload();
        }
    }
}

/// Follows the assistants' folders (Codex's under `home`) until the server shuts down.
pub fn start(shared: Arc<Shared>, home: PathBuf) {
    let Some(store) = shared.store() else {
        return;
    };
    let gate = shared.gate.clone();
    if let Err(e) = watch::start(store, gate, home, Server(shared)) {
        tracing::error!("cannot start the Codex watcher: {e}");
    }
}
