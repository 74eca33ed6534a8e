//! Redaction, measured (issue 17): what gets through and what is redacted that was no secret.
//!
//! - Nothing gets through: a sample of every vendored gitleaks rule (made from the rule's own
//!   regex, see `sample`) and the hand-written cases of `tests/fixtures/secrets/seeded.json`
//!   (JSON, URLs, env dumps, diffs, base64-wrapped, cut private keys…) go through each real ingest
//!   path — a Codex rollout, a Claude Code transcript, `sessionlens codex-hook` (PostToolUse with
//!   no transcript) and the shell hooks' spool (`ingest terminal`) — and then neither the raw bytes
//!   of the store file and the state dir nor the decoded events hold any of them.
//! - Little is redacted that was not a secret: the redactor runs over real files of this repo
//!   (the eval workspaces, the real Codex rollouts, README/ARCHITECTURE, package-lock.json, the
//!   server's sources) and the redactions per MB stay under a ceiling; shapes that are no secret
//!   (git SHAs, UUIDs, lockfile integrity hashes) are left alone, as gitleaks leaves them.

use crate::common::Env;
use regex::bytes::RegexBuilder;
use regex_syntax::hir::{Class, Hir, HirKind};
use serde_json::{Value, json};
use sessionlens::normalize::redact::{Redactor, VendoredInfo};
use std::path::{Path, PathBuf};

/// One text to ingest and the strings that must not survive it.
struct Case {
    name: String,
    text: String,
    secrets: Vec<String>,
}

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// The hand-written cases of `tests/fixtures/secrets/seeded.json`.
fn seeded() -> Vec<Case> {
    let v: Value =
        serde_json::from_slice(&std::fs::read(repo("tests/fixtures/secrets/seeded.json")).unwrap())
            .unwrap();
    v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| Case {
            name: c["name"].as_str().unwrap().to_owned(),
            text: c["text"].as_str().unwrap().to_owned(),
            secrets: c["secrets"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_owned())
                .collect(),
        })
        .collect()
}

/// One byte of a class: a letter or digit when it has one (secrets are made of them), else a
/// printable one, else any.
fn pick(class: &Class, rng: &mut fastrand::Rng) -> Option<u8> {
    let members: Vec<u8> = match class {
        Class::Bytes(c) => c
            .ranges()
            .iter()
            .flat_map(|r| r.start()..=r.end())
            .collect(),
        Class::Unicode(c) => c
            .ranges()
            .iter()
            .flat_map(|r| r.start()..=r.end())
            .filter(char::is_ascii)
            .map(|c| c as u8)
            .collect(),
    };
    let alnum: Vec<u8> = members
        .iter()
        .copied()
        .filter(u8::is_ascii_alphanumeric)
        .collect();
    let printable: Vec<u8> = members
        .iter()
        .copied()
        .filter(|b| (0x20..0x7f).contains(b))
        .collect();
    let from = [alnum, printable, members]
        .into_iter()
        .find(|v| !v.is_empty())?;
    Some(from[rng.usize(..from.len())])
}

/// Writes a string the regex `h` could match: the first branch and the least repetition that
/// still makes a secret (up to 24) on the first try (`vary` false), random branches and counts
/// on the next ones.
fn generate(h: &Hir, rng: &mut fastrand::Rng, vary: bool, out: &mut Vec<u8>) {
    match h.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(l) => out.extend_from_slice(&l.0),
        HirKind::Class(c) => out.extend(pick(c, rng)),
        HirKind::Repetition(r) => {
            let (min, max) = (r.min as usize, r.max.map(|m| m as usize));
            let n = if vary {
                let hi = max.unwrap_or(min + 30).min(min + 30);
                rng.usize(min..=hi)
            } else if min == 0 || max == Some(min) {
                min
            } else {
                min.max(max.unwrap_or(usize::MAX).min(24))
            };
            for _ in 0..n {
                generate(&r.sub, rng, vary, out);
            }
        }
        HirKind::Capture(c) => generate(&c.sub, rng, vary, out),
        HirKind::Concat(hs) => hs.iter().for_each(|h| generate(h, rng, vary, out)),
        HirKind::Alternation(hs) => {
            let i = if vary { rng.usize(..hs.len()) } else { 0 };
            generate(&hs[i], rng, vary, out);
        }
    }
}

