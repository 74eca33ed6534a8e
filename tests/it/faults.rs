//! The store under faults, with the real binary: a writer paused mid-commit (SIGSTOP) blocks no
//! one and loses nothing, a full disk and an I/O error on a new store's first sync make `ingest`
//! fail loudly and the next run whole, a read-only file system can still be read, and `verify`
//! catches a store emptied or replaced by an older copy. Faults are real: SIGSTOP, a tmpfs that
//! fills up or is remounted read-only (in a private mount namespace, `unshare -m`), and I/O errors
//! injected into the process's own system calls by strace (which `.ci/run` installs).

use crate::common::*;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Waits for `child` at most `limit`; kills it and fails the test past that: the point of these
/// tests is that nothing hangs.
fn finish(mut child: Child, limit: Duration, what: &str) -> Output {
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > limit {
            child.kill().ok();
            let out = child.wait_with_output().unwrap();
            panic!(
                "{what} still running after {limit:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn text(out: &Output) -> String {
    format!(
        "status {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The OFD locks held now on the file with inode `ino`, as `(start, end, write)` from /proc/locks.
fn locks_on(ino: u64) -> Vec<(u64, u64, bool)> {
    let table = std::fs::read_to_string("/proc/locks").unwrap_or_default();
    table
        .lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            // "1: OFDLCK ADVISORY WRITE -1 fd:01:123 0 319"
            let at = f.iter().position(|w| *w == "OFDLCK")?;
            let write = f.get(at + 2)? == &"WRITE";
            let file_ino: u64 = f.get(at + 4)?.rsplit(':').next()?.parse().ok()?;
            let start = f.get(at + 5)?.parse().ok()?;
            let end = f.get(at + 6)?.parse().unwrap_or(u64::MAX);
            (file_ino == ino).then_some((start, end, write))
        })
        .collect()
}

/// redb's writer byte, held for the whole of a write transaction.
const WRITER_BYTE: u64 = 1 << 62;

fn signal(pid: u32, sig: i32) {
    assert_eq!(unsafe { libc::kill(pid as i32, sig) }, 0);
}

/// Runs the binary with `args` in `env`, with strace injecting `fault` into its `syscall`s.
fn injected(env: &Env, syscall: &str, fault: &str, args: &[&str]) -> Output {
    let ok = Command::new("strace")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "strace is not installed: these tests inject faults with it (Debian: apt-get install \
         strace; .ci/run does)"
    );
    let mut c = Command::new("strace");
    c.args(["-f", "-o", "/dev/null", "-e"])
        .arg(format!("trace={syscall}"))
        .arg("-e")
        .arg(format!("inject={syscall}:{fault}"))
        .arg(env!("CARGO_BIN_EXE_sessionlens"))
        .args(args);
    env.isolate(&mut c);
    c.output().unwrap()
}

/// The command hook payload of a Codex `PostToolUse` with no transcript: stored as a live event.
const FAILED_TEST: &str = r#"{"hook_event_name":"PostToolUse","session_id":"s","cwd":"/work/shop","tool_name":"shell","tool_input":{"command":["bash","-lc","npm test"]},"tool_response":"{\"output\":\"1 failed\",\"metadata\":{\"exit_code\":1}}"}"#;

#[test]
fn a_paused_writer_blocks_no_one_and_what_a_hook_could_not_store_waits_for_the_next_writer() {
    let env = Env::new();
    env.ingest_fixture("handwritten");
    let before = env.ok(&["sessions"]);
    let sessions_before = env.json(&["sessions", "--json"]).as_array().unwrap().len();
    let (writer, pid) = paused_writer(&env);
    let stopped = Instant::now();

    let quick = |args: &[&str], stdin: Option<&str>| {
        let mut c = env.cmd();
        c.args(args)
            .env("SESSIONLENS_LOCK_WAIT_MS", "500")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = c.spawn().unwrap();
        let mut input = child.stdin.take().unwrap();
        std::io::Write::write_all(&mut input, stdin.unwrap_or("").as_bytes()).unwrap();
        drop(input);
        finish(
            child,
            Duration::from_secs(8),
            &format!("sessionlens {args:?}"),
        )
    };
    // Readers read the last commit.
    let sessions = quick(&["sessions"], None);
    assert!(sessions.status.success(), "{}", text(&sessions));
    for line in before.lines().skip(1) {
        assert!(
            String::from_utf8_lossy(&sessions.stdout).contains(line),
            "{line} missing: {}",
            text(&sessions)
        );
    }
    let verify = quick(&["verify"], None);
    assert!(verify.status.success(), "{}", text(&verify));
    // The hook answers (empty) and keeps its command for later.
    let hook = quick(&["codex-hook"], Some(FAILED_TEST));
    assert!(hook.status.success(), "{}", text(&hook));
    assert!(hook.stdout.is_empty(), "{}", text(&hook));
    let pending = env.state_dir().join("pending");
    assert_eq!(
        std::fs::read_dir(&pending).map(|d| d.count()).unwrap_or(0),
        1,
        "{}",
        text(&hook)
    );
    // A second writer gives up, saying why.
    let second = quick(
        &[
            "ingest",
            "codex",
            "--idle-minutes",
            "0",
            fixture("paginated").to_str().unwrap(),
        ],
        None,
    );
    assert!(!second.status.success(), "{}", text(&second));
    assert!(
        String::from_utf8_lossy(&second.stderr).contains("held by another process"),
        "{}",
        text(&second)
    );
    assert!(
        stopped.elapsed() < Duration::from_secs(30),
        "the writer must still be stopped"
    );

    signal(pid, libc::SIGCONT);
    let out = finish(writer, Duration::from_secs(120), "the resumed writer");
    assert!(out.status.success(), "{}", text(&out));
    // The next writer stores the hook's command, once.
    env.ok(&["ingest", "terminal"]);
    env.ok(&["ingest", "terminal"]);
    assert_eq!(std::fs::read_dir(&pending).unwrap().count(), 0);
    let all = env.json(&["sessions", "--json"]);
    let hook_sessions: Vec<_> = all
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["id"].as_str().unwrap().starts_with("codex-hook-"))
        .collect();
    assert_eq!(hook_sessions.len(), 1, "{all}");
    assert_eq!(hook_sessions[0]["commands"], 1, "{all}");
    assert_eq!(hook_sessions[0]["failed_commands"], 1, "{all}");
    assert_eq!(all.as_array().unwrap().len(), sessions_before + 40 + 1);
    assert!(env.ok(&["verify"]).contains("chain intact"));
}

