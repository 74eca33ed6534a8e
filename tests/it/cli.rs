//! The real `sessionlens` binary on real files and a real redb store: discovery under
//! CODEX_HOME, idempotent and resumable ingest (growth, move to the archive, compression, a kill
//! mid-run, two processes at once), the JSON shapes of `sessions` and `timeline`, and `verify`
//! catching an altered event.

use crate::common;

use common::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Stdio;

fn day_dir(env: &Env) -> PathBuf {
    let d = env.codex_home().join("sessions/2025/11/22");
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn copy_into(rel: &str, dir: &Path) -> PathBuf {
    let src = fixture(rel);
    let dst = dir.join(src.file_name().unwrap());
    std::fs::copy(&src, &dst).unwrap();
    dst
}

/// All event ids of all sessions, via the CLI.
fn event_ids(env: &Env) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for s in env.json(&["sessions", "--json"]).as_array().unwrap() {
        let id = s["id"].as_str().unwrap();
        for e in env.json(&["timeline", id, "--json"]).as_array().unwrap() {
            assert!(
                ids.insert(e["id"].as_str().unwrap().to_owned()),
                "event stored twice: {e}"
            );
        }
    }
    ids
}

fn assert_same(got: &BTreeSet<String>, want: &BTreeSet<String>) {
    let missing = want.difference(got).count();
    let extra = got.difference(want).count();
    assert!(
        missing == 0 && extra == 0,
        "{missing} events missing, {extra} unexpected (of {})",
        want.len()
    );
}

fn verify_ok(env: &Env) -> u64 {
    let v = env.json(&["verify", "--json"]);
    assert_eq!(v["ok"], true, "{v}");
    v["events"].as_u64().unwrap()
}

#[test]
fn demo_runs_on_bundled_sessions() {
    let env = Env::new();
    let out = env.ok(&["demo"]);
    assert!(
        out.contains("019d9353") && out.contains("019aad50"),
        "{out}"
    );
    assert!(out.contains("❯ remove the scrolling horizontally"));
    assert!(
        out.contains("❯ hello") && out.contains("Hello from mock LLM"),
        "the paginated session reads its prompt and answer: {out}"
    );
    assert!(
        out.contains("Added 0 events"),
        "the second ingest adds nothing"
    );
    assert!(out.contains("✓ chain intact"));
    // The briefing is read the morning after the demo's last session, whatever today is.
    let briefing = &out[out.find("$ sessionlens context").unwrap()..];
    assert!(
        briefing.contains("Still open") && briefing.contains("Recently resolved:"),
        "{briefing}"
    );
    assert!(
        !env.data_dir().exists(),
        "the demo never touches the configured store unless asked"
    );
}

#[test]
fn ingest_reads_codex_home_and_lists_sessions() {
    let env = Env::new();
    let day = day_dir(&env);
    copy_into(CLI_REAL, &day);
    copy_into(VSCODE_REAL, &day);
    let archived = env.codex_home().join("archived_sessions");
    std::fs::create_dir_all(&archived).unwrap();
    copy_into(G0, &archived);

    let report = env.json(&["ingest", "codex", "--json"]);
    assert_eq!(
        (report["files"].as_u64(), report["sessions"].as_u64()),
        (Some(3), Some(3))
    );
    assert!(report["errors"].as_array().unwrap().is_empty());

    let sessions = env.json(&["sessions", "--json"]);
    let cli = sessions
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == CLI_REAL_ID)
        .unwrap();
    for field in [
        "id",
        "source",
        "originator",
        "cwd",
        "started_at",
        "ended_at",
        "turns",
        "commands",
        "failed_commands",
        "edits",
    ] {
        assert!(cli.get(field).is_some(), "sessions JSON lacks {field}");
    }
    let read = read_all(CLI_REAL);
    let count = |kind: &str| read.events.iter().filter(|e| e.body.kind() == kind).count() as u64;
    assert_eq!(cli["source"], "cli");
    assert_eq!(cli["turns"].as_u64().unwrap(), count("prompt"));
    assert_eq!(cli["commands"].as_u64().unwrap(), count("command"));
    let failed = read
        .events
        .iter()
        .filter(|e| matches!(&e.body, sessionlens::normalize::Body::Command(c) if c.exit_code.is_some_and(|x| x != 0)))
        .count() as u64;
    assert_eq!(cli["failed_commands"].as_u64().unwrap(), failed);
    assert!(failed > 0);
    assert_eq!(cli["started_at"], "2025-11-22T20:45:35.590Z");

    // --workspace keeps sessions whose cwd is inside the folder.
    let ws = env.json(&["sessions", "--workspace", "/Users/user/git", "--json"]);
    let ids: Vec<&str> = ws
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["019d9353-333c-7c41-a909-26f5c6221a5a"]);

    // The timeline's JSON carries kind, at, turn and each kind's fields.
    let tl = env.json(&["timeline", "019d9353", "--json"]);
    let events = tl.as_array().unwrap();
    let prompt = events.iter().find(|e| e["kind"] == "prompt").unwrap();
    assert_eq!(prompt["text"], "remove the scrolling horizontally");
    assert!(prompt["at"].is_string() && prompt["turn"].is_string());
    let cmd = events.iter().find(|e| e["kind"] == "command").unwrap();
    for f in ["command", "exit_code", "duration_ms", "turn", "at"] {
        assert!(cmd.get(f).is_some(), "command event lacks {f}: {cmd}");
    }
    let edit = events.iter().find(|e| e["kind"] == "edit").unwrap();
    assert!(edit["files"][0]["path"].is_string());
    assert!(
        events
            .iter()
            .any(|e| e["kind"] == "session_start" && e["turn"].is_null())
    );

    let text = env.ok(&["timeline", "019aad50"]);
    assert!(text.contains("✗ exit"), "failed commands are marked");

    // Ingesting again adds nothing.
    let again = env.json(&["ingest", "codex", "--json"]);
    assert_eq!(
        (
            again["events_added"].as_u64(),
            again["files_unchanged"].as_u64()
        ),
        (Some(0), Some(3))
    );
    assert_eq!(verify_ok(&env), event_ids(&env).len() as u64);
}

