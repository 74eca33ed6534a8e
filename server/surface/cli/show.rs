//! `sessions`, `timeline` and `verify`: reading the store back.

use crate::knowledge::text;
use crate::normalize::{Event, SessionSummary};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

pub fn sessions(
    data_dir: Option<&Path>,
    workspace: Option<&Path>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let store = super::open_store(data_dir)?;
    let mut list = store.sessions()?;
    if let Some(ws) = workspace {
        let scope = crate::knowledge::scope::Scope::new(ws);
        list.retain(|s| s.cwd.as_deref().is_some_and(|c| scope.contains(c)));
    }
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &list)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    print_sessions(&mut out, &list)?;
    Ok(ExitCode::SUCCESS)
}

pub fn print_sessions(out: &mut impl Write, list: &[SessionSummary]) -> std::io::Result<()> {
    if list.is_empty() {
        writeln!(
            out,
            "No sessions yet. Run `sessionlens ingest codex` to read your Codex sessions."
        )?;
        return Ok(());
    }
    let ids: Vec<&str> = list.iter().map(|s| s.id.as_str()).collect();
    let short = text::short_ids(&ids);
    let w = short.iter().map(String::len).max().unwrap_or(8).max(7);
    writeln!(
        out,
        "{:<w$}  {:<7} {:<16}  {:>5} {:>8} {:>6} {:>5}  WORKSPACE",
        "SESSION", "SOURCE", "STARTED", "TURNS", "COMMANDS", "FAILED", "EDITS"
    )?;
    for (s, id) in list.iter().zip(&short) {
        writeln!(
            out,
            "{:<w$}  {:<7} {:<16}  {:>5} {:>8} {:>6} {:>5}  {}",
            id,
            s.shown_source(),
            s.started_at
                .as_deref()
                .map(text::local_minute)
                .unwrap_or_default(),
            s.turns,
            s.commands,
            s.failed_commands,
            s.edits,
            s.cwd.as_deref().unwrap_or("")
        )?;
    }
    Ok(())
}

pub fn timeline(data_dir: Option<&Path>, session: &str, json: bool) -> anyhow::Result<ExitCode> {
    let store = super::open_store(data_dir)?;
    let id = crate::knowledge::sessions::resolve(&store, session)?;
    let events: Vec<Event> = store
        .session_events(&id)?
        .into_iter()
        .map(|(_, e)| e)
        .collect();
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &events)?;
        writeln!(out)?;
    } else {
        let summary = store.session(&id)?;
        crate::knowledge::timeline::print_timeline(
            &mut out,
            summary.as_ref(),
            &events,
            usize::MAX,
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn verify(data_dir: Option<&Path>, json: bool) -> anyhow::Result<ExitCode> {
    let store = super::open_store(data_dir)?;
    let report = store.verify()?;
    if json {
        let v = serde_json::json!({
            "ok": report.failure.is_none(),
            "events": report.events,
            "head": report.head,
            "failure": report.failure.as_ref().map(|f| serde_json::json!({"seq": f.seq, "event": f.event_id, "reason": f.reason})),
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        match &report.failure {
            None => println!(
                "✓ chain intact: {} events (head {})",
                report.events,
                &report.head[..16]
            ),
            Some(f) => println!(
                "✗ chain broken at event #{}{}: {} ({} events before it verified)",
                f.seq,
                f.event_id
                    .as_deref()
                    .map(|id| format!(" (id {id})"))
                    .unwrap_or_default(),
                f.reason,
                report.events
            ),
        }
    }
    Ok(if report.failure.is_none() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
