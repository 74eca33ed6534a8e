//! Where things live: the data dir holding the store, the state dir holding the shell hooks'
//! spool, Codex's home, and Claude Code's configuration folders. Every path has an
//! override (flag, then environment variable) so that tests and development never touch a
//! developer's real data.

use std::path::{Path, PathBuf};

/// Environment variable naming the data dir.
pub const DATA_DIR_ENV: &str = "SESSIONLENS_DATA_DIR";

/// Environment variable setting the clock the briefing reads ("recently resolved"), RFC 3339:
/// for tests and scripted runs that must give the same answer on any day.
pub const NOW_ENV: &str = "SESSIONLENS_NOW";

/// The clock of what is "recent": `$SESSIONLENS_NOW` when set (and valid), else the system's.
pub fn now() -> jiff::Timestamp {
    std::env::var(NOW_ENV)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(jiff::Timestamp::now)
}

/// The data dir: the explicit choice, else `$SESSIONLENS_DATA_DIR`, else the platform's data dir
/// (`$XDG_DATA_HOME/sessionlens`, `~/.local/share/sessionlens` on Linux).
pub fn data_dir(explicit: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(p) = explicit {
        return Ok(p.to_owned());
    }
    if let Some(p) = std::env::var_os(DATA_DIR_ENV).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    dirs::data_dir()
        .map(|d| d.join("sessionlens"))
        .ok_or_else(|| {
            anyhow::anyhow!(
                "no data directory on this system: pass --data-dir or set {DATA_DIR_ENV}"
            )
        })
}

/// Environment variable naming the state dir (the shell hooks' spool).
pub const STATE_DIR_ENV: &str = "SESSIONLENS_STATE_DIR";

/// Where the shell hooks leave commands for ingest: `$SESSIONLENS_STATE_DIR`, else
/// `$XDG_STATE_HOME/sessionlens`, else `~/.local/state/sessionlens`. Per user, never shared: it
/// holds command lines before redaction, so it is made `0700` and its files `0600`.
pub fn state_dir() -> anyhow::Result<PathBuf> {
    if let Some(p) = std::env::var_os(STATE_DIR_ENV).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    if let Some(p) = std::env::var_os("XDG_STATE_HOME").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(p).join("sessionlens"));
    }
    dirs::home_dir()
        .map(|h| h.join(".local/state/sessionlens"))
        .ok_or_else(|| anyhow::anyhow!("no home directory: set {STATE_DIR_ENV}"))
}

/// The spool file the shell hooks append to, inside a state dir.
pub fn spool_path(state_dir: &Path) -> PathBuf {
    state_dir.join("commands.spool")
}

/// The store file inside a data dir.
pub fn store_path(data_dir: &Path) -> PathBuf {
    data_dir.join("store.redb")
}

/// Codex's home: `$CODEX_HOME` when set and non-empty, else `~/.codex` (as Codex resolves it).
pub fn codex_home() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CODEX_HOME").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(p));
    }
    dirs::home_dir().map(|h| h.join(".codex"))
}

/// Claude Code's configuration folders, which hold its transcripts under `projects/`: each entry
/// of `$CLAUDE_CONFIG_DIR` (a comma-separated list, as Claude Code and ccusage read it) when set,
/// else both `~/.config/claude` and `~/.claude` (Claude Code has used both).
pub fn claude_config_dirs() -> Vec<PathBuf> {
    if let Some(v) = std::env::var_os("CLAUDE_CONFIG_DIR").filter(|v| !v.is_empty()) {
        return v
            .to_string_lossy()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(PathBuf::from)
            .collect();
    }
    let Some(home) = dirs::home_dir() else {
        return Vec::new();
    };
    vec![home.join(".config/claude"), home.join(".claude")]
}
