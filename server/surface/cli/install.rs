//! `sessionlens install codex-hooks`: adds `sessionlens codex-hook` to Codex's `hooks.json`
//! (`$CODEX_HOME/hooks.json`, or the repository's `.codex/hooks.json`) for `SessionStart`,
//! `UserPromptSubmit` and shell `PostToolUse` events. It edits a file the developer owns, so it
//! is careful: the old file is backed up, every other hook is kept, a file that is not valid
//! hooks JSON is left alone with a clear error, and a second run changes nothing.
//!
//! Codex runs a hook only once the developer has trusted it (`/hooks`), and the trust is a hash
//! of the entry: event, matcher, command, timeout, `statusMessage`. So the entries are the same
//! bytes in every Session Lens version, and the command names no versioned path when it can
//! help it: `sessionlens codex-hook` when `PATH` finds this very binary. An entry an older
//! version wrote is replaced in place.

use serde_json::{Map, Value, json};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The `SessionStart` sources answered: all of them (`compact` too, whose compaction dropped
/// the earlier briefing). Part of the trust hash: never change it lightly.
const SESSION_START_MATCHER: &str = "startup|resume|clear|compact";
/// The shell tool `PostToolUse` fires for. Part of the trust hash.
const POST_TOOL_USE_MATCHER: &str = "Bash";
/// Seconds Codex gives the hook. Part of the trust hash.
const TIMEOUT_SECONDS: u64 = 5;
/// What Codex shows while `SessionStart` runs. Part of the trust hash.
const STATUS_MESSAGE: &str = "Loading past learnings";
/// The command that runs the hook when this binary is the `sessionlens` on `PATH`.
const ON_PATH_COMMAND: &str = "sessionlens codex-hook";

/// The events the hook answers, with the matcher group Session Lens adds for each.
fn entries(command: &str) -> Vec<(&'static str, Value)> {
    vec![
        (
            "SessionStart",
            json!({ "matcher": SESSION_START_MATCHER, "hooks": [ {
                "type": "command", "command": command, "timeout": TIMEOUT_SECONDS,
                "statusMessage": STATUS_MESSAGE } ] }),
        ),
        (
            "UserPromptSubmit",
            json!({ "hooks": [ {
                "type": "command", "command": command, "timeout": TIMEOUT_SECONDS } ] }),
        ),
        (
            "PostToolUse",
            json!({ "matcher": POST_TOOL_USE_MATCHER, "hooks": [ {
                "type": "command", "command": command, "timeout": TIMEOUT_SECONDS } ] }),
        ),
    ]
}

pub fn codex_hooks(project: bool) -> anyhow::Result<ExitCode> {
    let file = if project {
        let cwd = std::env::current_dir()?;
        let root = cwd
            .ancestors()
            .find(|d| d.join(".git").exists())
            .unwrap_or(&cwd)
            .to_path_buf();
        root.join(".codex/hooks.json")
    } else {
        crate::config::codex_home()
            .ok_or_else(|| anyhow::anyhow!("no home directory: set CODEX_HOME"))?
            .join("hooks.json")
    };
    let exe = std::env::current_exe()?;
    let path_var = std::env::var_os("PATH").unwrap_or_default();
    let (command, on_path) = hook_command(&exe, &path_var)?;
    let stays = if on_path {
        "They keep their trust across Session Lens updates.".to_owned()
    } else {
        format!(
            "They run {} because PATH does not find this sessionlens; if that path changes (an \
             update that moves the binary), run this again and trust them once more, or put \
             sessionlens on PATH first so updates keep the trust.",
            exe.display()
        )
    };
    match install(&file, &command)? {
        Outcome::AlreadyInstalled => {
            println!(
                "Session Lens hooks already installed in {}; nothing changed.",
                file.display()
            );
            println!(
                "If Codex does not run them yet, open Codex and run /hooks to check that the \
                 Session Lens hooks are trusted."
            );
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
    }
    Ok(ExitCode::SUCCESS)
}

/// The hook's command line for the binary at `exe`, and whether it is the upgrade-proof
/// `sessionlens codex-hook` (the first `sessionlens` in `path_var` is `exe`) rather than the
/// quoted absolute path, which changes whenever an update moves the binary.
fn hook_command(exe: &Path, path_var: &OsStr) -> anyhow::Result<(String, bool)> {
    let real = std::fs::canonicalize(exe).ok();
    let found = first_on_path(path_var).and_then(|p| std::fs::canonicalize(p).ok());
    if real.is_some() && found == real {
        return Ok((ON_PATH_COMMAND.to_owned(), true));
    }
    match shlex::try_quote(&exe.to_string_lossy()) {
        Ok(q) => Ok((format!("{q} codex-hook"), false)),
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

/// Merges the entries into `file`. Nothing is written when they are all there already, or when
/// the file is not valid hooks JSON.
fn install(file: &Path, command: &str) -> anyhow::Result<Outcome> {
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
    let invalid = |what: &str| {
        anyhow::anyhow!(
            "{}: {what}, which is not Codex's hooks.json shape; nothing was written",
            file.display()
        )
    };
    let hooks = root
        .as_object_mut()
        .ok_or_else(|| invalid("the file is not a JSON object"))?
        .entry("hooks")
        .or_insert_with(|| Value::Object(Map::new()))
        .as_object_mut()
        .ok_or_else(|| invalid("\"hooks\" is not an object"))?;
    let mut added = Vec::new();
    let mut updated = Vec::new();
    for (event, group) in entries(command) {
        let groups = hooks
            .entry(event)
            .or_insert_with(|| Value::Array(Vec::new()))
            .as_array_mut()
            .ok_or_else(|| invalid(&format!("\"hooks.{event}\" is not an array")))?;
        match groups.iter().position(is_ours) {
            None => {
                groups.push(group);
                added.push(event);
            }
            Some(i) if groups[i] == group => {}
            Some(i) if only_ours(&groups[i]) => {
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
    let mut text = serde_json::to_string_pretty(&root)?;
    text.push('\n');
    crate::surface::learnings::write_atomically(file, text.as_bytes())
        .map_err(|e| anyhow::anyhow!("writing {}: {e}", file.display()))?;
    Ok(Outcome::Written {
        backup,
        added,
        updated,
    })
}

/// Whether a matcher group already runs `sessionlens … codex-hook` (whichever binary path).
fn is_ours(group: &Value) -> bool {
    handlers(group).iter().any(runs_session_lens)
}

/// Whether every handler of a group is Session Lens's, so the group is ours to replace whole.
fn only_ours(group: &Value) -> bool {
    let hs = handlers(group);
    !hs.is_empty() && hs.iter().all(runs_session_lens)
}

/// A matcher group's handlers (none when it has no `hooks` array).
fn handlers(group: &Value) -> &[Value] {
    group
        .get("hooks")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// Whether a handler runs `sessionlens … codex-hook`, from whichever binary path.
fn runs_session_lens(handler: &Value) -> bool {
    handler
        .get("command")
        .and_then(Value::as_str)
        .is_some_and(|c| c.contains("sessionlens") && c.ends_with("codex-hook"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_keeps_others_backs_up_and_is_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("hooks.json");
        let theirs = r#"{"description":"mine","hooks":{"PostToolUse":[{"matcher":"Bash","hooks":[{"type":"command","command":"./lint.sh"}]}]}}"#;
        std::fs::write(&file, theirs).unwrap();
        let out = install(&file, "/bin/sessionlens codex-hook").unwrap();
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
            install(&file, "/bin/sessionlens codex-hook").unwrap(),
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
        let out = install(&file, ON_PATH_COMMAND).unwrap();
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
        assert_eq!(start[1], entries(ON_PATH_COMMAND)[0].1, "in place");
        assert_eq!(start[2], old["hooks"]["SessionStart"][2]);
        assert_eq!(
            v["hooks"]["UserPromptSubmit"],
            old["hooks"]["UserPromptSubmit"]
        );
        assert!(matches!(
            install(&file, ON_PATH_COMMAND).unwrap(),
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
            hook_command(&exe, &path(&[&bin])).unwrap(),
            (ON_PATH_COMMAND.to_owned(), true)
        );
        let (quoted, stable) = hook_command(&exe, &path(&[&other, &bin])).unwrap();
        assert!(!stable, "another sessionlens comes first");
        assert!(
            quoted.ends_with("ext-1.2.3/sessionlens codex-hook"),
            "{quoted}"
        );
        assert!(!hook_command(&exe, &path(&[])).unwrap().1);
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
            let e = install(&file, "sessionlens codex-hook");
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
}
