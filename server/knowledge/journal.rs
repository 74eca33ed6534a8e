//! The session summary — the "notetaker" entry — and `learnings.md`, the developer's own journal
//! of what each session taught them. One implementation for every surface: `sessionlens
//! summarize` and the language server's `sessionlens.summarizeSession` both call [`summarize`].
//!
//! [`entry`] is pure: one session's events and the derived insights in, a fixed markdown template
//! out (a header carrying an invisible `<!-- sessionlens:session ID -->` marker, the session line,
//! the goal, one table row per turn, the gaps it resolved and left open, and practice suggestions),
//! deterministic and readable in a plain editor. [`append`] is the only I/O here: it puts an entry
//! into `learnings.md`, replacing the entry of the same session instead of adding a second one,
//! and never touches text the developer wrote.

use crate::insight::{self, Insight, Kind, Status};
use crate::knowledge::text as fmt;
use crate::normalize::{Body, Command, CommandStatus, Edit, Event, SessionSummary, TurnStatus};
use crate::store::Store;
use jiff::{Timestamp, Zoned, tz::TimeZone};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The kinds an entry lists as gaps: what the developer still has to practise until resolved.
const GAP_KINDS: [Kind; 3] = [Kind::Gap, Kind::Confusion, Kind::FollowUp];

/// The invisible marker that ends an entry's header line and names its session.
pub fn marker(session_id: &str) -> String {
    format!("<!-- sessionlens:session {session_id} -->")
}

/// Summarizes one session from the store: `session` is a full id or a unique prefix of one;
/// `None` is the latest session run inside `workspace`. Returns the session id and its entry.
pub fn summarize(
    store: &Store,
    session: Option<&str>,
    workspace: &Path,
) -> anyhow::Result<(String, String)> {
    let summary = pick(store, session, workspace)?;
    // Lifecycles span every session, so insights come from the whole log (cached per head).
    let insights = super::Knowledge::load(store)?.insights;
    let events: Vec<Event> = store
        .session_events(&summary.id)?
        .into_iter()
        .map(|(_, e)| e)
        .collect();
    tracing::debug!(
        "summarizing session {} ({} events, {} insights in the store)",
        summary.id,
        events.len(),
        insights.len()
    );
    let markdown = entry(&summary, &events, &insights);
    Ok((summary.id, markdown))
}

/// The session to summarize: the one named, else the latest of the workspace.
fn pick(store: &Store, session: Option<&str>, workspace: &Path) -> anyhow::Result<SessionSummary> {
    match session {
        Some(prefix) => {
            let id = crate::knowledge::sessions::resolve(store, prefix)?;
            Ok(store
                .session(&id)?
                .unwrap_or_else(|| SessionSummary::new(&id)))
        }
        None => latest_in(store, workspace),
    }
}

/// The newest session (by start, then end) whose working directory is inside `workspace`.
/// Conversations where something happened come first: the local sessions Session Lens opens
/// itself for hand edits and terminal commands (originator `sessionlens`) and empty sessions are
/// chosen only when there is nothing else.
pub fn latest_in(store: &Store, workspace: &Path) -> anyhow::Result<SessionSummary> {
    let inside = crate::knowledge::scope::inside(workspace)?;
    let mut candidates: Vec<SessionSummary> = store
        .sessions()?
        .into_iter()
        .filter(|s| s.cwd.as_deref().is_some_and(&inside))
        .collect();
    candidates.sort_by(|a, b| {
        b.started_at
            .cmp(&a.started_at)
            .then_with(|| b.ended_at.cmp(&a.ended_at))
            .then_with(|| a.id.cmp(&b.id))
    });
    let busy = |s: &SessionSummary| s.turns + s.commands + s.edits > 0;
    let conversation =
        |s: &SessionSummary| busy(s) && s.originator.as_deref() != Some("sessionlens");
    let chosen = candidates
        .iter()
        .position(conversation)
        .or_else(|| candidates.iter().position(busy))
        .or((!candidates.is_empty()).then_some(0));
    match chosen {
        Some(i) => Ok(candidates.swap_remove(i)),
        None => anyhow::bail!(
            "no session ran inside {}; `sessionlens sessions` lists them",
            workspace.display()
        ),
    }
}

/// One turn, gathered from its events.
struct Turn<'a> {
    id: &'a str,
    prompts: Vec<&'a str>,
    steers: Vec<&'a str>,
    commands: Vec<&'a Command>,
    edits: Vec<&'a Edit>,
    /// (text, is the final answer)
    answers: Vec<(&'a str, bool)>,
    end: Option<(TurnStatus, Option<&'a str>)>,
}

fn turns(events: &[Event]) -> Vec<Turn<'_>> {
    let mut out: Vec<Turn> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for e in events {
        let Some(id) = e.turn.as_deref() else {
            continue;
        };
        let i = *index.entry(id).or_insert_with(|| {
            out.push(Turn {
                id,
                prompts: Vec::new(),
                steers: Vec::new(),
                commands: Vec::new(),
                edits: Vec::new(),
                answers: Vec::new(),
                end: None,
            });
            out.len() - 1
        });
        let t = &mut out[i];
        match &e.body {
            Body::Prompt { text, steer, .. } => {
                if *steer {
                    t.steers.push(text);
                } else {
                    t.prompts.push(text);
                }
            }
            Body::Assistant { text, phase } => t
                .answers
                .push((text, phase.as_deref() == Some("final_answer"))),
            Body::Command(c) => t.commands.push(c),
            Body::Edit(edit) => t.edits.push(edit),
            Body::TurnEnd { status, reason, .. } => t.end = Some((*status, reason.as_deref())),
            _ => {}
        }
    }
    out
}

