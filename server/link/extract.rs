//! From one file's text to its definitions and references: parse, run the language's query, and
//! work out which definitions enclose what.
//!
//! Two paths, with the same results (a test replays random edits to check it):
//!
//! - [`extract`]: parse from scratch and query the whole tree (a workspace build).
//! - [`Parsed::reextract`]: for a file edited again and again (the one in the editor), keep its
//!   tree and text, turn the new text into one tree-sitter edit (common prefix and suffix), reparse
//!   incrementally, and query again only the top-level items the edit touched; entries outside
//!   them are kept and shifted. A full parse of an ordinary 200-line TSX file costs milliseconds
//!   on a small machine; a keystroke this way costs a fraction of one.
//!
//! Parsers and query cursors are per thread and reused (creating them costs more than parsing a
//! small file).

use std::cell::RefCell;
use std::ops::Range;
use std::path::Path;

use tree_sitter::{
    InputEdit, Node, Parser, Point, QueryCapture, QueryCursor, StreamingIterator, Tree,
};

use std::collections::HashMap;

use super::intern::{Chain, FilePath, Name};
use super::lang::Lang;
use super::query::{Capture, HasDescendant, LangQueries, queries};
use super::symbol::{Definition, RefKind, Reference, SymbolKind};

/// Everything the index keeps about one file, in source order.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct FileSymbols {
    pub defs: Vec<Definition>,
    pub refs: Vec<Reference>,
}

thread_local! {
    /// One parser per language, created on first use in each thread.
    static PARSERS: RefCell<[Option<Parser>; Lang::ALL.len()]> =
        const { RefCell::new([const { None }; Lang::ALL.len()]) };
    static CURSOR: RefCell<QueryCursor> = RefCell::new(QueryCursor::new());
}

/// Indexes one file from scratch. `file` is the already-normalized relative path stored in every
/// entry.
///
/// Never fails: text tree-sitter cannot make sense of yields whatever its error recovery keeps,
/// and a language whose grammar or queries failed to load yields nothing.
pub(crate) fn extract(lang: Lang, file: &Path, text: &str) -> FileSymbols {
    extract_keeping(lang, file, text).0
}

/// Like [`extract`], and also returns what [`Parsed::reextract`] needs for the next edit.
pub(crate) fn extract_keeping(
    lang: Lang,
    file: &Path,
    text: &str,
) -> (FileSymbols, Option<Parsed>) {
    let Some(queries) = queries(lang) else {
        return (FileSymbols::default(), None);
    };
    let Some(tree) = parse(lang, text, None) else {
        return (FileSymbols::default(), None);
    };
    let mut found =
        CURSOR.with_borrow_mut(|cursor| run(queries, cursor, &tree, file, text, 0..text.len()));
    if lang.spans_items() {
        extend_stages(&mut found.symbols.defs, text);
        return (found.symbols, None);
    }
    let parsed = Parsed {
        lang,
        text: text.to_owned(),
        tree,
        def_at: found.def_at,
        ref_at: found.ref_at,
    };
    (found.symbols, Some(parsed))
}

/// A stage runs from its `FROM` to the line before the next `FROM` (named or not), or to the
/// file's end.
fn extend_stages(defs: &mut [Definition], text: &str) {
    let mut last_line = 0;
    let mut froms: Vec<u32> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let n = u32::try_from(n).unwrap_or(u32::MAX);
        last_line = n;
        let word = line.split_whitespace().next().unwrap_or("");
        if word.eq_ignore_ascii_case("FROM") {
            froms.push(n);
        }
    }
    for d in defs.iter_mut().filter(|d| d.kind == SymbolKind::Stage) {
        let next = froms.iter().copied().find(|&f| f > d.line);
        d.end_line = next.map_or(last_line, |n| n - 1).max(d.end_line);
    }
}

/// A file's last text and tree, kept to re-index it incrementally.
pub(crate) struct Parsed {
    lang: Lang,
    text: String,
    tree: Tree,
    /// Byte offset of each definition's and reference's name, parallel to the file's entries:
    /// which entries an edit replaces is decided by where they are.
    def_at: Vec<u32>,
    ref_at: Vec<u32>,
}

impl std::fmt::Debug for Parsed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Parsed")
            .field("lang", &self.lang)
            .field("bytes", &self.text.len())
            .finish_non_exhaustive()
    }
}

