//! The language server's state, shared by every handler (`Shared`): the settings, the workspace
//! folders, the open documents, the knowledge host (`knowledge::host`: the store and the
//! current snapshot, as the MCP server keeps them) and the gate everything it stores goes
//! through (`ingest::gate`, with the editor's `exclude` added to the settings file's); and the
//! background work that keeps them current — reloading the knowledge and relinking each folder
//! to it, indexing a folder, refreshing what the editor shows. Handlers read it and hand it
//! changes; they never hold a lock across an await.

use super::diagnostics;
use super::documents::Doc;
use super::guard::{guard, lock, read, write};
use super::settings::Settings;
use super::workspace::Workspace;
use crate::ingest::gate::{Committed, Gate};
use crate::knowledge::host::{Host, Refreshed};
use crate::knowledge::snapshot::Knowledge;
use crate::link::SymbolIndex;
use crate::store::Store;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::Duration;
use tokio::sync::{Notify, watch as tokio_watch};
use tower_lsp::Client;
use tower_lsp::lsp_types::*;

/// How often to check whether another process changed the store.
const HEAD_POLL: Duration = Duration::from_secs(2);

/// How long a first request waits for the knowledge snapshot before answering with what it has.
const FIRST_LOAD_WAIT: Duration = Duration::from_secs(5);

pub struct Shared {
    pub client: Client,
    pub settings: RwLock<Settings>,
    /// The store and the knowledge snapshot, once `initialize` has opened the store.
    host: OnceLock<Arc<Host>>,
    /// Everything this server stores goes through it (the watcher's ingest too).
    pub gate: Arc<Gate>,
    /// Flips to true once the first snapshot is in (or there will be none).
    loaded: tokio_watch::Sender<bool>,
    /// Held by the reload running.
    reloading: tokio::sync::Mutex<()>,
    pub workspaces: RwLock<Vec<Arc<Workspace>>>,
    pub docs: Mutex<HashMap<Url, Doc>>,
    /// Wakes the loop that rebuilds the knowledge snapshot.
    reload: Notify,
    pub(super) lens_refresh: AtomicBool,
    pub(super) progress: AtomicBool,
    pub(super) shutting_down: AtomicBool,
}

impl Shared {
    pub fn new(client: Client, settings: Settings) -> Shared {
        let (loaded, _) = tokio_watch::channel(false);
        Shared {
            client,
            settings: RwLock::new(settings),
            host: OnceLock::new(),
            gate: Arc::new(Gate::from_settings()),
            loaded,
            reloading: tokio::sync::Mutex::new(()),
            workspaces: RwLock::new(Vec::new()),
            docs: Mutex::new(HashMap::new()),
            reload: Notify::new(),
            lens_refresh: AtomicBool::new(false),
            progress: AtomicBool::new(false),
            shutting_down: AtomicBool::new(false),
        }
    }

    /// Keeps the store `initialize` opened, for the rest of the server's life.
    pub fn set_store(&self, store: Store) {
        let _ = self.host.set(Arc::new(Host::new(Arc::new(store))));
    }

    pub fn store(&self) -> Option<Arc<Store>> {
        self.host.get().map(|h| h.store().clone())
    }

    /// The current knowledge snapshot (empty until the first is loaded, or with no store).
    pub fn knowledge(&self) -> Arc<Knowledge> {
        self.host.get().map_or_else(Arc::default, |h| h.current())
    }

    pub fn settings(&self) -> Settings {
        read(&self.settings).clone()
    }

    /// Whether nothing may be shown about the file at `path`: its folder is excluded. Exclusions
    /// that cannot be read count as excluding it, as they stop every write.
    pub fn excluded(&self, path: &Path) -> bool {
        path.parent()
            .is_some_and(|folder| self.excluded_folder(folder))
    }

    /// Whether `folder` is excluded (see [`Self::excluded`]).
    pub fn excluded_folder(&self, folder: &Path) -> bool {
        match self.gate.excludes(folder) {
            Ok(why) => why.is_some(),
            Err(e) => {
                tracing::warn!("exclusions: {e:#}");
                true
            }
        }
    }

    /// Applies the editor's `exclude` setting to the gate and judges every open document again
    /// (also after a save, which may have come with a new `.sessionlens-ignore`).
    pub fn apply_exclusions(&self) {
        self.gate.set_editor(self.settings().exclude);
        let paths: Vec<(Url, PathBuf)> = lock(&self.docs)
            .iter()
            .filter_map(|(u, d)| Some((u.clone(), d.path.clone()?)))
            .collect();
        for (uri, path) in paths {
            let excluded = self.excluded(&path);
            if let Some(d) = lock(&self.docs).get_mut(&uri) {
                d.excluded = excluded;
            }
        }
    }

