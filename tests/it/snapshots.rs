//! Snapshot tests: what the library makes of real inputs, written out as compact text and kept in
//! reviewable files (`tests/it/snapshots/*.snap`) instead of hand-written expected strings. Each
//! feature has one `check()` that turns one input into its text and snapshots it, so a new case
//! is a new fixture (a folder, a rollout, a scenario) or one more line, never new assertions:
//!
//! - `symbol_table` — every definition and reference the index finds in each language folder of
//!   `tests/fixtures/symbols/` (`symbols@<lang>`);
//! - `event_dump` — the normalized events of each Codex rollout under `tests/fixtures/codex/real/`
//!   and `handwritten/` (`events@<folder>-<file>`);
//! - `rule_readings` — the insights the rules derive from each scenario of `tests/fixtures/eval/`,
//!   with their status and the symbols they link to (`insights@<scenario>`);
//! - `hover` — the hover markdown for a few names of one scenario (`hover@<scenario>-<name>`);
//! - `journal_entry` — the `learnings.md` entry of the last session of two scenarios
//!   (`journal@<scenario>`).
//!
//! The hand-written tests elsewhere pin single behaviours; these show the whole picture, so a
//! change anywhere in it is seen in review. `tests/run.sh` sets `INSTA_UPDATE=no`: a missing or
//! changed snapshot fails. After a deliberate change, `INSTA_UPDATE=always cargo test --test it
//! snapshots` (or `cargo insta review`) rewrites them; read the diff before committing it.

use crate::common;

use sessionlens::insight::{self, Status};
use sessionlens::knowledge::Knowledge;
use sessionlens::knowledge::journal;
use sessionlens::knowledge::links::Links;
use sessionlens::knowledge::recall::{self, Here};
use sessionlens::knowledge::render;
use sessionlens::knowledge::scope::Scope;
use sessionlens::knowledge::text;
use sessionlens::link::SymbolIndex;
use sessionlens::link::resolve;
use sessionlens::normalize::{Body, CommandStatus, Event, SessionSummary};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// Snapshots `text` as `name` (the file `tests/it/snapshots/<name>.snap`), its header naming
/// the input it was made from, so a reviewer can open both side by side.
fn snap(name: &str, input: &Path, description: &str, text: &str) {
    let mut settings = insta::Settings::clone_current();
    // File names are the snapshot's name alone (`symbols@rust.snap`), not prefixed with this
    // module's path; the expression (`text`) says nothing, the input and description do.
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_input_file(input);
    settings.set_description(description);
    settings.bind(|| insta::assert_snapshot!(name, text));
}

/// The sub-folders (or files) of `dir` that `keep` accepts, sorted: cases are discovered, so
/// adding a fixture adds a case with no code change.
fn entries(dir: &Path, keep: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| keep(p))
        .collect();
    found.sort();
    found
}

fn file_name(p: &Path) -> &str {
    p.file_name().unwrap().to_str().unwrap()
}

/// `text` on one line (whitespace runs collapsed) and at most `max` characters, cut on a
/// character boundary with an ellipsis.
fn clip(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        let mut cut: String = flat.chars().take(max - 1).collect();
        cut.push('…');
        cut
    }
}

/// A scenario of `tests/fixtures/eval/`: every rollout under it (its workspace aside), read in
/// file-name order as eval.rs reads them, and its workspace.
struct Scenario {
    dir: PathBuf,
    events: Vec<Event>,
    workspace: PathBuf,
}

impl Scenario {
    fn all() -> Vec<Scenario> {
        entries(&root().join("tests/fixtures/eval"), |p| {
            p.join("gold.json").exists()
        })
        .into_iter()
        .map(|d| Scenario::load(&d))
        .collect()
    }

    fn named(name: &str) -> Scenario {
        Scenario::load(&root().join("tests/fixtures/eval").join(name))
    }

