//! Derivation benchmark (`cargo bench --bench derive`): how long a new prompt takes to reach the
//! insights, and what the first Codex hook after it costs, beside the way it was done before —
//! deriving everything from the whole log, which every new prompt and every first hook after an
//! ingest paid — measured in the same run.
//!
//! 1. 100 copies of the real 54-prompt CLI rollout, each its own session a day after the one
//!    before (~60 k events), ingested into a fresh store through the library.
//! 2. With `SESSIONLENS_BENCH_EVENTS=N` (e.g. 1100000), also a generated store of about N events:
//!    the language server benchmark's sessions (`tests/it/common/generate.rs`: questions,
//!    answers, failing and passing builds, patches; one every two hours), the newest still going.
//!
//! For each: the whole derivation (read the log, derive, index), the first `Knowledge::load`
//! (derives and caches the snapshot and the checkpoint), then rounds of one new turn appended to
//! the newest session → `Knowledge::load` (goes on from the checkpoint) → the `codex-hook`
//! process answering a `UserPromptSubmit`. Medians and worst; no assertion, figures for the notes.
//! At the end the caught-up insights are compared with a derivation of the whole log.

#[path = "../../tests/it/common/mod.rs"]
mod common;

use common::generate;
use sessionlens::ingest::gate::Gate;
use sessionlens::ingest::{IngestOptions, ingest_codex};
use sessionlens::knowledge::snapshot::{Knowledge, Made};
use sessionlens::store::Store;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const ROUNDS: usize = 7;

fn main() {
    // `SESSIONLENS_LOG=sessionlens=debug` shows where a catch-up spends its time.
    if let Ok(filter) = tracing_subscriber::EnvFilter::try_from_env("SESSIONLENS_LOG") {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
    }
    let dir = tempfile::tempdir().unwrap();
    real(dir.path());
    if let Some(n) = std::env::var("SESSIONLENS_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        println!();
        generated(&dir.path().join("generated"), n);
    }
}

