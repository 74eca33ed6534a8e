//! The normalized event: one shape for every source (Codex rollouts today; terminal hooks and editor
//! edits later), so that everything downstream — insights, symbol links, hovers, summaries — reads
//! one schema instead of every format generation of every tool.
//!
//! An event's JSON form is also its canonical byte form: the store hashes those exact bytes into the
//! chain, so field order is fixed by the declarations below and no map type with unstable order is
//! used anywhere in an event.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// One thing that happened in a session, in the order it happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Stable identity (see [`EventId`]): reading the same history again — from the same path, a
    /// moved or compressed copy, or a rewrite of the file in another format — yields the same id.
    pub id: String,
    /// The session (Codex thread) this event belongs to.
    pub session: String,
    /// When it happened: RFC 3339, UTC, as the source wrote it.
    pub at: String,
    /// The turn it belongs to: the source's turn id where it has one, else `t1`, `t2`, … in order.
    pub turn: Option<String>,
    #[serde(flatten)]
    pub body: Body,
}

/// What happened. Serialized with a `kind` tag next to the kind's own fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Body {
    /// The session's header: where and how it ran.
    SessionStart(SessionInfo),
    /// The same session picked up again in the same file (Codex `resume`).
    SessionResume(SessionInfo),
    /// What the developer asked, as typed: IDE preambles stripped, scaffolding never reaches here.
    Prompt {
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ide: Option<IdeContext>,
        #[serde(default, skip_serializing_if = "is_zero")]
        images: u32,
        /// Typed while the assistant was still working on the turn (Codex "steering"): more input
        /// to the same turn, not a new one.
        #[serde(default, skip_serializing_if = "is_false")]
        steer: bool,
    },
    /// What the assistant said: progress commentary or the turn's final answer.
    Assistant {
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        phase: Option<String>,
    },
    /// A reasoning summary the assistant chose to show.
    Reasoning { text: String },
    /// A command that ran, with its outcome.
    Command(Command),
    /// Files the assistant changed.
    Edit(Edit),
    /// A turn ended: completed, aborted (with the reason), or inferred from the next turn starting.
    TurnEnd {
        status: TurnStatus,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        duration_ms: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tokens: Option<TokenUsage>,
    },
    /// The conversation history was compacted (older context summarized away).
    Compacted {},
    /// A plan the assistant proposed before working (Codex plan mode), as written.
    Plan { text: String },
    /// A web search the assistant ran: the query, or the page it opened or searched in.
    WebSearch {
        /// `search`, `open_page`, `find_in_page` or `other`.
        action: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        query: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        url: Option<String>,
    },
    /// A tool the assistant called on an MCP server, with its outcome.
    McpCall(McpCall),
    /// Code the developer changed by hand, as the language server saw it: one event per save (or
    /// per document closed with unsaved changes), naming the definitions the changes touched.
    EditorEdit(EditorEdit),
    /// The developer marked an insight resolved, or open again, by hand (editor command or CLI).
    /// It overrides what the rules concluded, until a later mark.
    Mark { insight: String, resolved: bool },
    /// A takeaway someone wrote down as it was learned (the agent, through `sessionlens mcp`'s
    /// `record_learning`): what it is about, the lesson, and the code names it concerns. It
    /// becomes an insight of its own, resolved from the start.
    Learning {
        topic: String,
        takeaway: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        names: Vec<String>,
        /// Who wrote it down: `agent`.
        source: String,
    },
    /// Events whose content was erased (`sessionlens forget`, retention): their numbers in the
    /// log, why and by whom. Part of the chain itself, so erasing is tamper-evident too: `verify`
    /// fails on erased content that no erasure names. Belongs to no session a person sees.
    Erasure {
        seqs: Vec<u64>,
        why: String,
        by: String,
    },
}

/// The session erasure events are stored under; never listed, summarized or indexed.
pub const ERASURES: &str = "sessionlens-erasures";

/// How the turn of a `learning` event begins: each learning is a turn of its own, and the rest
/// of the turn id is unique to it.
pub const LEARNING_TURN: &str = "learning-";

