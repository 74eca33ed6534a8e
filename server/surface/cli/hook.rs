//! `sessionlens codex-hook` and `sessionlens claude-hook`: one hook event as JSON on stdin, the
//! hook's JSON answer on stdout. Codex (`shared/docs/codex-format.md` §4.3) and Claude Code
//! (`formats-2026-12.md` §2.3) speak the same protocol, so one [`run`] answers both, told which
//! [`Assistant`] it serves. `SessionStart` (every source: `startup`, `resume`, `clear`, and
//! `compact`, whose compaction dropped the earlier briefing) and `UserPromptSubmit` get the
//! briefing for their cwd (and prompt) as `hookSpecificOutput.additionalContext`, marked as
//! Session Lens's own and kept far under both assistants' size limits (`briefing::hook_context`).
//!
//! `PostToolUse` of a shell tool reads the new part of the transcript named by `transcript_path`
//! into the store, as `sessionlens ingest` would: the command lands in the thread that ran it
//! (Codex's `session_id` is the root session, wrong for a sub-agent), parsed once by the
//! transcript's reader, and never twice when the file is ingested again (event ids are
//! positional). Only without a usable transcript is the command — read from the payload by
//! `capture::codex::hook` or `capture::claude::hook`, next to the readers whose parsers they
//! share — recorded as a live event of a local `codex-hook` (or `claude-hook`) session. This face
//! keeps the protocol: stdin, the answer, and when to ingest. It runs on the prompt's path, so it
//! must be fast and must never break one: any failure is an empty answer, exit 0 and a line on
//! stderr. Stdout is protocol.
//!
//! An event whose `cwd` is excluded (`ingest::exclude`: the settings file's `exclude`, a
//! `.sessionlens-ignore` above it) is answered with nothing and nothing of it is read or
//! stored: no briefing in a client's repository, no transcript read on its behalf (the gate
//! would keep its session out anyway, and its file is passed over when `ingest` meets it).
//! The store opened is the user's own (`config::store_file`): one another user owns is refused.

use super::Global;
use crate::capture::{claude, codex, live};
use crate::ingest::gate::{Gate, GateError};
use crate::ingest::{IngestOptions, Source};
use crate::knowledge::briefing;
use crate::store::records::FileCursor;
use crate::store::{Store, StoreError};
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// How long a hook waits for a store another process holds exclusively.
const LOCK_WAIT: Duration = Duration::from_millis(300);
/// The most of a transcript a hook reads (bytes not yet ingested); a file further behind is left
/// to the language server's watcher or `sessionlens ingest`, off the prompt's path.
const MAX_UNREAD: u64 = 16 * 1024 * 1024;
/// A transcript whose thread is running is never idle to the hook: closing its open turn is left
/// to the ingest that finds it quiet.
const TRANSCRIPT_IDLE_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

/// The assistant whose hook events are answered: the protocol is the same, what differs is the
/// subcommand, how transcripts are named and read, and what shell tools are called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assistant {
    Codex,
    Claude,
}

impl Assistant {
    /// The subcommand answering this assistant's hooks; also what log lines start with and the
    /// surface (and tool) of the live fallback's local session.
    pub fn subcommand(self) -> &'static str {
        match self {
            Assistant::Codex => "codex-hook",
            Assistant::Claude => "claude-hook",
        }
    }

    /// The assistant's name as people know it, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Assistant::Codex => "Codex",
            Assistant::Claude => "Claude Code",
        }
    }

    /// Tool names this assistant gives shell commands in `PostToolUse` events.
    fn shell_tools(self) -> &'static [&'static str] {
        match self {
            Assistant::Codex => codex::hook::SHELL_TOOLS,
            Assistant::Claude => claude::hook::SHELL_TOOLS,
        }
    }

    /// The command a `PostToolUse` of a shell tool reports, read as this assistant writes it.
    fn ran(self, event: &Value) -> Option<live::Ran> {
        let (input, response) = (event.get("tool_input"), event.get("tool_response"));
        match self {
            Assistant::Codex => codex::hook::ran(input, response),
            Assistant::Claude => claude::hook::ran(input, response),
        }
    }

    /// The ingest source reading this assistant's transcripts.
    fn source(self) -> Source {
        match self {
            Assistant::Codex => Source::Codex,
            Assistant::Claude => Source::Claude,
        }
    }

    /// Whether `path` is named as this assistant names its transcripts.
    fn is_transcript_name(self, path: &Path) -> bool {
        match self {
            Assistant::Codex => codex::is_rollout_name(path),
            Assistant::Claude => claude::is_transcript_name(path),
        }
    }
}

