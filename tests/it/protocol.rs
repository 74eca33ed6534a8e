//! The editor protocol written down five times, kept in step with the one typed source. The
//! server's types (`sessionlens::surface::lsp::protocol`: `ServerSettings`, each command's
//! arguments and result, the `sessionlens/commandFinished` params) describe themselves through
//! `describe()` — names, shapes and defaults read from their serde implementations and from
//! `Settings::default()` — and each test here reads one place that copies them and names the file
//! and the field of every difference:
//!
//! - package.json — `contributes.configuration` (`sessionlens.<setting>`: type, enum, default;
//!   nothing extra but the client's own `binaryPath`) and `contributes.commands` (no palette
//!   command may take a server command's ID: the language client registers those itself).
//! - editors/vscode/src/protocol.ts — `ServerSettings`, `DIAGNOSTICS_SETTINGS`, `Command`, one
//!   interface per argument and result type under the Rust type's name (fields, optional or
//!   not, types), `COMMAND_FINISHED` and its params; editors/vscode/src/settings.ts forwards every
//!   setting and restarts the server for the start-only ones.
//! - editors/neovim/lua/sessionlens/config.lua — `server_settings()` sends every setting (the
//!   start-only ones only at start) from an option whose default, validated type and allowed
//!   values are the server's; the help file documents each such option.
//! - docs/lsp-extensions.md — the settings table (name, type, default, "At start only."), the
//!   commands table (name, argument fields, result fields) and the notification's example.
//!
//! The files are parsed as text, just enough for the way they are written; a parse that finds
//! nothing fails too, so a reformatted file cannot pass by being unread.

use regex::Regex;
use serde_json::Value;
use sessionlens::surface::lsp::protocol::{Description, Shape, describe};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// `sessionlens.*` settings that only the VS Code extension reads (they are not sent).
const VSCODE_ONLY: &[&str] = &["binaryPath"];

