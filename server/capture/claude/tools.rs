//! What Claude Code's tool calls mean: which `tool_use` blocks become events (Bash, the file
//! editors, web search and fetch, MCP tools, plan mode), how a Bash result reveals its outcome
//! (Claude Code records no exit status, only an error flag and text), the file changes an edit
//! made (from `toolUseResult.structuredPatch` when present, else from the call's own strings),
//! and the bounded read of an output Claude Code spilled to a side file.
//!
//! Pure functions of the JSON, except [`read_spilled`]; redaction is the reader's job.

use crate::normalize::text::{DIFF_CAP, diff_excerpt, truncate};
use crate::normalize::{Body, CommandStatus, FileChange, FileOp, Hunk};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// Longest MCP argument text kept, in bytes.
pub const MCP_ARGS_CAP: usize = 1024;

/// A call whose event waits for its result (saved in the reader's state).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "call", rename_all = "snake_case")]
pub enum Call {
    Bash {
        command: String,
        background: bool,
    },
    /// `Edit`, `MultiEdit`, `Write`, `NotebookEdit`: the changes as the call states them.
    Edit {
        tool: String,
        files: Vec<FileChange>,
    },
    Mcp {
        server: String,
        tool: String,
        arguments: String,
    },
    /// A command the developer ran themselves in shell mode (`!cmd`), waiting for its output.
    Shell {
        command: String,
    },
}

/// The key under which a shell-mode command waits for its output (the line after it).
pub const SHELL_CALL: &str = "!shell";

/// What a shell-mode (`!cmd`) result line says: `<bash-stdout>…</bash-stdout><bash-stderr>…
/// </bash-stderr>`, where Claude Code ends the stderr of a failing command with `Exit code N`
/// (and writes no code when it passed): the output (stdout, then stderr without that line) and
/// the exit code.
pub fn shell_result(text: &str) -> Option<(String, i32)> {
    let stdout = tag_text(text, "bash-stdout");
    let stderr = tag_text(text, "bash-stderr");
    if stdout.is_none() && stderr.is_none() {
        return None;
    }
    let stdout = stdout.unwrap_or("");
    let stdout = if stdout == "(Bash completed with no output)" {
        ""
    } else {
        stdout
    };
    let mut stderr = stderr.unwrap_or("").trim_end().to_owned();
    let mut code = 0;
    if let Some((rest, last)) = stderr.rsplit_once('\n').or(Some(("", stderr.as_str()))) {
        if let Some(n) = last
            .trim()
            .strip_prefix("Exit code ")
            .and_then(|n| n.trim().parse().ok())
        {
            code = n;
            stderr = rest.to_owned();
        }
    }
    let output = match (stdout.is_empty(), stderr.is_empty()) {
        (false, false) => format!("{stdout}\n{stderr}"),
        (false, true) => stdout.to_owned(),
        _ => stderr,
    };
    Some((output, code))
}

/// The text of a shell-mode command line, `<bash-input>cmd</bash-input>`.
pub fn shell_input(text: &str) -> Option<&str> {
    let t = text.trim();
    t.starts_with("<bash-input>")
        .then(|| tag_text(t, "bash-input"))
        .flatten()
        .map(str::trim)
        .filter(|c| !c.is_empty())
}

/// The text between `<tag>` and `</tag>`, if both are there.
fn tag_text<'a>(text: &'a str, tag: &str) -> Option<&'a str> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let start = text.find(&open)? + open.len();
    let end = text[start..].find(&close)? + start;
    Some(&text[start..end])
}

/// What one `tool_use` block becomes.
#[derive(Debug, Clone, PartialEq)]
pub enum Tool {
    /// An event complete at the call (a search, a page fetched, a plan).
    Now(Body),
    /// An event completed by the call's result.
    Pending(Call),
    /// Reading, searching files, to-do lists, sub-agents (whose work is in their own file).
    Ignored,
}

