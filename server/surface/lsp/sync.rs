//! Document sync: `didOpen`, `didChange`, `didSave`, `didClose`. Each applies its change to the
//! open documents and the workspace's index synchronously, before its first await, so changes
//! land in arrival order (tower-lsp runs handlers concurrently) and a request that follows a
//! change sees it. A save turns the hand edits made since the last one into an `editor_edit`
//! event.

use super::documents::Doc;
use super::guard::{guard, lock, read, write};
use super::session::Shared;
use super::workspace;
use crate::capture::live;
use std::path::Path;
use std::sync::Arc;
use tower_lsp::lsp_types::{
    DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    DidSaveTextDocumentParams, TextDocumentContentChangeEvent, Url,
};

pub async fn did_open(shared: &Arc<Shared>, params: DidOpenTextDocumentParams) {
    let d = params.text_document;
    let uri = d.uri.clone();
    let mut doc = Doc::new(d.uri, d.text, d.version);
    if let Some(path) = doc.path.clone() {
        doc.excluded = shared.excluded(&path);
        if shared.workspace_of(&path).is_none() {
            adopt_folder_of(shared, &path);
        }
    }
    lock(&shared.docs).insert(uri.clone(), doc);
    let started = std::time::Instant::now();
    index_doc(shared, &uri);
    tracing::debug!("opened {uri}: indexed in {:?}", started.elapsed());
    shared.wait_loaded().await;
    shared.publish(&uri).await;
}

pub async fn did_change(shared: &Shared, params: DidChangeTextDocumentParams) {
    let uri = params.text_document.uri;
    {
        let mut docs = lock(&shared.docs);
        let Some(doc) = docs.get_mut(&uri) else {
            tracing::warn!("change to {uri}, which is not open; ignored");
            return;
        };
        let version = params.text_document.version;
        guard("applying a change", || {
            doc.apply(params.content_changes, version)
        });
    }
    index_doc(shared, &uri);
    shared.publish(&uri).await;
}

pub async fn did_save(shared: &Shared, params: DidSaveTextDocumentParams) {
    let uri = params.text_document.uri;
    if let Some(text) = params.text {
        if let Some(doc) = lock(&shared.docs).get_mut(&uri) {
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
        index_doc(shared, &uri);
    }
    flush_edits(shared, &uri).await;
    // A save may come with a `.sessionlens-ignore` written beside it.
    let path = lock(&shared.docs).get(&uri).and_then(|d| d.path.clone());
    if let Some(path) = path {
        let excluded = shared.excluded(&path);
        let changed = lock(&shared.docs)
            .get_mut(&uri)
            .is_some_and(|d| std::mem::replace(&mut d.excluded, excluded) != excluded);
        if changed {
            shared.refresh_ui().await;
        }
    }
}

pub async fn did_close(shared: &Shared, params: DidCloseTextDocumentParams) {
    let uri = params.text_document.uri;
    flush_edits(shared, &uri).await;
    let closed = lock(&shared.docs).remove(&uri);
    // The disk's version is what the index should hold again.
    if let Some(path) = closed.and_then(|d| d.path) {
        if let Some(ws) = shared.workspace_of(&path) {
            if let Some(rel) = ws.rel(&path) {
                let text = crate::link::read_source(&path);
                crate::link::prepare(&rel);
                let mut index = write(&ws.index);
                match text {
                    Some(t) => index.update_file(&rel, &t),
                    None => index.remove_file(&rel),
                }
            }
        }
    }
    shared
        .client
        .publish_diagnostics(uri, Vec::new(), None)
        .await;
}

/// Turns the edits pending on a document into an `editor_edit` event.
pub async fn flush_edits(shared: &Shared, uri: &Url) {
    let taken = {
        let mut docs = lock(&shared.docs);
        let Some(doc) = docs.get_mut(uri) else {
            return;
        };
        if doc.pending.changes == 0 {
            return;
        }
        let pending = std::mem::take(&mut doc.pending);
        doc.path.clone().map(|p| (p, pending))
    };
    let Some((path, pending)) = taken else {
        return;
    };
    let Some(ws) = shared.workspace_of(&path) else {
        return;
    };
    let Some(rel) = ws.rel(&path) else { return };
    let symbols = {
        let index = read(&ws.index);
        let defs = index.definitions_in(&rel);
        let mut names: Vec<String> = Vec::new();
        for &line in &pending.touched {
            if let Some(d) = workspace::owner_of(defs, line) {
                if !names.iter().any(|n| *n == d.name) {
                    names.push(d.name.to_string());
                }
            }
        }
        names
    };
    let (lines, changes) = (pending.lines, pending.changes);
    // The gate leaves out an edit of a file in an excluded folder.
    let events = live::editor_edit(&ws.root, &rel, &symbols, lines, changes, &live::now());
    match shared.commit(events.into()).await {
        Ok(c) if c.outcome.added > 0 => shared.request_reload(),
        Ok(_) => {}
        Err(e) => tracing::warn!("recording an edit of {}: {e:#}", path.display()),
    }
}

/// A file opened outside every workspace folder (an editor started without a root): its
/// project — the nearest folder with a `.git`, `package.json`, `Cargo.toml` or
/// `pyproject.toml` — becomes a workspace and is indexed. With no project around it, only the
/// open files of its folder are indexed: never a walk of a home directory.
fn adopt_folder_of(shared: &Arc<Shared>, path: &Path) {
    const MARKERS: [&str; 4] = [".git", "package.json", "Cargo.toml", "pyproject.toml"];
    let project = path
        .ancestors()
        .skip(1)
        .find(|d| MARKERS.iter().any(|m| d.join(m).exists()))
        .filter(|d| Some(*d) != dirs::home_dir().as_deref());
    match project {
        Some(root) => {
            if let Some(ws) = shared.add_workspace(root.to_path_buf()) {
                tracing::info!(
                    "{} has no workspace folder; indexing {}",
                    path.display(),
                    root.display()
                );
                let shared = shared.clone();
                tokio::spawn(async move { shared.index_workspace(ws).await });
            }
        }
        None => {
            if let Some(dir) = path.parent() {
                shared.add_workspace(dir.to_path_buf());
            }
        }
    }
}

/// Indexes an open document into its workspace, and relinks at once while the workspace's
/// full index is still being built (so the first lens does not wait for the whole folder).
fn index_doc(shared: &Shared, uri: &Url) {
    let (path, text) = {
        let docs = lock(&shared.docs);
        let Some(d) = docs.get(uri) else { return };
        let Some(p) = d.path.clone() else { return };
        (p, d.text.clone())
    };
    let Some(ws) = shared.workspace_of(&path) else {
        return;
    };
    let Some(rel) = ws.rel(&path) else { return };
    guard("indexing a document", || {
        // A language's first file waits for its queries here, before the lock: hovers and the
        // links read the index meanwhile.
        crate::link::prepare(&rel);
        write(&ws.index).update_file(&rel, &text);
    });
    if !ws.is_ready() {
        guard("linking", || ws.relink(|| shared.knowledge()));
    }
}
