//! Claude Code transcript lines → normalized events.
//!
//! A transcript is one JSON object per line: `user` and `assistant` messages (an assistant
//! response split over several lines, one content block each, each repeating the response's
//! usage), `system` notes, `attachment`s of context Claude Code added, and bookkeeping lines
//! (titles, queue operations, file-history snapshots, hook progress, …). The reader is a state
//! machine fed one complete line at a time; its state ([`ClaudeState`]) is serializable and is
//! stored with the file's read offset, so a later read resumes mid-turn, with calls still
//! waiting for their results, exactly where the last one stopped.
//!
//! Turns: a turn begins at each prompt the developer typed and is identified by that line's
//! `uuid`. It ends when the next prompt begins or the file goes quiet (inferred), or when the
//! developer interrupts it (aborted). Its token usage is the sum over its API responses, each
//! counted once by `message.id`.
//!
//! What is not the developer's: `isMeta` lines, compaction summaries, slash-command markup,
//! reminders, hook output (attachments and `isMeta` reminders), task notifications, lines of a
//! non-human `origin`, and anything between Session Lens's own context markers. A sub-agent's
//! file is a session of its own, `<agentId>@<sessionId>`, marked as an agent thread.
//!
//! Events are identified by their place in the session (see [`crate::normalize::EventId::positional`]): the
//! reader counts, per turn, the events of each kind it emits, so reading the same history
//! again yields the same ids.

use super::prompt::{self, Typed};
use super::tools::{self, Call, Tool};
use crate::capture::{LineStats, Places, SessionReader};
use crate::normalize::redact::Redactor;
use crate::normalize::text::{OUTPUT_CAP, excerpt};
use crate::normalize::{
    Body, Command, CommandStatus, Edit, Event, McpCall, SessionInfo, TokenUsage, TurnStatus,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The reader's version, saved in its state. A state saved by another version is not resumed:
/// the file is read again from the start, which is safe because ids are positional.
pub const READER_VERSION: u32 = 1;

/// Line types that carry nothing for the timeline (titles, bookkeeping, UI state).
const IGNORED_TYPES: &[&str] = &[
    "summary",
    "ai-title",
    "custom-title",
    "agent-name",
    "queue-operation",
    "file-history-snapshot",
    "progress",
    "last-prompt",
    "pr-link",
    "frame-link",
    "mode",
    "permission-mode",
    "worktree-state",
    "relocated",
    "bridge-session",
    "atis-latch",
    "started",
    "result",
];

/// The turn in progress (or the one just ended, which later stray lines still belong to).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Turn {
    id: String,
    ended: bool,
    last_at: String,
    /// Usage of each API response of the turn, by `message.id`. A response is written over
    /// several lines, each repeating its usage as known so far: the latest copy replaces the
    /// earlier ones, so each response counts once.
    usage: BTreeMap<String, TokenUsage>,
    /// From `system/turn_duration`, when Claude Code wrote one.
    duration_ms: Option<u64>,
}

/// The session's first prompt, held until the next event so the header written before it can
/// name the model of the assistant's first answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct PendingPrompt {
    at: String,
    turn: String,
    text: String,
    images: u32,
}

/// A call waiting for its result (its texts already redacted).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct PendingCall {
    at: String,
    turn: Option<String>,
    workdir: Option<String>,
    call: Call,
}

/// The sub-agent a file belongs to, and the session that started it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Agent {
    id: String,
    parent: String,
}

/// Everything the reader must remember between two reads of the same file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ClaudeState {
    /// [`READER_VERSION`] of the reader that wrote this state.
    pub version: u32,
    pub session: Option<String>,
    /// Whether a line has named the session (its `sessionId`): from then on it is fixed.
    named: bool,
    agent: Option<Agent>,
    started: bool,
    /// The header as learned from the lines so far (first cwd, version, branch, model, time).
    info: SessionInfo,
    /// The latest line's working directory: where a command ran.
    cwd: Option<String>,
    last_at: Option<String>,
    turn: Option<Turn>,
    turn_count: u64,
    pending_prompt: Option<PendingPrompt>,
    calls: BTreeMap<String, PendingCall>,
    places: Places,
}

impl ClaudeState {
    /// Whether this state was saved by the current reader and can be resumed.
    pub fn is_current(&self) -> bool {
        self.version == READER_VERSION
    }
}

/// Feeds the lines of one transcript through the state machine.
pub struct TranscriptReader {
    pub state: ClaudeState,
    pub stats: LineStats,
    redactor: &'static Redactor,
    /// The transcript's own session folder, the only place spilled outputs are read from.
    folder: Option<PathBuf>,
}

