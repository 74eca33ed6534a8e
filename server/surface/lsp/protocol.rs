//! The editor protocol's one typed source beyond the standard LSP: each
//! `workspace/executeCommand` command (its name, its arguments, its result), the
//! `sessionlens/commandFinished` notification, and, from `settings.rs`, the settings. The server
//! parses arguments into these types and answers with them, so they are the wire format;
//! `describe()` lists them as `Shape`s read from their own serde implementations, and
//! tests/it/protocol.rs checks package.json, editors/vscode/src/protocol.ts, the Neovim plugin's
//! config.lua and docs/lsp-extensions.md against that list. A change here is a change there.

use super::settings::Settings;
use serde::de::{DeserializeOwned, Deserializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::str::FromStr;
use tower_lsp::lsp_types::Url;

pub use super::settings::{AT_START, DiagnosticsSetting, ServerSettings};
pub use super::shape::{Shape, shape_of};

/// One `workspace/executeCommand` command.
pub trait Request {
    /// The command's name on the wire.
    const NAME: &'static str;
    /// The field a first argument that is not an object fills: `["abc"]` means
    /// `[{ "<MAIN>": "abc" }]`. `None`: the argument must be an object, or absent.
    const MAIN: Option<&'static str>;
    /// The first argument (absent or `null` is `{}`); unknown fields are ignored.
    type Args: DeserializeOwned;
    type Result: Serialize;
}

/// A command's first argument as its typed arguments, or a message saying what is wrong with it.
pub fn parse_args<R: Request>(arguments: &[Value]) -> Result<R::Args, String> {
    let arg = match (arguments.first(), R::MAIN) {
        (None | Some(Value::Null), _) => Value::Object(Default::default()),
        (Some(v @ Value::Object(_)), _) => v.clone(),
        (Some(v), Some(main)) if !v.is_array() => {
            Value::Object([(main.to_owned(), v.clone())].into_iter().collect())
        }
        (Some(v), _) => {
            return Err(format!(
                "{}: the argument must be an object{}, not {}",
                R::NAME,
                R::MAIN.map_or(String::new(), |m| format!(" or a bare `{m}`")),
                brief(v)
            ));
        }
    };
    serde_json::from_value(arg.clone())
        .map_err(|e| format!("{}: bad argument {}: {e}", R::NAME, brief(&arg)))
}

/// A value for a message: its JSON, cut short.
fn brief(v: &Value) -> String {
    let s = v.to_string();
    match s.char_indices().nth(120) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s,
    }
}

/// The commands the server advertises (`executeCommandProvider`).
pub const COMMANDS: [&str; 8] = [
    Summarize::NAME,
    Resolve::NAME,
    Reopen::NAME,
    Timeline::NAME,
    ShowInsights::NAME,
    IngestNow::NAME,
    Toggle::NAME,
    Status::NAME,
];

