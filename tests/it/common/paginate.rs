//! Legacy Codex rollout → "paginated" rollout (Codex 0.148+), the way Codex itself rewrites a
//! file (`codex migrate-rollouts`: `codex-rs/thread-store/src/local/rollout_migration/
//! canonicalizer.rs` and `legacy_event.rs`) or, with [`paginate_live`], the way a live
//! paginated thread writes it. Tests and the ingest bench use it to get the paginated twin of
//! every legacy fixture, so that "the same session in either form reads the same" is checked on
//! real sessions rather than on hand-written paginated files alone.
//!
//! What Codex does, and so what this does:
//! - every line written gets `ordinal` 0, 1, 2, … and the envelope key order
//!   `timestamp, ordinal, type, payload`, compact; each keeps its source line's timestamp;
//! - the first `session_meta` becomes `history_mode: "paginated"` (migration also drops
//!   `history_base` and `subagent_history_start_ordinal`, and every later `session_meta`);
//! - response items and the events both modes write are copied unchanged, in place;
//! - legacy events become `item_completed` lines carrying a `TurnItem`, in place; reasoning
//!   accumulates while nothing else happens (each line repeats the texts so far, same id);
//! - items outside any turn open an implicit turn `rollout-<source line index>` (a synthesized
//!   `task_started`), closed by a synthesized `task_complete` when the next prompt arrives, an
//!   explicit turn starts, or the file ends.
//!
//! As in Codex, an event that names its own turn (`exec_command_end`, `patch_apply_end`) is filed
//! under that turn, not under the implicit turn that happens to be open; and a prompt written
//! before its turn's `task_started` (as the eval fixtures do) gets an implicit turn of its own,
//! closed when the explicit turn starts.

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt::{self, Write as _};

/// Legacy events that Codex converts into items Session Lens has no use for: dropped, and (as
/// any converted item does) they end a reasoning run.
const CONVERTED_UNUSED: &[&str] = &[
    "entered_review_mode",
    "exited_review_mode",
    "image_generation_end",
    "sub_agent_activity",
];

/// Legacy events a paginated writer filters out without converting them (so a reasoning run
/// goes on across them). Non-empty `agent_message`s and non-empty reasoning never get here.
const FILTERED: &[&str] = &[
    "thread_name_updated",
    "agent_message",
    "agent_message_delta",
    "agent_reasoning",
    "agent_reasoning_raw_content",
    "agent_reasoning_delta",
    "agent_reasoning_raw_content_delta",
    "agent_reasoning_section_break",
];

/// A legacy rollout rewritten as `codex migrate-rollouts` publishes it.
pub fn paginate(legacy_jsonl: &str) -> String {
    convert(legacy_jsonl, false)
}

/// A legacy rollout written as a live paginated Codex would have written the same session:
/// later `session_meta` lines (resumes) are kept, reasoning is one item per event, and items
/// carry `started_at_ms` as live lines do.
pub fn paginate_live(legacy_jsonl: &str) -> String {
    convert(legacy_jsonl, true)
}

/// `json` without whitespace outside strings: the compact form Codex writes (key order kept).
pub fn compact(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !c.is_ascii_whitespace() {
            out.push(c);
        }
    }
    out
}

/// The member names of a JSON object in written order (serde_json's `Value` sorts them), so
/// tests can compare key order with real lines. Empty when `json` is not an object.
pub fn member_names(json: &str) -> Vec<String> {
    Members::parse(json)
        .map(|m| m.0.into_iter().map(|(k, _)| k).collect())
        .unwrap_or_default()
}

/// The compact JSON text of one member of a JSON object (written order kept inside it).
pub fn member_text(json: &str, key: &str) -> Option<String> {
    Members::parse(json).and_then(|m| m.raw(key).map(compact))
}

/// Compact JSON with each object's `type` first and the other members after it, sorted: the
/// shape Codex's internally tagged enums write (serde_json's `Value` alone would sort `type` in
/// among the rest).
pub fn to_codex_json(v: &Value) -> String {
    match v {
        Value::Object(map) => {
            let mut members: Vec<(&str, String)> = Vec::with_capacity(map.len());
            if let Some(t) = map.get("type") {
                members.push(("type", to_codex_json(t)));
            }
            for (k, v) in map.iter().filter(|(k, _)| *k != "type") {
                members.push((k, to_codex_json(v)));
            }
            obj(&members)
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(to_codex_json).collect();
            format!("[{}]", items.join(","))
        }
        other => other.to_string(),
    }
}

