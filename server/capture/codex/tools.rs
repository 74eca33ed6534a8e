//! Codex tool calls and their results, decoded: which calls are commands or file edits, the
//! command line each one ran, and the exit code and duration hidden inside the output text in one
//! of Codex's three formats (structured JSON, freeform `Exit code:` and unified exec `Chunk ID:`).

use crate::normalize::text::{DIFF_CAP, diff_excerpt};
use crate::normalize::{FileChange, FileOp, Hunk};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What a tool call is, as far as Session Lens cares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CallKind {
    /// Runs a command line.
    Command {
        command: String,
        workdir: Option<String>,
        tool: String,
    },
    /// Edits files with an apply_patch body.
    Patch {
        input: String,
        workdir: Option<String>,
    },
    /// Feeds a running unified-exec process; its output may carry that process's exit code.
    Stdin { process: String },
}

/// Classifies a `function_call` / `custom_tool_call` by name and arguments. `args` is the parsed
/// JSON arguments (or, for freeform custom tools, the raw input as a JSON string value).
pub fn classify_call(name: &str, args: &Value) -> Option<CallKind> {
    let workdir = args
        .get("workdir")
        .or_else(|| args.get("working_directory"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    match name {
        "shell" | "container.exec" | "local_shell" => {
            let argv = string_vec(args.get("command")?)?;
            Some(command_or_patch(
                &argv,
                workdir,
                if name == "local_shell" {
                    "local_shell"
                } else {
                    "shell"
                },
            ))
        }
        "shell_command" => {
            let command = args.get("command")?.as_str()?.to_owned();
            Some(script_or_patch(command, workdir, "shell_command"))
        }
        "exec_command" => {
            let command = args
                .get("cmd")
                .or_else(|| args.get("command"))?
                .as_str()?
                .to_owned();
            Some(script_or_patch(command, workdir, "exec_command"))
        }
        "write_stdin" => {
            let process = args.get("session_id")?;
            let process = match process {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            Some(CallKind::Stdin { process })
        }
        "apply_patch" => {
            let input = match args {
                Value::String(s) => s.clone(),
                other => other
                    .get("input")
                    .or_else(|| other.get("patch"))?
                    .as_str()?
                    .to_owned(),
            };
            Some(CallKind::Patch { input, workdir })
        }
        _ => None,
    }
}

/// `local_shell_call` items carry the argv in `action.exec`.
pub fn classify_local_shell(action: &Value) -> Option<CallKind> {
    let exec = action.get("exec").unwrap_or(action);
    let argv = string_vec(exec.get("command")?)?;
    let workdir = exec
        .get("working_directory")
        .and_then(Value::as_str)
        .map(str::to_owned);
    Some(command_or_patch(&argv, workdir, "local_shell"))
}

fn string_vec(v: &Value) -> Option<Vec<String>> {
    match v {
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map(str::to_owned))
            .collect(),
        Value::String(s) => Some(vec![s.clone()]),
        _ => None,
    }
}

/// Turns an argv into the command line a person would type: the script of `bash -lc SCRIPT`
/// rather than the wrapper, and apply_patch invocations into edits.
fn command_or_patch(argv: &[String], workdir: Option<String>, tool: &str) -> CallKind {
    if argv.first().map(String::as_str) == Some("apply_patch") && argv.len() >= 2 {
        return CallKind::Patch {
            input: argv[1].clone(),
            workdir,
        };
    }
    let command = unwrap_shell(argv).unwrap_or_else(|| join_argv(argv));
    script_or_patch(command, workdir, tool)
}

fn script_or_patch(command: String, workdir: Option<String>, tool: &str) -> CallKind {
    let trimmed = command.trim_start();
    if trimmed.starts_with("apply_patch") || trimmed.starts_with("applypatch") {
        if let Some(input) = embedded_patch(trimmed) {
            return CallKind::Patch { input, workdir };
        }
    }
    CallKind::Command {
        command,
        workdir,
        tool: tool.to_owned(),
    }
}

/// The script of `bash -lc SCRIPT`, `sh -c SCRIPT`, `zsh -lc SCRIPT`, `pwsh -Command SCRIPT`.
pub fn unwrap_shell(argv: &[String]) -> Option<String> {
    if argv.len() < 3 {
        return None;
    }
    let shell = argv[0].rsplit(['/', '\\']).next().unwrap_or("");
    let is_shell = matches!(
        shell,
        "bash"
            | "sh"
            | "zsh"
            | "dash"
            | "fish"
            | "ksh"
            | "pwsh"
            | "powershell"
            | "powershell.exe"
            | "cmd"
            | "cmd.exe"
    );
    let flag = argv[argv.len() - 2].as_str();
    let is_flag = matches!(flag, "-c" | "-lc" | "-ic" | "-l" | "-Command" | "/C" | "/c")
        || flag.ends_with('c');
    (is_shell && is_flag).then(|| argv[argv.len() - 1].clone())
}

/// An argv as a command line, quoted where a shell would need it.
pub fn join_argv(argv: &[String]) -> String {
    shlex::try_join(argv.iter().map(String::as_str)).unwrap_or_else(|_| argv.join(" "))
}

/// The `*** Begin Patch … *** End Patch` body inside `apply_patch <<'EOF' … EOF`.
fn embedded_patch(script: &str) -> Option<String> {
    let start = script.find("*** Begin Patch")?;
    let rest = &script[start..];
    let end = rest
        .find("*** End Patch")
        .map_or(rest.len(), |i| i + "*** End Patch".len());
    Some(rest[..end].to_owned())
}

/// What a tool's output text says about how the call went.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Outcome {
    pub exit_code: Option<i32>,
    pub duration_ms: Option<u64>,
    /// The output proper, without the format's header lines.
    pub output: String,
    pub timed_out: bool,
    /// A unified-exec process that is still running, by its session id.
    pub running: Option<String>,
}

/// Flattens a `function_call_output.output` value: a plain string, an array of content items, or
/// (seen in 2026 files) a single content item object.
pub fn output_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .filter_map(|i| i.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join("\n"),
        Value::Object(_) => v
            .get("text")
            .or_else(|| v.get("content"))
            .map(output_text)
            .unwrap_or_default(),
        _ => String::new(),
    }
}

