//! `sessionlens sessions`: the sessions in the store, newest first, optionally only those run
//! inside a workspace.

use super::{Global, print};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Keep only sessions whose working directory is inside DIR.
    #[arg(long, value_name = "DIR")]
    workspace: Option<PathBuf>,
}

pub fn run(g: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let store = g.store_to_read()?;
    let mut list = store.sessions()?;
    if let Some(ws) = &args.workspace {
        let scope = crate::knowledge::scope::Scope::new(ws);
        list.retain(|s| s.cwd.as_deref().is_some_and(|c| scope.contains(c)));
    }
    if g.json {
        print::json(&list)?;
    } else {
        print::sessions(&mut std::io::stdout().lock(), &list)?;
    }
    Ok(ExitCode::SUCCESS)
}