fn read(rel: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn check(problems: Vec<String>) {
    assert!(
        problems.is_empty(),
        "the protocol drifted from server/surface/lsp/protocol.rs and settings.rs:\n  {}",
        problems.join("\n  ")
    );
}

/// `Option<Option<T>>` → (2, T).
fn peel(shape: &Shape) -> (usize, &Shape) {
    match shape {
        Shape::Option(inner) => {
            let (n, base) = peel(inner);
            (n + 1, base)
        }
        s => (0, s),
    }
}

fn object_name(shape: &Shape) -> Option<&str> {
    match peel(shape).1 {
        Shape::Object { name, .. } => Some(name),
        _ => None,
    }
}

fn same_number(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

// ---------------------------------------------------------------------------------------------
// package.json

#[test]
fn package_json_contributes_every_setting_with_its_type_and_default() {
    let d = describe();
    let pkg: Value = serde_json::from_str(&read("package.json")).unwrap();
    let props = pkg["contributes"]["configuration"]["properties"]
        .as_object()
        .expect("package.json: contributes.configuration.properties");
    let mut problems = Vec::new();
    for s in &d.settings {
        let key = format!("sessionlens.{}", s.name);
        let Some(p) = props.get(&key) else {
            problems.push(format!(
                "package.json: contributes.configuration lacks {key}"
            ));
            continue;
        };
        let base = peel(&s.shape).1;
        let (ty, values) = match base {
            Shape::Bool => ("boolean", None),
            Shape::Integer | Shape::Number => ("number", None),
            Shape::String => ("string", None),
            Shape::Enum(v) => ("string", Some(v.clone())),
            Shape::List(item) if **item == Shape::String => {
                if p["items"]["type"] != "string" {
                    problems.push(format!(
                        "package.json: {key} has items {}, the server reads strings",
                        p["items"]
                    ));
                }
                ("array", None)
            }
            other => panic!("{}: no JSON schema type for {other:?}", s.name),
        };
        let declared = p["type"].as_str().unwrap_or("");
        if declared != ty && !(ty == "number" && declared == "integer") {
            problems.push(format!(
                "package.json: {key} has type {declared:?}, the server reads {ty}"
            ));
        }
        let listed: Option<Vec<String>> = p.get("enum").and_then(|e| {
            e.as_array().map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
        });
        if listed != values {
            problems.push(format!(
                "package.json: {key} enum is {listed:?}, the server accepts {values:?}"
            ));
        }
        // A default the server works out itself is the empty string: the extension leaves an
        // empty path out, and the server's default applies.
        let want = s.default.clone().unwrap_or(Value::from(""));
        if !same_number(&p["default"], &want) {
            problems.push(format!(
                "package.json: {key} defaults to {}, the server to {want}",
                p["default"]
            ));
        }
        if p["description"].as_str().is_none_or(str::is_empty)
            && p["markdownDescription"].as_str().is_none_or(str::is_empty)
        {
            problems.push(format!("package.json: {key} has no description"));
        }
    }
    let known: BTreeSet<String> = d.settings.iter().map(|s| s.name.clone()).collect();
    for key in props.keys() {
        let name = key.strip_prefix("sessionlens.").unwrap_or(key);
        if !known.contains(name) && !VSCODE_ONLY.contains(&name) {
            problems.push(format!(
                "package.json: {key} is not a server setting (add it to ServerSettings, or to \
                 VSCODE_ONLY in tests/it/protocol.rs if only the extension reads it)"
            ));
        }
    }
    let server: BTreeSet<&str> = d.commands.iter().map(|c| c.name).collect();
    let contributed = pkg["contributes"]["commands"].as_array().unwrap();
    assert!(
        !contributed.is_empty(),
        "package.json: no contributes.commands"
    );
    for c in contributed {
        let id = c["command"].as_str().unwrap_or("");
        if server.contains(id) {
            problems.push(format!(
                "package.json: contributes command {id}, a server command the language client \
                 registers itself"
            ));
        }
    }
    check(problems);
}

// ---------------------------------------------------------------------------------------------
// TypeScript

#[derive(Debug, Clone, PartialEq)]
enum Ts {
    Boolean,
    Number,
    String,
    Unknown,
    Null,
    Literal(String),
    List(Box<Ts>),
    Object(Vec<TsField>),
    /// An interface, a type alias or a const array, by name.
    Ref(String),
    Union(Vec<Ts>),
    Other(String),
}

#[derive(Debug, Clone, PartialEq)]
struct TsField {
    name: String,
    optional: bool,
    ty: Ts,
}

/// What protocol.ts declares: interfaces, type aliases, const arrays of strings and const
/// objects of strings, and string constants.
#[derive(Default)]
struct TsFile {
    interfaces: BTreeMap<String, Vec<TsField>>,
    aliases: BTreeMap<String, String>,
    arrays: BTreeMap<String, Vec<String>>,
    objects: BTreeMap<String, BTreeMap<String, String>>,
    strings: BTreeMap<String, String>,
}

/// The text without `//` and `/* */` comments (protocol.ts has no `//` inside strings).
fn strip_comments(src: &str) -> String {
    let block = Regex::new(r"(?s)/\*.*?\*/").unwrap();
    let line = Regex::new(r"(?m)//.*$").unwrap();
    line.replace_all(&block.replace_all(src, ""), "")
        .into_owned()
}

/// From `open` (the index of an opening `{`, `[` or `(`) to its closing one, exclusive of both.
/// Only that kind of bracket is counted.
fn balanced(s: &str, open: usize) -> &str {
    let first = s[open..].chars().next();
    let (o, c) = match first {
        Some('{') => ('{', '}'),
        Some('[') => ('[', ']'),
        Some('(') => ('(', ')'),
        _ => panic!("no bracket at {:?}", &s[open..s.len().min(open + 40)]),
    };
    let mut depth = 0;
    for (i, ch) in s[open..].char_indices() {
        if ch == o {
            depth += 1;
        } else if ch == c {
            depth -= 1;
            if depth == 0 {
                return &s[open + 1..open + i];
            }
        }
    }
    panic!(
        "unbalanced {o} after {:?}",
        &s[open..s.len().min(open + 40)]
    )
}

/// Splits at `sep` outside brackets and quotes.
fn split_top(s: &str, seps: &[char]) -> Vec<String> {
    let (mut out, mut cur, mut depth, mut quote) = (Vec::new(), String::new(), 0i32, None);
    for c in s.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '{' | '[' | '(' | '<') => depth += 1,
            (None, '}' | ']' | ')' | '>') => depth -= 1,
            (None, c) if depth == 0 && seps.contains(&c) => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out.into_iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

fn parse_members(body: &str) -> Vec<TsField> {
    split_top(body, &[';', '\n', ','])
        .into_iter()
        .filter_map(|m| {
            let (name, ty) = m.split_once(':')?;
            let name = name.trim();
            let (name, optional) = match name.strip_suffix('?') {
                Some(n) => (n, true),
                None => (name, false),
            };
            Some(TsField {
                name: name.to_owned(),
                optional,
                ty: parse_ts_type(ty),
            })
        })
        .collect()
}

fn parse_ts_type(s: &str) -> Ts {
    let s = s.trim();
    let alternatives = split_top(s, &['|']);
    if alternatives.len() > 1 {
        return Ts::Union(alternatives.iter().map(|a| parse_ts_type(a)).collect());
    }
    if let Some(inner) = s.strip_suffix("[]") {
        return Ts::List(Box::new(parse_ts_type(inner)));
    }
    let typeof_array = Regex::new(r"^\(typeof (\w+)\)\[number\]$").unwrap();
    if let Some(c) = typeof_array.captures(s) {
        return Ts::Ref(c[1].to_owned());
    }
    if s.starts_with('(') && s.ends_with(')') {
        return parse_ts_type(&s[1..s.len() - 1]);
    }
    if s.starts_with('{') && s.ends_with('}') {
        return Ts::Object(parse_members(balanced(s, 0)));
    }
    if (s.starts_with('\'') || s.starts_with('"')) && s.len() >= 2 {
        return Ts::Literal(s[1..s.len() - 1].to_owned());
    }
    match s {
        "boolean" => Ts::Boolean,
        "number" => Ts::Number,
        "string" => Ts::String,
        "unknown" | "any" => Ts::Unknown,
        "null" | "undefined" => Ts::Null,
        _ if Regex::new(r"^\w+$").unwrap().is_match(s) => Ts::Ref(s.to_owned()),
        _ => Ts::Other(s.to_owned()),
    }
}

fn parse_ts(src: &str) -> TsFile {
    let src = strip_comments(src);
    let mut f = TsFile::default();
    let iface = Regex::new(r"export interface (\w+)\s*\{").unwrap();
    for c in iface.captures_iter(&src) {
        let open = c.get(0).unwrap().end() - 1;
        f.interfaces
            .insert(c[1].to_owned(), parse_members(balanced(&src, open)));
    }
    let alias = Regex::new(r"export type (\w+)\s*=\s*([^;]+);").unwrap();
    for c in alias.captures_iter(&src) {
        f.aliases.insert(c[1].to_owned(), c[2].trim().to_owned());
    }
    let konst = Regex::new(r"export const (\w+)\s*=\s*").unwrap();
    let string = Regex::new(r#"^['"]([^'"]*)['"]"#).unwrap();
    for c in konst.captures_iter(&src) {
        let rest = &src[c.get(0).unwrap().end()..];
        let name = c[1].to_owned();
        if rest.starts_with('[') {
            let items = split_top(balanced(rest, 0), &[','])
                .into_iter()
                .map(|i| i.trim_matches(['\'', '"']).to_owned())
                .collect();
            f.arrays.insert(name, items);
        } else if rest.starts_with('{') {
            let entries = split_top(balanced(rest, 0), &[',', '\n'])
                .into_iter()
                .filter_map(|e| {
                    let (k, v) = e.split_once(':')?;
                    Some((
                        k.trim().to_owned(),
                        v.trim().trim_matches(['\'', '"']).to_owned(),
                    ))
                })
                .collect();
            f.objects.insert(name, entries);
        } else if let Some(s) = string.captures(rest) {
            f.strings.insert(name, s[1].to_owned());
        }
    }
    f
}

struct TsCheck<'a> {
    file: &'a str,
    ts: &'a TsFile,
    problems: Vec<String>,
    seen: BTreeSet<String>,
}

impl TsCheck<'_> {
    fn problem(&mut self, at: &str, what: String) {
        self.problems.push(format!("{}: {at}: {what}", self.file));
    }

    /// An identifier resolved to what it stands for (an alias's text, a const array's strings).
    fn resolve(&self, ty: &Ts) -> Ts {
        match ty {
            Ts::Ref(name) => {
                if let Some(text) = self.ts.aliases.get(name) {
                    return self.resolve(&parse_ts_type(text));
                }
                if let Some(items) = self.ts.arrays.get(name) {
                    return Ts::Union(items.iter().cloned().map(Ts::Literal).collect());
                }
                ty.clone()
            }
            other => other.clone(),
        }
    }

    /// The interface `name` against an object shape (once: commands share argument types).
    fn interface(&mut self, name: &str, shape: &Shape) {
        if !self.seen.insert(name.to_owned()) {
            return;
        }
        match self.ts.interfaces.get(name).cloned() {
            Some(fields) => self.fields(name, &fields, shape),
            None => self.problem(name, "no such interface".into()),
        }
    }

    fn fields(&mut self, at: &str, ts: &[TsField], shape: &Shape) {
        let Shape::Object { fields, open, .. } = peel(shape).1 else {
            return self.problem(at, format!("an object here, the server has {shape}"));
        };
        let rust: BTreeMap<&str, &Shape> = fields.iter().map(|(n, s)| (n.as_str(), s)).collect();
        for f in ts {
            match rust.get(f.name.as_str()) {
                Some(s) => self.field(&format!("{at}.{}", f.name), f, s),
                None => self.problem(
                    &format!("{at}.{}", f.name),
                    "not a field the server has".into(),
                ),
            }
        }
        if !open {
            for name in rust.keys() {
                if !ts.iter().any(|f| f.name == *name) {
                    self.problem(at, format!("lacks field `{name}`"));
                }
            }
        }
    }

    fn field(&mut self, at: &str, f: &TsField, shape: &Shape) {
        let ty = self.resolve(&f.ty);
        let (alternatives, nullable) = match &ty {
            Ts::Union(a) => {
                let rest: Vec<Ts> = a.iter().filter(|t| **t != Ts::Null).cloned().collect();
                let nullable = rest.len() < a.len();
                (rest, nullable)
            }
            t => (vec![t.clone()], false),
        };
        let (options, base) = peel(shape);
        let ok = match options {
            0 => !f.optional && !nullable,
            1 => f.optional || nullable,
            _ => f.optional && nullable,
        };
        if !ok {
            let said = match (f.optional, nullable) {
                (false, false) => "required",
                (true, false) => "optional",
                (false, true) => "nullable",
                (true, true) => "optional and nullable",
            };
            let server = match options {
                0 => "is always there",
                1 => "may be absent or null",
                _ => "may be absent, and null when present",
            };
            self.problem(at, format!("{said} here, but on the server it {server}"));
        }
        let ty = match alternatives.as_slice() {
            [one] => self.resolve(one),
            many => Ts::Union(many.to_vec()),
        };
        self.base(at, &ty, base);
    }

    fn base(&mut self, at: &str, ty: &Ts, shape: &Shape) {
        match (shape, ty) {
            (Shape::Any, _) => {}
            (Shape::Bool, Ts::Boolean)
            | (Shape::Integer | Shape::Number, Ts::Number)
            | (Shape::String, Ts::String) => {}
            (Shape::Enum(values), Ts::Union(_) | Ts::Literal(_)) => {
                let literals: BTreeSet<String> = match ty {
                    Ts::Union(a) => a
                        .iter()
                        .filter_map(|t| match t {
                            Ts::Literal(l) => Some(l.clone()),
                            _ => None,
                        })
                        .collect(),
                    Ts::Literal(l) => BTreeSet::from([l.clone()]),
                    _ => unreachable!(),
                };
                let want: BTreeSet<String> = values.iter().cloned().collect();
                if literals != want {
                    self.problem(at, format!("{literals:?}, the server has {want:?}"));
                }
            }
            (Shape::List(item), Ts::List(t)) => {
                let t = self.resolve(t);
                self.base(&format!("{at}[]"), &t, peel(item).1)
            }
            (Shape::Object { name, open, .. }, Ts::Ref(r)) => {
                if !open && r != name {
                    self.problem(at, format!("names {r}, the server's type is {name}"));
                }
                match self.ts.interfaces.get(r).cloned() {
                    Some(fields) => self.fields(r, &fields, shape),
                    None => self.problem(at, format!("{r} is not an interface here")),
                }
            }
            (Shape::Object { .. }, Ts::Object(fields)) => self.fields(at, fields, shape),
            _ => self.problem(at, format!("{ty:?} here, the server has {shape}")),
        }
    }
}

#[test]
fn protocol_ts_declares_the_server_types() {
    let d = describe();
    let file = "editors/vscode/src/protocol.ts";
    let ts = parse_ts(&read(file));
    let mut c = TsCheck {
        file,
        ts: &ts,
        problems: Vec::new(),
        seen: BTreeSet::new(),
    };
    assert!(
        ts.interfaces.len() >= 10,
        "{file}: found only {:?}",
        ts.interfaces.keys()
    );

    // Settings: every field optional, named and typed as the server reads it.
    let settings = Shape::Object {
        name: "ServerSettings".into(),
        fields: d
            .settings
            .iter()
            .map(|s| (s.name.clone(), s.shape.clone()))
            .collect(),
        open: false,
    };
    c.interface("ServerSettings", &settings);
    let diagnostics = d.settings.iter().find(|s| s.name == "diagnostics").unwrap();
    let listed = c.resolve(&Ts::Ref("DIAGNOSTICS_SETTINGS".into()));
    c.base("DIAGNOSTICS_SETTINGS", &listed, peel(&diagnostics.shape).1);

    // Commands: the `Command` constants, then each argument and result type by its Rust name.
    let constants = ts.objects.get("Command").cloned().unwrap_or_default();
    let declared: BTreeSet<&str> = constants.values().map(String::as_str).collect();
    let server: BTreeSet<&str> = d.commands.iter().map(|c| c.name).collect();
    if declared != server {
        c.problem(
            "Command",
            format!("lists {declared:?}, the server has {server:?}"),
        );
    }
    for (key, name) in &constants {
        if name.strip_prefix("sessionlens.") != Some(key.as_str()) {
            c.problem(
                &format!("Command.{key}"),
                format!("should be named after {name}"),
            );
        }
    }
    for command in &d.commands {
        if let Some(args) = &command.args {
            c.interface(object_name(args).unwrap(), args);
        }
        c.interface(object_name(&command.result).unwrap(), &command.result);
    }

    // The notification.
    for (method, params) in &d.notifications {
        if ts.strings.get("COMMAND_FINISHED") != Some(&method.to_string()) {
            c.problem(
                "COMMAND_FINISHED",
                format!("is {:?}, not {method}", ts.strings.get("COMMAND_FINISHED")),
            );
        }
        c.interface(object_name(params).unwrap(), params);
    }
    check(c.problems);
}

#[test]
fn settings_ts_forwards_every_setting_and_restarts_for_start_only_ones() {
    let d = describe();
    let file = "editors/vscode/src/settings.ts";
    let src = read(file);
    let mut problems = Vec::new();
    for s in &d.settings {
        if !src.contains(&format!("'{}'", s.name)) {
            problems.push(format!("{file}: serverSettings() never reads '{}'", s.name));
        }
    }
    let restart = Regex::new(r"RESTART_SETTINGS\s*=\s*\[([^\]]*)\]").unwrap();
    let listed: BTreeSet<String> = restart
        .captures(&src)
        .map(|c| split_top(&c[1], &[',']))
        .expect("settings.ts: RESTART_SETTINGS")
        .into_iter()
        .map(|s| s.trim_matches(['\'', '"']).to_owned())
        .collect();
    for s in d.settings.iter().filter(|s| s.at_start) {
        if !listed.contains(&s.name) {
            problems.push(format!(
                "{file}: RESTART_SETTINGS lacks '{}', which the server reads only at start",
                s.name
            ));
        }
    }
    for name in &listed {
        let at_start = d.settings.iter().any(|s| &s.name == name && s.at_start);
        if !at_start && !VSCODE_ONLY.contains(&name.as_str()) {
            problems.push(format!(
                "{file}: RESTART_SETTINGS restarts for '{name}', which the server takes at any time"
            ));
        }
    }
    check(problems);
}

// ---------------------------------------------------------------------------------------------
// Lua

#[derive(Debug, PartialEq)]
enum Lua {
    Value(Value),
    Nil,
    Table,
}

/// The `key = value` entries at the top level of the table that starts at `open` (a `{`).
fn lua_table(src: &str, open: usize) -> BTreeMap<String, Lua> {
    let body = balanced(src, open);
    let entry = Regex::new(r"^\s*(\w+)\s*=\s*(.+?),?\s*$").unwrap();
    let mut out = BTreeMap::new();
    let mut depth = 0;
    for line in body.lines() {
        let code = line.split("--").next().unwrap_or("");
        if depth == 0 {
            if let Some(c) = entry.captures(code) {
                let v = c[2].trim();
                // An empty table is what a list setting's default `[]` is in Lua.
                let value = if v == "{}" {
                    Lua::Value(Value::Array(Vec::new()))
                } else if v.starts_with('{') {
                    Lua::Table
                } else if v == "nil" {
                    Lua::Nil
                } else if let Some(s) = v.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
                    Lua::Value(Value::from(s))
                } else {
                    Lua::Value(serde_json::from_str(v).unwrap_or_else(|_| Value::from(v)))
                };
                out.insert(c[1].to_owned(), value);
            }
        }
        depth += code.matches('{').count() as i32 - code.matches('}').count() as i32;
    }
    out
}

