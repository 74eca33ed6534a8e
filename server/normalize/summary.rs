//! A session's running totals, folded from its events. The store keeps one per session as a
//! materialized view so that listing sessions never rescans the event log.

use super::event::{Body, Event};
use serde::{Deserialize, Serialize};

/// What `sessionlens sessions` lists for one session.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionSummary {
    pub id: String,
    /// The surface the session ran in: `vscode`, `cli`, `exec`, …
    pub source: String,
    pub originator: Option<String>,
    pub cwd: Option<String>,
    pub model: Option<String>,
    pub git_branch: Option<String>,
    pub started_at: Option<String>,
    pub ended_at: Option<String>,
    /// For a thread an agent started: which agent (`thread_spawn`, `guardian`, `review`, …) and
    /// the thread that started it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    pub turns: u64,
    pub commands: u64,
    pub failed_commands: u64,
    pub edits: u64,
    #[serde(default)]
    pub events: u64,
}

impl SessionSummary {
    /// Where the session ran, as a list shows it: the surface, or the kind of agent that
    /// started it (`guardian`, `review`, `compact`, …; a sub-agent spawned for a task shows as
    /// `subagent`).
    pub fn shown_source(&self) -> &str {
        match self.agent.as_deref() {
            Some(a) if a != "thread_spawn" && a != "task" => a,
            _ => &self.source,
        }
    }

    pub fn new(id: &str) -> SessionSummary {
        SessionSummary {
            id: id.to_owned(),
            source: "unknown".to_owned(),
            ..SessionSummary::default()
        }
    }

    /// Folds one newly stored event in. Each event is applied exactly once: the store calls this
    /// only for events it actually inserted.
    pub fn apply(&mut self, e: &Event) {
        self.events += 1;
        if self.ended_at.as_deref().is_none_or(|t| t < e.at.as_str()) {
            self.ended_at = Some(e.at.clone());
        }
        match &e.body {
            Body::SessionStart(info) | Body::SessionResume(info) => {
                if matches!(e.body, Body::SessionStart(_)) || self.source == "unknown" {
                    self.source.clone_from(&info.surface);
                    self.originator.clone_from(&info.originator);
                    self.cwd.clone_from(&info.cwd);
                    self.git_branch.clone_from(&info.git_branch);
                    self.started_at = Some(info.started_at.clone());
                    self.agent.clone_from(&info.agent);
                    self.parent.clone_from(&info.parent);
                }
                if info.model.is_some() {
                    self.model.clone_from(&info.model);
                }
            }
            Body::Prompt { steer: false, .. } => self.turns += 1,
            Body::Command(c) => {
                self.commands += 1;
                if c.failed() {
                    self.failed_commands += 1;
                }
            }
            Body::Edit(edit) if edit.success != Some(false) => self.edits += 1,
            _ => {}
        }
        if self.started_at.as_deref().is_none_or(|t| t > e.at.as_str()) && !e.at.is_empty() {
            self.started_at = Some(e.at.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::SessionInfo;

    #[test]
    fn agent_threads_show_which_agent_started_them() {
        let header = |agent: Option<&str>| Event {
            id: "h".into(),
            session: "s".into(),
            at: "2026-09-01T10:00:00Z".into(),
            turn: None,
            body: Body::SessionStart(SessionInfo {
                surface: "subagent".into(),
                agent: agent.map(str::to_owned),
                parent: Some("p".into()),
                started_at: "2026-09-01T10:00:00Z".into(),
                ..SessionInfo::default()
            }),
        };
        let mut s = SessionSummary::new("s");
        s.apply(&header(Some("guardian")));
        assert_eq!(
            (s.shown_source(), s.parent.as_deref()),
            ("guardian", Some("p"))
        );
        let mut s = SessionSummary::new("s");
        s.apply(&header(Some("thread_spawn")));
        assert_eq!(s.shown_source(), "subagent");
    }
}