// The event comes on stdin: the command line carries nothing else.
#[derive(clap::Args)]
pub struct Args {}

/// `codex-hook`.
pub fn codex(g: &Global, _: Args) -> anyhow::Result<ExitCode> {
    g.refuse_json(Assistant::Codex.subcommand())?;
    Ok(run(g.data_dir(), Assistant::Codex))
}

/// `claude-hook`.
pub fn claude(g: &Global, _: Args) -> anyhow::Result<ExitCode> {
    g.refuse_json(Assistant::Claude.subcommand())?;
    Ok(run(g.data_dir(), Assistant::Claude))
}

/// Reads the event, answers it for `assistant`, and exits 0 whatever happened (a panic
/// included).
fn run(data_dir: Option<&Path>, assistant: Assistant) -> ExitCode {
    let tag = assistant.subcommand();
    let answer = match read_event(std::io::stdin().lock()) {
        Ok(input) => {
            let gate = Gate::from_settings();
            std::panic::catch_unwind(|| {
                answer(data_dir, &gate, assistant, &input, crate::config::now())
            })
            .unwrap_or_else(|_| Err(anyhow::anyhow!("panicked; answering nothing")))
        }
        Err(e) => Err(e),
    };
    match answer {
        Ok(Some(v)) => {
            let mut out = std::io::stdout().lock();
            let written = serde_json::to_writer(&mut out, &v)
                .map_err(std::io::Error::from)
                .and_then(|()| writeln!(out))
                .and_then(|()| out.flush());
            if let Err(e) = written {
                tracing::error!("{tag}: writing the answer: {e}");
            }
        }
        Ok(None) => {}
        Err(e) => tracing::error!("{tag}: {e:#}"),
    }
    ExitCode::SUCCESS
}

/// The largest event read: as long as the longest transcript line the readers take
/// (`capture::lines::MAX_LINE`). An event is one JSON line; a larger one (a tool's whole output
/// echoed back, a pasted file) is answered with nothing rather than held.
const MAX_EVENT: usize = crate::capture::lines::MAX_LINE;
/// How much of an oversized event is read away, so that the assistant's write ends rather than
/// failing on a closed pipe; past it the hook stops reading.
const MAX_DRAIN: u64 = 1 << 30;

/// The event on `input`, read whole when it is at most [`MAX_EVENT`] bytes; a larger one is
/// read past (up to [`MAX_DRAIN`]) and refused, its memory never more than the bound.
fn read_event(input: impl Read) -> anyhow::Result<String> {
    let mut input = input;
    let mut bytes = Vec::new();
    (&mut input)
        .take(MAX_EVENT as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| anyhow::anyhow!("reading stdin: {e}"))?;
    if bytes.len() > MAX_EVENT {
        drop(bytes);
        let rest = std::io::copy(&mut input.take(MAX_DRAIN), &mut std::io::sink()).unwrap_or(0);
        let more = if rest == MAX_DRAIN { " or more" } else { "" };
        anyhow::bail!(
            "the event on stdin is {} bytes{more}, more than the {MAX_EVENT} a hook reads; \
             answering nothing",
            MAX_EVENT as u64 + 1 + rest
        );
    }
    String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("the event on stdin is not UTF-8"))
}

