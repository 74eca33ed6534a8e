//! `sessionlens install codex-hooks`: adds `sessionlens codex-hook` to Codex's `hooks.json`
//! (`$CODEX_HOME/hooks.json`, or the repository's `.codex/hooks.json`) for `SessionStart`,
//! `UserPromptSubmit` and shell `PostToolUse` events. It edits a file the developer owns, so it
//! is careful: the old file is backed up, every other hook is kept, a file that is not valid
//! hooks JSON is left alone with a clear error, and a second run changes nothing.

use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The events the hook answers, with the matcher group Session Lens adds for each.
fn entries(command: &str) -> Vec<(&'static str, Value)> {
    vec![
        (
            "SessionStart",
            json!({ "matcher": "startup|resume|clear", "hooks": [ {
                "type": "command", "command": command, "timeout": 5,
                "statusMessage": "Loading past learnings" } ] }),
        ),
        (
            "UserPromptSubmit",
            json!({ "hooks": [ { "type": "command", "command": command, "timeout": 5 } ] }),
        ),
        (
            "PostToolUse",
            json!({ "matcher": "Bash", "hooks": [ {
                "type": "command", "command": command, "timeout": 5 } ] }),
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
    let command = match shlex::try_quote(&exe.to_string_lossy()) {
        Ok(q) => format!("{q} codex-hook"),
        Err(_) => anyhow::bail!("the binary's path {} cannot be quoted", exe.display()),
    };
    match install(&file, &command)? {
        Outcome::AlreadyInstalled => {
            println!("Session Lens hooks already installed in {}", file.display());
        }
        Outcome::Written { backup, added } => {
            println!("Added {} to {}", added.join(", "), file.display());
            if let Some(b) = backup {
                println!("The previous file is kept as {}", b.display());
            }
            println!(
                "Codex asks you to review and trust new hooks once before they run. Hooks are on \
                 by default in current Codex; older versions need `codex_hooks = true` under \
                 `[features]` in config.toml."
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug)]
enum Outcome {
    AlreadyInstalled,
    Written {
        backup: Option<PathBuf>,
        added: Vec<&'static str>,
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
    for (event, group) in entries(command) {
        let groups = hooks
            .entry(event)
            .or_insert_with(|| Value::Array(Vec::new()))
            .as_array_mut()
            .ok_or_else(|| invalid(&format!("\"hooks.{event}\" is not an array")))?;
        if !groups.iter().any(is_ours) {
            groups.push(group);
            added.push(event);
        }
    }
    if added.is_empty() {
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
    Ok(Outcome::Written { backup, added })
}

/// Whether a matcher group already runs `sessionlens … codex-hook` (whichever binary path).
fn is_ours(group: &Value) -> bool {
    group
        .get("hooks")
        .and_then(Value::as_array)
        .is_some_and(|hs| {
            hs.iter().any(|h| {
                h.get("command")
                    .and_then(Value::as_str)
                    .is_some_and(|c| c.contains("sessionlens") && c.ends_with("codex-hook"))
            })
        })
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
        let Outcome::Written { backup, added } = out else {
            panic!("{out:?}")
        };
        assert_eq!(added, ["SessionStart", "UserPromptSubmit", "PostToolUse"]);
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
