//! `sessionlens gaps`: what to practise next — the open gaps, confusions and follow-ups, newest
//! first, linked to the workspace's symbols.

use super::Global;
use super::insights::{Filter, load};
use super::print::{self, Shown};
use crate::insight::{Kind, Status};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Keep only gaps from sessions run inside DIR, and link them to DIR's symbols.
    #[arg(long, value_name = "DIR")]
    pub workspace: Option<PathBuf>,
}

pub fn run(g: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let filter = Filter {
        workspace: args.workspace.as_deref(),
        session: None,
        kind: None,
        status: Some(Status::Open),
    };
    let (mut list, mut linker) = load(g, &filter)?;
    list.retain(|i| matches!(i.kind, Kind::Gap | Kind::Confusion | Kind::FollowUp));
    if g.json {
        let v: Vec<Shown> = list
            .iter()
            .map(|i| print::shown(i, linker.link(i)))
            .collect();
        print::json(&v)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = std::io::stdout().lock();
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
        print::insight(&mut out, i, &symbols)?;
    }
    Ok(ExitCode::SUCCESS)
}
