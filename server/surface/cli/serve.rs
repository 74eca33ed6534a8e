//! `sessionlens serve` and `sessionlens mcp`: the two long-running servers, both on stdio. Their
//! code is another face's, so the binary hands them in ([`Servers`]) and this face never imports
//! one.

use super::Global;
use std::path::Path;
use std::process::ExitCode;

/// The long-running faces the CLI starts (`serve`, `mcp`). The binary hands them in, so the CLI
/// never imports another face.
pub struct Servers {
    /// The language server on stdio.
    pub lsp: fn(Option<&Path>) -> anyhow::Result<ExitCode>,
    /// The MCP server on stdio.
    pub mcp: fn(Option<&Path>) -> anyhow::Result<ExitCode>,
}

#[derive(clap::Args)]
pub struct Args {
    /// Talk on stdin/stdout, as without it: stdio is the only transport. Accepted because editors'
    /// clients pass it (VS Code's does).
    #[arg(long)]
    stdio: bool,
}

#[derive(clap::Args)]
pub struct McpArgs {}

/// `serve`: the language server, until the editor says `exit`.
pub fn lsp(g: &Global, args: Args, servers: &Servers) -> anyhow::Result<ExitCode> {
    g.refuse_json("serve")?;
    // With or without --stdio the server speaks on stdio: there is no other transport to pick.
    let Args { stdio: _ } = args;
    (servers.lsp)(g.data_dir())
}

/// `mcp`: the MCP server, for as long as its client keeps it.
pub fn mcp(g: &Global, _: McpArgs, servers: &Servers) -> anyhow::Result<ExitCode> {
    g.refuse_json("mcp")?;
    (servers.mcp)(g.data_dir())
}
