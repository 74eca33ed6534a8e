//! What a Claude Code hook event says about a shell command it ran. Claude Code runs every shell
//! command through its `Bash` tool; a `PostToolUse` carries the command in `tool_input` and, in
//! `tool_response`, the same `{stdout, stderr, interrupted, …}` object a transcript keeps as the
//! line's `toolUseResult`: its output is read as the transcript reader reads it
//! ([`tools::bash_output`]). Claude Code records no exit code, and none is made up.
//!
//! Only the hook's fallback uses this, when the event names no transcript to read (one Claude
//! Code has not written yet); otherwise the transcript reader sees the command, once.

use super::tools;
use crate::capture::live::Ran;
use serde_json::Value;

/// Tool names Claude Code gives shell commands in hook events.
pub const SHELL_TOOLS: &[&str] = &["Bash"];

/// The command a `PostToolUse` of `Bash` reports, from its `tool_input` and `tool_response`;
/// `None` when the input holds no command line.
pub fn ran(tool_input: Option<&Value>, tool_response: Option<&Value>) -> Option<Ran> {
    let command = tool_input?.get("command")?.as_str()?;
    if command.trim().is_empty() {
        return None;
    }
    let output = match tool_response {
        Some(Value::String(s)) => s.clone(),
        Some(v @ Value::Object(_)) => tools::bash_output("", Some(v)),
        Some(other) if !other.is_null() => other.to_string(),
        _ => String::new(),
    };
    Some(Ran {
        command: command.to_owned(),
        exit_code: None,
        duration_ms: None,
        output,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_bash_response_is_its_output_without_an_exit_code() {
        let input = json!({"command": "npm run lint", "description": "Lint"});
        let response = json!({"stdout": "a.ts:3 error\n", "stderr": "1 problem", "interrupted": false, "isImage": false});
        assert_eq!(
            ran(Some(&input), Some(&response)),
            Some(Ran {
                command: "npm run lint".into(),
                exit_code: None,
                duration_ms: None,
                output: "a.ts:3 error\n\n1 problem".into(),
            })
        );
        let quiet = json!({"stdout": "", "stderr": "", "interrupted": false});
        assert_eq!(ran(Some(&input), Some(&quiet)).unwrap().output, "");
        assert_eq!(
            ran(Some(&input), Some(&json!("text"))).unwrap().output,
            "text"
        );
        assert_eq!(ran(Some(&input), None).unwrap().output, "");
        assert_eq!(ran(Some(&json!({"command": " "})), None), None);
        assert_eq!(ran(Some(&json!({"file_path": "a.ts"})), None), None);
    }
}
