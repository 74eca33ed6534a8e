//! The architecture's invariants, checked rather than hoped for (after rust-analyzer's tidy
//! tests): which layer may import which crate, no import circles between files, a doc comment at
//! the top of every source file, no printing to stdout outside the CLI surface (stdout of
//! `serve`, `mcp` and `codex-hook` is protocol), and one way into the store (the gate, which
//! keeps excluded folders out).

use std::path::{Path, PathBuf};

fn sources() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("server");
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn rel(p: &Path) -> String {
    p.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
}

/// Crates only one layer may use: (crate path prefix in code, the places allowed to use it).
const OWNED: &[(&str, &[&str])] = &[
    ("redb::", &["server/store/"]),
    ("tower_lsp", &["server/surface/"]),
    ("lsp_types", &["server/surface/"]),
    ("rmcp::", &["server/surface/"]),
    // Editing other tools' config files is a face's job; reading our own settings file is config's.
    ("toml_edit", &["server/surface/", "server/config.rs"]),
    ("tree_sitter", &["server/link/"]),
    // Following folders is write-side work: the faces start the watcher, never watch themselves.
    ("notify::", &["server/ingest/"]),
];

#[test]
fn each_owned_crate_is_imported_by_its_layer_only() {
    let mut violations = Vec::new();
    for file in sources() {
        let path = rel(&file);
        let text = std::fs::read_to_string(&file).unwrap();
        for (krate, homes) in OWNED {
            if homes.iter().any(|h| path.starts_with(h)) {
                continue;
            }
            let home = homes.join(" or ");
            for (n, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                if code.contains(krate) {
                    violations.push(format!("{path}:{}: uses {krate} outside {home}", n + 1));
                }
            }
        }
    }
    assert!(
        violations.is_empty(),
        "layer violations:\n{}",
        violations.join("\n")
    );
}