/// `sessionlens.summarizeSession`: a session's entry, written to the learnings file.
pub enum Summarize {}
impl Request for Summarize {
    const NAME: &'static str = "sessionlens.summarizeSession";
    const MAIN: Option<&'static str> = Some("session");
    type Args = SummarizeArgs;
    type Result = SummarizeResult;
}

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SummarizeArgs {
    /// An id or unique prefix; default: the latest session of the workspace.
    #[serde(default, deserialize_with = "blank_is_none")]
    pub session: Option<String>,
    /// The workspace folder; default: the one holding `uri`, else the first.
    #[serde(default, deserialize_with = "blank_is_none")]
    pub workspace: Option<String>,
    /// A document whose folder is the workspace.
    #[serde(default, deserialize_with = "blank_is_none")]
    pub uri: Option<Url>,
    /// Write the learnings file (default `true`), or only answer with the entry.
    pub write: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SummarizeResult {
    pub session: String,
    pub markdown: String,
    /// The learnings file written; `null` when `write` was false.
    pub file: Option<String>,
    pub changed: bool,
    /// The entry's version in the store (a new one only when its hash changed). Only when written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
    /// The SHA-256 of the version before it (`null`: the first). Only when written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_hash: Option<Option<String>>,
}

/// `sessionlens.resolveInsight`: a `mark` event saying an insight is resolved.
pub enum Resolve {}
impl Request for Resolve {
    const NAME: &'static str = "sessionlens.resolveInsight";
    const MAIN: Option<&'static str> = Some("insight");
    type Args = MarkArgs;
    type Result = MarkResult;
}

/// `sessionlens.reopenInsight`: a `mark` event saying an insight is open again.
pub enum Reopen {}
impl Request for Reopen {
    const NAME: &'static str = "sessionlens.reopenInsight";
    const MAIN: Option<&'static str> = Some("insight");
    type Args = MarkArgs;
    type Result = MarkResult;
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MarkArgs {
    /// An insight id or unique prefix.
    #[serde(deserialize_with = "non_empty")]
    pub insight: String,
    /// Where the mark is recorded when the insight has no folder of its own; default: the
    /// folder of `uri`, else the first.
    #[serde(default, deserialize_with = "blank_is_none")]
    pub workspace: Option<String>,
    #[serde(default, deserialize_with = "blank_is_none")]
    pub uri: Option<Url>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MarkResult {
    /// The insight's full id.
    pub insight: String,
    pub status: MarkStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MarkStatus {
    Resolved,
    Open,
}

/// `sessionlens.showTimeline`: a session's events in order.
pub enum Timeline {}
impl Request for Timeline {
    const NAME: &'static str = "sessionlens.showTimeline";
    const MAIN: Option<&'static str> = Some("session");
    type Args = TimelineArgs;
    type Result = TimelineResult;
}

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimelineArgs {
    /// An id or unique prefix; default: the latest session of the workspace.
    #[serde(default, deserialize_with = "blank_is_none")]
    pub session: Option<String>,
    #[serde(default, deserialize_with = "blank_is_none")]
    pub workspace: Option<String>,
    #[serde(default, deserialize_with = "blank_is_none")]
    pub uri: Option<Url>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimelineResult {
    pub session: String,
    pub text: String,
    /// `text` in a fenced block.
    pub markdown: String,
}

/// `sessionlens.showInsights`: the details behind a code lens (or any symbol). Every lens carries
/// its arguments.
pub enum ShowInsights {}
impl Request for ShowInsights {
    const NAME: &'static str = "sessionlens.showInsights";
    const MAIN: Option<&'static str> = Some("symbol");
    type Args = ShowInsightsArgs;
    type Result = ShowInsightsResult;
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShowInsightsArgs {
    /// The document the symbol is in: its workspace's links, and what the editor saw there.
    #[serde(default, deserialize_with = "blank_is_none")]
    pub uri: Option<Url>,
    #[serde(deserialize_with = "non_empty")]
    pub symbol: String,
    /// The insight ids the lens counted; default: every insight about the symbol.
    pub insights: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShowInsightsResult {
    pub symbol: String,
    /// As the hover shows it, plus what the editor saw; empty when nothing is known.
    pub markdown: String,
    pub insights: Vec<String>,
}

/// `sessionlens.ingestNow`: reads new Codex and Claude Code sessions now. Its result is the
/// ingest report as `sessionlens ingest codex --json` prints it (snake_case).
pub enum IngestNow {}
impl Request for IngestNow {
    const NAME: &'static str = "sessionlens.ingestNow";
    const MAIN: Option<&'static str> = None;
    type Args = NoArgs;
    type Result = crate::ingest::IngestReport;
}

/// A command that takes no argument (an object's fields are ignored).
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoArgs {}

/// `sessionlens.toggle`: the master switch.
pub enum Toggle {}
impl Request for Toggle {
    const NAME: &'static str = "sessionlens.toggle";
    const MAIN: Option<&'static str> = Some("enabled");
    type Args = ToggleArgs;
    type Result = ToggleResult;
}

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ToggleArgs {
    /// On or off; default: flip.
    pub enabled: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ToggleResult {
    pub enabled: bool,
}

/// `sessionlens.status`: what a status bar shows.
pub enum Status {}
impl Request for Status {
    const NAME: &'static str = "sessionlens.status";
    const MAIN: Option<&'static str> = Some("uri");
    type Args = StatusArgs;
    type Result = StatusResult;
}

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusArgs {
    /// A document whose folder is the workspace to report on.
    #[serde(default, deserialize_with = "blank_is_none")]
    pub uri: Option<Url>,
    #[serde(default, deserialize_with = "blank_is_none")]
    pub workspace: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusResult {
    pub enabled: bool,
    /// The store's file, once open.
    pub store: Option<String>,
    pub events: u64,
    pub insights: usize,
    pub open_gaps: usize,
    /// The latest Codex session run in the workspace, and the questions it left open.
    pub session: Option<StatusSession>,
    pub workspace: Option<StatusWorkspace>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusSession {
    pub id: String,
    pub source: String,
    pub started_at: Option<String>,
    pub turns: u64,
    pub open_gaps: usize,
    pub open_topics: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusWorkspace {
    pub root: String,
    /// Whether its symbol index is built.
    pub indexed: bool,
    pub files: usize,
    /// Open questions linked to its code.
    pub open_gaps: usize,
    /// The session of its latest linked insight.
    pub latest_session: Option<String>,
}

/// Client → server: a command the editor's terminal saw finish.
pub const COMMAND_FINISHED: &str = "sessionlens/commandFinished";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommandFinishedParams {
    #[serde(deserialize_with = "non_empty")]
    pub command: String,
    /// Default: the first workspace folder.
    #[serde(default, deserialize_with = "blank_is_none")]
    pub cwd: Option<String>,
    pub exit_code: Option<i32>,
    pub duration_ms: Option<u64>,
    /// Excerpted to its head and tail, and redacted, before it is stored.
    pub output: Option<String>,
}

/// An optional string field where `""` means "not given" (as clients send for an unset value).
fn blank_is_none<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr,
    T::Err: std::fmt::Display,
{
    match Option::<String>::deserialize(d)? {
        Some(s) if !s.is_empty() => s.parse().map(Some).map_err(serde::de::Error::custom),
        _ => Ok(None),
    }
}

/// A required string field that says something.
fn non_empty<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    if s.is_empty() {
        return Err(serde::de::Error::invalid_value(
            serde::de::Unexpected::Str(""),
            &"a non-empty string",
        ));
    }
    Ok(s)
}

/// One setting: its wire name, shape, default and whether it is read only at start.
#[derive(Debug, Clone, PartialEq)]
pub struct SettingSpec {
    pub name: String,
    pub shape: Shape,
    /// The default, as a client would send it; `None` for paths whose default the server works
    /// out itself (an environment variable, the platform's folders).
    pub default: Option<Value>,
    pub at_start: bool,
}

/// One command: its name, the field a bare argument fills, and the shapes of its argument
/// (`None`: it takes none) and result.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandSpec {
    pub name: &'static str,
    pub main: Option<&'static str>,
    pub args: Option<Shape>,
    pub result: Shape,
}

/// The whole protocol beyond the standard: settings, commands and notifications (name and the
/// shape of its params), each derived from its type.
#[derive(Debug, Clone, PartialEq)]
pub struct Description {
    pub settings: Vec<SettingSpec>,
    pub commands: Vec<CommandSpec>,
    pub notifications: Vec<(&'static str, Shape)>,
}

pub fn describe() -> Description {
    let defaults = serde_json::to_value(Settings::default().to_wire()).unwrap_or_default();
    let settings = shape_of::<ServerSettings>()
        .fields()
        .iter()
        .map(|(name, shape)| SettingSpec {
            default: defaults.get(name).cloned(),
            at_start: AT_START.contains(&name.as_str()),
            name: name.clone(),
            shape: shape.clone(),
        })
        .collect();
    let ingest_report = Shape::of_value(
        "IngestReport",
        &serde_json::to_value(crate::ingest::IngestReport::default()).unwrap_or_default(),
    );
    Description {
        settings,
        commands: vec![
            command::<Summarize>(shape_of::<SummarizeResult>()),
            command::<Resolve>(shape_of::<MarkResult>()),
            command::<Reopen>(shape_of::<MarkResult>()),
            command::<Timeline>(shape_of::<TimelineResult>()),
            command::<ShowInsights>(shape_of::<ShowInsightsResult>()),
            command::<IngestNow>(ingest_report),
            command::<Toggle>(shape_of::<ToggleResult>()),
            command::<Status>(shape_of::<StatusResult>()),
        ],
        notifications: vec![(COMMAND_FINISHED, shape_of::<CommandFinishedParams>())],
    }
}

fn command<R: Request>(result: Shape) -> CommandSpec {
    let args = shape_of::<R::Args>();
    CommandSpec {
        name: R::NAME,
        main: R::MAIN,
        args: (!args.fields().is_empty()).then_some(args),
        result,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_advertised_command_is_described_once() {
        let d = describe();
        let names: Vec<&str> = d.commands.iter().map(|c| c.name).collect();
        assert_eq!(names, COMMANDS);
        for c in &d.commands {
            if let (Some(main), Some(args)) = (c.main, &c.args) {
                assert!(
                    args.fields().iter().any(|(f, _)| f == main),
                    "{}: a bare argument fills `{main}`, which is not a field",
                    c.name
                );
            }
        }
    }

    #[test]
    fn a_bare_argument_fills_the_main_field_and_blanks_are_unset() {
        let a = parse_args::<Summarize>(&[json!("01a2")]).unwrap();
        assert_eq!(a.session.as_deref(), Some("01a2"));
        let a = parse_args::<Summarize>(&[json!({"session": "", "uri": ""})]).unwrap();
        assert_eq!(a, SummarizeArgs::default());
        assert_eq!(
            parse_args::<Summarize>(&[]).unwrap(),
            parse_args::<Summarize>(&[Value::Null]).unwrap()
        );
        assert_eq!(
            parse_args::<Toggle>(&[json!(false)]).unwrap().enabled,
            Some(false)
        );
        assert_eq!(
            parse_args::<Toggle>(&[json!({"enabled": true})])
                .unwrap()
                .enabled,
            Some(true)
        );
        assert_eq!(parse_args::<Toggle>(&[]).unwrap().enabled, None);
        let m = parse_args::<Resolve>(&[json!({"insight": "ab12", "future": 1})]).unwrap();
        assert_eq!(m.insight, "ab12");
    }

    #[test]
    fn a_wrong_argument_is_a_message_naming_the_command_and_the_value() {
        let cases: Vec<(Result<(), String>, &[&str])> = vec![
            (
                parse_args::<Resolve>(&[]).map(drop),
                &["sessionlens.resolveInsight", "missing field `insight`"],
            ),
            (
                parse_args::<Resolve>(&[json!("")]).map(drop),
                &["non-empty string"],
            ),
            (
                parse_args::<Resolve>(&[json!(42)]).map(drop),
                &["bad argument {\"insight\":42}", "expected a string"],
            ),
            (
                parse_args::<Summarize>(&[json!({"write": "no"})]).map(drop),
                &[
                    "sessionlens.summarizeSession",
                    "\"write\":\"no\"",
                    "boolean",
                ],
            ),
            (
                parse_args::<Timeline>(&[json!({"uri": "not a uri"})]).map(drop),
                &["sessionlens.showTimeline", "not a uri"],
            ),
            (
                parse_args::<ShowInsights>(&[json!({"symbol": "x", "insights": [1]})]).map(drop),
                &["sessionlens.showInsights", "expected a string"],
            ),
            (
                parse_args::<IngestNow>(&[json!("now")]).map(drop),
                &["sessionlens.ingestNow", "must be an object", "\"now\""],
            ),
            (
                parse_args::<Toggle>(&[json!([true])]).map(drop),
                &["sessionlens.toggle", "or a bare `enabled`", "[true]"],
            ),
        ];
        for (result, needles) in cases {
            let msg = result.expect_err("a wrong argument");
            for n in needles {
                assert!(msg.contains(n), "{msg:?} should contain {n:?}");
            }
        }
    }

    #[test]
    fn results_serialize_as_documented() {
        let written = SummarizeResult {
            session: "s".into(),
            markdown: "m".into(),
            file: Some("/w/learnings.md".into()),
            changed: true,
            version: Some(1),
            previous_hash: Some(None),
        };
        let v = serde_json::to_value(&written).unwrap();
        assert_eq!(v["previousHash"], Value::Null);
        assert!(v.get("previousHash").is_some(), "null, not left out");
        let preview = SummarizeResult {
            file: None,
            changed: false,
            version: None,
            previous_hash: None,
            ..written
        };
        assert_eq!(
            serde_json::to_value(&preview).unwrap(),
            json!({"session": "s", "markdown": "m", "file": null, "changed": false})
        );
        let mark = MarkResult {
            insight: "i".into(),
            status: MarkStatus::Resolved,
        };
        assert_eq!(
            serde_json::to_value(mark).unwrap(),
            json!({"insight": "i", "status": "resolved"})
        );
    }

    #[test]
    fn setting_defaults_come_from_the_server_defaults() {
        let d = describe();
        let get = |n: &str| d.settings.iter().find(|s| s.name == n).unwrap();
        assert_eq!(get("enable").default, Some(json!(true)));
        assert_eq!(get("notesAfterIdleSeconds").default, Some(json!(300.0)));
        assert_eq!(get("learningsArchiveAfterDays").default, Some(json!(30.0)));
        assert_eq!(get("dataDir").default, None);
        assert!(get("watchCodex").at_start && !get("learningsFile").at_start);
        assert_eq!(
            get("diagnostics").shape,
            Shape::Option(Box::new(Shape::Enum(
                ["hint", "information", "warning", "error", "off"]
                    .map(String::from)
                    .to_vec()
            )))
        );
    }
}
