//! `sessionlens demo`: the product on bundled sessions, start to finish, without touching the
//! developer's own data: a throwaway Codex home with three real sessions (a VS Code panel one, an
//! archived and compressed CLI one, and an excerpt of a current `codex exec` one in paginated
//! history mode) and a Python engineer's first React app — three sessions over five days with
//! its workspace — ingested into a temporary store (or the given data dir); then the timelines,
//! the insights linked to the app's code, what to practise next, and what a hover on
//! `useEffect` shows.

use super::{Global, gaps, ingest, insights, print, recall};
use crate::capture::codex;
use crate::ingest::IngestOptions;
use crate::knowledge::text;
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
const EXEC_NAME: &str = "rollout-2026-08-19T09-48-58-01a017b5-1414-7250-bf14-dc4987eee1c9.jsonl";
const EXEC: &[u8] = include_bytes!(
    "../../demo/rollout-2026-08-19T09-48-58-01a017b5-1414-7250-bf14-dc4987eee1c9.jsonl"
);

/// The learning scenario: its sessions (written with their working directory pointing at the
/// workspace unpacked next to them) and its workspace files.
const REACT_CWD: &str = "/home/dev/todo";
const REACT_SESSIONS: &[(&str, &str, &str)] = &[
    (
        "2026/11/18",
        "rollout-2026-11-18T18-40-07-01a1f108-2bd8-7490-959a-7a32d1fadf22.jsonl",
        include_str!(
            "../../../tests/fixtures/eval/react-first-app/sessions/rollout-2026-11-18T18-40-07-01a1f108-2bd8-7490-959a-7a32d1fadf22.jsonl"
        ),
    ),
    (
        "2026/11/20",
        "rollout-2026-11-20T20-14-51-01a1fbab-9ef8-7752-b6e9-cb53d1813062.jsonl",
        include_str!(
            "../../../tests/fixtures/eval/react-first-app/sessions/rollout-2026-11-20T20-14-51-01a1fbab-9ef8-7752-b6e9-cb53d1813062.jsonl"
        ),
    ),
    (
        "2026/11/23",
        "rollout-2026-11-23T11-04-18-01a20926-a7d0-7f08-9b2d-1bd3cc8649d8.jsonl",
        include_str!(
            "../../../tests/fixtures/eval/react-first-app/sessions/rollout-2026-11-23T11-04-18-01a20926-a7d0-7f08-9b2d-1bd3cc8649d8.jsonl"
        ),
    ),
];
macro_rules! workspace_files {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_str!(concat!("../../../tests/fixtures/eval/react-first-app/workspace/", $path)))),*]
    };
}
const REACT_WORKSPACE: &[(&str, &str)] = workspace_files![
    "package.json",
    "src/App.tsx",
    "src/AddTodoForm.tsx",
    "src/Header.tsx",
    "src/TodoList.tsx",
    "src/TodosContext.tsx",
    "src/api.ts",
    "src/main.tsx",
    "src/types.ts",
    "src/useTodos.ts",
];

#[derive(clap::Args)]
pub struct Args {}

