//! The insight engine: what the developer struggled with and learned, derived from normalized
//! events by deterministic rules — no network, no model, the same input always gives the same
//! insights. Pure: events in, insights out.
//!
//! Each turn is read for the six kinds (`gap`, `confusion`, `error`, `success`, `follow_up`,
//! `decision`), at most one insight per kind and turn. Then a second pass follows every open
//! insight through the later sessions and closes it when the developer is seen doing that thing
//! successfully. Each insight keeps its *anchors* — the identifiers, file locations and patch
//! hunks it is about — which the symbol layer resolves against the current workspace.
//!
//! An optional model-based tagger can later implement the same contract ([`Tagger`]) and be
//! merged with these rules; the rules stay the offline default.

pub mod glossary;
pub mod rules;
pub mod struggle;
pub mod topic;

use crate::normalize::{Body, Edit, Event, FileOp};
use regex::Regex;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

/// The rules' version. Derived insights cached in the store carry it, so bump it whenever a
/// change to the rules would derive different insights from the same events.
pub const ENGINE_VERSION: u32 = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Gap,
    Confusion,
    Error,
    Success,
    FollowUp,
    Decision,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Gap,
        Kind::Confusion,
        Kind::Error,
        Kind::Success,
        Kind::FollowUp,
        Kind::Decision,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Gap => "gap",
            Kind::Confusion => "confusion",
            Kind::Error => "error",
            Kind::Success => "success",
            Kind::FollowUp => "follow_up",
            Kind::Decision => "decision",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == s.replace('-', "_"))
    }

    /// Kinds that stay open until the developer shows they can do the thing.
    fn needs_resolution(self) -> bool {
        matches!(
            self,
            Kind::Gap | Kind::Confusion | Kind::FollowUp | Kind::Error
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Open,
    Resolved,
}

/// Where and how an insight was closed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resolution {
    pub session: String,
    pub turn: Option<String>,
    pub at: String,
    /// What showed it: "`npx netlify deploy --prod` passed", "said they did it unaided", …
    pub how: String,
}

/// A file position named by evidence (a patch hunk, an error location), relative to the
/// session's working directory when it was inside it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Location {
    pub file: String,
    /// 1-based line when the evidence says.
    pub line: Option<u32>,
    /// The hunk's anchor text (`@@ function App() {`) when there is no line.
    pub context: Option<String>,
    /// Lines the patch added: found again in the current file, they locate the change wherever
    /// it has moved since.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub added: Vec<String>,
}

/// What an insight is about in the code, strongest evidence first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Anchors {
    /// Hunks the assistant's patches touched in that turn.
    pub edits: Vec<Location>,
    /// `file(line,col)` / `file:line` locations in failing command output.
    pub errors: Vec<Location>,
    /// Identifiers written as code in the question or the answer.
    pub identifiers: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Insight {
    pub id: String,
    pub kind: Kind,
    pub topic: String,
    /// The evidence as it was: the question as asked, or the failing command.
    pub text: String,
    /// What was learned: the answer's gist, or the fix that followed.
    pub takeaway: Option<String>,
    pub session: String,
    pub turn: Option<String>,
    pub at: String,
    pub surface: String,
    pub cwd: Option<String>,
    pub confidence: f32,
    pub status: Status,
    pub resolved_by: Option<Resolution>,
    /// Ids of the events it was derived from.
    pub evidence: Vec<String>,
    pub anchors: Anchors,
}

impl Insight {
    /// The code names the insight is about: its topic when that is an identifier, and the
    /// identifiers the developer wrote (or, when they wrote none, the answer's main ones). This is
    /// what a hover on a name matches, in any project.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        static IDENT: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r"^[A-Za-z_$][A-Za-z0-9_$]*$").expect("valid regex"));
        let topic = IDENT.is_match(&self.topic).then_some(self.topic.as_str());
        topic.into_iter().chain(
            self.anchors
                .identifiers
                .iter()
                .map(String::as_str)
                .filter(move |n| Some(*n) != topic),
        )
    }

    /// Whether someone wrote it down as a learning (`record_learning`) rather than the rules
    /// reading it from a conversation: its text then says who noted it, not a question asked.
    pub fn is_noted(&self) -> bool {
        self.text.starts_with(NOTED_BY)
            && self
                .turn
                .as_deref()
                .is_some_and(|t| t.starts_with(LEARNING_TURN))
    }

    /// Whether it stands for something still to learn (an open gap, confusion or follow-up).
    pub fn is_open_question(&self) -> bool {
        self.status == Status::Open
            && matches!(self.kind, Kind::Gap | Kind::Confusion | Kind::FollowUp)
    }
}

/// A source of insights. The rules below are one; a model-backed tagger can be another.
pub trait Tagger {
    fn tag(&self, events: &[Event]) -> Vec<Insight>;
}

/// The offline, deterministic rule engine.
pub struct Rules;

impl Tagger for Rules {
    fn tag(&self, events: &[Event]) -> Vec<Insight> {
        derive(events)
    }
}

