//! Ingest throughput benchmark (`cargo bench --bench ingest`): the real 2 MB Codex CLI rollout
//! replicated (each copy its own session) to at least 200 MB, then read on one thread
//! (a) through capture and normalization alone and (b) all the way into a fresh redb store.
//! The same is measured for the paginated form Codex 0.148+ writes (the same rollout rewritten
//! as `codex migrate-rollouts` does, by `tests/it/common/paginate.rs`, replicated the same way), and
//! the ratio of the two is printed. MB/s for each; no assertion, figures to put in the notes.
//!
//! Beside them, in the same run and over the same files, the anchors the issue measures against:
//! Python's bare `json.loads` over every line (`python3`) and `jq -c . >/dev/null` (`jq`), each
//! the best of two runs, and how many times faster the ingest is. A missing tool is said and
//! skipped.
//!
//! `SESSIONLENS_BENCH_MB` sets the corpus size (default 200).

#[path = "../../tests/it/common/mod.rs"]
mod common;

use sessionlens::ingest::gate::Gate;
use sessionlens::ingest::{IngestOptions, ingest_codex};
use sessionlens::store::Store;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// What one corpus measured: its size, the events it yields, and the speeds of (a) and (b).
struct Figures {
    mb: f64,
    events: usize,
    read_mb_s: f64,
    ingest_best_mb_s: f64,
    ingest_median_mb_s: f64,
}

/// Python's bare `json.loads` over every line of every file.
const PY_LOADS: &str = "import json, sys\n\
for p in sys.argv[1:]:\n    \
with open(p, 'rb') as f:\n        \
for line in f:\n            \
json.loads(line)\n";

/// Seconds `program args… files…` takes (best of two), its output thrown away; `None` (said) when
/// the program is missing or fails.
fn time_tool(program: &str, args: &[&str], files: &[PathBuf]) -> Option<f64> {
    let mut best = f64::INFINITY;
    for _ in 0..2 {
        let start = Instant::now();
        let status = Command::new(program)
            .args(args)
            .args(files)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .status();
        let secs = start.elapsed().as_secs_f64();
        match status {
            Ok(s) if s.success() => best = best.min(secs),
            Ok(s) => {
                println!("{program}: exited with {s}; skipped");
                return None;
            }
            Err(e) => {
                println!("{program}: not run ({e}); skipped");
                return None;
            }
        }
    }
    Some(best)
}

/// Times the anchors over `files` and prints them beside `f`'s figures.
fn anchors(f: &Figures, files: &[PathBuf]) {
    let tools: [(&str, &str, &[&str]); 2] = [
        ("python3 json.loads", "python3", &["-c", PY_LOADS]),
        ("jq -c .", "jq", &["-c", "."]),
    ];
    for (name, program, args) in tools {
        if let Some(secs) = time_tool(program, args, files) {
            let mb_s = f.mb / secs;
            println!(
                "{:<24} {mb_s:>7.1} MB/s  ({secs:.2} s); ingest is {:.2}× (best), {:.2}× (median), \
                 read + normalize {:.2}×",
                format!("{name}:"),
                f.ingest_best_mb_s / mb_s,
                f.ingest_median_mb_s / mb_s,
                f.read_mb_s / mb_s,
            );
        }
    }
}