/// One line as a paginated Codex writes it (no newline): `timestamp, ordinal, type, payload`.
pub fn paged_line(ts: &str, ordinal: u64, kind: &str, payload: &Value) -> String {
    format!(
        "{{\"timestamp\":{},\"ordinal\":{ordinal},\"type\":{},\"payload\":{}}}",
        js(ts),
        js(kind),
        to_codex_json(payload)
    )
}

/// Seconds and milliseconds since the epoch of an RFC 3339 timestamp, given as JSON text.
pub fn epoch(ts_json: &str) -> (i64, i64) {
    let text: String = serde_json::from_str(ts_json).unwrap_or_default();
    match text.parse::<jiff::Timestamp>() {
        Ok(t) => (t.as_second(), t.as_millisecond()),
        Err(_) => (0, 0),
    }
}

/// Runs the converter over every line; unparseable lines are dropped, as Codex's parser does.
fn convert(legacy: &str, live: bool) -> String {
    let mut c = Converter {
        live,
        out: String::with_capacity(legacy.len() + legacy.len() / 8),
        ordinal: 0,
        next_item: 1,
        thread: String::new(),
        turn: None,
        known: HashSet::new(),
        reasoning: None,
        wrote_head: false,
    };
    let mut last_ts = None;
    for (index, line) in legacy.lines().enumerate() {
        let Some(envelope) = Members::parse(line) else {
            continue;
        };
        let (Some(ts), Some(kind), Some(payload)) = (
            envelope.raw("timestamp"),
            envelope.text("type"),
            envelope.raw("payload"),
        ) else {
            continue;
        };
        c.line(index as u64, ts, &kind, payload);
        last_ts = Some(ts.to_owned());
    }
    if let Some(ts) = last_ts {
        c.finish_implicit(&ts);
    }
    c.out
}

/// A JSON object's members in written order, each value kept as its JSON text.
struct Members<'a>(Vec<(String, Cow<'a, str>)>);

impl<'de> Deserialize<'de> for Members<'de> {
    /// Reads an object member by member, borrowing each value's text.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Members<'de>;
            /// What the visitor accepts, for serde's error messages.
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            /// Collects the members in order.
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, &'de RawValue>()? {
                    out.push((k, Cow::Borrowed(v.get())));
                }
                Ok(Members(out))
            }
        }
        d.deserialize_map(V)
    }
}

impl<'a> Members<'a> {
    /// The members of `json`, or `None` when it is not an object.
    fn parse(json: &'a str) -> Option<Members<'a>> {
        serde_json::from_str(json).ok()
    }

    /// A member's JSON text; `null` counts as absent.
    fn raw(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_ref())
            .filter(|v| *v != "null")
    }

    /// A member's value when it is a non-empty string.
    fn text(&self, key: &str) -> Option<String> {
        self.raw(key)
            .and_then(|v| serde_json::from_str::<String>(v).ok())
            .filter(|s| !s.is_empty())
    }

    /// A member's value, parsed.
    fn value(&self, key: &str) -> Option<Value> {
        self.raw(key).and_then(|v| serde_json::from_str(v).ok())
    }

    /// Replaces a member's value in place, or adds it at the end.
    fn set(&mut self, key: &str, json: String) {
        match self.0.iter_mut().find(|(k, _)| k == key) {
            Some((_, v)) => *v = Cow::Owned(json),
            None => self.0.push((key.to_owned(), Cow::Owned(json))),
        }
    }

    /// Adds a member right after `type` (where Codex's structs put their first field).
    fn insert_after_type(&mut self, key: &str, json: String) {
        let at = self
            .0
            .iter()
            .position(|(k, _)| k == "type")
            .map_or(0, |i| i + 1);
        self.0.insert(at, (key.to_owned(), Cow::Owned(json)));
    }