/// The markdown entry for one session. `events` are that session's events in log order;
/// `insights` are every insight derived from the store, so that the entry also lists earlier
/// sessions' gaps this one resolved.
pub fn entry(summary: &SessionSummary, events: &[Event], insights: &[Insight]) -> String {
    let id = summary.id.as_str();
    let turns = turns(events);
    let goal = turns
        .iter()
        .find_map(|t| t.prompts.iter().find(|p| !p.trim().is_empty()).copied());
    let mine: Vec<&Insight> = insights.iter().filter(|i| i.session == id).collect();

    let started = summary
        .started_at
        .as_deref()
        .or_else(|| events.first().map(|e| e.at.as_str()));
    let ended = summary
        .ended_at
        .as_deref()
        .or_else(|| events.last().map(|e| e.at.as_str()));

    let mut s = String::new();
    // Header.
    let day = started
        .and_then(utc)
        .map(|z| z.strftime("%Y-%m-%d").to_string());
    let title = goal
        .map(title)
        .or_else(|| {
            turns
                .first()
                .map(|t| capitalize(&without_prompt(t, summary.cwd.as_deref())))
        })
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "Session without prompts".into());
    s.push_str("## ");
    if let Some(day) = &day {
        s.push_str(day);
        s.push_str(" · ");
    }
    s.push_str(&title);
    s.push_str("   ");
    s.push_str(&marker(id));
    s.push_str("\n\n");

    // The session line and the goal.
    let mut facts = vec![
        format!("`{id}`"),
        fmt::surface(summary.shown_source()).to_owned(),
    ];
    if let Some(cwd) = summary.cwd.as_deref().filter(|c| !c.is_empty()) {
        facts.push(plain(&collapse(cwd)));
    }
    if let Some(span) = started.and_then(|st| span(st, ended)) {
        facts.push(span);
    }
    facts.push(match turns.len() {
        1 => "1 turn".into(),
        n => format!("{n} turns"),
    });
    s.push_str(&format!("- **Session** {}\n", facts.join(" · ")));
    s.push_str(&format!(
        "- **Goal:** {}\n\n",
        goal.map_or_else(|| "—".into(), |g| plain(&clip(g, 120)))
    ));

    // One row per turn.
    if turns.is_empty() {
        s.push_str("No turns recorded.\n\n");
    } else {
        s.push_str("| Turn | Action | Gap | Outcome |\n| --- | --- | --- | --- |\n");
        let ids: Vec<&str> = turns.iter().map(|t| t.id).collect();
        for (t, short) in turns.iter().zip(short_ids(&ids)) {
            let here: Vec<&Insight> = mine
                .iter()
                .copied()
                .filter(|i| i.turn.as_deref() == Some(t.id))
                .collect();
            let gaps: Vec<String> = here
                .iter()
                .filter(|i| GAP_KINDS.contains(&i.kind))
                .map(|i| format!("{} ({})", code(&i.topic), label(i.kind)))
                .collect();
            let gap = if gaps.is_empty() {
                "—".to_owned()
            } else {
                gaps.join(", ")
            };
            s.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                code(&short),
                cell(&action(t, summary.cwd.as_deref())),
                cell(&gap),
                cell(&outcome(t, &here, summary.cwd.as_deref())),
            ));
        }
        s.push('\n');
    }

    // What this session closed: its own gaps, and earlier ones it put to use.
    let mut resolved: Vec<&Insight> = insights
        .iter()
        .filter(|i| GAP_KINDS.contains(&i.kind) && i.status == Status::Resolved)
        .filter(|i| i.session == id || i.resolved_by.as_ref().is_some_and(|r| r.session == id))
        .collect();
    resolved.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.id.cmp(&b.id)));
    let resolved_lines: Vec<String> = resolved.iter().map(|i| resolved_line(i, id)).collect();
    section(&mut s, "Gaps resolved", &resolved_lines);

    let open: Vec<&Insight> = mine
        .iter()
        .copied()
        .filter(|i| GAP_KINDS.contains(&i.kind) && i.status == Status::Open)
        .collect();
    let open_lines: Vec<String> = open
        .iter()
        .map(|i| {
            format!(
                "- {}{} — {}",
                code(&i.topic),
                kind_note(i.kind),
                plain(&clip(&i.text, 120))
            )
        })
        .collect();
    section(&mut s, "Gaps still open", &open_lines);

    next_reps(&mut s, &reps(&mine, &resolved));
    s
}

fn section(s: &mut String, name: &str, lines: &[String]) {
    s.push_str(&format!("**{name}:**"));
    if lines.is_empty() {
        s.push_str(" none\n\n");
    } else {
        s.push('\n');
        for l in lines {
            s.push_str(l);
            s.push('\n');
        }
        s.push('\n');
    }
}

fn resolved_line(i: &Insight, session: &str) -> String {
    let how = i
        .resolved_by
        .as_ref()
        .map_or("resolved", |r| r.how.as_str());
    let when = i
        .resolved_by
        .as_ref()
        .filter(|r| r.session != session)
        .and_then(|r| utc(&r.at))
        .map(|z| format!(" ({})", z.strftime("%Y-%m-%d")))
        .unwrap_or_default();
    let note = if i.session == session {
        kind_note(i.kind)
    } else {
        let asked = utc(&i.at)
            .map(|z| format!(", asked {}", z.strftime("%Y-%m-%d")))
            .unwrap_or_default();
        format!(" ({}{asked})", label(i.kind))
    };
    format!(
        "- {}{note} — {}{when}",
        code(&i.topic),
        plain(&clip(how, 120))
    )
}

fn label(kind: Kind) -> &'static str {
    match kind {
        Kind::FollowUp => "follow-up",
        k => k.as_str(),
    }
}

/// " (confusion)" for kinds other than a plain gap.
fn kind_note(kind: Kind) -> String {
    if kind == Kind::Gap {
        String::new()
    } else {
        format!(" ({})", label(kind))
    }
}

/// What the developer asked for in a turn: the gist of their prompt, else what ran or changed.
fn action(t: &Turn, cwd: Option<&str>) -> String {
    let a = match t.prompts.first().or(t.steers.first()) {
        Some(p) => plain(&gist(p, 80)),
        None => without_prompt(t, cwd),
    };
    if a.is_empty() { "—".into() } else { a }
}

/// A turn with no prompt (a command the developer ran themselves, an edit): what it did.
fn without_prompt(t: &Turn, cwd: Option<&str>) -> String {
    let mut parts = Vec::new();
    let shown: Vec<String> = t
        .commands
        .iter()
        .filter(|c| !probe(&c.command))
        .chain(t.commands.iter().filter(|c| probe(&c.command)))
        .take(2)
        .map(|c| code(&clip(first_line(&c.command), 48)))
        .collect();
    if !shown.is_empty() {
        let more = t.commands.len() - shown.len();
        let more = if more > 0 {
            format!(" (+{more} more)")
        } else {
            String::new()
        };
        parts.push(format!("ran {}{more}", shown.join(", ")));
    }
    if let Some(e) = edited(t, cwd) {
        parts.push(e);
    }
    parts.join(" · ")
}

/// "edited src/App.tsx", "edited 3 files".
fn edited(t: &Turn, cwd: Option<&str>) -> Option<String> {
    let mut files: Vec<&str> = Vec::new();
    for e in &t.edits {
        if e.success == Some(false) {
            continue;
        }
        for f in &e.files {
            let p = fmt::relative(f.move_to.as_deref().unwrap_or(&f.path), cwd);
            if !files.contains(&p) {
                files.push(p);
            }
        }
    }
    let failed = t.edits.iter().any(|e| e.success == Some(false));
    match files.as_slice() {
        [] if failed => Some("patch failed".into()),
        [] => None,
        [one] => Some(format!("edited {}", plain(&clip(one, 60)))),
        many => Some(format!("edited {} files", many.len())),
    }
}

