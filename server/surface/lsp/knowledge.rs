//! What the server knows, as one immutable snapshot: every insight derived from the store, the
//! names each is about, and the editor's churn counts. Rebuilt off the request path whenever the
//! store grows, then swapped in whole, so a hover never waits on the store or sees half an update.

use crate::insight::struggle::{self, Churn, ChurnKey};
use crate::insight::{self, Insight};
use crate::normalize::Event;
use crate::store::Store;
use std::collections::{BTreeMap, HashMap};

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
    pub fn load(store: &Store) -> anyhow::Result<Knowledge> {
        let events = store.all_events()?;
        Ok(Knowledge::from_events(&events))
    }

    pub fn from_events(events: &[Event]) -> Knowledge {
        let mut insights = insight::derive(events);
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
            churn: struggle::churn(events),
            events: events.len() as u64,
        }
    }

    pub fn get(&self, n: u32) -> &Insight {
        &self.insights[n as usize]
    }
}
