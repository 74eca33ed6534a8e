//! Reading real and hand-written Claude Code transcripts through the library: what the developer
//! typed, every command, edit and token counted once (checked against oracles computed from the
//! raw JSON, independently of the reader), sub-agents and compaction as sessions of their own,
//! context that is not the developer's words, damaged input, and a read resumed anywhere giving
//! the same events.

use crate::common;

use common::*;
use regex::Regex;
use serde_json::Value;
use sessionlens::capture::claude;
use sessionlens::normalize::redact::Redactor;
use sessionlens::normalize::text::strip_own_context;
use sessionlens::normalize::{Body, CommandStatus, Event, FileOp, SessionInfo, TurnStatus};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

const MAIN_ID: &str = "d6e0bada-1959-4eec-a9d2-0bfade768d8f";
const MAIN: &str =
    "real/projects/-home-marco-projects-spotter/d6e0bada-1959-4eec-a9d2-0bfade768d8f.jsonl";
const SUBAGENT: &str = "real/projects/-home-USER-projects-spotter-worktrees-spotter-4te/ae4a77f8-aedd-4bc1-888f-c94edc91af04/subagents/agent-aac57f5.jsonl";
const COMPACT: &str = "real/projects/-home-USER-projects-spotter-worktrees-spotter-fum/8463c716-a2ea-4c14-9efa-87158ebd9f20/subagents/agent-acompact-f46190.jsonl";
const SHAPES: &str = "shapes/agent-sessions-stage0-small.jsonl";
const HANDWRITTEN_ID: &str = "5f3c0d7e-1111-4222-8333-444455556666";
const HANDWRITTEN: &str = "projects/-work-shop/5f3c0d7e-1111-4222-8333-444455556666.jsonl";

/// The hand-written scenario copied to a temporary folder, its `@ROOT@` placeholders (the
/// absolute paths of spilled outputs) pointing at the copy.
fn handwritten() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&claude_fixture("handwritten"), dir.path());
    let path = dir.path().join(HANDWRITTEN);
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("@ROOT@", dir.path().to_str().unwrap());
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

/// The raw lines of a transcript, as JSON.
fn raw_lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// The lines that belong to the file's own session (a main transcript may hold a sub-agent's
/// lines inline, marked `isSidechain`).
fn own_lines(lines: &[Value], agent_file: bool) -> Vec<&Value> {
    lines
        .iter()
        .filter(|l| agent_file || l["isSidechain"] != true)
        .collect()
}

/// The oracle for prompts: user lines a person wrote (not meta, not a compaction summary, not of
/// a non-human origin), with our own context and Claude Code's markup cut, interruption notices
/// and emptiness dropped. Returns (line uuid, text as stored).
fn typed_prompts(lines: &[&Value]) -> Vec<(String, String)> {
    let tags = [
        "command-name",
        "command-message",
        "command-args",
        "local-command-stdout",
        "local-command-stderr",
        "local-command-caveat",
        "system-reminder",
        "task-notification",
        "user-prompt-submit-hook",
        "bash-input",
        "bash-stdout",
        "bash-stderr",
    ];
    let markup = Regex::new(
        &tags
            .iter()
            .map(|t| format!("<{t}>(?s:.*?)</{t}>"))
            .collect::<Vec<_>>()
            .join("|"),
    )
    .unwrap();
    let mut out = Vec::new();
    for l in lines {
        if l["type"] != "user" || l["isMeta"] == true || l["isCompactSummary"] == true {
            continue;
        }
        if l["origin"]["kind"].is_string() && l["origin"]["kind"] != "human" {
            continue;
        }
        let texts: Vec<&str> = match &l["message"]["content"] {
            Value::String(s) => vec![s.as_str()],
            Value::Array(blocks) => blocks
                .iter()
                .filter(|b| b["type"] == "text")
                .filter_map(|b| b["text"].as_str())
                .collect(),
            _ => vec![],
        };
        let parts: Vec<String> = texts
            .iter()
            .map(|t| {
                markup
                    .replace_all(&strip_own_context(t), "")
                    .trim()
                    .to_owned()
            })
            .filter(|t| !t.is_empty() && !t.starts_with("[Request interrupted by user"))
            .collect();
        if !parts.is_empty() {
            let text = Redactor::global().redact(&parts.join("\n\n")).into_owned();
            out.push((l["uuid"].as_str().unwrap().to_owned(), text));
        }
    }
    out
}