impl Parsed {
    /// Re-indexes the file from `new_text`, given the entries `old` this state produced.
    pub(crate) fn reextract(
        &mut self,
        old: FileSymbols,
        file: &Path,
        new_text: &str,
    ) -> FileSymbols {
        let Some(edit) = edit_between(&self.text, new_text) else {
            return old; // unchanged
        };
        let consistent = old.defs.len() == self.def_at.len() && old.refs.len() == self.ref_at.len();
        let queries = queries(self.lang);
        let mut old_tree = self.tree.clone();
        old_tree.edit(&edit);
        let new_tree = parse(self.lang, new_text, Some(&old_tree));
        let (Some(q), Some(new_tree), true) = (queries, new_tree, consistent) else {
            // Cannot happen in practice (no cancellation is set, the state is kept in step);
            // start over rather than splice on a wrong basis.
            let (symbols, parsed) = extract_keeping(self.lang, file, new_text);
            if let Some(parsed) = parsed {
                *self = parsed;
            }
            return symbols;
        };

        // The region to query again, in new-text bytes: whole top-level items touched by the
        // edit or by a change of structure, in the old tree or the new one. Outside it, items
        // are the same text with the same syntax, so their entries only move.
        let mut lo = edit.start_byte;
        let mut hi = edit.new_end_byte;
        for r in old_tree.changed_ranges(&new_tree) {
            lo = lo.min(r.start_byte);
            hi = hi.max(r.end_byte);
        }
        loop {
            let (l, h) = cover_top_level(new_tree.root_node(), lo, hi);
            let (l, h) = cover_top_level(old_tree.root_node(), l, h);
            if (l, h) == (lo, hi) {
                break;
            }
            (lo, hi) = (l, h);
        }
        let hi = hi.min(new_text.len());
        let lo = lo.min(hi);
        let found =
            CURSOR.with_borrow_mut(|cursor| run(q, cursor, &new_tree, file, new_text, lo..hi));

        // The same region in old-text bytes.
        let growth = edit.new_end_byte as i64 - edit.old_end_byte as i64;
        let old_hi = (hi as i64 - growth) as usize;
        let shift = Shift::new(&edit);

        let (defs, def_at) = splice(
            old.defs,
            &self.def_at,
            found.symbols.defs,
            found.def_at,
            lo..old_hi,
            |d| {
                (d.line, d.col) = shift.point(d.line, d.col);
                d.end_line = shift.line(d.end_line);
            },
            growth,
        );
        let (refs, ref_at) = splice(
            old.refs,
            &self.ref_at,
            found.symbols.refs,
            found.ref_at,
            lo..old_hi,
            |r| (r.line, r.col) = shift.point(r.line, r.col),
            growth,
        );
        self.text = new_text.to_owned();
        self.tree = new_tree;
        self.def_at = def_at;
        self.ref_at = ref_at;
        FileSymbols { defs, refs }
    }
}

/// Old entries before `old_region`, the new ones found in it, then the old ones after it, moved.
fn splice<T>(
    old: Vec<T>,
    old_at: &[u32],
    new: Vec<T>,
    new_at: Vec<u32>,
    old_region: Range<usize>,
    mut move_entry: impl FnMut(&mut T),
    growth: i64,
) -> (Vec<T>, Vec<u32>) {
    let mut entries = Vec::with_capacity(old.len() + new.len());
    let mut at = Vec::with_capacity(old.len() + new.len());
    let mut old = old.into_iter().zip(old_at.iter().copied()).peekable();
    while let Some((entry, a)) = old.next_if(|(_, a)| (*a as usize) < old_region.start) {
        entries.push(entry);
        at.push(a);
    }
    entries.extend(new);
    at.extend(new_at);
    for (mut entry, a) in old {
        if (a as usize) < old_region.end {
            continue; // replaced
        }
        move_entry(&mut entry);
        entries.push(entry);
        at.push(u32::try_from(a as i64 + growth).unwrap_or(u32::MAX));
    }
    (entries, at)
}

/// How positions after an edit move.
struct Shift {
    old_end: Point,
    new_end: Point,
}

impl Shift {
    fn new(edit: &InputEdit) -> Shift {
        Shift {
            old_end: edit.old_end_position,
            new_end: edit.new_end_position,
        }
    }

    /// A position at or after the edit's old end.
    fn point(&self, line: u32, col: u32) -> (u32, u32) {
        if line as usize == self.old_end.row {
            let col = col as i64 - self.old_end.column as i64 + self.new_end.column as i64;
            (to_u32(self.new_end.row), u32::try_from(col).unwrap_or(0))
        } else {
            (self.line(line), col)
        }
    }