/// Builds both corpora, measures each and prints the ratio.
fn main() {
    let target_mb: u64 = std::env::var("SESSIONLENS_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let one = std::fs::metadata(common::fixture(common::CLI_REAL))
        .unwrap()
        .len();
    let copies = (target_mb * 1_000_000).div_ceil(one) as usize;
    let dir = tempfile::tempdir().unwrap();

    let corpus = dir.path().join("sessions");
    std::fs::create_dir_all(&corpus).unwrap();
    let files = common::replicate_cli(&corpus, copies);
    let legacy = measure(
        &format!("{copies} copies of the real CLI rollout"),
        &files,
        &dir.path().join("legacy"),
    );
    anchors(&legacy, &files);

    // The same session as a migrated paginated rollout, replicated the same way (same copies,
    // same session ids), so the two corpora hold the same history.
    let legacy_text = std::fs::read_to_string(common::fixture(common::CLI_REAL)).unwrap();
    let paged_text = common::paginate::paginate(&legacy_text);
    let paged_corpus = dir.path().join("sessions-paginated");
    std::fs::create_dir_all(&paged_corpus).unwrap();
    let paged_files = replicate(&paged_corpus, &paged_text, copies);
    println!();
    let paged = measure(
        &format!("{copies} copies of its paginated rewrite"),
        &paged_files,
        &dir.path().join("paginated"),
    );
    anchors(&paged, &paged_files);

    println!();
    println!(
        "paginated / legacy:      read + normalize {:.2}× MB/s, ingest {:.2}× MB/s (best), {:.2}× (median)",
        paged.read_mb_s / legacy.read_mb_s,
        paged.ingest_best_mb_s / legacy.ingest_best_mb_s,
        paged.ingest_median_mb_s / legacy.ingest_median_mb_s
    );
    // Per session (the corpora differ in bytes, not in history): time paginated ÷ time legacy.
    let per_session = |f: &Figures, speed: f64| f.mb / speed;
    println!(
        "  same sessions:         read {:.2}× the time, ingest {:.2}× the time (best); \
         {:.2}× the bytes; events {} vs {}",
        per_session(&paged, paged.read_mb_s) / per_session(&legacy, legacy.read_mb_s),
        per_session(&paged, paged.ingest_best_mb_s) / per_session(&legacy, legacy.ingest_best_mb_s),
        paged.mb / legacy.mb,
        paged.events,
        legacy.events
    );
}

/// Writes `content` `n` times with the CLI session id replaced, as `common::replicate_cli` does
/// for the legacy file, so each copy is a distinct session and a distinct file.
fn replicate(dir: &Path, content: &str, n: usize) -> Vec<PathBuf> {
    (0..n)
        .map(|i| {
            let id = format!("019aad50-a7e6-7422-b7a8-{i:012x}");
            let path = dir.join(format!("rollout-2025-11-22T21-45-35-{id}.jsonl"));
            std::fs::write(&path, content.replace(common::CLI_REAL_ID, &id)).unwrap();
            path
        })
        .collect()
}

/// Measures one corpus — (a) read + normalize, (b) three full ingests into fresh stores under
/// `data`, (c) the idempotent re-ingest — and prints the figures.
fn measure(what: &str, files: &[PathBuf], data: &Path) -> Figures {
    let bytes: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).unwrap().len())
        .sum();
    let mb = bytes as f64 / 1e6;
    println!("corpus: {what}, {mb:.1} MB");

    // (a) capture + normalize: every line parsed, every event built and redacted.
    let start = Instant::now();
    let mut events = 0usize;
    for f in files {
        events += common::read_from(f, 0, None, None, true).events.len();
    }
    let secs = start.elapsed().as_secs_f64();
    let read_mb_s = mb / secs;
    println!("read + normalize:        {read_mb_s:>7.1} MB/s  ({events} events in {secs:.2} s)");

    // (b) full ingest into a fresh store: the above plus hashing, compression, the chain and redb
    // commits. Three runs, each into a new store; the machine is shared, so the best and the
    // median are both reported.
    // `SESSIONLENS_BENCH_BATCH_EVENTS` and `SESSIONLENS_BENCH_BATCH_MB` try other commit sizes.
    let env = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
    let defaults = IngestOptions::default();
    let opts = IngestOptions {
        idle_after: std::time::Duration::ZERO,
        batch_events: env("SESSIONLENS_BENCH_BATCH_EVENTS")
            .map_or(defaults.batch_events, |n| n as usize),
        batch_bytes: env("SESSIONLENS_BENCH_BATCH_MB").map_or(defaults.batch_bytes, |n| n << 20),
    };
    let mut runs = Vec::new();
    let mut store_dir = data.join("data-0");
    for i in 0..3 {
        store_dir = data.join(format!("data-{i}"));
        let store = Store::open(&store_dir.join("store.redb")).unwrap();
        let start = Instant::now();
        let report = ingest_codex(&store, &Gate::admitting_all(), files, &opts, &mut |_| {});
        runs.push(start.elapsed().as_secs_f64());
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        assert_eq!(report.events_added as usize, events);
    }
    runs.sort_by(f64::total_cmp);
    let (best, median) = (mb / runs[0], mb / runs[1]);
    println!(
        "ingest into the store:   {best:>7.1} MB/s best, {median:.1} MB/s median  ({events} events; runs {runs:.2?} s)"
    );
    let store = Store::open(&store_dir.join("store.redb")).unwrap();

    // (c) the same files again: the idempotent path (stat, cursor lookup, nothing read).
    let start = Instant::now();
    let again = ingest_codex(&store, &Gate::admitting_all(), files, &opts, &mut |_| {});
    let secs = start.elapsed().as_secs_f64();
    println!(
        "re-ingest (unchanged):   {:>7.0} files/s ({} unchanged in {secs:.3} s)",
        files.len() as f64 / secs,
        again.files_unchanged
    );
    let store_mb = std::fs::metadata(store_dir.join("store.redb"))
        .unwrap()
        .len() as f64
        / 1e6;
    println!("store size: {store_mb:.1} MB for {mb:.1} MB of rollouts");
    Figures {
        mb,
        events,
        read_mb_s,
        ingest_best_mb_s: best,
        ingest_median_mb_s: median,
    }
}