/// A text the rule must redact, made from its regex: it matches, its secret (gitleaks' first
/// non-empty group) has more entropy than the rule asks, and it holds one of the rule's keywords
/// (prepended when the regex does not need one, as `facebook` for a Facebook token). The
/// string that must not survive is the longest group (the value, not the keyword), else the
/// whole match, and it has at least 8 letters and digits.
fn sample(rule: &VendoredInfo) -> Option<Case> {
    let re = RegexBuilder::new(rule.regex).unicode(false).build().ok()?;
    let hir = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(rule.regex)
        .ok()?;
    let seed = rule
        .id
        .bytes()
        .fold(17u64, |h, b| h.wrapping_mul(31) ^ u64::from(b));
    let mut rng = fastrand::Rng::with_seed(seed);
    for attempt in 0..2000 {
        let mut out = Vec::new();
        generate(&hir, &mut rng, attempt > 0, &mut out);
        let Ok(text) = String::from_utf8(out) else {
            continue;
        };
        let Some(caps) = re.captures(text.as_bytes()) else {
            continue;
        };
        let whole = caps.get(0).unwrap();
        let first = caps.iter().skip(1).flatten().find(|m| !m.is_empty());
        let secret = first.unwrap_or(whole).as_bytes();
        if rule.entropy > 0.0
            && sessionlens::normalize::redact::shannon_entropy(secret) <= rule.entropy
        {
            continue;
        }
        let longest = caps
            .iter()
            .skip(1)
            .flatten()
            .max_by_key(|m| m.len())
            .unwrap_or(whole);
        let alnum = |b: &[u8]| b.iter().filter(|b| b.is_ascii_alphanumeric()).count();
        // Groups that only mark a fragment (a UUID's `xxxx-` in a webhook URL): the whole match.
        let longest = if alnum(longest.as_bytes()) >= 8 {
            longest
        } else {
            whole
        };
        let keep = String::from_utf8_lossy(longest.as_bytes())
            .trim()
            .to_owned();
        // A value of a few letters is no credential (the string kept has 8 or more), nor is an
        // empty one, which gitleaks' Kubernetes rule allows (`key: ""`).
        if alnum(keep.as_bytes()) < 8 || secret.ends_with(b"\"\"") || secret.ends_with(b"''") {
            continue;
        }
        let lower = text.to_ascii_lowercase();
        let text = if rule.keywords.iter().any(|k| lower.contains(k)) {
            text
        } else {
            format!("{} {text}", rule.keywords.first()?)
        };
        return Some(Case {
            name: rule.id.to_owned(),
            text,
            secrets: vec![keep],
        });
    }
    None
}

/// A sample of every vendored rule.
fn rule_samples() -> Vec<Case> {
    let rules = Redactor::global().vendored_rules();
    assert!(
        rules.len() >= 200,
        "the vendored set: {} rules",
        rules.len()
    );
    let mut missing = Vec::new();
    let cases: Vec<Case> = rules
        .iter()
        .filter_map(|r| {
            let s = sample(r);
            if s.is_none() {
                missing.push(r.id);
            }
            s
        })
        .collect();
    assert_eq!(missing, Vec::<&str>::new(), "rules without a sample");
    cases
}

#[test]
fn every_vendored_rule_compiles_and_its_sample_is_redacted() {
    let r = Redactor::global();
    assert_eq!(r.broken_rules(), Vec::<(&str, String)>::new());
    eprintln!(
        "vendored {} gitleaks rules; dropped: {:?}",
        r.vendored_rules().len(),
        r.dropped_rules()
    );
    let mut kept = Vec::new();
    for case in rule_samples().iter().chain(seeded().iter()) {
        let out = r.redact(&case.text);
        for s in &case.secrets {
            if out.contains(s.as_str()) {
                kept.push(format!("{}: {:?} → {:?}", case.name, case.text, out));
            }
        }
    }
    assert!(kept.is_empty(), "secrets kept:\n{}", kept.join("\n"));
}

