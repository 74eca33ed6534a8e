//! `sessionlens forget`, end to end with the real binary: each way of choosing what to erase
//! leaves a store that verifies, lists the erasure, no longer holds the text in its raw bytes,
//! and does not take the erased events back when their files are read again; and erasing
//! stays tamper-evident — content edited after a forget, or erased without an erasure event in
//! the chain, fails `verify`.

use crate::common::*;
use redb::ReadableDatabase;
use sessionlens::store::tables::EVENTS;

fn raw_contains(env: &Env, needle: &str) -> bool {
    let bytes = std::fs::read(env.data_dir().join("store.redb")).unwrap();
    bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn ingested() -> Env {
    let env = Env::new();
    env.ingest_fixture("handwritten");
    env
}

fn session_ids(env: &Env) -> Vec<String> {
    env.json(&["sessions", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn each_way_of_forgetting_erases_the_text_and_keeps_the_chain() {
    // (how, a text only the erased events hold, the sessions left)
    let cases: [(&[&str], &str, usize); 4] = [
        (&["--session", "019b1111"], "cart.items", 2),
        (&["--workspace", "/home/dev/api"], "accented string", 2),
        (
            &["--before", "2025-12-01"],
            "why does my list fetch twice",
            2,
        ),
        (&["--text", "cart.items"], "cart.items", 3),
    ];
    for (how, text, left) in cases {
        let env = ingested();
        assert!(
            raw_contains(&env, text),
            "{how:?}: the fixture holds {text:?}"
        );
        let mut args = vec!["forget"];
        args.extend_from_slice(how);
        let out = env.ok(&args);
        assert!(out.contains("Erased"), "{how:?}: {out}");
        assert!(out.contains("Rewrote"), "{how:?}: {out}");
        assert!(
            !raw_contains(&env, text),
            "{how:?}: {text:?} is still in the store file"
        );
        let v = env.json(&["verify", "--json"]);
        assert_eq!(v["ok"].as_bool(), Some(true), "{how:?}: {v}");
        assert_eq!(v["erased"].as_object().unwrap().len(), 1, "{how:?}: {v}");
        assert_eq!(session_ids(&env).len(), left, "{how:?}");
        // Reading the same files again brings nothing back.
        let again = env.ingest_fixture("handwritten");
        assert!(
            !raw_contains(&env, text),
            "{how:?}: re-ingest brought {text:?} back: {again}"
        );
        assert_eq!(session_ids(&env).len(), left, "{how:?}: {again}");
    }
}

/// Rewrites event `seq`'s stored record with `edit`, as someone editing the file would.
fn tamper(env: &Env, seq: u64, edit: impl FnOnce(&mut Vec<u8>)) {
    let db = redb::Database::builder()
        .set_concurrency_mode(redb::ConcurrencyMode::MultiWriter)
        .create(env.data_dir().join("store.redb"))
        .unwrap();
    let mut record = {
        let txn = db.begin_read().unwrap();
        let t = txn.open_table(EVENTS).unwrap();
        t.get(seq).unwrap().unwrap().value().to_vec()
    };
    edit(&mut record);
    let txn = db.begin_write().unwrap();
    txn.open_table(EVENTS)
        .unwrap()
        .insert(seq, record.as_slice())
        .unwrap();
    txn.commit().unwrap();
}

#[test]
fn erasing_stays_tamper_evident() {
    let env = ingested();
    env.ok(&["forget", "--session", "019b1111"]);
    // Content edited after a forget fails.
    let edited = ingested();
    edited.ok(&["forget", "--session", "019b1111"]);
    let live = edited.json(&["timeline", "019a0000", "--json"]);
    assert!(!live.as_array().unwrap().is_empty());
    tamper(&edited, 1, |r| {
        let at = r.iter().rposition(|&b| b == b'"').unwrap();
        r[at - 1] ^= 0x20;
    });
    let out = edited.run(&["verify"]);
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("does not match its digest"), "{said}");

    // Content erased by hand — no erasure event names it — fails too.
    let env = ingested();
    tamper(&env, 2, |r| {
        // Keep the link and digest; replace the content by a tombstone.
        r.truncate(65);
        r.push(2);
        r.extend_from_slice(br#"{"at":"2026-12-07T00:00:00Z","why":"quietly","by":"someone"}"#);
    });
    let out = env.run(&["verify"]);
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("no erasure in the chain names it"), "{said}");
}

#[test]
fn an_export_proves_itself_complete_and_unaltered() {
    let env = ingested();
    env.ok(&["forget", "--session", "019a0000"]);
    let dir = env.root.path();
    let all = dir.join("all.jsonl");
    let shop = dir.join("shop.jsonl");
    env.ok(&["export", "--out", all.to_str().unwrap()]);
    env.ok(&[
        "export",
        "--workspace",
        "/work/shop",
        "--out",
        shop.to_str().unwrap(),
    ]);
    let head = env.json(&["verify", "--json"])["head"].clone();
    for file in [&all, &shop] {
        let check = env.json(&["verify", "--json", "--export", file.to_str().unwrap()]);
        assert!(check["failure"].is_null(), "{check}");
        assert_eq!(check["head"], head, "the export ends at the store's head");
        assert_eq!(check["erased"], 5, "{check}");
    }
    let text = std::fs::read_to_string(&shop).unwrap();
    assert!(
        text.contains("cart.items"),
        "the workspace's sessions are in it"
    );
    assert!(!text.contains("run the tests"), "another folder's are not");
    assert!(
        text.contains(r#"{"insight""#),
        "its insights follow the chain"
    );

    let check = |name: &str, body: String| {
        let path = dir.join(name);
        std::fs::write(&path, body).unwrap();
        let out = env.run(&["verify", "--export", path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{name}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let said = check(
        "edited.jsonl",
        text.replacen("npm run dev", "npm run dEv", 1),
    );
    assert!(said.contains("was edited"), "{said}");
    let lines: Vec<&str> = text.lines().collect();
    let said = check("cut.jsonl", lines[..10].join("\n"));
    assert!(said.contains("cut off"), "{said}");
    let mut swapped = lines.clone();
    swapped.swap(3, 4);
    let said = check("swapped.jsonl", swapped.join("\n"));
    assert!(said.contains("missing"), "{said}");
    let markdown = env.ok(&[
        "export",
        "--format",
        "markdown",
        "--workspace",
        "/work/shop",
    ]);
    assert!(markdown.contains("## Session 019b1111"), "{markdown}");
}

/// `retention_days` in the settings file (under HOME, where `Env` points the binary) such that
/// the window ends on 2026-01-15: the two fixture sessions of 2025 fall out of it, the one of
/// March 2026 stays.
fn keep_since_mid_january(env: &Env) {
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let days = (today - jiff::civil::date(2026, 1, 15)).get_days();
    let dir = env.root.path().join(".config/sessionlens");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("config.toml"),
        format!("retention_days = {days}\n"),
    )
    .unwrap();
}

#[test]
fn retention_erases_what_is_older_than_the_window_after_an_ingest() {
    let env = Env::new();
    keep_since_mid_january(&env);
    let out = env.ingest_fixture("handwritten");
    assert!(out.contains("Retention: erased 15 events"), "{out}");
    assert_eq!(
        session_ids(&env),
        vec!["019b1111-2222-7333-8444-555566667777"]
    );
    let v = env.json(&["verify", "--json"]);
    assert_eq!(v["ok"].as_bool(), Some(true), "{v}");
    assert!(
        v["erased"]
            .as_object()
            .unwrap()
            .keys()
            .any(|k| k.contains("retention")),
        "{v}"
    );
    // Nothing more is old enough the next time: nothing is erased twice.
    let again = env.ingest_fixture("handwritten");
    assert!(!again.contains("Retention"), "{again}");
}

#[test]
fn retention_runs_in_the_language_server() {
    use crate::common::lsp::Client;
    let env = Env::new();
    env.ingest_fixture("handwritten");
    assert_eq!(session_ids(&env).len(), 3);
    keep_since_mid_january(&env);
    let ws = env.root.path().join("ws");
    std::fs::create_dir_all(&ws).unwrap();
    let mut c = Client::start(env.cmd());
    c.initialize(&ws, serde_json::json!({}));
    let start = std::time::Instant::now();
    while session_ids(&env).len() != 1 {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(20),
            "the server never applied retention"
        );
        c.pump(std::time::Duration::from_millis(200));
    }
    let v = env.json(&["verify", "--json"]);
    assert_eq!(v["ok"].as_bool(), Some(true), "{v}");
}
