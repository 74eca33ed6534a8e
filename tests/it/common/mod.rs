//! Helpers shared by the integration tests and the ingest benchmark: fixture paths, reading a
//! rollout through the library, and running the real binary in an isolated environment.
#![allow(dead_code)]

use sessionlens::capture::codex::{CodexState, LineStats, RolloutReader};
use sessionlens::capture::lines::{LineReader, Next};
use sessionlens::normalize::Event;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const CLI_REAL: &str =
    "real/rollout-2025-11-22T21-45-35-019aad50-a7e6-7422-b7a8-0b384290624f.jsonl";
pub const CLI_REAL_ID: &str = "019aad50-a7e6-7422-b7a8-0b384290624f";
pub const VSCODE_REAL: &str =
    "real/rollout-2026-04-15T18-46-36-019d9353-333c-7c41-a909-26f5c6221a5a.jsonl";
pub const SHAPE_0146: &str = "real/shape-0.146-agent-sessions.jsonl";
pub const G0: &str =
    "handwritten/rollout-2025-07-14T11-02-11-5973b6c0-94b8-487b-a530-2aeb6098ae0e.jsonl";
pub const MESSY: &str =
    "handwritten/rollout-2025-12-01T11-00-00-019a0000-1111-7222-8333-444455556666.jsonl";
pub const LIVE_2026: &str =
    "handwritten/rollout-2026-03-02T10-00-00-019b1111-2222-7333-8444-555566667777.jsonl";

pub mod claudify;
pub mod generate;
pub mod lsp;
pub mod nvim;
pub mod paginate;
pub mod server;

pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/codex")
        .join(rel)
}

/// Everything a file yields when read in one go and then closed as an idle session.
pub struct Read {
    pub events: Vec<Event>,
    pub stats: LineStats,
    pub state: CodexState,
    /// Bytes consumed (the end of the last complete line).
    pub offset: u64,
}

/// Reads `path` from `start` with the given state, like one ingest pass.
pub fn read_from(
    path: &Path,
    start: u64,
    state: Option<CodexState>,
    stop_at: Option<u64>,
    idle: bool,
) -> Read {
    let mut reader = RolloutReader::new(state, "fallback-session");
    let mut lines = LineReader::open(path, start).unwrap();
    let mut events = Vec::new();
    loop {
        if stop_at.is_some_and(|s| lines.offset() >= s) {
            break;
        }
        match lines.next_line().unwrap() {
            Next::Line { bytes, .. } => reader.line(bytes, &mut events),
            Next::Oversized { .. } => reader.oversized_line(),
            Next::Partial { .. } | Next::Eof => break,
        }
    }
    if idle {
        reader.finish_idle(&mut events);
    }
    Read {
        events,
        stats: reader.stats,
        state: reader.state,
        offset: lines.offset(),
    }
}

pub fn read_all(rel: &str) -> Read {
    read_from(&fixture(rel), 0, None, None, true)
}

/// Writes a copy of the real CLI rollout with its session id replaced, so each copy is a
/// distinct session and a distinct file.
pub fn replicate_cli(dir: &Path, n: usize) -> Vec<PathBuf> {
    let content = std::fs::read_to_string(fixture(CLI_REAL)).unwrap();
    (0..n)
        .map(|i| {
            let id = format!("019aad50-a7e6-7422-b7a8-{i:012x}");
            let path = dir.join(format!("rollout-2025-11-22T21-45-35-{id}.jsonl"));
            std::fs::write(&path, content.replace(CLI_REAL_ID, &id)).unwrap();
            path
        })
        .collect()
}

/// An isolated environment for the real binary: its own data dir, Codex home and HOME.
pub struct Env {
    pub root: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Env {
        Env {
            root: tempfile::tempdir().unwrap(),
        }
    }

    pub fn data_dir(&self) -> PathBuf {
        self.root.path().join("data")
    }

    pub fn codex_home(&self) -> PathBuf {
        self.root.path().join("codex")
    }

    pub fn cmd(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_sessionlens"));
        self.isolate(&mut c);
        c
    }

