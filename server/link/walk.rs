//! Which files of a workspace are indexed, under which relative path, and indexing them on every
//! core.
//!
//! The walk respects `.gitignore` (and `.ignore`) even outside a git repository, skips hidden
//! files and the usual dependency and build folders, and leaves out files that are too large or
//! look minified: they hold no symbols a developer wrote, and would cost more than the rest of
//! the workspace.

use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use ignore::WalkBuilder;

use super::extract::{FileSymbols, extract};
use super::lang::{Lang, lang_for_path};
use super::query::{prepared, queries};

/// Files larger than this are not indexed.
pub(crate) const MAX_FILE_BYTES: u64 = 512 * 1024;
/// A line longer than this (in characters) marks a file as minified or generated.
pub(crate) const MAX_LINE_CHARS: usize = 2_000;
/// Folders never entered, ignored or not.
const SKIPPED_DIRS: [&str; 7] = [
    "node_modules",
    ".git",
    "target",
    "dist",
    "build",
    ".venv",
    "__pycache__",
];

/// A source file's text, when `path` is a regular file no larger than what is indexed: never a
/// device, a FIFO or a `/proc` entry (a path an editor names may be any of those, and reading
/// one would block or never end). Invalid UTF-8 is replaced.
pub fn read_source(path: &Path) -> Option<String> {
    use std::io::Read;
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_FILE_BYTES {
        return None;
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // No more than the size the file says it has: a `/proc` or `/sys` entry says 0 and holds
    // more (`/proc/self/environ`: this process's environment), and a file that grows while read
    // is read again when it next changes.
    std::fs::File::open(path)
        .ok()?
        .take(meta.len() + 1)
        .read_to_end(&mut bytes)
        .ok()?;
    (bytes.len() as u64 <= meta.len()).then(|| String::from_utf8_lossy(&bytes).into_owned())
}

/// Whether a text is small enough and not minified.
pub(crate) fn worth_indexing(text: &str) -> bool {
    if text.len() as u64 > MAX_FILE_BYTES {
        return false;
    }
    // Bytes bound characters from above, so only a long line in bytes needs counting.
    !text
        .split('\n')
        .any(|line| line.len() > MAX_LINE_CHARS && line.chars().count() > MAX_LINE_CHARS)
}

/// At most this many files are looked at to find which languages to compile ahead.
const AHEAD_FILES: usize = 2_000;

/// Compiles, in the background, the queries of the languages found under `roots`, so that the
/// first file opened or indexed finds them ready (or under way) instead of compiling them
/// itself: a short walk (the files the index would read, at most `AHEAD_FILES`) counts the
/// files of each language, then they are compiled one after another, the language with most
/// files first — the one a developer most likely opens first, which so does not share the
/// cores with the others. A language already compiled or compiling is not compiled again (at
/// most once per process). Returns at once.
pub fn compile_ahead(roots: Vec<PathBuf>) {
    let ahead = move || {
        let mut count = [0usize; Lang::ALL.len()];
        for root in &roots {
            for entry in walker(root).flatten().take(AHEAD_FILES) {
                if entry.file_type().is_some_and(|t| t.is_file()) {
                    if let Some(lang) = lang_for_path(entry.path()) {
                        count[lang.index()] += 1;
                    }
                }
            }
        }
        compile_in_order(&count);
    };
    if let Err(e) = std::thread::Builder::new()
        .name("queries-ahead".into())
        .spawn(ahead)
    {
        tracing::debug!("compiling queries ahead: {e}");
    }
}

/// Compiles the languages with files (`count`, by [`Lang::index`]), one after another, those
/// with most files first. One at a time: a language compiling beside another takes twice as
/// long on two cores, and the first one is the one the first file opened most likely waits for.
fn compile_in_order(count: &[usize; Lang::ALL.len()]) {
    let mut langs: Vec<Lang> = Lang::ALL
        .into_iter()
        .filter(|l| count[l.index()] > 0)
        .collect();
    langs.sort_by_key(|l| std::cmp::Reverse(count[l.index()]));
    for lang in langs {
        if !prepared(lang) {
            let _ = queries(lang);
        }
    }
}

/// The walk over a workspace's files (dependency and build folders skipped, ignore files
/// respected).
fn walker(root: &Path) -> ignore::Walk {
    WalkBuilder::new(root)
        .hidden(true)
        .git_ignore(true)
        .git_exclude(true)
        .ignore(true)
        // `.gitignore` applies even when the folder is not (yet) a git repository.
        .require_git(false)
        .follow_links(false)
        .max_filesize(Some(MAX_FILE_BYTES))
        .filter_entry(|entry| {
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            !(is_dir && entry.depth() > 0 && SKIPPED_DIRS.iter().any(|d| entry.file_name() == *d))
        })
        .build()
}

/// Every supported file under `root` worth indexing, by relative path.
fn discover(root: &Path) -> Vec<(PathBuf, PathBuf, Lang)> {
    let mut files = Vec::new();
    for entry in walker(root) {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                tracing::debug!("symbol index walk: {e}");
                continue;
            }
        };
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let path = entry.into_path();
        let Some(lang) = lang_for_path(&path) else {
            continue;
        };
        let Ok(rel) = path.strip_prefix(root) else {
            continue;
        };
        files.push((normalize_rel(rel), path, lang));
    }
    files.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    files
}