/// The strings whose presence means a leak: each secret, and for long ones their middle too (a
/// secret redacted only in part still leaks).
fn needles(cases: &[Case]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for c in cases {
        for s in &c.secrets {
            out.push((c.name.clone(), s.clone()));
            if s.len() >= 20 && s.is_ascii() {
                let mid = s.len() / 2;
                out.push((c.name.clone(), s[mid - 6..mid + 6].to_owned()));
            }
        }
    }
    out
}

const AT: &str = "2026-03-04T09:00:00.000Z";

/// One Codex rollout: per case, the prompt, a command (its line and its output) and the answer.
fn codex_rollout(id: &str, cases: &[Case]) -> String {
    let mut lines = vec![
        json!({"timestamp": AT, "type": "session_meta", "payload": {"id": id, "timestamp": AT,
            "cwd": "/w", "originator": "codex-tui", "cli_version": "0.130.0", "source": "cli"}}),
    ];
    for (i, c) in cases.iter().enumerate() {
        let call = format!("call_{i}");
        lines.push(json!({"timestamp": AT, "type": "event_msg",
            "payload": {"type": "user_message", "message": c.text}}));
        lines.push(json!({"timestamp": AT, "type": "response_item",
            "payload": {"type": "function_call", "name": "exec_command",
                "arguments": json!({"cmd": c.text}).to_string(), "call_id": call}}));
        lines.push(json!({"timestamp": AT, "type": "response_item",
            "payload": {"type": "function_call_output", "call_id": call,
                "output": format!("Output:\n{}\n", c.text)}}));
        lines.push(json!({"timestamp": AT, "type": "event_msg",
            "payload": {"type": "agent_message", "message": c.text}}));
    }
    lines.iter().map(|l| l.to_string() + "\n").collect()
}

/// One Claude Code transcript: per case, the typed prompt, a Bash call, its result and the answer.
fn claude_transcript(session: &str, cases: &[Case]) -> String {
    let mut lines = Vec::new();
    let mut parent = Value::Null;
    for (i, c) in cases.iter().enumerate() {
        let line = |uuid: String, parent: &Value, kind: &str, message: Value, extra: Value| {
            let mut v = json!({"parentUuid": parent, "isSidechain": false, "userType": "external",
                "cwd": "/w", "sessionId": session, "version": "2.1.150", "type": kind,
                "message": message, "uuid": uuid, "timestamp": AT});
            if let Value::Object(m) = extra {
                v.as_object_mut().unwrap().extend(m);
            }
            v
        };
        let tool = format!("toolu_{i}");
        let u = format!("u-{i}");
        lines.push(line(
            u.clone(),
            &parent,
            "user",
            json!({"role": "user", "content": c.text}),
            json!({"promptSource": "typed"}),
        ));
        let a = format!("a-{i}");
        lines.push(line(
            a.clone(),
            &json!(u),
            "assistant",
            json!({"model": "claude-opus-4-6", "id": format!("msg_a{i}"), "type": "message",
                "role": "assistant", "content": [{"type": "tool_use", "id": tool, "name": "Bash",
                "input": {"command": c.text}}]}),
            json!({}),
        ));
        let r = format!("r-{i}");
        lines.push(line(
            r.clone(),
            &json!(a),
            "user",
            json!({"role": "user", "content": [{"tool_use_id": tool, "type": "tool_result",
                "content": c.text, "is_error": false}]}),
            json!({"toolUseResult": {"stdout": c.text, "stderr": "", "interrupted": false,
                "isImage": false}}),
        ));
        let t = format!("t-{i}");
        lines.push(line(
            t.clone(),
            &json!(r),
            "assistant",
            json!({"model": "claude-opus-4-6", "id": format!("msg_t{i}"), "type": "message",
                "role": "assistant", "content": [{"type": "text", "text": c.text}]}),
            json!({}),
        ));
        parent = json!(t);
    }
    lines.iter().map(|l| l.to_string() + "\n").collect()
}

