//! Session Lens in Claude Code, end to end through the real binary on the react-first-app
//! scenario: `sessionlens claude-hook` answering Claude Code's hook events (marked, within the
//! default budget, never failing: garbage, unknown events, a locked store, a store that needs an
//! upgrade), its live fallback for shell commands, and `sessionlens install claude-hooks`
//! merging into a `settings.json` that holds much more than hooks (kept as it was, backed up,
//! refused when invalid, idempotent, old entries upgraded in place).

use crate::common;

use common::*;
use serde_json::{Value, json};
use sessionlens::normalize::text::{OWN_CONTEXT_END, OWN_CONTEXT_MARKER};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A Claude Code session id, as its hook events carry it.
const SESSION: &str = "0f3c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b";

/// The folder `CLAUDE_CONFIG_DIR` names in these tests.
fn claude_dir(env: &Env) -> PathBuf {
    env.root.path().join("claude")
}

/// The binary in the environment, with Claude Code's configuration folder isolated too.
/// The clock of the briefing: two days after the scenario's last session, on any day the
/// tests run.
const NOW: &str = "2026-11-25T12:00:00Z";

fn cmd(env: &Env) -> Command {
    let mut c = env.cmd();
    c.env("CLAUDE_CONFIG_DIR", claude_dir(env));
    c.env("SESSIONLENS_NOW", NOW);
    c
}

