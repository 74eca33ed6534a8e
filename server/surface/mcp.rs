//! `sessionlens mcp`: Session Lens as an MCP server on stdio (the `rmcp` crate), so the agent
//! itself can ask what the developer learned before and write down what it just learned. Codex
//! starts it from `[mcp_servers.sessionlens]` in its `config.toml` (`sessionlens install
//! codex-mcp`). Four tools:
//!
//! - `recall`: the insights about a code name or a topic — the editor hover's answer
//!   (`knowledge::recall`), in the given workspace as if hovered there;
//! - `open_gaps`: the open questions and follow-ups (of a workspace), newest first;
//! - `record_learning`: a takeaway the agent writes down, stored as a `learning` live event in
//!   the local `mcp` session of its folder, which the insight engine turns into an insight;
//! - `session_summary`: a session's `learnings.md` entry.
//!
//! The text answers of `recall`, `open_gaps` and `session_summary` are wrapped in
//! `briefing::own_context`'s markers: Codex writes tool output back into its rollout, and the
//! markers let the rollout reader drop it instead of learning from its own answers.
//!
//! Stdout is protocol; logs go to stderr. A failing call is an MCP tool error with a readable
//! message, never a crash: store work runs on the blocking pool and a panic there is caught.
//! The store is opened once and shared with every other process (redb's multi-writer mode);
//! the knowledge snapshot (`knowledge::host`, as in the language server) is caught up with the
//! store's head on every call. The store is the user's own: one another user owns is refused at
//! start (`config::store_file`), so an agent is only ever answered from its user's record.
//!
//! Excluded folders (`ingest::exclude`): `record_learning` about one is refused with why (its
//! learning goes through the gate like every write), and a tool asked about a workspace that is
//! excluded answers that it is, and nothing else.

use crate::capture::live;
use crate::ingest::gate::Gate;
use crate::insight::{self, Insight, topic};
use crate::knowledge::host::Host;
use crate::knowledge::links::Linked;
use crate::knowledge::recall::Here;
use crate::knowledge::scope::Scope;
use crate::knowledge::snapshot::Knowledge;
use crate::knowledge::{self, briefing, journal, render};
use crate::store::Store;
use rmcp::handler::server::{router::tool::ToolRouter, wrapper::Parameters};
use rmcp::schemars::JsonSchema;
use rmcp::{ServerHandler, ServiceExt, tool, tool_handler, tool_router};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// The surface (and local session prefix) of what arrives through MCP.
pub const SURFACE: &str = "mcp";
/// At most this many bullets in `open_gaps`.
const MAX_GAPS: usize = 50;

