//! `workspace/executeCommand` and the custom notifications: everything a client can ask the
//! server to *do*. Each command has a CLI twin (`summarize`, `resolve`, `reopen`, `timeline`,
//! `recall`, `ingest codex`); the wire format of each is the types in `protocol.rs` (arguments
//! are parsed into them, a wrong one is an invalid-params error), documented in
//! docs/lsp-extensions.md.

use super::guard::guard;
use super::protocol::{self as p, Request};
use super::session::Shared;
use super::workspace;
use crate::capture::live;
use crate::ingest::watch;
use crate::knowledge::{journal, render};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Arc;
use tower_lsp::jsonrpc::{Error, Result as RpcResult};
use tower_lsp::lsp_types::{ExecuteCommandParams, MessageType, Url};

pub const SUMMARIZE: &str = p::Summarize::NAME;
pub const RESOLVE: &str = p::Resolve::NAME;
pub const REOPEN: &str = p::Reopen::NAME;
pub const TIMELINE: &str = p::Timeline::NAME;
pub const SHOW_INSIGHTS: &str = p::ShowInsights::NAME;
pub const INGEST: &str = p::IngestNow::NAME;
pub const TOGGLE: &str = p::Toggle::NAME;
pub const STATUS: &str = p::Status::NAME;

pub const ALL: [&str; 8] = p::COMMANDS;

/// The custom notification an editor sends when a terminal command ends.
pub const COMMAND_FINISHED: &str = p::COMMAND_FINISHED;

fn invalid(msg: impl Into<String>) -> Error {
    Error::invalid_params(msg.into())
}

fn failed(e: anyhow::Error) -> Error {
    let mut err = Error::internal_error();
    err.message = format!("{e:#}").into();
    err
}

/// The command's first argument as `R`'s typed arguments; anything else is invalid params.
fn args<R: Request>(params: &ExecuteCommandParams) -> RpcResult<R::Args> {
    p::parse_args::<R>(&params.arguments).map_err(invalid)
}

/// `R`'s result on the wire (the type ties each command to its documented result).
fn answer<R: Request>(result: R::Result) -> RpcResult<Option<Value>> {
    serde_json::to_value(result)
        .map(Some)
        .map_err(|e| failed(e.into()))
}

pub async fn execute(
    shared: &Arc<Shared>,
    params: ExecuteCommandParams,
) -> RpcResult<Option<Value>> {
    tracing::debug!("executeCommand {}", params.command);
    match params.command.as_str() {
        SUMMARIZE => {
            answer::<p::Summarize>(summarize(shared, args::<p::Summarize>(&params)?).await?)
        }
        RESOLVE => answer::<p::Resolve>(mark(shared, args::<p::Resolve>(&params)?, true).await?),
        REOPEN => answer::<p::Reopen>(mark(shared, args::<p::Reopen>(&params)?, false).await?),
        TIMELINE => answer::<p::Timeline>(timeline(shared, args::<p::Timeline>(&params)?).await?),
        SHOW_INSIGHTS => {
            answer::<p::ShowInsights>(show_insights(shared, args::<p::ShowInsights>(&params)?)?)
        }
        INGEST => {
            args::<p::IngestNow>(&params)?;
            answer::<p::IngestNow>(ingest(shared).await?)
        }
        TOGGLE => {
            let wanted = args::<p::Toggle>(&params)?.enabled;
            let enabled = {
                let mut s = shared.settings.write().unwrap_or_else(|p| p.into_inner());
                s.enabled = wanted.unwrap_or(!s.enabled);
                s.enabled
            };
            shared.refresh_ui().await;
            answer::<p::Toggle>(p::ToggleResult { enabled })
        }
        STATUS => answer::<p::Status>(status(shared, args::<p::Status>(&params)?)),
        other => Err(invalid(format!("unknown command {other:?}"))),
    }
}

fn store(shared: &Shared) -> RpcResult<Arc<crate::store::Store>> {
    shared
        .store()
        .ok_or_else(|| failed(anyhow::anyhow!("the store is not open")))
}

