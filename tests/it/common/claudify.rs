//! A legacy Codex rollout → the Claude Code transcript (`~/.claude/projects/<dir>/<session>.jsonl`)
//! the same session would have left, had the developer worked with Claude Code. Tests use it to
//! get a Claude Code twin of every hand-labelled Codex scenario (`tests/fixtures/eval/`), so that
//! "every assistant gives the same memory" is checked on whole realistic sessions rather than on
//! a few hand-written transcript lines. The model for it is `paginate.rs` (Codex → Codex).
//!
//! The lines imitate a real Claude Code 2.1.38 main-session transcript (marot/spotter
//! `test/fixtures/transcripts/tool_heavy.jsonl`, copied to `/work/shared/codex-samples/`): the same
//! envelope members in the same order (`parentUuid, isSidechain, userType, cwd, sessionId,
//! version, gitBranch, [slug], type, message, uuid, timestamp, …`), compact JSON, one line each.
//!
//! The mapping, Codex → Claude Code:
//! - `session_meta`: its `id` (a UUID) is the `sessionId` of every line; `cwd` (later
//!   `turn_context.cwd`) and `git.branch` fill `cwd` and `gitBranch`. No line of its own.
//! - `event_msg/user_message` → a `file-history-snapshot` line, then a `user` line whose
//!   `message.content` is the prompt *as a string* (what marks a typed prompt), with the VS Code
//!   "# Context from my IDE setup" preamble and Codex's attachment wrappers removed and the text
//!   trimmed, exactly as the Codex reader does; scaffolding (`<environment_context>`, …) is
//!   dropped. The `response_item` copies of the prompt and the developer messages have no
//!   counterpart.
//! - The assistant's work is cut into API responses: a response runs from the first block after
//!   a prompt (or after tool results) to the next tool results. Each response is several
//!   `assistant` lines, one content block each, sharing `message.id` and `requestId` and
//!   repeating the same `usage` (made up, deterministic). `event_msg/agent_message` (commentary
//!   and final answer alike) → a `text` block; `event_msg/agent_reasoning` → a `thinking` block
//!   with a `signature`. (The `response_item` copies are not used.) `stop_reason` is `null`, as
//!   in the streamed lines of real transcripts.
//! - `shell_command` / `shell` / `exec_command` calls → a `Bash` `tool_use` (`command`,
//!   `description`; a `workdir` other than the cwd becomes a leading `cd <dir> && `). Its output
//!   → a `user` line with a `tool_result`: exit 0 → `is_error: false`, content the output, and
//!   `toolUseResult {stdout, stderr, interrupted, isImage, noOutputExpected}`; exit N ≠ 0 →
//!   `is_error: true`, content `"Exit code N\n<output>"` and `toolUseResult` the string
//!   `"Error: Exit code N\n<output>"`, as Claude Code writes a failing Bash call.
//! - `apply_patch` → one `tool_use` per file, all in one response, then one `tool_result` line per
//!   file:
//!   - `*** Add File` → `Write {file_path, content}`; result `File created successfully at: …`,
//!     `toolUseResult {type: "create", filePath, content, structuredPatch: [], originalFile:
//!     null, userModified}` — Claude Code writes an *empty* `structuredPatch` for a new file;
//!   - `*** Update File` → `Edit {file_path, old_string, new_string, replace_all}` with
//!     `old_string` / `new_string` the hunks' context and `-` lines / context and `+` lines
//!     (several hunks joined by a newline, as if adjacent), and `toolUseResult {filePath,
//!     oldString, newString, originalFile, structuredPatch, userModified, replaceAll}` whose
//!     hunks carry `oldStart, oldLines, newStart, newLines, lines`. Starts are real line numbers
//!     for files this rollout created (the converter applies its own patches); for a file that
//!     existed before, whose content the rollout never shows, each hunk is placed right after
//!     the previous one from line 1 (`originalFile: null`) — consistent, not the real numbers;
//!   - `*** Delete File` → `Bash rm <path>`; `*** Move to` → `Bash mv <from> <to>` before the
//!     `Edit` of the new path;
//!   - a failed patch → every file's result `is_error: true` with a `<tool_use_error>` content.
//! - `event_msg/exec_command_end` with `source: "user_shell"` (the developer's own `!cmd`) →
//!   Claude Code's `!` bash mode: an `isMeta` `<local-command-caveat>` line, a `user` line
//!   `<bash-input>cmd</bash-input>` and a `user` line
//!   `<bash-stdout>…</bash-stdout><bash-stderr>…</bash-stderr>` (string contents). Bash mode
//!   records no exit code; for a non-zero exit this writes `Exit code N` into `<bash-stderr>`
//!   (a guess: no real sample shows a failing `!` command). The `<user_shell_command>` message
//!   Codex adds is scaffolding and has no counterpart.
//! - Token counts, turn contexts, `task_started` / `task_complete`, plans and anything else have
//!   no counterpart.
//!
//! Every line has a `uuid` (deterministic: derived from the session id and the line's place)
//! and a `parentUuid`: the previous envelope line's, `null` for the first — except a
//! `tool_result` line, whose parent is the `assistant` line holding its call (also named in
//! `sourceToolAssistantUUID`), as in the real file (where progress lines stand between them), so
//! the results of parallel calls hang side by side. From the second tool result on,
//! lines carry the session's `slug`, as in the real file. Input is a legacy (non-paginated)
//! envelope rollout; unparseable lines are skipped.

