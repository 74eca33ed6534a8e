//! One question, one answer: on one store and one workspace opened through a symlink, the editor
//! hover (`sessionlens serve` over stdio), `sessionlens recall NAME --workspace LINK` and the MCP
//! `recall` tool (rmcp's client over `sessionlens mcp`) show the same insights for a name the
//! workspace does not define (`useEffect`: from any project), names it defines (`App`,
//! `useTodos`: linked here, and only its own sessions) and a name with nothing (all quiet). The
//! briefing, `sessions --workspace` and `insights --workspace` agree with them on which sessions
//! belong to the symlinked workspace; another project next to it (`react-first-app-v2`, whose
//! name starts with the workspace's) asked the same questions and must stay out of it.

use crate::common;

use common::lsp::{Client, uri};
use common::{Env, scenario};
use rmcp::ServiceExt;
use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::service::{RoleClient, RunningService};
use rmcp::transport::TokioChildProcess;
use serde_json::{Value, json};
use sessionlens::normalize::text::{OWN_CONTEXT_END, OWN_CONTEXT_MARKER};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The 0-based LSP position of `needle` on the first line containing `line_has`.
fn pos(path: &Path, line_has: &str, needle: &str) -> Value {
    let (line, character) = common::lsp::position(path, line_has, needle, 1);
    json!({"line": line, "character": character})
}

/// The react-first-app scenario ingested into one store, plus a second project that asked the
/// same questions in the scenario's second session; the workspace is reached through `link`.
struct Setup {
    env: Env,
    link: PathBuf,
    other: PathBuf,
}

fn setup() -> Setup {
    let env = Env::new();
    let (ws, files) = scenario(&env, "react-first-app");
    let link = env.root.path().join("todo-link");
    std::os::unix::fs::symlink(&ws, &link).unwrap();
    let ws_s = ws.to_str().unwrap();
    // The last session recorded the folder as its shell saw it: through the link.
    let last = files.last().unwrap();
    let text = std::fs::read_to_string(last).unwrap();
    std::fs::write(last, text.replace(ws_s, link.to_str().unwrap())).unwrap();
    // Another project, a sibling whose name starts with the workspace's: the second session
    // again, under a session id of its own.
    let other = env.root.path().join("react-first-app-v2");
    let second = &files[1];
    let name = second.file_name().unwrap().to_str().unwrap();
    let id = &name[name.len() - "01a1fbab-9ef8-7752-b6e9-cb53d1813062.jsonl".len()..][..36];
    let copy_id = format!("{}0000000000aa", &id[..24]);
    let text = std::fs::read_to_string(second)
        .unwrap()
        .replace(ws_s, other.to_str().unwrap())
        .replace(id, &copy_id);
    std::fs::write(second.with_file_name(name.replace(id, &copy_id)), text).unwrap();
    env.ok(&["ingest", "codex", "--idle-minutes", "0"]);
    Setup { env, link, other }
}

/// `sessionlens mcp` in this environment, connected.
async fn connect(env: &Env, cwd: &Path) -> RunningService<RoleClient, ()> {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_sessionlens"));
    cmd.arg("mcp")
        .current_dir(cwd)
        .env("SESSIONLENS_DATA_DIR", env.data_dir())
        .env("CODEX_HOME", env.codex_home())
        .env("HOME", env.root.path())
        .env("TZ", "UTC")
        .env_remove("SESSIONLENS_LOG")
        .env_remove("RUST_LOG");
    let transport = TokioChildProcess::new(cmd).expect("start sessionlens mcp");
    ().serve(transport).await.expect("MCP handshake")
}

/// The MCP `recall` answer, inside Session Lens's own markers.
async fn mcp_recall(
    client: &RunningService<RoleClient, ()>,
    name: &str,
    ws: Option<&Path>,
) -> String {
    let mut args = json!({"symbol_or_topic": name});
    if let Some(ws) = ws {
        args["workspace"] = json!(ws.to_str().unwrap());
    }
    let Value::Object(args) = args else {
        unreachable!()
    };
    let r: CallToolResult = client
        .call_tool(CallToolRequestParams::new("recall").with_arguments(args))
        .await
        .unwrap_or_else(|e| panic!("recall {name}: {e}"));
    assert_ne!(r.is_error, Some(true), "{r:?}");
    let t: String = r
        .content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect();
    t.strip_prefix(OWN_CONTEXT_MARKER)
        .and_then(|t| t.strip_prefix('\n'))
        .and_then(|t| t.strip_suffix(OWN_CONTEXT_END))
        .unwrap_or_else(|| panic!("not marked as Session Lens's own: {t:?}"))
        .to_owned()
}

