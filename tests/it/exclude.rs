//! Exclusions and access, end to end through the real binary. For every source — Codex rollouts
//! and Claude Code transcripts (`ingest`), the Codex and Claude Code hooks (briefing, transcript,
//! live fallback), commands typed in a shell (the spool), the language server (hand edits,
//! terminal commands, hover and lenses) and MCP `record_learning` — a session run in an excluded
//! folder (by a pattern of the settings file, the editor's `exclude` setting, or a
//! `.sessionlens-ignore` file) never reaches the store, while its sibling folder's does: each
//! source writes a unique marker, looked for in the raw bytes of the store file (every event here
//! is small enough to be stored uncompressed; the sibling's marker, found, shows the search
//! works) and in `sessions --json`. Then what an unreadable settings file does (nothing is
//! stored), and `sessionlens status` on a real store, with a data dir made `0700` and a store
//! another user owns refused.

use crate::common;

use common::lsp::{Client, uri};
use common::*;
use rmcp::ServiceExt;
use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::transport::TokioChildProcess;
use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

/// The settings file the binary reads in `env` (HOME is the env's root).
fn settings_file(env: &Env) -> PathBuf {
    env.root.path().join(".config/sessionlens/config.toml")
}

/// Writes the settings file with these `exclude` patterns.
fn exclude(env: &Env, patterns: &[&Path]) {
    let file = settings_file(env);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    let list: Vec<String> = patterns
        .iter()
        .map(|p| format!("{:?}", p.display().to_string()))
        .collect();
    std::fs::write(&file, format!("exclude = [{}]\n", list.join(", "))).unwrap();
}

/// A folder under the env's root, made.
fn folder(env: &Env, rel: &str) -> PathBuf {
    let p = env.root.path().join(rel);
    std::fs::create_dir_all(&p).unwrap();
    p
}

/// Whether the store file (or the head file beside it) holds `marker` anywhere in its bytes.
fn in_store(env: &Env, marker: &str) -> bool {
    let store = env.data_dir().join("store.redb");
    let bytes = std::fs::read(&store).unwrap_or_default();
    let head = std::fs::read(store.with_extension("redb.head")).unwrap_or_default();
    [bytes, head]
        .iter()
        .any(|b| b.windows(marker.len()).any(|w| w == marker.as_bytes()))
}