    /// Drops a member if present.
    fn remove(&mut self, key: &str) {
        self.0.retain(|(k, _)| k != key);
    }

    /// The object as compact JSON, members in order.
    fn to_json(&self) -> String {
        let members: Vec<(&str, String)> = self
            .0
            .iter()
            .map(|(k, v)| (k.as_str(), compact(v)))
            .collect();
        obj(&members)
    }
}

/// A JSON string literal.
fn js(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialize")
}

/// A compact JSON object from members whose values are already JSON text, in the given order.
fn obj(members: &[(&str, String)]) -> String {
    let mut out = String::from("{");
    for (i, (k, v)) in members.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&js(k));
        out.push(':');
        out.push_str(v);
    }
    out.push('}');
    out
}

/// A path as the `file://` URL Codex stores in `CommandExecution.cwd`, percent-encoded.
fn file_url(path: &str) -> String {
    if path.starts_with("file://") {
        return path.to_owned();
    }
    let mut url = String::from("file://");
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            url.push(b as char);
        } else {
            let _ = write!(url, "%{b:02X}");
        }
    }
    url
}

/// The turn items are being filed under.
struct Turn {
    id: String,
    /// Started by a `task_started` in the file (not synthesized).
    explicit: bool,
    /// An implicit turn that already holds a prompt: the next prompt starts another.
    saw_user: bool,
}

/// A reasoning item still accumulating texts.
#[derive(Clone)]
struct Reasoning {
    id: String,
    summary: Vec<String>,
    raw: Vec<String>,
}

impl Reasoning {
    /// The `Reasoning` turn item with every text so far.
    fn item(&self) -> String {
        let list = |v: &[String]| {
            format!(
                "[{}]",
                v.iter().map(|s| js(s)).collect::<Vec<_>>().join(",")
            )
        };
        obj(&[
            ("type", js("Reasoning")),
            ("id", js(&self.id)),
            ("summary_text", list(&self.summary)),
            ("raw_content", list(&self.raw)),
        ])
    }
}

/// The canonicalizer's state, line to line.
struct Converter {
    live: bool,
    out: String,
    ordinal: u64,
    next_item: u64,
    thread: String,
    turn: Option<Turn>,
    known: HashSet<String>,
    reasoning: Option<Reasoning>,
    wrote_head: bool,
}

impl Converter {
    /// One source line (`index` from 0 over the file, as Codex counts for `rollout-<index>`).
    fn line(&mut self, index: u64, ts: &str, kind: &str, payload: &str) {
        match kind {
            "session_meta" => self.session_meta(ts, payload),
            "event_msg" => self.event(index, ts, payload),
            _ => self.write(ts, kind, &compact(payload)),
        }
    }

    /// Writes one output line with the next ordinal.
    fn write(&mut self, ts: &str, kind: &str, payload: &str) {
        let _ = writeln!(
            self.out,
            "{{\"timestamp\":{},\"ordinal\":{},\"type\":{},\"payload\":{}}}",
            compact(ts),
            self.ordinal,
            js(kind),
            payload
        );
        self.ordinal += 1;
    }

    /// The header: the first is rewritten to paginated; later ones are dropped by a migration
    /// and kept by a live writer (a resume).
    fn session_meta(&mut self, ts: &str, payload: &str) {
        let Some(mut m) = Members::parse(payload) else {
            return;
        };
        if !self.wrote_head {
            self.thread = m.text("id").unwrap_or_default();
            if !self.live {
                m.remove("history_base");
                m.remove("subagent_history_start_ordinal");
            }
        } else if !self.live {
            return;
        }
        self.wrote_head = true;
        m.set("history_mode", js("paginated"));
        self.write(ts, "session_meta", &m.to_json());
    }

