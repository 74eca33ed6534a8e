//! The language server end to end: the real binary over stdio, a real redb store filled from real
//! rollout files, a fixture workspace. What only a process shows: live ingest while the server
//! runs (Codex and Claude Code writing, a rollout rewritten in place), hand edits and a terminal
//! command becoming events, malformed frames and bad input, several servers and the CLI sharing
//! one store, shutdown and exit. What the features answer (hover content, lens placement, hints,
//! settings, commands) is tested in-process in tests/it/lsp_inproc.rs.

use crate::common;

use common::lsp::{Client, uri};
use common::{Env, scenario};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

/// The 0-based position of the first `needle` on the first line containing `line_has`, plus
/// `offset` characters.
fn pos(path: &Path, line_has: &str, needle: &str, offset: u32) -> Value {
    let (line, character) = common::lsp::position(path, line_has, needle, offset);
    json!({"line": line, "character": character})
}

fn hover(c: &mut Client, path: &Path, at: Value) -> Value {
    c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(path)}, "position": at}),
    )
}

fn lenses(c: &mut Client, path: &Path) -> Vec<Value> {
    c.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": uri(path)}}),
    )
    .as_array()
    .cloned()
    .unwrap_or_default()
}

fn command(c: &mut Client, name: &str, args: Value) -> Value {
    c.request(
        "workspace/executeCommand",
        json!({"command": name, "arguments": args}),
    )
}

fn ingested(env: &Env) -> PathBuf {
    let (ws, _) = scenario(env, "react-first-app");
    env.ok(&["ingest", "codex", "--idle-minutes", "0"]);
    ws
}

#[test]
fn a_turn_written_while_the_server_runs_reaches_the_hover() {
    let env = Env::new();
    let (ws, files) = scenario(&env, "react-first-app");
    // Codex has not written the first session yet: hide the files, keep the folder.
    let hidden: Vec<(PathBuf, String)> = files
        .iter()
        .map(|f| (f.clone(), std::fs::read_to_string(f).unwrap()))
        .collect();
    for f in &files {
        std::fs::remove_file(f).unwrap();
    }
    let hook = ws.join("src/useTodos.ts");
    let mut c = Client::start(env.cmd());
    c.initialize(&ws, json!({}));
    c.open(&hook, "typescript");
    let at = pos(&hook, "useEffect(() =>", "useEffect", 1);
    assert_eq!(hover(&mut c, &hook, at.clone()), Value::Null);

    // Codex writes the first session line by line, as it does during a turn.
    let (path, text) = &hidden[0];
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let half = lines.len() / 2;
    std::fs::write(path, lines[..half].concat()).unwrap();
    c.pump(Duration::from_millis(300));
    let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    std::io::Write::write_all(&mut f, lines[half..].concat().as_bytes()).unwrap();
    drop(f);
    let h = c.poll(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&hook)}, "position": at}),
        WAIT,
        |r| !r.is_null(),
    );
    let md = h["contents"]["value"]
        .as_str()
        .expect("the new question shows up");
    assert!(md.contains("what is useEffect actually doing"), "{md}");
    assert!(
        md.contains("status: open"),
        "nothing has resolved it yet: {md}"
    );
    // The lens appears too, and the client was asked to refresh lenses.
    assert!(
        lenses(&mut c, &hook)
            .iter()
            .any(|l| l["command"]["arguments"][0]["symbol"] == "useTodos")
    );
    assert!(
        c.server_requests
            .iter()
            .any(|m| m == "workspace/codeLens/refresh")
    );
    assert!(c.shutdown().success());
    let sessions = env.json(&["sessions", "--json"]);
    assert_eq!(sessions.as_array().unwrap().len(), 1);
}

