//! Paginated Codex rollouts (Codex 0.148+, `history_mode: "paginated"`): the same session written
//! in legacy form and in paginated form must read the same — events (ids included), the sessions
//! summary, every timeline and the insights — whether Codex wrote the file live or migrated it in
//! place. Then what only paginated threads have: a file migrated under a running store, revert
//! files, sub-agent copies of the parent's history, huge inline images, and Session Lens's own
//! context echoed back. The converter that makes the paginated twins (`common::paginate`) is
//! unit-tested first, against the real 0.148 excerpt among others.

use crate::common;

use common::paginate::{
    compact, epoch, member_names, member_text, paged_line, paginate, paginate_live,
};
use common::*;
use serde_json::{Value, json};
use sessionlens::normalize::{Body, Event};
use std::cell::OnceCell;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Where `common::scenario` puts an eval scenario's sessions under a Codex home.
const EVAL_DAY: &str = "sessions/2026/11/18";
/// Where the real fixtures go, as in `tests/it/cli.rs`.
const REAL_DAY: &str = "sessions/2025/11/22";
const EXCERPT: &str =
    "paginated/rollout-2026-08-19T09-48-58-01a017b5-1414-7250-bf14-dc4987eee1c9.jsonl";
const EXCERPT_ID: &str = "01a017b5-1414-7250-bf14-dc4987eee1c9";
const EXCERPT_TURN: &str = "01a017b5-1465-7e40-93eb-d66018fff96f";
/// The `event_msg` kinds a paginated file never holds (their content moved into items).
const LEGACY_ONLY: &[&str] = &[
    "user_message",
    "agent_message",
    "agent_reasoning",
    "agent_reasoning_raw_content",
    "patch_apply_end",
    "exec_command_end",
    "mcp_tool_call_end",
    "web_search_end",
    "context_compacted",
    "entered_review_mode",
    "exited_review_mode",
];

// ---------------------------------------------------------------------------------------------
// Small builders and readers
// ---------------------------------------------------------------------------------------------

/// `2026-01-02T03:04:SS.000Z`: timestamps for hand-written lines, one second apart.
fn at(s: u32) -> String {
    format!("2026-01-02T03:04:{s:02}.000Z")
}

/// A legacy envelope line.
fn line(ts: &str, kind: &str, payload: Value) -> Value {
    json!({"timestamp": ts, "type": kind, "payload": payload})
}

/// A legacy `event_msg` line at second `s`.
fn ev(s: u32, payload: Value) -> Value {
    line(&at(s), "event_msg", payload)
}

/// A legacy session header for thread `th` at second 0.
fn meta(extra: Value) -> Value {
    let mut p = json!({"id": "th", "timestamp": at(0), "cwd": "/w", "originator": "codex-tui",
        "cli_version": "0.125.0", "source": "cli"});
    if let (Some(p), Value::Object(extra)) = (p.as_object_mut(), extra) {
        p.extend(extra);
    }
    line(&at(0), "session_meta", p)
}

/// Lines as JSONL (serde_json writes keys sorted: the converter must not care about input order).
fn jsonl(lines: &[Value]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

/// Output lines, parsed.
fn parsed(out: &str) -> Vec<Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// The payload's text in a compact envelope line (written order kept).
fn payload_text(line: &str) -> String {
    member_text(line, "payload").unwrap()
}

/// (payload type, turn id, item type) of every `event_msg` line: the turns and items, in order.
fn outline(out: &str) -> Vec<(String, String, String)> {
    parsed(out)
        .iter()
        .filter(|l| l["type"] == "event_msg")
        .map(|l| {
            let p = &l["payload"];
            let s = |v: &Value| v.as_str().unwrap_or("").to_owned();
            (s(&p["type"]), s(&p["turn_id"]), s(&p["item"]["type"]))
        })
        .collect()
}

/// `outline` rows written tersely.
fn rows(rows: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    rows.iter()
        .map(|(a, b, c)| ((*a).to_owned(), (*b).to_owned(), (*c).to_owned()))
        .collect()
}

/// A migrated `Reasoning` item with the texts so far.
fn reasoning(id: &str, texts: &[&str]) -> Value {
    json!({"type": "Reasoning", "id": id, "summary_text": texts, "raw_content": []})
}

/// A response item message of `role` with one content block of `kind`.
fn message(role: &str, kind: &str, text: &str) -> Value {
    json!({"type": "message", "role": role, "content": [{"type": kind, "text": text}]})
}

/// The `item` of every `item_completed` line.
fn items(out: &str) -> Vec<Value> {
    parsed(out)
        .into_iter()
        .filter(|l| l["payload"]["type"] == "item_completed")
        .map(|l| l["payload"]["item"].clone())
        .collect()
}

/// RFC 3339 `ts` plus `secs` seconds, with milliseconds, as Codex writes timestamps.
fn later(ts: &str, secs: i64) -> String {
    let t: jiff::Timestamp = ts.parse().unwrap();
    let t = t + jiff::SignedDuration::from_secs(secs);
    let ms = t.as_millisecond().rem_euclid(1000);
    format!("{}.{ms:03}Z", t.strftime("%Y-%m-%dT%H:%M:%S"))
}

/// `ts` as a rollout file name's time part (`2026-11-18T23-40-07`).
fn name_time(ts: &str) -> String {
    ts[..19].replace(':', "-")
}

/// The first and last timestamps and the header payload of a rollout's text.
fn header_and_end(text: &str) -> (Value, String) {
    let lines = parsed(text);
    let last = lines.last().unwrap()["timestamp"]
        .as_str()
        .unwrap()
        .to_owned();
    (lines[0]["payload"].clone(), last)
}

/// One turn as a live paginated Codex appends it, from ordinal `first`: `task_started`, the
/// prompt (response item and `UserMessage`), the answer (`AgentMessage` and response item) and
/// `task_complete`, one second apart from `start`.
fn turn_lines(
    first: u64,
    start: &str,
    thread: &str,
    turn: &str,
    prompt: &str,
    answer: &str,
) -> String {
    let ts: Vec<String> = (0..6).map(|i| later(start, i)).collect();
    let ms = |i: usize| epoch(&serde_json::to_string(&ts[i]).unwrap()).1;
    let secs = |i: usize| epoch(&serde_json::to_string(&ts[i]).unwrap()).0;
    let payloads = [
        (
            "event_msg",
            json!({"type": "task_started", "turn_id": turn, "started_at": secs(0),
                "model_context_window": 258400, "collaboration_mode_kind": "default"}),
        ),
        (
            "response_item",
            json!({"type": "message", "role": "user",
                "content": [{"type": "input_text", "text": prompt}]}),
        ),
        (
            "event_msg",
            json!({"type": "item_completed", "thread_id": thread, "turn_id": turn,
                "item": {"type": "UserMessage", "id": format!("{turn}-u"),
                    "content": [{"type": "text", "text": prompt, "text_elements": []}]},
                "started_at_ms": ms(2), "completed_at_ms": ms(2)}),
        ),
        (
            "event_msg",
            json!({"type": "item_completed", "thread_id": thread, "turn_id": turn,
                "item": {"type": "AgentMessage", "id": format!("{turn}-a"),
                    "content": [{"type": "Text", "text": answer}], "phase": "final_answer"},
                "started_at_ms": ms(3), "completed_at_ms": ms(3)}),
        ),
        (
            "response_item",
            json!({"type": "message", "role": "assistant",
                "content": [{"type": "output_text", "text": answer}]}),
        ),
        (
            "event_msg",
            json!({"type": "task_complete", "turn_id": turn, "last_agent_message": answer,
                "started_at": secs(0), "completed_at": secs(5), "duration_ms": 5000}),
        ),
    ];
    payloads
        .iter()
        .enumerate()
        .map(|(i, (kind, p))| paged_line(&ts[i], first + i as u64, kind, p) + "\n")
        .collect()
}

/// Prompts typed, from library events.
fn prompts(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match &e.body {
            Body::Prompt { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect()
}

/// What the assistant said, from library events.
fn answers(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match &e.body {
            Body::Assistant { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect()
}

/// The events of a timeline (`timeline --json`) of one kind.
fn of_kind<'a>(timeline: &'a Value, kind: &str) -> Vec<&'a Value> {
    timeline
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == kind)
        .collect()
}

/// The `text` of a timeline's events of one kind.
fn texts(timeline: &Value, kind: &str) -> Vec<String> {
    of_kind(timeline, kind)
        .iter()
        .map(|e| e["text"].as_str().unwrap_or("").to_owned())
        .collect()
}

/// `ingest codex --json --idle-minutes 0`, which must succeed without per-file errors.
fn ingest(env: &Env) -> Value {
    let r = env.json(&["ingest", "codex", "--json", "--idle-minutes", "0"]);
    assert_eq!(r["errors"], json!([]), "ingest errors: {r}");
    r
}

/// `verify --json` must pass; returns the number of events in the chain.
fn verify_ok(env: &Env) -> u64 {
    let v = env.json(&["verify", "--json"]);
    assert_eq!(v["ok"], true, "{v}");
    v["events"].as_u64().unwrap()
}

/// A day folder under the env's Codex home, created.
fn day(env: &Env, rel: &str) -> PathBuf {
    let d = env.codex_home().join(rel);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A JSON value shortened for a failure message.
fn cut(v: Option<&Value>) -> String {
    let s = v.map_or_else(|| "(absent)".to_owned(), Value::to_string);
    if s.len() > 400 {
        let mut end = 400;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}…", &s[..end])
    } else {
        s
    }
}

/// Where two JSON values first differ (a path like `.timelines.<id>[12].turn`), if they do.
fn first_difference(path: &str, a: &Value, b: &Value) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                let p = format!("{path}.{k}");
                match (x.get(k), y.get(k)) {
                    (Some(u), Some(v)) => {
                        if let Some(d) = first_difference(&p, u, v) {
                            return Some(d);
                        }
                    }
                    (u, v) => return Some(format!("{p}: {} vs {}", cut(u), cut(v))),
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) => {
            for (i, (u, v)) in x.iter().zip(y).enumerate() {
                if let Some(d) = first_difference(&format!("{path}[{i}]"), u, v) {
                    return Some(d);
                }
            }
            (x.len() != y.len()).then(|| {
                let n = x.len().min(y.len());
                format!(
                    "{path}: {} vs {} elements; next: {} vs {}",
                    x.len(),
                    y.len(),
                    cut(x.get(n)),
                    cut(y.get(n))
                )
            })
        }
        _ if a == b => None,
        _ => Some(format!("{path}: {} vs {}", cut(Some(a)), cut(Some(b)))),
    }
}