use serde_json::Value;
use sessionlens::capture::codex::prompt::{
    is_scaffolding, strip_ide_context, strip_injected_wrappers,
};
use sessionlens::capture::codex::tools::{output_text, parse_outcome, unwrap_shell};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// The Claude Code version the lines imitate (the real transcript they were modelled on).
pub const VERSION: &str = "2.1.38";
/// The model named in every assistant line.
pub const MODEL: &str = "claude-opus-4-6";
/// The text Claude Code writes (as an `isMeta` user line) before the lines of a local command.
pub const CAVEAT: &str = "<local-command-caveat>Caveat: The messages below were generated by the user while running local commands. DO NOT respond to these messages or otherwise consider them in your response unless the user explicitly asks you to.</local-command-caveat>";

/// A Codex rollout (legacy envelope form) as the Claude Code transcript of the same session.
pub fn claudify(codex_rollout_jsonl: &str) -> String {
    let mut c = Converter::default();
    for line in codex_rollout_jsonl.lines() {
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let ts = v["timestamp"].as_str().unwrap_or_default().to_owned();
        c.line(&ts, v["type"].as_str().unwrap_or_default(), &v["payload"]);
    }
    c.flush();
    c.out
}

/// The path Claude Code keeps a session's transcript under, relative to its configuration folder:
/// `projects/<cwd with every non-alphanumeric character turned into '->/<sessionId>.jsonl`.
pub fn transcript_path(cwd: &str, session_id: &str) -> String {
    let dir: String = cwd
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("projects/{dir}/{session_id}.jsonl")
}

/// A JSON string literal.
fn js(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialize")
}

/// A compact JSON object from members whose values are JSON text, in the given order (the
/// order real transcripts write; serde_json's `Value` would sort them).
fn obj(members: &[(&str, String)]) -> String {
    let mut out = String::from("{");
    for (i, (k, v)) in members.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&js(k));
        out.push(':');
        out.push_str(v);
    }
    out.push('}');
    out
}

/// A JSON array from items that are JSON text.
fn arr(items: &[String]) -> String {
    format!("[{}]", items.join(","))
}

/// Hex digest of `parts`, for deterministic ids.
fn digest(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    hex::encode(h.finalize())
}

/// `n` characters in the alphabet Anthropic's ids use (base62), from a digest.
fn base62(parts: &[&str], n: usize) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut out = String::new();
    let mut round = 0u32;
    while out.len() < n {
        let r = round.to_string();
        let mut p: Vec<&str> = parts.to_vec();
        p.push(&r);
        let d = Sha256::digest(digest(&p).as_bytes());
        for b in d.iter() {
            if out.len() == n {
                break;
            }
            out.push(ALPHABET[*b as usize % ALPHABET.len()] as char);
        }
        round += 1;
    }
    out
}

/// One hunk of an apply_patch `*** Update File` section.
#[derive(Debug, Clone, Default)]
struct PatchHunk {
    /// The text after `@@`, when any.
    context: Option<String>,
    /// `(' ' | '-' | '+', text)` in order.
    lines: Vec<(char, String)>,
}

impl PatchHunk {
    /// The lines the hunk expects to find (context and removed).
    fn old_side(&self) -> Vec<&str> {
        self.lines
            .iter()
            .filter(|(k, _)| *k != '+')
            .map(|(_, l)| l.as_str())
            .collect()
    }

    /// The lines the hunk leaves (context and added).
    fn new_side(&self) -> Vec<&str> {
        self.lines
            .iter()
            .filter(|(k, _)| *k != '-')
            .map(|(_, l)| l.as_str())
            .collect()
    }
}

/// One file's section of an apply_patch body.
#[derive(Debug, Clone)]
enum PatchFile {
    Add {
        path: String,
        lines: Vec<String>,
    },
    Update {
        path: String,
        move_to: Option<String>,
        hunks: Vec<PatchHunk>,
    },
    Delete {
        path: String,
    },
}

