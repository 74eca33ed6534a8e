//! Session Lens: remembers what a developer learned with an AI assistant and gives it back in the code.
//!
//! The crate is laid out as the pipeline it implements; data flows one way:
//!
//! ```text
//! capture ──► normalize ──► (insight ──► link) ──► store ──► surface
//! ```
//!
//! - [`capture`] reads sources (Codex rollout files in every format generation) and turns them into
//!   normalized events. It knows file formats; it never tags or stores.
//! - [`normalize`] is the one event schema every source produces, plus the privacy filter that runs
//!   before anything is written.
//! - [`store`] is the only module that touches redb: versioned records and the hash-chained event log.
//! - [`ingest`] drives capture into the store, resumably and idempotently.
//! - [`surface`] is what people and tools see: today the CLI.
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
