//! `workspace/executeCommand` and the custom notifications: everything a client can ask the
//! server to *do*. Each command has a CLI twin (`summarize`, `resolve`, `reopen`, `timeline`,
//! `recall`, `ingest codex`); the wire format of each is documented in docs/lsp-extensions.md.

use super::server::{Shared, guard};
use super::workspace;
use crate::capture::live;
use crate::ingest::watch;
use crate::knowledge::{journal as learnings, render};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::Arc;
use tower_lsp::jsonrpc::{Error, Result as RpcResult};
use tower_lsp::lsp_types::{ExecuteCommandParams, MessageType, Url};

pub const SUMMARIZE: &str = "sessionlens.summarizeSession";
pub const RESOLVE: &str = "sessionlens.resolveInsight";
pub const REOPEN: &str = "sessionlens.reopenInsight";
pub const TIMELINE: &str = "sessionlens.showTimeline";
pub const SHOW_INSIGHTS: &str = super::lens::SHOW_COMMAND;
pub const INGEST: &str = "sessionlens.ingestNow";
pub const TOGGLE: &str = "sessionlens.toggle";
pub const STATUS: &str = "sessionlens.status";

pub const ALL: [&str; 8] = [
    SUMMARIZE,
    RESOLVE,
    REOPEN,
    TIMELINE,
    SHOW_INSIGHTS,
    INGEST,
    TOGGLE,
    STATUS,
];

/// The custom notification an editor sends when a terminal command ends.
pub const COMMAND_FINISHED: &str = "sessionlens/commandFinished";

fn invalid(msg: impl Into<String>) -> Error {
    Error::invalid_params(msg.into())
}

fn failed(e: anyhow::Error) -> Error {
    let mut err = Error::internal_error();
    err.message = format!("{e:#}").into();
    err
}

/// The first argument as an object; a bare string becomes `{ key: string }`.
fn arg(params: &ExecuteCommandParams, key: &str) -> Value {
    match params.arguments.first() {
        Some(Value::String(s)) => json!({ key: s }),
        Some(v @ Value::Object(_)) => v.clone(),
        _ => json!({}),
    }
}

fn str_field<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

pub async fn execute(
    shared: &Arc<Shared>,
    params: ExecuteCommandParams,
) -> RpcResult<Option<Value>> {
    tracing::debug!("executeCommand {}", params.command);
    match params.command.as_str() {
        SUMMARIZE => summarize(shared, &params).await.map(Some),
        RESOLVE => mark(shared, &params, true).await.map(Some),
        REOPEN => mark(shared, &params, false).await.map(Some),
        TIMELINE => timeline(shared, &params).await.map(Some),
        SHOW_INSIGHTS => show_insights(shared, &params).map(Some),
        INGEST => ingest(shared).await.map(Some),
        TOGGLE => {
            let enabled = {
                let mut s = shared.settings.write().unwrap_or_else(|p| p.into_inner());
                s.enabled = match params.arguments.first() {
                    Some(Value::Bool(b)) => *b,
                    _ => !s.enabled,
                };
                s.enabled
            };
            shared.refresh_ui().await;
            Ok(Some(json!({ "enabled": enabled })))
        }
        STATUS => Ok(Some(status(shared, &params))),
        other => Err(invalid(format!("unknown command {other:?}"))),
    }
}

fn store(shared: &Shared) -> RpcResult<Arc<crate::store::Store>> {
    shared
        .store
        .get()
        .cloned()
        .ok_or_else(|| failed(anyhow::anyhow!("the store is not open")))
}

/// The workspace a command is about: the folder given, the folder of the document given, else
/// the first workspace folder.
fn workspace_root(shared: &Shared, v: &Value) -> Option<PathBuf> {
    if let Some(w) = str_field(v, "workspace") {
        return Some(PathBuf::from(w));
    }
    if let Some(p) = str_field(v, "uri")
        .and_then(|u| Url::parse(u).ok())
        .and_then(|u| super::proto::path_of(&u))
    {
        if let Some(ws) = shared.workspace_of(&p) {
            return Some(ws.root.clone());
        }
    }
    shared.workspaces().first().map(|w| w.root.clone())
}

