//! The gate: the one way events reach the store, so that nothing from an excluded folder
//! (`exclude.rs`) is ever written, whatever heard it. Every writer — the ingest of Codex rollouts
//! and Claude Code transcripts (CLI, watcher, hooks), the shell spool, the files hooks left
//! pending, the language server's hand edits, terminal commands and marks, the CLI's marks,
//! MCP's `record_learning` — commits through [`Gate::commit`]; `tests/it/architecture.rs` checks
//! that no other file calls `Store::commit`.
//!
//! The gate decides per session, by the folder the session ran in (its `cwd`): an excluded
//! session has none of its events stored. The folder comes from, in order:
//!
//! 1. the session's `session_start` in the same commit — every live event is committed with its
//!    local session's start, and a file's first batch carries its header;
//! 2. else the session's stored summary — a session stored before its folder was excluded has
//!    nothing more added once it is;
//! 3. else a `session_resume` in the commit (a thread continued in another file).
//!
//! A session with no folder known (an old rollout with no header) cannot be in an excluded one.
//! One event is judged by its own place: an `editor_edit`, whose session is the workspace's,
//! by the edited file's folder, so a `.sessionlens-ignore` deep in a monorepo keeps its edits
//! out. A session all of whose events in a commit were left out keeps none: not even its header.
//!
//! File cursors still move: a cursor of an excluded session is committed with its reader state
//! replaced by [`excluded_state`] (the state could hold a prompt not yet emitted) and no session
//! id, which the ingest driver reads as "pass this file over". What it keeps is where the file
//! is and how far it was passed over: its path (for a Claude Code transcript, a folder named
//! after the project's path), the digest of its first and last lines, its size. The exclusions themselves are read again
//! whenever the settings file changes, so a long-running language server follows an edit of it;
//! while they cannot be read (an invalid file), nothing is stored: keeping out what the
//! developer asked to keep out matters more than storing now.

use super::exclude::{Excluded, Exclusions};
use super::pending;
use crate::normalize::{Body, Event};
use crate::store::records::FileCursor;
use crate::store::{CommitOutcome, Store, StoreError};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// Why the gate stored nothing.
#[derive(Debug, thiserror::Error)]
pub enum GateError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The exclusions could not be read: nothing is stored until they can.
    #[error("nothing is stored until the exclusions can be read: {0:#}")]
    Exclusions(anyhow::Error),
}

/// What one commit through the gate did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Committed {
    /// What the store did with the events let through.
    pub outcome: CommitOutcome,
    /// Events left out because their folder is excluded.
    pub excluded: u64,
    /// Sessions left out whole.
    pub excluded_sessions: BTreeSet<String>,
    /// Why, for the first event left out.
    pub why: Option<Excluded>,
}

/// The reader state a cursor of an excluded session keeps instead of its own: nothing of the
/// session, only that it is passed over.
pub fn excluded_state() -> serde_json::Value {
    serde_json::json!({ "excluded": true })
}

/// Whether a cursor's state is [`excluded_state`].
pub fn is_excluded_state(state: &serde_json::Value) -> bool {
    state.get("excluded") == Some(&serde_json::Value::Bool(true))
}

/// The settings file's size and time, to notice it changed.
type Stamp = Option<(u64, Option<SystemTime>)>;

struct Cached {
    stamp: Stamp,
    editor: Vec<String>,
    rules: Arc<Exclusions>,
}

/// The gate, with the exclusions it applies: the settings file's (read again when it changes)
/// and the editor's, if any.
pub struct Gate {
    /// The settings file read for `exclude`; `None` admits everything (the demo's own store).
    settings: Option<Option<PathBuf>>,
    editor: Mutex<Vec<String>>,
    cached: Mutex<Option<Cached>>,
}

impl Gate {
    /// The gate every process uses: the exclusions of the user's settings file
    /// (`config::config_path`).
    pub fn from_settings() -> Gate {
        Gate::reading(crate::config::config_path())
    }