/// Parses the three output formats. Text in none of them is kept as output with no exit code.
pub fn parse_outcome(text: &str) -> Outcome {
    let mut timed_out = false;
    let mut body = text;
    if let Some(rest) = body.strip_prefix("command timed out after ") {
        timed_out = true;
        body = rest.split_once('\n').map_or("", |(_, r)| r);
    }
    let trimmed = body.trim_start();
    if trimmed.starts_with('{') {
        if let Ok(v) = serde_json::from_str::<Value>(trimmed) {
            if let Some(meta) = v.get("metadata") {
                return Outcome {
                    exit_code: meta
                        .get("exit_code")
                        .and_then(Value::as_i64)
                        .and_then(crate::capture::exit_code),
                    duration_ms: meta
                        .get("duration_seconds")
                        .and_then(Value::as_f64)
                        .map(secs_to_ms),
                    output: v.get("output").map(output_text).unwrap_or_default(),
                    timed_out,
                    running: None,
                };
            }
        }
    }
    if body.starts_with("Exit code: ")
        || body.starts_with("Chunk ID: ")
        || body.starts_with("Wall time: ")
    {
        let mut out = Outcome {
            timed_out,
            ..Outcome::default()
        };
        let mut rest = body;
        while let Some((line, tail)) = rest.split_once('\n') {
            if let Some(v) = line.strip_prefix("Exit code: ") {
                out.exit_code = v.trim().parse().ok();
            } else if let Some(v) = line.strip_prefix("Process exited with code ") {
                out.exit_code = v.trim().parse().ok();
            } else if let Some(v) = line.strip_prefix("Wall time: ") {
                out.duration_ms = v
                    .trim()
                    .trim_end_matches("seconds")
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .map(secs_to_ms);
            } else if let Some(v) = line.strip_prefix("Process running with session ID ") {
                out.running = Some(v.trim().to_owned());
            } else if line == "Output:" {
                rest = tail;
                out.output = rest.to_owned();
                return out;
            } else if !(line.starts_with("Chunk ID: ")
                || line.starts_with("Total output lines: ")
                || line.starts_with("Original token count: ")
                || line.starts_with("Token count: "))
            {
                break;
            }
            rest = tail;
        }
        out.output = rest.to_owned();
        return out;
    }
    Outcome {
        output: body.to_owned(),
        timed_out,
        ..Outcome::default()
    }
}