/// The answer to one event of `assistant`, `None` for an empty answer. What it stores goes
/// through `gate`, whose exclusions also silence every event of an excluded folder.
fn answer(
    data_dir: Option<&Path>,
    gate: &Gate,
    assistant: Assistant,
    input: &str,
    now: jiff::Timestamp,
) -> anyhow::Result<Option<Value>> {
    let tag = assistant.subcommand();
    let event: Value = serde_json::from_str(input)?;
    let name = event
        .get("hook_event_name")
        .and_then(Value::as_str)
        .ok_or_else(|| anyhow::anyhow!("no hook_event_name in the event"))?;
    let cwd = event.get("cwd").and_then(Value::as_str);
    if let Some(cwd) = cwd
        && let Some(why) = gate.excludes(Path::new(cwd))?
    {
        tracing::debug!("{tag}: {cwd} is {why}; answering nothing");
        return Ok(None);
    }
    match name {
        "SessionStart" | "UserPromptSubmit" => {
            let cwd = cwd.ok_or_else(|| anyhow::anyhow!("{name} without a cwd"))?;
            let prompt = match name {
                "UserPromptSubmit" => Some(
                    event
                        .get("prompt")
                        .and_then(Value::as_str)
                        .ok_or_else(|| anyhow::anyhow!("UserPromptSubmit without a prompt"))?,
                ),
                _ => None,
            };
            let Some(store) = open_to_read(data_dir)? else {
                return Ok(None);
            };
            let (briefs, made) = crate::knowledge::snapshot::Knowledge::briefs_quick(&store)?;
            if made == crate::knowledge::snapshot::Made::Given {
                // No insights cached for this store and these rules, and too many events to
                // derive on the prompt's path: an `ingest` in the background derives them.
                refresh_in_background(tag);
            }
            let text = briefing::hook_context(&briefs, Path::new(cwd), prompt, now);
            if text.is_empty() {
                return Ok(None);
            }
            Ok(Some(json!({
                "hookSpecificOutput": { "hookEventName": name, "additionalContext": text }
            })))
        }
        "PostToolUse" => {
            let tool = event.get("tool_name").and_then(Value::as_str).unwrap_or("");
            if !assistant.shell_tools().contains(&tool) {
                tracing::debug!("{tag}: PostToolUse of {tool:?} is not a shell command");
                return Ok(None);
            }
            if let Some((source, path)) = transcript(assistant, &event) {
                ingest_transcript(data_dir, gate, assistant, source, &path)?;
                return Ok(None);
            }
            let cwd = cwd.ok_or_else(|| anyhow::anyhow!("PostToolUse without a cwd"))?;
            let ran = assistant
                .ran(&event)
                .ok_or_else(|| anyhow::anyhow!("PostToolUse of {tool} without a command"))?;
            record(data_dir, gate, assistant, cwd, &ran)?;
            Ok(None)
        }
        other => {
            tracing::warn!("{tag}: {other} is not an event Session Lens answers");
            Ok(None)
        }
    }
}

/// The store to read the briefing from, waiting briefly for it; `None` when it does not exist
/// yet. Only the user's own (`config::store_file`).
fn open_to_read(data_dir: Option<&Path>) -> anyhow::Result<Option<Store>> {
    let dir = crate::config::data_dir(data_dir)?;
    let path = crate::config::store_file(&dir, false)?;
    if !path.exists() {
        return Ok(None);
    }
    Ok(Some(Store::open_for_reading_with_wait(&path, LOCK_WAIT)?))
}

/// The store to write to (the user's own, its data dir made private when new), waiting briefly
/// for it, with the events earlier hooks left pending committed first.
fn open_to_write(data_dir: Option<&Path>, gate: &Gate) -> anyhow::Result<Store> {
    let dir = crate::config::data_dir(data_dir)?;
    let path = crate::config::store_file(&dir, true)?;
    let store = Store::open_with_wait(&path, LOCK_WAIT)?;
    if let Ok(state) = crate::config::state_dir() {
        match gate.drain(&store, &state) {
            Ok(d) if d.files > 0 => tracing::debug!("stored {} pending events", d.added),
            Ok(_) => {}
            Err(e) => tracing::warn!("pending events left for later: {e}"),
        }
    }
    Ok(store)
}

/// The event's `transcript_path`, with the source that reads it, when it names a transcript the
/// ingest can read: an absolute path to an existing regular file named as `assistant` names its
/// transcripts. `None` (the live-event fallback) for sessions that have none (Codex's ephemeral
/// ones) and while this build has no reader for the assistant's transcripts.
fn transcript(assistant: Assistant, event: &Value) -> Option<(Source, PathBuf)> {
    let given = event.get("transcript_path")?.as_str()?;
    let path = PathBuf::from(given);
    let usable = assistant.is_transcript_name(&path)
        && path.is_absolute()
        && std::fs::metadata(&path).is_ok_and(|m| m.is_file());
    let tag = assistant.subcommand();
    if !usable {
        tracing::debug!("{tag}: transcript_path {given:?} is not a transcript file");
        return None;
    }
    Some((assistant.source(), path))
}