/// The workspace a command is about: the folder given, the folder of the document given, else
/// the first workspace folder.
fn workspace_root(shared: &Shared, workspace: Option<&str>, uri: Option<&Url>) -> Option<PathBuf> {
    if let Some(w) = workspace {
        return Some(PathBuf::from(w));
    }
    if let Some(p) = uri.and_then(super::proto::path_of) {
        if let Some(ws) = shared.workspace_of(&p) {
            return Some(ws.root.clone());
        }
    }
    shared.workspaces().first().map(|w| w.root.clone())
}

async fn summarize(shared: &Arc<Shared>, a: p::SummarizeArgs) -> RpcResult<p::SummarizeResult> {
    let store = store(shared)?;
    let root = workspace_root(shared, a.workspace.as_deref(), a.uri.as_ref())
        .ok_or_else(|| invalid("no workspace folder is open"))?;
    let session = a.session;
    let write = a.write.unwrap_or(true);
    let settings = shared.settings();
    let (file, days) = (
        root.join(&settings.learnings_file),
        settings.learnings_archive_after_days,
    );
    tokio::task::spawn_blocking(move || -> anyhow::Result<p::SummarizeResult> {
        if !write {
            let (id, markdown) = journal::summarize(&store, session.as_deref(), &root)?;
            return Ok(p::SummarizeResult {
                session: id,
                markdown,
                file: None,
                changed: false,
                version: None,
                previous_hash: None,
            });
        }
        let now = jiff::Timestamp::now();
        let w = journal::write_session(&store, session.as_deref(), &root, &file, days, now)?;
        Ok(p::SummarizeResult {
            session: w.session,
            markdown: w.markdown,
            file: Some(w.file.display().to_string()),
            changed: w.changed,
            version: Some(w.version),
            previous_hash: Some(w.previous_hash),
        })
    })
    .await
    .map_err(|e| failed(anyhow::anyhow!("{e}")))?
    .map_err(failed)
}

async fn mark(shared: &Arc<Shared>, a: p::MarkArgs, resolved: bool) -> RpcResult<p::MarkResult> {
    let wanted = a.insight.as_str();
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
        .or_else(|| {
            workspace_root(shared, a.workspace.as_deref(), a.uri.as_ref())
                .map(|p| p.display().to_string())
        })
        .unwrap_or_default();
    let id = i.id.clone();
    let events = live::mark(live::EDITOR, &cwd, &id, resolved, &live::now());
    let committed = shared.commit(events.into()).await.map_err(failed)?;
    if let Some(why) = committed.why {
        return Err(failed(anyhow::anyhow!(
            "not recorded: {cwd}, where the insight was noted, is {why}"
        )));
    }
    shared.reload_now().await;
    let status = if resolved {
        p::MarkStatus::Resolved
    } else {
        p::MarkStatus::Open
    };
    Ok(p::MarkResult {
        insight: id,
        status,
    })
}