/// A turn, gathered.
struct TurnView<'a> {
    id: Option<&'a str>,
    at: &'a str,
    prompts: Vec<&'a Event>,
    answers: Vec<(&'a str, bool)>,
    commands: Vec<&'a Event>,
    edits: Vec<(&'a Edit, &'a str)>,
}

struct SessionView<'a> {
    id: &'a str,
    surface: String,
    /// Started by an agent (a sub-agent, a reviewer): its prompts are an agent's words, so no
    /// rule reads them as the developer's.
    agent: bool,
    cwd: Option<String>,
    started: String,
    turns: Vec<TurnView<'a>>,
}

/// Derives every insight from the events of any number of sessions (in log order per session).
pub fn derive(events: &[Event]) -> Vec<Insight> {
    let sessions = group(events);
    let mut out: Vec<Insight> = Vec::new();
    // Commands that failed and have not passed since, per working directory.
    let mut failing: BTreeSet<(String, String)> = BTreeSet::new();
    let mut asked = TopicIndex::default();
    for s in &sessions {
        for t in &s.turns {
            read_turn(s, t, &mut out, &mut failing, &mut asked);
        }
    }
    resolve(&sessions, &mut out);
    noted(events, &sessions, &mut out);
    apply_marks(events, &mut out);
    out
}

/// How the text of a noted learning begins: "Noted by the agent".
const NOTED_BY: &str = "Noted by the ";
/// How the turn of a `learning` event begins (each learning is its own turn).
pub const LEARNING_TURN: &str = "learning-";

/// The id of the insight a `learning` event in `session`, turn `turn`, becomes.
pub fn learning_id(session: &str, turn: &str) -> String {
    insight_id(session, Some(turn), Kind::Decision)
}

/// Learnings written down as they happened (`learning` events) become insights as they are:
/// the topic and takeaway given, the names given as identifiers, resolved from the start (there
/// is nothing left to learn). They are decisions in kind: what was settled, and why. The rules
/// never read these events, so they change nothing the rules conclude.
fn noted(events: &[Event], sessions: &[SessionView], out: &mut Vec<Insight>) {
    let mut where_: BTreeMap<&str, &SessionView> = BTreeMap::new();
    for e in events {
        let Body::Learning {
            topic,
            takeaway,
            names,
            source,
        } = &e.body
        else {
            continue;
        };
        if where_.is_empty() {
            where_ = sessions.iter().map(|s| (s.id, s)).collect();
        }
        let s = where_.get(e.session.as_str());
        let turn = e
            .turn
            .clone()
            .unwrap_or_else(|| format!("{LEARNING_TURN}{}", e.id));
        out.push(Insight {
            id: learning_id(&e.session, &turn),
            kind: Kind::Decision,
            topic: topic.clone(),
            text: format!("{NOTED_BY}{source}"),
            takeaway: Some(takeaway.clone()),
            session: e.session.clone(),
            turn: Some(turn),
            at: e.at.clone(),
            surface: s.map_or_else(|| "unknown".into(), |s| s.surface.clone()),
            cwd: s.and_then(|s| s.cwd.clone()),
            confidence: 1.0,
            status: Status::Resolved,
            resolved_by: None,
            evidence: vec![e.id.clone()],
            anchors: Anchors {
                identifiers: names.clone(),
                ..Anchors::default()
            },
        });
    }
}

/// Questions and confusions by topic token, so "asked before?" looks at a handful of insights
/// instead of all of them. Kept in step with `out` as it grows.
#[derive(Default)]
struct TopicIndex {
    upto: usize,
    by_token: std::collections::HashMap<String, Vec<usize>>,
}

impl TopicIndex {
    fn sync(&mut self, out: &[Insight]) {
        for (n, i) in out.iter().enumerate().skip(self.upto) {
            if matches!(i.kind, Kind::Gap | Kind::Confusion) {
                for w in topic::tokens(&i.topic) {
                    self.by_token.entry(w).or_default().push(n);
                }
            }
        }
        self.upto = out.len();
    }
}

/// The developer's own word beats the rules: the last mark on an insight decides its status.
fn apply_marks(events: &[Event], out: &mut [Insight]) {
    let marks: BTreeMap<&str, &Event> = events
        .iter()
        .filter_map(|e| match &e.body {
            Body::Mark { insight, .. } => Some((insight.as_str(), e)),
            _ => None,
        })
        .collect();
    if marks.is_empty() {
        return;
    }
    for i in out.iter_mut() {
        let Some(e) = marks.get(i.id.as_str()) else {
            continue;
        };
        let Body::Mark { resolved, .. } = &e.body else {
            continue;
        };
        if *resolved {
            i.status = Status::Resolved;
            i.resolved_by = Some(Resolution {
                session: e.session.clone(),
                turn: None,
                at: e.at.clone(),
                how: "marked resolved by you".into(),
            });
        } else {
            i.status = Status::Open;
            i.resolved_by = None;
        }
    }
}