/// Runs `claude-hook` with `stdin`; (exit code, stdout, stderr).
fn hook(env: &Env, stdin: &str) -> (i32, String, String) {
    let mut c = cmd(env);
    c.arg("claude-hook");
    let out = Env::feed(&mut c, stdin);
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Where Claude Code would keep this session's transcript (not written: no reader needs it here).
fn transcript_path(env: &Env, cwd: &str) -> PathBuf {
    let slug = cwd.replace(['/', '.'], "-");
    claude_dir(env)
        .join("projects")
        .join(slug)
        .join(format!("{SESSION}.jsonl"))
}

/// A Claude Code hook event: the common fields plus `extra`.
fn event(env: &Env, cwd: &str, name: &str, extra: Value) -> String {
    let mut v = json!({
        "session_id": SESSION,
        "transcript_path": transcript_path(env, cwd),
        "cwd": cwd,
        "permission_mode": "default",
        "hook_event_name": name,
    });
    v.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    v.to_string()
}

/// The `additionalContext` of a hook's answer, checked to be the whole answer, marked as Session
/// Lens's own and within the default briefing budget (far under Claude Code's ~10,000-character
/// inline cap).
fn additional_context(answer: &str, event: &str) -> String {
    let v: Value = serde_json::from_str(answer).unwrap_or_else(|e| panic!("{e}: {answer:?}"));
    assert_eq!(v.as_object().unwrap().len(), 1, "{v}");
    assert_eq!(v["hookSpecificOutput"].as_object().unwrap().len(), 2, "{v}");
    assert_eq!(v["hookSpecificOutput"]["hookEventName"], event);
    let ctx = v["hookSpecificOutput"]["additionalContext"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(ctx.starts_with(OWN_CONTEXT_MARKER), "{ctx}");
    assert!(ctx.ends_with(OWN_CONTEXT_END), "{ctx}");
    assert!(ctx.len() <= 2000, "{} bytes", ctx.len());
    ctx
}

#[test]
fn claude_hook_answers_session_start_and_prompts_with_the_marked_briefing() {
    let s = Scenario::new();
    for source in ["startup", "resume", "clear", "compact"] {
        let start = event(
            &s.env,
            s.ws(),
            "SessionStart",
            json!({"source": source, "model": "claude-sonnet-4-5"}),
        );
        let (code, out, err) = hook(&s.env, &start);
        assert_eq!(code, 0, "{err}");
        let ctx = additional_context(&out, "SessionStart");
        assert!(
            ctx.contains("`React Context` (open question"),
            "{source}: {ctx}"
        );
        assert!(ctx.contains("Recently resolved"), "{ctx}");
    }
    // The same briefing `sessionlens context` prints, between the markers.
    let md = s.env.ok(&["context", "--workspace", s.ws(), "--now", NOW]);
    let start = event(&s.env, s.ws(), "SessionStart", json!({"source": "startup"}));
    let ctx = additional_context(&hook(&s.env, &start).1, "SessionStart");
    assert_eq!(ctx, format!("{OWN_CONTEXT_MARKER}\n{md}{OWN_CONTEXT_END}"));

    let prompt = |p: &str| event(&s.env, s.ws(), "UserPromptSubmit", json!({ "prompt": p }));
    let (code, out, err) = hook(&s.env, &prompt("why is useEffect running twice here?"));
    assert_eq!(code, 0, "{err}");
    let ctx = additional_context(&out, "UserPromptSubmit");
    assert!(
        ctx.contains("- `useEffect` (question, Nov 18, resolved Nov 23)"),
        "{ctx}"
    );
    assert!(
        ctx.lines()
            .filter(|l| l.starts_with("- "))
            .all(|l| l.starts_with("- `useEffect`")),
        "only what the prompt mentions: {ctx}"
    );
    // Nothing relevant: an empty answer, not an empty context.
    let (code, out, _) = hook(
        &s.env,
        &prompt("Add a dark mode toggle to the settings page"),
    );
    assert_eq!((code, out.as_str()), (0, ""));
    // A folder no session ran in.
    let other = s.env.root.path().join("elsewhere");
    std::fs::create_dir_all(&other).unwrap();
    let start = event(
        &s.env,
        other.to_str().unwrap(),
        "SessionStart",
        json!({"source": "startup"}),
    );
    assert_eq!(hook(&s.env, &start), (0, String::new(), String::new()));
}

#[test]
fn claude_hook_answers_nothing_to_garbage_unknown_events_and_unusable_stores() {
    let s = Scenario::new();
    for garbage in [
        "",
        "not json at all",
        "{\"hook_event_name\": 3}",
        "[1,2]",
        "{\"hook_event_name\": \"SessionStart\"}",
        "{\"hook_event_name\": \"UserPromptSubmit\", \"cwd\": \"/w\"}",
    ] {
        let (code, out, err) = hook(&s.env, garbage);
        assert_eq!((code, out.as_str()), (0, ""), "{garbage:?}");
        assert!(
            err.contains("claude-hook"),
            "a log line for {garbage:?}: {err}"
        );
    }
    for (name, extra) in [
        ("Stop", json!({"stop_hook_active": false})),
        ("SessionEnd", json!({"reason": "clear"})),
        (
            "PreToolUse",
            json!({"tool_name": "Bash", "tool_input": {"command": "ls"}}),
        ),
        (
            "Notification",
            json!({"message": "Claude needs your permission"}),
        ),
        ("PreCompact", json!({"trigger": "auto"})),
    ] {
        let (code, out, _) = hook(&s.env, &event(&s.env, s.ws(), name, extra));
        assert_eq!((code, out.as_str()), (0, ""), "{name}");
    }
    let start = event(&s.env, s.ws(), "SessionStart", json!({"source": "startup"}));

    // A store another process holds: the hook waits briefly, then answers nothing.
    let path = s.env.data_dir().join("store.redb");
    let held = redb::Database::create(&path).unwrap();
    let (code, out, err) = hook(&s.env, &start);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    assert!(err.contains("claude-hook"), "{err}");
    drop(held);
    assert!(
        !hook(&s.env, &start).1.is_empty(),
        "answers again once free"
    );

    // A store an older build wrote: the hook never runs the upgrade (seconds on a large store).
    let env = Env::new();
    std::fs::create_dir_all(env.data_dir()).unwrap();
    let frozen = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/store/v1/store.redb");
    std::fs::copy(&frozen, env.data_dir().join("store.redb")).unwrap();
    let cwd = env.root.path().to_str().unwrap().to_owned();
    let (code, out, err) = hook(&env, &event(&env, &cwd, "SessionStart", json!({})));
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    assert!(err.contains("claude-hook"), "{err}");
    // Not upgraded by the hook: it still answers nothing, until the CLI upgrades the store.
    let (_, again, err) = hook(&env, &event(&env, &cwd, "SessionStart", json!({})));
    assert!(again.is_empty() && err.contains("claude-hook"), "{err}");
    env.ok(&["verify"]);
    let (code, _, err) = hook(&env, &event(&env, &cwd, "SessionStart", json!({})));
    assert!(
        code == 0 && err.is_empty(),
        "the upgraded store answers: {err}"
    );
}

#[test]
fn claude_hook_records_a_bash_command_without_a_transcript_as_a_live_event() {
    let s = Scenario::new();
    // Claude Code's Bash response: stdout and stderr, no exit code.
    let bash = event(
        &s.env,
        s.ws(),
        "PostToolUse",
        json!({
            "tool_name": "Bash",
            "tool_use_id": "toolu_01ABCDEF",
            "tool_input": {
                "command": "npm run lint -- --token sk-abcdefghijklmnopqrstuvwxyz123456",
                "description": "Lint the project"
            },
            "tool_response": {
                "stdout": "src/App.tsx:3:1 error no-unused-vars\n",
                "stderr": "",
                "interrupted": false,
                "isImage": false
            }
        }),
    );
    // Its transcript_path names no file (Claude Code had not written it): the live fallback.
    assert!(!transcript_path(&s.env, s.ws()).exists());
    let (code, out, err) = hook(&s.env, &bash);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    // Other tools are not commands.
    let edit = event(
        &s.env,
        s.ws(),
        "PostToolUse",
        json!({"tool_name": "Edit", "tool_input": {"file_path": "src/App.tsx"}, "tool_response": {}}),
    );
    assert_eq!(hook(&s.env, &edit), (0, String::new(), String::new()));

    let sessions = s.env.json(&["sessions", "--workspace", s.ws(), "--json"]);
    let ours: Vec<&Value> = sessions
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["id"].as_str().unwrap().starts_with("claude-hook-"))
        .collect();
    assert_eq!(ours.len(), 1, "{sessions:#}");
    let timeline = s
        .env
        .json(&["timeline", ours[0]["id"].as_str().unwrap(), "--json"]);
    let commands: Vec<String> = timeline
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "command" || e["body"]["kind"] == "command")
        .map(Value::to_string)
        .collect();
    assert_eq!(commands.len(), 1, "{timeline:#}");
    let text = &commands[0];
    assert!(text.contains("npm run lint"), "{text}");
    assert!(text.contains("no-unused-vars"), "{text}");
    assert!(text.contains("\"tool\":\"claude-hook\""), "{text}");
    assert!(!text.contains("sk-abcdefghij"), "redacted: {text}");

    // Every byte it stored, pinned (what differs per run is checked, then masked).
    assert_eq!(
        s.env.live_events("claude-hook"),
        [
            Env::live_start("claude-hook"),
            r#"{"id":"{LIVE}","session":"{SESSION}","at":"{AT}","turn":"cmd-{N}","kind":"command","command":"npm run lint -- --token [REDACTED:api-key]","workdir":"{CWD}","exit_code":null,"duration_ms":null,"output":"src/App.tsx:3:1 error no-unused-vars\n","tool":"claude-hook","status":"ran"}"#.to_owned(),
        ]
    );
}

