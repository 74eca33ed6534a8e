//! What a hook event says about a shell command it ran: a `PostToolUse` of a shell tool carries
//! the command in `tool_input` and its result in `tool_response`, in any of the shapes Codex and
//! Claude Code send (Codex's `Exit code:` text, objects with an exit code, Claude Code's
//! `{stdout, stderr, interrupted}` without one).
//!
//! Only the hook's fallback uses this, when the event names no rollout to read (Codex's ephemeral
//! sessions); otherwise the rollout reader sees the command, once.

use crate::capture::live::Ran;
use serde_json::Value;

/// Tool names Codex gives shell commands in hook events.
pub const SHELL_TOOLS: &[&str] = &[
    "Bash",
    "shell",
    "shell_command",
    "exec_command",
    "local_shell",
    "unified_exec",
];

/// The command a `PostToolUse` of a shell tool reports, from its `tool_input` and
/// `tool_response`; `None` when the input holds no command line.
pub fn ran(tool_input: Option<&Value>, tool_response: Option<&Value>) -> Option<Ran> {
    let command = command_line(tool_input)?;
    let result = CommandResult::parse(tool_response);
    Some(Ran {
        command,
        exit_code: result.exit_code,
        duration_ms: result.duration_ms,
        output: result.output,
    })
}

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

/// What a shell tool's response says, in any of the shapes Codex and Claude Code send (Claude
/// Code's `{stdout, stderr, interrupted}` has no exit code).
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
}