impl TranscriptReader {
    /// A reader of the transcript at `path`, resuming from `state` when given. The path names
    /// the session until a line does (the file stem, or `<agentId>@<sessionId>` for a
    /// sub-agent's file) and locates the session folder of spilled outputs.
    pub fn new(state: Option<ClaudeState>, path: &Path) -> Self {
        let mut state = state.unwrap_or_else(|| ClaudeState {
            version: READER_VERSION,
            ..ClaudeState::default()
        });
        if state.session.is_none() {
            match super::subagent_of_path(path) {
                Some((id, parent)) => {
                    state.session = Some(format!("{id}@{parent}"));
                    state.agent = Some(Agent { id, parent });
                }
                None => {
                    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
                    state.session = Some(stem.to_owned());
                }
            }
        }
        TranscriptReader {
            state,
            stats: LineStats::default(),
            redactor: Redactor::global(),
            folder: super::session_folder(path),
        }
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
        let v: Value = match serde_json::from_str(text) {
            Ok(v @ Value::Object(_)) => v,
            _ => {
                self.stats.malformed += 1;
                return;
            }
        };
        self.name_session(&v);
        let ts = str_field(&v, "timestamp");
        if let Some(ts) = &ts {
            if self.state.info.started_at.is_empty() {
                self.state.info.started_at.clone_from(ts);
            }
        }
        let at = ts
            .clone()
            .or_else(|| self.state.last_at.clone())
            .unwrap_or_default();
        let kind = v.get("type").and_then(Value::as_str).unwrap_or("");
        let envelope = matches!(
            kind,
            "user" | "assistant" | "system" | "attachment" | "progress"
        );
        if envelope && self.is_inline_sidechain(&v) {
            self.stats.inherited += 1;
        } else {
            if envelope {
                self.note_envelope(&v);
            }
            match kind {
                "user" => self.user(&v, at, out),
                "assistant" => self.assistant(&v, at, out),
                "system" => self.system(&v, at, out),
                // Context Claude Code attached for the model (hook output, memory files,
                // reminders, listings): never the developer's words.
                "attachment" => self.stats.scaffolding += 1,
                k if IGNORED_TYPES.contains(&k) => {}
                "" => *self.stats.unknown.entry("(no type)".into()).or_default() += 1,
                other => *self.stats.unknown.entry(other.to_owned()).or_default() += 1,
            }
        }
        if let Some(ts) = ts {
            self.state.last_at = Some(ts);
        }
    }

    /// A line longer than the line reader's bound was skipped unread.
    pub fn oversized_line(&mut self) {
        self.stats.lines += 1;
        self.stats.oversized += 1;
    }

    /// The session has gone quiet: close what is open so it shows up as ended, and emit the
    /// header of a session that has nothing else yet.
    pub fn finish_idle(&mut self, out: &mut Vec<Event>) {
        self.flush_pending(out);
        let at = self.state.last_at.clone().unwrap_or_default();
        self.close_turn(TurnStatus::Inferred, None, at, out);
        if !self.state.started && self.state.named {
            self.ensure_started(out);
        }
    }

    /// Fixes the session at the first line naming it: `sessionId`, and for a sub-agent (by
    /// its path, or a sidechain line with an `agentId`) `<agentId>@<sessionId>`.
    fn name_session(&mut self, v: &Value) {
        if self.state.named || self.state.started {
            return;
        }
        let Some(session) = str_field(v, "sessionId").filter(|s| !s.is_empty()) else {
            return;
        };
        self.state.named = true;
        let line_agent = str_field(v, "agentId").filter(|_| flag(v, "isSidechain"));
        let agent = line_agent.or_else(|| self.state.agent.as_ref().map(|a| a.id.clone()));
        match agent {
            Some(id) => {
                self.state.session = Some(format!("{id}@{session}"));
                self.state.agent = Some(Agent {
                    id,
                    parent: session,
                });
            }
            None => self.state.session = Some(session),
        }
    }

    /// Whether a line of a main transcript is a sub-agent's, written inline (as older Claude
    /// Code did): it is not this session's.
    fn is_inline_sidechain(&self, v: &Value) -> bool {
        self.state.agent.is_none() && flag(v, "isSidechain")
    }

    /// Learns the header's facts from a message line: the first cwd, version and branch, and
    /// the current cwd.
    fn note_envelope(&mut self, v: &Value) {
        let info = &mut self.state.info;
        if let Some(cwd) = str_field(v, "cwd").filter(|c| !c.is_empty()) {
            if info.cwd.is_none() {
                info.cwd = Some(cwd.clone());
            }
            if self.state.cwd.as_deref() != Some(cwd.as_str()) {
                self.state.cwd = Some(cwd);
            }
        }
        if info.cli_version.is_none() {
            info.cli_version = str_field(v, "version").filter(|s| !s.is_empty());
        }
        if info.git_branch.is_none() {
            info.git_branch = str_field(v, "gitBranch").filter(|s| !s.is_empty());
        }
    }