/// Starts a long `ingest` into `env`'s store and stops it (SIGSTOP) while it holds the writer
/// byte — inside a commit — but not the header lock (held for microseconds around each header
/// write). Returns it, stopped, with its pid.
fn paused_writer(env: &Env) -> (Child, u32) {
    let store = env.data_dir().join("store.redb");
    let ino = std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(&store).unwrap());
    let many = env.root.path().join("many");
    std::fs::create_dir_all(&many).unwrap();
    replicate_cli(&many, 40);
    let mut writer = env
        .cmd()
        .args([
            "ingest",
            "--batch-events",
            "20",
            "--idle-minutes",
            "0",
            "codex",
        ])
        .arg(&many)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = writer.id();
    let start = Instant::now();
    loop {
        assert!(
            writer.try_wait().unwrap().is_none(),
            "the writer ended before it could be stopped in a commit"
        );
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "never caught a commit"
        );
        let in_commit = |locks: &[(u64, u64, bool)]| {
            locks.iter().any(|&(s, _, w)| w && s == WRITER_BYTE)
                && !locks.iter().any(|&(s, _, w)| w && s == 0)
        };
        if in_commit(&locks_on(ino)) {
            signal(pid, libc::SIGSTOP);
            std::thread::sleep(Duration::from_millis(20));
            if in_commit(&locks_on(ino)) {
                return (writer, pid);
            }
            signal(pid, libc::SIGCONT);
        }
    }
}

