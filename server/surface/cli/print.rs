//! What more than one command prints, in one place: JSON for `--json`, the sessions table, the
//! ingest report, an insight as text and as JSON, the chain check. Only this face writes to
//! stdout.

use crate::ingest::IngestReport;
use crate::insight::{self, Insight, Kind, Status};
use crate::knowledge::text;
use crate::link::resolve::LinkedSymbol;
use crate::normalize::SessionSummary;
use serde::Serialize;
use std::io::Write;

/// A command's machine form (`--json`): `value` as pretty JSON and a newline on stdout.
pub fn json(value: &impl Serialize) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

/// The sessions table, or how to fill an empty store.
pub fn sessions(out: &mut impl Write, list: &[SessionSummary]) -> std::io::Result<()> {
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

/// An insight as the CLI prints it: the record plus its symbols in the workspace.
#[derive(Serialize)]
pub struct Shown<'a> {
    pub id: &'a str,
    pub kind: Kind,
    pub topic: &'a str,
    pub text: &'a str,
    pub takeaway: Option<&'a str>,
    pub session: &'a str,
    pub turn: Option<&'a str>,
    pub at: &'a str,
    pub surface: &'a str,
    pub status: Status,
    pub resolved_by: Option<&'a insight::Resolution>,
    pub confidence: f32,
    pub symbols: Vec<LinkedSymbol>,
}

pub fn shown<'a>(i: &'a Insight, symbols: Vec<LinkedSymbol>) -> Shown<'a> {
    Shown {
        id: &i.id,
        kind: i.kind,
        topic: &i.topic,
        text: &i.text,
        takeaway: i.takeaway.as_deref(),
        session: &i.session,
        turn: i.turn.as_deref(),
        at: &i.at,
        surface: &i.surface,
        status: i.status,
        resolved_by: i.resolved_by.as_ref(),
        confidence: i.confidence,
        symbols,
    }
}

/// An insight as text: when, kind, topic and status; its words, takeaway and symbols.
pub fn insight(out: &mut impl Write, i: &Insight, symbols: &[LinkedSymbol]) -> std::io::Result<()> {
    let status = match (&i.status, &i.resolved_by) {
        (Status::Resolved, Some(r)) if !matches!(i.kind, Kind::Success | Kind::Decision) => {
            format!("resolved {} — {}", text::local_minute(&r.at), r.how)
        }
        (Status::Resolved, _) => "resolved".into(),
        (Status::Open, _) => "open".into(),
    };
    writeln!(
        out,
        "{} {:<9} {}  [{}]  {}",
        text::local_minute(&i.at),
        i.kind.as_str(),
        i.topic,
        status,
        text::surface(&i.surface)
    )?;
    writeln!(out, "    {}", text::one_line(&i.text, 100))?;
    if let Some(t) = &i.takeaway {
        writeln!(out, "    → {}", text::one_line(t, 100))?;
    }
    if !symbols.is_empty() {
        let names: Vec<String> = symbols
            .iter()
            .map(|s| format!("{} ({}:{})", s.name, s.file, s.line))
            .collect();
        writeln!(out, "    ⌖ {}", names.join(", "))?;
    }
    Ok(())
}