fn group(events: &[Event]) -> Vec<SessionView<'_>> {
    let mut by_session: BTreeMap<&str, SessionView> = BTreeMap::new();
    for e in events {
        let s = by_session
            .entry(e.session.as_str())
            .or_insert_with(|| SessionView {
                id: e.session.as_str(),
                surface: "unknown".into(),
                agent: false,
                cwd: None,
                started: e.at.clone(),
                turns: Vec::new(),
            });
        match &e.body {
            Body::SessionStart(info) => {
                s.surface.clone_from(&info.surface);
                s.cwd.clone_from(&info.cwd);
                s.started.clone_from(&info.started_at);
                s.agent |= info.is_agent_thread();
            }
            Body::SessionResume(info) => s.agent |= info.is_agent_thread(),
            _ => {}
        }
        let Some(turn) = e.turn.as_deref() else {
            continue;
        };
        if s.turns.last().is_none_or(|t| t.id != Some(turn)) {
            s.turns.push(TurnView {
                id: Some(turn),
                at: e.at.as_str(),
                prompts: Vec::new(),
                answers: Vec::new(),
                commands: Vec::new(),
                edits: Vec::new(),
            });
        }
        let t = s.turns.last_mut().expect("pushed above");
        match &e.body {
            Body::Prompt { .. } if !s.agent => t.prompts.push(e),
            Body::Assistant { text, phase } => t
                .answers
                .push((text.as_str(), phase.as_deref() == Some("final_answer"))),
            Body::Command(_) => t.commands.push(e),
            Body::Edit(edit) => t.edits.push((edit, e.id.as_str())),
            _ => {}
        }
    }
    let mut sessions: Vec<SessionView> = by_session.into_values().collect();
    sessions.sort_by(|a, b| a.started.cmp(&b.started).then_with(|| a.id.cmp(b.id)));
    sessions
}

fn prompt_text(e: &Event) -> &str {
    match &e.body {
        Body::Prompt { text, .. } => text,
        _ => "",
    }
}

/// A turn's final answer, else its last message.
fn final_answer<'a>(t: &TurnView<'a>) -> Option<&'a str> {
    t.answers
        .iter()
        .rev()
        .find(|(_, fin)| *fin)
        .or_else(|| t.answers.last())
        .map(|(a, _)| *a)
}

/// The gist of a turn's answer: its final answer (else its last message), first sentences, no
/// markdown, at most ~240 characters.
fn takeaway(t: &TurnView) -> Option<String> {
    let answer = final_answer(t)?;
    let plain: String = answer
        .lines()
        .map(str::trim)
        // Headings ("## What useEffect does", "**Why it runs twice**") are not sentences.
        .filter(|l| !(l.starts_with('#') || l.starts_with("**") && l.ends_with("**")))
        .map(|l| l.trim_start_matches(['-', '*', '>', ' ']).trim())
        .filter(|l| !l.is_empty() && !l.starts_with("```"))
        .collect::<Vec<_>>()
        .join(" ")
        .replace("**", "");
    let mut out = String::new();
    for sentence in split_sentences(&plain) {
        if !out.is_empty() && out.len() + sentence.len() > 240 {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(sentence);
        if out.len() > 120 {
            break;
        }
    }
    if out.len() > 280 {
        let cut = out
            .char_indices()
            .take_while(|(i, _)| *i < 277)
            .last()
            .map_or(0, |(i, c)| i + c.len_utf8());
        out.truncate(cut);
        out.push('…');
    }
    (!out.is_empty()).then_some(out)
}

fn split_sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for (i, c) in text.char_indices() {
        if matches!(c, '.' | '!' | '?') && bytes.get(i + 1).is_none_or(|b| *b == b' ') {
            out.push(text[start..=i].trim());
            start = i + 1;
        }
    }
    if start < text.len() && !text[start..].trim().is_empty() {
        out.push(text[start..].trim());
    }
    out
}

/// The sentence of an answer that gives a reason, for decisions.
fn reason(t: &TurnView) -> Option<String> {
    let answer = final_answer(t)?;
    let plain = answer.replace("**", "").replace('\n', " ");
    split_sentences(&plain)
        .into_iter()
        .find(|s| {
            let l = s.to_ascii_lowercase();
            l.contains("because")
                || l.contains(" since ")
                || l.contains("so that")
                || l.contains("simpler")
                || l.contains("better")
        })
        .map(str::to_owned)
        .or_else(|| takeaway(t))
}

static ERROR_CODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(TS\d{4}|E\d{4}|[A-Z][a-zA-Z]*(?:Error|Exception)|SettingWithCopyWarning|ERR_[A-Z_]+|npm ERR! code [A-Z]+)\b").expect("valid")
});
static LOCATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:^|[\s"'(\[])(/?(?:[\w.-]+/)*[\w.-]+\.(?:tsx?|jsx?|mjs|cjs|py|rs|go|java|rb|vue|svelte))(?:\((\d+),\d+\)|:(\d+)(?::\d+)?|", line (\d+))"#)
        .expect("valid")
});

