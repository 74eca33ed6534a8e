//! `sessionlens sessions`: the sessions in the store, newest first, optionally only those run
//! inside a workspace.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

pub fn sessions(
    data_dir: Option<&Path>,
    workspace: Option<&Path>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let store = super::open_store(data_dir)?;
    let mut list = store.sessions()?;
    if let Some(ws) = workspace {
        let scope = crate::knowledge::scope::Scope::new(ws);
        list.retain(|s| s.cwd.as_deref().is_some_and(|c| scope.contains(c)));
    }
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &list)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    super::print::sessions(&mut out, &list)?;
    Ok(ExitCode::SUCCESS)
}