#[test]
fn neovim_config_sends_every_setting_with_the_server_default() {
    let d = describe();
    let file = "editors/neovim/lua/sessionlens/config.lua";
    let src = read(file);
    let mut problems = Vec::new();
    let defaults_at = src.find("M.defaults = {").expect("config.lua: M.defaults") + 13;
    let defaults = lua_table(&src, defaults_at);
    assert!(defaults.len() > 5, "{file}: read {defaults:?}");

    // server_settings(): which option each setting comes from, and whether only at start.
    let start = src
        .find("function M.server_settings(")
        .expect("config.lua: server_settings");
    let body = &src[start..start + src[start..].find("\nend").unwrap()];
    let (always, at_start) = body.split_once("if at_start then").unwrap_or((body, ""));
    let sent = Regex::new(r"(?m)^\s*(?:s\.)?(\w+)\s*=.*?\bo\.(\w+)").unwrap();
    let mut sends: BTreeMap<String, (String, bool)> = BTreeMap::new();
    for (part, only_at_start) in [(always, false), (at_start, true)] {
        for c in sent.captures_iter(part) {
            sends.insert(c[1].to_owned(), (c[2].to_owned(), only_at_start));
        }
    }
    let validate = Regex::new(r"validate\('(\w+)', o\.\w+, '(\w+)'(, true)?\)").unwrap();
    let validated: BTreeMap<String, (String, bool)> = validate
        .captures_iter(&src)
        .map(|c| (c[1].to_owned(), (c[2].to_owned(), c.get(3).is_some())))
        .collect();
    let help = read("editors/neovim/doc/sessionlens.txt");
    let tables = Regex::new(r"local \w+ = \{([^}]*)\}").unwrap();

    for s in &d.settings {
        let Some((option, only_at_start)) = sends.get(&s.name) else {
            problems.push(format!(
                "{file}: server_settings() never sends `{}`",
                s.name
            ));
            continue;
        };
        if *only_at_start != s.at_start {
            problems.push(format!(
                "{file}: server_settings() sends `{}` {}, the server reads it {}",
                s.name,
                if *only_at_start {
                    "only at start"
                } else {
                    "at any time"
                },
                if s.at_start {
                    "only at start"
                } else {
                    "at any time"
                },
            ));
        }
        let at = format!("{file}: option `{option}` (setting `{}`)", s.name);
        match (defaults.get(option), &s.default) {
            (None, _) => problems.push(format!("{at} is not in M.defaults")),
            (Some(Lua::Nil), None) => {}
            (Some(Lua::Value(v)), Some(want)) if same_number(v, want) => {}
            (Some(got), want) => problems.push(format!(
                "{at} defaults to {}, the server to {}",
                match got {
                    Lua::Value(v) => v.to_string(),
                    Lua::Nil => "nil".into(),
                    Lua::Table => "a table".into(),
                },
                want.as_ref()
                    .map_or("its own default".into(), Value::to_string)
            )),
        }
        let base = peel(&s.shape).1;
        let kind = match base {
            Shape::Bool => "boolean",
            Shape::Integer | Shape::Number => "number",
            Shape::List(_) => "table",
            _ => "string",
        };
        match validated.get(option) {
            Some((k, optional)) if k == kind && *optional == s.default.is_none() => {}
            got => problems.push(format!(
                "{at} is validated as {got:?}, expected '{kind}'{}",
                if s.default.is_none() {
                    ", optional"
                } else {
                    ""
                }
            )),
        }
        if let Shape::Enum(values) = base {
            let want: BTreeSet<&str> = values.iter().map(String::as_str).collect();
            let found = tables.captures_iter(&src).any(|c| {
                let keys: BTreeSet<&str> = c
                    .get(1)
                    .unwrap()
                    .as_str()
                    .split(',')
                    .filter_map(|e| e.split('=').next())
                    .map(str::trim)
                    .filter(|k| !k.is_empty())
                    .collect();
                keys == want
            });
            if !found {
                problems.push(format!(
                    "{at}: no `local … = {{ … }}` table of exactly {want:?} to check it against"
                ));
            }
        }
        if !help.contains(&format!("*sessionlens-option-{option}*")) {
            problems.push(format!(
                "editors/neovim/doc/sessionlens.txt: no *sessionlens-option-{option}* entry"
            ));
        }
    }
    let known: BTreeSet<&str> = d.settings.iter().map(|s| s.name.as_str()).collect();
    for name in sends.keys() {
        if !known.contains(name.as_str()) {
            problems.push(format!(
                "{file}: server_settings() sends `{name}`, which is not a server setting"
            ));
        }
    }
    check(problems);
}