/// The tool calls of a transcript by id, with the `tool_result` block and the line's
/// `toolUseResult` that answered each (if any).
struct Calls<'a> {
    uses: Vec<&'a Value>,
    results: BTreeMap<&'a str, (&'a Value, &'a Value)>,
}

/// Gathers the tool calls and their results.
fn calls<'a>(lines: &[&'a Value]) -> Calls<'a> {
    let mut uses = Vec::new();
    let mut results = BTreeMap::new();
    for l in lines {
        for b in l["message"]["content"].as_array().into_iter().flatten() {
            match b["type"].as_str() {
                Some("tool_use") if l["type"] == "assistant" => uses.push(b),
                Some("tool_result") => {
                    if let Some(id) = b["tool_use_id"].as_str() {
                        results.insert(id, (b, &l["toolUseResult"]));
                    }
                }
                _ => {}
            }
        }
    }
    Calls { uses, results }
}

/// A tool result's text: a string or the text of its blocks.
fn result_text(b: &Value) -> String {
    match &b["content"] {
        Value::String(s) => s.clone(),
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x["text"].as_str())
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

/// The oracle for commands: every Bash call once, as (command, failed, exit code) — failed when
/// its result is an error that is neither a refusal nor an interruption, the exit code read from
/// an error's `Exit code N`, or 0 for a clean foreground run with no code interpretation.
fn expected_commands(c: &Calls) -> Vec<(String, bool, Option<i32>)> {
    let code = Regex::new(r"Exit code (-?\d+)").unwrap();
    let mut out: Vec<_> = c
        .uses
        .iter()
        .filter(|u| u["name"] == "Bash")
        .map(|u| {
            let command = Redactor::global()
                .redact(u["input"]["command"].as_str().unwrap())
                .into_owned();
            let Some((b, tur)) = c.results.get(u["id"].as_str().unwrap()) else {
                return (command, false, None);
            };
            let text = result_text(b);
            let refused = text.starts_with("The user doesn't want to proceed");
            let interrupted = tur["interrupted"] == true;
            if b["is_error"] == true {
                // An error is a failure unless the developer refused or stopped the call.
                let stopped = refused || (interrupted && !text.contains("timed out"));
                let exit = code
                    .captures(&text)
                    .filter(|_| !interrupted)
                    .map(|m| m[1].parse::<i32>().unwrap());
                return (command, !stopped, exit);
            }
            let background =
                u["input"]["run_in_background"] == true || tur["backgroundTaskId"].is_string();
            let interpreted = tur["returnCodeInterpretation"].is_string();
            let exit = (!background && !interpreted && !interrupted).then_some(0);
            (command, false, exit)
        })
        .collect();
    out.sort();
    out
}

/// The oracle for edits: every editing call once, as (file, success from its result's flag).
fn expected_edits(c: &Calls) -> Vec<(String, Option<bool>)> {
    let mut out: Vec<_> = c
        .uses
        .iter()
        .filter(|u| {
            ["Edit", "MultiEdit", "Write", "NotebookEdit"].contains(&u["name"].as_str().unwrap())
        })
        .map(|u| {
            let input = &u["input"];
            let path = input["file_path"]
                .as_str()
                .or(input["notebook_path"].as_str())
                .unwrap()
                .to_owned();
            let success = c
                .results
                .get(u["id"].as_str().unwrap())
                .map(|(b, _)| b["is_error"] != true);
            (path, success)
        })
        .collect();
    out.sort();
    out
}

/// The oracle for tokens: each API response (`message.id`) counted once, with its latest usage,
/// in the turn of the prompt before it; the total counts cache writes too.
fn expected_tokens(lines: &[&Value]) -> BTreeMap<String, u64> {
    let prompts: HashSet<String> = typed_prompts(lines).into_iter().map(|(u, _)| u).collect();
    let mut turn: Option<String> = None;
    let mut by_message: BTreeMap<String, (String, u64)> = BTreeMap::new();
    for l in lines {
        if let Some(u) = l["uuid"].as_str().filter(|u| prompts.contains(*u)) {
            turn = Some(u.to_owned());
        }
        let usage = &l["message"]["usage"];
        if l["type"] != "assistant" || !usage.is_object() {
            continue;
        }
        let Some(t) = &turn else { continue };
        let n = |k: &str| usage[k].as_u64().unwrap_or(0);
        let total = n("input_tokens")
            + n("cache_creation_input_tokens")
            + n("cache_read_input_tokens")
            + n("output_tokens");
        let id = l["message"]["id"].as_str().unwrap().to_owned();
        by_message.insert(id, (t.clone(), total));
    }
    let mut per_turn = BTreeMap::new();
    for (t, total) in by_message.into_values() {
        *per_turn.entry(t).or_insert(0) += total;
    }
    per_turn
}

/// The prompts the reader produced, with their turns.
fn prompts(events: &[Event]) -> Vec<(String, String)> {
    events
        .iter()
        .filter_map(|e| match &e.body {
            Body::Prompt { text, .. } => Some((e.turn.clone().unwrap(), text.clone())),
            _ => None,
        })
        .collect()
}

/// The commands the reader produced.
fn commands(events: &[Event]) -> Vec<&sessionlens::normalize::Command> {
    events
        .iter()
        .filter_map(|e| match &e.body {
            Body::Command(c) => Some(c),
            _ => None,
        })
        .collect()
}

/// The session header (the first event).
fn header(events: &[Event]) -> &SessionInfo {
    match &events[0].body {
        Body::SessionStart(info) => info,
        other => panic!("the first event is the header, not {other:?}"),
    }
}

/// Checks a transcript's events against the oracles computed from its raw lines.
fn check_against_oracles(path: &Path, agent_file: bool) -> ClaudeRead {
    let read = read_claude(path);
    let raw = raw_lines(path);
    let lines = own_lines(&raw, agent_file);
    let name = path.display();

    assert_eq!(
        prompts(&read.events),
        typed_prompts(&lines),
        "{name}: every typed prompt, in order, in its own turn, nothing else"
    );
    let c = calls(&lines);
    let mut got: Vec<_> = commands(&read.events)
        .iter()
        .map(|c| (c.command.clone(), c.failed(), c.exit_code))
        .collect();
    got.sort();
    assert_eq!(got, expected_commands(&c), "{name}: every Bash call once");
    assert!(
        commands(&read.events)
            .iter()
            .all(|c| c.tool == "claude_bash")
    );
    let mut edits: Vec<_> = read
        .events
        .iter()
        .filter_map(|e| match &e.body {
            Body::Edit(ed) => Some(ed),
            _ => None,
        })
        .flat_map(|ed| ed.files.iter().map(|f| (f.path.clone(), ed.success)))
        .collect();
    edits.sort();
    assert_eq!(
        edits,
        expected_edits(&c),
        "{name}: every edit with its file"
    );

    let mut tokens = BTreeMap::new();
    let mut ends = 0;
    for e in &read.events {
        if let Body::TurnEnd { tokens: t, .. } = &e.body {
            ends += 1;
            if let Some(t) = t {
                tokens.insert(e.turn.clone().unwrap(), t.total);
            }
        }
    }
    let want = expected_tokens(&lines);
    assert_eq!(tokens, want, "{name}: tokens per turn, each response once");
    let dedup: BTreeMap<&str, &Value> = lines
        .iter()
        .filter(|l| l["type"] == "assistant" && l["message"]["usage"].is_object())
        .map(|l| (l["message"]["id"].as_str().unwrap(), &l["message"]["usage"]))
        .collect();
    let file_total: u64 = dedup
        .values()
        .map(|u| {
            [
                "input_tokens",
                "cache_creation_input_tokens",
                "cache_read_input_tokens",
                "output_tokens",
            ]
            .iter()
            .map(|k| u[k].as_u64().unwrap_or(0))
            .sum::<u64>()
        })
        .sum();
    assert_eq!(
        tokens.values().sum::<u64>(),
        file_total,
        "{name}: nothing lost between turns"
    );
    assert_eq!(
        ends,
        typed_prompts(&lines).len(),
        "{name}: every turn closed once"
    );

    let ids: HashSet<&str> = read.events.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids.len(), read.events.len(), "{name}: event ids are unique");
    read
}