async fn summarize(shared: &Arc<Shared>, params: &ExecuteCommandParams) -> RpcResult<Value> {
    let v = arg(params, "session");
    let store = store(shared)?;
    let root = workspace_root(shared, &v).ok_or_else(|| invalid("no workspace folder is open"))?;
    let session = str_field(&v, "session").map(str::to_owned);
    let write = v.get("write").and_then(Value::as_bool).unwrap_or(true);
    let settings = shared.settings();
    let (file, days) = (
        root.join(&settings.learnings_file),
        settings.learnings_archive_after_days,
    );
    tokio::task::spawn_blocking(move || -> anyhow::Result<Value> {
        if !write {
            let (id, markdown) = learnings::summarize(&store, session.as_deref(), &root)?;
            return Ok(
                json!({ "session": id, "markdown": markdown, "file": null, "changed": false }),
            );
        }
        let now = jiff::Timestamp::now();
        let w = learnings::write_session(&store, session.as_deref(), &root, &file, days, now)?;
        Ok(json!({
            "session": w.session,
            "markdown": w.markdown,
            "file": w.file.display().to_string(),
            "changed": w.changed,
            "version": w.version,
            "previousHash": w.previous_hash,
        }))
    })
    .await
    .map_err(|e| failed(anyhow::anyhow!("{e}")))?
    .map_err(failed)
}

async fn mark(
    shared: &Arc<Shared>,
    params: &ExecuteCommandParams,
    resolved: bool,
) -> RpcResult<Value> {
    let v = arg(params, "insight");
    let wanted = str_field(&v, "insight").ok_or_else(|| invalid("an insight id is needed"))?;
    let k = shared.knowledge();
    let matches: Vec<&crate::insight::Insight> = k
        .insights
        .iter()
        .filter(|i| i.id.starts_with(wanted))
        .collect();
    let i = match matches.as_slice() {
        [one] => *one,
        [] => return Err(invalid(format!("no insight {wanted:?}"))),
        _ => return Err(invalid(format!("{wanted:?} matches several insights"))),
    };
    let cwd = i
        .cwd
        .clone()
        .or_else(|| workspace_root(shared, &v).map(|p| p.display().to_string()))
        .unwrap_or_default();
    let id = i.id.clone();
    let events = live::mark(live::EDITOR, &cwd, &id, resolved, &live::now());
    shared.commit(events.into()).await.map_err(failed)?;
    shared.reload_now().await;
    let status = if resolved { "resolved" } else { "open" };
    Ok(json!({ "insight": id, "status": status }))
}

async fn timeline(shared: &Arc<Shared>, params: &ExecuteCommandParams) -> RpcResult<Value> {
    let v = arg(params, "session");
    let store = store(shared)?;
    let root = workspace_root(shared, &v);
    let session = str_field(&v, "session").map(str::to_owned);
    tokio::task::spawn_blocking(move || -> anyhow::Result<Value> {
        let id = match (session, root) {
            (Some(prefix), _) => crate::knowledge::sessions::resolve(&store, &prefix)?,
            (None, Some(root)) => learnings::latest_in(&store, &root)?.id,
            (None, None) => anyhow::bail!("name a session: no workspace folder is open"),
        };
        let summary = store.session(&id)?;
        let events: Vec<_> = store
            .session_events(&id)?
            .into_iter()
            .map(|(_, e)| e)
            .collect();
        let mut out = Vec::new();
        crate::knowledge::timeline::print_timeline(
            &mut out,
            summary.as_ref(),
            &events,
            usize::MAX,
        )?;
        let text = String::from_utf8_lossy(&out).into_owned();
        Ok(json!({
            "session": id,
            "text": text,
            "markdown": format!("```text\n{text}```\n"),
        }))
    })
    .await
    .map_err(|e| failed(anyhow::anyhow!("{e}")))?
    .map_err(failed)
}

/// The details behind a lens (or any symbol): the insights, as the hover shows them, plus what
/// the editor saw.
fn show_insights(shared: &Arc<Shared>, params: &ExecuteCommandParams) -> RpcResult<Value> {
    let v = arg(params, "symbol");
    let symbol = str_field(&v, "symbol").ok_or_else(|| invalid("a symbol is needed"))?;
    let k = shared.knowledge();
    let path = str_field(&v, "uri")
        .and_then(|u| Url::parse(u).ok())
        .and_then(|u| super::proto::path_of(&u));
    let ws = path.as_deref().and_then(|p| shared.workspace_of(p));
    let links = ws.as_ref().map(|w| w.links()).unwrap_or_default();
    let listed: Vec<u32> = v
        .get("insights")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .filter_map(|id| k.by_id.get(id).copied())
                .collect()
        })
        .unwrap_or_default();
    let ids = if listed.is_empty() {
        workspace::about_name(ws.as_deref(), &links, &k, symbol)
    } else {
        listed
    };
    let markdown = guard("showInsights", || {
        let list: Vec<_> = ids.iter().map(|&n| k.get(n)).collect();
        let mut md = render::hover_markdown(symbol, &list);
        if let (Some(ws), Some(p)) = (&ws, &path) {
            if let Some(c) = ws
                .rel(p)
                .and_then(|rel| links.churn.get(&(rel, symbol.to_owned())))
            {
                if md.is_empty() {
                    md = format!("**Session Lens** · `{symbol}`\n\n");
                }
                md.push_str(&format!(
                    "- **editor** · saved {} times with changes here ({} lines), {} failed command{} right after an edit\n",
                    c.saves,
                    c.lines,
                    c.fail_cycles,
                    if c.fail_cycles == 1 { "" } else { "s" }
                ));
            }
        }
        md
    })
    .unwrap_or_default();
    let insights: Vec<&str> = ids.iter().map(|&n| k.get(n).id.as_str()).collect();
    Ok(json!({ "symbol": symbol, "markdown": markdown, "insights": insights }))
}