/// What came of a turn: aborted, the answer to a question, commands that failed or passed, edits.
fn outcome(t: &Turn, here: &[&Insight], cwd: Option<&str>) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some((TurnStatus::Aborted, reason)) = t.end {
        parts.push(match reason.filter(|r| !r.is_empty()) {
            Some(r) => format!("aborted ({})", plain(&clip(r, 40))),
            None => "aborted".into(),
        });
    }
    let answered = here
        .iter()
        .filter(|i| matches!(i.kind, Kind::Gap | Kind::Confusion))
        .find_map(|i| i.takeaway.as_deref())
        .map(str::to_owned)
        .or_else(|| {
            here.iter()
                .any(|i| matches!(i.kind, Kind::Gap | Kind::Confusion))
                .then(|| final_answer(t).map(answer_gist))
                .flatten()
        });
    if let Some(a) = answered {
        parts.push(format!("answered: {}", plain(&clip(&a, 100))));
    }
    parts.extend(command_outcomes(t));
    if let Some(e) = edited(t, cwd) {
        parts.push(e);
    }
    if parts.is_empty() {
        if let Some(a) = final_answer(t).map(answer_gist).filter(|a| !a.is_empty()) {
            parts.push(format!("replied: {}", plain(&clip(&a, 100))));
        }
    }
    if parts.is_empty() {
        "—".into()
    } else {
        parts.join(" · ")
    }
}

/// Commands by identity (the same command run again counts once): "`npm test` failed → passed",
/// "`npm run build` failed", "`npx tsc -b` passed". Probes (`ls`, `grep`, `git status`…) are
/// left out when they pass.
fn command_outcomes(t: &Turn) -> Vec<String> {
    // (shown command, key, failed at some point, last outcome)
    let mut groups: Vec<(String, String, bool, Option<bool>)> = Vec::new();
    let mut others: Vec<String> = Vec::new();
    for c in &t.commands {
        let shown = clip(first_line(&c.command), 48);
        let key = match insight::command_key(&c.command) {
            k if k.is_empty() => shown.clone(),
            k => k,
        };
        let passed = match (c.status, c.exit_code) {
            (CommandStatus::Exited, Some(0)) => Some(true),
            (CommandStatus::Exited, Some(_))
            | (CommandStatus::TimedOut | CommandStatus::Failed, _) => Some(false),
            (CommandStatus::Declined, _) => {
                others.push(format!("{} declined", code(&shown)));
                continue;
            }
            (CommandStatus::Running, _) => {
                others.push(format!("{} left running", code(&shown)));
                continue;
            }
            _ => None,
        };
        let Some(passed) = passed else { continue };
        match groups.iter_mut().find(|g| g.1 == key) {
            Some(g) => {
                g.2 |= !passed;
                g.3 = Some(passed);
            }
            None => groups.push((shown, key, !passed, Some(passed))),
        }
    }
    let mut out: Vec<String> = Vec::new();
    let mut passed_shown = 0;
    let mut passed_hidden = 0;
    for (shown, _, failed, last) in &groups {
        match (failed, last) {
            (true, Some(true)) => out.push(format!("{} failed → passed", code(shown))),
            (true, _) => out.push(format!("{} failed", code(shown))),
            (false, _) if probe(shown) => {}
            (false, _) if passed_shown < 2 => {
                out.push(format!("{} passed", code(shown)));
                passed_shown += 1;
            }
            (false, _) => passed_hidden += 1,
        }
    }
    if passed_hidden > 0 {
        out.push(format!("{passed_hidden} more passed"));
    }
    out.extend(others);
    out
}

/// Commands that only look around; their passing says nothing about the work.
fn probe(command: &str) -> bool {
    let key = insight::command_key(command);
    let first = key.split_whitespace().next().unwrap_or("");
    matches!(
        first,
        "ls" | "cat"
            | "sed"
            | "grep"
            | "rg"
            | "find"
            | "fd"
            | "head"
            | "tail"
            | "echo"
            | "pwd"
            | "wc"
            | "nl"
            | "awk"
            | "which"
            | "stat"
            | "file"
            | "tree"
    ) || [
        "git status",
        "git diff",
        "git log",
        "git show",
        "git rev-parse",
    ]
    .iter()
    .any(|g| key.starts_with(g))
}

fn final_answer<'a>(t: &Turn<'a>) -> Option<&'a str> {
    t.answers
        .iter()
        .rev()
        .find(|(_, fin)| *fin)
        .or_else(|| t.answers.last())
        .map(|(a, _)| *a)
}

/// The first real sentence of an answer, without markdown emphasis or headings.
fn answer_gist(answer: &str) -> String {
    let text: Vec<&str> = answer
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with("```"))
        .collect();
    gist(&text.join(" ").replace("**", ""), 100)
}

/// Practice suggestions, deterministic: open gaps and confusions of the session first, then its
/// follow-ups, then the errors it hit; else recalling what was learned. At most three.
fn reps(mine: &[&Insight], resolved: &[&Insight]) -> Vec<String> {
    // (topic, suggestion): one per topic, at most three.
    let mut out: Vec<(String, String)> = Vec::new();
    fn add(out: &mut Vec<(String, String)>, topic: &str, text: String) {
        let key = topic.to_lowercase();
        if out.len() < 3 && !out.iter().any(|(k, _)| *k == key) {
            out.push((key, text));
        }
    }
    let open = |k: Kind| {
        mine.iter()
            .filter(move |i| i.kind == k && i.status == Status::Open)
    };
    // What took several rounds is the first thing to redo alone.
    for i in mine.iter().filter(|i| i.kind == Kind::Struggle) {
        let rounds = i.evidence.len().max(1);
        let times = if rounds == 1 {
            "a second try".to_owned()
        } else {
            format!("{rounds} rounds")
        };
        let text = match i.status {
            Status::Resolved => format!(
                "Redo the change to {} without help — it took {times} — then compare with what finally worked",
                code(&i.topic)
            ),
            Status::Open => format!(
                "Work out {} on your own — {times} with the assistant did not get it right",
                code(&i.topic)
            ),
        };
        add(&mut out, &i.topic, text);
    }
    // A deploy that worked: run it again without help, with the command that did it.
    for i in mine
        .iter()
        .filter(|i| i.kind == Kind::Success && insight::is_deploy(&insight::command_key(&i.text)))
    {
        let first = i.text.lines().next().unwrap_or("");
        add(
            &mut out,
            &i.topic,
            format!("Run the deploy again on your own: {}", code(first)),
        );
    }
    for i in open(Kind::Gap).chain(open(Kind::Confusion)) {
        let text = exercise(&i.topic).map_or_else(
            || match i.kind {
                Kind::Gap => format!(
                    "Use {} in your own code without help, then explain it in one sentence",
                    code(&i.topic)
                ),
                _ => format!(
                    "Redo the part about {} from scratch without help, then compare with the answer you got",
                    code(&i.topic)
                ),
            },
            str::to_owned,
        );
        add(&mut out, &i.topic, text);
    }
    for i in open(Kind::FollowUp) {
        add(
            &mut out,
            &i.topic,
            format!(
                "Do what you left for next time — {} — on your own",
                code(&i.topic)
            ),
        );
    }
    let mut errors: Vec<&&Insight> = mine.iter().filter(|i| i.kind == Kind::Error).collect();
    errors.sort_by_key(|i| i.status == Status::Resolved);
    for i in errors {
        let text = match i.topic.split_once(" in ") {
            Some((err, cmd)) => format!("Re-run {} after fixing {err} on your own", code(cmd)),
            None if !insight::command_key(&i.text).is_empty()
                && i.topic == insight::command_key(&i.text) =>
            {
                format!(
                    "Make {} pass on your own next time it fails",
                    code(&i.topic)
                )
            }
            None => format!("Fix {} on your own next time it shows up", code(&i.topic)),
        };
        add(&mut out, &i.topic, text);
    }
    if out.is_empty() {
        let learned = mine
            .iter()
            .copied()
            .filter(|i| matches!(i.kind, Kind::Gap | Kind::Confusion))
            .chain(
                resolved
                    .iter()
                    .copied()
                    .filter(|i| i.kind != Kind::FollowUp),
            );
        for i in learned {
            add(
                &mut out,
                &i.topic,
                format!(
                    "Explain {} from memory in two sentences, then check it against your code",
                    code(&i.topic)
                ),
            );
        }
    }
    out.into_iter().map(|(_, t)| t).collect()
}

