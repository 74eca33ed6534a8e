//! Events that happen outside the assistants' files, reported live: hand edits seen by the
//! language server, terminal commands reported by an editor or a hook, the developer's own marks
//! on insights, and learnings an agent writes down. Each lands in a local session per surface,
//! folder and day (see [`local_session_id`]), opened by a `session_start` whose id is fixed, so
//! writing it again with every event is harmless: the store keeps the first.
//!
//! The faces hear of these things; this module turns them into events. Each constructor takes
//! plain values as they were reported and returns the two events to commit (the local session's
//! start, then the event), every text redacted inside it: a face never builds an event body nor
//! calls the redactor, so nothing it hears reaches the store unredacted. Folders (`cwd`, a
//! workspace root) are places, kept as given as the readers keep a session's `cwd`: they name the
//! local session and scope insights to a workspace.

use crate::capture::shell::Typed;
use crate::normalize::redact::Redactor;
use crate::normalize::text::{OUTPUT_CAP, excerpt};
use crate::normalize::{
    Body, Command, CommandStatus, EditorEdit, Event, EventId, LEARNING_TURN, SessionInfo,
    live_event_id, local_session_id,
};
use sha2::{Digest, Sha256};
use std::path::Path;

/// What the language server reports by itself: hand edits, and marks made in the editor.
pub const EDITOR: &str = "editor";
/// Commands an editor's terminal reports.
pub const TERMINAL: &str = "terminal";
/// Marks made on the command line.
pub const CLI: &str = "cli";

/// Now, as events record time: RFC 3339, UTC, milliseconds.
pub fn now() -> String {
    rfc3339(jiff::Timestamp::now())
}

/// A time as events record it: RFC 3339, UTC, milliseconds.
fn rfc3339(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

fn redact(text: &str) -> String {
    Redactor::global().redact(text).into_owned()
}

/// A shell command that ended, as a face heard of it (an editor's terminal, an assistant's
/// hook): plain values, not yet redacted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ran {
    /// The command line as typed (the script of `bash -lc`, not the wrapper).
    pub command: String,
    pub exit_code: Option<i32>,
    pub duration_ms: Option<u64>,
    /// All of its output; the event keeps an excerpt.
    pub output: String,
}

/// A command that ran in `cwd`, reported on `surface` (`terminal`, `codex-hook`, `claude-hook`,
/// which also names the command's tool): a turn of its own in the folder's local session, as a
/// command is in an assistant's. The command line and the output's excerpt are redacted.
pub fn command(surface: &str, cwd: &str, ran: &Ran, at: &str) -> [Event; 2] {
    let body = Body::Command(Command {
        command: redact(&ran.command),
        workdir: Some(cwd.to_owned()),
        exit_code: ran.exit_code,
        duration_ms: ran.duration_ms,
        output: redact(&excerpt(&ran.output, OUTPUT_CAP)),
        tool: surface.to_owned(),
        status: if ran.exit_code.is_some() {
            CommandStatus::Exited
        } else {
            CommandStatus::Ran
        },
    });
    let turn = Some(format!("cmd-{}", live_event_id(cwd)));
    events(surface, cwd, at, turn, body)
}

/// A command typed in the developer's own shell, as its hook wrote it to the spool
/// ([`crate::capture::shell`]): a turn of its own in the folder's `terminal` session, like a
/// command an editor's terminal reports, with the shell's name as its tool and no output (a hook
/// never sees it). Its id comes from the shell session, the time and the command, so reading the
/// same spool line again (an ingest killed before it removed the spool) adds nothing. The
/// command line is redacted.
pub fn typed_command(typed: &Typed) -> [Event; 2] {
    let at = micros_rfc3339(typed.at_us());
    let mut digest = Sha256::new();
    digest.update(typed.command.as_bytes());
    digest.update(typed.exit_code.to_le_bytes());
    let tag = format!("command-{}", hex::encode(&digest.finalize()[..8]));
    let id = EventId::derive("shell", &typed.shell_session, typed.at_us(), &tag);
    let body = Body::Command(Command {
        command: redact(&typed.command),
        workdir: Some(typed.cwd.clone()),
        exit_code: Some(typed.exit_code),
        duration_ms: typed.duration_ms(),
        output: String::new(),
        tool: typed.shell.clone(),
        status: CommandStatus::Exited,
    });
    let turn = Some(format!("cmd-{id}"));
    events_with_id(TERMINAL, &typed.cwd, &at, turn, body, id)
}