    /// Points `c` (the binary, or an editor that starts it) at this environment's store, Codex
    /// home and HOME (so Claude Code's folders are under it too), in UTC, with default logging.
    pub fn isolate<'a>(&self, c: &'a mut Command) -> &'a mut Command {
        c.env("SESSIONLENS_DATA_DIR", self.data_dir())
            .env("CODEX_HOME", self.codex_home())
            .env("HOME", self.root.path())
            .env("TZ", "UTC")
            .env_remove("CLAUDE_CONFIG_DIR")
            .env_remove("SESSIONLENS_LOG")
            .env_remove("RUST_LOG")
            .env_remove("SESSIONLENS_STATE_DIR")
            .env_remove("SESSIONLENS_CONFIG")
            .env_remove("XDG_STATE_HOME")
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("SESSIONLENS_HISTORY")
    }

    /// Where the shell hooks' spool lives for the binary run in this environment (under HOME).
    pub fn state_dir(&self) -> PathBuf {
        self.root.path().join(".local/state/sessionlens")
    }

    /// The events a face stored live in its local sessions (`surface-…`), in store order, each
    /// as its canonical JSON with what differs from run to run written as placeholders, after
    /// checking it: the time (`{AT}`), the session's folder (`{CWD}`), the session (`{SESSION}`,
    /// the folder's local session of that day), the fixed id of its start (`{START}`), the id of
    /// each event (`{LIVE}`, unique per call) and the unique part of a turn (`{N}`). Pinning the
    /// strings pins every other byte a face writes.
    pub fn live_events(&self, surface: &str) -> Vec<String> {
        use sessionlens::normalize::{Body, EventId, local_session_id};
        let store = sessionlens::store::Store::open(&self.data_dir().join("store.redb")).unwrap();
        let hex = |s: &str, len: usize| s.len() == len && s.chars().all(|c| c.is_ascii_hexdigit());
        let mut out = Vec::new();
        let prefix = format!("{surface}-");
        for session in store.sessions().unwrap() {
            if !session.id.starts_with(&prefix) {
                continue;
            }
            let mut cwd = None;
            for (_, e) in store.session_events(&session.id).unwrap() {
                let mut json = String::from_utf8(e.canonical_bytes()).unwrap();
                let id = match &e.body {
                    Body::SessionStart(info) => {
                        cwd = info.cwd.clone();
                        assert_eq!(
                            e.id,
                            EventId::derive(surface, &e.session, 0, "session_start")
                        );
                        "{START}"
                    }
                    _ => {
                        assert!(hex(&e.id, 32), "{json}");
                        "{LIVE}"
                    }
                };
                let cwd = cwd.clone().expect("a local session starts with its header");
                assert_eq!(e.session, local_session_id(surface, &cwd, &e.at[..10]));
                if let Some(turn) = &e.turn {
                    let (head, unique) = turn.rsplit_once('-').unwrap();
                    assert!(hex(unique, 32) || hex(unique, 16), "{json}");
                    json = json.replace(turn.as_str(), &format!("{head}-{{N}}"));
                }
                json = json
                    .replace(&e.id, id)
                    .replace(&e.session, "{SESSION}")
                    .replace(&e.at, "{AT}")
                    .replace(&cwd, "{CWD}");
                out.push(json);
            }
        }
        out
    }

    /// The pinned header of a local session of `surface`, as [`Env::live_events`] shows it.
    pub fn live_start(surface: &str) -> String {
        r#"{"id":"{START}","session":"{SESSION}","at":"{AT}","turn":null,"kind":"session_start","surface":"SURFACE","originator":"sessionlens","cwd":"{CWD}","model":null,"cli_version":null,"git_branch":null,"git_commit":null,"started_at":"{AT}"}"#
            .replace("SURFACE", surface)
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    /// Runs `c` (made by [`Env::cmd`]) with `stdin` written to it, and waits for its output.
    pub fn feed(c: &mut Command, stdin: &str) -> Output {
        use std::io::Write;
        use std::process::Stdio;
        let mut child = c
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    /// Ingests the Codex fixtures under `tests/fixtures/codex/<dir>` as finished sessions
    /// (`--idle-minutes 0`: a fresh clone's files are minutes old, which would leave their last
    /// turns open); returns what `ingest` printed.
    pub fn ingest_fixture(&self, dir: &str) -> String {
        self.ok(&[
            "ingest",
            "codex",
            "--idle-minutes",
            "0",
            fixture(dir).to_str().unwrap(),
        ])
    }

    /// Runs a command that must succeed and returns its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "sessionlens {args:?} failed: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }
}

/// Copies a directory tree.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let p = entry.unwrap().path();
        let dst = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_tree(&p, &dst);
        } else {
            std::fs::copy(&p, &dst).unwrap();
        }
    }
}