/// One MCP tool call and how it went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct McpCall {
    pub server: String,
    pub tool: String,
    /// The arguments as compact JSON, capped in size.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub arguments: String,
    /// `None` when no result was recorded.
    pub success: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    /// Head and tail of the result's text (or the error message). Empty for Session Lens's own
    /// server: what it answered is derived from the store, and must never be read back as news.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub output: String,
}

/// Hand edits to one file between two saves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EditorEdit {
    /// Relative to the session's working directory (the workspace root).
    pub file: String,
    /// Definitions whose bodies the changes touched, outermost first, deduplicated.
    pub symbols: Vec<String>,
    /// Lines changed (inserted, deleted or replaced), summed over the changes.
    pub lines: u32,
    /// How many separate changes the editor sent.
    pub changes: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Where and how a session ran.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SessionInfo {
    /// `cli`, `vscode`, `exec`, `mcp`, `subagent`, `custom:<name>` or `unknown`.
    pub surface: String,
    pub originator: Option<String>,
    pub cwd: Option<String>,
    pub model: Option<String>,
    pub cli_version: Option<String>,
    pub git_branch: Option<String>,
    pub git_commit: Option<String>,
    pub started_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forked_from: Option<String>,
    /// For threads an agent started rather than a person (surface `subagent`): which kind —
    /// `thread_spawn`, `review`, `compact`, `guardian`, `memory_consolidation`, … Their prompts
    /// are an agent's words, not the developer's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    /// The thread that started this one (a sub-agent's parent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
}

impl SessionInfo {
    /// Whether the thread's prompts were written by an agent (a sub-agent, a reviewer).
    pub fn is_agent_thread(&self) -> bool {
        self.surface == "subagent" || self.agent.is_some()
    }
}

/// The editor state the VS Code panel prepends to a prompt ("# Context from my IDE setup").
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct IdeContext {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_file: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub open_tabs: Vec<String>,
}

/// A command and its outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Command {
    /// The command line as the developer would type it (the script of `bash -lc`, not the wrapper).
    pub command: String,
    pub workdir: Option<String>,
    /// `None` when no exit status was recorded (still running, interrupted, output lost).
    pub exit_code: Option<i32>,
    pub duration_ms: Option<u64>,
    /// Head and tail of the output; the middle of long output is elided.
    pub output: String,
    /// The tool that ran it: `shell`, `shell_command`, `exec_command`, `local_shell`, `user_shell`, `terminal`.
    pub tool: String,
    pub status: CommandStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandStatus {
    /// Ran to the end; `exit_code` says how it went.
    Exited,
    /// Ran and returned output, but the source recorded no exit status.
    Ran,
    /// Timed out.
    TimedOut,
    /// Still running when the turn ended (a background process).
    Running,
    /// No result was ever recorded (the turn was interrupted or the output is missing).
    NoResult,
    /// The user or the sandbox declined to run it.
    Declined,
    /// It failed, but the source recorded no exit code (Claude Code marks a failing Bash call as
    /// an error and keeps the code, if at all, only in the error text).
    Failed,
}

impl Command {
    /// Whether the command is known to have failed: a non-zero exit, a timeout, or a failure the
    /// source reported without a code.
    pub fn failed(&self) -> bool {
        match self.status {
            CommandStatus::Exited => self.exit_code.is_some_and(|c| c != 0),
            CommandStatus::TimedOut | CommandStatus::Failed => true,
            _ => false,
        }
    }
}

/// One `apply_patch` (or equivalent) call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Edit {
    pub files: Vec<FileChange>,
    /// `None` when the outcome was not recorded.
    pub success: Option<bool>,
    pub tool: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileChange {
    pub path: String,
    pub op: FileOp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub move_to: Option<String>,
    pub added: u32,
    pub removed: u32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hunks: Vec<Hunk>,
    /// The change as diff text, capped in size.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub diff: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileOp {
    Add,
    Update,
    Delete,
    Move,
}

/// One hunk: where it starts (when the source says) and what it changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hunk {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_start: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_start: Option<u32>,
    /// The anchor text after `@@` in apply_patch hunks (often a function signature).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    pub added: u32,
    pub removed: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TurnStatus {
    Completed,
    Aborted,
    /// No end marker: the turn ended because the next one began or the session went quiet.
    Inferred,
}