/// Parses an apply_patch body (`*** Begin Patch` … `*** End Patch`) into its file sections.
fn parse_patch(input: &str) -> Vec<PatchFile> {
    let mut files: Vec<PatchFile> = Vec::new();
    for line in input.lines() {
        if let Some(p) = line.strip_prefix("*** Add File: ") {
            files.push(PatchFile::Add {
                path: p.trim().to_owned(),
                lines: Vec::new(),
            });
        } else if let Some(p) = line.strip_prefix("*** Update File: ") {
            files.push(PatchFile::Update {
                path: p.trim().to_owned(),
                move_to: None,
                hunks: Vec::new(),
            });
        } else if let Some(p) = line.strip_prefix("*** Delete File: ") {
            files.push(PatchFile::Delete {
                path: p.trim().to_owned(),
            });
        } else if let Some(p) = line.strip_prefix("*** Move to: ") {
            if let Some(PatchFile::Update { move_to, .. }) = files.last_mut() {
                *move_to = Some(p.trim().to_owned());
            }
        } else if line.starts_with("*** ") {
            // Begin Patch, End Patch, End of File.
        } else {
            match files.last_mut() {
                Some(PatchFile::Add { lines, .. }) => {
                    if let Some(l) = line.strip_prefix('+') {
                        lines.push(l.to_owned());
                    }
                }
                Some(PatchFile::Update { hunks, .. }) => {
                    if let Some(ctx) = line.strip_prefix("@@") {
                        let ctx = ctx.trim();
                        hunks.push(PatchHunk {
                            context: (!ctx.is_empty()).then(|| ctx.to_owned()),
                            lines: Vec::new(),
                        });
                        continue;
                    }
                    if hunks.is_empty() {
                        hunks.push(PatchHunk::default());
                    }
                    let h = hunks.last_mut().expect("pushed above");
                    let mut chars = line.chars();
                    match chars.next() {
                        Some(k @ (' ' | '-' | '+')) => h.lines.push((k, chars.as_str().to_owned())),
                        // An empty line inside a hunk is an empty context line.
                        None => h.lines.push((' ', String::new())),
                        Some(_) => h.lines.push((' ', line.to_owned())),
                    }
                }
                _ => {}
            }
        }
    }
    files
}

/// A hunk of Claude Code's `structuredPatch`.
#[derive(Debug, Clone)]
struct SpHunk {
    old_start: usize,
    old_lines: usize,
    new_start: usize,
    new_lines: usize,
    lines: Vec<String>,
}

impl SpHunk {
    /// The hunk as Claude Code writes it.
    fn json(&self) -> String {
        let lines: Vec<String> = self.lines.iter().map(|l| js(l)).collect();
        obj(&[
            ("oldStart", self.old_start.to_string()),
            ("oldLines", self.old_lines.to_string()),
            ("newStart", self.new_start.to_string()),
            ("newLines", self.new_lines.to_string()),
            ("lines", arr(&lines)),
        ])
    }
}

/// Where a sequence of lines first occurs in `content` at or after `from`, exactly or
/// ignoring surrounding whitespace (apply_patch's own fallback).
fn find_lines(content: &[String], needle: &[&str], from: usize) -> Option<usize> {
    if needle.is_empty() {
        return Some(from.min(content.len()));
    }
    let fits = |i: usize, eq: &dyn Fn(&str, &str) -> bool| {
        needle
            .iter()
            .enumerate()
            .all(|(k, n)| content.get(i + k).is_some_and(|c| eq(c, n)))
    };
    let last = content.len().checked_sub(needle.len())?;
    (from..=last)
        .find(|&i| fits(i, &|a, b| a == b))
        .or_else(|| (from..=last).find(|&i| fits(i, &|a, b| a.trim() == b.trim())))
}

/// The `structuredPatch` hunks of an update, applying it to `content` when the file's content
/// is known (real line numbers), else placing each hunk after the previous one from line 1.
fn place_hunks(mut content: Option<&mut Vec<String>>, hunks: &[PatchHunk]) -> Vec<SpHunk> {
    let mut out = Vec::new();
    // Position in the (partly updated) file, and how much earlier hunks grew it.
    let mut cursor = 0usize;
    let mut delta: isize = 0;
    for h in hunks {
        let old = h.old_side();
        let new = h.new_side();
        let at = match content.as_deref_mut() {
            Some(c) => {
                let mut from = cursor;
                if let Some(ctx) = &h.context {
                    if let Some(i) = (cursor..c.len()).find(|&i| c[i].trim() == ctx.trim()) {
                        from = i + 1;
                    }
                }
                let found = find_lines(c, &old, from).or_else(|| find_lines(c, &old, 0));
                match found {
                    Some(i) => {
                        let replacement: Vec<String> =
                            new.iter().map(|s| (*s).to_owned()).collect();
                        c.splice(i..i + old.len(), replacement);
                        i
                    }
                    None => cursor,
                }
            }
            None => cursor,
        };
        // `at` is 0-based in the new file's coordinates so far.
        let new_start = at + 1;
        let old_start = (new_start as isize - delta).max(1) as usize;
        out.push(SpHunk {
            old_start: if old.is_empty() {
                old_start - 1
            } else {
                old_start
            },
            old_lines: old.len(),
            new_start: if new.is_empty() {
                new_start - 1
            } else {
                new_start
            },
            new_lines: new.len(),
            lines: h.lines.iter().map(|(k, l)| format!("{k}{l}")).collect(),
        });
        cursor = at + new.len();
        delta += new.len() as isize - old.len() as isize;
    }
    out
}

