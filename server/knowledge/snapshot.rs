//! What Session Lens knows, as one immutable snapshot: every insight derived from the store, the
//! names each is about, and the editor's churn counts. Rebuilt off the request path whenever the
//! store grows, then swapped in whole, so a hover never waits on the store or sees half an update.

use super::briefing::Brief;
use crate::insight::checkpoint::{Checkpoint, derive_from};
use crate::insight::struggle::{Churn, ChurnKey, Tracker, TrackerState};
use crate::insight::{self, Insight};
use crate::normalize::{Body, Event};
use crate::store::{Store, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

/// The cached snapshot, as views saved together: the insights of the checkpoint's base (saved
/// with the checkpoint, which moves on now and then) and, at every head, what changed since it —
/// the base's insights that later sessions or marks changed, and the rest — and a small state
/// (event count, churn). A catch-up writes only the small views; the hooks read briefs
/// ([`Brief`]) kept the same way.
const BASE_NAME: &str = "insights-base";
const DELTA_NAME: &str = "insights-delta";
const STATE_NAME: &str = "insights-state";
const BRIEFS_BASE_NAME: &str = "briefs-base";
const BRIEFS_DELTA_NAME: &str = "briefs-delta";
/// The derivation's checkpoint: the rules' state after the sessions that have gone quiet.
const CHECKPOINT_NAME: &str = "derivation";

/// With no cache, a hook derives a store of at most this many events itself (well under a
/// second); a larger one is left to a background `ingest`.
const QUICK_WHOLE: u64 = 10_000;

/// Past this many new events, deriving again is simpler than catching up.
const MAX_CATCH_UP: usize = 50_000;

/// A session quiet this long before the newest event is settled: the checkpoint holds it.
const SETTLED_AFTER: jiff::SignedDuration = jiff::SignedDuration::from_hours(2);

/// A checkpoint is saved again when catching up read at least this many events, or this many
/// sessions, that have settled since: each later catch-up then reads fewer.
const ADVANCE_AFTER: (usize, usize) = (2_000, 8);

fn cache_tag() -> String {
    format!(
        "{}/rules-{}",
        env!("CARGO_PKG_VERSION"),
        insight::ENGINE_VERSION
    )
}

/// What a derivation changed of its checkpoint's base (saved at `base`), and what it added.
#[derive(Serialize, Deserialize)]
struct Delta<T> {
    base: (u64, [u8; 32]),
    base_len: u32,
    changed: Vec<(u32, T)>,
    added: Vec<T>,
}

impl<T: Clone> Delta<T> {
    /// `items` with the base's first `base_len` replaced by `base`, but where `changed` says.
    fn of(base: (u64, [u8; 32]), items: &[T], base_len: usize, changed: &[u32]) -> Delta<T> {
        Delta {
            base,
            base_len: base_len as u32,
            changed: changed
                .iter()
                .filter_map(|&n| Some((n, items.get(n as usize)?.clone())))
                .collect(),
            added: items.get(base_len..).unwrap_or_default().to_vec(),
        }
    }

    /// The items: `base` with the changes, then the additions; `None` when `base` is not the
    /// one it was made against.
    fn apply(self, mut base: Vec<T>) -> Option<Vec<T>> {
        if base.len() != self.base_len as usize {
            return None;
        }
        for (n, item) in self.changed {
            *base.get_mut(n as usize)? = item;
        }
        base.extend(self.added);
        Some(base)
    }
}

/// A snapshot besides its insights, as cached.
#[derive(Serialize, Deserialize)]
struct State<'a> {
    events: u64,
    churn: Vec<(ChurnKey, Churn)>,
    tracker: std::borrow::Cow<'a, TrackerState>,
}

/// The checkpoint as cached, with the sessions after it when it was saved (every session not in
/// it is one of those or has had events since).
#[derive(Serialize, Deserialize)]
struct Saved<'a> {
    checkpoint: std::borrow::Cow<'a, Checkpoint>,
    after: Vec<String>,
}

/// How a snapshot came to be, for logs, `status` and tests.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum Made {
    /// Nothing yet (an empty snapshot), or built from given insights.
    #[default]
    Given,
    /// Read from the store's cache as it was.
    Cached,
    /// The cached one with hand edits since folded into its churn counts.
    Churn,
    /// The sessions after the cached checkpoint derived again: `held` sessions were not read,
    /// `read` events were.
    FromCheckpoint { held: usize, read: usize },
    /// Derived from the whole log.
    Whole,
}