/// The shell hooks' spool: one line per case, the command line escaped as the hooks escape it.
fn spool(cases: &[Case]) -> String {
    let escape = |s: &str| {
        s.replace('\\', "\\\\")
            .replace('\n', "\\n")
            .replace('\t', "\\t")
            .replace('\r', "\\r")
    };
    cases
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let start = 1_772_614_800_000_000u64 + i as u64 * 1_000_000;
            format!(
                "1\tbash\t4242-1\t{start}\t{}\t0\t/w\t{}\n",
                start + 500_000,
                escape(&c.text)
            )
        })
        .collect()
}

/// Runs `sessionlens codex-hook` with a PostToolUse payload that names no transcript.
fn codex_hook(env: &Env, ws: &Path, command: &str, output: &str, n: usize) {
    let payload = json!({
        "session_id": "019e0000-0000-7000-8000-000000000001",
        "turn_id": "019e0000-0000-7000-8000-000000000002",
        "transcript_path": null,
        "cwd": ws,
        "hook_event_name": "PostToolUse",
        "model": "gpt-5.2-codex",
        "permission_mode": "default",
        "tool_name": "Bash",
        "tool_use_id": format!("call_hook_{n}"),
        "tool_input": { "command": command },
        "tool_response": format!("Exit code: 0\nWall time: 0.1 seconds\nOutput:\n{output}\n"),
    })
    .to_string();
    let mut c = env.cmd();
    c.arg("codex-hook");
    let out = Env::feed(&mut c, &payload);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every regular file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else if p.is_file() {
            out.push(p);
        }
    }
    out
}

#[test]
fn no_seeded_secret_survives_any_ingest_path() {
    let mut cases = seeded();
    cases.extend(rule_samples());
    let env = Env::new();
    let inputs = env.root.path().join("inputs");

    // A Codex rollout and a Claude Code transcript, each read by `ingest`.
    let codex = inputs.join("codex");
    std::fs::create_dir_all(&codex).unwrap();
    let thread = "019c0000-0000-7000-8000-0000000000aa";
    std::fs::write(
        codex.join(format!("rollout-2026-03-04T10-00-00-{thread}.jsonl")),
        codex_rollout(thread, &cases),
    )
    .unwrap();
    let report = env.json(&[
        "ingest",
        "codex",
        "--idle-minutes",
        "0",
        "--json",
        codex.to_str().unwrap(),
    ]);
    assert!(
        report["events_added"].as_u64().unwrap() > 3 * cases.len() as u64,
        "{report:#}"
    );

    let claude = inputs.join("claude");
    std::fs::create_dir_all(&claude).unwrap();
    let session = "5f3c0d7e-0000-4222-8333-0000000000aa";
    std::fs::write(
        claude.join(format!("{session}.jsonl")),
        claude_transcript(session, &cases),
    )
    .unwrap();
    let report = env.json(&[
        "ingest",
        "claude",
        "--idle-minutes",
        "0",
        "--json",
        claude.to_str().unwrap(),
    ]);
    assert!(
        report["events_added"].as_u64().unwrap() > 3 * cases.len() as u64,
        "{report:#}"
    );

    // The Codex hook's live fallback: the seeded cases one by one, the rule samples ten a call.
    let ws = env.root.path().join("ws");
    std::fs::create_dir_all(&ws).unwrap();
    let (hand, generated) = cases.split_at(seeded().len());
    let mut n = 0;
    for c in hand {
        codex_hook(&env, &ws, &c.text, &c.text, n);
        n += 1;
    }
    for chunk in generated.chunks(10) {
        let text = chunk
            .iter()
            .map(|c| c.text.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        codex_hook(&env, &ws, &text, &text, n);
        n += 1;
    }

    // The shell hooks' spool, taken in by `ingest terminal`.
    let state = env.state_dir();
    std::fs::create_dir_all(&state).unwrap();
    std::fs::write(state.join("commands.spool"), spool(&cases)).unwrap();
    let report = env.json(&["ingest", "terminal", "--json"]);
    eprintln!("ingest terminal: {report}");

    // Everything each path stored, decoded (events of 1 KiB and more are compressed in the
    // file), and what every stored path holds as raw bytes: the store file, the data dir and
    // the state dir.
    let store = sessionlens::store::Store::open(&env.data_dir().join("store.redb")).unwrap();
    let mut decoded = Vec::new();
    let mut by_source = std::collections::BTreeMap::<String, usize>::new();
    for s in store.sessions().unwrap() {
        let source = s.id.split('-').next().unwrap_or("").to_owned();
        for (_, e) in store.session_events(&s.id).unwrap() {
            decoded.extend_from_slice(&e.canonical_bytes());
            decoded.push(b'\n');
            *by_source.entry(source.clone()).or_default() += 1;
        }
    }
    drop(store);
    eprintln!("events stored per session kind: {by_source:?}");
    let text = String::from_utf8_lossy(&decoded);
    for needle in ["codex-hook", "terminal", "5f3c0d7e", "019c0000"] {
        assert!(text.contains(needle), "a session of {needle} was stored");
    }
    assert!(text.contains("[REDACTED:"));

    let mut haystacks: Vec<(String, Vec<u8>)> = vec![("decoded events".into(), decoded)];
    for f in files_under(&env.data_dir())
        .into_iter()
        .chain(files_under(&state))
    {
        haystacks.push((f.display().to_string(), std::fs::read(&f).unwrap()));
    }
    let mut leaks = Vec::new();
    for (case, needle) in needles(&cases) {
        for (name, bytes) in &haystacks {
            if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                leaks.push(format!("{case}: {needle:?} in {name}"));
            }
        }
    }
    eprintln!(
        "{} cases ({} rule samples), {} needles, {} files scanned: {} leaks",
        cases.len(),
        generated.len(),
        needles(&cases).len(),
        haystacks.len() - 1,
        leaks.len()
    );
    assert!(leaks.is_empty(), "secrets survived:\n{}", leaks.join("\n"));
}

