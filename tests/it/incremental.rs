//! Deriving incrementally gives what deriving at once gives. The insight engine can stop after any
//! session, keep its state (a checkpoint) and go on later with only the sessions after it; these
//! tests split every fixture's sessions at every point, both ways (a checkpoint made while
//! deriving everything, and one advanced from an earlier checkpoint), and compare the insights
//! with one derivation of the whole log. The store-level path (`Knowledge::load` catching up from
//! its cached checkpoint as a rollout grows) is checked against a fresh derivation too.

use crate::common::*;
use sessionlens::insight::checkpoint::{Checkpoint, derive_from};
use sessionlens::insight::{Insight, derive};
use sessionlens::normalize::{Body, Event};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

use sessionlens::ingest::gate::Gate;
use sessionlens::knowledge::snapshot::{Knowledge, Made};
use sessionlens::store::Store;

/// Every fixture session that the rules read something from, in one log: the eval scenarios
/// (several sessions each, so lifecycles cross sessions), the real rollouts and the Claude Code
/// transcripts, plus a mark and a noted learning.
fn corpus() -> Vec<Event> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut files: Vec<PathBuf> = Vec::new();
    for scenario in std::fs::read_dir(root.join("eval")).unwrap() {
        let sessions = scenario.unwrap().path().join("sessions");
        if let Ok(dir) = std::fs::read_dir(sessions) {
            files.extend(dir.map(|e| e.unwrap().path()));
        }
    }
    for rel in [CLI_REAL, VSCODE_REAL, SHAPE_0146, G0, MESSY, LIVE_2026] {
        files.push(fixture(rel));
    }
    files.sort();
    let mut events: Vec<Event> = files
        .iter()
        .flat_map(|f| read_from(f, 0, None, None, true).events)
        .collect();
    let mut transcripts = Vec::new();
    walk(&root.join("claude/real"), &mut transcripts);
    transcripts.sort();
    for t in transcripts {
        events.extend(read_claude(&t).events);
    }
    // The developer's word, on the first open insight, and a learning noted by an agent.
    let open = derive(&events)
        .into_iter()
        .find(|i| i.status == sessionlens::insight::Status::Open)
        .expect("the fixtures leave something open");
    let start = |id: &str, at: &str| Event {
        id: format!("{id}-start"),
        session: id.into(),
        at: at.into(),
        turn: None,
        body: Body::SessionStart(sessionlens::normalize::SessionInfo {
            surface: "cli".into(),
            cwd: Some("/w".into()),
            started_at: at.into(),
            ..Default::default()
        }),
    };
    events.push(start("cli-2026-12-01-marks", "2026-12-01T09:00:00.000Z"));
    events.push(Event {
        id: "mark-1".into(),
        session: "cli-2026-12-01-marks".into(),
        at: "2026-12-01T09:00:01.000Z".into(),
        turn: None,
        body: Body::Mark {
            insight: open.id.clone(),
            resolved: true,
        },
    });
    events.push(start("mcp-2025-11-23-notes", "2025-11-23T09:00:00.000Z"));
    events.push(Event {
        id: "learning-1".into(),
        session: "mcp-2025-11-23-notes".into(),
        at: "2025-11-23T09:00:02.000Z".into(),
        turn: Some("learning-1".into()),
        body: Body::Learning {
            topic: "useReducer".into(),
            takeaway: "Reach for useReducer when the next state depends on the last.".into(),
            names: vec!["todosReducer".into()],
            source: "agent".into(),
        },
    });
    events
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|x| x == "jsonl") {
            out.push(p);
        }
    }
}

/// The insights as compared: ordered by id, whatever order a derivation left them in.
fn sorted(mut v: Vec<Insight>) -> Vec<Insight> {
    v.sort_by(|a, b| a.id.cmp(&b.id));
    v
}

/// The sessions in the order the rules read them: by start, then id.
fn order(events: &[Event]) -> Vec<String> {
    let d = derive_from(None, events, |_| true).unwrap();
    d.checkpoint
        .unwrap()
        .sessions()
        .map(str::to_owned)
        .collect()
}