/// Insights and their lookups are shared between snapshots that differ only in editor churn.
#[derive(Default, Clone)]
pub struct Knowledge {
    /// How this snapshot was made.
    pub made: Made,
    /// Newest first.
    pub insights: Arc<Vec<Insight>>,
    /// Name → insights about that name (by topic or identifiers), newest first.
    pub by_name: Arc<HashMap<String, Vec<u32>>>,
    /// Insight id → index.
    pub by_id: Arc<HashMap<String, u32>>,
    pub churn: BTreeMap<ChurnKey, Churn>,
    /// What the churn fold remembers besides the counts, to go on from.
    tracker: Arc<TrackerState>,
    /// Events the snapshot was derived from.
    pub events: u64,
    /// The chain head the snapshot reflects.
    pub head: (u64, [u8; 32]),
}

impl Knowledge {
    /// The snapshot for the store as it is now: the store's cache (derived by this version of
    /// the rules) caught up with the events since, else derived from the whole log and cached
    /// for the next process.
    pub fn load(store: &Store) -> anyhow::Result<Knowledge> {
        let head = store.head()?;
        if let Some((at, state)) = cached_state(store) {
            if at == head {
                if let Some(k) = Knowledge::cached(store, at, state) {
                    return Ok(k);
                }
            } else {
                let (events, churn, tracker) = (state.events, state.churn, state.tracker);
                let churn = churn.into_iter().collect();
                let lazy = || cached_state(store).and_then(|(h, s)| Knowledge::cached(store, h, s));
                let k = Knowledge::go_on(store, head, at, events, churn, &tracker, lazy, true)?;
                return Ok(k.expect("deriving everything is allowed"));
            }
        }
        Knowledge::derive_all(store)
    }

    /// For callers that must answer in milliseconds (Codex hooks): the cached snapshot even
    /// when commands or prompts arrived since (the language server, the next `ingest` or the
    /// hook that stored them brings the cache up to date). With no cache at all (a new store, or
    /// new rules) it derives only a small store's; a larger one gives an empty snapshot
    /// (`Made::Given`), for the caller to have the cache made in the background.
    pub fn load_quick(store: &Store) -> anyhow::Result<Knowledge> {
        match cached_state(store).and_then(|(at, state)| Knowledge::cached(store, at, state)) {
            Some(k) => Ok(k),
            None if store.event_count()? <= QUICK_WHOLE => Knowledge::derive_all(store),
            None => Ok(Knowledge::default()),
        }
    }

    /// Brings the store's cached snapshot (and checkpoint) up to the store's head, without
    /// decoding it when it is current. With `whole` false it never derives the whole log (a
    /// hook's bound): then the cache stays as it is and `Made::Given` says so.
    pub fn refresh_cache(store: &Store, whole: bool) -> anyhow::Result<Made> {
        let head = store.head()?;
        let made = match cached_state(store) {
            Some((at, _)) if at == head => Made::Cached,
            Some((at, state)) => {
                let churn = state.churn.into_iter().collect();
                let lazy = || cached_state(store).and_then(|(h, s)| Knowledge::cached(store, h, s));
                match Knowledge::go_on(
                    store,
                    head,
                    at,
                    state.events,
                    churn,
                    &state.tracker,
                    lazy,
                    whole,
                )? {
                    // Churn alone is folded in by whoever reads next; cache it now so that a
                    // hook reads the current one.
                    Some(k) if k.made == Made::Churn => {
                        save_churn(store, at, &k);
                        k.made
                    }
                    Some(k) => k.made,
                    None => Made::Given,
                }
            }
            None if whole => Knowledge::derive_all(store)?.made,
            None => Made::Given,
        };
        Ok(made)
    }

    /// What a hook's briefing reads: the cached briefs (a tenth of the insights' size), at
    /// whatever head, else as [`Knowledge::load_quick`] gives them (`Made::Given` when nothing
    /// could be had).
    pub fn briefs_quick(store: &Store) -> anyhow::Result<(Vec<Brief>, Made)> {
        let started = std::time::Instant::now();
        if let Some((at, _)) = cached_state(store) {
            if let Some(briefs) = read_views(store, at, BRIEFS_BASE_NAME, BRIEFS_DELTA_NAME) {
                tracing::debug!(
                    "cached briefs: {} decoded in {:?}",
                    briefs.len(),
                    started.elapsed()
                );
                return Ok((briefs, Made::Cached));
            }
        }
        let k = Knowledge::load_quick(store)?;
        Ok((Brief::all(&k.insights), k.made))
    }

