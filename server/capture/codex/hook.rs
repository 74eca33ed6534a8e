//! What a Codex hook event says about a shell command it ran. A `PostToolUse` of a shell tool
//! carries the command in `tool_input` and its result in `tool_response`, whose text is one of the
//! output formats a rollout's `function_call_output` has (`Exit code:`, unified exec's
//! `Chunk ID:`, structured JSON): read here by the rollout's own parser ([`tools::parse_outcome`]),
//! and argv command lines unwrapped as the rollout's are ([`tools::unwrap_shell`]), so a command
//! reads the same whether it came from the hook or from the rollout.
//!
//! Only the hook's fallback uses this, when the event names no rollout to read (Codex's ephemeral
//! sessions); otherwise the rollout reader sees the command, once.

use super::tools;
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
    let (exit_code, duration_ms, output) = outcome(tool_response);
    Some(Ran {
        command,
        exit_code,
        duration_ms,
        output,
    })
}

/// The command line of a shell tool's input: `{"command": "npm test"}` or an argv array, whose
/// `bash -lc SCRIPT` is the script.
fn command_line(input: Option<&Value>) -> Option<String> {
    let command = match input?.get("command")? {
        Value::String(s) => s.clone(),
        Value::Array(parts) => {
            let argv: Vec<String> = parts
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect();
            tools::unwrap_shell(&argv).unwrap_or_else(|| tools::join_argv(&argv))
        }
        _ => return None,
    };
    (!command.trim().is_empty()).then_some(command)
}

/// Exit code, duration and output of a shell tool's response: the output text in one of the
/// rollout's formats, or an object whose fields name them (the output fields joined, each once).
fn outcome(response: Option<&Value>) -> (Option<i32>, Option<u64>, String) {
    match response {
        Some(Value::String(s)) => {
            let o = tools::parse_outcome(s);
            (o.exit_code, o.duration_ms, o.output)
        }
        Some(Value::Object(o)) => {
            let code = ["exit_code", "exitCode", "code"]
                .iter()
                .find_map(|k| o.get(*k).and_then(Value::as_i64))
                .and_then(crate::capture::exit_code);
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
            let duration_ms = o
                .get("duration_ms")
                .and_then(Value::as_u64)
                .or_else(|| o.get("duration_seconds").and_then(tools::duration_ms));
            let text = tools::parse_outcome(&output);
            (
                code.or(text.exit_code),
                duration_ms.or(text.duration_ms),
                text.output,
            )
        }
        Some(other) if !other.is_null() => (None, None, other.to_string()),
        _ => (None, None, String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn response(v: Value) -> (Option<i32>, Option<u64>, String) {
        outcome(Some(&v))
    }

    #[test]
    fn responses_are_read_in_every_output_format() {
        assert_eq!(
            response(json!(
                "Exit code: 2\nWall time: 1.5 seconds\nOutput:\nsrc/a.ts(3,1): error TS2339\n"
            )),
            (Some(2), Some(1500), "src/a.ts(3,1): error TS2339\n".into())
        );
        assert_eq!(
            response(json!(
                "Chunk ID: a57601\nWall time: 0.2500 seconds\nProcess exited with code 1\nOriginal token count: 0\nOutput:\nFAIL\n"
            )),
            (Some(1), Some(250), "FAIL\n".into())
        );
        assert_eq!(
            response(json!(
                "{\"output\":\"ok\\n\",\"metadata\":{\"exit_code\":0,\"duration_seconds\":0.5}}"
            )),
            (Some(0), Some(500), "ok\n".into())
        );
        // Milliseconds as the rollout reader counts them, rounded.
        assert_eq!(
            response(json!("Exit code: 0\nWall time: 1.0237 seconds\nOutput:\n")).1,
            Some(1024)
        );
        assert_eq!(
            response(json!("just text")),
            (None, None, "just text".into())
        );
        assert_eq!(
            response(json!({"exit_code": 0, "stdout": "ok", "stderr": "ok"})),
            (Some(0), None, "ok".into())
        );
        assert_eq!(
            response(json!({"output": "Exit code: 3\nOutput:\nno\n", "duration_seconds": 2})),
            (Some(3), Some(2000), "no\n".into())
        );
        assert_eq!(response(json!(7)), (None, None, "7".into()));
        // An exit code that does not fit is no exit code, never a wrapped 0 (a pass).
        assert_eq!(
            response(json!({"exit_code": 4_294_967_296_i64, "stdout": "boom"})).0,
            None
        );
        assert_eq!(
            response(json!(
                "{\"output\":\"\",\"metadata\":{\"exit_code\":4294967296}}"
            ))
            .0,
            None
        );
        assert_eq!(outcome(None), (None, None, String::new()));
    }

    #[test]
    fn command_lines_come_as_strings_or_argv() {
        let line = |input: Value| command_line(Some(&input));
        assert_eq!(
            line(json!({"command": "npm test"})).as_deref(),
            Some("npm test")
        );
        assert_eq!(
            line(json!({"command": ["bash", "-lc", "npm run build"]})).as_deref(),
            Some("npm run build")
        );
        assert_eq!(
            line(json!({"command": ["ls", "my dir"]})).as_deref(),
            Some("ls 'my dir'")
        );
        assert_eq!(line(json!({"command": " "})), None);
        assert_eq!(line(json!({"file": "x"})), None);
        let ran = ran(
            Some(&json!({"command": "npm test"})),
            Some(&json!(
                "Exit code: 1\nWall time: 0.1 seconds\nOutput:\nFAIL\n"
            )),
        );
        assert_eq!(
            ran,
            Some(Ran {
                command: "npm test".into(),
                exit_code: Some(1),
                duration_ms: Some(100),
                output: "FAIL\n".into(),
            })
        );
    }
}
