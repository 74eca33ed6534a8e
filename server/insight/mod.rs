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

mod anchors;
pub mod checkpoint;
pub mod glossary;
mod lifecycle;
mod outcome;
mod read;
pub mod rules;
pub mod struggle;
pub mod topic;
mod turns;

use anchors::*;
use lifecycle::*;
pub use lifecycle::{LEARNING_TURN, learning_id};
use read::*;
pub use read::{command_key, is_deploy};
use turns::*;

use crate::normalize::{Body, Edit, Event, FileOp};
use regex::Regex;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

/// The rules' version. Derived insights cached in the store carry it, so bump it whenever a
/// change to the rules would derive different insights from the same events.
pub const ENGINE_VERSION: u32 = 13;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Gap,
    Confusion,
    Error,
    Success,
    FollowUp,
    Decision,
    /// Several turns in a row that did not work — corrected, undone, asked again — about one
    /// piece of code, until one did (or the session ended). Its evidence is the developer's
    /// reports, one per round.
    Struggle,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Gap,
        Kind::Confusion,
        Kind::Error,
        Kind::Success,
        Kind::FollowUp,
        Kind::Decision,
        Kind::Struggle,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Gap => "gap",
            Kind::Confusion => "confusion",
            Kind::Error => "error",
            Kind::Success => "success",
            Kind::FollowUp => "follow_up",
            Kind::Decision => "decision",
            Kind::Struggle => "struggle",
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
    /// The patch wrote the file whole: every definition in it is new, and none changed more
    /// than another.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub created: bool,
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
    /// Names the conversation that led to it spelled out (the proposal a decision chose), in
    /// order: they say which of the definitions a change touched it is about, and nothing more
    /// (a hover elsewhere does not match them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub discussed: Vec<String>,
    /// The word the developer kept using for it when asking for it ("cooldown", five times in
    /// the prompt that took a deferred feature up): definitions named after it come first among
    /// what the change touched, as those named after the topic do.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub words: Vec<String>,
}

impl Anchors {
    /// Nothing to place it by.
    pub fn is_empty(&self) -> bool {
        self.edits.is_empty()
            && self.errors.is_empty()
            && self.identifiers.is_empty()
            && self.discussed.is_empty()
            && self.words.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Insight {
    pub id: String,
    pub kind: Kind,
    pub topic: String,
    /// The evidence as it was: the question as asked, or the failing command.
    pub text: String,
    /// `text` is a command that was run (a failing build, the pass that fixed it), not words
    /// someone wrote: a face says "ran", not "asked".
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ran: bool,
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
        // An identifier: `[A-Za-z_$][A-Za-z0-9_$]*`.
        let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'$';
        let ident = self
            .topic
            .as_bytes()
            .split_first()
            .is_some_and(|(first, rest)| {
                (first.is_ascii_alphabetic() || *first == b'_' || *first == b'$')
                    && rest.iter().all(|&c| word(c))
            });
        let topic = ident.then_some(self.topic.as_str());
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

/// Derives every insight from the events of any number of sessions (in log order per session).
pub fn derive(events: &[Event]) -> Vec<Insight> {
    let sessions = group(events);
    let mut fold = Fold::default();
    for s in &sessions {
        fold.session(s);
    }
    let mut out = fold.out;
    resolve(&sessions, &mut out);
    out.extend(noted(events, &sessions));
    apply_marks(&marks(events), &mut out);
    out
}

/// The first pass over sessions in order: each turn read for the kinds, then the session's turn
/// outcomes. What one session concludes depends on the sessions before it (commands still
/// failing in its folder, questions asked before) and never on those after, so the fold can stop
/// after any session and go on later from its state ([`checkpoint`]).
#[derive(Default)]
pub(crate) struct Fold {
    out: Vec<Insight>,
    failing: read::Failing,
    asked: TopicIndex,
}

impl Fold {
    fn session(&mut self, s: &SessionView) {
        let denied = outcome::denied(s);
        for (i, t) in s.turns.iter().enumerate() {
            let denied = denied.get(i).copied().unwrap_or(false);
            read_turn(
                s,
                t,
                denied,
                &mut self.out,
                &mut self.failing,
                &mut self.asked,
            );
        }
        if !s.agent {
            outcome::read_session(s, &mut self.out);
        }
    }
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

/// Adds an insight of `kind` for turn `t`, unless the turn has one of that kind already; returns
/// it, for the caller to mark what only it knows (`ran`).
#[allow(clippy::too_many_arguments)]
fn push<'a>(
    out: &'a mut Vec<Insight>,
    s: &SessionView,
    t: &TurnView,
    kind: Kind,
    topic: String,
    text: String,
    takeaway: Option<String>,
    confidence: f32,
    evidence: Vec<String>,
    anchors: Anchors,
) -> Option<&'a mut Insight> {
    // Sessions are read one after another, so this session's insights are the end of `out`.
    if out
        .iter()
        .rev()
        .take_while(|i| i.session == s.id)
        .any(|i| i.turn.as_deref() == t.id && i.kind == kind)
    {
        return None;
    }
    let born_resolved = !kind.needs_resolution();
    let at = t.at.to_owned();
    out.push(Insight {
        id: insight_id(s.id, t.id, kind),
        kind,
        topic,
        text,
        ran: false,
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
    out.last_mut()
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
        // A one-word reader is about its file: another file is another command.
        assert_eq!(
            command_key("head -n 15 exported-session.jsonl"),
            "head exported-session.jsonl"
        );
        assert_ne!(
            command_key("head -n 80 prompt_history.md"),
            command_key("head -n 15 exported-session.jsonl")
        );
        assert_eq!(
            command_key("tail -f -n 50 ./logs/2026-12-07/server.log"),
            "tail server.log"
        );
        assert_eq!(command_key("make"), "make");
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
            aborted: false,
        };
        let tk = takeaway(&t).unwrap();
        assert!(tk.starts_with("`useEffect` runs after render."));
        assert!(!tk.contains("```"));
    }
}
