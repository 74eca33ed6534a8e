//! The shapes Codex writes, as far as Session Lens reads them: the line envelope, the typed
//! payloads of the most frequent lines, the lists of line kinds that are used or knowingly
//! ignored, and the session header in all its generations. Interpretation lives in `rollout`.

use crate::normalize::{SessionInfo, TokenUsage};
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use std::borrow::Cow;

#[derive(Deserialize)]
pub(super) struct Envelope<'a> {
    #[serde(borrow, default)]
    pub(super) timestamp: Option<Cow<'a, str>>,
    #[serde(rename = "type", borrow, default)]
    pub(super) kind: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub(super) payload: Option<&'a RawValue>,
    /// The line's place in a paginated thread (Codex 0.148+): 0, 1, 2, …
    #[serde(default)]
    pub(super) ordinal: Option<u64>,
    #[serde(default)]
    pub(super) record_type: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
pub(super) struct TypeOnly<'a> {
    #[serde(rename = "type", borrow, default)]
    pub(super) kind: Option<Cow<'a, str>>,
}

/// The response items that carry something Session Lens uses in envelope files.
pub(super) const WANTED_ITEMS: &[&str] = &[
    "function_call",
    "custom_tool_call",
    "function_call_output",
    "custom_tool_call_output",
    "local_shell_call",
];

/// The `event_msg` kinds that carry something Session Lens uses (besides `token_count`).
pub(super) const WANTED_EVENTS: &[&str] = &[
    "user_message",
    "agent_message",
    "agent_reasoning",
    "task_started",
    "turn_started",
    "task_complete",
    "turn_complete",
    "turn_aborted",
    "exec_command_end",
    "patch_apply_end",
    "item_completed",
    "web_search_end",
    "mcp_tool_call_end",
];

/// Known line kinds that carry nothing Session Lens uses.
pub(super) const IGNORED_LINE_KINDS: &[&str] = &[
    "world_state",
    "token_usage_record",
    "inter_agent_communication",
    "inter_agent_communication_metadata",
    "retained_context",
    "security_risk_score",
    "realtime_item",
];

/// Known response items that carry nothing Session Lens uses (in envelope files, messages and
/// reasoning are read from `event_msg` instead).
pub(super) const IGNORED_ITEMS: &[&str] = &[
    "ghost_snapshot",
    "web_search_call",
    "tool_search_call",
    "tool_search_output",
    "image_generation_call",
    "compaction",
    "compaction_summary",
    "context_compaction",
    "compaction_trigger",
    "agent_message",
    "additional_tools",
    "configuration_update",
    "other",
];

/// The `type` of a payload without parsing all of it: Codex writes the tag first, compactly; a
/// pretty-printed or reordered payload falls back to a real parse.
pub(super) fn sniff_type(payload: &str) -> Option<Cow<'_, str>> {
    if let Some(rest) = payload.strip_prefix("{\"type\":\"") {
        if let Some(end) = rest.find('"') {
            let name = &rest[..end];
            if !name.contains('\\') {
                return Some(Cow::Borrowed(name));
            }
        }
    }
    serde_json::from_str::<TypeOnly>(payload)
        .ok()
        .and_then(|t| t.kind)
}

