//! The server's settings: what `initializationOptions` and `workspace/didChangeConfiguration`
//! may set (`ServerSettings`, the wire form), and what the server makes of them (`Settings`).
//! Every field is optional on the wire; unknown fields are ignored, so older and newer clients
//! both work. Documented in docs/lsp-extensions.md; tests/it/protocol.rs keeps the editors and the
//! document in step with `ServerSettings`.

use serde::{Deserialize, Serialize};
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
    /// Folders (or globs) this server never stores anything of, nor shows anything in, added to
    /// the settings file's `exclude` (`ingest::exclude`).
    pub exclude: Vec<String>,
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
            exclude: Vec::new(),
        }
    }
}

/// The settings on the wire, as `initializationOptions` and `workspace/didChangeConfiguration`
/// carry them: camelCase, every field optional. This type is the protocol's one source for the
/// settings' names and types (with `Settings::default()` for their defaults): package.json,
/// editors/vscode/src/protocol.ts, the Neovim plugin's config.lua and docs/lsp-extensions.md are
/// checked against it by tests/it/protocol.rs. No `#[serde(alias)]` here: the legacy spellings are
/// mapped in `legacy()`, so the field list is the documented one.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerSettings {
    /// The master switch: off means no hover, lens or diagnostic at all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable: Option<bool>,
    /// Code lenses on or off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lenses: Option<bool>,
    /// The severity of open-gap diagnostics, or off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diagnostics: Option<DiagnosticsSetting>,
    /// Where the store lives; `~/` is expanded; empty means the default. At start only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<String>,
    /// Whose `sessions/` to follow; `~/` is expanded; empty means the default. At start only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub codex_home: Option<String>,
    /// Ingest new Codex turns as they are written. At start only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub watch_codex: Option<bool>,
    /// Where summaries go, relative to the workspace root.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub learnings_file: Option<String>,
    /// The notetaker: seconds of quiet after a Codex session's last turn ended before its entry
    /// is written by itself; 0 or negative turns it off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes_after_idle_seconds: Option<f64>,
    /// Entries of sessions older than this many days move to `learnings/archive/`; 0: never.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub learnings_archive_after_days: Option<f64>,
    /// Folders (or globs; `~/` is expanded) whose sessions, edits and commands are never stored
    /// and where nothing is shown, with everything under them; added to `exclude` in the
    /// settings file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exclude: Option<Vec<String>>,
}

/// The settings read only when the server starts (an editor restarts it when one changes).
pub const AT_START: [&str; 3] = ["dataDir", "codexHome", "watchCodex"];

/// `diagnostics`: the severity of open-gap diagnostics, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DiagnosticsSetting {
    Hint,
    Information,
    Warning,
    Error,
    Off,
}

impl DiagnosticsSetting {
    fn severity(self) -> Option<DiagnosticSeverity> {
        match self {
            DiagnosticsSetting::Hint => Some(DiagnosticSeverity::HINT),
            DiagnosticsSetting::Information => Some(DiagnosticSeverity::INFORMATION),
            DiagnosticsSetting::Warning => Some(DiagnosticSeverity::WARNING),
            DiagnosticsSetting::Error => Some(DiagnosticSeverity::ERROR),
            DiagnosticsSetting::Off => None,
        }
    }

    fn of(severity: Option<DiagnosticSeverity>) -> DiagnosticsSetting {
        match severity {
            None => DiagnosticsSetting::Off,
            Some(DiagnosticSeverity::INFORMATION) => DiagnosticsSetting::Information,
            Some(DiagnosticSeverity::WARNING) => DiagnosticsSetting::Warning,
            Some(DiagnosticSeverity::ERROR) => DiagnosticsSetting::Error,
            Some(_) => DiagnosticsSetting::Hint,
        }
    }
}

/// Spellings older clients send, mapped to the documented ones: `enabled` and `codeLens` for
/// `enable` and `lenses`; `diagnostics` in any case, `"info"`, `"none"`, `"false"` or a bool;
/// an empty `exclude` list as Neovim encodes it.
fn legacy(key: &str, value: &serde_json::Value) -> (String, serde_json::Value) {
    use serde_json::Value;
    let key = match key {
        "enabled" => "enable",
        "codeLens" => "lenses",
        k => k,
    };
    let value = match (key, value) {
        ("diagnostics", Value::Bool(on)) => Value::from(if *on { "hint" } else { "off" }),
        ("diagnostics", Value::String(s)) => match s.to_ascii_lowercase().as_str() {
            "info" => Value::from("information"),
            "none" | "false" => Value::from("off"),
            lower => Value::from(lower),
        },
        // Neovim's JSON encoder writes an empty Lua table as `{}`: for a list, that is `[]`.
        ("exclude", Value::Object(m)) if m.is_empty() => Value::Array(Vec::new()),
        (_, v) => v.clone(),
    };
    (key.to_owned(), value)
}

impl Settings {
    /// Applies whatever `value` sets. Accepts the settings object itself or one nested under
    /// `sessionlens` (what `workspace/didChangeConfiguration` sends from most clients). Each
    /// field is read on its own, so one value of the wrong type is reported and ignored while
    /// the others apply. Returns what it could not read, for a log line.
    pub fn apply(&mut self, value: &serde_json::Value) -> Vec<String> {
        let value = value.get("sessionlens").unwrap_or(value);
        let Some(fields) = value.as_object() else {
            return Vec::new();
        };
        let mut bad = Vec::new();
        for (key, value) in fields {
            let (key, value) = legacy(key, value);
            let one = serde_json::Value::Object([(key.clone(), value)].into_iter().collect());
            match serde_json::from_value::<ServerSettings>(one) {
                Ok(wire) => self.set(wire),
                Err(e) => bad.push(format!("{key}: {e}")),
            }
        }
        bad
    }