/// Fails with the first difference between the legacy and the paginated reading.
fn assert_same_json(what: &str, legacy: &Value, paged: &Value) {
    if let Some(d) = first_difference("", legacy, paged) {
        panic!("{what}: legacy vs paginated differ at {d}");
    }
}

/// Everything people and tools see of a store: the sessions, every timeline, the insights.
fn views(env: &Env) -> Value {
    let sessions = env.json(&["sessions", "--json"]);
    let mut timelines = serde_json::Map::new();
    for s in sessions.as_array().unwrap() {
        let id = s["id"].as_str().unwrap();
        timelines.insert(id.to_owned(), env.json(&["timeline", id, "--json"]));
    }
    let insights = env.json(&["insights", "--json"]);
    json!({"sessions": sessions, "timelines": timelines, "insights": insights})
}

/// The same file read through the library in legacy and in paginated form: equal events.
fn assert_same_reads(what: &str, legacy: &Path, paged: &Path) {
    let a = read_from(legacy, 0, None, None, true);
    let b = read_from(paged, 0, None, None, true);
    let name = legacy.file_name().unwrap().to_string_lossy();
    assert_same_json(
        &format!("{what}: events of {name}"),
        &serde_json::to_value(&a.events).unwrap(),
        &serde_json::to_value(&b.events).unwrap(),
    );
    assert!(a.events == b.events, "{what}: events of {name}");
    assert!(!a.events.is_empty());
}

// ---------------------------------------------------------------------------------------------
// The converter itself
// ---------------------------------------------------------------------------------------------