#[test]
fn inner_layers_do_not_reach_outward() {
    // Data flows one way: the write side (capture → normalize → ingest → store) and the read side
    // (store → insight → link → knowledge → the faces). No layer reaches a later one, the store
    // never depends on what feeds it, and no face reaches another.
    let rules: &[(&str, &[&str])] = &[
        (
            "server/normalize/",
            &[
                "crate::store",
                "crate::surface",
                "crate::capture",
                "crate::ingest",
            ],
        ),
        (
            "server/capture/",
            &["crate::store", "crate::surface", "crate::ingest"],
        ),
        (
            "server/store/",
            &["crate::capture", "crate::surface", "crate::ingest"],
        ),
        (
            "server/insight/",
            &[
                "crate::store",
                "crate::surface",
                "crate::capture",
                "crate::ingest",
                "crate::link",
            ],
        ),
        (
            "server/link/",
            &[
                "crate::store",
                "crate::surface",
                "crate::capture",
                "crate::ingest",
            ],
        ),
        // The write side ends at the store: ingest knows no face and nothing of the read side.
        (
            "server/ingest/",
            &[
                "crate::surface",
                "crate::knowledge",
                "crate::insight",
                "crate::link",
            ],
        ),
        // What is known serves every face and knows none of them.
        ("server/knowledge/", &["crate::surface", "crate::ingest"]),
        // What a face hears becomes an event through capture::live, which redacts inside: a face
        // never reaches for the redactor or makes up an event's identity itself.
        (
            "server/surface/",
            &[
                "normalize::redact",
                "Redactor",
                "live_event_id",
                "local_session_id",
                "EventId",
            ],
        ),
        // The faces are leaves: none imports another (the binary hands the CLI its servers).
        (
            "server/surface/cli/",
            &["crate::surface::lsp", "crate::surface::mcp"],
        ),
        (
            "server/surface/lsp/",
            &["crate::surface::cli", "crate::surface::mcp"],
        ),
        (
            "server/surface/mcp",
            &["crate::surface::cli", "crate::surface::lsp"],
        ),
    ];
    let mut violations = Vec::new();
    for file in sources() {
        let path = rel(&file);
        let text = std::fs::read_to_string(&file).unwrap();
        for (layer, banned) in rules {
            if !path.starts_with(layer) {
                continue;
            }
            for b in *banned {
                if text.contains(b) {
                    violations.push(format!("{path} uses {b}"));
                }
            }
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[test]
fn every_source_file_says_why_it_exists() {
    let missing: Vec<String> = sources()
        .into_iter()
        .filter(|f| {
            !std::fs::read_to_string(f)
                .unwrap()
                .trim_start()
                .starts_with("//!")
        })
        .map(|f| rel(&f))
        .collect();
    assert!(
        missing.is_empty(),
        "files without a leading //! doc comment: {missing:?}"
    );
}

#[test]
fn only_the_cli_prints_to_stdout() {
    let mut offenders = Vec::new();
    for file in sources() {
        let path = rel(&file);
        if path.starts_with("server/surface/cli/") || path.starts_with("server/benches/") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            if code.contains("println!(")
                || code.contains("print!(")
                || code.contains("std::io::stdout")
                || code.contains("dbg!(")
            {
                offenders.push(format!("{path}:{}", n + 1));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "stdout is protocol outside the CLI: {offenders:?}"
    );
}

/// Every write to the store goes through `ingest::gate` (`Gate::commit`), which leaves out what
/// the exclusions keep out: no other library file calls `Store::commit`. Read from the code (test
/// items, comments and strings aside): each `.commit(` call must be on the gate (`gate`,
/// `self.gate`, `batch.gate`) or on the language server's `Shared`, whose `commit` is the
/// gate's; the store itself and the gate are where `Store::commit` lives and is called.
#[test]
fn only_the_gate_commits_to_the_store() {
    let call = regex::Regex::new(r"([A-Za-z_][A-Za-z0-9_]*)(?:\(\))?\s*\.commit\(").unwrap();
    let mut offenders = Vec::new();
    for file in sources() {
        let path = rel(&file);
        if path.starts_with("server/store/")
            || path.starts_with("server/benches/")
            || path == "server/ingest/gate.rs"
        {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let code = imports::blank_test_items(&imports::blank_non_code(&text));
        for c in call.captures_iter(&code) {
            let receiver = &c[1];
            if receiver != "gate" && receiver != "shared" {
                let line = code[..c.get(0).unwrap().start()].matches('\n').count() + 1;
                offenders.push(format!("{path}:{line}: {receiver}.commit(…)"));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "the store is written only through ingest::gate::Gate::commit (exclusions):\n{}",
        offenders.join("\n")
    );
}

#[test]
fn store_tables_are_declared_in_one_place() {
    for file in sources() {
        let path = rel(&file);
        if path == "server/store/tables.rs" {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            !text.contains("TableDefinition::new"),
            "{path} declares a table outside store/tables.rs"
        );
    }
}

/// No import circles between the library's files: a file may use another only if that one does
/// not, directly or through others, use it back. The import graph is read from the source text:
///
/// - A file's module is its path under `server/`: `foo.rs` is module `foo`, a folder's `mod.rs`
///   (and `lib.rs`, the crate root) is the folder's module. `main.rs` and `benches/` are crates
///   of their own (they reach the library as `sessionlens::`), so nothing can import them.
/// - Paths starting with `crate::`, `super::` (and `super::super::`) or `self::` are resolved
///   against the file's module (and any inline `mod` it sits in), wherever they appear: `use`
///   declarations — grouped ones like `use crate::x::{a, b::c, self}` expanded, `as` renames and
///   globs like `super::*` included — and paths in code (`crate::a::b::name(…)`). So are paths
///   through a name a `use` or `mod` brought into the file (`use super::walk;` … `walk::f()`).
/// - A path lands on the deepest existing source file it names: a path to an item inside a file
///   is an edge to that file; a path that stops at a module is an edge to that module's file.
///   Written paths are not followed through re-exports: `crate::link::SymbolIndex` is an edge
///   to `link/mod.rs`.
/// - A glob (`use super::*`) is an edge to the file it names, and it also brings in what that
///   module has in scope — its items, its imports, its own globs. A name only a glob brought in
///   is an edge to the file its path there names, where the code clearly uses the item: a
///   capitalized name (type, constant) or a call (`name(`, `name!`), not shadowed by a `let`.
///   (So children that `use super::*` from a parent that glob-imports their siblings are
///   importing those siblings.)
/// - Ignored: comments and doc comments, string and char literals, attributes, items under
///   `#[cfg(test)]` (the `mod tests` blocks: test code may reach anywhere), paths into other
///   crates, and the edges from a folder's `mod.rs` (or `lib.rs`) to its own direct submodules —
///   a parent declaring and re-exporting its children is the module tree, not an import circle.
///
/// Each circle is reported as its files (a strongly connected component of the graph) with every
/// edge between them: the line of the first use and the names that tie the two files.
#[test]
fn no_import_circles_between_files() {
    let files: Vec<(String, String)> = sources()
        .iter()
        .map(|f| (rel(f), std::fs::read_to_string(f).unwrap()))
        .filter(|(path, _)| imports::module_of(path).is_some())
        .collect();
    let graph = imports::graph(&files);
    let report: Vec<String> = imports::circles(&graph)
        .iter()
        .map(|circle| imports::describe(circle, &graph))
        .collect();
    assert!(
        report.is_empty(),
        "import circles between files:\n{}",
        report.join("\n")
    );
}

/// The import graph behind `no_import_circles_between_files`: source text in, file → file edges
/// (with the names behind them) out, and the circles in it.
mod imports {
    use std::collections::{BTreeMap, BTreeSet};

    /// from → to → (line of the first use, the names used).
    pub type Graph = BTreeMap<String, BTreeMap<String, (usize, BTreeSet<String>)>>;

    /// The module path of a library file (`server/link/index.rs` → `["link", "index"]`), or
    /// `None` for a file outside the library crate.
    pub fn module_of(path: &str) -> Option<Vec<String>> {
        let inner = path.strip_prefix("server/")?.strip_suffix(".rs")?;
        if inner == "main" || inner.starts_with("benches/") {
            return None;
        }
        let mut segments: Vec<String> = inner.split('/').map(str::to_string).collect();
        if segments.last().is_some_and(|s| s == "mod" || s == "lib") {
            segments.pop();
        }
        Some(segments)
    }

    fn is_ident(c: char) -> bool {
        c.is_alphanumeric() || c == '_'
    }

    /// The text with comments (doc comments included), string, raw string and char literals
    /// blanked to spaces; line breaks are kept so line numbers still hold.
    pub fn blank_non_code(text: &str) -> String {
        let chars: Vec<char> = text.chars().collect();
        let mut out = String::with_capacity(text.len());
        let blank = |out: &mut String, from: &[char]| {
            out.extend(from.iter().map(|&c| if c == '\n' { '\n' } else { ' ' }))
        };
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            let next = chars.get(i + 1).copied();
            if c == '/' && next == Some('/') {
                let end = chars[i..]
                    .iter()
                    .position(|&c| c == '\n')
                    .map_or(chars.len(), |n| i + n);
                blank(&mut out, &chars[i..end]);
                i = end;
            } else if c == '/' && next == Some('*') {
                // Block comments nest in Rust.
                let (mut depth, mut j) = (1, i + 2);
                while j < chars.len() && depth > 0 {
                    if chars[j] == '/' && chars.get(j + 1) == Some(&'*') {
                        depth += 1;
                        j += 2;
                    } else if chars[j] == '*' && chars.get(j + 1) == Some(&'/') {
                        depth -= 1;
                        j += 2;
                    } else {
                        j += 1;
                    }
                }
                blank(&mut out, &chars[i..j]);
                i = j;
            } else if c == '"' {
                let mut j = i + 1;
                while j < chars.len() && chars[j] != '"' {
                    j += if chars[j] == '\\' { 2 } else { 1 };
                }
                let end = (j + 1).min(chars.len());
                blank(&mut out, &chars[i..end]);
                i = end;
            } else if c == '\'' {
                // A char literal ('x', '\n', '\u{..}', '"'), else a lifetime or a label.
                let end = if next == Some('\\') {
                    let rest = chars.get(i + 3..).unwrap_or_default();
                    rest.iter().position(|&c| c == '\'').map(|n| i + 3 + n + 1)
                } else if chars.get(i + 2) == Some(&'\'') {
                    Some(i + 3)
                } else {
                    None
                };
                match end {
                    Some(end) => {
                        blank(&mut out, &chars[i..end.min(chars.len())]);
                        i = end;
                    }
                    None => {
                        out.push(c);
                        i += 1;
                    }
                }
            } else if is_ident(c) && (i == 0 || !is_ident(chars[i - 1])) {
                let word_end = chars[i..]
                    .iter()
                    .position(|&c| !is_ident(c))
                    .map_or(chars.len(), |n| i + n);
                let word: String = chars[i..word_end].iter().collect();
                let hashes = chars[word_end..].iter().take_while(|&&c| c == '#').count();
                if matches!(word.as_str(), "r" | "br" | "cr")
                    && chars.get(word_end + hashes) == Some(&'"')
                {
                    // A raw string: ends at a quote followed by as many hashes as it opened with.
                    let mut j = word_end + hashes + 1;
                    while j < chars.len()
                        && !(chars[j] == '"'
                            && chars[j + 1..].iter().take_while(|&&c| c == '#').count() >= hashes)
                    {
                        j += 1;
                    }
                    let end = (j + 1 + hashes).min(chars.len());
                    blank(&mut out, &chars[i..end]);
                    i = end;
                } else {
                    out.push_str(&word);
                    i = word_end;
                }
            } else {
                out.push(c);
                i += 1;
            }
        }
        out
    }

    /// Blanks every item under `#[cfg(test)]` (with any further attributes on it): up to its
    /// `;`, or through its braces. Expects text already through `blank_non_code`.
    pub fn blank_test_items(code: &str) -> String {
        const ATTR: &str = "#[cfg(test)]";
        let mut chars: Vec<char> = code.chars().collect();
        let attr: Vec<char> = ATTR.chars().collect();
        let mut i = 0;
        while i + attr.len() <= chars.len() {
            if chars[i..i + attr.len()] != attr[..] {
                i += 1;
                continue;
            }
            let (mut j, mut depth, mut braces) = (i + attr.len(), 0i32, 0i32);
            while j < chars.len() {
                match chars[j] {
                    '(' | '[' => depth += 1,
                    ')' | ']' => depth -= 1,
                    ';' if depth == 0 && braces == 0 => break,
                    '{' if depth == 0 => braces += 1,
                    '}' if depth == 0 => {
                        braces -= 1;
                        if braces == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            let end = (j + 1).min(chars.len());
            for c in &mut chars[i..end] {
                if *c != '\n' {
                    *c = ' ';
                }
            }
            i = end;
        }
        chars.into_iter().collect()
    }

    /// Tokens of blanked code with their 1-based line: identifiers (`$crate` as `crate`), `::`,
    /// and single punctuation characters.
    fn tokens(code: &str) -> Vec<(String, usize)> {
        let chars: Vec<char> = code.chars().collect();
        let (mut out, mut line, mut i) = (Vec::new(), 1, 0);
        while i < chars.len() {
            let c = chars[i];
            if c == '\n' {
                line += 1;
                i += 1;
            } else if c.is_whitespace() {
                i += 1;
            } else if is_ident(c) {
                let end = chars[i..]
                    .iter()
                    .position(|&c| !is_ident(c))
                    .map_or(chars.len(), |n| i + n);
                out.push((chars[i..end].iter().collect(), line));
                i = end;
            } else if c == ':' && chars.get(i + 1) == Some(&':') {
                out.push(("::".to_string(), line));
                i += 2;
            } else if c == '$' && chars[i + 1..].starts_with(&['c', 'r', 'a', 't', 'e']) {
                i += 1;
            } else {
                out.push((c.to_string(), line));
                i += 1;
            }
        }
        out
    }

    /// One path a `use` declares (as written) and the name it is known by (`None` for a glob).
    type UseTree = (Vec<String>, Option<String>);

    /// Expands one use tree at `pos` (`a::b`, `a::{b, c::*}`, `a as b`) into full paths, each
    /// with the name it is known by in the file (`None` for a glob).
    fn use_tree(
        toks: &[(String, usize)],
        pos: &mut usize,
        prefix: Vec<String>,
        out: &mut Vec<UseTree>,
    ) {
        let tok = |p: usize| toks.get(p).map_or("", |t| t.0.as_str());
        let mut path = prefix;
        loop {
            match tok(*pos) {
                "::" => *pos += 1,
                "*" => {
                    path.push("*".to_string());
                    *pos += 1;
                    break;
                }
                "{" => {
                    *pos += 1;
                    while !matches!(tok(*pos), "}" | "") {
                        use_tree(toks, pos, path.clone(), out);
                        if tok(*pos) == "," {
                            *pos += 1;
                        }
                    }
                    *pos += 1;
                    return;
                }
                t if is_name(t) && t != "as" => {
                    path.push(t.to_string());
                    *pos += 1;
                    if tok(*pos) != "::" {
                        break;
                    }
                }
                _ => break,
            }
        }
        let mut local = path
            .iter()
            .rev()
            .find(|s| *s != "self")
            .filter(|s| *s != "*")
            .cloned();
        if tok(*pos) == "as" {
            local = Some(tok(*pos + 1).to_string());
            *pos += 2;
        }
        out.push((path, local));
    }

    /// What one file says, read once: its module, its code's tokens (test items blanked), the
    /// names it defines at its top level, and its `use` trees.
    struct File {
        path: String,
        module: Vec<String>,
        toks: Vec<(String, usize)>,
        /// Top-level items and `mod` declarations → their absolute path.
        defs: BTreeMap<String, Vec<String>>,
        /// Each `use` declaration's trees, in order.
        uses: Vec<Vec<UseTree>>,
    }

    const ITEM_KEYWORDS: &[&str] = &[
        "fn", "struct", "enum", "trait", "const", "static", "type", "union", "mod",
    ];

    fn is_name(t: &str) -> bool {
        t.starts_with(|c: char| c.is_alphabetic() || c == '_')
    }

    fn read_file(path: &str, text: &str) -> Option<File> {
        let module = module_of(path)?;
        let toks = tokens(&blank_test_items(&blank_non_code(text)));
        let tok = |p: usize| toks.get(p).map_or("", |t| t.0.as_str());
        let (mut defs, mut uses, mut depth, mut i) = (BTreeMap::new(), Vec::new(), 0, 0);
        while i < toks.len() {
            match tok(i) {
                "{" => depth += 1,
                "}" => depth -= 1,
                "use" => {
                    let mut pos = i + 1;
                    let mut trees = Vec::new();
                    use_tree(&toks, &mut pos, Vec::new(), &mut trees);
                    uses.push(trees);
                    i = pos;
                    continue;
                }
                "macro_rules" if depth == 0 && tok(i + 1) == "!" => {
                    defs.insert(
                        tok(i + 2).to_string(),
                        [&module[..], &[tok(i + 2).to_string()]].concat(),
                    );
                }
                k if depth == 0 && ITEM_KEYWORDS.contains(&k) && is_name(tok(i + 1)) => {
                    let name = tok(i + 1).to_string();
                    defs.insert(name.clone(), [&module[..], &[name]].concat());
                }
                _ => {}
            }
            i += 1;
        }
        Some(File {
            path: path.to_string(),
            module,
            toks,
            defs,
            uses,
        })
    }

    /// A path as written in module `here` made absolute: from `crate`, `self`, `super`, or a
    /// name in `scope`; `None` for another crate's path.
    fn absolute(
        path: &[String],
        here: &[String],
        scope: &BTreeMap<String, (Vec<String>, bool)>,
    ) -> Option<Vec<String>> {
        let first = path.first()?;
        let (mut base, rest): (Vec<String>, &[String]) = match first.as_str() {
            "crate" => (Vec::new(), &path[1..]),
            "self" | "super" => (here.to_vec(), path),
            name => (scope.get(name)?.0.clone(), &path[1..]),
        };
        for segment in rest {
            match segment.as_str() {
                "self" => {}
                "super" => {
                    base.pop();
                }
                name => base.push(name.to_string()),
            }
        }
        Some(base)
    }

    /// Names in scope at a file's top level → (absolute path, whether only a glob brought it
    /// in). Its own items and `use` names come first; a glob (`use super::*`) adds the names in
    /// scope in the module it names — that module's items, imports and globs in turn.
    fn scope(
        file: &File,
        files: &BTreeMap<Vec<String>, File>,
        visiting: &mut BTreeSet<Vec<String>>,
    ) -> BTreeMap<String, (Vec<String>, bool)> {
        let mut names: BTreeMap<String, (Vec<String>, bool)> = file
            .defs
            .iter()
            .map(|(n, p)| (n.clone(), (p.clone(), false)))
            .collect();
        let mut globs = Vec::new();
        for trees in &file.uses {
            for (tree, local) in trees {
                let Some(abs) = absolute(tree, &file.module, &names) else {
                    continue;
                };
                match local {
                    Some(local) => {
                        names.insert(local.clone(), (abs, false));
                    }
                    None => globs.push(abs[..abs.len() - 1].to_vec()),
                }
            }
        }
        visiting.insert(file.module.clone());
        for glob in globs {
            let Some(other) = files.get(&glob) else {
                continue;
            };
            if visiting.contains(&glob) {
                continue;
            }
            for (name, (abs, _)) in scope(other, files, visiting) {
                names.entry(name).or_insert((abs, true));
            }
        }
        visiting.remove(&file.module);
        names
    }

    /// Every crate-relative path one file's code uses, with its line, made absolute (items and
    /// `*` as trailing segments). Besides written paths (`use` trees, `crate::`, `super::`,
    /// `self::` and `name::` through a name in scope), a bare name only a glob brought in counts
    /// where it is clearly the item — a type or constant (capitalized), or a call (`name(`,
    /// `name!`) — so a local variable that happens to share a function's name does not.
    fn paths_of(file: &File, files: &BTreeMap<Vec<String>, File>) -> Vec<(usize, Vec<String>)> {
        let scope = scope(file, files, &mut BTreeSet::new());
        let toks = &file.toks;
        let tok = |p: usize| toks.get(p).map_or("", |t| t.0.as_str());
        // Locals (`let name`, `let mut name`) shadow what a glob brought in.
        let locals: BTreeSet<&str> = (0..toks.len())
            .filter(|&i| tok(i) == "let")
            .map(|i| {
                if tok(i + 1) == "mut" {
                    tok(i + 2)
                } else {
                    tok(i + 1)
                }
            })
            .collect();
        let mut out = Vec::new();
        let mut uses = file.uses.iter();
        // Inline modules the scan is in: (name, brace depth inside it).
        let mut inline: Vec<(String, usize)> = Vec::new();
        let (mut depth, mut i) = (0, 0);
        while i < toks.len() {
            let here: Vec<String> = file
                .module
                .iter()
                .cloned()
                .chain(inline.iter().map(|(m, _)| m.clone()))
                .collect();
            let line = toks[i].1;
            let after_path = matches!(tok(i.wrapping_sub(1)), "::" | ".");
            match tok(i) {
                "{" => depth += 1,
                "}" => {
                    if inline.last().is_some_and(|(_, d)| *d == depth) {
                        inline.pop();
                    }
                    depth -= 1;
                }
                "mod" if tok(i + 2) == "{" => inline.push((tok(i + 1).to_string(), depth + 1)),
                // An attribute (`#[derive(…)]`) names macros and options, not items.
                "#" if matches!(tok(i + 1), "[" | "!") => {
                    let mut brackets = 0;
                    while !tok(i).is_empty() {
                        match tok(i) {
                            "[" => brackets += 1,
                            "]" => {
                                brackets -= 1;
                                if brackets == 0 {
                                    break;
                                }
                            }
                            _ => {}
                        }
                        i += 1;
                    }
                }
                "use" => {
                    let trees = uses.next().expect("every use was read");
                    for (tree, _) in trees {
                        if let Some(abs) = absolute(tree, &here, &scope) {
                            out.push((line, abs));
                        }
                    }
                    // Past the use trees: to the `;` that ends the declaration.
                    while !matches!(tok(i), ";" | "") {
                        i += 1;
                    }
                }
                first if tok(i + 1) == "::" && !after_path => {
                    let mut path = vec![first.to_string()];
                    let mut pos = i + 1;
                    while tok(pos) == "::" && is_name(tok(pos + 1)) {
                        path.push(tok(pos + 1).to_string());
                        pos += 2;
                    }
                    if let Some(abs) = absolute(&path, &here, &scope) {
                        out.push((line, abs));
                    }
                    i = pos;
                    continue;
                }
                name if is_name(name) && !after_path => {
                    let defined_here = ITEM_KEYWORDS.contains(&tok(i.wrapping_sub(1)));
                    let item_like =
                        name.starts_with(char::is_uppercase) || matches!(tok(i + 1), "(" | "!");
                    if let Some((abs, true)) = scope.get(name) {
                        if item_like && !defined_here && !locals.contains(name) {
                            out.push((line, abs.clone()));
                        }
                    }
                }
                _ => {}
            }
            i += 1;
        }
        out
    }

    /// The file → file import graph of the given library files (path under the repository,
    /// source text).
    pub fn graph(sources: &[(String, String)]) -> Graph {
        let files: BTreeMap<Vec<String>, File> = sources
            .iter()
            .filter_map(|(path, text)| read_file(path, text))
            .map(|f| (f.module.clone(), f))
            .collect();
        let mut graph = Graph::new();
        for file in files.values() {
            let (from, module) = (&file.path, &file.module);
            let is_parent = from.ends_with("/mod.rs") || from == "server/lib.rs";
            for (line, abs) in paths_of(file, &files) {
                // The deepest existing file the path names, and what it names inside it.
                let Some(depth) = (0..=abs.len())
                    .rev()
                    .find(|&n| files.contains_key(&abs[..n]))
                else {
                    continue;
                };
                let to = &files[&abs[..depth]].path;
                let own_child = is_parent && depth == module.len() + 1 && abs.starts_with(module);
                if to == from || own_child {
                    continue;
                }
                // The item used from the file, or the module itself.
                let name = match abs.get(depth) {
                    Some(item) => item.clone(),
                    None => format!("mod {}", abs.last().map_or("crate", String::as_str)),
                };
                let edge = graph
                    .entry(from.clone())
                    .or_default()
                    .entry(to.clone())
                    .or_insert((line, BTreeSet::new()));
                edge.0 = edge.0.min(line);
                edge.1.insert(name);
            }
        }
        graph
    }

    fn reachable(graph: &Graph, from: &str) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.to_string()];
        while let Some(file) = stack.pop() {
            for to in graph.get(&file).into_iter().flat_map(|m| m.keys()) {
                if seen.insert(to.clone()) {
                    stack.push(to.clone());
                }
            }
        }
        seen
    }

    /// The circles: each set of two or more files that all reach one another, sorted.
    pub fn circles(graph: &Graph) -> Vec<Vec<String>> {
        let reach: BTreeMap<&String, BTreeSet<String>> =
            graph.keys().map(|f| (f, reachable(graph, f))).collect();
        let mut out: BTreeSet<Vec<String>> = BTreeSet::new();
        for (file, reached) in &reach {
            if !reached.contains(*file) {
                continue;
            }
            let component: Vec<String> = reached
                .iter()
                .filter(|other| reach.get(other).is_some_and(|back| back.contains(*file)))
                .cloned()
                .collect();
            out.insert(component);
        }
        out.into_iter().collect()
    }

    /// One circle for a person: its files, then every edge between them and the names behind it.
    pub fn describe(circle: &[String], graph: &Graph) -> String {
        let mut text = format!("circle: {}", circle.join(" ⇄ "));
        for from in circle {
            for (to, (line, names)) in graph.get(from).into_iter().flatten() {
                if circle.contains(to) {
                    let names: Vec<&str> = names.iter().map(String::as_str).collect();
                    text.push_str(&format!("\n  {from}:{line} → {to}: {}", names.join(", ")));
                }
            }
        }
        text
    }

    mod checks {
        use super::*;

        fn files(list: &[(&str, &str)]) -> Vec<(String, String)> {
            list.iter()
                .map(|(p, t)| (p.to_string(), t.to_string()))
                .collect()
        }

        fn edges(graph: &Graph) -> Vec<String> {
            graph
                .iter()
                .flat_map(|(from, tos)| {
                    tos.iter().map(move |(to, (_, names))| {
                        let names: Vec<&str> = names.iter().map(String::as_str).collect();
                        format!("{from} -> {to}: {}", names.join(","))
                    })
                })
                .collect()
        }

        /// A small tree: `a/mod.rs` with children `x.rs`, `y.rs`, folder `a/deep/`, and `b.rs`.
        fn tree(x: &str, y: &str) -> Vec<(String, String)> {
            files(&[
                ("server/lib.rs", "//! root\npub mod a;\npub mod b;\n"),
                (
                    "server/a/mod.rs",
                    "mod x;\nmod y;\nmod deep;\npub use x::Thing;\n",
                ),
                ("server/a/x.rs", x),
                ("server/a/y.rs", y),
                ("server/a/deep/mod.rs", "mod z;\n"),
                ("server/a/deep/z.rs", "pub fn zed() {}\n"),
                ("server/b.rs", "pub fn bee() {}\n"),
            ])
        }

        #[test]
        fn modules_come_from_paths() {
            let m = |p| module_of(p).map(|v| v.join("::"));
            assert_eq!(m("server/lib.rs").as_deref(), Some(""));
            assert_eq!(m("server/link/mod.rs").as_deref(), Some("link"));
            assert_eq!(m("server/link/index.rs").as_deref(), Some("link::index"));
            assert_eq!(m("server/main.rs"), None);
            assert_eq!(m("server/benches/lsp.rs"), None);
        }

        #[test]
        fn grouped_globbed_relative_and_code_paths_resolve_to_the_deepest_file() {
            let x = "use super::{y::{helper, Other as O}, deep::{self, z as zz}};\n\
                     use crate::b::*;\n\
                     fn f() { zz::zed(); self::g(); O::new(); s.zz::x(); }\n\
                     fn g() { super::Thing::new(); }\n";
            let graph = graph(&tree(x, "pub fn helper() {}\n"));
            assert_eq!(
                edges(&graph),
                [
                    "server/a/x.rs -> server/a/deep/mod.rs: mod deep",
                    "server/a/x.rs -> server/a/deep/z.rs: mod z,zed",
                    "server/a/x.rs -> server/a/mod.rs: Thing",
                    "server/a/x.rs -> server/a/y.rs: Other,helper",
                    "server/a/x.rs -> server/b.rs: *",
                ]
            );
        }

        #[test]
        fn super_of_a_mod_rs_is_its_parent_folder() {
            let mut tree = tree("", "");
            tree[4].1 = "mod z;\nuse super::super::b::bee;\nuse super::x::X;\n".to_string();
            assert_eq!(
                edges(&graph(&tree)),
                [
                    "server/a/deep/mod.rs -> server/a/x.rs: X",
                    "server/a/deep/mod.rs -> server/b.rs: bee",
                ]
            );
        }

        #[test]
        fn comments_strings_chars_and_test_items_are_not_imports() {
            let x = "//! uses crate::b::bee in prose\n\
                     /* crate::b::bee /* nested */ crate::b::bee */\n\
                     fn f<'a>(s: &'a str) -> char {\n\
                     let _ = \"crate::b::bee\"; let _ = r#\"use crate::b::bee;\"#;\n\
                     let _ = b\"\\\"crate::b\"; let q = '\"'; let _ = '{'; let _ = '\\'';\n\
                     q }\n\
                     #[cfg(test)]\n#[allow(unused)]\nmod tests { use crate::a::y::helper; }\n\
                     #[cfg(test)]\nfn only_in_tests() -> [u8; 1] { crate::b::bee(); [0] }\n\
                     pub fn after() { crate::a::deep::z::zed(); }\n";
            let graph = graph(&tree(x, ""));
            assert_eq!(edges(&graph), ["server/a/x.rs -> server/a/deep/z.rs: zed"]);
            assert_eq!(graph["server/a/x.rs"]["server/a/deep/z.rs"].0, 12);
        }

        #[test]
        fn a_parent_reaching_its_children_is_the_tree_but_a_grandchild_is_an_import() {
            let mut tree = tree("", "");
            tree[1].1 = "mod x;\nmod y;\nmod deep;\npub use x::Thing;\n\
                         use self::y::helper;\nuse self::deep::z::zed;\nuse crate::b::bee;\n"
                .to_string();
            assert_eq!(
                edges(&graph(&tree)),
                [
                    "server/a/mod.rs -> server/a/deep/z.rs: zed",
                    "server/a/mod.rs -> server/b.rs: bee",
                ]
            );
        }

        #[test]
        fn a_name_a_glob_brought_in_is_an_import_of_the_file_that_defines_it() {
            let mut tree = tree(
                "pub fn helper() {}\npub struct Thing;\npub fn closure() {}\n",
                "use super::*;\n\
                 #[derive(Debug)]\nstruct S;\n\
                 fn f(x: Thing) { helper(); Shared; let closure = || 1; closure(); helper; }\n",
            );
            tree[1].1 = "mod x;\nmod y;\nmod deep;\nuse x::*;\n\
                         pub struct Shared;\npub fn derive() {}\n"
                .to_string();
            assert_eq!(
                edges(&graph(&tree)),
                [
                    "server/a/y.rs -> server/a/mod.rs: *,Shared",
                    "server/a/y.rs -> server/a/x.rs: Thing,helper",
                ]
            );
        }

        #[test]
        fn inline_modules_move_super_down_a_level() {
            let x = "mod inner {\n\
                     use super::local;\n\
                     pub fn local2() { super::super::y::helper(); }\n\
                     }\n\
                     fn local() {}\n";
            assert_eq!(
                edges(&graph(&tree(x, ""))),
                ["server/a/x.rs -> server/a/y.rs: helper"]
            );
        }

        #[test]
        fn circles_are_found_with_the_names_that_tie_them() {
            let both_ways = graph(&tree(
                "use super::y::helper;\n",
                "pub fn helper() { super::x::back(); }\n",
            ));
            let found = circles(&both_ways);
            assert_eq!(found, [["server/a/x.rs", "server/a/y.rs"]]);
            assert_eq!(
                describe(&found[0], &both_ways),
                "circle: server/a/x.rs ⇄ server/a/y.rs\
                 \n  server/a/x.rs:1 → server/a/y.rs: helper\
                 \n  server/a/y.rs:1 → server/a/x.rs: back"
            );
            // One way only is no circle, and neither is a child using the parent that declares
            // it (`a/mod.rs` re-exports `x::Thing`; `x.rs` uses `super::Thing`).
            let one_way = graph(&tree(
                "use super::y::helper;\nuse super::Thing;\n",
                "pub fn helper() {}\n",
            ));
            assert!(circles(&one_way).is_empty());
        }
    }
}
