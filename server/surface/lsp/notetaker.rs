//! The notetaker: nobody has to remember to summarize. When a Codex session run inside one of the
//! server's workspace folders ends — its last turn ended (a `turn_end`) and nothing new arrived
//! for `notesAfterIdleSeconds` — its entry goes into the workspace's learnings file by itself,
//! through the same [`journal::write_entry`] as the editor command. Each session is written
//! once per distinct entry: the store's `summaries` table remembers what was written, and an
//! entry whose hash equals the latest stored one is not written again.
//!
//! A small periodic check on the blocking pool: it never holds up a request, and its errors are
//! log lines, never a crash.

use super::session::Shared;
use crate::knowledge::journal;
use crate::knowledge::scope::Scope;
use crate::knowledge::snapshot::Knowledge;
use crate::normalize::{Body, Event, SessionSummary};
use crate::store::Store;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What the notetaker remembers between checks.
#[derive(Default)]
struct State {
    /// Session → (events seen, when that count last changed while this process looked).
    seen: HashMap<String, (u64, Option<Instant>)>,
    /// Sessions handled at (events, knowledge head seq): nothing to do until either moves.
    done: HashMap<String, (u64, u64)>,
    /// Sessions waiting to go quiet (or for their last turn to end).
    pending: HashSet<String>,
    /// The store head and knowledge head at the last check with nothing pending.
    idle_at: Option<(u64, u64)>,
}

/// Starts the periodic check (from `initialized`). It stops when the server shuts down.
pub fn start(shared: Arc<Shared>) {
    tokio::spawn(async move {
        let mut state = State::default();
        loop {
            let idle = shared.settings().notes_after_idle_seconds;
            let tick = if idle > 0 {
                Duration::from_secs((idle as u64 / 2).clamp(1, 30))
            } else {
                Duration::from_secs(30)
            };
            tokio::time::sleep(tick).await;
            if shared.is_shutting_down() {
                return;
            }
            if idle <= 0 {
                continue;
            }
            let Some(store) = shared.store() else {
                continue;
            };
            let k = shared.knowledge();
            if k.head.0 == 0 {
                continue; // no snapshot yet: an entry now would miss its insights
            }
            // No entry is written into an excluded folder (its sessions stored before it was
            // excluded included).
            let scopes: Vec<Scope> = shared
                .workspaces()
                .iter()
                .filter(|w| !shared.excluded_folder(&w.root))
                .map(|w| w.scope.clone())
                .collect();
            let settings = shared.settings();
            let mut st = std::mem::take(&mut state);
            let ran = tokio::task::spawn_blocking(move || {
                let r = check(&store, &k, &scopes, &settings, &mut st);
                (st, r)
            })
            .await;
            match ran {
                Ok((st, result)) => {
                    state = st;
                    match result {
                        Ok(written) => {
                            for w in written {
                                tracing::info!(
                                    "notetaker: session {} → {} (v{})",
                                    w.session,
                                    w.file.display(),
                                    w.version
                                );
                            }
                        }
                        Err(e) => tracing::warn!("notetaker: {e:#}"),
                    }
                }
                Err(e) => tracing::error!("notetaker failed: {e}"),
            }
        }
    });
}

