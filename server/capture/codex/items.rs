//! Codex's turn items, decoded: what a paginated rollout (Codex 0.148+) writes as `event_msg`
//! `item_completed` in place of the legacy messages, and the legacy end events (`web_search_end`,
//! `mcp_tool_call_end`) that carry the same facts in older files. Pure decoding, no state: the
//! rollout state machine decides what each item means for the turn it is in.
//!
//! Field names are read in both spellings where Codex has written both (`exit_code` and
//! `exitCode`: the rollout's items were snake_case in some versions and camelCase in others).

use super::tools;
use super::wire::str_field;
use crate::normalize::McpCall;
use crate::normalize::text::{OUTPUT_CAP, excerpt, truncate};
use serde_json::Value;

/// What Codex writes when it cuts a persisted command output or MCP result to 64 KiB.
const PERSISTENCE_CUT: &str = "\n... command output truncated for persistence ...\n";

/// Longest argument JSON kept for an MCP call.
const ARGUMENTS_CAP: usize = 1024;

/// One `item_completed` item, as far as Session Lens reads it.
pub(super) enum Item {
    /// The developer's input: its text blocks joined (as Codex does), and how many images.
    UserMessage {
        text: String,
        images: u32,
    },
    /// A hook's reason written back as a user message: never the developer's words.
    HookPrompt,
    /// The assistant's text, one entry per content block, and its phase.
    AgentMessage {
        texts: Vec<String>,
        phase: Option<String>,
    },
    /// Reasoning summaries shown to the user. The same item id may be written again with more
    /// entries (Codex's migration accumulates them), so `id` tells a repeat from a new item.
    Reasoning {
        id: String,
        summaries: Vec<String>,
    },
    /// A command that ran (or was declined): the end of a call, or a call of its own.
    Command(CommandItem),
    /// Files an apply_patch changed: `changes` in `patch_apply_end`'s shape.
    FileChange {
        id: String,
        changes: Value,
        success: Option<bool>,
    },
    Plan {
        text: String,
    },
    WebSearch(WebSearchItem),
    Mcp {
        id: String,
        call: McpCall,
    },
    /// A kind Session Lens knows and does not use (sleep, image views, compaction markers, …).
    Ignored,
    /// A kind this version does not know.
    Unknown(String),
}

/// A `CommandExecution` item.
pub(super) struct CommandItem {
    pub(super) id: String,
    /// The argv as Codex ran it (`["/bin/zsh", "-lc", "npm test"]`), or one command line.
    pub(super) argv: Vec<String>,
    pub(super) cwd: Option<String>,
    pub(super) exit_code: Option<i32>,
    pub(super) duration_ms: Option<u64>,
    pub(super) output: String,
    pub(super) declined: bool,
    /// `user_shell` for a command the developer ran themselves (`!cmd`), else `agent`.
    pub(super) source: String,
}

pub(super) struct WebSearchItem {
    pub(super) id: String,
    pub(super) action: String,
    pub(super) query: String,
    pub(super) url: Option<String>,
}

/// Item kinds that are known and carry nothing Session Lens uses.
const IGNORED: &[&str] = &[
    "ContextCompaction",
    "Sleep",
    "ImageView",
    "ImageGeneration",
    "DynamicToolCall",
    "CollabAgentToolCall",
    "SubAgentActivity",
    "EnteredReviewMode",
    "ExitedReviewMode",
    "FunctionCallOutput",
    "Extension",
];