/// Runs `install claude-hooks` (plus `extra`) with `PATH` set to `path`; (exit code, stdout,
/// stderr).
fn install(env: &Env, path: &std::ffi::OsStr, extra: &[&str]) -> (i32, String, String) {
    let out = cmd(env)
        .args(["install", "claude-hooks"])
        .args(extra)
        .env("PATH", path)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// `install` that must succeed; its stdout.
fn install_ok(env: &Env, path: &std::ffi::OsStr) -> String {
    let (code, out, err) = install(env, path, &[]);
    assert_eq!(code, 0, "{out}{err}");
    out
}

/// A `PATH` whose `sessionlens` is a link to the binary under test, as an installer would set.
fn path_with_this_binary(env: &Env) -> std::ffi::OsString {
    let bin = env.root.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let link = bin.join("sessionlens");
    if !link.exists() {
        #[cfg(unix)]
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_sessionlens"), &link).unwrap();
        #[cfg(not(unix))]
        std::fs::copy(env!("CARGO_BIN_EXE_sessionlens"), &link).unwrap();
    }
    std::env::join_paths([bin.as_path(), Path::new("/usr/bin"), Path::new("/bin")]).unwrap()
}

fn read_json(file: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap()
}

/// The files of a folder whose name contains `part`.
fn files_named(dir: &Path, part: &str) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().contains(part))
        .collect()
}