#[test]
fn hand_edits_become_events_and_heavy_rewriting_gets_a_lens() {
    let env = Env::new();
    let ws = ingested(&env);
    let api = ws.join("src/api.ts");
    let mut c = Client::start(env.cmd());
    c.initialize(&ws, json!({}));
    c.open(&api, "typescript");
    let text = std::fs::read_to_string(&api).unwrap();
    let target = text
        .lines()
        .position(|l| l.contains("function") && !l.contains("fetchTodos"))
        .expect("a second function in api.ts");
    let name = text.lines().nth(target).unwrap();
    let name = name[name.find("function ").unwrap() + 9..]
        .split(|ch: char| !ch.is_alphanumeric() && ch != '_')
        .next()
        .unwrap()
        .to_owned();
    // Once the workspace is indexed, the function's lens (if any) says nothing about rewriting.
    c.poll(
        "workspace/executeCommand",
        json!({"command": "sessionlens.status"}),
        WAIT,
        |r| r["workspace"]["indexed"] == true,
    );
    let rewritten = |ls: &Value| -> Option<String> {
        ls.as_array()?
            .iter()
            .filter(|l| l["command"]["arguments"][0]["symbol"] == name.as_str())
            .filter_map(|l| l["command"]["title"].as_str())
            .find(|t| t.contains("rewritten"))
            .map(str::to_owned)
    };
    let before = c.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": uri(&api)}}),
    );
    assert_eq!(rewritten(&before), None);
    for v in 2..8 {
        c.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": uri(&api), "version": v},
                "contentChanges": [{
                    "range": {"start": {"line": target + 1, "character": 0},
                              "end": {"line": target + 1, "character": 0}},
                    "text": format!("  // attempt {v}\n")
                }]
            }),
        );
        c.notify(
            "textDocument/didSave",
            json!({"textDocument": {"uri": uri(&api)}}),
        );
    }
    // A failing build right after the edits, reported by the editor's terminal.
    c.notify(
        "sessionlens/commandFinished",
        json!({"command": "npm run build", "cwd": ws, "exitCode": 2, "durationMs": 5300,
               "output": "src/api.ts(12,3): error TS2322"}),
    );
    let ls = c.poll(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": uri(&api)}}),
        WAIT,
        |r| rewritten(r).is_some_and(|t| t.contains("6 times")),
    );
    let title = rewritten(&ls).unwrap_or_else(|| panic!("a rewrite lens on {name}: {ls}"));
    assert!(title.contains("rewritten 6 times"), "{title}");
    assert!(
        title.starts_with("⟲ You struggled here before: "),
        "{title}"
    );
    assert!(c.shutdown().success());

    // In the store: six editor edits naming the function, and the terminal command.
    let sessions = env.json(&["sessions", "--json"]);
    let by_source = |src: &str| -> Vec<Value> {
        sessions
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["source"] == src)
            .cloned()
            .collect()
    };
    let editor = by_source("editor");
    assert_eq!(editor.len(), 1);
    let events = env.json(&["timeline", editor[0]["id"].as_str().unwrap(), "--json"]);
    let edits: Vec<&Value> = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "editor_edit")
        .collect();
    assert_eq!(edits.len(), 6);
    for e in edits {
        assert_eq!(e["file"], "src/api.ts");
        assert_eq!(e["symbols"], json!([name]));
    }
    let terminal = by_source("terminal");
    assert_eq!(terminal.len(), 1);
    assert_eq!(terminal[0]["failed_commands"], 1);

    // Every byte it stored, pinned (what differs per run is checked, then masked).
    let edit = r#"{"id":"{LIVE}","session":"{SESSION}","at":"{AT}","turn":null,"kind":"editor_edit","file":"src/api.ts","symbols":["toTodo"],"lines":2,"changes":1}"#;
    let mut pinned = vec![Env::live_start("editor")];
    pinned.extend(std::iter::repeat_n(edit.to_owned(), 6));
    assert_eq!(env.live_events("editor"), pinned);
    assert_eq!(
        env.live_events("terminal"),
        [
            Env::live_start("terminal"),
            r#"{"id":"{LIVE}","session":"{SESSION}","at":"{AT}","turn":"cmd-{N}","kind":"command","command":"npm run build","workdir":"{CWD}","exit_code":2,"duration_ms":5300,"output":"src/api.ts(12,3): error TS2322","tool":"terminal","status":"exited"}"#.to_owned(),
        ]
    );
    env.ok(&["verify"]);
}