    /// The workspace folder holding `path`, the innermost when folders nest.
    pub fn workspace_of(&self, path: &Path) -> Option<Arc<Workspace>> {
        read(&self.workspaces)
            .iter()
            .filter(|w| w.rel(path).is_some())
            .max_by_key(|w| w.root.as_os_str().len())
            .cloned()
    }

    pub fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::Relaxed)
    }

    pub fn workspaces(&self) -> Vec<Arc<Workspace>> {
        read(&self.workspaces).clone()
    }

    pub(super) async fn wait_loaded(&self) {
        let mut rx = self.loaded.subscribe();
        let _ = tokio::time::timeout(FIRST_LOAD_WAIT, rx.wait_for(|v| *v)).await;
    }

    /// Adds a workspace folder (`None`: it is one already).
    pub fn add_workspace(&self, root: PathBuf) -> Option<Arc<Workspace>> {
        let mut list = write(&self.workspaces);
        if list.iter().any(|w| w.root == root) {
            return None;
        }
        let ws = Arc::new(Workspace::new(root));
        list.push(ws.clone());
        Some(ws)
    }

    /// Starts the knowledge reload loop: one rebuild at a time, requests coalesced. It stops
    /// when the server shuts down.
    pub fn start_reloading(self: &Arc<Self>) {
        let shared = self.clone();
        tokio::spawn(async move {
            shared.reload_now().await;
            loop {
                // Asked (this server stored something), or a look at the chain head now and
                // then: other windows, the CLI and hooks write to the same store.
                tokio::select! {
                    () = shared.reload.notified() => {
                        // Let a burst of changes (a turn being written) settle first.
                        tokio::time::sleep(Duration::from_millis(150)).await;
                    }
                    () = tokio::time::sleep(HEAD_POLL) => {}
                }
                if shared.is_shutting_down() {
                    break;
                }
                shared.reload_now().await;
            }
        });
    }

    /// Asks for a new knowledge snapshot (coalesced with any already pending).
    pub fn request_reload(&self) {
        self.reload.notify_one();
    }

    /// Brings the knowledge snapshot up to the store's head (`Host::refresh`: the first time
    /// from the store's cache, later by catching up), relinks or re-counts each workspace, and
    /// refreshes what the editor shows. Cheap when nothing changed: one read of the chain head.
    /// Once it returns, the snapshot and the links are at least as new as the head was when it
    /// was called.
    pub async fn reload_now(self: &Arc<Self>) {
        // Spawned: a caller that stops waiting (a cancelled request) must not leave a snapshot
        // swapped in and its links not computed.
        let this = self.clone();
        if let Err(e) = tokio::spawn(async move { this.reload().await }).await {
            tracing::error!("reloading the knowledge failed: {e}");
        }
    }

    async fn reload(self: &Arc<Self>) {
        // One at a time, so a reload that finds nothing new returns only after the one that
        // found it has linked it.
        let _one = self.reloading.lock().await;
        let Some(host) = self.host.get().cloned() else {
            self.loaded.send_replace(true);
            return;
        };
        let started = std::time::Instant::now();
        let refreshed = match tokio::task::spawn_blocking(move || host.refresh()).await {
            Ok(Ok(Refreshed::Unchanged)) => return,
            Ok(Ok(r)) => r,
            Ok(Err(e)) => {
                tracing::error!("reading the store: {e:#}");
                self.loaded.send_replace(true);
                return;
            }
            Err(e) => {
                tracing::error!("reading the store failed: {e}");
                self.loaded.send_replace(true);
                return;
            }
        };
        let k = self.knowledge();
        let churn_only = !refreshed.insights_changed();
        tracing::info!(
            "knowledge: {} insights from {} events in {:?}{}",
            k.insights.len(),
            k.events,
            started.elapsed(),
            if churn_only { " (edits only)" } else { "" }
        );
        let this = self.clone();
        let _ = tokio::task::spawn_blocking(move || {
            for ws in this.workspaces() {
                if churn_only {
                    ws.rechurn(|| this.knowledge());
                } else {
                    ws.relink(|| this.knowledge());
                }
            }
        })
        .await;
        self.loaded.send_replace(true);
        if !churn_only {
            release_memory();
        }
        self.refresh_ui().await;
    }

    /// Re-publishes diagnostics for every open document and asks the client to fetch lenses again.
    pub async fn refresh_ui(&self) {
        let uris: Vec<Url> = lock(&self.docs).keys().cloned().collect();
        for uri in uris {
            self.publish(&uri).await;
        }
        if self.lens_refresh.load(Ordering::Relaxed) {
            // In the background: a client slow to answer must not hold up a command's reply.
            let client = self.client.clone();
            tokio::spawn(async move {
                if let Err(e) = client.code_lens_refresh().await {
                    tracing::debug!("codeLens/refresh: {e}");
                }
            });
        }
    }

    /// Publishes the diagnostics of one open document (an empty list clears them).
    pub async fn publish(&self, uri: &Url) {
        let Some((diags, version)) = self.diagnostics_for(uri) else {
            return;
        };
        self.client
            .publish_diagnostics(uri.clone(), diags, Some(version))
            .await;
    }

    fn diagnostics_for(&self, uri: &Url) -> Option<(Vec<Diagnostic>, i32)> {
        let settings = self.settings();
        let docs = lock(&self.docs);
        let doc = docs.get(uri)?;
        let mut out = Vec::new();
        if let (true, Some(severity), Some(path), false) = (
            settings.enabled,
            settings.diagnostics,
            doc.path.as_ref(),
            doc.excluded,
        ) {
            if let Some(ws) = self.workspace_of(path) {
                let rel = ws.rel(path)?;
                let k = self.knowledge();
                out = guard("diagnostics", || {
                    diagnostics::for_doc(doc, &rel, &ws, &ws.links(), &k, severity)
                })
                .unwrap_or_default();
            }
        }
        Some((out, doc.version))
    }

    /// Commits events through the gate off the async threads (what it leaves out as excluded is
    /// said in the result). Events the store cannot take now (another process holds it past the
    /// wait) are kept in the state dir's `pending/` for the next writer, as a hook's are; other
    /// errors are returned.
    pub async fn commit(&self, events: Vec<crate::normalize::Event>) -> anyhow::Result<Committed> {
        let Some(store) = self.store() else {
            anyhow::bail!("the store is not open");
        };
        let gate = self.gate.clone();
        tokio::task::spawn_blocking(move || match gate.commit(&store, &events, &[]) {
            Ok(committed) => Ok(committed),
            Err(
                e @ crate::ingest::gate::GateError::Store(crate::store::StoreError::Locked {
                    ..
                }),
            ) => {
                if let Some(file) = gate.keep(&crate::config::state_dir()?, &events)? {
                    tracing::warn!("{e}; kept in {} and stored later", file.display());
                }
                Ok(Committed::default())
            }
            Err(e) => Err(e.into()),
        })
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
    }

    pub(super) async fn index_workspace(self: &Arc<Self>, ws: Arc<Workspace>) {
        let token = NumberOrString::String(format!("sessionlens/index/{}", ws.root.display()));
        let progress = self.progress.load(Ordering::Relaxed)
            && self
                .client
                .send_request::<request::WorkDoneProgressCreate>(WorkDoneProgressCreateParams {
                    token: token.clone(),
                })
                .await
                .is_ok();
        let title = format!(
            "Session Lens: indexing {}",
            ws.root.file_name().map_or_else(
                || ws.root.display().to_string(),
                |n| n.to_string_lossy().into_owned()
            )
        );
        if progress {
            self.progress(
                &token,
                WorkDoneProgress::Begin(WorkDoneProgressBegin {
                    title,
                    cancellable: Some(false),
                    message: None,
                    percentage: None,
                }),
            )
            .await;
        }
        let started = std::time::Instant::now();
        let root = ws.root.clone();
        let built = tokio::task::spawn_blocking(move || SymbolIndex::build(&root)).await;
        let message = match built {
            Ok(mut index) => {
                // The editor's unsaved text wins over the disk's.
                let open: Vec<(PathBuf, String)> = lock(&self.docs)
                    .values()
                    .filter_map(|d| Some((ws.rel(d.path.as_ref()?)?, d.text.clone())))
                    .collect();
                for (rel, text) in open {
                    index.update_file(&rel, &text);
                }
                let files = index.file_count();
                *write(&ws.index) = index;
                ws.ready.store(true, Ordering::Release);
                tracing::info!(
                    "indexed {} ({files} files) in {:?}",
                    ws.root.display(),
                    started.elapsed()
                );
                let (w, this) = (ws.clone(), self.clone());
                let _ = tokio::task::spawn_blocking(move || w.relink(|| this.knowledge())).await;
                release_memory();
                self.refresh_ui().await;
                format!("{files} files")
            }
            Err(e) => {
                tracing::error!("indexing {}: {e}", ws.root.display());
                "failed".into()
            }
        };
        if progress {
            self.progress(
                &token,
                WorkDoneProgress::End(WorkDoneProgressEnd {
                    message: Some(message),
                }),
            )
            .await;
        }
    }

    async fn progress(&self, token: &NumberOrString, value: WorkDoneProgress) {
        self.client
            .send_notification::<notification::Progress>(ProgressParams {
                token: token.clone(),
                value: ProgressParamsValue::WorkDone(value),
            })
            .await;
    }
}

/// Hands memory freed after a rebuild (the decoded log, old indexes) back to the OS. glibc keeps
/// freed heap for reuse, so without this an idle server holds its peak; elsewhere a no-op.
fn release_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks the allocator's own free lists; any thread may call it.
    unsafe {
        libc::malloc_trim(0);
    }
}
