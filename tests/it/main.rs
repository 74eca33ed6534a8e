//! The integration tests, one crate: every file here is a module of one test binary, so the suite
//! links once instead of once per file, and the helpers in `common/` are compiled once. Run one
//! area with a filter: `cargo test --test it lsp::`, `cargo test --test it eval -- --nocapture`.
//! Fixtures stay in `tests/fixtures/`, the editors' scripts in `tests/editors/`.

mod common;

mod architecture;
mod capture;
mod claude;
mod claude_hooks;
mod claude_scenarios;
mod cli;
mod context;
mod eval;
mod exclude;
mod faults;
mod forget;
mod fuzz;
mod incremental;
mod lsp;
mod lsp_inproc;
mod mcp;
mod memory;
mod neovim;
mod notes;
mod paginated;
mod pathological;
mod protocol;
mod recall;
mod secrets;
mod shell;
mod snapshots;
mod summarize;
mod symbols;
mod vscode;
