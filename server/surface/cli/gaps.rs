//! `sessionlens gaps`: what to practise next — the open gaps, confusions and follow-ups, newest
//! first, linked to the workspace's symbols.

use super::insights::{Filter, load};
use super::print::{self, Shown};
use crate::insight::{Kind, Status};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

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
        let v: Vec<Shown> = list
            .iter()
            .map(|i| print::shown(i, linker.link(i)))
            .collect();
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
        print::insight(&mut out, i, &symbols)?;
    }
    Ok(ExitCode::SUCCESS)
}
