//! What the developer typed in a Claude Code `user` line versus what Claude Code wrote there
//! itself: slash-command markup and its local output, system reminders, hook output, task
//! notifications, `!` shell-mode lines (read as commands, not words) and the interruption notice — and the context Session
//! Lens handed to the assistant, which is cut out first.

use crate::normalize::text::strip_own_context;

/// Tags whose whole span Claude Code writes around or instead of the developer's words.
const INJECTED_TAGS: &[&str] = &[
    "command-name",
    "command-message",
    "command-args",
    "local-command-stdout",
    "local-command-stderr",
    "local-command-caveat",
    "system-reminder",
    "task-notification",
    "user-prompt-submit-hook",
    "bash-input",
    "bash-stdout",
    "bash-stderr",
];

/// Opens Claude Code's note that the developer stopped the assistant (`[Request interrupted by
/// user]`, `… for tool use]`).
const INTERRUPTED: &str = "[Request interrupted by user";

/// What one text of a user line is.
#[derive(Debug, PartialEq, Eq)]
pub enum Typed {
    /// The developer's words, markup and injected spans removed (trimmed, not yet redacted).
    Prompt(String),
    /// The developer interrupted the turn.
    Interrupted,
    /// Nothing the developer wrote.
    Scaffolding,
}

/// Classifies one text block (or string content) of a user line.
pub fn classify(text: &str) -> Typed {
    let own = strip_own_context(text);
    let text = strip_injected(&own);
    let text = text.trim();
    if text.is_empty() {
        Typed::Scaffolding
    } else if text.starts_with(INTERRUPTED) {
        Typed::Interrupted
    } else {
        Typed::Prompt(text.to_owned())
    }
}

/// `text` without the closed spans of [`INJECTED_TAGS`], wherever they stand (an unclosed tag
/// is left alone: it is more likely the developer's own text about one).
fn strip_injected(text: &str) -> String {
    let mut out = text.to_owned();
    if !out.contains('<') {
        return out;
    }
    for tag in INJECTED_TAGS {
        let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
        let mut from = 0;
        while let Some(start) = out[from..].find(&open).map(|i| i + from) {
            let Some(end) = out[start..].find(&close) else {
                break;
            };
            out.replace_range(start..start + end + close.len(), "");
            from = start;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::text::{OWN_CONTEXT_END, OWN_CONTEXT_MARKER};

    /// Claude Code's markup and our own context are cut; the developer's words (even about a
    /// tag) stay.
    #[test]
    fn markup_reminders_and_own_context_are_not_prompts() {
        for t in [
            "<command-name>/mcp</command-name>\n  <command-message>mcp</command-message>\n  <command-args></command-args>",
            "<local-command-stdout>Reconnected to tidewave.</local-command-stdout>",
            "<system-reminder>\nPostToolUse:Edit hook additional context: [CREDO]\n</system-reminder>",
            "<task-notification><task-id>b1</task-id></task-notification>",
            "",
        ] {
            assert_eq!(classify(t), Typed::Scaffolding, "{t}");
        }
        assert_eq!(
            classify("[Request interrupted by user]"),
            Typed::Interrupted
        );
        assert_eq!(
            classify("[Request interrupted by user for tool use]"),
            Typed::Interrupted
        );
        let pasted = format!(
            "{OWN_CONTEXT_MARKER}\n- useEffect: open\n{OWN_CONTEXT_END}\nwhy twice?\n<system-reminder>x</system-reminder>"
        );
        assert_eq!(classify(&pasted), Typed::Prompt("why twice?".into()));
        assert_eq!(
            classify("what does <system-reminder> mean?"),
            Typed::Prompt("what does <system-reminder> mean?".into())
        );
    }
}