    /// A `user` line: tool results, then what the developer typed, if anything.
    fn user(&mut self, v: &Value, at: String, out: &mut Vec<Event>) {
        let content = v.get("message").and_then(|m| m.get("content"));
        let mut texts: Vec<&str> = Vec::new();
        let mut images = 0;
        match content {
            Some(Value::String(s)) => texts.push(s),
            Some(Value::Array(blocks)) => {
                let results = blocks.iter().filter(|b| block_type(b) == "tool_result");
                // `toolUseResult` describes the line's one result; with several it is ambiguous.
                let single = results.count() == 1;
                for b in blocks {
                    match block_type(b) {
                        "tool_result" => self.tool_result(b, v, single, &at, out),
                        "text" => texts.extend(b.get("text").and_then(Value::as_str)),
                        "image" => images += 1,
                        _ => {}
                    }
                }
            }
            _ => {}
        }
        if texts.is_empty() && images == 0 {
            return;
        }
        if flag(v, "isMeta") || flag(v, "isCompactSummary") || !typed_by_a_person(v) {
            self.stats.scaffolding += 1;
            return;
        }
        if self.shell_mode(&texts, v, &at, out) {
            return;
        }
        let mut typed = Vec::new();
        let mut interrupted = false;
        for t in texts {
            match prompt::classify(t) {
                Typed::Prompt(p) => typed.push(p),
                Typed::Interrupted => interrupted = true,
                Typed::Scaffolding => {}
            }
        }
        if interrupted {
            let reason = Some("interrupted".to_owned());
            self.close_turn(TurnStatus::Aborted, reason, at.clone(), out);
        }
        if typed.is_empty() {
            if !interrupted {
                self.stats.scaffolding += 1;
            }
            return;
        }
        self.prompt(typed.join("\n\n"), images, v, at, out);
    }

    /// A command the developer ran in shell mode (`!cmd`): the `<bash-input>` line opens a turn
    /// of its own (as Codex gives a `!cmd` one) and waits; the `<bash-stdout>`/`<bash-stderr>`
    /// line after it completes the command. Returns whether the line was one of the two.
    fn shell_mode(&mut self, texts: &[&str], v: &Value, at: &str, out: &mut Vec<Event>) -> bool {
        let joined = texts.join("\n");
        if let Some(command) = tools::shell_input(&joined) {
            let turn = str_field(v, "uuid")
                .filter(|u| !u.is_empty())
                .unwrap_or_else(|| format!("t{}", self.state.turn_count + 1));
            self.open_turn(turn.clone(), at.to_owned(), out);
            let call = PendingCall {
                at: at.to_owned(),
                turn: Some(turn),
                workdir: self.state.cwd.clone(),
                call: Call::Shell {
                    command: self.redactor.redact(command).into_owned(),
                },
            };
            self.state.calls.insert(tools::SHELL_CALL.to_owned(), call);
            return true;
        }
        let Some((output, code)) = tools::shell_result(&joined) else {
            return false;
        };
        let Some(call) = self.state.calls.remove(tools::SHELL_CALL) else {
            self.stats.scaffolding += 1;
            return true;
        };
        let Call::Shell { command } = call.call else {
            return true;
        };
        self.touch_turn(at);
        let output = self
            .redactor
            .redact(&excerpt(&output, OUTPUT_CAP))
            .into_owned();
        let body = Body::Command(Command {
            command,
            workdir: call.workdir,
            exit_code: Some(code),
            duration_ms: None,
            output,
            tool: "user_shell".to_owned(),
            status: CommandStatus::Exited,
        });
        self.emit(out, call.at, call.turn, body);
        true
    }