    fn load(dir: &Path) -> Scenario {
        fn rollouts(dir: &Path, out: &mut Vec<PathBuf>) {
            for p in entries(dir, |_| true) {
                if p.is_dir() && file_name(&p) != "workspace" {
                    rollouts(&p, out);
                } else if p.extension().is_some_and(|e| e == "jsonl") {
                    out.push(p);
                }
            }
        }
        let mut files = Vec::new();
        rollouts(dir, &mut files);
        files.sort();
        let events = files
            .iter()
            .flat_map(|f| common::read_from(f, 0, None, None, true).events)
            .collect();
        Scenario {
            dir: dir.to_path_buf(),
            events,
            workspace: dir.join("workspace"),
        }
    }

    fn name(&self) -> &str {
        file_name(&self.dir)
    }

    fn rel(&self) -> PathBuf {
        self.dir.strip_prefix(root()).unwrap().to_path_buf()
    }

    /// Session ids in the order their headers come.
    fn sessions(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = Vec::new();
        for e in &self.events {
            if !ids.contains(&e.session.as_str()) {
                ids.push(&e.session);
            }
        }
        ids
    }

    /// The folder the sessions recorded as their working directory (`/home/dev/<project>`).
    fn recorded_cwd(&self) -> String {
        self.events
            .iter()
            .find_map(|e| match &e.body {
                Body::SessionStart(info) => info.cwd.clone(),
                _ => None,
            })
            .expect("a session header with its folder")
    }
}

// --- symbols per language ----------------------------------------------------------------

mod symbol_table {
    use super::*;

    /// Every definition and reference of every file in `dir`, in file then source order (a
    /// definition before a reference at the same place). Lines are 1-based, as an editor shows
    /// them (the index keeps them 0-based); `L32-49` is a definition's whole extent.
    fn check(dir: &Path) {
        let index = SymbolIndex::build(dir);
        let mut out = String::new();
        for file in index.files() {
            let _ = writeln!(out, "-- {}", file.display());
            let mut rows: Vec<((u32, u32, u8), String)> = Vec::new();
            for d in index.definitions_in(file) {
                let extent = if d.end_line > d.line {
                    format!("L{}-{}", d.line + 1, d.end_line + 1)
                } else {
                    format!("L{}", d.line + 1)
                };
                let row = format!(
                    "{} {} {extent}{}",
                    kind(&d.kind),
                    d.name,
                    within(&d.container.to_strings())
                );
                rows.push(((d.line, d.col, 0), row));
            }
            for r in index.references_in(file) {
                let row = format!(
                    "ref {} {} L{}{}",
                    kind(&r.kind),
                    r.name,
                    r.line + 1,
                    within(&r.container.to_strings())
                );
                rows.push(((r.line, r.col, 1), row));
            }
            rows.sort();
            for (_, row) in rows {
                let _ = writeln!(out, "{row}");
            }
        }
        let lang = file_name(dir);
        snap(
            &format!("symbols@{lang}"),
            dir,
            "kind name line [in container]; `ref kind name line [in container]`; lines 1-based",
            &out,
        );
    }

    /// A kind as the query files spell it (`component`, `import`), from its serde name.
    fn kind(k: &impl serde::Serialize) -> String {
        serde_json::to_value(k)
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned()
    }

    fn within(container: &[String]) -> String {
        if container.is_empty() {
            String::new()
        } else {
            format!(" in {}", container.join(" > "))
        }
    }

    #[test]
    fn every_language_folder() {
        let dirs = entries(&root().join("tests/fixtures/symbols"), |p| p.is_dir());
        assert!(dirs.len() >= 7, "one folder per language: {dirs:?}");
        for dir in dirs {
            check(&dir);
        }
    }
}

// --- the events of a Codex rollout ---------------------------------------------------------

mod event_dump {
    use super::*;