/// Concrete exercises for concepts newcomers often ask about, by the glossary's canonical topic.
/// Data: extend freely; anything else gets a generic suggestion.
const EXERCISES: &[(&str, &str)] = &[
    (
        "useEffect",
        "Write a `useEffect` with a cleanup function without help",
    ),
    (
        "useEffect dependency array",
        "Write an effect that reads a prop and get its dependency array right before the linter says so",
    ),
    (
        "functional state updates",
        "Update state three times in a row with `prev => …` without help",
    ),
    (
        "React Context",
        "Move one piece of shared state into a Context with its own hook, without help",
    ),
    (
        "props",
        "Pass data and a callback down two components with props, from memory",
    ),
    (
        "prop drilling",
        "Replace one chain of passed-down props with Context, without help",
    ),
    (
        "useState",
        "Build a small controlled form with `useState` without help",
    ),
    (
        "async/await",
        "Write an async function that awaits a request and handles its failure, without help",
    ),
    (
        "mutable borrow",
        "Fix an E0502 borrow error on your own, then re-run `cargo build`",
    ),
    (
        "lifetimes",
        "Write a function that returns a reference with an explicit lifetime, without help",
    ),
    (
        "SettingWithCopyWarning",
        "Rewrite a chained assignment with `.loc` so pandas stays quiet, without help",
    ),
];

fn exercise(topic: &str) -> Option<&'static str> {
    EXERCISES
        .iter()
        .find(|(t, _)| t.eq_ignore_ascii_case(topic))
        .map(|(_, e)| *e)
}

// ---------------------------------------------------------------------------------------------
// Text: one line, clipped at a word, safe in a markdown table.

/// Whitespace runs, newlines included, collapsed to one space.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn first_line(text: &str) -> &str {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("")
}

/// `text` on one line, at most about `max` characters, cut at a word with an ellipsis. A code
/// span the cut leaves open is closed.
fn clip(text: &str, max: usize) -> String {
    let flat = collapse(text);
    if flat.chars().count() <= max {
        return flat;
    }
    let end = flat
        .char_indices()
        .nth(max.saturating_sub(1))
        .map_or(flat.len(), |(i, _)| i);
    let head = &flat[..end];
    let cut = match head.rfind(' ') {
        Some(i) if i >= end / 2 => &head[..i],
        _ => head,
    };
    let mut out = cut
        .trim_end_matches(|c: char| matches!(c, ',' | ';' | ':' | '—' | '-') || c.is_whitespace())
        .to_owned();
    if out.matches('`').count() % 2 == 1 {
        out.push('`');
    }
    out.push('…');
    out
}

fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for (i, c) in text.char_indices() {
        if matches!(c, '.' | '!' | '?') && bytes.get(i + 1).is_none_or(|b| *b == b' ') {
            let s = text[start..=i].trim();
            if !s.is_empty() {
                out.push(s);
            }
            start = i + 1;
        }
    }
    if !text[start..].trim().is_empty() {
        out.push(text[start..].trim());
    }
    out
}

/// The first sentence that says something ("hi!" and "ok." before it are skipped), clipped.
fn gist(text: &str, max: usize) -> String {
    let flat = collapse(text);
    let all = sentences(&flat);
    let first = all
        .iter()
        .position(|s| s.split_whitespace().count() > 2)
        .unwrap_or(0);
    clip(all.get(first).copied().unwrap_or(""), max)
}

/// An entry's title: the gist of the session's goal, capitalized, without a closing period.
fn title(goal: &str) -> String {
    let g = gist(goal, 60);
    let g = g.strip_suffix('.').unwrap_or(&g);
    let g = g.strip_suffix('!').unwrap_or(g);
    plain(&capitalize(g))
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The developer's text as markdown prose: `<` outside code spans is escaped so that
/// `Vec<String>` or `<App/>` is not swallowed as HTML by a renderer.
fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_code = false;
    for c in text.chars() {
        match c {
            '`' => {
                in_code = !in_code;
                out.push(c);
            }
            '<' if !in_code => out.push_str("\\<"),
            _ => out.push(c),
        }
    }
    out
}

/// Text as inline code, whatever backticks it holds.
fn code(text: &str) -> String {
    let t = collapse(text);
    if t.contains('`') {
        format!("`` {} ``", t.replace("``", "` `"))
    } else {
        format!("`{t}`")
    }
}

/// A table cell: one line, `|` escaped (GitHub's tables honour `\|` inside code spans too).
fn cell(text: &str) -> String {
    collapse(text).replace('|', "\\|")
}

/// The shortest prefix (at least 8 characters) that tells each id apart from the others; by
/// characters, so that an unusual id can never split a character.
fn short_ids(ids: &[&str]) -> Vec<String> {
    ids.iter()
        .map(|id| {
            let chars: Vec<char> = id.chars().collect();
            let mut n = 8.min(chars.len());
            let prefix = |n: usize| chars[..n].iter().collect::<String>();
            while n < chars.len() && ids.iter().any(|o| o != id && o.starts_with(&prefix(n))) {
                n += 1;
            }
            prefix(n)
        })
        .collect()
}