fn secs_to_ms(s: f64) -> u64 {
    if s.is_finite() && s > 0.0 {
        (s * 1000.0).round() as u64
    } else {
        0
    }
}

/// `{"secs":N,"nanos":N}` (serde's `Duration`), or a number of seconds, to milliseconds.
pub fn duration_ms(v: &Value) -> Option<u64> {
    if let Some(secs) = v.get("secs").and_then(Value::as_u64) {
        let nanos = v.get("nanos").and_then(Value::as_u64).unwrap_or(0);
        return Some(secs * 1000 + nanos / 1_000_000);
    }
    v.as_f64().map(secs_to_ms)
}

/// Parses an apply_patch body into per-file changes. Relative paths are resolved against `base`.
pub fn parse_patch(input: &str, base: Option<&str>) -> Vec<FileChange> {
    let mut files: Vec<FileChange> = Vec::new();
    // A file's diff is the slice of the patch between its header and the next one: located, not
    // rebuilt line by line.
    let mut body: Option<(usize, usize)> = None;
    let set_diff = |files: &mut Vec<FileChange>, body: Option<(usize, usize)>| {
        if let (Some(f), Some((start, end))) = (files.last_mut(), body) {
            f.diff = diff_excerpt(input[start..end].trim_end_matches('\n'), DIFF_CAP);
        }
    };
    let mut pos = 0;
    for raw in input.split_inclusive('\n') {
        let line_start = pos;
        pos += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let header = [
            ("*** Add File: ", FileOp::Add),
            ("*** Update File: ", FileOp::Update),
            ("*** Delete File: ", FileOp::Delete),
        ]
        .into_iter()
        .find_map(|(p, op)| line.strip_prefix(p).map(|path| (path, op)));
        if let Some((path, op)) = header {
            set_diff(&mut files, body);
            body = None;
            let mut fc = FileChange {
                path: resolve(path.trim(), base),
                op,
                move_to: None,
                added: 0,
                removed: 0,
                hunks: Vec::new(),
                diff: String::new(),
            };
            if op == FileOp::Add {
                fc.hunks.push(Hunk {
                    old_start: None,
                    new_start: Some(1),
                    context: None,
                    added: 0,
                    removed: 0,
                });
            }
            files.push(fc);
            continue;
        }
        let Some(file) = files.last_mut() else {
            continue;
        };
        if let Some(to) = line.strip_prefix("*** Move to: ") {
            file.op = FileOp::Move;
            file.move_to = Some(resolve(to.trim(), base));
            continue;
        }
        if line.starts_with("*** End Patch") {
            set_diff(&mut files, body);
            body = None;
            continue;
        }
        if line.starts_with("*** ") {
            continue;
        }
        body = Some((body.map_or(line_start, |(start, _)| start), pos));
        if let Some(ctx) = line.strip_prefix("@@") {
            let ctx = ctx.trim();
            file.hunks.push(Hunk {
                old_start: None,
                new_start: None,
                context: (!ctx.is_empty()).then(|| ctx.to_owned()),
                added: 0,
                removed: 0,
            });
            continue;
        }
        let (added, removed) = (line.starts_with('+'), line.starts_with('-'));
        if added || removed {
            if file.hunks.is_empty() {
                file.hunks.push(Hunk {
                    old_start: None,
                    new_start: None,
                    context: None,
                    added: 0,
                    removed: 0,
                });
            }
            let h = file.hunks.last_mut().expect("pushed above");
            if added {
                file.added += 1;
                h.added += 1;
            } else {
                file.removed += 1;
                h.removed += 1;
            }
        }
    }
    set_diff(&mut files, body);
    files
}

