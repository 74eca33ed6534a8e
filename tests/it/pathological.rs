//! Pathological input stays bounded (issue 13, item 5): a session of 10 k turns, a patch touching
//! 100 k files and a 50 MB line each go the whole way — capture, the store's commit, `verify` —
//! and are stored once, with the counts they should have; a line over the reader's bound is
//! counted and skipped, never held. And the pipelined driver commits the same chain whatever the
//! commit size. No timing is asserted: each test prints how long its ingest took
//! (`cargo test --release --test it pathological:: -- --nocapture`), for the notes.

use crate::common;
use sessionlens::ingest::gate::Gate;
use sessionlens::ingest::{IngestOptions, IngestReport, ingest_codex};
use sessionlens::normalize::Body;
use sessionlens::store::Store;
use std::path::{Path, PathBuf};
use std::time::Instant;

const SESSION: &str = "019c0000-1111-7222-8333-444455556666";

/// An RFC 3339 time `secs` after 2026-01-01.
fn ts(secs: u64) -> String {
    format!(
        "2026-01-{:02}T{:02}:{:02}:{:02}.000Z",
        1 + secs / 86_400,
        secs / 3600 % 24,
        secs / 60 % 60,
        secs % 60
    )
}

/// One envelope line as Codex writes it.
fn line(secs: u64, kind: &str, payload: serde_json::Value) -> String {
    serde_json::json!({"timestamp": ts(secs), "type": kind, "payload": payload}).to_string()
}

fn header() -> String {
    line(
        0,
        "session_meta",
        serde_json::json!({
            "id": SESSION, "timestamp": ts(0), "cwd": "/work/proj",
            "originator": "codex_cli_rs", "cli_version": "0.60.1", "source": "cli",
        }),
    )
}

fn prompt(secs: u64, text: &str) -> String {
    line(
        secs,
        "event_msg",
        serde_json::json!({"type": "user_message", "message": text, "images": []}),
    )
}

fn answer(secs: u64, text: &str) -> String {
    line(
        secs,
        "event_msg",
        serde_json::json!({"type": "agent_message", "message": text}),
    )
}

fn shell(secs: u64, call: &str, command: &str) -> String {
    let args = serde_json::json!({"command": command, "workdir": "."}).to_string();
    line(
        secs,
        "response_item",
        serde_json::json!({"type": "function_call", "name": "shell_command",
                           "arguments": args, "call_id": call}),
    )
}

fn output(secs: u64, call: &str, text: &str) -> String {
    line(
        secs,
        "response_item",
        serde_json::json!({"type": "function_call_output", "call_id": call,
                           "output": format!("Exit code: 0\nWall time: 0 seconds\nOutput:\n{text}\n")}),
    )
}

fn write_rollout(dir: &Path, lines: &[String]) -> PathBuf {
    let path = dir.join(format!("rollout-2026-01-01T00-00-00-{SESSION}.jsonl"));
    let mut text = lines.join("\n");
    text.push('\n');
    std::fs::write(&path, text).unwrap();
    path
}

/// Ingests `file` into a new store under `dir` (the session finished), printing the time it took.
fn ingest(what: &str, dir: &Path, file: &Path, opts: IngestOptions) -> (Store, IngestReport) {
    let store = Store::open(&dir.join("store.redb")).unwrap();
    let size = std::fs::metadata(file).unwrap().len();
    let start = Instant::now();
    let report = ingest_codex(
        &store,
        &Gate::admitting_all(),
        &[file.to_owned()],
        &opts,
        &mut |_| {},
    );
    eprintln!(
        "{what}: {:.1} MB ingested in {:.2} s ({} events)",
        size as f64 / 1e6,
        start.elapsed().as_secs_f64(),
        report.events_added
    );
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(report.store_error.is_none(), "{:?}", report.store_error);
    (store, report)
}

fn finished() -> IngestOptions {
    IngestOptions {
        idle_after: std::time::Duration::ZERO,
        ..IngestOptions::default()
    }
}

/// Read again, the file adds nothing; the chain and the summaries verify.
fn stored_once(store: &Store, file: &Path) {
    let again = ingest_codex(
        store,
        &Gate::admitting_all(),
        &[file.to_owned()],
        &finished(),
        &mut |_| {},
    );
    assert_eq!((again.events_added, again.files_unchanged), (0, 1));
    let verified = store.verify().unwrap();
    assert!(verified.ok(), "{verified:?}");
}