/// Commands whose non-zero exit is not a failure worth remembering: searches and probes.
fn benign(command: &str) -> bool {
    let key = command_key(command);
    let first = key.split_whitespace().next().unwrap_or("");
    matches!(
        first,
        "rg" | "grep"
            | "egrep"
            | "fgrep"
            | "find"
            | "fd"
            | "ls"
            | "test"
            | "["
            | "which"
            | "command"
            | "type"
            | "diff"
            | "cmp"
            | "cat"
            | "sed"
            | "head"
            | "tail"
            | "wc"
            | "stat"
            | "file"
            | "pgrep"
            | "ps"
            | "echo"
            | "true"
            | "false"
            | "kill"
            | "pkill"
            | "lsof"
            | "nl"
            | "awk"
    ) || key.starts_with("git diff")
        || key.starts_with("git grep")
        || key.starts_with("git status")
        || key.starts_with("git log")
        || key.starts_with("git show")
        || key.starts_with("git rev-parse")
        || command.contains("|| true")
}

/// A command's identity for "the same command later passed": the last step of a `cd x && …`
/// chain, env assignments dropped, its words up to the first flag (at most three).
pub fn command_key(command: &str) -> String {
    let steps: Vec<&str> = command.split("&&").map(str::trim).collect();
    let step = steps
        .iter()
        .rfind(|s| !s.starts_with("cd ") && !s.is_empty())
        .copied()
        .unwrap_or(command.trim());
    let step = step.split(['|', ';']).next().unwrap_or(step);
    let words: Vec<&str> = step
        .split_whitespace()
        .skip_while(|w| w.contains('=') && !w.starts_with('-'))
        .take_while(|w| {
            // Flags, redirections and long arguments (ids, hashes, paths) end the command's name.
            !w.starts_with('-') && !w.starts_with('>') && !w.starts_with('<') && w.len() <= 24
        })
        .take(3)
        .collect();
    words.join(" ")
}

fn is_deploy(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.contains("deploy")
        || k.starts_with("vercel")
        || k.starts_with("docker push")
        || k.starts_with("kubectl apply")
        || k.contains("git push heroku")
}

fn relative(path: &str, cwd: Option<&str>) -> String {
    match cwd {
        Some(c) if !c.is_empty() => path
            .strip_prefix(c)
            .map(|r| r.trim_start_matches('/').to_owned())
            .unwrap_or_else(|| path.to_owned()),
        _ => path.to_owned(),
    }
}

fn edit_anchors(t: &TurnView, cwd: Option<&str>) -> Vec<Location> {
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
            // Distinctive added lines (not braces or blank), a few per file.
            let mut added: Vec<String> = Vec::new();
            for l in f.diff.lines() {
                let Some(line) = l.strip_prefix('+').filter(|l| !l.starts_with("++")) else {
                    continue;
                };
                let line = line.trim();
                if line.len() >= 8
                    && line.chars().any(char::is_alphanumeric)
                    && !added.iter().any(|a| a == line)
                {
                    added.push(line.to_owned());
                }
                if added.len() >= 8 {
                    break;
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
            };
            match out.iter_mut().find(|l| l.file == loc.file) {
                Some(existing) => {
                    for a in loc.added {
                        if existing.added.len() < 12 && !existing.added.contains(&a) {
                            existing.added.push(a);
                        }
                    }
                }
                None => out.push(loc),
            }
        }
    }
    out
}

