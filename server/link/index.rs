//! The workspace symbol index: every indexed file's definitions and references, and name →
//! postings maps so lookups by name do not scan files.
//!
//! Files are replaced whole: `update_file` drops a file's old postings and adds the new ones, so
//! the cost of an edit is the size of that file, never the size of the workspace.
//!
//! Entries keep their texts interned (`intern`): one copy of each name and container chain in
//! the whole index, one of each file's path, shared by the entries and the postings' keys.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::extract::{FileSymbols, Parsed, extract_keeping};
use super::intern::{Chain, FilePath, Interner, Name};
use super::lang::lang_for_path;
use super::symbol::{Definition, Reference};
use super::walk::{self, normalize_rel};

type FileId = u32;

/// Where one entry lives: `(file, index into that file's definitions or references)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Posting {
    file: FileId,
    idx: u32,
}

/// Name → postings, each list sorted by `(file, idx)` so one file's entries are contiguous and
/// can be found by binary search. Keys are the index's interned names.
#[derive(Debug, Default)]
struct Postings(HashMap<Name, Vec<Posting>>);

impl Postings {
    /// Adds a file's entries (`names[i]` is entry `i`), which must not be posted already. Entries
    /// are grouped by name first, so each list moves once however often the file uses a name.
    fn add<'a>(&mut self, file: FileId, names: impl Iterator<Item = &'a Name>) {
        let mut entries: Vec<(&Name, u32)> = names
            .enumerate()
            .map(|(idx, name)| (name, u32::try_from(idx).unwrap_or(u32::MAX)))
            .collect();
        entries.sort_unstable_by(|a, b| (a.0.as_str(), a.1).cmp(&(b.0.as_str(), b.1)));
        for group in entries.chunk_by(|a, b| a.0 == b.0) {
            let name = group[0].0;
            let list = match self.0.get_mut(name.as_str()) {
                Some(list) => list,
                None => self.0.entry(name.clone()).or_default(),
            };
            let at = list.partition_point(|p| p.file < file);
            list.splice(at..at, group.iter().map(|&(_, idx)| Posting { file, idx }));
        }
    }

    /// Removes every posting of a file under the given names.
    fn remove<'a>(&mut self, file: FileId, names: impl Iterator<Item = &'a str>) {
        let mut names: Vec<&str> = names.collect();
        names.sort_unstable();
        names.dedup();
        for name in names {
            let Some(list) = self.0.get_mut(name) else {
                continue;
            };
            let from = list.partition_point(|p| p.file < file);
            let to = list.partition_point(|p| p.file <= file);
            list.drain(from..to);
            if list.is_empty() {
                self.0.remove(name);
            }
        }
    }

    fn get(&self, name: &str) -> &[Posting] {
        self.0.get(name).map_or(&[], Vec::as_slice)
    }
}

#[derive(Debug)]
struct FileEntry {
    /// The one copy of the path every entry of the file shares.
    path: FilePath,
    symbols: FileSymbols,
}

/// Definitions and references of every supported file under a root.
///
/// Paths given to and returned by the index are relative to the root and `/`-separated.
#[derive(Debug)]
pub struct SymbolIndex {
    root: PathBuf,
    ids: HashMap<FilePath, FileId>,
    /// Indexed by `FileId`; `None` for a freed slot (reused by the next new file).
    files: Vec<Option<FileEntry>>,
    free: Vec<FileId>,
    defs: Postings,
    refs: Postings,
    /// The one copy of each name and chain of the entries.
    interner: Interner,
    /// The trees and texts of the files updated last, most recent last: the file being edited
    /// is re-indexed incrementally. Bounded, as a tree costs many times its text.
    recent: Vec<(PathBuf, Parsed)>,
}

/// How many recently updated files keep their tree.
const RECENT_TREES: usize = 8;

