//! The store: one redb file per user (`store.redb` in the data dir) holding the hash-chained event
//! log, session summaries and source file cursors. The only module that imports redb.
//!
//! Many processes use the store at once — editor windows, the CLI, hooks — so it is opened in
//! redb's multi-writer mode: every process may read and write, write transactions are serialized
//! across processes by a file lock, and each commit is atomic and durable. Everything one ingest
//! step changes (events, their chain links, the session summary, the file cursor) is written in
//! one transaction, so a crash at any point leaves either all of it or none.

mod anchor;
mod backend;
pub mod codec;
pub mod records;
pub mod tables;

use crate::normalize::{Body, ERASURES, Event, EventId, SessionSummary};
pub use codec::Head;
use codec::{DecodeError, chain_hash, decode_event, decode_record, encode_event, encode_record};
use records::{FileCursor, SummaryRecord};
use redb::{
    ConcurrencyMode, Database, DatabaseError, ReadOnlyDatabase, ReadableDatabase, ReadableTable,
    ReadableTableMetadata,
};
use sha2::Digest;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tables::*;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the data directory {path}: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the store {path} is held by another process (a paused `sessionlens ingest`, or an older sessionlens?); gave up after {waited:?}"
    )]
    Locked { path: PathBuf, waited: Duration },
    #[error("the store {path} is open read-only (its file system or permissions refuse writes)")]
    ReadOnly { path: PathBuf },
    #[error(
        "the store {path} was written by a newer sessionlens (schema {found}, this build reads up to {SCHEMA_VERSION})"
    )]
    NewerSchema { path: PathBuf, found: u32 },
    #[error(
        "the store {path} needs a one-time upgrade (schema {found} to {SCHEMA_VERSION}); run `sessionlens ingest codex` or open your editor once"
    )]
    NeedsUpgrade { path: PathBuf, found: u32 },
    #[error("cannot open the store {path}: {message}")]
    Open { path: PathBuf, message: String },
    #[error("store error: {0}")]
    Db(String),
    #[error("the store {path} is damaged ({what}); `sessionlens verify` says what it still holds")]
    Damaged { path: PathBuf, what: String },
    #[error("undecodable record in {table}: {source}")]
    Decode {
        table: &'static str,
        source: DecodeError,
    },
}

macro_rules! db_err {
    ($($t:ty),*) => {$(
        impl From<$t> for StoreError {
            fn from(e: $t) -> Self { StoreError::Db(e.to_string()) }
        }
    )*};
}
db_err!(
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError
);

pub type Result<T> = std::result::Result<T, StoreError>;

/// What one commit did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CommitOutcome {
    pub added: u64,
    /// Events already in the log (same id, or an older build's event aliased to it), skipped.
    pub duplicates: u64,
    /// Sessions that received new events.
    pub sessions: BTreeSet<String>,
}

/// The result of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub events: u64,
    pub head: String,
    /// The first event whose link does not hold.
    pub failure: Option<VerifyFailure>,
    /// What else does not match the events, each naming its record: a session's summary or
    /// index, the id index, or the head anchored outside the store (a store truncated, emptied
    /// or replaced by an older copy).
    pub problems: Vec<String>,
    /// Events whose content was erased, counted by when and why (`on 2026-12-07 (forget
    /// --session 019b…)`): the chain still links them, through their content's digest.
    pub erased: BTreeMap<String, u64>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.failure.is_none() && self.problems.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyFailure {
    pub seq: u64,
    pub event_id: Option<String>,
    pub reason: String,
}

/// One record of the log as the chain links it (see `Store::each_record`).
pub struct ChainRecord {
    pub seq: u64,
    pub hash: [u8; 32],
    /// The content digest the link commits to (schema 3); `None` when the link commits to the
    /// content itself (an older layout).
    pub digest: Option<[u8; 32]>,
    /// The canonical JSON of the event, or the tombstone of its erased content.
    pub content: std::result::Result<Vec<u8>, codec::Tombstone>,
}

/// What `Store::forget` erases.
#[derive(Debug, Clone)]
pub enum Forget {
    /// Every event of these sessions (full ids).
    Sessions(BTreeSet<String>),
    /// Every event of the sessions run in this folder or below it (an absolute path).
    Workspace(String),
    /// Every event older than this time (RFC 3339, UTC, as events carry it).
    Before(String),
    /// Every event whose content holds this text (a secret that slipped through).
    Text(String),
}

/// What `Store::forget` did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Forgotten {
    /// The erased events' numbers in the log.
    pub seqs: Vec<u64>,
    pub sessions: BTreeSet<String>,
    /// The number of the erasure event appended to the chain (none when nothing matched).
    pub erasure: Option<u64>,
}

/// How a session id given by a person resolved.
pub enum SessionMatch {
    One(String),
    None,
    Many(Vec<String>),
}

pub struct Store {
    db: Handle,
    /// For a handle opened to read: the writable one opened at its first write, if any.
    writer: std::sync::Mutex<Option<Database>>,
    cache_bytes: usize,
    path: PathBuf,
}

/// A store opened for writing, or only for reading: a reader never takes the writer's lock, so
/// a paused writer cannot block it, and a store on a read-only file system can still be read.
enum Handle {
    Write(Database),
    Read(ReadOnlyDatabase),
}

/// What the opener means to do with the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Intent {
    Write,
    /// Reading only: a read-only handle when the store can be opened so, else a writable one
    /// (to create the store, repair it after a crash, or upgrade it).
    Read,
}

/// Page cache per process. Every editor window, hook and CLI run holds a handle, so memory stays
/// bounded instead of growing with the store (redb's default is 1 GiB).
const CACHE_BYTES: usize = 32 * 1024 * 1024;

/// How long to wait for a lock another process holds (a commit takes milliseconds; a writer
/// that holds one longer is paused or stuck) before giving up; `SESSIONLENS_LOCK_WAIT_MS`
/// overrides it.
const LOCK_WAIT: Duration = Duration::from_secs(10);

/// How long a reader waits to save a derived view: it is only a speed-up.
const CACHE_WAIT: Duration = Duration::from_millis(200);

