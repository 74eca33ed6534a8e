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

/// `dir` (a state dir), made with mode `0700` if missing: it holds command lines before
/// redaction.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)
}

/// `path` opened for appending, created with mode `0600` when missing (`create_new`: only if
/// missing, else `AlreadyExists`): the spool and what is put back in it.
pub fn open_private(path: &Path, create_new: bool) -> std::io::Result<std::fs::File> {
    let mut open = std::fs::OpenOptions::new();
    open.append(true);
    if create_new {
        open.create_new(true);
    } else {
        open.create(true);
    }
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
    open.open(path)
}

/// The spool file the shell hooks append to, inside a state dir.
pub fn spool_path(state_dir: &Path) -> PathBuf {
    state_dir.join("commands.spool")
}

/// Environment variable naming the settings file.
pub const CONFIG_ENV: &str = "SESSIONLENS_CONFIG";

/// The settings file every process reads (the editors' settings are the language server's
/// own): `$SESSIONLENS_CONFIG`, else `$XDG_CONFIG_HOME/sessionlens/config.toml`, else
/// `~/.config/sessionlens/config.toml`. It need not exist.
pub fn config_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(CONFIG_ENV).filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(p));
    }
    if let Some(p) = std::env::var_os("XDG_CONFIG_HOME").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(p).join("sessionlens/config.toml"));
    }
    dirs::home_dir().map(|h| h.join(".config/sessionlens/config.toml"))
}

/// The settings a user can write in `config.toml`. Unknown keys are ignored, so a file written
/// for a newer version still works.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserConfig {
    /// `[terminal] ignore = ["*password*", "vault *"]`: shell commands never recorded, as glob
    /// patterns over the whole command line (`*` spans anything, `/` included).
    pub terminal_ignore: Vec<String>,
}

impl UserConfig {
    /// The settings file, read now: absent is the defaults; unreadable or invalid is an error that
    /// names the file.
    pub fn load() -> anyhow::Result<UserConfig> {
        let Some(path) = config_path() else {
            return Ok(UserConfig::default());
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                UserConfig::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(UserConfig::default()),
            Err(e) => Err(anyhow::anyhow!("{}: {e}", path.display())),
        }
    }

    pub fn parse(text: &str) -> anyhow::Result<UserConfig> {
        let doc: toml_edit::DocumentMut = text.parse()?;
        let mut config = UserConfig::default();
        if let Some(ignore) = doc.get("terminal").and_then(|t| t.get("ignore")) {
            let list = ignore
                .as_array()
                .ok_or_else(|| anyhow::anyhow!("terminal.ignore must be a list of patterns"))?;
            for v in list {
                let p = v.as_str().ok_or_else(|| {
                    anyhow::anyhow!(
                        "terminal.ignore holds a {}, not a pattern string",
                        v.type_name()
                    )
                })?;
                config.terminal_ignore.push(p.to_owned());
            }
        }
        Ok(config)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_settings_file_names_its_mistakes() {
        let c = UserConfig::parse("[terminal]\nignore = [\"*secret*\", \"vault *\"]\n").unwrap();
        assert_eq!(c.terminal_ignore, ["*secret*", "vault *"]);
        assert_eq!(UserConfig::parse("").unwrap(), UserConfig::default());
        assert_eq!(
            UserConfig::parse("[future]\nkey = 1\n").unwrap(),
            UserConfig::default()
        );
        let e = UserConfig::parse("[terminal]\nignore = \"x\"\n").unwrap_err();
        assert!(e.to_string().contains("list of patterns"), "{e}");
        let e = UserConfig::parse("[terminal]\nignore = [1]\n").unwrap_err();
        assert!(e.to_string().contains("not a pattern string"), "{e}");
        assert!(UserConfig::parse("[terminal\n").is_err());
    }
}
