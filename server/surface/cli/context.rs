//! `sessionlens context`: the briefing a new Codex or Claude Code session should start from,
//! printed, or kept as a small managed block in the workspace's `AGENTS.md` (which Codex reads at
//! the start of every session) and `CLAUDE.md` (Claude Code's). Both files get the same block
//! under the same rules. The text itself comes from [`crate::knowledge::briefing`].

use crate::insight::Insight;
use crate::knowledge::briefing;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub struct Args {
    pub workspace: Option<PathBuf>,
    pub prompt: Option<String>,
    pub max_chars: usize,
    pub json: bool,
    pub write_agents_md: bool,
    pub write_claude_md: bool,
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
        None => crate::config::now(),
    };
    let insights = load(data_dir)?;
    let mut out = std::io::stdout().lock();
    // The memory files asked for: Codex's, then Claude Code's.
    let files: Vec<PathBuf> = [
        (args.write_agents_md, "AGENTS.md"),
        (args.write_claude_md, "CLAUDE.md"),
    ]
    .into_iter()
    .filter(|(asked, _)| *asked)
    .map(|(_, name)| workspace.join(name))
    .collect();
    if !files.is_empty() {
        let text = briefing::briefing(
            &insights,
            &workspace,
            None,
            briefing::managed_block_budget(),
            now,
        );
        let mut reports = Vec::new();
        for file in &files {
            let changed = write_managed_block(file, &text)?;
            if !args.json {
                if changed {
                    writeln!(out, "Updated {}", file.display())?;
                } else {
                    writeln!(out, "{} is up to date", file.display())?;
                }
            }
            reports.push(serde_json::json!({ "file": file, "changed": changed, "markdown": text }));
        }
        if args.json {
            // One file: its report; both: a list of them.
            let v = match <[_; 1]>::try_from(reports) {
                Ok([one]) => one,
                Err(all) => serde_json::Value::Array(all),
            };
            serde_json::to_writer_pretty(&mut out, &v)?;
            writeln!(out)?;
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
        crate::knowledge::snapshot::Knowledge::load(&store)?.insights,
    ))
}

/// Sets the managed block of `file` (`AGENTS.md` or `CLAUDE.md`) to `text`; whether the file
/// changed. The file is not written at all when its content would stay the same.
pub(crate) fn write_managed_block(file: &Path, text: &str) -> anyhow::Result<bool> {
    let existing = match std::fs::read_to_string(file) {
        Ok(s) => Some(s),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(anyhow::anyhow!("reading {}: {e}", file.display())),
    };
    let new = briefing::managed_block(existing.as_deref(), text)
        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    match new {
        Some(new) => {
            crate::knowledge::files::write_atomically(file, new.as_bytes())
                .map_err(|e| anyhow::anyhow!("writing {}: {e}", file.display()))?;
            Ok(true)
        }
        None => Ok(false),
    }
}