#[test]
fn a_growing_file_moved_and_compressed_is_never_doubled_or_lost() {
    // Reference: the whole file in one go.
    let reference = Env::new();
    copy_into(CLI_REAL, &day_dir(&reference));
    reference.ok(&["ingest", "codex", "--idle-minutes", "100000"]);
    let mut want = event_ids(&reference);

    // The same file seen while Codex writes it: cut mid-line, then complete.
    let env = Env::new();
    let day = day_dir(&env);
    let full = std::fs::read(fixture(CLI_REAL)).unwrap();
    let name = fixture(CLI_REAL).file_name().unwrap().to_owned();
    let live = day.join(&name);
    for cut in [full.len() / 3, full.len() / 3 + 17, 2 * full.len() / 3 + 5] {
        std::fs::write(&live, &full[..cut]).unwrap();
        let r = env.json(&["ingest", "codex", "--json", "--idle-minutes", "100000"]);
        assert_eq!(
            r["partial_lines"], 1,
            "the cut line waits for the next read"
        );
    }
    std::fs::write(&live, &full).unwrap();
    env.ok(&["ingest", "codex", "--idle-minutes", "100000"]);
    assert_same(&event_ids(&env), &want);

    // Archived, then compressed by Codex: same file, nothing new.
    let archived = env.codex_home().join("archived_sessions");
    std::fs::create_dir_all(&archived).unwrap();
    std::fs::rename(&live, archived.join(&name)).unwrap();
    let r = env.json(&["ingest", "codex", "--json", "--idle-minutes", "100000"]);
    assert_eq!(
        (r["events_added"].as_u64(), r["files_reread"].as_u64()),
        (Some(0), Some(0))
    );
    let plain = archived.join(&name);
    let zst = PathBuf::from(format!("{}.zst", plain.display()));
    std::fs::write(&zst, zstd::encode_all(&full[..], 3).unwrap()).unwrap();
    std::fs::remove_file(&plain).unwrap();
    let r = env.json(&["ingest", "codex", "--json"]);
    assert_eq!(r["files_reread"].as_u64(), Some(0));
    // The compressed file is cold: the one thing added is the end of its last, open turn.
    assert_eq!(r["events_added"].as_u64(), Some(1));
    let got = event_ids(&env);
    let new: Vec<&String> = got.difference(&want).collect();
    assert_eq!(new.len(), 1);
    let last = env.json(&["timeline", CLI_REAL_ID, "--json"]);
    let last = last.as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (&last["kind"], &last["id"]),
        (&Value::from("turn_end"), &Value::from(new[0].as_str()))
    );
    want.insert(new[0].clone());
    assert_eq!(got, want);
    verify_ok(&env);
}

#[test]
fn a_half_written_line_is_read_once_it_is_complete() {
    let env = Env::new();
    let path = copy_into(MESSY, &day_dir(&env));
    let r = env.json(&["ingest", "codex", "--json"]);
    assert_eq!(r["partial_lines"], 1);
    assert_eq!(r["lines"]["malformed"], 1);
    assert_eq!(r["lines"]["invalid_utf8"], 1);
    assert_eq!(r["lines"]["unknown"]["hologram_frame"], 1);
    let text = env.ok(&["ingest", "codex"]);
    assert!(text.contains("still being written"), "{text}");

    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    // Codex completes the line and goes on writing the turn.
    std::io::Write::write_all(&mut f, b"\",\"images\":[]}}\n").unwrap();
    std::io::Write::write_all(&mut f, br#"{"timestamp":"2025-12-01T10:00:07.000Z","type":"turn_context","payload":{"cwd":"/home/dev/api","model":"gpt-5.1-codex"}}"#).unwrap();
    std::io::Write::write_all(&mut f, b"\n").unwrap();
    drop(f);
    env.ok(&["ingest", "codex"]);
    let tl = env.json(&["timeline", "019a0000", "--json"]);
    let prompts: Vec<&str> = tl
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "prompt")
        .map(|e| e["text"].as_str().unwrap())
        .collect();
    assert_eq!(prompts, vec!["run the tests", "fix it"]);
    verify_ok(&env);
}