    /// What the developer typed: it opens a turn named by the line's `uuid`.
    fn prompt(&mut self, text: String, images: u32, v: &Value, at: String, out: &mut Vec<Event>) {
        let turn = str_field(v, "uuid")
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| format!("t{}", self.state.turn_count + 1));
        self.open_turn(turn.clone(), at.clone(), out);
        let text = self.redactor.redact(&text).into_owned();
        if !self.state.started {
            self.state.pending_prompt = Some(PendingPrompt {
                at,
                turn,
                text,
                images,
            });
            return;
        }
        let body = Body::Prompt {
            text,
            ide: None,
            images,
            steer: false,
        };
        self.emit(out, at, Some(turn), body);
    }

    /// An `assistant` line: its usage, then its text, thinking and tool calls in order.
    fn assistant(&mut self, v: &Value, at: String, out: &mut Vec<Event>) {
        let Some(msg) = v.get("message") else {
            return;
        };
        let model = str_field(msg, "model").filter(|m| !m.is_empty());
        // Claude Code's own stand-ins (API errors, "No response requested.") are not answers.
        let synthetic = model.as_deref() == Some("<synthetic>") || flag(v, "isApiErrorMessage");
        if self.state.info.model.is_none() && !synthetic {
            self.state.info.model = model;
        }
        if let Some(usage) = msg.get("usage").filter(|u| u.is_object()) {
            let key = str_field(msg, "id")
                .or_else(|| str_field(v, "uuid"))
                .unwrap_or_default();
            if let Some(t) = self.state.turn.as_mut().filter(|t| !t.ended) {
                t.usage.insert(key, usage_of(usage));
            }
        }
        self.touch_turn(&at);
        // A response that says it ended the turn makes its last text the answer.
        let ends_turn = str_field(msg, "stop_reason").as_deref() == Some("end_turn");
        match msg.get("content") {
            Some(Value::String(s)) if !synthetic => {
                let phase = ends_turn.then(|| "final_answer".to_owned());
                self.emit_text(out, at, s, |text| Body::Assistant { text, phase });
            }
            Some(Value::Array(blocks)) => {
                let last_text = blocks.iter().rposition(|b| block_type(b) == "text");
                for (i, b) in blocks.iter().enumerate() {
                    match block_type(b) {
                        "text" if !synthetic => {
                            let text = b.get("text").and_then(Value::as_str).unwrap_or("");
                            let phase = (ends_turn && Some(i) == last_text)
                                .then(|| "final_answer".to_owned());
                            let body = |text| Body::Assistant { text, phase };
                            self.emit_text(out, at.clone(), text, body);
                        }
                        "thinking" => {
                            let text = b.get("thinking").and_then(Value::as_str).unwrap_or("");
                            let body = |text| Body::Reasoning { text };
                            self.emit_text(out, at.clone(), text, body);
                        }
                        "tool_use" => self.tool_use(b, &at, out),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }

    /// A `system` line: a compaction, or the turn's duration; the rest is bookkeeping.
    fn system(&mut self, v: &Value, at: String, out: &mut Vec<Event>) {
        match str_field(v, "subtype").as_deref() {
            Some("compact_boundary") => {
                let turn = self.turn_id();
                self.emit(out, at, turn, Body::Compacted {});
            }
            Some("turn_duration") => {
                let ms = v.get("durationMs").and_then(Value::as_u64);
                if let Some(t) = self.state.turn.as_mut().filter(|t| !t.ended) {
                    t.duration_ms = ms.or(t.duration_ms);
                }
            }
            _ => {}
        }
    }

    /// A `tool_use` block: an event now, a call waiting for its result, or nothing.
    fn tool_use(&mut self, b: &Value, at: &str, out: &mut Vec<Event>) {
        let name = b.get("name").and_then(Value::as_str).unwrap_or("");
        let input = b.get("input").unwrap_or(&Value::Null);
        match tools::classify(name, input) {
            Tool::Ignored => {}
            Tool::Now(body) => {
                let body = self.redact_body(body);
                let turn = self.turn_id();
                self.emit(out, at.to_owned(), turn, body);
            }
            Tool::Pending(call) => {
                let Some(id) = str_field(b, "id").filter(|i| !i.is_empty()) else {
                    return;
                };
                if self.state.calls.contains_key(&id) {
                    return;
                }
                // Pending calls are saved with the file cursor: redact before they enter the state.
                let call = self.redact_call(call);
                let pending = PendingCall {
                    at: at.to_owned(),
                    turn: self.turn_id(),
                    workdir: self.state.cwd.clone(),
                    call,
                };
                self.state.calls.insert(id, pending);
            }
        }
    }

    /// A `tool_result` block: completes its call with the outcome the line recorded.
    fn tool_result(
        &mut self,
        b: &Value,
        line: &Value,
        single: bool,
        at: &str,
        out: &mut Vec<Event>,
    ) {
        let Some(id) = str_field(b, "tool_use_id") else {
            return;
        };
        let Some(call) = self.state.calls.remove(&id) else {
            return;
        };
        self.touch_turn(at);
        let is_error = b.get("is_error").and_then(Value::as_bool) == Some(true);
        let text = tools::result_text(b.get("content").unwrap_or(&Value::Null));
        let result = line.get("toolUseResult").filter(|_| single);
        let body = match call.call {
            Call::Bash {
                command,
                background,
            } => {
                let denied = line.get("toolDenialKind").is_some_and(|d| !d.is_null());
                let (status, exit_code) =
                    tools::bash_outcome(background, is_error, denied, &text, result);
                let spilled = result
                    .and_then(|r| r.get("persistedOutputPath"))
                    .and_then(Value::as_str)
                    .and_then(|p| self.spilled(p));
                let output = spilled
                    .unwrap_or_else(|| excerpt(&tools::bash_output(&text, result), OUTPUT_CAP));
                Body::Command(Command {
                    command,
                    workdir: call.workdir,
                    exit_code,
                    duration_ms: None,
                    output: self.redactor.redact(&output).into_owned(),
                    tool: "claude_bash".to_owned(),
                    status,
                })
            }
            Call::Edit { tool, mut files } => {
                tools::refine_edit(&mut files, result);
                for f in &mut files {
                    self.redactor.redact_in_place(&mut f.diff);
                }
                Body::Edit(Edit {
                    files,
                    success: Some(!is_error),
                    tool,
                })
            }
            Call::Mcp {
                server,
                tool,
                arguments,
            } => {
                // What Session Lens's own server answered came from the store: never read back.
                let output = if server == "sessionlens" {
                    String::new()
                } else {
                    let output = excerpt(&text, OUTPUT_CAP);
                    self.redactor.redact(&output).into_owned()
                };
                Body::McpCall(McpCall {
                    server,
                    tool,
                    arguments,
                    success: Some(!is_error),
                    duration_ms: None,
                    output,
                })
            }
            // Shell-mode commands wait under their own key, never a tool-use id.
            Call::Shell { .. } => return,
        };
        self.emit(out, call.at, call.turn, body);
    }

    /// Head and tail of a spilled output, if it lies in this transcript's session folder.
    fn spilled(&self, path: &str) -> Option<String> {
        let folder = self.folder.as_ref()?;
        let path = Path::new(path);
        let path = if path.is_absolute() {
            path.to_path_buf()
        } else {
            folder.join(path)
        };
        tools::read_spilled(&path, folder, OUTPUT_CAP)
    }

    /// An immediate event's texts, redacted.
    fn redact_body(&self, body: Body) -> Body {
        let r = |s: &str| self.redactor.redact(s).into_owned();
        match body {
            Body::WebSearch { action, query, url } => Body::WebSearch {
                action,
                query: r(&query),
                url: url.map(|u| r(&u)),
            },
            Body::Plan { text } => Body::Plan { text: r(&text) },
            other => other,
        }
    }

    /// A pending call's texts, redacted.
    fn redact_call(&self, call: Call) -> Call {
        let r = |s: &str| self.redactor.redact(s).into_owned();
        match call {
            Call::Bash {
                command,
                background,
            } => Call::Bash {
                command: r(&command),
                background,
            },
            Call::Edit { tool, mut files } => {
                for f in &mut files {
                    self.redactor.redact_in_place(&mut f.diff);
                }
                Call::Edit { tool, files }
            }
            Call::Mcp {
                server,
                tool,
                arguments,
            } => Call::Mcp {
                server,
                tool,
                arguments: r(&arguments),
            },
            Call::Shell { command } => Call::Shell {
                command: r(&command),
            },
        }
    }

    /// Emits every call still waiting for a result, as having none; called when its turn ends.
    fn flush_calls(&mut self, out: &mut Vec<Event>) {
        for (_, call) in std::mem::take(&mut self.state.calls) {
            let body = match call.call {
                Call::Bash { command, .. } => Body::Command(Command {
                    command,
                    workdir: call.workdir,
                    exit_code: None,
                    duration_ms: None,
                    output: String::new(),
                    tool: "claude_bash".to_owned(),
                    status: CommandStatus::NoResult,
                }),
                Call::Edit { tool, files } => Body::Edit(Edit {
                    files,
                    success: None,
                    tool,
                }),
                Call::Mcp {
                    server,
                    tool,
                    arguments,
                } => Body::McpCall(McpCall {
                    server,
                    tool,
                    arguments,
                    success: None,
                    duration_ms: None,
                    output: String::new(),
                }),
                Call::Shell { command } => Body::Command(Command {
                    command,
                    workdir: call.workdir,
                    exit_code: None,
                    duration_ms: None,
                    output: String::new(),
                    tool: "user_shell".to_owned(),
                    status: CommandStatus::NoResult,
                }),
            };
            self.emit(out, call.at, call.turn, body);
        }
    }

    /// Ends the open turn (first its calls still waiting), then opens turn `id`.
    fn open_turn(&mut self, id: String, at: String, out: &mut Vec<Event>) {
        self.close_turn(TurnStatus::Inferred, None, at.clone(), out);
        self.state.turn_count += 1;
        self.state.turn = Some(Turn {
            id,
            ended: false,
            last_at: at,
            usage: BTreeMap::new(),
            duration_ms: None,
        });
    }

    /// Ends the open turn, if any: an inferred end is dated at its last activity.
    fn close_turn(
        &mut self,
        status: TurnStatus,
        reason: Option<String>,
        at: String,
        out: &mut Vec<Event>,
    ) {
        if self.state.turn.as_ref().is_none_or(|t| t.ended) {
            return;
        }
        self.flush_calls(out);
        let Some(t) = self.state.turn.as_mut() else {
            return;
        };
        t.ended = true;
        let tokens =
            (!t.usage.is_empty()).then(|| t.usage.values().fold(TokenUsage::default(), add));
        let (turn, last_at, duration_ms) = (t.id.clone(), t.last_at.clone(), t.duration_ms);
        let at = if status == TurnStatus::Inferred {
            last_at
        } else {
            at
        };
        let body = Body::TurnEnd {
            status,
            reason,
            duration_ms,
            tokens,
        };
        self.emit(out, at, Some(turn), body);
    }

    /// Emits a text event in the current turn, trimmed and redacted; nothing when empty.
    fn emit_text(
        &mut self,
        out: &mut Vec<Event>,
        at: String,
        text: &str,
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

    /// The current turn's id.
    fn turn_id(&self) -> Option<String> {
        self.state.turn.as_ref().map(|t| t.id.clone())
    }

    /// Moves the open turn's last activity forward to `at`.
    fn touch_turn(&mut self, at: &str) {
        if let Some(t) = &mut self.state.turn {
            if !t.ended && at > t.last_at.as_str() {
                t.last_at = at.to_owned();
            }
        }
    }

    /// Emits the session's first prompt, held until now.
    fn flush_pending(&mut self, out: &mut Vec<Event>) {
        let Some(p) = self.state.pending_prompt.take() else {
            return;
        };
        self.ensure_started(out);
        let body = Body::Prompt {
            text: p.text,
            ide: None,
            images: p.images,
            steer: false,
        };
        self.push(out, p.at, Some(p.turn), body);
    }

    /// Emits the session header before the session's first event.
    fn ensure_started(&mut self, out: &mut Vec<Event>) {
        if self.state.started {
            return;
        }
        self.state.started = true;
        let mut info = self.state.info.clone();
        info.originator = Some("claude-code".to_owned());
        match &self.state.agent {
            Some(a) => {
                info.surface = "subagent".to_owned();
                let kind = if a.id.starts_with("acompact") {
                    "compact"
                } else {
                    "task"
                };
                info.agent = Some(kind.to_owned());
                info.parent = Some(a.parent.clone());
            }
            None => info.surface = "claude".to_owned(),
        }
        if info.started_at.is_empty() {
            info.started_at = self.state.last_at.clone().unwrap_or_default();
        }
        let at = info.started_at.clone();
        self.push(out, at, None, Body::SessionStart(info));
    }

    /// Emits an event after the header (and the held first prompt).
    fn emit(&mut self, out: &mut Vec<Event>, at: String, turn: Option<String>, body: Body) {
        self.flush_pending(out);
        self.ensure_started(out);
        self.touch_turn(&at);
        self.push(out, at, turn, body);
    }

    /// Appends an event with its positional id.
    fn push(&mut self, out: &mut Vec<Event>, at: String, turn: Option<String>, body: Body) {
        let session = self.state.session.clone().unwrap_or_default();
        out.push(self.state.places.event("claude", session, at, turn, body));
    }
}

impl SessionReader for TranscriptReader {
    fn line(&mut self, raw: &[u8], out: &mut Vec<Event>) {
        TranscriptReader::line(self, raw, out);
    }

    fn oversized_line(&mut self) {
        TranscriptReader::oversized_line(self);
    }

    fn finish_idle(&mut self, out: &mut Vec<Event>) {
        TranscriptReader::finish_idle(self, out);
    }

    fn save(&self) -> Value {
        serde_json::to_value(&self.state).unwrap_or_default()
    }

    fn session(&self) -> Option<String> {
        self.state.session.clone()
    }

    /// The first folder the lines named (the header's).
    fn cwd(&self) -> Option<&str> {
        self.state.info.cwd.as_deref().filter(|c| !c.is_empty())
    }

    fn stats(&self) -> &LineStats {
        &self.stats
    }
}

/// A string field of a JSON object.
fn str_field(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// Whether a JSON object's boolean field is `true`.
fn flag(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool) == Some(true)
}

/// A content block's `type`.
fn block_type(b: &Value) -> &str {
    b.get("type").and_then(Value::as_str).unwrap_or("")
}

/// Whether a person wrote the line: newer lines say so in `origin.kind`; older ones are
/// people's unless marked otherwise.
fn typed_by_a_person(v: &Value) -> bool {
    match v.get("origin").and_then(|o| o.get("kind")) {
        Some(kind) => kind.as_str() == Some("human"),
        None => true,
    }
}

/// One API response's usage: input, cache reads (as cached input), output; the total also
/// counts the tokens written to the cache.
fn usage_of(u: &Value) -> TokenUsage {
    let n = |k: &str| u.get(k).and_then(Value::as_u64).unwrap_or(0);
    let (input, created, read, output) = (
        n("input_tokens"),
        n("cache_creation_input_tokens"),
        n("cache_read_input_tokens"),
        n("output_tokens"),
    );
    TokenUsage {
        input,
        cached_input: read,
        output,
        reasoning_output: 0,
        total: input + created + read + output,
    }
}

/// Field-wise sum of two usages.
fn add(a: TokenUsage, b: &TokenUsage) -> TokenUsage {
    TokenUsage {
        input: a.input + b.input,
        cached_input: a.cached_input + b.cached_input,
        output: a.output + b.output,
        reasoning_output: a.reasoning_output + b.reasoning_output,
        total: a.total + b.total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Reads `lines` as the transcript at `path`, then closes it as idle.
    fn read(path: &str, lines: &[Value]) -> (Vec<Event>, LineStats) {
        let mut r = TranscriptReader::new(None, Path::new(path));
        let mut out = Vec::new();
        for l in lines {
            r.line(l.to_string().as_bytes(), &mut out);
        }
        r.finish_idle(&mut out);
        (out, r.stats)
    }

    /// A user line of session `s1` with the given content.
    fn user(uuid: &str, ts: &str, content: Value) -> Value {
        json!({"type": "user", "uuid": uuid, "timestamp": ts, "sessionId": "s1", "cwd": "/w",
            "version": "2.1.50", "gitBranch": "main", "message": {"role": "user", "content": content}})
    }

    /// An assistant line of session `s1`: one content block of response `id`.
    fn assistant(ts: &str, id: &str, out_tokens: u64, block: Value) -> Value {
        json!({"type": "assistant", "uuid": format!("a-{ts}"), "timestamp": ts, "sessionId": "s1",
            "cwd": "/w", "message": {"id": id, "model": "claude-opus-4-6", "role": "assistant",
            "content": [block], "usage": {"input_tokens": 10, "cache_creation_input_tokens": 100,
            "cache_read_input_tokens": 1000, "output_tokens": out_tokens}}})
    }

    /// The held first prompt lets the header name the model; a response split over lines
    /// counts once.
    #[test]
    fn the_header_names_the_model_and_each_response_counts_once() {
        let lines = [
            json!({"type": "file-history-snapshot", "messageId": "u1"}),
            user("u1", "2026-01-01T00:00:01Z", json!("why is it slow?")),
            assistant(
                "2026-01-01T00:00:02Z",
                "m1",
                3,
                json!({"type": "thinking", "thinking": "Profile first."}),
            ),
            assistant(
                "2026-01-01T00:00:03Z",
                "m1",
                40,
                json!({"type": "text", "text": "It re-renders."}),
            ),
            user("u2", "2026-01-01T00:01:00Z", json!("thanks")),
        ];
        let (events, stats) = read("/p/-w/s1.jsonl", &lines);
        let kinds: Vec<&str> = events.iter().map(|e| e.body.kind()).collect();
        assert_eq!(
            kinds,
            [
                "session_start",
                "prompt",
                "reasoning",
                "assistant",
                "turn_end",
                "prompt",
                "turn_end"
            ]
        );
        let Body::SessionStart(info) = &events[0].body else {
            unreachable!()
        };
        assert_eq!(
            (
                info.surface.as_str(),
                info.model.as_deref(),
                info.cwd.as_deref(),
                info.cli_version.as_deref(),
                info.git_branch.as_deref(),
                info.started_at.as_str()
            ),
            (
                "claude",
                Some("claude-opus-4-6"),
                Some("/w"),
                Some("2.1.50"),
                Some("main"),
                "2026-01-01T00:00:01Z"
            )
        );
        let Body::TurnEnd { status, tokens, .. } = &events[4].body else {
            unreachable!()
        };
        assert_eq!(*status, TurnStatus::Inferred);
        assert_eq!(
            events[4].at, "2026-01-01T00:00:03Z",
            "dated at its last activity"
        );
        let t = tokens.unwrap();
        assert_eq!(
            (t.input, t.cached_input, t.output, t.total),
            (10, 1000, 40, 1150)
        );
        assert!(events.iter().all(|e| e.session == "s1"));
        assert_eq!(events[1].turn.as_deref(), Some("u1"));
        assert_eq!(stats.unknown.len(), 0);
    }

    /// Inline sub-agent lines and lines of a non-human origin never become prompts.
    #[test]
    fn inline_sidechains_and_non_human_origins_are_not_the_developers() {
        let mut sidechain = user("x", "2026-01-01T00:00:02Z", json!("the agent's task"));
        sidechain["isSidechain"] = json!(true);
        let mut notice = user("y", "2026-01-01T00:00:03Z", json!("background job done"));
        notice["origin"] = json!({"kind": "task-notification"});
        let mut typed = user("z", "2026-01-01T00:00:04Z", json!("and now?"));
        typed["origin"] = json!({"kind": "human"});
        let lines = [
            user("u1", "2026-01-01T00:00:01Z", json!("start")),
            sidechain,
            notice,
            typed,
        ];
        let (events, stats) = read("/p/-w/s1.jsonl", &lines);
        let prompts: Vec<&str> = events
            .iter()
            .filter_map(|e| match &e.body {
                Body::Prompt { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(prompts, ["start", "and now?"]);
        assert_eq!((stats.inherited, stats.scaffolding), (1, 1));
    }

    /// A sub-agent's file is a session of its own, marked with its kind and parent.
    #[test]
    fn a_sub_agent_file_is_its_own_session() {
        let mut first = user("u1", "2026-01-01T00:00:01Z", json!("summarize"));
        first["isSidechain"] = json!(true);
        first["agentId"] = json!("acompact-1");
        let (events, _) = read("/p/-w/s1/subagents/agent-acompact-1.jsonl", &[first]);
        assert_eq!(events[0].session, "acompact-1@s1");
        let Body::SessionStart(info) = &events[0].body else {
            unreachable!()
        };
        assert_eq!(
            (
                info.surface.as_str(),
                info.agent.as_deref(),
                info.parent.as_deref()
            ),
            ("subagent", Some("compact"), Some("s1"))
        );
        assert!(info.is_agent_thread());
    }

    /// Resuming from a JSON round-tripped state after any line gives the events of one read.
    #[test]
    fn a_state_resumed_at_every_line_gives_the_same_events() {
        let lines = [
            user("u1", "2026-01-01T00:00:01Z", json!("run it")),
            assistant(
                "2026-01-01T00:00:02Z",
                "m1",
                5,
                json!({"type": "tool_use", "id": "t1", "name": "Bash", "input": {"command": "make"}}),
            ),
            json!({"type": "user", "uuid": "r1", "timestamp": "2026-01-01T00:00:03Z", "sessionId": "s1",
                "message": {"content": [{"type": "tool_result", "tool_use_id": "t1", "is_error": true,
                "content": "Exit code 2\nmake: *** No rule"}]}, "toolUseResult": "Error: Exit code 2"}),
            assistant(
                "2026-01-01T00:00:04Z",
                "m2",
                5,
                json!({"type": "tool_use", "id": "t2", "name": "Bash", "input": {"command": "sleep 99"}}),
            ),
            user(
                "i1",
                "2026-01-01T00:00:05Z",
                json!([{"type": "text", "text": "[Request interrupted by user for tool use]"}]),
            ),
        ];
        let (whole, _) = read("/p/-w/s1.jsonl", &lines);
        for cut in 0..=lines.len() {
            let mut r = TranscriptReader::new(None, Path::new("/p/-w/s1.jsonl"));
            let mut out = Vec::new();
            for l in &lines[..cut] {
                r.line(l.to_string().as_bytes(), &mut out);
            }
            let saved = serde_json::to_string(&r.state).unwrap();
            let state: ClaudeState = serde_json::from_str(&saved).unwrap();
            assert!(state.is_current());
            let mut r = TranscriptReader::new(Some(state), Path::new("/p/-w/s1.jsonl"));
            for l in &lines[cut..] {
                r.line(l.to_string().as_bytes(), &mut out);
            }
            r.finish_idle(&mut out);
            assert_eq!(out, whole, "resumed after line {cut}");
        }
        let cmds: Vec<(&str, CommandStatus, Option<i32>)> = whole
            .iter()
            .filter_map(|e| match &e.body {
                Body::Command(c) => Some((c.command.as_str(), c.status, c.exit_code)),
                _ => None,
            })
            .collect();
        assert_eq!(
            cmds,
            [
                ("make", CommandStatus::Exited, Some(2)),
                ("sleep 99", CommandStatus::NoResult, None)
            ]
        );
        assert!(matches!(
            whole.last().unwrap().body,
            Body::TurnEnd {
                status: TurnStatus::Aborted,
                ..
            }
        ));
    }
}