pub(super) fn str_field(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

pub(super) fn content_text(content: Option<&Value>) -> String {
    match content {
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join("\n"),
        Some(Value::String(s)) => s.clone(),
        _ => String::new(),
    }
}

#[derive(Deserialize)]
pub(super) struct TurnContext<'a> {
    #[serde(borrow, default)]
    pub(super) turn_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub(super) model: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub(super) cwd: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
pub(super) struct TokenCount {
    #[serde(default)]
    pub(super) info: Option<TokenInfo>,
}

#[derive(Deserialize)]
pub(super) struct TokenInfo {
    #[serde(default)]
    pub(super) total_token_usage: Option<RawUsage>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct RawUsage {
    pub(super) input_tokens: u64,
    pub(super) cached_input_tokens: u64,
    pub(super) output_tokens: u64,
    pub(super) reasoning_output_tokens: u64,
    pub(super) total_tokens: u64,
}

impl From<RawUsage> for TokenUsage {
    fn from(u: RawUsage) -> TokenUsage {
        TokenUsage {
            input: u.input_tokens,
            cached_input: u.cached_input_tokens,
            output: u.output_tokens,
            reasoning_output: u.reasoning_output_tokens,
            total: u.total_tokens,
        }
    }
}

/// The session header, whatever its generation.
pub(super) fn session_info(v: &Value, at: &str) -> SessionInfo {
    let originator = str_field(v, "originator");
    let source = v.get("source");
    let surface = match source {
        Some(Value::String(s)) if !s.is_empty() => s.to_ascii_lowercase(),
        Some(Value::Object(o)) => match o.iter().next() {
            Some((k, Value::String(name))) if k == "custom" => format!("custom:{name}"),
            Some((k, _)) => k.to_ascii_lowercase(),
            None => "unknown".to_owned(),
        },
        _ => surface_from_originator(originator.as_deref()),
    };
    let (agent, spawned_by) = agent_of(source.and_then(|s| s.get("subagent")));
    // Reviewer threads say so in `thread_source` too (`guardian_review`), whatever their source.
    let agent = agent.or_else(|| {
        str_field(v, "thread_source")
            .filter(|t| t.starts_with("guardian"))
            .map(|_| "guardian".to_owned())
    });
    let git = v.get("git");
    SessionInfo {
        surface,
        originator,
        cwd: str_field(v, "cwd"),
        model: str_field(v, "model"),
        cli_version: str_field(v, "cli_version"),
        git_branch: git.and_then(|g| str_field(g, "branch")),
        git_commit: git.and_then(|g| str_field(g, "commit_hash")),
        started_at: str_field(v, "timestamp").unwrap_or_else(|| at.to_owned()),
        forked_from: str_field(v, "forked_from_id"),
        agent,
        parent: spawned_by.or_else(|| str_field(v, "parent_thread_id")),
    }
}

/// Which kind of agent started a sub-agent thread (`source: {"subagent": …}`): `"review"`,
/// `{"thread_spawn": {parent_thread_id, …}}`, `{"other": "guardian"}`, … — and its parent.
fn agent_of(subagent: Option<&Value>) -> (Option<String>, Option<String>) {
    match subagent {
        Some(Value::String(kind)) if !kind.is_empty() => (Some(kind.clone()), None),
        Some(Value::Object(o)) => match o.iter().next() {
            Some((k, Value::String(name))) if k == "other" => (Some(name.clone()), None),
            Some((k, detail)) => (Some(k.clone()), str_field(detail, "parent_thread_id")),
            None => (Some("unknown".into()), None),
        },
        Some(_) => (Some("unknown".into()), None),
        None => (None, None),
    }
}

pub(super) fn surface_from_originator(originator: Option<&str>) -> String {
    let o = originator.unwrap_or("").to_ascii_lowercase();
    let s = if o.contains("vscode") || o.contains("ide") {
        "vscode"
    } else if o.contains("exec") {
        "exec"
    } else if o.contains("cli") || o.contains("tui") {
        "cli"
    } else {
        "unknown"
    };
    s.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent_threads_say_which_agent_and_whose() {
        let spawn = serde_json::json!({"id": "c", "source": {"subagent": {"thread_spawn":
            {"parent_thread_id": "p", "depth": 1, "agent_role": "worker"}}}, "thread_source": "subagent"});
        let info = session_info(&spawn, "t");
        assert_eq!(info.surface, "subagent");
        assert_eq!(info.agent.as_deref(), Some("thread_spawn"));
        assert_eq!(info.parent.as_deref(), Some("p"));
        let guardian = serde_json::json!({"source": {"subagent": {"other": "guardian"}},
            "thread_source": "guardian_review"});
        assert_eq!(
            session_info(&guardian, "t").agent.as_deref(),
            Some("guardian")
        );
        let review = serde_json::json!({"source": {"subagent": "review"}});
        assert_eq!(session_info(&review, "t").agent.as_deref(), Some("review"));
        let person = serde_json::json!({"source": "vscode", "thread_source": "user"});
        let info = session_info(&person, "t");
        assert!(!info.is_agent_thread());
        assert_eq!(info.surface, "vscode");
    }

    #[test]
    fn type_sniffing_handles_compact_and_pretty_payloads() {
        assert_eq!(
            sniff_type(r#"{"type":"token_count","info":null}"#).as_deref(),
            Some("token_count")
        );
        assert_eq!(
            sniff_type(r#"{ "info": null, "type": "token_count" }"#).as_deref(),
            Some("token_count")
        );
        assert_eq!(sniff_type(r#"{"info":1}"#), None);
    }
}
