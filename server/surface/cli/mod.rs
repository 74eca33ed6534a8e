//! The `sessionlens` command line: readable text for people, `--json` for machines. Every
//! command is a thin call into the library; logs go to stderr so stdout stays clean for output.

mod context;
mod demo;
mod gaps;
mod hook;
mod ingest;
mod insights;
mod install;
mod mark;
mod print;
mod recall;
mod sessions;
mod summarize;
mod timeline;
mod verify;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "sessionlens",
    version,
    about = "Remembers what you learned with Codex and Claude Code and gives it back in the code."
)]
struct Cli {
    /// Where the store lives (default: $SESSIONLENS_DATA_DIR, else the platform data dir).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Read sessions from disk into the store: Codex's and Claude Code's, or one of them.
    Ingest {
        #[command(subcommand)]
        source: Option<IngestSource>,
        #[command(flatten)]
        flags: IngestFlags,
    },
    /// List the sessions in the store, newest first.
    Sessions {
        /// Keep only sessions whose working directory is inside DIR.
        #[arg(long, value_name = "DIR")]
        workspace: Option<PathBuf>,
        /// Print JSON for scripts instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Show one session's events in order.
    Timeline {
        /// A session id, or any unique prefix of one.
        session: String,
        /// Print JSON for scripts instead of text.
        #[arg(long)]
        json: bool,
    },
    /// What you struggled with and learned: gaps, confusion, errors, successes, follow-ups, decisions.
    Insights {
        /// Keep only insights from sessions run inside DIR, and link them to DIR's symbols.
        #[arg(long, value_name = "DIR")]
        workspace: Option<PathBuf>,
        /// Keep only this session's (any unique prefix of its id).
        #[arg(long, value_name = "ID")]
        session: Option<String>,
        /// gap, confusion, error, success, follow_up or decision.
        #[arg(long, value_name = "KIND", value_parser = parse_kind)]
        kind: Option<crate::insight::Kind>,
        /// open or resolved.
        #[arg(long, value_name = "STATUS", value_parser = parse_status)]
        status: Option<crate::insight::Status>,
        /// Print JSON for scripts instead of text.
        #[arg(long)]
        json: bool,
    },
    /// What to practise next: open gaps, confusions and follow-ups.
    Gaps {
        #[arg(long, value_name = "DIR")]
        workspace: Option<PathBuf>,
        /// Print JSON for scripts instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Everything Session Lens knows about a symbol: what the editor hover shows.
    Recall {
        /// A function, component, type or external name (`useEffect`), or a topic in words.
        symbol: String,
        /// Answer as a hover in DIR does: with what is linked to DIR's definitions of the name,
        /// and, for a name DIR defines, only DIR's own sessions (default: no workspace — every
        /// insight about the name, from any project).
        #[arg(long, value_name = "DIR")]
        workspace: Option<PathBuf>,
        /// Print JSON for scripts instead of text.
        #[arg(long)]
        json: bool,
    },
    /// A session's summary as a markdown entry for learnings.md: turns, gaps resolved and open, next reps.
    Summarize {
        /// A session id, or any unique prefix of one (default: the latest in the workspace).
        session: Option<String>,
        /// The latest session run inside the workspace (the default).
        #[arg(long, conflicts_with = "session")]
        last: bool,
        /// The workspace (default: the current directory).
        #[arg(long, value_name = "DIR")]
        workspace: Option<PathBuf>,
        /// Also put the entry into FILE (relative to the workspace), replacing the session's old one.
        #[arg(long, value_name = "FILE")]
        write: Option<PathBuf>,
        /// Print JSON for scripts instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Mark an insight resolved by hand (you learned it, whatever the rules concluded).
    Resolve {
        /// An insight id, or any unique prefix of one (`sessionlens insights --json` lists them).
        insight: String,
    },
    /// Mark an insight open again.
    Reopen {
        /// An insight id, or any unique prefix of one.
        insight: String,
    },
    /// Run the language server on stdin/stdout (editors start this).
    Serve {
        /// Accepted for clients that pass it; stdio is the only transport.
        #[arg(long)]
        stdio: bool,
    },
    /// Run the MCP server on stdin/stdout (Codex starts this): recall, open_gaps,
    /// record_learning, session_summary.
    Mcp,
    /// Check the event log's hash chain.
    Verify {
        /// Print JSON for scripts instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Run Session Lens on bundled example sessions, in a temporary store unless --data-dir is given.
    Demo,
    /// The briefing for a new Codex or Claude Code session: open gaps, recently resolved ones,
    /// and (given a prompt) what you learned before about what it mentions. Empty when nothing is
    /// relevant.
    Context {
        /// The workspace (default: the current directory).
        #[arg(long, value_name = "DIR")]
        workspace: Option<PathBuf>,
        /// The prompt about to be sent: only past learnings it mentions are given.
        #[arg(long, value_name = "TEXT")]
        prompt: Option<String>,
        /// Size budget; whole bullets are dropped to fit.
        #[arg(long, value_name = "N", default_value_t = crate::knowledge::briefing::DEFAULT_MAX_CHARS)]
        max_chars: usize,
        /// Keep the workspace briefing in a managed block of the workspace's AGENTS.md (Codex's)
        /// instead.
        #[arg(long, conflicts_with_all = ["prompt", "max_chars"])]
        write_agents_md: bool,
        /// The same block in the workspace's CLAUDE.md (Claude Code's); with --write-agents-md,
        /// both files.
        #[arg(long, conflicts_with_all = ["prompt", "max_chars"])]
        write_claude_md: bool,
        /// Print JSON for scripts instead of text.
        #[arg(long)]
        json: bool,
        /// The current time (RFC 3339), for tests.
        #[arg(long, hide = true)]
        now: Option<String>,
    },
    /// Answer one Codex hook event (JSON on stdin, the hook's JSON answer on stdout).
    CodexHook,
    /// Answer one Claude Code hook event (JSON on stdin, the hook's JSON answer on stdout).
    ClaudeHook,
    /// Add Session Lens to another tool's configuration.
    Install {
        #[command(subcommand)]
        target: InstallTarget,
    },
}

#[derive(Subcommand)]
enum InstallTarget {
    /// Add `sessionlens codex-hook` to $CODEX_HOME/hooks.json (backed up first; other hooks kept).
    CodexHooks {
        /// Use the repository's .codex/hooks.json instead.
        #[arg(long)]
        project: bool,
    },
    /// Add `[mcp_servers.sessionlens]` to $CODEX_HOME/config.toml (backed up first; the rest kept).
    CodexMcp,
    /// Add `sessionlens claude-hook` to Claude Code's ~/.claude/settings.json (or the first
    /// folder of $CLAUDE_CONFIG_DIR; backed up first; every other setting and hook kept).
    ClaudeHooks {
        /// Use the repository's .claude/settings.json instead.
        #[arg(long)]
        project: bool,
    },
}

#[derive(Subcommand)]
enum IngestSource {
    /// Codex rollout files (CLI and IDE). No path: $CODEX_HOME/sessions and archived_sessions.
    Codex {
        /// Files or folders to read.
        paths: Vec<PathBuf>,
    },
    /// Claude Code transcripts. No path: `projects/` in each folder of $CLAUDE_CONFIG_DIR, else
    /// in ~/.config/claude and ~/.claude.
    Claude {
        /// Files or folders to read.
        paths: Vec<PathBuf>,
    },
}

#[derive(clap::Args)]
struct IngestFlags {
    /// Print JSON for scripts instead of text.
    #[arg(long, global = true)]
    json: bool,
    /// Minutes without writes after which a session counts as ended.
    #[arg(long, default_value_t = 10, value_name = "MINUTES", global = true)]
    idle_minutes: u64,
    /// Events per transaction (tuning and tests).
    #[arg(long, default_value_t = 2000, hide = true, global = true)]
    batch_events: usize,
}

/// The long-running faces the CLI starts (`serve`, `mcp`). The binary hands them in, so the CLI
/// never imports another face.
pub struct Servers {
    /// The language server on stdio.
    pub lsp: fn(Option<&std::path::Path>) -> anyhow::Result<ExitCode>,
    /// The MCP server on stdio.
    pub mcp: fn(Option<&std::path::Path>) -> anyhow::Result<ExitCode>,
}

/// Runs the CLI and maps the outcome to the process exit code: 0 success, 1 a check that failed
/// (`verify`), 2 an error.
pub fn main(servers: Servers) -> ExitCode {
    init_logging();
    let cli = Cli::parse();
    match run(cli, &servers) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli, servers: &Servers) -> anyhow::Result<ExitCode> {
    let data_dir = cli.data_dir.as_deref();
    match cli.command {
        Cmd::Ingest { source, flags } => {
            use crate::ingest::Source;
            let sources = match source {
                Some(IngestSource::Codex { paths }) => vec![(Source::Codex, paths)],
                Some(IngestSource::Claude { paths }) => vec![(Source::Claude, paths)],
                None => vec![(Source::Codex, Vec::new()), (Source::Claude, Vec::new())],
            };
            let opts = crate::ingest::IngestOptions {
                idle_after: std::time::Duration::from_secs(flags.idle_minutes * 60),
                batch_events: flags.batch_events.max(1),
            };
            ingest::run(data_dir, &sources, &opts, flags.json)
        }
        Cmd::Sessions { workspace, json } => {
            sessions::sessions(data_dir, workspace.as_deref(), json)
        }
        Cmd::Timeline { session, json } => timeline::timeline(data_dir, &session, json),
        Cmd::Verify { json } => verify::verify(data_dir, json),
        Cmd::Insights {
            workspace,
            session,
            kind,
            status,
            json,
        } => {
            let filter = insights::Filter {
                workspace: workspace.as_deref(),
                session: session.as_deref(),
                kind,
                status,
            };
            insights::insights(data_dir, &filter, json)
        }
        Cmd::Gaps { workspace, json } => gaps::gaps(data_dir, workspace.as_deref(), json),
        Cmd::Recall {
            symbol,
            workspace,
            json,
        } => recall::recall(data_dir, &symbol, workspace.as_deref(), json),
        Cmd::Summarize {
            session,
            last: _,
            workspace,
            write,
            json,
        } => summarize::run(
            data_dir,
            session.as_deref(),
            workspace.as_deref(),
            write.as_deref(),
            json,
        ),
        Cmd::Resolve { insight } => mark::mark(data_dir, &insight, true),
        Cmd::Reopen { insight } => mark::mark(data_dir, &insight, false),
        Cmd::Serve { stdio: _ } => (servers.lsp)(data_dir),
        Cmd::Mcp => (servers.mcp)(data_dir),
        Cmd::Demo => demo::run(data_dir),
        Cmd::Context {
            workspace,
            prompt,
            max_chars,
            write_agents_md,
            write_claude_md,
            json,
            now,
        } => context::run(
            data_dir,
            &context::Args {
                workspace,
                prompt,
                max_chars,
                json,
                write_agents_md,
                write_claude_md,
                now,
            },
        ),
        Cmd::CodexHook => Ok(hook::run(data_dir, hook::Assistant::Codex)),
        Cmd::ClaudeHook => Ok(hook::run(data_dir, hook::Assistant::Claude)),
        Cmd::Install {
            target: InstallTarget::CodexHooks { project },
        } => install::codex_hooks(project),
        Cmd::Install {
            target: InstallTarget::ClaudeHooks { project },
        } => install::claude_hooks(project),
        Cmd::Install {
            target: InstallTarget::CodexMcp,
        } => install::codex_mcp(data_dir),
    }
}

fn parse_kind(s: &str) -> Result<crate::insight::Kind, String> {
    crate::insight::Kind::parse(s)
        .ok_or_else(|| "one of gap, confusion, error, success, follow_up, decision".into())
}

fn parse_status(s: &str) -> Result<crate::insight::Status, String> {
    match s {
        "open" => Ok(crate::insight::Status::Open),
        "resolved" => Ok(crate::insight::Status::Resolved),
        _ => Err("open or resolved".into()),
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SESSIONLENS_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .try_init();
}

fn open_store(data_dir: Option<&std::path::Path>) -> anyhow::Result<crate::store::Store> {
    let dir = crate::config::data_dir(data_dir)?;
    Ok(crate::store::Store::open(&crate::config::store_path(&dir))?)
}