fn utc(at: &str) -> Option<Zoned> {
    at.parse::<Timestamp>()
        .ok()
        .map(|t| t.to_zoned(TimeZone::UTC))
}

/// `14:02–15:10 UTC`; `23:40–00:54 (+1 d) UTC` across midnight.
fn span(start: &str, end: Option<&str>) -> Option<String> {
    let s = utc(start)?;
    let from = s.strftime("%H:%M").to_string();
    let Some(e) = end.and_then(utc).filter(|e| *e >= s) else {
        return Some(format!("{from} UTC"));
    };
    let days = s.date().until(e.date()).map(|d| d.get_days()).unwrap_or(0);
    let to = e.strftime("%H:%M");
    Some(if days > 0 {
        format!("{from}–{to} (+{days} d) UTC")
    } else {
        format!("{from}–{to} UTC")
    })
}

// ---------------------------------------------------------------------------------------------
// learnings.md

/// The markers around the managed "Current focus" block at the top of `learnings.md`.
pub const FOCUS_BEGIN: &str = "<!-- sessionlens:focus:begin -->";
pub const FOCUS_END: &str = "<!-- sessionlens:focus:end -->";
/// Entries whose session is older than this many days move to `learnings/archive/YYYY-MM.md`.
pub const DEFAULT_ARCHIVE_AFTER_DAYS: u32 = 30;
/// At most this many open questions in the focus block.
const FOCUS_MAX: usize = 10;

/// What [`write_session`] did.
#[derive(Debug, Clone)]
pub struct Written {
    pub session: String,
    /// The session's entry.
    pub markdown: String,
    /// The journal written (symlinks resolved).
    pub file: PathBuf,
    /// Whether the journal (or an archive) changed.
    pub changed: bool,
    /// Entries moved out of the journal: (session id, archive file).
    pub archived: Vec<(String, PathBuf)>,
    /// The entry's version in the store's `summaries`, and the hash of the version before it.
    pub version: u32,
    pub previous_hash: Option<String>,
}

/// Summarizes one session (as [`summarize`] picks it) into the journal at `file`, the one write
/// path of the editor command and the notetaker: the entry is kept in the store (a new version
/// when its hash changed), put into the journal (replacing the session's earlier entry), the
/// "Current focus" block at the top is rewritten from the workspace's open questions, and entries
/// of sessions older than `archive_after_days` (0: never) before `now` move to the archive.
pub fn write_session(
    store: &Store,
    session: Option<&str>,
    workspace: &Path,
    file: &Path,
    archive_after_days: u32,
    now: Timestamp,
) -> anyhow::Result<Written> {
    let summary = pick(store, session, workspace)?;
    let insights = super::Knowledge::load(store)?.insights;
    let events: Vec<Event> = store
        .session_events(&summary.id)?
        .into_iter()
        .map(|(_, e)| e)
        .collect();
    write_entry(
        store,
        &insights,
        &summary,
        &events,
        workspace,
        file,
        archive_after_days,
        now,
    )
}

/// [`write_session`] for a session already read, with the insights at hand (the language
/// server's snapshot).
#[allow(clippy::too_many_arguments)]
pub fn write_entry(
    store: &Store,
    insights: &[Insight],
    summary: &SessionSummary,
    events: &[Event],
    workspace: &Path,
    file: &Path,
    archive_after_days: u32,
    now: Timestamp,
) -> anyhow::Result<Written> {
    let markdown = entry(summary, events, insights);
    let version = store.put_summary(&summary.id, &markdown)?;
    let previous_hash = store
        .summaries(&summary.id)?
        .into_iter()
        .find(|r| r.version + 1 == version)
        .map(|r| r.sha256);
    let focus = focus(insights, workspace)?;
    let path = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
    let (changed, archived) = update_journal(
        &path,
        &markdown,
        &summary.id,
        &focus,
        archive_after_days,
        now,
    )?;
    Ok(Written {
        session: summary.id.clone(),
        markdown,
        file: path,
        changed,
        archived,
        version,
        previous_hash,
    })
}

/// The body of the focus block: the workspace's open gaps and follow-ups, newest first, and the
/// next reps they call for (the entry's rules, over the whole workspace).
fn focus(insights: &[Insight], workspace: &Path) -> anyhow::Result<String> {
    let inside = crate::knowledge::scope::inside(workspace)?;
    let mut open: Vec<&Insight> = insights
        .iter()
        .filter(|i| i.status == Status::Open && i.cwd.as_deref().is_some_and(&inside))
        .collect();
    open.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.id.cmp(&b.id)));
    let mut s = String::from(
        "## Current focus\n\n_Rewritten by Session Lens with every entry; write your own notes outside this block._\n\n",
    );
    let questions: Vec<String> = open
        .iter()
        .filter(|i| i.is_open_question())
        .take(FOCUS_MAX)
        .map(|i| {
            let day = utc(&i.at)
                .map(|z| format!(", {}", z.strftime("%Y-%m-%d")))
                .unwrap_or_default();
            format!(
                "- {} ({}{day}) — {}",
                code(&i.topic),
                label(i.kind),
                plain(&clip(&i.text, 120))
            )
        })
        .collect();
    section(&mut s, "Open gaps and follow-ups", &questions);
    next_reps(&mut s, &reps(&open, &[]));
    Ok(s)
}

/// Reads a journal: `None` when missing; refused when it is not UTF-8.
fn read_text(path: &Path) -> std::io::Result<Option<String>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(String::from_utf8(bytes).map_err(|_| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{} is not UTF-8 text; not touching it", path.display()),
            )
        })?)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// The journal with the entry merged, the focus block rewritten and old entries archived;
/// archives are written before the journal, so a crash in between leaves an entry in both
/// (and the next write removes it from the journal), never in neither.
fn update_journal(
    path: &Path,
    entry: &str,
    session_id: &str,
    focus: &str,
    archive_after_days: u32,
    now: Timestamp,
) -> std::io::Result<(bool, Vec<(String, PathBuf)>)> {
    let old = read_text(path)?;
    let text = with_focus(&merged(old.as_deref(), entry, session_id), focus);
    let (text, archived, archives_changed) = archive_old(path, text, archive_after_days, now)?;
    let changed = old.as_deref() != Some(text.as_str());
    if changed {
        write_atomically(path, text.as_bytes())?;
    } else {
        tracing::debug!("{} already holds this entry", path.display());
    }
    Ok((changed || archives_changed, archived))
}

