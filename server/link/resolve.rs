//! Links an insight to the workspace's symbols, strongest evidence first: the hunks the
//! assistant's patches touched in that turn, the file locations in failing output, then the
//! identifiers written as code — workspace definitions by name, and for an external name such as
//! `useEffect` the workspace definitions that use it. Anchors are symbol paths re-resolved against
//! the current tree on every call, so links survive edits.

use super::{Definition, Lang, RefKind, SymbolIndex, SymbolKind, lang_for_path};
use crate::insight::{Insight, Kind, Location};
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
/// A decision is about everything its change made (a module split, a feature's parts), so it
/// keeps a few more.
const MAX_DECISION: usize = 8;

/// `sub` is the session folder's path inside the index root (paths in the insight are relative
/// to the session folder).
pub fn link(index: &SymbolIndex, insight: &Insight, sub: Option<&Path>) -> Vec<LinkedSymbol> {
    let mut found: Vec<&Definition> = Vec::new();
    // Constants, variables and fields are where the evidence lands, not what it is about,
    // unless the developer named them: they take no place among the links.
    let named = &insight.anchors.identifiers;
    // What the developer named, then what the conversation spelled out: among the definitions a
    // change touched, these come first.
    let spoken = Salience::of(insight);
    let max = if insight.kind == Kind::Decision {
        MAX_DECISION
    } else {
        MAX
    };
    fn add<'a>(d: &'a Definition, found: &mut Vec<&'a Definition>, named: &[String], max: usize) {
        if found.len() < max
            && (!is_value(d) || named.iter().any(|n| *n == d.name))
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
    // What the patches changed, the definitions that took most of it first (a patch that
    // rewrites two functions and touches six others in passing is about the two), then what
    // failing output pointed at.
    // An error's own locations come first: they are where it happened.
    if insight.kind == Kind::Error {
        for loc in &insight.anchors.errors {
            for (d, _) in at_location(index, &to_rel(&loc.file), loc, &spoken) {
                add(d, &mut found, named, max);
            }
        }
    }
    let mut changed: Vec<(&Definition, usize, usize)> = Vec::new();
    for loc in &insight.anchors.edits {
        for (place, (d, weight)) in at_location(index, &to_rel(&loc.file), loc, &spoken)
            .into_iter()
            .enumerate()
        {
            match changed.iter_mut().find(|(c, _, _)| std::ptr::eq(*c, d)) {
                Some((_, w, _)) => *w += weight,
                None => changed.push((d, weight, place)),
            }
        }
    }
    // Among equals, each file's first before any file's second: a change over six new
    // files is about the six, not the first file's helpers.
    // What was named comes first, each file's first named before any file's second.
    // A question about a name the workspace does not define (`useEffect`) is about the code
    // that uses it: of what the answer's change touched, only that, when any of it does.
    if matches!(insight.kind, Kind::Gap | Kind::Confusion) && is_code_name(&insight.topic) {
        let topic = insight.topic.as_str();
        if index.definitions(topic).is_empty() {
            let users: Vec<&Definition> = index
                .references(topic)
                .into_iter()
                .filter_map(|r| enclosing_subject(index, &r.file, r.line))
                .collect();
            if changed
                .iter()
                .any(|(d, _, _)| users.iter().any(|u| std::ptr::eq(*u, *d)))
            {
                changed.retain(|(d, _, _)| users.iter().any(|u| std::ptr::eq(*u, *d)));
            }
        }
    }
    // A change that touched code and style is about its code first: style rules come last.
    // Among the files' equals, what other files use first, the biggest of it first.
    changed.sort_by_cached_key(|(d, w, place)| {
        let rule = d.kind == SymbolKind::Rule;
        let interface = (
            std::cmp::Reverse(used_elsewhere(index, d)),
            std::cmp::Reverse(d.end_line.saturating_sub(d.line)),
        );
        match tier(&spoken, d, *w) {
            t @ (0 | 1) if spoken.rank(&d.name).is_some() => (rule, t, *place, 0, interface),
            t => (rule, t, usize::MAX - *w, *place, interface),
        }
    });
    // A decision or a follow-up is about what was built, and its style follows from that: its
    // rules are linked only when the change was all style.
    let feature = matches!(insight.kind, Kind::Decision | Kind::FollowUp);
    let all_style = changed.iter().all(|(d, _, _)| d.kind == SymbolKind::Rule);
    for (d, _, _) in changed {
        if d.kind == SymbolKind::Rule && feature && !all_style {
            continue;
        }
        add(d, &mut found, named, max);
    }
    for loc in &insight.anchors.errors {
        for (d, _) in at_location(index, &to_rel(&loc.file), loc, &spoken) {
            add(d, &mut found, named, max);
        }
    }
    // A style rule is drawn by the code that applies its classes: a struggle with
    // `.square.capture::before` is also one with the function that adds `capture`.
    let rules: Vec<&Definition> = found
        .iter()
        .copied()
        .filter(|d| d.kind == SymbolKind::Rule)
        .collect();
    for d in appliers(index, &rules) {
        add(d, &mut found, named, max);
    }
    for name in &insight.anchors.identifiers {
        let defs = index.definitions(name);
        if !defs.is_empty() {
            for d in defs.into_iter().take(2) {
                add(d, &mut found, named, max);
            }
            continue;
        }
        // An external name: the workspace definitions that call, import or render it (a
        // plain value use of a word like `file` or `df`, or a CSS class of that name, is not
        // evidence).
        for r in index
            .references(name)
            .into_iter()
            .filter(|r| !matches!(r.kind, RefKind::Identifier | RefKind::Class))
            .take(3)
        {
            if let Some(d) = index.enclosing_definition(&r.file, r.line) {
                add(d, &mut found, named, max);
            }
        }
    }
    // A failure's explanation names the code it comes down to first (the test failed in
    // `tally_merges_counts`; the explanation says `merge` is wrong). The pass that ended a
    // failure nothing else places is about the same code.
    let explained = match insight.kind {
        Kind::Error => true,
        Kind::Success => found.is_empty(),
        _ => false,
    };
    if explained {
        if let Some(d) = insight.anchors.discussed.iter().find_map(|name| {
            index
                .definitions(name)
                .into_iter()
                .find(|d| !is_value(d) && d.kind != SymbolKind::Module)
        }) {
            add(d, &mut found, named, max);
        }
    }
    // Nothing else places it, and its topic is a module's name ("no AI for now" beside
    // `ai.js`): it is about that module's interface.
    if found.is_empty() {
        if let Some(d) = module_named(index, &insight.topic) {
            add(d, &mut found, named, max);
        }
    }
    found
        .into_iter()
        .map(|d| LinkedSymbol {
            name: d.name.to_string(),
            kind: d.kind,
            file: d.file.to_string_lossy().replace('\\', "/"),
            line: d.line + 1,
        })
        .collect()
}