// ---------------------------------------------------------------------------------------------
// docs/lsp-extensions.md

/// The rows of the first table after `heading`, cells split at unescaped `|`.
fn md_table(doc: &str, heading: &str) -> Vec<Vec<String>> {
    let at = doc
        .find(heading)
        .unwrap_or_else(|| panic!("docs/lsp-extensions.md: no {heading:?}"));
    let rest = &doc[at..];
    let rows: Vec<Vec<String>> = rest
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .map(|l| {
            let l = l.trim().trim_matches('|').replace("\\|", "\u{0}");
            l.split('|')
                .map(|c| c.replace('\u{0}', "|").trim().to_owned())
                .collect()
        })
        .collect();
    assert!(
        !rows.is_empty(),
        "docs/lsp-extensions.md: no table under {heading:?}"
    );
    rows
}

/// The text of a cell that is one code span.
fn backticked(s: &str) -> Option<&str> {
    s.strip_prefix('`')?
        .strip_suffix('`')
        .filter(|inner| !inner.contains('`'))
}

/// Argument fields as the doc lists them, in order: `name` or `name?` (optional), outside
/// parentheses.
fn doc_arguments(cell: &str) -> Vec<(String, bool)> {
    let mut outside = String::new();
    let mut depth = 0;
    for c in cell.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            c if depth == 0 => outside.push(c),
            _ => {}
        }
    }
    Regex::new(r"`(\w+)(\?)?`")
        .unwrap()
        .captures_iter(&outside)
        .map(|c| (c[1].to_owned(), c.get(2).is_some()))
        .collect()
}

