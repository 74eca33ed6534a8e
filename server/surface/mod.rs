//! The faces: what people and tools see — the CLI, the language server and the MCP server. Each
//! is a leaf over the same library calls ([`crate::knowledge`] for what is known); none imports
//! another, and only they speak protocols.

pub mod cli;
pub mod lsp;
pub mod mcp;