    /// One line per normalized event (its place in the read, its kind, the fields that matter),
    /// under a `turn …` line each time the turn changes. Texts are cut at 80 characters.
    fn check(file: &Path) {
        let read = common::read_from(file, 0, None, None, true);
        let mut out = String::new();
        let mut turn: Option<Option<&str>> = None;
        for (seq, e) in read.events.iter().enumerate() {
            if turn != Some(e.turn.as_deref()) {
                turn = Some(e.turn.as_deref());
                let _ = writeln!(out, "turn {}", e.turn.as_deref().unwrap_or("-"));
            }
            let fields = fields(&e.body);
            let sep = if fields.is_empty() { "" } else { " " };
            let _ = writeln!(out, "{seq:>4} {}{sep}{fields}", e.body.kind());
        }
        // What was skipped, and why: a line kind this reader does not know is news.
        let st = &read.stats;
        let _ = writeln!(
            out,
            "lines {} · malformed {} · invalid utf-8 {} · scaffolding {} · oversized {} · inherited {}",
            st.lines, st.malformed, st.invalid_utf8, st.scaffolding, st.oversized, st.inherited
        );
        for (kind, n) in &st.unknown {
            let _ = writeln!(out, "unknown line kind {kind}: {n}");
        }
        let folder = file_name(file.parent().unwrap());
        let stem = file_name(file).trim_end_matches(".jsonl");
        snap(
            &format!("events@{folder}-{stem}"),
            file,
            "seq kind fields, under each turn; texts cut at 80 characters",
            &out,
        );
    }

    fn quoted(text: &str) -> String {
        format!("\"{}\"", clip(text, 80))
    }

    fn fields(body: &Body) -> String {
        match body {
            Body::SessionStart(info) | Body::SessionResume(info) => {
                let mut f = vec![info.surface.clone()];
                let named = [
                    ("originator", &info.originator),
                    ("model", &info.model),
                    ("cwd", &info.cwd),
                    ("agent", &info.agent),
                    ("parent", &info.parent),
                    ("forked_from", &info.forked_from),
                ];
                for (name, value) in named {
                    if let Some(v) = value {
                        f.push(format!("{name}={v}"));
                    }
                }
                f.join(" ")
            }
            Body::Prompt {
                text,
                ide,
                images,
                steer,
            } => {
                let mut s = quoted(text);
                if *steer {
                    s.push_str(" [steer]");
                }
                if *images > 0 {
                    let _ = write!(s, " [{images} image(s)]");
                }
                if let Some(file) = ide.as_ref().and_then(|i| i.active_file.as_deref()) {
                    let _ = write!(s, " [ide: {file}]");
                }
                s
            }
            Body::Assistant { text, phase } => {
                format!("{}: {}", phase.as_deref().unwrap_or("-"), quoted(text))
            }
            Body::Reasoning { text } | Body::Plan { text } => quoted(text),
            Body::Command(c) => {
                let outcome = match (c.status, c.exit_code) {
                    (CommandStatus::Exited, Some(code)) => format!("exit {code}"),
                    (status, code) => {
                        let status = serde_json::to_value(status).unwrap();
                        match code {
                            Some(code) => format!("{} (exit {code})", status.as_str().unwrap()),
                            None => status.as_str().unwrap().to_owned(),
                        }
                    }
                };
                format!("{} `{}` → {outcome}", c.tool, clip(&c.command, 80))
            }
            Body::Edit(edit) => {
                let files: Vec<String> = edit
                    .files
                    .iter()
                    .map(|f| {
                        let op = serde_json::to_value(f.op).unwrap();
                        let to = f
                            .move_to
                            .as_deref()
                            .map(|t| format!(" → {t}"))
                            .unwrap_or_default();
                        format!(
                            "{} {}{to} (+{} -{})",
                            op.as_str().unwrap(),
                            f.path,
                            f.added,
                            f.removed
                        )
                    })
                    .collect();
                let ok = match edit.success {
                    Some(true) => "ok",
                    Some(false) => "failed",
                    None => "no result",
                };
                format!("{} {ok}: {}", edit.tool, files.join(", "))
            }
            Body::TurnEnd { status, reason, .. } => {
                let status = serde_json::to_value(status).unwrap();
                match reason {
                    Some(r) => format!("{} ({})", status.as_str().unwrap(), clip(r, 80)),
                    None => status.as_str().unwrap().to_owned(),
                }
            }
            Body::Compacted {} => String::new(),
            Body::WebSearch { action, query, url } => {
                let mut s = action.clone();
                if !query.is_empty() {
                    let _ = write!(s, " {}", quoted(query));
                }
                if let Some(url) = url {
                    let _ = write!(s, " {url}");
                }
                s
            }
            Body::McpCall(c) => {
                let ok = match c.success {
                    Some(true) => "ok",
                    Some(false) => "failed",
                    None => "no result",
                };
                format!("{}.{} {ok}", c.server, c.tool)
            }
            // Live events: never in a rollout, shown plainly should one ever appear.
            other => serde_json::to_string(other).unwrap(),
        }
    }