/// What the CLI answers: the text (the hover's markdown) and the insights (id, session) of
/// `--json`, newest first.
fn cli_recall(env: &Env, name: &str, ws: Option<&Path>) -> (String, Vec<(String, String)>) {
    let mut args = vec!["recall", name];
    if let Some(ws) = ws {
        args.extend(["--workspace", ws.to_str().unwrap()]);
    }
    let text = env.ok(&args);
    args.push("--json");
    let ids = env
        .json(&args)
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["id"].as_str().unwrap().to_owned(),
                i["session"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (text, ids)
}

/// What the editor shows for `name` at `at` in `file`: the hover's markdown (`None`: no
/// hover) and the insight ids of the details a lens on it opens (`sessionlens.showInsights`).
fn editor_recall(
    c: &mut Client,
    file: &Path,
    at: Value,
    name: &str,
) -> (Option<String>, Vec<String>) {
    let h = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(file)}, "position": at}),
    );
    let md = h["contents"]["value"].as_str().map(str::to_owned);
    let shown = c.request(
        "workspace/executeCommand",
        json!({"command": "sessionlens.showInsights", "arguments": [{"uri": uri(file), "symbol": name}]}),
    );
    let ids = shown["insights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    (md, ids)
}

#[test]
fn hover_cli_and_mcp_recall_agree_in_a_workspace_opened_through_a_symlink() {
    let Setup { env, link, other } = setup();
    let link_s = link.to_str().unwrap();
    let hook = link.join("src/useTodos.ts");
    let app = link.join("src/App.tsx");

    // Which sessions belong to the workspace, as `sessions --workspace` sees it.
    let ours: BTreeSet<String> = env
        .json(&["sessions", "--workspace", link_s, "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();
    let all: Vec<Value> = env
        .json(&["insights", "--json"])
        .as_array()
        .unwrap()
        .clone();
    let theirs: BTreeSet<String> = env
        .json(&["sessions", "--workspace", other.to_str().unwrap(), "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        ours.len(),
        3,
        "the scenario's sessions, by either path: {ours:?}"
    );
    assert_eq!(theirs.len(), 1, "{theirs:?}");
    assert!(ours.is_disjoint(&theirs));

    // The editor: the workspace folder is the link, files are opened through it.
    let mut c = Client::start(env.cmd());
    c.initialize(&link, json!({}));
    c.open(&hook, "typescript");
    c.open(&app, "typescriptreact");
    let indexed = c.wait_for(Duration::from_secs(60), |n| {
        n["method"] == "$/progress" && n["params"]["value"]["kind"] == "end"
    });
    assert!(indexed.is_some(), "the workspace was never indexed");

    let names: [(&str, &Path, &str, &str); 4] = [
        // Not defined here: what was learned anywhere.
        ("useEffect", &hook, "useEffect(() =>", "useEffect"),
        // Defined here: linked to its definitions, and only this workspace's own sessions.
        ("App", &app, "function App", "App"),
        ("useTodos", &hook, "export function useTodos", "useTodos"),
        // Nothing known: quiet everywhere.
        ("controller", &hook, "new AbortController", "controller"),
    ];
    let mut editor = Vec::new();
    for (name, file, line, needle) in names {
        editor.push(editor_recall(&mut c, file, pos(file, line, needle), name));
    }
    assert_eq!(c.shutdown().code(), Some(0));

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (mcp_here, mcp_nowhere, mcp_topic) = rt.block_on(async {
        let client = connect(&env, env.root.path()).await;
        let mut here = Vec::new();
        let mut nowhere = Vec::new();
        for (name, ..) in names {
            here.push(mcp_recall(&client, name, Some(&link)).await);
            nowhere.push(mcp_recall(&client, name, None).await);
        }
        let topic = mcp_recall(&client, "React Context", Some(&link)).await;
        client.cancel().await.unwrap();
        (here, nowhere, topic)
    });

    for (n, (name, ..)) in names.iter().enumerate() {
        let (hover, shown) = &editor[n];
        let (text, cli) = cli_recall(&env, name, Some(&link));
        let ids: Vec<String> = cli.iter().map(|(id, _)| id.clone()).collect();
        assert_eq!(
            shown, &ids,
            "{name}: the editor's details and `recall --json`"
        );
        if ids.is_empty() {
            assert_eq!(hover, &None, "{name}: no hover where there is nothing");
            assert_eq!(text, "", "{name}");
            assert_eq!(
                mcp_here[n].trim_end(),
                format!("Nothing recorded about {name}.")
            );
        } else {
            assert!(
                ids.len() <= 5,
                "{name}: the hover shows five at most: {ids:?}"
            );
            assert_eq!(
                hover.as_deref(),
                Some(text.as_str()),
                "{name}: hover and `recall`"
            );
            assert_eq!(mcp_here[n], text, "{name}: MCP and `recall`");
            // The text lists the insights the JSON does, one entry each.
            let entries = text.lines().filter(|l| l.starts_with("- **")).count();
            assert_eq!(entries, ids.len(), "{name}: {text}");
        }
        // Without a workspace, the CLI and MCP still give one answer.
        let (text_nowhere, _) = cli_recall(&env, name, None);
        if text_nowhere.is_empty() {
            assert_eq!(
                mcp_nowhere[n].trim_end(),
                format!("Nothing recorded about {name}.")
            );
        } else {
            assert_eq!(mcp_nowhere[n], text_nowhere, "{name} with no workspace");
        }
    }
    let (topic_text, _) = cli_recall(&env, "React Context", Some(&link));
    assert!(
        topic_text.contains("**gap** · React Context"),
        "{topic_text}"
    );
    assert_eq!(mcp_topic, topic_text, "a topic in words, CLI and MCP");

    // The rule the three now share, checked on what they showed.
    let sessions = |name: &str, ws: Option<&Path>| -> BTreeSet<String> {
        cli_recall(&env, name, ws)
            .1
            .into_iter()
            .map(|(_, s)| s)
            .collect()
    };
    let external = sessions("useEffect", Some(&link));
    assert!(
        !external.is_disjoint(&ours) && !external.is_disjoint(&theirs),
        "useEffect: learned in both projects, shown in this one: {external:?}"
    );
    for name in ["App", "useTodos"] {
        let here = sessions(name, Some(&link));
        assert!(
            !here.is_empty() && here.is_subset(&ours),
            "{name}: {here:?}"
        );
        let anywhere = sessions(name, None);
        assert!(
            !anywhere.is_disjoint(&theirs),
            "{name} was asked about in the other project too: {anywhere:?}"
        );
    }
    // `App` is found here through the links to its definition: the decision that introduced
    // the context never names it.
    let app_here = cli_recall(&env, "App", Some(&link)).0;
    assert!(app_here.contains("**decision** · context"), "{app_here}");
    assert!(
        !cli_recall(&env, "App", None)
            .0
            .contains("**decision** · context")
    );

    // The briefing and the CLI filters count the same sessions as the workspace's.
    let listed: BTreeSet<String> = env
        .json(&["insights", "--workspace", link_s, "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["session"].as_str().unwrap().to_owned())
        .collect();
    let expected: BTreeSet<String> = all
        .iter()
        .map(|i| i["session"].as_str().unwrap().to_owned())
        .filter(|s| ours.contains(s))
        .collect();
    assert_eq!(
        listed, expected,
        "`insights --workspace` and `sessions --workspace`"
    );
    let open_here: Vec<&str> = all
        .iter()
        .filter(|i| {
            ours.contains(i["session"].as_str().unwrap())
                && i["status"] == "open"
                && ["gap", "confusion", "follow_up"].contains(&i["kind"].as_str().unwrap())
        })
        .map(|i| i["topic"].as_str().unwrap())
        .collect();
    assert!(!open_here.is_empty());
    let briefing = env.ok(&[
        "context",
        "--workspace",
        link_s,
        "--now",
        "2026-11-24T09:00:00Z",
        "--max-chars",
        "20000",
    ]);
    let still_open = briefing
        .split("Still open (newest first):")
        .nth(1)
        .unwrap_or_else(|| panic!("no open questions in the briefing: {briefing}"));
    let still_open = still_open.split("\n\n").next().unwrap();
    let bullets: Vec<&str> = still_open
        .lines()
        .filter(|l| l.starts_with("- `"))
        .collect();
    assert_eq!(
        bullets.len(),
        open_here.len(),
        "one bullet per open question of the workspace's sessions, none of the other project's: {briefing}"
    );
    for topic in &open_here {
        assert!(
            bullets
                .iter()
                .any(|b| b.starts_with(&format!("- `{topic}`"))),
            "{topic} missing: {briefing}"
        );
    }
    let gaps = env.json(&["gaps", "--workspace", link_s, "--json"]);
    let gap_sessions: BTreeSet<String> = gaps
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["session"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        !gap_sessions.is_empty() && gap_sessions.is_subset(&ours),
        "{gap_sessions:?}"
    );
}