async fn timeline(shared: &Arc<Shared>, a: p::TimelineArgs) -> RpcResult<p::TimelineResult> {
    let store = store(shared)?;
    let root = workspace_root(shared, a.workspace.as_deref(), a.uri.as_ref());
    let session = a.session;
    tokio::task::spawn_blocking(move || -> anyhow::Result<p::TimelineResult> {
        let id = match (session, root) {
            (Some(prefix), _) => crate::knowledge::sessions::resolve(&store, &prefix)?,
            (None, Some(root)) => journal::latest_in(&store, &root)?.id,
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
        Ok(p::TimelineResult {
            session: id,
            markdown: format!("```text\n{text}```\n"),
            text,
        })
    })
    .await
    .map_err(|e| failed(anyhow::anyhow!("{e}")))?
    .map_err(failed)
}

/// The details behind a lens (or any symbol): the insights, as the hover shows them, plus what
/// the editor saw.
fn show_insights(shared: &Arc<Shared>, a: p::ShowInsightsArgs) -> RpcResult<p::ShowInsightsResult> {
    let symbol = a.symbol.as_str();
    let k = shared.knowledge();
    let path = a.uri.as_ref().and_then(super::proto::path_of);
    let ws = path.as_deref().and_then(|p| shared.workspace_of(p));
    let links = ws.as_ref().map(|w| w.links()).unwrap_or_default();
    let listed: Vec<u32> = a
        .insights
        .iter()
        .flatten()
        .filter_map(|id| k.by_id.get(id.as_str()).copied())
        .collect();
    let ids = if listed.is_empty() {
        workspace::recall(ws.as_deref(), &links, &k, symbol)
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
    let insights = ids.iter().map(|&n| k.get(n).id.clone()).collect();
    Ok(p::ShowInsightsResult {
        symbol: a.symbol,
        markdown,
        insights,
    })
}

async fn ingest(shared: &Arc<Shared>) -> RpcResult<crate::ingest::IngestReport> {
    let store = store(shared)?;
    let home = shared
        .settings()
        .codex_home
        .or_else(crate::config::codex_home)
        .ok_or_else(|| invalid("no Codex home: set codexHome"))?;
    let gate = shared.gate.clone();
    let report = tokio::task::spawn_blocking(move || watch::ingest_all(&store, &gate, &home))
        .await
        .map_err(|e| failed(anyhow::anyhow!("{e}")))?;
    if report.events_added > 0 {
        shared.reload_now().await;
    }
    Ok(report)
}

fn status(shared: &Arc<Shared>, a: p::StatusArgs) -> p::StatusResult {
    let k = shared.knowledge();
    let root = workspace_root(shared, a.workspace.as_deref(), a.uri.as_ref());
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
    let session = match (shared.store(), ws.as_ref()) {
        (Some(store), Some(w)) => journal::latest_in(&store, &w.root).ok().map(|summary| {
            let open_topics: Vec<String> = k
                .insights
                .iter()
                .filter(|i| i.session == summary.id && i.is_open_question())
                .map(|i| i.topic.clone())
                .collect();
            p::StatusSession {
                id: summary.id,
                source: summary.source,
                started_at: summary.started_at,
                turns: summary.turns,
                open_gaps: open_topics.len(),
                open_topics,
            }
        }),
        _ => None,
    };
    let s = shared.settings();
    p::StatusResult {
        enabled: s.enabled,
        session,
        store: shared.store().map(|st| st.path().display().to_string()),
        events: k.events,
        insights: k.insights.len(),
        open_gaps: k.insights.iter().filter(|i| i.is_open_question()).count(),
        workspace: ws.as_ref().map(|w| p::StatusWorkspace {
            root: w.root.display().to_string(),
            indexed: w.is_ready(),
            files: w.index.read().map(|i| i.file_count()).unwrap_or(0),
            open_gaps: open_here,
            latest_session: latest,
        }),
    }
}

/// `sessionlens/commandFinished`: `{ command, cwd, exitCode?, durationMs?, output? }`. Stored as
/// a command of the folder's terminal session, one turn per command, like a Codex command.
pub async fn command_finished(shared: &Arc<Shared>, params: Value) {
    let params: p::CommandFinishedParams = match serde_json::from_value(params) {
        Ok(params) => params,
        Err(e) => {
            tracing::warn!("{COMMAND_FINISHED} ignored: {e}");
            return;
        }
    };
    let command = params.command;
    let cwd = params
        .cwd
        .or_else(|| {
            shared
                .workspaces()
                .first()
                .map(|w| w.root.display().to_string())
        })
        .unwrap_or_default();
    let ran = live::Ran {
        command,
        exit_code: params.exit_code,
        duration_ms: params.duration_ms,
        output: params.output.clone().unwrap_or_default(),
    };
    let events = live::command(live::TERMINAL, &cwd, &ran, &live::now());
    // The gate leaves out a command run in an excluded folder.
    match shared.commit(events.into()).await {
        Ok(c) if c.outcome.added > 0 => shared.request_reload(),
        Ok(_) => {}
        Err(e) => {
            tracing::warn!("recording a terminal command: {e:#}");
            shared
                .client
                .log_message(MessageType::WARNING, format!("Session Lens: {e:#}"))
                .await;
        }
    }
}