    #[test]
    fn every_real_and_handwritten_rollout() {
        let codex = root().join("tests/fixtures/codex");
        let mut files = Vec::new();
        for folder in ["real", "handwritten"] {
            files.extend(entries(&codex.join(folder), |p| {
                p.extension().is_some_and(|e| e == "jsonl")
            }));
        }
        assert!(files.len() >= 6, "the Codex fixtures: {files:?}");
        for file in files {
            check(&file);
        }
    }
}

// --- what the rules read in a scenario -----------------------------------------------------

mod rule_readings {
    use super::*;

    /// One line per derived insight, in the order the rules derive them: session and turn
    /// (shortest unique prefixes), kind, status, topic, what resolved it, and the symbols it links
    /// to in the scenario's workspace (as eval.rs links them).
    fn check(s: &Scenario) {
        let insights = insight::derive(&s.events);
        let index = SymbolIndex::build(&s.workspace);
        let short = Short::of(&s.events);
        let mut out = String::new();
        for i in &insights {
            let status = match (&i.status, &i.resolved_by) {
                (Status::Open, _) => "open".to_owned(),
                (Status::Resolved, None) => "resolved".to_owned(),
                (Status::Resolved, Some(r)) => format!(
                    "resolved at {} ({})",
                    short.at(&r.session, r.turn.as_deref()),
                    clip(&r.how, 60)
                ),
            };
            let _ = write!(
                out,
                "{} {} {status} {:?}",
                short.at(&i.session, i.turn.as_deref()),
                i.kind.as_str(),
                i.topic
            );
            let links: Vec<String> = resolve::link(&index, i, None)
                .into_iter()
                .map(|l| format!("{} {}:{}", l.name, l.file, l.line))
                .collect();
            if !links.is_empty() {
                let _ = write!(out, " → {}", links.join(", "));
            }
            out.push('\n');
        }
        snap(
            &format!("insights@{}", s.name()),
            &s.rel(),
            "session/turn kind status \"topic\" → linked symbols (file:line, 1-based)",
            &out,
        );
    }

    /// Session and turn ids cut to their shortest unique prefixes (8 characters at least), as
    /// the journal shows turns.
    struct Short {
        sessions: Vec<(String, String)>,
        turns: Vec<(String, String)>,
    }

    impl Short {
        fn of(events: &[Event]) -> Short {
            let mut sessions: Vec<&str> = Vec::new();
            let mut turns: Vec<&str> = Vec::new();
            for e in events {
                if !sessions.contains(&e.session.as_str()) {
                    sessions.push(&e.session);
                }
                if let Some(t) = e.turn.as_deref().filter(|t| !turns.contains(t)) {
                    turns.push(t);
                }
            }
            let pair = |ids: &[&str]| -> Vec<(String, String)> {
                ids.iter()
                    .map(|s| s.to_string())
                    .zip(text::short_ids(ids))
                    .collect()
            };
            Short {
                sessions: pair(&sessions),
                turns: pair(&turns),
            }
        }

        fn at(&self, session: &str, turn: Option<&str>) -> String {
            let find = |list: &[(String, String)], id: &str| {
                list.iter()
                    .find(|(full, _)| full == id)
                    .map_or_else(|| id.to_owned(), |(_, short)| short.clone())
            };
            format!(
                "{}/{}",
                find(&self.sessions, session),
                turn.map_or_else(|| "-".to_owned(), |t| find(&self.turns, t))
            )
        }
    }

    #[test]
    fn every_eval_scenario() {
        let all = Scenario::all();
        assert!(all.len() >= 5, "the evaluation scenarios");
        for s in &all {
            check(s);
        }
    }
}

// --- the hover ----------------------------------------------------------------------------

mod hover {
    use super::*;