/// Decodes `item_completed.item`.
pub(super) fn decode(item: &Value) -> Item {
    let kind = item.get("type").and_then(Value::as_str).unwrap_or("");
    let id = || str_field(item, "id").unwrap_or_default();
    match kind {
        "UserMessage" => {
            let blocks = item.get("content").and_then(Value::as_array);
            let mut text = String::new();
            let mut images = 0;
            for b in blocks.into_iter().flatten() {
                match b.get("type").and_then(Value::as_str) {
                    Some("text") => {
                        text.push_str(b.get("text").and_then(Value::as_str).unwrap_or(""))
                    }
                    Some("image" | "local_image" | "localImage") => images += 1,
                    _ => {}
                }
            }
            Item::UserMessage { text, images }
        }
        "HookPrompt" => Item::HookPrompt,
        "AgentMessage" => Item::AgentMessage {
            texts: item
                .get("content")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|c| c.get("text").and_then(Value::as_str))
                .map(str::to_owned)
                .collect(),
            phase: str_field(item, "phase"),
        },
        "Reasoning" => Item::Reasoning {
            id: id(),
            summaries: strings(field(item, &["summary_text", "summaryText"])),
        },
        "CommandExecution" => Item::Command(command(item)),
        "FileChange" => Item::FileChange {
            id: id(),
            changes: item.get("changes").cloned().unwrap_or(Value::Null),
            success: match item.get("status").and_then(Value::as_str) {
                Some("completed") => Some(true),
                Some("failed" | "declined") => Some(false),
                _ => None,
            },
        },
        "Plan" => Item::Plan {
            text: str_field(item, "text").unwrap_or_default(),
        },
        "WebSearch" => Item::WebSearch(web_search(id(), item)),
        // Newer builds write web searches as an `Extension` item that carries the same fields.
        "Extension" if item.get("action").is_some() && item.get("query").is_some() => {
            Item::WebSearch(web_search(id(), item))
        }
        "McpToolCall" => Item::Mcp {
            id: id(),
            call: mcp_item(item),
        },
        k if IGNORED.contains(&k) => Item::Ignored,
        other => Item::Unknown(other.to_owned()),
    }
}

fn command(item: &Value) -> CommandItem {
    let argv = match item.get("command") {
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|p| p.as_str().map(str::to_owned))
            .collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    };
    let status = item.get("status").and_then(Value::as_str).unwrap_or("");
    let output = ["aggregated_output", "aggregatedOutput"]
        .iter()
        .chain(&["formatted_output", "formattedOutput", "stdout"])
        .find_map(|k| str_field(item, k))
        .unwrap_or_default();
    let source = match item.get("source").and_then(Value::as_str) {
        Some("user_shell" | "userShell") => "user_shell",
        _ => "agent",
    };
    CommandItem {
        id: str_field(item, "id").unwrap_or_default(),
        argv,
        cwd: item.get("cwd").and_then(Value::as_str).map(path_of_uri),
        exit_code: field(item, &["exit_code", "exitCode"])
            .and_then(Value::as_i64)
            .and_then(crate::capture::exit_code),
        duration_ms: item.get("duration").and_then(tools::duration_ms),
        output: uncut(&output),
        declined: status == "declined",
        source: source.to_owned(),
    }
}

fn web_search(id: String, v: &Value) -> WebSearchItem {
    let action = v.get("action");
    let kind = action
        .and_then(|a| a.get("type"))
        .and_then(Value::as_str)
        .unwrap_or("other");
    let kind = match kind {
        "search" => "search",
        "open_page" | "openPage" => "open_page",
        "find_in_page" | "findInPage" => "find_in_page",
        _ => "other",
    };
    let mut query = str_field(v, "query")
        .or_else(|| action.and_then(|a| str_field(a, "query")))
        .or_else(|| action.and_then(|a| str_field(a, "pattern")))
        .unwrap_or_default();
    if query.is_empty() {
        query = strings(action.and_then(|a| a.get("queries"))).join("; ");
    }
    WebSearchItem {
        id,
        action: kind.to_owned(),
        query,
        url: action.and_then(|a| str_field(a, "url")),
    }
}

/// A paginated `McpToolCall` item.
fn mcp_item(item: &Value) -> McpCall {
    let status = item.get("status").and_then(Value::as_str).unwrap_or("");
    let result = item.get("result").filter(|r| !r.is_null());
    let error = item
        .get("error")
        .and_then(|e| e.get("message").or(Some(e)))
        .and_then(Value::as_str);
    let success = match (status, result) {
        ("failed", _) => Some(false),
        (_, Some(r)) => Some(!is_error(r)),
        ("completed", None) => Some(error.is_none()),
        _ => error.map(|_| false),
    };
    mcp_call(
        str_field(item, "server").unwrap_or_default(),
        str_field(item, "tool").unwrap_or_default(),
        item.get("arguments"),
        success,
        item.get("duration").and_then(tools::duration_ms),
        result.map(result_text).or(error.map(str::to_owned)),
    )
}

