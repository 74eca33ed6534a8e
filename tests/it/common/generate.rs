//! Generated sessions for the benchmarks that need a large store (`benches/lsp.rs`,
//! `benches/derive.rs`): ~220 events a session over 10 turns — questions about hooks, answers,
//! builds that fail and then pass, patches — one session every two hours, half of them in the
//! given workspace. Deterministic, so two runs (or two binaries) measure the same store.
#![allow(dead_code)]

use sessionlens::normalize::{
    Body, Command, CommandStatus, Edit, Event, FileChange, FileOp, Hunk, SessionInfo, TurnStatus,
};
use std::path::Path;

/// Components of the generated workspace the patches touch.
pub const FILES: usize = 1_000;
/// Distinct names the generated questions are about.
pub const NAMES: usize = 2_000;

pub fn name(n: usize) -> String {
    format!("useThing{}", n % NAMES)
}

pub fn ev(session: &str, n: &mut u64, at: &str, turn: Option<&str>, body: Body) -> Event {
    *n += 1;
    Event {
        id: format!("{session}-{n}"),
        session: session.to_owned(),
        at: at.to_owned(),
        turn: turn.map(str::to_owned),
        body,
    }
}

pub fn session_id(s: usize) -> String {
    format!("019b{s:08x}-0000-7000-8000-000000000000")
}

/// The time of minute `minute` of session `s`: one session every two hours, one after another,
/// as one developer works (the newest still going when the store grows).
fn at(s: usize, minute: usize) -> String {
    let start: jiff::Timestamp = "2024-01-01T08:00:00Z".parse().expect("a valid time");
    let t = start
        + jiff::SignedDuration::from_hours(2 * s as i64)
        + jiff::SignedDuration::from_mins(minute as i64);
    t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Session `s`: its start, in `ws` for even sessions, and its ten turns.
pub fn session_events(s: usize, ws: &Path, out: &mut Vec<Event>) {
    let id = session_id(s);
    let cwd = if s % 2 == 0 {
        ws.display().to_string()
    } else {
        format!("/home/dev/other{}", s % 7)
    };
    let mut n = 0;
    out.push(ev(
        &id,
        &mut n,
        &at(s, 0),
        None,
        Body::SessionStart(SessionInfo {
            surface: "vscode".into(),
            cwd: Some(cwd),
            started_at: at(s, 0),
            ..SessionInfo::default()
        }),
    ));
    for t in 0..10 {
        turn_events(s, t, out);
    }
}

/// Turn `t` of session `s` (any `t`: a session still going has turns past the tenth, later in
/// its day).
pub fn turn_events(s: usize, t: usize, out: &mut Vec<Event>) {
    let id = session_id(s);
    let at = |minute: usize| at(s, minute);
    let mut n = 1 + t as u64 * 1_000;
    let turn = format!("{id}-t{t}");
    let turn = Some(turn.as_str());
    let hook = name(s * 3 + t);
    let prompt = match t % 4 {
        0 => format!("what is `{hook}` actually doing here? why does it run twice?"),
        1 => format!("I don't understand why `{hook}` returns a stale value"),
        2 => "can you run the build and fix what fails".to_owned(),
        _ => format!("refactor the feature to call `{hook}` once"),
    };
    out.push(ev(
        &id,
        &mut n,
        &at(t * 5),
        turn,
        Body::Prompt {
            text: prompt,
            ide: None,
            images: 0,
            steer: false,
        },
    ));
    for k in 0..8 {
        out.push(ev(
            &id,
            &mut n,
            &at(t * 5 + 1),
            turn,
            Body::Reasoning {
                text: format!("Looking at how {hook} is used ({k})."),
            },
        ));
        out.push(ev(
            &id,
            &mut n,
            &at(t * 5 + 1),
            turn,
            Body::Assistant {
                text: format!("Checking the call site of `{hook}` in feature {k}."),
                phase: Some("commentary".into()),
            },
        ));
    }
    let fail = t % 4 == 2;
    for (k, code) in [(0, if fail { 1 } else { 0 }), (1, 0)] {
        out.push(ev(
            &id,
            &mut n,
            &at(t * 5 + 2),
            turn,
            Body::Command(Command {
                command: "npm run build".into(),
                workdir: None,
                exit_code: Some(code),
                duration_ms: Some(4200),
                output: if code == 0 {
                    "built in 1.2s".into()
                } else {
                    format!(
                        "src/feature{:04}.tsx(4,9): error TS2322: Type 'string' is not assignable",
                        (s + k) % FILES
                    )
                },
                tool: "exec_command".into(),
                status: CommandStatus::Exited,
            }),
        ));
    }
    out.push(ev(
        &id,
        &mut n,
        &at(t * 5 + 3),
        turn,
        Body::Edit(Edit {
            files: vec![FileChange {
                path: format!("src/feature{:04}.tsx", (s + t) % FILES),
                op: FileOp::Update,
                move_to: None,
                added: 1,
                removed: 1,
                hunks: vec![Hunk {
                    old_start: None,
                    new_start: None,
                    context: Some(format!(
                        "export function Feature{}(props: {{ id: number }}) {{",
                        (s + t) % FILES
                    )),
                    added: 1,
                    removed: 1,
                }],
                diff: String::new(),
            }],
            success: Some(true),
            tool: "apply_patch".into(),
        }),
    ));
    out.push(ev(&id, &mut n, &at(t * 5 + 4), turn, Body::Assistant {
        text: format!("`{hook}` memoizes the value per id; the effect ran twice because StrictMode mounts components twice in development."),
        phase: Some("final_answer".into()),
    }));
    out.push(ev(
        &id,
        &mut n,
        &at(t * 5 + 4),
        turn,
        Body::TurnEnd {
            status: TurnStatus::Completed,
            reason: None,
            duration_ms: Some(30_000),
            tokens: None,
        },
    ));
}
