//! Where things live: the data dir holding the store, the state dir holding the shell hooks'
//! spool, Codex's home, and Claude Code's configuration folders. Every path has an
//! override (flag, then environment variable) so that tests and development never touch a
//! developer's real data. The data dir is private: made `0700` by whoever creates it, and a
//! store that belongs to another user is refused rather than read ([`store_file`]).

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

/// `dir` (the state dir, the data dir), made with mode `0700` if missing: they hold command
/// lines before redaction and the record of every session. (Folders made on the way are `0700`
/// too; one that exists is left as it is.)
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
    /// `exclude = ["~/clients", "/work/*-confidential"]` (at the top of the file, before any
    /// table): folders whose sessions are never stored, and everything under them, as written
    /// (`~` is the home folder; `*`, `?`, `[…]`, `{a,b}` and `**` are globs). Checked by
    /// `ingest::exclude`.
    pub exclude: Vec<String>,
    /// `retention_days = 90` (at the top of the file): events older than this are erased after
    /// every ingest and hourly in a running editor (`ingest::retention`). Off when absent.
    pub retention_days: Option<u64>,
    /// `[terminal] ignore = ["*password*", "vault *"]`: shell commands never recorded, as glob
    /// patterns over the whole command line (`*` spans anything, `/` included).
    pub terminal_ignore: Vec<String>,
}

impl UserConfig {
    /// The settings file, read now: absent is the defaults; unreadable or invalid is an error that
    /// names the file.
    pub fn load() -> anyhow::Result<UserConfig> {
        match config_path() {
            Some(path) => UserConfig::load_from(&path),
            None => Ok(UserConfig::default()),
        }
    }

    /// The settings file at `path`, read now (absent: the defaults).
    pub fn load_from(path: &Path) -> anyhow::Result<UserConfig> {
        match std::fs::read_to_string(path) {
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
            config.terminal_ignore = strings(ignore, "terminal.ignore")?;
        }
        if let Some(exclude) = doc.get("exclude") {
            config.exclude = strings(exclude, "exclude")?;
        }
        if let Some(days) = doc.get("retention_days") {
            let days = days.as_integer().filter(|d| *d > 0).ok_or_else(|| {
                anyhow::anyhow!("retention_days must be a number of days, 1 or more")
            })?;
            config.retention_days = Some(days as u64);
        }
        // TOML puts a key written after `[terminal]` inside that table: say where it belongs
        // rather than let the folders it names be stored.
        if doc
            .get("terminal")
            .and_then(|t| t.get("retention_days"))
            .is_some()
        {
            anyhow::bail!(
                "retention_days is read at the top of the file: move it above [terminal]"
            );
        }
        if doc.get("terminal").and_then(|t| t.get("exclude")).is_some() {
            anyhow::bail!(
                "exclude is read at the top of the file: move it above [terminal] (here it is \
                 terminal.exclude)"
            );
        }
        Ok(config)
    }
}

/// A settings value that must be a list of strings (patterns), named `key` in errors.
fn strings(item: &toml_edit::Item, key: &str) -> anyhow::Result<Vec<String>> {
    let list = item
        .as_array()
        .ok_or_else(|| anyhow::anyhow!("{key} must be a list of patterns"))?;
    list.iter()
        .map(|v| {
            v.as_str().map(str::to_owned).ok_or_else(|| {
                anyhow::anyhow!("{key} holds a {}, not a pattern string", v.type_name())
            })
        })
        .collect()
}

/// The store file inside a data dir.
pub fn store_path(data_dir: &Path) -> PathBuf {
    data_dir.join("store.redb")
}

/// The store file of `data_dir`, checked before anything opens it: every face (the CLI, the
/// hooks, the MCP server, the language server) opens the store through this. With `create`,
/// a missing data dir is made `0700` first (the store would otherwise make it with the
/// process's umask). The data dir and the store, where they exist, must belong to the user
/// running Session Lens: a store another user owns — a `--data-dir` or `SESSIONLENS_DATA_DIR`
/// pointing into someone else's home, a hook run under `sudo` — is refused with an error saying
/// whose it is, never read or written, so an assistant is only ever answered from its own
/// user's record.
pub fn store_file(data_dir: &Path, create: bool) -> anyhow::Result<PathBuf> {
    if create {
        private_dir(data_dir).map_err(|e| {
            anyhow::anyhow!(
                "cannot create the data directory {}: {e}",
                data_dir.display()
            )
        })?;
    }
    let store = store_path(data_dir);
    owned_by_me(data_dir)?;
    owned_by_me(&store)?;
    Ok(store)
}

/// The user id of this process (its effective one: what the kernel checks files against).
#[cfg(unix)]
pub fn my_uid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// An error when `path` exists and belongs to another user than the one running this process;
/// a missing path is fine (it will be made by this user).
fn owned_by_me(path: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let Ok(meta) = std::fs::metadata(path) else {
            return Ok(());
        };
        let (owner, me) = (meta.uid(), my_uid());
        if owner != me {
            anyhow::bail!(
                "{} belongs to user {owner}, not to you (user {me}): Session Lens reads and \
                 writes only its own user's store; point --data-dir or {DATA_DIR_ENV} at a \
                 folder of yours",
                path.display()
            );
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
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

    #[test]
    fn exclude_is_a_top_level_list_and_misplaced_it_is_an_error() {
        let c = UserConfig::parse("exclude = [\"~/clients\", \"/w/*\"]\n[terminal]\nignore = []\n")
            .unwrap();
        assert_eq!(c.exclude, ["~/clients", "/w/*"]);
        let e = UserConfig::parse("exclude = \"~/clients\"\n").unwrap_err();
        assert!(e.to_string().contains("exclude must be a list"), "{e}");
        let e = UserConfig::parse("[terminal]\nexclude = [\"~/x\"]\n").unwrap_err();
        assert!(e.to_string().contains("move it above [terminal]"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn the_data_dir_is_made_private_and_another_users_store_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a/data");
        let store = store_file(&dir, true).unwrap();
        assert_eq!(store, dir.join("store.redb"));
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        // Reading makes nothing.
        let other = tmp.path().join("b");
        store_file(&other, false).unwrap();
        assert!(!other.exists());
        // A data dir another user owns: the root folder, or (as root) one given away.
        let (theirs, owner) = if my_uid() == 0 {
            let given = tmp.path().join("theirs");
            std::fs::create_dir(&given).unwrap();
            std::os::unix::fs::chown(&given, Some(65534), Some(65534)).unwrap();
            (given, 65534)
        } else {
            (PathBuf::from("/"), 0)
        };
        let e = store_file(&theirs, false).unwrap_err().to_string();
        assert!(e.contains(&format!("belongs to user {owner}")), "{e}");
    }
}