/// Ingests the new bytes of one transcript, resuming from its stored cursor; skipped (logged)
/// when more than [`MAX_UNREAD`] bytes are new, so a hook never stalls a turn on a long backlog.
fn ingest_transcript(
    data_dir: Option<&Path>,
    gate: &Gate,
    assistant: Assistant,
    source: Source,
    rollout: &Path,
) -> anyhow::Result<()> {
    let tag = assistant.subcommand();
    let store = match open_to_write(data_dir, gate) {
        Ok(store) => store,
        // The transcript stays on disk: the watcher or the next ingest reads it.
        Err(e) if locked(&e) => {
            tracing::warn!("{tag}: {e}; {} is read later", rollout.display());
            return Ok(());
        }
        Err(e) => return Err(e),
    };
    let size = std::fs::metadata(rollout)?.len();
    let stored = std::path::absolute(rollout)?;
    let cursor = store.cursor_by_path(&stored.to_string_lossy())?;
    let unread = unread(
        cursor.as_ref(),
        size,
        crate::capture::lines::is_zst(rollout),
    );
    if unread > MAX_UNREAD {
        tracing::debug!(
            "{tag}: {} has {unread} bytes not yet read; left to the watcher or `sessionlens ingest`",
            rollout.display()
        );
        return Ok(());
    }
    let opts = IngestOptions {
        idle_after: TRANSCRIPT_IDLE_AFTER,
        ..IngestOptions::default()
    };
    let report = crate::ingest::ingest_files(
        &store,
        gate,
        source,
        &[rollout.to_path_buf()],
        &opts,
        &mut |_| {},
    );
    if let Some(e) = &report.store_error {
        anyhow::bail!("ingesting {}: {e}", rollout.display());
    }
    if let Some(e) = report.errors.first() {
        anyhow::bail!("ingesting {}: {}", e.path, e.error);
    }
    tracing::debug!(
        "{tag}: {}: {} bytes read, {} events added",
        rollout.display(),
        report.bytes_read,
        report.events_added
    );
    // The next prompt's briefing reads the cache: bring it up to what was just stored (the
    // sessions after the checkpoint only; never the whole log on a hook's path).
    if report.events_added > 0 {
        match crate::knowledge::snapshot::Knowledge::refresh_cache(&store, false) {
            Ok(made) => tracing::debug!("{tag}: insights {made:?}"),
            Err(e) => tracing::warn!("{tag}: bringing the insights up to date: {e:#}"),
        }
    }
    Ok(())
}

/// How long a background refresh may hold its claim before another hook may start one.
const REFRESH_CLAIM: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// Starts `sessionlens ingest` in the background, detached from the hook (its own process
/// group, no stdio), unless one started by a hook is still running: it reads what is new and
/// derives the insights the next prompt's briefing reads. The claim is a file in the state dir,
/// taken by creating it; one older than [`REFRESH_CLAIM`] is taken over.
fn refresh_in_background(tag: &str) {
    let Ok(state) = crate::config::state_dir() else {
        return;
    };
    let claim = state.join("refresh.claim");
    let stale = std::fs::metadata(&claim)
        .and_then(|m| m.modified())
        .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > REFRESH_CLAIM));
    if stale {
        let _ = std::fs::remove_file(&claim);
    }
    if std::fs::create_dir_all(&state).is_err()
        || std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&claim)
            .is_err()
    {
        tracing::debug!("{tag}: a background ingest is already running");
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        let _ = std::fs::remove_file(&claim);
        return;
    };
    let mut c = std::process::Command::new(exe);
    c.args(["ingest", "--json"])
        .env("SESSIONLENS_REFRESH_CLAIM", &claim)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut c, 0);
    match c.spawn() {
        Ok(child) => tracing::info!(
            "{tag}: no insights cached yet; deriving them in the background (pid {})",
            child.id()
        ),
        Err(e) => {
            tracing::warn!("{tag}: could not start a background ingest: {e}");
            let _ = std::fs::remove_file(&claim);
        }
    }
}

/// How many bytes of a `size`-byte rollout its stored cursor has not read yet: all of them
/// without a cursor (one stored under another path included).
fn unread(cursor: Option<&FileCursor>, size: u64, compressed: bool) -> u64 {
    match cursor {
        // A compressed file is never appended to, and its offset counts decompressed bytes.
        Some(c) if compressed => {
            if c.seen_size == size {
                0
            } else {
                size
            }
        }
        Some(c) => size.saturating_sub(c.offset),
        None => size,
    }
}