/// A developer's settings.json, in their order and layout: a schema, permissions, env, a model,
/// a status line, and hooks of their own.
const THEIR_SETTINGS: &str = r#"{
    "$schema": "https://json.schemastore.org/claude-code-settings.json",
    "permissions": {
        "allow": ["Bash(npm run test:*)", "Read(~/.zshrc)"],
        "deny": ["Read(./.env)", "Read(./secrets/**)"],
        "defaultMode": "acceptEdits"
    },
    "env": { "NODE_OPTIONS": "--max-old-space-size=4096", "CLAUDE_CODE_ENABLE_TELEMETRY": "0" },
    "model": "opus",
    "statusLine": { "type": "command", "command": "~/.claude/statusline.sh" },
    "hooks": {
        "PostToolUse": [
            { "matcher": "Edit|Write", "hooks": [
                { "type": "command", "command": "npx prettier --write \"$CLAUDE_FILE_PATHS\"" } ] },
            { "matcher": "Bash", "hooks": [
                { "type": "command", "command": "~/bin/audit.sh", "timeout": 3 } ] }
        ],
        "Stop": [ { "hooks": [ { "type": "command", "command": "say done" } ] } ]
    }
}
"#;

/// [`THEIR_SETTINGS`] as a value.
fn their_settings() -> Value {
    serde_json::from_str(THEIR_SETTINGS).unwrap()
}

#[test]
fn install_claude_hooks_keeps_every_other_setting_backs_up_and_is_idempotent() {
    let env = Env::new();
    let dir = claude_dir(&env);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("settings.json");
    let theirs = their_settings();
    let original = THEIR_SETTINGS;
    std::fs::write(&file, original).unwrap();
    // No sessionlens on PATH: the binary's absolute path, which an update may move.
    let bare = std::ffi::OsString::from("/usr/bin:/bin");

    let said = install_ok(&env, &bare);
    assert!(
        said.contains(&format!(
            "Added SessionStart, UserPromptSubmit, PostToolUse to {}",
            file.display()
        )),
        "{said}"
    );
    assert!(said.contains("restart Claude Code"), "{said}");
    assert!(
        said.contains("/hooks in Claude Code lists the 3 Session Lens hooks"),
        "{said}"
    );
    assert!(said.contains("run this again"), "not on PATH: {said}");
    let v = read_json(&file);
    for key in ["$schema", "permissions", "env", "model", "statusLine"] {
        assert_eq!(v[key], theirs[key], "{key} kept as it was");
    }
    assert_eq!(
        v.as_object().unwrap().len(),
        theirs.as_object().unwrap().len()
    );
    assert_eq!(v["hooks"]["Stop"], theirs["hooks"]["Stop"]);
    let post = v["hooks"]["PostToolUse"].as_array().unwrap();
    assert_eq!(
        &post[..2],
        theirs["hooks"]["PostToolUse"].as_array().unwrap()
    );
    assert_eq!(post.len(), 3);
    let ours = post[2]["hooks"][0]["command"].as_str().unwrap();
    assert!(ours.ends_with("sessionlens claude-hook"), "{ours}");
    assert!(
        ours.len() > "sessionlens claude-hook".len(),
        "a path: {ours}"
    );
    let handler = json!({"type": "command", "command": ours, "timeout": 5});
    assert_eq!(post[2], json!({"matcher": "Bash", "hooks": [handler]}));
    assert_eq!(
        v["hooks"]["SessionStart"],
        json!([{"matcher": "startup|resume|clear|compact", "hooks": [handler]}])
    );
    assert_eq!(
        v["hooks"]["UserPromptSubmit"],
        json!([{"hooks": [handler]}]),
        "no matcher: Claude Code has none for prompts"
    );
    // The developer's order of keys, not an alphabetized file.
    let text = std::fs::read_to_string(&file).unwrap();
    let at = |k: &str| text.find(&format!("\"{k}\"")).unwrap();
    let order = [
        "$schema",
        "permissions",
        "allow",
        "deny",
        "defaultMode",
        "env",
        "NODE_OPTIONS",
        "CLAUDE_CODE_ENABLE_TELEMETRY",
        "model",
        "statusLine",
        "type",
        "command",
        "hooks",
        "PostToolUse",
        "Stop",
        "SessionStart",
    ];
    let places: Vec<usize> = order.iter().map(|k| at(k)).collect();
    assert!(places.is_sorted(), "{order:?} at {places:?}: {text}");
    let backups = files_named(&dir, "settings.json.bak-");
    assert_eq!(backups.len(), 1);
    assert_eq!(std::fs::read_to_string(&backups[0]).unwrap(), original);

    // Again: nothing changes, and it says so.
    let before = std::fs::read(&file).unwrap();
    let said = install_ok(&env, &bare);
    assert!(
        said.contains("already installed") && said.contains("nothing changed"),
        "{said}"
    );
    assert!(said.contains("/hooks"), "{said}");
    assert_eq!(std::fs::read(&file).unwrap(), before);
    assert_eq!(files_named(&dir, "settings.json").len(), 2, "no new backup");

    // The hooks it wrote answer: the command runs this binary's claude-hook.
    let cmdline = shlex::split(ours).unwrap();
    assert_eq!(cmdline[1], "claude-hook");
    assert!(Path::new(&cmdline[0]).is_absolute());
}