fn lock_wait() -> Duration {
    std::env::var("SESSIONLENS_LOCK_WAIT_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(LOCK_WAIT, Duration::from_millis)
}

impl Store {
    /// Opens (creating if needed) the store at `path` for reading and writing. On a file system
    /// that refuses writes it opens read-only, and every write is a [`StoreError::ReadOnly`].
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_with_cache(path, CACHE_BYTES)
    }

    /// Opens the store with a page cache of `cache_bytes`: long-lived processes that mostly
    /// append (the language server) keep a small one, so they idle small.
    pub fn open_with_cache(path: &Path, cache_bytes: usize) -> Result<Store> {
        Store::open_opts(path, cache_bytes, lock_wait(), true, Intent::Write)
    }

    /// Opens the store to read it: read-only where it exists and needs no repair or upgrade, so
    /// neither a paused writer nor a read-only file system stops the read. A write through it
    /// opens a writable handle then (see `write_txn`).
    pub fn open_for_reading(path: &Path) -> Result<Store> {
        Store::open_for_reading_with_cache(path, CACHE_BYTES)
    }

    /// [`Self::open_for_reading`] with a page cache of `cache_bytes`.
    pub fn open_for_reading_with_cache(path: &Path, cache_bytes: usize) -> Result<Store> {
        Store::open_opts(path, cache_bytes, lock_wait(), true, Intent::Read)
    }

    /// Opens the store for a hook, which must answer fast: waiting at most `wait` for a lock
    /// another process holds, and never running a schema upgrade (seconds on a large store,
    /// past Codex's hook timeout): a store that needs one is a `NeedsUpgrade` error, and the
    /// next CLI run or editor upgrades it.
    pub fn open_with_wait(path: &Path, wait: Duration) -> Result<Store> {
        Store::open_opts(path, CACHE_BYTES, wait, false, Intent::Write)
    }

    /// [`Self::open_with_wait`], to read only.
    pub fn open_for_reading_with_wait(path: &Path, wait: Duration) -> Result<Store> {
        Store::open_opts(path, CACHE_BYTES, wait, false, Intent::Read)
    }

    fn open_opts(
        path: &Path,
        cache_bytes: usize,
        wait: Duration,
        upgrade: bool,
        intent: Intent,
    ) -> Result<Store> {
        guarded(path, || {
            if intent == Intent::Read && std::fs::metadata(path).is_ok_and(|m| m.len() > 0) {
                match Store::open_read_only(path, cache_bytes, wait) {
                    Ok(store) => return Ok(store),
                    // Busy means a lock stayed held past the wait: a writable open would wait too.
                    Err(e @ StoreError::Locked { .. }) => return Err(e),
                    Err(e) => tracing::debug!("opening {} read-only: {e}", path.display()),
                }
            }
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                    path: dir.to_owned(),
                    source,
                })?;
            }
            let file = match open_file(path) {
                Ok(file) => file,
                Err(e) if refuses_writes(&e) && path.exists() => {
                    tracing::info!(
                        "{} cannot be written ({e}); opening it read-only",
                        path.display()
                    );
                    return Store::open_read_only(path, cache_bytes, wait);
                }
                Err(e) => {
                    return Err(StoreError::Open {
                        path: path.to_owned(),
                        message: e.to_string(),
                    });
                }
            };
            let identity = file_identity(&file);
            let opened = Database::builder()
                .set_concurrency_mode(ConcurrencyMode::MultiWriter)
                .set_cache_size(cache_bytes)
                .create_with_backend(backend::Patient::new(file, wait).map_err(|e| {
                    StoreError::Open {
                        path: path.to_owned(),
                        message: e.to_string(),
                    }
                })?);
            let db = match opened {
                Ok(db) => db,
                Err(e) if unborn(path, &e) => {
                    let aside = set_aside(path)?;
                    tracing::warn!(
                        "{} was never a complete store (its creation failed part way); moved it to {} \
                         and started a new one",
                        path.display(),
                        aside.display()
                    );
                    return Store::open_opts(path, cache_bytes, wait, upgrade, Intent::Write);
                }
                Err(e) => return Err(open_error(path, e, wait)),
            };
            // `Store::purge` moved a rewritten file into place while this open waited on the old
            // one: writes to the old one would be lost, so open the new one.
            if identity.is_some()
                && std::fs::File::open(path)
                    .ok()
                    .as_ref()
                    .and_then(file_identity)
                    != identity
            {
                drop(db);
                return Store::open_opts(path, cache_bytes, wait, upgrade, Intent::Write);
            }
            let store = Store {
                db: Handle::Write(db),
                writer: std::sync::Mutex::new(None),
                cache_bytes,
                path: path.to_owned(),
            };
            store.init(upgrade)?;
            Ok(store)
        })
    }

    /// Opens an existing store read-only; its schema must be the current one.
    fn open_read_only(path: &Path, cache_bytes: usize, wait: Duration) -> Result<Store> {
        let file = std::fs::File::open(path).map_err(|e| StoreError::Open {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        let backend = backend::Patient::new(file, wait).map_err(|e| StoreError::Open {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        let db = Database::builder()
            .set_concurrency_mode(ConcurrencyMode::MultiWriter)
            .set_cache_size(cache_bytes)
            .open_read_only_with_backend(backend)
            .map_err(|e| open_error(path, e, wait))?;
        let store = Store {
            db: Handle::Read(db),
            writer: std::sync::Mutex::new(None),
            cache_bytes,
            path: path.to_owned(),
        };
        let txn = store.read_txn()?;
        let found = match txn.open_table(META) {
            Ok(meta) => read_schema(&meta)?,
            Err(_) => None,
        };
        match found {
            Some(SCHEMA_VERSION) => {}
            Some(found) if found > SCHEMA_VERSION => return Err(store.newer_schema(found)),
            found => {
                return Err(StoreError::NeedsUpgrade {
                    path: path.to_owned(),
                    found: found.unwrap_or(0),
                });
            }
        }
        drop(txn);
        Ok(store)
    }

    /// Runs `f`, turning a panic inside it into [`StoreError::Damaged`]: redb trusts the pages it
    /// reads, so a damaged store file can make it index out of bounds or unwrap a bad key. A
    /// damaged store must be an error that says so, never a crash of the editor's server or a
    /// hook.
    fn guard<T>(&self, f: impl FnOnce() -> Result<T>) -> Result<T> {
        guarded(&self.path, f)
    }

    /// Whether this handle can write (false: opened read-only).
    pub fn writable(&self) -> bool {
        matches!(self.db, Handle::Write(_))
    }

    fn read_txn(&self) -> Result<redb::ReadTransaction> {
        Ok(match &self.db {
            Handle::Write(db) => db.begin_read()?,
            Handle::Read(db) => db.begin_read()?,
        })
    }

    /// A write transaction, after waiting (bounded) for any other process's to end. A handle
    /// opened to read writes through a writable one, opened at its first write: a long-lived
    /// reader (the language server) started while a writer was paused reads at once and writes
    /// once the store is free.
    fn write_txn(&self) -> Result<redb::WriteTransaction> {
        match &self.db {
            Handle::Write(db) => db.begin_write().map_err(|e| self.lock_error(e)),
            Handle::Read(_) => {
                let mut writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
                if writer.is_none() {
                    let opened = Store::open_opts(
                        &self.path,
                        self.cache_bytes,
                        lock_wait(),
                        false,
                        Intent::Write,
                    )?;
                    match opened.db {
                        Handle::Write(db) => *writer = Some(db),
                        Handle::Read(_) => {
                            return Err(StoreError::ReadOnly {
                                path: self.path.clone(),
                            });
                        }
                    }
                }
                let db = writer.as_ref().expect("opened above");
                db.begin_write().map_err(|e| self.lock_error(e))
            }
        }
    }

    /// A transaction error, as [`StoreError::Locked`] when it is a lock the wait gave up on.
    fn lock_error(&self, e: redb::TransactionError) -> StoreError {
        let message = e.to_string();
        if backend::gave_up(&message) {
            StoreError::Locked {
                path: self.path.clone(),
                waited: lock_wait(),
            }
        } else {
            StoreError::Db(message)
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Checks the store's schema, creates the tables of a new store and migrates an older one
    /// (unless `upgrade` is false: then an older one is an error).
    fn init(&self, upgrade: bool) -> Result<()> {
        {
            let txn = self.read_txn()?;
            if let Ok(meta) = txn.open_table(META) {
                match read_schema(&meta)? {
                    Some(found) if found > SCHEMA_VERSION => return Err(self.newer_schema(found)),
                    Some(SCHEMA_VERSION) if read_fold(&meta)? == Some(SUMMARY_FOLD) || !upgrade => {
                        return Ok(());
                    }
                    Some(found) if !upgrade => {
                        return Err(StoreError::NeedsUpgrade {
                            path: self.path.clone(),
                            found,
                        });
                    }
                    _ => {}
                }
            }
        }
        // Other processes may be opening the store too: write transactions are serialized across
        // processes, and the schema is read again inside this one, so only the first migrates.
        let txn = self.write_txn()?;
        {
            let mut meta = txn.open_table(META)?;
            let found = read_schema(&meta)?;
            if let Some(found) = found.filter(|&found| found > SCHEMA_VERSION) {
                return Err(self.newer_schema(found));
            }
            let mut rechained = None;
            if found != Some(SCHEMA_VERSION) {
                let has_events = !txn.open_table(EVENTS)?.is_empty()?;
                if has_events && found.is_none_or(|f| f < 2) {
                    let start = Instant::now();
                    let aliased = alias_positional_ids(&txn)?;
                    tracing::info!(
                        "store upgraded to schema 2: {aliased} events of an older build aliased \
                         to their positional ids in {:?}",
                        start.elapsed()
                    );
                }
                if has_events && found.is_none_or(|f| f < 3) {
                    let start = Instant::now();
                    let backup = self.backup("schema2")?;
                    let (old, new) = rechain(&txn, &mut meta)?;
                    tracing::info!(
                        "store upgraded to schema 3 (erasable content) in {:?}: {} events linked \
                         anew, head {} is now {}; the store as it was is kept in {}",
                        start.elapsed(),
                        new.0,
                        &hex::encode(old.1)[..16],
                        &hex::encode(new.1)[..16],
                        backup.display()
                    );
                    rechained = Some(new);
                }
                meta.insert("schema", &SCHEMA_VERSION.to_le_bytes()[..])?;
            }
            if read_fold(&meta)? != Some(SUMMARY_FOLD) {
                let start = Instant::now();
                let n = refold_all(&txn)?;
                meta.insert("summaries", &SUMMARY_FOLD.to_le_bytes()[..])?;
                tracing::info!(
                    "{n} session summaries folded again from their events in {:?}",
                    start.elapsed()
                );
            }
            txn.open_table(EVENTS)?;
            txn.open_table(EVENT_IDS)?;
            txn.open_table(EVENT_ALIASES)?;
            txn.open_table(SESSION_EVENTS)?;
            txn.open_table(SESSIONS)?;
            txn.open_table(FILES)?;
            txn.open_table(PATHS)?;
            drop(meta);
            txn.commit()?;
            if let Some((seq, hash)) = rechained {
                anchor::replace(&self.path, seq, &hash);
            }
        }
        Ok(())
    }

    /// Copies the store file aside before a migration rewrites it; called inside the migrating
    /// write transaction, so the copy is the last commit, whole.
    fn backup(&self, what: &str) -> Result<PathBuf> {
        let mut name = self.path.as_os_str().to_owned();
        name.push(format!(".{what}-backup"));
        let mut backup = PathBuf::from(name);
        if backup.exists() {
            backup
                .as_mut_os_string()
                .push(format!("-{}", jiff::Timestamp::now().as_second()));
        }
        std::fs::copy(&self.path, &backup).map_err(|e| StoreError::Open {
            path: self.path.clone(),
            message: format!("cannot keep a copy before upgrading it: {e}"),
        })?;
        Ok(backup)
    }

    /// The error for a store written by a newer build.
    fn newer_schema(&self, found: u32) -> StoreError {
        StoreError::NewerSchema {
            path: self.path.clone(),
            found,
        }
    }

    /// The cursor of the file last seen at `path`, if any.
    pub fn cursor_by_path(&self, path: &str) -> Result<Option<FileCursor>> {
        self.guard(|| {
            let txn = self.read_txn()?;
            let paths = txn.open_table(PATHS)?;
            let Some(key) = paths.get(path)? else {
                return Ok(None);
            };
            let key = key.value().to_owned();
            drop(paths);
            let files = txn.open_table(FILES)?;
            read_cursor(&files, &key)
        })
    }

    pub fn cursor(&self, key: &str) -> Result<Option<FileCursor>> {
        self.guard(|| {
            let txn = self.read_txn()?;
            let files = txn.open_table(FILES)?;
            read_cursor(&files, key)
        })
    }

    /// Appends `events` to the log (skipping ids already stored), folds them into their session
    /// summaries and saves the `cursors` of the files they came from, all in one transaction. A
    /// cursor never moves backwards: when another process got further in the same file
    /// meanwhile, its cursor is kept.
    pub fn commit(&self, events: &[Event], cursors: &[FileCursor]) -> Result<CommitOutcome> {
        self.guard(|| {
            let txn = self.write_txn()?;
            let mut outcome = CommitOutcome::default();
            let head_after;
            {
                let mut meta = txn.open_table(META)?;
                let (mut seq, mut head) = read_head(&meta)?;
                let mut log = txn.open_table(EVENTS)?;
                let mut ids = txn.open_table(EVENT_IDS)?;
                let aliases = txn.open_table(EVENT_ALIASES)?;
                let mut by_session = txn.open_table(SESSION_EVENTS)?;
                let mut sessions = txn.open_table(SESSIONS)?;
                let mut summaries: HashMap<String, SessionSummary> = HashMap::new();
                let mut compressor =
                    zstd::bulk::Compressor::new(-5).map_err(|e| StoreError::Db(e.to_string()))?;
                // Only a store migrated from schema 1 has aliases: the others skip the lookup.
                let any_aliases = !aliases.is_empty()?;
                // One buffer for every event's canonical bytes.
                let mut canonical = Vec::new();
                for e in events {
                    // An event an older build stored under another id is stored already.
                    if any_aliases && aliases.get(e.id.as_str())?.is_some() {
                        outcome.duplicates += 1;
                        continue;
                    }
                    // Claim the id first; an id already present means the event is stored: put the
                    // old mapping back and skip it.
                    let existing = ids.insert(e.id.as_str(), seq + 1)?.map(|v| v.value());
                    if let Some(existing) = existing {
                        ids.insert(e.id.as_str(), existing)?;
                        outcome.duplicates += 1;
                        continue;
                    }
                    canonical.clear();
                    e.write_canonical(&mut canonical);
                    let digest = codec::digest(&canonical);
                    seq += 1;
                    head = chain_hash(&head, &digest);
                    log.insert(
                        seq,
                        encode_event(&mut compressor, &head, &digest, &canonical).as_slice(),
                    )?;
                    if e.session == ERASURES {
                        // An erasure is part of the chain, not of a session anyone reads.
                        outcome.added += 1;
                        continue;
                    }
                    by_session.insert((e.session.as_str(), seq), ())?;
                    if !summaries.contains_key(&e.session) {
                        let stored = sessions
                            .get(e.session.as_str())?
                            .map(|v| decode_record::<SessionSummary>(v.value()));
                        let existing = match stored {
                            Some(Ok(s)) => s,
                            Some(Err(err)) => {
                                tracing::warn!(
                                    "refolding the undecodable summary of {}: {err}",
                                    e.session
                                );
                                fold_session(&log, &by_session, &e.session, seq - 1)?
                            }
                            None => SessionSummary::new(&e.session),
                        };
                        summaries.insert(e.session.clone(), existing);
                    }
                    summaries
                        .get_mut(&e.session)
                        .expect("inserted above")
                        .apply(e);
                    outcome.added += 1;
                    if !outcome.sessions.contains(&e.session) {
                        outcome.sessions.insert(e.session.clone());
                    }
                }
                for (id, s) in &summaries {
                    sessions.insert(id.as_str(), encode_record(s).as_slice())?;
                }
                if outcome.added > 0 {
                    let mut v = seq.to_le_bytes().to_vec();
                    v.extend_from_slice(&head);
                    meta.insert("head", v.as_slice())?;
                }
                let mut files = txn.open_table(FILES)?;
                let mut paths = txn.open_table(PATHS)?;
                for cursor in cursors {
                    let keep_existing =
                        read_cursor(&files, &cursor.key)?.is_some_and(|c| c.offset > cursor.offset);
                    if !keep_existing {
                        files.insert(cursor.key.as_str(), encode_record(cursor).as_slice())?;
                    }
                    paths.insert(cursor.path.as_str(), cursor.key.as_str())?;
                }
                head_after = (seq, head);
            }
            txn.commit()?;
            if outcome.added > 0 {
                anchor::advance(&self.path, head_after.0, &head_after.1);
            }
            Ok(outcome)
        })
    }

    /// Every session, most recent first.
    pub fn sessions(&self) -> Result<Vec<SessionSummary>> {
        self.guard(|| {
            let txn = self.read_txn()?;
            let table = txn.open_table(SESSIONS)?;
            let mut out = Vec::new();
            for row in table.iter()? {
                let (k, v) = row?;
                match decode_record::<SessionSummary>(v.value()) {
                    Ok(s) => out.push(s),
                    Err(e) => tracing::warn!("skipping undecodable session {}: {e}", k.value()),
                }
            }
            out.sort_by(|a, b| {
                b.started_at
                    .cmp(&a.started_at)
                    .then_with(|| a.id.cmp(&b.id))
            });
            Ok(out)
        })
    }

    pub fn session(&self, id: &str) -> Result<Option<SessionSummary>> {
        self.guard(|| {
            let txn = self.read_txn()?;
            let table = txn.open_table(SESSIONS)?;
            let Some(v) = table.get(id)? else {
                return Ok(None);
            };
            decode_record(v.value())
                .map(Some)
                .map_err(|source| StoreError::Decode {
                    table: "sessions",
                    source,
                })
        })
    }

    /// Resolves a full session id or a unique prefix of one.
    pub fn find_session(&self, prefix: &str) -> Result<SessionMatch> {
        self.guard(|| {
            let txn = self.read_txn()?;
            let table = txn.open_table(SESSIONS)?;
            if table.get(prefix)?.is_some() {
                return Ok(SessionMatch::One(prefix.to_owned()));
            }
            let mut hits = Vec::new();
            for row in table.range(prefix..)? {
                let (k, _) = row?;
                let k = k.value();
                if !k.starts_with(prefix) {
                    break;
                }
                hits.push(k.to_owned());
            }
            Ok(match hits.len() {
                0 => SessionMatch::None,
                1 => SessionMatch::One(hits.remove(0)),
                _ => SessionMatch::Many(hits),
            })
        })
    }

    /// A session's events in log order, with their seq numbers.
    pub fn session_events(&self, session: &str) -> Result<Vec<(u64, Event)>> {
        self.guard(|| {
            let txn = self.read_txn()?;
            let index = txn.open_table(SESSION_EVENTS)?;
            let log = txn.open_table(EVENTS)?;
            let mut out = Vec::new();
            for row in index.range((session, 0)..=(session, u64::MAX))? {
                let (k, _) = row?;
                let seq = k.value().1;
                let Some(v) = log.get(seq)? else { continue };
                let decoded = decode_event(v.value())
                    .map_err(|source| StoreError::Decode {
                        table: "events",
                        source,
                    })
                    .and_then(|(_, json)| {
                        serde_json::from_slice::<Event>(&json).map_err(|e| StoreError::Decode {
                            table: "events",
                            source: e.into(),
                        })
                    });
                match decoded {
                    Ok(e) => out.push((seq, e)),
                    Err(e) => tracing::warn!("skipping event #{seq}: {e}"),
                }
            }
            Ok(out)
        })
    }

    /// The events of each of `sessions` up to seq `upto`, in log order, read in one snapshot (a
    /// writer committing meanwhile adds nothing past `upto`).
    pub fn events_of_sessions(&self, sessions: &[&str], upto: u64) -> Result<Vec<(u64, Event)>> {
        self.guard(|| {
            let txn = self.read_txn()?;
            let index = txn.open_table(SESSION_EVENTS)?;
            let log = txn.open_table(EVENTS)?;
            let mut seqs = Vec::new();
            for session in sessions {
                for row in index.range((*session, 0)..=(*session, upto))? {
                    seqs.push(row?.0.value().1);
                }
            }
            seqs.sort_unstable();
            seqs.dedup();
            let mut out = Vec::with_capacity(seqs.len());
            for seq in seqs {
                let Some(v) = log.get(seq)? else { continue };
                match event_of(v.value()) {
                    Some(e) => out.push((seq, e)),
                    None if erased(v.value()) => {}
                    None => tracing::warn!("skipping undecodable event #{seq}"),
                }
            }
            Ok(out)
        })
    }

    /// The events appended after `head`, in log order, if `head` is a point of this chain (the
    /// event at its seq has its hash); `None` when it is not (another store, or an empty one).
    /// Returned with the head they lead to, read in the same snapshot.
    pub fn events_after(&self, head: (u64, [u8; 32])) -> Result<Option<(Head, Vec<Event>)>> {
        self.guard(|| {
            let txn = self.read_txn()?;
            let now = read_head(&txn.open_table(META)?)?;
            let log = txn.open_table(EVENTS)?;
            if head.0 > 0 {
                let Some(v) = log.get(head.0)? else {
                    return Ok(None);
                };
                if codec::read_event(v.value()).map(|r| r.hash()).ok() != Some(head.1) {
                    return Ok(None);
                }
            }
            let mut out = Vec::new();
            for row in log.range(head.0 + 1..=now.0.max(head.0))? {
                let (k, v) = row?;
                match event_of(v.value()) {
                    Some(e) => out.push(e),
                    None if erased(v.value()) => {}
                    None => tracing::warn!("skipping undecodable event #{}", k.value()),
                }
            }
            Ok(Some((now, out)))
        })
    }

    /// Every event in log order, with the head they lead to (one consistent snapshot).
    pub fn all_events_at(&self) -> Result<(Head, Vec<Event>)> {
        self.guard(|| match self.events_after((0, [0; 32]))? {
            Some(found) => Ok(found),
            None => Ok(((0, [0; 32]), Vec::new())),
        })
    }

    /// Every event in log order. Undecodable records are logged and skipped.
    pub fn all_events(&self) -> Result<Vec<Event>> {
        Ok(self.all_events_at()?.1)
    }

    /// Erases the content of the events `what` selects, in one transaction: each record keeps
    /// its link and content digest (so the chain verifies) and says when, why and by whom; the
    /// sessions' indexes and summaries are folded again from what is left (a session left with
    /// nothing is gone from the list); every derived view (the insights cache) and the
    /// learnings entries kept for those sessions are dropped; the ids stay, so reading the
    /// session's file again adds nothing back. An erasure event naming every erased record is
    /// appended to the chain. The freed pages may still hold the old bytes until
    /// [`Store::purge`] rewrites the file.
    pub fn forget(&self, what: &Forget, why: &str, by: &str) -> Result<Forgotten> {
        self.guard(|| {
            let txn = self.write_txn()?;
            let mut done = Forgotten::default();
            let at = jiff::Timestamp::now().to_string();
            {
                let mut log = txn.open_table(EVENTS)?;
                let mut by_session = txn.open_table(SESSION_EVENTS)?;
                let mut sessions = txn.open_table(SESSIONS)?;
                let in_workspace: BTreeSet<String> = match what {
                    Forget::Workspace(dir) => {
                        let dir = dir.trim_end_matches('/');
                        let mut ids = BTreeSet::new();
                        for row in sessions.iter()? {
                            let (k, v) = row?;
                            let cwd = decode_record::<SessionSummary>(v.value())
                                .ok()
                                .and_then(|s| s.cwd);
                            if cwd.is_some_and(|c| {
                                c == dir || c.strip_prefix(dir).is_some_and(|r| r.starts_with('/'))
                            }) {
                                ids.insert(k.value().to_owned());
                            }
                        }
                        ids
                    }
                    _ => BTreeSet::new(),
                };
                let needles: Vec<Vec<u8>> = match what {
                    Forget::Text(t) => {
                        let escaped = serde_json::to_string(t).unwrap_or_default();
                        let escaped = escaped[1..escaped.len().saturating_sub(1).max(1)].to_owned();
                        vec![t.as_bytes().to_vec(), escaped.into_bytes()]
                    }
                    _ => Vec::new(),
                };
                let tombstone = codec::Tombstone {
                    at: at.clone(),
                    why: why.to_owned(),
                    by: by.to_owned(),
                };
                // Which records to look at: a text can be anywhere, but the other selections
                // name sessions, found through the summaries (a session with no event before
                // the date is not read at all, so retention on a recent store costs nothing).
                let candidates: Option<Vec<u64>> = match what {
                    Forget::Text(_) => None,
                    _ => {
                        let mut ids: BTreeSet<String> = BTreeSet::new();
                        for row in sessions.iter()? {
                            let (k, v) = row?;
                            let id = k.value();
                            let wanted = match what {
                                Forget::Sessions(wanted) => wanted.contains(id),
                                Forget::Workspace(_) => in_workspace.contains(id),
                                Forget::Before(date) => decode_record::<SessionSummary>(v.value())
                                    .map_or(true, |s| {
                                        s.started_at.is_none_or(|t| t.as_str() < date.as_str())
                                            || s.ended_at.is_none_or(|t| t.as_str() < date.as_str())
                                    }),
                                Forget::Text(_) => false,
                            };
                            if wanted {
                                ids.insert(id.to_owned());
                            }
                        }
                        let mut seqs = Vec::new();
                        for id in &ids {
                            for row in
                                by_session.range((id.as_str(), 0)..=(id.as_str(), u64::MAX))?
                            {
                                seqs.push(row?.0.value().1);
                            }
                        }
                        seqs.sort_unstable();
                        Some(seqs)
                    }
                };
                let rows: Box<dyn Iterator<Item = u64>> = match candidates {
                    Some(seqs) => Box::new(seqs.into_iter()),
                    None => Box::new(1..=read_head(&txn.open_table(META)?)?.0),
                };
                let mut erase: Vec<(u64, Vec<u8>, String)> = Vec::new();
                for seq in rows {
                    let Some(v) = log.get(seq)? else { continue };
                    let Ok(codec::Stored::Kept {
                        hash,
                        digest,
                        canonical,
                    }) = codec::read_event(v.value())
                    else {
                        continue;
                    };
                    let Ok(e) = serde_json::from_slice::<Event>(&canonical) else {
                        continue;
                    };
                    if e.session == ERASURES {
                        continue;
                    }
                    let hit = match what {
                        Forget::Sessions(ids) => ids.contains(&e.session),
                        Forget::Workspace(_) => in_workspace.contains(&e.session),
                        Forget::Before(date) => e.at.as_str() < date.as_str(),
                        Forget::Text(_) => needles.iter().any(|n| {
                            !n.is_empty() && memchr::memmem::find(&canonical, n).is_some()
                        }),
                    };
                    if hit {
                        let record = codec::encode_erased(&hash, &digest, &tombstone);
                        erase.push((seq, record, e.session));
                    }
                }
                for (seq, record, session) in &erase {
                    log.insert(*seq, record.as_slice())?;
                    by_session.remove((session.as_str(), *seq))?;
                    done.sessions.insert(session.clone());
                    done.seqs.push(*seq);
                }
                for session in &done.sessions {
                    let left = fold_session(&log, &by_session, session, u64::MAX)?;
                    if left.events == 0 {
                        sessions.remove(session.as_str())?;
                    } else {
                        sessions.insert(session.as_str(), encode_record(&left).as_slice())?;
                    }
                }
                drop((log, by_session, sessions));
                if done.seqs.is_empty() {
                    return Ok(done);
                }
                // What was derived from the content goes with it.
                if let Ok(mut cache) = txn.open_table(CACHE) {
                    cache.retain(|_, _| false)?;
                }
                let mut summaries = txn.open_table(SUMMARIES)?;
                summaries.retain(|(session, _), v| {
                    !done.sessions.contains(session)
                        && !needles
                            .iter()
                            .any(|n| !n.is_empty() && memchr::memmem::find(v, n).is_some())
                })?;
                if !needles.is_empty() {
                    // A reader's saved state may hold text of a turn still open: such a file is
                    // read again from the start (its events are stored already, or erased).
                    let mut files = txn.open_table(FILES)?;
                    files.retain(|_, v| {
                        !needles
                            .iter()
                            .any(|n| !n.is_empty() && memchr::memmem::find(v, n).is_some())
                    })?;
                }
            }
            // The erasure itself, in the chain.
            let erasure = Event {
                id: hex::encode(
                    &codec::digest(format!("{at} {why} {:?}", done.seqs).as_bytes())[..16],
                ),
                session: ERASURES.to_owned(),
                at,
                turn: None,
                body: Body::Erasure {
                    seqs: done.seqs.clone(),
                    why: why.to_owned(),
                    by: by.to_owned(),
                },
            };
            let head = {
                let mut meta = txn.open_table(META)?;
                let mut log = txn.open_table(EVENTS)?;
                let mut ids = txn.open_table(EVENT_IDS)?;
                let (seq, head) = read_head(&meta)?;
                let canonical = erasure.canonical_bytes();
                let digest = codec::digest(&canonical);
                let head = (seq + 1, chain_hash(&head, &digest));
                let mut compressor =
                    zstd::bulk::Compressor::new(-5).map_err(|e| StoreError::Db(e.to_string()))?;
                log.insert(
                    head.0,
                    encode_event(&mut compressor, &head.1, &digest, &canonical).as_slice(),
                )?;
                ids.insert(erasure.id.as_str(), head.0)?;
                let mut v = head.0.to_le_bytes().to_vec();
                v.extend_from_slice(&head.1);
                meta.insert("head", v.as_slice())?;
                head
            };
            txn.commit()?;
            anchor::advance(&self.path, head.0, &head.1);
            done.erasure = Some(head.0);
            Ok(done)
        })
    }

    /// Rewrites the store file at `path` from its live records, so that no freed page keeps the
    /// bytes of erased content, and moves it into place. Only when no other process has the
    /// store open (an editor's language server, a hook): the rewrite holds the store exclusively,
    /// and returns `false`, changing nothing, when it cannot.
    pub fn purge(path: &Path) -> Result<bool> {
        guarded(path, || {
            let old = match Database::builder().open(path) {
                Ok(db) => db,
                Err(DatabaseError::DatabaseAlreadyOpen) => return Ok(false),
                Err(e) => return Err(open_error(path, e, Duration::ZERO)),
            };
            let mut name = path.as_os_str().to_owned();
            name.push(".purging");
            let fresh = PathBuf::from(name);
            let _ = std::fs::remove_file(&fresh);
            {
                let new = Database::builder()
                    .set_concurrency_mode(ConcurrencyMode::MultiWriter)
                    .create_with_backend(
                        backend::Patient::new(
                            open_file(&fresh).map_err(|e| StoreError::Open {
                                path: fresh.clone(),
                                message: e.to_string(),
                            })?,
                            Duration::ZERO,
                        )
                        .map_err(|e| StoreError::Db(e.to_string()))?,
                    )
                    .map_err(|e| open_error(&fresh, e, Duration::ZERO))?;
                let r = old.begin_read()?;
                let w = new.begin_write()?;
                macro_rules! copy {
                    ($($table:expr),*) => {$(
                        if let Ok(src) = r.open_table($table) {
                            let mut dst = w.open_table($table)?;
                            for row in src.iter()? {
                                let (k, v) = row?;
                                dst.insert(k.value(), v.value())?;
                            }
                        }
                    )*};
                }
                copy!(
                    META,
                    EVENTS,
                    EVENT_IDS,
                    EVENT_ALIASES,
                    SESSION_EVENTS,
                    SESSIONS,
                    FILES,
                    PATHS,
                    CACHE,
                    SUMMARIES
                );
                w.commit()?;
            }
            std::fs::rename(&fresh, path).map_err(|e| StoreError::Open {
                path: path.to_owned(),
                message: format!("cannot move the rewritten store into place: {e}"),
            })?;
            drop(old);
            Ok(true)
        })
    }

    /// Every record of the log in order, as the chain links it, handed to `each` one at a time
    /// (one consistent snapshot): its number, its link hash, the digest it links (`None` for a
    /// record of a layout before schema 3), and its event — or why it was erased. For exports that
    /// prove themselves: the digests of what is left out still let a reader recompute every link.
    pub fn each_record(&self, mut each: impl FnMut(ChainRecord) -> Result<()>) -> Result<Head> {
        self.guard(|| {
            let txn = self.read_txn()?;
            let head = read_head(&txn.open_table(META)?)?;
            let log = txn.open_table(EVENTS)?;
            for row in log.range(..=head.0)? {
                let (k, v) = row?;
                let record = match codec::read_event(v.value()) {
                    Ok(codec::Stored::Kept {
                        hash,
                        digest,
                        canonical,
                    }) => ChainRecord {
                        seq: k.value(),
                        hash,
                        digest: Some(digest),
                        content: Ok(canonical.into_owned()),
                    },
                    Ok(codec::Stored::Linked { hash, canonical }) => ChainRecord {
                        seq: k.value(),
                        hash,
                        digest: None,
                        content: Ok(canonical.into_owned()),
                    },
                    Ok(codec::Stored::Erased {
                        hash,
                        digest,
                        tombstone,
                    }) => ChainRecord {
                        seq: k.value(),
                        hash,
                        digest: Some(digest),
                        content: Err(tombstone),
                    },
                    Err(e) => {
                        return Err(StoreError::Decode {
                            table: "events",
                            source: e,
                        });
                    }
                };
                each(record)?;
            }
            Ok(head)
        })
    }

    /// The chain head: the last seq and its hash (`(0, [0; 32])` for an empty log).
    pub fn head(&self) -> Result<(u64, [u8; 32])> {
        self.guard(|| {
            let txn = self.read_txn()?;
            read_head(&txn.open_table(META)?)
        })
    }

    /// The cached view `name` derived by code tagged `tag`, with the head it was derived at
    /// (which may be behind the current one: the caller catches up or derives again).
    pub fn cached(&self, name: &str, tag: &str) -> Result<Option<(Head, Vec<u8>)>> {
        self.guard(|| {
            let txn = self.read_txn()?;
            let table = match txn.open_table(CACHE) {
                Ok(t) => t,
                Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
                Err(e) => return Err(e.into()),
            };
            let Some(v) = table.get(name)? else {
                return Ok(None);
            };
            Ok(codec::decode_cache(v.value(), tag))
        })
    }

    /// Saves a derived view, tagged with the head it was derived at. A view derived at an older
    /// head than the one already saved is dropped.
    pub fn put_cache(
        &self,
        name: &str,
        tag: &str,
        head: (u64, [u8; 32]),
        payload: &[u8],
    ) -> Result<()> {
        self.put_caches(tag, head, &[(name, payload)])
    }

    /// Saves several derived views of one head in one transaction, so a reader sees all of them
    /// or none. A view derived at an older head than the one already saved is dropped.
    pub fn put_caches(
        &self,
        tag: &str,
        head: (u64, [u8; 32]),
        views: &[(&str, &[u8])],
    ) -> Result<()> {
        self.guard(|| {
            let mut records = Vec::with_capacity(views.len());
            for (name, payload) in views {
                let record = codec::encode_cache(head, tag, payload)
                    .map_err(|e| StoreError::Db(e.to_string()))?;
                records.push((*name, record));
            }
            let has_writer = self
                .writer
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .is_some();
            if !self.writable() && !has_writer {
                // A reader keeps its handle read-only (a paused writer cannot block it) and saves the
                // view through a short-lived writable one, when the store can be had soon.
                let writer =
                    Store::open_opts(&self.path, 1024 * 1024, CACHE_WAIT, false, Intent::Write)?;
                if !writer.writable() {
                    return Err(StoreError::ReadOnly {
                        path: self.path.clone(),
                    });
                }
                return writer.put_caches(tag, head, views);
            }
            let txn = self.write_txn()?;
            {
                let mut table = txn.open_table(CACHE)?;
                for (name, record) in &records {
                    let newer = table
                        .get(*name)?
                        .and_then(|v| codec::cache_seq(v.value()))
                        .is_some_and(|seq| seq > head.0);
                    if !newer {
                        table.insert(*name, record.as_slice())?;
                    }
                }
            }
            txn.commit()?;
            Ok(())
        })
    }

    /// Removes derived views no longer written (an older build's), when this handle can write;
    /// a read-only handle leaves them (they are ignored, and go with the next `forget`).
    pub fn drop_caches(&self, names: &[&str]) -> Result<()> {
        self.guard(|| {
            if !self.writable() {
                return Ok(());
            }
            let txn = self.write_txn()?;
            {
                let mut table = txn.open_table(CACHE)?;
                let mut any = false;
                for name in names {
                    any |= table.remove(*name)?.is_some();
                }
                if !any {
                    drop(table);
                    txn.abort()?;
                    return Ok(());
                }
            }
            txn.commit()?;
            Ok(())
        })
    }

    /// Keeps a generated summary of `session` (its learnings.md entry) as the session's next
    /// version, unless its SHA-256 equals the latest version's. Returns the version that holds
    /// this markdown (the latest one, when unchanged).
    pub fn put_summary(&self, session: &str, markdown: &str) -> Result<u32> {
        self.guard(|| {
            let sha256 = hex::encode(sha2::Sha256::digest(markdown.as_bytes()));
            let txn = self.write_txn()?;
            let version = {
                let mut table = txn.open_table(SUMMARIES)?;
                let latest = latest_summary(&table, session)?;
                match latest {
                    Some(l) if l.sha256 == sha256 => l.version,
                    latest => {
                        let version = latest.map_or(1, |l| l.version + 1);
                        let record = SummaryRecord {
                            version,
                            at: jiff::Timestamp::now().to_string(),
                            sha256,
                            markdown: markdown.to_owned(),
                        };
                        table.insert((session, version), encode_record(&record).as_slice())?;
                        version
                    }
                }
            };
            txn.commit()?;
            Ok(version)
        })
    }

    /// Every stored summary of `session`, oldest version first. Undecodable records are logged
    /// and skipped.
    pub fn summaries(&self, session: &str) -> Result<Vec<SummaryRecord>> {
        self.guard(|| {
            let txn = self.read_txn()?;
            let table = match txn.open_table(SUMMARIES) {
                Ok(t) => t,
                Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
                Err(e) => return Err(e.into()),
            };
            let mut out = Vec::new();
            for row in table.range((session, 0)..=(session, u32::MAX))? {
                let (k, v) = row?;
                let (_, version) = k.value();
                match decode_record::<SummaryRecord>(v.value()) {
                    Ok(mut r) => {
                        r.version = version;
                        out.push(r);
                    }
                    Err(e) => tracing::warn!("skipping summary {session} v{version}: {e}"),
                }
            }
            Ok(out)
        })
    }

    /// The newest stored summary of `session`.
    pub fn latest_summary(&self, session: &str) -> Result<Option<SummaryRecord>> {
        self.guard(|| {
            let txn = self.read_txn()?;
            match txn.open_table(SUMMARIES) {
                Ok(t) => latest_summary(&t, session),
                Err(redb::TableError::TableDoesNotExist(_)) => Ok(None),
                Err(e) => Err(e.into()),
            }
        })
    }

    pub fn event_count(&self) -> Result<u64> {
        self.guard(|| {
            let txn = self.read_txn()?;
            Ok(txn.open_table(EVENTS)?.len()?)
        })
    }

    /// Walks the whole log, recomputing every link of the chain from the stored bytes; see
    /// [`Self::verify_expecting`].
    pub fn verify(&self) -> Result<VerifyReport> {
        self.verify_expecting(None)
    }

    /// Walks the whole log, recomputing every link of the chain from the stored bytes, then
    /// checks what is derived from the events against them (session summaries, the per-session
    /// index, the id index) and the chain against its anchors outside the store: the head file
    /// beside it, and `expect` (a head as `verify` printed it, a hex prefix of at least 8
    /// digits, optionally `SEQ:` before it), which must be a point of this chain.
    pub fn verify_expecting(&self, expect: Option<&str>) -> Result<VerifyReport> {
        self.guard(|| {
            let mut report = self.verify_chain()?;
            if report.failure.is_some() {
                return Ok(report);
            }
            let txn = self.read_txn()?;
            let log = txn.open_table(EVENTS)?;
            let hash_at = |seq: u64| -> Result<Option<[u8; 32]>> {
                Ok(log
                    .get(seq)?
                    .and_then(|v| codec::read_event(v.value()).ok().map(|r| r.hash())))
            };
            // A head noted before the store was linked anew (schema 3) stands for the new one.
            let rechained = read_rechained(&txn.open_table(META)?)?;
            let current = |head: Head| match rechained {
                Some((old, new)) if old == head => new,
                _ => head,
            };
            if let Some(anchor) = anchor::read(&self.path) {
                match anchor.map(current) {
                    Ok((seq, hash)) if hash_at(seq)? != Some(hash) => report.problems.push(format!(
                        "the head file {} records event #{seq} ({}), which this store {}: it was \
                         truncated, emptied or replaced by an older copy",
                        anchor::path(&self.path).display(),
                        &hex::encode(hash)[..16],
                        if seq > report.events {
                            format!("does not have (it ends at #{})", report.events)
                        } else {
                            "holds with another hash".to_owned()
                        }
                    )),
                    Ok(_) => {}
                    Err(e) => report.problems.push(format!(
                        "the head file {} is damaged: {e}",
                        anchor::path(&self.path).display()
                    )),
                }
            }
            if let Some(expect) = expect {
                let (seq, prefix) = match expect.split_once(':') {
                    Some((seq, hash)) => (seq.parse::<u64>().ok(), hash),
                    None => (None, expect),
                };
                let prefix = prefix.trim().to_ascii_lowercase();
                let found = if prefix.len() < 8 || !prefix.bytes().all(|b| b.is_ascii_hexdigit()) {
                    report.problems.push(format!(
                        "--expect {expect:?} is no head: give the hex digits `verify` printed (8 or more)"
                    ));
                    true
                } else if let Some((_, (seq, hash))) = rechained
                    .filter(|(old, _)| hex::encode(old.1).starts_with(&prefix))
                {
                    hash_at(seq)? == Some(hash)
                } else if let Some(seq) = seq {
                    hash_at(seq)?.is_some_and(|h| hex::encode(h).starts_with(&prefix))
                } else {
                    let mut found = false;
                    for row in log.iter()?.rev() {
                        let (_, v) = row?;
                        if codec::read_event(v.value())
                            .is_ok_and(|r| hex::encode(r.hash()).starts_with(&prefix))
                        {
                            found = true;
                            break;
                        }
                    }
                    found
                };
                if !found {
                    report.problems.push(format!(
                        "no event of this store has the expected head {expect}: it was truncated, \
                         emptied or replaced by an older copy"
                    ));
                }
            }
            drop(log);
            report.problems.extend(self.check_derived(&txn)?);
            Ok(report)
        })
    }

    /// What the derived records say that their events do not: each session's summary and
    /// index, recomputed from its events in log order, and the id index.
    fn check_derived(&self, txn: &redb::ReadTransaction) -> Result<Vec<String>> {
        let log = txn.open_table(EVENTS)?;
        let ids = txn.open_table(EVENT_IDS)?;
        let by_session = txn.open_table(SESSION_EVENTS)?;
        let sessions = txn.open_table(SESSIONS)?;
        let fold_current = read_fold(&txn.open_table(META)?)? == Some(SUMMARY_FOLD);
        let mut problems = Vec::new();
        let mut folded: BTreeMap<String, SessionSummary> = BTreeMap::new();
        let mut index: BTreeSet<(String, u64)> = BTreeSet::new();
        // Each session's seqs in log order, and each event's chain hash, as the walk saw them.
        let mut seqs: BTreeMap<String, Vec<u64>> = BTreeMap::new();
        let mut hashes: Vec<[u8; 32]> = Vec::new();
        for row in log.iter()? {
            let (k, v) = row?;
            let seq = k.value();
            let record = codec::read_event(v.value());
            hashes.push(record.as_ref().map_or([0; 32], codec::Stored::hash));
            let canonical = match record {
                // Erased: nothing of it is indexed or summarized any more.
                Ok(codec::Stored::Erased { .. }) => continue,
                Ok(
                    codec::Stored::Kept { canonical, .. } | codec::Stored::Linked { canonical, .. },
                ) => Some(canonical),
                Err(_) => None,
            };
            let event = canonical.and_then(|json| serde_json::from_slice::<Event>(&json).ok());
            let Some(e) = event else {
                problems.push(format!("event #{seq} cannot be read as an event"));
                continue;
            };
            if ids.get(e.id.as_str())?.map(|v| v.value()) != Some(seq) {
                problems.push(format!(
                    "the id index does not lead to event #{seq} (id {})",
                    e.id
                ));
            }
            if e.session == ERASURES {
                continue;
            }
            folded
                .entry(e.session.clone())
                .or_insert_with(|| SessionSummary::new(&e.session))
                .apply(&e);
            seqs.entry(e.session.clone()).or_default().push(seq);
            index.insert((e.session, seq));
        }
        // What the commands do — a session's range of the index, then each event by its key,
        // and its summary by its id — must find what the walk found: a damaged branch page can
        // hide entries from a lookup that a walk over the leaves still sees.
        for (session, expected) in &seqs {
            let mut listed = Vec::new();
            for row in by_session.range((session.as_str(), 0)..=(session.as_str(), u64::MAX))? {
                listed.push(row?.0.value().1);
            }
            if &listed != expected {
                problems.push(format!(
                    "session {session}'s index finds {} of its {} events",
                    listed.iter().filter(|s| expected.contains(s)).count(),
                    expected.len()
                ));
            }
            for &seq in expected {
                let found = log
                    .get(seq)?
                    .and_then(|v| decode_event(v.value()).ok().map(|(h, _)| h));
                if found.as_ref() != hashes.get(seq as usize - 1) {
                    problems.push(format!("event #{seq} is not found by its number"));
                }
            }
            if fold_current && sessions.get(session.as_str())?.is_none() {
                problems.push(format!(
                    "session {session}'s summary is not found by its id"
                ));
            }
        }
        for row in by_session.iter()? {
            let (k, _) = row?;
            let (session, seq) = k.value();
            if !index.remove(&(session.to_owned(), seq)) {
                problems.push(format!(
                    "session {session}'s index lists event #{seq}, which is not one of its events"
                ));
            }
        }
        for (session, seq) in index {
            problems.push(format!("session {session}'s index misses its event #{seq}"));
        }
        if !fold_current {
            // Folded by an older build's rules: the next writable open folds them again.
            return Ok(problems);
        }
        for row in sessions.iter()? {
            let (k, v) = row?;
            let id = k.value();
            let stored = decode_record::<SessionSummary>(v.value());
            match (stored, folded.remove(id)) {
                (Err(e), _) => problems.push(format!("session {id}'s summary is undecodable: {e}")),
                (Ok(_), None) => problems.push(format!("session {id} has a summary but no events")),
                (Ok(stored), Some(computed)) if stored != computed => problems.push(format!(
                    "session {id}'s summary does not match its events: {}",
                    summary_diff(&stored, &computed)
                )),
                _ => {}
            }
        }
        for id in folded.keys() {
            problems.push(format!("session {id} has events but no summary"));
        }
        Ok(problems)
    }

    /// Walks the whole log, recomputing every link of the chain from the stored bytes.
    fn verify_chain(&self) -> Result<VerifyReport> {
        let txn = self.read_txn()?;
        let log = txn.open_table(EVENTS)?;
        let meta = txn.open_table(META)?;
        let ids = txn.open_table(EVENT_IDS)?;
        let (head_seq, head_hash) = read_head(&meta)?;
        let mut prev = [0u8; 32];
        let mut expected = 1u64;
        let fail =
            |seq: u64, event_id: Option<String>, reason: String, events: u64, prev: &[u8; 32]| {
                VerifyReport {
                    events,
                    head: hex::encode(prev),
                    failure: Some(VerifyFailure {
                        seq,
                        event_id,
                        reason,
                    }),
                    problems: Vec::new(),
                    erased: BTreeMap::new(),
                }
            };
        let mut erased: BTreeMap<String, u64> = BTreeMap::new();
        let mut erased_seqs: BTreeSet<u64> = BTreeSet::new();
        let mut named: BTreeSet<u64> = BTreeSet::new();
        for row in log.iter()? {
            let (k, v) = row?;
            let seq = k.value();
            let bytes = v.value();
            let event_id = event_id_of(bytes);
            if seq != expected {
                return Ok(fail(
                    expected,
                    None,
                    format!("event #{expected} is missing (next stored is #{seq})"),
                    expected - 1,
                    &prev,
                ));
            }
            let record = match codec::read_event(bytes) {
                Ok(x) => x,
                Err(e) => {
                    return Ok(fail(
                        seq,
                        event_id,
                        format!("undecodable record: {e}"),
                        seq - 1,
                        &prev,
                    ));
                }
            };
            match &record {
                codec::Stored::Kept {
                    digest, canonical, ..
                } if codec::digest(canonical) != *digest => {
                    return Ok(fail(
                        seq,
                        event_id,
                        "its content does not match its digest".into(),
                        seq - 1,
                        &prev,
                    ));
                }
                codec::Stored::Erased { tombstone, .. } => {
                    let day = tombstone.at.get(..10).unwrap_or(&tombstone.at);
                    *erased
                        .entry(format!("on {day} ({})", tombstone.why))
                        .or_insert(0) += 1;
                    erased_seqs.insert(seq);
                }
                _ => {}
            }
            // Only an erasure event names erased events; most records are not one.
            let canonical = match &record {
                codec::Stored::Linked { canonical, .. } | codec::Stored::Kept { canonical, .. } => {
                    Some(canonical)
                }
                codec::Stored::Erased { .. } => None,
            };
            if let Some(canonical) = canonical
                && memchr::memmem::find(canonical, br#""kind":"erasure""#).is_some()
                && let Ok(Event {
                    body: Body::Erasure { seqs, .. },
                    ..
                }) = serde_json::from_slice::<Event>(canonical)
            {
                named.extend(seqs);
            }
            let computed = record.link(&prev);
            if computed != record.hash() {
                return Ok(fail(
                    seq,
                    event_id,
                    "its content does not match its chain hash".into(),
                    seq - 1,
                    &prev,
                ));
            }
            prev = computed;
            expected += 1;
        }
        let count = expected - 1;
        if let Some(unnamed) = erased_seqs.difference(&named).next() {
            return Ok(fail(
                *unnamed,
                None,
                "its content is erased, but no erasure in the chain names it".into(),
                count,
                &prev,
            ));
        }
        if count != head_seq || (count > 0 && prev != head_hash) {
            return Ok(fail(
                count.max(1),
                None,
                format!("the log ends at #{count} but the recorded head is #{head_seq}"),
                count,
                &prev,
            ));
        }
        let indexed = ids.len()?;
        if indexed != count {
            return Ok(fail(
                count,
                None,
                format!("{indexed} event ids are indexed for {count} events"),
                count,
                &prev,
            ));
        }
        Ok(VerifyReport {
            events: count,
            head: hex::encode(prev),
            failure: None,
            problems: Vec::new(),
            erased,
        })
    }
}

thread_local! {
    static GUARDING: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Whether this thread is inside a store call whose panic becomes [`StoreError::Damaged`]: a
/// panic hook then has no crash to report, only a damaged store the error will name.
pub fn panic_is_caught() -> bool {
    GUARDING.with(|g| g.get() > 0)
}

/// Runs `f`, turning a panic inside it into [`StoreError::Damaged`] (see `Store::guard`).
fn guarded<T>(path: &Path, f: impl FnOnce() -> Result<T>) -> Result<T> {
    GUARDING.with(|g| g.set(g.get() + 1));
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    GUARDING.with(|g| g.set(g.get() - 1));
    outcome.unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "an unreadable page".to_owned());
        Err(StoreError::Damaged {
            path: path.to_owned(),
            what,
        })
    })
}

/// Opens (creating) the store file for reading and writing, private to its user.
fn open_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    opts.open(path)
}

/// Which file a handle is (device and inode), to tell a file replaced at its path.
fn file_identity(file: &std::fs::File) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        file.metadata().ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        None
    }
}

/// Whether an open failed because the file or its file system refuses writes.
fn refuses_writes(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem
    )
}

