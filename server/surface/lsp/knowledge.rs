//! What the server knows, as one immutable snapshot: every insight derived from the store, the
//! names each is about, and the editor's churn counts. Rebuilt off the request path whenever the
//! store grows, then swapped in whole, so a hover never waits on the store or sees half an update.

use crate::insight::struggle::{self, Churn, ChurnKey};
use crate::insight::{self, Insight};
use crate::normalize::Event;
use crate::store::Store;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

const CACHE_NAME: &str = "insights";

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

#[derive(Default)]
pub struct Knowledge {
    pub insights: Vec<Insight>,
    /// Name → insights about that name (by topic or identifiers), newest first.
    pub by_name: HashMap<String, Vec<u32>>,
    /// Insight id → index.
    pub by_id: HashMap<String, u32>,
    pub churn: BTreeMap<ChurnKey, Churn>,
    /// Events the snapshot was derived from.
    pub events: u64,
}

impl Knowledge {
    /// The snapshot for the store as it is now: from the store's cache when it was derived at
    /// the current chain head by this version of the rules, else derived from the whole log
    /// (and cached for the next process).
    pub fn load(store: &Store) -> anyhow::Result<Knowledge> {
        let tag = cache_tag();
        let started = std::time::Instant::now();
        match store.cached(CACHE_NAME, &tag) {
            Ok(Some(bytes)) => match serde_json::from_slice::<Snapshot>(&bytes) {
                Ok(s) => {
                    let decoded = started.elapsed();
                    let k = Knowledge::from_snapshot(s);
                    tracing::debug!(
                        "cached insights: {} bytes read and decoded in {decoded:?}, indexed in {:?}",
                        bytes.len(),
                        started.elapsed() - decoded
                    );
                    return Ok(k);
                }
                Err(e) => tracing::warn!("cached insights unreadable ({e}); deriving again"),
            },
            Ok(None) => {}
            Err(e) => tracing::warn!("reading cached insights: {e}"),
        }
        // The head is read first: should events arrive meanwhile, the cache is labelled older
        // than its content and simply rebuilt next time.
        let head = store.head()?;
        let events = store.all_events()?;
        let k = Knowledge::from_events(&events);
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
                if let Err(e) = store.put_cache(CACHE_NAME, &tag, head, &bytes) {
                    tracing::warn!("caching insights: {e}");
                }
            }
            Err(e) => tracing::warn!("caching insights: {e}"),
        }
        Ok(k)
    }

    fn from_snapshot(s: Snapshot) -> Knowledge {
        Knowledge::index(
            s.insights.into_owned(),
            s.churn.into_iter().collect(),
            s.events,
        )
    }

    pub fn from_events(events: &[Event]) -> Knowledge {
        Knowledge::index(
            insight::derive(events),
            struggle::churn(events),
            events.len() as u64,
        )
    }

    fn index(
        mut insights: Vec<Insight>,
        churn: BTreeMap<ChurnKey, Churn>,
        events: u64,
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
            insights,
            by_name,
            by_id,
            churn,
            events,
        }
    }

    pub fn get(&self, n: u32) -> &Insight {
        &self.insights[n as usize]
    }
}
