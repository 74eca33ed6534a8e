//! Ingest throughput benchmark (`cargo bench --bench ingest`): the real 2 MB Codex CLI rollout
//! replicated (each copy its own session) to at least 200 MB, then read on one thread
//! (a) through capture and normalization alone and (b) all the way into a fresh redb store.
//! Prints MB/s for each; no assertion, a figure to put in the notes.
//!
//! `SESSIONLENS_BENCH_MB` sets the corpus size (default 200).

#[path = "../../tests/common/mod.rs"]
mod common;

use sessionlens::ingest::{IngestOptions, ingest_codex};
use sessionlens::store::Store;
use std::time::Instant;

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
    let bytes: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).unwrap().len())
        .sum();
    let mb = bytes as f64 / 1e6;
    println!("corpus: {copies} copies of the real CLI rollout, {mb:.1} MB");

    // (a) capture + normalize: every line parsed, every event built and redacted.
    let start = Instant::now();
    let mut events = 0usize;
    for f in &files {
        events += common::read_from(f, 0, None, None, true).events.len();
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "read + normalize:        {:>7.1} MB/s  ({events} events in {secs:.2} s)",
        mb / secs
    );

    // (b) full ingest into a fresh store: the above plus hashing, compression, the chain and redb
    // commits. Three runs, each into a new store; the machine is shared, so the best and the
    // median are both reported.
    let opts = IngestOptions {
        idle_after: std::time::Duration::ZERO,
        ..IngestOptions::default()
    };
    let mut runs = Vec::new();
    let mut store_dir = dir.path().join("data-0");
    for i in 0..3 {
        store_dir = dir.path().join(format!("data-{i}"));
        let store = Store::open(&store_dir.join("store.redb")).unwrap();
        let start = Instant::now();
        let report = ingest_codex(&store, &files, &opts, &mut |_| {});
        runs.push(start.elapsed().as_secs_f64());
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        assert_eq!(report.events_added as usize, events);
    }
    runs.sort_by(f64::total_cmp);
    println!(
        "ingest into the store:   {:>7.1} MB/s best, {:.1} MB/s median  ({events} events; runs {:.2?} s)",
        mb / runs[0],
        mb / runs[1],
        runs
    );
    let store = Store::open(&store_dir.join("store.redb")).unwrap();

    // (c) the same files again: the idempotent path (stat, cursor lookup, nothing read).
    let start = Instant::now();
    let again = ingest_codex(&store, &files, &opts, &mut |_| {});
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
}
