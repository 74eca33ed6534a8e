//! A small, strict LSP client for the end-to-end tests: frames JSON-RPC over the real binary's
//! stdio, answers the server's own requests, and keeps every notification for inspection.
#![allow(dead_code)]

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

pub const TIMEOUT: Duration = Duration::from_secs(30);

pub struct Client {
    child: Child,
    /// What the server wrote on stderr, when started with [`Client::start_capturing_stderr`].
    stderr: Option<std::sync::Arc<std::sync::Mutex<Vec<u8>>>>,
    stdin: ChildStdin,
    rx: Receiver<Value>,
    next_id: i64,
    /// Every notification received, in order.
    pub notifications: Vec<Value>,
    /// Every request the server made of us (method names), in order.
    pub server_requests: Vec<String>,
}

pub fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

impl Client {
    /// Starts `sessionlens serve` from `cmd` (which carries the environment).
    pub fn start(cmd: Command) -> Client {
        Client::spawn(cmd, false)
    }

    /// Like [`Client::start`], keeping what the server writes on stderr for [`Client::stderr`]
    /// (and passing it on), for tests that look for panics in it.
    pub fn start_capturing_stderr(cmd: Command) -> Client {
        Client::spawn(cmd, true)
    }

    fn spawn(mut cmd: Command, capture: bool) -> Client {
        let mut child = cmd
            .arg("serve")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(if capture {
                Stdio::piped()
            } else {
                Stdio::inherit()
            })
            .spawn()
            .expect("start sessionlens serve");
        let stderr = child.stderr.take().map(|mut err| {
            let kept = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
            let sink = kept.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 8192];
                while let Ok(n) = err.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    let _ = std::io::stderr().write_all(&buf[..n]);
                    sink.lock().unwrap().extend_from_slice(&buf[..n]);
                }
            });
            kept
        });
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = None;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length: ") {
                        len = v.parse::<usize>().ok();
                    }
                }
                let mut buf = vec![0; len.expect("Content-Length header")];
                if r.read_exact(&mut buf).is_err() {
                    return;
                }
                let v: Value = serde_json::from_slice(&buf).expect("server sent valid JSON");
                if tx.send(v).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stderr,
            stdin,
            rx,
            next_id: 1,
            notifications: Vec::new(),
            server_requests: Vec::new(),
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What the server has written on stderr so far (started with
    /// [`Client::start_capturing_stderr`]).
    pub fn stderr(&self) -> String {
        let kept = self.stderr.as_ref().expect("stderr is captured");
        String::from_utf8_lossy(&kept.lock().unwrap()).into_owned()
    }

    /// Whether the server process is still running.
    pub fn running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// The next message from the server within `timeout` (server requests answered and
    /// notifications recorded on the way, as always); `None` when nothing came.
    pub fn recv(&mut self, timeout: Duration) -> Option<Value> {
        self.next_message(Instant::now() + timeout)
    }

    /// Like [`Client::request_full`], but `None` when no answer comes within `timeout`.
    pub fn request_within(
        &mut self,
        method: &str,
        params: Value,
        timeout: Duration,
    ) -> Option<Value> {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let deadline = Instant::now() + timeout;
        loop {
            let msg = self.next_message(deadline)?;
            if msg.get("method").is_none() && msg["id"] == json!(id) {
                return Some(msg);
            }
        }
    }

    pub fn send_raw(&mut self, body: &[u8]) {
        write!(self.stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        self.stdin.write_all(body).unwrap();
        self.stdin.flush().unwrap();
    }

    /// Writes `bytes` to the server as they are, framed or not (hostile input).
    pub fn send_bytes(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).unwrap();
        self.stdin.flush().unwrap();
    }

    /// Waits for the answer to the request with `id` (sent raw), error or result.
    pub fn answer(&mut self, id: &Value) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let msg = self
                .next_message(deadline)
                .unwrap_or_else(|| panic!("no answer to request {id} within {TIMEOUT:?}"));
            if msg.get("method").is_none() && msg["id"] == *id {
                return msg;
            }
        }
    }

    fn send(&mut self, v: &Value) {
        self.send_raw(&serde_json::to_vec(v).unwrap());
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        let mut msg = json!({"jsonrpc": "2.0", "method": method});
        if !params.is_null() {
            msg["params"] = params;
        }
        self.send(&msg);
    }

    /// Sends a request and returns the whole response (`result` or `error`).
    pub fn request_full(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let mut msg = json!({"jsonrpc": "2.0", "id": id, "method": method});
        if !params.is_null() {
            msg["params"] = params;
        }
        self.send(&msg);
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let msg = self
                .next_message(deadline)
                .unwrap_or_else(|| panic!("no answer to {method} within {TIMEOUT:?}"));
            if msg.get("method").is_none() && msg["id"] == json!(id) {
                return msg;
            }
        }
    }

    /// Sends a request that must succeed and returns its result.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let msg = self.request_full(method, params);
        assert!(msg.get("error").is_none(), "{method} failed: {msg}");
        msg["result"].clone()
    }

    /// The next message; server requests are answered and notifications recorded on the way.
    fn next_message(&mut self, deadline: Instant) -> Option<Value> {
        let left = deadline.saturating_duration_since(Instant::now());
        let msg = match self.rx.recv_timeout(left) {
            Ok(m) => m,
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return None,
        };
        if let Some(method) = msg.get("method").and_then(Value::as_str) {
            if let Some(id) = msg.get("id") {
                self.server_requests.push(method.to_owned());
                let reply = json!({"jsonrpc": "2.0", "id": id, "result": null});
                self.send(&reply);
            } else {
                self.notifications.push(msg.clone());
            }
        }
        Some(msg)
    }

    /// Waits for a notification matching `pred` (looking at those already received first).
    pub fn wait_for(&mut self, timeout: Duration, pred: impl Fn(&Value) -> bool) -> Option<Value> {
        if let Some(n) = self.notifications.iter().find(|n| pred(n)) {
            return Some(n.clone());
        }
        let deadline = Instant::now() + timeout;
        while let Some(msg) = self.next_message(deadline) {
            if msg.get("id").is_none() && pred(&msg) {
                return Some(msg);
            }
        }
        None
    }

    /// Processes whatever arrives for `d` (answering server requests).
    pub fn pump(&mut self, d: Duration) {
        let deadline = Instant::now() + d;
        while self.next_message(deadline).is_some() {}
    }

    /// Repeats `method` until `done` accepts the result, or the timeout passes.
    pub fn poll(
        &mut self,
        method: &str,
        params: Value,
        timeout: Duration,
        done: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            let r = self.request(method, params.clone());
            if done(&r) || Instant::now() > deadline {
                return r;
            }
            self.pump(Duration::from_millis(100));
        }
    }

    pub fn initialize(&mut self, root: &Path, options: Value) -> Value {
        let r = self.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri(root),
                "workspaceFolders": [{"uri": uri(root), "name": "ws"}],
                "initializationOptions": options,
                "capabilities": {
                    "workspace": {"codeLens": {"refreshSupport": true}},
                    "window": {"workDoneProgress": true},
                    "textDocument": {"hover": {"contentFormat": ["markdown"]}}
                }
            }),
        );
        self.notify("initialized", json!({}));
        r
    }

    pub fn open(&mut self, path: &Path, language: &str) {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        self.open_text(path, language, &text);
    }

    pub fn open_text(&mut self, path: &Path, language: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri(path), "languageId": language, "version": 1, "text": text}}),
        );
    }

    /// The latest diagnostics published for `path`, waiting for a publication that `pred` accepts.
    pub fn diagnostics(
        &mut self,
        path: &Path,
        timeout: Duration,
        pred: impl Fn(&[Value]) -> bool,
    ) -> Option<Vec<Value>> {
        let u = uri(path);
        let deadline = Instant::now() + timeout;
        loop {
            let latest = self
                .notifications
                .iter()
                .rev()
                .find(|n| {
                    n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] == u
                })
                .map(|n| n["params"]["diagnostics"].as_array().unwrap().clone());
            if let Some(d) = &latest {
                if pred(d) {
                    return latest;
                }
            }
            if Instant::now() > deadline {
                return None;
            }
            self.pump(Duration::from_millis(100));
        }
    }

    /// `shutdown` then `exit`; returns the exit status.
    pub fn shutdown(mut self) -> std::process::ExitStatus {
        self.request("shutdown", Value::Null);
        self.exit()
    }

    /// `exit` (after a `shutdown` sent some other way); returns the exit status.
    pub fn exit(mut self) -> std::process::ExitStatus {
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                return s;
            }
            assert!(Instant::now() < deadline, "server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The 0-based position (line, UTF-16 column, as LSP counts them) of the first `needle` on the
/// first line of `path` containing `line_has`, plus `offset` characters.
#[track_caller]
pub fn position(path: &Path, line_has: &str, needle: &str, offset: u32) -> (u32, u32) {
    let text = std::fs::read_to_string(path).unwrap();
    let (n, line) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(line_has))
        .unwrap_or_else(|| panic!("{line_has:?} not in {}", path.display()));
    let col = line[..line.find(needle).unwrap()].encode_utf16().count() as u32;
    (n as u32, col + offset)
}
