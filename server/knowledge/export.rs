//! Exports that prove themselves. `sessionlens export` writes every event of a scope (everything,
//! or the sessions run in one folder) as JSON lines together with enough of the chain to check
//! that nothing was left out or changed: every record of the log appears in order, with its link
//! hash and the digest of its content; the events in scope carry their canonical JSON (so their
//! digest can be recomputed), the others and the erased ones only their digest. `verify_jsonl`
//! recomputes every link from the first record to the head the header names — the head `sessionlens
//! verify` prints for the store — so an export with an event edited, dropped, reordered or
//! added fails, and an export of a part still proves that part complete. The insights of the
//! scope follow the chain as derived data: useful to a reader, not covered by it.
//!
//! Markdown is the same content for people: each session's timeline and the insights, no proof.

use crate::normalize::{ERASURES, Event};
use crate::store::{ChainRecord, Store, codec};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::collections::HashMap;
use std::io::{BufRead, Write};

use super::scope::Scope;

/// The first line of a JSON-lines export.
#[derive(Debug, Serialize, Deserialize)]
pub struct Header {
    /// The export format's version.
    pub sessionlens_export: u32,
    /// The chain head the export ends at: `verify` prints the same for the store.
    pub head_seq: u64,
    pub head: String,
    /// The folder whose sessions are in scope, `None` for everything.
    pub scope: Option<String>,
    pub exported_at: String,
}

/// One record of the chain in an export.
#[derive(Serialize, Deserialize)]
struct Line<'a> {
    seq: u64,
    hash: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    digest: Option<String>,
    /// The event's canonical JSON, byte for byte, when it is in scope.
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    event: Option<&'a RawValue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    erased: Option<codec::Tombstone>,
}

/// What an export held.
#[derive(Debug, Default, Serialize)]
pub struct Exported {
    pub records: u64,
    pub events: u64,
    pub insights: u64,
}

/// Writes the JSON-lines export of `scope` (everything when `None`) to `out`.
pub fn write_jsonl(
    store: &Store,
    scope: Option<&Scope>,
    out: &mut dyn Write,
) -> anyhow::Result<Exported> {
    let in_scope = sessions_in(store, scope)?;
    let head = store.head()?;
    let header = Header {
        sessionlens_export: 1,
        head_seq: head.0,
        head: hex::encode(head.1),
        scope: scope.map(|s| s.root().display().to_string()),
        exported_at: jiff::Timestamp::now().to_string(),
    };
    serde_json::to_writer(&mut *out, &header)?;
    writeln!(out)?;
    let mut done = Exported::default();
    let mut failed: Option<std::io::Error> = None;
    let mut kept: Vec<Event> = Vec::new();
    store.each_record(|r: ChainRecord| {
        if failed.is_some() || r.seq > head.0 {
            return Ok(());
        }
        let (event, erased) = match &r.content {
            Ok(canonical) => {
                let parsed: Option<Event> = serde_json::from_slice(canonical).ok();
                let wanted = parsed
                    .as_ref()
                    .is_some_and(|e| e.session == ERASURES || in_scope(&e.session));
                let raw = if wanted {
                    std::str::from_utf8(canonical)
                        .ok()
                        .and_then(|s| RawValue::from_string(s.to_owned()).ok())
                } else {
                    None
                };
                if let (Some(e), true) = (parsed, raw.is_some()) {
                    kept.push(e);
                }
                (raw, None)
            }
            Err(t) => (None, Some(t.clone())),
        };
        done.records += 1;
        done.events += u64::from(event.is_some());
        let line = Line {
            seq: r.seq,
            hash: hex::encode(r.hash),
            digest: Some(hex::encode(r.digest.unwrap_or_else(|| {
                codec::digest(r.content.as_deref().unwrap_or_default())
            }))),
            event: event.as_deref(),
            erased,
        };
        let written = serde_json::to_writer(&mut *out, &line)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out));
        if let Err(e) = written {
            failed = Some(e);
        }
        Ok(())
    })?;
    if let Some(e) = failed {
        return Err(e.into());
    }
    let k = super::snapshot::Knowledge::load(store)?;
    let sessions: std::collections::HashSet<&str> =
        kept.iter().map(|e| e.session.as_str()).collect();
    for i in k
        .insights
        .iter()
        .filter(|i| sessions.contains(i.session.as_str()))
    {
        serde_json::to_writer(&mut *out, &serde_json::json!({ "insight": i }))?;
        writeln!(out)?;
        done.insights += 1;
    }
    Ok(done)
}