/// Part 1: real sessions, grown the way Codex grows them (lines appended to the newest rollout,
/// then ingested).
fn real(root: &Path) {
    let sessions = root.join("codex/sessions/2026/01/01");
    std::fs::create_dir_all(&sessions).unwrap();
    let content = std::fs::read_to_string(common::fixture(common::CLI_REAL)).unwrap();
    let base: jiff::civil::Date = "2025-01-01".parse().unwrap();
    let files: Vec<PathBuf> = (0..100)
        .map(|i| {
            let id = format!("019aad50-a7e6-7422-b7a8-{i:012x}");
            let day = |n: i64| format!("{}T", base.checked_add(jiff::Span::new().days(n)).unwrap());
            let text = content
                .replace(common::CLI_REAL_ID, &id)
                .replace("2025-11-22T", &day(2 * i))
                .replace("2025-11-23T", &day(2 * i + 1));
            let path = sessions.join(format!("rollout-2025-11-22T21-45-35-{id}.jsonl"));
            std::fs::write(&path, text).unwrap();
            path
        })
        .collect();
    let data = root.join("data");
    std::fs::create_dir_all(&data).unwrap();
    let store = Store::open(&data.join("store.redb")).unwrap();
    let gate = Gate::admitting_all();
    let opts = IngestOptions {
        idle_after: Duration::ZERO,
        ..IngestOptions::default()
    };
    let t = Instant::now();
    let r = ingest_codex(&store, &gate, &files, &opts, &mut |_| {});
    assert!(r.store_error.is_none() && r.errors.is_empty());
    let events = store.event_count().unwrap();
    println!(
        "100 real sessions: {events} events, ingested in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let newest = files.last().unwrap().clone();
    let mut turn = 0;
    let grow = |store: &Store, turn: &mut usize| {
        *turn += 1;
        append_turn(&newest, *turn);
        let r = ingest_codex(
            store,
            &gate,
            std::slice::from_ref(&newest),
            &opts,
            &mut |_| {},
        );
        assert!(r.store_error.is_none() && r.errors.is_empty());
    };
    measure(
        &store,
        root,
        &data,
        "/Users/pinouchon/code/rtchess",
        &mut |s| grow(s, &mut turn),
    );
}

/// Part 2: a generated store of about `n` events, grown by committing a turn's events.
fn generated(root: &Path, n: usize) {
    let data = root.join("data");
    std::fs::create_dir_all(&data).unwrap();
    let store = Store::open(&data.join("store.redb")).unwrap();
    let gate = Gate::admitting_all();
    let t = Instant::now();
    let mut batch = Vec::new();
    let mut total = 0;
    // ~221 events a session.
    let sessions = n.div_ceil(221);
    let ws = Path::new("/home/dev/app");
    for s in 0..sessions {
        generate::session_events(s, ws, &mut batch);
        if batch.len() >= 20_000 || s + 1 == sessions {
            total += batch.len();
            gate.commit(&store, &batch, &[]).unwrap();
            batch.clear();
        }
    }
    println!(
        "generated: {sessions} sessions, {total} events, written in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    // The newest session in the workspace goes on.
    let last = (sessions - 1) & !1;
    let mut turn = 10;
    measure(&store, root, &data, "/home/dev/app", &mut |s| {
        turn += 1;
        let mut events = Vec::new();
        generate::turn_events(last, turn, &mut events);
        gate.commit(s, &events, &[]).unwrap();
    });
}

/// The figures for one store; `grow` adds one turn to its newest session.
fn measure(store: &Store, root: &Path, data: &Path, cwd: &str, grow: &mut dyn FnMut(&Store)) {
    // Before: every new prompt (and the first hook after an ingest) derived the whole log.
    let mut whole = Vec::new();
    let mut insights = 0;
    for _ in 0..3 {
        let t = Instant::now();
        let (head, events) = store.all_events_at().unwrap();
        let k = Knowledge::from_events(&events, head);
        whole.push(t.elapsed());
        insights = k.insights.len();
    }
    println!(
        "  before — derive the whole log:      {} ({insights} insights)",
        median(&mut whole)
    );
    let t = Instant::now();
    let k = Knowledge::load(store).unwrap();
    println!(
        "  first load (derive, cache, checkpoint): {:.0} ms ({:?})",
        ms(t.elapsed()),
        k.made
    );
    let mut current = Vec::new();
    let mut hooks = Vec::new();
    let mut made = Made::Given;
    for _ in 0..ROUNDS {
        grow(store);
        let t = Instant::now();
        let k = Knowledge::load(store).unwrap();
        current.push(t.elapsed());
        made = k.made;
        hooks.push(hook(root, data, cwd));
    }
    println!(
        "  now — one new prompt → insights current: {} (last: {made:?})",
        median(&mut current)
    );
    println!(
        "  first codex-hook UserPromptSubmit after it (whole process): {}",
        median(&mut hooks)
    );
    let k = Knowledge::load(store).unwrap();
    let (head, events) = store.all_events_at().unwrap();
    let whole = Knowledge::from_events(&events, head);
    let sorted = |v: &[sessionlens::insight::Insight]| {
        let mut v = v.to_vec();
        v.sort_by(|a, b| a.id.cmp(&b.id));
        v
    };
    println!(
        "  caught up == derived at once: {} ({} insights)",
        sorted(&k.insights) == sorted(&whole.insights),
        k.insights.len()
    );
}

/// One `codex-hook` process answering a prompt in `cwd`, timed from spawn to exit.
fn hook(root: &Path, data: &Path, cwd: &str) -> Duration {
    let input = serde_json::json!({
        "hook_event_name": "UserPromptSubmit",
        "session_id": "bench",
        "cwd": cwd,
        "prompt": "why does the drag and drop highlight stay after the move?",
    })
    .to_string();
    let t = Instant::now();
    let out = common::Env::feed(
        Command::new(env!("CARGO_BIN_EXE_sessionlens"))
            .arg("codex-hook")
            .env("SESSIONLENS_DATA_DIR", data)
            .env("HOME", root)
            .env("CODEX_HOME", root.join("codex"))
            .env("SESSIONLENS_STATE_DIR", root.join("state"))
            .env_remove("SESSIONLENS_LOG"),
        &input,
    );
    let took = t.elapsed();
    assert!(out.status.success());
    took
}

/// Appends one turn — a question, the answer, the turn's end — to a legacy CLI rollout, a day
/// after everything in it.
fn append_turn(path: &Path, n: usize) {
    let at = format!("2026-06-01T10:{:02}:00.000Z", n % 60);
    let prompt = format!("what does `useEffect` cleanup do when the component unmounts? ({n})");
    let answer = "`useEffect` cleanup runs before the next effect and on unmount: return a \
                  function from the effect to clear timers and listeners.";
    let lines = [
        serde_json::json!({"timestamp": at, "type": "response_item", "payload": {"type": "message", "role": "user", "content": [{"type": "input_text", "text": prompt}]}}),
        serde_json::json!({"timestamp": at, "type": "event_msg", "payload": {"type": "user_message", "message": prompt, "images": []}}),
        serde_json::json!({"timestamp": at, "type": "event_msg", "payload": {"type": "agent_message", "message": answer}}),
        serde_json::json!({"timestamp": at, "type": "response_item", "payload": {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": answer}]}}),
    ];
    let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    for l in lines {
        writeln!(f, "{l}").unwrap();
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// "median N ms (worst M ms)".
fn median(v: &mut [Duration]) -> String {
    v.sort();
    format!(
        "median {:.1} ms (worst {:.1} ms, {} runs)",
        ms(v[v.len() / 2]),
        ms(*v.last().unwrap()),
        v.len()
    )
}
