//! `sessionlens summarize` end to end on a learning scenario (a first React app over three
//! sessions): the entry's table has one row per real turn, its gap lists agree with `gaps` and
//! `insights`, `--write` keeps exactly one entry per session in learnings.md without touching the
//! developer's own text, and the default (`--last`) picks the newest session of the workspace.

use crate::common;

use common::*;
use serde_json::Value;
use std::path::Path;

const FIRST: &str = "01a1f108-2bd8-7490-959a-7a32d1fadf22";
const SECOND: &str = "01a1fbab-9ef8-7752-b6e9-cb53d1813062";
const THIRD: &str = "01a20926-a7d0-7f08-9b2d-1bd3cc8649d8";

impl Scenario {
    fn summarize(&self, args: &[&str]) -> String {
        let mut all = vec!["summarize"];
        all.extend_from_slice(args);
        self.env.ok(&all)
    }
}

fn write_rollout(env: &Env, name: &str, text: &str) {
    let day = env.codex_home().join("sessions/2026/11/18");
    std::fs::create_dir_all(&day).unwrap();
    std::fs::write(day.join(name), text).unwrap();
}

/// The table's rows, each split into its four cells.
fn rows(md: &str) -> Vec<Vec<String>> {
    md.lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_owned())
                .collect()
        })
        .collect()
}

/// The topics listed under `**{name}:**`, sorted; empty for "none".
fn listed(md: &str, name: &str) -> Vec<String> {
    let head = format!("**{name}:**");
    let mut lines = md.lines().skip_while(|l| !l.starts_with(&head));
    let first = lines.next().unwrap_or_else(|| panic!("no {head} in\n{md}"));
    if first.ends_with("none") {
        return Vec::new();
    }
    let mut topics: Vec<String> = lines
        .take_while(|l| l.starts_with("- "))
        .map(|l| l.split('`').nth(1).unwrap().to_owned())
        .collect();
    topics.sort();
    topics
}

fn is_gap_kind(i: &Value) -> bool {
    ["gap", "confusion", "follow_up"].contains(&i["kind"].as_str().unwrap())
}