/// `{ a, b?, c: { d, e } | null }` → a, b, c with c's own fields.
fn doc_object(s: &str) -> BTreeMap<String, Option<BTreeMap<String, ()>>> {
    split_top(s, &[','])
        .into_iter()
        .filter(|m| m != "…" && m != "...")
        .map(|m| {
            let (name, ty) = m.split_once(':').unwrap_or((&m, ""));
            let name = name.trim().trim_end_matches('?').to_owned();
            let nested = ty.find('{').map(|i| {
                doc_object(balanced(ty, i))
                    .into_keys()
                    .map(|k| (k, ()))
                    .collect()
            });
            (name, nested)
        })
        .collect()
}

fn doc_result(
    problems: &mut Vec<String>,
    at: &str,
    doc: &BTreeMap<String, Option<BTreeMap<String, ()>>>,
    shape: &Shape,
) {
    let Shape::Object { fields, open, .. } = peel(shape).1 else {
        return;
    };
    for (name, nested) in doc {
        match fields.iter().find(|(f, _)| f == name) {
            None => problems.push(format!(
                "docs/lsp-extensions.md: {at}: `{name}` is not in the server's result"
            )),
            Some((_, s)) => {
                if let Some(nested) = nested {
                    let inner: BTreeMap<String, Option<BTreeMap<String, ()>>> =
                        nested.keys().map(|k| (k.clone(), None)).collect();
                    doc_result(problems, &format!("{at}.{name}"), &inner, s);
                }
            }
        }
    }
    if !open {
        for (f, s) in fields {
            match doc.get(f) {
                None => problems.push(format!("docs/lsp-extensions.md: {at}: lacks `{f}`")),
                Some(None) if matches!(peel(s).1, Shape::Object { .. }) => problems.push(format!(
                    "docs/lsp-extensions.md: {at}.{f}: its fields are not listed"
                )),
                _ => {}
            }
        }
    }
}