/// Microseconds since the Unix epoch as events record time.
fn micros_rfc3339(us: u64) -> String {
    rfc3339(jiff::Timestamp::from_microsecond(us as i64).unwrap_or(jiff::Timestamp::UNIX_EPOCH))
}

/// The developer's own word on insight `insight` (resolved, or open again), given on `surface`
/// (`editor`, `cli`) about a session run in `cwd`.
pub fn mark(surface: &str, cwd: &str, insight: &str, resolved: bool, at: &str) -> [Event; 2] {
    let body = Body::Mark {
        insight: redact(insight),
        resolved,
    };
    events(surface, cwd, at, None, body)
}

/// Hand edits to `file` (relative to the workspace `root`) between two saves: the definitions
/// they touched, the lines changed and how many changes the editor sent. The path is written
/// with `/` on every platform; it and the names are redacted.
pub fn editor_edit(
    root: &Path,
    file: &Path,
    symbols: &[String],
    lines: u32,
    changes: u32,
    at: &str,
) -> [Event; 2] {
    let body = Body::EditorEdit(EditorEdit {
        file: redact(&file.to_string_lossy().replace('\\', "/")),
        symbols: symbols.iter().map(|s| redact(s)).collect(),
        lines,
        changes,
    });
    events(EDITOR, &root.to_string_lossy(), at, None, body)
}

/// A takeaway someone wrote down as it was learned: plain values, not yet redacted.
#[derive(Debug, Clone, Copy)]
pub struct Learning<'a> {
    /// What it is about: a code name or a short topic.
    pub topic: &'a str,
    /// The lesson.
    pub takeaway: &'a str,
    /// The code names it concerns, as given (blank ones count for nothing).
    pub names: &'a [String],
    /// Who wrote it down (`agent`).
    pub source: &'a str,
}

/// What a learning lacks to be written down (after trimming and redaction).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    Topic,
    Takeaway,
}

/// A learning's events, with what the face tells whoever wrote it down.
#[derive(Debug, Clone, PartialEq)]
pub struct Learned {
    pub events: [Event; 2],
    /// The topic as stored (trimmed, redacted).
    pub topic: String,
    /// The local session and the learning's own turn, which together name its insight.
    pub session: String,
    pub turn: String,
}

/// A learning written down on `surface` (`mcp`) about work in `cwd`: its own turn (`learning-…`)
/// of the folder's local session. Topic, takeaway and names are trimmed and redacted; when no
/// name is given, `names_in` picks them from the takeaway *after* redaction, so a secret never
/// becomes a name. Names that are blank or the topic itself are dropped, each kept once.
pub fn learning(
    surface: &str,
    cwd: &str,
    given: &Learning,
    at: &str,
    names_in: impl FnOnce(&str) -> Vec<String>,
) -> Result<Learned, Missing> {
    let clean = |s: &str| redact(s.trim());
    let topic = clean(given.topic);
    let takeaway = clean(given.takeaway);
    if topic.is_empty() {
        return Err(Missing::Topic);
    }
    if takeaway.is_empty() {
        return Err(Missing::Takeaway);
    }
    let candidates = if given.names.iter().any(|s| !s.trim().is_empty()) {
        given.names.to_vec()
    } else {
        names_in(&takeaway)
    };
    let mut names: Vec<String> = Vec::new();
    for n in candidates {
        let n = clean(&n);
        if !n.is_empty() && n != topic && !names.contains(&n) {
            names.push(n);
        }
    }
    let turn = format!("{LEARNING_TURN}{}", &live_event_id(surface)[..16]);
    let body = Body::Learning {
        topic: topic.clone(),
        takeaway,
        names,
        source: redact(given.source),
    };
    let events = events(surface, cwd, at, Some(turn.clone()), body);
    let session = events[1].session.clone();
    Ok(Learned {
        events,
        topic,
        session,
        turn,
    })
}

/// The events to commit for `body`, which happened `at` in folder `cwd` on `surface`: the local
/// session's start, then the event itself. `turn` groups events that belong together (a command
/// is its own turn); edits and marks have none.
fn events(surface: &str, cwd: &str, at: &str, turn: Option<String>, body: Body) -> [Event; 2] {
    let day = at.get(..10).unwrap_or("0000-00-00");
    let id = live_event_id(&local_session_id(surface, cwd, day));
    events_with_id(surface, cwd, at, turn, body, id)
}