/// One check: writes the entries of the sessions that ended quietly since the last one.
fn check(
    store: &Store,
    k: &Knowledge,
    scopes: &[Scope],
    settings: &super::settings::Settings,
    st: &mut State,
) -> anyhow::Result<Vec<journal::Written>> {
    let head = store.head()?.0;
    if st.pending.is_empty() && st.idle_at == Some((head, k.head.0)) {
        return Ok(Vec::new());
    }
    let idle = Duration::from_secs(settings.notes_after_idle_seconds.max(0) as u64);
    let now = jiff::Timestamp::now();
    let recent = jiff::SignedDuration::from_hours(
        24 * i64::from(settings.learnings_archive_after_days.max(1)),
    );
    st.pending.clear();
    let mut written = Vec::new();
    for s in store.sessions()? {
        if s.turns == 0 || s.originator.as_deref() == Some("sessionlens") {
            continue;
        }
        // The innermost workspace folder the session ran in.
        let Some(root) = s.cwd.as_deref().and_then(|cwd| {
            scopes
                .iter()
                .filter(|scope| scope.contains(cwd))
                .max_by_key(|scope| scope.root().as_os_str().len())
                .map(|scope| scope.root().to_path_buf())
        }) else {
            continue;
        };
        let ended = s
            .ended_at
            .as_deref()
            .and_then(|t| t.parse::<jiff::Timestamp>().ok());
        // History is not news: sessions that ended before the archive age are left alone.
        if ended.is_some_and(|e| now.duration_since(e) > recent) {
            continue;
        }
        // Quiet: no new event for `idle`, by the rollout's own clock and by what this process saw
        // arrive (the latter alone when the rollout's clock is unreadable or in the future).
        let clock = ended.filter(|e| *e <= now);
        let seen = st
            .seen
            .entry(s.id.clone())
            .or_insert((s.events, clock.is_none().then(Instant::now)));
        if seen.0 != s.events {
            *seen = (s.events, Some(Instant::now()));
        }
        let quiet = clock.is_none_or(|e| now.duration_since(e).as_secs() >= idle.as_secs() as i64)
            && seen.1.is_none_or(|t| t.elapsed() >= idle);
        if !quiet {
            st.pending.insert(s.id.clone());
            continue;
        }
        if st.done.get(&s.id) == Some(&(s.events, k.head.0)) {
            continue;
        }
        match note(store, k, &s, &root, settings, now)? {
            Note::Waiting => {
                st.pending.insert(s.id.clone());
            }
            Note::Skipped => {
                st.done.insert(s.id.clone(), (s.events, k.head.0));
            }
            Note::Written(w) => {
                st.done.insert(s.id.clone(), (s.events, k.head.0));
                written.push(*w);
            }
        }
    }
    st.idle_at = st.pending.is_empty().then_some((head, k.head.0));
    Ok(written)
}

enum Note {
    /// Not yet: its last turn is still open, or the snapshot has not caught up with it.
    Waiting,
    /// Nothing to write: no prompt, or this entry was written before.
    Skipped,
    Written(Box<journal::Written>),
}

fn note(
    store: &Store,
    k: &Knowledge,
    s: &SessionSummary,
    root: &std::path::Path,
    settings: &super::settings::Settings,
    now: jiff::Timestamp,
) -> anyhow::Result<Note> {
    let rows = store.session_events(&s.id)?;
    if rows.last().is_some_and(|(seq, _)| *seq > k.head.0) {
        return Ok(Note::Waiting);
    }
    let events: Vec<Event> = rows.into_iter().map(|(_, e)| e).collect();
    if !events.iter().any(|e| matches!(e.body, Body::Prompt { .. })) {
        return Ok(Note::Skipped);
    }
    if !last_turn_ended(&events) {
        return Ok(Note::Waiting);
    }
    let markdown = journal::entry(s, &events, &k.insights);
    let sha = hex::encode(Sha256::digest(markdown.as_bytes()));
    if store
        .latest_summary(&s.id)?
        .is_some_and(|l| l.sha256 == sha)
    {
        return Ok(Note::Skipped);
    }
    let file = root.join(&settings.learnings_file);
    let w = journal::write_entry(
        store,
        &k.insights,
        s,
        &events,
        root,
        &file,
        settings.learnings_archive_after_days,
        now,
    )?;
    Ok(Note::Written(Box::new(w)))
}

/// Whether the session's last turn has its `turn_end`.
fn last_turn_ended(events: &[Event]) -> bool {
    let Some(last) = events.iter().rev().find_map(|e| e.turn.as_deref()) else {
        return false;
    };
    events
        .iter()
        .any(|e| e.turn.as_deref() == Some(last) && matches!(e.body, Body::TurnEnd { .. }))
}