fn sorted_topics<'a>(list: impl Iterator<Item = &'a Value>) -> Vec<String> {
    let mut v: Vec<String> = list
        .map(|i| i["topic"].as_str().unwrap().to_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn the_table_has_one_row_per_turn_with_the_real_turn_ids() {
    let sc = Scenario::new();
    for id in [FIRST, SECOND, THIRD] {
        let md = sc.summarize(&[&id[..8]]);
        let header = md.lines().next().unwrap();
        assert!(
            header.starts_with("## 2026-11-")
                && header.ends_with(&format!("<!-- sessionlens:session {id} -->")),
            "{header}"
        );
        assert!(md.contains(&format!("- **Session** `{id}` · ")), "{md}");

        let mut turns: Vec<String> = Vec::new();
        for e in sc.env.json(&["timeline", id, "--json"]).as_array().unwrap() {
            if let Some(t) = e["turn"].as_str() {
                if !turns.iter().any(|x| x == t) {
                    turns.push(t.to_owned());
                }
            }
        }
        let rows = rows(&md);
        assert_eq!(rows.len(), turns.len(), "{md}");
        assert!(md.contains(&format!(" · {} turns\n", turns.len())), "{md}");
        for (row, turn) in rows.iter().zip(&turns) {
            assert_eq!(row.len(), 4, "{row:?}");
            let short = row[0].trim_matches('`');
            assert!(
                short.len() >= 8 && turn.starts_with(short),
                "{short} is not turn {turn}"
            );
            // Each short id names exactly one turn of the session.
            assert_eq!(turns.iter().filter(|t| t.starts_with(short)).count(), 1);
        }
    }

    // The rows say what happened, from the turn's own events.
    let md = sc.summarize(&[FIRST]);
    let first = rows(&md);
    let useeffect = first
        .iter()
        .find(|r| r[1].contains("what is useEffect actually doing"))
        .expect("the useEffect question");
    assert_eq!(useeffect[2], "`useEffect` (gap)");
    assert!(useeffect[3].starts_with("answered: "), "{useeffect:?}");
    let build = first
        .iter()
        .find(|r| r[1].starts_with("can you run the build"))
        .expect("the build turn");
    assert_eq!(build[2], "—");
    assert!(
        build[3].contains("`npm run build` failed → passed"),
        "{build:?}"
    );
    // A turn with no prompt (a command the developer ran themselves) still gets its row.
    let md = sc.summarize(&[THIRD]);
    assert_eq!(
        rows(&md)[0][1..],
        [
            "ran `npx netlify deploy --prod`",
            "—",
            "`npx netlify deploy --prod` passed"
        ]
    );
}

#[test]
fn gap_lists_agree_with_gaps_and_insights() {
    let sc = Scenario::new();
    let open = sc.env.json(&["gaps", "--json"]);
    let resolved = sc.env.json(&["insights", "--status", "resolved", "--json"]);
    for id in [FIRST, SECOND, THIRD] {
        let md = sc.summarize(&[id]);
        let want_open = sorted_topics(
            open.as_array()
                .unwrap()
                .iter()
                .filter(|i| i["session"] == id),
        );
        assert_eq!(listed(&md, "Gaps still open"), want_open, "{md}");
        let want_resolved = sorted_topics(resolved.as_array().unwrap().iter().filter(|i| {
            is_gap_kind(i) && (i["session"] == id || i["resolved_by"]["session"] == id)
        }));
        assert_eq!(listed(&md, "Gaps resolved"), want_resolved, "{md}");
    }
    // The second session left its two questions about sharing state open, and the practice
    // suggestions come from them; the third resolved what the first two asked.
    let md = sc.summarize(&[SECOND]);
    assert_eq!(listed(&md, "Gaps still open"), ["React Context", "props"]);
    let reps: Vec<&str> = md
        .lines()
        .skip_while(|l| *l != "**Next reps:**")
        .skip(1)
        .collect();
    assert!(
        (1..=3).contains(&reps.len()) && reps.iter().all(|r| r.starts_with("- ")),
        "{md}"
    );
    let third = sc.summarize(&[THIRD]);
    assert!(
        listed(&third, "Gaps resolved").contains(&"Netlify deploy".to_owned()),
        "{third}"
    );
    assert!(third.contains("**Gaps still open:** none\n"), "{third}");
}

#[test]
fn writing_twice_keeps_one_entry_and_the_developers_own_text() {
    let sc = Scenario::new();
    let file = sc.ws.join("learnings.md");
    let mine = "# Learnings\n\nMy own notes: hooks are functions that React calls in order.\n";
    std::fs::write(&file, mine).unwrap();

    let write = |id: &str| {
        sc.env.run(&[
            "summarize",
            id,
            "--workspace",
            sc.ws(),
            "--write",
            "learnings.md",
        ])
    };
    // The managed "Current focus" block sits under the heading; everything else is compared
    // without it.
    let without_focus = |text: &str| -> String {
        let (Some(a), Some(b)) = (
            text.find("<!-- sessionlens:focus:begin -->"),
            text.find("<!-- sessionlens:focus:end -->"),
        ) else {
            return text.to_owned();
        };
        let end = b + "<!-- sessionlens:focus:end -->".len();
        let end = if text[end..].starts_with("\n\n") {
            end + 2
        } else {
            end
        };
        format!("{}{}", &text[..a], &text[end..])
    };
    let first = write(FIRST);
    assert!(first.status.success());
    let entry = String::from_utf8(first.stdout).unwrap();
    let after_one = std::fs::read_to_string(&file).unwrap();
    assert!(after_one.contains("## Current focus"), "{after_one}");
    assert_eq!(without_focus(&after_one), format!("{mine}\n{entry}"));
    assert!(String::from_utf8_lossy(&first.stderr).contains("Wrote the entry"));

    // Again: nothing changes, and it says so.
    let again = write(FIRST);
    assert!(again.status.success());
    assert_eq!(String::from_utf8(again.stdout).unwrap(), entry);
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("unchanged"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), after_one);
    let json = sc.env.json(&[
        "summarize",
        FIRST,
        "--workspace",
        sc.ws(),
        "--write",
        "learnings.md",
        "--json",
    ]);
    assert_eq!(
        (&json["session"], &json["written"], &json["markdown"]),
        (
            &Value::from(FIRST),
            &Value::from(false),
            &Value::from(entry.clone())
        )
    );

    // The developer writes under the entry and adds their own section; another session's entry
    // is appended; then the first is summarized once more with its old entry edited by hand.
    let note = "A note I wrote under the entry.\n\n## My own heading\n\nMine too.\n";
    std::fs::write(&file, format!("{after_one}{note}")).unwrap();
    assert!(write(SECOND).status.success());
    let edited = std::fs::read_to_string(&file)
        .unwrap()
        .replace("**Gaps still open:** none", "**Gaps still open:** (edited)");
    std::fs::write(&file, edited).unwrap();
    assert!(write(FIRST).status.success());

    let text = without_focus(&std::fs::read_to_string(&file).unwrap());
    for id in [FIRST, SECOND] {
        assert_eq!(
            text.matches(&format!("<!-- sessionlens:session {id} -->"))
                .count(),
            1,
            "{text}"
        );
    }
    assert!(
        text.starts_with(&format!("{mine}\n{entry}{note}")),
        "the developer's text moved:\n{text}"
    );
    assert!(text.ends_with(&sc.summarize(&[SECOND])), "{text}");
    assert!(!text.contains("(edited)"));
    // Nothing else left in the workspace: the write went through a renamed temporary file.
    let strays: Vec<String> = std::fs::read_dir(&sc.ws)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(strays.is_empty(), "{strays:?}");
}

#[test]
fn last_picks_the_newest_session_of_the_workspace() {
    let sc = Scenario::new();
    // A newer session, but in another project.
    let other = sc.env.root.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "tests/fixtures/eval/react-first-app/sessions/rollout-2026-11-23T11-04-18-01a20926-a7d0-7f08-9b2d-1bd3cc8649d8.jsonl",
    );
    let newer_id = "01a30000-a7d0-7f08-9b2d-1bd3cc8649d8";
    let text = std::fs::read_to_string(src)
        .unwrap()
        .replace(THIRD, newer_id)
        .replace("2026-11-23", "2026-11-25")
        .replace("/home/dev/todo", other.to_str().unwrap());
    write_rollout(
        &sc.env,
        &format!("rollout-2026-11-25T11-04-18-{newer_id}.jsonl"),
        &text,
    );
    sc.env.ok(&["ingest", "codex", "--idle-minutes", "0"]);

    let session = |args: &[&str]| {
        let mut all = vec!["summarize", "--json"];
        all.extend_from_slice(args);
        sc.env.json(&all)["session"].as_str().unwrap().to_owned()
    };
    assert_eq!(session(&["--workspace", sc.ws()]), THIRD);
    assert_eq!(session(&["--last", "--workspace", sc.ws()]), THIRD);
    assert_eq!(session(&["--workspace", other.to_str().unwrap()]), newer_id);
    // No --workspace: the current directory.
    for args in [&["summarize"][..], &["summarize", "--last"]] {
        let out = sc
            .env
            .cmd()
            .args(args)
            .current_dir(&sc.ws)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}");
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            sc.summarize(&[THIRD])
        );
    }
}

#[test]
fn no_matching_session_is_a_clear_error() {
    let sc = Scenario::new();
    let out = sc.env.run(&["summarize", "ffffffff"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no session matches \"ffffffff\""), "{err}");

    let empty = sc.env.root.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let out = sc
        .env
        .run(&["summarize", "--workspace", empty.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no session ran inside"), "{err}");
    // Neither a prefix and --last at once.
    let out = sc.env.run(&["summarize", "01a1", "--last"]);
    assert_eq!(out.status.code(), Some(2));
}
