//! The `LanguageServer` implementation: lifecycle and document sync, over the state and
//! background work in `session.rs`. Handlers that change state (document sync, configuration)
//! apply their change synchronously before their first await, so changes land in arrival order;
//! the read-only features take snapshots (`Arc`s) and never block on the store.

use super::documents::Doc;
use super::guard::{guard, lock};
use super::session::Shared;
use super::settings::Settings;
use super::workspace::Workspace;
use super::{commands, hover, lens, proto, watch};
use crate::store::Store;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tower_lsp::jsonrpc::Result as RpcResult;
use tower_lsp::lsp_types::*;
use tower_lsp::{Client, LanguageServer};

/// The server reads the store in bursts (a snapshot, then small catch-ups) and mostly appends:
/// a small page cache keeps an idle server small.
const STORE_CACHE_BYTES: usize = 4 * 1024 * 1024;

/// How often to check whether another process changed the store.
const HEAD_POLL: Duration = Duration::from_secs(2);

pub struct Backend {
    pub(super) shared: Arc<Shared>,
}

impl Backend {
    pub fn new(client: Client, settings: Settings) -> Backend {
        Backend {
            shared: Arc::new(Shared::new(client, settings)),
        }
    }

    /// `sessionlens/commandFinished`: a terminal command the editor saw end.
    pub async fn command_finished(&self, params: Value) {
        commands::command_finished(&self.shared, params).await;
    }

    fn add_workspace(&self, root: PathBuf) -> Option<Arc<Workspace>> {
        let mut list = self
            .shared
            .workspaces
            .write()
            .unwrap_or_else(|p| p.into_inner());
        if list.iter().any(|w| w.root == root) {
            return None;
        }
        let ws = Arc::new(Workspace::new(root));
        list.push(ws.clone());
        Some(ws)
    }

    /// A file opened outside every workspace folder (an editor started without a root): its
    /// project — the nearest folder with a `.git`, `package.json`, `Cargo.toml` or
    /// `pyproject.toml` — becomes a workspace and is indexed. With no project around it, only the
    /// open files of its folder are indexed: never a walk of a home directory.
    fn adopt_folder_of(&self, path: &Path) {
        const MARKERS: [&str; 4] = [".git", "package.json", "Cargo.toml", "pyproject.toml"];
        let project = path
            .ancestors()
            .skip(1)
            .find(|d| MARKERS.iter().any(|m| d.join(m).exists()))
            .filter(|d| Some(*d) != dirs::home_dir().as_deref());
        match project {
            Some(root) => {
                if let Some(ws) = self.add_workspace(root.to_path_buf()) {
                    tracing::info!(
                        "{} has no workspace folder; indexing {}",
                        path.display(),
                        root.display()
                    );
                    let shared = self.shared.clone();
                    tokio::spawn(async move { shared.index_workspace(ws).await });
                }
            }
            None => {
                if let Some(dir) = path.parent() {
                    self.add_workspace(dir.to_path_buf());
                }
            }
        }
    }

    /// Indexes an open document into its workspace, and relinks at once while the workspace's
    /// full index is still being built (so the first lens does not wait for the whole folder).
    fn index_doc(&self, uri: &Url) {
        let (path, text) = {
            let docs = lock(&self.shared.docs);
            let Some(d) = docs.get(uri) else { return };
            let Some(p) = d.path.clone() else { return };
            (p, d.text.clone())
        };
        let Some(ws) = self.shared.workspace_of(&path) else {
            return;
        };
        let Some(rel) = ws.rel(&path) else { return };
        guard("indexing a document", || {
            ws.index
                .write()
                .unwrap_or_else(|p| p.into_inner())
                .update_file(&rel, &text);
        });
        if !ws.is_ready() {
            let k = self.shared.knowledge();
            guard("linking", || ws.relink(&k));
        }
    }
}