#[test]
fn verify_names_the_first_altered_event() {
    let env = Env::new();
    copy_into(VSCODE_REAL, &day_dir(&env));
    env.ok(&["ingest", "codex"]);
    let total = verify_ok(&env);

    // Alter one stored event the way a hand edit would: flip an exit code in its JSON.
    let db = redb::Database::builder()
        .set_concurrency_mode(redb::ConcurrencyMode::MultiWriter)
        .create(env.data_dir().join("store.redb"))
        .unwrap();
    let (seq, id) = {
        use redb::{ReadableDatabase, ReadableTable};
        let txn = db.begin_read().unwrap();
        let t = txn.open_table(sessionlens::store::tables::EVENTS).unwrap();
        let mut found = None;
        for row in t.iter().unwrap() {
            let (k, v) = row.unwrap();
            let (_, canonical) = sessionlens::store::codec::decode_event(v.value()).unwrap();
            let json: Value = serde_json::from_slice(&canonical).unwrap();
            if json["kind"] == "command" && json["exit_code"] == 0 {
                found = Some((k.value(), json["id"].as_str().unwrap().to_owned()));
                break;
            }
        }
        found.unwrap()
    };
    {
        use redb::ReadableTable;
        let txn = db.begin_write().unwrap();
        {
            let mut t = txn.open_table(sessionlens::store::tables::EVENTS).unwrap();
            let record = t.get(seq).unwrap().unwrap().value().to_vec();
            let (hash, canonical) = sessionlens::store::codec::decode_event(&record).unwrap();
            let altered = String::from_utf8(canonical.to_vec())
                .unwrap()
                .replace("\"exit_code\":0", "\"exit_code\":1");
            // Stored back in the plain layout, with the original chain hash.
            let mut bytes = vec![sessionlens::store::codec::EVENT_V1];
            bytes.extend_from_slice(&hash);
            bytes.extend_from_slice(altered.as_bytes());
            t.insert(seq, bytes.as_slice()).unwrap();
        }
        txn.commit().unwrap();
    }
    drop(db);

    let out = env.run(&["verify"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("#{seq}")) && text.contains(&id),
        "{text}"
    );
    let v: Value = serde_json::from_slice(&env.run(&["verify", "--json"]).stdout).unwrap();
    assert_eq!(
        (v["ok"].as_bool(), v["failure"]["seq"].as_u64()),
        (Some(false), Some(seq))
    );
    assert!(seq <= total);
}

/// Kill the ingest in the middle, run it again: nothing lost, nothing doubled, the chain holds.
#[test]
fn an_ingest_killed_mid_run_resumes_without_loss_or_duplicates() {
    let reference = Env::new();
    replicate_cli(&day_dir(&reference), 4);
    reference.ok(&["ingest", "codex"]);
    let want = event_ids(&reference);

    let env = Env::new();
    replicate_cli(&day_dir(&env), 4);
    let mut child = env
        .cmd()
        .args(["ingest", "codex", "--batch-events", "40"])
        .env("SESSIONLENS_LOG", "sessionlens=debug")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let mut commits = 0;
    for line in stderr.lines() {
        if line.unwrap().contains("committed") {
            commits += 1;
            if commits == 25 {
                child.kill().unwrap();
                break;
            }
        }
    }
    let status = child.wait().unwrap();
    assert!(
        !status.success(),
        "the ingest was killed before it finished"
    );
    let partial = verify_ok(&env);
    assert!(
        partial > 0 && partial < want.len() as u64,
        "killed mid-run: {partial} of {}",
        want.len()
    );

    env.ok(&["ingest", "codex"]);
    assert_same(&event_ids(&env), &want);
    assert_eq!(verify_ok(&env), want.len() as u64);
}

