//! The journal: each session's entry in `learnings.md`, the developer's own record of what the
//! session taught them. One implementation for every face: `sessionlens summarize`, the editor's
//! `sessionlens.summarizeSession`, the notetaker and the agent's `session_summary` all come here,
//! so an entry reads the same whoever wrote it.
//!
//! This file decides which session an entry is about ([`summarize`], [`latest_in`]) and how an
//! entry is named in the file ([`marker`]). The rest is one job per file:
//!
//! - `entry.rs` — [`entry()`], the entry's markdown template. Pure: one session's events and the
//!   derived insights in, a fixed, deterministic text out, readable in a plain editor.
//! - `reps.rs` — the "Next reps" practice suggestions an entry and the focus block end with.
//! - `file.rs` — `learnings.md` itself: the entry put in place (replacing the session's earlier
//!   entry, never touching text the developer wrote), the "Current focus" block and the archive.

mod entry;
mod file;
mod reps;

use crate::insight::Insight;
use crate::knowledge::Knowledge;
use crate::normalize::{Event, SessionSummary};
use crate::store::Store;
use std::path::Path;
use std::sync::Arc;

pub use entry::entry;
pub use file::{
    DEFAULT_ARCHIVE_AFTER_DAYS, FOCUS_BEGIN, FOCUS_END, Written, append, write_entry, write_session,
};

/// The invisible marker that ends an entry's header line and names its session.
pub fn marker(session_id: &str) -> String {
    format!("<!-- sessionlens:session {session_id} -->")
}

/// Summarizes one session from the store: `session` is a full id or a unique prefix of one;
/// `None` is the latest session run inside `workspace`. Returns the session id and its entry.
pub fn summarize(
    store: &Store,
    session: Option<&str>,
    workspace: &Path,
) -> anyhow::Result<(String, String)> {
    let (summary, events, insights) = gather(store, session, workspace)?;
    tracing::debug!(
        "summarizing session {} ({} events, {} insights in the store)",
        summary.id,
        events.len(),
        insights.len()
    );
    let markdown = entry(&summary, &events, &insights);
    Ok((summary.id, markdown))
}

/// What an entry is made of: the session [`pick`] chooses, its events, and the insights.
/// Lifecycles span every session, so insights come from the whole log (cached per head).
pub(super) fn gather(
    store: &Store,
    session: Option<&str>,
    workspace: &Path,
) -> anyhow::Result<(SessionSummary, Vec<Event>, Arc<Vec<Insight>>)> {
    let summary = pick(store, session, workspace)?;
    let insights = Knowledge::load(store)?.insights;
    let events = store
        .session_events(&summary.id)?
        .into_iter()
        .map(|(_, e)| e)
        .collect();
    Ok((summary, events, insights))
}

/// The session to summarize: the one named, else the latest of the workspace.
pub(super) fn pick(
    store: &Store,
    session: Option<&str>,
    workspace: &Path,
) -> anyhow::Result<SessionSummary> {
    match session {
        Some(prefix) => {
            let id = crate::knowledge::sessions::resolve(store, prefix)?;
            Ok(store
                .session(&id)?
                .unwrap_or_else(|| SessionSummary::new(&id)))
        }
        None => latest_in(store, workspace),
    }
}

/// The newest session (by start, then end) whose working directory is inside `workspace`.
/// Conversations where something happened come first: the local sessions Session Lens opens
/// itself for hand edits and terminal commands (originator `sessionlens`) and empty sessions are
/// chosen only when there is nothing else.
pub fn latest_in(store: &Store, workspace: &Path) -> anyhow::Result<SessionSummary> {
    let inside = crate::knowledge::scope::inside(workspace)?;
    let mut candidates: Vec<SessionSummary> = store
        .sessions()?
        .into_iter()
        .filter(|s| s.cwd.as_deref().is_some_and(&inside))
        .collect();
    candidates.sort_by(|a, b| {
        b.started_at
            .cmp(&a.started_at)
            .then_with(|| b.ended_at.cmp(&a.ended_at))
            .then_with(|| a.id.cmp(&b.id))
    });
    let busy = |s: &SessionSummary| s.turns + s.commands + s.edits > 0;
    let conversation =
        |s: &SessionSummary| busy(s) && s.originator.as_deref() != Some("sessionlens");
    let chosen = candidates
        .iter()
        .position(conversation)
        .or_else(|| candidates.iter().position(busy))
        .or((!candidates.is_empty()).then_some(0));
    match chosen {
        Some(i) => Ok(candidates.swap_remove(i)),
        None => anyhow::bail!(
            "no session ran inside {}; `sessionlens sessions` lists them",
            workspace.display()
        ),
    }
}