#[test]
fn bad_input_gets_an_error_or_nothing_never_a_crash() {
    let env = Env::new();
    let ws = ingested(&env);
    // A minified bundle, a file with invalid UTF-8, and a file that is not on disk.
    std::fs::write(
        ws.join("src/bundle.min.js"),
        format!("function useEffect(){{}};{}", "var a=1;".repeat(100_000)),
    )
    .unwrap();
    std::fs::write(
        ws.join("src/broken.ts"),
        b"export function ok() {}\n\xff\xfe useEffect();\n",
    )
    .unwrap();
    let ghost = ws.join("src/Ghost.tsx");
    let hook = ws.join("src/useTodos.ts");
    let mut c = Client::start(env.cmd());
    c.initialize(&ws, json!({}));

    c.send_raw(b"{this is not json");
    c.send_raw(br#"{"jsonrpc":"2.0","id":99,"method":"textDocument/hover","params":{"oops":1}}"#);
    let unknown = c.request_full("sessionlens/noSuchMethod", json!({}));
    assert_eq!(
        unknown["error"]["code"], -32601,
        "MethodNotFound: {unknown}"
    );
    let cmd = c.request_full(
        "workspace/executeCommand",
        json!({"command": "sessionlens.noSuchCommand"}),
    );
    assert!(cmd.get("error").is_some());
    // A wrong argument is invalid params naming the command and the value, never a crash.
    for (name, arg, says) in [
        (
            "sessionlens.summarizeSession",
            json!({"write": "no"}),
            "boolean",
        ),
        ("sessionlens.resolveInsight", json!(42), "expected a string"),
        (
            "sessionlens.showInsights",
            json!({"uri": "file:///x.ts"}),
            "missing field `symbol`",
        ),
        ("sessionlens.ingestNow", json!("now"), "must be an object"),
    ] {
        let wrong = c.request_full(
            "workspace/executeCommand",
            json!({"command": name, "arguments": [arg]}),
        );
        assert_eq!(wrong["error"]["code"], -32602, "InvalidParams: {wrong}");
        let message = wrong["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(name) && message.contains(says),
            "{message}"
        );
    }
    // `{ enabled }` sets the switch (a bare bool too); only no argument flips it.
    let on = command(&mut c, "sessionlens.toggle", json!([{"enabled": true}]));
    assert_eq!(on["enabled"], true);

    c.open(&hook, "typescript");
    // Out-of-range positions and unopened documents: no hover, no error.
    assert_eq!(
        hover(&mut c, &hook, json!({"line": 9999, "character": 0})),
        Value::Null
    );
    assert_eq!(
        hover(&mut c, &hook, json!({"line": 0, "character": 9999})),
        Value::Null
    );
    assert_eq!(
        hover(&mut c, &ghost, json!({"line": 0, "character": 0})),
        Value::Null
    );
    // A change to a document that is not open, and one out of range, are ignored.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&ghost), "version": 2},
               "contentChanges": [{"text": "x"}]}),
    );
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&hook), "version": 2},
               "contentChanges": [{"range": {"start": {"line": 500, "character": 0},
                                              "end": {"line": 501, "character": 0}},
                                   "text": "boom"}]}),
    );
    // A document that exists only in the editor works like any other.
    c.open_text(
        &ghost,
        "typescriptreact",
        "import { useEffect } from 'react';\nuseEffect(() => {});\n",
    );
    let h = hover(&mut c, &ghost, json!({"line": 1, "character": 2}));
    assert!(
        h["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("useEffect")
    );
    // The huge minified file is opened but not indexed: no lenses, no hints, no stall.
    c.open(&ws.join("src/bundle.min.js"), "javascript");
    assert!(lenses(&mut c, &ws.join("src/bundle.min.js")).is_empty());
    c.open(&ws.join("src/broken.ts"), "typescript");
    assert!(lenses(&mut c, &ws.join("src/broken.ts")).is_empty());
    // Still answering after all of it.
    let h = hover(&mut c, &hook, pos(&hook, "useEffect(() =>", "useEffect", 1));
    assert!(h["contents"]["value"].as_str().is_some());
    assert!(c.shutdown().success());
}

