//! The `LanguageServer` implementation, thin: each request and notification goes to the file
//! of its feature — `lifecycle` (initialize, shutdown, configuration, folders), `sync` (document
//! sync), `hover`, `lens`, `commands` — with the state they share (`session::Shared`). Handlers
//! that change state apply their change synchronously before their first await, so changes land
//! in arrival order; the read-only features take snapshots (`Arc`s) and never block on the store.

use super::session::Shared;
use super::settings::Settings;
use super::{commands, hover, lens, lifecycle, sync};
use serde_json::Value;
use std::sync::Arc;
use tower_lsp::jsonrpc::Result as RpcResult;
use tower_lsp::lsp_types::*;
use tower_lsp::{Client, LanguageServer};

/// The language server tower-lsp drives (`super::service` builds it with its custom method).
pub struct Backend {
    shared: Arc<Shared>,
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

    /// `sessionlens/invalidRequest`: only the transport guard sends it, in place of a request it
    /// found invalid, so that the editor gets an `InvalidRequest` error with the request's id
    /// rather than no answer.
    pub async fn invalid_request(&self, params: Value) -> RpcResult<Value> {
        let reason = params["reason"]
            .as_str()
            .unwrap_or("not a valid JSON-RPC 2.0 request");
        Err(tower_lsp::jsonrpc::Error {
            code: tower_lsp::jsonrpc::ErrorCode::InvalidRequest,
            message: format!("invalid request: {reason}").into(),
            data: None,
        })
    }
}

#[tower_lsp::async_trait]
impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> RpcResult<InitializeResult> {
        lifecycle::initialize(&self.shared, params).await
    }

    async fn initialized(&self, _: InitializedParams) {
        lifecycle::initialized(&self.shared);
    }

    async fn shutdown(&self) -> RpcResult<()> {
        lifecycle::shutdown(&self.shared).await
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        sync::did_open(&self.shared, params).await;
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        sync::did_change(&self.shared, params).await;
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        sync::did_save(&self.shared, params).await;
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        sync::did_close(&self.shared, params).await;
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        lifecycle::did_change_configuration(&self.shared, params).await;
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        lifecycle::did_change_workspace_folders(&self.shared, params);
    }

    async fn hover(&self, params: HoverParams) -> RpcResult<Option<Hover>> {
        hover::request(&self.shared, params).await
    }

    async fn code_lens(&self, params: CodeLensParams) -> RpcResult<Option<Vec<CodeLens>>> {
        lens::request(&self.shared, params).await
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> RpcResult<Option<Value>> {
        commands::execute(&self.shared, params).await
    }
}