/// [`events`] with the event's id given.
fn events_with_id(
    surface: &str,
    cwd: &str,
    at: &str,
    turn: Option<String>,
    body: Body,
    id: String,
) -> [Event; 2] {
    let day = at.get(..10).unwrap_or("0000-00-00");
    let session = local_session_id(surface, cwd, day);
    let start = Event {
        id: EventId::derive(surface, &session, 0, "session_start"),
        session: session.clone(),
        at: at.to_owned(),
        turn: None,
        body: Body::SessionStart(SessionInfo {
            surface: surface.to_owned(),
            originator: Some("sessionlens".into()),
            cwd: Some(cwd.to_owned()),
            started_at: at.to_owned(),
            ..SessionInfo::default()
        }),
    };
    let event = Event {
        id,
        session,
        at: at.to_owned(),
        turn,
        body,
    };
    [start, event]
}

#[cfg(test)]
mod tests {
    use super::*;

    const AT: &str = "2026-11-18T10:00:00.000Z";
    /// One secret per rule family the fields are likely to meet (random-looking: gitleaks'
    /// rules take `…abcdefghijklmnopqrstuvwxyz…` and AWS's `…EXAMPLE` key for placeholders).
    const SECRETS: [&str; 3] = [
        "sk-abcdefghijklmnopqrstuvwxyz123456",
        "ghp_R8xk2Lq9Wm4Zt7Yv1Nb6Hc3Jd5Fg0Ps8QeUa",
        "AKIA4Q7ZJ2MXW5NP3KRD",
    ];

