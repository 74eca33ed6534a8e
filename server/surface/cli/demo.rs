//! `sessionlens demo`: the product on bundled real sessions, start to finish, without touching the
//! developer's own data: a throwaway Codex home with one live session and one archived,
//! compressed one, ingested into a temporary store (or the given data dir).

use super::{fmt, ingest, show};
use crate::capture::codex;
use crate::ingest::IngestOptions;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const VSCODE_NAME: &str = "rollout-2026-04-15T18-46-36-019d9353-333c-7c41-a909-26f5c6221a5a.jsonl";
const VSCODE: &[u8] = include_bytes!(
    "../../demo/rollout-2026-04-15T18-46-36-019d9353-333c-7c41-a909-26f5c6221a5a.jsonl"
);
const CLI_NAME: &str = "rollout-2025-11-22T21-45-35-019aad50-a7e6-7422-b7a8-0b384290624f.jsonl.zst";
const CLI: &[u8] = include_bytes!(
    "../../demo/rollout-2025-11-22T21-45-35-019aad50-a7e6-7422-b7a8-0b384290624f.jsonl.zst"
);

pub fn run(data_dir: Option<&Path>) -> anyhow::Result<ExitCode> {
    let scratch = std::env::temp_dir().join(format!("sessionlens-demo-{}", std::process::id()));
    let result = demo(&scratch, data_dir);
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

fn demo(scratch: &Path, data_dir: Option<&Path>) -> anyhow::Result<ExitCode> {
    let home = scratch.join("codex-home");
    let live = home.join("sessions/2026/04/15");
    let archived = home.join("archived_sessions");
    std::fs::create_dir_all(&live)?;
    std::fs::create_dir_all(&archived)?;
    std::fs::write(live.join(VSCODE_NAME), VSCODE)?;
    std::fs::write(archived.join(CLI_NAME), CLI)?;

    let store_dir: PathBuf = data_dir.map_or_else(|| scratch.join("data"), Path::to_path_buf);
    println!(
        "Session Lens demo: two real Codex sessions (a VS Code panel session and an archived, compressed CLI session)."
    );
    println!(
        "Store: {}\n",
        crate::config::store_path(&store_dir).display()
    );
    let store = super::open_store(Some(&store_dir))?;

    println!("$ sessionlens ingest codex");
    let (files, _) = codex::discover(&codex::default_roots(&home), true);
    // The bundled files were just written; treat them as finished sessions.
    let opts = IngestOptions {
        idle_after: std::time::Duration::ZERO,
        ..IngestOptions::default()
    };
    let report = ingest::ingest_with_progress(&store, &files, &opts, false);
    ingest::print_report(&report, store.path());

    println!("\n$ sessionlens ingest codex   # again: nothing is read twice");
    let again = ingest::ingest_with_progress(&store, &files, &opts, true);
    println!(
        "Added {} events ({} files unchanged)",
        again.events_added, again.files_unchanged
    );

    println!("\n$ sessionlens sessions");
    let sessions = store.sessions()?;
    let mut out = std::io::stdout().lock();
    show::print_sessions(&mut out, &sessions)?;

    for (i, s) in sessions.iter().enumerate() {
        let events: Vec<_> = store
            .session_events(&s.id)?
            .into_iter()
            .map(|(_, e)| e)
            .collect();
        let limit = if i == 0 { usize::MAX } else { 14 };
        println!(
            "\n$ sessionlens timeline {}",
            fmt::short_ids(&[s.id.as_str()])[0]
        );
        show::print_timeline(&mut out, Some(s), &events, limit)?;
    }

    println!("\n$ sessionlens verify");
    let report = store.verify()?;
    match &report.failure {
        None => println!(
            "✓ chain intact: {} events (head {})",
            report.events,
            &report.head[..16]
        ),
        Some(f) => println!("✗ chain broken at event #{}: {}", f.seq, f.reason),
    }
    println!(
        "\nNext: `sessionlens ingest codex` reads your own sessions from $CODEX_HOME (default ~/.codex)."
    );
    Ok(ExitCode::SUCCESS)
}