/// The real files the false-positive rate is measured on: prose, code, lockfile and real
/// sessions, none of which holds a credential. Left out: the redactor's own files and tests,
/// which hold secrets on purpose.
fn innocent_files() -> Vec<PathBuf> {
    let mut files = vec![
        repo("README.md"),
        repo("ARCHITECTURE.md"),
        repo("package-lock.json"),
    ];
    files.extend(files_under(&repo("tests/fixtures/eval")));
    files.extend(files_under(&repo("tests/fixtures/codex/real")));
    files.extend(
        files_under(&repo("server"))
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "rs"))
            .filter(|p| {
                let rel = p
                    .strip_prefix(repo(""))
                    .unwrap()
                    .to_string_lossy()
                    .to_string();
                !rel.starts_with("server/normalize/secrets/")
                    && rel != "server/normalize/redact.rs"
                    && rel != "server/capture/live.rs"
            }),
    );
    files.retain(|p| std::fs::read(p).is_ok_and(|b| std::str::from_utf8(&b).is_ok()));
    files.sort();
    files
}

/// Ceiling on redactions per MB of innocent text. Measured when the gitleaks rules came in: 2 in
/// 6.2 MB (0.32 per MB), both credential-shaped on purpose (a test's `export TOKEN=…`, a dev
/// database password in an eval workspace's URL). One per MB allows a handful more in this
/// corpus; a rule that fires on ordinary code or prose makes dozens (typed Rust fields named
/// `tokens: Option<…>` alone made 15 before `assignment` learnt that types are not secrets;
/// JSON numbers after `"total_tokens":` made thousands).
const MAX_PER_MB: f64 = 1.0;

