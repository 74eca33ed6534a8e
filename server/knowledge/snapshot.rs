//! What Session Lens knows, as one immutable snapshot: every insight derived from the store, the
//! names each is about, and the editor's churn counts. Rebuilt off the request path whenever the
//! store grows, then swapped in whole, so a hover never waits on the store or sees half an update.

use crate::insight::struggle::{self, Churn, ChurnKey, Tracker};
use crate::insight::{self, Insight};
use crate::normalize::{Body, Event};
use crate::store::{Store, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

const CACHE_NAME: &str = "insights";

/// Past this many new events, deriving again is simpler than catching up.
const MAX_CATCH_UP: usize = 50_000;

fn cache_tag() -> String {
    format!(
        "{}/rules-{}",
        env!("CARGO_PKG_VERSION"),
        insight::ENGINE_VERSION
    )
}

/// What is cached in the store: everything a snapshot is built from.
#[derive(Serialize, Deserialize)]
struct Snapshot<'a> {
    events: u64,
    insights: std::borrow::Cow<'a, [Insight]>,
    churn: Vec<(ChurnKey, Churn)>,
}

/// Insights and their lookups are shared between snapshots that differ only in editor churn.
#[derive(Default, Clone)]
pub struct Knowledge {
    /// Newest first.
    pub insights: Arc<Vec<Insight>>,
    /// Name → insights about that name (by topic or identifiers), newest first.
    pub by_name: Arc<HashMap<String, Vec<u32>>>,
    /// Insight id → index.
    pub by_id: Arc<HashMap<String, u32>>,
    pub churn: BTreeMap<ChurnKey, Churn>,
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
        let started = std::time::Instant::now();
        let tag = cache_tag();
        let cached = match store.cached(CACHE_NAME, &tag) {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!("reading cached insights: {e}");
                None
            }
        };
        if let Some((head, bytes)) = cached {
            match serde_json::from_slice::<Snapshot>(&bytes) {
                Ok(s) => {
                    let decoded = started.elapsed();
                    let k = Knowledge::index(
                        s.insights.into_owned(),
                        s.churn.into_iter().collect(),
                        s.events,
                        head,
                    );
                    tracing::debug!(
                        "cached insights: {} bytes decoded in {decoded:?}, indexed in {:?}",
                        bytes.len(),
                        started.elapsed() - decoded
                    );
                    return Ok(match k.catch_up(store)? {
                        Some(newer) => newer,
                        None => k,
                    });
                }
                Err(e) => tracing::warn!("cached insights unreadable ({e}); deriving again"),
            }
        }
        Knowledge::derive_all(store)
    }

    /// For callers that must answer in milliseconds (Codex hooks): the cached snapshot even
    /// when commands or prompts arrived since (the language server, or the next full load,
    /// derives and caches the newer one). Derives only when there is no cache at all.
    pub fn load_quick(store: &Store) -> anyhow::Result<Knowledge> {
        if let Ok(Some((head, bytes))) = store.cached(CACHE_NAME, &cache_tag()) {
            if let Ok(s) = serde_json::from_slice::<Snapshot>(&bytes) {
                return Ok(Knowledge::index(
                    s.insights.into_owned(),
                    s.churn.into_iter().collect(),
                    s.events,
                    head,
                ));
            }
        }
        Knowledge::derive_all(store)
    }

    /// A snapshot for the store's current head, or `None` when the head has not moved. When
    /// only hand edits arrived since, it is built on this one (the insights cannot have changed:
    /// the rules read what was said and run, not editor saves); otherwise everything is derived
    /// again.
    pub fn catch_up(&self, store: &Store) -> anyhow::Result<Option<Knowledge>> {
        let head = store.head()?;
        if head == self.head {
            return Ok(None);
        }
        if head.0 > self.head.0 && head.0 - self.head.0 <= MAX_CATCH_UP as u64 {
            if let Some((now, new)) = store.events_after(self.head)? {
                if new.iter().all(only_churn) {
                    let mut t = Tracker::resume(self.churn.clone());
                    for e in &new {
                        if !t.knows(&e.session) {
                            if let Some(cwd) = store.session(&e.session)?.and_then(|s| s.cwd) {
                                t.set_cwd(&e.session, &cwd);
                            }
                        }
                        t.feed(e);
                    }
                    return Ok(Some(Knowledge {
                        churn: t.counts,
                        events: self.events + new.len() as u64,
                        head: now,
                        ..self.clone()
                    }));
                }
            }
        }
        Knowledge::derive_all(store).map(Some)
    }

    /// Derives from the whole log and caches the result, tagged with the head it reflects.
    fn derive_all(store: &Store) -> anyhow::Result<Knowledge> {
        let (head, events) = store.all_events_at()?;
        let k = Knowledge::from_events(&events, head);
        drop(events);
        let snapshot = Snapshot {
            events: k.events,
            insights: std::borrow::Cow::Borrowed(&k.insights),
            churn: k
                .churn
                .iter()
                .map(|(a, b)| (a.clone(), b.clone()))
                .collect(),
        };
        match serde_json::to_vec(&snapshot) {
            Ok(bytes) => {
                match store.put_cache(CACHE_NAME, &cache_tag(), head, &bytes) {
                    Ok(()) => {}
                    // Only a speed-up: a store that cannot be written now is derived again.
                    Err(e @ (StoreError::ReadOnly { .. } | StoreError::Locked { .. })) => {
                        tracing::debug!("not caching insights: {e}");
                    }
                    Err(e) => tracing::warn!("caching insights: {e}"),
                }
            }
            Err(e) => tracing::warn!("caching insights: {e}"),
        }
        Ok(k)
    }

    pub fn from_events(events: &[Event], head: (u64, [u8; 32])) -> Knowledge {
        Knowledge::index(
            insight::derive(events),
            struggle::churn(events),
            events.len() as u64,
            head,
        )
    }

    /// A snapshot of the given insights alone (no store, no churn).
    #[cfg(test)]
    pub(crate) fn from_insights(insights: Vec<Insight>) -> Knowledge {
        Knowledge::index(insights, BTreeMap::new(), 0, (0, [0; 32]))
    }

    fn index(
        mut insights: Vec<Insight>,
        churn: BTreeMap<ChurnKey, Churn>,
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
            insights: Arc::new(insights),
            by_name: Arc::new(by_name),
            by_id: Arc::new(by_id),
            churn,
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
