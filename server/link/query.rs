//! The query files under `queries/`, embedded in the binary and compiled once per language.
//!
//! Queries are data: what counts as a definition or a reference is decided in the `.scm` files,
//! and this module only gives their capture names a meaning (see `queries/README.md`):
//!
//! - definitions: `@name` is the defined name, `@definition.<kind>` the whole definition (its
//!   extent gives `end_line` and decides what it encloses), `@scope` a node that encloses
//!   definitions under a name without being one itself (a Rust `impl` block, named by its type);
//! - references: `@reference.<kind>` is the name at the use site;
//! - captures starting with `_` are helpers for predicates and carry no meaning.
//!
//! When several patterns capture the same node, the pattern that comes first in the file wins,
//! so specific patterns (a method) are written before general ones (any function).
//!
//! A query file may start with `; inherits: <lang>`: its patterns are then followed by that
//! language's file of the same purpose (TSX is TypeScript plus JSX).
//!
//! One predicate is ours rather than tree-sitter's: `(#has-descendant? @capture kind…)` holds when
//! the captured node contains a node of one of the given kinds (a JavaScript function is a React
//! component only if it renders JSX).
//!
//! The two files of a language are compiled into one query (definitions first), so a file's
//! tree is walked once: walking the tree, not matching patterns, is most of a query's cost.

use std::sync::OnceLock;

use tree_sitter::{Query, QueryPredicateArg};

use super::lang::Lang;
use super::symbol::{RefKind, SymbolKind};

/// The two purposes a language has query files for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    Definitions,
    References,
}

impl Purpose {
    fn file_name(self) -> &'static str {
        match self {
            Purpose::Definitions => "definitions.scm",
            Purpose::References => "references.scm",
        }
    }
}

/// The embedded text of one query file, before inheritance is applied.
fn embedded(lang: Lang, purpose: Purpose) -> &'static str {
    use Purpose::{Definitions as D, References as R};
    match (lang, purpose) {
        (Lang::TypeScript, D) => include_str!("../../queries/typescript/definitions.scm"),
        (Lang::TypeScript, R) => include_str!("../../queries/typescript/references.scm"),
        (Lang::Tsx, D) => include_str!("../../queries/tsx/definitions.scm"),
        (Lang::Tsx, R) => include_str!("../../queries/tsx/references.scm"),
        (Lang::JavaScript, D) => include_str!("../../queries/javascript/definitions.scm"),
        (Lang::JavaScript, R) => include_str!("../../queries/javascript/references.scm"),
        (Lang::Python, D) => include_str!("../../queries/python/definitions.scm"),
        (Lang::Python, R) => include_str!("../../queries/python/references.scm"),
        (Lang::Rust, D) => include_str!("../../queries/rust/definitions.scm"),
        (Lang::Rust, R) => include_str!("../../queries/rust/references.scm"),
        (Lang::Dockerfile, D) => include_str!("../../queries/dockerfile/definitions.scm"),
        (Lang::Dockerfile, R) => include_str!("../../queries/dockerfile/references.scm"),
        (Lang::Css, D) => include_str!("../../queries/css/definitions.scm"),
        (Lang::Css, R) => include_str!("../../queries/css/references.scm"),
    }
}

/// The full source of a query: the file's own patterns, then those of the language it inherits.
fn source(lang: Lang, purpose: Purpose) -> Result<String, String> {
    let own = embedded(lang, purpose);
    let parent = own
        .lines()
        .next()
        .and_then(|first| first.trim().strip_prefix("; inherits:"))
        .map(str::trim);
    let Some(parent) = parent else {
        return Ok(own.to_owned());
    };
    let parent_lang = Lang::ALL
        .into_iter()
        .find(|l| l.query_dir() == parent && *l != lang)
        .ok_or_else(|| {
            format!(
                "queries/{}/{}: inherits unknown language {parent:?}",
                lang.query_dir(),
                purpose.file_name()
            )
        })?;
    // One level is all we need; a parent that inherits again is not followed.
    Ok(format!("{own}\n{}", embedded(parent_lang, purpose)))
}

/// What a capture means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Capture {
    /// The defined name (definitions file).
    Name,
    /// The whole definition (definitions file).
    Definition(SymbolKind),
    /// A node enclosing definitions under a name without being one (definitions file).
    Scope,
    /// The name at a use site (references file).
    Reference(RefKind),
    /// Text whose every word is a use of that name (references file): a shell command in a
    /// Dockerfile's `RUN` names packages and tools that are no syntax node of their own.
    Words(RefKind),
    /// `@_…`: only there for a predicate.
    Helper,
}

