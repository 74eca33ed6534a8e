//! `sessionlens serve`: the language server, the product's face in the editor. It speaks LSP on
//! stdio (stdout is protocol; logs go to stderr) and keeps three things current off the request
//! path — the knowledge snapshot derived from the store, each workspace folder's symbol index,
//! and the links between them — so that hovers, lenses and diagnostics only read.
//!
//! - `protocol` — the commands' and the notification's types (arguments, results) and, with
//!   `settings`, the one description of the editor protocol that tests/it/protocol.rs checks the
//!   editors and docs/lsp-extensions.md against; `shape` reads a type's wire shape from serde.
//! - `settings` — what clients may configure.
//! - `proto` — UTF-16 positions and URIs (the only place that knows about encodings).
//! - `documents` — open documents and the hand edits pending since their last save.
//! - `workspace` — per folder, the symbol index and the links from the knowledge snapshot
//!   (`knowledge::snapshot`) to its definitions: with it, what the handlers read.
//! - `hover`, `lens`, `diagnostics` — one file per read-only feature.
//! - `commands` — `workspace/executeCommand` and the custom notifications.
//! - `lifecycle` — initialize, initialized, shutdown, configuration and workspace folders.
//! - `sync` — document sync (open, change, save, close) and the hand edits a save records.
//! - `session` — the state every handler shares (`Shared`) and the background work that keeps
//!   it current: knowledge reloads, folder indexing, what the editor is shown.
//! - `server` — the `LanguageServer` implementation, thin: each handler is its feature's file's.
//! - `guard` — a panicking feature answers with nothing; a poisoned lock is used as left.
//! - `transport` — frames stdin before tower-lsp sees it: bad input is dropped, `exit` exits.
//! - `watch` — starts `ingest::watch` (which follows the assistants' folders and ingests new
//!   turns as they are written) and reloads the knowledge when it added something.
//! - `notetaker` — writes a session's learnings entry by itself once the session has ended.
//!
//! This file builds the service (`service`: the `Backend` with its custom notification) and runs
//! it on stdio (`serve`); tests/it/common/server.rs runs the same service in-process.

mod commands;
mod diagnostics;
mod documents;
mod guard;
mod hover;
mod lens;
mod lifecycle;
mod notetaker;
mod proto;
pub mod protocol;
mod server;
mod session;
mod settings;
mod shape;
mod sync;
mod transport;
mod watch;
mod workspace;

pub use server::Backend;

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;
use tower_lsp::{ClientSocket, LspService, Server};

/// The language server as tower-lsp's service, with its custom notification, and the socket its
/// messages to the client come out of; no transport. `serve` runs it on stdio; the in-process
/// feature tests (tests/it/common/server.rs) run this same service without a process.
/// `data_dir` (the `--data-dir` flag) is the default for `initializationOptions.dataDir`. The
/// handlers spawn the server's background work on the tokio runtime that drives the service.
pub fn service(data_dir: Option<&Path>) -> (LspService<Backend>, ClientSocket) {
    let defaults = settings::Settings {
        data_dir: data_dir.map(Path::to_path_buf),
        ..settings::Settings::default()
    };
    LspService::build(|client| Backend::new(client, defaults))
        .custom_method(commands::COMMAND_FINISHED, Backend::command_finished)
        .custom_method(transport::INVALID_REQUEST, Backend::invalid_request)
        .finish()
}

/// Runs the server on stdin/stdout until the client says `exit` (or closes the pipe).
/// `data_dir` (the `--data-dir` flag) is the default for `initializationOptions.dataDir`.
pub fn serve(data_dir: Option<&Path>) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(4)
        .thread_name("sessionlens-lsp")
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let (service, socket) = service(data_dir);
        let (input, for_server) = tokio::io::duplex(1 << 16);
        let serve = Server::new(for_server, tokio::io::stdout(), socket).serve(service);
        let reader = transport::filter(tokio::io::stdin(), input);
        tokio::pin!(serve);
        tokio::select! {
            () = &mut serve => {}
            exited = reader => {
                // Let the server finish answering what it was given, then stop.
                let grace = if exited { 100 } else { 1000 };
                let _ = tokio::time::timeout(Duration::from_millis(grace), serve).await;
            }
        }
    });
    // Background work (indexing, ingest) must not keep the process alive after `exit`.
    runtime.shutdown_timeout(Duration::from_millis(200));
    Ok(ExitCode::SUCCESS)
}
