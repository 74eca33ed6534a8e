//! `sessionlens mcp` end to end: the real binary as a child process, driven by a real MCP client
//! (rmcp's, over the child's stdio) on the react-first-app scenario — the handshake and tool
//! list, `recall`, `open_gaps`, `record_learning` read back through `recall` and the CLI,
//! `session_summary`, a failing call that leaves the server answering — and `sessionlens install
//! codex-mcp` run twice against a `config.toml` with the developer's own tables and comments.

use crate::common;

use common::*;
use rmcp::ServiceExt;
use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::service::{RoleClient, RunningService};
use rmcp::transport::TokioChildProcess;
use serde_json::{Value, json};
use sessionlens::normalize::text::{OWN_CONTEXT_END, OWN_CONTEXT_MARKER};
use std::path::PathBuf;

impl Scenario {
    /// `sessionlens mcp` in this environment, connected and initialized.
    async fn connect(&self) -> RunningService<RoleClient, ()> {
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_sessionlens"));
        cmd.arg("mcp")
            .current_dir(&self.ws)
            .env("SESSIONLENS_DATA_DIR", self.env.data_dir())
            .env("CODEX_HOME", self.env.codex_home())
            .env("HOME", self.env.root.path())
            .env("TZ", "UTC")
            .env_remove("SESSIONLENS_LOG")
            .env_remove("RUST_LOG");
        let transport = TokioChildProcess::new(cmd).expect("start sessionlens mcp");
        ().serve(transport).await.expect("MCP handshake")
    }
}

async fn call(client: &RunningService<RoleClient, ()>, tool: &str, args: Value) -> CallToolResult {
    let Value::Object(args) = args else {
        panic!("arguments are an object")
    };
    client
        .call_tool(CallToolRequestParams::new(tool.to_owned()).with_arguments(args))
        .await
        .unwrap_or_else(|e| panic!("{tool}: {e}"))
}

/// The text of a result, asserting it is not an error.
fn text(r: &CallToolResult) -> String {
    assert_ne!(r.is_error, Some(true), "{r:?}");
    all_text(r)
}

/// The text of a `recall`, `open_gaps` or `session_summary` answer inside the markers that let
/// the rollout reader drop it when Codex writes it back, asserting they are there.
fn own(r: &CallToolResult) -> String {
    let t = text(r);
    let inner = t
        .strip_prefix(OWN_CONTEXT_MARKER)
        .and_then(|t| t.strip_prefix('\n'))
        .and_then(|t| t.strip_suffix(OWN_CONTEXT_END))
        .unwrap_or_else(|| panic!("not marked as Session Lens's own: {t:?}"));
    inner.to_owned()
}