#[test]
fn install_claude_hooks_refuses_an_invalid_settings_file_and_writes_nothing() {
    let env = Env::new();
    let dir = claude_dir(&env);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("settings.json");
    let path = path_with_this_binary(&env);
    for bad in [
        "{ \"permissions\": { \"allow\": [\"Bash(ls)\"], }",
        "// comments are not JSON\n{}",
        "[\"hooks\"]",
        "{\"hooks\": []}",
        "{\"hooks\": {\"SessionStart\": {\"matcher\": \"startup\"}}}",
    ] {
        std::fs::write(&file, bad).unwrap();
        let (code, out, err) = install(&env, &path, &[]);
        assert_eq!(code, 2, "{bad}: {out}{err}");
        assert!(err.contains("nothing was written"), "{err}");
        assert!(err.contains(&file.display().to_string()), "{err}");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), bad, "untouched");
    }
    assert_eq!(files_named(&dir, "").len(), 1, "no backup, no temp file");
    let (_, _, err) = {
        std::fs::write(&file, "{ not json").unwrap();
        install(&env, &path, &[])
    };
    assert!(err.contains("is not valid JSON"), "{err}");
}

#[test]
fn install_claude_hooks_upgrades_an_old_entry_in_place() {
    let env = Env::new();
    let dir = claude_dir(&env);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("settings.json");
    // What an older Session Lens, run from a versioned folder, wrote among the developer's hooks.
    let old_command = "'/home/dev/.local/share/sessionlens-0.1.0/sessionlens' claude-hook";
    let old_handler = json!({"type": "command", "command": old_command, "timeout": 30});
    let mut old = their_settings();
    old["hooks"]["SessionStart"] = json!([
        {"matcher": "startup", "hooks": [{"type": "command", "command": "./warm-cache.sh"}]},
        {"matcher": "startup|resume", "hooks": [old_handler]},
        {"matcher": "resume", "hooks": [{"type": "command", "command": "./notify.sh"}]}
    ]);
    old["hooks"]["UserPromptSubmit"] = json!([{"hooks": [old_handler]}]);
    std::fs::write(&file, serde_json::to_string_pretty(&old).unwrap()).unwrap();
    let path = path_with_this_binary(&env);

    let said = install_ok(&env, &path);
    assert!(
        said.contains("Added PostToolUse")
            && said.contains("Updated SessionStart, UserPromptSubmit in"),
        "{said}"
    );
    assert!(!said.contains("run this again"), "on PATH: {said}");
    let v = read_json(&file);
    let handler = json!({"type": "command", "command": "sessionlens claude-hook", "timeout": 5});
    let start = v["hooks"]["SessionStart"].as_array().unwrap();
    assert_eq!(start.len(), 3, "replaced, not added: {v:#}");
    assert_eq!(start[0], old["hooks"]["SessionStart"][0]);
    assert_eq!(
        start[1],
        json!({"matcher": "startup|resume|clear|compact", "hooks": [handler]}),
        "in place"
    );
    assert_eq!(start[2], old["hooks"]["SessionStart"][2]);
    assert_eq!(
        v["hooks"]["UserPromptSubmit"],
        json!([{"hooks": [handler]}])
    );
    for key in ["permissions", "env", "model", "statusLine"] {
        assert_eq!(v[key], old[key]);
    }

    let before = std::fs::read(&file).unwrap();
    let files = files_named(&dir, "").len();
    assert!(install_ok(&env, &path).contains("nothing changed"));
    assert_eq!(std::fs::read(&file).unwrap(), before);
    assert_eq!(files_named(&dir, "").len(), files);
}

