//! The Neovim plugin (`editors/neovim`) in a real editor: headless Neovim 0.11 loads it from its
//! runtimepath like a plugin manager would and runs `tests/editors/neovim/plugin_spec.lua`: a file
//! attaches without `setup()`, then the spec calls only
//! `require("sessionlens").setup({ cmd = { BIN, "serve" } })` and does what a user does — opens
//! files, `K`, runs a lens, `:SessionLensToggle`, `:SessionLensResolve`, `:SessionLensSummary`,
//! `:checkhealth sessionlens`, a failing `:terminal` command — checking what Neovim shows.
//! `tests/it/neovim.rs` tests the server with a bare client; this one the plugin's own code:
//! attaching by filetype, lens refreshes, commands, health and terminal capture. Afterwards the
//! store must hold the terminal command, and its chain must verify.
//!
//! Neovim comes from `SESSIONLENS_NVIM`, as for `tests/it/neovim.rs` (set by `tests/run.sh`).

use crate::common;

use common::nvim::{nvim, run_with_timeout, tail};
use common::{Env, scenario};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Neovim is killed after this long, whatever it is doing (the spec gives up at 80 s).
const HARD_TIMEOUT: Duration = Duration::from_secs(90);

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
    let (nvim, version) = nvim();
    let env = Env::new();
    let (ws, _) = scenario(&env, "react-first-app");
    env.ok(&["ingest", "codex", "--idle-minutes", "0"]);

    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let plugin = repo.join("editors/neovim");
    let spec = repo.join("tests/editors/neovim/plugin_spec.lua");
    let out = env.root.path().join("plugin-result.json");
    let xdg = env.root.path().join("xdg");
    let (stdout, stderr) = (
        env.root.path().join("nvim.stdout"),
        env.root.path().join("nvim.stderr"),
    );
    for dir in ["config", "data", "state", "cache", "run"] {
        std::fs::create_dir_all(xdg.join(dir)).unwrap();
    }
    let mut cmd = Command::new(&nvim);
    env.isolate(&mut cmd)
        .args(["--clean", "--headless", "--cmd"])
        .arg(format!(
            "set rtp^={}",
            plugin.display().to_string().replace(' ', "\\ ")
        ))
        .arg("-l")
        .arg(&spec)
        .current_dir(&ws)
        .env("SESSIONLENS_BIN", env!("CARGO_BIN_EXE_sessionlens"))
        .env("SESSIONLENS_WS", &ws)
        .env("SESSIONLENS_SPEC_OUT", &out)
        .env("SESSIONLENS_PLUGIN", &plugin)
        .env("PATH", path_without_sessionlens())
        .env("SHELL", "/bin/sh")
        .env("XDG_CONFIG_HOME", xdg.join("config"))
        .env("XDG_DATA_HOME", xdg.join("data"))
        .env("XDG_STATE_HOME", xdg.join("state"))
        .env("XDG_CACHE_HOME", xdg.join("cache"))
        .env("XDG_RUNTIME_DIR", xdg.join("run"))
        .env("TMPDIR", env.root.path())
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout).unwrap())
        .stderr(std::fs::File::create(&stderr).unwrap());
    let (status, took) = run_with_timeout(cmd, HARD_TIMEOUT);

    // Everything that helps when it fails: what nvim printed and Neovim's LSP log (the server's
    // stderr lands there).
    let context = || {
        format!(
            "{version} at {}, {took:.1?}\n--- nvim stderr ---\n{}\n--- nvim stdout ---\n{}\n--- lsp.log ---\n{}",
            nvim.display(),
            tail(&stderr, 4000),
            tail(&stdout, 2000),
            tail(&xdg.join("state/nvim/lsp.log"), 6000)
        )
    };
    let Some(status) = status else {
        panic!(
            "nvim did not finish within {HARD_TIMEOUT:?} and was killed\n{}",
            context()
        );
    };
    let result: Value = match std::fs::read_to_string(&out) {
        Ok(text) => serde_json::from_str(&text).unwrap_or_else(|e| {
            panic!("{} is not JSON ({e}): {text}\n{}", out.display(), context())
        }),
        Err(e) => panic!(
            "nvim exited with {status} and wrote no result ({e})\n{}",
            context()
        ),
    };
    let failures: Vec<&str> = result["failures"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if !failures.is_empty() || !status.success() {
        let details: Vec<String> = failures
            .iter()
            .map(|name| {
                let detail = result["checks"].get(*name).unwrap_or(&result["error"]);
                format!(
                    "{name}: {}",
                    serde_json::to_string_pretty(detail).unwrap_or_default()
                )
            })
            .collect();
        panic!(
            "Neovim plugin checks failed: {failures:?} (nvim exited with {status})\n{}\nerror: {}\nmessages: {}\nsteps (ms): {}\n{}",
            details.join("\n"),
            result["error"],
            result["messages"],
            result["durations_ms"],
            context()
        );
    }
    // Every check ran (a spec that stopped early passes nothing by omission).
    for check in [
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
    ] {
        assert_eq!(
            result["checks"][check]["ok"], true,
            "check {check} did not run: {result}"
        );
    }
    eprintln!(
        "neovim plugin: {version}, {took:.1?}, steps (ms) {}",
        result["durations_ms"]
    );
    if result["slow"].as_array().is_some_and(|s| !s.is_empty()) {
        eprintln!("neovim plugin: steps over 2 s: {}", result["slow"]);
    }

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
