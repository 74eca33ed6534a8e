//! `insights`, `gaps` and `recall`: what Session Lens learned from the sessions, linked to the
//! workspace's symbols. `recall` prints exactly what the editor hover will show for a symbol: the
//! same answer (`knowledge::recall`), rendered by the same function.

use crate::capture::live;
use crate::insight::{self, Insight, Kind, Status};
use crate::knowledge::links::{Linked, Linker};
use crate::knowledge::recall::{self, Here};
use crate::knowledge::scope::Scope;
use crate::knowledge::snapshot::Knowledge;
use crate::knowledge::text;
use crate::link::resolve::LinkedSymbol;
use serde::Serialize;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

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

pub fn insights(data_dir: Option<&Path>, filter: &Filter, json: bool) -> anyhow::Result<ExitCode> {
    let (list, mut linker) = load(data_dir, filter)?;
    let shown_list: Vec<(&Insight, Vec<LinkedSymbol>)> =
        list.iter().map(|i| (i, linker.link(i))).collect();
    let mut out = std::io::stdout().lock();
    if json {
        let v: Vec<Shown> = shown_list.into_iter().map(|(i, s)| shown(i, s)).collect();
        serde_json::to_writer_pretty(&mut out, &v)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    if shown_list.is_empty() {
        writeln!(out, "No insights yet.")?;
    }
    for (i, symbols) in &shown_list {
        print_one(&mut out, i, symbols)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn print_one(out: &mut impl Write, i: &Insight, symbols: &[LinkedSymbol]) -> std::io::Result<()> {
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

/// What to practise next: open gaps, confusions and follow-ups.
pub fn gaps(
    data_dir: Option<&Path>,
    workspace: Option<&Path>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let filter = Filter {
        workspace,
        session: None,
        kind: None,
        status: Some(Status::Open),
    };
    let (mut list, mut linker) = load(data_dir, &filter)?;
    list.retain(|i| matches!(i.kind, Kind::Gap | Kind::Confusion | Kind::FollowUp));
    let mut out = std::io::stdout().lock();
    if json {
        let v: Vec<Shown> = list.iter().map(|i| shown(i, linker.link(i))).collect();
        serde_json::to_writer_pretty(&mut out, &v)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    if list.is_empty() {
        writeln!(
            out,
            "Nothing open: every question you asked has since been put to use."
        )?;
    } else {
        writeln!(out, "To practise next ({} open):", list.len())?;
    }
    for i in &list {
        let symbols = linker.link(i);
        print_one(&mut out, i, &symbols)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Everything known about a symbol: the recall answer (`knowledge::recall`), for the workspace
/// given as if hovered there, else with no workspace. Text is the hover's markdown; JSON lists
/// the same insights with their symbols.
pub fn recall(
    data_dir: Option<&Path>,
    symbol: &str,
    workspace: Option<&Path>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let store = super::open_store(data_dir)?;
    let k = Knowledge::load(&store)?;
    drop(store);
    let linked = workspace.map(|w| Linked::build(w, &k));
    let here = linked.as_ref().map(|l| Here {
        index: &l.index,
        links: &l.links,
    });
    let hits: Vec<&Insight> = recall::about(&k, here, symbol)
        .into_iter()
        .map(|n| k.get(n))
        .collect();
    let mut out = std::io::stdout().lock();
    if json {
        let mut linker = linked.map_or_else(|| Linker::new(None), Linked::into_linker);
        let v: Vec<Shown> = hits.iter().map(|i| shown(i, linker.link(i))).collect();
        serde_json::to_writer_pretty(&mut out, &v)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    write!(
        out,
        "{}",
        crate::knowledge::render::hover_markdown(symbol, &hits)
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `resolve` / `reopen`: records the developer's own verdict on an insight as a `mark` event,
/// which overrides the rules until the next mark.
pub fn mark(data_dir: Option<&Path>, wanted: &str, resolved: bool) -> anyhow::Result<ExitCode> {
    let store = super::open_store(data_dir)?;
    let all = crate::knowledge::snapshot::Knowledge::load(&store)?.insights;
    let found: Vec<&Insight> = all.iter().filter(|i| i.id.starts_with(wanted)).collect();
    let i = match found.as_slice() {
        [one] => *one,
        [] => {
            anyhow::bail!("no insight matches {wanted:?}; `sessionlens insights --json` lists them")
        }
        many => anyhow::bail!(
            "{wanted:?} matches {} insights; give more of the id",
            many.len()
        ),
    };
    let cwd = match &i.cwd {
        Some(c) => c.clone(),
        None => std::env::current_dir()?.display().to_string(),
    };
    let at = live::now();
    let events = live::mark(live::CLI, &cwd, &i.id, resolved, &at);
    store.commit(&events, &[])?;
    println!(
        "{} {} {} — {}",
        if resolved { "Resolved" } else { "Reopened" },
        i.kind.as_str(),
        i.topic,
        text::one_line(&i.text, 80)
    );
    Ok(ExitCode::SUCCESS)
}
