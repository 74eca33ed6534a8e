//! Memory stays flat on huge lines wherever input is read line by line: a Codex rollout and a
//! Claude Code transcript with a 50 MB line, a 50 MB hook payload on stdin, and a shell-hook spool
//! with a 50 MB line each run through the real binary, whose peak RSS (the kernel's, from
//! `wait4`) must stay under 64 MiB — a bound only a reader that holds the line would cross — while
//! the ordinary lines around the huge one are still stored.

use crate::common;

use common::{Env, claude_fixture, copy_tree, fixture};
use serde_json::{Value, json};
use std::process::Stdio;

/// The huge line's size: far over every reader's bound (8 MiB).
const HUGE: usize = 50 * 1024 * 1024;
/// The bound on the process's peak resident memory.
const MAX_RSS_KIB: u64 = 64 * 1024;

/// What a run of the binary left: whether it exited 0, its stdout and stderr, its peak RSS.
struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
    max_rss_kib: u64,
}

/// Set in the environment of this test binary started again as a small parent (see
/// [`measuring_parent`]): the folder holding what to run and where its results go.
const PARENT: &str = "SESSIONLENS_MEMORY_PARENT";

/// Runs `sessionlens ARGS` in `env` with `input` on stdin and returns what it left, its peak RSS
/// included. The kernel's peak (`ru_maxrss`) counts what the process held before its `exec`: a
/// child spawned from this test process, which holds every running test's data (hundreds of MB
/// here), would inherit that figure. So the binary is run by a small parent — this test binary
/// started again for [`measuring_parent`] alone, a few MB — which reaps it with `wait4`. What
/// that parent held is counted in too, so the figure errs high, never low.
#[cfg(target_os = "linux")]
fn run_measured(env: &Env, args: &[&str], input: Option<Vec<u8>>) -> Run {
    let dir = tempfile::tempdir_in(env.root.path()).unwrap();
    let at = |name: &str| dir.path().join(name);
    std::fs::write(at("args"), args.join("\n")).unwrap();
    if let Some(input) = input {
        std::fs::write(at("stdin"), input).unwrap();
    }
    let mut parent = std::process::Command::new(std::env::current_exe().unwrap());
    env.isolate(&mut parent);
    let out = parent
        .args(["--exact", "memory::measuring_parent", "--test-threads", "1"])
        .env(PARENT, dir.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let result = std::fs::read_to_string(at("result")).unwrap_or_else(|_| {
        panic!(
            "the measuring parent wrote no result:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let (kib, code) = result.trim().split_once(' ').unwrap();
    Run {
        ok: code == "0",
        stdout: std::fs::read_to_string(at("stdout")).unwrap(),
        stderr: std::fs::read_to_string(at("stderr")).unwrap(),
        max_rss_kib: kib.parse().unwrap(),
    }
}

/// Not a test of its own: in an ordinary run it returns at once. Started by [`run_measured`]
/// with [`PARENT`] set, it is the small parent that runs the binary as that folder says (its
/// arguments one per line in `args`, its stdin from `stdin` if there is one), its stdout and
/// stderr to files, and writes the child's peak RSS in KiB and its exit code to `result`.
#[test]
#[cfg(target_os = "linux")]
fn measuring_parent() {
    let Some(dir) = std::env::var_os(PARENT).map(std::path::PathBuf::from) else {
        return;
    };
    let at = |name: &str| dir.join(name);
    let args = std::fs::read_to_string(at("args")).unwrap();
    let stdin = match std::fs::File::open(at("stdin")) {
        Ok(f) => Stdio::from(f),
        Err(_) => Stdio::null(),
    };
    // Reaped below with wait4 rather than `Child::wait`, which has no rusage.
    #[allow(clippy::zombie_processes)]
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_sessionlens"))
        .args(args.lines())
        .env_remove(PARENT)
        .stdin(stdin)
        .stdout(std::fs::File::create(at("stdout")).unwrap())
        .stderr(std::fs::File::create(at("stderr")).unwrap())
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: rusage is plain data that wait4 fills; the pid is this process's child, reaped once
    // here (std's Child is never waited on after this).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(reaped, pid, "wait4: {}", std::io::Error::last_os_error());
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    // Linux counts it in KiB.
    std::fs::write(at("result"), format!("{} {code}", usage.ru_maxrss)).unwrap();
}

#[cfg(target_os = "linux")]
fn check(what: &str, run: &Run) {
    assert!(run.ok, "{what}: {}\n{}", run.stdout, run.stderr);
    eprintln!("{what}: peak RSS {} KiB", run.max_rss_kib);
    assert!(
        run.max_rss_kib < MAX_RSS_KIB,
        "{what}: peak RSS {} KiB with a {HUGE}-byte line\n{}",
        run.max_rss_kib,
        run.stderr
    );
}

/// The texts of a session's prompts, as `timeline --json` shows them.
fn prompts(env: &Env, session: &str) -> Vec<String> {
    let timeline = env.json(&["timeline", session, "--json"]);
    timeline
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "prompt")
        .map(|e| e["text"].as_str().unwrap_or("").to_owned())
        .collect()
}

/// `lines` with `huge` put after the line at `after`, each line ending with a newline.
fn with_line_after(lines: &str, after: usize, huge: &str) -> String {
    let mut out = String::with_capacity(lines.len() + huge.len() + 1);
    for (n, line) in lines.lines().enumerate() {
        out.push_str(line);
        out.push('\n');
        if n == after {
            out.push_str(huge);
            out.push('\n');
        }
    }
    out
}

#[test]
#[cfg(target_os = "linux")]
fn a_codex_rollout_with_a_50_mb_line() {
    let env = Env::new();
    let name = common::G0.rsplit('/').next().unwrap();
    let text = std::fs::read_to_string(fixture(common::G0)).unwrap();
    // An inline screenshot, as the developer pasted it with the first question.
    let image = json!({"type": "message", "role": "user", "content": [{"type": "input_image",
        "image_url": format!("data:image/png;base64,{}", "A".repeat(HUGE))}]})
    .to_string();
    let day = env.codex_home().join("sessions/2025/07/14");
    std::fs::create_dir_all(&day).unwrap();
    std::fs::write(day.join(name), with_line_after(&text, 4, &image)).unwrap();
    drop(image);

    let run = run_measured(
        &env,
        &["ingest", "codex", "--json", "--idle-minutes", "0"],
        None,
    );
    check("ingest codex", &run);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["lines"]["oversized"], 1, "{report}");
    let got = prompts(&env, "5973b6c0-94b8-487b-a530-2aeb6098ae0e");
    assert_eq!(
        got,
        [
            "What is `useEffect` and why does my list fetch twice?",
            "Thanks, that makes sense now."
        ]
    );
}

#[test]
#[cfg(target_os = "linux")]
fn a_claude_code_transcript_with_a_50_mb_line() {
    let env = Env::new();
    let projects = env.root.path().join(".claude/projects");
    copy_tree(&claude_fixture("handwritten/projects"), &projects);
    let session = "5f3c0d7e-1111-4222-8333-444455556666";
    let path = projects.join(format!("-work-shop/{session}.jsonl"));
    let text = std::fs::read_to_string(&path).unwrap();
    // A tool result as large as a whole build log, after the first prompt.
    let result = json!({"parentUuid": "u-0001", "isSidechain": false, "type": "user",
        "sessionId": session, "cwd": "/work/shop", "uuid": "l-huge",
        "timestamp": "2026-11-20T10:00:07.000Z",
        "message": {"role": "user", "content": [{"type": "tool_result",
            "tool_use_id": "toolu_huge", "content": "log line\n".repeat(HUGE / 9)}]}})
    .to_string();
    std::fs::write(&path, with_line_after(&text, 2, &result)).unwrap();
    drop(result);

    let run = run_measured(
        &env,
        &["ingest", "claude", "--json", "--idle-minutes", "0"],
        None,
    );
    check("ingest claude", &run);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["lines"]["oversized"], 1, "{report}");
    let got = prompts(&env, session);
    assert!(
        got.iter().any(|p| p == "why does the cart test fail?")
            && got
                .iter()
                .any(|p| p.contains("does useEffect run twice in dev?")),
        "{got:#?}"
    );
}

/// A hook payload over the bound gets an empty answer (exit 0, nothing on stdout) and a line on
/// stderr; the next ordinary event is answered as usual.
#[test]
#[cfg(target_os = "linux")]
fn a_50_mb_hook_payload() {
    let env = Env::new();
    let payload = json!({"hook_event_name": "PostToolUse", "tool_name": "shell",
        "cwd": "/work/app", "session_id": "s", "tool_input": {"command": ["bash", "-lc", "ls"]},
        "tool_response": "x".repeat(HUGE)})
    .to_string()
    .into_bytes();
    for hook in ["codex-hook", "claude-hook"] {
        let run = run_measured(&env, &[hook], Some(payload.clone()));
        check(hook, &run);
        assert_eq!(run.stdout, "", "{hook}: an empty answer");
        assert!(
            run.stderr.contains("more than the 8388608 a hook reads"),
            "{hook}: {}",
            run.stderr
        );
    }
    // The same event, of an ordinary size, is recorded.
    let small = json!({"hook_event_name": "PostToolUse", "tool_name": "shell",
        "cwd": "/work/app", "session_id": "s", "tool_input": {"command": ["bash", "-lc", "ls"]},
        "tool_response": "{\"output\":\"a\\n\",\"metadata\":{\"exit_code\":0}}"})
    .to_string()
    .into_bytes();
    let run = run_measured(&env, &["codex-hook"], Some(small));
    assert!(run.ok && run.stdout.is_empty(), "{}", run.stderr);
    let stored = env.live_events("codex-hook");
    assert!(
        stored.iter().any(|e| e.contains(r#""command":"ls""#)),
        "{stored:#?}"
    );
}

#[test]
#[cfg(target_os = "linux")]
fn a_spool_with_a_50_mb_line() {
    use sessionlens::capture::shell::{Typed, line};
    let env = Env::new();
    let typed = |command: String, end_us: u64| Typed {
        shell: "bash".into(),
        shell_session: "4242-1".into(),
        start_us: Some(end_us - 1_000_000),
        end_us: Some(end_us),
        exit_code: 0,
        cwd: "/work/app".into(),
        command,
    };
    let t0 = 1_765_100_000_000_000;
    let state = env.state_dir();
    std::fs::create_dir_all(&state).unwrap();
    let mut spool = line(&typed("npm run build".into(), t0));
    spool += &line(&typed("x".repeat(HUGE), t0 + 1_000_000));
    spool += &line(&typed("npm test".into(), t0 + 2_000_000));
    std::fs::write(state.join("commands.spool"), spool).unwrap();

    let run = run_measured(&env, &["ingest", "terminal", "--json"], None);
    check("ingest terminal", &run);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        (
            &report["terminal"]["commands"],
            &report["terminal"]["bad_lines"]
        ),
        (&json!(2), &json!(1)),
        "{report}"
    );
    let stored: Vec<String> = env.live_events("terminal");
    for command in ["npm run build", "npm test"] {
        assert!(
            stored
                .iter()
                .any(|e| e.contains(&format!(r#""command":"{command}""#))),
            "{command}: {stored:#?}"
        );
    }
}

/// The MCP server drops a 50 MB message as it streams and answers the requests around it.
#[test]
#[cfg(target_os = "linux")]
fn a_50_mb_mcp_message() {
    let env = Env::new();
    let initialize = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "memory-test", "version": "1"}}});
    let huge = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
        "name": "record_learning", "arguments": {"text": "x".repeat(HUGE)}}});
    let list = json!({"jsonrpc": "2.0", "id": 3, "method": "tools/list"});
    let input = format!(
        "{initialize}\n{}\n{huge}\n{list}\n",
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"})
    );
    let run = run_measured(&env, &["mcp"], Some(input.into_bytes()));
    check("mcp", &run);
    let answered: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ids: Vec<&Value> = answered.iter().map(|a| &a["id"]).collect();
    assert_eq!(ids, [&json!(1), &json!(3)], "{answered:#?}");
    assert!(
        run.stderr.contains("longer than the 8388608 bytes read"),
        "{}",
        run.stderr
    );
}