#[derive(Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct RecallArgs {
    /// A code name (`useEffect`, `TodoList`) or a topic (`Netlify deploy`, `loc vs iloc`).
    pub symbol_or_topic: String,
    /// Absolute path of the project being worked on: answered as the editor hover there answers
    /// (with what is linked to its code; for a name it defines, only its own sessions).
    #[serde(default)]
    pub workspace: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct OpenGapsArgs {
    /// Absolute path of a project: only what was asked in sessions run inside it.
    #[serde(default)]
    pub workspace: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct RecordLearningArgs {
    /// What it is about, briefly: a code name (`useReducer`) or a short topic (`Netlify deploy`).
    pub topic: String,
    /// The lesson, in a sentence or two, as the developer should remember it.
    pub takeaway: String,
    /// Absolute path of the project it was learned in (default: the server's working directory).
    #[serde(default)]
    pub workspace: Option<String>,
    /// Code names it concerns (functions, components, types), so editor hovers on them show it.
    #[serde(default)]
    pub symbols: Option<Vec<String>>,
}

#[derive(Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
pub struct SessionSummaryArgs {
    /// A session id or any unique prefix of one (default: the latest session of the workspace).
    #[serde(default)]
    pub session: Option<String>,
    /// Absolute path of the project (default: the server's working directory).
    #[serde(default)]
    pub workspace: Option<String>,
}

/// The server: the store and the knowledge snapshot taken from it, in their host.
#[derive(Clone)]
pub struct Lens {
    host: Arc<Host>,
    /// What `record_learning` writes goes through it; the tools ask it about workspaces.
    gate: Arc<Gate>,
    tool_router: ToolRouter<Lens>,
}

#[tool_router(router = tool_router)]
impl Lens {
    pub fn new(store: Store, gate: Gate) -> Lens {
        Lens {
            host: Arc::new(Host::new(Arc::new(store))),
            gate: Arc::new(gate),
            tool_router: Self::tool_router(),
        }
    }

    /// What the developer learned before about a name or topic.
    #[tool(
        description = "What the developer asked, struggled with and learned in past Codex sessions about a code name or topic: each insight's kind, date, the question as asked, the takeaway and whether it is still open. Markdown."
    )]
    async fn recall(&self, Parameters(args): Parameters<RecallArgs>) -> Result<String, String> {
        self.blocking(move |lens| {
            let ws = workspace(args.workspace.as_deref())?;
            if let Some(said) = lens.excluded(ws.as_deref())? {
                return Ok(said);
            }
            let k = lens.knowledge()?;
            recall(&k, &args.symbol_or_topic, ws.as_deref())
        })
        .await
        .map(|text| briefing::own_context(&text))
    }

    /// The open questions and follow-ups.
    #[tool(
        description = "The developer's open questions, confusions and follow-ups (of a workspace when given), newest first, as markdown bullets: what they still have to learn."
    )]
    async fn open_gaps(
        &self,
        Parameters(args): Parameters<OpenGapsArgs>,
    ) -> Result<String, String> {
        self.blocking(move |lens| {
            let ws = workspace(args.workspace.as_deref())?;
            if let Some(said) = lens.excluded(ws.as_deref())? {
                return Ok(said);
            }
            let k = lens.knowledge()?;
            open_gaps(&k, ws.as_deref())
        })
        .await
        .map(|text| briefing::own_context(&text))
    }

    /// Writes a takeaway down.
    #[tool(
        description = "Write down something the developer learned in this session (a concept, a fix, a decision and why), so that later sessions and the editor remember it. Returns the new insight's id."
    )]
    async fn record_learning(
        &self,
        Parameters(args): Parameters<RecordLearningArgs>,
    ) -> Result<String, String> {
        self.blocking(move |lens| lens.record(args)).await
    }

    /// A session's learnings.md entry.
    #[tool(
        description = "A session's summary as a learnings.md entry: one row per turn (action, gap, outcome), the gaps it resolved and left open, and what to practise next. Markdown."
    )]
    async fn session_summary(
        &self,
        Parameters(args): Parameters<SessionSummaryArgs>,
    ) -> Result<String, String> {
        self.blocking(move |lens| {
            let ws = match workspace(args.workspace.as_deref())? {
                Some(ws) => ws,
                None => std::env::current_dir()?,
            };
            if let Some(said) = lens.excluded(Some(&ws))? {
                return Ok(said);
            }
            let (_, markdown) =
                journal::summarize(lens.host.store(), args.session.as_deref(), &ws)?;
            Ok(markdown)
        })
        .await
        .map(|text| briefing::own_context(&text))
    }
}

#[tool_handler(
    router = self.tool_router,
    name = "sessionlens",
    instructions = "Session Lens remembers what this developer learned in past Codex sessions. Before explaining a concept or API, `recall` it to build on what they already know; `open_gaps` lists what they are still unsure of; when they learn something worth keeping, `record_learning` it."
)]
impl ServerHandler for Lens {}

impl Lens {
    /// Runs `f` on the blocking pool (the store is blocking); any error or panic becomes the
    /// tool error's message.
    async fn blocking(
        &self,
        f: impl FnOnce(&Lens) -> anyhow::Result<String> + Send + 'static,
    ) -> Result<String, String> {
        let lens = self.clone();
        match tokio::task::spawn_blocking(move || f(&lens)).await {
            Ok(Ok(text)) => Ok(text),
            Ok(Err(e)) => {
                tracing::warn!("mcp: {e:#}");
                Err(format!("{e:#}"))
            }
            Err(e) => {
                tracing::error!("mcp: a tool failed: {e}");
                Err(format!("internal error: {e}"))
            }
        }
    }

    /// What a tool answers about a workspace that is excluded (`None`: it is not, or none was
    /// given): that it is, and why, and nothing of what is known.
    fn excluded(&self, ws: Option<&Path>) -> anyhow::Result<Option<String>> {
        let Some(ws) = ws else { return Ok(None) };
        Ok(self
            .gate
            .excludes(ws)?
            .map(|why| format!("Nothing: {} is {why}.", ws.display())))
    }

    /// The snapshot for the store's current head.
    fn knowledge(&self) -> anyhow::Result<Arc<Knowledge>> {
        self.host.refresh()?;
        Ok(self.host.current())
    }

