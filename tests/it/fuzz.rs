//! A seeded fuzz of the language server's transport and document sync, run with the suite: valid
//! LSP traffic (initialize, didOpen, didChange with ranges — out of range, inside multi-byte
//! characters, reversed —, hover, codeLens, didClose) mutated frame by frame — bytes flipped,
//! frames cut short, headers doubled or dropped, lengths wrong, params replaced by random JSON,
//! garbage between frames — and sent to the real binary. The invariants: the server never exits
//! before `exit`, writes no panic on stderr, and after the burst a clean document still gets its
//! hover. The hostile-frame corpus (tests/it/lsp.rs) pins known cases; this looks for the unknown
//! ones, a fixed list of seeds per run. For a longer local run:
//! `SESSIONLENS_FUZZ_SEED=1,2,3 SESSIONLENS_FUZZ_ITERS=5000 cargo test --test it fuzz`
//! (`SESSIONLENS_FUZZ_SEED=random` picks one and prints it).

use crate::common;

use common::lsp::{Client, uri};
use common::{Env, scenario};
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;

/// The seeds every run tries; each gets a server of its own.
const SEEDS: [u64; 4] = [1, 0x5e55_1017, 0xdead_beef, 20_261_207];
/// Frames per seed in an ordinary run.
const ITERS: usize = 300;
const WAIT: Duration = Duration::from_secs(30);

/// Characters the documents are made of: ASCII code, line breaks of both kinds, and characters of
/// two, three and four bytes (one and two UTF-16 units), combining marks and a BOM.
const PIECES: &[&str] = &[
    "useEffect",
    "const ",
    "function ",
    "x",
    " = ",
    "1",
    ";",
    "(",
    ")",
    "{",
    "}",
    " ",
    "\t",
    "\n",
    "\r\n",
    "é",
    "中文",
    "𝄞",
    "😀",
    "a\u{301}",
    "\u{FEFF}",
    "\u{200D}",
    "'",
    "\"",
    "\\",
];

/// Where a lone surrogate escape goes once a body is serialized (serde_json never writes one).
const SURROGATE_MARK: &str = "\u{E000}lone\u{E000}";

fn seeds() -> Vec<u64> {
    match std::env::var("SESSIONLENS_FUZZ_SEED") {
        Ok(s) if s == "random" => {
            let seed = fastrand::u64(..);
            eprintln!("fuzz: SESSIONLENS_FUZZ_SEED={seed}");
            vec![seed]
        }
        Ok(s) => s
            .split(',')
            .map(|n| n.trim().parse().expect("SESSIONLENS_FUZZ_SEED: numbers"))
            .collect(),
        Err(_) => SEEDS.to_vec(),
    }
}

fn iters() -> usize {
    std::env::var("SESSIONLENS_FUZZ_ITERS")
        .ok()
        .map(|n| n.parse().expect("SESSIONLENS_FUZZ_ITERS: a number"))
        .unwrap_or(ITERS)
}

/// Valid traffic over a few documents of a workspace, and its mutations.
struct Traffic<'a> {
    rng: fastrand::Rng,
    dir: &'a Path,
    /// The documents the traffic opened, with the text it last sent in full.
    docs: Vec<(String, String)>,
    next_id: u64,
}