/// Tokens spent in one turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TokenUsage {
    pub input: u64,
    pub cached_input: u64,
    pub output: u64,
    pub reasoning_output: u64,
    pub total: u64,
}

impl TokenUsage {
    /// `self - earlier`, for turning cumulative counters into one turn's usage.
    pub fn since(&self, earlier: &TokenUsage) -> TokenUsage {
        TokenUsage {
            input: self.input.saturating_sub(earlier.input),
            cached_input: self.cached_input.saturating_sub(earlier.cached_input),
            output: self.output.saturating_sub(earlier.output),
            reasoning_output: self
                .reasoning_output
                .saturating_sub(earlier.reasoning_output),
            total: self.total.saturating_sub(earlier.total),
        }
    }
}

impl Body {
    /// The `kind` tag as it appears in JSON.
    pub fn kind(&self) -> &'static str {
        match self {
            Body::SessionStart(_) => "session_start",
            Body::SessionResume(_) => "session_resume",
            Body::Prompt { .. } => "prompt",
            Body::Assistant { .. } => "assistant",
            Body::Reasoning { .. } => "reasoning",
            Body::Command(_) => "command",
            Body::Edit(_) => "edit",
            Body::TurnEnd { .. } => "turn_end",
            Body::Compacted {} => "compacted",
            Body::Plan { .. } => "plan",
            Body::WebSearch { .. } => "web_search",
            Body::McpCall(_) => "mcp_call",
            Body::EditorEdit(_) => "editor_edit",
            Body::Mark { .. } => "mark",
            Body::Learning { .. } => "learning",
            Body::Erasure { .. } => "erasure",
        }
    }
}

impl Event {
    /// The canonical bytes the store hashes. Serialization of these types cannot fail (no maps with
    /// non-string keys, no floats), so a failure here is a programming error caught by the tests.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("events always serialize")
    }

    /// Appends the canonical bytes to `out` (the same bytes as [`Event::canonical_bytes`]), so a
    /// writer of many events reuses one buffer.
    pub fn write_canonical(&self, out: &mut Vec<u8>) {
        serde_json::to_writer(out, self).expect("events always serialize")
    }
}

/// Builds event ids.
///
/// Events read from an assistant's session files are identified by *what* they are in the
/// thread, never by where a file holds them: the thread, the turn, the event's kind, and which
/// one of that kind in the turn it is (the first prompt, the third command, …); a session header
/// by its time. So the same history read from a legacy rollout, from its paginated rewrite under
/// the same path, from a moved or compressed copy, or by an older build (see the store's
/// aliases), gets the same ids and is stored once.
pub struct EventId;

impl EventId {
    /// The id of the `n`-th (from 0) event of `kind` in `turn` of `session`; for
    /// `session_start` and `session_resume`, the header written at `at` (`turn` and `n` unused).
    pub fn positional(
        source: &str,
        session: &str,
        turn: Option<&str>,
        kind: &str,
        at: &str,
        n: u32,
    ) -> String {
        let mut h = Sha256::new();
        h.update(b"pos\0");
        h.update(source.as_bytes());
        h.update([0]);
        h.update(session.as_bytes());
        h.update([0]);
        h.update(kind.as_bytes());
        h.update([0]);
        if matches!(kind, "session_start" | "session_resume") {
            h.update(at.as_bytes());
        } else {
            h.update(turn.unwrap_or("").as_bytes());
            h.update([0]);
            h.update(n.to_le_bytes());
        }
        hex::encode(&h.finalize()[..16])
    }

    /// The positional id an already stored event would get, given that it is the `n`-th of its
    /// kind in its turn: how the store aliases events an older build identified otherwise.
    pub fn positional_of(source: &str, e: &Event, n: u32) -> String {
        EventId::positional(
            source,
            &e.session,
            e.turn.as_deref(),
            e.body.kind(),
            &e.at,
            n,
        )
    }