    /// The markdown a hover on `name` shows in the scenario's workspace: `recall::about` (the
    /// hover's question) over a snapshot of the scenario's insights, rendered by
    /// `render::hover_markdown`. The workspace is the folder the sessions recorded, its code the
    /// scenario's `workspace/`. All the insights are rendered (the editor shows the first five).
    fn hover(s: &Scenario, name: &str) -> String {
        let k = Knowledge::from_events(&s.events, (0, [0; 32]));
        let index = SymbolIndex::build(&s.workspace);
        let links = Links::compute(&Scope::new(Path::new(&s.recorded_cwd())), &index, &k);
        let here = Here {
            index: &index,
            links: &links,
        };
        let hits: Vec<_> = recall::about(&k, Some(here), name)
            .into_iter()
            .map(|n| k.get(n))
            .collect();
        let md = render::hover_markdown(name, &hits);
        utc_days(&md, &hits)
    }

    /// The hover writes days in the machine's time zone; the snapshot shows them as a machine
    /// on UTC does, so it reads the same everywhere. Each insight's lines (its `- **kind**` line
    /// and the lines under it) get their own dates rewritten: when it was asked, when resolved.
    fn utc_days(md: &str, hits: &[&insight::Insight]) -> String {
        let local = |at: &str| text::local_minute(at)[..10].to_owned();
        let utc = |at: &str| text::utc(at).unwrap().strftime("%Y-%m-%d").to_string();
        let mut out = String::new();
        let mut n = 0;
        for line in md.lines() {
            let mut line = line.to_owned();
            if line.starts_with("- **") {
                let i = hits[n];
                n += 1;
                line = line.replacen(
                    &format!(" · {} in ", local(&i.at)),
                    &format!(" · {} in ", utc(&i.at)),
                    1,
                );
            } else if line.starts_with("  - status: resolved ") {
                if let Some(r) = &hits[n - 1].resolved_by {
                    line = line.replacen(
                        &format!("resolved {} (", local(&r.at)),
                        &format!("resolved {} (", utc(&r.at)),
                        1,
                    );
                }
            }
            out.push_str(&line);
            out.push('\n');
        }
        assert_eq!(n, hits.len(), "one `- **kind**` line per insight:\n{md}");
        out
    }

    fn check(s: &Scenario, name: &str) {
        let md = hover(s, name);
        assert!(!md.is_empty(), "{name} has insights in {}", s.name());
        snap(
            &format!("hover@{}-{name}", s.name()),
            &s.rel(),
            &format!("the hover on `{name}` in the scenario's workspace (days in UTC)"),
            &md,
        );
    }

    #[test]
    fn names_of_the_react_scenario() {
        let s = Scenario::named("react-first-app");
        // A name the workspace does not define (from any project), names it defines (linked
        // here, or named in what was learned), and one it defines that no insight is about:
        // that hover says nothing at all.
        for name in ["useEffect", "App", "useTodos", "TodoItem"] {
            check(&s, name);
        }
        assert_eq!(hover(&s, "clearCompleted"), "");
    }
}

// --- the journal entry ---------------------------------------------------------------------

mod journal_entry {
    use super::*;

    /// The `learnings.md` entry of the scenario's last session, as `summarize` writes it: the
    /// session's summary folded from its events (as the store folds it), its events in order,
    /// and the insights of every session, newest first (a snapshot's order). The template reads
    /// no clock: every date in it comes from the events.
    fn check(s: &Scenario) {
        let last = *s.sessions().last().unwrap();
        let events: Vec<Event> = s
            .events
            .iter()
            .filter(|e| e.session == last)
            .cloned()
            .collect();
        let mut summary = SessionSummary::new(last);
        for e in &events {
            summary.apply(e);
        }
        let k = Knowledge::from_events(&s.events, (0, [0; 32]));
        let entry = journal::entry(&summary, &events, &k.insights);
        snap(
            &format!("journal@{}", s.name()),
            &s.rel(),
            &format!("the learnings.md entry of session {last}"),
            &entry,
        );
    }

    #[test]
    fn last_session_of_two_scenarios() {
        for name in ["react-first-app", "rust-borrow-checker"] {
            check(&Scenario::named(name));
        }
    }
}