    /// The event the insights cached by this version of the rules reflect (`None`: nothing
    /// cached yet), read without decoding them.
    pub fn cached_at(store: &Store) -> Option<u64> {
        cached_state(store).map(|((seq, _), _)| seq)
    }

    /// The snapshot cached at `at` whose state is `state`; `None` when its insights are missing,
    /// unreadable or of another head.
    fn cached(store: &Store, at: (u64, [u8; 32]), state: State) -> Option<Knowledge> {
        let started = std::time::Instant::now();
        let insights: Vec<Insight> = read_views(store, at, BASE_NAME, DELTA_NAME)?;
        let decoded = started.elapsed();
        let mut k = Knowledge::index(
            insights,
            state.churn.into_iter().collect(),
            state.tracker.into_owned(),
            state.events,
            at,
        );
        k.made = Made::Cached;
        tracing::debug!(
            "cached insights: {} decoded in {decoded:?}, indexed in {:?}",
            k.insights.len(),
            started.elapsed() - decoded
        );
        Some(k)
    }

    /// A snapshot for the store's current head, or `None` when the head has not moved. When
    /// only hand edits arrived since, it is built on this one (the insights cannot have changed:
    /// the rules read what was said and run, not editor saves); otherwise the sessions that
    /// changed are derived again from the cached checkpoint, or, when there is none to go on
    /// from, everything is.
    pub fn catch_up(&self, store: &Store) -> anyhow::Result<Option<Knowledge>> {
        let head = store.head()?;
        if head == self.head {
            return Ok(None);
        }
        let base = || Some(self.clone());
        Knowledge::go_on(
            store,
            head,
            self.head,
            self.events,
            self.churn.clone(),
            &self.tracker,
            base,
            true,
        )
    }

    /// The snapshot at `head` from one at `from` (its event count, churn counts and churn
    /// state; its insights only if needed, from `base`); `None` when that takes deriving the
    /// whole log and `whole` is false.
    #[allow(clippy::too_many_arguments)]
    fn go_on(
        store: &Store,
        head: (u64, [u8; 32]),
        from: (u64, [u8; 32]),
        events: u64,
        churn: BTreeMap<ChurnKey, Churn>,
        tracker: &TrackerState,
        base: impl FnOnce() -> Option<Knowledge>,
        whole: bool,
    ) -> anyhow::Result<Option<Knowledge>> {
        if head.0 > from.0 && head.0 - from.0 <= MAX_CATCH_UP as u64 {
            if let Some((now, new)) = store.events_after(from)? {
                let mut t = Tracker::resume(churn, tracker.clone());
                for e in &new {
                    if !t.knows(&e.session) {
                        if let Some(cwd) = store.session(&e.session)?.and_then(|s| s.cwd) {
                            t.set_cwd(&e.session, &cwd);
                        }
                    }
                    t.feed(e);
                }
                let events = events + new.len() as u64;
                if new.iter().all(only_churn) {
                    if let Some(base) = base() {
                        return Ok(Some(Knowledge {
                            made: Made::Churn,
                            churn: t.counts,
                            tracker: Arc::new(t.state),
                            events,
                            head: now,
                            ..base
                        }));
                    }
                } else if let Some(k) =
                    Knowledge::derive_after(store, (from, now), &new, t, events)?
                {
                    return Ok(Some(k));
                }
            }
        }
        if !whole {
            return Ok(None);
        }
        Knowledge::derive_all(store).map(Some)
    }