/// `text` with its focus block replaced by one holding `body`, or with one inserted under the
/// file's `# ` heading (at the very top when it has none).
fn with_focus(text: &str, body: &str) -> String {
    let crlf = text.contains("\r\n");
    let nl = if crlf { "\r\n" } else { "\n" };
    let mut block = format!("{FOCUS_BEGIN}\n{}\n{FOCUS_END}", body.trim_end());
    if crlf {
        block = block.replace('\n', "\r\n");
    }
    if let Some(b) = text.find(FOCUS_BEGIN) {
        if let Some(e) = text[b..].find(FOCUS_END) {
            let e = b + e + FOCUS_END.len();
            return format!("{}{block}{}", &text[..b], &text[e..]);
        }
    }
    let first = text.split_inclusive('\n').next().unwrap_or("");
    if first.starts_with("# ") {
        let rest = &text[first.len()..];
        let after = if rest.starts_with('\n') || rest.starts_with("\r\n") {
            nl.to_owned()
        } else {
            format!("{nl}{nl}")
        };
        let first = if first.ends_with('\n') {
            first.to_owned()
        } else {
            format!("{first}{nl}")
        };
        format!("{first}{nl}{block}{after}{rest}")
    } else {
        format!("{block}{nl}{nl}{text}")
    }
}

/// Entries in `text`: (session id, the UTC day of its header, if any).
fn entries_in(text: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let Some(head) = line.strip_prefix("## ") else {
            continue;
        };
        let Some(id) = head
            .trim_end()
            .strip_suffix(" -->")
            .and_then(|h| h.rsplit_once("<!-- sessionlens:session "))
            .map(|(_, id)| id.trim().to_owned())
        else {
            continue;
        };
        let day = head
            .get(..10)
            .filter(|d| d.parse::<jiff::civil::Date>().is_ok())
            .map(str::to_owned);
        out.push((id, day));
    }
    out
}

/// Moves entries whose day is more than `days` before `now` into `learnings/archive/YYYY-MM.md`
/// beside the journal (`<stem>/archive/` for another name). Returns the journal's new text, what
/// moved where, and whether an archive file changed.
#[allow(clippy::type_complexity)]
fn archive_old(
    path: &Path,
    mut text: String,
    days: u32,
    now: Timestamp,
) -> std::io::Result<(String, Vec<(String, PathBuf)>, bool)> {
    if days == 0 {
        return Ok((text, Vec::new(), false));
    }
    let cutoff = (now - jiff::SignedDuration::from_hours(24 * i64::from(days)))
        .to_zoned(TimeZone::UTC)
        .date();
    let old: Vec<(String, String)> = entries_in(&text)
        .into_iter()
        .filter_map(|(id, day)| Some((id, day?)))
        .filter(|(_, day)| day.parse::<jiff::civil::Date>().is_ok_and(|d| d < cutoff))
        .collect();
    if old.is_empty() {
        return Ok((text, Vec::new(), false));
    }
    let stem = path
        .file_stem()
        .map_or_else(|| "learnings".into(), |s| s.to_string_lossy().into_owned());
    let dir = path
        .parent()
        .unwrap_or(Path::new("."))
        .join(stem)
        .join("archive");
    let mut by_month: std::collections::BTreeMap<String, Vec<(String, String)>> =
        std::collections::BTreeMap::new();
    for (id, day) in &old {
        if let Some((start, end)) = find_entry(&text, id) {
            by_month
                .entry(day[..7].to_owned())
                .or_default()
                .push((id.clone(), text[start..end].to_owned()));
        }
    }
    let mut archived = Vec::new();
    let mut changed = false;
    for (month, list) in &by_month {
        let file = dir.join(format!("{month}.md"));
        let before = read_text(&file)?;
        let mut new = before
            .clone()
            .unwrap_or_else(|| format!("# Learnings archive · {month}\n"));
        for (id, entry) in list {
            new = merged(Some(&new), entry, id);
            archived.push((id.clone(), file.clone()));
        }
        if before.as_deref() != Some(new.as_str()) {
            write_atomically(&file, new.as_bytes())?;
            changed = true;
        }
    }
    for (id, _) in &archived {
        if let Some((start, end)) = find_entry(&text, id) {
            text = without(&text, start, end);
        }
    }
    Ok((text, archived, changed))
}

/// `text` without the entry at `start..end`, its line break and the blank line that separated it.
fn without(text: &str, start: usize, end: usize) -> String {
    let mut rest = &text[end..];
    for _ in 0..2 {
        if let Some(r) = rest
            .strip_prefix("\r\n")
            .or_else(|| rest.strip_prefix('\n'))
        {
            rest = r;
        }
    }
    let mut head = &text[..start];
    if rest.is_empty() {
        head = head
            .strip_suffix("\r\n\r\n")
            .map(|h| &text[..h.len() + 2])
            .or_else(|| head.strip_suffix("\n\n").map(|h| &text[..h.len() + 1]))
            .unwrap_or(head);
    }
    format!("{head}{rest}")
}

/// Puts `entry` into the journal at `path`: created with a `# Learnings` heading when missing;
/// when an entry of the same session is already there (its header ends with the session's
/// marker), that entry is replaced in place, otherwise the entry is appended. Text the developer
/// wrote — before, between and after entries, including notes under an entry after its last
/// list — is kept byte for byte. Written atomically (a temporary file renamed over the old one).
/// Returns whether the file changed.
pub fn append(path: &Path, entry: &str, session_id: &str) -> std::io::Result<bool> {
    // Write through a symlink to its target, so the link stays a link.
    let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let old = match std::fs::read(&path) {
        Ok(bytes) => Some(String::from_utf8(bytes).map_err(|_| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{} is not UTF-8 text; not touching it", path.display()),
            )
        })?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    let new = merged(old.as_deref(), entry, session_id);
    if old.as_deref() == Some(new.as_str()) {
        tracing::debug!("{} already holds this entry", path.display());
        return Ok(false);
    }
    write_atomically(&path, new.as_bytes())?;
    Ok(true)
}

/// The journal's new text: `old` with the session's entry replaced, or the entry appended.
fn merged(old: Option<&str>, entry: &str, session_id: &str) -> String {
    let crlf = old.is_some_and(|o| o.contains("\r\n"));
    let mut entry = entry.trim_end().to_owned();
    if crlf {
        entry = entry.replace("\r\n", "\n").replace('\n', "\r\n");
    }
    let nl = if crlf { "\r\n" } else { "\n" };
    let old = match old {
        Some(o) if !o.trim().is_empty() => o,
        _ => return format!("# Learnings{nl}{nl}{entry}{nl}"),
    };
    if let Some((start, end)) = find_entry(old, session_id) {
        tracing::debug!("replacing the entry of session {session_id}");
        let mut out = String::with_capacity(old.len() + entry.len());
        out.push_str(&old[..start]);
        out.push_str(&entry);
        // The old entry's last line break stays where it was (part of `old[end..]`).
        out.push_str(&old[end..]);
        return out;
    }
    let mut out = old.to_owned();
    if !out.ends_with('\n') {
        out.push_str(nl);
    }
    if !out.ends_with("\n\n") && !out.ends_with("\n\r\n") {
        out.push_str(nl);
    }
    out.push_str(&entry);
    out.push_str(nl);
    out
}