    /// The gate for the settings file at `path` (none: no file).
    pub fn reading(path: Option<PathBuf>) -> Gate {
        Gate {
            settings: Some(path),
            editor: Mutex::new(Vec::new()),
            cached: Mutex::new(None),
        }
    }

    /// A gate that excludes nothing, for a store that is not the user's own record: the demo's
    /// bundled sessions, tests and benchmarks.
    pub fn admitting_all() -> Gate {
        Gate {
            settings: None,
            editor: Mutex::new(Vec::new()),
            cached: Mutex::new(None),
        }
    }

    /// Sets the editor's own patterns (the language server's `exclude` setting), added to the
    /// settings file's.
    pub fn set_editor(&self, patterns: Vec<String>) {
        *self.editor.lock().unwrap_or_else(|e| e.into_inner()) = patterns;
    }

    /// The exclusions in force now. An error when the settings file or a pattern cannot be
    /// read; no exclusion is ever dropped silently.
    pub fn rules(&self) -> anyhow::Result<Arc<Exclusions>> {
        let Some(path) = &self.settings else {
            return Ok(Arc::default());
        };
        let editor = self
            .editor
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let stamp: Stamp = path.as_ref().and_then(|p| {
            std::fs::metadata(p)
                .ok()
                .map(|m| (m.len(), m.modified().ok()))
        });
        let mut cached = self.cached.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = cached.as_ref()
            && c.stamp == stamp
            && c.editor == editor
        {
            return Ok(c.rules.clone());
        }
        let settings = match path {
            Some(p) => crate::config::UserConfig::load_from(p)?.exclude,
            None => Vec::new(),
        };
        let rules = Arc::new(Exclusions::new(&settings, &editor)?);
        *cached = Some(Cached {
            stamp,
            editor,
            rules: rules.clone(),
        });
        Ok(rules)
    }

    /// Whether `folder` is excluded, and why (see `exclude.rs`): what the faces ask before they
    /// brief or show anything about a folder.
    pub fn excludes(&self, folder: &Path) -> anyhow::Result<Option<Excluded>> {
        Ok(self.rules()?.check(folder))
    }

    /// Commits `events` and `cursors` to `store`, leaving out what the exclusions keep out (see
    /// the module's doc). Nothing at all is written when the exclusions cannot be read.
    pub fn commit(
        &self,
        store: &Store,
        events: &[Event],
        cursors: &[FileCursor],
    ) -> Result<Committed, GateError> {
        let rules = self.rules().map_err(GateError::Exclusions)?;
        let sorted = sort(&rules, Some(store), events)?;
        let scrub = |c: &FileCursor| {
            c.session
                .as_ref()
                .is_some_and(|s| sorted.excluded_sessions.contains(s))
        };
        let outcome = if sorted.left_out == 0 && !cursors.iter().any(scrub) {
            store.commit(events, cursors)?
        } else {
            let kept: Vec<Event> = events
                .iter()
                .zip(&sorted.keep)
                .filter(|(_, keep)| **keep)
                .map(|(e, _)| e.clone())
                .collect();
            let cursors: Vec<FileCursor> = cursors
                .iter()
                .map(|c| {
                    let mut c = c.clone();
                    if scrub(&c) {
                        c.state = excluded_state();
                        c.session = None;
                    }
                    c
                })
                .collect();
            if kept.is_empty() && cursors.is_empty() {
                CommitOutcome::default()
            } else {
                store.commit(&kept, &cursors)?
            }
        };
        Ok(Committed {
            outcome,
            excluded: sorted.left_out,
            excluded_sessions: sorted.excluded_sessions,
            why: sorted.why,
        })
    }

