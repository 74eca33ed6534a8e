//! Language server benchmark (`cargo bench --bench lsp`): the real `sessionlens serve` binary over
//! stdio, the way an editor drives it.
//!
//! 1. A store with ~1 M events and ~50 k insights (generated sessions: questions, answers,
//!    failing and passing builds, edits) and a 1,000-file TypeScript workspace whose code uses
//!    the names the questions were about.
//! 2. Cold start to first lens: spawn → initialize → didOpen → the first non-empty codeLens.
//! 3. Hover and codeLens round trips (client-measured, so an upper bound on the time spent in
//!    the server): p50 / p99 over many requests on names with and without insights.
//! 4. Idle RSS of the server once everything is loaded, indexed and linked.
//! 5. First hover on a fresh start, on a small workspace (10 components, 20 sessions): spawn →
//!    initialize → didOpen → the first hover with content, over several fresh processes (the
//!    store's insight cache warm: what a developer opening an editor meets).
//!
//! `SESSIONLENS_BENCH_SESSIONS` sets the number of sessions (default 5,000 ≈ 1 M events).
//! `SESSIONLENS_BENCH_BASELINE=/path/to/an/older/sessionlens` runs every measurement with that
//! binary too, on its own copy of the same store, and prints its figures beside this build's
//! (`SESSIONLENS_BENCH_BIN` names this build's binary, when not the one Cargo built).
//! No assertion: figures for the notes.

#[path = "../../tests/it/common/lsp.rs"]
mod client;
#[path = "../../tests/it/common/generate.rs"]
mod generate;

use client::{Client, uri};
use serde_json::json;
use sessionlens::store::Store;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use generate::{FILES, NAMES, name, session_events};

fn main() {
    let sessions: usize = std::env::var("SESSIONLENS_BENCH_SESSIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5_000);
    let mut bins: Vec<(String, PathBuf)> = Vec::new();
    if let Some(base) = std::env::var_os("SESSIONLENS_BENCH_BASELINE") {
        bins.push(("baseline".into(), PathBuf::from(base)));
    }
    // A target folder shared by several checkouts may hold another's binary by now: a copy
    // taken right after the build can be named instead.
    let this = std::env::var_os("SESSIONLENS_BENCH_BIN").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_sessionlens")),
        PathBuf::from,
    );
    bins.push(("this build".into(), this));
    let dir = tempfile::tempdir().unwrap();

    // First hover on a small workspace, first: it is quick.
    let small = dir.path().join("small");
    let small_ws = small.join("ws");
    write_workspace(&small_ws, 10, 100);
    write_store(&small.join("data"), &small_ws, 20);
    first_hover(&bins, &small, &small_ws);

    let ws = dir.path().join("ws");
    let data = dir.path().join("data");
    write_workspace(&ws, FILES, NAMES);
    let t = Instant::now();
    let total = write_store(&data, &ws, sessions);
    println!(
        "store: {sessions} sessions, {total} events, written in {:.1} s ({:.0} MB)",
        t.elapsed().as_secs_f64(),
        std::fs::metadata(data.join("store.redb")).unwrap().len() as f64 / 1e6
    );

    // A library-level reference: deriving insights from the whole log.
    let t = Instant::now();
    let store = Store::open(&data.join("store.redb")).unwrap();
    let events = store.all_events().unwrap();
    let read = t.elapsed();
    let k = sessionlens::knowledge::snapshot::Knowledge::from_events(&events, (0, [0; 32]));
    println!(
        "knowledge: {} insights; read {:.2} s, derived {:.2} s",
        k.insights.len(),
        read.as_secs_f64(),
        (t.elapsed() - read).as_secs_f64()
    );
    drop((events, k, store));

    for (label, bin) in &bins {
        // Each binary on its own copy of the store, so each first start derives and caches.
        let own = dir.path().join(format!("data-{}", label.replace(' ', "-")));
        copy_dir(&data, &own);
        big_store(label, bin, dir.path(), &own, &ws);
        let _ = std::fs::remove_dir_all(&own);
    }
}

