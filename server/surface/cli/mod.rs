//! The `sessionlens` command line: readable text for people, `--json` for machines. One file per
//! subcommand, each with its own clap `Args` and a `run(&Global, Args)`; this file holds only the
//! top-level parser, the options every command shares ([`Global`]) and the one dispatch. Every
//! command is a thin call into the library; logs go to stderr so stdout stays clean for output.

mod context;
mod demo;
mod doctor;
mod export;
mod forget;
mod gaps;
mod hook;
mod ingest;
mod init;
mod insights;
mod install;
mod mark;
mod print;
mod recall;
mod serve;
mod sessions;
mod status;
mod summarize;
mod timeline;
mod verify;

pub use serve::Servers;

use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "sessionlens",
    version,
    about = "Remembers what you learned with Codex and Claude Code and gives it back in the code."
)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Cmd,
}

/// The options every command takes, before or after its name.
#[derive(clap::Args)]
#[command(next_help_heading = "Global options")]
pub struct Global {
    /// Where the store lives (default: $SESSIONLENS_DATA_DIR, else the platform data dir).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Print JSON for scripts instead of text (commands without a JSON form refuse it).
    #[arg(long, global = true)]
    pub json: bool,
}

impl Global {
    /// The data dir given on the command line, if any.
    pub fn data_dir(&self) -> Option<&Path> {
        self.data_dir.as_deref()
    }

    /// The store in the data dir (created on first use, in a `0700` data dir; refused when it
    /// belongs to another user: `config::store_file`).
    pub fn store(&self) -> anyhow::Result<crate::store::Store> {
        let dir = crate::config::data_dir(self.data_dir())?;
        let path = crate::config::store_file(&dir, true)?;
        Ok(crate::store::Store::open(&path)?)
    }

    /// The store in the data dir, to read: read-only where it can be (see
    /// `Store::open_for_reading`).
    pub fn store_to_read(&self) -> anyhow::Result<crate::store::Store> {
        let dir = crate::config::data_dir(self.data_dir())?;
        let path = crate::config::store_file(&dir, true)?;
        Ok(crate::store::Store::open_for_reading(&path)?)
    }

    /// The gate everything this command writes goes through, with the settings file's
    /// exclusions, read now: a settings file that cannot be read is an error before anything
    /// is done.
    pub fn gate(&self) -> anyhow::Result<crate::ingest::gate::Gate> {
        let gate = crate::ingest::gate::Gate::from_settings();
        gate.rules()?;
        Ok(gate)
    }

    /// For a command with one form only: `--json` is an error that says so, never silently
    /// ignored, so a script learns at once that it will not get JSON.
    pub fn refuse_json(&self, command: &str) -> anyhow::Result<()> {
        if self.json {
            anyhow::bail!("`sessionlens {command}` takes no --json: it has one output form only");
        }
        Ok(())
    }
}

/// Said under the help of a command that prints text only.
const TEXT_ONLY: &str = "No JSON form: --json is refused.";
/// Said under the help of a command whose stdout is a protocol.
const PROTOCOL: &str =
    "Stdout is the protocol, so there is no JSON form to ask for: --json is refused.";