impl Traffic<'_> {
    fn text(&mut self) -> String {
        let n = self.rng.usize(0..60);
        (0..n).map(|_| *self.rng.choice(PIECES).unwrap()).collect()
    }

    fn doc(&mut self) -> String {
        let n = self.rng.usize(0..4);
        uri(&self.dir.join(format!("fuzz-{n}.ts")))
    }

    /// A position in or around a text: past the last line and the line's end sometimes, inside
    /// a surrogate pair sometimes, huge rarely.
    fn position(&mut self, text: &str) -> Value {
        if self.rng.u8(..) < 8 {
            return json!({"line": self.rng.u32(..), "character": self.rng.u32(..)});
        }
        let lines: Vec<&str> = text.split('\n').collect();
        let line = self.rng.usize(0..lines.len() + 2);
        let units = lines.get(line).map_or(0, |l| l.encode_utf16().count());
        json!({"line": line, "character": self.rng.usize(0..units + 3)})
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        // Ids of their own, so that no answer to the traffic is taken for the client's.
        self.next_id += 1;
        json!({"jsonrpc": "2.0", "id": format!("fuzz-{}", self.next_id), "method": method,
               "params": params})
    }

    /// One valid message.
    fn message(&mut self) -> Value {
        let pick = self.rng.u8(0..100);
        let uri = self.doc();
        let known = self
            .docs
            .iter()
            .find(|(u, _)| *u == uri)
            .map(|(_, t)| t.clone())
            .unwrap_or_default();
        let notify = |method: &str, params: Value| json!({"jsonrpc": "2.0", "method": method, "params": params});
        match pick {
            0..2 => self.request(
                "initialize",
                json!({"processId": null, "rootUri": null, "capabilities": {}}),
            ),
            2..15 => {
                let text = self.text();
                self.docs.retain(|(u, _)| *u != uri);
                self.docs.push((uri.clone(), text.clone()));
                notify(
                    "textDocument/didOpen",
                    json!({"textDocument": {"uri": uri, "languageId": "typescript",
                                            "version": 1, "text": text}}),
                )
            }
            15..60 => {
                let changes: Vec<Value> = (0..self.rng.usize(1..4))
                    .map(|_| {
                        if self.rng.u8(0..10) == 0 {
                            json!({"text": self.text()})
                        } else {
                            let (start, end) = (self.position(&known), self.position(&known));
                            json!({"range": {"start": start, "end": end}, "text": self.text()})
                        }
                    })
                    .collect();
                notify(
                    "textDocument/didChange",
                    json!({"textDocument": {"uri": uri, "version": self.rng.i32(..)},
                           "contentChanges": changes}),
                )
            }
            60..80 => {
                let at = self.position(&known);
                self.request(
                    "textDocument/hover",
                    json!({"textDocument": {"uri": uri}, "position": at}),
                )
            }
            80..90 => self.request(
                "textDocument/codeLens",
                json!({"textDocument": {"uri": uri}}),
            ),
            _ => {
                self.docs.retain(|(u, _)| *u != uri);
                notify(
                    "textDocument/didClose",
                    json!({"textDocument": {"uri": uri}}),
                )
            }
        }
    }

    /// A random JSON value, nested at most `depth` deep (and now and then far deeper).
    fn value(&mut self, depth: u32) -> Value {
        match self.rng.u8(0..if depth == 0 { 6 } else { 9 }) {
            0 => Value::Null,
            1 => json!(self.rng.bool()),
            2 => self
                .rng
                .choice(&[
                    json!(0),
                    json!(-1),
                    json!(1.5),
                    json!(1e308),
                    json!(u64::MAX),
                    json!(i64::MIN),
                    json!(-0.0),
                    json!(u32::MAX),
                    json!(i32::MIN),
                ])
                .unwrap()
                .clone(),
            3 => json!(self.text()),
            4 => json!(format!("{}{SURROGATE_MARK}{}", self.text(), self.text())),
            5 => json!(""),
            6 => Value::Array(
                (0..self.rng.usize(0..4))
                    .map(|_| self.value(depth - 1))
                    .collect(),
            ),
            7 => {
                let keys = [
                    "uri",
                    "text",
                    "range",
                    "start",
                    "line",
                    "character",
                    "version",
                    "x",
                ];
                let mut m = serde_json::Map::new();
                for _ in 0..self.rng.usize(0..4) {
                    m.insert(
                        (*self.rng.choice(&keys).unwrap()).into(),
                        self.value(depth - 1),
                    );
                }
                Value::Object(m)
            }
            _ => {
                let mut v = json!(1);
                for _ in 0..self.rng.usize(100..300) {
                    v = json!([v]);
                }
                v
            }
        }
    }

    /// Replaces one value somewhere under `params` with a random one.
    fn replace_in_params(&mut self, message: &mut Value) {
        let Some(mut at) = message.get_mut("params") else {
            return;
        };
        loop {
            let children = match &*at {
                Value::Object(m) => m.len(),
                Value::Array(a) => a.len(),
                _ => 0,
            };
            if children == 0 || self.rng.u8(0..3) == 0 {
                break;
            }
            let i = self.rng.usize(0..children);
            at = match at {
                Value::Object(m) => m.values_mut().nth(i).unwrap(),
                Value::Array(a) => &mut a[i],
                _ => unreachable!(),
            };
        }
        *at = self.value(3);
    }

    /// The next frame as sent: usually valid, else mutated one way or another.
    fn frame(&mut self) -> Vec<u8> {
        let mut message = self.message();
        let how = self.rng.u8(0..100);
        if (40..55).contains(&how) {
            self.replace_in_params(&mut message);
        }
        let body = serde_json::to_string(&message).unwrap().replace(
            &serde_json::to_string(SURROGATE_MARK).unwrap()[1..SURROGATE_MARK.len() + 1],
            r"\ud800",
        );
        let mut body = body.into_bytes();
        let mut header = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        match how {
            // Bytes flipped, in the header or the body.
            55..65 => {
                let mut all = [header, body].concat();
                for _ in 0..self.rng.usize(1..4) {
                    let i = self.rng.usize(0..all.len());
                    all[i] ^= 1 << self.rng.u8(0..8);
                }
                return all;
            }
            // Cut short (the next frame follows at once).
            65..72 => {
                let mut all = [header, body].concat();
                all.truncate(self.rng.usize(0..all.len()));
                return all;
            }
            // The header twice, the second one wrong sometimes; or no header at all.
            72..76 => {
                let again = format!(
                    "Content-Length: {}\r\n",
                    body.len() + self.rng.usize(0..3) - 1
                );
                header.splice(0..0, again.into_bytes());
            }
            76..79 => header.clear(),
            // A wrong length: off by a little or by a lot.
            79..88 => {
                let wrong = match self.rng.u8(0..4) {
                    0 => body.len().saturating_sub(self.rng.usize(1..20)),
                    1 => body.len() + self.rng.usize(1..2000),
                    2 => self.rng.usize(0..100_000_000),
                    _ => 0,
                };
                header = format!("Content-Length: {wrong}\r\n\r\n").into_bytes();
            }
            // Bytes between frames.
            88..93 => {
                let mut garbage = vec![0u8; self.rng.usize(1..64)];
                self.rng.fill(&mut garbage);
                header.splice(0..0, garbage);
            }
            // Invalid UTF-8 inside the body.
            93..96 if !body.is_empty() => {
                let i = self.rng.usize(0..body.len());
                body.insert(i, *self.rng.choice(&[0xff, 0xc3, 0xe2, 0xf0]).unwrap());
                header = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
            }
            _ => {}
        }
        [header, body].concat()
    }
}

