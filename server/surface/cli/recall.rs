//! `sessionlens recall`: prints exactly what the editor hover shows for a symbol — the same answer
//! (`knowledge::recall`), rendered by the same function.

use super::print::{self, Shown};
use crate::insight::Insight;
use crate::knowledge::links::{Linked, Linker};
use crate::knowledge::recall::{self, Here};
use crate::knowledge::snapshot::Knowledge;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

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
        let v: Vec<Shown> = hits
            .iter()
            .map(|i| print::shown(i, linker.link(i)))
            .collect();
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