#[test]
fn ordinary_code_and_prose_are_rarely_redacted() {
    let r = Redactor::global();
    let mut bytes = 0usize;
    let mut hits = Vec::new();
    for f in innocent_files() {
        let text = std::fs::read_to_string(&f).unwrap();
        bytes += text.len();
        if f.extension().is_some_and(|e| e == "jsonl") {
            // A session file: the redactor sees its strings, decoded, as the readers pass them.
            for line in text.lines() {
                if let Ok(v) = serde_json::from_str::<Value>(line) {
                    for s in strings(&v) {
                        hits.extend(redactions(r, s, &f));
                    }
                }
            }
            continue;
        }
        // Other files as events hold them: texts of up to a few KiB, cut at line ends.
        let mut chunk = String::new();
        for line in text.split_inclusive('\n') {
            chunk.push_str(line);
            if chunk.len() >= 4096 {
                hits.extend(redactions(r, &chunk, &f));
                chunk.clear();
            }
        }
        hits.extend(redactions(r, &chunk, &f));
    }
    let mb = bytes as f64 / 1e6;
    let rate = hits.len() as f64 / mb;
    eprintln!(
        "false positives: {} redactions in {mb:.2} MB of innocent text = {rate:.2} per MB",
        hits.len()
    );
    for h in &hits {
        eprintln!("  {h}");
    }
    assert!(
        rate <= MAX_PER_MB,
        "{rate:.2} redactions per MB of innocent text, ceiling {MAX_PER_MB}"
    );
}

/// Every string in a JSON value but reasoning's encrypted content (opaque, never redacted text).
fn strings(v: &Value) -> Vec<&str> {
    match v {
        Value::String(s) => vec![s.as_str()],
        Value::Array(a) => a.iter().flat_map(strings).collect(),
        Value::Object(o) => o
            .iter()
            .filter(|(k, _)| k.as_str() != "encrypted_content")
            .flat_map(|(_, v)| strings(v))
            .collect(),
        _ => Vec::new(),
    }
}

/// Each redaction the redactor adds to `text` (a `[REDACTED:…]` already there is not one): the
/// rule and the text before it, for the report.
fn redactions(r: &Redactor, text: &str, file: &Path) -> Vec<String> {
    let out = r.redact(text);
    if out == text {
        return Vec::new();
    }
    let rel = file.strip_prefix(repo("")).unwrap_or(file).display();
    let label = |s: &str, at: usize| s[at + 10..at + s[at..].find(']').unwrap_or(10)].to_owned();
    let mut already: Vec<String> = text
        .match_indices("[REDACTED:")
        .map(|(at, _)| label(text, at))
        .collect();
    let mut found = Vec::new();
    for (at, _) in out.match_indices("[REDACTED:") {
        let rule = label(&out, at);
        if let Some(i) = already.iter().position(|r| *r == rule) {
            already.remove(i);
            continue;
        }
        let before: String = out[..at]
            .chars()
            .rev()
            .take(30)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        found.push(format!("{rel}: {rule} after {before:?}"));
    }
    found
}

#[test]
fn shapes_that_are_no_secret_are_left_alone() {
    let r = Redactor::global();
    for text in [
        "commit 9fceb02d0ae598e95dc970b74767f19372d61af8\nAuthor: A <a@example.com>",
        "git checkout 3f2a9c1 && git log --oneline -1",
        "session 019aad50-a7e6-7422-b7a8-0b384290624f resumed",
        r#""integrity": "sha512-Gb9BAI0WGf5Zks2uyjKN4m9HVu9uyjXDP1q55+oDZtgjdZd54IWBKkOJP3V1MAy/IvUNg4vMpInQ9wUsimZaFA==","#,
        "sha256:4c2a3bd2e6a2bd2e7a5a0f6c3b7d91e0a8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3",
        "curl -H \"Authorization: Bearer $TOKEN\" https://api.example.com",
        "password: ${DB_PASSWORD}",
        "api_key = os.environ['OPENAI_API_KEY']",
        "max_tokens = 4096; token_count: 12345",
        "the access key lives in the vault; rotate it monthly",
        "color: #3f2a9c; background: #ffffff;",
        "const user = { id: 42, name: 'Ada' };",
    ] {
        assert_eq!(r.redact(text), text, "redacted an innocent shape");
    }
}