/// How many definitions may apply a class for it to say which code renders a rule: `btn` or
/// `hidden`, applied all over, says nothing.
const SPECIFIC_CLASS: usize = 3;
/// At most this many definitions are linked as the code that renders a set of rules.
const APPLIERS: usize = 2;

/// The definitions outside style sheets that apply the classes the `rules`' selectors name,
/// those applying most of them first.
fn appliers<'a>(index: &'a SymbolIndex, rules: &[&Definition]) -> Vec<&'a Definition> {
    let mut classes: Vec<&str> = Vec::new();
    for rule in rules {
        for r in index.references_in(&rule.file) {
            if r.kind == RefKind::Class
                && (rule.line..=rule.end_line).contains(&r.line)
                && r.container.last() == Some(&rule.name)
                && !classes.contains(&r.name.as_str())
            {
                classes.push(&r.name);
            }
        }
    }
    let mut scored: Vec<(&Definition, usize)> = Vec::new();
    for class in classes {
        let mut by: Vec<&Definition> = Vec::new();
        for r in index.references(class) {
            if r.kind != RefKind::Class || lang_for_path(&r.file) == Some(Lang::Css) {
                continue;
            }
            if let Some(d) = enclosing_subject(index, &r.file, r.line) {
                if !by.iter().any(|b| std::ptr::eq(*b, d)) {
                    by.push(d);
                }
            }
        }
        if by.len() > SPECIFIC_CLASS {
            continue;
        }
        for d in by {
            match scored.iter_mut().find(|(s, _)| std::ptr::eq(*s, d)) {
                Some((_, n)) => *n += 1,
                None => scored.push((d, 1)),
            }
        }
    }
    scored.sort_by_key(|(d, n)| (std::cmp::Reverse(*n), d.file.clone(), d.line));
    scored.into_iter().take(APPLIERS).map(|(d, _)| d).collect()
}

/// What an insight says about which code it means: the names the developer wrote, then the names
/// the conversation spelled out, then the words of its topic (a "pre-move" decision is first
/// about `setPremove` and `processPremoves` among everything its change touched).
struct Salience<'a> {
    named: &'a [String],
    discussed: &'a [String],
    words: Vec<String>,
}

