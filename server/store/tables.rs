//! Every table of the store, declared in one place. Keys and values are plain bytes or integers;
//! records are versioned by their first byte (see `codec`), so a newer build can still read what
//! an older one wrote.

use redb::TableDefinition;

/// `"schema"` → u32 LE store schema version; `"head"` → u64 LE last seq ‖ 32-byte chain hash.
pub const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");

/// The event log: seq (1, 2, …) → event record `[version][chain hash; 32][canonical event JSON]`.
/// Append-only: a seq is never rewritten.
pub const EVENTS: TableDefinition<u64, &[u8]> = TableDefinition::new("events");

/// Event id → seq. Makes every insert idempotent: an id already here is never stored again.
pub const EVENT_IDS: TableDefinition<&str, u64> = TableDefinition::new("event_ids");

/// Positional event id → seq of the same event, stored by an older build under another id (a
/// digest of its byte offset in the rollout). Filled once, when a schema 1 store is opened, so a
/// file read again from the start with positional ids finds its events already stored. Not
/// counted by `verify`: only `EVENT_IDS` holds one entry per event.
pub const EVENT_ALIASES: TableDefinition<&str, u64> = TableDefinition::new("event_aliases");

/// (session id, seq) → (): a session's events in log order, for timelines.
pub const SESSION_EVENTS: TableDefinition<(&str, u64), ()> = TableDefinition::new("session_events");

/// Session id → versioned `SessionSummary` record (a view folded from the session's events).
pub const SESSIONS: TableDefinition<&str, &[u8]> = TableDefinition::new("sessions");

/// File fingerprint → versioned `FileCursor` record: how far a source file has been read.
pub const FILES: TableDefinition<&str, &[u8]> = TableDefinition::new("files");

/// Last path a file was seen at → its fingerprint, for the cheap "unchanged since last run" check.
pub const PATHS: TableDefinition<&str, &str> = TableDefinition::new("paths");

/// Name → a view derived from the whole log (the insights), tagged with the chain head it was
/// derived at and the deriving code's version: `[CACHE_V1][seq u64 LE][hash; 32][tag len u16 LE]
/// [tag][zstd frame]`. Only a speed-up: a stale or undecodable entry is ignored and rebuilt.
/// Added without a schema bump (older builds never open it).
pub const CACHE: TableDefinition<&str, &[u8]> = TableDefinition::new("cache");

/// (session id, version 1, 2, …) → versioned `SummaryRecord` (`[RECORD_V1][JSON {at, sha256,
/// markdown}]`): every learnings.md entry generated for the session, the SHA-256 (hex) of its
/// markdown, and when. A version is added only when the markdown's hash differs from the latest,
/// so consecutive versions can be compared; the notetaker reads it to write each session once.
/// Added without a schema bump (older builds never open it).
pub const SUMMARIES: TableDefinition<(&str, u32), &[u8]> = TableDefinition::new("summaries");

/// The schema version this build writes. Bump it, and add a decoder for the old shape, whenever a
/// table's layout changes. 2: `EVENT_ALIASES` (schema 1 stores are aliased when opened). 3: every
/// event links the chain through its content's digest (`EVENT_V3`), so content can be erased;
/// older stores are linked anew when opened, after a copy of the file is kept.
pub const SCHEMA_VERSION: u32 = 3;