#[test]
fn two_editors_and_the_cli_share_one_store() {
    let env = Env::new();
    let ws = ingested(&env);
    let hook = ws.join("src/useTodos.ts");
    let mut a = Client::start(env.cmd());
    let mut b = Client::start(env.cmd());
    a.initialize(&ws, json!({}));
    b.initialize(&ws, json!({}));
    a.open(&hook, "typescript");
    b.open(&hook, "typescript");
    // Both editors save edits while the CLI ingests and verifies.
    let cli = std::thread::spawn({
        let cmd = env.cmd();
        move || {
            let mut cmd = cmd;
            let out = cmd
                .args(["ingest", "codex", "--idle-minutes", "0"])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    });
    for v in 2..12 {
        for c in [&mut a, &mut b] {
            c.notify(
                "textDocument/didChange",
                json!({"textDocument": {"uri": uri(&hook), "version": v},
                       "contentChanges": [{"range": {"start": {"line": 6, "character": 0},
                                                     "end": {"line": 6, "character": 0}},
                                           "text": "  // note\n"}]}),
            );
            c.notify(
                "textDocument/didSave",
                json!({"textDocument": {"uri": uri(&hook)}}),
            );
        }
    }
    cli.join().unwrap();
    // What one window does, the other sees: A resolves the open question, B's hints go away.
    let header = ws.join("src/Header.tsx");
    b.open(&header, "typescriptreact");
    let hints = b
        .diagnostics(&header, WAIT, |d| !d.is_empty())
        .expect("hints in B");
    let gap = hints[0]["data"]["insight"].as_str().unwrap().to_owned();
    command(&mut a, "sessionlens.resolveInsight", json!([gap]));
    assert!(
        b.diagnostics(&header, WAIT, |d| d.is_empty()).is_some(),
        "B follows the store"
    );
    assert!(a.shutdown().success());
    assert!(b.shutdown().success());
    let editor: Vec<Value> = env
        .json(&["sessions", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["source"] == "editor")
        .cloned()
        .collect();
    assert_eq!(editor.len(), 1, "one editor session per folder and day");
    let events = env.json(&["timeline", editor[0]["id"].as_str().unwrap(), "--json"]);
    let edits = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "editor_edit")
        .count();
    assert_eq!(edits, 20, "every save of both editors, once");
    env.ok(&["verify"]);
}

/// Codex rewrites a rollout in place while the server follows it (its migration to paginated
/// history publishes a new file by renaming it over the old path), then appends a turn to the
/// rewritten file: nothing is stored twice, and the new turn reaches the hover.
#[test]
fn a_rollout_migrated_under_the_server_is_followed_without_doubles() {
    let env = Env::new();
    let (ws, files) = scenario(&env, "react-first-app");
    for f in &files[1..] {
        std::fs::remove_file(f).unwrap();
    }
    let rollout = &files[0];
    let hook = ws.join("src/useTodos.ts");
    let mut c = Client::start(env.cmd());
    c.initialize(&ws, json!({}));
    c.open(&hook, "typescript");
    let at = pos(&hook, "useEffect(() =>", "useEffect", 1);
    let hover_with = |c: &mut Client, text: &str| {
        let h = c.poll(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri(&hook)}, "position": at.clone()}),
            WAIT,
            |r| {
                r["contents"]["value"]
                    .as_str()
                    .is_some_and(|md| md.contains(text))
            },
        );
        h["contents"]["value"].as_str().unwrap_or("").to_owned()
    };
    let md = hover_with(&mut c, "what is useEffect actually doing");
    assert!(md.contains("what is useEffect actually doing"), "{md}");
    let before = env.json(&["verify", "--json"])["events"].as_u64().unwrap();

    // The rewrite: written beside the file as a hidden temp file, renamed over it.
    let legacy = std::fs::read_to_string(rollout).unwrap();
    let paged = common::paginate::paginate(&legacy);
    let name = rollout.file_name().unwrap().to_str().unwrap();
    let tmp = rollout.with_file_name(format!(".{name}.tmp"));
    std::fs::write(&tmp, &paged).unwrap();
    std::fs::rename(&tmp, rollout).unwrap();
    c.pump(Duration::from_millis(1500));
    assert_eq!(
        env.json(&["verify", "--json"])["events"].as_u64(),
        Some(before),
        "the rewritten file added nothing"
    );

    // Codex goes on writing the thread in the new file.
    let thread = "01a1f108-2bd8-7490-959a-7a32d1fadf22";
    let turn = "01a1f1ff-0000-7000-8000-000000000001";
    let question = "why does useEffect run twice in dev?";
    let answer = "React's Strict Mode mounts every component twice in development.";
    let next = paged.lines().count() as u64;
    let lines = [
        json!({"type": "task_started", "turn_id": turn}),
        json!({"type": "item_completed", "thread_id": thread, "turn_id": turn,
            "item": {"type": "UserMessage", "id": "u-next",
                "content": [{"type": "text", "text": question, "text_elements": []}]}}),
        json!({"type": "item_completed", "thread_id": thread, "turn_id": turn,
            "item": {"type": "AgentMessage", "id": "a-next",
                "content": [{"type": "Text", "text": answer}], "phase": "final_answer"}}),
        json!({"type": "task_complete", "turn_id": turn, "duration_ms": 3000}),
    ];
    let appended: String = lines
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let ts = format!("2026-11-19T01:00:0{i}.000Z");
            common::paginate::paged_line(&ts, next + i as u64, "event_msg", p) + "\n"
        })
        .collect();
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(rollout)
        .unwrap();
    std::io::Write::write_all(&mut f, appended.as_bytes()).unwrap();
    drop(f);
    let md = hover_with(&mut c, "run twice in dev");
    assert!(md.contains("run twice in dev"), "{md}");
    assert!(c.shutdown().success());

    // The new turn's prompt, answer and end, once; one session.
    assert_eq!(
        env.json(&["verify", "--json"])["events"].as_u64(),
        Some(before + 3)
    );
    assert_eq!(
        env.json(&["sessions", "--json"]).as_array().unwrap().len(),
        1
    );
}