fn events_of(events: &[Event], sessions: &HashSet<&str>, held: bool) -> Vec<Event> {
    events
        .iter()
        .filter(|e| sessions.contains(e.session.as_str()) == held)
        .cloned()
        .collect()
}

#[test]
fn every_split_of_the_fixtures_derives_what_deriving_at_once_does() {
    let events = corpus();
    let whole = sorted(derive(&events));
    let order = order(&events);
    assert!(order.len() >= 15, "{} sessions", order.len());
    assert!(whole.len() >= 40, "{} insights", whole.len());
    assert!(
        whole.iter().any(|i| i
            .resolved_by
            .as_ref()
            .is_some_and(|r| r.session != i.session)),
        "some insight is closed by a later session, so lifecycles cross the splits"
    );
    for k in 0..=order.len() {
        let prefix: HashSet<&str> = order[..k].iter().map(String::as_str).collect();
        // A checkpoint made while deriving everything.
        let d = derive_from(None, &events, |s| prefix.contains(s)).unwrap();
        let made = d.checkpoint.expect("a derivation from nothing checkpoints");
        assert_eq!(made.len(), k);
        assert_eq!(sorted(d.insights), whole, "derived at once, kept {k}");
        // Going on from it with only the sessions after it.
        let rest = events_of(&events, &prefix, false);
        let on = derive_from(Some(made.clone()), &rest, |_| false).unwrap();
        assert!(
            on.checkpoint.is_none(),
            "nothing settled: the checkpoint stands"
        );
        // The base comes first, as the checkpoint has it but where a later session or a mark
        // changed it: what the cache keeps as the base and a delta.
        let base = made.base();
        assert_eq!(on.base_len, base.len());
        for (n, b) in base.iter().enumerate() {
            if on.changed.binary_search(&(n as u32)).is_err() {
                assert!(
                    on.insights[n] == *b,
                    "base insight {n} changed unannounced (split {k})"
                );
            }
        }
        assert_eq!(sorted(on.insights), whole, "from a checkpoint after {k}");
        // Advanced from an earlier checkpoint (half as far), then gone on from.
        let half: HashSet<&str> = order[..k / 2].iter().map(String::as_str).collect();
        let early = derive_from(None, &events_of(&events, &half, true), |_| true)
            .unwrap()
            .checkpoint
            .unwrap();
        let later = events_of(&events, &half, false);
        let advanced = derive_from(Some(early), &later, |s| prefix.contains(s)).unwrap();
        let advanced_to = advanced.checkpoint.unwrap_or_else(|| made.clone());
        assert!(
            advanced_to == made,
            "the checkpoint advanced {} → {k} differs from the one made at once",
            k / 2
        );
        assert_eq!(sorted(advanced.insights), whole, "advanced to {k}");
    }
}

#[test]
fn events_that_do_not_continue_a_checkpoint_are_refused() {
    let events = corpus();
    let order = order(&events);
    let k = order.len() / 2;
    let prefix: HashSet<&str> = order[..k].iter().map(String::as_str).collect();
    let d = derive_from(None, &events, |s| prefix.contains(s)).unwrap();
    // A session the checkpoint holds, given again.
    assert!(derive_from(d.checkpoint, &events, |_| false).is_none());
    // A session that sorts before the checkpoint's last.
    let early: HashSet<&str> = [order[0].as_str()].into();
    let first = events_of(&events, &early, true);
    let later: HashSet<&str> = order[k..].iter().map(String::as_str).collect();
    let cp: Checkpoint = derive_from(None, &events_of(&events, &later, true), |_| true)
        .unwrap()
        .checkpoint
        .unwrap();
    assert!(derive_from(Some(cp), &first, |_| false).is_none());
}