    /// Keeps `events` on disk for the next writer (`pending.rs`) when the store cannot take them
    /// now, leaving out first what is excluded, so the state dir never holds it either. `None`
    /// when nothing was left to keep.
    pub fn keep(&self, state_dir: &Path, events: &[Event]) -> anyhow::Result<Option<PathBuf>> {
        let rules = self.rules()?;
        let sorted = sort(&rules, None, events)?;
        let kept: Vec<Event> = events
            .iter()
            .zip(&sorted.keep)
            .filter(|(_, keep)| **keep)
            .map(|(e, _)| e.clone())
            .collect();
        if kept.is_empty() {
            return Ok(None);
        }
        pending::put(state_dir, &kept).map(Some)
    }

    /// Commits every file hooks left pending in `state_dir` (oldest first) and removes it. A file
    /// that cannot be read as events is left in place (and logged) for a person to look at; an
    /// error stops the drain with the files still pending.
    pub fn drain(&self, store: &Store, state_dir: &Path) -> Result<Drained, GateError> {
        let mut drained = Drained::default();
        for file in pending::files(state_dir) {
            let events = match pending::read(&file) {
                Ok(events) => events,
                Err(e) => {
                    tracing::warn!("leaving {} pending: {e}", file.display());
                    continue;
                }
            };
            let committed = self.commit(store, &events, &[])?;
            drained.files += 1;
            drained.added += committed.outcome.added;
            if let Err(e) = std::fs::remove_file(&file)
                && e.kind() != std::io::ErrorKind::NotFound
            {
                tracing::warn!("cannot remove {}: {e}", file.display());
            }
        }
        Ok(drained)
    }
}

/// What [`Gate::drain`] did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Drained {
    pub files: u64,
    pub added: u64,
}

/// Which events of a commit go in.
struct Sorted {
    keep: Vec<bool>,
    left_out: u64,
    excluded_sessions: BTreeSet<String>,
    why: Option<Excluded>,
}

fn is_header(e: &Event) -> bool {
    matches!(e.body, Body::SessionStart(_) | Body::SessionResume(_))
}