#[test]
fn install_claude_hooks_finds_the_user_and_the_project_settings() {
    let s = Scenario::new();
    let path = path_with_this_binary(&s.env);
    // Without CLAUDE_CONFIG_DIR: ~/.claude/settings.json, created.
    let out = s
        .env
        .cmd()
        .env_remove("CLAUDE_CONFIG_DIR")
        .env("PATH", &path)
        .args(["install", "claude-hooks"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let user = s.env.root.path().join(".claude/settings.json");
    assert_eq!(read_json(&user)["hooks"].as_object().unwrap().len(), 3);
    assert!(
        files_named(user.parent().unwrap(), ".bak-").is_empty(),
        "nothing to back up"
    );
    // CLAUDE_CONFIG_DIR with several folders: the first.
    let first = s.env.root.path().join("first");
    let second = s.env.root.path().join("second");
    let out = s
        .env
        .cmd()
        .env(
            "CLAUDE_CONFIG_DIR",
            format!("{},{}", first.display(), second.display()),
        )
        .env("PATH", &path)
        .args(["install", "claude-hooks"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(first.join("settings.json").exists() && !second.exists());

    // --project: the repository's .claude/settings.json, from a folder inside it.
    std::fs::create_dir_all(s.ws.join(".git")).unwrap();
    let out = cmd(&s.env)
        .env("PATH", &path)
        .args(["install", "claude-hooks", "--project"])
        .current_dir(s.ws.join("src"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let project = s.ws.join(".claude/settings.json");
    let v = read_json(&project);
    assert_eq!(
        v["hooks"]["SessionStart"][0]["hooks"][0]["command"],
        "sessionlens claude-hook"
    );
    assert!(
        !claude_dir(&s.env).exists(),
        "the user's file is not touched"
    );
}

/// A `PostToolUse` whose transcript is on disk reads that transcript into its own session — the
/// Claude Code session, not a hook session — and neither the hook run again nor `ingest claude`
/// stores anything twice.
#[test]
fn claude_hook_reads_the_transcript_into_its_session_once() {
    let env = Env::new();
    let rel = "real/projects/-home-marco-projects-spotter";
    let src = std::fs::read_dir(claude_fixture(rel))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .unwrap();
    let dir = claude_dir(&env).join("projects/-home-marco-projects-spotter");
    std::fs::create_dir_all(&dir).unwrap();
    let transcript = dir.join(src.file_name().unwrap());
    std::fs::copy(&src, &transcript).unwrap();
    let session = src.file_stem().unwrap().to_str().unwrap().to_owned();
    let bash = json!({
        "session_id": session, "transcript_path": transcript, "cwd": "/home/marco/projects/spotter",
        "hook_event_name": "PostToolUse", "tool_name": "Bash",
        "tool_input": {"command": "mix phx.server"}, "tool_response": {"stdout": "", "stderr": ""}
    })
    .to_string();
    let (code, out, err) = hook(&env, &bash);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    let sessions = cmd(&env).args(["sessions", "--json"]).output().unwrap();
    let sessions: Value = serde_json::from_slice(&sessions.stdout).unwrap();
    let list = sessions.as_array().unwrap();
    assert_eq!(list.len(), 1, "{sessions:#}");
    assert_eq!(list[0]["source"], "claude");
    assert!(list[0]["id"].as_str().unwrap().starts_with(&session[..8]));
    let stored = |env: &Env| {
        let v = cmd(env).args(["verify", "--json"]).output().unwrap();
        serde_json::from_slice::<Value>(&v.stdout).unwrap()["events"]
            .as_u64()
            .unwrap()
    };
    let events = stored(&env);
    assert!(events > 5, "{events}");
    assert_eq!(hook(&env, &bash).0, 0);
    let again = cmd(&env)
        .args(["ingest", "claude", "--idle-minutes", "0", "--json"])
        .output()
        .unwrap();
    let again: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(
        (again["files"].as_u64(), again["events_added"].as_u64()),
        (Some(1), Some(0)),
        "{again:#}"
    );
    assert_eq!(stored(&env), events);
}