    /// One `event_msg`: turn bookkeeping, a conversion to an item, a copy or a drop.
    fn event(&mut self, index: u64, ts: &str, payload: &str) {
        let Some(mut m) = Members::parse(payload) else {
            return;
        };
        let ty = m.text("type").unwrap_or_default();
        match ty.as_str() {
            "task_started" | "turn_started" => {
                if let Some(id) = m.text("turn_id") {
                    self.finish_implicit(ts);
                    self.known.insert(id.clone());
                    self.turn = Some(Turn {
                        id,
                        explicit: true,
                        saw_user: false,
                    });
                }
                self.reasoning = None;
                self.write(ts, "event_msg", &m.to_json());
            }
            "task_complete" | "turn_complete" => {
                self.reasoning = None;
                let id = m.text("turn_id");
                if self
                    .turn
                    .as_ref()
                    .is_some_and(|t| Some(&t.id) == id.as_ref())
                {
                    self.turn = None;
                }
                self.write(ts, "event_msg", &m.to_json());
            }
            "turn_aborted" => {
                // Codex files an abort without a turn id under the active turn.
                let id = match m.text("turn_id") {
                    Some(id) => Some(id),
                    None => {
                        let active = self.turn.as_ref().map(|t| t.id.clone());
                        if let Some(a) = &active {
                            m.remove("turn_id");
                            m.insert_after_type("turn_id", js(a));
                        }
                        active
                    }
                };
                if self
                    .turn
                    .as_ref()
                    .is_some_and(|t| Some(&t.id) == id.as_ref())
                {
                    self.turn = None;
                }
                self.reasoning = None;
                self.write(ts, "event_msg", &m.to_json());
            }
            "user_message" => {
                if self
                    .turn
                    .as_ref()
                    .is_some_and(|t| !t.explicit && t.saw_user)
                {
                    self.finish_implicit(ts);
                }
                self.ensure_turn(ts, index);
                let item = self.user_item(&m);
                if let Some(t) = self.turn.as_mut() {
                    t.saw_user = true;
                }
                self.reasoning = None;
                self.item_here(ts, &item);
            }
            "agent_reasoning" | "agent_reasoning_raw_content" if m.text("text").is_some() => {
                let text = m.text("text").unwrap_or_default();
                self.reasoning(index, ts, text, ty == "agent_reasoning_raw_content");
            }
            "item_completed" => {
                m.set("thread_id", js(&self.thread));
                self.reasoning = None;
                self.write(ts, "event_msg", &m.to_json());
            }
            _ => {
                if let Some((item, turn)) = self.completed_item(&ty, &m) {
                    self.place(index, ts, item, turn);
                } else if CONVERTED_UNUSED.contains(&ty.as_str()) {
                    self.reasoning = None;
                } else if !FILTERED.contains(&ty.as_str()) {
                    self.write(ts, "event_msg", &m.to_json());
                }
            }
        }
    }

    /// The next synthesized item id, `item-1`, `item-2`, … over the file.
    fn next_id(&mut self) -> String {
        let id = format!("item-{}", self.next_item);
        self.next_item += 1;
        id
    }

    /// Opens an implicit turn `rollout-<index>` unless a turn is active.
    fn ensure_turn(&mut self, ts: &str, index: u64) {
        if self.turn.is_none() {
            self.start_implicit(ts, format!("rollout-{index}"));
        }
    }

    /// Writes the synthesized `task_started` of an implicit turn.
    fn start_implicit(&mut self, ts: &str, id: String) {
        self.known.insert(id.clone());
        self.reasoning = None;
        let payload = obj(&[
            ("type", js("task_started")),
            ("turn_id", js(&id)),
            ("started_at", epoch(ts).0.to_string()),
        ]);
        self.turn = Some(Turn {
            id,
            explicit: false,
            saw_user: false,
        });
        self.write(ts, "event_msg", &payload);
    }

    /// Closes an active implicit turn with a synthesized `task_complete`.
    fn finish_implicit(&mut self, ts: &str) {
        if self.turn.as_ref().is_none_or(|t| t.explicit) {
            return;
        }
        let id = self.turn.take().map(|t| t.id).unwrap_or_default();
        self.reasoning = None;
        let payload = obj(&[
            ("type", js("task_complete")),
            ("turn_id", js(&id)),
            ("last_agent_message", "null".to_owned()),
            ("completed_at", epoch(ts).0.to_string()),
        ]);
        self.write(ts, "event_msg", &payload);
    }

