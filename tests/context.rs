//! The context injector end to end on the react-first-app scenario, through the real binary:
//! `sessionlens context` for the workspace and for prompts, the managed block in `AGENTS.md`,
//! `sessionlens codex-hook` answering real Codex hook events (and never failing), and
//! `sessionlens install codex-hooks`.

mod common;

use common::*;
use serde_json::{Value, json};
use std::io::Write;
use std::path::PathBuf;
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
            "→ What `useEffect` does here. A component function should only compute what to render."
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
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["hookSpecificOutput"]["hookEventName"], "SessionStart");
    let ctx = v["hookSpecificOutput"]["additionalContext"]
        .as_str()
        .unwrap();
    assert!(ctx.contains("`React Context` (open question"), "{ctx}");
    assert_eq!(v.as_object().unwrap().len(), 1);

    let (code, out, _) = s.hook(&s.prompt_event("why is useEffect running twice here?"));
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["hookSpecificOutput"]["hookEventName"], "UserPromptSubmit");
    let ctx = v["hookSpecificOutput"]["additionalContext"]
        .as_str()
        .unwrap();
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
    assert!(!text.contains("sk-abcdefghij"), "redacted: {text}");
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

    let said = s.env.ok(&["install", "codex-hooks"]);
    assert!(
        said.contains("Added SessionStart, UserPromptSubmit, PostToolUse"),
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
    assert_eq!(
        v["hooks"]["SessionStart"][0]["matcher"],
        "startup|resume|clear"
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
    let said = s.env.ok(&["install", "codex-hooks"]);
    assert!(said.contains("already installed"), "{said}");
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