    /// Takes every field `wire` sets. The destructuring names every field, so a new one cannot
    /// be forgotten here.
    fn set(&mut self, wire: ServerSettings) {
        let ServerSettings {
            enable,
            lenses,
            diagnostics,
            data_dir,
            codex_home,
            watch_codex,
            learnings_file,
            notes_after_idle_seconds,
            learnings_archive_after_days,
            exclude,
        } = wire;
        let path = |s: String| (!s.trim().is_empty()).then(|| PathBuf::from(expand_home(&s)));
        if let Some(b) = enable {
            self.enabled = b;
        }
        if let Some(b) = lenses {
            self.lenses = b;
        }
        if let Some(d) = diagnostics {
            self.diagnostics = d.severity();
        }
        if let Some(p) = data_dir {
            self.data_dir = path(p);
        }
        if let Some(p) = codex_home {
            self.codex_home = path(p);
        }
        if let Some(b) = watch_codex {
            self.watch_codex = b;
        }
        if let Some(p) = learnings_file.and_then(path) {
            self.learnings_file = p;
        }
        if let Some(n) = notes_after_idle_seconds {
            self.notes_after_idle_seconds = n.ceil().clamp(-1.0, 1e9) as i64;
        }
        if let Some(n) = learnings_archive_after_days {
            self.learnings_archive_after_days = n.ceil().clamp(0.0, 1e6) as u32;
        }
        if let Some(list) = exclude {
            self.exclude = list
                .into_iter()
                .map(|p| p.trim().to_owned())
                .filter(|p| !p.is_empty())
                .collect();
        }
    }

    /// These settings in wire form: what a client would send to set exactly them. Unset paths
    /// (the server's own defaults) are left out. With `Settings::default()`, the documented
    /// defaults.
    pub fn to_wire(&self) -> ServerSettings {
        let Settings {
            enabled,
            lenses,
            diagnostics,
            data_dir,
            codex_home,
            watch_codex,
            learnings_file,
            notes_after_idle_seconds,
            learnings_archive_after_days,
            exclude,
        } = self;
        let path = |p: &Option<PathBuf>| p.as_ref().map(|p| p.display().to_string());
        ServerSettings {
            enable: Some(*enabled),
            lenses: Some(*lenses),
            diagnostics: Some(DiagnosticsSetting::of(*diagnostics)),
            data_dir: path(data_dir),
            codex_home: path(codex_home),
            watch_codex: Some(*watch_codex),
            learnings_file: Some(learnings_file.display().to_string()),
            notes_after_idle_seconds: Some(*notes_after_idle_seconds as f64),
            learnings_archive_after_days: Some(f64::from(*learnings_archive_after_days)),
            exclude: Some(exclude.clone()),
        }
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
        assert!(s.apply(&json!({"exclude": [" /w/x ", ""]})).is_empty());
        assert_eq!(s.exclude, ["/w/x"]);
        assert_eq!(s.apply(&json!({"exclude": "/w/y"})).len(), 1);
        assert_eq!(s.exclude, ["/w/x"], "a bad value leaves the list as it was");
        assert!(s.apply(&json!({"exclude": {}})).is_empty());
        assert!(s.exclude.is_empty(), "Neovim's empty table");
    }

    #[test]
    fn one_bad_value_is_reported_while_the_others_apply() {
        let mut s = Settings::default();
        let bad =
            s.apply(&json!({"lenses": false, "watchCodex": "no", "learningsArchiveAfterDays": 7}));
        assert_eq!(bad.len(), 1, "{bad:?}");
        assert!(bad[0].starts_with("watchCodex: "), "{bad:?}");
        assert!(!s.lenses && s.watch_codex);
        assert_eq!(s.learnings_archive_after_days, 7);
    }

    #[test]
    fn older_spellings_still_apply() {
        let mut s = Settings::default();
        assert!(
            s.apply(&json!({"enabled": false, "codeLens": false, "diagnostics": "INFO"}))
                .is_empty()
        );
        assert!(!s.enabled && !s.lenses);
        assert_eq!(s.diagnostics, Some(DiagnosticSeverity::INFORMATION));
        s.apply(&json!({"diagnostics": false}));
        assert_eq!(s.diagnostics, None);
        s.apply(&json!({"diagnostics": true}));
        assert_eq!(s.diagnostics, Some(DiagnosticSeverity::HINT));
        s.apply(&json!({"diagnostics": "none"}));
        assert_eq!(s.diagnostics, None);
    }

    #[test]
    fn the_wire_form_sets_exactly_what_it_came_from() {
        // Every field away from its default (the literal names them all, so a new field must be
        // added here): its wire form, applied to the defaults, gives it back.
        let changed = Settings {
            enabled: false,
            lenses: false,
            diagnostics: Some(DiagnosticSeverity::ERROR),
            data_dir: Some(PathBuf::from("/data")),
            codex_home: Some(PathBuf::from("/codex")),
            watch_codex: false,
            learnings_file: PathBuf::from("notes.md"),
            notes_after_idle_seconds: 60,
            learnings_archive_after_days: 0,
            exclude: vec!["~/clients".into()],
        };
        let wire = serde_json::to_value(changed.to_wire()).unwrap();
        let mut s = Settings::default();
        assert!(s.apply(&wire).is_empty());
        assert_eq!(s, changed);
        let defaults = serde_json::to_value(Settings::default().to_wire()).unwrap();
        assert_eq!(defaults["notesAfterIdleSeconds"], 300.0);
        assert_eq!(defaults["diagnostics"], "hint");
        assert!(
            defaults.get("dataDir").is_none(),
            "unset paths are left out"
        );
        for key in AT_START {
            assert!(wire.get(key).is_some(), "{key} is a setting");
        }
    }
}