/// Classifies a `tool_use` block by its tool name and input.
pub fn classify(name: &str, input: &Value) -> Tool {
    let s = |k: &str| input.get(k).and_then(Value::as_str).unwrap_or("");
    match name {
        "Bash" => match s("command") {
            "" => Tool::Ignored,
            command => Tool::Pending(Call::Bash {
                command: command.to_owned(),
                background: input.get("run_in_background").and_then(Value::as_bool) == Some(true),
            }),
        },
        "Edit" | "MultiEdit" | "Write" | "NotebookEdit" => match edit_files(name, input) {
            Some(files) => Tool::Pending(Call::Edit {
                tool: format!("claude_{}", name.to_ascii_lowercase()),
                files,
            }),
            None => Tool::Ignored,
        },
        "WebSearch" => Tool::Now(Body::WebSearch {
            action: "search".into(),
            query: s("query").to_owned(),
            url: None,
        }),
        "WebFetch" => Tool::Now(Body::WebSearch {
            action: "open_page".into(),
            query: String::new(),
            url: Some(s("url").to_owned()).filter(|u| !u.is_empty()),
        }),
        "ExitPlanMode" => match s("plan").trim() {
            "" => Tool::Ignored,
            plan => Tool::Now(Body::Plan {
                text: plan.to_owned(),
            }),
        },
        _ => match mcp_name(name) {
            Some((server, tool)) => Tool::Pending(Call::Mcp {
                server: server.to_owned(),
                tool: tool.to_owned(),
                arguments: truncate(&input.to_string(), MCP_ARGS_CAP),
            }),
            None => Tool::Ignored,
        },
    }
}

/// `mcp__<server>__<tool>` → (server, tool), as Claude Code names MCP tools.
pub fn mcp_name(name: &str) -> Option<(&str, &str)> {
    let (server, tool) = name.strip_prefix("mcp__")?.split_once("__")?;
    (!server.is_empty() && !tool.is_empty()).then_some((server, tool))
}

