//! What a Claude Code hook event says about a shell command it ran. Claude Code runs every shell
//! command through its `Bash` tool and speaks Codex's hook protocol, so its payloads are read as
//! Codex's are (`codex::hook`).

use crate::capture::live::Ran;
use serde_json::Value;

/// Tool names Claude Code gives shell commands in hook events.
pub const SHELL_TOOLS: &[&str] = &["Bash"];

/// The command a `PostToolUse` of `Bash` reports, from its `tool_input` and `tool_response`;
/// `None` when the input holds no command line.
pub fn ran(tool_input: Option<&Value>, tool_response: Option<&Value>) -> Option<Ran> {
    crate::capture::codex::hook::ran(tool_input, tool_response)
}