/// Stores the command as a `command` event (tool `codex-hook` or `claude-hook`) of the folder's
/// local session: the fallback when the event names no transcript to ingest.
fn record(
    data_dir: Option<&Path>,
    gate: &Gate,
    assistant: Assistant,
    cwd: &str,
    ran: &live::Ran,
) -> anyhow::Result<()> {
    let events = live::command(assistant.subcommand(), cwd, ran, &live::now());
    let stored =
        open_to_write(data_dir, gate).and_then(|store| Ok(gate.commit(&store, &events, &[])?));
    match stored {
        Ok(_) => Ok(()),
        // Held past the hook's bound: kept on disk for the next writer, never lost.
        Err(e) if locked(&e) => {
            if let Some(file) = gate.keep(&crate::config::state_dir()?, &events)? {
                tracing::warn!(
                    "{}: {e}; the command is kept in {} and stored later",
                    assistant.subcommand(),
                    file.display()
                );
            }
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// Whether an error is the store held past the hook's bound (then what the hook heard is kept
/// for later, never lost).
fn locked(e: &anyhow::Error) -> bool {
    let store = e
        .downcast_ref::<StoreError>()
        .or(match e.downcast_ref::<GateError>() {
            Some(GateError::Store(s)) => Some(s),
            _ => None,
        });
    matches!(store, Some(StoreError::Locked { .. }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_over_the_bound_is_read_past_and_refused() {
        assert_eq!(read_event(&b"{}"[..]).unwrap(), "{}");
        let whole = MAX_EVENT as u64;
        assert_eq!(
            read_event(std::io::repeat(b' ').take(whole)).unwrap().len(),
            MAX_EVENT
        );
        let mut over = std::io::repeat(b' ').take(whole + 1000);
        let e = read_event(&mut over).unwrap_err().to_string();
        assert!(e.contains(&format!("{} bytes", whole + 1000)), "{e}");
        assert_eq!(over.limit(), 0, "read to its end");
        assert!(read_event(&b"{\"a\":\"\xff\"}"[..]).is_err());
    }

    #[test]
    fn only_an_existing_absolute_rollout_file_is_a_transcript() {
        let dir = tempfile::tempdir().unwrap();
        let rollout = dir.path().join("rollout-2026-04-15T18-46-36-x.jsonl");
        std::fs::write(&rollout, "{}\n").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "x").unwrap();
        std::fs::create_dir(dir.path().join("dir.jsonl")).unwrap();
        let with = |p: Value| transcript(Assistant::Codex, &json!({ "transcript_path": p }));
        assert_eq!(with(json!(rollout)), Some((Source::Codex, rollout.clone())));
        assert_eq!(with(json!(dir.path().join("notes.txt"))), None);
        assert_eq!(with(json!(dir.path().join("dir.jsonl"))), None);
        assert_eq!(with(json!(dir.path().join("gone.jsonl"))), None);
        assert_eq!(with(json!("rollout-x.jsonl")), None, "relative");
        assert_eq!(with(Value::Null), None);
        assert_eq!(transcript(Assistant::Codex, &json!({})), None);
    }

    #[test]
    fn a_claude_transcript_is_any_existing_absolute_jsonl_file_once_it_can_be_read() {
        let dir = tempfile::tempdir().unwrap();
        let session = dir
            .path()
            .join("0f3c2a4e-1111-4222-8333-444455556666.jsonl");
        std::fs::write(&session, "{}\n").unwrap();
        assert!(Assistant::Claude.is_transcript_name(&session));
        assert!(!Assistant::Claude.is_transcript_name(&dir.path().join("notes.txt")));
        assert!(!Assistant::Claude.is_transcript_name(&dir.path().join(".x.jsonl")));
        let found = transcript(Assistant::Claude, &json!({ "transcript_path": session }));
        // Until the Claude Code reader is wired into the ingest, the live fallback is taken.
        assert_eq!(found.map(|(s, _)| s), Some(Assistant::Claude.source()));
    }

    #[test]
    fn unread_bytes_count_from_the_stored_cursor() {
        let at = |offset, seen_size| FileCursor {
            offset,
            seen_size,
            ..FileCursor::default()
        };
        assert_eq!(unread(None, 100, false), 100);
        assert_eq!(unread(Some(&at(40, 0)), 100, false), 60);
        assert_eq!(unread(Some(&at(100, 100)), 100, false), 0);
        assert_eq!(unread(Some(&at(500, 0)), 100, false), 0, "never negative");
        assert_eq!(unread(Some(&at(900, 100)), 100, true), 0);
        assert_eq!(unread(Some(&at(900, 80)), 100, true), 100);
    }

    #[test]
    fn bad_input_and_unknown_events_are_errors_or_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let now = jiff::Timestamp::now();
        for assistant in [Assistant::Codex, Assistant::Claude] {
            let gate = Gate::admitting_all();
            let answer = |input: &str| answer(Some(dir.path()), &gate, assistant, input, now);
            assert!(answer("not json").is_err());
            assert!(answer("{}").is_err());
            let stop = r#"{"hook_event_name":"Stop","cwd":"/w"}"#;
            assert!(answer(stop).unwrap().is_none());
            let start = r#"{"hook_event_name":"SessionStart","cwd":"/w","source":"startup"}"#;
            assert!(answer(start).unwrap().is_none());
            let other_tool = r#"{"hook_event_name":"PostToolUse","cwd":"/w","tool_name":"Edit"}"#;
            assert!(answer(other_tool).unwrap().is_none());
        }
        assert!(!dir.path().join("store.redb").exists(), "no store created");
    }
}