    fn line(&self, line: u32) -> u32 {
        let line = line as i64 - self.old_end.row as i64 + self.new_end.row as i64;
        u32::try_from(line).unwrap_or(0)
    }
}

/// Widens `lo..=hi` to whole top-level items (children of the root) it touches.
fn cover_top_level(root: Node, mut lo: usize, mut hi: usize) -> (usize, usize) {
    let mut cursor = root.walk();
    for child in root.children(&mut cursor) {
        if child.start_byte() > hi {
            break;
        }
        if child.end_byte() >= lo {
            lo = lo.min(child.start_byte());
            hi = hi.max(child.end_byte());
        }
    }
    (lo, hi)
}

/// The single edit that turns `old` into `new` (their common prefix and suffix kept), or `None`
/// if they are equal.
fn edit_between(old: &str, new: &str) -> Option<InputEdit> {
    if old == new {
        return None;
    }
    let (a, b) = (old.as_bytes(), new.as_bytes());
    let mut prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    // Edits start and end on character boundaries: positions count whole characters' bytes.
    while !old.is_char_boundary(prefix) || !new.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let max_suffix = a.len().min(b.len()) - prefix;
    let mut suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take(max_suffix)
        .take_while(|(x, y)| x == y)
        .count();
    while !old.is_char_boundary(a.len() - suffix) || !new.is_char_boundary(b.len() - suffix) {
        suffix -= 1;
    }
    let (old_end, new_end) = (a.len() - suffix, b.len() - suffix);
    Some(InputEdit {
        start_byte: prefix,
        old_end_byte: old_end,
        new_end_byte: new_end,
        start_position: point_at(old, prefix),
        old_end_position: point_at(old, old_end),
        new_end_position: point_at(new, new_end),
    })
}

/// The tree-sitter position (row, byte column) of a byte offset.
fn point_at(text: &str, byte: usize) -> Point {
    let before = &text.as_bytes()[..byte];
    let row = before.iter().filter(|&&b| b == b'\n').count();
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    Point {
        row,
        column: byte - line_start,
    }
}

fn parse(lang: Lang, text: &str, old: Option<&Tree>) -> Option<Tree> {
    PARSERS.with_borrow_mut(|parsers| {
        let slot = &mut parsers[lang.index()];
        if slot.is_none() {
            let mut parser = Parser::new();
            if let Err(e) = parser.set_language(&lang.grammar()) {
                tracing::error!("cannot load the {lang:?} grammar: {e}");
                return None;
            }
            *slot = Some(parser);
        }
        // `parse` only returns `None` on cancellation or timeout, neither of which we set.
        slot.as_mut()?.parse(text, old)
    })
}

/// What one query run found, with the byte offset of each entry's name.
struct Found {
    symbols: FileSymbols,
    def_at: Vec<u32>,
    ref_at: Vec<u32>,
}

/// A node that encloses others under a name: a definition, or a `@scope` such as a Rust `impl`.
struct Span<'t> {
    start: usize,
    end: usize,
    name: &'t str,
}

/// A definition (or scope) found by the query, before duplicates are dropped.
struct DefHit<'t> {
    node_id: usize,
    name_id: usize,
    pattern: usize,
    start: usize,
    end: usize,
    name: &'t str,
    name_byte: usize,
    /// `None` for a `@scope`; else the kind, the name's position and the definition's end.
    def: Option<(SymbolKind, Point, Point)>,
}

struct RefHit<'t> {
    node_id: usize,
    pattern: usize,
    start: usize,
    point: Point,
    name: &'t str,
    kind: RefKind,
}

