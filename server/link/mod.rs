//! The symbol layer: which functions, components, classes and types a workspace defines, and
//! where each name is used, so what was learned in a session can be anchored to code.
//!
//! Built on tree-sitter grammars and queries kept as data in `queries/<lang>/*.scm` (embedded in
//! the binary). This is the only module that imports tree-sitter; everything it exposes is plain
//! data ([`Definition`], [`Reference`]) and the [`SymbolIndex`] that answers lookups.
//!
//! - `lang` — supported languages and the path → language mapping.
//! - `query` — the embedded query files, compiled once per process, and what their capture names
//!   mean; the check that a language's grammar and queries load (`Lang::self_check`).
//! - `extract` — one file's text → its definitions and references, with containers; from
//!   scratch, or incrementally for a file being edited.
//! - `index` — the workspace index: per-file entries and name → postings maps.
//! - `intern` — the shared names, paths and container chains entries point to (each kept once).
//! - `walk` — which files a workspace build reads, under which relative path, read and parsed
//!   on every core; the languages found there compiled ahead, in the background.
//! - `resolve` — links an insight to the symbols it is about (written with the insight work).

mod extract;
mod index;
mod intern;
mod lang;
mod query;
pub mod resolve;
mod symbol;
mod walk;

pub use index::SymbolIndex;
pub use intern::{Chain, FilePath, Name};
pub use lang::{Lang, lang_for_path};
pub use query::prepare;
pub use symbol::{Definition, RefKind, Reference, SymbolKind};
pub use walk::{compile_ahead, read_source};
