//! What the developer typed, told apart from what Codex wrapped around it: the VS Code panel's
//! IDE preamble, the context Codex injects as user-role text, and the tags it wraps around
//! attachments.

use crate::normalize::IdeContext;

/// The VS Code panel prefixes prompts with "# Context from my IDE setup: … ## My request for
/// Codex:". Returns the request and the editor context it carried.
pub fn strip_ide_context(raw: &str) -> (&str, Option<IdeContext>) {
    const MARKER: &str = "## My request for Codex:";
    let Some(pos) = raw.find(MARKER) else {
        return (raw, None);
    };
    let preamble = &raw[..pos];
    if !preamble
        .trim_start()
        .starts_with("# Context from my IDE setup")
    {
        return (raw, None);
    }
    let mut ide = IdeContext::default();
    let mut in_tabs = false;
    for line in preamble.lines() {
        if let Some(f) = line.strip_prefix("## Active file:") {
            ide.active_file = Some(f.trim().to_owned());
            in_tabs = false;
        } else if line.starts_with("## Open tabs") {
            in_tabs = true;
        } else if line.starts_with("## ") {
            in_tabs = false;
        } else if in_tabs {
            if let Some(tab) = line.strip_prefix("- ") {
                let path = tab.split_once(": ").map_or(tab, |(_, p)| p);
                ide.open_tabs.push(path.trim().to_owned());
            }
        }
    }
    let has_ide = ide.active_file.is_some() || !ide.open_tabs.is_empty();
    (&raw[pos + MARKER.len()..], has_ide.then_some(ide))
}

/// Context Codex injects as user-role text: not the developer's words.
pub fn is_scaffolding(text: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "<environment_context>",
        "<user_instructions>",
        "# AGENTS.md instructions for",
        "<INSTRUCTIONS>",
        "<turn_aborted>",
        "<subagent_notification>",
        "<skill>",
        "<user_shell_command>",
        "<permissions instructions>",
        "<collaboration_mode>",
        "<apps_instructions>",
        "<skills_instructions>",
        "<developer_instructions>",
        "<personality_spec>",
        "<recommended_plugins>",
        "<codex_internal_context",
        "<send_user_message_question_reply>",
        "<hook_prompt",
        "<hook_context",
    ];
    let t = text.trim_start();
    PREFIXES.iter().any(|p| t.starts_with(p))
}

/// The prompt without Codex's attachment wrappers: `<image name=[Image #1] path=…>` and its
/// closing tag stand where an image was pasted; the reference `[Image #1]` stays.
pub fn strip_injected_wrappers(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("<image ") && !text.contains("</image>") {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("<image ") {
        out.push_str(&rest[..start]);
        let tag = &rest[start..];
        let Some(end) = tag.find('>') else {
            out.push_str(tag);
            rest = "";
            break;
        };
        if let Some(name) = tag[..end]
            .split_once("name=")
            .map(|(_, n)| n.split(" path=").next().unwrap_or(n).trim())
        {
            out.push_str(name.trim_matches('"'));
        }
        rest = &tag[end + 1..];
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out.replace("</image>", ""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ide_preamble_is_stripped_and_kept_as_context() {
        let raw = "# Context from my IDE setup:\n\n## Active file: src/App.tsx\n\n## Open tabs:\n- App.tsx: src/App.tsx\n- main.tsx: src/main.tsx\n\n## My request for Codex:\nWhat is `useEffect`?\n";
        let (text, ide) = strip_ide_context(raw);
        assert_eq!(text.trim(), "What is `useEffect`?");
        let ide = ide.unwrap();
        assert_eq!(ide.active_file.as_deref(), Some("src/App.tsx"));
        assert_eq!(ide.open_tabs, vec!["src/App.tsx", "src/main.tsx"]);
        assert_eq!(strip_ide_context("plain question").0, "plain question");
    }

    #[test]
    fn scaffolding_is_recognized() {
        assert!(is_scaffolding(
            "<environment_context>\n  <cwd>/p</cwd>\n</environment_context>"
        ));
        assert!(is_scaffolding(
            "# AGENTS.md instructions for /repo\n\n<INSTRUCTIONS>…"
        ));
        assert!(!is_scaffolding("Why does my <div> overflow?"));
        assert!(is_scaffolding(
            "<hook_prompt hook_run_id=\"h\">run it</hook_prompt>"
        ));
        assert!(is_scaffolding("<codex_internal_context source=\"x\">…"));
    }

    #[test]
    fn image_wrappers_leave_their_reference() {
        let t = "see <image name=[Image #1] path=/tmp/a.png></image> why is it blank?";
        assert_eq!(
            strip_injected_wrappers(t),
            "see [Image #1] why is it blank?"
        );
        assert_eq!(strip_injected_wrappers("plain"), "plain");
    }
}