pub fn run(g: &Global, _: Args) -> anyhow::Result<ExitCode> {
    g.refuse_json("demo")?;
    let scratch = std::env::temp_dir().join(format!("sessionlens-demo-{}", std::process::id()));
    let result = demo(&scratch, g.data_dir());
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
    let current = home.join("sessions/2026/08/19");
    std::fs::create_dir_all(&current)?;
    std::fs::write(current.join(EXEC_NAME), EXEC)?;
    let workspace = scratch.join("todo");
    for (path, text) in REACT_WORKSPACE {
        let p = workspace.join(path);
        std::fs::create_dir_all(p.parent().expect("files are inside the workspace"))?;
        std::fs::write(p, text)?;
    }
    let ws = workspace.to_string_lossy();
    for (day, name, text) in REACT_SESSIONS {
        let dir = home.join("sessions").join(day);
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join(name), text.replace(REACT_CWD, &ws))?;
    }

    let store_dir: PathBuf = data_dir.map_or_else(|| scratch.join("data"), Path::to_path_buf);
    println!(
        "Session Lens demo: three real Codex sessions (a VS Code panel session, an archived, compressed CLI session,"
    );
    println!("and a current `codex exec` 0.148 session in paginated history mode),");
    println!(
        "and a Python engineer's first React app: three sessions over five days, with its workspace."
    );
    println!(
        "Store: {}\n",
        crate::config::store_path(&store_dir).display()
    );
    // The commands the demo shows run as typed, against the demo's store.
    let g = Global {
        data_dir: Some(store_dir),
        json: false,
    };
    let store = g.store()?;

    println!("$ sessionlens ingest codex");
    let (files, _) = codex::discover(&codex::default_roots(&home), true);
    let files: Vec<_> = files
        .into_iter()
        .map(|f| (crate::ingest::Source::Codex, f))
        .collect();
    // The bundled files were just written; treat them as finished sessions.
    let opts = IngestOptions {
        idle_after: std::time::Duration::ZERO,
        ..IngestOptions::default()
    };
    // The bundled sessions are no one's work: the user's exclusions do not apply to them.
    let gate = crate::ingest::gate::Gate::admitting_all();
    let report = ingest::ingest_with_progress(&store, &gate, &files, &opts, false);
    print::ingest_report(&report, store.path());

    println!("\n$ sessionlens ingest codex   # again: nothing is read twice");
    let again = ingest::ingest_with_progress(&store, &gate, &files, &opts, true);
    println!(
        "Added {} events ({} files unchanged)",
        again.events_added, again.files_unchanged
    );

    println!("\n$ sessionlens sessions");
    let sessions = store.sessions()?;
    let mut out = std::io::stdout().lock();
    print::sessions(&mut out, &sessions)?;

    // The real VS Code session in full, the paginated one, and the first day of the React app.
    for id in ["019d9353", "01a017b5", "01a1f108"] {
        let Some(s) = sessions.iter().find(|s| s.id.starts_with(id)) else {
            continue;
        };
        let events: Vec<_> = store
            .session_events(&s.id)?
            .into_iter()
            .map(|(_, e)| e)
            .collect();
        println!(
            "\n$ sessionlens timeline {}",
            text::short_ids(&[s.id.as_str()])[0]
        );
        crate::knowledge::timeline::print_timeline(&mut out, Some(s), &events, 40)?;
    }
    drop(out);

    let ws_arg = workspace.display();
    println!("\n$ sessionlens insights --workspace {ws_arg}");
    let args = insights::Args {
        workspace: Some(workspace.clone()),
        session: None,
        kind: None,
        status: None,
    };
    insights::run(&g, args)?;
    println!("\n$ sessionlens gaps --workspace {ws_arg}");
    let args = gaps::Args {
        workspace: Some(workspace.clone()),
    };
    gaps::run(&g, args)?;
    println!(
        "\n$ sessionlens recall useEffect --workspace {ws_arg}   # what the editor hover shows"
    );
    let args = recall::Args {
        symbol: "useEffect".into(),
        workspace: Some(workspace.clone()),
    };
    recall::run(&g, args)?;

    println!("\n$ sessionlens summarize --workspace {ws_arg}   # the entry for learnings.md");
    let (_, entry) = crate::knowledge::journal::summarize(&store, None, &workspace)?;
    print!("{entry}");
    println!(
        "\n$ sessionlens context --workspace {ws_arg}   # what the next Codex session is told"
    );
    let known = crate::knowledge::snapshot::Knowledge::load(&store)?;
    // The morning after the last session, so the demo reads the same on any day.
    let last = known
        .insights
        .iter()
        .flat_map(|i| std::iter::once(&i.at).chain(i.resolved_by.as_ref().map(|r| &r.at)))
        .filter_map(|at| at.parse::<jiff::Timestamp>().ok())
        .max()
        .unwrap_or_else(jiff::Timestamp::now);
    let briefing = crate::knowledge::briefing::briefing(
        &crate::knowledge::briefing::Brief::all(&known.insights),
        &workspace,
        None,
        crate::knowledge::briefing::DEFAULT_MAX_CHARS,
        last + jiff::SignedDuration::from_hours(12),
    );
    print!("{briefing}");

    println!("\n$ sessionlens verify");
    print::chain(&store.verify()?);
    println!(
        "\nNext: `sessionlens ingest codex` reads your own sessions from $CODEX_HOME (default ~/.codex);\n\
         `eval \"$(sessionlens init zsh)\"` (or bash; fish: `sessionlens init fish | source`) in your shell's\n\
         startup file records the commands you type yourself; the README shows how to see it all in\n\
         VS Code or Neovim and hand it to your next Codex session."
    );
    Ok(ExitCode::SUCCESS)
}
