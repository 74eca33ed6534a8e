//! The context injector end to end on the react-first-app scenario, through the real binary:
//! `sessionlens context` for the workspace and for prompts, the managed block in `AGENTS.md` and
//! `CLAUDE.md`, `sessionlens codex-hook` answering real Codex hook events (marked, within Codex's
//! size limit, never failing) and ingesting the rollout a `PostToolUse` names, and `sessionlens
//! install codex-hooks` (in-place upgrades, a command that survives updates). Claude Code's hooks
//! are in `tests/it/claude_hooks.rs`.

use crate::common;

use common::*;
use serde_json::{Value, json};
use sessionlens::normalize::text::{OWN_CONTEXT_END, OWN_CONTEXT_MARKER};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;

const NOW: &str = "2026-11-25T12:00:00Z";

impl Scenario {
    fn context(&self, extra: &[&str]) -> String {
        let mut args = vec!["context", "--workspace", self.ws(), "--now", NOW];
        args.extend_from_slice(extra);
        self.env.ok(&args)
    }

    /// Runs `codex-hook` with `stdin`; (exit code, stdout, stderr).
    fn hook(&self, stdin: &str) -> (i32, String, String) {
        let mut child = self
            .env
            .cmd()
            .env("SESSIONLENS_NOW", NOW)
            .arg("codex-hook")
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
        let out = child.wait_with_output().unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    }

    fn prompt_event(&self, prompt: &str) -> String {
        json!({
            "session_id": "019e0000-0000-7000-8000-000000000001",
            "turn_id": "019e0000-0000-7000-8000-000000000002",
            "transcript_path": null,
            "cwd": self.ws(),
            "hook_event_name": "UserPromptSubmit",
            "model": "gpt-5.2-codex",
            "permission_mode": "default",
            "prompt": prompt,
        })
        .to_string()
    }
}

fn bullets(md: &str) -> Vec<&str> {
    md.lines().filter(|l| l.starts_with("- ")).collect()
}

/// The `additionalContext` of a hook's answer, checked to be marked as Session Lens's own and
/// well within the 8,000 characters that keep it under Codex's spill threshold.
fn additional_context(answer: &str, event: &str) -> String {
    let v: Value = serde_json::from_str(answer).unwrap_or_else(|e| panic!("{e}: {answer:?}"));
    assert_eq!(v.as_object().unwrap().len(), 1, "{v}");
    assert_eq!(v["hookSpecificOutput"]["hookEventName"], event);
    let ctx = v["hookSpecificOutput"]["additionalContext"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(ctx.starts_with(OWN_CONTEXT_MARKER), "{ctx}");
    assert!(ctx.ends_with(OWN_CONTEXT_END), "{ctx}");
    assert!(ctx.chars().count() <= 8000, "{} chars", ctx.chars().count());
    ctx
}

/// (events stored in all, events of each session by id).
fn stored(env: &Env) -> (u64, Vec<(String, u64)>) {
    let total = env.json(&["verify", "--json"])["events"].as_u64().unwrap();
    let sessions = env.json(&["sessions", "--json"]);
    let per = sessions
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap().to_owned(),
                s["events"].as_u64().unwrap(),
            )
        })
        .collect();
    (total, per)
}

/// A `PostToolUse` event of a shell command, as Codex sends it, naming `transcript`.
fn post_tool_use(cwd: &str, transcript: Option<&Path>) -> String {
    json!({
        "session_id": "019e0000-0000-7000-8000-0000000000aa",
        "turn_id": "019d9398-9c5a-75f1-ac21-b3e98e034441",
        "transcript_path": transcript,
        "cwd": cwd,
        "hook_event_name": "PostToolUse",
        "model": "gpt-5.4",
        "permission_mode": "default",
        "tool_name": "Bash",
        "tool_use_id": "call_PSdByS0yMryIWGfp20cNF4D2",
        "tool_input": { "command": "rg -n row wakatime-cli/templates" },
        "tool_response": "Exit code: 0\nWall time: 0.1 seconds\nOutput:\n",
    })
    .to_string()
}