impl SymbolIndex {
    /// An empty index for `root`.
    pub fn new(root: &Path) -> SymbolIndex {
        SymbolIndex {
            root: root.to_path_buf(),
            ids: HashMap::new(),
            files: Vec::new(),
            free: Vec::new(),
            defs: Postings::default(),
            refs: Postings::default(),
            interner: Interner::default(),
            recent: Vec::new(),
        }
    }

    /// Indexes every supported file under `root`, using all cores for parsing. Respects
    /// `.gitignore`; skips hidden files, `node_modules`, `.git`, `target`, `dist`, `build`,
    /// `.venv`, `__pycache__`, files over 512 KiB and minified ones (a line over 2,000
    /// characters). Unreadable files are skipped; invalid UTF-8 is replaced.
    pub fn build(root: &Path) -> SymbolIndex {
        let mut index = SymbolIndex::new(root);
        for (rel, symbols) in walk::index_workspace(root) {
            index.insert(rel, symbols);
        }
        index
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// (Re)indexes one file from its text, replacing only that file's entries.
    ///
    /// The first update of a file parses it in full; later ones (while it stays among the few
    /// files updated last) reparse incrementally and query again only the top-level items the
    /// change touched. A file the index does not read (unsupported extension, or a text
    /// [`build`](Self::build) would skip: too large, or minified) is removed instead.
    pub fn update_file(&mut self, rel: &Path, text: &str) {
        let rel = self.normalize(rel);
        let Some(lang) = lang_for_path(&rel) else {
            self.remove_normalized(&rel);
            return;
        };
        if !walk::worth_indexing(text) {
            tracing::debug!("not indexing {}: too large or minified", rel.display());
            self.remove_normalized(&rel);
            return;
        }
        let recent = self
            .recent
            .iter()
            .position(|(path, _)| *path == rel)
            .map(|i| self.recent.remove(i).1);
        let symbols = match (recent, self.take_symbols(&rel)) {
            (Some(mut parsed), Some(old)) => {
                let symbols = parsed.reextract(old, &rel, text);
                self.keep_recent(rel.clone(), parsed);
                symbols
            }
            _ => {
                let (symbols, parsed) = extract_keeping(lang, &rel, text);
                if let Some(parsed) = parsed {
                    self.keep_recent(rel.clone(), parsed);
                }
                symbols
            }
        };
        self.insert(rel, symbols);
    }

    /// Forgets a file and all its entries.
    pub fn remove_file(&mut self, rel: &Path) {
        let rel = self.normalize(rel);
        self.remove_normalized(&rel);
    }

    /// Every definition named exactly `name`, by file path then position.
    pub fn definitions(&self, name: &str) -> Vec<&Definition> {
        self.resolve_postings(self.defs.get(name), |f, i| &f.symbols.defs[i])
    }

    /// Every reference to exactly `name`, by file path then position.
    pub fn references(&self, name: &str) -> Vec<&Reference> {
        self.resolve_postings(self.refs.get(name), |f, i| &f.symbols.refs[i])
    }

    /// A file's definitions in source order (empty if the file is not indexed).
    pub fn definitions_in(&self, rel: &Path) -> &[Definition] {
        self.entry(rel).map_or(&[], |f| f.symbols.defs.as_slice())
    }

    /// A file's references in source order (empty if the file is not indexed).
    pub fn references_in(&self, rel: &Path) -> &[Reference] {
        self.entry(rel).map_or(&[], |f| f.symbols.refs.as_slice())
    }

    /// The innermost definition of the file whose lines `line..=end_line` contain `line`.
    pub fn enclosing_definition(&self, rel: &Path, line: u32) -> Option<&Definition> {
        self.enclosing_where(rel, line, |_| true)
    }

    /// The innermost definition around `line` that `keep` accepts.
    pub fn enclosing_where(
        &self,
        rel: &Path,
        line: u32,
        keep: impl Fn(&Definition) -> bool,
    ) -> Option<&Definition> {
        self.definitions_in(rel)
            .iter()
            .enumerate()
            .filter(|(_, d)| d.line <= line && line <= d.end_line && keep(d))
            // Innermost: starts last; then the narrowest; then the one nested deeper in source
            // order (a definition sorts before the ones it encloses).
            .max_by_key(|(i, d)| {
                (
                    d.line,
                    std::cmp::Reverse(d.end_line.saturating_sub(d.line)),
                    *i,
                )
            })
            .map(|(_, d)| d)
    }

    /// The best definition for a symbol path `container…::name`.
    ///
    /// Among the definitions named `name`, prefers those in `file_hint`, then those whose
    /// container chain matches `container`: equal, then ending with it (`["Parser"]` matches a
    /// method of `Parser` inside `mod ast`), then visible from it (a definition whose container
    /// is a prefix of `container`, such as a helper nested in the same function, or a top-level
    /// one). If several are equally good, one in the hinted file wins (the first, as overloads
    /// come in a row); across files the answer is ambiguous and `None`.
    pub fn resolve(
        &self,
        name: &str,
        file_hint: Option<&Path>,
        container: &[String],
    ) -> Option<&Definition> {
        let hint = file_hint.map(|f| self.normalize(f));
        let score = |d: &Definition| {
            let same_file = hint.as_deref().is_some_and(|h| d.file == h);
            let chain = if container.is_empty() {
                0
            } else if d.container == *container {
                3
            } else if d.container.ends_with(container) {
                2
            } else if d.container.is_prefix_of(container) {
                1
            } else {
                0
            };
            (same_file, chain)
        };
        let candidates = self.definitions(name);
        let best = candidates.iter().map(|d| score(d)).max()?;
        let mut top = candidates.into_iter().filter(|d| score(d) == best);
        let first = top.next()?;
        match top.next() {
            None => Some(first),
            Some(_) if best.0 => Some(first),
            Some(_) => None,
        }
    }

    pub fn file_count(&self) -> usize {
        self.ids.len()
    }

    /// How many definitions the index holds (for status lines and benchmarks).
    pub fn definition_count(&self) -> usize {
        self.files
            .iter()
            .flatten()
            .map(|f| f.symbols.defs.len())
            .sum()
    }

    /// How many references the index holds.
    pub fn reference_count(&self) -> usize {
        self.files
            .iter()
            .flatten()
            .map(|f| f.symbols.refs.len())
            .sum()
    }

    pub fn has_file(&self, rel: &Path) -> bool {
        self.ids.contains_key(self.normalize(rel).as_path())
    }

    /// Every indexed file, relative to the root, in path order.
    pub fn files(&self) -> Vec<&Path> {
        let mut files: Vec<&Path> = self.ids.keys().map(FilePath::as_path).collect();
        files.sort();
        files
    }

    // --- internals ---

    fn entry(&self, rel: &Path) -> Option<&FileEntry> {
        let id = self.ids.get(self.normalize(rel).as_path())?;
        self.files.get(*id as usize)?.as_ref()
    }

    fn keep_recent(&mut self, rel: PathBuf, parsed: Parsed) {
        if self.recent.len() >= RECENT_TREES {
            self.recent.remove(0);
        }
        self.recent.push((rel, parsed));
    }

    /// Takes a file's entries out of the index (its postings with them), leaving it empty.
    fn take_symbols(&mut self, rel: &Path) -> Option<FileSymbols> {
        let id = *self.ids.get(rel)?;
        self.unpost(id);
        let entry = self.files.get_mut(id as usize)?.as_mut()?;
        Some(std::mem::take(&mut entry.symbols))
    }

    /// Replaces (or adds) a file's entries, sharing their texts with the rest of the index.
    fn insert(&mut self, rel: PathBuf, mut symbols: FileSymbols) {
        let (id, path) = match self.ids.get_key_value(rel.as_path()) {
            Some((path, &id)) => {
                let path = path.clone();
                self.unpost(id);
                (id, path)
            }
            None => {
                let id = match self.free.pop() {
                    Some(id) => id,
                    None => {
                        self.files.push(None);
                        FileId::try_from(self.files.len() - 1).unwrap_or(FileId::MAX)
                    }
                };
                let path = FilePath::from(rel);
                self.ids.insert(path.clone(), id);
                (id, path)
            }
        };
        self.share(&path, &mut symbols);
        self.defs.add(id, symbols.defs.iter().map(|d| &d.name));
        self.refs.add(id, symbols.refs.iter().map(|r| &r.name));
        if let Some(slot) = self.files.get_mut(id as usize) {
            let old = slot.replace(FileEntry { path, symbols });
            self.release(old);
        }
    }

    /// Points a file's entries at the index's one copy of their path, names and chains. The
    /// entries of one file share their chains already, so each is looked up once.
    fn share(&mut self, path: &FilePath, symbols: &mut FileSymbols) {
        let mut chains: HashMap<usize, Chain> = HashMap::new();
        let interner = &mut self.interner;
        let mut chain = |c: &mut Chain| {
            if let Some(shared) = chains.get(&c.address()) {
                *c = shared.clone();
            } else {
                let shared = interner.chain(c);
                chains.insert(c.address(), shared.clone());
                *c = shared;
            }
        };
        for d in &mut symbols.defs {
            chain(&mut d.container);
        }
        for r in &mut symbols.refs {
            chain(&mut r.container);
        }
        for d in &mut symbols.defs {
            if !d.file.same(path) {
                d.file = path.clone();
            }
            d.name = self.interner.name(&d.name);
        }
        for r in &mut symbols.refs {
            if !r.file.same(path) {
                r.file = path.clone();
            }
            r.name = self.interner.name(&r.name);
        }
    }

    /// Lets the interner forget what only a replaced file's entries used.
    fn release(&mut self, old: Option<FileEntry>) {
        if let Some(old) = old {
            let n = old.symbols.defs.len() + old.symbols.refs.len();
            drop(old);
            self.interner.release(n);
        }
    }

    fn remove_normalized(&mut self, rel: &Path) {
        self.recent.retain(|(path, _)| path != rel);
        if let Some(id) = self.ids.remove(rel) {
            self.unpost(id);
            let old = self.files.get_mut(id as usize).and_then(Option::take);
            self.release(old);
            self.free.push(id);
        }
    }

    /// Drops a file's postings (its entries stay until replaced).
    fn unpost(&mut self, id: FileId) {
        let Some(Some(entry)) = self.files.get(id as usize) else {
            return;
        };
        let symbols = &entry.symbols;
        self.defs
            .remove(id, symbols.defs.iter().map(|d| d.name.as_str()));
        self.refs
            .remove(id, symbols.refs.iter().map(|r| r.name.as_str()));
    }

    /// Postings to entries, ordered by file path then position. Postings are grouped by file id
    /// (the order files were first indexed), so only the groups need sorting.
    fn resolve_postings<'a, T>(
        &'a self,
        postings: &[Posting],
        get: impl Fn(&'a FileEntry, usize) -> &'a T + Copy,
    ) -> Vec<&'a T> {
        let mut groups: Vec<(&'a FileEntry, &[Posting])> = postings
            .chunk_by(|a, b| a.file == b.file)
            .filter_map(|group| {
                let file = self.files.get(group[0].file as usize)?.as_ref()?;
                Some((file, group))
            })
            .collect();
        groups.sort_by(|a, b| a.0.path.cmp(&b.0.path));
        groups
            .into_iter()
            .flat_map(|(file, group)| group.iter().map(move |p| get(file, p.idx as usize)))
            .collect()
    }

    /// The key a path is stored under: relative to the root, `/`-separated, without `.`.
    fn normalize(&self, path: &Path) -> PathBuf {
        let rel = path.strip_prefix(&self.root).unwrap_or(path);
        normalize_rel(rel)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_paths_under_the_root_become_relative() {
        let index = SymbolIndex::new(Path::new("/work/app"));
        assert_eq!(
            index.normalize(Path::new("/work/app/src/a.ts")),
            Path::new("src/a.ts")
        );
    }

    #[test]
    fn postings_stay_sorted_and_removable() {
        let names = |v: &[&str]| v.iter().map(|s| Name::from(*s)).collect::<Vec<_>>();
        let mut p = Postings::default();
        p.add(2, names(&["a", "b", "a"]).iter());
        p.add(1, names(&["a"]).iter());
        p.add(3, names(&["a"]).iter());
        let files: Vec<_> = p.get("a").iter().map(|x| (x.file, x.idx)).collect();
        assert_eq!(files, [(1, 0), (2, 0), (2, 2), (3, 0)]);
        p.remove(2, ["a", "b", "a"].into_iter());
        let files: Vec<_> = p.get("a").iter().map(|x| x.file).collect();
        assert_eq!(files, [1, 3]);
        assert!(p.get("b").is_empty());
        assert!(!p.0.contains_key("b"), "empty lists are dropped");
    }

    #[test]
    fn reindexing_a_file_replaces_its_postings() {
        let mut index = SymbolIndex::new(Path::new("/r"));
        index.update_file(Path::new("a.ts"), "function one() { two(); }\n");
        index.update_file(Path::new("a.ts"), "function uno() { two(); }\n");
        assert!(index.definitions("one").is_empty());
        assert_eq!(index.definitions("uno").len(), 1);
        assert_eq!(index.references("two").len(), 1);
        assert_eq!(index.file_count(), 1);
    }

    #[test]
    fn freed_file_slots_are_reused() {
        let mut index = SymbolIndex::new(Path::new("/r"));
        index.update_file(Path::new("a.ts"), "function a() {}\n");
        index.remove_file(Path::new("a.ts"));
        index.update_file(Path::new("b.ts"), "function b() {}\n");
        assert_eq!(index.files.len(), 1);
        assert_eq!(index.definitions("b")[0].file, Path::new("b.ts"));
        assert!(index.definitions("a").is_empty());
    }

    #[test]
    fn entries_share_one_copy_of_each_text() {
        let mut index = SymbolIndex::new(Path::new("/r"));
        index.update_file(
            Path::new("a.ts"),
            "function App() { useState(); useState(); }\n",
        );
        index.update_file(Path::new("b.ts"), "function App() { useState(); }\n");
        let refs = index.references("useState");
        assert_eq!(refs.len(), 3);
        let text = |r: &Reference| r.name.as_str().as_ptr();
        assert!(
            refs.iter().all(|r| text(r) == text(refs[0])),
            "one copy of a name"
        );
        let chain = |r: &Reference| r.container.as_ptr();
        assert!(
            refs.iter().all(|r| chain(r) == chain(refs[0])),
            "one copy of a chain"
        );
        assert!(refs[0].file.same(&refs[1].file) && !refs[0].file.same(&refs[2].file));
        let defs = index.definitions("App");
        assert!(std::ptr::eq(defs[0].name.as_str(), defs[1].name.as_str()));
    }

    #[test]
    fn texts_no_entry_uses_are_let_go() {
        let mut index = SymbolIndex::new(Path::new("/r"));
        let many: String = (0..3000).map(|i| format!("f{i}();\n")).collect();
        index.update_file(Path::new("a.ts"), &many);
        index.update_file(Path::new("b.ts"), "function kept() { f1(); }\n");
        assert!(index.interner.len().0 > 3000);
        index.remove_file(Path::new("a.ts"));
        let (names, _) = index.interner.len();
        assert!(names <= 2, "{names} names kept");
        assert_eq!(index.references("f1").len(), 1);
        assert_eq!(index.definitions("kept").len(), 1);
    }
}
