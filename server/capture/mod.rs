//! Capture: reading what sources leave on disk and turning it into normalized events.
//! Knows file formats and where files live; never tags, never stores.
//!
//! Every source's reader is a [`SessionReader`]: a state machine fed one complete line at a
//! time, whose state is saved with the file's cursor so a later read resumes exactly where the
//! last one stopped.

pub mod claude;
pub mod codex;
pub mod lines;
pub mod live;
pub mod shell;

use crate::normalize::{Body, Event, EventId};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};

/// A path that could not be searched for session files.
#[derive(Debug)]
pub struct DiscoverError {
    pub path: PathBuf,
    pub error: String,
}

/// The files under `paths` that `is_session` accepts, in path order: a file given is taken as
/// given, a folder is searched recursively (links followed). Missing paths are reported unless
/// `missing_ok`; a folder that cannot be read is reported and the rest searched.
pub fn walk(
    paths: &[PathBuf],
    missing_ok: bool,
    is_session: impl Fn(&Path) -> bool,
) -> (Vec<PathBuf>, Vec<DiscoverError>) {
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for root in paths {
        match std::fs::metadata(root) {
            Ok(m) if m.is_file() => found.push(root.clone()),
            Ok(_) => {
                for entry in walkdir::WalkDir::new(root)
                    .follow_links(true)
                    .sort_by_file_name()
                {
                    match entry {
                        Ok(e) if e.file_type().is_file() && is_session(e.path()) => {
                            found.push(e.into_path())
                        }
                        Ok(_) => {}
                        Err(err) => errors.push(DiscoverError {
                            path: err
                                .path()
                                .map(Path::to_path_buf)
                                .unwrap_or_else(|| root.clone()),
                            error: err.to_string(),
                        }),
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && missing_ok => {}
            Err(e) => errors.push(DiscoverError {
                path: root.clone(),
                error: e.to_string(),
            }),
        }
    }
    (found, errors)
}

/// What a reader of one session file does, whatever the assistant that wrote it.
pub trait SessionReader {
    /// Reads one complete line (without its newline).
    fn line(&mut self, raw: &[u8], out: &mut Vec<Event>);
    /// A line longer than the line reader's bound went past unread.
    fn oversized_line(&mut self);
    /// The file has gone quiet: close what is open so the session shows up as ended.
    fn finish_idle(&mut self, out: &mut Vec<Event>);
    /// The reader's state, saved with the file's cursor to resume from.
    fn save(&self) -> serde_json::Value;
    /// The session (thread) the file belongs to, once known.
    fn session(&self) -> Option<String>;
    /// The folder the session ran in, once known: the `cwd` its header carries (or will carry,
    /// for a header not emitted yet). The ingest asks it to pass over the files of excluded
    /// folders before any of their events is built.
    fn cwd(&self) -> Option<&str>;
    fn stats(&self) -> &LineStats;
}

/// Lines read and what became of the ones that produced nothing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LineStats {
    pub lines: u64,
    /// Line kinds this version does not know, by name. Skipped.
    pub unknown: BTreeMap<String, u64>,
    /// Lines that are not JSON. Skipped.
    pub malformed: u64,
    /// Lines with invalid UTF-8; decoded lossily and kept when they still parse.
    pub invalid_utf8: u64,
    /// Injected context (environment, AGENTS.md, permissions, hook prompts, what Session Lens
    /// itself handed to the assistant) that is not the developer's words.
    pub scaffolding: u64,
    /// Lines longer than the reader's bound (inline screenshots): skipped without being held.
    pub oversized: u64,
    /// Records copied from another thread (a sub-agent's inherited context, a fork's parent
    /// history): counted where they were first written, not again here.
    pub inherited: u64,
}

impl LineStats {
    pub fn add(&mut self, other: &LineStats) {
        self.lines += other.lines;
        for (k, v) in &other.unknown {
            *self.unknown.entry(k.clone()).or_default() += v;
        }
        self.malformed += other.malformed;
        self.invalid_utf8 += other.invalid_utf8;
        self.scaffolding += other.scaffolding;
        self.oversized += other.oversized;
        self.inherited += other.inherited;
    }

    pub fn skipped(&self) -> u64 {
        self.unknown.values().sum::<u64>() + self.malformed + self.oversized
    }
}

/// How many events of each kind a reader has emitted in the last few turns: the `n` of
/// [`crate::normalize::EventId::positional`]. Events belong to the current turn (or the one just
/// closed), so a handful of turns is all that is ever needed. Saved in every reader's state.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Places {
    turns: VecDeque<(String, BTreeMap<String, u32>)>,
}

/// How many turns' counts [`Places`] keeps.
const PLACES_MEMORY: usize = 8;

impl Places {
    /// The place of the next event of `kind` in `turn` (from 0), counted.
    pub(crate) fn next(&mut self, turn: Option<&str>, kind: &str) -> u32 {
        let key = turn.unwrap_or("");
        let pos = match self.turns.iter().position(|(t, _)| t == key) {
            Some(p) => p,
            None => {
                if self.turns.len() >= PLACES_MEMORY {
                    self.turns.pop_front();
                }
                self.turns.push_back((key.to_owned(), BTreeMap::new()));
                self.turns.len() - 1
            }
        };
        let n = self.turns[pos].1.entry(kind.to_owned()).or_insert(0);
        *n += 1;
        *n - 1
    }

    /// `body` as an event of `source`'s `session`, identified by its place: the next of its
    /// kind in `turn`.
    pub(crate) fn event(
        &mut self,
        source: &str,
        session: String,
        at: String,
        turn: Option<String>,
        body: Body,
    ) -> Event {
        let kind = body.kind();
        let n = self.next(turn.as_deref(), kind);
        Event {
            id: EventId::positional(source, &session, turn.as_deref(), kind, &at, n),
            session,
            at,
            turn,
            body,
        }
    }
}

/// An exit code as a source wrote it, when it is one: an `i32`, or a Windows status written
/// unsigned (`3221225477`, read as the negative `i32` Windows means). Anything else is no exit
/// code at all, never wrapped: `4294967296` must not read as 0, a pass.
pub(crate) fn exit_code(written: i64) -> Option<i32> {
    i32::try_from(written)
        .ok()
        .or_else(|| u32::try_from(written).ok().map(|u| u as i32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exit_code_out_of_range_is_none_never_a_pass() {
        assert_eq!(exit_code(2), Some(2));
        assert_eq!(exit_code(-1), Some(-1));
        assert_eq!(exit_code(3_221_225_477), Some(-1_073_741_819));
        assert_eq!(exit_code(4_294_967_296), None);
        assert_eq!(exit_code(i64::MIN), None);
    }

    #[test]
    fn places_count_per_turn_and_kind() {
        let mut p = Places::default();
        assert_eq!(p.next(Some("a"), "prompt"), 0);
        assert_eq!(p.next(Some("a"), "prompt"), 1);
        assert_eq!(p.next(Some("a"), "command"), 0);
        assert_eq!(p.next(Some("b"), "prompt"), 0);
        assert_eq!(p.next(None, "session_start"), 0);
        for i in 0..20 {
            p.next(Some(&format!("t{i}")), "prompt");
        }
        assert!(p.turns.len() <= PLACES_MEMORY);
    }
}
