//! Lifecycles: following each open insight into later sessions and closing it on evidence (the
//! same command passing, the developer saying they did it, code written with no question asked),
//! the developer's own marks over the rules, and learnings written down as they happened.

use super::*;

/// How the text of a noted learning begins: "Noted by the agent".
pub(super) const NOTED_BY: &str = "Noted by the ";
/// How the turn of a `learning` event begins (each learning is its own turn).
pub use crate::normalize::LEARNING_TURN;

/// The id of the insight a `learning` event in `session`, turn `turn`, becomes.
pub fn learning_id(session: &str, turn: &str) -> String {
    insight_id(session, Some(turn), Kind::Decision)
}

/// Learnings written down as they happened (`learning` events) become insights as they are:
/// the topic and takeaway given, the names given as identifiers, resolved from the start (there
/// is nothing left to learn). They are decisions in kind: what was settled, and why. The rules
/// never read these events, so they change nothing the rules conclude.
pub(super) fn noted(events: &[Event], sessions: &[SessionView]) -> Vec<Insight> {
    let mut out = Vec::new();
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
            ran: false,
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
    out
}

/// A developer's mark on an insight (`mark` events), as the derivation keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mark {
    pub insight: String,
    pub resolved: bool,
    pub session: String,
    pub at: String,
}

/// The marks among `events`, in their order.
pub(super) fn marks(events: &[Event]) -> Vec<Mark> {
    events
        .iter()
        .filter_map(|e| match &e.body {
            Body::Mark {
                insight, resolved, ..
            } => Some(Mark {
                insight: insight.clone(),
                resolved: *resolved,
                session: e.session.clone(),
                at: e.at.clone(),
            }),
            _ => None,
        })
        .collect()
}

/// The developer's own word beats the rules: the last mark on an insight decides its status.
/// Marks count in the order they were made (the log's order for marks made at the same time).
/// Returns the insights marked.
pub(super) fn apply_marks(marks: &[Mark], out: &mut [Insight]) -> Vec<usize> {
    let mut marked = Vec::new();
    if marks.is_empty() {
        return marked;
    }
    let mut ordered: Vec<&Mark> = marks.iter().collect();
    ordered.sort_by(|a, b| a.at.cmp(&b.at));
    let last: BTreeMap<&str, &Mark> = ordered
        .into_iter()
        .map(|m| (m.insight.as_str(), m))
        .collect();
    for (n, i) in out.iter_mut().enumerate() {
        let Some(m) = last.get(i.id.as_str()) else {
            continue;
        };
        marked.push(n);
        if m.resolved {
            i.status = Status::Resolved;
            i.resolved_by = Some(Resolution {
                session: m.session.clone(),
                turn: None,
                at: m.at.clone(),
                how: "marked resolved by you".into(),
            });
        } else {
            i.status = Status::Open;
            i.resolved_by = None;
        }
    }
    marked
}