/// Runs the language's query over the part of the tree that intersects `range`, which must be
/// made of whole top-level items (or the whole file), and keeps the entries whose name is in it.
fn run(
    q: &LangQueries,
    cursor: &mut QueryCursor,
    tree: &Tree,
    file: &Path,
    text: &str,
    range: Range<usize>,
) -> Found {
    let mut def_hits: Vec<DefHit> = Vec::new();
    let mut ref_hits: Vec<RefHit> = Vec::new();
    cursor.set_byte_range(range.clone());
    let mut matches = cursor.matches(&q.query, tree.root_node(), text.as_bytes());
    while let Some(m) = matches.next() {
        let captures = m.captures();
        if m.pattern_index >= q.first_reference_pattern {
            for capture in captures {
                let node = capture.node;
                match q.captures.get(capture.index as usize) {
                    Some(Capture::Reference(kind)) => {
                        if let Some(name) = node_text(node, text) {
                            ref_hits.push(RefHit {
                                node_id: node.id(),
                                pattern: m.pattern_index,
                                start: node.start_byte(),
                                point: node.start_position(),
                                name,
                                kind: *kind,
                            });
                        }
                    }
                    Some(Capture::Words(kind)) => {
                        let Some(all) = node_text(node, text) else {
                            continue;
                        };
                        for (at, word) in words(all) {
                            let start = node.start_byte() + at;
                            ref_hits.push(RefHit {
                                node_id: node.id(),
                                pattern: m.pattern_index,
                                start,
                                point: point_at(text, start),
                                name: word,
                                kind: *kind,
                            });
                        }
                    }
                    _ => {}
                }
            }
            continue;
        }
        if !q.checks[m.pattern_index]
            .iter()
            .all(|check| passes(check, captures))
        {
            continue;
        }
        let mut name = None;
        let mut def = None;
        for capture in captures {
            match q.captures.get(capture.index as usize) {
                Some(Capture::Name) => name = Some(capture.node),
                Some(Capture::Definition(kind)) => def = Some((capture.node, Some(*kind))),
                Some(Capture::Scope) => def = Some((capture.node, None)),
                _ => {}
            }
        }
        // A pattern without both captures is a query bug; skip rather than guess.
        let (Some(name), Some((node, kind))) = (name, def) else {
            continue;
        };
        let Some(name_text) = node_text(name, text) else {
            continue;
        };
        def_hits.push(DefHit {
            node_id: node.id(),
            name_id: name.id(),
            pattern: m.pattern_index,
            start: node.start_byte(),
            end: node.end_byte(),
            name: name_text,
            name_byte: name.start_byte(),
            def: kind.map(|k| (k, name.start_position(), last_point(node))),
        });
    }
    drop(matches);
    cursor.set_byte_range(0..usize::MAX);

    // The first pattern in the query file wins for a node (and for a name: one name, one symbol).
    def_hits.sort_unstable_by_key(|h| (h.node_id, h.pattern));
    def_hits.dedup_by_key(|h| h.node_id);
    def_hits.sort_unstable_by_key(|h| (h.name_id, h.pattern));
    def_hits.dedup_by_key(|h| h.name_id);
    // Source order; an enclosing node sorts before what it encloses.
    def_hits.sort_unstable_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));

    // Every entry of the file shares one path, each name one copy, and the entries inside the
    // same definition one chain.
    let file = FilePath::from(file);
    let mut shared = Shared {
        names: HashMap::new(),
        chains: vec![None; def_hits.len()],
        empty: Chain::from(Vec::new()),
    };

    let mut defs = Vec::with_capacity(def_hits.len());
    let mut def_at = Vec::with_capacity(def_hits.len());
    let mut spans: Vec<Span> = Vec::with_capacity(def_hits.len());
    let mut def_names: Vec<usize> = Vec::with_capacity(def_hits.len());
    let mut stack: Vec<usize> = Vec::new(); // indices into `spans`
    for hit in &def_hits {
        while stack.last().is_some_and(|&i| spans[i].end <= hit.start) {
            stack.pop();
        }
        if let Some((kind, name_at, end)) = hit.def {
            def_names.push(hit.name_id);
            if range.contains(&hit.name_byte) {
                defs.push(Definition {
                    name: shared.one_line(hit.name),
                    kind,
                    file: file.clone(),
                    line: to_u32(name_at.row),
                    col: to_u32(name_at.column),
                    end_line: to_u32(end.row).max(to_u32(name_at.row)),
                    container: shared.chain(&stack, &spans),
                });
                def_at.push(to_u32(hit.name_byte));
            }
        }
        stack.push(spans.len());
        spans.push(Span {
            start: hit.start,
            end: hit.end,
            name: hit.name,
        });
    }
    def_names.sort_unstable();

    // The name in `function load()` is not a use of `load`.
    ref_hits.retain(|r| def_names.binary_search(&r.node_id).is_err() && range.contains(&r.start));
    ref_hits.sort_unstable_by_key(|r| (r.node_id, r.start, r.pattern));
    ref_hits.dedup_by_key(|r| (r.node_id, r.start));
    ref_hits.sort_unstable_by_key(|r| r.start);

    // Sweep references and spans together, both in source order, keeping the chain of spans
    // that encloses the current reference.
    let mut refs = Vec::with_capacity(ref_hits.len());
    let mut ref_at = Vec::with_capacity(ref_hits.len());
    let mut stack: Vec<usize> = Vec::new();
    let mut next_span = 0;
    for hit in &ref_hits {
        while next_span < spans.len() && spans[next_span].start <= hit.start {
            let start = spans[next_span].start;
            while stack.last().is_some_and(|&i| spans[i].end <= start) {
                stack.pop();
            }
            stack.push(next_span);
            next_span += 1;
        }
        while stack.last().is_some_and(|&i| spans[i].end <= hit.start) {
            stack.pop();
        }
        refs.push(Reference {
            name: shared.name(hit.name),
            file: file.clone(),
            line: to_u32(hit.point.row),
            col: to_u32(hit.point.column),
            kind: hit.kind,
            container: shared.chain(&stack, &spans),
        });
        ref_at.push(to_u32(hit.start));
    }

    Found {
        symbols: FileSymbols { defs, refs },
        def_at,
        ref_at,
    }
}

