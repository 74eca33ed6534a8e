//! A session's events as a readable timeline: what the CLI's `timeline` prints and what the
//! editor's "show timeline" command opens.

use super::text;
use crate::normalize::{Body, CommandStatus, Event, SessionSummary, TurnStatus};
use std::io::Write;

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
                text::local_minute(&e.at),
                turn.unwrap_or("")
            )?;
        }
        let t = text::local_time(&e.at);
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
                    text::one_line(text, W)
                )
            }
            Body::Assistant { text, phase } => {
                let mark = if phase.as_deref() == Some("final_answer") {
                    "◆"
                } else {
                    "·"
                };
                format!("{mark} {}", text::one_line(text, W))
            }
            Body::Reasoning { text } => format!("~ {}", text::one_line(&text.replace("**", ""), W)),
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
                    .map(|d| format!(" · {}", text::duration(d)))
                    .unwrap_or_default();
                format!("$ {}   {outcome}{took}", text::one_line(&c.command, 72))
            }
            Body::Edit(edit) => {
                let files: Vec<String> = edit
                    .files
                    .iter()
                    .map(|f| {
                        format!(
                            "{} (+{} −{})",
                            text::relative(&f.path, cwd.as_deref()),
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
                format!("✎ {}{failed}", text::one_line(&files.join(", "), W))
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
                    .map(|d| format!(" in {}", text::duration(d)))
                    .unwrap_or_default();
                let tok = tokens
                    .map(|t| format!(" · {} tokens", t.total))
                    .unwrap_or_default();
                format!("■ {what}{took}{tok}")
            }
            Body::Compacted {} => "≡ context compacted".to_owned(),
            Body::Plan { text } => format!("▤ plan: {}", text::one_line(text, W)),
            Body::WebSearch { action, query, url } => {
                let what = match (action.as_str(), url) {
                    ("search", _) | (_, None) => format!("searched the web for {query:?}"),
                    ("open_page", Some(u)) => format!("opened {u}"),
                    (_, Some(u)) if query.is_empty() => format!("looked in {u}"),
                    (_, Some(u)) => format!("looked for {query:?} in {u}"),
                };
                format!("⌕ {}", text::one_line(&what, W))
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
                text::prefix(insight, 12),
                if *resolved { "resolved" } else { "open" }
            ),
            Body::Learning {
                topic,
                takeaway,
                source,
                ..
            } => format!(
                "★ {source} noted {}: {}",
                text::one_line(topic, 30),
                text::one_line(takeaway, W)
            ),
            Body::Erasure { seqs, why, .. } => {
                format!("✂ {} events erased ({why})", seqs.len())
            }
        };
        writeln!(out, "  {t}  {line}")?;
    }
    if events.len() > limit {
        writeln!(out, "  … {} more events", events.len() - limit)?;
    }
    Ok(())
}
