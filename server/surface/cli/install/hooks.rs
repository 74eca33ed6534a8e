//! `sessionlens install codex-hooks` and `sessionlens install claude-hooks`: add the assistant's
//! hook command (`sessionlens codex-hook`, `sessionlens claude-hook`) for `SessionStart`,
//! `UserPromptSubmit` and shell `PostToolUse` events to its configuration: Codex's `hooks.json`
//! (`$CODEX_HOME/hooks.json`, or the repository's `.codex/hooks.json`), Claude Code's
//! `settings.json` (`~/.claude/settings.json` or the first folder of `$CLAUDE_CONFIG_DIR`, or the
//! repository's `.claude/settings.json`). Both files hold the same `hooks` shape (event →
//! `[{matcher?, hooks: [handler…]}]`), so one merge serves both. It edits a file the developer
//! owns (a `settings.json` also holds permissions, env, the model…), so it is careful: the old
//! file is backed up, every other key and hook is kept (in its order), a file that is not valid
//! JSON of that shape is left alone with a clear error, and a second run changes nothing.
//!
//! Codex runs a hook only once the developer has trusted it (`/hooks`), and the trust is a hash
//! of the entry: event, matcher, command, timeout, `statusMessage`. So the entries are the same
//! bytes in every Session Lens version, and the command names no versioned path when it can
//! help it: `sessionlens codex-hook` when `PATH` finds this very binary. Claude Code asks for no
//! trust, but the same rule keeps its entries valid across updates. An entry an older version
//! wrote is replaced in place.