fn error_locations(output: &str, cwd: Option<&str>) -> Vec<Location> {
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
            context: None,
            added: Vec::new(),
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

fn insight_id(session: &str, turn: Option<&str>, kind: Kind) -> String {
    let mut h = Sha256::new();
    h.update(session.as_bytes());
    h.update([0]);
    h.update(turn.unwrap_or("").as_bytes());
    h.update([0]);
    h.update(kind.as_str().as_bytes());
    hex::encode(&h.finalize()[..8])
}

#[allow(clippy::too_many_arguments)]
fn push(
    out: &mut Vec<Insight>,
    s: &SessionView,
    t: &TurnView,
    kind: Kind,
    topic: String,
    text: String,
    takeaway: Option<String>,
    confidence: f32,
    evidence: Vec<String>,
    anchors: Anchors,
) {
    // Sessions are read one after another, so this session's insights are the end of `out`.
    if out
        .iter()
        .rev()
        .take_while(|i| i.session == s.id)
        .any(|i| i.turn.as_deref() == t.id && i.kind == kind)
    {
        return;
    }
    let born_resolved = !kind.needs_resolution();
    let at = t.at.to_owned();
    out.push(Insight {
        id: insight_id(s.id, t.id, kind),
        kind,
        topic,
        text,
        takeaway,
        session: s.id.to_owned(),
        turn: t.id.map(str::to_owned),
        at: at.clone(),
        surface: s.surface.clone(),
        cwd: s.cwd.clone(),
        confidence,
        status: if born_resolved {
            Status::Resolved
        } else {
            Status::Open
        },
        resolved_by: born_resolved.then(|| Resolution {
            session: s.id.to_owned(),
            turn: t.id.map(str::to_owned),
            at,
            how: "recorded as it happened".into(),
        }),
        evidence,
        anchors,
    });
}

fn read_turn(
    s: &SessionView,
    t: &TurnView,
    out: &mut Vec<Insight>,
    failing: &mut BTreeSet<(String, String)>,
    asked: &mut TopicIndex,
) {
    asked.sync(out);
    let asked = &asked.by_token;
    let cwd = s.cwd.as_deref();
    let edits = edit_anchors(t, cwd);
    let answer_text: String = t
        .answers
        .iter()
        .map(|(a, _)| *a)
        .collect::<Vec<_>>()
        .join("\n");
    let answer_ids = topic::identifiers(&answer_text);

    // The developer's messages.
    for p in &t.prompts {
        let text = prompt_text(p);
        let reading = rules::read(text);
        // The code the developer named; when they named none, what the answer was about.
        let mut identifiers = topic::identifiers(text);
        if identifiers.is_empty() {
            identifiers.extend(answer_ids.iter().take(2).cloned());
        }
        let anchors = Anchors {
            edits: edits.clone(),
            errors: Vec::new(),
            identifiers,
        };
        let evidence = vec![p.id.clone()];
        let topic_here = topic::extract(text);
        // A topic asked about before, in an insight still open: the same question again.
        // Topics that are the same share a token: only those insights are compared.
        let earlier = |out: &[Insight], kinds: &[Kind]| {
            topic_here.as_ref().and_then(|tp| {
                let mut candidates: Vec<usize> = topic::tokens(tp)
                    .iter()
                    .filter_map(|w| asked.get(w))
                    .flatten()
                    .copied()
                    .collect();
                candidates.sort_unstable_by(|a, b| b.cmp(a));
                candidates.dedup();
                candidates
                    .into_iter()
                    .map(|n| &out[n])
                    .find(|i| {
                        kinds.contains(&i.kind)
                            && i.status == Status::Open
                            && i.turn.as_deref() != t.id
                            && topic::same(&i.topic, tp)
                    })
                    .map(|i| i.topic.clone())
            })
        };
        let session_topic = out
            .last()
            .filter(|i| i.session == s.id)
            .map(|i| i.topic.clone());

        if reading.gap {
            let topic = topic_here.clone().unwrap_or_else(|| "question".into());
            if let Some(prev) = earlier(out, &[Kind::Gap, Kind::Confusion]) {
                push(
                    out,
                    s,
                    t,
                    Kind::Confusion,
                    prev,
                    text.to_owned(),
                    takeaway(t),
                    0.7,
                    evidence.clone(),
                    anchors.clone(),
                );
                continue;
            }
            let conf = if anchors.identifiers.is_empty() {
                0.75
            } else {
                0.9
            };
            push(
                out,
                s,
                t,
                Kind::Gap,
                topic,
                text.to_owned(),
                takeaway(t),
                conf,
                evidence.clone(),
                anchors.clone(),
            );
        }
        if reading.confusion
            || (!reading.gap
                && t.answers.iter().any(|(a, _)| rules::corrects(a))
                && text.contains('?'))
        {
            let topic = earlier(out, &[Kind::Gap, Kind::Confusion, Kind::Error])
                .or(topic_here.clone())
                .or(session_topic.clone())
                .unwrap_or_else(|| "confusion".into());
            push(
                out,
                s,
                t,
                Kind::Confusion,
                topic,
                text.to_owned(),
                takeaway(t),
                0.75,
                evidence.clone(),
                anchors.clone(),
            );
        }
        if reading.follow_up {
            // The clause that defers ("I'll fix merge next time"), and what it names.
            let clause = text
                .split(['.', ',', ';', '!', '?', '—', '\n'])
                .find(|c| rules::read(c).follow_up)
                .unwrap_or(text);
            let rest = strip_follow_up_words(clause);
            let own = topic::extract(&rest);
            let own_tokens = topic::tokens(&rest);
            // Deferring something discussed earlier in the session: that topic.
            let earlier = out
                .iter()
                .rev()
                .find(|i| {
                    i.session == s.id
                        && topic::tokens(&i.topic)
                            .iter()
                            .any(|w| own_tokens.contains(w))
                })
                .map(|i| i.topic.clone());
            // "I'll add it myself tomorrow": nothing named, so what the answer was about.
            let own = own.filter(|o| !topic::tokens(o).is_empty());
            let topic = earlier
                .or(own)
                .or(answer_ids.first().cloned())
                .or(session_topic.clone())
                .unwrap_or_else(|| "next step".into());
            push(
                out,
                s,
                t,
                Kind::FollowUp,
                topic,
                text.to_owned(),
                None,
                0.7,
                evidence.clone(),
                anchors.clone(),
            );
        }
        if reading.decision {
            let topic = topic::options(text)
                .or(topic_here.clone())
                .unwrap_or_else(|| "decision".into());
            push(
                out,
                s,
                t,
                Kind::Decision,
                topic,
                text.to_owned(),
                reason(t),
                0.7,
                evidence.clone(),
                anchors.clone(),
            );
        }
        if reading.success && !reading.gap {
            let topic = session_topic
                .clone()
                .or(topic_here.clone())
                .unwrap_or_else(|| "it works".into());
            push(
                out,
                s,
                t,
                Kind::Success,
                topic,
                text.to_owned(),
                None,
                0.8,
                evidence.clone(),
                anchors.clone(),
            );
        }
        if reading.pasted_error {
            let code = ERROR_CODE.find(text).map(|m| m.as_str().to_owned());
            let topic = code
                .or(topic_here.clone())
                .unwrap_or_else(|| "error".into());
            let errs = error_locations(text, cwd);
            let anchors = Anchors {
                errors: errs,
                ..anchors.clone()
            };
            push(
                out,
                s,
                t,
                Kind::Error,
                topic,
                first_line(text),
                takeaway(t),
                0.85,
                evidence.clone(),
                anchors,
            );
        }
    }

    // What ran.
    let place = s.cwd.clone().unwrap_or_default();
    let prompt_ids: Vec<String> = t
        .prompts
        .iter()
        .flat_map(|p| topic::identifiers(prompt_text(p)))
        .take(4)
        .collect();
    for c in &t.commands {
        let Body::Command(cmd) = &c.body else {
            continue;
        };
        let key = command_key(&cmd.command);
        if key.is_empty() || benign(&cmd.command) {
            continue;
        }
        let failed = cmd.failed();
        if failed {
            failing.insert((place.clone(), key.clone()));
            let code = ERROR_CODE.find(&cmd.output).map(|m| m.as_str().to_owned());
            let topic = match code {
                Some(code) => format!("{code} in {key}"),
                None => key.clone(),
            };
            let anchors = Anchors {
                edits: edits.clone(),
                errors: error_locations(&cmd.output, cwd),
                identifiers: prompt_ids.clone(),
            };
            let fix = fix_after(t, c);
            push(
                out,
                s,
                t,
                Kind::Error,
                topic,
                cmd.command.clone(),
                fix.or_else(|| takeaway(t)),
                0.95,
                vec![c.id.clone()],
                anchors,
            );
        } else if cmd.exit_code == Some(0) {
            // The first pass of a command that was failing, or a deploy that went live.
            let was_failing = failing.remove(&(place.clone(), key.clone()));
            if was_failing || is_deploy(&key) {
                let anchors = Anchors {
                    edits: edits.clone(),
                    errors: Vec::new(),
                    identifiers: prompt_ids.clone(),
                };
                push(
                    out,
                    s,
                    t,
                    Kind::Success,
                    key.clone(),
                    cmd.command.clone(),
                    takeaway(t),
                    0.85,
                    vec![c.id.clone()],
                    anchors,
                );
            }
        }
    }
}

/// How a failing command got fixed within its turn: the files patched after it and the command
/// that then passed.
fn fix_after(t: &TurnView, failed: &Event) -> Option<String> {
    let Body::Command(cmd) = &failed.body else {
        return None;
    };
    let key = command_key(&cmd.command);
    let passed = t.commands.iter().skip_while(|c| c.id != failed.id).skip(1).any(|c| {
        matches!(&c.body, Body::Command(x) if x.exit_code == Some(0) && command_key(&x.command) == key)
    });
    if !passed {
        return None;
    }
    let answer = takeaway(t);
    Some(match answer {
        Some(a) => format!("Fixed in the same turn; `{key}` then passed. {a}"),
        None => format!("Fixed in the same turn; `{key}` then passed."),
    })
}

fn first_line(text: &str) -> String {
    text.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
        .chars()
        .take(200)
        .collect()
}

fn strip_follow_up_words(text: &str) -> String {
    let re = [
        "next time",
        "later",
        "another time",
        "some other time",
        "not now",
        "remind me",
        "come back to",
        "for now",
        "let's",
        "lets",
        "we'll",
        "we will",
        "i'll",
        "tomorrow",
        "maybe",
        "do that",
        "do the",
        "do it",
    ];
    let mut t = text.to_ascii_lowercase();
    for w in re {
        t = t.replace(w, " ");
    }
    t
}

/// Follows open insights into later sessions and closes them on evidence of success.
/// What the resolution pass needs from one turn, computed once rather than per open insight.
struct TurnFacts<'a> {
    session: usize,
    turn: &'a TurnView<'a>,
    /// Prompts where the developer reports doing something themselves (and asks nothing).
    did: Vec<Mentions>,
    /// Commands that passed and are not mere probes: first line, and what they mention.
    passed: Vec<(&'a str, Mentions)>,
    /// Keys of the commands that passed, for errors.
    pass_keys: Vec<(String, &'a str)>,
    /// Lines added by the turn's successful edits.
    added: Vec<&'a str>,
}

struct Mentions {
    tokens: BTreeSet<String>,
    concepts: Vec<&'static str>,
}

impl Mentions {
    fn of(text: &str) -> Mentions {
        Mentions {
            tokens: topic::tokens(text),
            concepts: glossary::concepts(text),
        }
    }

    /// Whether the text names the topic: half its words, or its concept.
    fn topic(&self, topic_tokens: &BTreeSet<String>, concept: Option<&str>) -> bool {
        let words = !topic_tokens.is_empty()
            && topic_tokens
                .iter()
                .filter(|w| self.tokens.contains(*w))
                .count()
                * 2
                >= topic_tokens.len().max(1);
        words || concept.is_some_and(|c| self.concepts.contains(&c))
    }
}

/// Every turn of every session in order, with inverted indexes from words, concepts and passing
/// command keys to the turns that contain them: an open insight looks only at the turns that
/// could resolve it.
struct Facts<'a> {
    turns: Vec<TurnFacts<'a>>,
    /// Index of each session's first turn in `turns`.
    first_turn: Vec<usize>,
    by_token: std::collections::HashMap<String, Vec<usize>>,
    by_concept: std::collections::HashMap<&'static str, Vec<usize>>,
    by_pass_key: std::collections::HashMap<String, Vec<usize>>,
}

impl<'a> Facts<'a> {
    fn new(sessions: &'a [SessionView<'a>]) -> Facts<'a> {
        let mut f = Facts {
            turns: Vec::new(),
            first_turn: Vec::with_capacity(sessions.len() + 1),
            by_token: Default::default(),
            by_concept: Default::default(),
            by_pass_key: Default::default(),
        };
        for (si, s) in sessions.iter().enumerate() {
            f.first_turn.push(f.turns.len());
            for t in &s.turns {
                let n = f.turns.len();
                let mut facts = TurnFacts {
                    session: si,
                    turn: t,
                    did: Vec::new(),
                    passed: Vec::new(),
                    pass_keys: Vec::new(),
                    added: Vec::new(),
                };
                let mut words: BTreeSet<String> = BTreeSet::new();
                let mut concepts: BTreeSet<&'static str> = BTreeSet::new();
                for p in &t.prompts {
                    let text = prompt_text(p);
                    let r = rules::read(text);
                    if (r.unaided || r.success || r.did) && !r.gap {
                        let m = Mentions::of(text);
                        words.extend(m.tokens.iter().cloned());
                        concepts.extend(m.concepts.iter().copied());
                        facts.did.push(m);
                    }
                }
                for c in &t.commands {
                    if let Body::Command(cmd) = &c.body {
                        if cmd.exit_code != Some(0) {
                            continue;
                        }
                        let first = cmd.command.lines().next().unwrap_or("");
                        let key = command_key(&cmd.command);
                        if !key.is_empty() {
                            f.by_pass_key.entry(key.clone()).or_default().push(n);
                            facts.pass_keys.push((key, first));
                        }
                        if !benign(&cmd.command) {
                            let m = Mentions::of(&cmd.command);
                            words.extend(m.tokens.iter().cloned());
                            concepts.extend(m.concepts.iter().copied());
                            facts.passed.push((first, m));
                        }
                    }
                }
                for (edit, _) in &t.edits {
                    if edit.success == Some(false) {
                        continue;
                    }
                    for file in &edit.files {
                        for l in file.diff.lines().filter(|l| l.starts_with('+')) {
                            words.extend(topic::tokens(l));
                            facts.added.push(l);
                        }
                    }
                }
                for w in words {
                    f.by_token.entry(w).or_default().push(n);
                }
                for c in concepts {
                    f.by_concept.entry(c).or_default().push(n);
                }
                f.turns.push(facts);
            }
        }
        f.first_turn.push(f.turns.len());
        for list in f.by_pass_key.values_mut() {
            list.dedup();
        }
        f
    }
}