/// A legacy `mcp_tool_call_end`: `{call_id, invocation: {server, tool, arguments}, duration,
/// result: {"Ok": CallToolResult} | {"Err": message}}`.
pub(super) fn legacy_mcp_end(v: &Value) -> Option<(String, McpCall)> {
    let id = str_field(v, "call_id")?;
    let inv = v.get("invocation");
    let result = v.get("result");
    let ok = result.and_then(|r| r.get("Ok").or_else(|| r.get("ok")));
    let err = result
        .and_then(|r| r.get("Err").or_else(|| r.get("err")))
        .and_then(Value::as_str);
    let (success, output) = match (ok, err) {
        (Some(r), _) => (Some(!is_error(r)), Some(result_text(r))),
        (None, Some(e)) => (Some(false), Some(e.to_owned())),
        _ => (None, None),
    };
    let call = mcp_call(
        inv.and_then(|i| str_field(i, "server")).unwrap_or_default(),
        inv.and_then(|i| str_field(i, "tool")).unwrap_or_default(),
        inv.and_then(|i| i.get("arguments")),
        success,
        v.get("duration").and_then(tools::duration_ms),
        output,
    );
    Some((id, call))
}

/// A legacy `web_search_end`: `{call_id, query, action}`.
pub(super) fn legacy_web_search_end(v: &Value) -> Option<WebSearchItem> {
    let id = str_field(v, "call_id")?;
    Some(web_search(id, v))
}

fn mcp_call(
    server: String,
    tool: String,
    arguments: Option<&Value>,
    success: Option<bool>,
    duration_ms: Option<u64>,
    output: Option<String>,
) -> McpCall {
    let arguments = match arguments {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => truncate(s, ARGUMENTS_CAP),
        Some(v) => truncate(&v.to_string(), ARGUMENTS_CAP),
    };
    // Session Lens's own answers come from the store: keeping them would feed it its own echo.
    let output = if is_own_server(&server) {
        String::new()
    } else {
        excerpt(&uncut(&output.unwrap_or_default()), OUTPUT_CAP)
    };
    McpCall {
        server,
        tool,
        arguments,
        success,
        duration_ms,
        output,
    }
}

/// The MCP server `sessionlens install codex-mcp` registers.
fn is_own_server(name: &str) -> bool {
    name.eq_ignore_ascii_case("sessionlens")
}

fn is_error(result: &Value) -> bool {
    field(result, &["isError", "is_error"])
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// The text blocks of an MCP `CallToolResult`, else its structured content as JSON.
fn result_text(result: &Value) -> String {
    let texts: Vec<&str> = result
        .get("content")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| c.get("text").and_then(Value::as_str))
        .collect();
    if !texts.is_empty() {
        return texts.join("\n");
    }
    field(result, &["structuredContent", "structured_content"])
        .map(Value::to_string)
        .unwrap_or_default()
}

fn field<'a>(v: &'a Value, names: &[&str]) -> Option<&'a Value> {
    names
        .iter()
        .find_map(|n| v.get(*n))
        .filter(|x| !x.is_null())
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

/// Codex's persistence cut, as the elision marker every other output excerpt uses.
fn uncut(text: &str) -> String {
    match text.split_once(PERSISTENCE_CUT) {
        Some((head, tail)) => format!("{head}\n… [output elided] …\n{tail}"),
        None => text.to_owned(),
    }
}