/// Follows open insights into later sessions and closes them on evidence of success.
/// What the resolution pass needs from one turn, computed once rather than per open insight.
pub(super) struct TurnFacts<'a> {
    pub(super) session: usize,
    pub(super) turn: &'a TurnView<'a>,
    /// Prompts where the developer reports doing something themselves (and asks nothing).
    pub(super) did: Vec<Mentions>,
    /// Commands that passed and are not mere probes: first line, and what they mention.
    pub(super) passed: Vec<(&'a str, Mentions)>,
    /// Keys of the commands that passed, for errors.
    pub(super) pass_keys: Vec<(String, &'a str)>,
    /// Lines added by the turn's successful edits.
    pub(super) added: Vec<&'a str>,
}

pub(super) struct Mentions {
    pub(super) tokens: BTreeSet<String>,
    pub(super) concepts: Vec<&'static str>,
    /// The text reports something done ("rewrote the cleanup"), not a plan ("I'll write it
    /// myself").
    pub(super) done: bool,
}

impl Mentions {
    fn of(text: &str) -> Mentions {
        let r = rules::read(text);
        Mentions {
            tokens: topic::tokens(text),
            concepts: glossary::concepts(text),
            done: r.did || r.success,
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
pub(super) struct Facts<'a> {
    pub(super) turns: Vec<TurnFacts<'a>>,
    /// Index of each session's first turn in `turns`.
    pub(super) first_turn: Vec<usize>,
    pub(super) by_token: std::collections::HashMap<String, Vec<usize>>,
    pub(super) by_concept: std::collections::HashMap<&'static str, Vec<usize>>,
    pub(super) by_pass_key: std::collections::HashMap<String, Vec<usize>>,
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

/// What an open insight can be closed by, as keys of the resolution pass's inverted indexes:
/// `k:` the command key of an error (a later pass of the same command), else `w:` the words of
/// its topic and its code names and `c:` its concept. A turn that shares none of them cannot
/// close it: a checkpoint keeps these keys for its open insights, so that the sessions after it
/// are checked only against the insights they may close.
pub(super) fn resolution_keys(i: &Insight) -> Vec<String> {
    if i.kind == Kind::Error {
        return vec![format!("k:{}", command_key(&i.text))];
    }
    let (topic_tokens, code_tokens, concept) = topic_keys(i);
    topic_tokens
        .iter()
        .chain(&code_tokens)
        .map(|w| format!("w:{w}"))
        .chain(concept.map(|c| format!("c:{c}")))
        .collect()
}

/// The words of an insight's topic, the words of its code names not in the topic, and its
/// concept.
fn topic_keys(i: &Insight) -> (BTreeSet<String>, BTreeSet<String>, Option<&str>) {
    let topic_tokens = topic::tokens(&i.topic);
    let code_tokens: BTreeSet<String> = i
        .anchors
        .identifiers
        .iter()
        .flat_map(|i| topic::tokens(i))
        .filter(|w| !topic_tokens.contains(w))
        .collect();
    (topic_tokens, code_tokens, glossary::concept(&i.topic))
}

/// Follows every open insight of `out` into `sessions`. An insight of a session not among
/// `sessions` was born before all of them (the derivation resumed after a checkpoint): every
/// turn given may resolve it.
pub(super) fn resolve(sessions: &[SessionView], out: &mut [Insight]) {
    resolve_some(sessions, out, 0, None);
}

/// The insights [`resolve_some`] closed.
pub(super) type Closed = Vec<usize>;

/// [`resolve`] for `out[first..]` (the insights of `sessions`, and of sessions after them) and,
/// of the insights before, those whose [`resolution_keys`] `earlier` gives (`None`: all of
/// them): the others share no key with a turn of `sessions` and stay as they are.
pub(super) fn resolve_some(
    sessions: &[SessionView],
    out: &mut [Insight],
    first: usize,
    earlier: Option<&std::collections::HashMap<String, Vec<u32>>>,
) -> Closed {
    let mut closed = Vec::new();
    let session_index: BTreeMap<&str, usize> = sessions
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id, i))
        .collect();
    let facts = Facts::new(sessions);
    // Which insights to follow: those of these sessions and after, and the earlier ones a turn
    // here shares a key with.
    let mut which: Vec<usize> = match earlier {
        None => (0..first).collect(),
        Some(index) => {
            let keys = facts
                .by_token
                .keys()
                .map(|w| format!("w:{w}"))
                .chain(facts.by_concept.keys().map(|c| format!("c:{c}")))
                .chain(facts.by_pass_key.keys().map(|k| format!("k:{k}")));
            let mut v: Vec<usize> = keys
                .filter_map(|k| index.get(&k))
                .flatten()
                .map(|&n| n as usize)
                .filter(|&n| n < first)
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        }
    };
    which.extend(first..out.len());
    // Questions and confusions per session and per turn, for "still asking about it": only
    // turns of these sessions are looked at, and their questions are in `out[first..]`.
    let mut asked_in: BTreeMap<(String, Option<String>), Vec<usize>> = BTreeMap::new();
    let mut asked_in_session: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (n, i) in out.iter().enumerate().skip(first) {
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
    let topics: BTreeMap<usize, String> = asked_in_session
        .values()
        .flatten()
        .map(|&n| (n, out[n].topic.clone()))
        .collect();
    let asks = |list: Option<&Vec<usize>>, topic: &str| {
        list.is_some_and(|l| l.iter().any(|&n| topic::same(&topics[&n], topic)))
    };
    for n in which {
        let insight = &mut out[n];
        if insight.status == Status::Resolved {
            continue;
        }
        let born = session_index.get(insight.session.as_str()).copied();
        let kind = insight.kind;
        let found = if kind == Kind::Error {
            // The same command passing, from the failing turn on.
            let key = command_key(&insight.text);
            let from = born.map_or(0, |born| {
                facts.first_turn[born]
                    + sessions[born]
                        .turns
                        .iter()
                        .position(|t| t.id == insight.turn.as_deref())
                        .unwrap_or(0)
            });
            facts
                .by_pass_key
                .get(&key)
                .into_iter()
                .flatten()
                .find(|&&n| n >= from)
                .and_then(|&n| {
                    let t = &facts.turns[n];
                    let (_, first) = t.pass_keys.iter().find(|(k, _)| *k == key)?;
                    Some((n, format!("`{first}` passed")))
                })
        } else {
            // Later sessions only: doing it unaided, a command about it passing, or code using it.
            let topic = insight.topic.as_str();
            // By meaning too: the code it was about and the gist of its answer ("rewrote the
            // cleanup in useTodos myself" for a useEffect question about useTodos whose answer
            // was about effect cleanup).
            let (topic_tokens, code_tokens, concept) = topic_keys(insight);
            let gist_tokens: BTreeSet<String> = insight
                .takeaway
                .as_deref()
                .map(topic::tokens)
                .unwrap_or_default()
                .into_iter()
                .filter(|w| !code_tokens.contains(w))
                .collect();
            // Done (not planned), in the code it was about, saying what the answer said.
            let by_meaning = |m: &Mentions| {
                m.done
                    && !code_tokens.is_empty()
                    && !m.tokens.is_disjoint(&code_tokens)
                    && m.tokens
                        .iter()
                        .any(|w| w.len() >= 5 && gist_tokens.contains(w))
            };
            let mut candidates: Vec<usize> = topic_tokens
                .iter()
                .chain(&code_tokens)
                .filter_map(|w| facts.by_token.get(w))
                .chain(concept.and_then(|c| facts.by_concept.get(c)))
                .flatten()
                .copied()
                .filter(|&n| born.is_none_or(|born| n >= facts.first_turn[born + 1]))
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
                if t.did.iter().any(by_meaning) {
                    return Some((
                        n,
                        "said they did it on their own (in the code it was about)".to_owned(),
                    ));
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
        if let Some((t, how)) = found {
            closed.push(n);
            let t = &facts.turns[t];
            insight.status = Status::Resolved;
            insight.resolved_by = Some(Resolution {
                session: sessions[t.session].id.to_owned(),
                turn: t.turn.id.map(str::to_owned),
                at: t.turn.at.to_owned(),
                how,
            });
        }
    }
    closed
}
