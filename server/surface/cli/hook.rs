//! `sessionlens codex-hook`: one Codex hook event as JSON on stdin, the hook's JSON answer on
//! stdout (Codex's hook protocol; `shared/docs/codex-format.md` §4.3). `SessionStart` and
//! `UserPromptSubmit` get the briefing for their cwd (and prompt) as
//! `hookSpecificOutput.additionalContext`; `PostToolUse` of a shell tool records the command as a
//! live event. It runs before every prompt, so it must be fast and must never break one: any
//! failure is an empty answer, exit 0 and a line on stderr. Stdout is protocol.

use crate::capture::live;
use crate::normalize::redact::Redactor;
use crate::normalize::text::{OUTPUT_CAP, excerpt};
use crate::normalize::{Body, Command, CommandStatus};
use crate::store::Store;
use crate::surface::briefing;
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

/// How long a hook waits for a store another process holds exclusively.
const LOCK_WAIT: Duration = Duration::from_millis(300);

/// Tool names Codex gives shell commands in hook events.
const SHELL_TOOLS: &[&str] = &[
    "Bash",
    "shell",
    "shell_command",
    "exec_command",
    "local_shell",
    "unified_exec",
];

/// Reads the event, answers it, and exits 0 whatever happened (a panic included).
pub fn run(data_dir: Option<&Path>) -> ExitCode {
    let mut input = String::new();
    let answer = match std::io::stdin().read_to_string(&mut input) {
        Ok(_) => std::panic::catch_unwind(|| answer(data_dir, &input, jiff::Timestamp::now()))
            .unwrap_or_else(|_| Err(anyhow::anyhow!("panicked; answering nothing"))),
        Err(e) => Err(anyhow::anyhow!("reading stdin: {e}")),
    };
    match answer {
        Ok(Some(v)) => {
            let mut out = std::io::stdout().lock();
            let written = serde_json::to_writer(&mut out, &v)
                .map_err(std::io::Error::from)
                .and_then(|()| writeln!(out))
                .and_then(|()| out.flush());
            if let Err(e) = written {
                tracing::error!("codex-hook: writing the answer: {e}");
            }
        }
        Ok(None) => {}
        Err(e) => tracing::error!("codex-hook: {e:#}"),
    }
    ExitCode::SUCCESS
}

/// The answer to one event, `None` for an empty answer.
fn answer(
    data_dir: Option<&Path>,
    input: &str,
    now: jiff::Timestamp,
) -> anyhow::Result<Option<Value>> {
    let event: Value = serde_json::from_str(input)?;
    let name = event
        .get("hook_event_name")
        .and_then(Value::as_str)
        .ok_or_else(|| anyhow::anyhow!("no hook_event_name in the event"))?;
    let cwd = event.get("cwd").and_then(Value::as_str);
    match name {
        "SessionStart" | "UserPromptSubmit" => {
            let cwd = cwd.ok_or_else(|| anyhow::anyhow!("{name} without a cwd"))?;
            let prompt = match name {
                "UserPromptSubmit" => Some(
                    event
                        .get("prompt")
                        .and_then(Value::as_str)
                        .ok_or_else(|| anyhow::anyhow!("UserPromptSubmit without a prompt"))?,
                ),
                _ => None,
            };
            let Some(store) = open(data_dir, false)? else {
                return Ok(None);
            };
            let insights = crate::surface::knowledge::Knowledge::load_quick(&store)?.insights;
            let text = briefing::briefing(
                &insights,
                Path::new(cwd),
                prompt,
                briefing::DEFAULT_MAX_CHARS,
                now,
            );
            if text.is_empty() {
                return Ok(None);
            }
            Ok(Some(json!({
                "hookSpecificOutput": { "hookEventName": name, "additionalContext": text }
            })))
        }
        "PostToolUse" => {
            let tool = event.get("tool_name").and_then(Value::as_str).unwrap_or("");
            if !SHELL_TOOLS.contains(&tool) {
                tracing::debug!("codex-hook: PostToolUse of {tool:?} is not a shell command");
                return Ok(None);
            }
            let cwd = cwd.ok_or_else(|| anyhow::anyhow!("PostToolUse without a cwd"))?;
            let command = command_line(event.get("tool_input"))
                .ok_or_else(|| anyhow::anyhow!("PostToolUse of {tool} without a command"))?;
            let result = CommandResult::parse(event.get("tool_response"));
            record(data_dir, cwd, &command, &result)?;
            Ok(None)
        }
        other => {
            tracing::warn!("codex-hook: {other} is not an event Session Lens answers");
            Ok(None)
        }
    }
}