/// Two processes ingesting the same files into the same store at the same time.
#[test]
fn concurrent_ingests_share_the_store() {
    let reference = Env::new();
    replicate_cli(&day_dir(&reference), 3);
    reference.ok(&["ingest", "codex"]);
    let want = event_ids(&reference);

    let env = Env::new();
    replicate_cli(&day_dir(&env), 3);
    let spawn = || {
        env.cmd()
            .args(["ingest", "codex", "--json", "--batch-events", "100"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    for out in [&a, &b] {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let added: u64 = [&a, &b]
        .iter()
        .map(|o| {
            serde_json::from_slice::<Value>(&o.stdout).unwrap()["events_added"]
                .as_u64()
                .unwrap()
        })
        .sum();
    assert_eq!(
        added,
        want.len() as u64,
        "each event added by exactly one of the two"
    );
    assert_same(&event_ids(&env), &want);
    verify_ok(&env);
}

#[test]
fn bad_input_gets_a_clear_error() {
    let env = Env::new();
    let out = env.run(&["ingest", "codex", "/definitely/not/here"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains("/definitely/not/here"));
    let out = env.run(&["timeline", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no session matches"));
    // An empty store verifies.
    assert_eq!(verify_ok(&env), 0);
    // Not a redb file: a clear error, not a panic.
    let bogus = env.root.path().join("bogus");
    std::fs::create_dir_all(&bogus).unwrap();
    std::fs::write(bogus.join("store.redb"), b"not a database").unwrap();
    let out = env.run(&["--data-dir", bogus.to_str().unwrap(), "sessions"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot open the store") && !err.contains("panicked"),
        "{err}"
    );
}

/// Secrets never reach the store file, not even inside the saved state of a call still waiting
/// for its output.
#[test]
fn secrets_never_reach_the_store_file() {
    let env = Env::new();
    let day = day_dir(&env);
    copy_into(LIVE_2026, &day);
    let pending = [
        r#"{"timestamp":"2026-03-04T09:00:00.000Z","type":"session_meta","payload":{"id":"019c0000-0000-7000-8000-00000000000a","timestamp":"2026-03-04T09:00:00.000Z","cwd":"/w","originator":"codex-tui","cli_version":"0.130.0","source":"cli"}}"#,
        r#"{"timestamp":"2026-03-04T09:00:01.000Z","type":"event_msg","payload":{"type":"user_message","message":"deploy with my token"}}"#,
        r#"{"timestamp":"2026-03-04T09:00:02.000Z","type":"response_item","payload":{"type":"function_call","name":"exec_command","arguments":"{\"cmd\":\"curl -H 'Authorization: Bearer abcdefghijklmnop0123456789' https://api.example.com\"}","call_id":"call_s1"}}"#,
    ];
    std::fs::write(
        day.join("rollout-2026-03-04T10-00-00-019c0000-0000-7000-8000-00000000000a.jsonl"),
        pending.join("\n") + "\n",
    )
    .unwrap();
    env.ok(&["ingest", "codex"]);
    let bytes = std::fs::read(env.data_dir().join("store.redb")).unwrap();
    let contains = |needle: &str| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
    assert!(
        !contains("sk-proj-abcdef")
            && !contains("ghp_R8xk2L")
            && !contains("abcdefghijklmnop0123456789")
    );
    assert!(
        contains("[REDACTED:bearer]"),
        "the pending call is in the saved state, redacted"
    );
}

/// A store written by schema 1 (a frozen file, never regenerated) opens, is upgraded (its events
/// aliased to their positional ids, then linked anew through their digests), verifies, reads back and takes new events without doubling
/// old ones: old stores stay usable as the code moves on.
#[test]
fn a_store_written_by_schema_1_still_opens() {
    let env = Env::new();
    std::fs::create_dir_all(env.data_dir()).unwrap();
    let frozen = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/store/v1/store.redb");
    std::fs::copy(&frozen, env.data_dir().join("store.redb")).unwrap();

    let v = env.json(&["verify", "--json"]);
    assert_eq!(
        (v["ok"].as_bool(), v["events"].as_u64()),
        (Some(true), Some(123))
    );
    // Linked anew through each event's digest (schema 3), after a copy of the file was kept;
    // the head noted before the upgrade still counts.
    assert!(!v["head"].as_str().unwrap().starts_with("31b627373c6f1ad4"));
    assert!(env.data_dir().join("store.redb.schema2-backup").exists());
    let old_head = env.json(&["verify", "--json", "--expect", "31b627373c6f1ad4"]);
    assert_eq!(old_head["ok"].as_bool(), Some(true), "{old_head}");

    let sessions = env.json(&["sessions", "--json"]);
    let rows: Vec<(String, String, u64, u64, u64, u64)> = sessions
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let n = |k: &str| s[k].as_u64().unwrap();
            (
                s["id"].as_str().unwrap()[..8].to_owned(),
                s["source"].as_str().unwrap().to_owned(),
                n("turns"),
                n("commands"),
                n("edits"),
                n("events"),
            )
        })
        .collect();
    let row = |id: &str, src: &str, t, c, e, n| (id.to_owned(), src.to_owned(), t, c, e, n);
    assert_eq!(
        rows,
        vec![
            row("019d9353", "vscode", 1, 2, 2, 13),
            row("019b1111", "vscode", 2, 3, 1, 11),
            row("019a0000", "cli", 1, 1, 0, 5),
            row("019aad50", "cli", 1, 10, 26, 84),
            row("5973b6c0", "cli", 2, 2, 0, 10),
        ]
    );
    // Both event record layouts are in the file, and every event decodes.
    let mut total = 0;
    for (id, ..) in &rows {
        total += env
            .json(&["timeline", id, "--json"])
            .as_array()
            .unwrap()
            .len();
    }
    assert_eq!(total, 123);
    {
        use redb::{ReadableDatabase, ReadableTable};
        let db = redb::Database::builder()
            .set_concurrency_mode(redb::ConcurrencyMode::MultiWriter)
            .create(env.data_dir().join("store.redb"))
            .unwrap();
        let txn = db.begin_read().unwrap();
        let t = txn.open_table(sessionlens::store::tables::EVENTS).unwrap();
        let versions: BTreeSet<u8> = t.iter().unwrap().map(|r| r.unwrap().1.value()[0]).collect();
        // Every record is of the erasable layout now (both older layouts were in the file).
        assert_eq!(versions, BTreeSet::from([3]));
        // Opening it upgraded it to schema 3: every event of the old build (offset ids) got an
        // alias, its positional id, and was linked anew.
        let meta = txn.open_table(sessionlens::store::tables::META).unwrap();
        let schema = meta.get("schema").unwrap().unwrap().value().to_vec();
        assert_eq!(schema, 3u32.to_le_bytes());
        let aliases = txn
            .open_table(sessionlens::store::tables::EVENT_ALIASES)
            .unwrap();
        assert_eq!(aliases.iter().unwrap().count(), 123);
    }
    // The upgrade changed no event: the chain is the same.
    let v = env.json(&["verify", "--json"]);
    assert_eq!(
        (v["ok"].as_bool(), v["events"].as_u64()),
        (Some(true), Some(123))
    );
    // Linked anew through each event's digest (schema 3), after a copy of the file was kept;
    // the head noted before the upgrade still counts.
    assert!(!v["head"].as_str().unwrap().starts_with("31b627373c6f1ad4"));
    assert!(env.data_dir().join("store.redb.schema2-backup").exists());
    let old_head = env.json(&["verify", "--json", "--expect", "31b627373c6f1ad4"]);
    assert_eq!(old_head["ok"].as_bool(), Some(true), "{old_head}");

    // Its events, as a reader of positional ids yields them (the n-th of their kind in their
    // turn, in file order), are all stored already.
    {
        let mut seen = std::collections::HashMap::new();
        let reread: Vec<_> = read_all(LIVE_2026)
            .events
            .into_iter()
            .map(|e| {
                let n = seen.entry((e.turn.clone(), e.body.kind())).or_insert(0u32);
                *n += 1;
                sessionlens::normalize::Event {
                    id: sessionlens::normalize::EventId::positional_of("codex", &e, *n - 1),
                    ..e
                }
            })
            .collect();
        assert_eq!(reread.len(), 11);
        let store = sessionlens::store::Store::open(&env.data_dir().join("store.redb")).unwrap();
        let outcome = store.commit(&reread, &[]).unwrap();
        assert_eq!((outcome.added, outcome.duplicates), (0, 11));
    }

    // New events extend the old chain; LIVE_2026, read again with positional ids, finds its
    // events under their aliases and doubles none of them.
    copy_into(LIVE_2026, &day_dir(&env));
    copy_into(SHAPE_0146, &day_dir(&env));
    let r = env.json(&["ingest", "codex", "--json"]);
    assert!(r["events_added"].as_u64().unwrap() > 0);
    assert!(verify_ok(&env) > 123);
    let live = "019b1111-2222-7333-8444-555566667777";
    let timeline = env.json(&["timeline", live, "--json"]);
    assert_eq!(timeline.as_array().unwrap().len(), 11);
    let sessions = env.json(&["sessions", "--json"]);
    let events_of = |prefix: &str| {
        sessions
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"].as_str().unwrap().starts_with(prefix))
            .map(|s| s["events"].as_u64().unwrap())
    };
    assert_eq!(events_of(live), Some(11));
    assert!(
        events_of("019fc8be").unwrap() > 0,
        "SHAPE_0146 adds its session"
    );
}

/// `sessionlens … | head` ends quietly when the reader goes away: no panic message.
#[test]
fn a_closed_pipe_is_not_a_panic() {
    let env = Env::new();
    copy_into(CLI_REAL, &day_dir(&env));
    env.ok(&["ingest", "codex"]);
    // About a megabyte of JSON: far more than a pipe buffers.
    let mut child = env
        .cmd()
        .args(["timeline", CLI_REAL_ID, "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reader is dropped here, closing the pipe while the timeline still has lines to print.
    let out = child.wait_with_output().unwrap();
    assert_eq!(first.trim(), "[");
    assert!(!out.status.success(), "the writer stopped early");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.is_empty(), "nothing to say on stderr either: {err}");
}

/// A store held exclusively by another process (an older build, a backup tool) gives a clear
/// error after a bounded wait, not a hang or a panic; once released, it works.
#[test]
fn a_store_locked_by_another_process_is_a_clear_error() {
    let env = Env::new();
    copy_into(VSCODE_REAL, &day_dir(&env));
    env.ok(&["ingest", "codex"]);
    let exclusive = redb::Database::create(env.data_dir().join("store.redb")).unwrap();
    let out = env
        .cmd()
        .args(["sessions"])
        .env("SESSIONLENS_LOCK_WAIT_MS", "300")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("held by another process") && !err.contains("panicked"),
        "{err}"
    );
    drop(exclusive);
    assert!(env.ok(&["sessions"]).contains("019d9353"));
}

/// A learning scenario end to end: its sessions are ingested with their working directory
/// pointing at a copy of its workspace; `insights`, `gaps` and `recall` then show what the
/// developer struggled with, linked to the workspace's symbols with 1-based lines.
#[test]
fn insights_gaps_and_recall_on_a_learning_scenario() {
    let env = Env::new();
    let scenario =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/eval/react-first-app");
    let ws = env.root.path().join("todo");
    copy_tree(&scenario.join("workspace"), &ws);
    let day = day_dir(&env);
    for entry in std::fs::read_dir(scenario.join("sessions")).unwrap() {
        let p = entry.unwrap().path();
        let text = std::fs::read_to_string(&p)
            .unwrap()
            .replace("/home/dev/todo", ws.to_str().unwrap());
        std::fs::write(day.join(p.file_name().unwrap()), text).unwrap();
    }
    env.ok(&["ingest", "codex", "--idle-minutes", "0"]);

    let all = env.json(&["insights", "--workspace", ws.to_str().unwrap(), "--json"]);
    let all = all.as_array().unwrap();
    for field in [
        "id",
        "kind",
        "topic",
        "text",
        "takeaway",
        "session",
        "turn",
        "at",
        "status",
        "resolved_by",
        "confidence",
        "symbols",
    ] {
        assert!(all[0].get(field).is_some(), "insight JSON lacks {field}");
    }
    let gap = all
        .iter()
        .find(|i| i["kind"] == "gap" && i["topic"] == "useEffect")
        .expect("the useEffect question");
    assert_eq!(gap["status"], "resolved", "rewritten unaided on day 5");
    assert!(
        gap["resolved_by"]["session"]
            .as_str()
            .unwrap()
            .starts_with("01a20926")
    );
    let hook = gap["symbols"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "useTodos")
        .expect("linked to the hook");
    let source = std::fs::read_to_string(ws.join("src/useTodos.ts")).unwrap();
    let line = source
        .lines()
        .position(|l| l.contains("function useTodos"))
        .unwrap()
        + 1;
    assert_eq!(
        (hook["file"].as_str(), hook["line"].as_u64()),
        (Some("src/useTodos.ts"), Some(line as u64))
    );

    let kinds: BTreeSet<&str> = all.iter().map(|i| i["kind"].as_str().unwrap()).collect();
    assert!(kinds.is_superset(&BTreeSet::from([
        "gap",
        "confusion",
        "error",
        "success",
        "follow_up",
        "decision"
    ])));
    let errors = env.json(&["insights", "--kind", "error", "--json"]);
    assert!(
        errors
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["kind"] == "error")
    );
    assert!(
        env.json(&["insights", "--status", "open", "--json"])
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["status"] == "open")
    );

    let gaps = env.ok(&["gaps", "--workspace", ws.to_str().unwrap()]);
    assert!(
        gaps.contains("To practise next") && gaps.contains("useTodosContext"),
        "{gaps}"
    );
    assert!(
        !gaps.contains("Netlify deploy"),
        "the deploy was done on day 5: {gaps}"
    );

    let hover = env.ok(&["recall", "useEffect", "--workspace", ws.to_str().unwrap()]);
    assert!(
        hover.starts_with("**Session Lens** · `useEffect`")
            && hover.contains("**gap** · useEffect"),
        "{hover}"
    );
    assert!(
        hover.contains("takeaway:") && hover.contains("status: resolved"),
        "{hover}"
    );
    // Quiet where there is nothing to say.
    assert_eq!(
        env.ok(&[
            "recall",
            "formatCurrency",
            "--workspace",
            ws.to_str().unwrap()
        ]),
        ""
    );

    // The developer's own word: resolve the open Context question by a prefix of its id, then
    // reopen it. Both are events in the verified chain.
    let open_gap = env.json(&["gaps", "--json"]).as_array().unwrap()[0].clone();
    let id = open_gap["id"].as_str().unwrap();
    let said = env.ok(&["resolve", &id[..10]]);
    assert!(said.starts_with("Resolved"), "{said}");
    let gaps = env.json(&["gaps", "--json"]);
    assert!(gaps.as_array().unwrap().iter().all(|g| g["id"] != id));
    let resolved = env.json(&["insights", "--status", "resolved", "--json"]);
    let marked = resolved
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .expect("now resolved");
    assert_eq!(marked["resolved_by"]["how"], "marked resolved by you");
    env.ok(&["reopen", id]);
    let gaps = env.json(&["gaps", "--json"]);
    assert!(gaps.as_array().unwrap().iter().any(|g| g["id"] == id));
    let missing = env.run(&["resolve", "zzzz"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no insight matches"));

    // Every byte it stored, pinned (what differs per run is checked, then masked).
    assert_eq!(
        env.live_events("cli"),
        [
            Env::live_start("cli"),
            r#"{"id":"{LIVE}","session":"{SESSION}","at":"{AT}","turn":null,"kind":"mark","insight":"58824fd95f165ded","resolved":true}"#.to_owned(),
            r#"{"id":"{LIVE}","session":"{SESSION}","at":"{AT}","turn":null,"kind":"mark","insight":"58824fd95f165ded","resolved":false}"#.to_owned(),
        ]
    );
    env.ok(&["verify"]);
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let p = entry.unwrap().path();
        let dst = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_tree(&p, &dst);
        } else {
            std::fs::copy(&p, &dst).unwrap();
        }
    }
}

/// `--json` is declared once, for every command, and may come before or after the command's
/// name. A command with one output form refuses it — exit 2, a message naming the command, its
/// help saying so — and does nothing, rather than ignore it and hand a script text.
#[test]
fn json_is_one_global_flag_that_commands_without_a_json_form_refuse() {
    let env = Env::new();
    copy_into(VSCODE_REAL, &day_dir(&env));
    let before = env.json(&["--json", "ingest", "codex"]);
    assert_eq!(before["events_added"].as_u64().map(|n| n > 0), Some(true));
    for (first, last) in [
        (&["--json", "sessions"][..], &["sessions", "--json"][..]),
        (&["--json", "verify"], &["verify", "--json"]),
        (&["--json", "insights"], &["insights", "--json"]),
    ] {
        assert_eq!(env.ok(first), env.ok(last), "{first:?}");
    }
    let one_form: [&[&str]; 12] = [
        &["resolve", "0", "--json"],
        &["reopen", "0", "--json"],
        &["--json", "demo"],
        &["install", "codex-hooks", "--json"],
        &["install", "claude-hooks", "--project", "--json"],
        &["install", "codex-mcp", "--json"],
        &["serve", "--json"],
        &["serve", "--stdio", "--json"],
        &["mcp", "--json"],
        &["codex-hook", "--json"],
        &["claude-hook", "--json"],
        &["init", "bash", "--json"],
    ];
    for args in one_form {
        let out = env.run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        let name = args.iter().filter(|a| !a.starts_with('-') && **a != "0");
        let name = name.copied().collect::<Vec<_>>().join(" ");
        assert_eq!(
            err.trim(),
            format!("error: `sessionlens {name}` takes no --json: it has one output form only"),
            "{args:?}"
        );
    }
    assert!(!env.codex_home().join("hooks.json").exists());
    assert!(!env.codex_home().join("config.toml").exists());
    assert!(
        env.ok(&["resolve", "--help"])
            .contains("No JSON form: --json is refused.")
    );
    assert!(
        env.ok(&["codex-hook", "--help"])
            .contains("Stdout is the protocol")
    );
    // The refusals wrote nothing: the store holds what the ingest put there.
    let events = env.json(&["verify", "--json"])["events"].clone();
    assert_eq!(events, before["events_added"]);
}

/// `summarize --last` is the default said explicitly: the latest session run inside the
/// workspace, the same entry as no session at all; given with a session id it is a usage error.
#[test]
fn summarize_last_is_the_default_said_explicitly() {
    let sc = Scenario::new();
    let default = sc.env.ok(&["summarize", "--workspace", sc.ws()]);
    assert!(default.starts_with("## "), "{default}");
    assert_eq!(
        sc.env.ok(&["summarize", "--last", "--workspace", sc.ws()]),
        default
    );
    let out = sc.env.run(&["summarize", "01a1", "--last"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot be used with"), "{err}");
    let help = sc.env.ok(&["summarize", "--help"]);
    assert!(
        help.lines()
            .any(|l| l.contains("--last") && l.contains("the default")),
        "{help}"
    );
}

/// `serve --stdio` is how VS Code's client starts a server: accepted, and the same language
/// server on stdin/stdout as plain `serve` (stdio is the only transport), through to `exit`.
#[test]
fn serve_takes_stdio_as_editors_pass_it() {
    use std::io::{Read, Write};
    use std::sync::mpsc;
    use std::time::Duration;
    let env = Env::new();
    let mut child = env
        .cmd()
        .args(["serve", "--stdio"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut send = |v: Value| {
        let body = v.to_string();
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    };
    // Messages as they come, framed by their Content-Length.
    let (tx, rx) = mpsc::channel::<Value>();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    std::thread::spawn(move || {
        loop {
            let mut len = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                match line.trim_end() {
                    "" => break,
                    h => {
                        if let Some(n) = h.strip_prefix("Content-Length: ") {
                            len = n.parse().unwrap();
                        }
                    }
                }
            }
            let mut body = vec![0; len];
            reader.read_exact(&mut body).unwrap();
            if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                return;
            }
        }
    });
    let answer = |id: u64| loop {
        let m = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("an answer within 30 s");
        if m["id"] == id && m.get("method").is_none() {
            return m;
        }
    };
    send(
        serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"processId": null, "rootUri": null, "capabilities": {}}}),
    );
    let init = answer(1);
    assert_eq!(
        init["result"]["capabilities"]["hoverProvider"], true,
        "{init}"
    );
    send(serde_json::json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
    send(serde_json::json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}));
    assert_eq!(answer(2)["result"], Value::Null);
    send(serde_json::json!({"jsonrpc": "2.0", "method": "exit"}));
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("serve --stdio did not exit");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status}");
}

/// A command typed by hand in the developer's own shell (through the hook's spool) is evidence
/// like any other: a deploy that passes closes the open "how do I deploy to Netlify" gap, and
/// shows in the terminal session's timeline with its exit code.
#[test]
fn a_deploy_typed_in_a_shell_closes_the_gap_it_answers() {
    use sessionlens::capture::shell::{Typed, line};
    let env = Env::new();
    let (ws, files) = scenario(&env, "react-first-app");
    // Only the first two sessions: the question is asked, never answered in a session.
    std::fs::remove_file(files.last().unwrap()).unwrap();
    env.ok(&["ingest", "codex", "--idle-minutes", "0"]);
    let netlify = |env: &Env| -> Vec<Value> {
        let all = env.json(&["insights", "--kind", "gap", "--json"]);
        all.as_array()
            .unwrap()
            .iter()
            .filter(|i| {
                i["topic"]
                    .as_str()
                    .unwrap()
                    .to_lowercase()
                    .contains("netlify")
            })
            .cloned()
            .collect()
    };
    let before = netlify(&env);
    assert_eq!(before.len(), 1, "{before:#?}");
    assert_eq!(before[0]["status"], "open");

    // Two days later, typed in bash in the project folder: a failed try, then the deploy.
    let at = |s: &str| s.parse::<jiff::Timestamp>().unwrap().as_microsecond() as u64;
    let typed = |command: &str, end: &str, exit_code: i32| Typed {
        shell: "bash".into(),
        shell_session: "9001-1".into(),
        start_us: Some(at(end) - 4_000_000),
        end_us: Some(at(end)),
        exit_code,
        cwd: ws.display().to_string(),
        command: command.into(),
    };
    let state = env.state_dir();
    std::fs::create_dir_all(&state).unwrap();
    std::fs::write(
        state.join("commands.spool"),
        line(&typed(
            "npx netlify deploy --prod",
            "2026-11-22T10:00:00Z",
            1,
        )) + &line(&typed(
            "npx netlify deploy --prod --dir dist",
            "2026-11-22T10:02:00Z",
            0,
        )),
    )
    .unwrap();
    let out = env.ok(&["ingest", "terminal"]);
    assert!(
        out.contains("Terminal: 2 commands from the shell hooks"),
        "{out}"
    );

    let after = netlify(&env);
    assert_eq!(after[0]["status"], "resolved", "{after:#?}");
    let by = &after[0]["resolved_by"];
    assert!(
        by["session"]
            .as_str()
            .unwrap()
            .starts_with("terminal-2026-11-22-"),
        "{by}"
    );
    assert!(
        by["how"].as_str().unwrap().contains("netlify deploy"),
        "{by}"
    );
    // The terminal session reads like any other.
    let sessions = env.json(&["sessions", "--json"]);
    let terminal = sessions
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == "terminal")
        .expect("a terminal session");
    assert_eq!(terminal["failed_commands"], 1);
    let timeline = env.ok(&["timeline", terminal["id"].as_str().unwrap()]);
    assert!(
        timeline.contains("npx netlify deploy --prod --dir dist"),
        "{timeline}"
    );
    verify_ok(&env);

    // `doctor` says which shell brought it and whether the shells load the hook.
    std::fs::write(
        env.root.path().join(".bashrc"),
        "# eval \"$(sessionlens init zsh)\"\neval \"$(sessionlens init bash)\"\n",
    )
    .unwrap();
    let doctor = env.json(&["doctor", "--json"]);
    let shells = doctor["shells"].as_array().unwrap();
    let bash = &shells[0];
    assert_eq!(bash["shell"], "bash");
    assert_eq!(bash["hook_in_rc"], true);
    assert_eq!(
        bash["last"]["last_command"],
        "npx netlify deploy --prod --dir dist"
    );
    assert_eq!(bash["last"]["commands"], 2);
    assert_eq!(bash["last"]["last_at"], "2026-11-22T10:02:00.000Z");
    for other in &shells[1..] {
        assert_eq!(other["hook_in_rc"], false, "{other}");
        assert!(other["last"].is_null(), "{other}");
    }
    assert_eq!(doctor["spool_waiting_bytes"], 0);
    let text = env.ok(&["doctor"]);
    assert!(text.contains("bash  hook loaded by"), "{text}");
}

