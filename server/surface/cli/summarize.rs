//! `summarize`: one session as a markdown entry for `learnings.md` — what was asked turn by turn,
//! the gaps it resolved and left open, what to practise next — printed, and with `--write` put
//! into the journal (replacing the session's earlier entry). A thin face over
//! [`crate::knowledge::journal`], which the language server's summarize command calls too.

use crate::knowledge::journal;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

pub fn run(
    data_dir: Option<&Path>,
    session: Option<&str>,
    workspace: Option<&Path>,
    write: Option<&Path>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let workspace = std::path::absolute(workspace.unwrap_or(Path::new(".")))?;
    let store = super::open_store(data_dir)?;
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
    let mut out = std::io::stdout().lock();
    if json {
        let v = serde_json::json!({ "session": id, "markdown": markdown, "written": written });
        serde_json::to_writer_pretty(&mut out, &v)?;
        writeln!(out)?;
    } else {
        write!(out, "{markdown}")?;
    }
    Ok(ExitCode::SUCCESS)
}
