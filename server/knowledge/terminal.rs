//! What the store knows of the shell hooks: per shell, how many commands its hook recorded and
//! when the last one arrived, for `sessionlens doctor`. Read from the newest local `terminal`
//! sessions only (one per folder and day), so it costs the same on a store of any size.

use crate::capture::shell;
use crate::normalize::Body;
use crate::store::Store;
use std::collections::BTreeMap;

/// The terminal sessions read at most, newest first.
const SESSIONS_READ: usize = 60;

/// What one shell's hook has brought in.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ShellSeen {
    /// When its newest command ended (RFC 3339).
    pub last_at: String,
    pub last_command: String,
    /// Commands counted in the sessions read.
    pub commands: u64,
}

/// Each shell whose hook recorded a command, from the newest terminal sessions.
pub fn shells_seen(store: &Store) -> anyhow::Result<BTreeMap<String, ShellSeen>> {
    let mut sessions: Vec<_> = store
        .sessions()?
        .into_iter()
        .filter(|s| s.source == crate::capture::live::TERMINAL && s.commands > 0)
        .collect();
    sessions.sort_by(|a, b| b.ended_at.cmp(&a.ended_at));
    let mut seen: BTreeMap<String, ShellSeen> = BTreeMap::new();
    for s in sessions.iter().take(SESSIONS_READ) {
        for (_, e) in store.session_events(&s.id)? {
            let Body::Command(c) = &e.body else { continue };
            if !shell::is_shell(&c.tool) {
                continue;
            }
            let entry = seen.entry(c.tool.clone()).or_insert_with(|| ShellSeen {
                last_at: String::new(),
                last_command: String::new(),
                commands: 0,
            });
            entry.commands += 1;
            if e.at > entry.last_at {
                entry.last_at = e.at.clone();
                entry.last_command = c.command.clone();
            }
        }
    }
    Ok(seen)
}
