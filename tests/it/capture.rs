//! Reading real and hand-written Codex rollouts through the library: every format generation,
//! every way a file can be damaged, and resuming a read anywhere gives the same events.

use crate::common;

use common::*;
use serde_json::Value;
use sessionlens::normalize::{Body, CommandStatus, Event, FileOp, TurnStatus};
use std::collections::{BTreeMap, HashSet};

fn lines_of(rel: &str) -> Vec<Value> {
    std::fs::read_to_string(fixture(rel))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn prompts(events: &[Event]) -> Vec<&str> {
    events
        .iter()
        .filter_map(|e| match &e.body {
            Body::Prompt { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

fn commands(events: &[Event]) -> Vec<&sessionlens::normalize::Command> {
    events
        .iter()
        .filter_map(|e| match &e.body {
            Body::Command(c) => Some(c),
            _ => None,
        })
        .collect()
}

fn exit_code_in(output: &str) -> Option<i32> {
    output
        .strip_prefix("Exit code: ")?
        .lines()
        .next()?
        .trim()
        .parse()
        .ok()
}

#[test]
fn real_cli_session_yields_every_prompt_command_and_edit_once() {
    let read = read_all(CLI_REAL);
    let raw = lines_of(CLI_REAL);
    let payloads = || raw.iter().map(|l| (&l["type"], &l["payload"]));

    // Oracle, computed from the raw file independently of the reader.
    let typed: Vec<&str> = payloads()
        .filter(|(t, p)| *t == "event_msg" && p["type"] == "user_message")
        .map(|(_, p)| p["message"].as_str().unwrap().trim())
        .collect();
    let mut shell_calls: BTreeMap<String, String> = BTreeMap::new();
    let mut outputs: BTreeMap<String, String> = BTreeMap::new();
    let mut patch_calls = 0;
    for (t, p) in payloads() {
        if *t != "response_item" {
            continue;
        }
        match p["type"].as_str().unwrap() {
            "function_call" if p["name"] == "shell_command" => {
                let args: Value = serde_json::from_str(p["arguments"].as_str().unwrap()).unwrap();
                shell_calls.insert(
                    p["call_id"].as_str().unwrap().into(),
                    args["command"].as_str().unwrap().into(),
                );
            }
            "function_call_output" => {
                outputs.insert(
                    p["call_id"].as_str().unwrap().into(),
                    p["output"].as_str().unwrap().into(),
                );
            }
            "custom_tool_call" if p["name"] == "apply_patch" => patch_calls += 1,
            _ => {}
        }
    }
    let via_shell = shell_calls
        .values()
        .filter(|c| c.trim_start().starts_with("apply_patch"))
        .count();
    let expected_exits: Vec<Option<i32>> = shell_calls
        .iter()
        .filter(|(_, c)| !c.trim_start().starts_with("apply_patch"))
        .map(|(id, _)| outputs.get(id).and_then(|o| exit_code_in(o)))
        .collect();

    assert_eq!(
        prompts(&read.events),
        typed,
        "every typed prompt, in order, nothing else"
    );
    let cmds = commands(&read.events);
    assert_eq!(cmds.len(), expected_exits.len());
    let mut got_exits: Vec<Option<i32>> = cmds.iter().map(|c| c.exit_code).collect();
    let mut want = expected_exits.clone();
    got_exits.sort();
    want.sort();
    assert_eq!(got_exits, want);
    assert!(
        cmds.iter()
            .all(|c| c.status == CommandStatus::Exited && c.tool == "shell_command")
    );
    let edits = read
        .events
        .iter()
        .filter(|e| matches!(e.body, Body::Edit(_)))
        .count();
    assert_eq!(edits, patch_calls + via_shell);

    // One session header, every turn closed once, the interrupted one as aborted.
    let Body::SessionStart(info) = &read.events[0].body else {
        panic!("first event is the header")
    };
    assert_eq!(
        (info.surface.as_str(), info.originator.as_deref()),
        ("cli", Some("codex_cli_rs"))
    );
    assert_eq!(info.model.as_deref(), Some("gpt-5.1-codex-max"));
    let ends: Vec<&Event> = read
        .events
        .iter()
        .filter(|e| matches!(e.body, Body::TurnEnd { .. }))
        .collect();
    assert_eq!(ends.len(), typed.len());
    let aborted = payloads()
        .filter(|(t, p)| *t == "event_msg" && p["type"] == "turn_aborted")
        .count();
    assert_eq!(
        ends.iter()
            .filter(|e| matches!(
                e.body,
                Body::TurnEnd {
                    status: TurnStatus::Aborted,
                    ..
                }
            ))
            .count(),
        aborted
    );
    // Per-turn usage adds up to the thread's final cumulative count.
    let final_total = payloads()
        .rev()
        .filter(|(t, p)| *t == "event_msg" && p["type"] == "token_count")
        .find_map(|(_, p)| p["info"]["total_token_usage"]["total_tokens"].as_u64())
        .unwrap();
    let per_turn: u64 = ends
        .iter()
        .filter_map(|e| match e.body {
            Body::TurnEnd { tokens, .. } => tokens.map(|t| t.total),
            _ => None,
        })
        .sum();
    assert_eq!(per_turn, final_total);

    let ids: HashSet<&str> = read.events.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids.len(), read.events.len(), "event ids are unique");
    // (This session inspects rollout files itself, so scaffolding text does occur in command
    // output; it must never be taken for something the developer typed.)
    assert!(
        prompts(&read.events)
            .iter()
            .all(|p| !p.contains("<environment_context>"))
    );
    assert_eq!((read.stats.malformed, read.stats.unknown.len()), (0, 0));
}

#[test]
fn real_vscode_session_strips_the_ide_preamble_and_counts_commands_once() {
    let read = read_all(VSCODE_REAL);
    let ps: Vec<&Event> = read
        .events
        .iter()
        .filter(|e| matches!(e.body, Body::Prompt { .. }))
        .collect();
    let Body::Prompt {
        text, ide, steer, ..
    } = &ps[0].body
    else {
        unreachable!()
    };
    assert_eq!(text, "remove the scrolling horizontally");
    assert_eq!(
        ide.as_ref().unwrap().active_file.as_deref(),
        Some("wakatime-cli/static/css/index.less")
    );
    assert!(!steer);
    assert_eq!(
        ps[0].turn.as_deref(),
        Some("019d9398-9c5a-75f1-ac21-b3e98e034441")
    );
    // "keep going" was typed while the turn ran: it steers the same turn.
    assert!(matches!(&ps[1].body, Body::Prompt { text, steer: true, .. } if text == "keep going"));
    assert_eq!(ps[1].turn, ps[0].turn);

    // `rg` has a function call, an exec_command_end and an output: one command.
    let cmds = commands(&read.events);
    let rg: Vec<_> = cmds
        .iter()
        .filter(|c| c.command.starts_with("rg -n"))
        .collect();
    assert_eq!(rg.len(), 1);
    assert_eq!(
        (rg[0].exit_code, rg[0].tool.as_str()),
        (Some(0), "exec_command")
    );
    // The second call's output is missing from the published file: kept, marked as no result.
    assert!(
        cmds.iter()
            .any(|c| c.command.starts_with("sed -n") && c.status == CommandStatus::NoResult)
    );

    let edits: Vec<_> = read
        .events
        .iter()
        .filter_map(|e| match &e.body {
            Body::Edit(ed) => Some(ed),
            _ => None,
        })
        .collect();
    assert_eq!(edits.len(), 2);
    assert_eq!(
        edits[0].files[0].path,
        "/Users/user/git/wakatime-cli/templates/index.html"
    );
    assert_eq!(edits[0].files[0].hunks[0].new_start, Some(8));
    assert_eq!(edits[1].files[0].hunks[0].old_start, Some(342));
    assert!(edits.iter().all(|e| e.success == Some(true)));
    let end = read
        .events
        .iter()
        .rev()
        .find(|e| matches!(e.body, Body::TurnEnd { .. }))
        .unwrap();
    assert!(matches!(
        end.body,
        Body::TurnEnd {
            status: TurnStatus::Completed,
            duration_ms: Some(47019),
            ..
        }
    ));
}

#[test]
fn every_2026_line_kind_is_known_and_tolerated() {
    let read = read_all(SHAPE_0146);
    assert_eq!(read.stats.malformed, 0);
    assert!(
        read.stats.unknown.is_empty(),
        "unknown kinds: {:?}",
        read.stats.unknown
    );
    assert_eq!(
        read.events[0].session,
        "019fc8be-3658-7ca3-9e29-000000000000"
    );
    assert!(prompts(&read.events).contains(&"List the files"));
    assert!(read.events.iter().any(|e| matches!(&e.body, Body::TurnEnd { status: TurnStatus::Aborted, reason: Some(r), .. } if r == "interrupted")));
    // The call whose output is a single content object is read as output text.
    assert!(
        commands(&read.events)
            .iter()
            .any(|c| c.output.contains("a.txt"))
    );
}

#[test]
fn pre_envelope_generation_reads_from_response_items() {
    let read = read_all(G0);
    let Body::SessionStart(info) = &read.events[0].body else {
        panic!()
    };
    assert_eq!(
        read.events[0].session,
        "5973b6c0-94b8-487b-a530-2aeb6098ae0e"
    );
    assert_eq!(
        (info.surface.as_str(), info.git_branch.as_deref()),
        ("cli", Some("main"))
    );
    assert_eq!(
        prompts(&read.events),
        vec![
            "What is `useEffect` and why does my list fetch twice?",
            "Thanks, that makes sense now."
        ]
    );
    assert_eq!(read.stats.scaffolding, 2);
    let cmds = commands(&read.events);
    assert_eq!(
        cmds.iter()
            .map(|c| (c.command.as_str(), c.exit_code, c.duration_ms))
            .collect::<Vec<_>>(),
        vec![
            ("npm test -- --watch=false", Some(1), Some(3200)),
            ("npm run build", Some(0), Some(1400))
        ]
    );
    assert_eq!(cmds[1].tool, "local_shell");
    assert!(
        read.events
            .iter()
            .any(|e| matches!(&e.body, Body::Reasoning { text } if text.contains("strict mode")))
    );
    assert!(read.events.iter().any(|e| matches!(&e.body, Body::Assistant { text, .. } if text.starts_with("`useEffect` runs after render"))));
}

#[test]
fn damaged_lines_are_counted_and_a_half_written_line_waits() {
    let path = fixture(MESSY);
    let first = read_from(&path, 0, None, None, false);
    assert_eq!(first.stats.malformed, 1);
    assert_eq!(first.stats.unknown.get("hologram_frame"), Some(&1));
    assert_eq!(first.stats.invalid_utf8, 1);
    let cmds = commands(&first.events);
    assert_eq!(cmds[0].exit_code, Some(1));
    assert!(
        cmds[0].output.contains("caf\u{FFFD}"),
        "the damaged line is kept, decoded lossily"
    );
    let len = std::fs::metadata(&path).unwrap().len();
    assert!(
        first.offset < len,
        "the unterminated last line is not consumed"
    );
    assert_eq!(prompts(&first.events), vec!["run the tests"]);

    // Codex finishes writing the line: the next read picks it up from the stored offset and state.
    let dir = tempfile::tempdir().unwrap();
    let grown = dir.path().join("rollout.jsonl");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend_from_slice(b"\",\"images\":[]}}\n");
    std::fs::write(&grown, &bytes).unwrap();
    let state = serde_json::from_value(serde_json::to_value(&first.state).unwrap()).unwrap();
    let second = read_from(&grown, first.offset, Some(state), None, true);
    assert_eq!(prompts(&second.events), vec!["fix it"]);
    assert_eq!(
        second.events[0].turn.as_deref(),
        Some("t1"),
        "the open turn ends before the new one"
    );
    assert!(matches!(
        second.events[0].body,
        Body::TurnEnd {
            status: TurnStatus::Inferred,
            ..
        }
    ));
}

#[test]
fn unified_exec_user_shell_timeouts_patches_secrets_and_resume() {
    let read = read_all(LIVE_2026);
    let cmds = commands(&read.events);
    let dev = cmds.iter().find(|c| c.command == "npm run dev").unwrap();
    assert_eq!(
        (dev.exit_code, dev.duration_ms),
        (Some(1), Some(15000)),
        "exit reported later through write_stdin"
    );
    assert!(dev.output.contains("cart.items is undefined"));
    let user = cmds.iter().find(|c| c.tool == "user_shell").unwrap();
    assert_eq!((user.exit_code, user.duration_ms), (Some(0), Some(1250)));
    let t = cmds.iter().find(|c| c.command == "npm test").unwrap();
    assert_eq!(t.status, CommandStatus::TimedOut);
    assert_eq!(cmds.len(), 3);

    let json = serde_json::to_string(&read.events).unwrap();
    assert!(
        !json.contains("sk-proj-abc") && !json.contains("ghp_R8xk"),
        "secrets never reach an event"
    );
    assert!(json.contains("[REDACTED:api-key]") && json.contains("[REDACTED:github-pat]"));

    let edit = read.events.iter().find_map(|e| match &e.body {
        Body::Edit(ed) => Some(ed),
        _ => None,
    });
    let f = &edit.unwrap().files[0];
    assert_eq!(
        (f.path.as_str(), f.op, f.hunks[0].old_start),
        ("/work/shop/src/cart.ts", FileOp::Update, Some(12))
    );

    assert_eq!(
        prompts(&read.events),
        vec![
            "start the dev server and tell me why it crashes",
            "did the fix hold?"
        ]
    );
    let resume = read.events.iter().find_map(|e| match &e.body {
        Body::SessionResume(info) => Some(info),
        _ => None,
    });
    assert_eq!(resume.unwrap().cli_version.as_deref(), Some("0.121.0"));
    let ends: Vec<_> = read
        .events
        .iter()
        .filter_map(|e| match &e.body {
            Body::TurnEnd { status, tokens, .. } => {
                Some((e.turn.clone().unwrap(), *status, tokens.map(|t| t.total)))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        ends,
        vec![
            (
                "019b1111-aaaa-7000-8000-000000000001".into(),
                TurnStatus::Completed,
                Some(5400)
            ),
            (
                "019b1111-aaaa-7000-8000-000000000002".into(),
                TurnStatus::Aborted,
                None
            ),
        ]
    );
    assert!(
        read.events
            .iter()
            .all(|e| e.session == "019b1111-2222-7333-8444-555566667777")
    );
}

/// Stopping after any line, saving the state through JSON and resuming gives exactly the events
/// of one uninterrupted read: the property that makes ingest resumable.
#[test]
fn a_read_resumed_anywhere_equals_one_read() {
    for rel in [CLI_REAL, VSCODE_REAL, SHAPE_0146, G0, MESSY, LIVE_2026] {
        let path = fixture(rel);
        let whole = read_from(&path, 0, None, None, true);
        let content = std::fs::read(&path).unwrap();
        let boundaries: Vec<u64> = content
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .map(|(i, _)| i as u64 + 1)
            .collect();
        let step = (boundaries.len() / 12).max(1);
        for &cut in boundaries.iter().step_by(step) {
            let a = read_from(&path, 0, None, Some(cut), false);
            let saved = serde_json::to_string(&a.state).unwrap();
            let b = read_from(
                &path,
                a.offset,
                Some(serde_json::from_str(&saved).unwrap()),
                None,
                true,
            );
            let mut joined = a.events;
            joined.extend(b.events);
            assert_eq!(joined, whole.events, "{rel}: resumed at byte {cut}");
        }
    }
}