impl<'a> Salience<'a> {
    fn of(insight: &'a Insight) -> Salience<'a> {
        // Topic words as a name would hold them: "pre-move" is `premove`, "drag and drop"
        // `drag` and `drop`; short words and file names say too little.
        let words = insight
            .topic
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':' | '/' | '(' | ')'))
            .filter(|w| !w.contains('.'))
            .map(|w| {
                w.chars()
                    .filter(|c| c.is_alphanumeric() || *c == '_')
                    .collect::<String>()
                    .to_lowercase()
            })
            .filter(|w| w.chars().count() >= 4)
            .chain(insight.anchors.words.iter().map(|w| w.to_lowercase()))
            .collect();
        Salience {
            named: &insight.anchors.identifiers,
            discussed: &insight.anchors.discussed,
            words,
        }
    }

    /// How early a definition of this name comes: named ones in the order named, then the
    /// ones the conversation spelled out (all alike: an answer lists a module's helpers beside
    /// its entry points), then those named after the topic; `None` for the rest.
    fn rank(&self, name: &str) -> Option<usize> {
        if let Some(i) = self.named.iter().position(|n| n == name) {
            return Some(i);
        }
        if self.discussed.iter().any(|n| n == name) {
            return Some(self.named.len());
        }
        let lower = name.to_lowercase();
        self.words
            .iter()
            .any(|w| lower.contains(w.as_str()))
            .then_some(self.named.len() + 1)
    }
}

/// The entry point of the one module whose file is named like `topic` (`AI` → `ai.js`): of its
/// definitions, one other files use, else one its own file does not call (`findBestMove`, not
/// the `minimax` it calls), the biggest first.
fn module_named<'a>(index: &'a SymbolIndex, topic: &str) -> Option<&'a Definition> {
    let topic = topic.trim();
    if topic.len() < 2
        || !topic
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
    {
        return None;
    }
    let mut files = index.files().into_iter().filter(|f| {
        f.file_stem()
            .and_then(|s| s.to_str())
            .is_some_and(|s| s.eq_ignore_ascii_case(topic))
    });
    let file = files.next()?;
    if files.next().is_some() {
        return None;
    }
    index
        .definitions_in(file)
        .iter()
        .filter(|d| !is_value(d) && d.container.is_empty())
        .max_by_key(|d| {
            let called_here = index
                .references(&d.name)
                .iter()
                .any(|r| r.file == d.file && r.line != d.line);
            (
                used_elsewhere(index, d),
                !called_here,
                d.end_line.saturating_sub(d.line),
            )
        })
}

/// Whether a topic is one name as code spells it (`useEffect`, `read_csv`, `HashMap`), not a
/// phrase or a plain word.
fn is_code_name(topic: &str) -> bool {
    let ident = !topic.is_empty()
        && topic
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
        && !topic.starts_with(|c: char| c.is_ascii_digit());
    let shaped = topic.contains('_')
        || topic
            .char_indices()
            .skip(1)
            .any(|(_, c)| c.is_ascii_uppercase())
            && topic.chars().any(|c| c.is_ascii_lowercase());
    ident && shaped
}

/// Constants, variables and fields: where evidence lands, rarely what it is about.
fn is_value(d: &Definition) -> bool {
    matches!(
        d.kind,
        SymbolKind::Constant | SymbolKind::Variable | SymbolKind::Field
    )
}

/// The innermost definition around a line that is not a value: a field added to a struct or a
/// local declared in a function changes that struct or function.
fn enclosing_subject<'a>(index: &'a SymbolIndex, file: &Path, line: u32) -> Option<&'a Definition> {
    index.enclosing_where(file, line, |d| !is_value(d))
}

/// How many other files of its language a moved change is looked for in.
const MOVED_SEARCH_FILES: usize = 400;