/// A tool call whose result is still to be written.
enum Pending {
    /// A Bash call: its `tool_use` id.
    Shell { tool_use: String },
    /// An apply_patch: one Claude tool call per file, in order.
    Patch { calls: Vec<FileCall> },
}

/// One Claude tool call made for one file of a patch, with the result it gets on success.
struct FileCall {
    tool_use: String,
    /// `tool_result.content` on success.
    content: String,
    /// `toolUseResult` (JSON text) on success.
    result: String,
    /// A Bash call (`rm`, `mv`), whose result always says `is_error`.
    bash: bool,
}

/// One block of the API response being written, with its source line's time.
struct Block {
    at: String,
    json: String,
    tool_use: Option<String>,
    chars: usize,
}

/// The converter's state, line to line.
#[derive(Default)]
struct Converter {
    out: String,
    session: String,
    cwd: String,
    branch: String,
    /// Lines written (for uuids).
    seq: u64,
    /// The last envelope line's uuid (the next line's parent).
    last: Option<String>,
    /// The session's slug, once lines carry it.
    slug: Option<String>,
    /// Tool results written (the slug starts at the second).
    results: u32,
    /// API responses written (for `message.id` and `requestId`).
    responses: u64,
    /// The response being gathered: written when tool results follow or the turn ends.
    response: Vec<Block>,
    /// `tool_use` id → uuid of the assistant line that holds it.
    tool_lines: HashMap<String, String>,
    /// Codex call id → the call waiting for its output.
    pending: HashMap<String, Pending>,
    /// Files this rollout created or updated from known content, by absolute path.
    files: HashMap<String, Vec<String>>,
    /// Characters of context so far (for plausible cache-read counts).
    context: usize,
    /// Tool calls made (for `toolu_…` ids).
    calls: u64,
}

impl Converter {
    /// One Codex line.
    fn line(&mut self, ts: &str, kind: &str, p: &Value) {
        let ty = p["type"].as_str().unwrap_or_default();
        match (kind, ty) {
            ("session_meta", _) if self.session.is_empty() => {
                self.session = p["id"].as_str().unwrap_or_default().to_owned();
                self.cwd = p["cwd"].as_str().unwrap_or_default().to_owned();
                self.branch = p["git"]["branch"].as_str().unwrap_or_default().to_owned();
            }
            ("session_meta", _) => {}
            ("turn_context", _) => {
                if let Some(cwd) = p["cwd"].as_str() {
                    self.cwd = cwd.to_owned();
                }
            }
            ("event_msg", "user_message") => {
                self.prompt(ts, p["message"].as_str().unwrap_or_default());
            }
            ("event_msg", "agent_message") => {
                let text = p["message"].as_str().unwrap_or_default();
                if !text.trim().is_empty() {
                    self.block(
                        ts,
                        obj(&[("type", js("text")), ("text", js(text))]),
                        None,
                        text.len(),
                    );
                }
            }
            ("event_msg", "agent_reasoning") => {
                let text = p["text"].as_str().unwrap_or_default();
                if !text.trim().is_empty() {
                    let signature = base64_like(&[&self.session, ts, text], 228);
                    self.block(
                        ts,
                        obj(&[
                            ("type", js("thinking")),
                            ("thinking", js(text)),
                            ("signature", js(&signature)),
                        ]),
                        None,
                        text.len(),
                    );
                }
            }
            ("event_msg", "exec_command_end") if p["source"] == "user_shell" => {
                self.user_shell(ts, p);
            }
            ("event_msg", "task_complete") => self.flush(),
            // Claude Code writes the developer's interruption as a user line.
            ("event_msg", "turn_aborted") => {
                self.flush();
                let block = obj(&[
                    ("type", js("text")),
                    ("text", js("[Request interrupted by user]")),
                ]);
                self.user(ts, format!("[{block}]"), Vec::new(), Vec::new());
            }
            ("response_item", "function_call") => {
                let name = p["name"].as_str().unwrap_or_default();
                let args: Value = p["arguments"]
                    .as_str()
                    .and_then(|a| serde_json::from_str(a).ok())
                    .unwrap_or(Value::Null);
                let id = p["call_id"].as_str().unwrap_or_default();
                if name == "apply_patch" {
                    let input = args["input"].as_str().unwrap_or_default().to_owned();
                    self.patch_call(ts, id, &input);
                } else if let Some(command) = shell_command(name, &args) {
                    // A patch applied through the shell is an edit to Claude Code.
                    if let Some(patch) = embedded_patch(&command) {
                        self.patch_call(ts, id, &patch);
                        return;
                    }
                    let workdir = args["workdir"].as_str().unwrap_or(&self.cwd).to_owned();
                    let here = workdir.is_empty() || workdir == "." || workdir == self.cwd;
                    let command = if here {
                        command
                    } else {
                        format!("cd {workdir} && {command}")
                    };
                    self.shell_call(ts, id, &command);
                }
            }
            ("response_item", "custom_tool_call") if p["name"] == "apply_patch" => {
                let input = p["input"].as_str().unwrap_or_default().to_owned();
                self.patch_call(ts, p["call_id"].as_str().unwrap_or_default(), &input);
            }
            ("response_item", "function_call_output" | "custom_tool_call_output") => {
                let id = p["call_id"].as_str().unwrap_or_default();
                let text = output_text(&p["output"]);
                self.output(ts, id, &text);
            }
            _ => {}
        }
    }

