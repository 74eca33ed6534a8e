//! `sessionlens insights`: what Session Lens learned from the sessions — gaps, confusion, errors,
//! successes, follow-ups, decisions — filtered, newest first, linked to the workspace's symbols.
//! [`load`] is also what `gaps` and the demo list from.

use super::print::{self, Shown};
use crate::insight::{Insight, Kind, Status};
use crate::knowledge::links::Linker;
use crate::knowledge::scope::Scope;
use crate::knowledge::snapshot::Knowledge;
use crate::link::resolve::LinkedSymbol;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

pub struct Filter<'a> {
    pub workspace: Option<&'a Path>,
    pub session: Option<&'a str>,
    pub kind: Option<Kind>,
    pub status: Option<Status>,
}

/// Every insight derived from the store (lifecycles span all sessions: what was learned in one
/// project counts in the next), then filtered, newest first, with symbols linked.
pub fn load(data_dir: Option<&Path>, filter: &Filter) -> anyhow::Result<(Vec<Insight>, Linker)> {
    let store = super::open_store(data_dir)?;
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

pub fn insights(data_dir: Option<&Path>, filter: &Filter, json: bool) -> anyhow::Result<ExitCode> {
    let (list, mut linker) = load(data_dir, filter)?;
    let shown_list: Vec<(&Insight, Vec<LinkedSymbol>)> =
        list.iter().map(|i| (i, linker.link(i))).collect();
    let mut out = std::io::stdout().lock();
    if json {
        let v: Vec<Shown> = shown_list
            .into_iter()
            .map(|(i, s)| print::shown(i, s))
            .collect();
        serde_json::to_writer_pretty(&mut out, &v)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    if shown_list.is_empty() {
        writeln!(out, "No insights yet.")?;
    }
    for (i, symbols) in &shown_list {
        print::insight(&mut out, i, symbols)?;
    }
    Ok(ExitCode::SUCCESS)
}