/// The names and chains of one query run, each made once.
struct Shared<'t> {
    names: HashMap<&'t str, Name>,
    /// By span: the chain of an entry whose innermost enclosing span it is (a chain is decided
    /// by its innermost span).
    chains: Vec<Option<Chain>>,
    empty: Chain,
}

impl<'t> Shared<'t> {
    fn name(&mut self, text: &'t str) -> Name {
        self.names
            .entry(text)
            .or_insert_with(|| Name::from(text))
            .clone()
    }

    /// A definition's name, on one line.
    fn one_line(&mut self, text: &'t str) -> Name {
        if text.contains('\n') {
            Name::from(one_line(text))
        } else {
            self.name(text)
        }
    }

    /// The chain of the spans on `stack` (indices into `spans`, outermost first).
    fn chain(&mut self, stack: &[usize], spans: &[Span<'t>]) -> Chain {
        let Some(&top) = stack.last() else {
            return self.empty.clone();
        };
        if let Some(c) = self.chains.get(top).and_then(Option::as_ref) {
            return c.clone();
        }
        let chain = Chain::from(
            stack
                .iter()
                .map(|&i| self.one_line(spans[i].name))
                .collect::<Vec<_>>(),
        );
        if let Some(slot) = self.chains.get_mut(top) {
            *slot = Some(chain.clone());
        }
        chain
    }
}

/// A name as shown on one line: a CSS rule's selector list written over several lines
/// (`h1,\nh2`) reads `h1, h2`.
fn one_line(name: &str) -> String {
    if name.contains('\n') {
        name.split_whitespace().collect::<Vec<_>>().join(" ")
    } else {
        name.to_owned()
    }
}

/// The words of a `@words.*` capture with their byte offsets: runs of letters, digits and
/// `_ . + -` with a letter in them (`apt-get`, `libpq5`, `g++`), without the dashes of a flag
/// (`--from=builder` gives `from` and `builder`).
fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let part = |c: char| c.is_alphanumeric() || matches!(c, '_' | '.' | '+' | '-');
    text.split(move |c: char| !part(c))
        .map(move |w| (w.as_ptr() as usize - text.as_ptr() as usize, w))
        .filter_map(|(at, w)| {
            let trimmed = w.trim_start_matches(['-', '.']);
            let at = at + (w.len() - trimmed.len());
            let trimmed = trimmed.trim_end_matches(['-', '.']);
            (trimmed.len() >= 2 && trimmed.chars().any(char::is_alphabetic))
                .then_some((at, trimmed))
        })
}

/// `#has-descendant?`: does the captured node contain a node of one of the kinds?
fn passes(check: &HasDescendant, captures: &[QueryCapture]) -> bool {
    captures
        .iter()
        .filter(|c| c.index == check.capture)
        .all(|c| has_descendant(c.node, &check.kinds))
}

fn has_descendant(node: Node, kinds: &[u16]) -> bool {
    let mut cursor = node.walk();
    // Pre-order walk of the subtree, without recursion (deeply nested input must not overflow).
    loop {
        if kinds.contains(&cursor.node().kind_id()) {
            return true;
        }
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.node() == node {
                return false;
            }
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return false;
            }
        }
    }
}

fn node_text<'t>(node: Node, text: &'t str) -> Option<&'t str> {
    text.get(node.byte_range()).filter(|s| !s.is_empty())
}