fn all_text(r: &CallToolResult) -> String {
    r.content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_mcp_client_recalls_lists_gaps_records_and_summarizes() {
    let s = Scenario::new();
    let client = s.connect().await;

    let info = client.peer_info().expect("server info");
    assert_eq!(info.server_info.as_ref().unwrap().name, "sessionlens");
    assert!(info.capabilities.tools.is_some());
    assert!(
        info.instructions
            .as_deref()
            .is_some_and(|i| i.contains("record_learning"))
    );
    let tools = client.list_all_tools().await.unwrap();
    let mut names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["open_gaps", "recall", "record_learning", "session_summary"]
    );
    let schema = |name: &str| {
        serde_json::to_value(&*tools.iter().find(|t| t.name == name).unwrap().input_schema).unwrap()
    };
    let recall_schema = schema("recall");
    assert_eq!(recall_schema["type"], "object");
    assert_eq!(
        recall_schema["properties"]["symbol_or_topic"]["type"],
        "string"
    );
    assert_eq!(recall_schema["required"], json!(["symbol_or_topic"]));
    let record_schema = schema("record_learning");
    let mut required: Vec<&str> = record_schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    required.sort_unstable();
    assert_eq!(required, ["takeaway", "topic"]);
    assert!(record_schema["properties"]["symbols"].is_object());
    assert!(schema("open_gaps")["properties"]["workspace"].is_object());
    assert!(schema("session_summary")["properties"]["session"].is_object());

    // recall: what the hover shows, the question as asked.
    let md = own(&call(&client, "recall", json!({"symbol_or_topic": "useEffect"})).await);
    assert!(md.starts_with("**Session Lens** · `useEffect`"), "{md}");
    assert!(md.contains("asked: “") && md.contains("useEffect"), "{md}");
    assert_eq!(
        md,
        s.env.ok(&["recall", "useEffect"]),
        "the same text as `sessionlens recall`"
    );
    let none = own(&call(
        &client,
        "recall",
        json!({"symbol_or_topic": "useQuantumState"}),
    )
    .await);
    assert_eq!(none.trim_end(), "Nothing recorded about useQuantumState.");

    // open_gaps: the workspace's open questions, newest first, as briefing bullets.
    let gaps = own(&call(&client, "open_gaps", json!({"workspace": s.ws()})).await);
    assert!(
        gaps.starts_with("Open questions and follow-ups in "),
        "{gaps}"
    );
    assert!(gaps.contains("useTodosContext"), "{gaps}");
    let bullets: Vec<&str> = gaps.lines().filter(|l| l.starts_with("- `")).collect();
    assert!(!bullets.is_empty(), "{gaps}");
    assert!(bullets.iter().all(|b| b.contains("(open ")), "{gaps}");
    let ctx = gaps
        .find("`React Context` (open question, Nov 21)")
        .unwrap();
    let props = gaps.find("`props` (open question, Nov 21)").unwrap();
    assert!(ctx < props, "newest first, as the briefing: {gaps}");
    let elsewhere = s.env.root.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let nothing = own(&call(
        &client,
        "open_gaps",
        json!({"workspace": elsewhere.to_str().unwrap()}),
    )
    .await);
    assert!(nothing.starts_with("Nothing open"), "{nothing}");

    // record_learning: stored, then recalled by topic and by symbol, and listed by the CLI.
    let said = text(
        &call(
            &client,
            "record_learning",
            json!({
                "topic": "useReducer",
                "takeaway": "Reach for useReducer when the next todo list depends on the last one; the token sk-abcdefghijklmnopqrstuvwxyz123456 stays out.",
                "workspace": s.ws(),
                "symbols": ["todosReducer"],
            }),
        )
        .await,
    );
    let id = said
        .split_whitespace()
        .nth(2)
        .unwrap_or_else(|| panic!("an id: {said}"))
        .to_owned();
    assert!(said.starts_with("Recorded insight "), "{said}");
    assert!(
        id.len() == 16 && id.chars().all(|c| c.is_ascii_hexdigit()),
        "{said}"
    );
    let md = own(&call(&client, "recall", json!({"symbol_or_topic": "useReducer"})).await);
    assert!(md.contains("**decision** · useReducer"), "{md}");
    assert!(md.contains(" in mcp\n  - Noted by the agent\n"), "{md}");
    assert!(
        md.contains(
            "  - takeaway: Reach for useReducer when the next todo list depends on the last one"
        ),
        "{md}"
    );
    assert!(
        !md.contains("sk-abcdefghij") && md.contains("[REDACTED"),
        "{md}"
    );
    let by_symbol = own(&call(
        &client,
        "recall",
        json!({"symbol_or_topic": "todosReducer", "workspace": s.ws()}),
    )
    .await);
    assert!(by_symbol.contains("Reach for useReducer"), "{by_symbol}");
    let listed = s.env.json(&["insights", "--workspace", s.ws(), "--json"]);
    let ours = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id.as_str())
        .unwrap_or_else(|| panic!("{id} in {listed:#}"));
    assert_eq!(ours["surface"], "mcp");
    assert_eq!(ours["kind"], "decision");
    assert_eq!(ours["status"], "resolved");
    assert_eq!(ours["topic"], "useReducer");

    // Every byte it stored, pinned (what differs per run is checked, then masked).
    assert_eq!(
        s.env.live_events("mcp"),
        [
            Env::live_start("mcp"),
            r#"{"id":"{LIVE}","session":"{SESSION}","at":"{AT}","turn":"learning-{N}","kind":"learning","topic":"useReducer","takeaway":"Reach for useReducer when the next todo list depends on the last one; the token [REDACTED:api-key] stays out.","names":["todosReducer"],"source":"agent"}"#.to_owned(),
        ]
    );
    let context = s.env.ok(&[
        "context",
        "--workspace",
        s.ws(),
        "--prompt",
        "should todosReducer handle the clear action?",
    ]);
    assert!(
        context.contains("- `useReducer` (decision, ") && context.contains("Reach for useReducer"),
        "the next session's briefing: {context}"
    );
    let bad = call(
        &client,
        "record_learning",
        json!({"topic": " ", "takeaway": "x"}),
    )
    .await;
    assert_eq!(bad.is_error, Some(true), "{bad:?}");
    assert!(all_text(&bad).contains("`topic` is empty"), "{bad:?}");

    // session_summary: the learnings.md entry of the workspace's latest session.
    let summary = own(&call(&client, "session_summary", json!({"workspace": s.ws()})).await);
    assert!(summary.contains("| Turn |"), "{summary}");

    // A bad call is a tool error with a readable message; the server keeps answering.
    let bad = call(&client, "session_summary", json!({"session": "0000dead"})).await;
    assert_eq!(bad.is_error, Some(true), "{bad:?}");
    let message = all_text(&bad);
    assert!(message.contains("0000dead"), "{message}");
    let wrong_type = client
        .call_tool(
            CallToolRequestParams::new("recall")
                .with_arguments(json!({"symbol_or_topic": 3}).as_object().unwrap().clone()),
        )
        .await;
    assert!(
        wrong_type.is_err() || wrong_type.as_ref().unwrap().is_error == Some(true),
        "{wrong_type:?}"
    );
    let again = own(&call(&client, "recall", json!({"symbol_or_topic": "useEffect"})).await);
    assert!(again.starts_with("**Session Lens**"), "{again}");

    client.cancel().await.unwrap();
}