#[test]
fn the_workspace_briefing_has_open_gaps_then_recently_resolved() {
    let s = Scenario::new();
    let md = s.context(&[]);
    assert!(md.starts_with("## Session Lens"), "{md}");
    let open = md.find("Still open").unwrap();
    let resolved = md.find("Recently resolved").unwrap();
    let ctx = md
        .find("- `React Context` (open question, Nov 21)")
        .unwrap();
    let props = md.find("- `props` (open question, Nov 21)").unwrap();
    let eff = md
        .find("- `useEffect` (question, resolved Nov 23)")
        .unwrap();
    assert!(
        open < ctx && ctx < props && props < resolved && resolved < eff,
        "{md}"
    );
    assert!(md.len() <= 2000);
    assert!(!md.contains("(success"), "successes are not gaps: {md}");

    // A small budget keeps whole bullets only.
    let small = s.context(&["--max-chars", "400"]);
    assert!(small.len() <= 400, "{small}");
    for b in bullets(&small) {
        assert!(bullets(&md).contains(&b), "cut mid-bullet: {b}");
    }
    // Weeks later nothing was resolved recently; the open gaps stay.
    let later = s.env.ok(&[
        "context",
        "--workspace",
        s.ws(),
        "--now",
        "2027-03-01T00:00:00Z",
    ]);
    assert!(
        !later.contains("Recently resolved") && later.contains("`props`"),
        "{later}"
    );
    // Another folder: nothing to say, and exit 0.
    let other = s.env.root.path().join("elsewhere");
    std::fs::create_dir_all(&other).unwrap();
    assert_eq!(
        s.env.ok(&[
            "context",
            "--workspace",
            other.to_str().unwrap(),
            "--now",
            NOW
        ]),
        ""
    );
    let v: Value = serde_json::from_str(&s.context(&["--json"])).unwrap();
    assert_eq!(v["markdown"].as_str().unwrap(), md);
}

#[test]
fn a_prompt_gets_what_it_mentions_and_nothing_else() {
    let s = Scenario::new();
    let md = s.context(&["--prompt", "the useeffect in my new page fires twice, why?"]);
    let b = bullets(&md);
    assert!(!b.is_empty(), "{md}");
    assert!(b.iter().all(|l| l.starts_with("- `useEffect`")), "{md}");
    let gap = b
        .iter()
        .find(|l| l.contains("(question, Nov 18, resolved Nov 23)"))
        .unwrap_or_else(|| panic!("the resolved gap: {md}"));
    assert!(
        gap.contains(
            "→ A component function should only compute what to render. Anything that talks to"
        ),
        "with its takeaway: {gap}"
    );
    assert_eq!(
        s.context(&[
            "--prompt",
            "Write a Python script that renames photos by date"
        ]),
        ""
    );
    let deploy = s.context(&["--prompt", "how do I deploy to netlify again?"]);
    assert!(deploy.contains("`Netlify deploy`"), "topic words: {deploy}");
}

