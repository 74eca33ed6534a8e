//! Links an insight to the workspace's symbols, strongest evidence first: the hunks the
//! assistant's patches touched in that turn, the file locations in failing output, then the
//! identifiers written as code — workspace definitions by name, and for an external name such as
//! `useEffect` the workspace definitions that use it. Anchors are symbol paths re-resolved against
//! the current tree on every call, so links survive edits.

use super::{Definition, SymbolIndex, SymbolKind};
use crate::insight::{Insight, Location};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// A symbol an insight is about, as shown: `file` relative to the workspace, `line` 1-based.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkedSymbol {
    pub name: String,
    pub kind: SymbolKind,
    pub file: String,
    pub line: u32,
}

/// At most this many symbols per insight: beyond it, links stop being evidence.
const MAX: usize = 6;

/// `sub` is the session folder's path inside the index root (paths in the insight are relative
/// to the session folder).
pub fn link(index: &SymbolIndex, insight: &Insight, sub: Option<&Path>) -> Vec<LinkedSymbol> {
    let mut found: Vec<&Definition> = Vec::new();
    fn add<'a>(d: &'a Definition, found: &mut Vec<&'a Definition>) {
        if found.len() < MAX
            && !found
                .iter()
                .any(|f| f.name == d.name && f.file == d.file && f.line == d.line)
        {
            found.push(d);
        }
    }
    let to_rel = |file: &str| -> PathBuf {
        let p = Path::new(file);
        match sub {
            Some(s) if p.is_relative() => s.join(p),
            _ => p.to_path_buf(),
        }
    };
    for loc in insight.anchors.edits.iter().chain(&insight.anchors.errors) {
        for d in at_location(index, &to_rel(&loc.file), loc) {
            add(d, &mut found);
        }
    }
    for name in &insight.anchors.identifiers {
        let defs = index.definitions(name);
        if !defs.is_empty() {
            for d in defs.into_iter().take(2) {
                add(d, &mut found);
            }
            continue;
        }
        // An external name: the workspace definitions that use it.
        for r in index.references(name).into_iter().take(3) {
            if let Some(d) = index.enclosing_definition(&r.file, r.line) {
                add(d, &mut found);
            }
        }
    }
    // Constants, variables and fields are where the evidence lands, not what it is about,
    // unless the developer named them.
    let named = |d: &Definition| insight.anchors.identifiers.contains(&d.name);
    found.retain(|d| {
        !matches!(
            d.kind,
            SymbolKind::Constant | SymbolKind::Variable | SymbolKind::Field
        ) || named(d)
    });
    found
        .into_iter()
        .map(|d| LinkedSymbol {
            name: d.name.clone(),
            kind: d.kind,
            file: d.file.to_string_lossy().replace('\\', "/"),
            line: d.line + 1,
        })
        .collect()
}

/// How many other files of its language a moved change is looked for in.
const MOVED_SEARCH_FILES: usize = 400;

fn at_location<'a>(index: &'a SymbolIndex, file: &Path, loc: &Location) -> Vec<&'a Definition> {
    if !index.has_file(file) {
        return moved(index, file, loc);
    }
    // Lines the patch added, found in the file as it is now: the definitions around them.
    if !loc.added.is_empty() {
        let defs = added_lines_in(index, file, &loc.added);
        if !defs.is_empty() {
            return defs;
        }
    }
    if let Some(line) = loc.line {
        return index
            .enclosing_definition(file, line.saturating_sub(1))
            .into_iter()
            .collect();
    }
    // An apply_patch hunk without numbers: its anchor text names the definition
    // (`@@ function App() {`, `@@ def load(self):`, `@@ impl Parser {`).
    if let Some(ctx) = &loc.context {
        let defs: Vec<&Definition> = index
            .definitions_in(file)
            .iter()
            .filter(|d| mentions(ctx, &d.name))
            .take(2)
            .collect();
        if !defs.is_empty() {
            return defs;
        }
    }
    // The file is still there but the change is not: it moved to another file.
    moved(index, file, loc)
}

/// The definitions around the lines of `file` (as it is now) that a patch added.
fn added_lines_in<'a>(
    index: &'a SymbolIndex,
    file: &Path,
    added: &[String],
) -> Vec<&'a Definition> {
    let mut defs: Vec<&Definition> = Vec::new();
    let Ok(text) = std::fs::read_to_string(index.root().join(file)) else {
        return defs;
    };
    for (n, line) in text.lines().enumerate() {
        if !added.iter().any(|a| a == line.trim()) {
            continue;
        }
        if let Some(d) = index.enclosing_definition(file, n as u32) {
            if !defs.iter().any(|x| std::ptr::eq(*x, d)) {
                defs.push(d);
            }
        }
        if defs.len() >= 3 {
            break;
        }
    }
    defs
}

/// A change whose file is gone or no longer holds it (the code was split into other files, the
/// file renamed): the definition its hunk named, wherever it lives now, else its added lines in
/// the other files of the same language.
fn moved<'a>(index: &'a SymbolIndex, file: &Path, loc: &Location) -> Vec<&'a Definition> {
    if let Some(ctx) = &loc.context {
        let named: Vec<&Definition> = context_names(ctx)
            .filter_map(|w| index.definitions(w).into_iter().next())
            .take(2)
            .collect();
        if !named.is_empty() {
            return named;
        }
    }
    if loc.added.is_empty() {
        return Vec::new();
    }
    let ext = file.extension();
    let mut defs: Vec<&Definition> = Vec::new();
    for other in index
        .files()
        .into_iter()
        .filter(|f| *f != file && f.extension() == ext)
        .take(MOVED_SEARCH_FILES)
    {
        for d in added_lines_in(index, other, &loc.added) {
            if !defs.iter().any(|x| std::ptr::eq(*x, d)) {
                defs.push(d);
            }
        }
        if defs.len() >= 3 {
            break;
        }
    }
    defs
}

/// The names in a hunk's anchor text (`function updateHighlights() {` → `updateHighlights`),
/// keywords aside.
fn context_names(ctx: &str) -> impl Iterator<Item = &str> {
    const KEYWORDS: &[&str] = &[
        "function", "def", "fn", "class", "const", "let", "var", "if", "for", "while", "return",
        "impl", "pub", "async", "export", "default", "static", "self", "this", "new", "struct",
        "enum", "trait", "else", "match", "await",
    ];
    ctx.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
        .filter(|w| w.len() >= 3 && !KEYWORDS.contains(w) && !w.chars().all(|c| c.is_ascii_digit()))
}

fn mentions(text: &str, name: &str) -> bool {
    text.match_indices(name).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + name.len()..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
            && !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}
