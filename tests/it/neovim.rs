//! The language server in a real editor: headless Neovim 0.11 runs
//! `tests/editors/neovim/e2e.lua`, which starts `sessionlens serve` through Neovim's own LSP
//! client on the react-first-app scenario and checks hover, code lenses, hint diagnostics,
//! commands and an edit saved with `:write` through Neovim's APIs. `tests/it/lsp.rs` speaks the
//! protocol as we read it; this test catches what only a real client's capabilities, position
//! encoding and document sync reveal.
//!
//! Neovim comes from `SESSIONLENS_NVIM` (set by `tests/run.sh`, which installs it from PyPI into
//! `target/editor-tools/venv`). Without it the test fails under CI, and elsewhere falls back to
//! `nvim` on PATH.

use crate::common;

use common::nvim::{nvim, run_with_timeout, tail};
use common::{Env, scenario};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Neovim is killed after this long, whatever it is doing.
const HARD_TIMEOUT: Duration = Duration::from_secs(60);

#[test]
fn neovim_shows_what_was_learned() {
    let (nvim, version) = nvim();
    let env = Env::new();
    let (ws, _) = scenario(&env, "react-first-app");
    env.ok(&["ingest", "codex", "--idle-minutes", "0"]);

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/editors/neovim/e2e.lua");
    let out = env.root.path().join("neovim-result.json");
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
        .args(["--clean", "--headless", "-l"])
        .arg(&script)
        .current_dir(&ws)
        .env("SESSIONLENS_BIN", env!("CARGO_BIN_EXE_sessionlens"))
        .env("SESSIONLENS_WS", &ws)
        .env("SESSIONLENS_E2E_OUT", &out)
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
            "Neovim checks failed: {failures:?} (nvim exited with {status})\n{}\nerror: {}\nmessages: {}\nsteps (ms): {}\n{}",
            details.join("\n"),
            result["error"],
            result["messages"],
            result["durations_ms"],
            context()
        );
    }
    for check in [
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
    ] {
        assert_eq!(
            result["checks"][check]["ok"], true,
            "check {check} did not run: {result}"
        );
    }
    eprintln!(
        "neovim e2e: {version}, {took:.1?}, offset encoding {}, steps (ms) {}",
        result["offset_encoding"], result["durations_ms"]
    );
    // Slow steps pass (the checks are about what Neovim shows) but are worth seeing.
    if result["slow"].as_array().is_some_and(|s| !s.is_empty()) {
        eprintln!("neovim e2e: steps over 2 s: {}", result["slow"]);
    }

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
