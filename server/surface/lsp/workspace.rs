//! One workspace folder: its symbol index (kept current with the open documents) and the links
//! from the knowledge snapshot to its definitions. Links are recomputed off the request path when
//! either side changes; requests only read them.

use crate::insight::struggle::Churn;
use crate::knowledge::links;
use crate::knowledge::recall::{self, Here};
use crate::knowledge::scope::Scope;
use crate::knowledge::snapshot::Knowledge;
use crate::link::{Definition, SymbolIndex, SymbolKind};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

pub struct Workspace {
    pub root: PathBuf,
    /// Which sessions ran here: sessions record whichever form of the root their shell had.
    pub scope: Scope,
    pub index: RwLock<SymbolIndex>,
    pub links: RwLock<Arc<Links>>,
    /// Set once the full index of the folder is built.
    pub ready: AtomicBool,
    /// Held by the relink running.
    relinking: Mutex<()>,
}

/// What the editor shows of a workspace: the snapshot's links to its definitions (shared with
/// every face, `knowledge::links`) and what the editor itself saw happen to them. The link maps
/// are shared between versions that differ only in churn, so a save costs a churn update, not
/// a relink.
#[derive(Default)]
pub struct Links {
    pub linked: links::Links,
    /// (file, definition name) → what the editor saw happen to it.
    pub churn: HashMap<(PathBuf, String), Churn>,
}

impl std::ops::Deref for Links {
    type Target = links::Links;
    fn deref(&self) -> &links::Links {
        &self.linked
    }
}

impl Workspace {
    pub fn new(root: PathBuf) -> Workspace {
        Workspace {
            index: RwLock::new(SymbolIndex::new(&root)),
            scope: Scope::new(&root),
            root,
            links: RwLock::new(Arc::new(Links::default())),
            ready: AtomicBool::new(false),
            relinking: Mutex::new(()),
        }
    }

    /// The path relative to the root, when it is inside.
    pub fn rel(&self, path: &Path) -> Option<PathBuf> {
        self.scope.sub(path)
    }

    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    pub fn links(&self) -> Arc<Links> {
        self.links
            .read()
            .map_or_else(|p| p.into_inner().clone(), |l| l.clone())
    }

    /// Recomputes only the churn counts (the insights are unchanged), from the snapshot
    /// `current` gives once this workspace's turn to relink comes.
    pub fn rechurn(&self, current: impl FnOnce() -> Arc<Knowledge>) {
        let _one = self.relinking.lock().unwrap_or_else(|p| p.into_inner());
        let k = current();
        let old = self.links();
        let links = Links {
            linked: old.linked.clone(),
            churn: churn_here(self, &k),
        };
        *self.links.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(links);
    }

    /// Recomputes the links from the knowledge snapshot and the index as they are now. One
    /// relink at a time, each with the snapshot `current` gives once its turn comes, so links
    /// computed from an older snapshot never replace newer ones.
    pub fn relink(&self, current: impl FnOnce() -> Arc<Knowledge>) {
        let _one = self.relinking.lock().unwrap_or_else(|p| p.into_inner());
        let k = current();
        let linked = {
            let index = self.index.read().unwrap_or_else(|p| p.into_inner());
            links::Links::compute(&self.scope, &index, &k)
        };
        let links = Links {
            linked,
            churn: churn_here(self, &k),
        };
        *self.links.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(links);
    }
}

fn churn_here(ws: &Workspace, k: &Knowledge) -> HashMap<(PathBuf, String), Churn> {
    k.churn
        .iter()
        .filter_map(|((cwd, file, name), c)| {
            Some(((ws.scope.sub(cwd)?.join(file), name.clone()), c.clone()))
        })
        .collect()
}

/// The definition a changed line belongs to, for edit capture: the innermost function, class,
/// component or type around it (local variables are where edits land, not what they are about).
pub fn owner_of(defs: &[Definition], line: u32) -> Option<&Definition> {
    defs.iter()
        .filter(|d| d.line <= line && line <= d.end_line)
        .filter(|d| {
            d.container.is_empty()
                || !matches!(
                    d.kind,
                    SymbolKind::Variable | SymbolKind::Constant | SymbolKind::Field
                )
        })
        .max_by_key(|d| (d.line, std::cmp::Reverse(d.end_line)))
}

/// The insights a hover, a lens's details and `sessionlens recall` show for `name`: the one
/// recall rule (`knowledge::recall`) over the workspace's current index and `links` (a file
/// outside every workspace folder has neither). Hash-map lookups only.
pub fn recall(ws: Option<&Workspace>, links: &Links, k: &Knowledge, name: &str) -> Vec<u32> {
    let Some(ws) = ws else {
        return recall::about(k, None, name);
    };
    let index = ws.index.read().unwrap_or_else(|p| p.into_inner());
    let here = Here {
        index: &index,
        links,
    };
    recall::about(k, Some(here), name)
}
