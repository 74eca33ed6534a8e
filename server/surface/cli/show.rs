//! `sessions`, `timeline` and `verify`: reading the store back.

use super::fmt;
use crate::normalize::{Body, CommandStatus, Event, SessionSummary, TurnStatus};
use crate::store::{SessionMatch, Store};
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
        let inside = super::inside_workspace(ws)?;
        list.retain(|s| s.cwd.as_deref().is_some_and(&inside));
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
    let short = fmt::short_ids(&ids);
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
                .map(fmt::local_minute)
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
    let id = resolve(&store, session)?;
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
        print_timeline(&mut out, summary.as_ref(), &events, usize::MAX)?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn resolve(store: &Store, session: &str) -> anyhow::Result<String> {
    match store.find_session(session)? {
        SessionMatch::One(id) => Ok(id),
        SessionMatch::None => {
            anyhow::bail!("no session matches {session:?}; `sessionlens sessions` lists them")
        }
        SessionMatch::Many(ids) => anyhow::bail!(
            "{session:?} matches {} sessions: {}",
            ids.len(),
            ids.join(", ")
        ),
    }
}

/// Prints events as a readable timeline, at most `limit` of them.
pub fn print_timeline(
    out: &mut impl Write,
    summary: Option<&SessionSummary>,
    events: &[Event],
    limit: usize,
) -> std::io::Result<()> {
    let cwd = summary.and_then(|s| s.cwd.clone());
    if let Some(s) = summary {
        writeln!(
            out,
            "Session {} · {} · {}{}",
            s.id,
            s.shown_source(),
            s.cwd.as_deref().unwrap_or("?"),
            s.model
                .as_deref()
                .map(|m| format!(" · {m}"))
                .unwrap_or_default()
        )?;
    }
    const W: usize = 96;
    let mut turn: Option<&str> = None;
    for e in events.iter().take(limit) {
        if e.turn.as_deref() != turn && e.turn.is_some() {
            turn = e.turn.as_deref();
            writeln!(
                out,
                "\n{}  turn {}",
                fmt::local_minute(&e.at),
                turn.unwrap_or("")
            )?;
        }
        let t = fmt::local_time(&e.at);
        let line = match &e.body {
            Body::SessionStart(info) => format!(
                "● session started in {} ({}{})",
                info.surface,
                info.originator.as_deref().unwrap_or("?"),
                info.cli_version
                    .as_deref()
                    .map(|v| format!(" {v}"))
                    .unwrap_or_default()
            ),
            Body::SessionResume(_) => "● session resumed".to_owned(),
            Body::Prompt { text, steer, .. } => {
                format!(
                    "{} {}",
                    if *steer { "❯❯" } else { "❯" },
                    fmt::one_line(text, W)
                )
            }
            Body::Assistant { text, phase } => {
                let mark = if phase.as_deref() == Some("final_answer") {
                    "◆"
                } else {
                    "·"
                };
                format!("{mark} {}", fmt::one_line(text, W))
            }
            Body::Reasoning { text } => format!("~ {}", fmt::one_line(&text.replace("**", ""), W)),
            Body::Command(c) => {
                let outcome = match (c.status, c.exit_code) {
                    (CommandStatus::Exited, Some(0)) => "✓".to_owned(),
                    (CommandStatus::Exited, Some(code)) => format!("✗ exit {code}"),
                    (CommandStatus::TimedOut, _) => "✗ timed out".to_owned(),
                    (CommandStatus::Running, _) => "… still running".to_owned(),
                    (CommandStatus::Declined, _) => "✗ declined".to_owned(),
                    (CommandStatus::Failed, _) => "✗ failed".to_owned(),
                    (CommandStatus::Ran, _) => "· ran".to_owned(),
                    _ => "? no result".to_owned(),
                };
                let took = c
                    .duration_ms
                    .filter(|d| *d > 0)
                    .map(|d| format!(" · {}", fmt::duration(d)))
                    .unwrap_or_default();
                format!("$ {}   {outcome}{took}", fmt::one_line(&c.command, 72))
            }
            Body::Edit(edit) => {
                let files: Vec<String> = edit
                    .files
                    .iter()
                    .map(|f| {
                        format!(
                            "{} (+{} −{})",
                            fmt::relative(&f.path, cwd.as_deref()),
                            f.added,
                            f.removed
                        )
                    })
                    .collect();
                let failed = if edit.success == Some(false) {
                    "  ✗ failed"
                } else {
                    ""
                };
                format!("✎ {}{failed}", fmt::one_line(&files.join(", "), W))
            }
            Body::TurnEnd {
                status,
                reason,
                duration_ms,
                tokens,
            } => {
                let what = match status {
                    TurnStatus::Completed => "turn completed".to_owned(),
                    TurnStatus::Aborted => {
                        format!("turn aborted ({})", reason.as_deref().unwrap_or("?"))
                    }
                    TurnStatus::Inferred => "turn ended".to_owned(),
                };
                let took = duration_ms
                    .map(|d| format!(" in {}", fmt::duration(d)))
                    .unwrap_or_default();
                let tok = tokens
                    .map(|t| format!(" · {} tokens", t.total))
                    .unwrap_or_default();
                format!("■ {what}{took}{tok}")
            }
            Body::Compacted {} => "≡ context compacted".to_owned(),
            Body::Plan { text } => format!("▤ plan: {}", fmt::one_line(text, W)),
            Body::WebSearch { action, query, url } => {
                let what = match (action.as_str(), url) {
                    ("search", _) | (_, None) => format!("searched the web for {query:?}"),
                    ("open_page", Some(u)) => format!("opened {u}"),
                    (_, Some(u)) if query.is_empty() => format!("looked in {u}"),
                    (_, Some(u)) => format!("looked for {query:?} in {u}"),
                };
                format!("⌕ {}", fmt::one_line(&what, W))
            }
            Body::McpCall(c) => {
                let outcome = match c.success {
                    Some(true) => "✓",
                    Some(false) => "✗",
                    None => "?",
                };
                format!("⚙ {}.{}   {outcome}", c.server, c.tool)
            }
            Body::EditorEdit(e) => format!(
                "✎ {} ({} lines{})",
                e.file,
                e.lines,
                if e.symbols.is_empty() {
                    String::new()
                } else {
                    format!(" in {}", e.symbols.join(", "))
                }
            ),
            Body::Mark { insight, resolved } => format!(
                "✓ marked {} {}",
                insight.chars().take(12).collect::<String>(),
                if *resolved { "resolved" } else { "open" }
            ),
            Body::Learning {
                topic,
                takeaway,
                source,
                ..
            } => format!(
                "★ {source} noted {}: {}",
                fmt::one_line(topic, 30),
                fmt::one_line(takeaway, W)
            ),
        };
        writeln!(out, "  {t}  {line}")?;
    }
    if events.len() > limit {
        writeln!(out, "  … {} more events", events.len() - limit)?;
    }
    Ok(())
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