/// The last position inside a node. A node that ends at the start of a line (some grammars keep
/// the newline) ends on the line before.
fn last_point(node: Node) -> Point {
    let end = node.end_position();
    if end.column == 0 && end.row > node.start_position().row {
        Point {
            row: end.row - 1,
            column: 0,
        }
    } else {
        end
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_keep_common_prefix_and_suffix() {
        let e =
            edit_between("let a = 1;\nlet b = 2;\n", "let a = 1;\nlet bc = 2;\n").expect("edit");
        assert_eq!((e.start_byte, e.old_end_byte, e.new_end_byte), (16, 16, 17));
        assert_eq!(e.start_position, Point { row: 1, column: 5 });
        assert_eq!(e.new_end_position, Point { row: 1, column: 6 });
        assert!(edit_between("same", "same").is_none());
        // Repeated text: prefix and suffix never overlap.
        let e = edit_between("aaa", "aaaa").expect("edit");
        assert_eq!((e.start_byte, e.old_end_byte, e.new_end_byte), (3, 3, 4));
        let e = edit_between("abcabc", "abc").expect("edit");
        assert_eq!((e.start_byte, e.old_end_byte, e.new_end_byte), (3, 6, 3));
    }

    #[test]
    fn edits_fall_on_character_boundaries() {
        // 'é' is c3 a9, 'è' is c3 a8: they share their first byte.
        let e = edit_between("xéy", "xèy").expect("edit");
        assert_eq!((e.start_byte, e.old_end_byte, e.new_end_byte), (1, 3, 3));
    }

    /// A random edit at a character boundary: code-like insertions, deletions, renames.
    fn random_edit(text: &str, rng: &mut u64) -> String {
        const SNIPPETS: [&str; 14] = [
            "x",
            "\n",
            "}",
            "{",
            "(",
            ")",
            "\"",
            "/*",
            "*/",
            "<",
            "function g() {}\n",
            "def h():\n    pass\n",
            "fn k() {}\n",
            "const Z = () => <Q />;\n",
        ];
        let mut next = |n: usize| {
            *rng ^= *rng << 13;
            *rng ^= *rng >> 7;
            *rng ^= *rng << 17;
            (*rng % n.max(1) as u64) as usize
        };
        let bounds: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain([text.len()])
            .collect();
        let i = next(bounds.len());
        let at = bounds[i];
        match next(5) {
            0 | 1 => format!(
                "{}{}{}",
                &text[..at],
                SNIPPETS[next(SNIPPETS.len())],
                &text[at..]
            ),
            2 => format!(
                "{}{}",
                &text[..at],
                &text[bounds[(i + next(24)).min(bounds.len() - 1)]..]
            ),
            3 => text.replacen("on", "onn", 1 + next(3)),
            _ => format!("// x\n{text}"),
        }
    }

    #[test]
    fn splicing_matches_a_full_query_of_the_same_tree() {
        // Whatever the edits (broken code included), the spliced entries are exactly what
        // querying the whole new tree gives: the region logic and the shifts lose nothing.
        // (Against a parse from scratch, tree-sitter's error recovery may differ while the code
        // is broken; `tests/it/symbols.rs` checks convergence once it is valid again.)
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/symbols");
        let mut rng = 0x2545_f491_4f6c_dd1d_u64;
        for (file, lang) in [
            ("tsx/App.tsx", Lang::Tsx),
            ("typescript/store.ts", Lang::TypeScript),
            ("javascript/Counter.jsx", Lang::JavaScript),
            ("python/report.py", Lang::Python),
            ("rust/parser.rs", Lang::Rust),
        ] {
            let mut text = std::fs::read_to_string(fixtures.join(file)).expect("fixture");
            let path = Path::new(file);
            let (mut symbols, parsed) = extract_keeping(lang, path, &text);
            let mut parsed = parsed.expect("parsed");
            let q = queries(lang).expect("queries");
            for step in 0..300 {
                text = random_edit(&text, &mut rng);
                symbols = parsed.reextract(symbols, path, &text);
                let full = CURSOR.with_borrow_mut(|cursor| {
                    run(q, cursor, &parsed.tree, path, &text, 0..text.len())
                });
                assert_eq!(symbols, full.symbols, "{file}, step {step}:\n{text}");
                assert_eq!(
                    (&parsed.def_at, &parsed.ref_at),
                    (&full.def_at, &full.ref_at)
                );
            }
        }
    }

    #[test]
    fn shifts_move_positions_after_an_edit() {
        let shift = Shift {
            old_end: Point { row: 3, column: 10 },
            new_end: Point { row: 5, column: 2 },
        };
        assert_eq!(shift.point(3, 12), (5, 4));
        assert_eq!(shift.point(7, 1), (9, 1));
        assert_eq!(shift.line(4), 6);
    }
}