#[test]
fn docs_list_every_setting_command_and_notification() {
    let d: Description = describe();
    let doc = read("docs/lsp-extensions.md");
    let mut problems = Vec::new();
    let file = "docs/lsp-extensions.md";

    // Settings: | `name` | type | default | notes |
    let rows = md_table(&doc, "## Settings");
    let mut listed = BTreeSet::new();
    for row in &rows {
        let [name, ty, default, notes] = &row[..] else {
            problems.push(format!("{file}: a settings row of {} cells", row.len()));
            continue;
        };
        let Some(name) = backticked(name) else {
            problems.push(format!("{file}: settings row {name:?} is not a `name`"));
            continue;
        };
        listed.insert(name.to_owned());
        let Some(s) = d.settings.iter().find(|s| s.name == name) else {
            problems.push(format!("{file}: setting `{name}` is not a server setting"));
            continue;
        };
        let at = format!("{file}: setting `{name}`");
        let base = peel(&s.shape).1;
        let ok = match base {
            Shape::Bool => ty == "bool",
            Shape::Integer | Shape::Number => ty == "number",
            Shape::String => ty == "string" || ty == "path",
            Shape::List(item) if **item == Shape::String => ty == "list of strings",
            Shape::Enum(values) => {
                let literals: Vec<String> = ty
                    .split('|')
                    .map(|v| v.trim().trim_matches('`').trim_matches('"').to_owned())
                    .collect();
                &literals == values
            }
            _ => false,
        };
        if !ok {
            problems.push(format!("{at}: type {ty:?}, the server reads {base}"));
        }
        match &s.default {
            Some(want) => {
                let got = backticked(default)
                    .map(|v| serde_json::from_str::<Value>(v).unwrap_or_else(|_| Value::from(v)));
                if !got.as_ref().is_some_and(|g| same_number(g, want)) {
                    problems.push(format!("{at}: default {default:?}, the server's is {want}"));
                }
            }
            None => {
                if backticked(default).is_some() {
                    problems.push(format!(
                        "{at}: default {default:?}, but the server works it out itself"
                    ));
                }
            }
        }
        if notes.contains("At start only") != s.at_start {
            problems.push(format!(
                "{at}: \"At start only.\" {} its notes",
                if s.at_start {
                    "missing from"
                } else {
                    "wrongly in"
                }
            ));
        }
    }
    for s in &d.settings {
        if !listed.contains(&s.name) {
            problems.push(format!("{file}: the settings table lacks `{}`", s.name));
        }
    }

    // Commands: | `name` | arguments | result | CLI twin |
    let rows = md_table(&doc, "## Commands");
    let mut listed = BTreeSet::new();
    for row in &rows {
        let (Some(name), Some(args), Some(result)) = (
            row.first().and_then(|n| backticked(n)),
            row.get(1),
            row.get(2),
        ) else {
            problems.push(format!("{file}: a commands row {row:?}"));
            continue;
        };
        listed.insert(name.to_owned());
        let Some(c) = d.commands.iter().find(|c| c.name == name) else {
            problems.push(format!("{file}: command `{name}` is not a server command"));
            continue;
        };
        let at = format!("{file}: command `{name}`");
        let order = doc_arguments(args);
        if let (Some(main), Some((first, _))) = (c.main, order.first()) {
            if first != main {
                problems.push(format!(
                    "{at}: `{first}` is listed first, but a bare argument fills `{main}`"
                ));
            }
        }
        let documented: BTreeMap<String, bool> = order.into_iter().collect();
        let fields: BTreeMap<String, bool> = c
            .args
            .as_ref()
            .map(|a| {
                a.fields()
                    .iter()
                    .map(|(n, s)| (n.clone(), peel(s).0 > 0))
                    .collect()
            })
            .unwrap_or_default();
        for (f, optional) in &fields {
            match documented.get(f) {
                None => problems.push(format!("{at}: argument `{f}` is not listed")),
                Some(o) if o != optional => problems.push(format!(
                    "{at}: argument `{f}` is {} on the server, listed as `{f}{}`",
                    if *optional { "optional" } else { "required" },
                    if *o { "?" } else { "" }
                )),
                _ => {}
            }
        }
        for f in documented.keys() {
            if !fields.contains_key(f) {
                problems.push(format!("{at}: argument `{f}` is not one the server reads"));
            }
        }
        let at = format!("command `{name}` result");
        match result.find('{') {
            Some(i) => doc_result(
                &mut problems,
                &at,
                &doc_object(balanced(result, i)),
                &c.result,
            ),
            None => {
                let names: BTreeMap<String, Option<BTreeMap<String, ()>>> = doc_arguments(result)
                    .into_iter()
                    .map(|(k, _)| (k, None))
                    .collect();
                if names.is_empty() {
                    problems.push(format!("{file}: {at}: names no field"));
                }
                doc_result(&mut problems, &at, &names, &c.result);
            }
        }
    }
    for c in &d.commands {
        if !listed.contains(c.name) {
            problems.push(format!("{file}: the commands table lacks `{}`", c.name));
        }
    }

    // Notifications: the heading names the method, the JSON example shows every field.
    for (method, params) in &d.notifications {
        let heading = format!("## Notification `{method}`");
        let Some(at) = doc.find(&heading) else {
            problems.push(format!("{file}: no {heading:?}"));
            continue;
        };
        let example = doc[at..]
            .split("```json")
            .nth(1)
            .and_then(|s| s.split("```").next())
            .expect("the notification's JSON example");
        let example: Value = serde_json::from_str(example).expect("the example is JSON");
        let shown: BTreeSet<&str> = example
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let fields: BTreeSet<&str> = params.fields().iter().map(|(n, _)| n.as_str()).collect();
        if shown != fields {
            problems.push(format!(
                "{file}: {method} example shows {shown:?}, the server reads {fields:?}"
            ));
        }
    }
    check(problems);
}

