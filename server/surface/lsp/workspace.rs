//! One workspace folder: its symbol index (kept current with the open documents) and the links
//! from the knowledge snapshot to its definitions. Links are recomputed off the request path when
//! either side changes; requests only read them.

use crate::insight::struggle::Churn;
use crate::knowledge::snapshot::Knowledge;
use crate::link::resolve;
use crate::link::{Definition, SymbolIndex, SymbolKind};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

pub struct Workspace {
    pub root: PathBuf,
    /// The root with symlinks resolved: sessions record whichever form their shell had.
    real: PathBuf,
    pub index: RwLock<SymbolIndex>,
    pub links: RwLock<Arc<Links>>,
    /// Set once the full index of the folder is built.
    pub ready: AtomicBool,
}

/// Insights anchored in this workspace. The link maps are shared between versions that differ
/// only in churn, so a save costs a churn update, not a relink.
#[derive(Default)]
pub struct Links {
    /// (file relative to the root, definition name) → insights linked to it, newest first.
    pub by_def: Arc<HashMap<(PathBuf, String), Vec<u32>>>,
    /// Definition name → insights linked to a definition so named, newest first.
    pub by_name: Arc<HashMap<String, Vec<u32>>>,
    /// Insights from sessions that ran inside this workspace.
    pub local: Arc<HashSet<u32>>,
    /// (file, definition name) → what the editor saw happen to it.
    pub churn: HashMap<(PathBuf, String), Churn>,
}

impl Workspace {
    pub fn new(root: PathBuf) -> Workspace {
        let real = std::fs::canonicalize(&root).unwrap_or_else(|_| root.clone());
        Workspace {
            index: RwLock::new(SymbolIndex::new(&root)),
            root,
            real,
            links: RwLock::new(Arc::new(Links::default())),
            ready: AtomicBool::new(false),
        }
    }

    /// The path relative to the root, when it is inside.
    pub fn rel(&self, path: &Path) -> Option<PathBuf> {
        path.strip_prefix(&self.root)
            .or_else(|_| path.strip_prefix(&self.real))
            .ok()
            .map(Path::to_path_buf)
    }

    /// A session's working directory, relative to the root, when the session ran inside.
    pub fn sub(&self, cwd: &str) -> Option<PathBuf> {
        self.rel(Path::new(cwd))
    }

    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    pub fn links(&self) -> Arc<Links> {
        self.links
            .read()
            .map_or_else(|p| p.into_inner().clone(), |l| l.clone())
    }

    /// Recomputes only the churn counts (the insights are unchanged).
    pub fn rechurn(&self, k: &Knowledge) {
        let old = self.links();
        let links = Links {
            by_def: old.by_def.clone(),
            by_name: old.by_name.clone(),
            local: old.local.clone(),
            churn: churn_here(self, k),
        };
        *self.links.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(links);
    }

    /// Recomputes the links from the knowledge snapshot and the index as they are now.
    pub fn relink(&self, k: &Knowledge) {
        let links = {
            let index = self.index.read().unwrap_or_else(|p| p.into_inner());
            compute(self, &index, k)
        };
        *self.links.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(links);
    }
}

fn compute(ws: &Workspace, index: &SymbolIndex, k: &Knowledge) -> Links {
    let mut by_def = HashMap::new();
    let mut by_name = HashMap::new();
    let mut local = HashSet::new();
    for (n, i) in k.insights.iter().enumerate() {
        let Some(sub) = i.cwd.as_deref().and_then(|c| ws.sub(c)) else {
            continue;
        };
        let n = n as u32;
        local.insert(n);
        let sub = (!sub.as_os_str().is_empty()).then_some(sub);
        for s in resolve::link(index, i, sub.as_deref()) {
            let file = PathBuf::from(&s.file);
            push(&mut by_def, (file, s.name.clone()), n);
            push(&mut by_name, s.name, n);
        }
    }
    Links {
        by_def: Arc::new(by_def),
        by_name: Arc::new(by_name),
        local: Arc::new(local),
        churn: churn_here(ws, k),
    }
}

fn churn_here(ws: &Workspace, k: &Knowledge) -> HashMap<(PathBuf, String), Churn> {
    k.churn
        .iter()
        .filter_map(|((cwd, file, name), c)| {
            Some(((ws.sub(cwd)?.join(file), name.clone()), c.clone()))
        })
        .collect()
}

/// Insight lists stay newest first: snapshot indexes grow with age, and each insight is
/// visited once in order, so pushing keeps them sorted.
fn push<K: std::hash::Hash + Eq>(map: &mut HashMap<K, Vec<u32>>, key: K, n: u32) {
    let list = map.entry(key).or_default();
    if list.last() != Some(&n) {
        list.push(n);
    }
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

/// Insights a hover on `name` shows: those linked to workspace definitions of that name, and
/// those about the name itself — from any project for names the workspace does not define
/// (`useEffect`), from this workspace's sessions for its own names (so `App` in one project says
/// nothing about `App` in another). Newest first, no repeats.
pub fn about_name(ws: Option<&Workspace>, links: &Links, k: &Knowledge, name: &str) -> Vec<u32> {
    let mut out: Vec<u32> = links.by_name.get(name).cloned().unwrap_or_default();
    if let Some(named) = k.by_name.get(name) {
        let defined_here = ws.is_some_and(|w| {
            !w.index
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .definitions(name)
                .is_empty()
        });
        out.extend(
            named
                .iter()
                .filter(|n| !defined_here || links.local.contains(n)),
        );
    }
    out.sort_unstable();
    out.dedup();
    out
}