/// An open's error, as [`StoreError::Locked`] when it waited out a lock.
fn open_error(path: &Path, e: DatabaseError, waited: Duration) -> StoreError {
    let message = e.to_string();
    if matches!(e, DatabaseError::DatabaseAlreadyOpen) || backend::gave_up(&message) {
        return StoreError::Locked {
            path: path.to_owned(),
            waited,
        };
    }
    StoreError::Open {
        path: path.to_owned(),
        message,
    }
}

/// Whether `e` says the file at `path` is no redb database because its creation never
/// finished: redb writes the magic number last, after the first sync, so a create that failed
/// (an I/O error, a full disk, a kill) leaves a file whose magic is still zeros. Nothing was
/// ever stored in such a file. A store whose magic was damaged later is not this, and is left
/// alone for `verify` and a person to look at.
fn unborn(path: &Path, e: &DatabaseError) -> bool {
    use std::io::Read;
    let DatabaseError::Storage(redb::StorageError::Io(io)) = e else {
        return false;
    };
    if io.kind() != std::io::ErrorKind::InvalidData {
        return false;
    }
    let mut magic = [0xffu8; 9];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok_and(|()| magic == [0; 9])
}

/// Moves a file that is no store out of the way (kept, never deleted), returning where to.
fn set_aside(path: &Path) -> Result<PathBuf> {
    let stamp = jiff::Timestamp::now().as_second();
    let aside = path.with_extension(format!("redb.unborn-{stamp}"));
    std::fs::rename(path, &aside).map_err(|e| StoreError::Open {
        path: path.to_owned(),
        message: format!("cannot move the unfinished store aside: {e}"),
    })?;
    Ok(aside)
}