    /// A fresh uuid (v4 shape), deterministic per session and line.
    fn uuid(&mut self) -> String {
        self.seq += 1;
        let d = digest(&[&self.session, "uuid", &self.seq.to_string()]);
        format!(
            "{}-{}-4{}-{}{}-{}",
            &d[0..8],
            &d[8..12],
            &d[13..16],
            ["8", "9", "a", "b"][usize::from_str_radix(&d[16..17], 16).unwrap_or(0) % 4],
            &d[17..20],
            &d[20..32]
        )
    }

    /// The envelope members every `user` / `assistant` line starts with.
    fn head(&self, parent: Option<&str>) -> Vec<(&'static str, String)> {
        let mut m = vec![
            ("parentUuid", parent.map_or_else(|| "null".to_owned(), js)),
            ("isSidechain", "false".to_owned()),
            ("userType", js("external")),
            ("cwd", js(&self.cwd)),
            ("sessionId", js(&self.session)),
            ("version", js(VERSION)),
            ("gitBranch", js(&self.branch)),
        ];
        if let Some(slug) = &self.slug {
            m.push(("slug", js(slug)));
        }
        m
    }

    /// Writes one line.
    fn emit(&mut self, line: String) {
        self.out.push_str(&line);
        self.out.push('\n');
    }

