//! `sessionlens context`: the briefing a new Codex session should start from, printed, or kept
//! as a small managed block in the workspace's `AGENTS.md` (which Codex reads at the start of
//! every session). The text itself comes from [`crate::surface::briefing`].

use crate::insight::Insight;
use crate::surface::briefing;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub struct Args {
    pub workspace: Option<PathBuf>,
    pub prompt: Option<String>,
    pub max_chars: usize,
    pub json: bool,
    pub write_agents_md: bool,
    /// The clock, for tests (RFC 3339); now when absent.
    pub now: Option<String>,
}

pub fn run(data_dir: Option<&Path>, args: &Args) -> anyhow::Result<ExitCode> {
    let workspace = match &args.workspace {
        Some(w) => std::path::absolute(w)?,
        None => std::env::current_dir()?,
    };
    let now = match &args.now {
        Some(t) => t.parse()?,
        None => jiff::Timestamp::now(),
    };
    let insights = load(data_dir)?;
    let mut out = std::io::stdout().lock();
    if args.write_agents_md {
        let text = briefing::briefing(
            &insights,
            &workspace,
            None,
            briefing::agents_md_budget(),
            now,
        );
        let file = workspace.join("AGENTS.md");
        let changed = write_agents_md(&file, &text)?;
        if args.json {
            let v = serde_json::json!({ "file": file, "changed": changed, "markdown": text });
            serde_json::to_writer_pretty(&mut out, &v)?;
            writeln!(out)?;
        } else if changed {
            writeln!(out, "Updated {}", file.display())?;
        } else {
            writeln!(out, "{} is up to date", file.display())?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let text = briefing::briefing(
        &insights,
        &workspace,
        args.prompt.as_deref(),
        args.max_chars,
        now,
    );
    if args.json {
        let v = serde_json::json!({ "workspace": workspace, "markdown": text });
        serde_json::to_writer_pretty(&mut out, &v)?;
        writeln!(out)?;
    } else {
        write!(out, "{text}")?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Every insight of the store, newest first (cached in the store; derived on a miss).
pub(crate) fn load(data_dir: Option<&Path>) -> anyhow::Result<Vec<Insight>> {
    let store = super::open_store(data_dir)?;
    Ok(std::sync::Arc::unwrap_or_clone(
        crate::surface::knowledge::Knowledge::load(&store)?.insights,
    ))
}

/// Sets the managed block of `file` to `text`; whether the file changed. The file is not written
/// at all when its content would stay the same.
pub(crate) fn write_agents_md(file: &Path, text: &str) -> anyhow::Result<bool> {
    let existing = match std::fs::read_to_string(file) {
        Ok(s) => Some(s),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(anyhow::anyhow!("reading {}: {e}", file.display())),
    };
    match briefing::agents_md(existing.as_deref(), text)? {
        Some(new) => {
            crate::surface::learnings::write_atomically(file, new.as_bytes())
                .map_err(|e| anyhow::anyhow!("writing {}: {e}", file.display()))?;
            Ok(true)
        }
        None => Ok(false),
    }
}