#[test]
fn the_language_server_starts_and_hovers_while_a_writer_is_paused() {
    use crate::common::lsp::Client;
    use serde_json::json;
    let env = Env::new();
    let (ws, _) = scenario(&env, "react-first-app");
    env.ok(&["ingest", "codex", "--idle-minutes", "0"]);
    let (writer, pid) = paused_writer(&env);
    let hook = ws.join("src/useTodos.ts");
    let mut cmd = env.cmd();
    cmd.env("SESSIONLENS_LOCK_WAIT_MS", "500");
    let mut c = Client::start(cmd);
    let start = Instant::now();
    c.initialize(&ws, json!({}));
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "initialize waited for the paused writer"
    );
    c.open(&hook, "typescript");
    let source = std::fs::read_to_string(&hook).unwrap();
    let line = source
        .lines()
        .position(|l| l.contains("useEffect(() =>"))
        .unwrap();
    let character = source.lines().nth(line).unwrap().find("useEffect").unwrap() + 1;
    let h = c.request_full(
        "textDocument/hover",
        json!({
            "textDocument": {"uri": format!("file://{}", hook.display())},
            "position": {"line": line, "character": character},
        }),
    );
    assert!(
        h["result"]["contents"]["value"]
            .as_str()
            .is_some_and(|v| v.contains("useEffect")),
        "{h}"
    );
    signal(pid, libc::SIGCONT);
    let out = finish(writer, Duration::from_secs(120), "the resumed writer");
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn an_io_error_on_a_new_stores_first_sync_leaves_nothing_to_delete_by_hand() {
    let env = Env::new();
    let out = injected(
        &env,
        "fdatasync",
        "error=EIO:when=1",
        &[
            "ingest",
            "codex",
            "--idle-minutes",
            "0",
            fixture("handwritten").to_str().unwrap(),
        ],
    );
    assert!(!out.status.success(), "{}", text(&out));
    assert!(env.data_dir().join("store.redb").exists());
    // The next run opens a new store in its place and stores everything.
    let out = env.ingest_fixture("handwritten");
    assert!(out.contains("Added 26 events"), "{out}");
    assert!(env.ok(&["verify"]).contains("chain intact: 26 events"));
}