/// Reads and indexes every file [`discover`] finds, on as many threads as there are cores (once
/// their languages are compiled), and returns the results in path order.
pub(crate) fn index_workspace(root: &Path) -> Vec<(PathBuf, FileSymbols)> {
    let files = discover(root);
    // Languages first, one at a time in the order `compile_ahead` takes them (waiting for it
    // where it is already compiling one), rather than one per worker at once.
    let mut count = [0usize; Lang::ALL.len()];
    for (_, _, lang) in &files {
        count[lang.index()] += 1;
    }
    compile_in_order(&count);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8)
        .min(files.len().max(1));
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, FileSymbols)>> = Mutex::new(Vec::with_capacity(files.len()));
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let mut mine = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((rel, path, lang)) = files.get(i) else {
                        break;
                    };
                    if let Some(symbols) = index_one(rel, path, *lang) {
                        mine.push((i, symbols));
                    }
                }
                // A poisoned lock means another worker panicked; its files are simply missing.
                if let Ok(mut all) = results.lock() {
                    all.extend(mine);
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    results.sort_unstable_by_key(|(i, _)| *i);
    let mut files: Vec<Option<PathBuf>> = files.into_iter().map(|(rel, _, _)| Some(rel)).collect();
    results
        .into_iter()
        .filter_map(|(i, symbols)| Some((files.get_mut(i)?.take()?, symbols)))
        .collect()
}

fn index_one(rel: &Path, path: &Path, lang: Lang) -> Option<FileSymbols> {
    // Invalid UTF-8 is replaced, not refused: the rest of the file still has symbols.
    let Some(text) = read_source(path) else {
        tracing::debug!(
            "not indexing {}: not a regular file, too large or unreadable",
            path.display()
        );
        return None;
    };
    if !worth_indexing(&text) {
        tracing::debug!("not indexing {}: too large or minified", rel.display());
        return None;
    }
    Some(extract(lang, rel, &text))
}

/// The form every indexed path takes, `./src\\a.ts` → `src/a.ts`: the walk hands out its files
/// this way and the index keys whatever path it is given the same way. Only path syntax is
/// touched; `..` is kept (it cannot be resolved without the file system and never comes from the
/// walk).
pub(crate) fn normalize_rel(rel: &Path) -> PathBuf {
    let mut out = String::new();
    for component in rel.components() {
        let part = match component {
            Component::Normal(part) => part.to_string_lossy(),
            Component::ParentDir => "..".into(),
            Component::CurDir | Component::RootDir | Component::Prefix(_) => continue,
        };
        // Windows-style separators inside a component (a path typed on another OS).
        for piece in part.split('\\').filter(|p| !p.is_empty()) {
            if !out.is_empty() {
                out.push('/');
            }
            out.push_str(piece);
        }
    }
    PathBuf::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalized() {
        assert_eq!(
            normalize_rel(Path::new("./src/a.ts")),
            Path::new("src/a.ts")
        );
        assert_eq!(
            normalize_rel(Path::new("src\\ui\\a.ts")),
            Path::new("src/ui/a.ts")
        );
        assert_eq!(normalize_rel(Path::new("a//b.ts")), Path::new("a/b.ts"));
    }

    #[test]
    fn long_lines_mean_minified() {
        assert!(worth_indexing("const a = 1;\n"));
        assert!(!worth_indexing(&"x".repeat(MAX_LINE_CHARS + 1)));
        assert!(worth_indexing(&"x".repeat(MAX_LINE_CHARS)));
        // 1,500 three-byte characters: long in bytes, short in characters.
        assert!(worth_indexing(&"é".repeat(1_500)));
    }

    #[test]
    fn only_regular_files_that_hold_what_they_say_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.ts");
        std::fs::write(&file, "export const a = 1;\n").unwrap();
        assert_eq!(read_source(&file).as_deref(), Some("export const a = 1;\n"));
        std::fs::write(&file, "").unwrap();
        assert_eq!(read_source(&file).as_deref(), Some(""));
        assert_eq!(read_source(dir.path()), None);
        #[cfg(target_os = "linux")]
        for special in [
            "/proc/self/environ",
            "/proc/self/status",
            "/dev/zero",
            "/dev/null",
        ] {
            assert_eq!(read_source(Path::new(special)), None, "{special}");
        }
    }

    #[test]
    fn large_texts_are_skipped() {
        let line = "let a = 1;\n";
        let big = line.repeat(MAX_FILE_BYTES as usize / line.len() + 1);
        assert!(!worth_indexing(&big));
    }
}