/// Sends one seed's burst to a fresh server and checks it survived it.
fn run_seed(env: &Env, ws: &Path, seed: u64, iters: usize) {
    let dir = ws.join("src/fuzz");
    std::fs::create_dir_all(&dir).unwrap();
    let mut traffic = Traffic {
        rng: fastrand::Rng::with_seed(seed),
        dir: &dir,
        docs: Vec::new(),
        next_id: 0,
    };
    let mut burst = Vec::new();
    while burst.len() < iters {
        let frame = traffic.frame();
        // `exit` and `shutdown` end the server by design; the traffic never means them.
        let text = String::from_utf8_lossy(&frame);
        if text.contains("exit") || text.contains("shutdown") {
            continue;
        }
        burst.push(frame);
    }
    let mut c = Client::start_capturing_stderr(env.cmd());
    c.initialize(ws, json!({}));
    let all: Vec<u8> = burst.concat();
    c.send_bytes(&all);
    let kept = std::env::temp_dir().join(format!("sessionlens-fuzz-{seed}.bin"));
    let fail = |c: &Client, what: String| -> ! {
        std::fs::write(&kept, &all).unwrap();
        panic!(
            "seed {seed} ({iters} frames, sent bytes in {}): {what}\nstderr:\n{}",
            kept.display(),
            c.stderr()
        );
    };
    // A clean document after the burst: opened whole, hovered on a name the store knows.
    let clean = ws.join(format!("src/clean-{seed}.ts"));
    c.open_text(
        &clean,
        "typescript",
        "import { useEffect } from 'react';\nuseEffect(() => {});\n",
    );
    let h = c.request_within(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(&clean)}, "position": {"line": 1, "character": 2}}),
        WAIT,
    );
    let answered = h
        .as_ref()
        .and_then(|h| h["result"]["contents"]["value"].as_str())
        .is_some_and(|v| v.contains("useEffect"));
    if !answered {
        fail(
            &c,
            format!("no hover on a clean document after the burst: {h:?}"),
        );
    }
    if !c.running() {
        fail(&c, "the server exited before `exit`".into());
    }
    if c.stderr().contains("panicked") {
        fail(&c, "a panic on stderr".into());
    }
    assert!(c.shutdown().success(), "seed {seed}: shutdown");
}

#[test]
fn mutated_traffic_never_kills_the_server_or_leaves_it_deaf() {
    let env = Env::new();
    let (ws, _) = scenario(&env, "react-first-app");
    env.ok(&["ingest", "codex", "--idle-minutes", "0"]);
    let iters = iters();
    for seed in seeds() {
        run_seed(&env, &ws, seed, iters);
    }
}