#[test]
fn a_session_of_ten_thousand_turns_is_stored_once_with_every_turn() {
    const TURNS: u64 = 10_000;
    let dir = tempfile::tempdir().unwrap();
    let mut lines = vec![header()];
    for t in 0..TURNS {
        let at = 10 + t * 8;
        let call = format!("call_{t}");
        lines.push(prompt(at, &format!("question number {t}")));
        lines.push(shell(at + 1, &call, &format!("echo {t}")));
        lines.push(output(at + 2, &call, &t.to_string()));
        lines.push(answer(at + 3, &format!("answer number {t}")));
    }
    let file = write_rollout(dir.path(), &lines);
    let (store, report) = ingest("10 k turns", dir.path(), &file, finished());
    assert_eq!(report.lines.lines, 1 + 4 * TURNS);
    let summary = store
        .session(SESSION)
        .unwrap()
        .expect("the session is stored");
    assert_eq!(
        (summary.turns, summary.commands, summary.failed_commands),
        (TURNS, TURNS, 0)
    );
    let events = store.session_events(SESSION).unwrap();
    assert_eq!(events.len() as u64, report.events_added);
    let count = |kind: &str| events.iter().filter(|(_, e)| e.body.kind() == kind).count() as u64;
    assert_eq!(
        (
            count("prompt"),
            count("command"),
            count("assistant"),
            count("turn_end")
        ),
        (TURNS, TURNS, TURNS, TURNS)
    );
    stored_once(&store, &file);
}

#[test]
fn a_patch_touching_a_hundred_thousand_files_is_one_edit_of_every_file() {
    const FILES: usize = 100_000;
    let dir = tempfile::tempdir().unwrap();
    let mut patch = String::from("*** Begin Patch\n");
    for i in 0..FILES {
        patch.push_str(&format!(
            "*** Add File: src/gen/file_{i}.ts\n+export const v{i} = {i};\n"
        ));
    }
    patch.push_str("*** End Patch");
    let lines = vec![
        header(),
        prompt(10, "generate the tree"),
        line(
            11,
            "response_item",
            serde_json::json!({"type": "custom_tool_call", "status": "completed",
                               "call_id": "call_patch", "name": "apply_patch", "input": patch}),
        ),
        line(
            12,
            "response_item",
            serde_json::json!({"type": "custom_tool_call_output", "call_id": "call_patch",
                               "output": "{\"output\":\"Success.\",\"metadata\":{\"exit_code\":0}}"}),
        ),
        answer(13, "done"),
    ];
    let file = write_rollout(dir.path(), &lines);
    let (store, _) = ingest("patch of 100 k files", dir.path(), &file, finished());
    let summary = store.session(SESSION).unwrap().unwrap();
    assert_eq!((summary.turns, summary.edits), (1, 1));
    let events = store.session_events(SESSION).unwrap();
    let edits: Vec<_> = events
        .iter()
        .filter_map(|(_, e)| match &e.body {
            Body::Edit(edit) => Some(edit),
            _ => None,
        })
        .collect();
    assert_eq!(edits.len(), 1);
    assert_eq!(edits[0].files.len(), FILES);
    assert_eq!(edits[0].success, Some(true));
    assert_eq!(
        edits[0].files[FILES - 1].path,
        format!("/work/proj/src/gen/file_{}.ts", FILES - 1)
    );
    stored_once(&store, &file);
}

#[test]
fn a_fifty_mb_line_is_counted_and_skipped_and_the_lines_around_it_are_stored() {
    let dir = tempfile::tempdir().unwrap();
    let big = "x".repeat(50 << 20);
    let lines = vec![
        header(),
        prompt(10, "print the log"),
        shell(11, "call_big", "cat huge.log"),
        output(12, "call_big", &big),
        answer(13, "that was long"),
        prompt(20, "and now?"),
        shell(21, "call_small", "echo ok"),
        output(22, "call_small", "ok"),
        answer(23, "fine"),
    ];
    drop(big);
    let file = write_rollout(dir.path(), &lines);
    let (store, report) = ingest("a 50 MB line", dir.path(), &file, finished());
    assert_eq!((report.lines.lines, report.lines.oversized), (9, 1));
    let summary = store.session(SESSION).unwrap().unwrap();
    assert_eq!(summary.turns, 2);
    let events = store.session_events(SESSION).unwrap();
    let prompts: Vec<&str> = events
        .iter()
        .filter_map(|(_, e)| match &e.body {
            Body::Prompt { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(prompts, ["print the log", "and now?"]);
    // No event holds the skipped line's bytes.
    assert!(
        events
            .iter()
            .all(|(_, e)| e.canonical_bytes().len() < 1 << 20)
    );
    stored_once(&store, &file);
}

#[test]
fn the_chain_is_the_same_whatever_the_commit_size() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("sessions");
    std::fs::create_dir_all(&corpus).unwrap();
    let files = common::replicate_cli(&corpus, 3);
    let heads: Vec<_> = [
        (1, 1),
        (7, 1 << 40),
        (usize::MAX, 64 << 10),
        (10_000, 32 << 20),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, (batch_events, batch_bytes))| {
        let store = Store::open(&dir.path().join(format!("store-{i}.redb"))).unwrap();
        let opts = IngestOptions {
            batch_events,
            batch_bytes,
            ..finished()
        };
        let report = ingest_codex(&store, &Gate::admitting_all(), &files, &opts, &mut |_| {});
        assert!(report.errors.is_empty() && report.store_error.is_none());
        assert!(store.verify().unwrap().ok());
        (report.events_added, store.head().unwrap())
    })
    .collect();
    assert!(heads[0].0 > 0);
    assert!(heads.iter().all(|h| *h == heads[0]), "{heads:?}");
}
