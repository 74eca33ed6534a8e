//! `sessionlens forget`: erase what should never have been kept — a session with a customer's
//! data, everything run in a client's folder, everything older than a date, or every event that
//! holds a secret that slipped through redaction. The content goes; the chain still verifies
//! (each erased record keeps its link and says when, why and by whom, and the erasure itself is
//! an event of the chain), and `verify` reports what was erased. Then the store file is rewritten
//! so no freed page keeps the old bytes — when no other process has it open.

use super::Global;
use crate::store::{Forget, SessionMatch, Store};
use std::collections::BTreeSet;
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
#[command(group = clap::ArgGroup::new("what").required(true).multiple(false))]
pub struct Args {
    /// Sessions to erase (full ids or unique prefixes), as `sessions` lists them.
    #[arg(long = "session", value_name = "ID", group = "what")]
    sessions: Vec<String>,
    /// Erase every session run in this folder or below it.
    #[arg(long, value_name = "DIR", group = "what")]
    workspace: Option<PathBuf>,
    /// Erase every event before this day (YYYY-MM-DD, UTC) or time (RFC 3339).
    #[arg(long, value_name = "DATE", group = "what")]
    before: Option<String>,
    /// Erase every event holding this text (`-` reads it from stdin, out of shell history).
    #[arg(long, value_name = "TEXT", group = "what")]
    text: Option<String>,
    /// Only rewrite the store file, dropping the bytes of content erased earlier from freed pages.
    #[arg(long, group = "what")]
    purge: bool,
}

pub fn run(g: &Global, args: Args) -> anyhow::Result<ExitCode> {
    g.refuse_json("forget")?;
    let dir = crate::config::data_dir(g.data_dir())?;
    let path = crate::config::store_path(&dir);
    if args.purge {
        return purge(&path);
    }
    let store = g.store()?;
    let (what, why) = if !args.sessions.is_empty() {
        let mut ids = BTreeSet::new();
        for wanted in &args.sessions {
            match store.find_session(wanted)? {
                SessionMatch::One(id) => ids.insert(id),
                SessionMatch::None => anyhow::bail!("no session matches {wanted:?}"),
                SessionMatch::Many(m) => anyhow::bail!(
                    "{wanted:?} matches {} sessions; give more of the id",
                    m.len()
                ),
            };
        }
        let why = format!(
            "forget --session {}",
            ids.iter()
                .map(|i| i.chars().take(8).collect::<String>())
                .collect::<Vec<_>>()
                .join(" ")
        );
        (Forget::Sessions(ids), why)
    } else if let Some(dir) = &args.workspace {
        let dir = std::fs::canonicalize(dir)
            .unwrap_or_else(|_| std::path::absolute(dir).unwrap_or(dir.clone()));
        let dir = dir.display().to_string();
        (
            Forget::Workspace(dir.clone()),
            format!("forget --workspace {dir}"),
        )
    } else if let Some(date) = &args.before {
        let at = parse_before(date)?;
        (Forget::Before(at), format!("forget --before {date}"))
    } else if let Some(text) = &args.text {
        let text = if text == "-" {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s)?;
            s.trim_end_matches(['\n', '\r']).to_owned()
        } else {
            text.clone()
        };
        if text.chars().count() < 4 {
            anyhow::bail!("give at least 4 characters of the text to forget");
        }
        // The text itself is never written down, not even in the reason.
        (Forget::Text(text), "forget --text".to_owned())
    } else {
        anyhow::bail!("say what to forget: --session, --workspace, --before, --text or --purge")
    };
    let by = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".to_owned());
    let done = store.forget(&what, &why, &by)?;
    drop(store);
    if done.seqs.is_empty() {
        println!("Nothing matched: nothing erased.");
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "Erased {} events of {} sessions (the erasure is event #{}); `sessionlens verify` still passes and lists it.",
        done.seqs.len(),
        done.sessions.len(),
        done.erasure.unwrap_or_default()
    );
    purge(&path)
}

/// Rewrites the store file, or says why it could not.
fn purge(path: &std::path::Path) -> anyhow::Result<ExitCode> {
    if Store::purge(path)? {
        println!(
            "Rewrote {}: no freed page keeps erased content.",
            path.display()
        );
        Ok(ExitCode::SUCCESS)
    } else {
        println!(
            "The store is open in another process (an editor's language server?): erased content \
             may stay in freed pages of {} until `sessionlens forget --purge` runs with it closed.",
            path.display()
        );
        Ok(ExitCode::from(3))
    }
}

/// `--before`: a day (midnight UTC) or a full time, as the RFC 3339 string events carry.
fn parse_before(date: &str) -> anyhow::Result<String> {
    if let Ok(t) = date.parse::<jiff::Timestamp>() {
        return Ok(t.to_string());
    }
    let day: jiff::civil::Date = date
        .parse()
        .map_err(|_| anyhow::anyhow!("{date:?} is no date: give YYYY-MM-DD or an RFC 3339 time"))?;
    Ok(day
        .to_zoned(jiff::tz::TimeZone::UTC)?
        .timestamp()
        .to_string())
}