/// The definitions a location points at, each with how much of the change it holds.
fn at_location<'a>(
    index: &'a SymbolIndex,
    file: &Path,
    loc: &Location,
    spoken: &Salience,
) -> Vec<(&'a Definition, usize)> {
    if !index.has_file(file) {
        return moved(index, file, loc, spoken);
    }
    // Lines the patch added, found in the file as it is now: the definitions around them.
    if !loc.added.is_empty() {
        let mut defs = added_lines_in(index, file, &loc.added, loc.created, spoken);
        if !defs.is_empty() {
            // A change inside a nested function whose hunk names the one around it
            // (`@@ export function useTodos() {` over `addTodo`) is about both.
            if let Some(ctx) = &loc.context {
                let around: Vec<&Definition> = index
                    .definitions_in(file)
                    .iter()
                    .filter(|o| {
                        mentions(ctx, &o.name)
                            && defs.iter().any(|(d, _)| {
                                d.container.last() == Some(&o.name)
                                    && o.line < d.line
                                    && d.end_line <= o.end_line
                            })
                    })
                    .collect();
                for o in around {
                    if !defs.iter().any(|(d, _)| std::ptr::eq(*d, o)) {
                        defs.push((o, 1));
                    }
                }
            }
            return defs;
        }
    }
    // A traceback frame names its function (`line 214, in main`): a stronger anchor than a
    // line number from an older version of the file.
    if let (Some(_), Some(ctx)) = (loc.line, &loc.context) {
        if let Some(d) = index.definitions_in(file).iter().find(|d| d.name == *ctx) {
            return vec![(d, 1)];
        }
    }
    if let Some(line) = loc.line {
        return index
            .enclosing_definition(file, line.saturating_sub(1))
            .map(|d| (d, 1))
            .into_iter()
            .collect();
    }
    // An apply_patch hunk without numbers: its anchor text names the definition
    // (`@@ function App() {`, `@@ def load(self):`, `@@ impl Parser {`).
    if let Some(ctx) = &loc.context {
        let defs: Vec<(&Definition, usize)> = index
            .definitions_in(file)
            .iter()
            .filter(|d| mentions(ctx, &d.name))
            .take(2)
            .map(|d| (d, 1))
            .collect();
        if !defs.is_empty() {
            return defs;
        }
    }
    // The file is still there but the change is not: it moved to another file.
    moved(index, file, loc, spoken)
}

/// How much a line that defines something counts against one inside a body: a patch that adds
/// `function isOnCooldown(idx) {` made that function.
const DEFINING_LINE: usize = 3;

/// The definitions around the lines of `file` (as it is now) that a patch added, each with how
/// many of those lines it holds, most first; at most three.
fn added_lines_in<'a>(
    index: &'a SymbolIndex,
    file: &Path,
    added: &[String],
    created: bool,
    spoken: &Salience,
) -> Vec<(&'a Definition, usize)> {
    let mut defs: Vec<(&Definition, usize)> = Vec::new();
    let Some(text) = super::read_source(&index.root().join(file)) else {
        return defs;
    };
    let lines: Vec<&str> = text.lines().map(normal).collect();
    let added: Vec<&str> = added.iter().map(|a| normal(a)).collect();
    // A definition the patch wrote whose parameters changed since (`generateLegalMoves(game)`,
    // now `generateLegalMoves(game, activeColor)`) is still the one it wrote: its head, up to
    // the parameters, is found where a definition starts now.
    let heads: Vec<&str> = added.iter().filter_map(|a| signature_head(a)).collect();
    let hits: Vec<usize> = (0..lines.len())
        .filter(|&n| {
            !lines[n].is_empty()
                && (added.contains(&lines[n])
                    || signature_head(lines[n]).is_some_and(|h| {
                        heads.contains(&h)
                            && enclosing_subject(index, file, n as u32)
                                .is_some_and(|d| d.line == n as u32)
                    }))
        })
        .collect();
    // A line found in several places (`return []`, `for line in f:`) says little about which
    // of them changed; it counts only when no line is found once, or in the one of its places
    // that stands in a definition named after what the insight is about.
    let named_here = |m: usize| {
        enclosing_subject(index, file, m as u32).is_some_and(|d| spoken.rank(&d.name).is_some())
    };
    let once = |n: &usize| {
        let places: Vec<usize> = hits
            .iter()
            .copied()
            .filter(|&m| lines[m] == lines[*n])
            .collect();
        places.len() == 1
            || (named_here(*n) && places.iter().filter(|&&m| named_here(m)).count() == 1)
    };
    let unique: Vec<usize> = hits.iter().copied().filter(once).collect();
    let hits = if unique.is_empty() { hits } else { unique };
    // What the change defined here: a line elsewhere that calls it (`save_clean(df)` added to
    // `main`) wires the new code in; it is not a change of its own.
    let made: Vec<&str> = hits
        .iter()
        .filter_map(|&n| enclosing_subject(index, file, n as u32))
        .filter(|d| hits.contains(&(d.line as usize)))
        .map(|d| d.name.as_str())
        .collect();
    for &n in &hits {
        let line = lines[n];
        let n = n as u32;
        if let Some(d) = enclosing_subject(index, file, n) {
            let wiring = made.iter().any(|m| *m != d.name && mentions(line, m));
            let weight = match (d.line == n, created) {
                (true, _) => DEFINING_LINE,
                // In a file written whole, bodies say nothing about what mattered.
                (false, true) => 0,
                (false, false) if wiring => 0,
                (false, false) => 1,
            };
            match defs.iter_mut().find(|(x, _)| std::ptr::eq(*x, d)) {
                Some((_, w)) => *w += weight,
                None => defs.push((d, weight)),
            }
        }
    }
    // What only wired the change in, when something took the change itself.
    if defs.iter().any(|(_, w)| *w > 0) {
        defs.retain(|(_, w)| *w > 0);
    }
    // A callback nested in a definition that changed much more (`onFlip: () => …` inside
    // `init`) is part of that change, not a subject of its own.
    let weights: Vec<(&Definition, usize)> = defs.clone();
    defs.retain(|(d, w)| {
        let Some(parent) = d.container.last() else {
            return true;
        };
        !weights.iter().any(|(p, pw)| {
            &p.name == parent && p.line < d.line && d.end_line <= p.end_line && *w * 2 < *pw
        })
    });
    rank(index, &mut defs, spoken);
    defs.truncate(3);
    defs
}

