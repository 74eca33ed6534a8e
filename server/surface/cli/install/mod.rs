//! `sessionlens install …`: adds Session Lens to another tool's configuration — the hooks of Codex
//! and Claude Code (`hooks.rs`, one merge for both) and the MCP server in Codex's `config.toml`
//! (`codex_mcp.rs`).

mod codex_mcp;
mod hooks;

pub use codex_mcp::install as codex_mcp;
pub use hooks::{claude_hooks, codex_hooks};