/// The store, waiting briefly for it; `None` when it does not exist yet and `create` is false.
fn open(data_dir: Option<&Path>, create: bool) -> anyhow::Result<Option<Store>> {
    let dir = crate::config::data_dir(data_dir)?;
    let path = crate::config::store_path(&dir);
    if !create && !path.exists() {
        return Ok(None);
    }
    Ok(Some(Store::open_with_wait(&path, LOCK_WAIT)?))
}

/// The command line of a shell tool's input: `{"command": "npm test"}` or an argv array.
fn command_line(input: Option<&Value>) -> Option<String> {
    let c = input?.get("command")?;
    match c {
        Value::String(s) => Some(s.clone()),
        Value::Array(parts) => {
            let argv: Vec<&str> = parts.iter().filter_map(Value::as_str).collect();
            // `bash -lc SCRIPT` is the script, as rollouts are read.
            match argv.as_slice() {
                [sh, flag, script] if sh.ends_with("sh") && flag.starts_with('-') => {
                    Some((*script).to_owned())
                }
                _ => Some(shlex::try_join(argv.iter().copied()).unwrap_or(argv.join(" "))),
            }
        }
        _ => None,
    }
    .filter(|s| !s.trim().is_empty())
}

/// What a shell tool's response says, in any of the shapes Codex sends.
#[derive(Debug, Default, PartialEq)]
struct CommandResult {
    exit_code: Option<i32>,
    duration_ms: Option<u64>,
    output: String,
}

impl CommandResult {
    fn parse(response: Option<&Value>) -> CommandResult {
        match response {
            Some(Value::String(s)) => CommandResult::from_text(s),
            Some(Value::Object(o)) => {
                let code = ["exit_code", "exitCode", "code"]
                    .iter()
                    .find_map(|k| o.get(*k).and_then(Value::as_i64))
                    .map(|c| c as i32);
                let mut output = String::new();
                for k in ["output", "stdout", "aggregated_output", "stderr"] {
                    if let Some(s) = o.get(k).and_then(Value::as_str) {
                        if !s.is_empty() && !output.contains(s) {
                            if !output.is_empty() {
                                output.push('\n');
                            }
                            output.push_str(s);
                        }
                    }
                }
                let duration_ms = o.get("duration_ms").and_then(Value::as_u64).or_else(|| {
                    o.get("duration_seconds")
                        .and_then(Value::as_f64)
                        .map(|s| (s * 1000.0) as u64)
                });
                let from_text = CommandResult::from_text(&output);
                CommandResult {
                    exit_code: code.or(from_text.exit_code),
                    duration_ms: duration_ms.or(from_text.duration_ms),
                    output: from_text.output,
                }
            }
            Some(other) if !other.is_null() => CommandResult {
                output: other.to_string(),
                ..CommandResult::default()
            },
            _ => CommandResult::default(),
        }
    }