#[test]
fn agents_md_keeps_the_developer_s_text_and_is_written_once() {
    let s = Scenario::new();
    let file = s.ws.join("AGENTS.md");
    let head = "# Team rules\n\nUse pnpm, not npm.\n";
    std::fs::write(&file, head).unwrap();
    s.context(&["--write-agents-md"]);
    let first = std::fs::read_to_string(&file).unwrap();
    assert!(first.starts_with(head), "{first}");
    let begin = first.find("<!-- sessionlens:begin -->").unwrap();
    let end = first.find("<!-- sessionlens:end -->\n").unwrap() + 25;
    assert!(end - begin <= 2048, "{}", end - begin);
    assert!(first[begin..end].contains("`React Context` (open question"));

    // The developer writes after the block; the block is replaced in place.
    let tail = "\n## Testing\n\nRun `npm test` before pushing.\n";
    std::fs::write(&file, format!("{first}{tail}")).unwrap();
    let before = std::fs::read(&file).unwrap();
    let mtime = std::fs::metadata(&file).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let said = s.context(&["--write-agents-md"]);
    assert!(said.contains("up to date"), "{said}");
    assert_eq!(std::fs::read(&file).unwrap(), before, "byte-identical");
    assert_eq!(
        std::fs::metadata(&file).unwrap().modified().unwrap(),
        mtime,
        "not rewritten"
    );

    // A later day: the recently resolved ones drop out; the user's text is untouched.
    s.env.ok(&[
        "context",
        "--workspace",
        s.ws(),
        "--write-agents-md",
        "--now",
        "2027-03-01T00:00:00Z",
    ]);
    let later = std::fs::read_to_string(&file).unwrap();
    assert!(later.starts_with(head) && later.ends_with(tail), "{later}");
    assert!(!later.contains("Recently resolved"));
    assert_eq!(later.matches("sessionlens:begin").count(), 1);

    // Created when missing.
    let fresh = s.env.root.path().join("react-first-app/src");
    s.env.ok(&[
        "context",
        "--workspace",
        fresh.to_str().unwrap(),
        "--write-agents-md",
    ]);
    // No session ran inside src/: nothing to say, so no file.
    assert!(!fresh.join("AGENTS.md").exists());
}

#[test]
fn claude_md_gets_the_same_block_around_the_developer_s_own_text() {
    let s = Scenario::new();
    let file = s.ws.join("CLAUDE.md");
    let head = "# CLAUDE.md\n\nThis project uses pnpm.\r\nRun `pnpm test` before committing.";
    let tail = "\n## Style\n\n- Prefer function components.\n";
    std::fs::write(&file, head).unwrap();
    let said = s.context(&["--write-claude-md"]);
    assert_eq!(said, format!("Updated {}\n", file.display()));
    let first = std::fs::read_to_string(&file).unwrap();
    assert!(
        first.starts_with(&format!("{head}\n\n<!-- sessionlens:begin -->\n")),
        "{first}"
    );
    assert!(first.contains("`React Context` (open question"), "{first}");
    assert!(first.ends_with("<!-- sessionlens:end -->\n"), "{first}");

    // The developer writes after the block; running again changes nothing, not even the mtime.
    std::fs::write(&file, format!("{first}{tail}")).unwrap();
    let before = std::fs::read(&file).unwrap();
    let mtime = std::fs::metadata(&file).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let said = s.context(&["--write-claude-md"]);
    assert_eq!(said, format!("{} is up to date\n", file.display()));
    assert_eq!(std::fs::read(&file).unwrap(), before, "byte-identical");
    assert_eq!(std::fs::metadata(&file).unwrap().modified().unwrap(), mtime);

    // The block is AGENTS.md's, byte for byte; both flags write both files.
    let v: Value =
        serde_json::from_str(&s.context(&["--write-agents-md", "--write-claude-md", "--json"]))
            .unwrap();
    let reports = v.as_array().unwrap();
    assert_eq!(reports.len(), 2, "{v:#}");
    assert_eq!(reports[0]["file"], s.ws.join("AGENTS.md").to_str().unwrap());
    assert_eq!(
        (&reports[0]["changed"], &reports[1]["changed"]),
        (&json!(true), &json!(false))
    );
    let agents = std::fs::read_to_string(s.ws.join("AGENTS.md")).unwrap();
    assert_eq!(format!("{head}\n\n{agents}{tail}"), first.clone() + tail);
    let one: Value = serde_json::from_str(&s.context(&["--write-claude-md", "--json"])).unwrap();
    assert_eq!(one["changed"], false, "one file: one report, {one:#}");

    // A later day: the block follows what is known; the developer's text is untouched.
    s.env.ok(&[
        "context",
        "--workspace",
        s.ws(),
        "--write-claude-md",
        "--now",
        "2027-03-01T00:00:00Z",
    ]);
    let later = std::fs::read_to_string(&file).unwrap();
    assert!(later.starts_with(head) && later.ends_with(tail), "{later}");
    assert!(!later.contains("Recently resolved"), "{later}");

    // Nothing to say (no session ran inside src/): the block goes, the rest stays.
    let src = s.ws.join("src");
    let theirs = "Notes for src/.\n";
    let block = &first[head.len() + 2..];
    std::fs::write(src.join("CLAUDE.md"), format!("{theirs}\n{block}")).unwrap();
    s.env.ok(&[
        "context",
        "--workspace",
        src.to_str().unwrap(),
        "--write-claude-md",
    ]);
    assert_eq!(
        std::fs::read_to_string(src.join("CLAUDE.md")).unwrap(),
        format!("{theirs}\n")
    );
}