/// What an ingest did: files, bytes and lines read, events added, what was skipped and why, the
/// files that could not be read, and where the store is.
pub fn ingest_report(r: &IngestReport, store: &std::path::Path) {
    if let Some(t) = &r.terminal {
        // `ingest terminal`: the spool alone, said even when it held nothing.
        let alone = r.files == 0 && r.errors.is_empty();
        terminal_report(t, alone);
        if alone {
            return;
        }
    }
    println!(
        "Read {} file{} ({} new, {} updated, {} unchanged{}{}), {}, {} lines",
        r.files,
        if r.files == 1 { "" } else { "s" },
        r.files_new,
        r.files_updated,
        r.files_unchanged,
        if r.files_replaced > 0 {
            format!(", {} rewritten by Codex and read again", r.files_replaced)
        } else {
            String::new()
        },
        if r.files_reread > 0 {
            format!(", {} changed in place and read again", r.files_reread)
        } else {
            String::new()
        },
        text::bytes(r.bytes_read),
        r.lines.lines,
    );
    println!(
        "Added {} events to {} session{}{}",
        r.events_added,
        r.sessions,
        if r.sessions == 1 { "" } else { "s" },
        if r.events_already_stored > 0 {
            format!(" ({} already stored)", r.events_already_stored)
        } else {
            String::new()
        }
    );
    let unknown: u64 = r.lines.unknown.values().sum();
    if r.lines.skipped() > 0 {
        let mut parts = Vec::new();
        if unknown > 0 {
            let kinds: Vec<String> = r
                .lines
                .unknown
                .iter()
                .map(|(k, n)| format!("{k} ×{n}"))
                .collect();
            parts.push(format!("{unknown} of unknown kinds ({})", kinds.join(", ")));
        }
        if r.lines.malformed > 0 {
            parts.push(format!("{} not valid JSON", r.lines.malformed));
        }
        if r.lines.oversized > 0 {
            parts.push(format!(
                "{} longer than {} MiB (inline images)",
                r.lines.oversized,
                crate::capture::lines::MAX_LINE >> 20
            ));
        }
        println!("Skipped {} lines: {}", r.lines.skipped(), parts.join("; "));
    }
    if r.lines.invalid_utf8 > 0 {
        println!(
            "{} line{} had invalid UTF-8 and {} decoded with replacement characters",
            r.lines.invalid_utf8,
            if r.lines.invalid_utf8 == 1 { "" } else { "s" },
            if r.lines.invalid_utf8 == 1 {
                "was"
            } else {
                "were"
            }
        );
    }
    if r.lines.inherited > 0 {
        println!(
            "{} line{} copied from another thread (a sub-agent's or fork's parent) counted there, not again",
            r.lines.inherited,
            if r.lines.inherited == 1 { "" } else { "s" },
        );
    }
    if r.files_excluded > 0 || r.events_excluded > 0 {
        println!(
            "Left out as excluded: {} file{}{} (their folders are excluded; `sessionlens status` lists the exclusions)",
            r.files_excluded,
            if r.files_excluded == 1 { "" } else { "s" },
            if r.events_excluded > 0 {
                format!(", {} more events", r.events_excluded)
            } else {
                String::new()
            }
        );
    }
    if r.partial_lines > 0 {
        println!(
            "{} file{} end{} in a line still being written; it will be read next time",
            r.partial_lines,
            if r.partial_lines == 1 { "" } else { "s" },
            if r.partial_lines == 1 { "s" } else { "" }
        );
    }
    for e in &r.errors {
        println!("error: {}: {}", e.path, e.error);
    }
    println!("Store: {}", store.display());
}

/// The chain check as a line: intact with its length and head, or where it broke.
pub fn chain(report: &crate::store::VerifyReport) {
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
    for (when, n) in &report.erased {
        println!("  {n} events erased {when}");
    }
    for p in &report.problems {
        println!("✗ {p}");
    }
}

/// What the shell hooks' spool gave, in one line.
fn terminal_report(t: &crate::ingest::spool::SpoolReport, even_empty: bool) {
    if t.is_empty() {
        if even_empty {
            println!("Terminal: no commands waiting from the shell hooks");
        }
        return;
    }
    let mut parts = Vec::new();
    if t.already_stored > 0 {
        parts.push(format!("{} already stored", t.already_stored));
    }
    if t.duplicates > 0 {
        parts.push(format!("{} reported by an editor already", t.duplicates));
    }
    if t.ignored > 0 {
        parts.push(format!(
            "{} not recorded (leading space or ignore list)",
            t.ignored
        ));
    }
    if t.excluded > 0 {
        parts.push(format!(
            "{} run in excluded folders, not recorded",
            t.excluded
        ));
    }
    if t.bad_lines > 0 {
        parts.push(format!("{} lines cut short or unreadable", t.bad_lines));
    }
    if t.other_version > 0 {
        parts.push(format!(
            "{} lines from another version of the hook (run `sessionlens init` again)",
            t.other_version
        ));
    }
    println!(
        "Terminal: {} command{} from the shell hooks{}",
        t.commands,
        if t.commands == 1 { "" } else { "s" },
        if parts.is_empty() {
            String::new()
        } else {
            format!(" ({})", parts.join("; "))
        }
    );
}