    /// The insights at `now` from the cached checkpoint and the events of the sessions after
    /// it (`new`: the events from `from`, the snapshot's head, to `now`); `None` when there is no checkpoint to go on from (none cached, an erasure since, a
    /// session it holds has changed, or one sorts before its end).
    fn derive_after(
        store: &Store,
        (from, now): ((u64, [u8; 32]), (u64, [u8; 32])),
        new: &[Event],
        churn: Tracker,
        events: u64,
    ) -> anyhow::Result<Option<Knowledge>> {
        let started = std::time::Instant::now();
        if new.iter().any(|e| matches!(e.body, Body::Erasure { .. })) {
            return Ok(None);
        }
        let Some((at, bytes)) = store.cached(CHECKPOINT_NAME, &cache_tag())? else {
            return Ok(None);
        };
        let saved: Saved = match rmp_serde::from_slice(&bytes) {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!("cached checkpoint unreadable ({e}); deriving again");
                return Ok(None);
            }
        };
        let decoded = started.elapsed();
        if at.0 > now.0 {
            return Ok(None);
        }
        // The sessions with events since the checkpoint: those `new` holds, or more when the
        // checkpoint is older than the snapshot.
        let mut touched: BTreeSet<String> = BTreeSet::new();
        let since = if at == from {
            None
        } else if now.0 - at.0 > MAX_CATCH_UP as u64 {
            return Ok(None);
        } else {
            match store.events_after(at)? {
                Some((_, since)) => Some(since),
                None => return Ok(None),
            }
        };
        let since_events = since.as_deref().unwrap_or(new);
        if since_events
            .iter()
            .any(|e| matches!(e.body, Body::Erasure { .. }))
        {
            return Ok(None);
        }
        touched.extend(since_events.iter().map(|e| e.session.clone()));
        let cp = saved.checkpoint.into_owned();
        let held_sessions = cp.len();
        let held: HashSet<&str> = cp.sessions().collect();
        if touched.iter().any(|s| held.contains(s.as_str())) {
            return Ok(None);
        }
        drop(held);
        touched.extend(saved.after);
        let ids: Vec<&str> = touched.iter().map(String::as_str).collect();
        let log: Vec<Event> = store
            .events_of_sessions(&ids, now.0)?
            .into_iter()
            .map(|(_, e)| e)
            .collect();
        let read = started.elapsed();
        // The checkpoint moves on only when enough has settled since to pay for saving it.
        let mut settled = settled(&log);
        let settled_events = log
            .iter()
            .filter(|e| settled.contains(e.session.as_str()))
            .count();
        if settled_events < ADVANCE_AFTER.0 && settled.len() < ADVANCE_AFTER.1 {
            settled.clear();
        }
        let Some(d) = derive_from(Some(cp), &log, |s| settled.contains(s)) else {
            return Ok(None);
        };
        let views = Views::of(&d, at, now, &log);
        let mut k = Knowledge::index(d.insights, churn.counts, churn.state, events, now);
        k.made = Made::FromCheckpoint {
            held: held_sessions,
            read: log.len(),
        };
        tracing::debug!(
            "caught up from a checkpoint of {held_sessions} sessions: decoded in {decoded:?}, {} \
             events of {} sessions read in {:?}, derived in {:?}",
            log.len(),
            ids.len(),
            read - decoded,
            started.elapsed() - read
        );
        Views::save(views, store, &k);
        Ok(Some(k))
    }

    /// Derives from the whole log and caches the result, and the checkpoint after the sessions
    /// that have gone quiet, tagged with the head they reflect.
    fn derive_all(store: &Store) -> anyhow::Result<Knowledge> {
        let (head, events) = store.all_events_at()?;
        let settled = settled(&events);
        let d = derive_from(None, &events, |s| settled.contains(s))
            .expect("a derivation from nothing continues nothing");
        let mut t = Tracker::default();
        for e in &events {
            t.feed(e);
        }
        let views = Views::of(&d, head, head, &events);
        let mut k = Knowledge::index(d.insights, t.counts, t.state, events.len() as u64, head);
        k.made = Made::Whole;
        Views::save(views, store, &k);
        Ok(k)
    }

    pub fn from_events(events: &[Event], head: (u64, [u8; 32])) -> Knowledge {
        let mut t = Tracker::default();
        for e in events {
            t.feed(e);
        }
        Knowledge::index(
            insight::derive(events),
            t.counts,
            t.state,
            events.len() as u64,
            head,
        )
    }

    /// A snapshot of the given insights alone (no store, no churn).
    #[cfg(test)]
    pub(crate) fn from_insights(insights: Vec<Insight>) -> Knowledge {
        Knowledge::index(
            insights,
            BTreeMap::new(),
            TrackerState::default(),
            0,
            (0, [0; 32]),
        )
    }

    fn index(
        mut insights: Vec<Insight>,
        churn: BTreeMap<ChurnKey, Churn>,
        tracker: TrackerState,
        events: u64,
        head: (u64, [u8; 32]),
    ) -> Knowledge {
        insights.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.id.cmp(&b.id)));
        let mut by_name: HashMap<String, Vec<u32>> = HashMap::new();
        let mut by_id = HashMap::with_capacity(insights.len());
        for (n, i) in insights.iter().enumerate() {
            by_id.insert(i.id.clone(), n as u32);
            for name in i.names() {
                let list = by_name.entry(name.to_owned()).or_default();
                if list.last() != Some(&(n as u32)) {
                    list.push(n as u32);
                }
            }
        }
        Knowledge {
            made: Made::Given,
            insights: Arc::new(insights),
            by_name: Arc::new(by_name),
            by_id: Arc::new(by_id),
            churn,
            tracker: Arc::new(tracker),
            events,
            head,
        }
    }

    pub fn get(&self, n: u32) -> &Insight {
        &self.insights[n as usize]
    }

    /// Whether `other` has the same insights (it differs at most in churn).
    pub fn same_insights(&self, other: &Knowledge) -> bool {
        Arc::ptr_eq(&self.insights, &other.insights)
    }
}

