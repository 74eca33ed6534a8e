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

use crate::normalize::Event;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A path that could not be searched for session files.
#[derive(Debug)]
pub struct DiscoverError {
    pub path: PathBuf,
    pub error: String,
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