/// `(#has-descendant? @capture kind…)`, resolved to grammar ids.
#[derive(Debug, Clone)]
pub(crate) struct HasDescendant {
    pub capture: u32,
    pub kinds: Vec<u16>,
}

/// One language's queries, compiled as a single query so a file is walked once: the patterns of
/// `definitions.scm` come first, then those of `references.scm`.
pub(crate) struct LangQueries {
    pub query: Query,
    /// Patterns from this index on come from `references.scm`.
    pub first_reference_pattern: usize,
    /// By capture index.
    pub captures: Vec<Capture>,
    /// By pattern index: the `has-descendant?` checks a match must pass.
    pub checks: Vec<Vec<HasDescendant>>,
}

fn location(lang: Lang, purpose: Purpose) -> String {
    format!("queries/{}/{}", lang.query_dir(), purpose.file_name())
}

/// Compiles one language's queries, checking every capture name and predicate.
pub(crate) fn compile(lang: Lang) -> Result<LangQueries, String> {
    let grammar = lang.grammar();
    let defs = source(lang, Purpose::Definitions)?;
    let refs = source(lang, Purpose::References)?;
    // Both files as one query, compiled once (compiling is most of what a language costs a
    // process: ~90 ms for TSX on a small machine). Only when that fails is each file compiled
    // alone, so the error points at the right file and line.
    let query = match Query::new(&grammar, &format!("{defs}\n{refs}")) {
        Ok(query) => query,
        Err(combined) => {
            for (purpose, text) in [(Purpose::Definitions, &defs), (Purpose::References, &refs)] {
                Query::new(&grammar, text).map_err(|e| {
                    format!(
                        "{} (or the file it inherits), line {}, column {}: {:?} error: {}",
                        location(lang, purpose),
                        e.row + 1,
                        e.column + 1,
                        e.kind,
                        e.message
                    )
                })?;
            }
            return Err(format!("{lang:?} queries combined: {}", combined.message));
        }
    };
    // Patterns whose text starts past the definitions file come from `references.scm`.
    let first_reference_pattern = (0..query.pattern_count())
        .find(|&p| query.start_byte_for_pattern(p) > defs.len())
        .unwrap_or(query.pattern_count());

    let captures = query
        .capture_names()
        .iter()
        .map(|name| match *name {
            "name" => Ok(Capture::Name),
            "scope" => Ok(Capture::Scope),
            n if n.starts_with('_') => Ok(Capture::Helper),
            n => if let Some(kind) = n.strip_prefix("definition.") {
                SymbolKind::from_capture(kind).map(Capture::Definition)
            } else {
                n.strip_prefix("reference.")
                    .and_then(RefKind::from_capture)
                    .map(Capture::Reference)
                    .or_else(|| {
                        n.strip_prefix("words.")
                            .and_then(RefKind::from_capture)
                            .map(Capture::Words)
                    })
            }
            .ok_or_else(|| format!("{lang:?} queries: unknown capture @{n}")),
        })
        .collect::<Result<Vec<_>, _>>()?;

    let mut checks = Vec::with_capacity(query.pattern_count());
    for pattern in 0..query.pattern_count() {
        let purpose = if pattern < first_reference_pattern {
            Purpose::Definitions
        } else {
            Purpose::References
        };
        let mut pattern_checks = Vec::new();
        for predicate in query.general_predicates(pattern) {
            let bad = || {
                format!(
                    "{}: unsupported predicate #{} (only #has-descendant? @capture kind…, in \
                     definitions, is known)",
                    location(lang, purpose),
                    predicate.operator
                )
            };
            if &*predicate.operator != "has-descendant?" || purpose != Purpose::Definitions {
                return Err(bad());
            }
            let Some((QueryPredicateArg::Capture(capture), kinds)) = predicate.args.split_first()
            else {
                return Err(bad());
            };
            let mut ids = Vec::new();
            for kind in kinds {
                let QueryPredicateArg::String(kind) = kind else {
                    return Err(bad());
                };
                match grammar.id_for_node_kind(kind, true) {
                    0 => {
                        return Err(format!(
                            "{}: #has-descendant? names unknown node kind {kind:?}",
                            location(lang, purpose)
                        ));
                    }
                    id => ids.push(id),
                }
            }
            pattern_checks.push(HasDescendant {
                capture: *capture,
                kinds: ids,
            });
        }
        checks.push(pattern_checks);
    }

    Ok(LangQueries {
        query,
        first_reference_pattern,
        captures,
        checks,
    })
}

