//! Codex rollout lines → normalized events, for every format generation:
//!
//! - G0 (mid-2025): a bare header line `{id, timestamp, …}`, then bare response items and
//!   `{"record_type":"state"}` snapshots, no per-line timestamps;
//! - G1 (late 2025): `{timestamp, type, payload}` envelopes;
//! - G2 (2026): the same envelope with `ordinal`, `metadata` and new line kinds.
//!
//! The reader is a state machine fed one complete line at a time. Its state ([`CodexState`]) is
//! serializable and is stored with the file's read offset, so a later read resumes in the middle
//! of a turn, with calls still waiting for their output, exactly where the last one stopped.
//!
//! Sources of truth, chosen so nothing is counted twice: in envelope files the developer's prompt,
//! the assistant's messages and reasoning come from `event_msg` (the `response_item` copies are
//! ignored); in G0 files, which have no `event_msg`, from the response items. Commands come from
//! `function_call`/`custom_tool_call`/`local_shell_call` paired with their output by `call_id`;
//! `exec_command_end` and `patch_apply_end` enrich a pending call, or stand alone when no call was
//! recorded, and a call id is emitted at most once.

use super::prompt::{is_scaffolding, strip_ide_context};
use super::tools::{self, CallKind, Outcome};
use super::wire::*;
use crate::normalize::redact::Redactor;
use crate::normalize::text::{OUTPUT_CAP, excerpt};
use crate::normalize::{
    Body, Command, CommandStatus, Edit, Event, EventId, FileChange, IdeContext, SessionInfo,
    TokenUsage, TurnStatus,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet, VecDeque};