/// The folders of the stored sessions, as `sessions --json` lists them.
fn session_folders(env: &Env) -> Vec<String> {
    env.json(&["sessions", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["cwd"].as_str().map(str::to_owned))
        .collect()
}

/// Asserts `excluded` never reached the store and `kept` did, and that no stored session ran
/// under `out`.
fn only_the_sibling(env: &Env, excluded: &str, kept: &str, out: &Path) {
    assert!(
        in_store(env, kept),
        "{kept} is in the store (the search works)"
    );
    assert!(!in_store(env, excluded), "{excluded} reached the store");
    let folders = session_folders(env);
    assert!(
        folders.iter().all(|f| !Path::new(f).starts_with(out)),
        "a session of {} was stored: {folders:?}",
        out.display()
    );
}

/// A small Codex rollout (legacy envelope) of thread `id`, run in `cwd`, whose one prompt says
/// `prompt`; written to the env's Codex home and returned.
fn rollout(env: &Env, id: &str, cwd: &Path, prompt: &str) -> PathBuf {
    let day = env.codex_home().join("sessions/2026/01/05");
    std::fs::create_dir_all(&day).unwrap();
    let path = day.join(format!("rollout-2026-01-05T10-00-00-{id}.jsonl"));
    let cwd = cwd.display().to_string();
    let turn = format!("{id}-t1");
    let lines = [
        json!({"timestamp": "2026-01-05T10:00:00.000Z", "type": "session_meta", "payload": {
            "id": id, "timestamp": "2026-01-05T10:00:00.000Z", "cwd": cwd,
            "originator": "codex_cli_rs", "cli_version": "0.120.0", "source": "cli"}}),
        json!({"timestamp": "2026-01-05T10:00:01.000Z", "type": "turn_context", "payload": {
            "turn_id": turn, "cwd": cwd, "approval_policy": "on-request",
            "sandbox_policy": {"type": "workspace-write"}, "model": "gpt-5.4"}}),
        json!({"timestamp": "2026-01-05T10:00:01.100Z", "type": "event_msg", "payload": {
            "type": "user_message", "message": prompt, "images": []}}),
        json!({"timestamp": "2026-01-05T10:00:02.000Z", "type": "event_msg", "payload": {
            "type": "agent_message", "message": "Done.", "phase": "final_answer"}}),
        json!({"timestamp": "2026-01-05T10:00:02.100Z", "type": "event_msg", "payload": {
            "type": "task_complete", "turn_id": turn, "last_agent_message": "Done."}}),
    ];
    write_lines(&path, &lines, false);
    path
}

/// A later turn appended to a rollout written by [`rollout`].
fn rollout_turn(path: &Path, id: &str, cwd: &Path, prompt: &str) {
    let turn = format!("{id}-t2");
    let cwd = cwd.display().to_string();
    let lines = [
        json!({"timestamp": "2026-01-05T11:00:01.000Z", "type": "turn_context", "payload": {
            "turn_id": turn, "cwd": cwd, "approval_policy": "on-request",
            "sandbox_policy": {"type": "workspace-write"}, "model": "gpt-5.4"}}),
        json!({"timestamp": "2026-01-05T11:00:01.100Z", "type": "event_msg", "payload": {
            "type": "user_message", "message": prompt, "images": []}}),
        json!({"timestamp": "2026-01-05T11:00:02.100Z", "type": "event_msg", "payload": {
            "type": "task_complete", "turn_id": turn, "last_agent_message": "Done."}}),
    ];
    write_lines(path, &lines, true);
}

/// A small Claude Code transcript of session `id`, run in `cwd`, whose prompts say `prompts`;
/// written where Claude Code keeps it under the env's HOME (`~/.claude/projects/`).
fn transcript(env: &Env, id: &str, cwd: &Path, prompts: &[&str], append: bool) -> PathBuf {
    let cwd = cwd.display().to_string();
    let dir = env
        .root
        .path()
        .join(".claude/projects")
        .join(cwd.replace(['/', '.'], "-"));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{id}.jsonl"));
    let mut lines = Vec::new();
    for (i, p) in prompts.iter().enumerate() {
        let n = i + usize::from(append) * 10;
        let at = |s: usize| format!("2026-01-05T10:{n:02}:{s:02}.000Z");
        lines.push(
            json!({"type": "user", "uuid": format!("{id}-u{n}"), "timestamp": at(0),
            "sessionId": id, "cwd": cwd, "version": "2.1.50", "gitBranch": "main",
            "message": {"role": "user", "content": p}}),
        );
        lines.push(
            json!({"type": "assistant", "uuid": format!("{id}-a{n}"), "timestamp": at(5),
            "sessionId": id, "cwd": cwd, "message": {"id": format!("msg-{id}-{n}"),
            "model": "claude-opus-4-6", "role": "assistant",
            "content": [{"type": "text", "text": "Done."}],
            "usage": {"input_tokens": 10, "output_tokens": 5}}}),
        );
    }
    write_lines(&path, &lines, append);
    path
}

fn write_lines(path: &Path, lines: &[Value], append: bool) {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(append)
        .write(true)
        .truncate(!append)
        .open(path)
        .unwrap();
    for l in lines {
        writeln!(f, "{l}").unwrap();
    }
}

#[test]
fn codex_and_claude_sessions_of_an_excluded_folder_never_reach_the_store() {
    let env = Env::new();
    let client = folder(&env, "work/client-acme");
    let nda = folder(&env, "work/nda");
    let nda_app = folder(&env, "work/nda/app");
    let mine = folder(&env, "work/mine");
    // The settings file names one folder; the other is marked by a file in it, above the
    // session's own folder.
    exclude(&env, &[&client]);
    std::fs::write(nda.join(".sessionlens-ignore"), "").unwrap();

    let codex_out = rollout(
        &env,
        "019c0000-0000-7000-8000-00000000000a",
        &client.join("api"),
        "ZQX-CODEX-CLIENT why does the invoice total drift",
    );
    rollout(
        &env,
        "019c0000-0000-7000-8000-00000000000b",
        &mine,
        "ZQX-CODEX-MINE why does my build fail",
    );
    let claude_out = "0f3c2a4e-0000-4000-8000-00000000000a";
    transcript(
        &env,
        claude_out,
        &nda_app,
        &["ZQX-CLAUDE-NDA summarize the contract"],
        false,
    );
    let claude_mine = "0f3c2a4e-0000-4000-8000-00000000000b";
    transcript(
        &env,
        claude_mine,
        &mine,
        &["ZQX-CLAUDE-MINE what is a borrow"],
        false,
    );

    let report = env.json(&["ingest", "--idle-minutes", "0", "--json"]);
    assert_eq!(report["files"], 4, "{report:#}");
    assert_eq!(report["files_excluded"], 2, "{report:#}");
    only_the_sibling(&env, "ZQX-CODEX-CLIENT", "ZQX-CODEX-MINE", &client);
    only_the_sibling(&env, "ZQX-CLAUDE-NDA", "ZQX-CLAUDE-MINE", &nda);
    assert!(!in_store(&env, "invoice total"), "nothing of the prompt");
    let folders = session_folders(&env);
    assert_eq!(folders.len(), 2, "{folders:?}");

    // The sessions go on: the excluded files are passed over as they grow, unread; the
    // sibling's new turns are stored.
    rollout_turn(
        &codex_out,
        "019c0000-0000-7000-8000-00000000000a",
        &client.join("api"),
        "ZQX-CODEX-CLIENT-2 and the tax",
    );
    transcript(
        &env,
        claude_out,
        &nda_app,
        &["ZQX-CLAUDE-NDA-2 and the annex"],
        true,
    );
    transcript(
        &env,
        claude_mine,
        &mine,
        &["ZQX-CLAUDE-MINE-2 and lifetimes"],
        true,
    );
    let text = env.ok(&["ingest", "--idle-minutes", "0"]);
    assert!(text.contains("Left out as excluded: 2 files"), "{text}");
    only_the_sibling(&env, "ZQX-CODEX-CLIENT-2", "ZQX-CLAUDE-MINE-2", &client);
    assert!(!in_store(&env, "ZQX-CLAUDE-NDA-2"));

    // Lifting the exclusions brings nothing of what was passed over back: exclusions apply to
    // what is written while they are set.
    exclude(&env, &[]);
    std::fs::remove_file(nda.join(".sessionlens-ignore")).unwrap();
    transcript(
        &env,
        claude_out,
        &nda_app,
        &["ZQX-CLAUDE-NDA-3 one more"],
        true,
    );
    env.ok(&["ingest", "--idle-minutes", "0"]);
    for marker in ["ZQX-CODEX-CLIENT", "ZQX-CLAUDE-NDA", "ZQX-CLAUDE-NDA-3"] {
        assert!(!in_store(&env, marker), "{marker}");
    }
    // A session started in the folder now is stored.
    rollout(
        &env,
        "019c0000-0000-7000-8000-00000000000c",
        &client,
        "ZQX-CODEX-CLIENT-LATER after the contract",
    );
    env.ok(&["ingest", "codex", "--idle-minutes", "0"]);
    assert!(in_store(&env, "ZQX-CODEX-CLIENT-LATER"));
    env.ok(&["verify"]);
}

#[test]
fn exclusions_that_cannot_be_read_stop_every_write() {
    let env = Env::new();
    let mine = folder(&env, "work/mine");
    rollout(
        &env,
        "019c0000-0000-7000-8000-0000000000d1",
        &mine,
        "ZQX-WAITS",
    );
    let file = settings_file(&env);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    for (bad, says) in [
        ("exclude = [\"work/client\"]\n", "not a full path"),
        (
            "[terminal]\nexclude = [\"/w\"]\n",
            "move it above [terminal]",
        ),
        ("exclude = [\"/w/[\"]\n", "not a glob"),
    ] {
        std::fs::write(&file, bad).unwrap();
        let out = env.run(&["ingest", "codex", "--idle-minutes", "0"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{bad}: {err}");
        assert!(err.contains(says), "{bad}: {err}");
        let status = env.run(&["status"]);
        assert_eq!(status.status.code(), Some(1), "{bad}");
        let text = String::from_utf8_lossy(&status.stdout);
        assert!(text.contains("cannot be read"), "{text}");
    }
    assert!(!in_store(&env, "ZQX-WAITS"));
    std::fs::write(&file, "exclude = []\n").unwrap();
    env.ok(&["ingest", "codex", "--idle-minutes", "0"]);
    assert!(in_store(&env, "ZQX-WAITS"));
}

/// Runs a hook subcommand (`codex-hook`, `claude-hook`) with `stdin`; (stdout, stderr), after
/// checking it exited 0 as hooks always do.
fn run_hook(env: &Env, hook: &str, stdin: &str) -> (String, String) {
    let mut c = env.cmd();
    c.env("SESSIONLENS_NOW", "2026-11-25T12:00:00Z").arg(hook);
    let out = Env::feed(&mut c, stdin);
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "{err}");
    (String::from_utf8(out.stdout).unwrap(), err)
}

/// A `PostToolUse` of a shell command as `hook`'s assistant sends it, naming `transcript`.
fn post_tool_use(cwd: &Path, hook: &str, command: &str, transcript: Option<&Path>) -> String {
    json!({
        "session_id": "019e0000-0000-7000-8000-0000000000aa",
        "transcript_path": transcript,
        "cwd": cwd,
        "hook_event_name": "PostToolUse",
        "tool_name": "Bash",
        "tool_input": { "command": command },
        "tool_response": if hook == "claude-hook" {
            json!({"stdout": "ok", "stderr": ""})
        } else {
            json!("Exit code: 0\nWall time: 0.1 seconds\nOutput:\nok\n")
        },
    })
    .to_string()
}

#[test]
fn the_hooks_brief_nothing_and_store_nothing_for_an_excluded_folder() {
    let s = Scenario::new();
    let env = &s.env;
    let client = folder(env, "work/client");
    let mine = folder(env, "work/mine");
    exclude(env, &[&client]);
    let start = |cwd: &Path| {
        json!({"session_id": "s", "cwd": cwd, "hook_event_name": "SessionStart",
            "source": "startup"})
        .to_string()
    };

    for hook in ["codex-hook", "claude-hook"] {
        // The briefing: the scenario's workspace has open questions, until it is marked.
        let (out, _) = run_hook(env, hook, &start(&s.ws));
        assert!(out.contains("additionalContext"), "{hook}: {out}");
        std::fs::write(s.ws.join(".sessionlens-ignore"), "").unwrap();
        let (out, _) = run_hook(env, hook, &start(&s.ws));
        assert_eq!(out, "", "{hook}: nothing for an excluded folder");
        let prompt = json!({"session_id": "s", "cwd": s.ws.join("src"),
            "hook_event_name": "UserPromptSubmit", "prompt": "why is useEffect running twice?"})
        .to_string();
        assert_eq!(run_hook(env, hook, &prompt).0, "", "{hook}");
        std::fs::remove_file(s.ws.join(".sessionlens-ignore")).unwrap();

        // The live fallback (no transcript): a command run in the excluded folder is not stored.
        let marker = |folder: &str| format!("echo ZQX-{hook}-{folder}");
        run_hook(
            env,
            hook,
            &post_tool_use(&client, hook, &marker("CLIENT"), None),
        );
        run_hook(
            env,
            hook,
            &post_tool_use(&mine, hook, &marker("MINE"), None),
        );
        only_the_sibling(
            env,
            &format!("ZQX-{hook}-CLIENT"),
            &format!("ZQX-{hook}-MINE"),
            &client,
        );
    }

    // A transcript the hook is pointed at, of a session in the excluded folder: not read, and
    // passed over by the next ingest.
    let rollout = rollout(
        env,
        "019c0000-0000-7000-8000-0000000000e1",
        &client,
        "ZQX-HOOK-ROLLOUT-CLIENT",
    );
    run_hook(
        env,
        "codex-hook",
        &post_tool_use(&client, "codex-hook", "ls", Some(&rollout)),
    );
    let claude = transcript(
        env,
        "0f3c2a4e-0000-4000-8000-0000000000e1",
        &client,
        &["ZQX-HOOK-TRANSCRIPT-CLIENT"],
        false,
    );
    run_hook(
        env,
        "claude-hook",
        &post_tool_use(&client, "claude-hook", "ls", Some(&claude)),
    );
    assert!(!in_store(env, "ZQX-HOOK-ROLLOUT-CLIENT"));
    assert!(!in_store(env, "ZQX-HOOK-TRANSCRIPT-CLIENT"));
    let report = env.json(&["ingest", "--idle-minutes", "0", "--json"]);
    assert_eq!(report["files_excluded"], 2, "{report:#}");
    assert!(!in_store(env, "ZQX-HOOK-ROLLOUT-CLIENT"));
    assert!(!in_store(env, "ZQX-HOOK-TRANSCRIPT-CLIENT"));
    // The sibling's transcript, through the hook, is stored.
    let ours = transcript(
        env,
        "0f3c2a4e-0000-4000-8000-0000000000e2",
        &mine,
        &["ZQX-HOOK-TRANSCRIPT-MINE"],
        false,
    );
    run_hook(
        env,
        "claude-hook",
        &post_tool_use(&mine, "claude-hook", "ls", Some(&ours)),
    );
    only_the_sibling(
        env,
        "ZQX-HOOK-TRANSCRIPT-CLIENT",
        "ZQX-HOOK-TRANSCRIPT-MINE",
        &client,
    );
}

#[test]
fn commands_typed_in_an_excluded_folder_never_leave_the_spool_for_the_store() {
    use sessionlens::capture::shell::{Typed, line};
    let env = Env::new();
    let client = folder(&env, "work/client");
    let mine = folder(&env, "work/mine");
    exclude(&env, &[&client.parent().unwrap().join("cli*")]);
    let state = env.state_dir();
    std::fs::create_dir_all(&state).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_micros() as u64;
    let typed = |cwd: &Path, command: &str, at: u64| Typed {
        shell: "bash".into(),
        shell_session: "4242-1".into(),
        start_us: Some(at - 1000),
        end_us: Some(at),
        exit_code: 0,
        cwd: cwd.display().to_string(),
        command: command.into(),
    };
    let spool = [
        line(&typed(&client, "deploy ZQX-SHELL-CLIENT", now - 60_000_000)),
        line(&typed(
            &client.join("sub"),
            "ls ZQX-SHELL-CLIENT-SUB",
            now - 50_000_000,
        )),
        line(&typed(&mine, "make ZQX-SHELL-MINE", now - 40_000_000)),
    ]
    .concat();
    let spool_file = state.join("commands.spool");
    std::fs::write(&spool_file, spool).unwrap();
    let report = env.json(&["ingest", "terminal", "--json"]);
    assert_eq!(report["terminal"]["commands"], 1, "{report:#}");
    assert_eq!(report["terminal"]["excluded"], 2, "{report:#}");
    only_the_sibling(&env, "ZQX-SHELL-CLIENT", "ZQX-SHELL-MINE", &client);
    assert!(!in_store(&env, "ZQX-SHELL-CLIENT-SUB"));
    // Nothing of it lingers on disk either: the spool was read whole and emptied.
    assert_eq!(std::fs::read(&spool_file).unwrap_or_default(), b"");
    let text = env.ok(&["status"]);
    assert!(text.contains("Spool:") && text.contains("empty"), "{text}");
}

fn tool_text(r: &CallToolResult) -> String {
    r.content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mcp_record_learning_about_an_excluded_folder_is_refused() {
    let s = Scenario::new();
    let client = folder(&s.env, "work/client");
    let mine = folder(&s.env, "work/mine");
    exclude(&s.env, &[&client]);
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_sessionlens"));
    cmd.arg("mcp")
        .current_dir(&s.ws)
        .env("SESSIONLENS_DATA_DIR", s.env.data_dir())
        .env("CODEX_HOME", s.env.codex_home())
        .env("HOME", s.env.root.path())
        .env("TZ", "UTC")
        .env_remove("SESSIONLENS_CONFIG")
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("SESSIONLENS_LOG")
        .env_remove("RUST_LOG");
    let client_mcp = ().serve(TokioChildProcess::new(cmd).unwrap()).await.unwrap();
    let call = |args: Value| {
        let Value::Object(args) = args else {
            unreachable!()
        };
        client_mcp.call_tool(CallToolRequestParams::new("record_learning").with_arguments(args))
    };
    let refused = call(json!({"topic": "ZQX-MCP-CLIENT invoices", "takeaway":
        "ZQX-MCP-CLIENT totals are rounded per line", "workspace": client.join("api")}))
    .await
    .unwrap();
    assert_eq!(refused.is_error, Some(true), "{refused:?}");
    let said = tool_text(&refused);
    assert!(
        said.contains("not recorded") && said.contains("excluded by"),
        "{said}"
    );
    let kept = call(json!({"topic": "ZQX-MCP-MINE lifetimes", "takeaway":
        "ZQX-MCP-MINE a borrow ends at its last use", "workspace": mine}))
    .await
    .unwrap();
    assert_ne!(kept.is_error, Some(true), "{kept:?}");
    // Asked about the excluded folder, the tools say so and nothing else.
    let Value::Object(args) = json!({"workspace": client}) else {
        unreachable!()
    };
    let gaps = client_mcp
        .call_tool(CallToolRequestParams::new("open_gaps").with_arguments(args))
        .await
        .unwrap();
    let said = tool_text(&gaps);
    assert!(
        said.contains("Nothing:") && said.contains("excluded"),
        "{said}"
    );
    client_mcp.cancel().await.unwrap();
    only_the_sibling(&s.env, "ZQX-MCP-CLIENT", "ZQX-MCP-MINE", &client);
}

#[test]
fn the_language_server_stores_and_shows_nothing_in_an_excluded_folder() {
    let env = Env::new();
    let (ws, _) = scenario(&env, "react-first-app");
    env.ok(&["ingest", "codex", "--idle-minutes", "0"]);
    // One folder marked by a file, one excluded by the editor's setting, and their sibling.
    let acme = ws.join("clients/acme");
    let private = ws.join("private");
    for dir in [&acme, &private] {
        std::fs::create_dir_all(dir).unwrap();
    }
    std::fs::write(acme.join(".sessionlens-ignore"), "").unwrap();
    let code = |name: &str| {
        format!(
            "import {{ useEffect }} from 'react';\n\nexport function {name}() {{\n  useEffect(() => {{}}, []);\n  return null;\n}}\n"
        )
    };
    let files = [
        (acme.join("zqxAcme.ts"), "zqxAcmeWidget"),
        (private.join("zqxPrivate.ts"), "zqxPrivateWidget"),
        (ws.join("src/zqxMine.ts"), "zqxMineWidget"),
    ];
    for (path, name) in &files {
        std::fs::write(path, code(name)).unwrap();
    }
    let mut c = Client::start(env.cmd());
    c.initialize(&ws, json!({ "exclude": [private] }));
    for (path, _) in &files {
        c.open(path, "typescript");
    }
    let at = json!({"line": 3, "character": 4});
    let hover = |c: &mut Client, path: &Path| {
        c.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri(path)}, "position": at}),
        )
    };
    // Once the knowledge is in, the sibling's useEffect says what was learned; the excluded
    // files say nothing, and have no lens.
    let mine = &files[2].0;
    let shown = c.poll(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(mine)}, "position": at}),
        Duration::from_secs(20),
        |r| !r.is_null(),
    );
    assert!(shown.to_string().contains("useEffect"), "{shown}");
    for (path, _) in &files[..2] {
        assert_eq!(hover(&mut c, path), Value::Null, "{}", path.display());
        let lenses = c.request(
            "textDocument/codeLens",
            json!({"textDocument": {"uri": uri(path)}}),
        );
        assert!(lenses.as_array().is_none_or(|l| l.is_empty()), "{lenses}");
    }
    // Hand edits and terminal commands in each folder.
    for (path, name) in &files {
        c.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": uri(path), "version": 2},
                "contentChanges": [{
                    "range": {"start": {"line": 4, "character": 0},
                              "end": {"line": 4, "character": 0}},
                    "text": format!("  // {name} edited\n")
                }]
            }),
        );
        c.notify(
            "textDocument/didSave",
            json!({"textDocument": {"uri": uri(path)}}),
        );
        c.notify(
            "sessionlens/commandFinished",
            json!({"command": format!("npm test -- ZQX-TERM-{name}"),
                   "cwd": path.parent().unwrap(), "exitCode": 0}),
        );
    }
    assert!(c.shutdown().success());
    for (excluded, out) in [("zqxAcme", &acme), ("zqxPrivate", &private)] {
        only_the_sibling(&env, excluded, "zqxMine", out);
        only_the_sibling(
            &env,
            &format!("ZQX-TERM-{excluded}Widget"),
            "ZQX-TERM-zqxMineWidget",
            out,
        );
    }
    // The editor's session of the workspace holds only the sibling's edit.
    let edits: Vec<String> = env
        .live_events("editor")
        .into_iter()
        .filter(|e| e.contains("editor_edit"))
        .collect();
    assert_eq!(edits.len(), 1, "{edits:?}");
    assert!(edits[0].contains("src/zqxMine.ts"), "{edits:?}");
}