/// Events that can change the churn counts but never an insight: hand edits, and the start of
/// the editor's own sessions.
fn only_churn(e: &Event) -> bool {
    match &e.body {
        Body::EditorEdit(_) => true,
        Body::SessionStart(info) | Body::SessionResume(info) => info.surface == "editor",
        _ => false,
    }
}

/// The sessions of `events` quiet for [`SETTLED_AFTER`] before the newest event: what a
/// checkpoint may hold. Only a matter of speed: any choice derives the same insights.
fn settled(events: &[Event]) -> HashSet<String> {
    // Times that do not parse (a fixture's placeholder, a damaged line) say nothing: a session
    // with none is settled.
    let mut last: HashMap<&str, Option<jiff::Timestamp>> = HashMap::new();
    let mut previous: (&str, Option<jiff::Timestamp>) = ("", None);
    for e in events {
        let at = if e.at == previous.0 {
            previous.1
        } else {
            e.at.parse::<jiff::Timestamp>().ok()
        };
        previous = (e.at.as_str(), at);
        let t = last.entry(e.session.as_str()).or_default();
        if at > *t {
            *t = at;
        }
    }
    let Some(newest) = last.values().flatten().max().copied() else {
        return last.into_keys().map(str::to_owned).collect();
    };
    let cutoff = newest - SETTLED_AFTER;
    last.into_iter()
        .filter(|(_, at)| at.is_none_or(|t| t < cutoff))
        .map(|(s, _)| s.to_owned())
        .collect()
}

/// What one derivation caches, encoded: the deltas of the insights and briefs, and, when the
/// checkpoint moved on (or was made), the checkpoint and its base.
struct Views {
    delta: Vec<u8>,
    briefs_delta: Vec<u8>,
    checkpoint: Option<(Vec<u8>, Vec<u8>, Vec<u8>)>,
}

impl Views {
    /// The views of `d`, derived at `now` from a checkpoint saved at `at`; `events` are those
    /// derived (with a checkpoint that moved on, those of every session not in it).
    fn of(
        d: &crate::insight::checkpoint::Derived,
        at: (u64, [u8; 32]),
        now: (u64, [u8; 32]),
        events: &[Event],
    ) -> Option<Views> {
        let base_head = if d.checkpoint.is_some() { now } else { at };
        let briefs: Vec<Brief> = d
            .changed
            .iter()
            .map(|&n| Brief::of(&d.insights[n as usize]))
            .collect();
        let added: Vec<Brief> = Brief::all(&d.insights[d.base_len..]);
        let briefs_delta = Delta {
            base: base_head,
            base_len: d.base_len as u32,
            changed: d.changed.iter().copied().zip(briefs).collect(),
            added,
        };
        let delta = Delta::of(base_head, &d.insights, d.base_len, &d.changed);
        let checkpoint = match &d.checkpoint {
            Some(cp) => {
                let held: HashSet<&str> = cp.sessions().collect();
                let after: BTreeSet<&str> = events
                    .iter()
                    .map(|e| e.session.as_str())
                    .filter(|s| !held.contains(s))
                    .collect();
                let saved = Saved {
                    checkpoint: std::borrow::Cow::Borrowed(cp),
                    after: after.into_iter().map(str::to_owned).collect(),
                };
                let base = cp.base();
                Some((encode(&saved)?, encode(&base)?, encode(&Brief::all(&base))?))
            }
            None => None,
        };
        Some(Views {
            delta: encode(&delta)?,
            briefs_delta: encode(&briefs_delta)?,
            checkpoint,
        })
    }

