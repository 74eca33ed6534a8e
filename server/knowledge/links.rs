//! From what was learned to where it lives in the code: the one linker from a knowledge snapshot
//! to a workspace's symbol index. The language server keeps [`Links`] per workspace folder
//! (rebuilt off the request path); the CLI and MCP build a [`Linked`] workspace for one answer;
//! `insights` and `gaps` show each insight's symbols through a [`Linker`], whatever folder its
//! session ran in. All three place a session's folder in a workspace with [`Scope`], so links
//! agree whether the workspace was opened through a symlink or not.

use super::scope::Scope;
use super::snapshot::Knowledge;
use crate::insight::Insight;
use crate::link::SymbolIndex;
use crate::link::resolve::{self, LinkedSymbol};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The insights of the sessions run inside one workspace, linked to its definitions. Maps are
/// behind `Arc`s so a holder can share them between versions that differ in something else.
#[derive(Default, Clone)]
pub struct Links {
    /// (file relative to the root, definition name) → insights linked to it, newest first.
    pub by_def: Arc<HashMap<(PathBuf, String), Vec<u32>>>,
    /// Definition name → insights linked to a definition so named, newest first.
    pub by_name: Arc<HashMap<String, Vec<u32>>>,
    /// Insights from sessions that ran inside this workspace.
    pub local: Arc<HashSet<u32>>,
}

impl Links {
    /// Links every insight of `k` whose session ran inside `scope` to the definitions of
    /// `index` (rooted at the same folder). Insights from elsewhere are never linked here: what
    /// was done in another project is not about this one's code.
    pub fn compute(scope: &Scope, index: &SymbolIndex, k: &Knowledge) -> Links {
        let mut by_def = HashMap::new();
        let mut by_name = HashMap::new();
        let mut local = HashSet::new();
        for (n, i) in k.insights.iter().enumerate() {
            let Some(sub) = i.cwd.as_deref().and_then(|c| scope.sub(c)) else {
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
        }
    }
}

/// Insight lists stay newest first: snapshot indexes grow with age, and each insight is
/// visited once in order, so pushing keeps them sorted.
fn push<K: std::hash::Hash + Eq>(map: &mut HashMap<K, Vec<u32>>, key: K, n: u32) {
    let list = map.entry(key).or_default();
    if list.last() != Some(&n) {
        list.push(n);
    }
}

/// A workspace read from disk for one answer (the CLI, the MCP server): its scope, its symbol
/// index and the snapshot's links to it. The language server keeps its own, current with the
/// editor's unsaved text.
pub struct Linked {
    pub scope: Scope,
    pub index: SymbolIndex,
    pub links: Links,
}

impl Linked {
    /// Indexes `folder` (as given: a symlink stays the root, as an editor opened it) and links
    /// the snapshot to it.
    pub fn build(folder: &Path, k: &Knowledge) -> Linked {
        let scope = Scope::new(folder);
        let index = SymbolIndex::build(scope.root());
        let links = Links::compute(&scope, &index, k);
        Linked {
            scope,
            index,
            links,
        }
    }

    /// A [`Linker`] for this workspace that reuses its index.
    pub fn into_linker(self) -> Linker {
        let mut indexes = HashMap::new();
        indexes.insert(self.scope.root().to_path_buf(), self.index);
        Linker {
            workspace: Some(self.scope),
            indexes,
        }
    }
}

/// Each insight's symbols as the CLI lists them: in the given workspace for the sessions run
/// inside it, otherwise in the session's own folder when that folder exists on this machine.
/// Indexes are built on demand, once per folder.
pub struct Linker {
    workspace: Option<Scope>,
    indexes: HashMap<PathBuf, SymbolIndex>,
}

impl Linker {
    pub fn new(workspace: Option<&Path>) -> Linker {
        Linker {
            workspace: workspace.map(Scope::new),
            indexes: HashMap::new(),
        }
    }

    pub fn link(&mut self, i: &Insight) -> Vec<LinkedSymbol> {
        let Some(cwd) = i.cwd.as_deref() else {
            return Vec::new();
        };
        // Paths in the insight are relative to the session's folder; the index to its root.
        let (root, sub) = match self.workspace.as_ref().and_then(|w| Some((w, w.sub(cwd)?))) {
            Some((w, sub)) => (w.root().to_path_buf(), sub),
            None if Path::new(cwd).is_dir() => (PathBuf::from(cwd), PathBuf::new()),
            None => return Vec::new(),
        };
        let index = self
            .indexes
            .entry(root)
            .or_insert_with_key(|root| SymbolIndex::build(root));
        let sub = (!sub.as_os_str().is_empty()).then_some(sub);
        resolve::link(index, i, sub.as_deref())
    }
}
