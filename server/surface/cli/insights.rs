//! `insights`, `gaps` and `recall`: what Session Lens learned from the sessions, linked to the
//! workspace's symbols. `recall` prints exactly what the editor hover will show for a symbol.

use crate::capture::live;
use crate::insight::{self, Insight, Kind, Status};
use crate::knowledge::text as fmt;
use crate::link::SymbolIndex;
use crate::link::resolve::{self, LinkedSymbol};
use serde::Serialize;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
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
    let mut all = std::sync::Arc::unwrap_or_clone(
        crate::knowledge::snapshot::Knowledge::load(&store)?.insights,
    );
    let workspace = filter.workspace.map(std::path::absolute).transpose()?;
    if let Some(prefix) = filter.session {
        let id = crate::knowledge::sessions::resolve(&store, prefix)?;
        all.retain(|i| i.session == id);
    }
    if let Some(ws) = &workspace {
        let inside = crate::knowledge::scope::inside(ws)?;
        all.retain(|i| i.cwd.as_deref().is_some_and(&inside));
    }
    if let Some(k) = filter.kind {
        all.retain(|i| i.kind == k);
    }
    if let Some(st) = filter.status {
        all.retain(|i| i.status == st);
    }
    all.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.id.cmp(&b.id)));
    Ok((
        all,
        Linker {
            workspace,
            indexes: HashMap::new(),
        },
    ))
}

/// Symbol indexes, built on demand: the given workspace, else each session's own folder when it
/// exists on this machine.
pub struct Linker {
    workspace: Option<PathBuf>,
    indexes: HashMap<PathBuf, SymbolIndex>,
}

impl Linker {
    pub fn link(&mut self, i: &Insight) -> Vec<LinkedSymbol> {
        let root = match (&self.workspace, &i.cwd) {
            (Some(ws), _) => ws.clone(),
            (None, Some(cwd)) if Path::new(cwd).is_dir() => PathBuf::from(cwd),
            _ => return Vec::new(),
        };
        let index = self
            .indexes
            .entry(root.clone())
            .or_insert_with(|| SymbolIndex::build(&root));
        // Paths in the insight are relative to the session's folder; the index to its root.
        let sub = i
            .cwd
            .as_deref()
            .and_then(|c| Path::new(c).strip_prefix(&root).ok())
            .map(Path::to_path_buf);
        resolve::link(index, i, sub.as_deref())
    }
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
            format!("resolved {} — {}", fmt::local_minute(&r.at), r.how)
        }
        (Status::Resolved, _) => "resolved".into(),
        (Status::Open, _) => "open".into(),
    };
    writeln!(
        out,
        "{} {:<9} {}  [{}]  {}",
        fmt::local_minute(&i.at),
        i.kind.as_str(),
        i.topic,
        status,
        fmt::surface(&i.surface)
    )?;
    writeln!(out, "    {}", fmt::one_line(&i.text, 100))?;
    if let Some(t) = &i.takeaway {
        writeln!(out, "    → {}", fmt::one_line(t, 100))?;
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

/// Everything known about a symbol: insights linked to it, or whose topic is it.
pub fn recall(
    data_dir: Option<&Path>,
    symbol: &str,
    workspace: Option<&Path>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let filter = Filter {
        workspace: None,
        session: None,
        kind: None,
        status: None,
    };
    let (list, mut linker) = load(data_dir, &filter)?;
    let ws = workspace.map(std::path::absolute).transpose()?;
    if ws.is_some() {
        linker.workspace = ws;
    }
    let mut hits: Vec<(&Insight, Vec<LinkedSymbol>)> = Vec::new();
    for i in &list {
        let symbols = linker.link(i);
        let about = symbols.iter().any(|s| s.name == symbol)
            || insight::topic::same(&i.topic, symbol)
            || i.anchors.identifiers.iter().any(|n| n == symbol);
        if about {
            hits.push((i, symbols));
        }
    }
    let mut out = std::io::stdout().lock();
    if json {
        let v: Vec<Shown> = hits.into_iter().map(|(i, s)| shown(i, s)).collect();
        serde_json::to_writer_pretty(&mut out, &v)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    write!(
        out,
        "{}",
        crate::knowledge::render::hover_markdown(
            symbol,
            &hits.iter().map(|(i, _)| *i).collect::<Vec<_>>()
        )
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
        fmt::one_line(&i.text, 80)
    );
    Ok(ExitCode::SUCCESS)
}