    /// Caches the views with `k`'s state, all in one transaction.
    fn save(views: Option<Views>, store: &Store, k: &Knowledge) {
        let Some(v) = views else { return };
        let Some(state) = encode(&state_of(k)) else {
            return;
        };
        let mut all: Vec<(&str, &[u8])> = vec![
            (STATE_NAME, &state),
            (DELTA_NAME, &v.delta),
            (BRIEFS_DELTA_NAME, &v.briefs_delta),
        ];
        if let Some((cp, base, briefs)) = &v.checkpoint {
            all.push((CHECKPOINT_NAME, cp));
            all.push((BASE_NAME, base));
            all.push((BRIEFS_BASE_NAME, briefs));
        }
        put(store, k.head, &all);
        if v.checkpoint.is_some() {
            // The whole snapshot, as builds before the checkpoint cached it.
            if let Err(e) = store.drop_caches(&["insights", "briefs"]) {
                tracing::debug!("dropping old cached views: {e}");
            }
        }
    }
}

/// Caches `k` (whose insights are those cached at `at`, its churn newer) at its head: its state,
/// and the deltas saved at `at` again under the new head.
fn save_churn(store: &Store, at: (u64, [u8; 32]), k: &Knowledge) {
    let tag = cache_tag();
    let delta = |name| match store.cached(name, &tag) {
        Ok(Some((h, bytes))) if h == at => Some(bytes),
        _ => None,
    };
    let (Some(d), Some(b), Some(state)) = (
        delta(DELTA_NAME),
        delta(BRIEFS_DELTA_NAME),
        encode(&state_of(k)),
    ) else {
        return;
    };
    put(
        store,
        k.head,
        &[
            (STATE_NAME, &state),
            (DELTA_NAME, &d),
            (BRIEFS_DELTA_NAME, &b),
        ],
    );
}

fn state_of(k: &Knowledge) -> State<'_> {
    State {
        events: k.events,
        churn: k
            .churn
            .iter()
            .map(|(a, b)| (a.clone(), b.clone()))
            .collect(),
        tracker: std::borrow::Cow::Borrowed(&k.tracker),
    }
}

fn encode<T: Serialize + ?Sized>(value: &T) -> Option<Vec<u8>> {
    rmp_serde::to_vec_named(value)
        .map_err(|e| tracing::warn!("caching derived views: {e}"))
        .ok()
}

/// The items cached at `at`: the delta view `delta` at `at` applied to the base view `base` it
/// was made against. `None` when either is missing, unreadable or of another head.
fn read_views<T: serde::de::DeserializeOwned + Clone>(
    store: &Store,
    at: (u64, [u8; 32]),
    base: &str,
    delta: &str,
) -> Option<Vec<T>> {
    let tag = cache_tag();
    let read = |name: &str| match store.cached(name, &tag) {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!("reading cached {name}: {e}");
            None
        }
    };
    let (h, bytes) = read(delta)?;
    if h != at {
        return None;
    }
    let d: Delta<T> = rmp_serde::from_slice(&bytes)
        .map_err(|e| tracing::warn!("cached {delta} unreadable ({e})"))
        .ok()?;
    let (bh, bytes) = read(base)?;
    if bh != d.base {
        return None;
    }
    let b: Vec<T> = rmp_serde::from_slice(&bytes)
        .map_err(|e| tracing::warn!("cached {base} unreadable ({e})"))
        .ok()?;
    d.apply(b)
}

/// The cached snapshot's state and the head it reflects.
fn cached_state(store: &Store) -> Option<((u64, [u8; 32]), State<'static>)> {
    let (head, bytes) = match store.cached(STATE_NAME, &cache_tag()) {
        Ok(c) => c?,
        Err(e) => {
            tracing::warn!("reading cached insights: {e}");
            return None;
        }
    };
    match rmp_serde::from_slice(&bytes) {
        Ok(s) => Some((head, s)),
        Err(e) => {
            tracing::warn!("cached insights unreadable ({e}); deriving again");
            None
        }
    }
}

/// Caches derived views, all or none; only a speed-up, so a store that cannot be written now is
/// derived again next time.
fn put(store: &Store, head: (u64, [u8; 32]), views: &[(&str, &[u8])]) {
    match store.put_caches(&cache_tag(), head, views) {
        Ok(()) => {}
        Err(e @ (StoreError::ReadOnly { .. } | StoreError::Locked { .. })) => {
            tracing::debug!("not caching derived views: {e}");
        }
        Err(e) => tracing::warn!("caching derived views: {e}"),
    }
}
