//! The server's settings: what `initializationOptions` and `workspace/didChangeConfiguration`
//! may set. Every field is optional on the wire; unknown fields are ignored, so older and newer
//! clients both work. Documented in docs/lsp-extensions.md.

use serde::Deserialize;
use std::path::PathBuf;
use tower_lsp::lsp_types::DiagnosticSeverity;

#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The master switch: off means no hover, lens or diagnostic at all.
    pub enabled: bool,
    pub lenses: bool,
    /// `None` turns the open-gap diagnostics off.
    pub diagnostics: Option<DiagnosticSeverity>,
    /// Fixed at start: where the store lives.
    pub data_dir: Option<PathBuf>,
    /// Fixed at start: where Codex writes its sessions.
    pub codex_home: Option<PathBuf>,
    /// Whether to watch Codex's sessions and ingest new turns as they are written.
    pub watch_codex: bool,
    /// Where summaries go, relative to the workspace root.
    pub learnings_file: PathBuf,
    /// The notetaker: a Codex session quiet this long after its last turn ended gets its entry
    /// in the learnings file by itself. 0 or less: off.
    pub notes_after_idle_seconds: i64,
    /// Entries of sessions older than this many days move to `learnings/archive/` (0: never).
    pub learnings_archive_after_days: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            enabled: true,
            lenses: true,
            diagnostics: Some(DiagnosticSeverity::HINT),
            data_dir: None,
            codex_home: None,
            watch_codex: true,
            learnings_file: PathBuf::from("learnings.md"),
            notes_after_idle_seconds: 300,
            learnings_archive_after_days: crate::knowledge::journal::DEFAULT_ARCHIVE_AFTER_DAYS,
        }
    }
}

/// The wire form, camelCase, every field optional.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Wire {
    enable: Option<bool>,
    enabled: Option<bool>,
    lenses: Option<bool>,
    code_lens: Option<bool>,
    /// "hint" | "information" | "warning" | "error" | "off", or `false`.
    diagnostics: Option<serde_json::Value>,
    data_dir: Option<String>,
    codex_home: Option<String>,
    watch_codex: Option<bool>,
    learnings_file: Option<String>,
    notes_after_idle_seconds: Option<f64>,
    learnings_archive_after_days: Option<f64>,
}

impl Settings {
    /// Applies whatever `value` sets. Accepts the settings object itself or one nested under
    /// `sessionlens` (what `workspace/didChangeConfiguration` sends from most clients).
    /// Returns the names of fields it could not read, for a log line.
    pub fn apply(&mut self, value: &serde_json::Value) -> Vec<String> {
        let value = value.get("sessionlens").unwrap_or(value);
        if !value.is_object() {
            return Vec::new();
        }
        let mut bad = Vec::new();
        let wire: Wire = match serde_json::from_value(value.clone()) {
            Ok(w) => w,
            Err(e) => {
                bad.push(e.to_string());
                return bad;
            }
        };
        if let Some(b) = wire.enable.or(wire.enabled) {
            self.enabled = b;
        }
        if let Some(b) = wire.lenses.or(wire.code_lens) {
            self.lenses = b;
        }
        if let Some(d) = wire.diagnostics {
            match parse_severity(&d) {
                Some(s) => self.diagnostics = s,
                None => bad.push(format!("diagnostics: {d}")),
            }
        }
        let path = |s: String| (!s.trim().is_empty()).then(|| PathBuf::from(expand_home(&s)));
        if let Some(p) = wire.data_dir {
            self.data_dir = path(p);
        }
        if let Some(p) = wire.codex_home {
            self.codex_home = path(p);
        }
        if let Some(b) = wire.watch_codex {
            self.watch_codex = b;
        }
        if let Some(p) = wire.learnings_file.and_then(path) {
            self.learnings_file = p;
        }
        if let Some(n) = wire.notes_after_idle_seconds {
            self.notes_after_idle_seconds = n.ceil().clamp(-1.0, 1e9) as i64;
        }
        if let Some(n) = wire.learnings_archive_after_days {
            self.learnings_archive_after_days = n.ceil().clamp(0.0, 1e6) as u32;
        }
        bad
    }
}

fn parse_severity(v: &serde_json::Value) -> Option<Option<DiagnosticSeverity>> {
    match v {
        serde_json::Value::Bool(false) | serde_json::Value::Null => Some(None),
        serde_json::Value::Bool(true) => Some(Some(DiagnosticSeverity::HINT)),
        serde_json::Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "off" | "none" | "false" => Some(None),
            "hint" => Some(Some(DiagnosticSeverity::HINT)),
            "information" | "info" => Some(Some(DiagnosticSeverity::INFORMATION)),
            "warning" => Some(Some(DiagnosticSeverity::WARNING)),
            "error" => Some(Some(DiagnosticSeverity::ERROR)),
            _ => None,
        },
        _ => None,
    }
}

fn expand_home(s: &str) -> String {
    match (s.strip_prefix("~/"), dirs::home_dir()) {
        (Some(rest), Some(home)) => home.join(rest).display().to_string(),
        _ => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_flat_or_nested_settings_and_reports_bad_values() {
        let mut s = Settings::default();
        assert!(
            s.apply(&json!({"sessionlens": {"enable": false, "diagnostics": "off"}}))
                .is_empty()
        );
        assert!(!s.enabled);
        assert_eq!(s.diagnostics, None);
        assert!(
            s.apply(&json!({"enabled": true, "diagnostics": "Warning", "lenses": false, "dataDir": "/tmp/x"}))
                .is_empty()
        );
        assert!(s.enabled && !s.lenses);
        assert_eq!(s.diagnostics, Some(DiagnosticSeverity::WARNING));
        assert_eq!(s.data_dir, Some(PathBuf::from("/tmp/x")));
        let bad = s.apply(&json!({"diagnostics": "loud"}));
        assert_eq!(bad.len(), 1);
        assert_eq!(s.diagnostics, Some(DiagnosticSeverity::WARNING));
        assert!(s.apply(&json!(null)).is_empty());
        assert_eq!(s.notes_after_idle_seconds, 300);
        assert!(
            s.apply(&json!({"notesAfterIdleSeconds": 1, "learningsArchiveAfterDays": 7}))
                .is_empty()
        );
        assert_eq!(
            (s.notes_after_idle_seconds, s.learnings_archive_after_days),
            (1, 7)
        );
        s.apply(&json!({"notesAfterIdleSeconds": -5}));
        assert_eq!(s.notes_after_idle_seconds, -1);
        assert_eq!(s.apply(&json!({"enable": "yes"})).len(), 1);
    }
}
