//! The notetaker half of the learnings loop: `learnings.md` kept digestible (a managed "Current
//! focus" block, old entries moved to `learnings/archive/YYYY-MM.md`, the developer's own text
//! untouched byte for byte), every written summary versioned in the store by its hash, and the
//! language server writing a finished session's entry by itself, with no command run.

use crate::common;

use common::lsp::Client;
use common::{Env, scenario};
use serde_json::json;
use sessionlens::knowledge::journal::{self, FOCUS_BEGIN, FOCUS_END};
use sessionlens::store::Store;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const FIRST: &str = "01a1f108-2bd8-7490-959a-7a32d1fadf22";
const SECOND: &str = "01a1fbab-9ef8-7752-b6e9-cb53d1813062";
const THIRD: &str = "01a20926-a7d0-7f08-9b2d-1bd3cc8649d8";

const HEADING: &str = "# Learnings\n";
const MINE: &str = "\nAbove: my own notes, kept as I wrote them.  \nSecond line\twith a tab.\n\n## My section\n\nBelow: more of my notes.\n";

fn ingested(env: &Env) -> PathBuf {
    let (ws, _) = scenario(env, "react-first-app");
    env.ok(&["ingest", "codex", "--idle-minutes", "0"]);
    ws
}

fn at(t: &str) -> jiff::Timestamp {
    t.parse().unwrap()
}

fn focus_block(text: &str) -> &str {
    let b = text.find(FOCUS_BEGIN).expect("a focus block");
    let e = text.find(FOCUS_END).expect("the focus block's end") + FOCUS_END.len();
    &text[b..e]
}

fn marker(id: &str) -> String {
    format!("<!-- sessionlens:session {id} -->")
}