use super::super::hook::Assistant;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Value, json};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The `SessionStart` sources answered: all of them (`compact` too, whose compaction dropped
/// the earlier briefing). Part of Codex's trust hash: never change it lightly.
const SESSION_START_MATCHER: &str = "startup|resume|clear|compact";
/// The shell tool `PostToolUse` fires for (both assistants call it `Bash`). Part of the trust
/// hash.
const POST_TOOL_USE_MATCHER: &str = "Bash";
/// Seconds the assistant gives the hook (both count in seconds). Part of the trust hash.
const TIMEOUT_SECONDS: u64 = 5;
/// What Codex shows while `SessionStart` runs. Part of the trust hash.
const STATUS_MESSAGE: &str = "Loading past learnings";

/// The command that runs `assistant`'s hook when this binary is the `sessionlens` on `PATH`.
fn on_path_command(assistant: Assistant) -> String {
    format!("sessionlens {}", assistant.subcommand())
}

/// The events the hook answers, with the matcher group Session Lens adds for each.
fn entries(assistant: Assistant, command: &str) -> Vec<(&'static str, Value)> {
    let handler = json!({ "type": "command", "command": command, "timeout": TIMEOUT_SECONDS });
    let mut starting = handler.clone();
    if assistant == Assistant::Codex {
        starting["statusMessage"] = json!(STATUS_MESSAGE);
    }
    vec![
        (
            "SessionStart",
            json!({ "matcher": SESSION_START_MATCHER, "hooks": [starting] }),
        ),
        ("UserPromptSubmit", json!({ "hooks": [handler.clone()] })),
        (
            "PostToolUse",
            json!({ "matcher": POST_TOOL_USE_MATCHER, "hooks": [handler] }),
        ),
    ]
}

/// `install codex-hooks`.
pub fn codex_hooks(project: bool) -> anyhow::Result<ExitCode> {
    hooks(Assistant::Codex, project)
}

/// `install claude-hooks`.
pub fn claude_hooks(project: bool) -> anyhow::Result<ExitCode> {
    hooks(Assistant::Claude, project)
}

/// The file `assistant`'s hooks go in: the user's, or with `project` the repository's (the
/// nearest folder up with a `.git`, else the current one).
fn hooks_file(assistant: Assistant, project: bool) -> anyhow::Result<PathBuf> {
    if project {
        let cwd = std::env::current_dir()?;
        let root = cwd
            .ancestors()
            .find(|d| d.join(".git").exists())
            .unwrap_or(&cwd)
            .to_path_buf();
        return Ok(match assistant {
            Assistant::Codex => root.join(".codex/hooks.json"),
            Assistant::Claude => root.join(".claude/settings.json"),
        });
    }
    match assistant {
        Assistant::Codex => Ok(crate::config::codex_home()
            .ok_or_else(|| anyhow::anyhow!("no home directory: set CODEX_HOME"))?
            .join("hooks.json")),
        Assistant::Claude => Ok(claude_user_dir()
            .ok_or_else(|| anyhow::anyhow!("no home directory: set CLAUDE_CONFIG_DIR"))?
            .join("settings.json")),
    }
}

/// Where Claude Code keeps the user's `settings.json`: the first of `$CLAUDE_CONFIG_DIR`'s
/// folders when it is set, else `~/.claude` (transcripts may also live in `~/.config/claude`,
/// settings never do).
fn claude_user_dir() -> Option<PathBuf> {
    if std::env::var_os("CLAUDE_CONFIG_DIR").is_some_and(|v| !v.is_empty()) {
        return crate::config::claude_config_dirs().into_iter().next();
    }
    dirs::home_dir().map(|h| h.join(".claude"))
}

/// Installs `assistant`'s hooks and says what happened and what the developer does next.
fn hooks(assistant: Assistant, project: bool) -> anyhow::Result<ExitCode> {
    let file = hooks_file(assistant, project)?;
    let exe = std::env::current_exe()?;
    let path_var = std::env::var_os("PATH").unwrap_or_default();
    let (command, on_path) = hook_command(&exe, &path_var, assistant)?;
    let outcome = install(&file, assistant, &command)?;
    let moved = format!(
        "They run {} because PATH does not find this sessionlens; if that path changes (an \
         update that moves the binary), run this again",
        exe.display()
    );
    match outcome {
        Outcome::AlreadyInstalled => {
            println!(
                "Session Lens hooks already installed in {}; nothing changed.",
                file.display()
            );
            match assistant {
                Assistant::Codex => println!(
                    "If Codex does not run them yet, open Codex and run /hooks to check that the \
                     Session Lens hooks are trusted."
                ),
                Assistant::Claude => println!(
                    "If Claude Code does not run them yet, restart it (it reads settings.json when \
                     it starts); /hooks in Claude Code lists them."
                ),
            }
        }
        Outcome::Written {
            backup,
            added,
            updated,
        } => {
            if !added.is_empty() {
                println!("Added {} to {}", added.join(", "), file.display());
            }
            if !updated.is_empty() {
                println!(
                    "Updated {} in {} to what this version writes",
                    updated.join(", "),
                    file.display()
                );
            }
            if let Some(b) = backup {
                println!("The previous file is kept as {}", b.display());
            }
            let changed: Vec<&str> = added.iter().chain(&updated).copied().collect();
            let hooks = match changed.len() {
                1 => "hook",
                _ => "hooks",
            };
            match assistant {
                Assistant::Codex => {
                    let stays = if on_path {
                        "They keep their trust across Session Lens updates.".to_owned()
                    } else {
                        format!(
                            "{moved} and trust them once more, or put sessionlens on PATH first \
                             so updates keep the trust."
                        )
                    };
                    println!(
                        "Next: open Codex and run /hooks, then trust the {} Session Lens {hooks} ({}). {stays}",
                        changed.len(),
                        changed.join(", ")
                    );
                    println!(
                        "Hooks are on by default in current Codex; older versions need \
                         `codex_hooks = true` under `[features]` in config.toml."
                    );
                }
                Assistant::Claude => {
                    let stays = if on_path {
                        String::new()
                    } else {
                        format!(" {moved}, or put sessionlens on PATH first.")
                    };
                    println!(
                        "Next: restart Claude Code, which picks up settings changes when it starts; \
                         /hooks in Claude Code lists the {} Session Lens {hooks} ({}).{stays}",
                        changed.len(),
                        changed.join(", ")
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The hook's command line for the binary at `exe`, and whether it is the upgrade-proof
/// `sessionlens codex-hook` (the first `sessionlens` in `path_var` is `exe`) rather than the
/// quoted absolute path, which changes whenever an update moves the binary.
fn hook_command(
    exe: &Path,
    path_var: &OsStr,
    assistant: Assistant,
) -> anyhow::Result<(String, bool)> {
    let real = std::fs::canonicalize(exe).ok();
    let found = first_on_path(path_var).and_then(|p| std::fs::canonicalize(p).ok());
    if real.is_some() && found == real {
        return Ok((on_path_command(assistant), true));
    }
    match shlex::try_quote(&exe.to_string_lossy()) {
        Ok(q) => Ok((format!("{q} {}", assistant.subcommand()), false)),
        Err(_) => anyhow::bail!("the binary's path {} cannot be quoted", exe.display()),
    }
}

/// The `sessionlens` a shell would run: the first executable of that name in `path_var`.
fn first_on_path(path_var: &OsStr) -> Option<PathBuf> {
    let name = format!("sessionlens{}", std::env::consts::EXE_SUFFIX);
    std::env::split_paths(path_var)
        .filter(|dir| dir.is_absolute())
        .map(|dir| dir.join(&name))
        .find(|p| is_executable(p))
}

/// Whether `p` is a file the shell would run.
fn is_executable(p: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(p) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}

#[derive(Debug)]
enum Outcome {
    AlreadyInstalled,
    Written {
        backup: Option<PathBuf>,
        /// Events that had no Session Lens entry.
        added: Vec<&'static str>,
        /// Events whose Session Lens entry differed (another matcher, command, timeout…).
        updated: Vec<&'static str>,
    },
}

/// Merges `assistant`'s entries into `file`. Nothing is written when they are all there already,
/// or when the file is not valid JSON with a `hooks` object of the shape both assistants read.
fn install(file: &Path, assistant: Assistant, command: &str) -> anyhow::Result<Outcome> {
    let existing = match std::fs::read_to_string(file) {
        Ok(s) => Some(s),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => anyhow::bail!("reading {}: {e}", file.display()),
    };
    let mut root: Value = match &existing {
        Some(text) if !text.trim().is_empty() => serde_json::from_str(text).map_err(|e| {
            anyhow::anyhow!(
                "{} is not valid JSON ({e}); fix it by hand, nothing was written",
                file.display()
            )
        })?,
        _ => json!({}),
    };
    // The developer's order of keys, kept in what is written back (a `Value` sorts them).
    let order: Option<KeyOrder> = existing
        .as_deref()
        .and_then(|t| serde_json::from_str(t).ok());
    let shape = match assistant {
        Assistant::Codex => "hooks.json",
        Assistant::Claude => "settings.json",
    };
    let invalid = |what: &str| {
        anyhow::anyhow!(
            "{}: {what}, which is not {}'s {shape} shape; nothing was written",
            file.display(),
            assistant.name()
        )
    };
    let ours = |group: &Value| is_ours(group, assistant);
    let hooks = root
        .as_object_mut()
        .ok_or_else(|| invalid("the file is not a JSON object"))?
        .entry("hooks")
        .or_insert_with(|| Value::Object(Map::new()))
        .as_object_mut()
        .ok_or_else(|| invalid("\"hooks\" is not an object"))?;
    let mut added = Vec::new();
    let mut updated = Vec::new();
    for (event, group) in entries(assistant, command) {
        let groups = hooks
            .entry(event)
            .or_insert_with(|| Value::Array(Vec::new()))
            .as_array_mut()
            .ok_or_else(|| invalid(&format!("\"hooks.{event}\" is not an array")))?;
        match groups.iter().position(ours) {
            None => {
                groups.push(group);
                added.push(event);
            }
            Some(i) if groups[i] == group => {}
            Some(i) if only_ours(&groups[i], assistant) => {
                groups[i] = group;
                updated.push(event);
            }
            Some(_) => tracing::warn!(
                "{}: hooks.{event} runs Session Lens in a group with other hooks; left as it is",
                file.display()
            ),
        }
    }
    if added.is_empty() && updated.is_empty() {
        return Ok(Outcome::AlreadyInstalled);
    }
    let backup = match &existing {
        Some(text) => {
            let stamp = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%S%.3fZ");
            let name = format!(
                "{}.bak-{stamp}",
                file.file_name().unwrap_or_default().to_string_lossy()
            );
            let b = file.with_file_name(name);
            std::fs::write(&b, text)
                .map_err(|e| anyhow::anyhow!("writing the backup {}: {e}", b.display()))?;
            Some(b)
        }
        None => None,
    };
    let mut text = serde_json::to_string_pretty(&InOrder(&root, order.as_ref()))?;
    text.push('\n');
    crate::knowledge::files::write_atomically(file, text.as_bytes())
        .map_err(|e| anyhow::anyhow!("writing {}: {e}", file.display()))?;
    Ok(Outcome::Written {
        backup,
        added,
        updated,
    })
}

/// Whether a matcher group already runs `sessionlens … codex-hook` (or `claude-hook`, as
/// `assistant` asks), from whichever binary path.
fn is_ours(group: &Value, assistant: Assistant) -> bool {
    handlers(group)
        .iter()
        .any(|h| runs_session_lens(h, assistant))
}

/// Whether every handler of a group is Session Lens's, so the group is ours to replace whole.
fn only_ours(group: &Value, assistant: Assistant) -> bool {
    let hs = handlers(group);
    !hs.is_empty() && hs.iter().all(|h| runs_session_lens(h, assistant))
}

/// A matcher group's handlers (none when it has no `hooks` array).
fn handlers(group: &Value) -> &[Value] {
    group
        .get("hooks")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// Whether a handler runs `sessionlens … codex-hook` (or `claude-hook`), from whichever binary
/// path.
fn runs_session_lens(handler: &Value, assistant: Assistant) -> bool {
    handler
        .get("command")
        .and_then(Value::as_str)
        .is_some_and(|c| c.contains("sessionlens") && c.ends_with(assistant.subcommand()))
}

/// The order of the keys of every object in a JSON text, nested as the text is. serde_json's
/// `Value` (without its `preserve_order` feature) sorts keys, and a developer's settings file
/// should come back in their order, not alphabetized.
#[derive(Debug, Default)]
enum KeyOrder {
    #[default]
    Scalar,
    Object(Vec<(String, KeyOrder)>),
    Array(Vec<KeyOrder>),
}

impl KeyOrder {
    /// The order inside the value at `key` of an object (its first occurrence).
    fn at_key(&self, key: &str) -> Option<&KeyOrder> {
        match self {
            KeyOrder::Object(keys) => keys.iter().find(|(k, _)| k == key).map(|(_, o)| o),
            _ => None,
        }
    }

    /// The order inside the `i`th element of an array.
    fn at_index(&self, i: usize) -> Option<&KeyOrder> {
        match self {
            KeyOrder::Array(items) => items.get(i),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for KeyOrder {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(KeyOrderVisitor)
    }
}

/// Reads a JSON text into its [`KeyOrder`], keeping nothing of the scalars.
struct KeyOrderVisitor;

impl<'de> Visitor<'de> for KeyOrderVisitor {
    type Value = KeyOrder;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<KeyOrder, E> {
        Ok(KeyOrder::Scalar)
    }
    fn visit_i64<E>(self, _: i64) -> Result<KeyOrder, E> {
        Ok(KeyOrder::Scalar)
    }
    fn visit_u64<E>(self, _: u64) -> Result<KeyOrder, E> {
        Ok(KeyOrder::Scalar)
    }
    fn visit_f64<E>(self, _: f64) -> Result<KeyOrder, E> {
        Ok(KeyOrder::Scalar)
    }
    fn visit_str<E>(self, _: &str) -> Result<KeyOrder, E> {
        Ok(KeyOrder::Scalar)
    }
    fn visit_unit<E>(self) -> Result<KeyOrder, E> {
        Ok(KeyOrder::Scalar)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<KeyOrder, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(KeyOrder::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<KeyOrder, A::Error> {
        let mut keys = Vec::new();
        while let Some(entry) = map.next_entry::<String, KeyOrder>()? {
            keys.push(entry);
        }
        Ok(KeyOrder::Object(keys))
    }
}

/// Keys of the objects Session Lens adds, in the order the assistants' documentation writes them
/// (`{"matcher", "hooks": [{"type", "command", "timeout"}]}`), rather than alphabetized.
const HOOK_KEYS: &[&str] = &[
    "matcher",
    "hooks",
    "type",
    "command",
    "timeout",
    "statusMessage",
];

/// A value serialized with its objects' keys in a [`KeyOrder`]: the keys it names first, in its
/// order, then any new ones ([`HOOK_KEYS`] first, the others sorted).
struct InOrder<'a>(&'a Value, Option<&'a KeyOrder>);

impl Serialize for InOrder<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let InOrder(value, order) = *self;
        match value {
            Value::Object(m) => {
                let mut keys: Vec<&str> = Vec::with_capacity(m.len());
                if let Some(KeyOrder::Object(known)) = order {
                    for (k, _) in known {
                        if m.contains_key(k) && !keys.contains(&k.as_str()) {
                            keys.push(k);
                        }
                    }
                }
                let mut new: Vec<&str> = m
                    .keys()
                    .map(String::as_str)
                    .filter(|k| !keys.contains(k))
                    .collect();
                // Stable: keys outside HOOK_KEYS keep the map's sorted order.
                new.sort_by_key(|k| HOOK_KEYS.iter().position(|h| h == k).unwrap_or(usize::MAX));
                keys.extend(new);
                let mut out = s.serialize_map(Some(keys.len()))?;
                for k in keys {
                    out.serialize_entry(k, &InOrder(&m[k], order.and_then(|o| o.at_key(k))))?;
                }
                out.end()
            }
            Value::Array(items) => {
                let mut out = s.serialize_seq(Some(items.len()))?;
                for (i, item) in items.iter().enumerate() {
                    out.serialize_element(&InOrder(item, order.and_then(|o| o.at_index(i))))?;
                }
                out.end()
            }
            v => v.serialize(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codex_on_path() -> String {
        on_path_command(Assistant::Codex)
    }

    #[test]
    fn merges_keeps_others_backs_up_and_is_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("hooks.json");
        let theirs = r#"{"description":"mine","hooks":{"PostToolUse":[{"matcher":"Bash","hooks":[{"type":"command","command":"./lint.sh"}]}]}}"#;
        std::fs::write(&file, theirs).unwrap();
        let out = install(&file, Assistant::Codex, "/bin/sessionlens codex-hook").unwrap();
        let Outcome::Written {
            backup,
            added,
            updated,
        } = out
        else {
            panic!("{out:?}")
        };
        assert_eq!(added, ["SessionStart", "UserPromptSubmit", "PostToolUse"]);
        assert!(updated.is_empty());
        assert_eq!(std::fs::read_to_string(backup.unwrap()).unwrap(), theirs);
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        assert_eq!(v["description"], "mine");
        assert_eq!(v["hooks"]["PostToolUse"].as_array().unwrap().len(), 2);
        assert_eq!(
            v["hooks"]["PostToolUse"][0]["hooks"][0]["command"],
            "./lint.sh"
        );
        let before = std::fs::read(&file).unwrap();
        assert!(matches!(
            install(&file, Assistant::Codex, "/bin/sessionlens codex-hook").unwrap(),
            Outcome::AlreadyInstalled
        ));
        assert_eq!(std::fs::read(&file).unwrap(), before);
    }

    #[test]
    fn an_older_entry_is_replaced_in_place_and_mixed_groups_are_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("hooks.json");
        let old = json!({"hooks": {
            "SessionStart": [
                {"hooks": [{"type": "command", "command": "./first.sh"}]},
                {"matcher": "startup|resume|clear", "hooks": [{"type": "command",
                    "command": "'/ext/sessionlens-0.3.0/sessionlens' codex-hook", "timeout": 5,
                    "statusMessage": "Loading past learnings"}]},
                {"hooks": [{"type": "command", "command": "./last.sh"}]}
            ],
            "UserPromptSubmit": [{"hooks": [
                {"type": "command", "command": "./mine.sh"},
                {"type": "command", "command": "sessionlens codex-hook"}
            ]}]
        }});
        std::fs::write(&file, old.to_string()).unwrap();
        let out = install(&file, Assistant::Codex, &codex_on_path()).unwrap();
        let Outcome::Written { added, updated, .. } = out else {
            panic!("{out:?}")
        };
        assert_eq!(
            (added, updated),
            (vec!["PostToolUse"], vec!["SessionStart"])
        );
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let start = v["hooks"]["SessionStart"].as_array().unwrap();
        assert_eq!(start.len(), 3);
        assert_eq!(start[0], old["hooks"]["SessionStart"][0]);
        assert_eq!(
            start[1],
            entries(Assistant::Codex, &codex_on_path())[0].1,
            "in place"
        );
        assert_eq!(start[2], old["hooks"]["SessionStart"][2]);
        assert_eq!(
            v["hooks"]["UserPromptSubmit"],
            old["hooks"]["UserPromptSubmit"]
        );
        assert!(matches!(
            install(&file, Assistant::Codex, &codex_on_path()).unwrap(),
            Outcome::AlreadyInstalled
        ));
    }

    #[cfg(unix)]
    #[test]
    fn the_command_is_sessionlens_when_path_finds_this_binary() {
        use std::os::unix::fs::{PermissionsExt, symlink};
        let dir = tempfile::tempdir().unwrap();
        let exe = dir.path().join("ext-1.2.3/sessionlens");
        std::fs::create_dir_all(exe.parent().unwrap()).unwrap();
        std::fs::write(&exe, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
        let bin = dir.path().join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        symlink(&exe, bin.join("sessionlens")).unwrap();
        let other = dir.path().join("other");
        std::fs::create_dir_all(&other).unwrap();
        std::fs::write(other.join("sessionlens"), "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(
            other.join("sessionlens"),
            std::fs::Permissions::from_mode(0o755),
        )
        .unwrap();
        let path = |dirs: &[&Path]| std::env::join_paths(dirs).unwrap();
        assert_eq!(
            hook_command(&exe, &path(&[&bin]), Assistant::Codex).unwrap(),
            (codex_on_path(), true)
        );
        let (quoted, stable) =
            hook_command(&exe, &path(&[&other, &bin]), Assistant::Codex).unwrap();
        assert!(!stable, "another sessionlens comes first");
        assert!(
            quoted.ends_with("ext-1.2.3/sessionlens codex-hook"),
            "{quoted}"
        );
        assert!(!hook_command(&exe, &path(&[]), Assistant::Codex).unwrap().1);
        assert_eq!(
            hook_command(&exe, &path(&[&bin]), Assistant::Claude).unwrap(),
            ("sessionlens claude-hook".to_owned(), true)
        );
    }

    #[test]
    fn invalid_files_are_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("hooks.json");
        for bad in [
            "{ not json",
            "[1]",
            r#"{"hooks": 3}"#,
            r#"{"hooks":{"Stop":{}}}"#,
        ] {
            std::fs::write(&file, bad).unwrap();
            let e = install(&file, Assistant::Codex, "sessionlens codex-hook");
            let bad_event = bad.contains("Stop");
            if bad_event {
                // Another event's shape is not ours to judge; ours are added.
                assert!(e.is_ok());
                continue;
            }
            assert!(e.unwrap_err().to_string().contains("nothing was written"));
            assert_eq!(std::fs::read_to_string(&file).unwrap(), bad);
        }
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            2,
            "one backup, no temp files"
        );
    }

    #[test]
    fn claude_settings_keep_every_other_key_in_its_order() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("settings.json");
        let theirs = r#"{
  "permissions": {"allow": ["Bash(npm test:*)"], "deny": []},
  "env": {"ZED": "1", "ALPHA": "2"},
  "hooks": {"Stop": [{"hooks": [{"type": "command", "command": "./done.sh"}]}]},
  "model": "opus"
}"#;
        std::fs::write(&file, theirs).unwrap();
        let out = install(&file, Assistant::Claude, "sessionlens claude-hook").unwrap();
        assert!(matches!(out, Outcome::Written { .. }), "{out:?}");
        let text = std::fs::read_to_string(&file).unwrap();
        let at = |k: &str| text.find(k).unwrap_or_else(|| panic!("{k} in {text}"));
        assert!(at("\"permissions\"") < at("\"env\"") && at("\"env\"") < at("\"hooks\""));
        assert!(at("\"hooks\"") < at("\"model\""), "{text}");
        assert!(at("\"ZED\"") < at("\"ALPHA\""), "nested order kept: {text}");
        assert!(
            at("\"Stop\"") < at("\"SessionStart\""),
            "new events after: {text}"
        );
        let v: Value = serde_json::from_str(&text).unwrap();
        let old: Value = serde_json::from_str(theirs).unwrap();
        for k in ["permissions", "env", "model"] {
            assert_eq!(v[k], old[k]);
        }
        assert_eq!(v["hooks"]["Stop"], old["hooks"]["Stop"]);
        let start = &v["hooks"]["SessionStart"][0];
        assert_eq!(
            *start,
            json!({"matcher": "startup|resume|clear|compact", "hooks": [
                {"type": "command", "command": "sessionlens claude-hook", "timeout": 5}]}),
            "no statusMessage: that is Codex's"
        );
        assert!(matches!(
            install(&file, Assistant::Claude, "sessionlens claude-hook").unwrap(),
            Outcome::AlreadyInstalled
        ));
        let start = text.find("\"SessionStart\": [").unwrap();
        let ours = &text[start..];
        let place = |k: &str| ours.find(&format!("\"{k}\"")).unwrap();
        let keys = ["matcher", "hooks", "type", "command", "timeout"];
        assert!(keys.map(place).is_sorted(), "documented order: {ours}");
        // Codex's entries are not Claude Code's: installing one never takes over the other.
        let codex = install(&file, Assistant::Codex, "sessionlens codex-hook").unwrap();
        let Outcome::Written { added, .. } = codex else {
            panic!("{codex:?}")
        };
        assert_eq!(added.len(), 3);
    }
}