    /// Files a converted item the way Codex does: under the turn the event names when that is
    /// not the active one, else under the active turn (opening one if needed).
    fn place(&mut self, index: u64, ts: &str, item: String, turn: Option<String>) {
        match turn {
            Some(t) if self.turn.as_ref().is_some_and(|a| a.id != t) => self.item_to(ts, &t, &item),
            Some(t) => {
                if self.turn.is_none() && self.known.contains(&t) {
                    self.reasoning = None;
                    self.item_to(ts, &t, &item);
                } else {
                    if self.turn.is_none() {
                        self.start_implicit(ts, t);
                    }
                    self.reasoning = None;
                    self.item_here(ts, &item);
                }
            }
            None => {
                self.ensure_turn(ts, index);
                self.reasoning = None;
                self.item_here(ts, &item);
            }
        }
    }

    /// An `item_completed` line for the active turn.
    fn item_here(&mut self, ts: &str, item: &str) {
        let turn = self.turn.as_ref().map(|t| t.id.clone()).unwrap_or_default();
        self.item_to(ts, &turn, item);
    }

    /// An `item_completed` line for `turn`.
    fn item_to(&mut self, ts: &str, turn: &str, item: &str) {
        let ms = epoch(ts).1.to_string();
        let mut members = vec![
            ("type", js("item_completed")),
            ("thread_id", js(&self.thread)),
            ("turn_id", js(turn)),
            ("item", item.to_owned()),
        ];
        if self.live {
            members.push(("started_at_ms", ms.clone()));
        }
        members.push(("completed_at_ms", ms));
        self.write(ts, "event_msg", &obj(&members));
    }

    /// One reasoning text: migration extends the open reasoning item (same id, all texts so far);
    /// a live writer makes one item per text.
    fn reasoning(&mut self, index: u64, ts: &str, text: String, raw: bool) {
        self.ensure_turn(ts, index);
        let open = if self.live {
            None
        } else {
            self.reasoning.take()
        };
        let mut r = open.unwrap_or_else(|| Reasoning {
            id: self.next_id(),
            summary: Vec::new(),
            raw: Vec::new(),
        });
        if raw {
            r.raw.push(text);
        } else {
            r.summary.push(text);
        }
        let item = r.item();
        if !self.live {
            self.reasoning = Some(r);
        }
        self.item_here(ts, &item);
    }

    /// `UserMessage` from `user_message`: the text, then one block per image.
    fn user_item(&mut self, m: &Members) -> String {
        let mut content = Vec::new();
        let message: String = m
            .raw("message")
            .and_then(|v| serde_json::from_str(v).ok())
            .unwrap_or_default();
        if !message.trim().is_empty() {
            let elements = m
                .raw("text_elements")
                .filter(|v| v.starts_with('['))
                .map_or_else(|| "[]".to_owned(), compact);
            content.push(obj(&[
                ("type", js("text")),
                ("text", js(&message)),
                ("text_elements", elements),
            ]));
        }
        let strings = |key: &str| -> Vec<String> {
            match m.value(key) {
                Some(Value::Array(a)) => a
                    .into_iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
                _ => Vec::new(),
            }
        };
        for url in strings("images") {
            content.push(obj(&[("type", js("image")), ("image_url", js(&url))]));
        }
        for path in strings("local_images") {
            content.push(obj(&[("type", js("local_image")), ("path", js(&path))]));
        }
        obj(&[
            ("type", js("UserMessage")),
            ("id", js(&self.next_id())),
            ("content", format!("[{}]", content.join(","))),
        ])
    }

