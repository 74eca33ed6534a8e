//! Surfaces: what people and tools see. Today the CLI; the language server joins it here, and
//! both are thin faces over the same library calls.

pub mod briefing;
pub mod cli;
pub mod knowledge;
pub mod learnings;
pub mod lsp;
pub mod mcp;
pub mod render;