/// What a line that opens a definition says before its parameters (`function makeMove`,
/// `def load`, `fn new`), when it has a keyword and a name; `None` for any other line.
fn signature_head(line: &str) -> Option<&str> {
    let head = line[..line.find('(')?].trim_end();
    let mut words = head.split_whitespace();
    let first = words.next()?;
    let name = words.next_back()?;
    let keyword = matches!(
        first,
        "function" | "function*" | "async" | "def" | "fn" | "class" | "static"
    );
    (keyword
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '$'))
    .then_some(head)
}

/// How strongly a definition a change touched is what the insight is about: named (by the
/// developer, the conversation or the topic) and written by the patch, then either one, then
/// neither. A definition the patch wrote is as telling as one named after the topic.
fn tier(spoken: &Salience, d: &Definition, weight: usize) -> u8 {
    match (spoken.rank(&d.name).is_some(), weight >= DEFINING_LINE) {
        (true, true) => 0,
        (true, false) | (false, true) => 1,
        (false, false) => 2,
    }
}

/// A line as compared with a patch's added lines: trimmed, and without what moving code into a
/// module adds or drops (`export`, `export default`, `pub`).
fn normal(line: &str) -> &str {
    let line = line.trim();
    let line = line.strip_prefix("export ").map_or(line, str::trim_start);
    let line = line.strip_prefix("default ").map_or(line, str::trim_start);
    line.strip_prefix("pub ").map_or(line, str::trim_start)
}

/// What was named first, in the order it was named; then most of the change; among equals (a
/// file written whole), what the rest of the code uses (the module's interface rather than its
/// helpers), the biggest of it first (entry points rather than one-line utilities everything
/// calls). Then source order.
fn rank(index: &SymbolIndex, defs: &mut [(&Definition, usize)], spoken: &Salience) {
    defs.sort_by_cached_key(|(d, w)| {
        (
            tier(spoken, d, *w),
            spoken.rank(&d.name).unwrap_or(usize::MAX),
            std::cmp::Reverse(*w),
            std::cmp::Reverse(used_elsewhere(index, d)),
            std::cmp::Reverse(d.end_line.saturating_sub(d.line)),
        )
    });
}

/// Whether a file that does not define the name itself uses it (a `main` of their own is not a
/// use of this one).
fn used_elsewhere(index: &SymbolIndex, d: &Definition) -> bool {
    index.references(&d.name).iter().any(|r| {
        r.file != d.file
            && !index
                .definitions_in(&r.file)
                .iter()
                .any(|o| o.name == d.name)
    })
}

/// A change whose file is gone or no longer holds it (the code was split into other files, the
/// file renamed): the definition its hunk named, wherever it lives now, else its added lines in
/// the other files of the same language.
fn moved<'a>(
    index: &'a SymbolIndex,
    file: &Path,
    loc: &Location,
    spoken: &Salience,
) -> Vec<(&'a Definition, usize)> {
    if let Some(ctx) = &loc.context {
        let named: Vec<(&Definition, usize)> = context_names(ctx)
            .filter_map(|w| index.definitions(w).into_iter().next())
            .take(2)
            .map(|d| (d, 1))
            .collect();
        if !named.is_empty() {
            return named;
        }
    }
    if loc.added.is_empty() {
        return Vec::new();
    }
    let ext = file.extension();
    let mut defs: Vec<(&Definition, usize)> = Vec::new();
    for other in index
        .files()
        .into_iter()
        .filter(|f| *f != file && f.extension() == ext)
        .take(MOVED_SEARCH_FILES)
    {
        defs.extend(added_lines_in(
            index,
            other,
            &loc.added,
            loc.created,
            spoken,
        ));
    }
    rank(index, &mut defs, spoken);
    defs.truncate(3);
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