async fn ingest(shared: &Arc<Shared>) -> RpcResult<Value> {
    let store = store(shared)?;
    let home = shared
        .settings()
        .codex_home
        .or_else(crate::config::codex_home)
        .ok_or_else(|| invalid("no Codex home: set codexHome"))?;
    let report = tokio::task::spawn_blocking(move || watch::ingest_all(&store, &home))
        .await
        .map_err(|e| failed(anyhow::anyhow!("{e}")))?;
    if report.events_added > 0 {
        shared.reload_now().await;
    }
    Ok(serde_json::to_value(&report).unwrap_or(Value::Null))
}

fn status(shared: &Arc<Shared>, params: &ExecuteCommandParams) -> Value {
    let v = arg(params, "uri");
    let k = shared.knowledge();
    let root = workspace_root(shared, &v);
    let ws = root.as_deref().and_then(|r| shared.workspace_of(r));
    let links = ws.as_ref().map(|w| w.links());
    let open_here = links.as_ref().map_or(0, |l| {
        l.local
            .iter()
            .filter(|&&n| k.get(n).is_open_question())
            .count()
    });
    let latest = links.as_ref().and_then(|l| {
        l.local
            .iter()
            .map(|&n| k.get(n))
            .max_by(|a, b| a.at.cmp(&b.at))
            .map(|i| i.session.clone())
    });
    // The session a status bar shows: the latest real session run in the workspace, with the
    // questions it left open.
    let session = match (shared.store.get(), ws.as_ref()) {
        (Some(store), Some(w)) => learnings::latest_in(store, &w.root).ok().map(|summary| {
            let open: Vec<&str> = k
                .insights
                .iter()
                .filter(|i| i.session == summary.id && i.is_open_question())
                .map(|i| i.topic.as_str())
                .collect();
            json!({
                "id": summary.id,
                "source": summary.source,
                "startedAt": summary.started_at,
                "turns": summary.turns,
                "openGaps": open.len(),
                "openTopics": open,
            })
        }),
        _ => None,
    };
    let s = shared.settings();
    json!({
        "enabled": s.enabled,
        "session": session,
        "store": shared.store.get().map(|st| st.path().display().to_string()),
        "events": k.events,
        "insights": k.insights.len(),
        "openGaps": k.insights.iter().filter(|i| i.is_open_question()).count(),
        "workspace": ws.as_ref().map(|w| json!({
            "root": w.root.display().to_string(),
            "indexed": w.is_ready(),
            "files": w.index.read().map(|i| i.file_count()).unwrap_or(0),
            "openGaps": open_here,
            "latestSession": latest,
        })),
    })
}

/// `sessionlens/commandFinished`: `{ command, cwd, exitCode?, durationMs?, output? }`. Stored as
/// a command of the folder's terminal session, one turn per command, like a Codex command.
pub async fn command_finished(shared: &Arc<Shared>, params: Value) {
    let Some(command) = str_field(&params, "command").map(str::to_owned) else {
        tracing::warn!("{COMMAND_FINISHED} without a command; ignored");
        return;
    };
    let cwd = str_field(&params, "cwd")
        .map(str::to_owned)
        .or_else(|| {
            shared
                .workspaces()
                .first()
                .map(|w| w.root.display().to_string())
        })
        .unwrap_or_default();
    let ran = live::Ran {
        command,
        exit_code: params
            .get("exitCode")
            .and_then(Value::as_i64)
            .map(|c| c as i32),
        duration_ms: params.get("durationMs").and_then(Value::as_u64),
        output: str_field(&params, "output").unwrap_or("").to_owned(),
    };
    let events = live::command(live::TERMINAL, &cwd, &ran, &live::now());
    match shared.commit(events.into()).await {
        Ok(()) => shared.request_reload(),
        Err(e) => {
            tracing::warn!("recording a terminal command: {e:#}");
            shared
                .client
                .log_message(MessageType::WARNING, format!("Session Lens: {e:#}"))
                .await;
        }
    }
}