/// The text of a `tool_result` block's `content`: a string, or the text of its blocks.
pub fn result_text(content: &Value) -> String {
    match content {
        Value::String(s) => s.clone(),
        Value::Array(blocks) => blocks
            .iter()
            .filter_map(|b| b.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

/// How a Bash call ended, told honestly from what Claude Code recorded: the result's error
/// flag and text, and the line's `toolUseResult` (an object, or for errors often just the
/// error text).
pub fn bash_outcome(
    background: bool,
    is_error: bool,
    denied: bool,
    text: &str,
    result: Option<&Value>,
) -> (CommandStatus, Option<i32>) {
    let field = |k: &str| result.and_then(|r| r.get(k));
    let error_text = result.and_then(Value::as_str).unwrap_or("");
    let stderr = field("stderr").and_then(Value::as_str).unwrap_or("");
    let timed_out = [text, error_text, stderr]
        .iter()
        .any(|t| t.to_ascii_lowercase().contains("timed out"));
    if denied || text.starts_with("The user doesn't want to proceed with this tool use") {
        return (CommandStatus::Declined, None);
    }
    let interrupted = field("interrupted").and_then(Value::as_bool) == Some(true)
        || text.starts_with("[Request interrupted by user");
    if interrupted {
        let status = if timed_out {
            CommandStatus::TimedOut
        } else {
            CommandStatus::NoResult
        };
        return (status, None);
    }
    if is_error {
        if let Some(code) = exit_code_in(text).or_else(|| exit_code_in(error_text)) {
            return (CommandStatus::Exited, Some(code));
        }
        if timed_out {
            return (CommandStatus::TimedOut, None);
        }
        return (CommandStatus::Failed, None);
    }
    let interpreted = field("returnCodeInterpretation")
        .and_then(Value::as_str)
        .is_some_and(|s| !s.trim().is_empty());
    if interpreted {
        return (CommandStatus::Ran, None);
    }
    if background || field("backgroundTaskId").is_some_and(|v| !v.is_null()) {
        return (CommandStatus::Running, None);
    }
    // Claude Code marks a non-zero exit as an error, so a clean result exited with 0.
    (CommandStatus::Exited, Some(0))
}

/// The `N` of an `Exit code N` in the first lines of an error text.
fn exit_code_in(text: &str) -> Option<i32> {
    text.lines().take(3).find_map(|line| {
        let rest = &line[line.find("Exit code")? + "Exit code".len()..];
        let rest = rest.trim_start_matches([':', ' ']);
        let end = rest
            .char_indices()
            .find(|&(i, c)| !(c.is_ascii_digit() || (i == 0 && c == '-')))
            .map_or(rest.len(), |(i, _)| i);
        rest[..end].parse().ok()
    })
}

/// A Bash result's output: stdout and stderr from `toolUseResult`, else the result text.
pub fn bash_output(text: &str, result: Option<&Value>) -> String {
    let field = |k: &str| {
        result
            .and_then(|r| r.get(k))
            .and_then(Value::as_str)
            .unwrap_or("")
    };
    let (stdout, stderr) = (field("stdout"), field("stderr"));
    match (stdout.is_empty(), stderr.is_empty()) {
        (true, true) => text.to_owned(),
        (false, true) => stdout.to_owned(),
        (true, false) => stderr.to_owned(),
        (false, false) => format!("{stdout}\n{stderr}"),
    }
}

/// The files an editing call says it changes, before its result is known.
fn edit_files(name: &str, input: &Value) -> Option<Vec<FileChange>> {
    let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let (path, op, hunks): (String, FileOp, Vec<(String, String)>) = match name {
        "Edit" => (
            s(input, "file_path"),
            FileOp::Update,
            vec![(s(input, "old_string"), s(input, "new_string"))],
        ),
        "MultiEdit" => (
            s(input, "file_path"),
            FileOp::Update,
            input
                .get("edits")
                .and_then(Value::as_array)?
                .iter()
                .map(|e| (s(e, "old_string"), s(e, "new_string")))
                .collect(),
        ),
        "Write" => (
            s(input, "file_path"),
            FileOp::Update,
            vec![(String::new(), s(input, "content"))],
        ),
        "NotebookEdit" => {
            let new = match input.get("edit_mode").and_then(Value::as_str) {
                Some("delete") => String::new(),
                _ => s(input, "new_source"),
            };
            (
                s(input, "notebook_path"),
                FileOp::Update,
                vec![(String::new(), new)],
            )
        }
        _ => return None,
    };
    if path.is_empty() {
        return None;
    }
    let mut diff = String::new();
    let mut file = FileChange {
        path,
        op,
        move_to: None,
        added: 0,
        removed: 0,
        hunks: Vec::new(),
        diff: String::new(),
    };
    for (old, new) in &hunks {
        let hunk = Hunk {
            old_start: None,
            new_start: None,
            context: None,
            added: new.lines().count() as u32,
            removed: old.lines().count() as u32,
        };
        diff.push_str("@@\n");
        for l in old.lines() {
            diff.push('-');
            diff.push_str(l);
            diff.push('\n');
        }
        for l in new.lines() {
            diff.push('+');
            diff.push_str(l);
            diff.push('\n');
        }
        file.added += hunk.added;
        file.removed += hunk.removed;
        file.hunks.push(hunk);
    }
    file.diff = diff_excerpt(diff.trim_end(), DIFF_CAP);
    Some(vec![file])
}

/// Refines a call's stated changes with what its result recorded: the hunks of
/// `structuredPatch` (where the change landed, what it added and removed) and whether `Write`
/// created the file.
pub fn refine_edit(files: &mut [FileChange], result: Option<&Value>) {
    let Some(result) = result.filter(|r| r.is_object()) else {
        return;
    };
    let Some(file) = files.first_mut() else {
        return;
    };
    if result.get("type").and_then(Value::as_str) == Some("create") {
        file.op = FileOp::Add;
        file.removed = 0;
        for h in &mut file.hunks {
            h.new_start = Some(1);
            h.removed = 0;
        }
    }
    let patch = result.get("structuredPatch").and_then(Value::as_array);
    let Some(patch) = patch.filter(|p| !p.is_empty()) else {
        return;
    };
    let mut diff = String::new();
    file.hunks.clear();
    for h in patch {
        let n = |k: &str| h.get(k).and_then(Value::as_u64).map(|n| n as u32);
        let lines: Vec<&str> = h
            .get("lines")
            .and_then(Value::as_array)
            .map(|ls| ls.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let count = |p: char| lines.iter().filter(|l| l.starts_with(p)).count() as u32;
        diff.push_str(&format!(
            "@@ -{},{} +{},{} @@\n",
            n("oldStart").unwrap_or(0),
            n("oldLines").unwrap_or(0),
            n("newStart").unwrap_or(0),
            n("newLines").unwrap_or(0)
        ));
        for l in &lines {
            diff.push_str(l);
            diff.push('\n');
        }
        file.hunks.push(Hunk {
            old_start: n("oldStart"),
            new_start: n("newStart"),
            context: None,
            added: count('+'),
            removed: count('-'),
        });
    }
    file.added = file.hunks.iter().map(|h| h.added).sum();
    file.removed = file.hunks.iter().map(|h| h.removed).sum();
    file.diff = diff_excerpt(diff.trim_end(), DIFF_CAP);
}

/// Head and tail of an output Claude Code spilled to `path` (`tool-results/<id>.txt`), at most
/// about `cap` bytes, in the shape of [`crate::normalize::text::excerpt`]. Read only when the
/// file lies inside `folder` (the transcript's own session folder): a transcript never makes
/// the reader open anything else.
pub fn read_spilled(path: &Path, folder: &Path, cap: usize) -> Option<String> {
    let real = path.canonicalize().ok()?;
    if !real.starts_with(folder.canonicalize().ok()?) {
        return None;
    }
    let mut file = std::fs::File::open(&real).ok()?;
    let meta = file.metadata().ok()?;
    if !meta.is_file() {
        return None;
    }
    let len = meta.len();
    if len <= cap as u64 {
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).ok()?;
        return Some(String::from_utf8_lossy(&bytes).into_owned());
    }
    let half = cap / 2;
    let mut head = vec![0; half];
    file.read_exact(&mut head).ok()?;
    file.seek(SeekFrom::Start(len - half as u64)).ok()?;
    let mut tail = vec![0; half];
    file.read_exact(&mut tail).ok()?;
    // Cut on character boundaries: drop a character split at the head's end or the tail's start.
    let head_end = match std::str::from_utf8(&head) {
        Ok(_) => head.len(),
        Err(e) => e.valid_up_to(),
    };
    let tail_start = tail
        .iter()
        .position(|b| (b & 0xC0) != 0x80)
        .unwrap_or(tail.len());
    let elided = len - head_end as u64 - (tail.len() - tail_start) as u64;
    Some(format!(
        "{}\n… [{elided} bytes elided] …\n{}",
        String::from_utf8_lossy(&head[..head_end]),
        String::from_utf8_lossy(&tail[tail_start..])
    ))
}

#[cfg(test)]
mod shell_tests {
    use super::*;

    #[test]
    fn shell_mode_results_carry_their_exit_code_in_stderr() {
        assert_eq!(
            shell_input("<bash-input>npm test</bash-input>"),
            Some("npm test")
        );
        assert_eq!(shell_input("what does <bash-input> do"), None);
        assert_eq!(
            shell_result(
                "<bash-stdout>(Bash completed with no output)</bash-stdout><bash-stderr></bash-stderr>"
            ),
            Some((String::new(), 0))
        );
        assert_eq!(
            shell_result("<bash-stdout>a\n</bash-stdout><bash-stderr>b\nExit code 1</bash-stderr>"),
            Some(("a\n\nb".to_owned(), 1))
        );
        assert_eq!(
            shell_result("<bash-stdout>ok</bash-stdout><bash-stderr>Exit code 2</bash-stderr>"),
            Some(("ok".to_owned(), 2))
        );
        assert_eq!(shell_result("plain words"), None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Each Bash outcome claims no more than the result recorded (no invented exit codes).
    #[test]
    fn bash_outcomes_say_only_what_was_recorded() {
        let o = |bg, err, text: &str, r: Value| bash_outcome(bg, err, false, text, Some(&r));
        assert_eq!(
            o(
                false,
                true,
                "Exit code 2\nerror TS2339",
                json!("Error: Exit code 2")
            ),
            (CommandStatus::Exited, Some(2))
        );
        assert_eq!(
            o(
                false,
                true,
                "Error: spawn EACCES",
                json!("Error: spawn EACCES")
            ),
            (CommandStatus::Failed, None)
        );
        assert_eq!(
            o(
                false,
                true,
                "Command timed out after 2m 0.0s",
                json!({"interrupted": true})
            ),
            (CommandStatus::TimedOut, None)
        );
        assert_eq!(
            o(false, false, "", json!({"interrupted": true})),
            (CommandStatus::NoResult, None)
        );
        assert_eq!(
            o(
                false,
                false,
                "",
                json!({"returnCodeInterpretation": "No matches found"})
            ),
            (CommandStatus::Ran, None)
        );
        assert_eq!(
            o(true, false, "Command running in background", json!({})),
            (CommandStatus::Running, None)
        );
        assert_eq!(
            o(false, false, "ok", json!({"stdout": "ok"})),
            (CommandStatus::Exited, Some(0))
        );
        assert_eq!(
            o(
                false,
                true,
                "The user doesn't want to proceed with this tool use.",
                json!({})
            ),
            (CommandStatus::Declined, None)
        );
        assert_eq!(exit_code_in("Exit code -1"), Some(-1));
        assert_eq!(exit_code_in("no code here"), None);
    }

    /// An edit is first counted from its strings, then replaced by the patch its result recorded.
    #[test]
    fn edits_count_their_strings_then_take_the_recorded_patch() {
        let Tool::Pending(Call::Edit { tool, mut files }) = classify(
            "Edit",
            &json!({"file_path": "/w/a.ts", "old_string": "a\nb", "new_string": "c"}),
        ) else {
            panic!("an edit")
        };
        assert_eq!(tool, "claude_edit");
        assert_eq!((files[0].added, files[0].removed), (1, 2));
        assert_eq!(files[0].diff, "@@\n-a\n-b\n+c");
        refine_edit(
            &mut files,
            Some(
                &json!({"structuredPatch": [{"oldStart": 8, "oldLines": 3, "newStart": 8,
                "newLines": 2, "lines": [" x", "-a", "-b", "+c"]}]}),
            ),
        );
        assert_eq!(
            (
                files[0].added,
                files[0].removed,
                files[0].hunks[0].old_start
            ),
            (1, 2, Some(8))
        );
        assert!(files[0].diff.starts_with("@@ -8,3 +8,2 @@\n x\n-a"));

        let Tool::Pending(Call::Edit { mut files, .. }) = classify(
            "Write",
            &json!({"file_path": "/w/new.ts", "content": "x\ny\n"}),
        ) else {
            panic!("a write")
        };
        refine_edit(
            &mut files,
            Some(&json!({"type": "create", "structuredPatch": []})),
        );
        assert_eq!((files[0].op, files[0].added), (FileOp::Add, 2));
        assert_eq!(
            classify("Read", &json!({"file_path": "/w/a.ts"})),
            Tool::Ignored
        );
    }

    /// MCP tool names split into server and tool; other names are not MCP calls.
    #[test]
    fn mcp_tools_are_named_by_server_and_tool() {
        assert_eq!(
            mcp_name("mcp__github__get_issue"),
            Some(("github", "get_issue"))
        );
        assert_eq!(mcp_name("mcp__x"), None);
        assert_eq!(mcp_name("Bash"), None);
    }

    /// A spilled output is read head and tail, on character boundaries, never from outside its
    /// folder.
    #[test]
    fn spilled_output_is_read_bounded_and_only_from_its_session_folder() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("s1");
        std::fs::create_dir_all(folder.join("tool-results")).unwrap();
        let inside = folder.join("tool-results/t.txt");
        let body = format!("HEAD{}TAIL", "é".repeat(5000));
        std::fs::write(&inside, &body).unwrap();
        let out = read_spilled(&inside, &folder, 100).unwrap();
        assert!(out.starts_with("HEAD") && out.ends_with("TAIL") && out.len() < 200);
        assert!(!out.contains('\u{FFFD}'));
        let outside = dir.path().join("secret.txt");
        std::fs::write(&outside, "nope").unwrap();
        assert_eq!(read_spilled(&outside, &folder, 100), None);
        let sneaky = folder.join("tool-results/../../secret.txt");
        assert_eq!(read_spilled(&sneaky, &folder, 100), None);
    }
}