#[test]
fn ingest_on_a_full_disk_fails_once_and_loudly_and_a_later_ingest_loses_nothing() {
    // Every write to the store past the first 30 fails with ENOSPC, as on a full disk.
    let env = Env::new();
    env.ingest_fixture("handwritten");
    let out = injected(
        &env,
        "pwrite64",
        "error=ENOSPC:when=30+",
        &[
            "ingest",
            "--batch-events",
            "50",
            "--idle-minutes",
            "0",
            "codex",
            fixture("real").to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("No space left on device"), "{}", text(&out));
    assert_eq!(
        stderr.lines().filter(|l| l.starts_with("error:")).count(),
        1,
        "one message, not one per file: {}",
        text(&out)
    );

    // With space again, the same files give exactly what a store that never saw the fault holds.
    env.ingest_fixture("real");
    let reference = Env::new();
    reference.ingest_fixture("handwritten");
    reference.ingest_fixture("real");
    assert_eq!(
        env.json(&["sessions", "--json"]),
        reference.json(&["sessions", "--json"])
    );
    let count = |e: &Env| e.json(&["verify", "--json"])["events"].clone();
    assert_eq!(count(&env), count(&reference));
    assert!(env.json(&["verify", "--json"])["ok"].as_bool().unwrap());
}

/// Runs `script` (sh) as root in a private mount namespace, with `$SL` the binary and `$DATA`
/// this environment's data dir, mounted as a small tmpfs first.
fn in_mount_namespace(env: &Env, script: &str) -> Output {
    std::fs::create_dir_all(env.data_dir()).unwrap();
    let root = unsafe { libc::geteuid() } == 0;
    let mut c = Command::new("unshare");
    c.args(if root { &["-m"][..] } else { &["-rm"][..] })
        .args(["sh", "-euc"])
        .arg(format!(
            "mount -t tmpfs -o size=8m tmpfs \"$DATA\"\n{script}"
        ))
        .env("SL", env!("CARGO_BIN_EXE_sessionlens"))
        .env("DATA", env.data_dir())
        .env("FIXTURES", fixture("handwritten"))
        .env("MORE", fixture("real"));
    env.isolate(&mut c);
    c.output().unwrap()
}

#[test]
fn a_store_on_a_read_only_file_system_can_still_be_read() {
    let env = Env::new();
    let out = in_mount_namespace(
        &env,
        r#"
        "$SL" ingest codex --idle-minutes 0 "$FIXTURES" >/dev/null
        mount -o remount,ro "$DATA"
        echo "--- sessions"; "$SL" sessions
        echo "--- verify"; "$SL" verify
        echo "--- recall"; "$SL" recall useEffect --workspace /home/dev/app
        echo "--- ingest"; "$SL" ingest codex --idle-minutes 0 "$MORE" 2>&1 && exit 9 || echo "refused: $?"
        "#,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "unshare/mount must be possible here (root, or user namespaces): {}",
        text(&out)
    );
    let part = |name: &str| {
        stdout
            .split(&format!("--- {name}\n"))
            .nth(1)
            .and_then(|rest| rest.split("\n---").next())
            .unwrap_or_default()
            .to_owned()
    };
    assert!(part("sessions").contains("019b1111"), "{}", text(&out));
    assert!(
        part("verify").contains("chain intact: 26 events"),
        "{}",
        text(&out)
    );
    assert!(part("recall").contains("useEffect"), "{}", text(&out));
    let ingest = part("ingest");
    assert!(ingest.contains("read-only"), "{}", text(&out));
    assert!(ingest.contains("refused: 1"), "{}", text(&out));
}

#[test]
fn verify_catches_a_store_emptied_or_replaced_by_an_older_copy() {
    let env = Env::new();
    env.ingest_fixture("handwritten");
    let store = env.data_dir().join("store.redb");
    let older = env.root.path().join("older.redb");
    std::fs::copy(&store, &older).unwrap();
    env.ingest_fixture("real");
    let head = env.json(&["verify", "--json"])["head"].as_str().unwrap()[..16].to_owned();
    assert!(
        env.ok(&["verify", "--expect", &head])
            .contains("chain intact")
    );

    let failing = |what: &str, args: &[&str]| {
        let out = env.run(args);
        assert_eq!(out.status.code(), Some(1), "{what}: {}", text(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    std::fs::copy(&older, &store).unwrap();
    let said = failing("an older copy", &["verify"]);
    assert!(said.contains("replaced by an older copy"), "{said}");
    assert!(said.contains("store.redb.head"), "{said}");

    std::fs::write(&store, b"").unwrap();
    let said = failing("emptied", &["verify", "--expect", &head]);
    assert!(said.contains(&format!("expected head {head}")), "{said}");
    // Without the head file, `--expect` alone still catches it.
    std::fs::remove_file(env.data_dir().join("store.redb.head")).unwrap();
    let said = failing("emptied, no head file", &["verify", "--expect", &head]);
    assert!(said.contains("no event of this store"), "{said}");
}

/// What the commands show of a store: the sessions list, every session's timeline, and the
/// insights (read through the cache, as every face does).
fn shown(store: &sessionlens::store::Store) -> anyhow::Result<String> {
    let mut out = String::new();
    for s in store.sessions()? {
        out.push_str(&serde_json::to_string(&s)?);
        for (seq, e) in store.session_events(&s.id)? {
            out.push_str(&format!(
                "\n{seq} {}",
                String::from_utf8_lossy(&e.canonical_bytes())
            ));
        }
        out.push('\n');
    }
    let k = sessionlens::knowledge::snapshot::Knowledge::load(store)?;
    out.push_str(&serde_json::to_string(&*k.insights)?);
    Ok(out)
}

/// Each byte of a small store flipped in turn: the store then fails to open with an error, or
/// `verify` fails naming what changed, or nothing any command shows changed. Never a panic, never
/// a silent change. The suite flips every 17th byte (about 20 s); `SESSIONLENS_FLIP_STRIDE=1`
/// flips every one (a few minutes).
#[test]
fn a_flipped_byte_fails_verify_or_the_open_or_changes_nothing_shown() {
    use sessionlens::store::Store;
    let env = Env::new();
    env.ingest_fixture("handwritten");
    let path = env.data_dir().join("store.redb");
    {
        // Compacted, so the file is mostly live pages; with the insights cached, so the cache
        // record is among the bytes flipped.
        let mut db = redb::Database::create(&path).unwrap();
        db.compact().unwrap();
        drop(db);
        let store = Store::open(&path).unwrap();
        sessionlens::knowledge::snapshot::Knowledge::load(&store).unwrap();
    }
    let pristine = std::fs::read(&path).unwrap();
    let work = env.root.path().join("flip");
    std::fs::create_dir_all(&work).unwrap();
    let flipped = work.join("store.redb");
    std::fs::copy(
        env.data_dir().join("store.redb.head"),
        work.join("store.redb.head"),
    )
    .unwrap();
    let baseline = shown(&Store::open_for_reading(&path).unwrap()).unwrap();
    // Panics the store catches (and turns into errors) are not printed here either.
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !sessionlens::store::panic_is_caught() {
            report(info);
        }
    }));
    let stride: usize = std::env::var("SESSIONLENS_FLIP_STRIDE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(17);
    let (mut refused, mut caught, mut unchanged) = (0, 0, 0);
    let mut silent = Vec::new();
    let mut panics = Vec::new();
    let start = Instant::now();
    let from: usize = std::env::var("SESSIONLENS_FLIP_FROM")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    for at in (from..pristine.len()).step_by(stride) {
        let mut bytes = pristine.clone();
        bytes[at] ^= 0xff;
        std::fs::write(&flipped, &bytes).unwrap();
        let outcome = std::panic::catch_unwind(|| {
            let store = match Store::open_for_reading(&flipped) {
                Ok(s) => s,
                Err(e) => return Ok(Err(e.to_string())),
            };
            let report = store.verify()?;
            if !report.ok() {
                let said = report
                    .failure
                    .map(|f| f.reason)
                    .into_iter()
                    .chain(report.problems)
                    .collect::<Vec<_>>()
                    .join("; ");
                return Ok(Err(said));
            }
            // Reading may fail cleanly too (an undecodable page), which is also no silent change.
            match shown(&store) {
                Ok(s) => Ok(Ok(s)),
                Err(e) => Ok(Err(format!("{e:#}"))),
            }
        });
        match outcome {
            Err(_) => panics.push(at),
            Ok(Err::<_, anyhow::Error>(e)) => {
                refused += 1;
                assert!(!e.to_string().is_empty());
            }
            Ok(Ok(Err(said))) => {
                assert!(!said.is_empty(), "byte {at}: an empty error");
                caught += 1;
            }
            Ok(Ok(Ok(now))) if now == baseline => unchanged += 1,
            Ok(Ok(Ok(now))) => {
                if std::env::var_os("SESSIONLENS_FLIP_DIFF").is_some() {
                    for (a, b) in baseline.lines().zip(now.lines()) {
                        if a != b {
                            eprintln!("byte {at}:\n- {a}\n+ {b}");
                        }
                    }
                }
                silent.push(at)
            }
        }
    }
    eprintln!(
        "{} bytes, every {stride}th flipped in {:?}: {refused} refused, {caught} caught, \
         {unchanged} unchanged, {} silent, {} panics",
        pristine.len(),
        start.elapsed(),
        silent.len(),
        panics.len()
    );
    assert!(panics.is_empty(), "panicked at bytes {panics:?}");
    assert!(
        silent.is_empty(),
        "changed what is shown, unnoticed, at bytes {silent:?}"
    );
}