/// Kill `ingest terminal` between two of its commits, run it again: every typed command is stored
/// once, the chain holds, and no spool file is left behind holding unredacted lines.
#[test]
fn an_ingest_killed_mid_spool_loses_and_doubles_nothing() {
    use sessionlens::capture::shell::{Typed, line};
    let env = Env::new();
    let state = env.state_dir();
    std::fs::create_dir_all(&state).unwrap();
    let n = 9000u64;
    let mut spool = String::new();
    for i in 0..n {
        let end = 1_763_460_000_000_000 + i * 7_000_000;
        spool += &line(&Typed {
            shell: if i % 3 == 0 { "fish" } else { "zsh" }.into(),
            shell_session: format!("{}-1", 100 + i % 2),
            start_us: Some(end - 1_000_000),
            end_us: Some(end),
            exit_code: (i % 5 == 0) as i32,
            cwd: format!("/work/project-{}", i % 4),
            command: format!("make test TARGET={i}"),
        });
    }
    std::fs::write(state.join("commands.spool"), spool).unwrap();
    let stored = |env: &Env| -> u64 {
        let sessions = env.json(&["sessions", "--json"]);
        sessions
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["source"] == "terminal")
            .map(|s| s["commands"].as_u64().unwrap())
            .sum()
    };

    let mut child = env
        .cmd()
        .args(["ingest", "terminal"])
        .env("SESSIONLENS_LOG", "sessionlens=debug")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    for line in stderr.lines() {
        if line.unwrap().contains("spool: committed") {
            child.kill().unwrap();
            break;
        }
    }
    assert!(
        !child.wait().unwrap().success(),
        "killed before it finished"
    );
    let partial = stored(&env);
    assert!(
        partial > 0 && partial < n,
        "killed mid-spool: {partial} of {n}"
    );
    // What it took is still on disk, under the name of a process that no longer runs.
    let left: Vec<String> = std::fs::read_dir(&state)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(left.iter().any(|f| f.contains(".taken.")), "{left:?}");

    let out = env.ok(&["ingest", "terminal"]);
    assert!(
        out.contains(&format!(
            "Terminal: {} commands from the shell hooks ({partial} already stored)",
            n - partial
        )),
        "{out}"
    );
    assert_eq!(stored(&env), n);
    env.ok(&["ingest", "terminal"]);
    assert_eq!(stored(&env), n);
    let left: Vec<String> = std::fs::read_dir(&state)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["commands.spool"]);
    assert_eq!(
        std::fs::metadata(state.join("commands.spool"))
            .unwrap()
            .len(),
        0
    );
    verify_ok(&env);
}