/// The real main session: the oracles, its header, commands, web calls and interrupted turns.
#[test]
fn real_main_session_matches_the_oracles() {
    let read = check_against_oracles(&claude_fixture(MAIN), false);
    assert!(read.events.iter().all(|e| e.session == MAIN_ID));
    let info = header(&read.events);
    assert_eq!(
        (
            info.surface.as_str(),
            info.originator.as_deref(),
            info.cli_version.as_deref(),
            info.git_branch.as_deref(),
            info.model.as_deref(),
            info.cwd.as_deref(),
            info.started_at.as_str()
        ),
        (
            "claude",
            Some("claude-code"),
            Some("2.1.38"),
            Some("master"),
            Some("claude-opus-4-6"),
            Some("/home/marco/projects/spotter"),
            "2026-02-10T22:57:51.291Z"
        )
    );
    assert!(!info.is_agent_thread());
    let texts: Vec<String> = prompts(&read.events).into_iter().map(|(_, t)| t).collect();
    assert_eq!(
        texts,
        [
            "start phoenix in background",
            "scrolling back in xterm.js still does not work (maybe because outer web catches it)? websearch xterm.js tmux interactions"
        ]
    );
    let cmds = commands(&read.events);
    assert_eq!(
        cmds.iter()
            .map(|c| (
                c.command.as_str(),
                c.status,
                c.exit_code,
                c.workdir.as_deref()
            ))
            .collect::<Vec<_>>(),
        [
            (
                "mix phx.server",
                CommandStatus::Running,
                None,
                Some("/home/marco/projects/spotter")
            ),
            (
                "tail -5 /tmp/claude-1000/-home-marco-projects-spotter/tasks/bae407b.output",
                CommandStatus::Exited,
                Some(0),
                Some("/home/marco/projects/spotter")
            ),
        ]
    );
    assert!(cmds[1].output.contains("REFUSED JOIN"));
    let web: Vec<(&str, &str, Option<&str>)> = read
        .events
        .iter()
        .filter_map(|e| match &e.body {
            Body::WebSearch { action, query, url } => {
                Some((action.as_str(), query.as_str(), url.as_deref()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        web,
        [
            (
                "search",
                "xterm.js scroll not working embedded page captures scroll events",
                None
            ),
            (
                "open_page",
                "",
                Some("https://github.com/xtermjs/xterm.js/issues/1343")
            ),
        ]
    );
    // Both turns end where the developer interrupted them.
    let ends: Vec<(Option<&str>, TurnStatus, Option<&str>, &str)> = read
        .events
        .iter()
        .filter_map(|e| match &e.body {
            Body::TurnEnd { status, reason, .. } => {
                Some((e.turn.as_deref(), *status, reason.as_deref(), e.at.as_str()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        ends,
        [
            (
                Some("5440873c-2d59-4c8c-88ec-c0a8c38a027d"),
                TurnStatus::Aborted,
                Some("interrupted"),
                "2026-02-10T22:58:03.831Z"
            ),
            (
                Some("f643538d-cf06-4b9a-9bb0-9ae5c26ea07a"),
                TurnStatus::Aborted,
                Some("interrupted"),
                "2026-02-10T22:59:46.748Z"
            ),
        ]
    );
    assert!(read.events.iter().any(|e| matches!(&e.body,
        Body::Reasoning { text } if text.starts_with("The user wants me to research"))));
    // The `/mcp` command's markup and its caveat are scaffolding, not prompts.
    assert_eq!(read.stats.scaffolding, 3);
    assert_eq!((read.stats.malformed, read.stats.unknown.len()), (0, 0));
}

/// A Task sub-agent and a compaction run are read as agent threads of their own, apart from
/// the main session.
#[test]
fn sub_agents_and_compaction_are_sessions_of_their_own() {
    let sub = check_against_oracles(&claude_fixture(SUBAGENT), true);
    let parent = "ae4a77f8-aedd-4bc1-888f-c94edc91af04";
    assert!(
        sub.events
            .iter()
            .all(|e| e.session == format!("aac57f5@{parent}"))
    );
    let info = header(&sub.events);
    assert_eq!(
        (
            info.surface.as_str(),
            info.agent.as_deref(),
            info.parent.as_deref()
        ),
        ("subagent", Some("task"), Some(parent))
    );
    assert_eq!(info.model.as_deref(), Some("claude-sonnet-4-5-20250929"));
    assert!(info.is_agent_thread());
    let searches = sub
        .events
        .iter()
        .filter(|e| matches!(&e.body, Body::WebSearch { action, .. } if action == "search"))
        .count();
    let fetches = sub
        .events
        .iter()
        .filter(|e| matches!(&e.body, Body::WebSearch { action, .. } if action == "open_page"))
        .count();
    assert_eq!((searches, fetches), (6, 6));

    let compact = check_against_oracles(&claude_fixture(COMPACT), true);
    let parent = "8463c716-a2ea-4c14-9efa-87158ebd9f20";
    assert!(
        compact
            .events
            .iter()
            .all(|e| e.session == format!("acompact-f46190@{parent}"))
    );
    let info = header(&compact.events);
    assert_eq!(
        (
            info.surface.as_str(),
            info.agent.as_deref(),
            info.parent.as_deref()
        ),
        ("subagent", Some("compact"), Some(parent))
    );
    // The five isMeta hook-context reminders are scaffolding; the agent's one prompt is the
    // compaction instruction; its summary is the assistant's answer, never a prompt.
    assert_eq!(compact.stats.scaffolding, 5);
    let ps = prompts(&compact.events);
    assert_eq!(ps.len(), 1);
    assert!(
        ps[0]
            .1
            .starts_with("Your task is to create a detailed summary")
    );
    assert!(!ps[0].1.contains("hook additional context"));
    assert!(compact.events.iter().any(|e| matches!(&e.body,
        Body::Assistant { text, .. } if text.starts_with("<analysis>"))));

    // Nothing of either appears in the main session, and discovery finds all three files.
    let main = read_claude(&claude_fixture(MAIN));
    let agent_prompts: HashSet<String> = prompts(&sub.events)
        .into_iter()
        .chain(ps)
        .map(|(_, t)| t)
        .collect();
    assert!(main.events.iter().all(|e| e.session == MAIN_ID));
    assert!(
        prompts(&main.events)
            .iter()
            .all(|(_, t)| !agent_prompts.contains(t))
    );
    let (files, errors) = claude::discover(&[claude_fixture("real/projects")], false);
    assert!(errors.is_empty());
    assert_eq!(files.len(), 3);
    assert!(files.contains(&claude_fixture(MAIN)) && files.contains(&claude_fixture(COMPACT)));
}

/// Every tool and outcome the reader knows, and every kind of text that is not the developer's.
#[test]
fn handwritten_session_reads_every_tool_and_skips_what_is_not_the_developers() {
    let (dir, path) = handwritten();
    let read = check_against_oracles(&path, false);
    assert!(read.events.iter().all(|e| e.session == HANDWRITTEN_ID));
    let texts: Vec<String> = prompts(&read.events).into_iter().map(|(_, t)| t).collect();
    assert_eq!(
        texts,
        [
            "why does the cart test fail?",
            "is `??` the right fix? my key is [REDACTED:api-key]",
            "does useEffect run twice in dev?"
        ]
    );
    let images: Vec<u32> = read
        .events
        .iter()
        .filter_map(|e| match &e.body {
            Body::Prompt { images, .. } => Some(*images),
            _ => None,
        })
        .collect();
    assert_eq!(images, [0, 1, 0]);

    let cmds = commands(&read.events);
    let status: Vec<(&str, CommandStatus, Option<i32>)> = cmds
        .iter()
        .map(|c| (c.command.as_str(), c.status, c.exit_code))
        .collect();
    assert_eq!(
        status,
        [
            ("npm test", CommandStatus::Exited, Some(1)),
            ("npm test", CommandStatus::Exited, Some(0)),
            ("grep -rn TODO src", CommandStatus::Ran, None),
            ("npm run e2e", CommandStatus::TimedOut, None),
            ("cat logs/big.log", CommandStatus::Exited, Some(0)),
            ("cat /etc/app.conf", CommandStatus::Exited, Some(0)),
            ("rm -rf build", CommandStatus::Declined, None),
            ("./deploy.sh", CommandStatus::Failed, None),
            ("npm run watch", CommandStatus::NoResult, None),
            ("npm run dev", CommandStatus::Running, None),
        ]
    );
    assert!(
        cmds[0]
            .output
            .starts_with("Exit code 1\nFAIL src/cart.test.ts")
    );
    let big = cmds[4];
    assert!(
        big.output.starts_with("HEAD-OF-BIG-LOG")
            && big.output.ends_with("TAIL-OF-BIG-LOG\n")
            && big.output.contains("bytes elided"),
        "a spilled output is read head and tail from the session's tool-results: {}",
        big.output
    );
    assert_eq!(
        cmds[5].output, "inline output kept",
        "never read outside the session folder"
    );

    let edits: Vec<&sessionlens::normalize::Edit> = read
        .events
        .iter()
        .filter_map(|e| match &e.body {
            Body::Edit(ed) => Some(ed),
            _ => None,
        })
        .collect();
    let summary: Vec<_> = edits
        .iter()
        .map(|e| {
            let f = &e.files[0];
            (
                e.tool.as_str(),
                f.path.as_str(),
                f.op,
                f.added,
                f.removed,
                e.success,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "claude_edit",
                "/work/shop/src/cart.ts",
                FileOp::Update,
                1,
                1,
                Some(true)
            ),
            (
                "claude_write",
                "/work/shop/src/empty.ts",
                FileOp::Add,
                2,
                0,
                Some(true)
            ),
            (
                "claude_multiedit",
                "/work/shop/src/cart.ts",
                FileOp::Update,
                3,
                3,
                Some(false)
            ),
            (
                "claude_notebookedit",
                "/work/shop/nb.ipynb",
                FileOp::Update,
                2,
                0,
                Some(true)
            ),
        ]
    );
    assert_eq!(edits[0].files[0].hunks[0].old_start, Some(11));
    assert!(
        edits[0].files[0]
            .diff
            .contains("+  return (cart.items ?? []).length;")
    );
    assert_eq!(edits[2].files[0].hunks.len(), 2);

    let mcp: Vec<(&str, &str, Option<bool>, &str)> = read
        .events
        .iter()
        .filter_map(|e| match &e.body {
            Body::McpCall(m) => Some((
                m.server.as_str(),
                m.tool.as_str(),
                m.success,
                m.output.as_str(),
            )),
            _ => None,
        })
        .collect();
    assert_eq!(
        mcp,
        [
            ("sessionlens", "recall", Some(true), ""),
            ("github", "get_issue", Some(false), "Not Found: issue 7"),
        ]
    );
    assert!(read.events.iter().any(|e| matches!(&e.body,
        Body::McpCall(m) if m.arguments == r#"{"issue_number":7,"owner":"shop","repo":"web"}"#)));
    assert!(read.events.iter().any(|e| matches!(&e.body,
        Body::Plan { text } if text == "1. Guard `items`\n2. Add a test for an empty cart")));
    let finals: Vec<&str> = read
        .events
        .iter()
        .filter_map(|e| match &e.body {
            Body::Assistant {
                text,
                phase: Some(p),
            } if p == "final_answer" => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        finals,
        ["Fixed: `count` now treats a missing `items` as empty."]
    );
    assert!(
        !read.events.iter().any(|e| matches!(&e.body,
            Body::Assistant { text, .. } if text.contains("API Error"))),
        "Claude Code's stand-in for a failed API call is not an answer"
    );

    let compacted: Vec<Option<&str>> = read
        .events
        .iter()
        .filter(|e| matches!(e.body, Body::Compacted {}))
        .map(|e| e.turn.as_deref())
        .collect();
    assert_eq!(compacted, [Some("u-0002")]);
    let ends: Vec<(&str, TurnStatus, Option<u64>)> = read
        .events
        .iter()
        .filter_map(|e| match &e.body {
            Body::TurnEnd {
                status,
                duration_ms,
                ..
            } => Some((e.turn.as_deref().unwrap(), *status, *duration_ms)),
            _ => None,
        })
        .collect();
    assert_eq!(
        ends,
        [
            ("u-0001", TurnStatus::Inferred, Some(42000)),
            ("u-0002", TurnStatus::Aborted, None),
            ("u-0003", TurnStatus::Inferred, None),
        ]
    );
    // Hook output (attachments, the isMeta reminder), the slash command, its caveat and output,
    // the compaction summary and a task notification; the inline sub-agent line; the unknown kind.
    assert_eq!(read.stats.scaffolding, 9);
    assert_eq!(read.stats.inherited, 1);
    assert_eq!(read.stats.unknown.get("hologram"), Some(&1));

    let json = serde_json::to_string(&read.events).unwrap();
    for absent in [
        "sk-proj-abcdefghij",
        "TOP-SECRET",
        "nullish coalescing: open",
        "You asked about ??",
        "the old inline sub-agent task",
        "This session is being continued",
    ] {
        assert!(!json.contains(absent), "{absent} must not reach an event");
    }
    drop(dir);
}

/// Stopping after any line, saving the state through JSON and resuming gives exactly the events
/// of one uninterrupted read: the property that makes ingest resumable.
#[test]
fn a_read_resumed_at_every_line_equals_one_read() {
    let (_dir, hand) = handwritten();
    for path in [
        claude_fixture(MAIN),
        claude_fixture(SUBAGENT),
        claude_fixture(COMPACT),
        claude_fixture(SHAPES),
        hand,
    ] {
        let whole = read_claude(&path);
        let content = std::fs::read(&path).unwrap();
        let boundaries = content
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .map(|(i, _)| i as u64 + 1);
        for cut in std::iter::once(0).chain(boundaries) {
            let a = read_claude_from(&path, 0, None, Some(cut), false);
            let saved = serde_json::to_string(&a.state).unwrap();
            assert!(
                !saved.contains("sk-proj-abcdefghij"),
                "saved states are redacted"
            );
            let state: claude::ClaudeState = serde_json::from_str(&saved).unwrap();
            assert!(state.is_current());
            let b = read_claude_from(&path, a.offset, Some(state), None, true);
            let mut joined = a.events;
            joined.extend(b.events);
            assert_eq!(
                joined,
                whole.events,
                "{}: resumed at byte {cut}",
                path.display()
            );
        }
    }
}

/// The shape catalogue's line types are all known: none is counted as unknown, none is fatal.
#[test]
fn every_known_line_type_is_tolerated() {
    let read = read_claude(&claude_fixture(SHAPES));
    assert_eq!(read.stats.lines, 89);
    assert_eq!((read.stats.malformed, read.stats.invalid_utf8), (0, 0));
    assert_eq!(read.stats.unknown, BTreeMap::new());
}

/// Damage is counted, never fatal, and a line still being written is read once complete.
#[test]
fn damaged_lines_are_counted_and_a_half_written_line_waits() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("{MAIN_ID}.jsonl"));
    let mut bytes = std::fs::read(claude_fixture(MAIN)).unwrap();
    bytes.extend_from_slice(b"not json at all\n");
    bytes.extend_from_slice(
        format!(
            "{{\"type\":\"user\",\"uuid\":\"u-bad\",\"timestamp\":\"2026-02-10T23:00:00.000Z\",\"sessionId\":\"{MAIN_ID}\",\"message\":{{\"role\":\"user\",\"content\":\"caf"
        )
        .as_bytes(),
    );
    bytes.extend_from_slice(b"\xff is broken\"}}\n");
    bytes.extend_from_slice(b"{\"type\":\"hologram\",\"frames\":3}\n[1,2]\n");
    bytes.extend_from_slice(
        format!(
            "{{\"type\":\"user\",\"uuid\":\"u-half\",\"timestamp\":\"2026-02-10T23:00:05.000Z\",\"sessionId\":\"{MAIN_ID}\",\"message\":{{\"role\":\"user\",\"content\":\"and the last one"
        )
        .as_bytes(),
    );
    std::fs::write(&path, &bytes).unwrap();

    let first = read_claude_from(&path, 0, None, None, false);
    assert_eq!(first.stats.malformed, 2);
    assert_eq!(first.stats.invalid_utf8, 1);
    assert_eq!(first.stats.unknown.get("hologram"), Some(&1));
    assert!(
        first.offset < bytes.len() as u64,
        "the unterminated last line is not consumed"
    );
    let last = prompts(&first.events).pop().unwrap();
    assert_eq!(
        last,
        ("u-bad".to_owned(), "caf\u{FFFD} is broken".to_owned())
    );

    // Claude Code finishes the line: the next read picks it up from the offset and saved state.
    bytes.extend_from_slice(b"\"}}\n");
    std::fs::write(&path, &bytes).unwrap();
    let state = serde_json::from_str(&serde_json::to_string(&first.state).unwrap()).unwrap();
    let second = read_claude_from(&path, first.offset, Some(state), None, true);
    assert_eq!(
        prompts(&second.events),
        [("u-half".to_owned(), "and the last one".to_owned())]
    );
    assert!(matches!(
        (&second.events[0].body, second.events[0].turn.as_deref()),
        (
            Body::TurnEnd {
                status: TurnStatus::Inferred,
                ..
            },
            Some("u-bad")
        )
    ));
}

/// A transcript first read as a Codex rollout by mistake (`ingest codex` on Claude Code's folder)
/// is still read as a transcript by `ingest claude`: the two readers keep their own cursors.
#[test]
fn a_transcript_read_as_the_wrong_source_first_is_still_read() {
    let env = Env::new();
    let dir = env.root.path().join("mixed");
    std::fs::create_dir_all(&dir).unwrap();
    let rel = "real/projects/-home-marco-projects-spotter";
    for e in std::fs::read_dir(claude_fixture(rel)).unwrap() {
        let p = e.unwrap().path();
        if p.is_file() {
            std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
        }
    }
    let d = dir.to_str().unwrap();
    let codex = env.json(&["ingest", "codex", "--idle-minutes", "0", "--json", d]);
    assert_eq!(
        codex["events_added"], 0,
        "nothing of a transcript is a rollout"
    );
    let claude = env.json(&["ingest", "claude", "--idle-minutes", "0", "--json", d]);
    assert_eq!(claude["files_unchanged"], 0, "{claude:#}");
    assert!(claude["events_added"].as_u64().unwrap() > 5, "{claude:#}");
    let sessions = env.json(&["sessions", "--json"]);
    assert_eq!(sessions[0]["source"], "claude");
    let again = env.json(&["ingest", "claude", "--idle-minutes", "0", "--json", d]);
    assert_eq!(again["events_added"], 0);
}
