//! `sessionlens insights`: what Session Lens learned from the sessions — gaps, confusion, errors,
//! successes, follow-ups, decisions — filtered, newest first, linked to the workspace's symbols.
//! [`load`] is also what `gaps` and the demo list from.

use super::Global;
use super::print::{self, Shown};
use crate::insight::{Insight, Kind, Status};
use crate::knowledge::links::Linker;
use crate::knowledge::scope::Scope;
use crate::knowledge::snapshot::Knowledge;
use crate::link::resolve::LinkedSymbol;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Keep only insights from sessions run inside DIR, and link them to DIR's symbols.
    #[arg(long, value_name = "DIR")]
    pub workspace: Option<PathBuf>,
    /// Keep only this session's (any unique prefix of its id).
    #[arg(long, value_name = "ID")]
    pub session: Option<String>,
    /// gap, confusion, error, success, follow_up or decision.
    #[arg(long, value_name = "KIND", value_parser = parse_kind)]
    pub kind: Option<Kind>,
    /// open or resolved.
    #[arg(long, value_name = "STATUS", value_parser = parse_status)]
    pub status: Option<Status>,
}

fn parse_kind(s: &str) -> Result<Kind, String> {
    Kind::parse(s)
        .ok_or_else(|| "one of gap, confusion, error, success, follow_up, decision".into())
}

fn parse_status(s: &str) -> Result<Status, String> {
    match s {
        "open" => Ok(Status::Open),
        "resolved" => Ok(Status::Resolved),
        _ => Err("open or resolved".into()),
    }
}

/// Which insights to list; `None` keeps all.
pub struct Filter<'a> {
    pub workspace: Option<&'a Path>,
    pub session: Option<&'a str>,
    pub kind: Option<Kind>,
    pub status: Option<Status>,
}

/// Every insight derived from the store (lifecycles span all sessions: what was learned in one
/// project counts in the next), then filtered, newest first, with symbols linked.
pub fn load(g: &Global, filter: &Filter) -> anyhow::Result<(Vec<Insight>, Linker)> {
    let store = g.store_to_read()?;
    let mut all = std::sync::Arc::unwrap_or_clone(Knowledge::load(&store)?.insights);
    if let Some(prefix) = filter.session {
        let id = crate::knowledge::sessions::resolve(&store, prefix)?;
        all.retain(|i| i.session == id);
    }
    if let Some(ws) = filter.workspace {
        let scope = Scope::new(ws);
        all.retain(|i| i.cwd.as_deref().is_some_and(|c| scope.contains(c)));
    }
    if let Some(k) = filter.kind {
        all.retain(|i| i.kind == k);
    }
    if let Some(st) = filter.status {
        all.retain(|i| i.status == st);
    }
    all.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.id.cmp(&b.id)));
    Ok((all, Linker::new(filter.workspace)))
}

pub fn run(g: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let filter = Filter {
        workspace: args.workspace.as_deref(),
        session: args.session.as_deref(),
        kind: args.kind,
        status: args.status,
    };
    let (list, mut linker) = load(g, &filter)?;
    let shown_list: Vec<(&Insight, Vec<LinkedSymbol>)> =
        list.iter().map(|i| (i, linker.link(i))).collect();
    if g.json {
        let v: Vec<Shown> = shown_list
            .into_iter()
            .map(|(i, s)| print::shown(i, s))
            .collect();
        print::json(&v)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = std::io::stdout().lock();
    if shown_list.is_empty() {
        writeln!(out, "No insights yet.")?;
    }
    for (i, symbols) in &shown_list {
        print::insight(&mut out, i, symbols)?;
    }
    Ok(ExitCode::SUCCESS)
}