/// A Claude Code session written while the server runs (Claude Code beside the editor) reaches
/// the hover like a Codex one, said to be from Claude Code.
#[test]
fn a_claude_code_session_written_while_the_server_runs_reaches_the_hover() {
    let env = Env::new();
    let (ws, files) = scenario(&env, "react-first-app");
    let first = std::fs::read_to_string(&files[0]).unwrap();
    for f in &files {
        std::fs::remove_file(f).unwrap();
    }
    let claude = env.root.path().join("claude");
    std::fs::create_dir_all(claude.join("projects")).unwrap();
    let hook = ws.join("src/useTodos.ts");
    let mut cmd = env.cmd();
    cmd.env("CLAUDE_CONFIG_DIR", &claude);
    let mut c = Client::start(cmd);
    c.initialize(&ws, json!({}));
    c.open(&hook, "typescript");
    let at = pos(&hook, "useEffect(() =>", "useEffect", 1);
    assert_eq!(hover(&mut c, &hook, at.clone()), Value::Null);

    let session = "01a1f108-2bd8-7490-959a-7a32d1fadf22";
    let rel = common::claudify::transcript_path(ws.to_str().unwrap(), session);
    let path = claude.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, common::claudify::claudify(&first)).unwrap();
    let h = c.poll(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&hook)}, "position": at}),
        WAIT,
        |r| !r.is_null(),
    );
    let md = h["contents"]["value"].as_str().unwrap_or("");
    assert!(md.contains("what is useEffect actually doing"), "{md}");
    assert!(md.contains("in Claude Code"), "{md}");
    assert!(c.shutdown().success());
}

