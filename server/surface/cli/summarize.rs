//! `summarize`: one session as a markdown entry for `learnings.md` — what was asked turn by turn,
//! the gaps it resolved and left open, what to practise next — printed, and with `--write` put
//! into the journal (replacing the session's earlier entry). A thin face over
//! [`crate::knowledge::journal`], which the language server's summarize command calls too.

use super::{Global, print};
use crate::knowledge::journal;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// A session id, or any unique prefix of one (default: the latest run inside the workspace).
    session: Option<String>,
    /// The latest session run inside the workspace: the default, said explicitly, so it cannot be
    /// given with SESSION.
    #[arg(long, conflicts_with = "session")]
    last: bool,
    /// The workspace (default: the current directory).
    #[arg(long, value_name = "DIR")]
    workspace: Option<PathBuf>,
    /// Also put the entry into FILE (relative to the workspace), replacing the session's old one.
    #[arg(long, value_name = "FILE")]
    write: Option<PathBuf>,
}

pub fn run(g: &Global, args: Args) -> anyhow::Result<ExitCode> {
    // No session named is the latest in the workspace, which is all `--last` asks for (clap keeps
    // the two apart), so only the session decides.
    let Args {
        session,
        last: _,
        workspace,
        write,
    } = args;
    let session = session.as_deref();
    let workspace = std::path::absolute(workspace.as_deref().unwrap_or(Path::new(".")))?;
    let store = g.store()?;
    let (id, markdown, written) = match write {
        Some(file) => {
            // The same write as the editor command and the notetaker: the entry, the Current
            // focus block, old entries archived, the summary versioned in the store.
            let path = workspace.join(file);
            let w = journal::write_session(
                &store,
                session,
                &workspace,
                &path,
                journal::DEFAULT_ARCHIVE_AFTER_DAYS,
                jiff::Timestamp::now(),
            )
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e:#}", path.display()))?;
            let (id, changed) = (w.session, w.changed);
            if changed {
                eprintln!("Wrote the entry for session {id} to {}", path.display());
            } else {
                eprintln!(
                    "{} already has this entry for session {id}; unchanged",
                    path.display()
                );
            }
            (id, w.markdown, changed)
        }
        None => {
            let (id, markdown) = journal::summarize(&store, session, &workspace)?;
            (id, markdown, false)
        }
    };
    if g.json {
        print::json(
            &serde_json::json!({ "session": id, "markdown": markdown, "written": written }),
        )?;
    } else {
        write!(std::io::stdout().lock(), "{markdown}")?;
    }
    Ok(ExitCode::SUCCESS)
}
