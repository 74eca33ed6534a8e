//! The server's lifecycle and what it is told about its surroundings: `initialize` (settings,
//! capabilities, workspace folders, the store), `initialized` (the background work starts),
//! `shutdown` (pending hand edits are stored), and the changes of configuration and workspace
//! folders.

use super::guard::{lock, write};
use super::session::Shared;
use super::{commands, notetaker, proto, sync, watch};
use crate::store::Store;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use tower_lsp::jsonrpc::Result as RpcResult;
use tower_lsp::lsp_types::*;

/// The server reads the store in bursts (a snapshot, then small catch-ups) and mostly appends:
/// a small page cache keeps an idle server small.
const STORE_CACHE_BYTES: usize = 4 * 1024 * 1024;

#[tracing::instrument(skip_all)]
pub async fn initialize(shared: &Shared, params: InitializeParams) -> RpcResult<InitializeResult> {
    {
        let mut s = write(&shared.settings);
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
    shared.lens_refresh.store(lens_refresh, Ordering::Relaxed);
    let progress = caps
        .window
        .as_ref()
        .and_then(|w| w.work_done_progress)
        .unwrap_or(false);
    shared.progress.store(progress, Ordering::Relaxed);

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
    // The first file opened or indexed needs its language's queries: compile them now, in the
    // background, while the store opens and the client gets ready.
    crate::link::compile_ahead(roots.clone());
    for root in roots {
        shared.add_workspace(root);
    }

    shared.apply_exclusions();
    let settings = shared.settings();
    let opened = tokio::task::spawn_blocking(move || -> anyhow::Result<Store> {
        let dir = crate::config::data_dir(settings.data_dir.as_deref())?;
        // Read-only where it can be: a writer paused in a terminal does not stop the hovers;
        // the first write opens a writable handle (see `Store::open_for_reading`). The user's
        // own store only, in a private data dir.
        Ok(Store::open_for_reading_with_cache(
            &crate::config::store_file(&dir, true)?,
            STORE_CACHE_BYTES,
        )?)
    })
    .await;
    match opened {
        Ok(Ok(store)) => {
            tracing::info!("store: {}", store.path().display());
            shared.set_store(store);
        }
        Ok(Err(e)) => {
            tracing::error!("cannot open the store: {e:#}");
            shared
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

/// The background work starts: the knowledge reloads, each folder's index, the notetaker and,
/// when asked, the watcher of the assistants' folders.
pub fn initialized(shared: &Arc<Shared>) {
    shared.start_reloading();
    for ws in shared.workspaces() {
        let shared = shared.clone();
        tokio::spawn(async move { shared.index_workspace(ws).await });
    }
    notetaker::start(shared.clone());
    let settings = shared.settings();
    if settings.watch_codex {
        if let Some(home) = settings.codex_home.or_else(crate::config::codex_home) {
            watch::start(shared.clone(), home);
        }
    }
}

pub async fn shutdown(shared: &Shared) -> RpcResult<()> {
    shared.shutting_down.store(true, Ordering::Relaxed);
    let uris: Vec<Url> = lock(&shared.docs).keys().cloned().collect();
    for uri in uris {
        sync::flush_edits(shared, &uri).await;
    }
    Ok(())
}

pub async fn did_change_configuration(shared: &Shared, params: DidChangeConfigurationParams) {
    let before = shared.settings();
    {
        let mut s = write(&shared.settings);
        for bad in s.apply(&params.settings) {
            tracing::warn!("configuration: {bad}");
        }
    }
    let after = shared.settings();
    if (&after.data_dir, &after.codex_home, after.watch_codex)
        != (&before.data_dir, &before.codex_home, before.watch_codex)
    {
        tracing::warn!(
            "dataDir, codexHome and watchCodex apply when the server starts; restart it"
        );
    }
    if after != before {
        if after.exclude != before.exclude {
            shared.apply_exclusions();
        }
        shared.refresh_ui().await;
    }
}

pub fn did_change_workspace_folders(shared: &Arc<Shared>, params: DidChangeWorkspaceFoldersParams) {
    for removed in &params.event.removed {
        if let Some(p) = proto::path_of(&removed.uri) {
            write(&shared.workspaces).retain(|w| w.root != p);
        }
    }
    for added in &params.event.added {
        if let Some(ws) = proto::path_of(&added.uri).and_then(|p| shared.add_workspace(p)) {
            let shared = shared.clone();
            tokio::spawn(async move { shared.index_workspace(ws).await });
        }
    }
}
