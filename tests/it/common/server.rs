//! The language server in-process, for the tests about what it answers rather than how it is
//! reached (`tests/it/lsp_inproc.rs`): a builder sets up a workspace, the settings and a real redb
//! store seeded by ingesting real rollouts, then runs the real server — the service `serve` runs,
//! from `sessionlens::surface::lsp::service` — on a tokio runtime of its own, with no process and
//! no binary. A feature test then reads as what it checks (`s.hover(…)`, `s.code_lens(…)`,
//! `s.diagnostics_until(…)`), shows the server's log lines (`SESSIONLENS_LOG`, warnings by
//! default) with its own output when it fails, and costs no process start. The stdio end-to-end runs (`tests/it/lsp.rs`, with `common::lsp`) keep what
//! only the real binary shows: framing and bad input, live ingest, several processes on one
//! store, shutdown and exit.
//!
//! The messages go through tower-lsp's own `Server` over an in-memory pipe rather than through
//! `Service::call` on the `LspService`: calling it and draining its `ClientSocket` need the
//! `tower::Service` and `futures::Stream` traits, which tower-lsp does not re-export and this
//! crate does not depend on. The pipe reaches the same router and handlers with no new dependency;
//! the framing costs microseconds. What the server asks of the client is answered here:
//! `workspace/configuration` with the settings, every other request (`client/registerCapability`,
//! `workspace/codeLens/refresh`, `window/workDoneProgress/create`) with `null`; notifications are
//! kept, so `publishDiagnostics` can be read back.
//!
//! One process means one environment, so what the stdio tests isolate with variables is set
//! through settings instead: the store is the builder's (`service`'s data dir), the Codex home is
//! its own, and `watchCodex` is off (the watcher also follows Claude Code's folders under HOME:
//! the live-ingest tests stay on stdio). Dates in lenses and hovers are in the test process's
//! time zone.
#![allow(dead_code)]

use super::{Env, scenario};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

/// How long any one wait lasts before the test fails: a hang guard, never a measurement.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// What the server will be started with. Nothing happens until [`TestServer::start`].
pub struct TestServer {
    files: Vec<(String, String)>,
    settings: Value,
    scenario: Option<String>,
    folder: bool,
}

impl Default for TestServer {
    fn default() -> Self {
        TestServer::new()
    }
}

impl TestServer {
    pub fn new() -> TestServer {
        TestServer {
            files: Vec::new(),
            settings: json!({}),
            scenario: None,
            folder: true,
        }
    }

    /// A file of the workspace, relative to its root (written over a scenario's own).
    pub fn file(mut self, rel: &str, text: impl Into<String>) -> TestServer {
        self.files.push((rel.to_owned(), text.into()));
        self
    }

    /// The settings as an editor sends them (`initializationOptions`, and the answer to
    /// `workspace/configuration`), over the builder's own (`watchCodex: false`, its Codex home).
    pub fn settings(mut self, settings: Value) -> TestServer {
        merge(&mut self.settings, &settings);
        self
    }

    /// The learning scenario `tests/fixtures/eval/NAME`: its workspace is the server's, and its
    /// sessions are ingested into the store before the server starts (see [`scenario`]).
    pub fn seed_scenario(mut self, name: &str) -> TestServer {
        self.scenario = Some(name.to_owned());
        self
    }

    /// Starts as an editor opened on a single file does: no root, no workspace folders.
    pub fn without_workspace_folder(mut self) -> TestServer {
        self.folder = false;
        self
    }