    fn json(events: &[Event; 2]) -> String {
        events
            .iter()
            .map(|e| String::from_utf8(e.canonical_bytes()).unwrap())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Builds events with `secret` in one field at a time (`build(field, secret)`) and checks
    /// that no field lets it through.
    fn redacts_every_field(fields: &[&str], build: impl Fn(&str, &str) -> [Event; 2]) {
        for field in fields {
            for secret in SECRETS {
                let text = json(&build(field, &format!("before {secret} after")));
                assert!(!text.contains(secret), "{field} kept {secret}: {text}");
                assert!(text.contains("[REDACTED:"), "{field}: {text}");
            }
        }
    }

    #[test]
    fn a_typed_command_is_redacted_and_has_the_same_id_each_time() {
        let typed = |command: &str| Typed {
            shell: "zsh".into(),
            shell_session: "42-1".into(),
            start_us: Some(1_763_460_000_000_000),
            end_us: Some(1_763_460_001_250_000),
            exit_code: 2,
            cwd: "/w".into(),
            command: command.into(),
        };
        redacts_every_field(&["command"], |_, secret| typed_command(&typed(secret)));
        let [start, e] = typed_command(&typed("npm run build"));
        assert_eq!(e.id, typed_command(&typed("npm run build"))[1].id);
        assert_ne!(e.id, typed_command(&typed("npm test"))[1].id);
        assert_eq!(e.at, "2025-11-18T10:00:01.250Z");
        assert_eq!(e.session, start.session);
        assert!(
            e.session.starts_with("terminal-2025-11-18-"),
            "{}",
            e.session
        );
        let Body::Command(c) = &e.body else {
            panic!("{e:?}")
        };
        assert_eq!(
            (c.tool.as_str(), c.exit_code, c.duration_ms),
            ("zsh", Some(2), Some(1250))
        );
    }

    #[test]
    fn a_command_is_redacted_in_every_text() {
        redacts_every_field(&["command", "output"], |field, secret| {
            let mut ran = Ran {
                command: "npm test".into(),
                exit_code: Some(1),
                duration_ms: Some(1200),
                output: "FAIL".into(),
            };
            match field {
                "command" => ran.command = secret.into(),
                _ => ran.output = format!("{}{secret}", "x".repeat(2 * OUTPUT_CAP)),
            }
            command(TERMINAL, "/w", &ran, AT)
        });
    }

    #[test]
    fn a_mark_an_edit_and_a_learning_are_redacted_in_every_text() {
        redacts_every_field(&["insight"], |_, secret| mark(CLI, "/w", secret, true, AT));
        redacts_every_field(&["file", "symbols"], |field, secret| {
            let (file, symbols) = match field {
                "file" => (format!("src/{secret}.ts"), vec!["App".to_owned()]),
                _ => ("src/a.ts".to_owned(), vec!["App".to_owned(), secret.into()]),
            };
            editor_edit(Path::new("/w"), Path::new(&file), &symbols, 3, 1, AT)
        });
        let fields = [
            "topic",
            "takeaway",
            "names",
            "source",
            "names from the takeaway",
        ];
        redacts_every_field(&fields, |field, secret| {
            let names = match field {
                "names" => vec![secret.to_owned()],
                _ => Vec::new(),
            };
            let l = Learning {
                topic: if field == "topic" {
                    secret
                } else {
                    "useReducer"
                },
                takeaway: if field.contains("takeaway") {
                    secret
                } else {
                    "Use it."
                },
                names: &names,
                source: if field == "source" { secret } else { "agent" },
            };
            // Every word of the takeaway as a name, as it reaches `names_in`.
            let words = |t: &str| t.split_whitespace().map(str::to_owned).collect();
            learning("mcp", "/w", &l, AT, words).unwrap().events
        });
    }

    #[test]
    fn names_are_picked_from_the_redacted_takeaway() {
        let l = Learning {
            topic: "env",
            takeaway: "set DB_PASSWORD=correcthorse99 first",
            names: &[],
            source: "agent",
        };
        // A picker that would take the bare value out of its assignment.
        let parts = |t: &str| t.split([' ', '=']).map(str::to_owned).collect();
        let text = json(&learning("mcp", "/w", &l, AT, parts).unwrap().events);
        assert!(!text.contains("correcthorse99"), "{text}");
    }

    #[test]
    fn commands_edits_marks_and_learnings_say_what_was_reported() {
        let ran = Ran {
            command: "npm run build".into(),
            exit_code: None,
            duration_ms: None,
            output: "ok".into(),
        };
        let [start, e] = command("codex-hook", "/w", &ran, AT);
        assert_eq!(start.session, e.session);
        assert!(e.turn.as_deref().is_some_and(|t| t.starts_with("cmd-")));
        let Body::Command(c) = &e.body else {
            panic!("{e:?}")
        };
        assert_eq!(
            (c.tool.as_str(), c.status, c.workdir.as_deref()),
            ("codex-hook", CommandStatus::Ran, Some("/w"))
        );

        let [_, e] = editor_edit(
            Path::new("/w"),
            Path::new("src\\a.ts"),
            &["App".into()],
            3,
            2,
            AT,
        );
        assert!(e.session.starts_with("editor-2026-11-18-"));
        assert_eq!(
            e.body,
            Body::EditorEdit(EditorEdit {
                file: "src/a.ts".into(),
                symbols: vec!["App".into()],
                lines: 3,
                changes: 2,
            })
        );

        let names = [" ".to_owned()];
        let l = Learning {
            topic: " useReducer ",
            takeaway: "Reach for `useReducer` and `todosReducer`.",
            names: &names,
            source: "agent",
        };
        let picked = |_: &str| vec!["useReducer".into(), "todosReducer".into(), "x".into()];
        let learned = learning("mcp", "/w", &l, AT, picked).unwrap();
        assert_eq!(learned.topic, "useReducer");
        assert!(learned.turn.starts_with(LEARNING_TURN));
        assert_eq!(
            learned.events[1].turn.as_deref(),
            Some(learned.turn.as_str())
        );
        assert_eq!(learned.session, learned.events[1].session);
        let Body::Learning { names, .. } = &learned.events[1].body else {
            panic!()
        };
        assert_eq!(
            names,
            &["todosReducer", "x"],
            "the topic is not a name of itself"
        );
        let blank = Learning {
            topic: "t",
            takeaway: " ",
            ..l
        };
        assert_eq!(
            learning("mcp", "/w", &blank, AT, |_| Vec::new()),
            Err(Missing::Takeaway)
        );
        let blank = Learning { topic: "", ..blank };
        assert_eq!(
            learning("mcp", "/w", &blank, AT, |_| Vec::new()),
            Err(Missing::Topic)
        );
    }

    #[test]
    fn one_local_session_per_surface_folder_and_day() {
        let [s1, e1] = mark(EDITOR, "/w", "abc", true, AT);
        let [s2, e2] = mark(EDITOR, "/w", "abc", true, "2026-11-18T23:00:00.000Z");
        let [s3, _] = mark(EDITOR, "/w", "abc", true, "2026-11-19T01:00:00.000Z");
        let [s4, _] = mark(EDITOR, "/other", "abc", true, AT);
        assert_eq!(s1.id, s2.id);
        assert_eq!(e1.session, e2.session);
        assert_ne!(e1.id, e2.id);
        assert_ne!(s1.session, s3.session);
        assert_ne!(s1.session, s4.session);
        assert!(s1.session.starts_with("editor-2026-11-18-"));
        assert!(now().ends_with('Z'));
    }
}
