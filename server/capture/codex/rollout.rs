//! Codex rollout lines → normalized events, for every format generation:
//!
//! - G0 (mid-2025): a bare header line `{id, timestamp, …}`, then bare response items and
//!   `{"record_type":"state"}` snapshots, no per-line timestamps;
//! - G1 (late 2025): `{timestamp, type, payload}` envelopes;
//! - G2 (2026): the same envelope with `ordinal`, `metadata` and new line kinds; from Codex 0.148
//!   a thread may be in *paginated* history mode, where the legacy messages are no longer written
//!   and the prompt, answers, reasoning, commands and file changes arrive as `item_completed`
//!   turn items (see `items`).
//!
//! The reader is a state machine fed one complete line at a time. Its state ([`CodexState`]) is
//! serializable and is stored with the file's read offset, so a later read resumes in the middle
//! of a turn, with calls still waiting for their output, exactly where the last one stopped.
//!
//! Sources of truth, chosen so nothing is counted twice: in envelope files the developer's prompt,
//! the assistant's messages and reasoning come from `event_msg` — the legacy messages in legacy
//! threads, the `item_completed` items in paginated ones — and the `response_item` copies are
//! ignored; in G0 files, which have no `event_msg`, from the response items. Commands come from
//! `function_call`/`custom_tool_call`/`local_shell_call` paired with their output by `call_id`;
//! the end events (`exec_command_end`, `patch_apply_end` and their paginated items
//! `CommandExecution`, `FileChange`) enrich a pending call, or stand alone when no call was
//! recorded, and a call id is emitted at most once.
//!
//! Events are identified by their place in the thread (see [`crate::normalize::EventId::positional`]): the
//! reader counts, per turn, the events of each kind it emits. The same history written in legacy
//! or paginated form, or rewritten from one into the other by Codex, yields the same ids.

use super::items::{self, CommandItem, Item, WebSearchItem};
use super::prompt::{is_scaffolding, strip_ide_context, strip_injected_wrappers};
use super::tools::{self, CallKind, Outcome};
use super::wire::*;
use crate::capture::{LineStats, Places, SessionReader};
use crate::normalize::redact::Redactor;
use crate::normalize::text::{OUTPUT_CAP, excerpt, strip_own_context};
use crate::normalize::{
    Body, Command, CommandStatus, Edit, Event, FileChange, IdeContext, McpCall, SessionInfo,
    TokenUsage, TurnStatus,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet, VecDeque};

/// The reader's version, saved in its state. A state saved by an older reader is not resumed:
/// the file is read again from the start, which is safe because ids are positional (and a store
/// an older build wrote aliases its ids to positional ones).
pub const READER_VERSION: u32 = 2;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Generation {
    #[default]
    Unknown,
    /// Pre-envelope, mid-2025.
    G0,
    /// `{timestamp, type, payload}` (with or without the 2026 additions).
    Envelope,
}

