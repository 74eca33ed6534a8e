//! What the language server answers, tested in-process (`common::server`): hover content, where
//! lenses sit and what they say, the hints on open questions and marks that clear them, what
//! settings change, the commands, and silence wherever nothing was learned — on real rollouts
//! ingested into a real redb store, against a fixture workspace. How the server is reached (stdio
//! framing, bad input, live ingest, several processes on one store, exit) is tests/it/lsp.rs's.

use crate::common;

use common::server::{Running, TestServer};
use serde_json::{Value, json};
use std::collections::BTreeSet;

const HOOK: &str = "src/useTodos.ts";
const HEADER: &str = "src/Header.tsx";
const TYPES: &str = "src/types.ts";
const MAIN: &str = "src/main.tsx";

/// The react-first-app scenario: three sessions learning React on a todo app.
fn react_first_app() -> Running {
    TestServer::new().seed_scenario("react-first-app").start()
}

/// A position as LSP writes it.
fn at((line, character): (u32, u32)) -> Value {
    json!({"line": line, "character": character})
}

/// Runs the CLI on the server's store in the test process's time zone (the server's, which
/// dates what it shows), so the two can be compared text for text.
fn cli(s: &Running, args: &[&str]) -> String {
    let mut cmd = s.env.cmd();
    match std::env::var_os("TZ") {
        Some(tz) => cmd.env("TZ", tz),
        None => cmd.env_remove("TZ"),
    };
    let out = cmd.args(args).output().unwrap();
    assert!(
        out.status.success(),
        "sessionlens {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The symbols the lenses of `rel` are on.
fn lens_symbols(s: &Running, rel: &str) -> BTreeSet<String> {
    s.code_lens(rel)
        .iter()
        .map(|l| {
            l["command"]["arguments"][0]["symbol"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[test]
fn initialize_offers_hover_incremental_sync_and_the_commands() {
    let s = TestServer::new().start();
    let caps = &s.initialized["capabilities"];
    assert_eq!(caps["hoverProvider"], true);
    assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync");
    let commands: BTreeSet<&str> = caps["executeCommandProvider"]["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for needed in [
        "sessionlens.summarizeSession",
        "sessionlens.resolveInsight",
        "sessionlens.reopenInsight",
        "sessionlens.showTimeline",
    ] {
        assert!(commands.contains(needed), "{needed} not offered");
    }
    s.shutdown();
}

#[test]
fn a_hover_on_an_external_name_tells_the_question_its_takeaway_and_status() {
    let s = react_first_app();
    let h = s.hover(HOOK, s.pos(HOOK, "useEffect(() =>", "useEffect", 3));
    let md = h["contents"]["value"]
        .as_str()
        .expect("a hover on useEffect");
    assert_eq!(h["contents"]["kind"], "markdown");
    assert!(md.contains("`useEffect`"), "{md}");
    assert!(md.contains("what is useEffect actually doing"), "{md}");
    assert!(md.contains("takeaway:"), "{md}");
    assert!(md.contains("status: resolved"), "{md}");
    assert!(md.contains("vscode"), "{md}");
    // The same text the CLI prints for the symbol.
    let recall = cli(
        &s,
        &["recall", "useEffect", "--workspace", s.ws.to_str().unwrap()],
    );
    let asked: Vec<&str> = recall.lines().filter(|l| l.contains("asked:")).collect();
    assert!(!asked.is_empty(), "{recall}");
    for line in asked {
        assert!(md.contains(line.trim()), "hover lacks {line:?}");
    }
    assert_eq!(
        h["range"]["start"],
        at(s.pos(HOOK, "useEffect(() =>", "useEffect", 0))
    );
    // Nothing to say: no hover at all.
    assert_eq!(
        s.hover(HOOK, s.pos(HOOK, "AbortController", "controller", 1)),
        Value::Null
    );
    assert_eq!(s.hover(HOOK, (0, 0)), Value::Null);
    s.shutdown();
}

#[test]
fn lenses_sit_on_exactly_the_definitions_struggles_are_linked_to() {
    let s = react_first_app();
    // The definitions the CLI links struggle insights to, with the latest time of each.
    let insights = s
        .env
        .json(&["insights", "--workspace", s.ws.to_str().unwrap(), "--json"]);
    let struggles: Vec<&Value> = insights
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| {
            ["gap", "confusion", "error", "follow_up"].contains(&i["kind"].as_str().unwrap())
        })
        .collect();
    let linked: BTreeSet<String> = struggles
        .iter()
        .flat_map(|i| i["symbols"].as_array().unwrap().clone())
        .filter(|s| s["file"] == HOOK)
        .map(|s| s["name"].as_str().unwrap().to_owned())
        .collect();
    assert!(linked.contains("useTodos"));
    let latest_on_hook = struggles
        .iter()
        .filter(|i| {
            i["symbols"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["file"] == HOOK && s["name"] == "useTodos")
        })
        .filter_map(|i| i["at"].as_str())
        .max()
        .expect("insights linked to useTodos")
        .to_owned();
    assert!(latest_on_hook.starts_with("2026-11-21"), "{latest_on_hook}");

    let ls = s.code_lens(HOOK);
    let titled: BTreeSet<String> = ls
        .iter()
        .map(|l| {
            let title = l["command"]["title"].as_str().unwrap();
            assert!(
                title.starts_with("⟲ You struggled here before: "),
                "{title}"
            );
            assert_eq!(l["command"]["command"], "sessionlens.showInsights");
            l["command"]["arguments"][0]["symbol"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(titled, linked);
    let on_hook = ls
        .iter()
        .find(|l| l["command"]["arguments"][0]["symbol"] == "useTodos")
        .unwrap();
    assert_eq!(
        on_hook["range"]["start"],
        at(s.pos(HOOK, "export function useTodos", "useTodos", 0))
    );
    let title = on_hook["command"]["title"].as_str().unwrap();
    assert!(title.contains("3 questions"), "{title}");
    // The day of the latest of them, in the local time zone ("Nov 21" in UTC).
    let day = sessionlens::knowledge::text::short_date(&latest_on_hook);
    assert!(title.ends_with(&format!("({day})")), "{title}");
    // The lens's command shows the details.
    let details = s.command(
        "sessionlens.showInsights",
        on_hook["command"]["arguments"].clone(),
    );
    assert!(
        details["markdown"]
            .as_str()
            .unwrap()
            .contains("what is useEffect")
    );
    // The type a failed build named (`Property 'text' does not exist on type 'Todo'`).
    let on_types = s.code_lens(TYPES);
    assert_eq!(on_types.len(), 1, "{on_types:#?}");
    assert_eq!(on_types[0]["command"]["arguments"][0]["symbol"], "Todo");
    let title = on_types[0]["command"]["title"].as_str().unwrap();
    assert!(title.contains("1 failed build"), "{title}");
    // A file with nothing learned in it: no lenses.
    assert!(s.code_lens(MAIN).is_empty());
    s.shutdown();
}

#[test]
fn an_open_question_hints_its_uses_until_it_is_resolved() {
    let s = react_first_app();
    // Hints on uses of the name with an open question, nothing elsewhere.
    let diags = s.diagnostics_until(HEADER, |d| !d.is_empty());
    for d in &diags {
        assert_eq!(d["severity"], 4, "Hint");
        assert_eq!(d["source"], "sessionlens");
        assert!(
            d["message"].as_str().unwrap().contains("useTodosContext"),
            "{d}"
        );
    }
    assert_eq!(
        diags[0]["range"]["start"],
        at(s.pos(HEADER, "import", "useTodosContext", 0))
    );
    let gap_id = diags[0]["data"]["insight"].as_str().unwrap().to_owned();
    let none = s.diagnostics(TYPES);
    assert!(none.is_empty(), "{none:?}");

    // Resolving the gap clears its hints; reopening brings them back.
    let r = s.command("sessionlens.resolveInsight", json!([gap_id]));
    assert_eq!(r["status"], "resolved");
    s.diagnostics_until(HEADER, <[Value]>::is_empty);
    let gaps = s.env.json(&["gaps", "--json"]);
    assert!(
        gaps.as_array()
            .unwrap()
            .iter()
            .all(|g| g["id"] != gap_id.as_str())
    );
    s.command("sessionlens.reopenInsight", json!([{"insight": gap_id}]));
    s.diagnostics_until(HEADER, |d| !d.is_empty());

    // Every byte it stored, pinned (what differs per run is checked, then masked).
    assert_eq!(
        s.env.live_events("editor"),
        [
            common::Env::live_start("editor"),
            r#"{"id":"{LIVE}","session":"{SESSION}","at":"{AT}","turn":null,"kind":"mark","insight":"58824fd95f165ded","resolved":true}"#.to_owned(),
            r#"{"id":"{LIVE}","session":"{SESSION}","at":"{AT}","turn":null,"kind":"mark","insight":"58824fd95f165ded","resolved":false}"#.to_owned(),
        ]
    );
    // Marks are events in the verified chain.
    let env = s.shutdown();
    env.ok(&["verify"]);
}

#[test]
fn settings_switch_hints_off_or_louder_and_the_master_switch_silences_everything() {
    let s = react_first_app();
    let on_hook = s.pos(HOOK, "useEffect(() =>", "useEffect", 3);
    assert!(s.hover(HOOK, on_hook).is_object());
    s.diagnostics_until(HEADER, |d| !d.is_empty());
    // Diagnostics can be switched off, or made louder.
    s.configure(json!({"diagnostics": "off"}));
    s.diagnostics_until(HEADER, <[Value]>::is_empty);
    s.configure(json!({"diagnostics": "information"}));
    s.diagnostics_until(HEADER, |d| !d.is_empty() && d[0]["severity"] == 3);
    // The master switch silences everything, and brings it back.
    let t = s.command("sessionlens.toggle", json!([]));
    assert_eq!(t["enabled"], false);
    assert_eq!(s.hover(HOOK, on_hook), Value::Null);
    assert!(s.code_lens(HOOK).is_empty());
    s.diagnostics_until(HEADER, <[Value]>::is_empty);
    let t = s.command("sessionlens.toggle", json!([true]));
    assert_eq!(t["enabled"], true);
    assert!(s.hover(HOOK, on_hook).is_object());
    assert!(!s.code_lens(HOOK).is_empty());
    s.diagnostics_until(HEADER, |d| !d.is_empty() && d[0]["severity"] == 3);
    s.shutdown();
}

#[test]
fn settings_given_at_start_apply_from_the_first_answer() {
    let s = TestServer::new()
        .seed_scenario("react-first-app")
        .settings(json!({"lenses": false, "diagnostics": "warning"}))
        .start();
    // No lenses, but the hover still answers and the hints are warnings.
    assert!(s.code_lens(HOOK).is_empty());
    let h = s.hover(HOOK, s.pos(HOOK, "useEffect(() =>", "useEffect", 3));
    assert!(h["contents"]["value"].as_str().is_some(), "{h}");
    let diags = s.diagnostics_until(HEADER, |d| !d.is_empty());
    assert!(diags.iter().all(|d| d["severity"] == 2), "{diags:#?}");
    // Lenses come back when the editor turns them on.
    s.configure(json!({"lenses": true}));
    assert!(lens_symbols(&s, HOOK).contains("useTodos"));
    s.shutdown();
}

#[test]
fn commands_summarize_the_latest_session_show_a_timeline_and_fail_cleanly() {
    let s = react_first_app();
    // Summarize: the latest session of the workspace, appended to learnings.md.
    let summary = s.command("sessionlens.summarizeSession", json!([]));
    let id = summary["session"].as_str().unwrap();
    assert!(id.starts_with("01a20926"), "latest session: {id}");
    let md = summary["markdown"].as_str().unwrap();
    assert!(md.contains("| Turn | Action | Gap | Outcome |"), "{md}");
    let file = std::fs::read_to_string(s.path("learnings.md")).unwrap();
    assert!(file.contains(md.trim()), "learnings.md holds the entry");
    // The timeline of a named session.
    let tl = s.command("sessionlens.showTimeline", json!(["01a1f108"]));
    assert!(
        tl["text"]
            .as_str()
            .unwrap()
            .contains("what is useEffect actually doing")
    );
    // A failing command answers with an error, not a crash.
    let bad = s.request_full(
        "workspace/executeCommand",
        json!({"command": "sessionlens.resolveInsight", "arguments": ["no-such-insight"]}),
    );
    assert!(
        bad["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no insight")
    );
    s.shutdown();
}

#[test]
fn an_editor_without_a_workspace_folder_still_gets_lenses() {
    // Started on a single file: no rootUri, no workspace folders.
    let s = TestServer::new()
        .seed_scenario("react-first-app")
        .without_workspace_folder()
        .start();
    let ls = s.poll(
        |s| json!(s.code_lens(HOOK)),
        |r| r.as_array().is_some_and(|a| !a.is_empty()),
    );
    assert!(
        ls.as_array()
            .unwrap()
            .iter()
            .any(|l| l["command"]["arguments"][0]["symbol"] == "useTodos"),
        "{ls}"
    );
    let status = s.command("sessionlens.status", json!([{"uri": s.uri(HOOK)}]));
    assert_eq!(
        status["workspace"]["root"].as_str(),
        Some(s.ws.to_str().unwrap()),
        "the project around the file (it has a package.json)"
    );
    s.shutdown();
}

/// The real rtchess session: eleven turns fighting one capture highlight in `styles.css`. The
/// struggle lands on the CSS rules its rounds patched and on the functions that apply those
/// classes to the squares; a hover on the selector tells the story; an unrelated rule and
/// function stay quiet.
#[test]
fn a_struggle_with_a_style_lands_on_its_rules_and_the_code_that_applies_them() {
    let s = TestServer::new().seed_scenario("rtchess").start();
    let (css, ui) = ("styles.css", "ui.js");
    s.open(css);
    s.open(ui);

    let on_css = lens_symbols(&s, css);
    for rule in [".square.capture::before", ".square.hover-target"] {
        assert!(on_css.contains(rule), "no lens on {rule}: {on_css:?}");
    }
    for quiet in [".board", ".topbar", ".promo-btn", ".square.check"] {
        assert!(!on_css.contains(quiet), "a lens on {quiet}: {on_css:?}");
    }
    let on_ui = lens_symbols(&s, ui);
    assert!(on_ui.contains("updateHighlights"), "{on_ui:?}");
    assert!(!on_ui.contains("showPromotion"), "{on_ui:?}");
    let lens = s
        .code_lens(css)
        .into_iter()
        .find(|l| l["command"]["arguments"][0]["symbol"] == ".square.capture::before")
        .unwrap();
    assert_eq!(
        lens["range"]["start"],
        at(s.pos(css, ".square.capture::before", ".square", 0))
    );
    let title = lens["command"]["title"].as_str().unwrap();
    assert!(title.contains("rounds of corrections"), "{title}");

    // A hover on a class inside the selector shows the struggle, with the developer's words.
    let h = s.hover(css, s.pos(css, ".square.capture::before", "capture", 2));
    let md = h["contents"]["value"]
        .as_str()
        .expect("a hover on the rule");
    assert!(md.contains(".square.capture::before"), "{md}");
    assert!(md.contains("almost right"), "{md}");
    // On a rule nothing happened to: no hover at all.
    assert_eq!(
        s.hover(css, s.pos(css, ".promo-btn {", "promo", 1)),
        Value::Null
    );
    s.shutdown();
}
