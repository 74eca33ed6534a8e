//! The derivation split at a session: the first pass's state after a prefix of sessions (in the
//! order the rules read them), so that a new event re-derives only the sessions after that prefix
//! and the lifecycle of the open insights they may resolve, not the whole log.
//!
//! Deriving from a checkpoint gives exactly what deriving everything at once gives: a session's
//! first pass depends only on the sessions before it, and an open insight is closed by the first
//! turn after it that shows success — in the prefix (found when the checkpoint was made, kept in
//! it) or else in the sessions after it (looked for now). `tests/it/incremental.rs` checks the
//! equality at every split of every fixture.

use super::*;
use std::collections::{HashMap, HashSet};

/// The derivation's state after a prefix of sessions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The prefix's sessions in the order they were read: (started, id).
    sessions: Vec<(String, String)>,
    /// What the first pass concluded from them, before any lifecycle.
    out: Vec<Insight>,
    /// Commands failing at the end of the prefix, per folder: ((folder, key), anchors).
    failing: Vec<((String, String), Anchors)>,
    /// Insights of `out` that a later turn of the prefix closed: (index, how).
    resolved: Vec<(u32, Resolution)>,
    /// The questions of `out` by the words of their topics ("asked before?").
    asked: Vec<(String, Vec<usize>)>,
    /// The insights of `out` still open, by what may close them (`lifecycle::resolution_keys`):
    /// the sessions after the prefix are checked against these only.
    open: Vec<(String, Vec<u32>)>,
    /// Learnings written down in the prefix's sessions.
    noted: Vec<Insight>,
    /// The developer's marks made in the prefix's sessions.
    marks: Vec<Mark>,
}

impl Checkpoint {
    /// How many sessions it holds.
    pub fn len(&self) -> usize {
        self.sessions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
    }

    /// The ids of its sessions.
    pub fn sessions(&self) -> impl Iterator<Item = &str> {
        self.sessions.iter().map(|(_, id)| id.as_str())
    }

    /// The prefix's insights as its own sessions leave them (closed where a later turn of the
    /// prefix closed them, before any mark): what every derivation from this checkpoint starts
    /// its insights with.
    pub fn base(&self) -> Vec<Insight> {
        let mut out = self.out.clone();
        apply_resolutions(&self.resolved, &mut out);
        out
    }
}

/// What a derivation from a checkpoint produced.
pub struct Derived {
    /// Every insight, as [`derive`] would give them: first the checkpoint's base (those of the
    /// resulting checkpoint when it moved on, else of the one derived from), each as
    /// [`Checkpoint::base`] has it unless `changed` names it, then the rest.
    pub insights: Vec<Insight>,
    /// How many insights come from the checkpoint's base.
    pub base_len: usize,
    /// The base's insights that the sessions after it, or the developer's marks, changed.
    pub changed: Vec<u32>,
    /// The checkpoint after the sessions that were settled; `None` when that is the one derived
    /// from (no session after it has settled).
    pub checkpoint: Option<Checkpoint>,
}