#[test]
fn learnings_md_gets_a_focus_block_an_archive_and_keeps_the_developers_text() {
    let env = Env::new();
    let ws = ingested(&env);
    let file = ws.join("learnings.md");
    std::fs::write(&file, format!("{HEADING}{MINE}")).unwrap();
    let store = Store::open(&sessionlens::config::store_path(&env.data_dir())).unwrap();
    let now = at("2026-11-25T12:00:00Z");

    let w1 = journal::write_session(&store, Some(FIRST), &ws, &file, 30, now).unwrap();
    let w2 = journal::write_session(&store, Some(SECOND), &ws, &file, 30, now).unwrap();
    assert!(w1.changed && w2.changed);
    assert!(w1.archived.is_empty() && w2.archived.is_empty());
    assert_eq!((w1.version, w1.previous_hash.as_deref()), (1, None));
    let text = std::fs::read_to_string(&file).unwrap();

    // The focus block sits right under the heading; then the developer's text, byte for byte;
    // then the two entries.
    let focus = focus_block(&text);
    assert!(
        text.starts_with(&format!("{HEADING}\n{FOCUS_BEGIN}\n## Current focus\n")),
        "{text}"
    );
    assert!(focus.contains("**Open gaps and follow-ups:**"), "{focus}");
    assert!(focus.contains("**Next reps:**"), "{focus}");
    let after_focus = &text[text.find(FOCUS_END).unwrap() + FOCUS_END.len()..];
    let first_entry = after_focus.find("\n## 2026-").expect("an entry") + 1;
    assert_eq!(&after_focus[..first_entry], format!("\n{MINE}\n"), "{text}");
    for id in [FIRST, SECOND] {
        assert_eq!(text.matches(&marker(id)).count(), 1, "{text}");
    }
    assert!(text.contains(&w1.markdown.trim_end().to_string()));

    // The focus block is rewritten on every write: a hand edit inside it does not survive.
    let tampered = text.replace("## Current focus", "## Current focus (edited by hand)");
    std::fs::write(&file, &tampered).unwrap();
    let again = journal::write_session(&store, Some(SECOND), &ws, &file, 30, now).unwrap();
    assert!(again.changed);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
    // The same entry again: a new write changes nothing, and the store keeps one version.
    let same = journal::write_session(&store, Some(SECOND), &ws, &file, 30, now).unwrap();
    assert!(!same.changed);
    assert_eq!(same.version, 1);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);

    // Four weeks later the first session (Nov 18) is more than 30 days old: its entry moves to
    // learnings/archive/2026-11.md; the second (Nov 20) stays.
    let later = at("2026-12-19T12:00:00Z");
    let w3 = journal::write_session(&store, Some(SECOND), &ws, &file, 30, later).unwrap();
    let archive = ws.join("learnings/archive/2026-11.md");
    assert!(w3.changed);
    assert_eq!(w3.archived, vec![(FIRST.to_owned(), archive.clone())]);
    let journal = std::fs::read_to_string(&file).unwrap();
    let archived = std::fs::read_to_string(&archive).unwrap();
    assert!(!journal.contains(&marker(FIRST)), "{journal}");
    assert_eq!(journal.matches(&marker(SECOND)).count(), 1);
    assert!(
        archived.starts_with("# Learnings archive · 2026-11\n\n## 2026-11-18 · "),
        "{archived}"
    );
    assert!(
        archived.contains(&w1.markdown.trim_end().to_string()),
        "{archived}"
    );
    let after_focus = &journal[journal.find(FOCUS_END).unwrap() + FOCUS_END.len()..];
    assert!(
        after_focus.starts_with(&format!("\n{MINE}\n## 2026-11-2")),
        "{journal}"
    );
    // Idempotent: nothing changes the second time, in the journal or the archive.
    let w4 = journal::write_session(&store, Some(SECOND), &ws, &file, 30, later).unwrap();
    assert!(!w4.changed && w4.archived.is_empty(), "{w4:?}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), journal);
    assert_eq!(std::fs::read_to_string(&archive).unwrap(), archived);
    // Writing the archived session's entry again puts it in the archive, not a second time.
    journal::write_session(&store, Some(FIRST), &ws, &file, 30, later).unwrap();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), journal);
    assert_eq!(
        std::fs::read_to_string(&archive)
            .unwrap()
            .matches(&marker(FIRST))
            .count(),
        1
    );
    assert!(
        std::fs::read_dir(ws.join("learnings/archive"))
            .unwrap()
            .all(|e| !e.unwrap().file_name().to_string_lossy().ends_with(".tmp"))
    );

    // Summaries are versioned by their hash.
    let v = store.summaries(FIRST).unwrap();
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].version, 1);
    assert_eq!(v[0].markdown, w1.markdown);
    assert_eq!(v[0].sha256.len(), 64);
    assert_eq!(store.put_summary(FIRST, &w1.markdown).unwrap(), 1);
    let changed = format!("{}\nA later note.\n", w1.markdown);
    assert_eq!(store.put_summary(FIRST, &changed).unwrap(), 2);
    assert_eq!(store.put_summary(FIRST, &changed).unwrap(), 2);
    let v = store.summaries(FIRST).unwrap();
    assert_eq!(v.iter().map(|r| r.version).collect::<Vec<_>>(), [1, 2]);
    assert_ne!(v[0].sha256, v[1].sha256);
    assert_eq!(
        store.latest_summary(FIRST).unwrap().unwrap().markdown,
        changed
    );
    assert!(store.summaries("no-such-session").unwrap().is_empty());
}

fn wait_for_file(c: &mut Client, path: &Path, has: &str, timeout: Duration) -> Option<String> {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if let Ok(text) = std::fs::read_to_string(path) {
            if text.contains(has) {
                return Some(text);
            }
        }
        c.pump(Duration::from_millis(200));
    }
    None
}

#[test]
fn the_language_server_writes_an_ended_sessions_entry_by_itself() {
    let env = Env::new();
    let ws = ingested(&env);
    let file = ws.join("learnings.md");
    assert!(!file.exists());
    let mut c = Client::start(env.cmd());
    c.initialize(&ws, json!({"notesAfterIdleSeconds": 1}));
    let text = wait_for_file(&mut c, &file, &marker(THIRD), Duration::from_secs(20))
        .unwrap_or_else(|| panic!("no entry for {THIRD} in {}", file.display()));
    assert!(
        text.contains(FOCUS_BEGIN) && text.contains(FOCUS_END),
        "{text}"
    );
    assert_eq!(text.matches(&marker(THIRD)).count(), 1);
    assert!(
        c.server_requests
            .iter()
            .all(|m| m != "workspace/executeCommand")
    );
    // Written once: a few more checks leave the file as it is.
    let settled = wait_for_file(&mut c, &file, &marker(FIRST), Duration::from_secs(10)).unwrap();
    c.pump(Duration::from_secs(3));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), settled);
    assert!(c.shutdown().success());
    let store = Store::open(&sessionlens::config::store_path(&env.data_dir())).unwrap();
    assert_eq!(store.summaries(THIRD).unwrap().len(), 1);
}
