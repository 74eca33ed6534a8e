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

fn at_location<'a>(index: &'a SymbolIndex, file: &Path, loc: &Location) -> Vec<&'a Definition> {
    if !index.has_file(file) {
        return Vec::new();
    }
    // Lines the patch added, found in the file as it is now: the definitions around them.
    if !loc.added.is_empty() {
        if let Ok(text) = std::fs::read_to_string(index.root().join(file)) {
            let mut defs: Vec<&Definition> = Vec::new();
            for (n, line) in text.lines().enumerate() {
                if !loc.added.iter().any(|a| a == line.trim()) {
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
            if !defs.is_empty() {
                return defs;
            }
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
        let defs = index.definitions_in(file);
        return defs
            .iter()
            .filter(|d| mentions(ctx, &d.name))
            .take(2)
            .collect();
    }
    Vec::new()
}

fn mentions(text: &str, name: &str) -> bool {
    text.match_indices(name).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + name.len()..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
            && !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}