#[test]
fn a_command_typed_in_a_terminal_reaches_the_store_once_while_the_server_runs() {
    use sessionlens::capture::shell::{Typed, line};
    let env = Env::new();
    let ws = ingested(&env);
    let mut c = Client::start(env.cmd());
    c.initialize(&ws, json!({}));
    let spool = env.state_dir().join("commands.spool");
    let now_us = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_micros() as u64
    };
    let typed = |command: &str, end_us: u64, exit_code: i32| Typed {
        shell: "zsh".into(),
        shell_session: "4242-1".into(),
        start_us: Some(end_us - 300_000),
        end_us: Some(end_us),
        exit_code,
        cwd: ws.display().to_string(),
        command: command.into(),
    };
    let append = |t: &Typed| {
        use std::io::Write;
        std::fs::create_dir_all(spool.parent().unwrap()).unwrap();
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&spool)
            .unwrap();
        f.write_all(line(t).as_bytes()).unwrap();
    };
    // A deploy typed by hand, and a build that VS Code's shell integration also reports, with
    // its output, as it ends.
    append(&typed("npx netlify deploy --prod --dir dist", now_us(), 0));
    c.notify(
        "sessionlens/commandFinished",
        json!({"command": "npm run build", "cwd": ws, "exitCode": 2, "durationMs": 300,
               "output": "error TS2322"}),
    );
    append(&typed("npm run build", now_us(), 2));

    let terminal_commands = || -> Vec<Value> {
        let sessions = env.json(&["sessions", "--json"]);
        let Some(s) = sessions
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["source"] == "terminal")
        else {
            return Vec::new();
        };
        let events = env.json(&["timeline", s["id"].as_str().unwrap(), "--json"]);
        events
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "command")
            .cloned()
            .collect()
    };
    let deadline = std::time::Instant::now() + WAIT;
    let commands = loop {
        let found = terminal_commands();
        let spooled = std::fs::read(&spool).map_or(0, |b| b.len());
        let taken = std::fs::read_dir(spool.parent().unwrap()).unwrap().count();
        if found.len() >= 2 && spooled == 0 && taken == 1 {
            break found;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the spool was not consumed: {found:?}, {spooled} bytes left"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let seen: Vec<(String, String, String)> = commands
        .iter()
        .map(|e| {
            (
                e["command"].as_str().unwrap().to_owned(),
                e["tool"].as_str().unwrap_or("").to_owned(),
                e["output"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                "npm run build".into(),
                "terminal".into(),
                "error TS2322".into()
            ),
            (
                "npx netlify deploy --prod --dir dist".into(),
                "zsh".into(),
                String::new()
            ),
        ],
        "{commands:#?}"
    );
    assert!(c.shutdown().success());
    env.ok(&["verify"]);
}

/// The hostile-frame corpus (`tests/fixtures/hostile/lsp/`, its README says what each file is):
/// every file, in name order, then a generated 70 MB frame.
fn hostile_cases() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hostile/lsp");
    let mut cases: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "bin"))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    cases.sort();
    assert!(cases.len() >= 40, "the corpus is in {}", dir.display());
    // 70 MB, over the server's 64 MiB cap, as one request whose id comes first.
    let open = br#"{"jsonrpc":"2.0","id":"error:70-mb","method":"textDocument/hover","params":{"padding":""#;
    let close = br#""}}"#;
    let len = 70 * 1000 * 1000;
    let mut huge = format!("Content-Length: {len}\r\n\r\n").into_bytes();
    huge.extend_from_slice(open);
    huge.resize(huge.len() + len - open.len() - close.len(), b'x');
    huge.extend_from_slice(close);
    cases.push(("70-mb-frame (generated)".into(), huge));
    cases
}

/// The ids a case's requests declare an answer for: `error:…` and `result:…` strings.
fn declared_ids(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(1 << 20)]);
    regex::Regex::new(r#""id":"((?:error|result):[^"]*)""#)
        .unwrap()
        .captures_iter(&text)
        .map(|c| c[1].to_owned())
        .collect()
}