    /// The item a legacy completion event becomes, and the turn the event names (if any).
    fn completed_item(&mut self, ty: &str, m: &Members) -> Option<(String, Option<String>)> {
        let raw = |key: &str| m.raw(key).map(compact);
        let non_empty = |key: &str| m.text(key).map(|s| js(&s));
        let call_id = js(&m.text("call_id").unwrap_or_default());
        let mut item: Vec<(&str, String)> = Vec::new();
        let mut turn = None;
        match ty {
            "agent_message" => {
                let message = m.text("message")?;
                item.push(("type", js("AgentMessage")));
                item.push(("id", js(&self.next_id())));
                let text = obj(&[("type", js("Text")), ("text", js(&message))]);
                item.push(("content", format!("[{text}]")));
                for key in ["phase", "memory_citation", "delivery"] {
                    if let Some(v) = raw(key) {
                        item.push((key, v));
                    }
                }
            }
            "patch_apply_end" => {
                let status = m.text("status").unwrap_or_else(|| {
                    let ok = m.raw("success") == Some("true");
                    (if ok { "completed" } else { "failed" }).to_owned()
                });
                item.push(("type", js("FileChange")));
                item.push(("id", call_id));
                item.push(("changes", raw("changes").unwrap_or_else(|| "{}".to_owned())));
                item.push(("status", js(&status)));
                for key in ["stdout", "stderr"] {
                    if let Some(v) = non_empty(key) {
                        item.push((key, v));
                    }
                }
                turn = m.text("turn_id");
            }
            "exec_command_end" => {
                let exit = m.raw("exit_code").and_then(|v| v.parse::<i64>().ok());
                let status = m.text("status").unwrap_or_else(|| {
                    (if exit == Some(0) {
                        "completed"
                    } else {
                        "failed"
                    })
                    .to_owned()
                });
                item.push(("type", js("CommandExecution")));
                item.push(("id", call_id));
                if let Some(v) = raw("process_id") {
                    item.push(("process_id", v));
                }
                item.push(("command", raw("command").unwrap_or_else(|| "[]".to_owned())));
                item.push(("cwd", js(&file_url(&m.text("cwd").unwrap_or_default()))));
                item.push((
                    "parsed_cmd",
                    raw("parsed_cmd").unwrap_or_else(|| "[]".to_owned()),
                ));
                item.push((
                    "source",
                    js(&m.text("source").unwrap_or_else(|| "agent".into())),
                ));
                item.push(("status", js(&status)));
                for key in ["stdout", "stderr", "aggregated_output"] {
                    if let Some(v) = non_empty(key) {
                        item.push((key, v));
                    }
                }
                if let Some(code) = exit {
                    item.push(("exit_code", code.to_string()));
                }
                if let Some(v) = raw("duration") {
                    item.push(("duration", v));
                }
                if let Some(v) = non_empty("formatted_output") {
                    item.push(("formatted_output", v));
                }
                turn = m.text("turn_id");
            }
            "mcp_tool_call_end" => {
                let invocation = m.raw("invocation").and_then(Members::parse);
                let field = |key: &str| invocation.as_ref().and_then(|i| i.raw(key)).map(compact);
                let result = m.value("result");
                let ok = result.as_ref().and_then(|r| r.get("Ok"));
                let err = result.as_ref().and_then(|r| r.get("Err"));
                let failed_ok = ok.is_some_and(|o| {
                    o.get("isError").or_else(|| o.get("is_error")) == Some(&Value::Bool(true))
                });
                let status = if ok.is_some() && !failed_ok {
                    "completed"
                } else {
                    "failed"
                };
                item.push(("type", js("McpToolCall")));
                item.push(("id", call_id));
                item.push(("server", field("server").unwrap_or_else(|| js(""))));
                item.push(("tool", field("tool").unwrap_or_else(|| js(""))));
                item.push((
                    "arguments",
                    field("arguments").unwrap_or_else(|| "null".into()),
                ));
                item.push(("status", js(status)));
                if let Some(v) = ok {
                    item.push(("result", v.to_string()));
                }
                if let Some(e) = err {
                    let message = e.as_str().map_or_else(|| e.to_string(), str::to_owned);
                    item.push(("error", obj(&[("message", js(&message))])));
                }
                if let Some(v) = raw("duration") {
                    item.push(("duration", v));
                }
            }
            "web_search_end" => {
                item.push(("type", js("WebSearch")));
                item.push(("id", call_id));
                item.push(("query", js(&m.text("query").unwrap_or_default())));
                if let Some(v) = raw("action") {
                    item.push(("action", v));
                }
            }
            "context_compacted" => {
                item.push(("type", js("ContextCompaction")));
                item.push(("id", js(&self.next_id())));
            }
            _ => return None,
        }
        Some((obj(&item), turn))
    }
}