#[test]
fn the_codex_hook_answers_session_start_and_prompts_and_never_fails() {
    let s = Scenario::new();
    let start = json!({
        "session_id": "019e0000-0000-7000-8000-000000000001",
        "transcript_path": null,
        "cwd": s.ws(),
        "hook_event_name": "SessionStart",
        "model": "gpt-5.2-codex",
        "permission_mode": "default",
        "source": "startup",
    })
    .to_string();
    let (code, out, _) = s.hook(&start);
    assert_eq!(code, 0);
    let ctx = additional_context(&out, "SessionStart");
    assert!(ctx.contains("`React Context` (open question"), "{ctx}");
    // After a compaction the earlier briefing is gone from the context: it is given again.
    let compact = start.replace("\"startup\"", "\"compact\"");
    assert!(compact.contains("\"source\":\"compact\""), "{compact}");
    let (code, again, _) = s.hook(&compact);
    assert_eq!(code, 0);
    assert_eq!(additional_context(&again, "SessionStart"), ctx);

    let (code, out, _) = s.hook(&s.prompt_event("why is useEffect running twice here?"));
    assert_eq!(code, 0);
    let ctx = additional_context(&out, "UserPromptSubmit");
    assert!(
        ctx.contains("- `useEffect` (question, Nov 18, resolved Nov 23)"),
        "{ctx}"
    );

    let (code, out, _) = s.hook(&s.prompt_event("Add a dark mode toggle to the settings page"));
    assert_eq!((code, out.as_str()), (0, ""));

    for garbage in ["", "not json at all", "{\"hook_event_name\": 3}", "[1,2]"] {
        let (code, out, err) = s.hook(garbage);
        assert_eq!((code, out.as_str()), (0, ""), "{garbage:?}");
        assert!(err.contains("codex-hook"), "a log line: {err}");
    }
    let stop = json!({"hook_event_name": "Stop", "cwd": s.ws(), "session_id": "x"}).to_string();
    assert_eq!(s.hook(&stop).0, 0);

    // Latency, reported (not asserted): warm runs of a prompt event.
    let event = s.prompt_event("why is useEffect running twice here?");
    let started = std::time::Instant::now();
    let n = 10;
    for _ in 0..n {
        assert_eq!(s.hook(&event).0, 0);
    }
    eprintln!(
        "codex-hook UserPromptSubmit: {:?} per event (debug build, {n} runs)",
        started.elapsed() / n
    );
}