    /// An id from a source position: a digest of the source, an anchor (a file fingerprint and
    /// a byte offset, or any fixed key) and a tag naming the event's role. How the first builds
    /// identified rollout events; still used for the fixed header of local sessions.
    pub fn derive(source: &str, file_key: &str, anchor_offset: u64, tag: &str) -> String {
        let mut h = Sha256::new();
        h.update(source.as_bytes());
        h.update([0]);
        h.update(file_key.as_bytes());
        h.update([0]);
        h.update(anchor_offset.to_le_bytes());
        h.update(tag.as_bytes());
        hex::encode(&h.finalize()[..16])
    }
}

/// Sessions Session Lens opens itself, for what happens outside Codex (hand edits, terminal
/// commands, marks): one per surface, working directory and UTC day, so they list like Codex
/// sessions and their events group by place and time. The id is readable and stable.
pub fn local_session_id(surface: &str, cwd: &str, day: &str) -> String {
    let digest = Sha256::digest(cwd.as_bytes());
    format!("{surface}-{day}-{}", hex::encode(&digest[..4]))
}

/// Ids for events with no source file: unique per process and call, never reused.
pub fn live_event_id(session: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut h = Sha256::new();
    h.update(session.as_bytes());
    h.update(nanos.to_le_bytes());
    h.update(std::process::id().to_le_bytes());
    h.update(n.to_le_bytes());
    hex::encode(&h.finalize()[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_carries_kind_at_turn_and_fields() {
        let e = Event {
            id: "x".into(),
            session: "s".into(),
            at: "2026-01-01T00:00:00.000Z".into(),
            turn: None,
            body: Body::Command(Command {
                command: "npm test".into(),
                workdir: None,
                exit_code: Some(1),
                duration_ms: Some(1200),
                output: "FAIL".into(),
                tool: "shell".into(),
                status: CommandStatus::Exited,
            }),
        };
        let v: serde_json::Value = serde_json::from_slice(&e.canonical_bytes()).unwrap();
        assert_eq!(v["kind"], "command");
        assert_eq!(v["turn"], serde_json::Value::Null);
        assert_eq!(v["exit_code"], 1);
        assert_eq!(v["duration_ms"], 1200);
        let back: Event = serde_json::from_value(v).unwrap();
        assert_eq!(back, e);
    }

    #[test]
    fn positional_ids_name_the_thread_turn_kind_and_place() {
        let a = EventId::positional(
            "codex",
            "s",
            Some("t1"),
            "prompt",
            "2026-01-01T00:00:00Z",
            0,
        );
        let same_elsewhere = EventId::positional(
            "codex",
            "s",
            Some("t1"),
            "prompt",
            "2027-05-05T00:00:00Z",
            0,
        );
        assert_eq!(
            a, same_elsewhere,
            "the time of a turn event is not its identity"
        );
        for other in [
            EventId::positional("codex", "s2", Some("t1"), "prompt", "", 0),
            EventId::positional("codex", "s", Some("t2"), "prompt", "", 0),
            EventId::positional("codex", "s", None, "prompt", "", 0),
            EventId::positional("codex", "s", Some("t1"), "command", "", 0),
            EventId::positional("codex", "s", Some("t1"), "prompt", "", 1),
            EventId::positional("claude", "s", Some("t1"), "prompt", "", 0),
        ] {
            assert_ne!(a, other);
        }
        let h1 = EventId::positional(
            "codex",
            "s",
            None,
            "session_start",
            "2026-01-01T00:00:00Z",
            0,
        );
        let h2 = EventId::positional(
            "codex",
            "s",
            Some("x"),
            "session_start",
            "2026-01-01T00:00:00Z",
            9,
        );
        let h3 = EventId::positional(
            "codex",
            "s",
            None,
            "session_start",
            "2026-01-02T00:00:00Z",
            0,
        );
        assert_eq!(h1, h2, "a header is identified by its time");
        assert_ne!(h1, h3);
    }

    #[test]
    fn ids_differ_by_anchor_and_tag() {
        let a = EventId::derive("codex", "k", 10, "prompt");
        assert_eq!(a, EventId::derive("codex", "k", 10, "prompt"));
        assert_ne!(a, EventId::derive("codex", "k", 11, "prompt"));
        assert_ne!(a, EventId::derive("codex", "k", 10, "turn_end"));
        assert_eq!(a.len(), 32);
    }
}