/// Frames no editor should send — JSON that is not JSON-RPC, wrong lengths, garbage, invalid
/// text, a 70 MB frame — never kill the server or leave it deaf: after each case of the corpus
/// a hover is answered. Requests are answered as their ids declare (an error or a result, with
/// that id) and nothing else is answered. Documents that are no regular files are opened and
/// closed within a second each; an escaped method name is the method; `shutdown` with
/// `"params": null` (Eglot, lsp4ij) shuts down, storing the hand edits made before it.
#[test]
fn hostile_frames_never_kill_the_server_or_leave_it_deaf() {
    let env = Env::new();
    let ws = ingested(&env);
    let hook = ws.join("src/useTodos.ts");
    let at = pos(&hook, "useEffect(() =>", "useEffect", 1);
    let hover_params = json!({"textDocument": {"uri": uri(&hook)}, "position": at});
    let mut c = Client::start_capturing_stderr(env.cmd());
    let cases = hostile_cases();
    for (_, bytes) in cases.iter().filter(|(name, _)| name.starts_with("00-")) {
        c.send_bytes(bytes);
    }
    c.initialize(&ws, json!({}));
    c.open(&hook, "typescript");
    let expected = c.request("textDocument/hover", hover_params.clone());
    assert!(
        expected["contents"]["value"].as_str().is_some(),
        "{expected}"
    );

    for (n, (name, bytes)) in cases.iter().enumerate() {
        if !name.starts_with("00-") {
            c.send_bytes(bytes);
        }
        // A hover after it, with an id no case uses; every answer until its own is kept.
        let probe = json!(format!("probe-{n}"));
        c.send_raw(
            serde_json::to_string(&json!({"jsonrpc": "2.0", "id": probe,
                "method": "textDocument/hover", "params": hover_params}))
            .unwrap()
            .as_bytes(),
        );
        let mut answers: Vec<Value> = Vec::new();
        let mut declared = declared_ids(bytes);
        loop {
            let msg = c
                .recv(WAIT)
                .unwrap_or_else(|| panic!("after {name}: no answer to the hover"));
            if msg.get("method").is_some() {
                continue; // the server's own requests and notifications
            }
            if msg["id"] == probe {
                assert_eq!(msg["result"], expected, "after {name}: {msg}");
                break;
            }
            answers.push(msg);
        }
        // Answers to the case's requests may come after the hover's (handlers run at once).
        while let Some(missing) = declared
            .iter()
            .find(|id| !answers.iter().any(|a| a["id"] == json!(id)))
        {
            let msg = c
                .recv(WAIT)
                .unwrap_or_else(|| panic!("{name}: no answer to {missing}; got {answers:?}"));
            if msg.get("method").is_none() {
                answers.push(msg);
            }
        }
        for a in &answers {
            let id = a["id"].as_str().unwrap_or_default();
            assert!(
                declared.iter().any(|d| d == id),
                "{name}: an answer with an id no request of it declared: {a}"
            );
            if id.starts_with("error:") {
                assert!(
                    a["error"]["code"].is_i64() && a.get("result").is_none(),
                    "{name}: {a}"
                );
            } else {
                assert!(
                    a.get("error").is_none() && a.get("result").is_some(),
                    "{name}: {a}"
                );
            }
        }
        declared.clear();
    }

    // Documents that are no regular files, opened and closed: the server reads none of them from
    // disk (a device or a FIFO would block it or never end). Each round trip within a second.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("/dev/zero", ws.join("src/zero.ts")).unwrap();
        std::os::unix::fs::symlink("/dev/stdin", ws.join("src/stdin.ts")).unwrap();
        let fifo = ws.join("src/pipe.ts");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        for special in [
            PathBuf::from("/dev/stdin"),
            ws.join("src/stdin.ts"),
            PathBuf::from("/dev/urandom"),
            ws.join("src/zero.ts"),
            fifo,
            PathBuf::from("/proc/self/environ"),
        ] {
            let started = std::time::Instant::now();
            c.open_text(&special, "typescript", "export const x = 1;\n");
            c.notify(
                "textDocument/didClose",
                json!({"textDocument": {"uri": uri(&special)}}),
            );
            let h = c
                .request_within(
                    "textDocument/hover",
                    hover_params.clone(),
                    Duration::from_secs(1),
                )
                .unwrap_or_else(|| panic!("{}: no hover within 1 s", special.display()));
            assert!(
                started.elapsed() < Duration::from_secs(1),
                "{}: {:?}",
                special.display(),
                started.elapsed()
            );
            assert_eq!(h["result"], expected, "after {}: {h}", special.display());
        }
    }
    // An escaped method name is the method: the same answer as the plain one.
    let escaped = format!(
        r#"{{"jsonrpc":"2.0","id":"esc","method":"textDocument\/hover","params":{hover_params}}}"#
    );
    c.send_raw(escaped.as_bytes());
    assert_eq!(c.answer(&json!("esc"))["result"], expected);
    // A hand edit, then `shutdown` with null params: a null result, not InvalidParams, and the
    // edit stored (shutdown is what stores it).
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&hook), "version": 2},
               "contentChanges": [{"range": {"start": {"line": 0, "character": 0},
                                             "end": {"line": 0, "character": 0}},
                                   "text": "// hand edit\n"}]}),
    );
    c.send_raw(br#"{"jsonrpc":"2.0","id":"bye","method":"shutdown","params":null}"#);
    let bye = c.answer(&json!("bye"));
    assert!(
        bye.get("error").is_none() && bye["result"].is_null(),
        "{bye}"
    );
    let stderr = c.stderr();
    assert!(c.exit().success());
    assert!(!stderr.contains("panicked"), "{stderr}");
    let edits = env.live_events("editor");
    assert!(
        edits
            .iter()
            .any(|e| e.contains(r#""kind":"editor_edit","file":"src/useTodos.ts""#)),
        "{edits:#?}"
    );
}