/// `session_meta.history_mode`: where a thread writes its messages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryMode {
    /// `user_message`, `agent_message`, … events (the serde default in Codex).
    #[default]
    Legacy,
    /// `item_completed` turn items (Codex 0.148+).
    Paginated,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Turn {
    id: String,
    explicit: bool,
    prompted: bool,
    ended: bool,
    base_tokens: Option<TokenUsage>,
    last_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct PendingPrompt {
    at: String,
    text: String,
    ide: Option<IdeContext>,
    images: u32,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct ExecEnd {
    exit_code: Option<i32>,
    duration_ms: Option<u64>,
    cwd: Option<String>,
    output: String,
    declined: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct PatchEnd {
    files: Vec<FileChange>,
    success: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct PendingCall {
    at: String,
    turn: Option<String>,
    kind: CallKind,
    end: Option<ExecEnd>,
    patch: Option<PatchEnd>,
    /// Set while a unified-exec process keeps running: its latest outcome so far.
    progress: Option<Outcome>,
}

/// Everything the reader must remember between two reads of the same file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CodexState {
    /// [`READER_VERSION`] of the reader that wrote this state (0: before versions were saved).
    pub version: u32,
    pub session: Option<String>,
    pub generation: Generation,
    pub mode: HistoryMode,
    started: bool,
    meta: Option<SessionInfo>,
    /// This file continues a thread begun in another file (a revert's new rollout): its header
    /// is a resume, not a second start.
    continues_thread: bool,
    /// Paginated sub-agents copy their parent's records below this ordinal.
    inherited_below: Option<u64>,
    /// Legacy forks copy their parent's records, which carry the parent's older timestamps:
    /// lines stamped before this (the thread's own start) are copies.
    copied_before: Option<String>,
    model: Option<String>,
    cwd: Option<String>,
    last_at: Option<String>,
    turn: Option<Turn>,
    turn_count: u64,
    pending_prompt: Option<PendingPrompt>,
    calls: BTreeMap<String, PendingCall>,
    /// Running unified-exec processes: process id → the call that started it.
    running: BTreeMap<String, String>,
    /// Recently emitted call ids, so a late duplicate (`exec_command_end` after the output) is
    /// never emitted again. The deque keeps their order (it is what is saved); the set, rebuilt
    /// from it on demand, answers lookups.
    done: VecDeque<String>,
    #[serde(skip)]
    done_set: HashSet<String>,
    tokens_total: Option<TokenUsage>,
    places: Places,
    /// The reasoning item last read and how many of its summaries were emitted: Codex's
    /// migration writes one item again with each summary added.
    reasoning: Option<(String, usize)>,
}

impl CodexState {
    /// Whether this state was saved by the current reader and can be resumed.
    pub fn is_current(&self) -> bool {
        self.version == READER_VERSION
    }
}

const DONE_MEMORY: usize = 512;

/// Turn ids Codex's migration makes up for legacy turns that had none (`rollout-<line>`). They
/// are read as the numbered turns (`t1`, `t2`, …) the legacy file gives, so a migrated file
/// keeps its turns' identity.
fn is_synthesized_turn(id: &str) -> bool {
    id.strip_prefix("rollout-")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Feeds lines of one rollout file through the state machine.
pub struct RolloutReader {
    pub state: CodexState,
    pub stats: LineStats,
    redactor: &'static Redactor,
}

impl RolloutReader {
    /// `fallback_session` names the session when the file has no header (the id in the file
    /// name, or the file fingerprint).
    pub fn new(state: Option<CodexState>, fallback_session: &str) -> Self {
        let mut state = state.unwrap_or_else(|| CodexState {
            version: READER_VERSION,
            ..CodexState::default()
        });
        if state.session.is_none() {
            state.session = Some(fallback_session.to_owned());
        }
        RolloutReader {
            state,
            stats: LineStats::default(),
            redactor: Redactor::global(),
        }
    }

    /// Marks the file as the continuation of a thread begun in another file (its name carries
    /// a rollout id after the thread id: a revert's new rollout).
    pub fn continues_thread(mut self, yes: bool) -> Self {
        if !self.state.started && self.state.meta.is_none() {
            self.state.continues_thread |= yes;
        }
        self
    }

    /// Reads one complete line (without its newline).
    pub fn line(&mut self, raw: &[u8], out: &mut Vec<Event>) {
        self.stats.lines += 1;
        let text: Cow<str> = match std::str::from_utf8(raw) {
            Ok(s) => Cow::Borrowed(s),
            Err(_) => {
                self.stats.invalid_utf8 += 1;
                Cow::Owned(String::from_utf8_lossy(raw).into_owned())
            }
        };
        let text = text.trim_end_matches('\r');
        if text.trim().is_empty() {
            return;
        }
        if self.fast_lane(text, out) {
            return;
        }
        let env: Envelope = match serde_json::from_str(text) {
            Ok(e) => e,
            Err(_) => {
                self.stats.malformed += 1;
                return;
            }
        };
        let at = env
            .timestamp
            .as_deref()
            .map(str::to_owned)
            .or_else(|| self.state.last_at.clone())
            .unwrap_or_default();
        match (&env.kind, env.payload) {
            (Some(kind), Some(payload)) => {
                self.state.generation = Generation::Envelope;
                if self.inherited(env.ordinal, kind, env.timestamp.as_deref()) {
                    return;
                }
                self.state.last_at = Some(at.clone());
                self.envelope(kind, payload, at, out);
            }
            _ if env.record_type.is_some() => {}
            (None, _) => match serde_json::from_str::<Value>(text) {
                Ok(v) if v.get("id").is_some() && v.get("timestamp").is_some() => {
                    self.state.generation = Generation::G0;
                    if self.state.last_at.is_none() {
                        self.state.last_at = v["timestamp"].as_str().map(str::to_owned);
                    }
                    let at = self.state.last_at.clone().unwrap_or_default();
                    self.session_meta(&v, at, out);
                }
                _ => *self.stats.unknown.entry("(no type)".into()).or_default() += 1,
            },
            (Some(_), None) => {
                // A bare response item: the pre-envelope generation.
                if self.state.generation == Generation::Unknown {
                    self.state.generation = Generation::G0;
                }
                match serde_json::from_str::<Value>(text) {
                    Ok(v) => self.response_item(v, at, out),
                    Err(_) => self.stats.malformed += 1,
                }
            }
        }
    }

    /// A line longer than the line reader's bound was skipped unread.
    pub fn oversized_line(&mut self) {
        self.stats.lines += 1;
        self.stats.oversized += 1;
    }

    /// Whether an envelope line is a copy of another thread's record (and is counted so). The
    /// thread's own header is never one.
    fn inherited(&mut self, ordinal: Option<u64>, kind: &str, ts: Option<&str>) -> bool {
        if kind == "session_meta" && self.state.meta.is_none() {
            return false;
        }
        let below = matches!((ordinal, self.state.inherited_below), (Some(o), Some(b)) if o < b);
        let older = matches!((ts, &self.state.copied_before), (Some(t), Some(c)) if t < c.as_str());
        if below || older {
            self.stats.inherited += 1;
        }
        below || older
    }

    /// Codex writes envelopes compactly, `{"timestamp":…,["ordinal":…,]"type":…,"payload":
    /// {"type":…}}`, so in an envelope file most lines are recognized by that prefix and their
    /// payload parsed once, without first validating the whole line: reasoning blobs and message
    /// copies (most of a rollout's bytes) are skipped unparsed, token counts and turn contexts
    /// read into small typed structs. Anything else, or anything unexpected, takes the general
    /// path, which also does all the counting of malformed and unknown lines. Returns whether
    /// the line was handled.
    fn fast_lane(&mut self, line: &str, out: &mut Vec<Event>) -> bool {
        if self.state.generation != Generation::Envelope {
            return false;
        }
        let Some(rest) = line.strip_prefix("{\"timestamp\":\"") else {
            return false;
        };
        let Some((ts, rest)) = rest.split_once('"') else {
            return false;
        };
        let (ordinal, rest) = match rest.strip_prefix(",\"ordinal\":") {
            Some(r) => {
                let digits = r.bytes().take_while(u8::is_ascii_digit).count();
                let Ok(n) = r[..digits].parse::<u64>() else {
                    return false;
                };
                (Some(n), &r[digits..])
            }
            None => (None, rest),
        };
        let Some(rest) = rest.strip_prefix(",\"type\":\"") else {
            return false;
        };
        let Some((kind, rest)) = rest.split_once('"') else {
            return false;
        };
        let Some(body) = rest
            .strip_prefix(",\"payload\":")
            .and_then(|p| p.strip_suffix('}'))
        else {
            return false;
        };
        if kind == "session_meta" {
            return false;
        }
        if self.inherited(ordinal, kind, Some(ts)) {
            return true;
        }
        let item = body
            .strip_prefix("{\"type\":\"")
            .and_then(|p| p.split_once('"'))
            .map(|(k, _)| k);
        let at = || ts.to_owned();
        match (kind, item) {
            ("response_item", Some("reasoning" | "message" | "ghost_snapshot")) => {}
            ("response_item", Some(it)) if WANTED_ITEMS.contains(&it) => {
                let Ok(v) = serde_json::from_str::<Value>(body) else {
                    return false;
                };
                self.response_item(v, at(), out);
            }
            ("event_msg", Some("token_count")) => {
                let Ok(tc) = serde_json::from_str::<TokenCount>(body) else {
                    return false;
                };
                if let Some(total) = tc.info.and_then(|i| i.total_token_usage) {
                    self.state.tokens_total = Some(total.into());
                }
            }
            ("event_msg", Some(ev)) if WANTED_EVENTS.contains(&ev) => {
                let Ok(v) = serde_json::from_str::<Value>(body) else {
                    return false;
                };
                self.event_msg(ev, &v, at(), out);
            }
            ("event_msg", Some(_)) => {}
            ("turn_context", _) => {
                let Ok(tc) = serde_json::from_str::<TurnContext>(body) else {
                    return false;
                };
                self.turn_context(tc, at(), out);
            }
            _ => return false,
        }
        if self.state.last_at.as_deref() != Some(ts) {
            self.state.last_at = Some(ts.to_owned());
        }
        true
    }

    /// The session has gone quiet: close what is open so it shows up as ended, and emit the
    /// header of a session that has nothing else yet.
    pub fn finish_idle(&mut self, out: &mut Vec<Event>) {
        self.materialize(out);
        let at = self.state.last_at.clone().unwrap_or_default();
        self.close_turn(TurnStatus::Inferred, None, None, at, out);
        if !self.state.started && self.state.meta.is_some() {
            self.ensure_started(out);
        }
    }

    fn envelope(&mut self, kind: &str, payload: &RawValue, at: String, out: &mut Vec<Event>) {
        match kind {
            "session_meta" => {
                if let Ok(v) = serde_json::from_str::<Value>(payload.get()) {
                    self.session_meta(&v, at, out);
                } else {
                    self.stats.malformed += 1;
                }
            }
            "turn_context" => match serde_json::from_str::<TurnContext>(payload.get()) {
                Ok(tc) => self.turn_context(tc, at, out),
                Err(_) => self.stats.malformed += 1,
            },
            "response_item" => {
                let item_kind = sniff_type(payload.get());
                let wanted = item_kind
                    .as_deref()
                    .is_some_and(|k| WANTED_ITEMS.contains(&k));
                if wanted {
                    match serde_json::from_str::<Value>(payload.get()) {
                        Ok(v) => self.response_item(v, at, out),
                        Err(_) => self.stats.malformed += 1,
                    }
                } else if !matches!(item_kind.as_deref(), Some("message" | "reasoning"))
                    && !item_kind
                        .as_deref()
                        .is_some_and(|k| IGNORED_ITEMS.contains(&k))
                {
                    let name = format!("response_item/{}", item_kind.as_deref().unwrap_or("?"));
                    *self.stats.unknown.entry(name).or_default() += 1;
                }
            }
            "event_msg" => {
                let ev_kind = sniff_type(payload.get());
                let wanted = ev_kind
                    .as_deref()
                    .is_some_and(|k| WANTED_EVENTS.contains(&k));
                if ev_kind.as_deref() == Some("token_count") {
                    // The most frequent line of all: read just the cumulative total.
                    match serde_json::from_str::<TokenCount>(payload.get()) {
                        Ok(tc) => {
                            if let Some(total) = tc.info.and_then(|i| i.total_token_usage) {
                                self.state.tokens_total = Some(total.into());
                            }
                        }
                        Err(_) => self.stats.malformed += 1,
                    }
                } else if wanted {
                    match serde_json::from_str::<Value>(payload.get()) {
                        Ok(v) => self.event_msg(ev_kind.as_deref().unwrap_or(""), &v, at, out),
                        Err(_) => self.stats.malformed += 1,
                    }
                }
            }
            "compacted" => {
                self.materialize(out);
                let turn = self.turn_id();
                self.emit(out, at, turn, Body::Compacted {});
            }
            k if IGNORED_LINE_KINDS.contains(&k) => {}
            other => *self.stats.unknown.entry(other.to_owned()).or_default() += 1,
        }
    }

    fn session_meta(&mut self, v: &Value, at: String, out: &mut Vec<Event>) {
        let id = str_field(v, "id").or_else(|| str_field(v, "session_id"));
        let info = session_info(v, &at);
        let first = self.state.meta.is_none();
        if first {
            if let Some(id) = id {
                if !self.state.started {
                    self.state.session = Some(id);
                }
            }
            if info.cwd.is_some() {
                self.state.cwd.clone_from(&info.cwd);
            }
            if v.get("history_mode").and_then(Value::as_str) == Some("paginated") {
                self.state.mode = HistoryMode::Paginated;
            }
            self.state.inherited_below = v
                .get("subagent_history_start_ordinal")
                .and_then(Value::as_u64);
            // A rollout that starts from another rollout's records without copying them:
            // a revert of this thread continues it; a fork (another thread) starts afresh.
            let based = v.get("history_base").is_some_and(|b| !b.is_null());
            if based && info.forked_from.is_none() {
                self.state.continues_thread = true;
            }
            self.state.meta = Some(info);
            return;
        }
        // A later header of the same thread: the session was resumed into this file.
        if id.is_none() || id == self.state.session {
            self.materialize(out);
            let at_close = self.state.last_at.clone().unwrap_or_default();
            self.close_turn(TurnStatus::Inferred, None, None, at_close, out);
            let mut info = info;
            if info.model.is_none() {
                info.model.clone_from(&self.state.model);
            }
            self.emit(out, at, None, Body::SessionResume(info));
            return;
        }
        // Another thread's header: a legacy fork or sub-agent copied its parent's history
        // here. Those records are older than this thread; they were counted in the parent.
        if self.state.copied_before.is_none() {
            self.state.copied_before = self.state.meta.as_ref().map(|m| m.started_at.clone());
        }
    }

    fn turn_context(&mut self, tc: TurnContext, at: String, out: &mut Vec<Event>) {
        if let Some(model) = tc.model.filter(|m| !m.is_empty()) {
            if self.state.model.as_deref() != Some(model.as_ref()) {
                self.state.model = Some(model.into_owned());
            }
        }
        if let Some(cwd) = tc.cwd.filter(|c| !c.is_empty()) {
            if self.state.cwd.as_deref() != Some(cwd.as_ref()) {
                self.state.cwd = Some(cwd.into_owned());
            }
        }
        match tc.turn_id.filter(|t| !t.is_empty()) {
            Some(id) => self.turn_started(id.into_owned(), at, out),
            None => self.materialize(out),
        }
    }

    fn turn_started(&mut self, id: String, at: String, out: &mut Vec<Event>) {
        if is_synthesized_turn(&id) {
            self.materialize(out);
            return;
        }
        let same = self
            .state
            .turn
            .as_ref()
            .is_some_and(|t| t.id == id && !t.ended);
        if !same {
            self.open_turn(Some(id), at, out);
        }
        if let Some(p) = self.state.pending_prompt.take() {
            self.emit_prompt(p, false, out);
        }
    }

    /// One response item, taken by value: a call's arguments (a whole patch, for apply_patch)
    /// are moved out of it, never copied.
    fn response_item(&mut self, mut item: Value, at: String, out: &mut Vec<Event>) {
        let kind = item
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let kind = kind.as_str();
        let v = &mut item;
        match kind {
            "message" if self.state.generation == Generation::G0 => {
                let role = v.get("role").and_then(Value::as_str).unwrap_or("");
                match role {
                    "user" => {
                        let text = typed_text(v);
                        self.user_message(&text, 0, at, out)
                    }
                    "assistant" => {
                        self.materialize(out);
                        let text = content_text(v.get("content"));
                        let phase = str_field(v, "phase");
                        self.emit_text(out, at, text, |text| Body::Assistant { text, phase });
                    }
                    _ => self.stats.scaffolding += 1,
                }
            }
            "reasoning" if self.state.generation == Generation::G0 => {
                let text = v
                    .get("summary")
                    .and_then(Value::as_array)
                    .map(|s| {
                        s.iter()
                            .filter_map(|p| p.get("text").and_then(Value::as_str))
                            .collect::<Vec<_>>()
                            .join("\n\n")
                    })
                    .unwrap_or_default();
                self.materialize(out);
                self.emit_text(out, at, text, |text| Body::Reasoning { text });
            }
            "function_call" | "custom_tool_call" => {
                let Some(call_id) = str_field(v, "call_id").or_else(|| str_field(v, "id")) else {
                    return;
                };
                let name = v
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned();
                let raw = match v.get_mut("arguments") {
                    Some(a) => Some(a.take()),
                    None => v.get_mut("input").map(Value::take),
                };
                let args = match raw {
                    Some(Value::String(s))
                        if name == "apply_patch" && kind == "custom_tool_call" =>
                    {
                        Value::String(s)
                    }
                    Some(Value::String(s)) => serde_json::from_str(&s).unwrap_or(Value::String(s)),
                    Some(other) => other,
                    None => Value::Null,
                };
                if let Some(call) = tools::classify_call(&name, &args) {
                    self.start_call(call_id, call, at, out);
                }
            }
            "local_shell_call" => {
                let Some(call_id) = str_field(v, "call_id").or_else(|| str_field(v, "id")) else {
                    return;
                };
                if let Some(call) = v.get("action").and_then(tools::classify_local_shell) {
                    self.start_call(call_id, call, at, out);
                }
            }
            "function_call_output" | "custom_tool_call_output" => {
                let Some(call_id) = str_field(v, "call_id") else {
                    return;
                };
                let text = v.get("output").map(tools::output_text).unwrap_or_default();
                self.call_output(&call_id, &text, at, out);
            }
            "message" | "reasoning" => {}
            k if IGNORED_ITEMS.contains(&k) => {}
            other => {
                *self
                    .stats
                    .unknown
                    .entry(format!("response_item/{other}"))
                    .or_default() += 1
            }
        }
    }

    fn event_msg(&mut self, kind: &str, v: &Value, at: String, out: &mut Vec<Event>) {
        let paginated = self.state.mode == HistoryMode::Paginated;
        match kind {
            // Paginated threads write these as items; a copy here would be counted twice.
            "user_message" | "agent_message" | "agent_reasoning" if paginated => {}
            "user_message" => {
                let text = v.get("message").and_then(Value::as_str).unwrap_or("");
                let images = ["images", "local_images"]
                    .iter()
                    .filter_map(|k| v.get(*k).and_then(Value::as_array))
                    .map(|a| a.len() as u32)
                    .sum();
                self.user_message(text, images, at, out);
            }
            "agent_message" => {
                self.materialize(out);
                let text = str_field(v, "message").unwrap_or_default();
                let phase = str_field(v, "phase");
                self.emit_text(out, at, text, |text| Body::Assistant { text, phase });
            }
            "agent_reasoning" => {
                self.materialize(out);
                let text = str_field(v, "text").unwrap_or_default();
                self.emit_text(out, at, text, |text| Body::Reasoning { text });
            }
            "task_started" | "turn_started" => match str_field(v, "turn_id") {
                Some(id) => self.turn_started(id, at, out),
                None => self.materialize(out),
            },
            "task_complete" | "turn_complete" | "turn_aborted" => {
                let id = str_field(v, "turn_id");
                // A made-up turn's completion was made up too (the migration writes it where
                // the next turn starts): the turn ends as a legacy file's would, and a prompt
                // still waiting goes to the turn that really starts next.
                if kind != "turn_aborted" && id.as_deref().is_some_and(is_synthesized_turn) {
                    return;
                }
                self.materialize(out);
                let matches = self.state.turn.as_ref().is_some_and(|t| {
                    !t.ended
                        && (id.is_none() || id.as_deref() == Some(t.id.as_str()) || !t.explicit)
                });
                if matches {
                    let (status, reason) = if kind == "turn_aborted" {
                        (TurnStatus::Aborted, str_field(v, "reason"))
                    } else {
                        (TurnStatus::Completed, None)
                    };
                    let duration = v.get("duration_ms").and_then(Value::as_u64);
                    self.close_turn(status, reason, duration, at, out);
                }
            }
            "exec_command_end" => self.exec_end(exec_end_item(v), at, out),
            "patch_apply_end" => {
                if let Some(call_id) = str_field(v, "call_id") {
                    let success = v.get("success").and_then(Value::as_bool);
                    self.patch_end(call_id, v.get("changes"), success, at, out);
                }
            }
            "web_search_end" => {
                if let Some(w) = items::legacy_web_search_end(v) {
                    self.web_search(w, at, out);
                }
            }
            "mcp_tool_call_end" => {
                if let Some((id, call)) = items::legacy_mcp_end(v) {
                    self.mcp_call(id, call, at, out);
                }
            }
            "item_completed" => {
                if let Some(item) = v.get("item") {
                    self.item_completed(item, at, out);
                }
            }
            _ => {}
        }
    }

    /// One paginated turn item. Messages and reasoning count only in paginated threads, where
    /// they are the one source (a legacy thread has them as events); the other items are ends
    /// of calls or facts of their own, deduplicated by call id either way.
    fn item_completed(&mut self, item: &Value, at: String, out: &mut Vec<Event>) {
        let paginated = self.state.mode == HistoryMode::Paginated;
        match items::decode(item) {
            Item::UserMessage { .. } | Item::AgentMessage { .. } | Item::Reasoning { .. }
                if !paginated => {}
            Item::UserMessage { text, images } => self.user_message(&text, images, at, out),
            Item::HookPrompt => self.stats.scaffolding += 1,
            Item::AgentMessage { texts, phase } => {
                self.materialize(out);
                for text in texts {
                    let phase = phase.clone();
                    self.emit_text(out, at.clone(), text, |text| Body::Assistant {
                        text,
                        phase,
                    });
                }
            }
            Item::Reasoning { id, summaries } => {
                self.materialize(out);
                let seen = match &self.state.reasoning {
                    Some((last, n)) if *last == id => (*n).min(summaries.len()),
                    _ => 0,
                };
                self.state.reasoning = Some((id, summaries.len()));
                for text in summaries.into_iter().skip(seen) {
                    self.emit_text(out, at.clone(), text, |text| Body::Reasoning { text });
                }
            }
            Item::Command(c) => self.exec_end(c, at, out),
            Item::FileChange {
                id,
                changes,
                success,
            } => self.patch_end(id, Some(&changes), success, at, out),
            Item::Plan { text } => {
                self.materialize(out);
                self.emit_text(out, at, text, |text| Body::Plan { text });
            }
            Item::WebSearch(w) => self.web_search(w, at, out),
            Item::Mcp { id, call } => self.mcp_call(id, call, at, out),
            Item::Ignored => {}
            Item::Unknown(kind) => {
                *self
                    .stats
                    .unknown
                    .entry(format!("item_completed/{kind}"))
                    .or_default() += 1
            }
        }
    }

    fn web_search(&mut self, w: WebSearchItem, at: String, out: &mut Vec<Event>) {
        self.materialize(out);
        if w.id.is_empty() || self.is_done(&w.id) {
            return;
        }
        self.remember_done(&w.id);
        let body = Body::WebSearch {
            action: w.action,
            query: self.redactor.redact(&w.query).into_owned(),
            url: w.url.map(|u| self.redactor.redact(&u).into_owned()),
        };
        let turn = self.turn_id();
        self.emit(out, at, turn, body);
    }

    fn mcp_call(&mut self, id: String, mut call: McpCall, at: String, out: &mut Vec<Event>) {
        self.materialize(out);
        if id.is_empty() || self.is_done(&id) {
            return;
        }
        self.remember_done(&id);
        self.redactor.redact_in_place(&mut call.arguments);
        self.redactor.redact_in_place(&mut call.output);
        let turn = self.turn_id();
        self.emit(out, at, turn, Body::McpCall(call));
    }

    fn user_message(&mut self, raw: &str, images: u32, at: String, out: &mut Vec<Event>) {
        let own = strip_own_context(raw);
        let (text, ide) = strip_ide_context(&own);
        let text = strip_injected_wrappers(text);
        let text = text.trim();
        if text.is_empty() || is_scaffolding(text) {
            self.stats.scaffolding += 1;
            return;
        }
        let text = self.redactor.redact(text).into_owned();
        self.materialize(out);
        let prompt = PendingPrompt {
            at,
            text,
            ide,
            images,
        };
        // Input typed while an identified turn is still running steers that turn; otherwise it
        // waits to learn which turn it opens.
        match &self.state.turn {
            Some(t) if t.explicit && !t.ended => {
                let steer = t.prompted;
                self.emit_prompt(prompt, steer, out)
            }
            _ => self.state.pending_prompt = Some(prompt),
        }
    }

    /// A prompt waits until the next line says which turn it opens (2026 files write
    /// `user_message` before `task_started`); any other line opens a numbered turn for it.
    fn materialize(&mut self, out: &mut Vec<Event>) {
        if let Some(p) = self.state.pending_prompt.take() {
            self.open_turn(None, p.at.clone(), out);
            self.emit_prompt(p, false, out);
        }
    }

    fn emit_prompt(&mut self, p: PendingPrompt, steer: bool, out: &mut Vec<Event>) {
        if let Some(t) = &mut self.state.turn {
            t.prompted = true;
        }
        let turn = self.turn_id();
        let body = Body::Prompt {
            text: p.text,
            ide: p.ide,
            images: p.images,
            steer,
        };
        self.emit(out, p.at, turn, body);
    }

    fn open_turn(&mut self, explicit: Option<String>, at: String, out: &mut Vec<Event>) {
        self.close_turn(TurnStatus::Inferred, None, None, at.clone(), out);
        self.state.turn_count += 1;
        let (id, is_explicit) = match explicit {
            Some(id) => (id, true),
            None => (format!("t{}", self.state.turn_count), false),
        };
        self.state.turn = Some(Turn {
            id,
            explicit: is_explicit,
            prompted: false,
            ended: false,
            base_tokens: self.state.tokens_total,
            last_at: at,
        });
    }

    fn close_turn(
        &mut self,
        status: TurnStatus,
        reason: Option<String>,
        duration_ms: Option<u64>,
        at: String,
        out: &mut Vec<Event>,
    ) {
        let Some(t) = self.state.turn.as_ref() else {
            return;
        };
        if t.ended {
            return;
        }
        self.flush_calls(out);
        let Some(t) = self.state.turn.as_mut() else {
            return;
        };
        t.ended = true;
        let (turn, last_at) = (Some(t.id.clone()), t.last_at.clone());
        let tokens = match (self.state.tokens_total, t.base_tokens) {
            (Some(total), Some(base)) if total != base => Some(total.since(&base)),
            (Some(total), None) => Some(total),
            _ => None,
        };
        let at = if status == TurnStatus::Inferred {
            last_at
        } else {
            at
        };
        self.emit(
            out,
            at,
            turn,
            Body::TurnEnd {
                status,
                reason,
                duration_ms,
                tokens,
            },
        );
    }

    fn start_call(&mut self, call_id: String, kind: CallKind, at: String, out: &mut Vec<Event>) {
        self.materialize(out);
        if self.is_done(&call_id) || self.state.calls.contains_key(&call_id) {
            return;
        }
        let turn = self.turn_id();
        self.touch_turn(&at);
        // Pending calls are saved with the file cursor: redact before they enter the state.
        let kind = match kind {
            CallKind::Command {
                mut command,
                workdir,
                tool,
            } => {
                self.redactor.redact_in_place(&mut command);
                CallKind::Command {
                    command,
                    workdir,
                    tool,
                }
            }
            CallKind::Patch { mut input, workdir } => {
                self.redactor.redact_in_place(&mut input);
                CallKind::Patch { input, workdir }
            }
            other => other,
        };
        let call = PendingCall {
            at,
            turn,
            kind,
            end: None,
            patch: None,
            progress: None,
        };
        self.state.calls.insert(call_id, call);
    }

    fn call_output(&mut self, call_id: &str, text: &str, at: String, out: &mut Vec<Event>) {
        self.materialize(out);
        self.touch_turn(&at);
        let Some(mut call) = self.state.calls.remove(call_id) else {
            return;
        };
        let mut outcome = tools::parse_outcome(text);
        self.redactor.redact_in_place(&mut outcome.output);
        match call.kind.clone() {
            CallKind::Command { .. } => {
                if let (Some(process), None, None) =
                    (&outcome.running, outcome.exit_code, &call.end)
                {
                    // Still running: wait for the process to report its exit through write_stdin.
                    self.state
                        .running
                        .insert(process.clone(), call_id.to_owned());
                    call.progress = Some(outcome);
                    self.state.calls.insert(call_id.to_owned(), call);
                    return;
                }
                self.emit_command(call_id, call, Some(outcome), out);
            }
            CallKind::Patch { .. } => self.emit_edit(call_id, call, Some(outcome), out),
            CallKind::Stdin { process } => {
                self.remember_done(call_id);
                let Some(origin_id) = self.state.running.get(&process).cloned() else {
                    return;
                };
                let Some(origin) = self.state.calls.get_mut(&origin_id) else {
                    return;
                };
                let progress = origin.progress.get_or_insert_with(Outcome::default);
                progress.duration_ms =
                    Some(progress.duration_ms.unwrap_or(0) + outcome.duration_ms.unwrap_or(0));
                if !outcome.output.is_empty() {
                    progress.output.push_str(&outcome.output);
                    if progress.output.len() > 4 * OUTPUT_CAP {
                        progress.output = excerpt(&progress.output, 2 * OUTPUT_CAP);
                    }
                }
                if outcome.exit_code.is_some() {
                    progress.exit_code = outcome.exit_code;
                    progress.running = None;
                    self.state.running.remove(&process);
                    let origin = self.state.calls.remove(&origin_id).expect("checked above");
                    let progress = origin.progress.clone();
                    self.emit_command(&origin_id, origin, progress, out);
                }
            }
        }
    }

    /// A call known only from its end event.
    fn standalone_call(&self, at: String, kind: CallKind) -> PendingCall {
        PendingCall {
            at,
            turn: self.turn_id(),
            kind,
            end: None,
            patch: None,
            progress: None,
        }
    }

    /// The end of a command: `exec_command_end` (legacy) or a `CommandExecution` item.
    fn exec_end(&mut self, c: CommandItem, at: String, out: &mut Vec<Event>) {
        self.materialize(out);
        if c.id.is_empty() || self.is_done(&c.id) {
            return;
        }
        let call_id = c.id;
        let end = ExecEnd {
            exit_code: c.exit_code,
            duration_ms: c.duration_ms,
            cwd: c.cwd,
            output: self
                .redactor
                .redact(&excerpt(&c.output, OUTPUT_CAP))
                .into_owned(),
            declined: c.declined,
        };
        if let Some(call) = self.state.calls.get_mut(&call_id) {
            let running = call.progress.is_some();
            call.end = Some(end);
            if running {
                let call = self.state.calls.remove(&call_id).expect("present");
                self.state.running.retain(|_, c| c != &call_id);
                let progress = call.progress.clone();
                self.emit_command(&call_id, call, progress, out);
            }
            return;
        }
        // No call recorded for it: a command the developer ran in Codex's shell, one a script
        // ran (code mode), or a file whose function calls were not persisted.
        if c.argv.is_empty() {
            return;
        }
        let command = tools::unwrap_shell(&c.argv).unwrap_or_else(|| c.argv.join(" "));
        let command = self.redactor.redact(&command).into_owned();
        let tool = match c.source.as_str() {
            "user_shell" => "user_shell",
            _ => "exec_command",
        };
        let kind = CallKind::Command {
            command,
            workdir: end.cwd.clone(),
            tool: tool.to_owned(),
        };
        let mut call = self.standalone_call(at, kind);
        call.end = Some(end);
        self.emit_command(&call_id, call, None, out);
    }

    /// The end of a patch: `patch_apply_end` (legacy) or a `FileChange` item.
    fn patch_end(
        &mut self,
        call_id: String,
        changes: Option<&Value>,
        success: Option<bool>,
        at: String,
        out: &mut Vec<Event>,
    ) {
        self.materialize(out);
        if self.is_done(&call_id) {
            return;
        }
        let mut files = changes.map(tools::parse_changes).unwrap_or_default();
        for f in &mut files {
            self.redactor.redact_in_place(&mut f.diff);
        }
        let patch = PatchEnd { files, success };
        if let Some(call) = self.state.calls.get_mut(&call_id) {
            call.patch = Some(patch);
            return;
        }
        let kind = CallKind::Patch {
            input: String::new(),
            workdir: None,
        };
        let mut call = self.standalone_call(at, kind);
        call.patch = Some(patch);
        self.emit_edit(&call_id, call, None, out);
    }

    /// Emits every call still waiting for a result; called when its turn ends.
    fn flush_calls(&mut self, out: &mut Vec<Event>) {
        let calls = std::mem::take(&mut self.state.calls);
        self.state.running.clear();
        for (id, call) in calls {
            match call.kind {
                CallKind::Command { .. } => {
                    let progress = call.progress.clone();
                    self.emit_command(&id, call, progress, out);
                }
                CallKind::Patch { .. } => self.emit_edit(&id, call, None, out),
                CallKind::Stdin { .. } => {}
            }
        }
    }

    fn emit_command(
        &mut self,
        call_id: &str,
        call: PendingCall,
        outcome: Option<Outcome>,
        out: &mut Vec<Event>,
    ) {
        self.remember_done(call_id);
        let CallKind::Command {
            command,
            workdir,
            tool,
        } = call.kind
        else {
            return;
        };
        let had_result = outcome.is_some() || call.end.is_some();
        let end = call.end.unwrap_or_default();
        let outcome = outcome.unwrap_or_default();
        let exit_code = end.exit_code.or(outcome.exit_code);
        let duration_ms = end.duration_ms.or(outcome.duration_ms);
        let raw_output = if outcome.output.is_empty() {
            &end.output
        } else {
            &outcome.output
        };
        let status = if end.declined {
            CommandStatus::Declined
        } else if outcome.timed_out {
            CommandStatus::TimedOut
        } else if exit_code.is_some() {
            CommandStatus::Exited
        } else if outcome.running.is_some() {
            CommandStatus::Running
        } else if had_result {
            CommandStatus::Ran
        } else {
            CommandStatus::NoResult
        };
        // Command lines and outputs were redacted when they entered the reader's state.
        // A command with no directory of its own ran in its turn's.
        let cmd = Command {
            command,
            workdir: workdir.or(end.cwd).or_else(|| self.state.cwd.clone()),
            exit_code,
            duration_ms,
            output: excerpt(raw_output, OUTPUT_CAP),
            tool,
            status,
        };
        self.emit(out, call.at, call.turn, Body::Command(cmd));
    }

    fn emit_edit(
        &mut self,
        call_id: &str,
        call: PendingCall,
        outcome: Option<Outcome>,
        out: &mut Vec<Event>,
    ) {
        self.remember_done(call_id);
        let CallKind::Patch { input, workdir } = call.kind else {
            return;
        };
        let base = workdir.or_else(|| self.state.cwd.clone());
        let (files, patch_success) = match call.patch {
            Some(p) if !p.files.is_empty() => (p.files, p.success),
            Some(p) => (tools::parse_patch(&input, base.as_deref()), p.success),
            None => (tools::parse_patch(&input, base.as_deref()), None),
        };
        if files.is_empty() {
            return;
        }
        let success = patch_success.or_else(|| {
            let o = outcome.as_ref()?;
            match o.exit_code {
                Some(code) => Some(code == 0),
                None if o.output.starts_with("Success") => Some(true),
                None if o.output.contains("error") || o.output.contains("failed") => Some(false),
                None => None,
            }
        });
        let edit = Edit {
            files,
            success,
            tool: "apply_patch".to_owned(),
        };
        self.emit(out, call.at, call.turn, Body::Edit(edit));
    }

    fn is_done(&mut self, call_id: &str) -> bool {
        if self.state.done_set.len() != self.state.done.len() {
            self.state.done_set = self.state.done.iter().cloned().collect();
        }
        self.state.done_set.contains(call_id)
    }

    fn remember_done(&mut self, call_id: &str) {
        if self.is_done(call_id) {
            return;
        }
        if self.state.done.len() >= DONE_MEMORY {
            if let Some(old) = self.state.done.pop_front() {
                self.state.done_set.remove(&old);
            }
        }
        self.state.done.push_back(call_id.to_owned());
        self.state.done_set.insert(call_id.to_owned());
    }

    fn emit_text(
        &mut self,
        out: &mut Vec<Event>,
        at: String,
        text: String,
        body: impl FnOnce(String) -> Body,
    ) {
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        let text = self.redactor.redact(text).into_owned();
        let turn = self.turn_id();
        self.emit(out, at, turn, body(text));
    }

    fn turn_id(&self) -> Option<String> {
        self.state.turn.as_ref().map(|t| t.id.clone())
    }

    fn touch_turn(&mut self, at: &str) {
        if let Some(t) = &mut self.state.turn {
            if !t.ended && at > t.last_at.as_str() {
                t.last_at = at.to_owned();
            }
        }
    }

    fn ensure_started(&mut self, out: &mut Vec<Event>) {
        if self.state.started {
            return;
        }
        self.state.started = true;
        let mut info = self.state.meta.clone().unwrap_or_else(|| SessionInfo {
            surface: "unknown".into(),
            started_at: self.state.last_at.clone().unwrap_or_default(),
            ..SessionInfo::default()
        });
        if info.model.is_none() {
            info.model.clone_from(&self.state.model);
        }
        if info.cwd.is_none() {
            info.cwd.clone_from(&self.state.cwd);
        }
        let at = info.started_at.clone();
        let body = if self.state.continues_thread {
            Body::SessionResume(info)
        } else {
            Body::SessionStart(info)
        };
        self.push(out, at, None, body);
    }

    fn emit(&mut self, out: &mut Vec<Event>, at: String, turn: Option<String>, body: Body) {
        self.ensure_started(out);
        self.touch_turn(&at);
        self.push(out, at, turn, body);
    }

    fn push(&mut self, out: &mut Vec<Event>, at: String, turn: Option<String>, body: Body) {
        let session = self.state.session.clone().unwrap_or_default();
        out.push(self.state.places.event("codex", session, at, turn, body));
    }
}

impl SessionReader for RolloutReader {
    fn line(&mut self, raw: &[u8], out: &mut Vec<Event>) {
        RolloutReader::line(self, raw, out);
    }

    fn oversized_line(&mut self) {
        RolloutReader::oversized_line(self);
    }

    fn finish_idle(&mut self, out: &mut Vec<Event>) {
        RolloutReader::finish_idle(self, out);
    }

    fn save(&self) -> Value {
        serde_json::to_value(&self.state).unwrap_or_default()
    }

    fn session(&self) -> Option<String> {
        self.state.session.clone()
    }

    /// The header's folder, else the latest turn's (what `ensure_started` puts in the header).
    fn cwd(&self) -> Option<&str> {
        self.state
            .meta
            .as_ref()
            .and_then(|m| m.cwd.as_deref())
            .or(self.state.cwd.as_deref())
            .filter(|c| !c.is_empty())
    }

    fn stats(&self) -> &LineStats {
        &self.stats
    }
}

/// A legacy `exec_command_end` in the shape of a `CommandExecution` item.
fn exec_end_item(v: &Value) -> CommandItem {
    CommandItem {
        id: str_field(v, "call_id").unwrap_or_default(),
        argv: v
            .get("command")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
        cwd: str_field(v, "cwd").map(|c| items::path_of_uri(&c)),
        exit_code: v
            .get("exit_code")
            .and_then(Value::as_i64)
            .and_then(crate::capture::exit_code),
        duration_ms: v.get("duration").and_then(tools::duration_ms),
        output: str_field(v, "aggregated_output")
            .or_else(|| str_field(v, "formatted_output"))
            .or_else(|| str_field(v, "stdout"))
            .unwrap_or_default(),
        declined: v.get("status").and_then(Value::as_str) == Some("declined"),
        source: str_field(v, "source").unwrap_or_else(|| "agent".into()),
    }
}

/// What the developer typed in a response-item user message: with `content_item_kinds`
/// (2026 files) only the blocks marked `user.text`; without it, all text blocks.
fn typed_text(message: &Value) -> String {
    let kinds = message
        .get("internal_chat_message_metadata_passthrough")
        .and_then(|m| m.get("content_item_kinds"))
        .and_then(Value::as_array);
    let Some(kinds) = kinds else {
        return content_text(message.get("content"));
    };
    message
        .get("content")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .zip(kinds)
        .filter(|(_, k)| k.as_str() == Some("user.text"))
        .filter_map(|(block, _)| block.get("text").and_then(Value::as_str))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(lines: &[Value]) -> (Vec<Event>, LineStats) {
        let mut r = RolloutReader::new(None, "fallback");
        let mut out = Vec::new();
        for l in lines {
            r.line(l.to_string().as_bytes(), &mut out);
        }
        r.finish_idle(&mut out);
        (out, r.stats)
    }

    fn prompt_texts(events: &[Event]) -> Vec<&str> {
        events
            .iter()
            .filter_map(|e| match &e.body {
                Body::Prompt { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    fn line(ts: &str, kind: &str, payload: Value) -> Value {
        serde_json::json!({"timestamp": ts, "type": kind, "payload": payload})
    }

    #[test]
    fn made_up_turn_ids_read_as_numbered_turns() {
        assert!(is_synthesized_turn("rollout-12"));
        assert!(!is_synthesized_turn("rollout-"));
        assert!(!is_synthesized_turn("019a-rollout-1"));
        let legacy = [
            line(
                "2026-01-01T00:00:00Z",
                "session_meta",
                serde_json::json!({"id": "s", "cwd": "/w"}),
            ),
            line(
                "2026-01-01T00:00:01Z",
                "event_msg",
                serde_json::json!({"type": "user_message", "message": "why?"}),
            ),
            line(
                "2026-01-01T00:00:02Z",
                "event_msg",
                serde_json::json!({"type": "agent_message", "message": "because"}),
            ),
        ];
        let migrated = [
            line(
                "2026-01-01T00:00:00Z",
                "session_meta",
                serde_json::json!({"id": "s", "cwd": "/w", "history_mode": "paginated"}),
            ),
            line(
                "2026-01-01T00:00:01Z",
                "event_msg",
                serde_json::json!({"type": "task_started", "turn_id": "rollout-1"}),
            ),
            line(
                "2026-01-01T00:00:01Z",
                "event_msg",
                serde_json::json!({"type": "item_completed", "turn_id": "rollout-1",
                "item": {"type": "UserMessage", "id": "item-1", "content": [{"type": "text", "text": "why?"}]}}),
            ),
            line(
                "2026-01-01T00:00:02Z",
                "event_msg",
                serde_json::json!({"type": "item_completed", "turn_id": "rollout-1",
                "item": {"type": "AgentMessage", "id": "item-2", "content": [{"type": "Text", "text": "because"}]}}),
            ),
            line(
                "2026-01-01T00:00:02Z",
                "event_msg",
                serde_json::json!({"type": "task_complete", "turn_id": "rollout-1"}),
            ),
        ];
        let (a, _) = read(&legacy);
        let (b, _) = read(&migrated);
        assert_eq!(a, b);
        assert_eq!(a[1].turn.as_deref(), Some("t1"));
    }

    #[test]
    fn accumulated_reasoning_is_emitted_once_per_summary() {
        let item = |summaries: &[&str]| {
            line(
                "2026-01-01T00:00:02Z",
                "event_msg",
                serde_json::json!({"type": "item_completed",
                "item": {"type": "Reasoning", "id": "item-3", "summary_text": summaries}}),
            )
        };
        let lines = [
            line(
                "2026-01-01T00:00:00Z",
                "session_meta",
                serde_json::json!({"id": "s", "history_mode": "paginated"}),
            ),
            line(
                "2026-01-01T00:00:01Z",
                "event_msg",
                serde_json::json!({"type": "task_started", "turn_id": "T"}),
            ),
            item(&["first"]),
            item(&["first", "second"]),
        ];
        let (events, _) = read(&lines);
        let texts: Vec<&str> = events
            .iter()
            .filter_map(|e| match &e.body {
                Body::Reasoning { text } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(texts, ["first", "second"]);
    }

    #[test]
    fn subagent_copies_and_legacy_fork_copies_are_not_read_again() {
        let lines = [
            serde_json::json!({"timestamp": "2026-09-01T10:00:00Z", "ordinal": 0, "type": "session_meta",
                "payload": {"id": "child", "timestamp": "2026-09-01T10:00:00Z", "history_mode": "paginated",
                    "source": {"subagent": {"thread_spawn": {"parent_thread_id": "parent"}}},
                    "subagent_history_start_ordinal": 3}}),
            serde_json::json!({"timestamp": "2026-09-01T09:00:00Z", "ordinal": 1, "type": "event_msg",
                "payload": {"type": "task_started", "turn_id": "P1"}}),
            serde_json::json!({"timestamp": "2026-09-01T09:00:01Z", "ordinal": 2, "type": "event_msg",
                "payload": {"type": "item_completed", "item": {"type": "UserMessage", "id": "u",
                    "content": [{"type": "text", "text": "the parent's question"}]}}}),
            serde_json::json!({"timestamp": "2026-09-01T10:00:01Z", "ordinal": 3, "type": "event_msg",
                "payload": {"type": "task_started", "turn_id": "C1"}}),
            serde_json::json!({"timestamp": "2026-09-01T10:00:02Z", "ordinal": 4, "type": "event_msg",
                "payload": {"type": "item_completed", "item": {"type": "UserMessage", "id": "u2",
                    "content": [{"type": "text", "text": "the child's task"}]}}}),
        ];
        let (events, stats) = read(&lines);
        let prompts: Vec<&Event> = events
            .iter()
            .filter(|e| matches!(e.body, Body::Prompt { .. }))
            .collect();
        assert_eq!(prompts.len(), 1);
        assert_eq!(prompts[0].turn.as_deref(), Some("C1"));
        assert_eq!(stats.inherited, 2);
        let Body::SessionStart(info) = &events[0].body else {
            panic!("a header first")
        };
        assert!(info.is_agent_thread());
        assert_eq!(info.parent.as_deref(), Some("parent"));

        let fork = [
            line(
                "2026-09-02T10:00:00Z",
                "session_meta",
                serde_json::json!({"id": "fork",
                "timestamp": "2026-09-02T10:00:00Z", "forked_from_id": "parent"}),
            ),
            line(
                "2026-09-01T09:00:00Z",
                "session_meta",
                serde_json::json!({"id": "parent",
                "timestamp": "2026-09-01T09:00:00Z"}),
            ),
            line(
                "2026-09-01T09:00:01Z",
                "event_msg",
                serde_json::json!({"type": "user_message", "message": "old"}),
            ),
            line(
                "2026-09-02T10:00:05Z",
                "event_msg",
                serde_json::json!({"type": "user_message", "message": "new"}),
            ),
        ];
        let (events, stats) = read(&fork);
        let texts = prompt_texts(&events);
        assert_eq!(texts, ["new"]);
        assert_eq!(stats.inherited, 1);
    }

    #[test]
    fn a_revert_file_resumes_its_thread() {
        let lines = [line(
            "2026-09-03T10:00:00Z",
            "session_meta",
            serde_json::json!({"id": "t",
            "timestamp": "2026-09-03T10:00:00Z", "history_mode": "paginated",
            "history_base": {"thread_id": "r1", "end_ordinal_exclusive": 7, "end_byte_offset": 900}}),
        )];
        let (events, _) = read(&lines);
        assert!(matches!(events[0].body, Body::SessionResume(_)));
    }

    #[test]
    fn own_context_and_hook_prompts_are_not_the_developers_words() {
        use crate::normalize::text::{OWN_CONTEXT_END, OWN_CONTEXT_MARKER};
        let pasted = format!(
            "{OWN_CONTEXT_MARKER}\n- useEffect: open\n{OWN_CONTEXT_END}\nwhy is this still failing?"
        );
        let lines = [
            line(
                "2026-01-01T00:00:00Z",
                "session_meta",
                serde_json::json!({"id": "s", "history_mode": "paginated"}),
            ),
            line(
                "2026-01-01T00:00:01Z",
                "event_msg",
                serde_json::json!({"type": "task_started", "turn_id": "T"}),
            ),
            line(
                "2026-01-01T00:00:01Z",
                "event_msg",
                serde_json::json!({"type": "item_completed",
                "item": {"type": "UserMessage", "id": "u", "content": [{"type": "text", "text": pasted}]}}),
            ),
            line(
                "2026-01-01T00:00:02Z",
                "event_msg",
                serde_json::json!({"type": "item_completed",
                "item": {"type": "HookPrompt", "id": "h", "fragments": [{"text": "run the tests", "hookRunId": "x"}]}}),
            ),
            line(
                "2026-01-01T00:00:03Z",
                "event_msg",
                serde_json::json!({"type": "item_completed",
                "item": {"type": "UserMessage", "id": "u2", "content": [{"type": "text",
                    "text": "<hook_prompt hook_run_id=\"x\">run the tests</hook_prompt>"}]}}),
            ),
        ];
        let (events, stats) = read(&lines);
        let texts = prompt_texts(&events);
        assert_eq!(texts, ["why is this still failing?"]);
        assert_eq!(stats.scaffolding, 2);
    }

    #[test]
    fn typed_text_follows_content_item_kinds() {
        let m = serde_json::json!({"type": "message", "role": "user", "content": [
            {"type": "input_text", "text": "# AGENTS.md instructions"},
            {"type": "input_text", "text": "fix the build"}],
            "internal_chat_message_metadata_passthrough": {"content_item_kinds":
                ["agents_md.instructions", "user.text"]}});
        assert_eq!(typed_text(&m), "fix the build");
    }
}