#[test]
fn install_codex_mcp_appends_once_backs_up_and_keeps_the_rest() {
    let env = Env::new();
    let home = env.codex_home();
    std::fs::create_dir_all(&home).unwrap();
    let file = home.join("config.toml");
    let theirs = "# Codex settings\nmodel = \"gpt-5.2-codex\"  # the default\n\n\
                  [mcp_servers.docs]\ncommand = \"docs-mcp\" # fetches docs\nargs = [\"--stdio\"]\n\n\
                  [features]\nweb_search = true\n";
    std::fs::write(&file, theirs).unwrap();

    let said = env.ok(&["install", "codex-mcp"]);
    assert!(said.contains("Added [mcp_servers.sessionlens]"), "{said}");
    let new = std::fs::read_to_string(&file).unwrap();
    assert!(new.starts_with(theirs), "every byte kept: {new}");
    let doc: toml_edit_check::Doc = toml_edit_check::parse(&new);
    let exe = std::fs::canonicalize(env!("CARGO_BIN_EXE_sessionlens")).unwrap();
    assert_eq!(
        std::fs::canonicalize(doc.command()).unwrap(),
        exe,
        "the running binary, absolute: {new}"
    );
    let data = env.data_dir();
    assert_eq!(
        doc.args(),
        ["--data-dir", data.to_str().unwrap(), "mcp"],
        "the data dir chosen by environment rides along: {new}"
    );
    let backups: Vec<PathBuf> = std::fs::read_dir(&home)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains("config.toml.bak-"))
        .collect();
    assert_eq!(backups.len(), 1);
    assert_eq!(std::fs::read_to_string(&backups[0]).unwrap(), theirs);

    let before = std::fs::read(&file).unwrap();
    let said = env.ok(&["install", "codex-mcp"]);
    assert!(
        said.contains("already has [mcp_servers.sessionlens]"),
        "{said}"
    );
    assert_eq!(std::fs::read(&file).unwrap(), before, "idempotent");
    assert_eq!(
        std::fs::read_dir(&home).unwrap().count(),
        2,
        "no new backup"
    );

    // Invalid TOML: refused, untouched.
    std::fs::write(&file, "model = \n").unwrap();
    let out = env.run(&["install", "codex-mcp"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not valid TOML"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "model = \n");
}

/// Reads the table back with a plain line parser: enough for the two keys written, and
/// independent of the code under test.
mod toml_edit_check {
    pub struct Doc {
        command: String,
        args: Vec<String>,
    }

    pub fn parse(text: &str) -> Doc {
        let table = text
            .split("[mcp_servers.sessionlens]\n")
            .nth(1)
            .expect("the table");
        let value = |key: &str| {
            table
                .lines()
                .find_map(|l| l.strip_prefix(&format!("{key} = ")))
                .unwrap_or_else(|| panic!("{key} in {table}"))
                .to_owned()
        };
        let command: String = serde_json::from_str(&value("command")).unwrap();
        let args: Vec<String> = serde_json::from_str(&value("args")).unwrap();
        Doc { command, args }
    }

    impl Doc {
        pub fn command(&self) -> &str {
            &self.command
        }
        pub fn args(&self) -> Vec<&str> {
            self.args.iter().map(String::as_str).collect()
        }
    }
}

/// A notification sent before `initialize` (a client sending `notifications/initialized` too
/// early) is dropped, not the end of the session: the server answers `initialize` and a tool
/// call after it, and exits cleanly when stdin closes.
#[test]
fn a_notification_before_initialize_does_not_end_the_session() {
    use std::io::{BufRead, BufReader, Write};
    let env = Env::new();
    let mut child = env
        .cmd()
        .arg("mcp")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    for line in [
        r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
        r#"{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":1,"progress":1}}"#,
        r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"early","version":"1"}}}"#,
    ] {
        writeln!(stdin, "{line}").unwrap();
    }
    let mut answer = String::new();
    stdout.read_line(&mut answer).unwrap();
    let answer: serde_json::Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(answer["id"], 1, "{answer}");
    assert_eq!(
        answer["result"]["serverInfo"]["name"], "sessionlens",
        "{answer}"
    );
    for line in [
        r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
        r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#,
    ] {
        writeln!(stdin, "{line}").unwrap();
    }
    let mut tools = String::new();
    stdout.read_line(&mut tools).unwrap();
    let tools: serde_json::Value = serde_json::from_str(&tools).unwrap();
    assert_eq!(tools["id"], 2, "{tools}");
    assert!(
        tools["result"]["tools"]
            .as_array()
            .is_some_and(|t| t.iter().any(|t| t["name"] == "recall")),
        "{tools}"
    );
    drop(stdin);
    assert!(child.wait().unwrap().success());
}
