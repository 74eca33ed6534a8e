//! Struggle signals from the developer's own hands: the same definition rewritten save after save,
//! and edit–fail cycles (a definition edited, then a build or test failing, again and again).
//! The rules read what was *said*; this reads what was *done* in the editor. Pure: events in,
//! counts out.

use crate::normalize::{Body, Event};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What the editor saw happen to one definition.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Churn {
    /// Saves that changed it.
    pub saves: u32,
    /// Lines changed over those saves.
    pub lines: u32,
    /// Times a command failed in its folder after it was edited.
    pub fail_cycles: u32,
    /// When it was last edited (RFC 3339).
    pub last_at: String,
}

/// A definition in a folder: (session working directory, file relative to it, name).
pub type ChurnKey = (String, String, String);

/// Folds editor edits and command outcomes, in log order, into per-definition counts.
pub fn churn(events: &[Event]) -> BTreeMap<ChurnKey, Churn> {
    let mut t = Tracker::default();
    for e in events {
        t.feed(e);
    }
    t.counts
}

/// The fold behind [`churn`], resumable: start from earlier counts and the state beside them,
/// then feed only the new events.
#[derive(Default)]
pub struct Tracker {
    pub state: TrackerState,
    pub counts: BTreeMap<ChurnKey, Churn>,
}

/// What the fold remembers besides the counts: the folder of every session it has seen start,
/// and the definitions edited since the last command ran, per folder.
#[derive(Debug, Default, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TrackerState {
    cwd_of: HashMap<String, String>,
    pending: HashMap<String, BTreeSet<(String, String)>>,
}

impl Tracker {
    pub fn resume(counts: BTreeMap<ChurnKey, Churn>, state: TrackerState) -> Tracker {
        Tracker { state, counts }
    }

    /// The working directory of a session whose start is not among the events fed.
    pub fn set_cwd(&mut self, session: &str, cwd: &str) {
        self.state.cwd_of.insert(session.to_owned(), cwd.to_owned());
    }

    pub fn knows(&self, session: &str) -> bool {
        self.state.cwd_of.contains_key(session)
    }

    pub fn feed(&mut self, e: &Event) {
        match &e.body {
            Body::SessionStart(info) | Body::SessionResume(info) => {
                if let Some(cwd) = &info.cwd {
                    self.state.cwd_of.insert(e.session.clone(), cwd.clone());
                }
            }
            Body::EditorEdit(edit) => {
                let Some(cwd) = self.state.cwd_of.get(&e.session) else {
                    return;
                };
                for name in &edit.symbols {
                    let c = self
                        .counts
                        .entry((cwd.clone(), edit.file.clone(), name.clone()))
                        .or_default();
                    c.saves += 1;
                    c.lines += edit.lines;
                    if c.last_at < e.at {
                        c.last_at.clone_from(&e.at);
                    }
                    self.state
                        .pending
                        .entry(cwd.clone())
                        .or_default()
                        .insert((edit.file.clone(), name.clone()));
                }
            }
            Body::Command(c) => {
                let Some(cwd) = self.state.cwd_of.get(&e.session) else {
                    return;
                };
                let folder = c.workdir.as_deref().unwrap_or(cwd);
                // A command run anywhere inside a folder with pending edits settles them.
                let keys: Vec<String> = self
                    .state
                    .pending
                    .keys()
                    .filter(|k| folder.starts_with(k.as_str()) || k.starts_with(folder))
                    .cloned()
                    .collect();
                let failed = c.failed();
                for k in keys {
                    let Some(edited) = self.state.pending.remove(&k) else {
                        continue;
                    };
                    if !failed {
                        continue;
                    }
                    for (file, name) in edited {
                        if let Some(c) = self.counts.get_mut(&(k.clone(), file, name)) {
                            c.fail_cycles += 1;
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

/// Whether the counts amount to a struggle worth a lens: rewritten again and again, or broken
/// more than once right after being edited.
pub fn is_struggle(c: &Churn) -> bool {
    c.saves >= 5 || c.fail_cycles >= 2
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::{Command, CommandStatus, EditorEdit, SessionInfo};

    fn ev(session: &str, at: &str, body: Body) -> Event {
        Event {
            id: format!("{session}{at}"),
            session: session.into(),
            at: at.into(),
            turn: None,
            body,
        }
    }

    fn start(session: &str, cwd: &str) -> Event {
        ev(
            session,
            "2026-11-18T10:00:00Z",
            Body::SessionStart(SessionInfo {
                surface: "editor".into(),
                cwd: Some(cwd.into()),
                ..SessionInfo::default()
            }),
        )
    }

    fn save(session: &str, at: &str, symbols: &[&str]) -> Event {
        ev(
            session,
            at,
            Body::EditorEdit(EditorEdit {
                file: "src/App.tsx".into(),
                symbols: symbols.iter().map(|s| s.to_string()).collect(),
                lines: 3,
                changes: 2,
            }),
        )
    }

    fn run(session: &str, at: &str, exit: i32) -> Event {
        ev(
            session,
            at,
            Body::Command(Command {
                command: "npm run build".into(),
                workdir: None,
                exit_code: Some(exit),
                duration_ms: None,
                output: String::new(),
                tool: "terminal".into(),
                status: CommandStatus::Exited,
            }),
        )
    }

    #[test]
    fn counts_saves_and_edit_fail_cycles_per_definition() {
        let events = vec![
            start("e", "/w"),
            save("e", "2026-11-18T10:01:00Z", &["App", "useTodos"]),
            run("e", "2026-11-18T10:02:00Z", 1),
            save("e", "2026-11-18T10:03:00Z", &["useTodos"]),
            run("e", "2026-11-18T10:04:00Z", 2),
            save("e", "2026-11-18T10:05:00Z", &["useTodos"]),
            run("e", "2026-11-18T10:06:00Z", 0),
            // Another folder's failure does not count here.
            start("f", "/other"),
            run("f", "2026-11-18T10:07:00Z", 1),
        ];
        let c = churn(&events);
        let hook = &c[&("/w".into(), "src/App.tsx".into(), "useTodos".into())];
        assert_eq!((hook.saves, hook.fail_cycles, hook.lines), (3, 2, 9));
        assert_eq!(hook.last_at, "2026-11-18T10:05:00Z");
        assert!(is_struggle(hook));
        let app = &c[&("/w".into(), "src/App.tsx".into(), "App".into())];
        assert_eq!((app.saves, app.fail_cycles), (1, 1));
        assert!(!is_struggle(app));
    }
}