/// Sets up a learning scenario from `tests/fixtures/eval/NAME`: its workspace copied to
/// `<env>/NAME`, its sessions placed in the env's Codex home with their working directory
/// rewritten to that copy. Returns the workspace and the session files (not yet ingested).
pub fn scenario(env: &Env, name: &str) -> (PathBuf, Vec<PathBuf>) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/eval")
        .join(name);
    let ws = env.root.path().join(name);
    copy_tree(&src.join("workspace"), &ws);
    let day = env.codex_home().join("sessions/2026/11/18");
    std::fs::create_dir_all(&day).unwrap();
    let mut files = Vec::new();
    let mut sessions: Vec<PathBuf> = std::fs::read_dir(src.join("sessions"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    sessions.sort();
    // The scenario's sessions ran in a folder named in their session_meta; find it once.
    let first = std::fs::read_to_string(&sessions[0]).unwrap();
    let meta: serde_json::Value = serde_json::from_str(first.lines().next().unwrap()).unwrap();
    let cwd = meta["payload"]["cwd"].as_str().unwrap().to_owned();
    for p in sessions {
        let text = std::fs::read_to_string(&p)
            .unwrap()
            .replace(&cwd, ws.to_str().unwrap());
        let dst = day.join(p.file_name().unwrap());
        std::fs::write(&dst, text).unwrap();
        files.push(dst);
    }
    (ws, files)
}

/// The react-first-app scenario ingested, with its sessions' working directory pointing at a copy
/// of its workspace: the starting point of the CLI, hook and MCP tests.
pub struct Scenario {
    pub env: Env,
    pub ws: PathBuf,
}

impl Scenario {
    pub fn new() -> Scenario {
        let env = Env::new();
        let (ws, _) = scenario(&env, "react-first-app");
        env.ok(&["ingest", "codex", "--idle-minutes", "0"]);
        Scenario { env, ws }
    }

    pub fn ws(&self) -> &str {
        self.ws.to_str().unwrap()
    }
}

/// A Claude Code fixture, relative to `tests/fixtures/claude/`.
pub fn claude_fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/claude")
        .join(rel)
}

/// Everything a Claude Code transcript yields when read through the library.
pub struct ClaudeRead {
    pub events: Vec<Event>,
    pub stats: LineStats,
    pub state: sessionlens::capture::claude::ClaudeState,
    /// Bytes consumed (the end of the last complete line).
    pub offset: u64,
}

/// Reads the transcript at `path` from `start` with the given state, like one ingest pass
/// (the Claude Code twin of [`read_from`]).
pub fn read_claude_from(
    path: &Path,
    start: u64,
    state: Option<sessionlens::capture::claude::ClaudeState>,
    stop_at: Option<u64>,
    idle: bool,
) -> ClaudeRead {
    let mut reader = sessionlens::capture::claude::TranscriptReader::new(state, path);
    let mut lines = LineReader::open(path, start).unwrap();
    let mut events = Vec::new();
    loop {
        if stop_at.is_some_and(|s| lines.offset() >= s) {
            break;
        }
        match lines.next_line().unwrap() {
            Next::Line { bytes, .. } => reader.line(bytes, &mut events),
            Next::Oversized { .. } => reader.oversized_line(),
            Next::Partial { .. } | Next::Eof => break,
        }
    }
    if idle {
        reader.finish_idle(&mut events);
    }
    ClaudeRead {
        events,
        stats: reader.stats,
        state: reader.state,
        offset: lines.offset(),
    }
}

/// A whole transcript read in one go and closed as an idle session.
pub fn read_claude(path: &Path) -> ClaudeRead {
    read_claude_from(path, 0, None, None, true)
}
