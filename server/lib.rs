//! Session Lens: remembers what a developer learned with an AI assistant and gives it back in the code.
//!
//! The crate is laid out as the pipeline it implements: a write side and a read side around the
//! store, data flowing one way.
//!
//! ```text
//! capture ──► normalize ──► ingest ──► store ──► insight ──► link ──► knowledge ──► surface
//! ```
//!
//! - [`capture`] reads sources (Codex rollouts in every format generation, Claude Code transcripts,
//!   hook payloads) and builds live events; it knows file formats, never tags or stores.
//! - [`normalize`] is the one event schema every source produces, plus the redactor that runs
//!   before anything is written.
//! - [`ingest`] drives capture into the store, resumably and idempotently, and watches folders.
//! - [`store`] is the only module that touches redb: versioned records and the hash-chained log.
//! - [`insight`] derives what the developer did not know, struggled with, decided or left open.
//! - [`link`] is the symbol layer (tree-sitter): definitions, references, anchors to code.
//! - [`knowledge`] is the read side's floor: the snapshot and its host, scoping, links to a
//!   workspace, recall, the briefing and the learnings journal, as plain data.
//! - [`surface`] holds the faces that speak protocols: the CLI, the language server, MCP.
//!
//! `ARCHITECTURE.md` at the repository root is the code map and lists the invariants.

pub mod capture;
pub mod config;
pub mod ingest;
pub mod insight;
pub mod knowledge;
pub mod link;
pub mod normalize;
pub mod store;
pub mod surface;
