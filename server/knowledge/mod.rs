//! What Session Lens knows, for every face alike: the read side's floor, directly above the
//! store and the insight engine. Plain data and plain functions — no protocol, no printing to a
//! terminal — so the CLI, the language server and the MCP server answer from one place and
//! cannot drift apart.
//!
//! - [`snapshot`]: every insight as one immutable snapshot (from the store's cache, caught up,
//!   else derived) with its name lookups.
//! - [`host`]: the one current snapshot of a long-running face (language server, MCP), kept
//!   up with the store.
//! - [`scope`]: which sessions belong to a folder.
//! - [`links`]: where each insight lives in a workspace's code.
//! - [`recall`]: what is known about a name — the one answer of the hover, `recall` and MCP.
//! - [`sessions`]: which session a request means.
//! - [`render`], [`timeline`], [`text`]: how insights, hovers and timelines read.
//! - [`briefing`]: what the next assistant session is told.
//! - [`journal`]: the `learnings.md` entry of a session and the file that keeps them.
//! - [`files`]: the files Session Lens writes for the developer, written atomically.
//! - [`terminal`]: what the shell hooks have brought in, per shell.

pub mod briefing;
pub mod export;
pub mod files;
pub mod host;
pub mod journal;
pub mod links;
pub mod recall;
pub mod render;
pub mod scope;
pub mod sessions;
pub mod snapshot;
pub mod terminal;
pub mod text;
pub mod timeline;

pub use snapshot::Knowledge;