    /// Stores the learning as a live event of the local `mcp` session of its folder; returns
    /// what the agent is told, with the new insight's id.
    fn record(&self, args: RecordLearningArgs) -> anyhow::Result<String> {
        let cwd = match workspace(args.workspace.as_deref())? {
            Some(ws) => ws,
            None => std::env::current_dir()?,
        };
        if let Some(why) = self.gate.excludes(&cwd)? {
            anyhow::bail!("not recorded: {} is {why}", cwd.display());
        }
        let names = args.symbols.unwrap_or_default();
        let given = live::Learning {
            topic: &args.topic,
            takeaway: &args.takeaway,
            names: &names,
            source: "agent",
        };
        // None given: the names the takeaway writes as code.
        let names_in = |takeaway: &str| topic::identifiers(takeaway).into_iter().take(4).collect();
        let cwd = cwd.display().to_string();
        let learned =
            live::learning(SURFACE, &cwd, &given, &live::now(), names_in).map_err(|missing| {
                match missing {
                    live::Missing::Topic => {
                        anyhow::anyhow!("`topic` is empty: name what the learning is about")
                    }
                    live::Missing::Takeaway => {
                        anyhow::anyhow!("`takeaway` is empty: write down what was learned")
                    }
                }
            })?;
        let live::Learned {
            events,
            topic,
            session,
            turn,
        } = learned;
        let committed = self.gate.commit(self.host.store(), &events, &[])?;
        if let Some(why) = committed.why {
            anyhow::bail!("not recorded: {cwd} is {why}");
        }
        let id = insight::learning_id(&session, &turn);
        tracing::info!("mcp: recorded learning {id} about {topic}");
        Ok(format!(
            "Recorded insight {id} about `{}`: it will come back in `recall`, editor hovers and the briefings of later sessions.",
            topic.replace('`', "'")
        ))
    }
}

/// The workspace argument as an absolute path; `None` when not given.
fn workspace(given: Option<&str>) -> anyhow::Result<Option<PathBuf>> {
    match given.map(str::trim).filter(|w| !w.is_empty()) {
        Some(w) => Ok(Some(std::path::absolute(w)?)),
        None => Ok(None),
    }
}

/// Whether an insight comes from a session run inside a workspace.
type Inside<'a> = Box<dyn Fn(&Insight) -> bool + 'a>;

/// Whether an insight comes from a session run inside `ws` (`None`: everywhere).
fn inside(ws: Option<&Path>) -> Inside<'static> {
    match ws {
        Some(ws) => {
            let scope = Scope::new(ws);
            Box::new(move |i: &Insight| i.cwd.as_deref().is_some_and(|c| scope.contains(c)))
        }
        None => Box::new(|_: &Insight| true),
    }
}

/// The insights about a name or topic: the recall answer (`knowledge::recall`) — in `ws`, as a
/// hover there (its symbols indexed for this call), else with no workspace — rendered as the
/// hover renders it, newest first.
pub fn recall(k: &Knowledge, query: &str, ws: Option<&Path>) -> anyhow::Result<String> {
    let q = query.trim();
    if q.is_empty() {
        anyhow::bail!("`symbol_or_topic` is empty");
    }
    let linked = ws.map(|w| Linked::build(w, k));
    let here = linked.as_ref().map(|l| Here {
        index: &l.index,
        links: &l.links,
    });
    let list: Vec<&Insight> = knowledge::recall::about(k, here, q)
        .into_iter()
        .map(|n| k.get(n))
        .collect();
    if list.is_empty() {
        return Ok(format!("Nothing recorded about {q}."));
    }
    Ok(render::hover_markdown(q, &list))
}

/// The open questions, confusions and follow-ups, newest first, as briefing bullets.
pub fn open_gaps(k: &Knowledge, ws: Option<&Path>) -> anyhow::Result<String> {
    let own = inside(ws);
    let open: Vec<&Insight> = k
        .insights
        .iter()
        .filter(|i| i.is_open_question() && own(i))
        .collect();
    let place = ws
        .map(|w| format!(" in {}", w.display()))
        .unwrap_or_default();
    if open.is_empty() {
        return Ok(format!(
            "Nothing open{place}: every question asked has since been put to use."
        ));
    }
    let mut out = format!(
        "Open questions and follow-ups{place} ({}, newest first):\n",
        open.len()
    );
    for i in open.iter().take(MAX_GAPS) {
        out.push_str(&briefing::bullet(i));
    }
    if open.len() > MAX_GAPS {
        out.push_str(&format!("- … and {} older\n", open.len() - MAX_GAPS));
    }
    Ok(out)
}

/// The longest message line passed on to the server: the bound of the transcript readers
/// (`capture::lines::MAX_LINE`). A longer one is dropped as it streams, never held: rmcp would
/// drop one over its own 16 MiB bound too, but only after this filter had read it whole.
const MAX_LINE: usize = crate::capture::lines::MAX_LINE;

/// What [`read_line`] found.
enum Line {
    /// A whole line, its newline included, is in the buffer.
    Whole,
    /// A line of this many bytes (its newline included) went past, longer than [`MAX_LINE`].
    Oversized(usize),
    /// The end of the input (a last line without its newline is no message).
    End,
}

