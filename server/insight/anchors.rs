//! Anchors: what an insight is about in the code — the lines its turn's patches added, the file
//! locations a failure names — for the symbol layer to resolve against today's workspace.

use super::*;

pub(super) static LOCATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:^|[\s"'(\[])(/?(?:[\w.-]+/)*(?:[\w.-]+\.(?:tsx?|jsx?|mjs|cjs|py|rs|go|java|rb|vue|svelte)|(?:Dockerfile|Containerfile)(?:\.[\w-]+)?|[\w.-]+\.dockerfile))(?:\((\d+),\d+\)|:(\d+)(?::\d+)?|", line (\d+)(?:, in ([\w$]+))?)"#)
        .expect("valid")
});

/// A line that defines something: a function, method, class or a function bound to a name, or a
/// CSS rule's selector.
static DEFINES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:export\s+(?:default\s+)?)?(?:pub(?:\([\w:]+\))?\s+)?(?:async\s+)?(?:function\*?\s+[\w$]+|def\s+\w+|fn\s+\w+|class\s+\w+|(?:const|let|var)\s+[\w$]+\s*=\s*(?:async\s*)?(?:\([^)]*\)|[\w$]+)\s*=>|[\w$]+\s*\([^)]*\)\s*\{$|[.#][\w-][^{};]*\{$)")
        .expect("valid")
});

/// Statements that look like a method head (`for (…) {`, `if (…) {`) but define nothing.
static CONTROL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:\}\s*)?(?:if|else\s+if|for|while|switch|catch|with|do|return|await|typeof)\b")
        .expect("valid")
});

/// Whether a trimmed added line defines something.
fn defines(line: &str) -> bool {
    DEFINES.is_match(line) && !CONTROL.is_match(line)
}

/// How many added lines of one file a change keeps: enough to tell which definitions took the
/// bulk of it (the symbol layer weighs them by how many of these lines they hold).
const ADDED_PER_FILE: usize = 24;

pub(super) fn relative(path: &str, cwd: Option<&str>) -> String {
    match cwd {
        Some(c) if !c.is_empty() => path
            .strip_prefix(c)
            .map(|r| r.trim_start_matches('/').to_owned())
            .unwrap_or_else(|| path.to_owned()),
        _ => path.to_owned(),
    }
}

pub(super) fn edit_anchors(t: &TurnView, cwd: Option<&str>) -> Vec<Location> {
    let mut out: Vec<Location> = Vec::new();
    for (edit, _) in &t.edits {
        if edit.success == Some(false) {
            continue;
        }
        for f in &edit.files {
            if f.op == FileOp::Delete {
                continue;
            }
            let file = relative(f.move_to.as_deref().unwrap_or(&f.path), cwd);
            // Distinctive added lines (not braces or blank), a few per file: the lines that
            // define something first (they name what the change is about), then the others. A
            // file added whole may come as its bare content.
            let plus: Vec<&str> = f
                .diff
                .lines()
                .filter_map(|l| l.strip_prefix('+').filter(|l| !l.starts_with("++")))
                .collect();
            let lines: Vec<&str> = if plus.is_empty() && f.op == FileOp::Add {
                f.diff.lines().collect()
            } else {
                plus
            };
            let distinctive = |line: &&str| {
                let line = line.trim();
                line.len() >= 8 && line.chars().any(char::is_alphanumeric)
            };
            let mut added: Vec<String> = Vec::new();
            for line in lines.iter().copied().filter(distinctive) {
                let line = line.trim();
                if !added.iter().any(|a| a == line) {
                    added.push(line.to_owned());
                }
            }
            let first = f.hunks.first();
            let loc = Location {
                file,
                line: if added.is_empty() {
                    first.and_then(|h| h.new_start.or(h.old_start))
                } else {
                    None
                },
                context: first.and_then(|h| h.context.clone()),
                added,
                created: f.op == FileOp::Add,
            };
            match out.iter_mut().find(|l| l.file == loc.file) {
                Some(existing) => {
                    existing.created &= loc.created;
                    for a in loc.added {
                        if !existing.added.contains(&a) {
                            existing.added.push(a);
                        }
                    }
                }
                None => out.push(loc),
            }
        }
    }
    for loc in &mut out {
        cap_added(loc);
    }
    out
}

/// A few lines per file, over all the patches a location gathers: the lines that define
/// something first (they name what the change is about, wherever they were written), then the
/// others.
fn cap_added(loc: &mut Location) {
    let (mut keep, other): (Vec<String>, Vec<String>) = std::mem::take(&mut loc.added)
        .into_iter()
        .partition(|l| defines(l));
    keep.extend(other);
    keep.truncate(ADDED_PER_FILE);
    loc.added = keep;
}

/// Adds `more` (the edit anchors of another turn) to `edits`, one location per file: a file
/// changed again gathers the new lines beside the ones it had, the earlier ones first.
pub(super) fn merge_edits(edits: &mut Vec<Location>, more: Vec<Location>) {
    for loc in more {
        match edits.iter_mut().find(|l| l.file == loc.file) {
            Some(existing) => {
                existing.created &= loc.created;
                for a in loc.added {
                    if !existing.added.contains(&a) {
                        existing.added.push(a);
                    }
                }
                cap_added(existing);
            }
            None => edits.push(loc),
        }
    }
}

pub(super) fn error_locations(output: &str, cwd: Option<&str>) -> Vec<Location> {
    let mut out: Vec<Location> = Vec::new();
    for c in LOCATION.captures_iter(output) {
        let line = c
            .get(2)
            .or(c.get(3))
            .or(c.get(4))
            .and_then(|m| m.as_str().parse().ok());
        let loc = Location {
            file: relative(&c[1], cwd),
            line,
            // The function a Python traceback frame names.
            context: c
                .get(5)
                .map(|m| m.as_str().to_owned())
                .filter(|f| f != "module"),
            added: Vec::new(),
            created: false,
        };
        if !out.contains(&loc) {
            out.push(loc);
        }
        if out.len() >= 5 {
            break;
        }
    }
    out
}

/// The types a compiler or runtime quotes on its error lines (`Property 'text' does not exist on
/// type 'Todo'`, ``expected `Tally` ``): the code the failure is about. Lower-case names there are
/// mostly locals and fields (``cannot borrow `tally` ``), which would link to where the evidence
/// lands rather than to what it is about.
pub(super) fn error_names(output: &str) -> Vec<String> {
    static QUOTED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"['`‘]([A-Za-z_$][\w$]*)['`’]"#).expect("valid"));
    let mut out: Vec<String> = Vec::new();
    for line in output
        .lines()
        .filter(|l| l.to_ascii_lowercase().contains("error"))
    {
        for c in QUOTED.captures_iter(line) {
            let name = c[1].to_owned();
            let typelike = name.starts_with(|c: char| c.is_ascii_uppercase())
                && name.chars().any(|c| c.is_ascii_lowercase());
            if typelike && name.len() >= 2 && !out.contains(&name) {
                out.push(name);
            }
        }
        if out.len() >= 4 {
            break;
        }
    }
    out.truncate(4);
    out
}
