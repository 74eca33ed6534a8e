//! `sessionlens install …`: adds Session Lens to another tool's configuration — the hooks of Codex
//! and Claude Code (`hooks.rs`, one merge for both) and the MCP server in Codex's `config.toml`
//! (`codex_mcp.rs`).

mod codex_mcp;
mod hooks;

use super::Global;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    target: Target,
}

#[derive(clap::Subcommand)]
enum Target {
    /// Add `sessionlens codex-hook` to $CODEX_HOME/hooks.json (backed up first; other hooks kept).
    #[command(after_help = super::TEXT_ONLY)]
    CodexHooks {
        /// Use the repository's .codex/hooks.json instead.
        #[arg(long)]
        project: bool,
    },
    /// Add `[mcp_servers.sessionlens]` to $CODEX_HOME/config.toml (backed up first; the rest kept).
    #[command(after_help = super::TEXT_ONLY)]
    CodexMcp,
    /// Add `sessionlens claude-hook` to Claude Code's ~/.claude/settings.json (or the first
    /// folder of $CLAUDE_CONFIG_DIR; backed up first; every other setting and hook kept).
    #[command(after_help = super::TEXT_ONLY)]
    ClaudeHooks {
        /// Use the repository's .claude/settings.json instead.
        #[arg(long)]
        project: bool,
    },
}

pub fn run(g: &Global, args: Args) -> anyhow::Result<ExitCode> {
    g.refuse_json(match args.target {
        Target::CodexHooks { .. } => "install codex-hooks",
        Target::ClaudeHooks { .. } => "install claude-hooks",
        Target::CodexMcp => "install codex-mcp",
    })?;
    match args.target {
        Target::CodexHooks { project } => hooks::codex_hooks(project),
        Target::ClaudeHooks { project } => hooks::claude_hooks(project),
        Target::CodexMcp => codex_mcp::install(g.data_dir()),
    }
}