    /// A `user` line: the head, `type`, `message` (role user, `content` as JSON text), `extra`
    /// members before `uuid` (`isMeta`), then `uuid`, `timestamp` and `after` members.
    fn user(
        &mut self,
        ts: &str,
        content: String,
        before_uuid: Vec<(&'static str, String)>,
        after: Vec<(&'static str, String)>,
    ) -> String {
        let parent = self.last.clone();
        self.user_under(parent, ts, content, before_uuid, after)
    }

    /// [`Converter::user`] with the parent given: a tool result hangs under its call's line.
    fn user_under(
        &mut self,
        parent: Option<String>,
        ts: &str,
        content: String,
        before_uuid: Vec<(&'static str, String)>,
        after: Vec<(&'static str, String)>,
    ) -> String {
        let uuid = self.uuid();
        let mut m = self.head(parent.as_deref());
        m.push(("type", js("user")));
        m.push((
            "message",
            obj(&[("role", js("user")), ("content", content)]),
        ));
        m.extend(before_uuid);
        m.push(("uuid", js(&uuid)));
        m.push(("timestamp", js(ts)));
        m.extend(after);
        let line = obj(&m);
        self.emit(line);
        self.last = Some(uuid.clone());
        uuid
    }

    /// The `file-history-snapshot` Claude Code writes before each prompt it sends.
    fn snapshot(&mut self, ts: &str, message: &str) {
        let line = obj(&[
            ("type", js("file-history-snapshot")),
            ("messageId", js(message)),
            (
                "snapshot",
                obj(&[
                    ("messageId", js(message)),
                    ("trackedFileBackups", "{}".to_owned()),
                    ("timestamp", js(ts)),
                ]),
            ),
            ("isSnapshotUpdate", "false".to_owned()),
        ]);
        self.emit(line);
    }

    /// A prompt as typed: the IDE preamble and wrappers cut, as the Codex reader does.
    fn prompt(&mut self, ts: &str, raw: &str) {
        let (text, _ide) = strip_ide_context(raw);
        let text = strip_injected_wrappers(text);
        let text = text.trim();
        if text.is_empty() || is_scaffolding(text) {
            return;
        }
        self.flush();
        // The snapshot names the prompt's uuid, which is the next one.
        let next = self.uuid_at(self.seq + 1);
        self.snapshot(ts, &next);
        self.context += text.len();
        self.user(
            ts,
            js(text),
            Vec::new(),
            vec![
                (
                    "thinkingMetadata",
                    obj(&[("maxThinkingTokens", "31999".to_owned())]),
                ),
                ("todos", "[]".to_owned()),
                ("permissionMode", js("default")),
            ],
        );
    }

    /// The uuid line number `seq` gets (what `uuid` returns when `self.seq` reaches it).
    fn uuid_at(&mut self, seq: u64) -> String {
        let saved = self.seq;
        self.seq = seq - 1;
        let u = self.uuid();
        self.seq = saved;
        u
    }

    /// Adds a content block to the response being gathered.
    fn block(&mut self, at: &str, json: String, tool_use: Option<String>, chars: usize) {
        self.response.push(Block {
            at: at.to_owned(),
            json,
            tool_use,
            chars,
        });
    }

    /// A new `toolu_…` id.
    fn tool_use_id(&mut self) -> String {
        self.calls += 1;
        format!(
            "toolu_01{}",
            base62(&[&self.session, "toolu", &self.calls.to_string()], 22)
        )
    }

    /// A `tool_use` block for `name` with `input` (JSON text).
    fn tool_use(&mut self, ts: &str, name: &str, input: String) -> String {
        let id = self.tool_use_id();
        let chars = input.len();
        let json = obj(&[
            ("type", js("tool_use")),
            ("id", js(&id)),
            ("name", js(name)),
            ("input", input),
            ("caller", obj(&[("type", js("direct"))])),
        ]);
        self.block(ts, json, Some(id.clone()), chars);
        id
    }

    /// A shell call: a `Bash` tool_use.
    fn shell_call(&mut self, ts: &str, call_id: &str, command: &str) {
        let description = format!("Run {}", command.lines().next().unwrap_or(command));
        let input = obj(&[("command", js(command)), ("description", js(&description))]);
        let tool_use = self.tool_use(ts, "Bash", input);
        self.pending
            .insert(call_id.to_owned(), Pending::Shell { tool_use });
    }

    /// An absolute path for a patch path (relative to the cwd).
    fn abs(&self, path: &str) -> String {
        if path.starts_with('/') {
            path.to_owned()
        } else {
            format!("{}/{}", self.cwd.trim_end_matches('/'), path)
        }
    }

    /// An apply_patch call: one Write / Edit / Bash per file, in one response.
    fn patch_call(&mut self, ts: &str, call_id: &str, input: &str) {
        let mut calls = Vec::new();
        for f in parse_patch(input) {
            match f {
                PatchFile::Add { path, lines } => {
                    let path = self.abs(&path);
                    let mut content = lines.join("\n");
                    content.push('\n');
                    let tool_use = self.tool_use(
                        ts,
                        "Write",
                        obj(&[("file_path", js(&path)), ("content", js(&content))]),
                    );
                    let result = obj(&[
                        ("type", js("create")),
                        ("filePath", js(&path)),
                        ("content", js(&content)),
                        ("structuredPatch", "[]".to_owned()),
                        ("originalFile", "null".to_owned()),
                        ("userModified", "false".to_owned()),
                    ]);
                    self.files.insert(path.clone(), lines);
                    calls.push(FileCall {
                        tool_use,
                        content: format!("File created successfully at: {path}"),
                        result,
                        bash: false,
                    });
                }
                PatchFile::Delete { path } => {
                    let path = self.abs(&path);
                    self.files.remove(&path);
                    let command = format!("rm {path}");
                    let tool_use = self.tool_use(
                        ts,
                        "Bash",
                        obj(&[
                            ("command", js(&command)),
                            ("description", js(&format!("Delete {path}"))),
                        ]),
                    );
                    calls.push(FileCall {
                        tool_use,
                        content: String::new(),
                        result: bash_result(""),
                        bash: true,
                    });
                }
                PatchFile::Update {
                    path,
                    move_to,
                    hunks,
                } => {
                    let mut path = self.abs(&path);
                    if let Some(to) = move_to {
                        let to = self.abs(&to);
                        let command = format!("mv {path} {to}");
                        let tool_use = self.tool_use(
                            ts,
                            "Bash",
                            obj(&[
                                ("command", js(&command)),
                                ("description", js(&format!("Move {path}"))),
                            ]),
                        );
                        calls.push(FileCall {
                            tool_use,
                            content: String::new(),
                            result: bash_result(""),
                            bash: true,
                        });
                        if let Some(c) = self.files.remove(&path) {
                            self.files.insert(to.clone(), c);
                        }
                        path = to;
                    }
                    let old_string = hunks
                        .iter()
                        .map(|h| h.old_side().join("\n"))
                        .collect::<Vec<_>>()
                        .join("\n");
                    let new_string = hunks
                        .iter()
                        .map(|h| h.new_side().join("\n"))
                        .collect::<Vec<_>>()
                        .join("\n");
                    let original = self.files.get(&path).map(|c| {
                        let mut s = c.join("\n");
                        s.push('\n');
                        s
                    });
                    let placed = place_hunks(self.files.get_mut(&path), &hunks);
                    let tool_use = self.tool_use(
                        ts,
                        "Edit",
                        obj(&[
                            ("file_path", js(&path)),
                            ("old_string", js(&old_string)),
                            ("new_string", js(&new_string)),
                            ("replace_all", "false".to_owned()),
                        ]),
                    );
                    let patch: Vec<String> = placed.iter().map(SpHunk::json).collect();
                    let result = obj(&[
                        ("filePath", js(&path)),
                        ("oldString", js(&old_string)),
                        ("newString", js(&new_string)),
                        (
                            "originalFile",
                            original.as_deref().map_or_else(|| "null".into(), js),
                        ),
                        ("structuredPatch", arr(&patch)),
                        ("userModified", "false".to_owned()),
                        ("replaceAll", "false".to_owned()),
                    ]);
                    calls.push(FileCall {
                        tool_use,
                        content: format!("The file {path} has been updated successfully."),
                        result,
                        bash: false,
                    });
                }
            }
        }
        self.pending
            .insert(call_id.to_owned(), Pending::Patch { calls });
    }

    /// A call's output: the response so far is written, then the `tool_result` line(s).
    fn output(&mut self, ts: &str, call_id: &str, text: &str) {
        let Some(pending) = self.pending.remove(call_id) else {
            return;
        };
        self.flush();
        let outcome = parse_outcome(text);
        let exit = outcome.exit_code.unwrap_or(0);
        let output = outcome.output.trim_end_matches('\n');
        self.context += output.len();
        match pending {
            Pending::Shell { tool_use } => {
                if exit == 0 {
                    self.tool_result(ts, &tool_use, output, (false, true), bash_result(output));
                } else {
                    let content = if output.is_empty() {
                        format!("Exit code {exit}")
                    } else {
                        format!("Exit code {exit}\n{output}")
                    };
                    let result = js(&format!("Error: {content}"));
                    self.tool_result(ts, &tool_use, &content, (true, true), result);
                }
            }
            Pending::Patch { calls } => {
                for call in calls {
                    if exit == 0 {
                        self.tool_result(
                            ts,
                            &call.tool_use,
                            &call.content,
                            (false, call.bash),
                            call.result,
                        );
                    } else {
                        let message = if output.is_empty() {
                            "apply_patch failed".to_owned()
                        } else {
                            output.to_owned()
                        };
                        let content = format!("<tool_use_error>{message}</tool_use_error>");
                        let result = js(&format!("Error: {message}"));
                        self.tool_result(ts, &call.tool_use, &content, (true, call.bash), result);
                    }
                }
            }
        }
    }

    /// A `user` line carrying one `tool_result`. Bash results say `is_error` either way, as real
    /// transcripts do; file tools only when they failed.
    fn tool_result(
        &mut self,
        ts: &str,
        tool_use: &str,
        content: &str,
        (error, bash): (bool, bool),
        result: String,
    ) {
        self.results += 1;
        if self.results == 2 && self.slug.is_none() {
            self.slug = Some(slug(&self.session));
        }
        let mut block = vec![
            ("tool_use_id", js(tool_use)),
            ("type", js("tool_result")),
            ("content", js(content)),
        ];
        if error || bash {
            block.push(("is_error", error.to_string()));
        }
        let source = self.tool_lines.get(tool_use).cloned().unwrap_or_default();
        self.user_under(
            Some(source.clone()),
            ts,
            arr(&[obj(&block)]),
            Vec::new(),
            vec![
                ("toolUseResult", result),
                ("sourceToolAssistantUUID", js(&source)),
            ],
        );
    }

    /// The developer's own `!cmd`: Claude Code's bash mode lines.
    fn user_shell(&mut self, ts: &str, p: &Value) {
        self.flush();
        let argv: Vec<String> = p["command"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let command = unwrap_shell(&argv)
            .or_else(|| p["command"].as_str().map(str::to_owned))
            .unwrap_or_else(|| argv.join(" "));
        let output = p["aggregated_output"]
            .as_str()
            .or_else(|| p["stdout"].as_str())
            .unwrap_or_default()
            .trim_end_matches('\n')
            .to_owned();
        let exit = p["exit_code"].as_i64().unwrap_or(0);
        let stderr = if exit == 0 {
            String::new()
        } else {
            format!("Exit code {exit}")
        };
        let input_uuid = self.uuid_at(self.seq + 2);
        self.snapshot(ts, &input_uuid);
        self.user(
            ts,
            js(CAVEAT),
            vec![("isMeta", "true".to_owned())],
            Vec::new(),
        );
        self.user(
            ts,
            js(&format!("<bash-input>{command}</bash-input>")),
            Vec::new(),
            Vec::new(),
        );
        self.user(
            ts,
            js(&format!(
                "<bash-stdout>{output}</bash-stdout><bash-stderr>{stderr}</bash-stderr>"
            )),
            Vec::new(),
            Vec::new(),
        );
    }

    /// Writes the gathered response: one `assistant` line per block, same id, same usage.
    fn flush(&mut self) {
        if self.response.is_empty() {
            return;
        }
        self.responses += 1;
        let n = self.responses.to_string();
        let id = format!("msg_01{}", base62(&[&self.session, "msg", &n], 22));
        let request = format!("req_011C{}", base62(&[&self.session, "req", &n], 20));
        let chars: usize = self.response.iter().map(|b| b.chars).sum();
        let creation = 120 + chars / 3;
        let usage = obj(&[
            ("input_tokens", "3".to_owned()),
            ("cache_creation_input_tokens", creation.to_string()),
            (
                "cache_read_input_tokens",
                (17_915 + self.context / 4).to_string(),
            ),
            (
                "cache_creation",
                obj(&[
                    ("ephemeral_5m_input_tokens", "0".to_owned()),
                    ("ephemeral_1h_input_tokens", creation.to_string()),
                ]),
            ),
            ("output_tokens", (1 + chars / 4).to_string()),
            ("service_tier", js("standard")),
            ("inference_geo", js("not_available")),
        ]);
        self.context += chars;
        for b in std::mem::take(&mut self.response) {
            let uuid = self.uuid();
            let message = obj(&[
                ("model", js(MODEL)),
                ("id", js(&id)),
                ("type", js("message")),
                ("role", js("assistant")),
                ("content", arr(&[b.json])),
                ("stop_reason", "null".to_owned()),
                ("stop_sequence", "null".to_owned()),
                ("usage", usage.clone()),
            ]);
            let mut m = self.head(self.last.clone().as_deref());
            m.push(("message", message));
            m.push(("requestId", js(&request)));
            m.push(("type", js("assistant")));
            m.push(("uuid", js(&uuid)));
            m.push(("timestamp", js(&b.at)));
            let line = obj(&m);
            self.emit(line);
            if let Some(t) = b.tool_use {
                self.tool_lines.insert(t, uuid.clone());
            }
            self.last = Some(uuid);
        }
    }
}

/// A successful Bash call's `toolUseResult`.
fn bash_result(stdout: &str) -> String {
    obj(&[
        ("stdout", js(stdout)),
        ("stderr", js("")),
        ("interrupted", "false".to_owned()),
        ("isImage", "false".to_owned()),
        ("noOutputExpected", "false".to_owned()),
    ])
}

/// The command line of a Codex shell call (`shell_command`'s string, `shell`'s argv unwrapped
/// from `bash -lc`, `exec_command`'s `cmd`), or `None` for other tools.
/// The `*** Begin Patch … *** End Patch` body of an `apply_patch <<'EOF' … EOF` command.
fn embedded_patch(command: &str) -> Option<String> {
    let t = command.trim_start();
    if !(t.starts_with("apply_patch") || t.starts_with("applypatch")) {
        return None;
    }
    let start = t.find("*** Begin Patch")?;
    let rest = &t[start..];
    let end = rest
        .find("*** End Patch")
        .map_or(rest.len(), |i| i + "*** End Patch".len());
    Some(rest[..end].to_owned())
}

/// The command line of a Codex shell tool call.
fn shell_command(name: &str, args: &Value) -> Option<String> {
    match name {
        "shell_command" | "exec_command" | "local_shell" | "shell" | "container.exec" => {}
        _ => return None,
    }
    let command = args.get("command").or_else(|| args.get("cmd"))?;
    match command {
        Value::String(s) => Some(s.clone()),
        Value::Array(a) => {
            let argv: Vec<String> = a
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect();
            unwrap_shell(&argv).or_else(|| Some(argv.join(" ")))
        }
        _ => None,
    }
}

/// A session's three-word slug (`dazzling-imagining-barto` in the real file), from its id.
fn slug(session: &str) -> String {
    const A: &[&str] = &[
        "dazzling", "quiet", "brisk", "gentle", "lucid", "nimble", "sunny", "witty",
    ];
    const B: &[&str] = &[
        "imagining",
        "wandering",
        "humming",
        "sketching",
        "tinkering",
        "pondering",
    ];
    const C: &[&str] = &[
        "barto", "lovelace", "hopper", "turing", "knuth", "liskov", "ritchie",
    ];
    let d = digest(&[session, "slug"]);
    let pick = |i: usize, list: &[&'static str]| {
        list[usize::from_str_radix(&d[i..i + 4], 16).unwrap_or(0) % list.len()]
    };
    format!("{}-{}-{}", pick(0, A), pick(4, B), pick(8, C))
}

/// `n` characters of base64-looking text (a thinking block's `signature`), from a digest.
fn base64_like(parts: &[&str], n: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(n);
    let mut round = 0u32;
    while out.len() < n {
        let r = round.to_string();
        let mut p = parts.to_vec();
        p.push(&r);
        for b in Sha256::digest(digest(&p).as_bytes()).iter() {
            if out.len() == n {
                break;
            }
            out.push(ALPHABET[*b as usize % 64] as char);
        }
        round += 1;
    }
    out
}
