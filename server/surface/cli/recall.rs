//! `sessionlens recall`: prints exactly what the editor hover shows for a symbol — the same answer
//! (`knowledge::recall`), rendered by the same function.

use super::Global;
use super::print::{self, Shown};
use crate::insight::Insight;
use crate::knowledge::links::{Linked, Linker};
use crate::knowledge::recall::{self, Here};
use crate::knowledge::snapshot::Knowledge;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// A function, component, type or external name (`useEffect`), or a topic in words.
    pub symbol: String,
    /// Answer as a hover in DIR does: with what is linked to DIR's definitions of the name,
    /// and, for a name DIR defines, only DIR's own sessions (default: no workspace — every
    /// insight about the name, from any project).
    #[arg(long, value_name = "DIR")]
    pub workspace: Option<PathBuf>,
}

/// Everything known about a symbol: the recall answer (`knowledge::recall`), for the workspace
/// given as if hovered there, else with no workspace. Text is the hover's markdown; JSON lists
/// the same insights with their symbols.
pub fn run(g: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let k = Knowledge::load(&g.store_to_read()?)?;
    let linked = args.workspace.as_deref().map(|w| Linked::build(w, &k));
    let here = linked.as_ref().map(|l| Here {
        index: &l.index,
        links: &l.links,
    });
    let hits: Vec<&Insight> = recall::about(&k, here, &args.symbol)
        .into_iter()
        .map(|n| k.get(n))
        .collect();
    if g.json {
        let mut linker = linked.map_or_else(|| Linker::new(None), Linked::into_linker);
        let v: Vec<Shown> = hits
            .iter()
            .map(|i| print::shown(i, linker.link(i)))
            .collect();
        print::json(&v)?;
        return Ok(ExitCode::SUCCESS);
    }
    write!(
        std::io::stdout().lock(),
        "{}",
        crate::knowledge::render::hover_markdown(&args.symbol, &hits)
    )?;
    Ok(ExitCode::SUCCESS)
}