/// Parses `patch_apply_end.changes`: `{path: {type: add|delete|update, …}}` (2026) or the older
/// externally tagged `{path: {"update": {…}}}`.
pub fn parse_changes(changes: &Value) -> Vec<FileChange> {
    let Some(map) = changes.as_object() else {
        return Vec::new();
    };
    let mut files = Vec::new();
    for (path, change) in map {
        let (kind, body) = match change.get("type").and_then(Value::as_str) {
            Some(k) => (k.to_owned(), change),
            None => match change.as_object().and_then(|o| o.iter().next()) {
                Some((k, v)) => (k.clone(), v),
                None => continue,
            },
        };
        let mut fc = FileChange {
            path: path.clone(),
            op: FileOp::Update,
            move_to: None,
            added: 0,
            removed: 0,
            hunks: Vec::new(),
            diff: String::new(),
        };
        match kind.as_str() {
            "add" => {
                fc.op = FileOp::Add;
                let content = body.get("content").and_then(Value::as_str).unwrap_or("");
                fc.added = content.lines().count() as u32;
                fc.hunks.push(Hunk {
                    old_start: None,
                    new_start: Some(1),
                    context: None,
                    added: fc.added,
                    removed: 0,
                });
                fc.diff = diff_excerpt(content, DIFF_CAP);
            }
            "delete" => {
                fc.op = FileOp::Delete;
                let content = body.get("content").and_then(Value::as_str).unwrap_or("");
                fc.removed = content.lines().count() as u32;
            }
            _ => {
                let diff = body
                    .get("unified_diff")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                if let Some(to) = body.get("move_path").and_then(Value::as_str) {
                    fc.op = FileOp::Move;
                    fc.move_to = Some(to.to_owned());
                }
                fc.hunks = unified_hunks(diff);
                fc.added = fc.hunks.iter().map(|h| h.added).sum();
                fc.removed = fc.hunks.iter().map(|h| h.removed).sum();
                fc.diff = diff_excerpt(diff, DIFF_CAP);
            }
        }
        files.push(fc);
    }
    files
}

/// Hunks of a unified diff, with their `@@ -a,b +c,d @@` start lines.
fn unified_hunks(diff: &str) -> Vec<Hunk> {
    let mut hunks: Vec<Hunk> = Vec::new();
    for line in diff.lines() {
        if let Some(rest) = line.strip_prefix("@@ ") {
            let mut old_start = None;
            let mut new_start = None;
            let mut parts = rest.split_whitespace();
            for p in parts.by_ref() {
                if p == "@@" {
                    break;
                }
                let num = |s: &str| s.split(',').next().and_then(|n| n.parse::<u32>().ok());
                if let Some(o) = p.strip_prefix('-') {
                    old_start = num(o);
                } else if let Some(n) = p.strip_prefix('+') {
                    new_start = num(n);
                }
            }
            let ctx: String = parts.collect::<Vec<_>>().join(" ");
            hunks.push(Hunk {
                old_start,
                new_start,
                context: (!ctx.is_empty()).then_some(ctx),
                added: 0,
                removed: 0,
            });
        } else if let Some(h) = hunks.last_mut() {
            if line.starts_with('+') && !line.starts_with("+++") {
                h.added += 1;
            } else if line.starts_with('-') && !line.starts_with("---") {
                h.removed += 1;
            }
        }
    }
    hunks
}