    /// Writes the workspace, seeds the store, starts the server and completes `initialize` and
    /// `initialized`.
    pub fn start(self) -> Running {
        // The server's log, as `serve` writes it to stderr, goes to the test's captured output.
        let filter = tracing_subscriber::EnvFilter::try_from_env("SESSIONLENS_LOG")
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_test_writer()
            .with_ansi(false)
            .try_init();
        let env = Env::new();
        let (ws, rollouts) = match &self.scenario {
            Some(name) => scenario(&env, name),
            None => (env.root.path().join("ws"), Vec::new()),
        };
        std::fs::create_dir_all(&ws).unwrap();
        for (rel, text) in &self.files {
            let path = ws.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, text).unwrap();
        }
        if !rollouts.is_empty() {
            seed(&env, &rollouts);
        }
        let mut settings = json!({
            "watchCodex": false,
            "codexHome": env.codex_home(),
        });
        merge(&mut settings, &self.settings);

        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .max_blocking_threads(4)
            .thread_name("sessionlens-test-lsp")
            .enable_all()
            .build()
            .unwrap();
        let peer = Arc::new(Peer {
            seen: Mutex::new(Seen::default()),
            changed: Condvar::new(),
            settings: Mutex::new(settings.clone()),
        });
        let (out, mut outbox) = unbounded_channel::<Value>();
        let (client_end, server_end) = tokio::io::duplex(1 << 16);
        let (from_server, mut to_server) = tokio::io::split(client_end);
        let (service, socket) = sessionlens::surface::lsp::service(Some(&env.data_dir()));
        runtime.spawn(async move {
            let (input, output) = tokio::io::split(server_end);
            tower_lsp::Server::new(input, output, socket)
                .serve(service)
                .await;
        });
        runtime.spawn(async move {
            while let Some(msg) = outbox.recv().await {
                let body = serde_json::to_vec(&msg).unwrap();
                let head = format!("Content-Length: {}\r\n\r\n", body.len());
                if to_server.write_all(head.as_bytes()).await.is_err()
                    || to_server.write_all(&body).await.is_err()
                {
                    return;
                }
            }
        });
        runtime.spawn(read_loop(
            BufReader::new(from_server),
            peer.clone(),
            out.clone(),
        ));

        let mut s = Running {
            env,
            ws,
            initialized: Value::Null,
            runtime: Runtime(Some(runtime)),
            peer,
            out,
            next_id: AtomicI64::new(1),
            opened: Mutex::new(HashSet::new()),
        };
        let root = super::lsp::uri(&s.ws);
        let (root_uri, folders) = if self.folder {
            (json!(root), json!([{"uri": root, "name": "ws"}]))
        } else {
            (Value::Null, Value::Null)
        };
        s.initialized = s.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": root_uri,
                "workspaceFolders": folders,
                "initializationOptions": settings,
                "capabilities": {
                    "workspace": {"codeLens": {"refreshSupport": true}, "configuration": true},
                    "window": {"workDoneProgress": true},
                    "textDocument": {"hover": {"contentFormat": ["markdown"]}}
                }
            }),
        );
        s.notify("initialized", json!({}));
        s
    }
}

/// A running in-process server, its workspace (`ws`) and its environment (`env`: the store's data
/// dir, for the CLI to read the same store).
pub struct Running {
    pub env: Env,
    pub ws: PathBuf,
    /// The answer to `initialize`.
    pub initialized: Value,
    runtime: Runtime,
    peer: Arc<Peer>,
    out: UnboundedSender<Value>,
    next_id: AtomicI64,
    /// Documents opened so far, so the features open a file on first use.
    opened: Mutex<HashSet<PathBuf>>,
}

impl Running {
    pub fn path(&self, rel: &str) -> PathBuf {
        self.ws.join(rel)
    }

    pub fn uri(&self, rel: &str) -> String {
        super::lsp::uri(&self.path(rel))
    }

    /// The 0-based position of the first `needle` on the first line of `rel` containing
    /// `line_has`, plus `offset` characters (UTF-16, as LSP counts them).
    #[track_caller]
    pub fn pos(&self, rel: &str, line_has: &str, needle: &str, offset: u32) -> (u32, u32) {
        super::lsp::position(&self.path(rel), line_has, needle, offset)
    }

    pub fn notify(&self, method: &str, params: Value) {
        let mut msg = json!({"jsonrpc": "2.0", "method": method});
        if !params.is_null() {
            msg["params"] = params;
        }
        self.out.send(msg).expect("the server's pipe is open");
    }