/// Reads the next line into `line` (empty on entry), holding at most [`MAX_LINE`] bytes of it.
async fn read_line(input: &mut (impl tokio::io::AsyncBufRead + Unpin), line: &mut Vec<u8>) -> Line {
    use tokio::io::AsyncBufReadExt;
    let mut skipped: Option<usize> = None;
    loop {
        let available = match input.fill_buf().await {
            Ok([]) | Err(_) => return Line::End,
            Ok(b) => b,
        };
        let (take, ends) = match memchr::memchr(b'\n', available) {
            Some(i) => (i + 1, true),
            None => (available.len(), false),
        };
        if skipped.is_none() && line.len() + take > MAX_LINE + 1 {
            skipped = Some(line.len());
            *line = Vec::new();
        }
        match &mut skipped {
            Some(n) => *n += take,
            None => line.extend_from_slice(&available[..take]),
        }
        input.consume(take);
        if ends {
            return skipped.map_or(Line::Whole, Line::Oversized);
        }
    }
}

/// Copies the client's lines to the server, dropping notifications that come before the first
/// request (a client's `notifications/initialized` sent too early, a stray `$/progress`): rmcp
/// ends the session on any message before `initialize`, and a notification needs no answer. A
/// line longer than [`MAX_LINE`] is dropped with a log line.
async fn until_initialize(
    input: impl tokio::io::AsyncRead + Unpin,
    mut output: impl tokio::io::AsyncWrite + Unpin,
) {
    use tokio::io::AsyncWriteExt;
    let mut lines = tokio::io::BufReader::new(input);
    let mut line = Vec::new();
    let mut started = false;
    loop {
        line.clear();
        match read_line(&mut lines, &mut line).await {
            Line::End => return,
            Line::Oversized(n) => {
                tracing::error!(
                    "mcp: skipping a {n}-byte message: longer than the {MAX_LINE} bytes read"
                );
                continue;
            }
            Line::Whole => {}
        }
        if !started {
            let v: Option<serde_json::Value> = serde_json::from_slice(&line).ok();
            match v.as_ref().and_then(|v| v.as_object()) {
                Some(m) if m.contains_key("method") && !m.contains_key("id") => {
                    tracing::warn!(
                        "mcp: dropping a notification sent before initialize: {}",
                        m["method"]
                    );
                    continue;
                }
                Some(m) if m.contains_key("id") => started = true,
                _ => {}
            }
        }
        if output.write_all(&line).await.is_err() || output.flush().await.is_err() {
            return;
        }
    }
}

/// `sessionlens mcp`: serves MCP on stdin/stdout until the client closes stdin.
pub fn serve(data_dir: Option<&Path>) -> anyhow::Result<ExitCode> {
    let dir = crate::config::data_dir(data_dir)?;
    let store = Store::open(&crate::config::store_file(&dir, true)?)?;
    let gate = Gate::from_settings();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(4)
        .thread_name("sessionlens-mcp")
        .enable_all()
        .build()?;
    let served = runtime.block_on(async {
        let (input, for_server) = tokio::io::duplex(1 << 16);
        tokio::spawn(until_initialize(tokio::io::stdin(), input));
        let running = Lens::new(store, gate)
            .serve((for_server, tokio::io::stdout()))
            .await
            .map_err(|e| anyhow::anyhow!("starting the MCP session: {e}"))?;
        let reason = running.waiting().await?;
        tracing::debug!("mcp: session ended ({reason:?})");
        anyhow::Ok(())
    });
    // A read still pending on stdin must not keep the process alive.
    runtime.shutdown_timeout(Duration::from_millis(200));
    served?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A line over the bound is dropped and the lines around it pass; notifications before the
    /// first request are dropped; a last line without its newline is no message.
    #[tokio::test(flavor = "current_thread")]
    async fn an_oversized_line_is_dropped_and_the_rest_passed_on() {
        let request = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\"}\n";
        let notification = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n";
        let mut input = notification.as_bytes().to_vec();
        input.extend_from_slice(request.as_bytes());
        input.resize(input.len() + MAX_LINE + 1, b'x');
        input.push(b'\n');
        input.extend_from_slice(notification.as_bytes());
        input.extend_from_slice(b"{\"cut\":");
        let mut out = Vec::new();
        until_initialize(input.as_slice(), &mut out).await;
        assert_eq!(
            String::from_utf8(out).unwrap(),
            [request, notification].concat()
        );
        // A line of exactly the bound passes.
        let mut exact = vec![b' '; MAX_LINE];
        exact.push(b'\n');
        let mut line = Vec::new();
        let mut reader = tokio::io::BufReader::new(exact.as_slice());
        assert!(matches!(
            read_line(&mut reader, &mut line).await,
            Line::Whole
        ));
        assert_eq!(line.len(), MAX_LINE + 1);
    }
}