#[test]
fn a_long_briefing_is_cut_at_whole_bullets_under_codex_s_spill_threshold() {
    let s = Scenario::new();
    // One session of 150 concept questions in the workspace, none of them answered by use.
    let id = "019e2222-0000-7000-8000-000000000001";
    let ws = s.ws();
    let mut lines = vec![
        json!({"timestamp": "2026-11-24T10:00:00.000Z", "type": "session_meta",
        "payload": {"id": id, "timestamp": "2026-11-24T10:00:00.000Z", "cwd": ws,
            "originator": "codex_vscode", "cli_version": "0.124.0", "source": "vscode"}}),
    ];
    for n in 0..150 {
        let at = format!("2026-11-24T{:02}:{:02}:00.000Z", 10 + n / 60, n % 60);
        let turn = format!("019e2222-0000-7000-9000-{n:012}");
        let question = format!(
            "What is `useWidget{n}` for, and how does it work with the layout of this page?"
        );
        let answer = format!("`useWidget{n}` keeps widget {n}'s state between renders.");
        lines.extend([
            json!({"timestamp": at, "type": "turn_context",
                "payload": {"turn_id": turn, "cwd": ws, "model": "gpt-5.4"}}),
            json!({"timestamp": at, "type": "event_msg", "payload": {"type": "user_message",
                "message": question, "images": [], "local_images": [], "text_elements": []}}),
            json!({"timestamp": at, "type": "event_msg",
                "payload": {"type": "task_started", "turn_id": turn}}),
            json!({"timestamp": at, "type": "event_msg",
                "payload": {"type": "agent_message", "message": answer, "phase": "final_answer"}}),
            json!({"timestamp": at, "type": "event_msg", "payload": {"type": "task_complete",
                "turn_id": turn, "last_agent_message": answer}}),
        ]);
    }
    let day = s.env.codex_home().join("sessions/2026/11/24");
    std::fs::create_dir_all(&day).unwrap();
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(
        day.join(format!("rollout-2026-11-24T10-00-00-{id}.jsonl")),
        text,
    )
    .unwrap();
    s.env.ok(&["ingest", "codex", "--idle-minutes", "0"]);
    let full = s.context(&["--max-chars", "1000000"]);
    assert!(
        full.len() > 16_000,
        "a briefing too long for a hook: {}",
        full.len()
    );

    let start = json!({"session_id": id, "transcript_path": null, "cwd": ws,
        "hook_event_name": "SessionStart", "source": "compact"})
    .to_string();
    let (code, out, err) = s.hook(&start);
    assert_eq!(code, 0, "{err}");
    let ctx = additional_context(&out, "SessionStart");
    assert!(
        ctx.len() > 1500 && ctx.len() <= 2000,
        "the default budget is used, no more: {}",
        ctx.len()
    );
    let kept = bullets(&ctx);
    assert!(kept.len() > 5, "{ctx}");
    for b in &kept {
        assert!(bullets(&full).contains(b), "cut mid-bullet: {b}");
    }
    eprintln!(
        "codex-hook SessionStart: {} of {} bytes of briefing, {} of {} bullets",
        ctx.len(),
        full.len(),
        kept.len(),
        bullets(&full).len()
    );
}