/// The byte range of the session's entry in `text`, without its final line break: from its
/// header line to the end of its "Next reps" list — or, when that list cannot be found (the
/// entry was edited by hand), to the line before the next `## ` header or the end of the file.
fn find_entry(text: &str, session_id: &str) -> Option<(usize, usize)> {
    let mark = marker(session_id);
    // (byte offset of the line, the line without its break)
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut at = 0;
    for l in text.split_inclusive('\n') {
        lines.push((at, l.trim_end_matches(['\n', '\r'])));
        at += l.len();
    }
    let line_end = |i: usize| lines[i].0 + lines[i].1.len();
    let h = lines
        .iter()
        .position(|(_, l)| l.starts_with("## ") && l.trim_end().ends_with(&mark))?;
    let next = lines[h + 1..]
        .iter()
        .position(|(_, l)| l.starts_with("## "))
        .map_or(lines.len(), |p| h + 1 + p);
    let reps = (h + 1..next).find(|&i| lines[i].1.starts_with("**Next reps:**"));
    let last = match reps {
        Some(r) => {
            let mut last = r;
            while last + 1 < next && lines[last + 1].1.starts_with("- ") {
                last += 1;
            }
            last
        }
        None => {
            // Up to the next header, leaving the blank lines before it outside.
            let mut last = next - 1;
            while last > h && lines[last].1.trim().is_empty() {
                last -= 1;
            }
            last
        }
    };
    Some((lines[h].0, line_end(last)))
}

pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "learnings.md".into());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let tmp = dir.join(format!(".{name}.{}.{nanos}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        if let Ok(meta) = std::fs::metadata(path) {
            std::fs::set_permissions(&tmp, meta.permissions())?;
        }
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// The "Next reps" list, as the entry and the focus block both end.
fn next_reps(s: &mut String, reps: &[String]) {
    s.push_str("**Next reps:**");
    if reps.is_empty() {
        s.push_str(" none\n");
    } else {
        for r in reps {
            s.push_str("\n- ");
            s.push_str(r);
        }
        s.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::insight::{Anchors, Resolution};
    use crate::normalize::{FileChange, FileOp, SessionInfo};

    const S: &str = "019a5c3e-0000-7000-8000-000000000001";

    fn ev(n: u32, turn: Option<&str>, body: Body) -> Event {
        Event {
            id: format!("e{n}"),
            session: S.into(),
            at: format!("2026-11-18T{:02}:{:02}:00Z", 14 + n / 60, n % 60),
            turn: turn.map(str::to_owned),
            body,
        }
    }

    fn prompt(text: &str) -> Body {
        Body::Prompt {
            text: text.into(),
            ide: None,
            images: 0,
            steer: false,
        }
    }

    fn cmd(command: &str, exit: i32) -> Body {
        Body::Command(Command {
            command: command.into(),
            workdir: None,
            exit_code: Some(exit),
            duration_ms: None,
            output: String::new(),
            tool: "shell".into(),
            status: CommandStatus::Exited,
        })
    }

    fn answer(text: &str) -> Body {
        Body::Assistant {
            text: text.into(),
            phase: Some("final_answer".into()),
        }
    }

    fn events() -> Vec<Event> {
        vec![
            ev(
                2,
                None,
                Body::SessionStart(SessionInfo {
                    surface: "vscode".into(),
                    cwd: Some("/home/dev/todo".into()),
                    started_at: "2026-11-18T14:02:00Z".into(),
                    ..SessionInfo::default()
                }),
            ),
            ev(
                3,
                Some("turn-aaaa-1"),
                prompt("hi! add a todo list | with useEffect.\nthen style it"),
            ),
            ev(
                4,
                Some("turn-aaaa-1"),
                Body::Edit(Edit {
                    files: vec![FileChange {
                        path: "/home/dev/todo/src/App.tsx".into(),
                        op: FileOp::Update,
                        move_to: None,
                        added: 3,
                        removed: 1,
                        hunks: vec![],
                        diff: String::new(),
                    }],
                    success: Some(true),
                    tool: "apply_patch".into(),
                }),
            ),
            ev(5, Some("turn-aaaa-1"), cmd("npm test", 1)),
            ev(6, Some("turn-aaaa-1"), cmd("ls src", 0)),
            ev(7, Some("turn-aaaa-1"), cmd("npm test -- --watch=false", 0)),
            ev(8, Some("turn-bbbb-2"), prompt("what does `useEffect` do?")),
            ev(
                9,
                Some("turn-bbbb-2"),
                answer("**It runs after render.** More here."),
            ),
            ev(
                10,
                Some("turn-bbbb-2"),
                Body::TurnEnd {
                    status: TurnStatus::Aborted,
                    reason: Some("interrupted".into()),
                    duration_ms: None,
                    tokens: None,
                },
            ),
            ev(70, Some("turn-cccc-3"), cmd("npx vite build", 2)),
        ]
    }

    fn summary() -> SessionSummary {
        let mut s = SessionSummary::new(S);
        for e in events() {
            s.apply(&e);
        }
        s
    }

    fn insight(kind: Kind, topic: &str, turn: &str, status: Status) -> Insight {
        Insight {
            id: format!("{topic}-{turn}"),
            kind,
            topic: topic.into(),
            text: format!("what does `{topic}` do?\nreally"),
            takeaway: Some("It runs | after render.".into()),
            session: S.into(),
            turn: Some(turn.into()),
            at: "2026-11-18T14:08:00Z".into(),
            surface: "vscode".into(),
            cwd: Some("/home/dev/todo".into()),
            confidence: 0.9,
            status,
            resolved_by: None,
            evidence: vec![],
            anchors: Anchors::default(),
        }
    }

    #[test]
    fn an_entry_has_the_template_shape() {
        let mut earlier = insight(
            Kind::FollowUp,
            "Netlify deploy",
            "old-turn",
            Status::Resolved,
        );
        earlier.session = "older-session".into();
        earlier.at = "2026-11-10T10:00:00Z".into();
        earlier.resolved_by = Some(Resolution {
            session: S.into(),
            turn: Some("turn-aaaa-1".into()),
            at: "2026-11-18T14:05:00Z".into(),
            how: "`npx netlify deploy --prod` passed".into(),
        });
        let mut unrelated = earlier.clone();
        unrelated.topic = "docker".into();
        unrelated.resolved_by.as_mut().unwrap().session = "someone-else".into();
        let insights = vec![
            insight(Kind::Gap, "useEffect", "turn-bbbb-2", Status::Open),
            insight(
                Kind::Error,
                "TS2339 in npx vite build",
                "turn-cccc-3",
                Status::Open,
            ),
            earlier,
            unrelated,
        ];
        let md = entry(&summary(), &events(), &insights);
        let lines: Vec<&str> = md.lines().collect();
        assert_eq!(
            lines[0],
            format!(
                "## 2026-11-18 · Add a todo list | with useEffect   {}",
                marker(S)
            ),
            "{md}"
        );
        assert_eq!(
            lines[2],
            format!("- **Session** `{S}` · vscode · /home/dev/todo · 14:02–15:10 UTC · 3 turns")
        );
        assert_eq!(
            lines[3],
            "- **Goal:** hi! add a todo list | with useEffect. then style it"
        );
        let rows: Vec<&str> = lines
            .iter()
            .copied()
            .filter(|l| l.starts_with("| `"))
            .collect();
        assert_eq!(rows.len(), 3, "{md}");
        assert_eq!(
            rows[0],
            "| `turn-aaa` | add a todo list \\| with useEffect. | — | `npm test` failed → passed · edited src/App.tsx |"
        );
        assert_eq!(
            rows[1],
            "| `turn-bbb` | what does `useEffect` do? | `useEffect` (gap) | aborted (interrupted) · answered: It runs \\| after render. |"
        );
        assert_eq!(
            rows[2],
            "| `turn-ccc` | ran `npx vite build` | — | `npx vite build` failed |"
        );
        assert!(md.contains(
            "**Gaps resolved:**\n- `Netlify deploy` (follow-up, asked 2026-11-10) — `npx netlify deploy --prod` passed\n"
        ), "{md}");
        assert!(!md.contains("docker"), "{md}");
        assert!(
            md.contains("**Gaps still open:**\n- `useEffect` — what does `useEffect` do? really\n"),
            "{md}"
        );
        assert!(md.ends_with(
            "**Next reps:**\n- Write a `useEffect` with a cleanup function without help\n- Re-run `npx vite build` after fixing TS2339 on your own\n"
        ), "{md}");
    }

    #[test]
    fn an_empty_session_still_has_a_header() {
        let md = entry(&SessionSummary::new("s-empty"), &[], &[]);
        assert!(
            md.starts_with("## Session without prompts   <!-- sessionlens:session s-empty -->\n"),
            "{md}"
        );
        assert!(md.contains("- **Goal:** —\n"), "{md}");
        assert!(md.contains("No turns recorded."), "{md}");
        assert!(md.contains("**Gaps resolved:** none\n"), "{md}");
        assert!(md.contains("**Gaps still open:** none\n"), "{md}");
        assert!(md.ends_with("**Next reps:** none\n"), "{md}");
        // Steer-only and odd turns never panic either.
        let odd = vec![Event {
            id: "x".into(),
            session: "s".into(),
            at: "not a time".into(),
            turn: Some("t1".into()),
            body: Body::Prompt {
                text: "é".repeat(300),
                ide: None,
                images: 0,
                steer: true,
            },
        }];
        let md = entry(&SessionSummary::new("s"), &odd, &[]);
        assert!(md.contains("| `t1` | éééé"), "{md}");
        let blank = vec![
            ev(1, Some("t1"), prompt("  \n ")),
            ev(
                2,
                Some("t2"),
                Body::TurnEnd {
                    status: TurnStatus::Inferred,
                    reason: None,
                    duration_ms: None,
                    tokens: None,
                },
            ),
        ];
        let md = entry(&SessionSummary::new(S), &blank, &[]);
        assert!(
            md.starts_with("## 2026-11-18 · Session without prompts   <!--"),
            "{md}"
        );
        assert!(md.contains("| `t2` | — | — | — |"), "{md}");
    }

    #[test]
    fn text_is_clipped_at_words_and_kept_on_one_line() {
        assert_eq!(clip("one two three four", 12), "one two…");
        assert_eq!(clip("see `useEffect` cleanup now", 12), "see `useEff`…");
        assert_eq!(
            gist("ok. replace the counter demo. then more", 80),
            "replace the counter demo."
        );
        assert_eq!(gist("thanks!", 80), "thanks!");
        assert_eq!(
            plain("why <App/> and `Vec<T>`"),
            "why \\<App/> and `Vec<T>`"
        );
        assert_eq!(code("echo `date`"), "`` echo `date` ``");
        assert_eq!(cell("a | b\nc"), "a \\| b c");
        assert_eq!(
            short_ids(&["01a2092e-45", "01a2092e-ed", "t1"]),
            ["01a2092e-4", "01a2092e-e", "t1"]
        );
        assert_eq!(
            span("2026-11-18T23:40:00Z", Some("2026-11-19T00:54:00Z")).unwrap(),
            "23:40–00:54 (+1 d) UTC"
        );
    }

    fn e(id: &str, body: &str) -> String {
        format!(
            "## 2026-11-18 · T   {}\n\n- **Goal:** x\n\n**Next reps:**\n- {body}\n",
            marker(id)
        )
    }

    #[test]
    fn appending_is_idempotent_and_keeps_the_developers_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("learnings.md");
        assert!(append(&path, &e("a", "one"), "a").unwrap());
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            format!("# Learnings\n\n{}", e("a", "one"))
        );
        assert!(!append(&path, &e("a", "one"), "a").unwrap());

        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str("My own note, right under the entry.\n\n## My heading\n\nMine.\n");
        std::fs::write(&path, &text).unwrap();
        assert!(append(&path, &e("b", "bee"), "b").unwrap());
        assert!(append(&path, &e("a", "two"), "a").unwrap());
        let got = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            got,
            format!(
                "# Learnings\n\n{}My own note, right under the entry.\n\n## My heading\n\nMine.\n\n{}",
                e("a", "two"),
                e("b", "bee")
            )
        );
        assert_eq!(got.matches(&marker("a")).count(), 1);
        // Only the journal is left behind: no temporary files.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_hand_edited_entry_is_replaced_up_to_the_next_header() {
        let old = format!(
            "# L\n\n## x   {}\nedited by hand\n\n## Next\nkeep\n",
            marker("a")
        );
        assert_eq!(
            merged(
                Some(&old),
                "## new   <!-- sessionlens:session a -->\nbody\n",
                "a"
            ),
            "# L\n\n## new   <!-- sessionlens:session a -->\nbody\n\n## Next\nkeep\n"
        );
        let crlf = "# L\r\n\r\nmine\r\n";
        assert_eq!(
            merged(Some(crlf), "## e\nb\n", "z"),
            "# L\r\n\r\nmine\r\n\r\n## e\r\nb\r\n"
        );
    }
}