/// The compiled queries of a language, compiled on first use. `None` if they do not compile
/// (logged once): files of that language then have no symbols rather than crashing the server.
pub(crate) fn queries(lang: Lang) -> Option<&'static LangQueries> {
    compiled(lang)
        .get_or_init(|| {
            #[cfg(test)]
            tests::COMPILED[lang.index()].fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let started = std::time::Instant::now();
            match compile(lang) {
                Ok(q) => {
                    tracing::debug!("{lang:?} queries compiled in {:?}", started.elapsed());
                    Some(q)
                }
                Err(e) => {
                    tracing::error!("symbol queries for {lang:?} do not compile: {e}");
                    None
                }
            }
        })
        .as_ref()
}

/// Compiles the queries of the language of `path` now, if it has one and they are not compiled
/// yet (waiting for a compilation already under way rather than starting another). Callers that
/// are about to index a file under a lock call this first, so no lock is held while a language
/// compiles.
pub fn prepare(path: &std::path::Path) {
    if let Some(lang) = super::lang::lang_for_path(path) {
        let _ = queries(lang);
    }
}

/// Whether the queries of `lang` are compiled (or failed to compile) in this process.
pub(crate) fn prepared(lang: Lang) -> bool {
    compiled(lang).get().is_some()
}

fn compiled(lang: Lang) -> &'static OnceLock<Option<LangQueries>> {
    static COMPILED: [OnceLock<Option<LangQueries>>; Lang::ALL.len()] =
        [const { OnceLock::new() }; Lang::ALL.len()];
    &COMPILED[lang.index()]
}

// The check a language passes lives with the queries it compiles, so `lang.rs` stays the floor
// of this layer that every other file builds on and imports nothing back.
impl Lang {
    /// Loads the grammar into a parser and compiles every query file of this language.
    ///
    /// Grammar/core ABI mismatches and query typos only show at run time; the symbol index
    /// degrades to "no symbols" for a language that fails here (and logs why), so tests call this
    /// to turn such a failure into a clear error instead.
    pub fn self_check(self) -> Result<(), String> {
        let mut parser = tree_sitter::Parser::new();
        parser
            .set_language(&self.grammar())
            .map_err(|e| format!("{self:?} grammar: {e}"))?;
        compile(self).map(|_| ())
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// How often each language was compiled through [`queries`] in this test process.
    pub(super) static COMPILED: [AtomicUsize; Lang::ALL.len()] =
        [const { AtomicUsize::new(0) }; Lang::ALL.len()];

    #[test]
    fn each_language_compiles_once_however_many_ask_at_once() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::write(dir.path().join("a.py"), "def f():\n    pass\n").expect("write");
        // Ahead, from a file and from a path, all at once: one compilation.
        super::super::walk::compile_ahead(vec![dir.path().to_path_buf()]);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    prepare(std::path::Path::new("x.py"));
                    assert!(queries(Lang::Python).is_some());
                });
            }
        });
        assert!(prepared(Lang::Python));
        assert_eq!(COMPILED[Lang::Python.index()].load(Ordering::Relaxed), 1);
    }

    #[test]
    fn every_language_compiles() {
        for lang in Lang::ALL {
            if let Err(e) = lang.self_check() {
                panic!("{e}");
            }
        }
    }

    #[test]
    fn reference_patterns_start_where_the_definitions_file_ends() {
        for lang in Lang::ALL {
            let q = compile(lang).expect("compiles");
            let defs = source(lang, Purpose::Definitions).expect("source");
            let alone = Query::new(&lang.grammar(), &defs).expect("definitions compile");
            assert_eq!(q.first_reference_pattern, alone.pattern_count(), "{lang:?}");
        }
    }

    #[test]
    fn tsx_inherits_typescript() {
        let tsx = source(Lang::Tsx, Purpose::Definitions).expect("tsx source");
        assert!(tsx.contains(embedded(Lang::TypeScript, Purpose::Definitions)));
        let ts = source(Lang::TypeScript, Purpose::Definitions).expect("ts source");
        assert_eq!(ts, embedded(Lang::TypeScript, Purpose::Definitions));
    }
}