/// The parsers above, on text shaped like the files they read, so a test that passes is one that
/// read something.
#[test]
fn the_parsers_read_what_they_are_given() {
    let ts = parse_ts(
        "// x\nexport interface A {\n  /** doc */\n  a?: string;\n  b: { c: number; d: 'x' | 'y' }[] | null;\n}\n\
         export const L = ['p', 'q'] as const;\nexport type T = (typeof L)[number];\n\
         export const C = {\n  k: 'v',\n} as const;\nexport const S = 'str';\n",
    );
    let a = &ts.interfaces["A"];
    assert_eq!(a[0].name, "a");
    assert!(a[0].optional);
    assert_eq!(a[0].ty, Ts::String);
    assert!(matches!(&a[1].ty, Ts::Union(u) if u.len() == 2 && u[1] == Ts::Null));
    assert_eq!(ts.arrays["L"], ["p", "q"]);
    assert_eq!(ts.aliases["T"], "(typeof L)[number]");
    assert_eq!(ts.objects["C"]["k"], "v");
    assert_eq!(ts.strings["S"], "str");

    let lua = "M.defaults = {\n  a = true,\n  b = 'x', -- note\n  c = {\n    d = 1,\n  },\n  e = nil,\n  f = 300,\n}\n";
    let t = lua_table(lua, lua.find('{').unwrap());
    assert_eq!(t["a"], Lua::Value(Value::Bool(true)));
    assert_eq!(t["b"], Lua::Value(Value::from("x")));
    assert_eq!(t["c"], Lua::Table);
    assert_eq!(t["e"], Lua::Nil);
    assert_eq!(t["f"], Lua::Value(Value::from(300)));
    assert!(!t.contains_key("d"));

    assert_eq!(
        doc_arguments("`uri`, `session?` (id; default `true`)"),
        [("uri".to_owned(), false), ("session".to_owned(), true)]
    );
    let o = doc_object(" a, b?, c: { d, e } | null, … ");
    assert_eq!(o.keys().collect::<Vec<_>>(), ["a", "b", "c"]);
    assert_eq!(o["c"].as_ref().unwrap().len(), 2);
}