/// The rules `SessionSummary::apply` folds a session by, as stored in `META["summaries"]`: bump it
/// whenever `apply` changes, and every store's summaries are folded again on its next writable
/// open, so `verify` can compare them with a fold of their events.
const SUMMARY_FOLD: u32 = 1;

fn read_fold(meta: &impl ReadableTable<&'static str, &'static [u8]>) -> Result<Option<u32>> {
    Ok(meta
        .get("summaries")?
        .and_then(|v| v.value().try_into().ok().map(u32::from_le_bytes)))
}

/// `session`'s summary folded from its events up to `through` (a seq), in log order.
fn fold_session(
    log: &impl ReadableTable<u64, &'static [u8]>,
    by_session: &impl ReadableTable<(&'static str, u64), ()>,
    session: &str,
    through: u64,
) -> Result<SessionSummary> {
    let mut summary = SessionSummary::new(session);
    for row in by_session.range((session, 0)..=(session, through))? {
        let (k, _) = row?;
        let seq = k.value().1;
        if let Some(v) = log.get(seq)?
            && let Some(e) = event_of(v.value())
        {
            summary.apply(&e);
        }
    }
    Ok(summary)
}

/// Every session's summary folded again from the whole log. Returns how many.
fn refold_all(txn: &redb::WriteTransaction) -> Result<u64> {
    let log = txn.open_table(EVENTS)?;
    let mut folded: BTreeMap<String, SessionSummary> = BTreeMap::new();
    for row in log.iter()? {
        let (_, v) = row?;
        if let Some(e) = event_of(v.value()) {
            folded
                .entry(e.session.clone())
                .or_insert_with(|| SessionSummary::new(&e.session))
                .apply(&e);
        }
    }
    let mut sessions = txn.open_table(SESSIONS)?;
    sessions.retain(|_, _| false)?;
    for (id, s) in &folded {
        sessions.insert(id.as_str(), encode_record(s).as_slice())?;
    }
    Ok(folded.len() as u64)
}

/// The fields in which a stored summary differs from the one its events give, for a message.
fn summary_diff(stored: &SessionSummary, computed: &SessionSummary) -> String {
    let (a, b) = (
        serde_json::to_value(stored).unwrap_or_default(),
        serde_json::to_value(computed).unwrap_or_default(),
    );
    let (Some(a), Some(b)) = (a.as_object(), b.as_object()) else {
        return "it differs".into();
    };
    let mut keys: BTreeSet<&String> = a.keys().collect();
    keys.extend(b.keys());
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| {
            let show =
                |v: Option<&serde_json::Value>| v.map_or("nothing".into(), |v| v.to_string());
            format!("{k} {} (events say {})", show(a.get(k)), show(b.get(k)))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Schema 2 → 3: links every event anew through its content's digest (`EVENT_V3`), so content can
/// be erased later while the chain verifies. The head changes; the old one is kept in
/// `META["rechained"]` (old head ‖ new head) so a head noted before (`verify --expect`, an
/// anchor) is still recognised. A record that cannot be decoded is kept as it is, and the chain
/// goes on from its stored hash (`verify` reports it, as it did before). Returns (old, new) head.
fn rechain(
    txn: &redb::WriteTransaction,
    meta: &mut redb::Table<&'static str, &'static [u8]>,
) -> Result<(Head, Head)> {
    let old = read_head(meta)?;
    let mut log = txn.open_table(EVENTS)?;
    let mut compressor =
        zstd::bulk::Compressor::new(-5).map_err(|e| StoreError::Db(e.to_string()))?;
    let mut prev = [0u8; 32];
    let mut last = 0u64;
    let mut next = 1u64;
    loop {
        let mut batch: Vec<(u64, Vec<u8>)> = Vec::new();
        for row in log.range(next..)?.take(4096) {
            let (k, v) = row?;
            let seq = k.value();
            let record = match codec::read_event(v.value()) {
                Ok(
                    codec::Stored::Linked { canonical, .. } | codec::Stored::Kept { canonical, .. },
                ) => {
                    let digest = codec::digest(&canonical);
                    prev = chain_hash(&prev, &digest);
                    encode_event(&mut compressor, &prev, &digest, &canonical)
                }
                Ok(codec::Stored::Erased {
                    digest, tombstone, ..
                }) => {
                    prev = chain_hash(&prev, &digest);
                    codec::encode_erased(&prev, &digest, &tombstone)
                }
                Err(e) => {
                    tracing::warn!("event #{seq} kept as it is while linking anew: {e}");
                    if let Some(hash) = v.value().get(1..33) {
                        prev.copy_from_slice(hash);
                    }
                    v.value().to_vec()
                }
            };
            batch.push((seq, record));
            last = seq;
        }
        let Some(&(end, _)) = batch.last() else {
            break;
        };
        for (seq, record) in batch {
            log.insert(seq, record.as_slice())?;
        }
        next = end + 1;
    }
    let new = (last, prev);
    if last > 0 {
        let mut v = last.to_le_bytes().to_vec();
        v.extend_from_slice(&prev);
        meta.insert("head", v.as_slice())?;
        let mut both = Vec::with_capacity(80);
        both.extend_from_slice(&old.0.to_le_bytes());
        both.extend_from_slice(&old.1);
        both.extend_from_slice(&new.0.to_le_bytes());
        both.extend_from_slice(&new.1);
        meta.insert("rechained", both.as_slice())?;
    }
    Ok((old, new))
}

/// The head before and after the schema 3 relinking, if the store was relinked.
fn read_rechained(
    meta: &impl ReadableTable<&'static str, &'static [u8]>,
) -> Result<Option<(Head, Head)>> {
    let Some(v) = meta.get("rechained")? else {
        return Ok(None);
    };
    let v = v.value();
    if v.len() != 80 {
        return Ok(None);
    }
    let head = |b: &[u8]| -> Head {
        let mut hash = [0u8; 32];
        hash.copy_from_slice(&b[8..40]);
        (
            u64::from_le_bytes(b[..8].try_into().expect("8 bytes")),
            hash,
        )
    };
    Ok(Some((head(&v[..40]), head(&v[40..]))))
}

/// The newest decodable summary of `session` in `table`.
fn latest_summary(
    table: &impl ReadableTable<(&'static str, u32), &'static [u8]>,
    session: &str,
) -> Result<Option<SummaryRecord>> {
    for row in table.range((session, 0)..=(session, u32::MAX))?.rev() {
        let (k, v) = row?;
        let (_, version) = k.value();
        match decode_record::<SummaryRecord>(v.value()) {
            Ok(mut r) => {
                r.version = version;
                return Ok(Some(r));
            }
            Err(e) => tracing::warn!("skipping summary {session} v{version}: {e}"),
        }
    }
    Ok(None)
}

/// The store's schema version, `None` when none was written yet.
fn read_schema(meta: &impl ReadableTable<&'static str, &'static [u8]>) -> Result<Option<u32>> {
    Ok(meta
        .get("schema")?
        .map(|v| u32::from_le_bytes(v.value().try_into().unwrap_or([0; 4]))))
}

/// Schema 1 → 2: maps the positional id of every stored event (see `EventId::positional`) to its
/// seq in `EVENT_ALIASES`, so the events an older build stored under offset ids are found again
/// when their file is read anew. `n` counts the earlier events of the same session, turn and
/// kind in log order, as a reader does. Returns how many aliases were added.
fn alias_positional_ids(txn: &redb::WriteTransaction) -> Result<u64> {
    let log = txn.open_table(EVENTS)?;
    let ids = txn.open_table(EVENT_IDS)?;
    let mut aliases = txn.open_table(EVENT_ALIASES)?;
    let mut seen: HashMap<(String, Option<String>, &'static str), u32> = HashMap::new();
    let mut added = 0;
    for row in log.iter()? {
        let (k, v) = row?;
        let seq = k.value();
        let decoded = decode_event(v.value())
            .map_err(|e| e.to_string())
            .and_then(|(_, json)| {
                serde_json::from_slice::<Event>(&json).map_err(|e| e.to_string())
            });
        let e = match decoded {
            Ok(e) => e,
            Err(err) => {
                tracing::warn!("not aliasing undecodable event #{seq}: {err}");
                continue;
            }
        };
        let n = seen
            .entry((e.session.clone(), e.turn.clone(), e.body.kind()))
            .or_insert(0);
        let alias = EventId::positional_of("codex", &e, *n);
        *n += 1;
        if alias == e.id
            || ids.get(alias.as_str())?.is_some()
            || aliases.get(alias.as_str())?.is_some()
        {
            continue;
        }
        aliases.insert(alias.as_str(), seq)?;
        added += 1;
    }
    Ok(added)
}

fn read_head(meta: &impl ReadableTable<&'static str, &'static [u8]>) -> Result<(u64, [u8; 32])> {
    let Some(v) = meta.get("head")? else {
        return Ok((0, [0; 32]));
    };
    let v = v.value();
    if v.len() != 40 {
        return Err(StoreError::Db("the chain head record is damaged".into()));
    }
    let seq = u64::from_le_bytes(v[..8].try_into().expect("8 bytes"));
    let mut hash = [0u8; 32];
    hash.copy_from_slice(&v[8..]);
    Ok((seq, hash))
}

fn read_cursor(
    files: &impl ReadableTable<&'static str, &'static [u8]>,
    key: &str,
) -> Result<Option<FileCursor>> {
    let Some(v) = files.get(key)? else {
        return Ok(None);
    };
    match decode_record(v.value()) {
        Ok(c) => Ok(Some(c)),
        Err(e) => {
            // Reading the file again from the start is safe: event ids make it idempotent.
            tracing::warn!("cursor {key} is undecodable ({e}); the file will be read again");
            Ok(None)
        }
    }
}

/// Whether a record's content was erased (it has no event to decode, and that is no damage).
fn erased(bytes: &[u8]) -> bool {
    matches!(codec::read_event(bytes), Ok(codec::Stored::Erased { .. }))
}

/// The event in a record, `None` when it cannot be decoded.
fn event_of(bytes: &[u8]) -> Option<Event> {
    let (_, json) = decode_event(bytes).ok()?;
    serde_json::from_slice(&json).ok()
}

/// Best-effort id of a possibly damaged event record, for error messages.
fn event_id_of(bytes: &[u8]) -> Option<String> {
    let (_, json) = decode_event(bytes).ok()?;
    let v: serde_json::Value = serde_json::from_slice(&json).ok()?;
    v.get("id")?.as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::{Body, Event};

    fn ev(id: &str, session: &str, text: &str) -> Event {
        Event {
            id: id.into(),
            session: session.into(),
            at: "2026-01-01T00:00:00.000Z".into(),
            turn: Some("t1".into()),
            body: Body::Prompt {
                text: text.into(),
                ide: None,
                images: 0,
                steer: false,
            },
        }
    }

    fn cursor(key: &str, offset: u64) -> FileCursor {
        FileCursor {
            key: key.into(),
            path: format!("/p/{key}"),
            offset,
            ..FileCursor::default()
        }
    }

    #[test]
    fn commits_are_idempotent_and_chained() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("store.redb")).unwrap();
        let batch = vec![
            ev("a", "s1", "What is useEffect?"),
            ev("b", "s1", "and useMemo?"),
        ];
        let first = store.commit(&batch, &[cursor("k", 10)]).unwrap();
        assert_eq!(
            (first.added, first.duplicates, first.sessions.len()),
            (2, 0, 1)
        );
        let again = store.commit(&batch, &[cursor("k", 10)]).unwrap();
        assert_eq!(
            (again.added, again.duplicates, again.sessions.len()),
            (0, 2, 0)
        );
        let report = store.verify().unwrap();
        assert_eq!((report.events, report.failure), (2, None));
        assert_eq!(store.session("s1").unwrap().unwrap().turns, 2);
        assert_eq!(store.session_events("s1").unwrap().len(), 2);
        assert!(matches!(store.find_session("s").unwrap(), SessionMatch::One(id) if id == "s1"));
    }

    #[test]
    fn cursors_never_move_backwards() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("store.redb")).unwrap();
        store.commit(&[], &[cursor("k", 100)]).unwrap();
        store.commit(&[], &[cursor("k", 50)]).unwrap();
        assert_eq!(store.cursor("k").unwrap().unwrap().offset, 100);
        assert_eq!(store.cursor_by_path("/p/k").unwrap().unwrap().offset, 100);
    }

    /// Events as an older build stored them: ids digested from byte offsets, not positions.
    /// Two prompts share s1's turn t1 (so they are its 0th and 1st prompt); the last event was
    /// stored under its positional id already and needs no alias.
    fn offset_id_events() -> Vec<Event> {
        let header = Event {
            id: EventId::derive("codex", "file1", 0, "session_start"),
            turn: None,
            body: Body::SessionStart(crate::normalize::SessionInfo {
                surface: "cli".into(),
                started_at: "2026-01-01T00:00:00.000Z".into(),
                ..Default::default()
            }),
            ..ev("", "s1", "")
        };
        let answer = Event {
            id: EventId::derive("codex", "file1", 300, "assistant"),
            body: Body::Assistant {
                text: "It runs after render.".into(),
                phase: None,
            },
            ..ev("", "s1", "")
        };
        let already_positional = ev("", "s2", "hello");
        let already_positional = Event {
            id: EventId::positional_of("codex", &already_positional, 0),
            ..already_positional
        };
        vec![
            header,
            ev(
                &EventId::derive("codex", "file1", 100, "prompt"),
                "s1",
                "What is useEffect?",
            ),
            ev(
                &EventId::derive("codex", "file1", 200, "prompt"),
                "s1",
                "and useMemo?",
            ),
            answer,
            already_positional,
        ]
    }

    /// Makes the store at `path` look as a schema 1 build left it: schema 1, no alias table.
    fn force_schema_1(path: &Path) {
        let store = Store::open(path).unwrap();
        let txn = store.write_txn().unwrap();
        txn.open_table(META)
            .unwrap()
            .insert("schema", &1u32.to_le_bytes()[..])
            .unwrap();
        txn.delete_table(EVENT_ALIASES).unwrap();
        txn.commit().unwrap();
    }

    /// The stored schema version and every alias, read straight from the tables.
    fn schema_and_aliases(store: &Store) -> (Option<u32>, HashMap<String, u64>) {
        let txn = store.read_txn().unwrap();
        let schema = read_schema(&txn.open_table(META).unwrap()).unwrap();
        let aliases = txn.open_table(EVENT_ALIASES).unwrap();
        let aliases = aliases
            .iter()
            .unwrap()
            .map(|row| {
                let (k, v) = row.unwrap();
                (k.value().to_owned(), v.value())
            })
            .collect();
        (schema, aliases)
    }

    #[test]
    fn a_schema_1_store_aliases_its_events_to_their_positional_ids() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.redb");
        let old = offset_id_events();
        Store::open(&path).unwrap().commit(&old, &[]).unwrap();
        force_schema_1(&path);

        let store = Store::open(&path).unwrap();
        let (schema, aliases) = schema_and_aliases(&store);
        assert_eq!(schema, Some(SCHEMA_VERSION));
        assert_eq!(aliases.len(), 4, "every event but the positional one");
        // The n-th event of its kind in its turn, in log order: the header, prompts 0 and 1,
        // the answer, and s2's prompt.
        let n = [0, 0, 1, 0, 0];
        let reread: Vec<Event> = old
            .iter()
            .zip(n)
            .map(|(e, n)| Event {
                id: EventId::positional_of("codex", e, n),
                ..e.clone()
            })
            .collect();
        assert_eq!(aliases.get(&reread[1].id), Some(&2));
        assert_eq!(aliases.get(&reread[2].id), Some(&3));

        let again = store.commit(&reread, &[]).unwrap();
        assert_eq!((again.added, again.duplicates), (0, 5));
        let again = store.commit(&old, &[]).unwrap();
        assert_eq!((again.added, again.duplicates), (0, 5));
        let report = store.verify().unwrap();
        assert_eq!((report.events, report.failure), (5, None));

        let third = ev("", "s1", "and useCallback?");
        let third = Event {
            id: EventId::positional_of("codex", &third, 2),
            ..third
        };
        let added = store.commit(&[third], &[]).unwrap();
        assert_eq!((added.added, added.duplicates), (1, 0));
        let report = store.verify().unwrap();
        assert_eq!((report.events, report.failure), (6, None));
        assert_eq!(store.session_events("s1").unwrap().len(), 5);
    }

    #[test]
    fn a_hook_never_runs_the_upgrade() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.redb");
        Store::open(&path)
            .unwrap()
            .commit(&offset_id_events(), &[])
            .unwrap();
        force_schema_1(&path);
        let err = Store::open_with_wait(&path, Duration::from_millis(50)).err();
        assert!(
            matches!(err, Some(StoreError::NeedsUpgrade { found: 1, .. })),
            "{err:?}"
        );
        let store = Store::open(&path).unwrap();
        assert_eq!(schema_and_aliases(&store).0, Some(SCHEMA_VERSION));
        drop(store);
        assert!(Store::open_with_wait(&path, Duration::from_millis(50)).is_ok());
    }

    #[test]
    fn a_new_store_starts_at_the_current_schema_with_no_aliases() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.redb");
        let store = Store::open(&path).unwrap();
        store.commit(&offset_id_events(), &[]).unwrap();
        drop(store);
        // Opening it again migrates nothing: only a schema 1 store's events are aliased.
        let store = Store::open(&path).unwrap();
        assert_eq!(
            schema_and_aliases(&store),
            (Some(SCHEMA_VERSION), HashMap::new())
        );
    }

    #[test]
    fn processes_opening_a_schema_1_store_at_once_all_see_it_migrated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.redb");
        Store::open(&path)
            .unwrap()
            .commit(&offset_id_events(), &[])
            .unwrap();
        force_schema_1(&path);
        let stores: Vec<Store> = std::thread::scope(|s| {
            let opening: Vec<_> = (0..2).map(|_| s.spawn(|| Store::open(&path))).collect();
            opening
                .into_iter()
                .map(|h| h.join().unwrap().unwrap())
                .collect()
        });
        for store in &stores {
            let (schema, aliases) = schema_and_aliases(store);
            assert_eq!((schema, aliases.len()), (Some(SCHEMA_VERSION), 4));
            assert_eq!(store.verify().unwrap().failure, None);
        }
    }

    #[test]
    fn an_undecodable_event_is_skipped_by_the_migration() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.redb");
        let store = Store::open(&path).unwrap();
        store.commit(&offset_id_events(), &[]).unwrap();
        {
            let txn = store.write_txn().unwrap();
            let mut record = vec![codec::EVENT_V1];
            record.extend_from_slice(&[0; 32]);
            record.extend_from_slice(b"not an event");
            txn.open_table(EVENTS)
                .unwrap()
                .insert(6, record.as_slice())
                .unwrap();
            txn.commit().unwrap();
        }
        drop(store);
        force_schema_1(&path);
        let store = Store::open(&path).unwrap();
        let (schema, aliases) = schema_and_aliases(&store);
        assert_eq!((schema, aliases.len()), (Some(SCHEMA_VERSION), 4));
    }

    #[test]
    fn a_store_of_a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.redb");
        let store = Store::open(&path).unwrap();
        let txn = store.write_txn().unwrap();
        txn.open_table(META)
            .unwrap()
            .insert("schema", &(SCHEMA_VERSION + 1).to_le_bytes()[..])
            .unwrap();
        txn.commit().unwrap();
        drop(store);
        assert!(matches!(
            Store::open(&path),
            Err(StoreError::NewerSchema { found, .. }) if found == SCHEMA_VERSION + 1
        ));
    }

    #[test]
    fn two_handles_share_one_store() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.redb");
        let a = Store::open(&path).unwrap();
        let b = Store::open(&path).unwrap();
        a.commit(&[ev("a", "s", "x")], &[cursor("k1", 1)]).unwrap();
        b.commit(&[ev("b", "s", "y"), ev("a", "s", "x")], &[cursor("k2", 1)])
            .unwrap();
        assert_eq!(a.event_count().unwrap(), 2);
        assert_eq!(b.verify().unwrap().failure, None);
    }
}
