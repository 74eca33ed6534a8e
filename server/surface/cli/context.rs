//! `sessionlens context`: the briefing a new Codex or Claude Code session should start from,
//! printed, or kept as a small managed block in the workspace's `AGENTS.md` (which Codex reads at
//! the start of every session) and `CLAUDE.md` (Claude Code's). Both files get the same block
//! under the same rules. The text itself comes from [`crate::knowledge::briefing`].

use super::{Global, print};
use crate::insight::Insight;
use crate::knowledge::briefing;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The workspace (default: the current directory).
    #[arg(long, value_name = "DIR")]
    workspace: Option<PathBuf>,
    /// The prompt about to be sent: only past learnings it mentions are given.
    #[arg(long, value_name = "TEXT")]
    prompt: Option<String>,
    /// Size budget; whole bullets are dropped to fit.
    #[arg(long, value_name = "N", default_value_t = briefing::DEFAULT_MAX_CHARS)]
    max_chars: usize,
    /// Keep the workspace briefing in a managed block of the workspace's AGENTS.md (Codex's)
    /// instead.
    #[arg(long, conflicts_with_all = ["prompt", "max_chars"])]
    write_agents_md: bool,
    /// The same block in the workspace's CLAUDE.md (Claude Code's); with --write-agents-md,
    /// both files.
    #[arg(long, conflicts_with_all = ["prompt", "max_chars"])]
    write_claude_md: bool,
    /// The current time (RFC 3339), for tests.
    #[arg(long, hide = true)]
    now: Option<String>,
}

pub fn run(g: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let workspace = match &args.workspace {
        Some(w) => std::path::absolute(w)?,
        None => std::env::current_dir()?,
    };
    let now = match &args.now {
        Some(t) => t.parse()?,
        None => crate::config::now(),
    };
    // An excluded workspace (a client's repository) is told nothing, and its managed blocks
    // are emptied: what was learned elsewhere stays out of it.
    let insights = match g.gate()?.excludes(&workspace)? {
        Some(why) => {
            tracing::info!("{} is {why}: no briefing", workspace.display());
            Vec::new()
        }
        None => load(g)?,
    };
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
            &briefing::Brief::all(&insights),
            &workspace,
            None,
            briefing::managed_block_budget(),
            now,
        );
        let mut reports = Vec::new();
        for file in &files {
            let changed = write_managed_block(file, &text)?;
            if !g.json {
                if changed {
                    writeln!(out, "Updated {}", file.display())?;
                } else {
                    writeln!(out, "{} is up to date", file.display())?;
                }
            }
            reports.push(serde_json::json!({ "file": file, "changed": changed, "markdown": text }));
        }
        if g.json {
            // One file: its report; both: a list of them.
            let v = match <[_; 1]>::try_from(reports) {
                Ok([one]) => one,
                Err(all) => serde_json::Value::Array(all),
            };
            print::json(&v)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let text = briefing::briefing(
        &briefing::Brief::all(&insights),
        &workspace,
        args.prompt.as_deref(),
        args.max_chars,
        now,
    );
    if g.json {
        print::json(&serde_json::json!({ "workspace": workspace, "markdown": text }))?;
    } else {
        write!(out, "{text}")?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Every insight of the store, newest first (cached in the store; derived on a miss).
fn load(g: &Global) -> anyhow::Result<Vec<Insight>> {
    let store = g.store_to_read()?;
    Ok(std::sync::Arc::unwrap_or_clone(
        crate::knowledge::snapshot::Knowledge::load(&store)?.insights,
    ))
}

/// Sets the managed block of `file` (`AGENTS.md` or `CLAUDE.md`) to `text`; whether the file
/// changed. The file is not written at all when its content would stay the same.
fn write_managed_block(file: &Path, text: &str) -> anyhow::Result<bool> {
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
