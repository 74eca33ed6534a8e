//! A session's entry in the journal, as markdown: a header carrying an invisible
//! `<!-- sessionlens:session ID -->` marker, the session line, the goal, one table row per turn
//! (turn id, what was asked or done, the gap it showed, what came of it), the gaps the session
//! resolved and left open, and the next reps. Pure — no I/O, no clock — so the same session and
//! insights always give the same text, and writing it again changes nothing in the file.

use super::marker;
use super::reps::{next_reps, reps};
use crate::insight::{self, Insight, Kind, Status};
use crate::knowledge::text::{
    self, clip, code, collapse, first_line, kind_label, plain, short_ids, utc,
};
use crate::normalize::{Body, Command, CommandStatus, Edit, Event, SessionSummary, TurnStatus};
use std::collections::HashMap;

/// The kinds an entry lists as gaps: what the developer still has to practise until resolved.
const GAP_KINDS: [Kind; 3] = [Kind::Gap, Kind::Confusion, Kind::FollowUp];

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
        text::surface(summary.shown_source()).to_owned(),
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
                .map(|i| format!("{} ({})", code(&i.topic), kind_label(i.kind)))
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

pub(super) fn section(s: &mut String, name: &str, lines: &[String]) {
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
        format!(" ({}{asked})", kind_label(i.kind))
    };
    format!(
        "- {}{note} — {}{when}",
        code(&i.topic),
        plain(&clip(how, 120))
    )
}

/// " (confusion)" for kinds other than a plain gap.
fn kind_note(kind: Kind) -> String {
    if kind == Kind::Gap {
        String::new()
    } else {
        format!(" ({})", kind_label(kind))
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
            let p = text::relative(f.move_to.as_deref().unwrap_or(&f.path), cwd);
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

// ---------------------------------------------------------------------------------------------
// Text: the gist of what was said, and markdown table cells.

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

/// A table cell: one line, `|` escaped (GitHub's tables honour `\|` inside code spans too).
fn cell(text: &str) -> String {
    collapse(text).replace('|', "\\|")
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
            ran: false,
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
    fn a_gist_is_the_first_sentence_that_says_something() {
        assert_eq!(
            gist("ok. replace the counter demo. then more", 80),
            "replace the counter demo."
        );
        assert_eq!(gist("thanks!", 80), "thanks!");
        assert_eq!(
            title("hi! add a todo list. then style it"),
            "Add a todo list"
        );
        assert_eq!(cell("a | b\nc"), "a \\| b c");
        assert_eq!(
            span("2026-11-18T23:40:00Z", Some("2026-11-19T00:54:00Z")).unwrap(),
            "23:40–00:54 (+1 d) UTC"
        );
    }
}