/// Writes `sessions` generated sessions into a new store under `data`; the number of events.
fn write_store(data: &Path, ws: &Path, sessions: usize) -> usize {
    let store = Store::open(&data.join("store.redb")).unwrap();
    let mut batch = Vec::new();
    let mut total = 0usize;
    for s in 0..sessions {
        session_events(s, ws, &mut batch);
        if batch.len() >= 20_000 {
            total += batch.len();
            store.commit(&batch, &[]).unwrap();
            batch.clear();
        }
    }
    total += batch.len();
    store.commit(&batch, &[]).unwrap();
    total
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// Spawn → initialize → didOpen → the first hover with content, on a small workspace, over
/// several fresh processes of each binary, taking turns (so a busy moment costs each alike).
fn first_hover(bins: &[(String, PathBuf)], home: &Path, ws: &Path) {
    let data = home.join("data");
    let file = ws.join("src/feature0000.tsx");
    let (line, character) = {
        let text = std::fs::read_to_string(&file).unwrap();
        let (n, l) = text
            .lines()
            .enumerate()
            .find(|(_, l)| l.contains("= useThing0("))
            .unwrap();
        (n as u32, l.find("useThing0(").unwrap() as u32 + 3)
    };
    let params = json!({"textDocument": {"uri": uri(&file)}, "position": {"line": line, "character": character}});
    let mut times = vec![Vec::new(); bins.len()];
    let mut init = vec![Vec::new(); bins.len()];
    let mut empty = vec![0; bins.len()];
    // The first round derives and caches the insights; it is not counted.
    for round in 0..10 {
        for (b, (_, bin)) in bins.iter().enumerate() {
            let t = Instant::now();
            let mut c = Client::start(server_cmd(bin, home, &data));
            c.initialize(ws, json!({}));
            let initialized = t.elapsed();
            c.open(&file, "typescriptreact");
            let deadline = Instant::now() + Duration::from_secs(60);
            loop {
                let r = c.request("textDocument/hover", params.clone());
                if !r.is_null() || Instant::now() > deadline {
                    break;
                }
                empty[b] += 1;
                c.pump(Duration::from_millis(2));
            }
            if round > 0 {
                times[b].push(t.elapsed());
                init[b].push(initialized);
            }
            assert!(c.shutdown().success());
        }
    }
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    for (b, (label, _)) in bins.iter().enumerate() {
        let (times, init) = (&mut times[b], &mut init[b]);
        times.sort();
        init.sort();
        println!(
            "[{label}] first hover, fresh start, small workspace (10 files, 20 sessions): median {:.0} ms, min {:.0} ms, max {:.0} ms (n={}; initialize answered after {:.0} ms median; {} empty hovers before)",
            ms(times[times.len() / 2]),
            ms(times[0]),
            ms(times[times.len() - 1]),
            times.len(),
            ms(init[init.len() / 2]),
            empty[b],
        );
    }
}

/// Cold start to first lens, hover and codeLens round trips, idle RSS on the big store.
fn big_store(label: &str, bin: &Path, home: &Path, data: &Path, ws: &Path) {
    let file = ws.join("src/feature0042.tsx");
    let lens_params = json!({"textDocument": {"uri": uri(&file)}});
    // The first start derives the insights from the whole log and caches them in the store;
    // every later start (another editor window, a restart) reads the cache.
    let mut c = None;
    for what in [
        "first start (derives and caches insights)",
        "cold start (cached insights)",
    ] {
        if let Some(old) = c.take() {
            let old: Client = old;
            assert!(old.shutdown().success());
        }
        let t = Instant::now();
        let mut client = Client::start(server_cmd(bin, home, data));
        client.initialize(ws, json!({}));
        client.open(&file, "typescriptreact");
        let first = client.poll(
            "textDocument/codeLens",
            lens_params.clone(),
            Duration::from_secs(900),
            |r| r.as_array().is_some_and(|a| !a.is_empty()),
        );
        println!(
            "[{label}] {what} to first lens: {:.0} ms ({} lenses)",
            t.elapsed().as_secs_f64() * 1e3,
            first.as_array().map_or(0, Vec::len)
        );
        c = Some(client);
    }
    let mut c = c.unwrap();
    // Let the full index and the links settle before timing steady-state requests.
    c.pump(Duration::from_secs(3));
    let text = std::fs::read_to_string(&file).unwrap();
    let positions: Vec<(u32, u32)> = text
        .lines()
        .enumerate()
        .flat_map(|(n, l)| {
            l.match_indices("use")
                .map(move |(i, _)| (n as u32, i as u32 + 2))
                .collect::<Vec<_>>()
        })
        .collect();
    let mut hover = Vec::new();
    let mut hits = 0;
    for round in 0..20 {
        for &(line, character) in &positions {
            let t = Instant::now();
            let r = c.request(
                "textDocument/hover",
                json!({"textDocument": {"uri": uri(&file)}, "position": {"line": line, "character": character}}),
            );
            hover.push(t.elapsed());
            if round == 0 && !r.is_null() {
                hits += 1;
            }
        }
    }
    report(
        label,
        "hover",
        &mut hover,
        &format!("{hits} of {} positions with insights", positions.len()),
    );
    let mut lens = Vec::new();
    for _ in 0..500 {
        let t = Instant::now();
        c.request("textDocument/codeLens", lens_params.clone());
        lens.push(t.elapsed());
    }
    report(label, "codeLens", &mut lens, "one 40-line component");
    c.pump(Duration::from_secs(2));
    let status = c.request(
        "workspace/executeCommand",
        json!({"command": "sessionlens.status"}),
    );
    println!(
        "[{label}] server: {} events, {} insights, workspace files {}",
        status["events"], status["insights"], status["workspace"]["files"]
    );
    println!("[{label}] idle RSS: {:.1} MB", rss_mb(c.pid()));
    assert!(c.shutdown().success());
}

fn server_cmd(bin: &Path, home: &Path, data: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(bin);
    cmd.env("SESSIONLENS_DATA_DIR", data)
        .env("CODEX_HOME", home.join("codex"))
        .env("HOME", home)
        .env(
            "SESSIONLENS_LOG",
            std::env::var("SESSIONLENS_LOG")
                .unwrap_or_else(|_| "info,sessionlens::knowledge::snapshot=debug".into()),
        );
    cmd
}

fn report(label: &str, what: &str, times: &mut [Duration], note: &str) {
    times.sort();
    let p = |q: f64| times[((times.len() - 1) as f64 * q) as usize].as_secs_f64() * 1e3;
    println!(
        "[{label}] {what:<9} round trip: p50 {:.3} ms  p99 {:.3} ms  max {:.3} ms  (n={}, {note})",
        p(0.5),
        p(0.99),
        p(1.0),
        times.len()
    );
}

fn rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// `files` components, each calling three hooks the sessions asked about, and `names` hooks.
fn write_workspace(ws: &Path, files: usize, names: usize) {
    let src = ws.join("src");
    std::fs::create_dir_all(&src).unwrap();
    for f in 0..files {
        let hooks: Vec<String> = (0..3).map(|k| name(f * 7 + k * 13)).collect();
        let mut text = format!("import {{ {} }} from \"./hooks\";\n\n", hooks.join(", "));
        text.push_str(&format!(
            "export function Feature{f}(props: {{ id: number }}) {{\n"
        ));
        for h in &hooks {
            text.push_str(&format!("  const {h}Value = {h}(props.id);\n"));
        }
        for i in 0..30 {
            text.push_str(&format!("  const line{i} = props.id + {i};\n"));
        }
        text.push_str("  return null;\n}\n");
        std::fs::write(src.join(format!("feature{f:04}.tsx")), text).unwrap();
    }
    let mut hooks = String::new();
    for n in 0..names {
        hooks.push_str(&format!(
            "export function {}(id: number) {{\n  return id * {n};\n}}\n\n",
            name(n)
        ));
    }
    std::fs::write(src.join("hooks.ts"), hooks).unwrap();
}