/// Ordinals without gaps, the envelope in Codex's key order, compact; the header rewritten, later
/// headers dropped (kept live).
#[test]
fn converter_numbers_every_line_in_codex_envelope_order() {
    let input = jsonl(&[
        meta(
            json!({"history_mode": "legacy", "subagent_history_start_ordinal": 5,
            "history_base": {"thread_id": "x", "end_ordinal_exclusive": 3, "end_byte_offset": 9}}),
        ),
        line(
            &at(1),
            "turn_context",
            json!({"turn_id": "T1", "cwd": "/w", "model": "m"}),
        ),
        ev(2, json!({"type": "task_started", "turn_id": "T1"})),
        line(
            &at(3),
            "response_item",
            json!({"type": "message", "role": "user",
                "content": [{"type": "input_text", "text": "hi"}]}),
        ),
        ev(
            3,
            json!({"type": "user_message", "message": "hi", "images": []}),
        ),
        ev(4, json!({"type": "token_count", "info": null})),
        ev(
            5,
            json!({"type": "agent_message", "message": "hello", "phase": "final_answer"}),
        ),
        ev(
            6,
            json!({"type": "task_complete", "turn_id": "T1", "last_agent_message": "hello"}),
        ),
        meta(json!({"history_mode": "legacy"})),
    ]);
    let out = paginate(&input);
    let lines: Vec<&str> = out.lines().collect();
    let kinds: Vec<String> = parsed(&out)
        .iter()
        .map(|l| l["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        kinds,
        [
            "session_meta",
            "turn_context",
            "event_msg",
            "response_item",
            "event_msg",
            "event_msg",
            "event_msg",
            "event_msg"
        ],
        "the later session_meta is dropped by a migration"
    );
    for (i, (l, v)) in lines.iter().zip(parsed(&out)).enumerate() {
        assert_eq!(
            member_names(l),
            ["timestamp", "ordinal", "type", "payload"],
            "{l}"
        );
        assert_eq!(v["ordinal"], i, "ordinals have no gaps: {l}");
        assert_eq!(*l, compact(l), "compact JSON");
    }
    let head = &parsed(&out)[0]["payload"];
    assert_eq!(head["history_mode"], "paginated");
    assert!(
        head.get("history_base").is_none() && head.get("subagent_history_start_ordinal").is_none()
    );
    assert_eq!(
        member_names(&payload_text(lines[0])),
        [
            "cli_version",
            "cwd",
            "history_mode",
            "id",
            "originator",
            "source",
            "timestamp"
        ],
        "history_mode replaced in place, the rest in the source's order"
    );
    // Copied lines are the source's, byte for byte once compact.
    let src = parsed(&input);
    assert_eq!(parsed(&out)[1], {
        let mut l = src[1].clone();
        l["ordinal"] = json!(1);
        l
    });
    assert_eq!(parsed(&out)[3]["payload"], src[3]["payload"]);
    assert_eq!(parsed(&out)[5]["payload"], src[5]["payload"]);

    // A live writer keeps the resume header, in place, with its ordinal.
    let live = parsed(&paginate_live(&input));
    assert_eq!(live.len(), 9);
    assert_eq!(
        (
            &live[8]["type"],
            &live[8]["ordinal"],
            &live[8]["payload"]["history_mode"]
        ),
        (&json!("session_meta"), &json!(8), &json!("paginated"))
    );
}

/// `user_message` and `agent_message` become `UserMessage` and `AgentMessage` items in place,
/// timestamps kept.
#[test]
fn converter_turns_prompts_and_answers_into_items() {
    let input = jsonl(&[
        meta(json!({})),
        ev(1, json!({"type": "task_started", "turn_id": "T1"})),
        line(
            "2026-01-02T03:04:05.678Z",
            "event_msg",
            json!({"type": "user_message", "message": "look", "images": ["data:image/png;base64,AAAA"],
                "local_images": ["/w/a.png"], "text_elements": []}),
        ),
        ev(
            6,
            json!({"type": "agent_message", "message": "", "phase": "commentary"}),
        ),
        ev(
            7,
            json!({"type": "agent_message", "message": "done", "phase": "final_answer"}),
        ),
        ev(
            8,
            json!({"type": "user_message", "message": "  ", "images": ["https://x/y.png"]}),
        ),
        ev(9, json!({"type": "task_complete", "turn_id": "T1"})),
    ]);
    let out = paginate(&input);
    let lines = parsed(&out);
    assert_eq!(
        lines[2]["payload"],
        json!({"type": "item_completed", "thread_id": "th", "turn_id": "T1",
            "item": {"type": "UserMessage", "id": "item-1", "content": [
                {"type": "text", "text": "look", "text_elements": []},
                {"type": "image", "image_url": "data:image/png;base64,AAAA"},
                {"type": "local_image", "path": "/w/a.png"}]},
            "completed_at_ms": 1_767_323_045_678_i64})
    );
    assert_eq!(lines[2]["timestamp"], "2026-01-02T03:04:05.678Z");
    assert_eq!(
        member_names(&payload_text(out.lines().nth(2).unwrap())),
        ["type", "thread_id", "turn_id", "item", "completed_at_ms"]
    );
    assert_eq!(
        items(&out)[1..],
        [
            json!({"type": "AgentMessage", "id": "item-2",
                "content": [{"type": "Text", "text": "done"}], "phase": "final_answer"}),
            json!({"type": "UserMessage", "id": "item-3",
                "content": [{"type": "image", "image_url": "https://x/y.png"}]}),
        ],
        "an empty answer is dropped; a prompt of images alone has no text block"
    );
    assert_eq!(lines.len(), 6);
    let live = parsed(&paginate_live(&input));
    assert_eq!(live[2]["payload"]["started_at_ms"], 1_767_323_045_678_i64);
}

/// A migration repeats a reasoning item with all texts so far; a live writer makes one per text.
#[test]
fn converter_accumulates_reasoning_like_a_migration_and_not_like_a_live_writer() {
    let input = jsonl(&[
        meta(json!({})),
        ev(1, json!({"type": "task_started", "turn_id": "T1"})),
        ev(2, json!({"type": "agent_reasoning", "text": "a"})),
        line(
            &at(3),
            "response_item",
            json!({"type": "reasoning", "summary": []}),
        ),
        ev(3, json!({"type": "token_count", "info": null})),
        ev(4, json!({"type": "agent_reasoning", "text": "b"})),
        ev(5, json!({"type": "agent_message", "message": "x"})),
        ev(6, json!({"type": "agent_reasoning", "text": "c"})),
        ev(7, json!({"type": "agent_reasoning", "text": ""})),
        ev(8, json!({"type": "task_complete", "turn_id": "T1"})),
    ]);
    assert_eq!(
        items(&paginate(&input)),
        [
            reasoning("item-1", &["a"]),
            reasoning("item-1", &["a", "b"]),
            json!({"type": "AgentMessage", "id": "item-2",
                "content": [{"type": "Text", "text": "x"}]}),
            reasoning("item-3", &["c"]),
        ],
        "a token count does not end the run; an answer does; the last line of an id is complete"
    );
    assert_eq!(
        items(&paginate_live(&input)),
        [
            reasoning("item-1", &["a"]),
            reasoning("item-2", &["b"]),
            json!({"type": "AgentMessage", "id": "item-3",
                "content": [{"type": "Text", "text": "x"}]}),
            reasoning("item-4", &["c"]),
        ]
    );
}

/// Without turn ids, prompts open `rollout-<line>` turns, closed by the next prompt, a real turn
/// or the end.
#[test]
fn converter_synthesizes_implicit_turns_like_codex() {
    let input = jsonl(&[
        meta(json!({})),
        line(&at(1), "turn_context", json!({"cwd": "/w", "model": "m"})),
        ev(2, json!({"type": "user_message", "message": "one"})),
        ev(3, json!({"type": "agent_message", "message": "1"})),
        ev(4, json!({"type": "token_count", "info": null})),
        ev(5, json!({"type": "user_message", "message": "two"})),
        ev(6, json!({"type": "turn_aborted", "reason": "interrupted"})),
        ev(7, json!({"type": "agent_reasoning", "text": "r"})),
        ev(8, json!({"type": "user_message", "message": "three"})),
        ev(9, json!({"type": "task_started", "turn_id": "X"})),
        ev(10, json!({"type": "user_message", "message": "four"})),
        ev(
            11,
            json!({"type": "user_message", "message": "four, steering"}),
        ),
        ev(12, json!({"type": "task_complete", "turn_id": "X"})),
        ev(13, json!({"type": "agent_message", "message": "late"})),
    ]);
    let out = paginate(&input);
    assert_eq!(
        outline(&out),
        rows(&[
            ("task_started", "rollout-2", ""),
            ("item_completed", "rollout-2", "UserMessage"),
            ("item_completed", "rollout-2", "AgentMessage"),
            ("token_count", "", ""),
            ("task_complete", "rollout-2", ""),
            ("task_started", "rollout-5", ""),
            ("item_completed", "rollout-5", "UserMessage"),
            ("turn_aborted", "rollout-5", ""),
            ("task_started", "rollout-7", ""),
            ("item_completed", "rollout-7", "Reasoning"),
            ("item_completed", "rollout-7", "UserMessage"),
            ("task_complete", "rollout-7", ""),
            ("task_started", "X", ""),
            ("item_completed", "X", "UserMessage"),
            ("item_completed", "X", "UserMessage"),
            ("task_complete", "X", ""),
            ("task_started", "rollout-13", ""),
            ("item_completed", "rollout-13", "AgentMessage"),
            ("task_complete", "rollout-13", ""),
        ])
    );
    let lines = parsed(&out);
    let secs = |s: u32| epoch(&serde_json::to_string(&at(s)).unwrap()).0;
    // Synthesized lines take the time of the line that caused them.
    assert_eq!(lines[2]["timestamp"], at(2));
    assert_eq!(
        lines[2]["payload"],
        json!({"type": "task_started", "turn_id": "rollout-2", "started_at": secs(2)})
    );
    let done = |l: &Value| l["payload"]["type"] == "task_complete";
    let synthesized: Vec<&Value> = lines.iter().filter(|l| done(l)).collect();
    assert_eq!(synthesized[0]["timestamp"], at(5));
    assert_eq!(
        synthesized[0]["payload"],
        json!({"type": "task_complete", "turn_id": "rollout-2", "last_agent_message": null,
            "completed_at": secs(5)})
    );
    assert_eq!(
        synthesized[1]["timestamp"],
        at(9),
        "a task_started ends the implicit turn"
    );
    assert_eq!(
        synthesized[3]["timestamp"],
        at(13),
        "the file's end ends the last one"
    );
    // The abort gets the active turn's id, right after its `type`.
    let aborted = out.lines().find(|l| l.contains("turn_aborted")).unwrap();
    let names = member_names(&payload_text(aborted));
    let place = |k: &str| names.iter().position(|n| n == k);
    assert_eq!(place("turn_id"), place("type").map(|i| i + 1), "{aborted}");
}

/// Command, patch, MCP, web search and compaction events become their items, each under the turn
/// it names.
#[test]
fn converter_maps_tool_completions_to_items() {
    const DIFF: &str = "@@ -1 +1 @@\n-a\n+b\n";
    let exec = |call: &str, turn: &str| {
        json!({"type": "exec_command_end", "call_id": call, "turn_id": turn,
            "command": ["/bin/bash", "-lc", "npm test"], "cwd": "/home/dev/my app", "parsed_cmd": [],
            "source": "agent", "stdout": "", "stderr": "", "aggregated_output": "ok\n", "exit_code": 1,
            "duration": {"secs": 1, "nanos": 5}, "formatted_output": "", "status": "failed"})
    };
    let input = jsonl(&[
        meta(json!({})),
        ev(1, json!({"type": "task_started", "turn_id": "T1"})),
        ev(2, exec("c1", "T1")),
        ev(
            3,
            json!({"type": "patch_apply_end", "call_id": "p1", "turn_id": "T1", "stdout": "Done",
            "stderr": "", "success": false,
            "changes": {"/w/a.rs": {"type": "update", "unified_diff": DIFF, "move_path": null}}}),
        ),
        ev(
            4,
            json!({"type": "mcp_tool_call_end", "call_id": "m1",
            "invocation": {"server": "docs", "tool": "search", "arguments": {"q": "x"}},
            "duration": {"secs": 0, "nanos": 10}, "result": {"Ok": {"content": [], "isError": false}}}),
        ),
        ev(
            5,
            json!({"type": "mcp_tool_call_end", "call_id": "m2",
            "invocation": {"server": "docs", "tool": "search"},
            "duration": {"secs": 0, "nanos": 10}, "result": {"Err": "boom"}}),
        ),
        ev(
            6,
            json!({"type": "web_search_end", "call_id": "w1", "query": "rust",
            "action": {"type": "search", "query": "rust"}}),
        ),
        ev(7, json!({"type": "context_compacted"})),
        ev(8, json!({"type": "entered_review_mode", "target": {}})),
        ev(9, json!({"type": "thread_rolled_back", "num_turns": 1})),
        ev(10, exec("c2", "OTHER")),
        ev(11, json!({"type": "task_complete", "turn_id": "T1"})),
        ev(12, exec("c3", "T1")),
        ev(13, exec("c4", "NEW")),
    ]);
    let out = paginate(&input);
    assert_eq!(
        outline(&out),
        rows(&[
            ("task_started", "T1", ""),
            ("item_completed", "T1", "CommandExecution"),
            ("item_completed", "T1", "FileChange"),
            ("item_completed", "T1", "McpToolCall"),
            ("item_completed", "T1", "McpToolCall"),
            ("item_completed", "T1", "WebSearch"),
            ("item_completed", "T1", "ContextCompaction"),
            ("thread_rolled_back", "", ""),
            // An event naming another turn is filed under it, as Codex does.
            ("item_completed", "OTHER", "CommandExecution"),
            ("task_complete", "T1", ""),
            ("item_completed", "T1", "CommandExecution"),
            ("task_started", "NEW", ""),
            ("item_completed", "NEW", "CommandExecution"),
            ("task_complete", "NEW", ""),
        ])
    );
    let it = items(&out);
    assert_eq!(
        it[0],
        json!({"type": "CommandExecution", "id": "c1", "command": ["/bin/bash", "-lc", "npm test"],
            "cwd": "file:///home/dev/my%20app", "parsed_cmd": [], "source": "agent", "status": "failed",
            "aggregated_output": "ok\n", "exit_code": 1, "duration": {"secs": 1, "nanos": 5}})
    );
    assert_eq!(
        it[1],
        json!({"type": "FileChange", "id": "p1", "status": "failed", "stdout": "Done",
            "changes": {"/w/a.rs": {"type": "update", "unified_diff": DIFF, "move_path": null}}})
    );
    assert_eq!(
        it[2],
        json!({"type": "McpToolCall", "id": "m1", "server": "docs", "tool": "search",
            "arguments": {"q": "x"}, "status": "completed", "result": {"content": [], "isError": false},
            "duration": {"secs": 0, "nanos": 10}})
    );
    assert_eq!(
        it[3],
        json!({"type": "McpToolCall", "id": "m2", "server": "docs", "tool": "search",
            "arguments": null, "status": "failed", "error": {"message": "boom"},
            "duration": {"secs": 0, "nanos": 10}})
    );
    assert_eq!(
        it[4],
        json!({"type": "WebSearch", "id": "w1", "query": "rust",
            "action": {"type": "search", "query": "rust"}})
    );
    assert_eq!(it[5], json!({"type": "ContextCompaction", "id": "item-1"}));
    assert_eq!(
        parsed(&out)
            .iter()
            .find(|l| l["payload"]["type"] == "thread_rolled_back")
            .unwrap()["payload"],
        json!({"type": "thread_rolled_back", "num_turns": 1}),
        "copied, not applied"
    );
}

/// The real 0.148 excerpt turned back into the legacy lines it stands for.
fn excerpt_as_legacy() -> (Vec<String>, String) {
    let real: Vec<String> = std::fs::read_to_string(fixture(EXCERPT))
        .unwrap()
        .lines()
        .map(compact)
        .collect();
    let legacy: Vec<Value> = real
        .iter()
        .map(|l| {
            let mut v: Value = serde_json::from_str(l).unwrap();
            v.as_object_mut().unwrap().remove("ordinal");
            if v["type"] == "session_meta" {
                v["payload"]["history_mode"] = json!("legacy");
            } else if v["payload"]["type"] == "item_completed" {
                let p = &mut v["payload"];
                let text = p["item"]["content"][0]["text"].clone();
                *p = if p["item"]["type"] == "UserMessage" {
                    json!({"type": "user_message", "message": text, "images": [], "local_images": [],
                        "text_elements": []})
                } else {
                    json!({"type": "agent_message", "message": text, "phase": null})
                };
            }
            v
        })
        .collect();
    (real, jsonl(&legacy))
}

/// Our rewrite of the excerpt's legacy form against the real lines: same kinds, ordinals and
/// timestamps everywhere, the same payloads (item ids aside, which Codex makes up), and the same
/// keys in the same order on `item_completed` lines. A migration omits `started_at_ms`.
fn assert_matches_excerpt(real: &[String], ours: &str, live: bool) {
    let ours: Vec<&str> = ours.lines().collect();
    assert_eq!(ours.len(), real.len());
    for (o, r) in ours.iter().zip(real) {
        assert_eq!(member_names(o), member_names(r));
        let (mut ov, rv): (Value, Value) = (
            serde_json::from_str(o).unwrap(),
            serde_json::from_str(r).unwrap(),
        );
        if rv["payload"]["type"] != "item_completed" {
            assert_eq!(ov, rv, "a copied line");
            continue;
        }
        let (op, rp) = (payload_text(o), payload_text(r));
        let mut want = member_names(&rp);
        if !live {
            want.retain(|k| k != "started_at_ms");
            ov["payload"]["started_at_ms"] = rv["payload"]["started_at_ms"].clone();
        }
        assert_eq!(member_names(&op), want, "item_completed keys");
        assert_eq!(
            member_names(&member_text(&op, "item").unwrap()),
            member_names(&member_text(&rp, "item").unwrap()),
            "item keys"
        );
        ov["payload"]["item"]["id"] = rv["payload"]["item"]["id"].clone();
        assert_eq!(ov, rv, "an item_completed line");
    }
}

/// The excerpt's legacy form, rewritten, is the real 0.148 file again (item ids aside).
#[test]
fn converter_matches_the_real_0148_lines() {
    let (real, legacy) = excerpt_as_legacy();
    assert_matches_excerpt(&real, &paginate_live(&legacy), true);
    assert_matches_excerpt(&real, &paginate(&legacy), false);
}

/// Every legacy fixture rewrites into a well-formed paginated file that keeps all response items
/// and prompts.
#[test]
fn converter_output_is_well_formed_for_every_fixture() {
    let mut sources: Vec<PathBuf> = vec![fixture(CLI_REAL), fixture(VSCODE_REAL)];
    let eval = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/eval");
    for scenario in std::fs::read_dir(&eval).unwrap() {
        let dir = scenario.unwrap().path().join("sessions");
        if dir.is_dir() {
            sources.extend(std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()));
        }
    }
    assert!(sources.len() >= 13);
    for src in &sources {
        let text = std::fs::read_to_string(src).unwrap();
        let input = parsed(&text);
        let name = src.file_name().unwrap().to_string_lossy();
        for (mode, out) in [
            ("migrated", paginate(&text)),
            ("live", paginate_live(&text)),
        ] {
            let lines = parsed(&out);
            for (i, (l, v)) in out.lines().zip(&lines).enumerate() {
                let prefix = format!(
                    "{{\"timestamp\":{},\"ordinal\":{i},\"type\":{},\"payload\":{{",
                    v["timestamp"], v["type"]
                );
                assert!(l.starts_with(&prefix), "{name} ({mode}) line {i}: {l:.200}");
                assert!(
                    !LEGACY_ONLY.contains(&v["payload"]["type"].as_str().unwrap_or(""))
                        || v["type"] != "event_msg",
                    "{name} ({mode}): legacy event left in line {i}"
                );
            }
            assert_eq!(lines[0]["payload"]["history_mode"], "paginated");
            let items_of = |vs: &[Value], kind: &str| -> Vec<Value> {
                vs.iter()
                    .filter(|l| l["type"] == kind)
                    .map(|l| l["payload"].clone())
                    .collect()
            };
            assert_eq!(
                items_of(&lines, "response_item"),
                items_of(&input, "response_item"),
                "{name} ({mode}): response items copied in order"
            );
            let typed = input
                .iter()
                .filter(|l| l["payload"]["type"] == "user_message")
                .count();
            let user_items = lines
                .iter()
                .filter(|l| l["payload"]["item"]["type"] == "UserMessage")
                .count();
            assert_eq!(
                typed, user_items,
                "{name} ({mode}): one UserMessage per prompt"
            );
            // Every implicit turn is opened once and closed once (completed or aborted).
            for l in &lines {
                let id = l["payload"]["turn_id"].as_str().unwrap_or("");
                if l["payload"]["type"] == "task_started" && id.starts_with("rollout-") {
                    let closes = lines
                        .iter()
                        .filter(|m| {
                            let kind = m["payload"]["type"].as_str().unwrap_or("");
                            matches!(kind, "task_complete" | "turn_aborted")
                                && m["payload"]["turn_id"] == id
                        })
                        .count();
                    assert_eq!(closes, 1, "{name} ({mode}): {id} closed once");
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// a. The same sessions, legacy and paginated, read the same (real binary and library)
// ---------------------------------------------------------------------------------------------

/// Legacy session files in one store's Codex home; each comparison writes their paginated twins
/// (same file names) into a fresh one and compares everything.
struct Legacy {
    env: Env,
    day: &'static str,
    files: Vec<PathBuf>,
    views: OnceCell<Value>,
}

impl Legacy {
    /// An eval scenario set up by `common::scenario` (its workspace copy is shared by the twins,
    /// so working directories and symbol links agree).
    fn scenario(name: &str) -> Legacy {
        let env = Env::new();
        let (_, files) = scenario(&env, name);
        Legacy {
            env,
            day: EVAL_DAY,
            files,
            views: OnceCell::new(),
        }
    }

    /// A real fixture, copied byte for byte.
    fn real(rel: &str) -> Legacy {
        let env = Env::new();
        let src = fixture(rel);
        let dst = day(&env, REAL_DAY).join(src.file_name().unwrap());
        std::fs::copy(&src, &dst).unwrap();
        Legacy {
            env,
            day: REAL_DAY,
            files: vec![dst],
            views: OnceCell::new(),
        }
    }

    /// The legacy store's views, ingested once.
    fn views(&self) -> &Value {
        self.views.get_or_init(|| {
            ingest(&self.env);
            let v = views(&self.env);
            assert_eq!(v["sessions"].as_array().unwrap().len(), self.files.len());
            v
        })
    }

    /// Writes `convert` of every file into a fresh store, then compares the library's events
    /// file by file and the binary's sessions, timelines and insights.
    fn compare_with(&self, label: &str, convert: fn(&str) -> String) {
        let paged = Env::new();
        let dir = day(&paged, self.day);
        let mut pairs = Vec::new();
        for f in &self.files {
            let dst = dir.join(f.file_name().unwrap());
            std::fs::write(&dst, convert(&std::fs::read_to_string(f).unwrap())).unwrap();
            pairs.push((f.clone(), dst));
        }
        for (l, p) in &pairs {
            assert_same_reads(label, l, p);
        }
        let want = self.views();
        ingest(&paged);
        assert_same_json(label, want, &views(&paged));
        verify_ok(&paged);
    }
}

/// One eval scenario, migrated and live.
fn same_scenario(name: &str) {
    let legacy = Legacy::scenario(name);
    legacy.compare_with(&format!("{name} (migrated)"), paginate);
    legacy.compare_with(&format!("{name} (live)"), paginate_live);
}

/// The react scenario reads the same migrated and live.
#[test]
fn react_first_app_reads_the_same_paginated() {
    same_scenario("react-first-app");
}

/// The rust scenario reads the same migrated and live.
#[test]
fn rust_borrow_checker_reads_the_same_paginated() {
    same_scenario("rust-borrow-checker");
}

/// The docker scenario reads the same migrated and live.
#[test]
fn docker_build_reads_the_same_paginated() {
    same_scenario("docker-build");
}

/// The pandas scenario reads the same migrated and live.
#[test]
fn pandas_newcomer_reads_the_same_paginated() {
    same_scenario("pandas-newcomer");
}

/// No turn ids at all (Codex CLI 0.60): every turn is an implicit `rollout-<n>` once migrated.
#[test]
fn real_cli_session_reads_the_same_migrated() {
    Legacy::real(CLI_REAL).compare_with("real CLI (migrated)", paginate);
}

/// `exec_command_end`, `patch_apply_end` (filed under their own turn id while an implicit turn is
/// open) and a steering prompt (which opens a second implicit turn once migrated).
#[test]
fn real_vscode_session_reads_the_same_migrated() {
    Legacy::real(VSCODE_REAL).compare_with("real VS Code (migrated)", paginate);
}

// ---------------------------------------------------------------------------------------------
// b. The real 0.148 excerpt
// ---------------------------------------------------------------------------------------------

/// A real `codex exec` 0.148 file: its one turn, prompt and answer, from items alone.
#[test]
fn the_real_0148_excerpt_reads_its_prompt_and_answer() {
    let read = read_all(EXCERPT);
    assert_eq!(prompts(&read.events), ["hello"]);
    assert_eq!(answers(&read.events), ["Hello from mock LLM"]);
    assert_eq!((read.stats.malformed, read.stats.unknown.len()), (0, 0));

    let env = Env::new();
    let src = fixture(EXCERPT);
    std::fs::copy(
        &src,
        day(&env, "sessions/2026/08/19").join(src.file_name().unwrap()),
    )
    .unwrap();
    let report = ingest(&env);
    assert_eq!(report["lines"]["malformed"], 0, "{report}");
    assert_eq!(report["lines"]["unknown"], json!({}), "{report}");
    let sessions = env.json(&["sessions", "--json"]);
    let s = &sessions.as_array().unwrap()[..];
    assert_eq!(s.len(), 1);
    assert_eq!(
        (&s[0]["id"], &s[0]["source"], &s[0]["turns"]),
        (&json!(EXCERPT_ID), &json!("exec"), &json!(1))
    );
    let tl = env.json(&["timeline", EXCERPT_ID, "--json"]);
    assert_eq!(texts(&tl, "prompt"), ["hello"]);
    assert_eq!(texts(&tl, "assistant"), ["Hello from mock LLM"]);
    let ends = of_kind(&tl, "turn_end");
    assert_eq!(ends.len(), 1);
    assert_eq!(
        (&ends[0]["status"], &ends[0]["duration_ms"]),
        (&json!("completed"), &json!(54))
    );
    for e in tl.as_array().unwrap() {
        assert_eq!(e["session"], EXCERPT_ID);
        if e["kind"] != "session_start" {
            assert_eq!(e["turn"], EXCERPT_TURN, "{e}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// c. A rollout migrated in place under a store that already holds it
// ---------------------------------------------------------------------------------------------

/// Codex rewrites an ingested file in place (temp file, rename): nothing new, then only the
/// appended turn, and compression doubles nothing.
#[test]
fn a_rollout_migrated_in_place_adds_nothing_then_only_what_is_appended() {
    let env = Env::new();
    let (_, files) = scenario(&env, "react-first-app");
    ingest(&env);
    let path = &files[0];
    let legacy = std::fs::read_to_string(path).unwrap();
    let (head, _) = header_and_end(&legacy);
    let id = head["id"].as_str().unwrap().to_owned();
    let before = env.json(&["timeline", &id, "--json"]);
    let total = verify_ok(&env);

    // Codex stages the rewrite beside the file: never a rollout of its own.
    let paged = paginate(&legacy);
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let tmp = path.with_file_name(format!(".{name}.tmp"));
    std::fs::write(&tmp, &paged).unwrap();
    let r = ingest(&env);
    assert_eq!(
        (r["events_added"].as_u64(), r["files"].as_u64()),
        (Some(0), Some(3)),
        "{r}"
    );

    // …then publishes it by renaming it over the path: a new inode, the same history.
    let old_inode = inode(path);
    std::fs::rename(&tmp, path).unwrap();
    if cfg!(unix) {
        assert_ne!(inode(path), old_inode);
    }
    let r = ingest(&env);
    assert_eq!(r["events_added"], 0, "the migrated file adds nothing: {r}");
    assert_same_json(
        "timeline after migration",
        &before,
        &env.json(&["timeline", &id, "--json"]),
    );
    assert_eq!(verify_ok(&env), total);

    // Codex goes on writing the migrated thread: one more turn, ordinals continuing.
    let (_, end) = header_and_end(&paged);
    let turn = "01a1f108-ffff-7000-8000-00000000aa01";
    let prompt = "one more: why does the list need a key?";
    let more = turn_lines(
        paged.lines().count() as u64,
        &later(&end, 30),
        &id,
        turn,
        prompt,
        "So React can tell the items apart between renders.",
    );
    let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    std::io::Write::write_all(&mut f, more.as_bytes()).unwrap();
    drop(f);
    let r = ingest(&env);
    assert_eq!(
        r["events_added"], 3,
        "a prompt, an answer, the turn's end: {r}"
    );
    let after = env.json(&["timeline", &id, "--json"]);
    let n = before.as_array().unwrap().len();
    assert_same_json(
        "the history before the new turn",
        &before,
        &Value::Array(after.as_array().unwrap()[..n].to_vec()),
    );
    let new: Vec<(&Value, &Value)> = after.as_array().unwrap()[n..]
        .iter()
        .map(|e| (&e["kind"], &e["turn"]))
        .collect();
    assert_eq!(
        new,
        [
            (&json!("prompt"), &json!(turn)),
            (&json!("assistant"), &json!(turn)),
            (&json!("turn_end"), &json!(turn))
        ]
    );
    assert_eq!(
        texts(&after, "prompt").last().map(String::as_str),
        Some(prompt)
    );
    assert_eq!(ingest(&env)["events_added"], 0);

    // Compressed where they lie (Codex now compresses cold files in sessions/ too): the migrated
    // file and a legacy one. Nothing doubles.
    for f in [path, &files[1]] {
        let zst = PathBuf::from(format!("{}.zst", f.display()));
        std::fs::write(
            &zst,
            zstd::encode_all(&std::fs::read(f).unwrap()[..], 3).unwrap(),
        )
        .unwrap();
        std::fs::remove_file(f).unwrap();
    }
    let r = ingest(&env);
    assert_eq!(r["events_added"], 0, "{r}");
    assert_eq!(verify_ok(&env), total + 3);
    assert_same_json(
        "timeline once compressed",
        &after,
        &env.json(&["timeline", &id, "--json"]),
    );
}

/// A file's inode (0 where there is none), to see that a rename published a new file.
fn inode(path: &Path) -> u64 {
    #[cfg(unix)]
    {
        std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(path).unwrap())
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        0
    }
}

// ---------------------------------------------------------------------------------------------
// d. A revert file continues its thread
// ---------------------------------------------------------------------------------------------

/// The react scenario's first session as a live paginated Codex writes it, alone in `env`:
/// (its path, its text, the prompts its legacy form reads as).
fn live_first_session(env: &Env) -> (PathBuf, String, Vec<String>) {
    let (_, files) = scenario(env, "react-first-app");
    for f in &files[1..] {
        std::fs::remove_file(f).unwrap();
    }
    let want = prompts(&read_from(&files[0], 0, None, None, true).events);
    let text = paginate_live(&std::fs::read_to_string(&files[0]).unwrap());
    std::fs::write(&files[0], &text).unwrap();
    (files[0].clone(), text, want)
}

/// A revert file (`<thread>_<rollout>`) based on all of its thread adds one turn to the same
/// session, as a resume.
#[test]
fn a_revert_file_continues_its_thread_as_a_resume() {
    let env = Env::new();
    let (a_path, a, a_prompts) = live_first_session(&env);
    assert!(a_prompts.len() > 3);
    ingest(&env);
    let (head, end) = header_and_end(&a);
    let thread = head["id"].as_str().unwrap().to_owned();
    let a_turns = env.json(&["sessions", "--json"])[0]["turns"]
        .as_u64()
        .unwrap();
    assert_eq!(
        texts(&env.json(&["timeline", &thread, "--json"]), "prompt"),
        a_prompts
    );

    // thread/revert: a new immutable file for the same thread, based on all of A. (The original
    // rollout's id is its thread id.)
    let n = a.lines().count() as u64;
    let started = later(&end, 120);
    let mut meta = head.clone();
    meta["timestamp"] = json!(started);
    meta["history_base"] =
        json!({"thread_id": thread, "end_ordinal_exclusive": n, "end_byte_offset": a.len()});
    let prompt = "one more: why does the list need a key?";
    let b = paged_line(&started, n, "session_meta", &meta)
        + "\n"
        + &turn_lines(
            n + 1,
            &later(&started, 1),
            &thread,
            "01a1f10f-0000-7000-8000-0000000000c1",
            prompt,
            "So React can tell the items apart between renders.",
        );
    let rollout = "01a1f10f-0000-7000-8000-0000000000b1";
    let b_path = a_path.with_file_name(format!(
        "rollout-{}-{thread}_{rollout}.jsonl",
        name_time(&started)
    ));
    std::fs::write(&b_path, b).unwrap();
    ingest(&env);

    let sessions = env.json(&["sessions", "--json"]);
    let rows = sessions.as_array().unwrap();
    assert_eq!(rows.len(), 1, "one thread: {sessions}");
    assert_eq!(
        (&rows[0]["id"], rows[0]["turns"].as_u64()),
        (&json!(thread), Some(a_turns + 1))
    );
    let tl = env.json(&["timeline", &thread, "--json"]);
    let mut want = a_prompts.clone();
    want.push(prompt.to_owned());
    assert_eq!(texts(&tl, "prompt"), want, "A's prompts once, B's once");
    assert_eq!(of_kind(&tl, "session_start").len(), 1);
    let resumes = of_kind(&tl, "session_resume");
    assert_eq!(resumes.len(), 1, "B's header is a resume");
    assert_eq!(resumes[0]["at"], json!(started));

    // Both files met in one ingest read the same.
    let fresh = Env::new();
    let dir = day(&fresh, EVAL_DAY);
    for p in [&a_path, &b_path] {
        std::fs::copy(p, dir.join(p.file_name().unwrap())).unwrap();
    }
    ingest(&fresh);
    assert_same_json("one ingest of both files", &views(&env), &views(&fresh));
}

// ---------------------------------------------------------------------------------------------
// e. A sub-agent's copy of its parent's history
// ---------------------------------------------------------------------------------------------

/// A sub-agent file copying its parent's records holds only its own turn and feeds no insight.
#[test]
fn a_sub_agent_copy_of_its_parent_is_not_read_twice() {
    // The react scenario as live paginated Codex wrote it, with and without a sub-agent thread.
    let base = Env::new();
    let (_, files) = scenario(&base, "react-first-app");
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        std::fs::write(f, paginate_live(&text)).unwrap();
    }
    let with_child = Env::new();
    let dir = day(&with_child, EVAL_DAY);
    for f in &files {
        std::fs::copy(f, dir.join(f.file_name().unwrap())).unwrap();
    }
    let a = std::fs::read_to_string(&files[0]).unwrap();
    let (head, end) = header_and_end(&a);
    let parent = head["id"].as_str().unwrap().to_owned();
    let child = "01a1f108-c0c0-7000-8000-00000000c001";
    let child_turn = "01a1f108-c0c0-7000-8000-00000000c0a1";
    let k = a.lines().count() as u64;
    let spawned = later(&end, 30);
    let mut meta = head.clone();
    meta["id"] = json!(child);
    meta["session_id"] = json!(child);
    meta["timestamp"] = json!(spawned);
    meta["source"] =
        json!({"subagent": {"thread_spawn": {"parent_thread_id": parent, "depth": 1}}});
    meta["thread_source"] = json!("subagent");
    meta["subagent_history_start_ordinal"] = json!(k);
    // Words that would be a confusion insight had the developer typed them.
    let prompt = "I don't understand why useEffect runs twice here, is it StrictMode?";
    let mut c = paged_line(&spawned, 0, "session_meta", &meta) + "\n";
    for l in a.lines().skip(1) {
        c.push_str(l);
        c.push('\n');
    }
    c.push_str(&turn_lines(
        k,
        &later(&spawned, 1),
        child,
        child_turn,
        prompt,
        "Yes: StrictMode mounts twice in development.",
    ));
    std::fs::write(
        dir.join(format!("rollout-{}-{child}.jsonl", name_time(&spawned))),
        c,
    )
    .unwrap();
    ingest(&base);
    ingest(&with_child);

    let tl = with_child.json(&["timeline", child, "--json"]);
    assert_eq!(
        texts(&tl, "prompt"),
        [prompt],
        "the child holds only its own turn"
    );
    for e in tl.as_array().unwrap() {
        assert!(e["turn"].is_null() || e["turn"] == child_turn, "{e}");
    }
    let start = of_kind(&tl, "session_start");
    assert_eq!(
        (start.len(), &start[0]["agent"], &start[0]["parent"]),
        (1, &json!("thread_spawn"), &json!(parent))
    );
    // The parent's history is stored once, in the parent.
    assert_same_json(
        "the parent's timeline",
        &base.json(&["timeline", &parent, "--json"]),
        &with_child.json(&["timeline", &parent, "--json"]),
    );
    let count = |env: &Env| env.json(&["sessions", "--json"]).as_array().unwrap().len();
    assert_eq!((count(&base), count(&with_child)), (3, 4));
    // An agent's words are no insight.
    let insights = base.json(&["insights", "--json"]);
    assert!(!insights.as_array().unwrap().is_empty());
    assert_same_json(
        "insights",
        &insights,
        &with_child.json(&["insights", "--json"]),
    );
}

// ---------------------------------------------------------------------------------------------
// f. A 12 MiB line
// ---------------------------------------------------------------------------------------------

/// Runs the binary and reports its peak resident memory in KiB: from `/usr/bin/time -v` when
/// installed, else polled from `VmHWM` in `/proc/<pid>/status` while it runs.
fn run_measuring_peak(env: &Env, args: &[&str]) -> (Output, u64) {
    let time = Path::new("/usr/bin/time");
    if time.exists() {
        let mut c = Command::new(time);
        env.isolate(&mut c);
        let out = c
            .arg("-v")
            .arg(env!("CARGO_BIN_EXE_sessionlens"))
            .args(args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        let kib = err
            .lines()
            .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("no peak in /usr/bin/time's report: {err}"));
        return (out, kib);
    }
    let mut child = env
        .cmd()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    while child.try_wait().unwrap().is_none() {
        let hwm = std::fs::read_to_string(&status).ok().and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        });
        peak = peak.max(hwm.unwrap_or(0));
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    let out = child.wait_with_output().unwrap();
    assert!(peak > 0, "the ingest ended before its memory could be read");
    (out, peak)
}

/// A 12 MiB inline image line is skipped and counted, the lines around it read, memory stays flat.
#[test]
fn a_huge_line_is_skipped_and_memory_stays_flat() {
    let image = format!("data:image/png;base64,{}", "A".repeat(12 << 20));
    let turn = |n: u32, s: u32, prompt: &str, images: Value| {
        let id = format!("019c2222-0000-7000-8000-00000000000{n}");
        vec![
            ev(s, json!({"type": "task_started", "turn_id": id})),
            ev(
                s + 1,
                json!({"type": "user_message", "message": prompt, "images": images}),
            ),
            ev(
                s + 2,
                json!({"type": "agent_message", "message": "ok", "phase": "final_answer"}),
            ),
            ev(
                s + 3,
                json!({"type": "task_complete", "turn_id": id, "last_agent_message": "ok"}),
            ),
        ]
    };
    let mut lines = vec![meta(json!({"id": "019c2222-0000-7000-8000-000000000000"}))];
    lines.extend(turn(1, 1, "first question", json!([])));
    lines.extend(turn(
        2,
        10,
        "what is wrong in this screenshot?",
        json!([image]),
    ));
    lines.extend(turn(3, 20, "third question", json!([])));
    let legacy = jsonl(&lines);
    assert!(legacy.len() > 12 << 20);
    let name = "rollout-2026-01-02T03-04-00-019c2222-0000-7000-8000-000000000000.jsonl";
    for (form, text) in [("legacy", legacy.clone()), ("paginated", paginate(&legacy))] {
        let env = Env::new();
        std::fs::write(day(&env, "sessions/2026/01/02").join(name), text).unwrap();
        let (out, peak_kib) =
            run_measuring_peak(&env, &["ingest", "codex", "--json", "--idle-minutes", "0"]);
        assert!(
            out.status.success(),
            "{form}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["errors"], json!([]), "{form}: {report}");
        if let Some(n) = report["lines"].get("oversized") {
            assert_eq!(n, 1, "{form}: the huge line is reported skipped: {report}");
        }
        let tl = env.json(&["timeline", "019c2222", "--json"]);
        let got = texts(&tl, "prompt");
        for p in ["first question", "third question"] {
            assert!(
                got.iter().any(|g| g == p),
                "{form}: {p:?} missing from {got:?}"
            );
        }
        eprintln!("{form}: peak RSS {peak_kib} KiB, lines {}", report["lines"]);
        assert!(
            peak_kib < 64 * 1024,
            "{form}: peak RSS {peak_kib} KiB for a 12 MiB line"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// g. Session Lens's own context, echoed back
// ---------------------------------------------------------------------------------------------

/// Session Lens's own briefing, pasted back into a paginated prompt, is cut out of it.
#[test]
fn own_context_pasted_back_is_not_the_developers_prompt() {
    let thread = "01a1f200-0000-7000-8000-000000000e01";
    let turn = "01a1f200-0000-7000-8000-000000000e02";
    let briefing = "Open questions in this workspace:\n- useEffect runs twice (asked Nov 18)";
    let own = "ok but why does my effect still run twice after the fix?";
    let pasted =
        format!("<!-- sessionlens:context -->\n{briefing}\n<!-- /sessionlens:context -->\n\n{own}");
    let t0 = "2026-11-25T10:00:00.000Z";
    let ts: Vec<String> = (0..9).map(|i| later(t0, i)).collect();
    let ms = |i: usize| epoch(&serde_json::to_string(&ts[i]).unwrap()).1;
    let lines = [
        (
            "session_meta",
            json!({"id": thread, "timestamp": t0, "cwd": "/home/dev/todo",
            "originator": "codex-tui", "cli_version": "0.148.0", "source": "cli",
            "history_mode": "paginated"}),
        ),
        (
            "event_msg",
            json!({"type": "task_started", "turn_id": turn, "started_at": ms(1) / 1000}),
        ),
        (
            "response_item",
            message(
                "developer",
                "input_text",
                &format!("<!-- sessionlens:context -->\n{briefing}"),
            ),
        ),
        (
            "turn_context",
            json!({"turn_id": turn, "cwd": "/home/dev/todo", "model": "gpt-5.5"}),
        ),
        ("response_item", message("user", "input_text", &pasted)),
        (
            "event_msg",
            json!({"type": "item_completed", "thread_id": thread, "turn_id": turn,
            "item": {"type": "UserMessage", "id": "u1",
                "content": [{"type": "text", "text": pasted, "text_elements": []}]},
            "started_at_ms": ms(5), "completed_at_ms": ms(5)}),
        ),
        (
            "event_msg",
            json!({"type": "item_completed", "thread_id": thread, "turn_id": turn,
            "item": {"type": "AgentMessage", "id": "a1",
                "content": [{"type": "Text", "text": "The cleanup is missing."}],
                "phase": "final_answer"},
            "started_at_ms": ms(6), "completed_at_ms": ms(6)}),
        ),
        (
            "response_item",
            message("assistant", "output_text", "The cleanup is missing."),
        ),
        (
            "event_msg",
            json!({"type": "task_complete", "turn_id": turn,
            "last_agent_message": "The cleanup is missing.", "duration_ms": 7000}),
        ),
    ];
    let file: String = lines
        .iter()
        .enumerate()
        .map(|(i, (kind, p))| paged_line(&ts[i], i as u64, kind, p) + "\n")
        .collect();
    let env = Env::new();
    std::fs::write(
        day(&env, "sessions/2026/11/25")
            .join(format!("rollout-2026-11-25T10-00-00-{thread}.jsonl")),
        file,
    )
    .unwrap();
    ingest(&env);
    let tl = env.json(&["timeline", thread, "--json"]);
    assert_eq!(texts(&tl, "prompt"), [own]);
    let everything = format!("{tl}{}", env.json(&["insights", "--json"]));
    assert!(
        !everything.contains("sessionlens:context") && !everything.contains("asked Nov 18"),
        "nothing Session Lens wrote is read back: {everything:.600}"
    );
}