/// Judges each event of a commit (see the module's doc); `store` is where a session's folder
/// is looked up when the commit does not carry its header.
fn sort(rules: &Exclusions, store: Option<&Store>, events: &[Event]) -> Result<Sorted, StoreError> {
    let mut started: HashMap<&str, &str> = HashMap::new();
    let mut resumed: HashMap<&str, &str> = HashMap::new();
    for e in events {
        let (map, info) = match &e.body {
            Body::SessionStart(info) => (&mut started, info),
            Body::SessionResume(info) => (&mut resumed, info),
            _ => continue,
        };
        if let Some(cwd) = info.cwd.as_deref().filter(|c| !c.is_empty()) {
            map.entry(e.session.as_str()).or_insert(cwd);
        }
    }
    // Each folder checked once per commit (a batch holds many events of one session).
    let mut checked: HashMap<PathBuf, Option<Excluded>> = HashMap::new();
    let mut check = |folder: &Path| {
        checked
            .entry(folder.to_path_buf())
            .or_insert_with(|| rules.check(folder))
            .clone()
    };
    // Each session's folder, and whether the session is excluded.
    let mut sessions: HashMap<&str, (Option<String>, Option<Excluded>)> = HashMap::new();
    for e in events {
        let s = e.session.as_str();
        if sessions.contains_key(s) {
            continue;
        }
        let folder = match started.get(s) {
            Some(cwd) => Some((*cwd).to_owned()),
            None => {
                let stored = match store {
                    Some(store) => store.session(s)?.and_then(|summary| summary.cwd),
                    None => None,
                };
                stored.or_else(|| resumed.get(s).map(|c| (*c).to_owned()))
            }
        };
        let verdict = folder.as_deref().and_then(|f| check(Path::new(f)));
        sessions.insert(s, (folder, verdict));
    }

    let mut sorted = Sorted {
        keep: vec![true; events.len()],
        left_out: 0,
        excluded_sessions: BTreeSet::new(),
        why: None,
    };
    let mut some_left_out: HashSet<&str> = HashSet::new();
    let mut some_kept: HashSet<&str> = HashSet::new();
    for (i, e) in events.iter().enumerate() {
        let s = e.session.as_str();
        let (folder, verdict) = &sessions[s];
        let why = match (verdict, &e.body, folder) {
            (Some(why), _, _) => Some(why.clone()),
            (None, Body::EditorEdit(edit), Some(root)) => Path::new(root)
                .join(&edit.file)
                .parent()
                .and_then(&mut check),
            _ => None,
        };
        match why {
            Some(why) => {
                sorted.keep[i] = false;
                some_left_out.insert(s);
                sorted.why.get_or_insert(why);
            }
            None if !is_header(e) => {
                some_kept.insert(s);
            }
            None => {}
        }
    }
    for (i, e) in events.iter().enumerate() {
        let s = e.session.as_str();
        if sorted.keep[i] && some_left_out.contains(s) && !some_kept.contains(s) {
            sorted.keep[i] = false;
        }
    }
    for (s, (folder, verdict)) in &sessions {
        if let Some(why) = verdict {
            tracing::info!(
                "not storing session {s} of {}: {why}",
                folder.as_deref().unwrap_or("?")
            );
            sorted.excluded_sessions.insert((*s).to_owned());
        }
    }
    sorted.left_out = sorted.keep.iter().filter(|k| !**k).count() as u64;
    Ok(sorted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::live;
    use crate::normalize::SessionInfo;

    fn gate(dir: &Path, exclude: &str) -> Gate {
        let settings = dir.join("config.toml");
        std::fs::write(&settings, format!("exclude = [{exclude:?}]\n")).unwrap();
        Gate::reading(Some(settings))
    }

    fn event(session: &str, id: &str, body: Body) -> Event {
        Event {
            id: id.into(),
            session: session.into(),
            at: "2026-12-07T10:00:00.000Z".into(),
            turn: None,
            body,
        }
    }

    fn start(session: &str, cwd: &str) -> Event {
        event(
            session,
            &format!("{session}-start"),
            Body::SessionStart(SessionInfo {
                cwd: Some(cwd.into()),
                ..SessionInfo::default()
            }),
        )
    }

    fn prompt(session: &str, id: &str) -> Event {
        event(
            session,
            id,
            Body::Prompt {
                text: format!("marker {id}"),
                ide: None,
                images: 0,
                steer: false,
            },
        )
    }

    fn cursor(session: &str) -> FileCursor {
        FileCursor {
            key: format!("key-{session}"),
            path: format!("/files/{session}.jsonl"),
            session: Some(session.into()),
            offset: 10,
            state: serde_json::json!({"pending_prompt": "marker held"}),
            ..FileCursor::default()
        }
    }

    #[test]
    fn an_excluded_sessions_events_never_reach_the_store_and_its_cursor_keeps_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::open(&tmp.path().join("store.redb")).unwrap();
        let gate = gate(tmp.path(), "/w/client");
        let batch = [
            start("a", "/w/client/app"),
            prompt("a", "a1"),
            start("b", "/w/mine"),
            prompt("b", "b1"),
        ];
        let c = gate
            .commit(&store, &batch, &[cursor("a"), cursor("b")])
            .unwrap();
        assert_eq!(c.outcome.added, 2);
        assert_eq!((c.excluded, c.excluded_sessions.len()), (2, 1));
        assert_eq!(
            c.why.unwrap().to_string(),
            "excluded by `/w/client` in the settings file"
        );
        assert!(store.session("a").unwrap().is_none());
        assert!(store.session("b").unwrap().is_some());
        let passed = store.cursor("key-a").unwrap().unwrap();
        assert_eq!((passed.state, passed.session), (excluded_state(), None));
        assert_eq!(
            store.cursor("key-b").unwrap().unwrap().state,
            cursor("b").state
        );
        // A later commit without the header: a session whose start was never stored and is
        // not in the commit has no folder known, so the driver passes such files over itself
        // (their cursor says so); a stored session excluded later has its folder in the store.
        let later = gate.commit(&store, &[prompt("b", "b2")], &[]).unwrap();
        assert_eq!(later.outcome.added, 1);
        let gate = self::gate(tmp.path(), "/w/mine");
        let later = gate.commit(&store, &[prompt("b", "b3")], &[]).unwrap();
        assert_eq!((later.outcome.added, later.excluded), (0, 1));
    }

    #[test]
    fn an_edit_counts_by_its_files_folder_and_an_empty_session_keeps_no_header() {
        let tmp = tempfile::tempdir().unwrap();
        let ws = tmp.path().join("ws");
        std::fs::create_dir_all(ws.join("clients/acme")).unwrap();
        std::fs::write(
            ws.join("clients/acme").join(super::super::exclude::MARKER),
            "",
        )
        .unwrap();
        let store = Store::open(&tmp.path().join("store.redb")).unwrap();
        let gate = Gate::reading(None);
        let edit =
            |file: &str| live::editor_edit(&ws, Path::new(file), &["f".into()], 1, 1, &live::now());
        let c = gate
            .commit(&store, &edit("clients/acme/x.ts"), &[])
            .unwrap();
        assert_eq!((c.outcome.added, c.excluded), (0, 2), "header and edit");
        assert!(store.sessions().unwrap().is_empty());
        let c = gate.commit(&store, &edit("src/y.ts"), &[]).unwrap();
        assert_eq!((c.outcome.added, c.excluded), (2, 0));
    }

    #[test]
    fn unreadable_exclusions_store_nothing_and_a_changed_file_is_read_again() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::open(&tmp.path().join("store.redb")).unwrap();
        let settings = tmp.path().join("config.toml");
        let gate = Gate::reading(Some(settings.clone()));
        std::fs::write(&settings, "exclude = [\"relative\"]\n").unwrap();
        let e = gate
            .commit(&store, &[start("a", "/w/a"), prompt("a", "a1")], &[])
            .unwrap_err();
        assert!(matches!(e, GateError::Exclusions(_)), "{e}");
        assert!(e.to_string().contains("not a full path"), "{e}");
        assert_eq!(store.event_count().unwrap(), 0);
        std::fs::write(&settings, "exclude = [\"/w/a\"]\n# now valid\n").unwrap();
        let c = gate
            .commit(&store, &[start("a", "/w/a"), prompt("a", "a1")], &[])
            .unwrap();
        assert_eq!(c.excluded, 2);
        gate.set_editor(vec!["/w/b".into()]);
        assert!(gate.excludes(Path::new("/w/b/x")).unwrap().is_some());
        assert!(
            Gate::admitting_all()
                .excludes(Path::new("/w/a"))
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn pending_files_are_kept_without_what_is_excluded_and_drained_once() {
        let tmp = tempfile::tempdir().unwrap();
        let state = tmp.path().join("state");
        let store = Store::open(&tmp.path().join("store.redb")).unwrap();
        let gate = gate(tmp.path(), "/w/client");
        let out = gate
            .keep(&state, &[start("a", "/w/client"), prompt("a", "a1")])
            .unwrap();
        assert_eq!(out, None, "nothing of an excluded folder is kept on disk");
        let first = gate
            .keep(&state, &[start("b", "/w/b"), prompt("b", "b1")])
            .unwrap()
            .unwrap();
        gate.keep(&state, &[start("b", "/w/b"), prompt("b", "b2")])
            .unwrap();
        std::fs::write(pending::dir(&state).join("junk.jsonl"), "not json\n").unwrap();
        let drained = gate.drain(&store, &state).unwrap();
        assert_eq!(drained, Drained { files: 2, added: 3 });
        assert!(!first.exists());
        // The unreadable file stays for a person; draining again stores nothing twice.
        assert!(pending::dir(&state).join("junk.jsonl").exists());
        assert_eq!(gate.drain(&store, &state).unwrap(), Drained::default());
    }
}