/// Derives every insight of `events`, after `base` when given (then `events` are those of every
/// session the checkpoint does not hold), and checkpoints after the leading sessions that
/// `settled` accepts (a prefix: the first one it refuses ends it).
///
/// `None` when the events do not continue the checkpoint: one of its sessions is among them, or a
/// session sorts before its last one. Derive everything at once then.
pub fn derive_from(
    base: Option<Checkpoint>,
    events: &[Event],
    settled: impl Fn(&str) -> bool,
) -> Option<Derived> {
    let sessions = group(events);
    if let Some(cp) = &base {
        let held: HashSet<&str> = cp.sessions().collect();
        let last = cp
            .sessions
            .last()
            .map(|(at, id)| (at.as_str(), id.as_str()));
        if sessions
            .iter()
            .any(|s| held.contains(s.id) || last.is_some_and(|l| (s.started.as_str(), s.id) <= l))
        {
            return None;
        }
    }
    let fresh = base.is_none();
    let Checkpoint {
        sessions: held,
        out,
        failing,
        resolved: mut closed,
        asked,
        open,
        noted: noted_before,
        marks: marks_before,
    } = base.unwrap_or_default();
    let base_len = out.len();
    let mut fold = Fold {
        out,
        failing: failing.into_iter().collect(),
        asked: TopicIndex {
            upto: base_len,
            by_token: asked.into_iter().collect(),
        },
    };
    let mut open: HashMap<String, Vec<u32>> = open.into_iter().collect();
    let kept = sessions.iter().take_while(|s| settled(s.id)).count();
    // The first pass's state after the kept sessions, when there are new ones (or nothing to
    // start from).
    let mut prefix = None;
    let snapshot = |fold: &mut Fold| {
        fold.asked.sync(&fold.out);
        Some((
            fold.out.clone(),
            fold.failing.clone(),
            fold.asked.by_token.clone(),
        ))
    };
    for (n, s) in sessions.iter().enumerate() {
        if n == kept && (kept > 0 || fresh) {
            prefix = snapshot(&mut fold);
        }
        fold.session(s);
    }
    if prefix.is_none() && (kept > 0 || fresh) {
        prefix = snapshot(&mut fold);
    }

    // The prefix's own lifecycles: the base's, then those its newly kept sessions close; and
    // what stays open, by the keys that may close it.
    let mut prefix_len = base_len;
    if let Some((prefix_out, _, _)) = prefix.as_ref().filter(|_| kept > 0) {
        prefix_len = prefix_out.len();
        let mut after = prefix_out.clone();
        apply_resolutions(&closed, &mut after);
        let was_open: Vec<bool> = after.iter().map(|i| i.status == Status::Open).collect();
        resolve_some(&sessions[..kept], &mut after, base_len, Some(&open));
        let mut newly: HashSet<u32> = HashSet::new();
        for (n, (was_open, a)) in was_open.into_iter().zip(&after).enumerate() {
            if was_open && a.status == Status::Resolved {
                if let Some(r) = &a.resolved_by {
                    closed.push((n as u32, r.clone()));
                    newly.insert(n as u32);
                }
            }
        }
        closed.sort_by_key(|(n, _)| *n);
        for list in open.values_mut() {
            list.retain(|n| !newly.contains(n));
        }
        for (n, i) in after.iter().enumerate().skip(base_len) {
            if i.status == Status::Open {
                for k in resolution_keys(i) {
                    open.entry(k).or_default().push(n as u32);
                }
            }
        }
        open.retain(|_, list| {
            list.sort_unstable();
            list.dedup();
            !list.is_empty()
        });
    }
    // Everything: the prefix's lifecycles, then what the sessions after it close.
    let mut out = fold.out;
    apply_resolutions(&closed, &mut out);
    let mut changed: Vec<u32> = resolve_some(&sessions[kept..], &mut out, prefix_len, Some(&open))
        .into_iter()
        .filter(|&n| n < prefix_len)
        .map(|n| n as u32)
        .collect();

    let kept_ids: HashSet<&str> = sessions[..kept].iter().map(|s| s.id).collect();
    let (noted_here, noted_later): (Vec<Insight>, Vec<Insight>) = noted(events, &sessions)
        .into_iter()
        .partition(|i| kept_ids.contains(i.session.as_str()));
    let (marks_here, marks_later): (Vec<Mark>, Vec<Mark>) = marks(events)
        .into_iter()
        .partition(|m| kept_ids.contains(m.session.as_str()));

    out.extend(noted_before.iter().cloned());
    out.extend(noted_here.iter().cloned());
    out.extend(noted_later);
    let mut all_marks = marks_before.clone();
    all_marks.extend(marks_here.iter().cloned());
    all_marks.extend(marks_later);
    changed.extend(
        apply_marks(&all_marks, &mut out)
            .into_iter()
            .filter(|&n| n < prefix_len)
            .map(|n| n as u32),
    );
    changed.sort_unstable();
    changed.dedup();

    let checkpoint = prefix.map(|(prefix_out, prefix_failing, asked)| {
        let mut sessions_held = held;
        sessions_held.extend(
            sessions[..kept]
                .iter()
                .map(|s| (s.started.clone(), s.id.to_owned())),
        );
        let mut noted = noted_before;
        noted.extend(noted_here);
        let mut marks = marks_before;
        marks.extend(marks_here);
        let mut asked: Vec<(String, Vec<usize>)> = asked.into_iter().collect();
        asked.sort_unstable();
        let mut open: Vec<(String, Vec<u32>)> = open.into_iter().collect();
        open.sort_unstable();
        Checkpoint {
            sessions: sessions_held,
            out: prefix_out,
            failing: prefix_failing.into_iter().collect(),
            resolved: closed,
            asked,
            open,
            noted,
            marks,
        }
    });
    Some(Derived {
        insights: out,
        base_len: prefix_len,
        changed,
        checkpoint,
    })
}

fn apply_resolutions(closed: &[(u32, Resolution)], out: &mut [Insight]) {
    for (n, r) in closed {
        if let Some(i) = out.get_mut(*n as usize) {
            i.status = Status::Resolved;
            i.resolved_by = Some(r.clone());
        }
    }
}