#[derive(Subcommand)]
enum Cmd {
    /// Read sessions from disk into the store: Codex's and Claude Code's, or one of them.
    Ingest(ingest::Args),
    /// List the sessions in the store, newest first.
    Sessions(sessions::Args),
    /// Show one session's events in order.
    Timeline(timeline::Args),
    /// What you struggled with and learned: gaps, confusion, errors, successes, follow-ups, decisions.
    Insights(insights::Args),
    /// What to practise next: open gaps, confusions and follow-ups.
    Gaps(gaps::Args),
    /// Everything Session Lens knows about a symbol: what the editor hover shows.
    Recall(recall::Args),
    /// A session's summary as a markdown entry for learnings.md: turns, gaps resolved and open, next reps.
    Summarize(summarize::Args),
    /// Mark an insight resolved by hand (you learned it, whatever the rules concluded).
    #[command(after_help = TEXT_ONLY)]
    Resolve(mark::Args),
    /// Mark an insight open again.
    #[command(after_help = TEXT_ONLY)]
    Reopen(mark::Args),
    /// Run the language server on stdin/stdout (editors start this).
    #[command(after_help = PROTOCOL)]
    Serve(serve::Args),
    /// Run the MCP server on stdin/stdout (Codex and Claude Code start this): recall, open_gaps,
    /// record_learning, session_summary.
    #[command(after_help = PROTOCOL)]
    Mcp(serve::McpArgs),
    /// Check the event log's hash chain.
    Verify(verify::Args),
    /// Erase sessions, a folder's sessions, everything before a date, or every event holding a
    /// text; the chain still verifies and records the erasure.
    #[command(after_help = TEXT_ONLY)]
    Forget(forget::Args),
    /// Every event and insight of a scope as JSON lines that carry their chain (check one with
    /// `verify --export FILE`), or as markdown.
    #[command(after_help = TEXT_ONLY)]
    Export(export::Args),
    /// Run Session Lens on bundled example sessions, in a temporary store unless --data-dir is given.
    #[command(after_help = TEXT_ONLY)]
    Demo(demo::Args),
    /// The briefing for a new Codex or Claude Code session, or its block in AGENTS.md / CLAUDE.md.
    ///
    /// Open gaps, recently resolved ones, and (given a prompt) what you learned before about what
    /// it mentions. Empty when nothing is relevant.
    Context(context::Args),
    /// Answer one Codex hook event (JSON on stdin, the hook's JSON answer on stdout).
    #[command(after_help = PROTOCOL)]
    CodexHook(hook::Args),
    /// Answer one Claude Code hook event (JSON on stdin, the hook's JSON answer on stdout).
    #[command(after_help = PROTOCOL)]
    ClaudeHook(hook::Args),
    /// Check what Session Lens can see: the store, Codex, and each shell's hook and last command.
    Doctor(doctor::Args),
    /// Where your data lives and how much of it: the data dir, the store, the spool, pending
    /// hook events, the settings file and the folders excluded.
    Status(status::Args),
    /// Add Session Lens to another tool's configuration.
    #[command(after_help = TEXT_ONLY)]
    Install(install::Args),
    /// Print the hook that records the commands typed in a shell, for its rc file:
    /// `eval "$(sessionlens init bash)"` in ~/.bashrc, `eval "$(sessionlens init zsh)"` in ~/.zshrc,
    /// `sessionlens init fish | source` in ~/.config/fish/config.fish.
    ///
    /// The hook costs no process per command (shell builtins append one line to a spool that
    /// `sessionlens ingest` and the language server read). A command starting with a space is
    /// never recorded, nor anything while SESSIONLENS_HISTORY=off in that shell.
    #[command(after_help = TEXT_ONLY)]
    Init(init::Args),
}

/// Runs the CLI and maps the outcome to the process exit code: 0 success, 1 a check that failed
/// (`verify`), 2 an error.
pub fn main(servers: Servers) -> ExitCode {
    init_logging();
    quiet_caught_panics();
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
    let g = &cli.global;
    match cli.command {
        Cmd::Ingest(args) => ingest::run(g, args),
        Cmd::Sessions(args) => sessions::run(g, args),
        Cmd::Timeline(args) => timeline::run(g, args),
        Cmd::Insights(args) => insights::run(g, args),
        Cmd::Gaps(args) => gaps::run(g, args),
        Cmd::Recall(args) => recall::run(g, args),
        Cmd::Summarize(args) => summarize::run(g, args),
        Cmd::Resolve(args) => mark::resolve(g, args),
        Cmd::Reopen(args) => mark::reopen(g, args),
        Cmd::Serve(args) => serve::lsp(g, args, servers),
        Cmd::Mcp(args) => serve::mcp(g, args, servers),
        Cmd::Verify(args) => verify::run(g, args),
        Cmd::Forget(args) => forget::run(g, args),
        Cmd::Export(args) => export::run(g, args),
        Cmd::Demo(args) => demo::run(g, args),
        Cmd::Context(args) => context::run(g, args),
        Cmd::CodexHook(args) => hook::codex(g, args),
        Cmd::ClaudeHook(args) => hook::claude(g, args),
        Cmd::Install(args) => install::run(g, args),
        Cmd::Init(args) => init::run(g, args),
        Cmd::Doctor(args) => doctor::run(g, args),
        Cmd::Status(args) => status::run(g, args),
    }
}

/// A panic the store turns into a "damaged store" error is logged at debug level, not printed
/// as a crash; every other panic is reported as before.
fn quiet_caught_panics() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if crate::store::panic_is_caught() {
            tracing::debug!("reading a damaged store: {info}");
        } else {
            report(info);
        }
    }));
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