#[test]
fn post_tool_use_ingests_the_transcript_into_its_own_thread_once() {
    let s = Scenario::new();
    let thread = "019d9353-333c-7c41-a909-26f5c6221a5a";
    let day = s.env.codex_home().join("sessions/2026/04/15");
    std::fs::create_dir_all(&day).unwrap();
    let rollout = day.join(Path::new(VSCODE_REAL).file_name().unwrap());
    let whole = std::fs::read_to_string(fixture(VSCODE_REAL)).unwrap();
    // The PostToolUse of the turn's first commands fires while Codex is still writing the turn.
    let cut = whole.match_indices('\n').nth(14).unwrap().0 + 1;
    std::fs::write(&rollout, &whole[..cut]).unwrap();
    let (before, _) = stored(&s.env);
    let event = post_tool_use(s.ws(), Some(&rollout));

    let (code, out, err) = s.hook(&event);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    let (partly, sessions) = stored(&s.env);
    let of = |sessions: &[(String, u64)], id: &str| {
        sessions.iter().find(|(s, _)| s == id).map(|(_, n)| *n)
    };
    let first = of(&sessions, thread).unwrap_or_else(|| panic!("{thread} in {sessions:?}"));
    assert!(first > 0 && partly == before + first, "{sessions:?}");
    assert!(
        sessions
            .iter()
            .all(|(id, _)| !id.starts_with("codex-hook-") && !id.starts_with("019e0000")),
        "attributed to the file's thread, not the hook's root session_id: {sessions:?}"
    );

    // Codex writes the rest; the next hook reads on from where the last one stopped.
    std::fs::write(&rollout, &whole).unwrap();
    let started = std::time::Instant::now();
    assert_eq!(s.hook(&event).0, 0);
    let resumed = started.elapsed();
    let (after, sessions) = stored(&s.env);
    let all = of(&sessions, thread).unwrap();
    assert!(all > first, "{first} then {all}");
    let started = std::time::Instant::now();
    assert_eq!(s.hook(&event).0, 0);
    let unchanged = started.elapsed();
    assert_eq!(stored(&s.env).0, after, "the same hook again adds nothing");
    let report = s.env.json(&["ingest", "codex", "--json"]);
    assert_eq!(report["events_added"], 0, "{report:#}");
    assert_eq!(stored(&s.env).0, after, "nor does the ingest");

    // Exactly what one ingest of the whole file stores.
    let fresh = Env::new();
    let other = fresh.codex_home().join("sessions/2026/04/15");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join(rollout.file_name().unwrap()), &whole).unwrap();
    fresh.ok(&["ingest", "codex"]);
    assert_eq!(of(&stored(&fresh).1, thread), Some(all));
    eprintln!(
        "codex-hook PostToolUse with transcript: {resumed:?} reading on, {unchanged:?} unchanged (debug build)"
    );

    // A transcript_path that is no rollout file falls back to the live event.
    let notes = s.env.root.path().join("notes.txt");
    std::fs::write(&notes, "x").unwrap();
    assert_eq!(s.hook(&post_tool_use(s.ws(), Some(&notes))).0, 0);
    let (_, sessions) = stored(&s.env);
    assert!(
        sessions.iter().any(|(id, _)| id.starts_with("codex-hook-")),
        "{sessions:?}"
    );
}

#[test]
fn post_tool_use_records_the_command_as_a_live_event() {
    let s = Scenario::new();
    let event = json!({
        "session_id": "019e0000-0000-7000-8000-000000000001",
        "turn_id": "019e0000-0000-7000-8000-000000000002",
        "transcript_path": null,
        "cwd": s.ws(),
        "hook_event_name": "PostToolUse",
        "model": "gpt-5.2-codex",
        "permission_mode": "default",
        "tool_name": "Bash",
        "tool_use_id": "call_abc",
        "tool_input": { "command": "npm run lint -- --token sk-abcdefghijklmnopqrstuvwxyz123456" },
        "tool_response": "Exit code: 1\nWall time: 2.5 seconds\nOutput:\nsrc/App.tsx:3:1 error no-unused-vars\n",
    })
    .to_string();
    let (code, out, err) = s.hook(&event);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    let patch = json!({"hook_event_name": "PostToolUse", "cwd": s.ws(), "tool_name": "apply_patch",
        "tool_input": {"command": "*** Begin Patch"}, "tool_response": "ok"})
    .to_string();
    assert_eq!(s.hook(&patch).1, "");

    let sessions = s.env.json(&["sessions", "--workspace", s.ws(), "--json"]);
    let ours: Vec<&Value> = sessions
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["id"].as_str().unwrap().starts_with("codex-hook-"))
        .collect();
    assert_eq!(ours.len(), 1, "{sessions:#}");
    let id = ours[0]["id"].as_str().unwrap();
    let timeline = s.env.json(&["timeline", id, "--json"]);
    let commands: Vec<&Value> = timeline
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "command" || e["body"]["kind"] == "command")
        .collect();
    assert_eq!(commands.len(), 1, "{timeline:#}");
    let text = commands[0].to_string();
    assert!(text.contains("npm run lint"), "{text}");
    assert!(
        text.contains("\"exit_code\":1") && text.contains("\"duration_ms\":2500"),
        "{text}"
    );
    assert!(
        text.contains("no-unused-vars") && text.contains("codex-hook"),
        "{text}"
    );

    // Every byte it stored, pinned (what differs per run is checked, then masked).
    assert_eq!(
        s.env.live_events("codex-hook"),
        [
            Env::live_start("codex-hook"),
            r#"{"id":"{LIVE}","session":"{SESSION}","at":"{AT}","turn":"cmd-{N}","kind":"command","command":"npm run lint -- --token [REDACTED:api-key]","workdir":"{CWD}","exit_code":1,"duration_ms":2500,"output":"src/App.tsx:3:1 error no-unused-vars\n","tool":"codex-hook","status":"exited"}"#.to_owned(),
        ]
    );
    assert!(!text.contains("sk-abcdefghij"), "redacted: {text}");
}

