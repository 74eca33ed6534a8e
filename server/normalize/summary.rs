//! A session's running totals, folded from its events. The store keeps one per session as a
//! materialized view so that listing sessions never rescans the event log.

use super::event::{Body, CommandStatus, Event};
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
    pub turns: u64,
    pub commands: u64,
    pub failed_commands: u64,
    pub edits: u64,
    #[serde(default)]
    pub events: u64,
}

impl SessionSummary {
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
                }
                if info.model.is_some() {
                    self.model.clone_from(&info.model);
                }
            }
            Body::Prompt { steer: false, .. } => self.turns += 1,
            Body::Command(c) => {
                self.commands += 1;
                let failed = match c.status {
                    CommandStatus::Exited => c.exit_code.is_some_and(|code| code != 0),
                    CommandStatus::TimedOut => true,
                    _ => false,
                };
                if failed {
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
