//! The one keeper of a process's knowledge snapshot, for the faces that stay up (the language
//! server, the MCP server): the store, and the current `Knowledge` behind an `Arc` that readers
//! clone and keep as long as they like. `refresh` brings it to the store's head — the first time
//! from the store's cache (caught up), later by catching up from the current one — and swaps the
//! new snapshot in whole, so a reader never sees half an update. Plain and blocking: each face
//! calls `refresh` where it may block (the blocking pool) and does with the report what its
//! protocol needs.

use super::snapshot::Knowledge;
use crate::store::Store;
use std::sync::{Arc, Mutex, RwLock};

/// What a refresh did to the snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refreshed {
    /// The store's head had not moved: the snapshot is the one there was.
    Unchanged,
    /// The first snapshot of this host.
    Loaded,
    /// Only hand edits arrived: the editor's churn counts moved, the insights (and their lookups)
    /// are shared with the snapshot before.
    Churn,
    /// The insights were derived again.
    Insights,
}

impl Refreshed {
    /// Whether the insights may differ from the snapshot before (what is linked to code must be
    /// computed again).
    pub fn insights_changed(self) -> bool {
        matches!(self, Refreshed::Loaded | Refreshed::Insights)
    }
}

pub struct Host {
    store: Arc<Store>,
    current: RwLock<Arc<Knowledge>>,
    /// Held through a refresh, so two never build from the same base; whether a snapshot has
    /// been loaded yet.
    loaded: Mutex<bool>,
}

impl Host {
    /// A host over `store`, with an empty snapshot until the first `refresh`.
    pub fn new(store: Arc<Store>) -> Host {
        Host {
            store,
            current: RwLock::new(Arc::new(Knowledge::default())),
            loaded: Mutex::new(false),
        }
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// The current snapshot: a lock and a clone of an `Arc`, never a store read.
    pub fn current(&self) -> Arc<Knowledge> {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Brings the snapshot up to the store's head and swaps it in; blocks on the store (and on a
    /// refresh already running). Cheap when nothing changed: one read of the chain head. On an
    /// error the snapshot stays as it was (and a first load is tried again next time).
    pub fn refresh(&self) -> anyhow::Result<Refreshed> {
        let mut loaded = self.loaded.lock().unwrap_or_else(|p| p.into_inner());
        if !*loaded {
            let k = Knowledge::load(&self.store)?;
            self.swap(k);
            *loaded = true;
            return Ok(Refreshed::Loaded);
        }
        let base = self.current();
        let Some(k) = base.catch_up(&self.store)? else {
            return Ok(Refreshed::Unchanged);
        };
        let churn_only = k.same_insights(&base);
        self.swap(k);
        Ok(if churn_only {
            Refreshed::Churn
        } else {
            Refreshed::Insights
        })
    }

    fn swap(&self, k: Knowledge) {
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(k);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::{Body, EditorEdit, Event};

    fn ev(id: &str, body: Body) -> Event {
        Event {
            id: id.into(),
            session: "s1".into(),
            at: "2026-01-01T00:00:00.000Z".into(),
            turn: Some("t1".into()),
            body,
        }
    }

    #[test]
    fn loads_once_then_reports_what_moved() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open(&dir.path().join("store.redb")).unwrap());
        let host = Host::new(store.clone());
        assert_eq!(host.current().events, 0);
        assert_eq!(host.refresh().unwrap(), Refreshed::Loaded);
        assert_eq!(host.refresh().unwrap(), Refreshed::Unchanged);
        let before = host.current();

        let edit = EditorEdit {
            file: "src/a.ts".into(),
            symbols: vec!["a".into()],
            lines: 2,
            changes: 1,
        };
        store
            .commit(&[ev("e1", Body::EditorEdit(edit))], &[])
            .unwrap();
        assert_eq!(host.refresh().unwrap(), Refreshed::Churn);
        assert!(host.current().same_insights(&before));

        let prompt = Body::Prompt {
            text: "why does useEffect run twice?".into(),
            ide: None,
            images: 0,
            steer: false,
        };
        store.commit(&[ev("e2", prompt)], &[]).unwrap();
        assert_eq!(host.refresh().unwrap(), Refreshed::Insights);
        assert_eq!(host.current().events, 2);
        // A reader keeps the snapshot it took: swaps replace the host's, never the reader's.
        assert_eq!(before.events, 0);
    }
}