/// Runs `install codex-hooks` (plus `extra`) with `PATH` set to `path`; its stdout.
fn install(env: &Env, path: &std::ffi::OsStr, extra: &[&str]) -> String {
    let out = env
        .cmd()
        .args(["install", "codex-hooks"])
        .args(extra)
        .env("PATH", path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
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

/// The command of every Session Lens entry in a hooks.json.
fn our_commands(v: &Value) -> Vec<String> {
    v["hooks"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|groups| groups.as_array().unwrap())
        .flat_map(|g| g["hooks"].as_array().unwrap())
        .filter_map(|h| h["command"].as_str())
        .filter(|c| c.ends_with("codex-hook"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn install_codex_hooks_merges_backs_up_and_is_idempotent() {
    let s = Scenario::new();
    let home = s.env.codex_home();
    std::fs::create_dir_all(&home).unwrap();
    let file = home.join("hooks.json");
    let theirs = json!({"hooks": {"PostToolUse": [
        {"matcher": "Bash", "hooks": [{"type": "command", "command": "~/bin/audit.sh", "timeout": 3}]}
    ]}});
    std::fs::write(&file, theirs.to_string()).unwrap();
    // No sessionlens on PATH: the binary's absolute path, which an update may move.
    let bare = std::ffi::OsString::from("/usr/bin:/bin");

    let said = install(&s.env, &bare, &[]);
    assert!(
        said.contains("Added SessionStart, UserPromptSubmit, PostToolUse"),
        "{said}"
    );
    assert!(
        said.contains(
            "Next: open Codex and run /hooks, then trust the 3 Session Lens hooks \
             (SessionStart, UserPromptSubmit, PostToolUse)."
        ),
        "{said}"
    );
    assert!(
        said.contains("run this again and trust them once more"),
        "{said}"
    );
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let root: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(root, ["hooks"]);
    let post = v["hooks"]["PostToolUse"].as_array().unwrap();
    assert_eq!(
        post[0], theirs["hooks"]["PostToolUse"][0],
        "the foreign hook is kept"
    );
    let ours = post[1]["hooks"][0]["command"].as_str().unwrap();
    assert!(ours.ends_with("sessionlens codex-hook"), "{ours}");
    assert!(
        ours.len() > "sessionlens codex-hook".len(),
        "a path: {ours}"
    );
    assert_eq!(
        v["hooks"]["SessionStart"][0]["matcher"],
        "startup|resume|clear|compact"
    );
    assert_eq!(
        v["hooks"]["UserPromptSubmit"][0]["hooks"][0]["type"],
        "command"
    );
    let backups: Vec<PathBuf> = std::fs::read_dir(&home)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains("hooks.json.bak-"))
        .collect();
    assert_eq!(backups.len(), 1);
    assert_eq!(
        serde_json::from_str::<Value>(&std::fs::read_to_string(&backups[0]).unwrap()).unwrap(),
        theirs
    );

    let before = std::fs::read(&file).unwrap();
    let said = install(&s.env, &bare, &[]);
    assert!(
        said.contains("already installed") && said.contains("nothing changed"),
        "{said}"
    );
    assert!(said.contains("/hooks"), "{said}");
    assert_eq!(std::fs::read(&file).unwrap(), before);
    assert_eq!(
        std::fs::read_dir(&home).unwrap().count(),
        3,
        "no new backup"
    );

    // The project's file, created; an invalid one is refused and left as it was.
    let out = s
        .env
        .cmd()
        .args(["install", "codex-hooks", "--project"])
        .current_dir(&s.ws)
        .output()
        .unwrap();
    assert!(out.status.success());
    let project = s.ws.join(".codex/hooks.json");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&project).unwrap()).unwrap();
    assert_eq!(v["hooks"].as_object().unwrap().len(), 3);
    std::fs::write(&project, "{ \"hooks\": [").unwrap();
    let out = s
        .env
        .cmd()
        .args(["install", "codex-hooks", "--project"])
        .current_dir(&s.ws)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not valid JSON"));
    assert_eq!(std::fs::read_to_string(&project).unwrap(), "{ \"hooks\": [");
}

#[test]
fn install_codex_hooks_upgrades_old_entries_in_place_to_an_update_proof_command() {
    let env = Env::new();
    let home = env.codex_home();
    std::fs::create_dir_all(&home).unwrap();
    let file = home.join("hooks.json");
    // What an older Session Lens, run from a versioned extension folder, wrote among the
    // developer's own hooks.
    let old_command = "'/home/dev/.vscode/extensions/sessionlens-0.1.0/bin/sessionlens' codex-hook";
    let handler = |extra: Value| {
        let mut h = json!({"type": "command", "command": old_command, "timeout": 5});
        h.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        h
    };
    let old = json!({"hooks": {
        "SessionStart": [
            {"matcher": "startup", "hooks": [{"type": "command", "command": "./warm-cache.sh"}]},
            {"matcher": "startup|resume|clear",
             "hooks": [handler(json!({"statusMessage": "Loading past learnings"}))]},
            {"matcher": "resume", "hooks": [{"type": "command", "command": "./notify.sh"}]}
        ],
        "UserPromptSubmit": [{"hooks": [handler(json!({}))]}],
        "PostToolUse": [
            {"matcher": "Bash", "hooks": [handler(json!({}))]},
            {"matcher": "Bash", "hooks": [{"type": "command", "command": "~/bin/audit.sh"}]}
        ]
    }});
    std::fs::write(&file, serde_json::to_string_pretty(&old).unwrap()).unwrap();
    let path = path_with_this_binary(&env);

    let said = install(&env, &path, &[]);
    assert!(
        said.contains("Updated SessionStart, UserPromptSubmit, PostToolUse in"),
        "{said}"
    );
    assert!(!said.contains("Added"), "{said}");
    assert!(
        said.contains(
            "Next: open Codex and run /hooks, then trust the 3 Session Lens hooks \
             (SessionStart, UserPromptSubmit, PostToolUse). They keep their trust across \
             Session Lens updates."
        ),
        "{said}"
    );
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(our_commands(&v), ["sessionlens codex-hook"; 3], "{v:#}");
    let start = v["hooks"]["SessionStart"].as_array().unwrap();
    assert_eq!(start.len(), 3, "replaced, not added: {v:#}");
    assert_eq!(start[0], old["hooks"]["SessionStart"][0]);
    assert_eq!(
        start[1],
        json!({"matcher": "startup|resume|clear|compact", "hooks": [{"type": "command",
            "command": "sessionlens codex-hook", "timeout": 5,
            "statusMessage": "Loading past learnings"}]}),
        "in place"
    );
    assert_eq!(start[2], old["hooks"]["SessionStart"][2]);
    let post = v["hooks"]["PostToolUse"].as_array().unwrap();
    assert_eq!(post.len(), 2);
    assert_eq!(post[0]["matcher"], "Bash");
    assert_eq!(post[1], old["hooks"]["PostToolUse"][1]);

    // Idempotent: nothing to trust again, and not a byte written.
    let before = std::fs::read(&file).unwrap();
    let files = std::fs::read_dir(&home).unwrap().count();
    let said = install(&env, &path, &[]);
    assert!(said.contains("nothing changed"), "{said}");
    assert_eq!(std::fs::read(&file).unwrap(), before);
    assert_eq!(std::fs::read_dir(&home).unwrap().count(), files);
}