/// Lines read and what became of the ones that produced nothing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LineStats {
    pub lines: u64,
    /// Line kinds this version does not know, by name. Skipped.
    pub unknown: BTreeMap<String, u64>,
    /// Lines that are not JSON. Skipped.
    pub malformed: u64,
    /// Lines with invalid UTF-8; decoded lossily and kept when they still parse.
    pub invalid_utf8: u64,
    /// Injected context (environment, AGENTS.md, permissions) that is not the developer's words.
    pub scaffolding: u64,
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
    }

    pub fn skipped(&self) -> u64 {
        self.unknown.values().sum::<u64>() + self.malformed
    }
}

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

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Turn {
    id: String,
    explicit: bool,
    anchor: u64,
    prompted: bool,
    ended: bool,
    base_tokens: Option<TokenUsage>,
    last_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct PendingPrompt {
    anchor: u64,
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
    anchor: u64,
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
pub struct CodexState {
    pub session: Option<String>,
    pub generation: Generation,
    started: bool,
    meta: Option<SessionInfo>,
    meta_anchor: u64,
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
}

const DONE_MEMORY: usize = 512;

/// Feeds lines of one rollout file through the state machine.
pub struct RolloutReader<'a> {
    pub state: CodexState,
    pub stats: LineStats,
    file_key: &'a str,
    redactor: &'static Redactor,
}

impl<'a> RolloutReader<'a> {
    /// `fallback_session` names the session when the file has no header (the id in the file
    /// name, or the file fingerprint).
    pub fn new(file_key: &'a str, state: Option<CodexState>, fallback_session: &str) -> Self {
        let mut state = state.unwrap_or_default();
        if state.session.is_none() {
            state.session = Some(fallback_session.to_owned());
        }
        RolloutReader {
            state,
            stats: LineStats::default(),
            file_key,
            redactor: Redactor::global(),
        }
    }

    /// Reads one complete line (without its newline) that starts at byte `offset`.
    pub fn line(&mut self, offset: u64, raw: &[u8], out: &mut Vec<Event>) {
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
        if self.fast_lane(text, offset, out) {
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
                self.state.last_at = Some(at.clone());
                self.envelope(kind, payload, offset, at, out);
            }
            _ if env.record_type.is_some() => {}
            (None, _) => match serde_json::from_str::<Value>(text) {
                Ok(v) if v.get("id").is_some() && v.get("timestamp").is_some() => {
                    self.state.generation = Generation::G0;
                    if self.state.last_at.is_none() {
                        self.state.last_at = v["timestamp"].as_str().map(str::to_owned);
                    }
                    let at = self.state.last_at.clone().unwrap_or_default();
                    self.session_meta(&v, offset, at, out);
                }
                _ => *self.stats.unknown.entry("(no type)".into()).or_default() += 1,
            },
            (Some(_), None) => {
                // A bare response item: the pre-envelope generation.
                if self.state.generation == Generation::Unknown {
                    self.state.generation = Generation::G0;
                }
                match serde_json::from_str::<Value>(text) {
                    Ok(v) => self.response_item(&v, offset, at, out),
                    Err(_) => self.stats.malformed += 1,
                }
            }
        }
    }

    /// Codex writes envelopes compactly, `{"timestamp":…,"type":…,"payload":{"type":…}}`, so in
    /// an envelope file most lines are recognized by that prefix and their payload parsed once,
    /// without first validating the whole line: reasoning blobs and message copies (most of a
    /// rollout's bytes) are skipped unparsed, token counts and turn contexts read into small typed
    /// structs. Anything else, or anything unexpected, takes the general path, which also does
    /// all the counting of malformed and unknown lines. Returns whether the line was handled.
    fn fast_lane(&mut self, line: &str, offset: u64, out: &mut Vec<Event>) -> bool {
        if self.state.generation != Generation::Envelope {
            return false;
        }
        let Some(rest) = line.strip_prefix("{\"timestamp\":\"") else {
            return false;
        };
        let Some((ts, rest)) = rest.split_once('"') else {
            return false;
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
                self.response_item(&v, offset, at(), out);
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
                self.event_msg(ev, &v, offset, at(), out);
            }
            ("event_msg", Some(_)) => {}
            ("turn_context", _) => {
                let Ok(tc) = serde_json::from_str::<TurnContext>(body) else {
                    return false;
                };
                self.turn_context(tc, offset, at(), out);
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

    fn envelope(
        &mut self,
        kind: &str,
        payload: &RawValue,
        offset: u64,
        at: String,
        out: &mut Vec<Event>,
    ) {
        match kind {
            "session_meta" => {
                if let Ok(v) = serde_json::from_str::<Value>(payload.get()) {
                    self.session_meta(&v, offset, at, out);
                } else {
                    self.stats.malformed += 1;
                }
            }
            "turn_context" => match serde_json::from_str::<TurnContext>(payload.get()) {
                Ok(tc) => self.turn_context(tc, offset, at, out),
                Err(_) => self.stats.malformed += 1,
            },
            "response_item" => {
                let item_kind = sniff_type(payload.get());
                let wanted = item_kind
                    .as_deref()
                    .is_some_and(|k| WANTED_ITEMS.contains(&k));
                if wanted {
                    match serde_json::from_str::<Value>(payload.get()) {
                        Ok(v) => self.response_item(&v, offset, at, out),
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
                        Ok(v) => {
                            self.event_msg(ev_kind.as_deref().unwrap_or(""), &v, offset, at, out)
                        }
                        Err(_) => self.stats.malformed += 1,
                    }
                }
            }
            "compacted" => {
                self.materialize(out);
                let turn = self.turn_id();
                self.emit(out, offset, "compacted", at, turn, Body::Compacted {});
            }
            k if IGNORED_LINE_KINDS.contains(&k) => {}
            other => *self.stats.unknown.entry(other.to_owned()).or_default() += 1,
        }
    }

    fn session_meta(&mut self, v: &Value, offset: u64, at: String, out: &mut Vec<Event>) {
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
            self.state.meta = Some(info);
            self.state.meta_anchor = offset;
            return;
        }
        // A later header of the same thread: the session was resumed into this file. Headers of
        // other threads (history copied into a fork or a sub-agent) add nothing new here.
        if id.is_none() || id == self.state.session {
            self.materialize(out);
            let at_close = self.state.last_at.clone().unwrap_or_default();
            self.close_turn(TurnStatus::Inferred, None, None, at_close, out);
            let mut info = info;
            if info.model.is_none() {
                info.model.clone_from(&self.state.model);
            }
            self.emit(
                out,
                offset,
                "session_resume",
                at,
                None,
                Body::SessionResume(info),
            );
        }
    }

    fn turn_context(&mut self, tc: TurnContext, offset: u64, at: String, out: &mut Vec<Event>) {
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
            Some(id) => self.turn_started(id.into_owned(), offset, at, out),
            None => self.materialize(out),
        }
    }

    fn turn_started(&mut self, id: String, offset: u64, at: String, out: &mut Vec<Event>) {
        let same = self
            .state
            .turn
            .as_ref()
            .is_some_and(|t| t.id == id && !t.ended);
        if !same {
            self.open_turn(Some(id), offset, at, out);
        }
        if let Some(p) = self.state.pending_prompt.take() {
            self.emit_prompt(p, false, out);
        }
    }

    fn response_item(&mut self, v: &Value, offset: u64, at: String, out: &mut Vec<Event>) {
        let kind = v.get("type").and_then(Value::as_str).unwrap_or("");
        match kind {
            "message" if self.state.generation == Generation::G0 => {
                let role = v.get("role").and_then(Value::as_str).unwrap_or("");
                let text = content_text(v.get("content"));
                match role {
                    "user" => self.user_message(&text, 0, offset, at, out),
                    "assistant" => {
                        self.materialize(out);
                        let phase = str_field(v, "phase");
                        self.emit_text(out, offset, "assistant", at, text, |text| {
                            Body::Assistant { text, phase }
                        });
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
                self.emit_text(out, offset, "reasoning", at, text, |text| Body::Reasoning {
                    text,
                });
            }
            "function_call" | "custom_tool_call" => {
                let Some(call_id) = str_field(v, "call_id").or_else(|| str_field(v, "id")) else {
                    return;
                };
                let name = v.get("name").and_then(Value::as_str).unwrap_or("");
                let args = match v.get("arguments").or_else(|| v.get("input")) {
                    Some(Value::String(s))
                        if name == "apply_patch" && kind == "custom_tool_call" =>
                    {
                        Value::String(s.clone())
                    }
                    Some(Value::String(s)) => {
                        serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.clone()))
                    }
                    Some(other) => other.clone(),
                    None => Value::Null,
                };
                if let Some(call) = tools::classify_call(name, &args) {
                    self.start_call(call_id, call, offset, at, out);
                }
            }
            "local_shell_call" => {
                let Some(call_id) = str_field(v, "call_id").or_else(|| str_field(v, "id")) else {
                    return;
                };
                if let Some(call) = v.get("action").and_then(tools::classify_local_shell) {
                    self.start_call(call_id, call, offset, at, out);
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

    fn event_msg(&mut self, kind: &str, v: &Value, offset: u64, at: String, out: &mut Vec<Event>) {
        match kind {
            "user_message" => {
                let text = v.get("message").and_then(Value::as_str).unwrap_or("");
                let images = ["images", "local_images"]
                    .iter()
                    .filter_map(|k| v.get(*k).and_then(Value::as_array))
                    .map(|a| a.len() as u32)
                    .sum();
                self.user_message(text, images, offset, at, out);
            }
            "agent_message" => {
                self.materialize(out);
                let text = str_field(v, "message").unwrap_or_default();
                let phase = str_field(v, "phase");
                self.emit_text(out, offset, "assistant", at, text, |text| Body::Assistant {
                    text,
                    phase,
                });
            }
            "agent_reasoning" => {
                self.materialize(out);
                let text = str_field(v, "text").unwrap_or_default();
                self.emit_text(out, offset, "reasoning", at, text, |text| Body::Reasoning {
                    text,
                });
            }
            "task_started" | "turn_started" => match str_field(v, "turn_id") {
                Some(id) => self.turn_started(id, offset, at, out),
                None => self.materialize(out),
            },
            "task_complete" | "turn_complete" | "turn_aborted" => {
                self.materialize(out);
                let id = str_field(v, "turn_id");
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
            "exec_command_end" => self.exec_end(v, offset, at, out),
            "patch_apply_end" => self.patch_end(v, offset, at, out),
            _ => {}
        }
    }

    fn user_message(
        &mut self,
        raw: &str,
        images: u32,
        offset: u64,
        at: String,
        out: &mut Vec<Event>,
    ) {
        let (text, ide) = strip_ide_context(raw);
        let text = text.trim();
        if text.is_empty() || is_scaffolding(text) {
            self.stats.scaffolding += 1;
            return;
        }
        let text = self.redactor.redact(text).into_owned();
        self.materialize(out);
        let prompt = PendingPrompt {
            anchor: offset,
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
            self.open_turn(None, p.anchor, p.at.clone(), out);
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
        self.emit(out, p.anchor, "prompt", p.at, turn, body);
    }

    fn open_turn(
        &mut self,
        explicit: Option<String>,
        anchor: u64,
        at: String,
        out: &mut Vec<Event>,
    ) {
        self.close_turn(TurnStatus::Inferred, None, None, at.clone(), out);
        self.state.turn_count += 1;
        let (id, is_explicit) = match explicit {
            Some(id) => (id, true),
            None => (format!("t{}", self.state.turn_count), false),
        };
        self.state.turn = Some(Turn {
            id,
            explicit: is_explicit,
            anchor,
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
        let (anchor, turn, last_at) = (t.anchor, Some(t.id.clone()), t.last_at.clone());
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
            anchor,
            "turn_end",
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

    fn start_call(
        &mut self,
        call_id: String,
        kind: CallKind,
        offset: u64,
        at: String,
        out: &mut Vec<Event>,
    ) {
        self.materialize(out);
        if self.is_done(&call_id) || self.state.calls.contains_key(&call_id) {
            return;
        }
        let turn = self.turn_id();
        self.touch_turn(&at);
        // Pending calls are saved with the file cursor: redact before they enter the state.
        let kind = match kind {
            CallKind::Command {
                command,
                workdir,
                tool,
            } => CallKind::Command {
                command: self.redactor.redact(&command).into_owned(),
                workdir,
                tool,
            },
            CallKind::Patch { input, workdir } => CallKind::Patch {
                input: self.redactor.redact(&input).into_owned(),
                workdir,
            },
            other => other,
        };
        let call = PendingCall {
            anchor: offset,
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

    /// The call id an `…_end` event reports on, unless that call was already emitted.
    fn end_event_call(&mut self, v: &Value, out: &mut Vec<Event>) -> Option<String> {
        self.materialize(out);
        let call_id = str_field(v, "call_id")?;
        (!self.is_done(&call_id)).then_some(call_id)
    }

    /// A call known only from its `…_end` event.
    fn standalone_call(&self, offset: u64, at: String, kind: CallKind) -> PendingCall {
        PendingCall {
            anchor: offset,
            at,
            turn: self.turn_id(),
            kind,
            end: None,
            patch: None,
            progress: None,
        }
    }

    fn exec_end(&mut self, v: &Value, offset: u64, at: String, out: &mut Vec<Event>) {
        let Some(call_id) = self.end_event_call(v, out) else {
            return;
        };
        let end = ExecEnd {
            exit_code: v.get("exit_code").and_then(Value::as_i64).map(|c| c as i32),
            duration_ms: v.get("duration").and_then(tools::duration_ms),
            cwd: str_field(v, "cwd"),
            output: self
                .redactor
                .redact(&excerpt(
                    &str_field(v, "aggregated_output")
                        .or_else(|| str_field(v, "formatted_output"))
                        .or_else(|| str_field(v, "stdout"))
                        .unwrap_or_default(),
                    OUTPUT_CAP,
                ))
                .into_owned(),
            declined: v.get("status").and_then(Value::as_str) == Some("declined"),
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
        // No call recorded for it: a command the user ran in Codex's shell, or a file whose
        // function calls were not persisted.
        let argv: Vec<String> = v
            .get("command")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        if argv.is_empty() {
            return;
        }
        let command = tools::unwrap_shell(&argv).unwrap_or_else(|| argv.join(" "));
        let command = self.redactor.redact(&command).into_owned();
        let tool = match v.get("source").and_then(Value::as_str) {
            Some("user_shell") => "user_shell",
            _ => "exec_command",
        };
        let kind = CallKind::Command {
            command,
            workdir: end.cwd.clone(),
            tool: tool.to_owned(),
        };
        let mut call = self.standalone_call(offset, at, kind);
        call.end = Some(end);
        self.emit_command(&call_id, call, None, out);
    }

    fn patch_end(&mut self, v: &Value, offset: u64, at: String, out: &mut Vec<Event>) {
        let Some(call_id) = self.end_event_call(v, out) else {
            return;
        };
        let mut files = v
            .get("changes")
            .map(tools::parse_changes)
            .unwrap_or_default();
        for f in &mut files {
            self.redactor.redact_in_place(&mut f.diff);
        }
        let patch = PatchEnd {
            files,
            success: v.get("success").and_then(Value::as_bool),
        };
        if let Some(call) = self.state.calls.get_mut(&call_id) {
            call.patch = Some(patch);
            return;
        }
        let kind = CallKind::Patch {
            input: String::new(),
            workdir: None,
        };
        let mut call = self.standalone_call(offset, at, kind);
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
        let cmd = Command {
            command,
            workdir: workdir.or(end.cwd),
            exit_code,
            duration_ms,
            output: excerpt(raw_output, OUTPUT_CAP),
            tool,
            status,
        };
        self.emit(
            out,
            call.anchor,
            "command",
            call.at,
            call.turn,
            Body::Command(cmd),
        );
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
        self.emit(
            out,
            call.anchor,
            "edit",
            call.at,
            call.turn,
            Body::Edit(edit),
        );
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
        anchor: u64,
        tag: &str,
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
        self.emit(out, anchor, tag, at, turn, body(text));
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
        let anchor = self.state.meta_anchor;
        self.push(
            out,
            anchor,
            "session_start",
            at,
            None,
            Body::SessionStart(info),
        );
    }

    fn emit(
        &mut self,
        out: &mut Vec<Event>,
        anchor: u64,
        tag: &str,
        at: String,
        turn: Option<String>,
        body: Body,
    ) {
        self.ensure_started(out);
        self.touch_turn(&at);
        self.push(out, anchor, tag, at, turn, body);
    }

    fn push(
        &self,
        out: &mut Vec<Event>,
        anchor: u64,
        tag: &str,
        at: String,
        turn: Option<String>,
        body: Body,
    ) {
        out.push(Event {
            id: EventId::derive("codex", self.file_key, anchor, tag),
            session: self.state.session.clone().unwrap_or_default(),
            at,
            turn,
            body,
        });
    }
}