fn resolve(path: &str, base: Option<&str>) -> String {
    match base {
        Some(b) if !path.starts_with('/') && !path.contains(":\\") && !b.is_empty() && b != "." => {
            format!(
                "{}/{}",
                b.trim_end_matches('/'),
                path.trim_start_matches("./")
            )
        }
        _ => path.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn three_output_formats() {
        let s = parse_outcome(
            "{\"output\":\"Success. Updated\\n\",\"metadata\":{\"exit_code\":0,\"duration_seconds\":1.5}}",
        );
        assert_eq!(
            (s.exit_code, s.duration_ms, s.output.as_str()),
            (Some(0), Some(1500), "Success. Updated\n")
        );

        let f = parse_outcome(
            "Exit code: 2\nWall time: 0.1 seconds\nTotal output lines: 3\nOutput:\nerror TS2339\n",
        );
        assert_eq!(
            (f.exit_code, f.duration_ms, f.output.as_str()),
            (Some(2), Some(100), "error TS2339\n")
        );

        let u = parse_outcome(
            "Chunk ID: a57601\nWall time: 0.2500 seconds\nProcess exited with code 1\nOriginal token count: 0\nOutput:\n",
        );
        assert_eq!(
            (u.exit_code, u.duration_ms, u.output.as_str()),
            (Some(1), Some(250), "")
        );

        let r = parse_outcome(
            "Chunk ID: x\nWall time: 10.0 seconds\nProcess running with session ID 7\nOriginal token count: 3\nOutput:\nserving\n",
        );
        assert_eq!((r.exit_code, r.running.as_deref()), (None, Some("7")));

        let t = parse_outcome(
            "command timed out after 10000 milliseconds\nExit code: 124\nWall time: 10 seconds\nOutput:\n",
        );
        assert!(t.timed_out);
        assert_eq!(t.exit_code, Some(124));

        let plain = parse_outcome("a.txt\n");
        assert_eq!((plain.exit_code, plain.output.as_str()), (None, "a.txt\n"));
    }

    #[test]
    fn commands_are_unwrapped_from_their_shells() {
        let k = classify_call(
            "shell",
            &json!({"command": ["bash", "-lc", "npm test"], "workdir": "/p"}),
        )
        .unwrap();
        assert_eq!(
            k,
            CallKind::Command {
                command: "npm test".into(),
                workdir: Some("/p".into()),
                tool: "shell".into()
            }
        );
        let k = classify_call("shell", &json!({"command": ["ls", "-la", "my dir"]})).unwrap();
        assert!(matches!(k, CallKind::Command { ref command, .. } if command == "ls -la 'my dir'"));
        let k = classify_call("exec_command", &json!({"cmd": "cargo build"})).unwrap();
        assert!(matches!(k, CallKind::Command { ref tool, .. } if tool == "exec_command"));
        let k = classify_call(
            "shell",
            &json!({"command": ["apply_patch", "*** Begin Patch\n*** End Patch"]}),
        )
        .unwrap();
        assert!(matches!(k, CallKind::Patch { .. }));
        let k = classify_call("shell_command", &json!({"command": "apply_patch <<'EOF'\n*** Begin Patch\n*** Add File: a\n+x\n*** End Patch\nEOF"})).unwrap();
        assert!(matches!(k, CallKind::Patch { ref input, .. } if input.ends_with("*** End Patch")));
        assert_eq!(classify_call("update_plan", &json!({})), None);
    }

    #[test]
    fn patches_parse_into_files_and_hunks() {
        let p = "*** Begin Patch\n*** Update File: src/App.tsx\n@@ function App() {\n-  const [a] = useState(0);\n+  const [a, setA] = useState(0);\n*** Add File: src/new.ts\n+export const x = 1;\n+export const y = 2;\n*** Delete File: old.ts\n*** Update File: a.ts\n*** Move to: b.ts\n*** End Patch\n";
        let files = parse_patch(p, Some("/repo"));
        assert_eq!(files.len(), 4);
        assert_eq!(files[0].path, "/repo/src/App.tsx");
        assert_eq!((files[0].added, files[0].removed), (1, 1));
        assert_eq!(
            files[0].hunks[0].context.as_deref(),
            Some("function App() {")
        );
        assert_eq!((files[1].op, files[1].added), (FileOp::Add, 2));
        assert_eq!(files[1].diff, "+export const x = 1;\n+export const y = 2;");
        assert!(
            files[0]
                .diff
                .starts_with("@@ function App() {\n-  const [a]")
        );
        assert_eq!(files[2].op, FileOp::Delete);
        assert_eq!(
            (files[3].op, files[3].move_to.as_deref()),
            (FileOp::Move, Some("/repo/b.ts"))
        );
    }

    #[test]
    fn patch_apply_end_changes_both_generations() {
        let new = parse_changes(
            &json!({"/r/a.ts": {"type": "update", "unified_diff": "@@ -8,3 +8,4 @@ fn x\n a\n-b\n+c\n+d\n", "move_path": null}}),
        );
        assert_eq!(
            (
                new[0].added,
                new[0].removed,
                new[0].hunks[0].old_start,
                new[0].hunks[0].new_start
            ),
            (2, 1, Some(8), Some(8))
        );
        let old = parse_changes(&json!({"/r/b.ts": {"add": {"content": "x\ny\n"}}}));
        assert_eq!((old[0].op, old[0].added), (FileOp::Add, 2));
    }
}