/// A `PathUri` (`file:///home/dev/my%20app`) as a path; anything else as written.
pub(super) fn path_of_uri(s: &str) -> String {
    let Some(rest) = s.strip_prefix("file://") else {
        return s.to_owned();
    };
    // `file://host/path` names a host; the local form has an empty one.
    let path = if rest.starts_with('/') {
        rest
    } else {
        rest.find('/').map_or(rest, |i| &rest[i..])
    };
    percent_decode(path)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            if let Some(b) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn user_message_joins_text_blocks_and_counts_images() {
        let Item::UserMessage { text, images } = decode(&json!({"type": "UserMessage", "id": "u",
            "content": [{"type": "text", "text": "why does ", "text_elements": []},
                        {"type": "local_image", "path": "/tmp/a.png"},
                        {"type": "text", "text": "this fail?"}]}))
        else {
            panic!("a user message")
        };
        assert_eq!((text.as_str(), images), ("why does this fail?", 1));
    }

    #[test]
    fn command_items_in_either_spelling() {
        for item in [
            json!({"type": "CommandExecution", "id": "c1", "command": ["/bin/zsh", "-lc", "npm test"],
                "cwd": "file:///home/dev/my%20app", "status": "failed", "exit_code": 1,
                "duration": {"secs": 2, "nanos": 500_000_000}, "aggregated_output": "FAIL"}),
            json!({"type": "CommandExecution", "id": "c1", "command": ["/bin/zsh", "-lc", "npm test"],
                "cwd": "/home/dev/my app", "status": "failed", "exitCode": 1,
                "duration": {"secs": 2, "nanos": 500_000_000}, "aggregatedOutput": "FAIL"}),
        ] {
            let Item::Command(c) = decode(&item) else {
                panic!("a command")
            };
            assert_eq!(c.id, "c1");
            assert_eq!(c.cwd.as_deref(), Some("/home/dev/my app"));
            assert_eq!((c.exit_code, c.duration_ms), (Some(1), Some(2500)));
            assert_eq!(c.output, "FAIL");
        }
    }

    #[test]
    fn persisted_output_cut_reads_as_an_elision() {
        let cut = format!("head{PERSISTENCE_CUT}tail");
        assert_eq!(uncut(&cut), "head\n… [output elided] …\ntail");
    }

    #[test]
    fn mcp_calls_in_both_forms_agree() {
        let item = json!({"type": "McpToolCall", "id": "m", "server": "docs", "tool": "search",
            "arguments": {"q": "useEffect"}, "status": "completed",
            "result": {"content": [{"type": "text", "text": "found 3"}], "isError": false},
            "duration": {"secs": 0, "nanos": 40_000_000}});
        let Item::Mcp { id, call } = decode(&item) else {
            panic!("an MCP call")
        };
        let legacy = json!({"call_id": "m", "invocation": {"server": "docs", "tool": "search",
            "arguments": {"q": "useEffect"}}, "duration": {"secs": 0, "nanos": 40_000_000},
            "result": {"Ok": {"content": [{"type": "text", "text": "found 3"}], "isError": false}}});
        let (lid, lcall) = legacy_mcp_end(&legacy).unwrap();
        assert_eq!((id.as_str(), &call), (lid.as_str(), &lcall));
        assert_eq!(call.success, Some(true));
        assert_eq!(call.output, "found 3");
        let failed = json!({"call_id": "m", "invocation": {"server": "docs", "tool": "x"},
            "result": {"Err": "tool not found"}});
        let (_, f) = legacy_mcp_end(&failed).unwrap();
        assert_eq!(
            (f.success, f.output.as_str()),
            (Some(false), "tool not found")
        );
        let own = json!({"type": "McpToolCall", "id": "o", "server": "sessionlens", "tool": "recall",
            "arguments": {}, "status": "completed",
            "result": {"content": [{"type": "text", "text": "what you learned"}]}});
        let Item::Mcp { call, .. } = decode(&own) else {
            panic!("an MCP call")
        };
        assert!(call.output.is_empty(), "our own answers are never kept");
    }

    #[test]
    fn web_searches_old_and_new() {
        let Item::WebSearch(w) =
            decode(&json!({"type": "WebSearch", "id": "w", "query": "vite env",
            "action": {"type": "search", "query": "vite env"}}))
        else {
            panic!("a search")
        };
        assert_eq!(
            (w.action.as_str(), w.query.as_str()),
            ("search", "vite env")
        );
        let Item::WebSearch(w) = decode(
            &json!({"type": "Extension", "kind": "web_search", "id": "w",
            "query": "", "action": {"type": "openPage", "url": "https://vite.dev"}}),
        ) else {
            panic!("a search")
        };
        assert_eq!(
            (w.action.as_str(), w.url.as_deref()),
            ("open_page", Some("https://vite.dev"))
        );
        assert!(matches!(
            decode(&json!({"type": "Extension", "kind": "sleep"})),
            Item::Ignored
        ));
        assert!(
            matches!(decode(&json!({"type": "Teleport"})), Item::Unknown(k) if k == "Teleport")
        );
    }
}
