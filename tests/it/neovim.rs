//! The language server and the Neovim plugin in a real editor: headless Neovim 0.11 runs a Lua
//! script of `tests/editors/neovim/` on the react-first-app scenario, ingested, through
//! `common::nvim` (the one runner: which Neovim, isolation, time limit, the script's result and
//! what to show when it fails).
//!
//! - `e2e.lua` starts `sessionlens serve` with Neovim's own LSP client, no plugin, and checks
//!   hover, code lenses, hint diagnostics, commands and an edit saved with `:write` through
//!   Neovim's APIs. tests/it/lsp.rs and lsp_inproc.rs speak the protocol as we read it; this
//!   catches what only a real client's capabilities, position encoding and document sync reveal.
//! - `plugin_spec.lua` loads the plugin (`editors/neovim`) from its runtimepath as a plugin
//!   manager would: a file attaches without `setup()`, then the spec calls only
//!   `require("sessionlens").setup({ cmd = { BIN, "serve" } })` and does what a user does — opens
//!   files, `K`, runs a lens, `:SessionLensToggle`, `:SessionLensResolve`, `:SessionLensSummary`,
//!   `:checkhealth sessionlens`, a failing `:terminal` command — checking what Neovim shows.
//!
//! Afterwards the store must hold what Neovim did (the save, the terminal command), and its chain
//! must verify. Neovim comes from `SESSIONLENS_NVIM` (set by `tests/run.sh`, which installs it
//! from PyPI into `target/editor-tools/venv`); without it the tests fail under CI, and elsewhere
//! fall back to `nvim` on PATH.

use crate::common;

use common::nvim::Lua;
use common::{Env, scenario};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The react-first-app scenario, ingested: the store both scripts start from.
fn ingested() -> (Env, PathBuf) {
    let env = Env::new();
    let (ws, _) = scenario(&env, "react-first-app");
    env.ok(&["ingest", "codex", "--idle-minutes", "0"]);
    (env, ws)
}

#[test]
fn neovim_shows_what_was_learned() {
    let (env, ws) = ingested();
    // The script gives up at 50 s.
    let result = Lua::new("tests/editors/neovim/e2e.lua")
        .timeout(Duration::from_secs(60))
        .run(
            &env,
            &ws,
            &[
                "attach",
                "hover_useEffect",
                "hover_float",
                "hover_nothing",
                "codelens",
                "codelens_command",
                "diagnostics_header",
                "diagnostics_types_none",
                "summarize",
                "edit_and_write",
                "responsive_after_edit",
                "no_error_messages",
                "shutdown",
            ],
        );
    eprintln!("neovim e2e: offset encoding {}", result["offset_encoding"]);

    // The save in Neovim became an edit event of the editor session, in the verified chain.
    let editor = env
        .json(&["sessions", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == "editor")
        .cloned()
        .expect("an editor session from Neovim's :write");
    let events = env.json(&["timeline", editor["id"].as_str().unwrap(), "--json"]);
    assert!(
        events
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "editor_edit" && e["file"] == "src/useTodos.ts"),
        "{events}"
    );
    env.ok(&["verify"]);
}

/// PATH without any folder holding a `sessionlens`, so the spec proves the plugin needs only
/// its `cmd` option.
fn path_without_sessionlens() -> std::ffi::OsString {
    let dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    std::env::join_paths(dirs.into_iter().filter(|d| !d.join("sessionlens").exists()))
        .unwrap_or_default()
}

#[test]
fn neovim_plugin_works_as_a_user_sees_it() {
    let (env, ws) = ingested();
    let plugin = Path::new(env!("CARGO_MANIFEST_DIR")).join("editors/neovim");
    let rtp = format!(
        "set rtp^={}",
        plugin.display().to_string().replace(' ', "\\ ")
    );
    // The spec gives up at 80 s.
    Lua::new("tests/editors/neovim/plugin_spec.lua")
        .args(["--cmd", rtp.as_str()])
        .env("SESSIONLENS_PLUGIN", &plugin)
        .env("PATH", path_without_sessionlens())
        .env("SHELL", "/bin/sh")
        .timeout(Duration::from_secs(90))
        .run(
            &env,
            &ws,
            &[
                "plugin_loaded",
                "without_setup",
                "setup",
                "attach",
                "hover",
                "codelens",
                "toggle_lenses",
                "codelens_run",
                "diagnostics_header",
                "resolve_select",
                "resolve",
                "reopen",
                "summary",
                "summary_reloads_learnings",
                "timeline",
                "ingest",
                "checkhealth",
                "terminal",
                "codelens_server_refresh",
                "terminal_shell_ignored",
                "lsp_config",
                "help",
                "no_error_messages",
                "no_deprecated_api",
                "shutdown",
            ],
        );

    // The `:terminal sh -c "exit 3"` became a failed command of the workspace's terminal session
    // (and the interactive shell's exit did not count), in the verified chain.
    let sessions = env.json(&["sessions", "--json"]);
    let terminal: Vec<&Value> = sessions
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["source"] == "terminal")
        .collect();
    assert!(
        terminal.len() == 1
            && terminal[0]["failed_commands"] == 1
            && terminal[0]["commands"] == 1
            && terminal[0]["cwd"] == ws.to_str().unwrap(),
        "one terminal session in {} with one failed command: {sessions:#}",
        ws.display()
    );
    let events = env.json(&["timeline", terminal[0]["id"].as_str().unwrap(), "--json"]);
    assert!(
        events
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "command"
                && e["command"] == "sh -c \"exit 3\""
                && e["exit_code"] == 3),
        "{events:#}"
    );
    env.ok(&["verify"]);
}