/// Which sessions are in scope, by id.
fn sessions_in(store: &Store, scope: Option<&Scope>) -> anyhow::Result<impl Fn(&str) -> bool> {
    let cwds: HashMap<String, Option<String>> = store
        .sessions()?
        .into_iter()
        .map(|s| (s.id, s.cwd))
        .collect();
    let scope = scope.cloned();
    Ok(move |session: &str| match &scope {
        None => true,
        Some(scope) => cwds
            .get(session)
            .and_then(|c| c.as_deref())
            .is_some_and(|c| scope.contains(c)),
    })
}

/// What checking an export found.
#[derive(Debug, Default, Serialize)]
pub struct ExportCheck {
    pub records: u64,
    pub events: u64,
    pub erased: u64,
    pub head: String,
    /// The first thing that does not hold, if any.
    pub failure: Option<String>,
}

/// Recomputes every link of an export from its first record to the head its header names.
pub fn verify_jsonl(input: impl BufRead) -> anyhow::Result<ExportCheck> {
    let mut lines = input.lines();
    let header: Header = match lines.next() {
        Some(line) => serde_json::from_str(&line?)
            .map_err(|e| anyhow::anyhow!("the first line is no export header: {e}"))?,
        None => anyhow::bail!("the export is empty"),
    };
    let mut check = ExportCheck {
        head: header.head.clone(),
        ..ExportCheck::default()
    };
    let fail = |mut c: ExportCheck, why: String| {
        c.failure = Some(why);
        Ok(c)
    };
    let mut prev = [0u8; 32];
    let mut expected = 1u64;
    for (n, line) in lines.enumerate() {
        let line = line?;
        if line.trim().is_empty() || line.starts_with(r#"{"insight""#) {
            continue;
        }
        let l: Line = match serde_json::from_str(&line) {
            Ok(l) => l,
            Err(e) => return fail(check, format!("line {} is no chain record: {e}", n + 2)),
        };
        if l.seq != expected {
            return fail(
                check,
                format!(
                    "record #{expected} is missing (line {} is #{})",
                    n + 2,
                    l.seq
                ),
            );
        }
        let digest = match (&l.event, &l.digest) {
            (Some(event), Some(stated)) => {
                let digest = codec::digest(event.get().as_bytes());
                if hex::encode(digest) != *stated {
                    return fail(
                        check,
                        format!("event #{} does not match its digest: it was edited", l.seq),
                    );
                }
                check.events += 1;
                digest
            }
            (None, Some(stated)) => {
                let mut d = [0u8; 32];
                if hex::decode_to_slice(stated, &mut d).is_err() {
                    return fail(check, format!("record #{} has no valid digest", l.seq));
                }
                check.erased += u64::from(l.erased.is_some());
                d
            }
            (_, None) => return fail(check, format!("record #{} has no digest", l.seq)),
        };
        prev = codec::chain_hash(&prev, &digest);
        if hex::encode(prev) != l.hash {
            return fail(
                check,
                format!("record #{} does not link to the one before it", l.seq),
            );
        }
        check.records += 1;
        expected += 1;
    }
    if check.records != header.head_seq || hex::encode(prev) != header.head {
        let why = format!(
            "the records end at #{} but the header names head #{} {}: records were cut off",
            check.records,
            header.head_seq,
            &header.head[..header.head.len().min(16)]
        );
        return fail(check, why);
    }
    Ok(check)
}

/// Writes the markdown export: each session in scope, its timeline, then its insights.
pub fn write_markdown(
    store: &Store,
    scope: Option<&Scope>,
    out: &mut dyn Write,
) -> anyhow::Result<Exported> {
    let in_scope = sessions_in(store, scope)?;
    let mut done = Exported::default();
    let k = super::snapshot::Knowledge::load(store)?;
    writeln!(
        out,
        "# Session Lens export{}\n",
        scope
            .map(|s| format!(" — {}", s.root().display()))
            .unwrap_or_default()
    )?;
    for s in store.sessions()? {
        if !in_scope(&s.id) {
            continue;
        }
        let events = store.session_events(&s.id)?;
        done.events += events.len() as u64;
        writeln!(out, "## Session {}\n\n```text", s.id)?;
        let events: Vec<Event> = events.into_iter().map(|(_, e)| e).collect();
        super::timeline::print_timeline(&mut &mut *out, Some(&s), &events, usize::MAX)?;
        writeln!(out, "```\n")?;
        for i in k.insights.iter().filter(|i| i.session == s.id) {
            writeln!(out, "- **{}** · {} — {}", i.kind.as_str(), i.topic, i.text)?;
            done.insights += 1;
        }
        writeln!(out)?;
    }
    Ok(done)
}