#[tower_lsp::async_trait]
impl LanguageServer for Backend {
    #[tracing::instrument(skip_all)]
    async fn initialize(&self, params: InitializeParams) -> RpcResult<InitializeResult> {
        {
            let mut s = self
                .shared
                .settings
                .write()
                .unwrap_or_else(|p| p.into_inner());
            if let Some(opts) = &params.initialization_options {
                for bad in s.apply(opts) {
                    tracing::warn!("initializationOptions: {bad}");
                }
            }
        }
        let caps = &params.capabilities;
        let lens_refresh = caps
            .workspace
            .as_ref()
            .and_then(|w| w.code_lens.as_ref())
            .and_then(|c| c.refresh_support)
            .unwrap_or(false);
        self.shared
            .lens_refresh
            .store(lens_refresh, Ordering::Relaxed);
        let progress = caps
            .window
            .as_ref()
            .and_then(|w| w.work_done_progress)
            .unwrap_or(false);
        self.shared.progress.store(progress, Ordering::Relaxed);

        let mut roots: Vec<PathBuf> = params
            .workspace_folders
            .iter()
            .flatten()
            .filter_map(|f| proto::path_of(&f.uri))
            .collect();
        #[allow(deprecated)]
        if roots.is_empty() {
            roots.extend(params.root_uri.as_ref().and_then(proto::path_of));
        }
        for root in roots {
            self.add_workspace(root);
        }

        let settings = self.shared.settings();
        let opened = tokio::task::spawn_blocking(move || -> anyhow::Result<Store> {
            let dir = crate::config::data_dir(settings.data_dir.as_deref())?;
            Ok(Store::open_with_cache(
                &crate::config::store_path(&dir),
                STORE_CACHE_BYTES,
            )?)
        })
        .await;
        match opened {
            Ok(Ok(store)) => {
                tracing::info!("store: {}", store.path().display());
                let _ = self.shared.store.set(Arc::new(store));
            }
            Ok(Err(e)) => {
                tracing::error!("cannot open the store: {e:#}");
                self.shared
                    .client
                    .show_message(
                        MessageType::ERROR,
                        format!("Session Lens cannot open its store: {e:#}"),
                    )
                    .await;
            }
            Err(e) => tracing::error!("opening the store: {e}"),
        }

        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::INCREMENTAL),
                        will_save: None,
                        will_save_wait_until: None,
                        save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                    },
                )),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                code_lens_provider: Some(CodeLensOptions {
                    resolve_provider: Some(false),
                }),
                execute_command_provider: Some(ExecuteCommandOptions {
                    commands: commands::ALL.iter().map(|c| c.to_string()).collect(),
                    work_done_progress_options: WorkDoneProgressOptions::default(),
                }),
                workspace: Some(WorkspaceServerCapabilities {
                    workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                        supported: Some(true),
                        change_notifications: Some(OneOf::Left(true)),
                    }),
                    file_operations: None,
                }),
                ..ServerCapabilities::default()
            },
            server_info: Some(ServerInfo {
                name: "sessionlens".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let shared = self.shared.clone();
        // The knowledge reload loop: one rebuild at a time, requests coalesced.
        tokio::spawn({
            let shared = shared.clone();
            async move {
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
                    if shared.shutting_down.load(Ordering::Relaxed) {
                        break;
                    }
                    shared.reload_now().await;
                }
            }
        });
        for ws in shared.workspaces() {
            let shared = shared.clone();
            tokio::spawn(async move { shared.index_workspace(ws).await });
        }
        super::notetaker::start(shared.clone());
        let settings = shared.settings();
        if settings.watch_codex {
            if let Some(home) = settings.codex_home.or_else(crate::config::codex_home) {
                watch::start(shared.clone(), home);
            }
        }
    }

    async fn shutdown(&self) -> RpcResult<()> {
        self.shared.shutting_down.store(true, Ordering::Relaxed);
        let uris: Vec<Url> = lock(&self.shared.docs).keys().cloned().collect();
        for uri in uris {
            self.shared.flush_edits(&uri).await;
        }
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let d = params.text_document;
        let uri = d.uri.clone();
        let doc = Doc::new(d.uri, d.text, d.version);
        if let Some(path) = doc.path.clone() {
            if self.shared.workspace_of(&path).is_none() {
                self.adopt_folder_of(&path);
            }
        }
        lock(&self.shared.docs).insert(uri.clone(), doc);
        self.index_doc(&uri);
        self.shared.wait_loaded().await;
        self.shared.publish(&uri).await;
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        {
            let mut docs = lock(&self.shared.docs);
            let Some(doc) = docs.get_mut(&uri) else {
                tracing::warn!("change to {uri}, which is not open; ignored");
                return;
            };
            let version = params.text_document.version;
            guard("applying a change", || {
                doc.apply(params.content_changes, version)
            });
        }
        self.index_doc(&uri);
        self.shared.publish(&uri).await;
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        let uri = params.text_document.uri;
        if let Some(text) = params.text {
            if let Some(doc) = lock(&self.shared.docs).get_mut(&uri) {
                if doc.text != text {
                    let version = doc.version;
                    doc.apply(
                        vec![TextDocumentContentChangeEvent {
                            range: None,
                            range_length: None,
                            text,
                        }],
                        version,
                    );
                }
            }
            self.index_doc(&uri);
        }
        self.shared.flush_edits(&uri).await;
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        self.shared.flush_edits(&uri).await;
        let closed = lock(&self.shared.docs).remove(&uri);
        // The disk's version is what the index should hold again.
        if let Some(path) = closed.and_then(|d| d.path) {
            if let Some(ws) = self.shared.workspace_of(&path) {
                if let Some(rel) = ws.rel(&path) {
                    let text = std::fs::read(&path)
                        .ok()
                        .map(|b| String::from_utf8_lossy(&b).into_owned());
                    let mut index = ws.index.write().unwrap_or_else(|p| p.into_inner());
                    match text {
                        Some(t) => index.update_file(&rel, &t),
                        None => index.remove_file(&rel),
                    }
                }
            }
        }
        self.shared
            .client
            .publish_diagnostics(uri, Vec::new(), None)
            .await;
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let before = self.shared.settings();
        {
            let mut s = self
                .shared
                .settings
                .write()
                .unwrap_or_else(|p| p.into_inner());
            for bad in s.apply(&params.settings) {
                tracing::warn!("configuration: {bad}");
            }
        }
        let after = self.shared.settings();
        if (&after.data_dir, &after.codex_home, after.watch_codex)
            != (&before.data_dir, &before.codex_home, before.watch_codex)
        {
            tracing::warn!(
                "dataDir, codexHome and watchCodex apply when the server starts; restart it"
            );
        }
        if after != before {
            self.shared.refresh_ui().await;
        }
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        for removed in &params.event.removed {
            if let Some(p) = proto::path_of(&removed.uri) {
                self.shared
                    .workspaces
                    .write()
                    .unwrap_or_else(|e| e.into_inner())
                    .retain(|w| w.root != p);
            }
        }
        for added in &params.event.added {
            if let Some(ws) = proto::path_of(&added.uri).and_then(|p| self.add_workspace(p)) {
                let shared = self.shared.clone();
                tokio::spawn(async move { shared.index_workspace(ws).await });
            }
        }
    }

    async fn hover(&self, params: HoverParams) -> RpcResult<Option<Hover>> {
        if !self.shared.settings().enabled {
            return Ok(None);
        }
        self.shared.wait_loaded().await;
        let p = params.text_document_position_params;
        let docs = lock(&self.shared.docs);
        let Some(doc) = docs.get(&p.text_document.uri) else {
            return Ok(None);
        };
        let ws = doc
            .path
            .as_deref()
            .and_then(|p| self.shared.workspace_of(p));
        let links = ws.as_ref().map(|w| w.links()).unwrap_or_default();
        let k = self.shared.knowledge();
        Ok(guard("hover", || {
            hover::hover(doc, p.position, ws.as_deref(), &links, &k)
        })
        .flatten())
    }

    async fn code_lens(&self, params: CodeLensParams) -> RpcResult<Option<Vec<CodeLens>>> {
        let settings = self.shared.settings();
        if !settings.enabled || !settings.lenses {
            return Ok(None);
        }
        self.shared.wait_loaded().await;
        let uri = params.text_document.uri;
        let docs = lock(&self.shared.docs);
        let Some(doc) = docs.get(&uri) else {
            return Ok(None);
        };
        let Some(path) = doc.path.as_deref() else {
            return Ok(None);
        };
        let Some(ws) = self.shared.workspace_of(path) else {
            return Ok(None);
        };
        let Some(rel) = ws.rel(path) else {
            return Ok(None);
        };
        let k = self.shared.knowledge();
        let lenses =
            guard("codeLens", || lens::lenses(doc, &rel, &ws, &ws.links(), &k)).unwrap_or_default();
        Ok((!lenses.is_empty()).then_some(lenses))
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> RpcResult<Option<Value>> {
        commands::execute(&self.shared, params).await
    }
}