/// The store-level path: events arrive session by session, in pieces (as a rollout grows), and
/// after each commit `Knowledge::load` goes on from the cached snapshot and checkpoint. Each
/// snapshot equals one derived from the store's whole log, and most are made from a checkpoint.
#[test]
fn a_growing_store_catches_up_to_what_deriving_everything_gives() {
    let events = corpus();
    let order = order(&events);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("store.redb")).unwrap();
    let gate = Gate::admitting_all();
    let mut from_checkpoint = 0;
    let mut most_held = 0;
    let mut steps = 0;
    for id in &order {
        let mine: Vec<Event> = events
            .iter()
            .filter(|e| &e.session == id)
            .cloned()
            .collect();
        let half = mine.len() / 2;
        for piece in [&mine[..half], &mine[half..]] {
            if piece.is_empty() {
                continue;
            }
            gate.commit(&store, piece, &[]).unwrap();
            let k = Knowledge::load(&store).unwrap();
            let (head, all) = store.all_events_at().unwrap();
            assert_eq!(k.head, head);
            let whole = Knowledge::from_events(&all, head);
            assert_eq!(
                sorted(k.insights.to_vec()),
                sorted(whole.insights.to_vec()),
                "after a piece of {id} ({:?})",
                k.made
            );
            assert_eq!(k.churn, whole.churn, "churn after a piece of {id}");
            if let Made::FromCheckpoint { held, .. } = k.made {
                from_checkpoint += 1;
                most_held = most_held.max(held);
            }
            steps += 1;
        }
    }
    assert!(
        from_checkpoint * 2 > steps,
        "{from_checkpoint} of {steps} snapshots went on from a checkpoint"
    );
    assert!(
        most_held * 2 > order.len(),
        "the checkpoint advanced: at most {most_held} of {} sessions held",
        order.len()
    );
}

/// A hook never derives a large store's insights on the prompt's path. With none cached (a new
/// store, or rules newer than the cache) it answers nothing at once and starts an `ingest` in
/// the background, whose insights a later prompt's briefing reads; the background run's claim
/// is gone when it ends, and `status` says the insights are current.
#[test]
fn a_hook_leaves_deriving_a_large_store_to_the_background() {
    let env = Env::new();
    let rollouts = env.root.path().join("rollouts");
    std::fs::create_dir_all(&rollouts).unwrap();
    let files = replicate_cli(&rollouts, 20);
    std::fs::create_dir_all(env.data_dir()).unwrap();
    let store = Store::open(&sessionlens::config::store_path(&env.data_dir())).unwrap();
    let opts = sessionlens::ingest::IngestOptions {
        idle_after: std::time::Duration::ZERO,
        ..Default::default()
    };
    // Stored through the library, which caches nothing.
    let r = sessionlens::ingest::ingest_codex(
        &store,
        &Gate::admitting_all(),
        &files,
        &opts,
        &mut |_| {},
    );
    assert!(r.store_error.is_none() && r.errors.is_empty(), "{r:?}");
    assert!(store.event_count().unwrap() > 10_000);
    drop(store);

    let prompt = serde_json::json!({
        "hook_event_name": "UserPromptSubmit",
        "session_id": "019e0000-0000-7000-8000-000000000001",
        "cwd": "/Users/pinouchon/code/rtchess",
        "prompt": "the CORS error is back when I open index.html from the file system",
    })
    .to_string();
    let first = Env::feed(env.cmd().arg("codex-hook"), &prompt);
    assert!(first.status.success());
    assert!(
        first.stdout.is_empty(),
        "the first answer is empty, not derived on the prompt's path: {}",
        String::from_utf8_lossy(&first.stdout)
    );
    let claim = env.state_dir().join("refresh.claim");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let briefed = loop {
        let out = Env::feed(env.cmd().arg("codex-hook"), &prompt);
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        if text.contains("CORS") {
            break text;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no briefing two minutes after the background ingest started"
        );
        std::thread::sleep(std::time::Duration::from_millis(250));
    };
    assert!(briefed.contains("additionalContext"), "{briefed}");
    while claim.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "the claim outlived its run"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let status = env.ok(&["status"]);
    assert!(status.contains("Insights:   current"), "{status}");
}