#[test]
fn status_says_where_data_lives_and_how_much() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    // Before anything: where things would go, and nothing made.
    let empty = env.json(&["status", "--json"]);
    assert_eq!(empty["data_dir"]["exists"], false, "{empty:#}");
    assert_eq!(empty["store"]["exists"], false);
    assert!(!env.data_dir().exists(), "status makes nothing");

    let (ws, _) = scenario(&env, "react-first-app");
    env.ok(&["ingest", "codex", "--idle-minutes", "0"]);
    let client = folder(&env, "work/client");
    exclude(&env, &[&client]);
    let line = "1\tbash\tx\t1\t2\t0\t/w\tls\n";
    std::fs::create_dir_all(env.state_dir()).unwrap();
    std::fs::write(env.state_dir().join("commands.spool"), line).unwrap();
    let pending = env.state_dir().join("pending");
    std::fs::create_dir_all(&pending).unwrap();
    std::fs::write(pending.join("1-1.jsonl"), "{}\n").unwrap();

    let status = |cwd: &Path| -> Value {
        let out = env
            .cmd()
            .args(["status", "--json"])
            .current_dir(cwd)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let s = status(&client);
    let data = env.data_dir();
    let store = data.join("store.redb");
    assert_eq!(s["data_dir"]["path"], json!(data));
    assert_eq!(s["data_dir"]["mode"], "0700", "made private: {s:#}");
    assert_eq!(s["data_dir"]["private"], true);
    let store_mode = std::fs::metadata(&store).unwrap().permissions().mode() & 0o777;
    assert_eq!(store_mode, 0o600);
    assert_eq!(s["store"]["path"], json!(store));
    assert_eq!(
        s["store"]["bytes"],
        std::fs::metadata(&store).unwrap().len()
    );
    let verify = env.json(&["verify", "--json"]);
    assert_eq!(s["store"]["events"], verify["events"], "{s:#}");
    let sessions = env.json(&["sessions", "--json"]);
    assert_eq!(
        s["store"]["sessions"],
        sessions.as_array().unwrap().len(),
        "{s:#}"
    );
    assert_eq!(s["head"]["exists"], true);
    assert_eq!(s["head"]["path"], json!(store.with_extension("redb.head")));
    assert_eq!(s["head"]["hash"], verify["head"], "{s:#} {verify:#}");
    assert_eq!(s["state_dir"]["path"], json!(env.state_dir()));
    assert_eq!(s["spool"]["bytes"], line.len());
    assert_eq!(s["pending"]["files"], 1);
    assert_eq!(s["settings"]["path"], json!(settings_file(&env)));
    assert_eq!(s["settings"]["exists"], true);
    assert_eq!(
        s["exclusions"]["patterns"],
        json!([{"pattern": client.display().to_string(), "origin": "settings"}])
    );
    assert_eq!(s["exclusions"]["marker"], ".sessionlens-ignore");
    assert_eq!(s["exclusions"]["here"]["folder"], json!(client));
    assert_eq!(
        s["exclusions"]["here"]["excluded"]["by"], "pattern",
        "{s:#}"
    );
    let s = status(&ws);
    assert_eq!(s["exclusions"]["here"]["excluded"], Value::Null);
    std::fs::write(ws.join(".sessionlens-ignore"), "").unwrap();
    let s = status(&ws.join("src"));
    assert_eq!(s["exclusions"]["here"]["excluded"]["by"], "marker", "{s:#}");

    // The text form says the same, in words.
    let out = env
        .cmd()
        .arg("status")
        .current_dir(&client)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for want in [
        "Data dir:",
        "only you can enter it",
        "Store:",
        &format!("{} events", verify["events"]),
        "Head:",
        "State dir:",
        "Spool:",
        "Pending:",
        "1 hook run waiting",
        "Settings:",
        "Excluded:",
        ".sessionlens-ignore",
        "Here:",
        "excluded by",
    ] {
        assert!(text.contains(want), "{want:?} in:\n{text}");
    }
}

#[test]
fn a_store_another_user_owns_is_refused() {
    use std::os::unix::fs::MetadataExt;
    let env = Env::new();
    env.ok(&["ingest", "codex"]);
    let me = std::fs::metadata(env.data_dir()).unwrap().uid();
    // Root can give the data dir away; anyone else finds one owned by root at `/`.
    let (theirs, owner) = if me == 0 {
        std::os::unix::fs::chown(env.data_dir(), Some(65534), Some(65534)).unwrap();
        (env.data_dir(), 65534)
    } else {
        (PathBuf::from("/"), 0)
    };
    let dir = theirs.display().to_string();
    for args in [
        vec!["--data-dir", &dir, "status"],
        vec!["--data-dir", &dir, "sessions"],
        vec!["--data-dir", &dir, "mcp"],
    ] {
        let out = env.run(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(&format!("belongs to user {owner}")),
            "{args:?}: {err}"
        );
    }
    // A hook answers nothing from it (and says why on stderr).
    let event = json!({"session_id": "s", "cwd": env.root.path(),
        "hook_event_name": "SessionStart", "source": "startup"})
    .to_string();
    let mut child = env
        .cmd()
        .args(["--data-dir", &dir, "codex-hook"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(event.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("belongs to user"), "{err}");
}