    /// Sends a request and returns the whole response (`result` or `error`).
    #[track_caller]
    pub fn request_full(&self, method: &str, params: Value) -> Value {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut msg = json!({"jsonrpc": "2.0", "id": id, "method": method});
        if !params.is_null() {
            msg["params"] = params;
        }
        self.out.send(msg).expect("the server's pipe is open");
        self.peer.wait(
            || format!("an answer to {method}"),
            |seen| seen.responses.remove(&id),
        )
    }

    /// Sends a request that must succeed and returns its result.
    #[track_caller]
    pub fn request(&self, method: &str, params: Value) -> Value {
        let msg = self.request_full(method, params);
        assert!(msg.get("error").is_none(), "{method} failed: {msg}");
        msg["result"].clone()
    }

    /// Opens `rel` with its text on disk (the language from its extension).
    pub fn open(&self, rel: &str) {
        let text = std::fs::read_to_string(self.path(rel)).unwrap_or_default();
        self.open_text(rel, language(rel), &text);
    }

    /// Opens `rel` with the editor's text, which need not be on disk.
    pub fn open_text(&self, rel: &str, language: &str, text: &str) {
        self.opened.lock().unwrap().insert(self.path(rel));
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": self.uri(rel), "languageId": language, "version": 1, "text": text}}),
        );
    }

    /// Opens `rel` unless it is open: the features answer only for open documents.
    fn opened(&self, rel: &str) {
        if !self.opened.lock().unwrap().contains(&self.path(rel)) {
            self.open(rel);
        }
    }

    /// The hover at `(line, character)` of `rel` (opened if need be); `null` when there is none.
    #[track_caller]
    pub fn hover(&self, rel: &str, (line, character): (u32, u32)) -> Value {
        self.opened(rel);
        self.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": self.uri(rel)},
                   "position": {"line": line, "character": character}}),
        )
    }

    /// The code lenses of `rel` (opened if need be); none when the server answers `null`.
    #[track_caller]
    pub fn code_lens(&self, rel: &str) -> Vec<Value> {
        self.opened(rel);
        self.request(
            "textDocument/codeLens",
            json!({"textDocument": {"uri": self.uri(rel)}}),
        )
        .as_array()
        .cloned()
        .unwrap_or_default()
    }

    /// The diagnostics last published for `rel` (opened if need be), once there are any.
    #[track_caller]
    pub fn diagnostics(&self, rel: &str) -> Vec<Value> {
        self.diagnostics_until(rel, |_| true)
    }

    /// The diagnostics last published for `rel` (opened if need be), waiting until they satisfy
    /// `done`: the server publishes again whenever what it knows changes.
    #[track_caller]
    pub fn diagnostics_until(&self, rel: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        self.opened(rel);
        let uri = self.uri(rel);
        self.peer.wait(
            || {
                format!(
                    "diagnostics of {rel} as expected; the last published: {}",
                    self.peer.latest_diagnostics(&uri).map_or_else(
                        || "none".to_owned(),
                        |d| serde_json::to_string_pretty(&d).unwrap()
                    )
                )
            },
            |seen| seen.diagnostics(&uri).filter(|d| done(d)),
        )
    }

    /// `workspace/executeCommand`, which must succeed.
    #[track_caller]
    pub fn command(&self, name: &str, arguments: Value) -> Value {
        self.request(
            "workspace/executeCommand",
            json!({"command": name, "arguments": arguments}),
        )
    }

    /// Changes settings as an editor does: the whole object, with these fields changed, answers
    /// `workspace/configuration` from now on and goes out in `workspace/didChangeConfiguration`.
    pub fn configure(&self, changed: Value) {
        let all = {
            let mut settings = self.peer.settings.lock().unwrap();
            merge(&mut settings, &changed);
            settings.clone()
        };
        self.notify(
            "workspace/didChangeConfiguration",
            json!({"settings": {"sessionlens": all}}),
        );
    }

    /// Asks again (`ask`, every 50 ms) until the answer is what `done` wants, for what the server
    /// does in the background (indexing a folder it found by itself); fails after [`TIMEOUT`]
    /// with the last answer.
    #[track_caller]
    pub fn poll(&self, ask: impl Fn(&Running) -> Value, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let answer = ask(self);
            if done(&answer) {
                return answer;
            }
            assert!(
                Instant::now() < deadline,
                "not the answer waited for within {TIMEOUT:?}; the last: {answer}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the workspace folder's symbol index is built (`sessionlens.status`).
    #[track_caller]
    pub fn wait_indexed(&self) {
        self.poll(
            |s| s.command("sessionlens.status", json!([])),
            |status| status["workspace"]["indexed"] == true,
        );
    }

    /// The methods of the requests the server made of the client, in order.
    pub fn server_requests(&self) -> Vec<String> {
        self.peer
            .seen
            .lock()
            .unwrap()
            .server_requests
            .iter()
            .filter_map(|r| r["method"].as_str().map(str::to_owned))
            .collect()
    }

    /// `shutdown` (which must succeed) and `exit`, then the runtime stops: every background task
    /// lets go of the store, as when the server's process ends. Returns the environment, for
    /// what the test reads from the store afterwards.
    #[track_caller]
    pub fn shutdown(self) -> Env {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let Running {
            env, mut runtime, ..
        } = self;
        if let Some(runtime) = runtime.0.take() {
            runtime.shutdown_timeout(TIMEOUT);
        }
        env
    }
}

/// The server's runtime; a test that fails midway drops it without waiting for its tasks.
struct Runtime(Option<tokio::runtime::Runtime>);

impl Drop for Runtime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

/// The client's side of the conversation, shared by the test thread and the reading task.
struct Peer {
    seen: Mutex<Seen>,
    /// Signalled whenever `seen` changes.
    changed: Condvar,
    /// What `workspace/configuration` answers.
    settings: Mutex<Value>,
}

#[derive(Default)]
struct Seen {
    /// Responses not yet taken, by request id.
    responses: std::collections::HashMap<i64, Value>,
    notifications: Vec<Value>,
    server_requests: Vec<Value>,
    /// Why the server's output ended, once it has.
    closed: Option<String>,
}

impl Seen {
    fn diagnostics(&self, uri: &str) -> Option<Vec<Value>> {
        self.notifications
            .iter()
            .rev()
            .find(|n| n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] == uri)
            .map(|n| {
                n["params"]["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
    }
}

impl Peer {
    /// Waits until `ready` finds what it looks for, failing the test after [`TIMEOUT`] or once
    /// the server has stopped talking.
    #[track_caller]
    fn wait<T>(
        &self,
        what: impl Fn() -> String,
        mut ready: impl FnMut(&mut Seen) -> Option<T>,
    ) -> T {
        let deadline = Instant::now() + TIMEOUT;
        let mut seen = self.seen.lock().unwrap();
        loop {
            if let Some(found) = ready(&mut seen) {
                return found;
            }
            if let Some(why) = &seen.closed {
                let why = why.clone();
                drop(seen);
                panic!("the server stopped talking ({why}) before {}", what());
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                drop(seen);
                panic!("no {} within {TIMEOUT:?}", what());
            }
            seen = self.changed.wait_timeout(seen, left).unwrap().0;
        }
    }

    fn latest_diagnostics(&self, uri: &str) -> Option<Vec<Value>> {
        self.seen.lock().unwrap().diagnostics(uri)
    }

    /// One message from the server: a response is kept for its request, a request of the
    /// server's is answered and kept, a notification is kept.
    fn receive(&self, msg: Value, out: &UnboundedSender<Value>) {
        let mut seen = self.seen.lock().unwrap();
        match (msg.get("method").and_then(Value::as_str), msg.get("id")) {
            (Some(method), Some(id)) => {
                let result = match method {
                    "workspace/configuration" => self.configuration(&msg["params"]),
                    _ => Value::Null,
                };
                let _ = out.send(json!({"jsonrpc": "2.0", "id": id, "result": result}));
                seen.server_requests.push(msg);
            }
            (Some(_), None) => seen.notifications.push(msg),
            (None, Some(id)) => {
                let id = id.as_i64().expect("the tests number their requests");
                seen.responses.insert(id, msg);
            }
            (None, None) => seen.closed = Some(format!("a message that is neither: {msg}")),
        }
        drop(seen);
        self.changed.notify_all();
    }

    /// `workspace/configuration`: the settings for `sessionlens` (or no section), one of them
    /// for `sessionlens.NAME`, nothing for other sections.
    fn configuration(&self, params: &Value) -> Value {
        let settings = self.settings.lock().unwrap().clone();
        let items = params["items"].as_array().cloned().unwrap_or_default();
        items
            .iter()
            .map(|item| match item["section"].as_str() {
                None | Some("sessionlens") => settings.clone(),
                Some(s) => s
                    .strip_prefix("sessionlens.")
                    .map_or(Value::Null, |key| settings[key].clone()),
            })
            .collect()
    }

    fn close(&self, why: String) {
        self.seen.lock().unwrap().closed = Some(why);
        self.changed.notify_all();
    }
}

/// Reads the server's framed messages until its output ends.
async fn read_loop<R: tokio::io::AsyncBufRead + Unpin>(
    mut from_server: R,
    peer: Arc<Peer>,
    out: UnboundedSender<Value>,
) {
    loop {
        let mut len = None;
        loop {
            let mut line = String::new();
            match from_server.read_line(&mut line).await {
                Ok(0) => return peer.close("its output ended".into()),
                Err(e) => return peer.close(format!("reading its output: {e}")),
                Ok(_) => {}
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(v) = line.strip_prefix("Content-Length: ") {
                len = v.parse::<usize>().ok();
            }
        }
        let Some(len) = len else {
            return peer.close("a message without Content-Length".into());
        };
        let mut body = vec![0; len];
        if let Err(e) = from_server.read_exact(&mut body).await {
            return peer.close(format!("reading a message: {e}"));
        }
        match serde_json::from_slice(&body) {
            Ok(msg) => peer.receive(msg, &out),
            Err(e) => return peer.close(format!("a message that is not JSON ({e})")),
        }
    }
}

/// Ingests `rollouts` into the environment's store through the library, as `sessionlens ingest
/// codex --idle-minutes 0` does, and closes the store before the server opens it.
fn seed(env: &Env, rollouts: &[PathBuf]) {
    use sessionlens::ingest::{IngestOptions, ingest_codex};
    let store =
        sessionlens::store::Store::open(&sessionlens::config::store_path(&env.data_dir())).unwrap();
    let opts = IngestOptions {
        idle_after: Duration::ZERO,
        ..IngestOptions::default()
    };
    let report = ingest_codex(
        &store,
        &sessionlens::ingest::gate::Gate::admitting_all(),
        rollouts,
        &opts,
        &mut |_| {},
    );
    assert!(
        report.errors.is_empty() && report.events_added > 0,
        "seeding the store: {}",
        serde_json::to_string(&report).unwrap()
    );
}

/// The language an editor would give `rel`, by its extension.
fn language(rel: &str) -> &'static str {
    match Path::new(rel).extension().and_then(|e| e.to_str()) {
        Some("ts") => "typescript",
        Some("tsx") => "typescriptreact",
        Some("js" | "mjs" | "cjs") => "javascript",
        Some("jsx") => "javascriptreact",
        Some("css") => "css",
        Some("py") => "python",
        Some("rs") => "rust",
        _ => "plaintext",
    }
}

/// Sets every field of `over` on `base` (both objects; `null` removes a field).
fn merge(base: &mut Value, over: &Value) {
    let (Some(base), Some(over)) = (base.as_object_mut(), over.as_object()) else {
        return;
    };
    for (k, v) in over {
        if v.is_null() {
            base.remove(k);
        } else {
            base.insert(k.clone(), v.clone());
        }
    }
}
