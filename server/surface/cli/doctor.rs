//! `sessionlens doctor`: whether Session Lens can see what the developer does — the store, Codex's
//! sessions, and, per shell, whether its startup file loads the hook, when its last command
//! arrived, and what waits in the spool. Answers "why is my terminal command not in the
//! timeline?" without reading any code.

use super::{Global, print};
use crate::capture::shell;
use crate::knowledge::{terminal, text};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {}

#[derive(serde::Serialize)]
struct Shell {
    shell: &'static str,
    /// The startup file that should load the hook, and whether it does.
    rc_file: Option<PathBuf>,
    hook_in_rc: bool,
    /// The newest command its hook recorded, if any.
    last: Option<terminal::ShellSeen>,
}

#[derive(serde::Serialize)]
struct Report {
    store: PathBuf,
    events: u64,
    codex_home: Option<PathBuf>,
    spool: Option<PathBuf>,
    /// Bytes of commands typed and not yet read into the store.
    spool_waiting_bytes: u64,
    /// Hook runs whose events wait in `pending/` for the next writer of the store (it was held
    /// past the hook's bound when they ran).
    hook_events_waiting: u64,
    /// This shell's `SESSIONLENS_HISTORY` (`off` disables the hook in it).
    history: Option<String>,
    shells: Vec<Shell>,
}

pub fn run(g: &Global, _: Args) -> anyhow::Result<ExitCode> {
    let store = g.store_to_read()?;
    let seen = terminal::shells_seen(&store)?;
    let spool = crate::config::state_dir()
        .ok()
        .map(|d| crate::config::spool_path(&d));
    let state = crate::config::state_dir().ok();
    let spool_waiting_bytes = state
        .as_deref()
        .map_or(0, crate::ingest::spool::waiting_bytes);
    let hook_events_waiting = state
        .as_deref()
        .map_or(0, |d| crate::ingest::pending::files(d).len() as u64);
    let shells = shell::Shell::ALL
        .iter()
        .map(|s| {
            let name = s.name();
            let rc_file = shell::rc_file(name);
            let hook_in_rc = rc_file
                .as_ref()
                .and_then(|p| std::fs::read_to_string(p).ok())
                .is_some_and(|t| shell::loads_hook(&t, name));
            Shell {
                shell: name,
                rc_file,
                hook_in_rc,
                last: seen.get(name).cloned(),
            }
        })
        .collect();
    let report = Report {
        store: store.path().to_owned(),
        events: store.event_count()?,
        codex_home: crate::config::codex_home(),
        spool,
        spool_waiting_bytes,
        hook_events_waiting,
        history: std::env::var("SESSIONLENS_HISTORY").ok(),
        shells,
    };
    if g.json {
        print::json(&report)?;
    } else {
        print_text(&report);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_text(r: &Report) {
    println!("Store: {} ({} events)", r.store.display(), r.events);
    if r.hook_events_waiting > 0 {
        println!(
            "Hooks: {} run(s) waiting to be stored (the store was busy); the next `sessionlens ingest` stores them",
            r.hook_events_waiting
        );
    }
    match &r.codex_home {
        Some(h) => println!("Codex: {}", h.display()),
        None => println!("Codex: no home found (set CODEX_HOME)"),
    }
    println!("Shell hooks:");
    for s in &r.shells {
        let rc = s
            .rc_file
            .as_ref()
            .map_or_else(|| "no home".to_owned(), |p| p.display().to_string());
        let hook = if s.hook_in_rc {
            format!("hook loaded by {rc}")
        } else {
            format!(
                "no hook in {rc} (add: {})",
                match s.shell {
                    "fish" => "sessionlens init fish | source".to_owned(),
                    other => format!("eval \"$(sessionlens init {other})\""),
                }
            )
        };
        let last = match &s.last {
            Some(l) => format!(
                "last command {} ({}), {} recorded recently",
                text::local_minute(&l.last_at),
                text::one_line(&l.last_command, 40),
                l.commands
            ),
            None => "no command recorded yet".to_owned(),
        };
        println!("  {:<5} {hook}; {last}", s.shell);
    }
    if let Some(spool) = &r.spool {
        if r.spool_waiting_bytes > 0 {
            println!(
                "Spool: {} waiting in {} (read by `sessionlens ingest` or a running editor)",
                text::bytes(r.spool_waiting_bytes),
                spool.display()
            );
        } else {
            println!("Spool: {} (empty)", spool.display());
        }
    }
    if r.history.as_deref() == Some("off") {
        println!("SESSIONLENS_HISTORY=off: this shell records nothing");
    }
}