fn resolve(sessions: &[SessionView], out: &mut [Insight]) {
    let session_index: BTreeMap<&str, usize> = sessions
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id, i))
        .collect();
    let facts = Facts::new(sessions);
    // Questions and confusions per session and per turn, for "still asking about it".
    let mut asked_in: BTreeMap<(String, Option<String>), Vec<usize>> = BTreeMap::new();
    let mut asked_in_session: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (n, i) in out.iter().enumerate() {
        if matches!(i.kind, Kind::Gap | Kind::Confusion) {
            asked_in
                .entry((i.session.clone(), i.turn.clone()))
                .or_default()
                .push(n);
            asked_in_session
                .entry(i.session.clone())
                .or_default()
                .push(n);
        }
    }
    let topics: Vec<String> = out.iter().map(|i| i.topic.clone()).collect();
    let asks = |list: Option<&Vec<usize>>, topic: &str| {
        list.is_some_and(|l| l.iter().any(|&n| topic::same(&topics[n], topic)))
    };
    for insight in out.iter_mut() {
        if insight.status == Status::Resolved {
            continue;
        }
        let Some(&born) = session_index.get(insight.session.as_str()) else {
            continue;
        };
        let kind = insight.kind;
        let found = if kind == Kind::Error {
            // The same command passing, from the failing session on.
            let key = command_key(&insight.text);
            facts
                .by_pass_key
                .get(&key)
                .into_iter()
                .flatten()
                .find(|&&n| n >= facts.first_turn[born])
                .and_then(|&n| {
                    let t = &facts.turns[n];
                    let (_, first) = t.pass_keys.iter().find(|(k, _)| *k == key)?;
                    Some((n, format!("`{first}` passed")))
                })
        } else {
            // Later sessions only: doing it unaided, a command about it passing, or code using it.
            let topic = insight.topic.as_str();
            let topic_tokens = topic::tokens(topic);
            let concept = glossary::concept(topic);
            let mut candidates: Vec<usize> = topic_tokens
                .iter()
                .filter_map(|w| facts.by_token.get(w))
                .chain(concept.and_then(|c| facts.by_concept.get(c)))
                .flatten()
                .copied()
                .filter(|&n| n >= facts.first_turn[born + 1])
                .collect();
            candidates.sort_unstable();
            candidates.dedup();
            candidates.into_iter().find_map(|n| {
                let t = &facts.turns[n];
                let sid = sessions[t.session].id;
                let key = (sid.to_owned(), t.turn.id.map(str::to_owned));
                if asks(asked_in.get(&key), topic) {
                    return None;
                }
                if t.did.iter().any(|m| m.topic(&topic_tokens, concept)) {
                    return Some((n, "said they did it on their own".to_owned()));
                }
                if let Some((first, _)) = t
                    .passed
                    .iter()
                    .find(|(_, m)| m.topic(&topic_tokens, concept))
                {
                    return Some((n, format!("`{first}` passed")));
                }
                let ident = topic.trim_matches('`');
                if topic_tokens.len() == 1
                    && !asks(asked_in_session.get(sid), topic)
                    && t.added.iter().any(|l| l.contains(ident))
                {
                    return Some((
                        n,
                        format!("wrote code using `{ident}` with no question asked"),
                    ));
                }
                None
            })
        };
        if let Some((n, how)) = found {
            let t = &facts.turns[n];
            insight.status = Status::Resolved;
            insight.resolved_by = Some(Resolution {
                session: sessions[t.session].id.to_owned(),
                turn: t.turn.id.map(str::to_owned),
                at: t.turn.at.to_owned(),
                how,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_keys_ignore_cd_env_and_flags() {
        assert_eq!(command_key("cd /p && npm run build"), "npm run build");
        assert_eq!(command_key("CI=1 npm test -- --watch=false"), "npm test");
        assert_eq!(
            command_key("npx netlify deploy --prod"),
            "npx netlify deploy"
        );
        assert_eq!(
            command_key("cargo build 2>&1 | tail -20"),
            "cargo build 2>&1"
        );
        assert!(benign("rg -n useEffect src"));
        assert!(!benign("npm run build"));
    }

    #[test]
    fn a_noted_learning_is_a_resolved_decision_with_its_names() {
        let start = Event {
            id: "s0".into(),
            session: "mcp-2026-11-25-abcd".into(),
            at: "2026-11-25T10:00:00.000Z".into(),
            turn: None,
            body: Body::SessionStart(crate::normalize::SessionInfo {
                surface: "mcp".into(),
                cwd: Some("/w/app".into()),
                started_at: "2026-11-25T10:00:00.000Z".into(),
                ..Default::default()
            }),
        };
        let learning = Event {
            id: "e1".into(),
            session: start.session.clone(),
            at: "2026-11-25T10:00:01.000Z".into(),
            turn: Some("learning-1".into()),
            body: Body::Learning {
                topic: "useReducer".into(),
                takeaway: "Reach for useReducer when the next state depends on the last.".into(),
                names: vec!["todosReducer".into()],
                source: "agent".into(),
            },
        };
        let all = derive(&[start, learning]);
        assert_eq!(all.len(), 1, "{all:#?}");
        let i = &all[0];
        assert_eq!(i.id, learning_id("mcp-2026-11-25-abcd", "learning-1"));
        assert_eq!((i.kind, i.status), (Kind::Decision, Status::Resolved));
        assert_eq!(
            (i.surface.as_str(), i.cwd.as_deref()),
            ("mcp", Some("/w/app"))
        );
        assert!(i.is_noted() && !i.is_open_question());
        assert_eq!(
            i.names().collect::<Vec<_>>(),
            ["useReducer", "todosReducer"]
        );
    }

    #[test]
    fn takeaways_are_short_and_plain() {
        let t = TurnView {
            id: Some("t1"),
            at: "",
            prompts: vec![],
            answers: vec![(
                "**`useEffect`** runs after render. In dev, Strict Mode mounts twice, so effects run twice. Use a cleanup.\n\n```ts\nx\n```",
                true,
            )],
            commands: vec![],
            edits: vec![],
        };
        let tk = takeaway(&t).unwrap();
        assert!(tk.starts_with("`useEffect` runs after render."));
        assert!(!tk.contains("```"));
    }
}