    /// Codex's text form: `Exit code: 1\nWall time: 0.2 seconds\nOutput:\n…`; any other text is
    /// the output as is.
    fn from_text(s: &str) -> CommandResult {
        let mut r = CommandResult::default();
        let mut rest = s;
        loop {
            let (line, after) = rest.split_once('\n').unwrap_or((rest, ""));
            if let Some(v) = line.strip_prefix("Exit code:") {
                r.exit_code = v.trim().parse().ok();
            } else if let Some(v) = line.strip_prefix("Wall time:") {
                r.duration_ms = v
                    .trim()
                    .trim_end_matches("seconds")
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .map(|s| (s * 1000.0) as u64);
            } else if line.starts_with("Output:") {
                r.output = after.to_owned();
                return r;
            } else if !line.starts_with("Total output lines:") && !line.starts_with("Process ") {
                r.output = s.to_owned();
                return r;
            }
            if after.is_empty() {
                return r;
            }
            rest = after;
        }
    }
}

/// Stores the command as a `command` event (tool `codex-hook`) of the folder's local session.
fn record(
    data_dir: Option<&Path>,
    cwd: &str,
    command: &str,
    result: &CommandResult,
) -> anyhow::Result<()> {
    let redactor = Redactor::global();
    let body = Body::Command(Command {
        command: redactor.redact(command).into_owned(),
        workdir: Some(cwd.to_owned()),
        exit_code: result.exit_code,
        duration_ms: result.duration_ms,
        output: redactor
            .redact(&excerpt(&result.output, OUTPUT_CAP))
            .into_owned(),
        tool: "codex-hook".into(),
        status: if result.exit_code.is_some() {
            CommandStatus::Exited
        } else {
            CommandStatus::Ran
        },
    });
    let at = live::now();
    let turn = Some(format!("cmd-{}", crate::normalize::live_event_id(cwd)));
    let events = live::events("codex-hook", cwd, &at, turn, body);
    let Some(store) = open(data_dir, true)? else {
        anyhow::bail!("the store could not be opened");
    };
    store.commit(&events, &[])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codex_text_responses_are_read() {
        let r = CommandResult::parse(Some(&json!(
            "Exit code: 2\nWall time: 1.5 seconds\nOutput:\nsrc/a.ts(3,1): error TS2339\n"
        )));
        assert_eq!(r.exit_code, Some(2));
        assert_eq!(r.duration_ms, Some(1500));
        assert_eq!(r.output, "src/a.ts(3,1): error TS2339\n");
        let r = CommandResult::parse(Some(&json!("just text")));
        assert_eq!((r.exit_code, r.output.as_str()), (None, "just text"));
        let r = CommandResult::parse(Some(&json!({"exit_code": 0, "stdout": "ok"})));
        assert_eq!((r.exit_code, r.output.as_str()), (Some(0), "ok"));
        assert_eq!(CommandResult::parse(None), CommandResult::default());
    }

    #[test]
    fn command_lines_come_as_strings_or_argv() {
        assert_eq!(
            command_line(Some(&json!({"command": "npm test"}))).as_deref(),
            Some("npm test")
        );
        assert_eq!(
            command_line(Some(&json!({"command": ["bash", "-lc", "npm run build"]}))).as_deref(),
            Some("npm run build")
        );
        assert_eq!(
            command_line(Some(&json!({"command": ["ls", "my dir"]}))).as_deref(),
            Some("ls 'my dir'")
        );
        assert_eq!(command_line(Some(&json!({"file": "x"}))), None);
    }

    #[test]
    fn bad_input_and_unknown_events_are_errors_or_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let now = jiff::Timestamp::now();
        assert!(answer(Some(dir.path()), "not json", now).is_err());
        assert!(answer(Some(dir.path()), "{}", now).is_err());
        let stop = r#"{"hook_event_name":"Stop","cwd":"/w"}"#;
        assert!(answer(Some(dir.path()), stop, now).unwrap().is_none());
        let start = r#"{"hook_event_name":"SessionStart","cwd":"/w","source":"startup"}"#;
        assert!(answer(Some(dir.path()), start, now).unwrap().is_none());
        assert!(!dir.path().join("store.redb").exists(), "no store created");
    }
}
