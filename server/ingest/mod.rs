//! The ingest driver: capture → normalize → store, for Codex rollouts and Claude Code transcripts.
//!
//! Idempotent and resumable. Each file is identified by the digest of its first line, so a file
//! keeps its identity when Codex moves it to `archived_sessions/` or compresses it. Reading
//! resumes at the stored offset after checking that the last consumed line is still there, with
//! the reader state saved alongside; events are committed in bounded batches together with the
//! cursor that produced them. A file rewritten in place (Codex's migration to paginated history
//! renames a new file over the old path: another first line, another size) is read again from
//! the start. Event ids name the event's place in its thread, not in the file, so a file read
//! again — rewritten or not — adds nothing twice.
//!
//! Everything is committed through [`gate`], which keeps out the sessions of excluded folders
//! ([`exclude`]). A file whose session ran in an excluded folder is found out as soon as its
//! reader knows the folder (the header, its first line or so): none of its events is built
//! further, and its cursor is committed at the end of the file with no reader state, only a
//! mark that it is excluded. From then on the file is passed over as it grows — its new lines
//! are counted to move the cursor, never parsed — even if the exclusion is lifted later:
//! exclusions apply to what is written while they are set, in both directions (nothing stored
//! earlier is removed, nothing passed over is fetched back).
//!
//! [`watch`] follows the assistants' folders and runs this driver as they write.

pub mod exclude;
pub mod gate;
pub mod pending;
pub mod retention;
pub mod spool;
pub mod watch;

use crate::capture::claude::{ClaudeState, TranscriptReader};
use crate::capture::codex::{self, CodexState, RolloutReader};
use crate::capture::lines::{self, LineReader, Next};
use crate::capture::{LineStats, SessionReader};
use crate::normalize::Event;
use crate::store::Store;
use crate::store::records::{FileCursor, LineMark};
use gate::{Committed, Gate, GateError};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError};
use std::time::{Duration, SystemTime};

pub struct IngestOptions {
    /// A file untouched this long is a finished session: its open turn is closed.
    pub idle_after: Duration,
    /// Events per transaction at most; bounds memory and the work a crash can lose.
    pub batch_events: usize,
    /// Source bytes read per transaction at most: a commit is made once this much was read
    /// (or `batch_events` events are waiting), whichever comes first. Each commit costs its
    /// fsyncs (a few ms), so commits are sized by what they carry, not made per file.
    pub batch_bytes: u64,
}

/// Events per transaction by default (`--batch-events`).
pub const BATCH_EVENTS: usize = 10_000;

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            idle_after: Duration::from_secs(10 * 60),
            batch_events: BATCH_EVENTS,
            batch_bytes: 32 << 20,
        }
    }
}

#[derive(Debug, Default, Serialize)]
pub struct IngestReport {
    pub files: u64,
    pub files_new: u64,
    /// Files known from an earlier run (perhaps at another path, or compressed since), read on
    /// from where that run stopped.
    pub files_updated: u64,
    pub files_unchanged: u64,
    /// Files whose content no longer matched the stored cursor, or whose saved reader state an
    /// older build wrote, read again from the start.
    pub files_reread: u64,
    /// Files replaced at their path by a different file (Codex rewrote a legacy rollout in
    /// paginated form), read again from the start.
    pub files_replaced: u64,
    /// Files whose session ran in an excluded folder: passed over, nothing of them stored.
    pub files_excluded: u64,
    /// Sessions that received new events.
    pub sessions: u64,
    pub events_added: u64,
    /// Events read that were already stored (nothing is ever stored twice).
    pub events_already_stored: u64,
    /// Events the gate left out: their session's folder is excluded.
    pub events_excluded: u64,
    pub bytes_read: u64,
    pub lines: LineStats,
    /// Files whose last line is still being written; it is read next time.
    pub partial_lines: u64,
    pub errors: Vec<FileError>,
    /// Why the store could not take the events read, when it could not: nothing after the last
    /// commit was stored, and the files are read from there next time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store_error: Option<String>,
    /// Events retention erased after this run (`retention_days` in the settings file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention_erased: Option<u64>,
    /// The shell hooks' spool, when this run read it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub terminal: Option<spool::SpoolReport>,
}

#[derive(Debug, Serialize)]
pub struct FileError {
    pub path: String,
    pub error: String,
}

/// Events and the cursors that produced them, waiting to be committed together. One batch may span
/// many small files (a first ingest of a Codex home has thousands), so commits — each one durable,
/// with its fsyncs — stay few.
struct Batch<'g> {
    events: Vec<Event>,
    cursors: Vec<FileCursor>,
    /// Bytes of source read for the events in the batch, reported to progress when committed.
    bytes: u64,
    gate: &'g Gate,
    /// Each folder's verdict, asked once per run (a first ingest reads thousands of files).
    excluded: HashMap<String, bool>,
    /// Where full batches go to be committed.
    pipe: Pipe,
}

/// A batch handed to the committer: everything one transaction writes.
struct Work {
    events: Vec<Event>,
    cursors: Vec<FileCursor>,
    bytes: u64,
}

/// What the committer did with one [`Work`]: the gate's answer and the bytes it covered.
type Done = Result<(Committed, u64), GateError>;

/// The way from the reader to the store. Reading and committing overlap: full batches go through
/// a bounded channel to one committer thread, which commits them in order through the gate, so
/// the next batch is parsed while the last one is hashed, compressed, written and synced. At
/// most one batch waits in the channel, so memory stays a few batches whatever the input. The
/// committer stops at its first failure: nothing after a failed commit is committed, and the
/// driver, told of it, stops the run as an inline commit would. Without a thread (it could not
/// be started) batches are committed inline.
struct Pipe {
    to: Option<SyncSender<Work>>,
    from: Option<Receiver<Done>>,
    /// Batches sent and not yet answered.
    in_flight: usize,
    /// Cursor keys and paths of the batches in flight: a file met again while its cursor is in
    /// flight waits for it, so it resumes where the earlier commit put it.
    pending: HashSet<String>,
}

impl Pipe {
    fn inline() -> Pipe {
        Pipe {
            to: None,
            from: None,
            in_flight: 0,
            pending: HashSet::new(),
        }
    }
}

/// The committer thread's loop: commits each batch in order until the channel closes or a
/// commit fails.
fn committer(
    store: &Store,
    gate: &Gate,
    work: Receiver<Work>,
    done: std::sync::mpsc::Sender<Done>,
) {
    for w in work {
        let result = gate
            .commit(store, &w.events, &w.cursors)
            .map(|c| (c, w.bytes));
        let failed = result.is_err();
        // Free the batch before answering, so the driver's next batch is the only one held.
        drop(w);
        if done.send(result).is_err() || failed {
            break;
        }
    }
}

impl Batch<'_> {
    /// Whether `folder` is excluded, as the gate says.
    fn excludes(&mut self, folder: &str) -> Result<bool, GateError> {
        if let Some(known) = self.excluded.get(folder) {
            return Ok(*known);
        }
        let out = self
            .gate
            .excludes(Path::new(folder))
            .map_err(GateError::Exclusions)?
            .is_some();
        self.excluded.insert(folder.to_owned(), out);
        Ok(out)
    }
}

/// Which assistant wrote a session file: it decides the file's reader and how a file without a
/// header names its session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    /// Codex rollouts (CLI, IDE panel, `exec`, desktop).
    Codex,
    /// Claude Code transcripts.
    Claude,
}

impl Source {
    /// A file's identity for its cursor, from the digest of its first line: Codex's plain (as the
    /// first builds stored them), others prefixed, so one file read as two sources keeps two
    /// cursors.
    fn key(self, first_line: &[u8; 32]) -> String {
        let digest = hex::encode(&first_line[..16]);
        match self {
            Source::Codex => digest,
            Source::Claude => format!("claude-{digest}"),
        }
    }

    /// Whether a cursor's key is one this source made.
    fn owns_key(self, key: &str) -> bool {
        match self {
            Source::Codex => !key.contains('-'),
            Source::Claude => key.starts_with("claude-"),
        }
    }

    /// The reader for a file of this source: resuming from `saved` when that state is one the
    /// current reader wrote, else (`None` with a saved state) the file must be read again.
    fn reader(
        self,
        path: &Path,
        key: &str,
        saved: Option<&serde_json::Value>,
    ) -> Option<Box<dyn SessionReader>> {
        match self {
            Source::Codex => {
                let state = match saved {
                    Some(v) => Some(
                        serde_json::from_value::<CodexState>(v.clone())
                            .ok()
                            .filter(CodexState::is_current)?,
                    ),
                    None => None,
                };
                let fallback =
                    codex::session_id_from_name(path).unwrap_or_else(|| format!("file-{key}"));
                let reader = RolloutReader::new(state, &fallback)
                    .continues_thread(codex::continues_thread(path));
                Some(Box::new(reader))
            }
            Source::Claude => {
                let state = match saved {
                    Some(v) => Some(
                        serde_json::from_value::<ClaudeState>(v.clone())
                            .ok()
                            .filter(ClaudeState::is_current)?,
                    ),
                    None => None,
                };
                Some(Box::new(TranscriptReader::new(state, path)))
            }
        }
    }
}

/// Ingests Codex rollouts (already discovered) into `store`; see [`ingest_files`].
pub fn ingest_codex(
    store: &Store,
    gate: &Gate,
    files: &[PathBuf],
    opts: &IngestOptions,
    on_bytes: &mut dyn FnMut(u64),
) -> IngestReport {
    ingest_files(store, gate, Source::Codex, files, opts, on_bytes)
}

/// Ingests `files` of `source` (already discovered) into `store`; see [`ingest`].
pub fn ingest_files(
    store: &Store,
    gate: &Gate,
    source: Source,
    files: &[PathBuf],
    opts: &IngestOptions,
    on_bytes: &mut dyn FnMut(u64),
) -> IngestReport {
    let files: Vec<(Source, PathBuf)> = files.iter().map(|f| (source, f.clone())).collect();
    ingest(store, gate, &files, opts, on_bytes)
}

/// Ingests `files` (already discovered, each with its source) into `store` through `gate`, in
/// one run: small files of every source share commits. `on_bytes` is told how many bytes each
/// step read, for a progress bar. Per-file failures are collected in the report, never fatal.
pub fn ingest(
    store: &Store,
    gate: &Gate,
    files: &[(Source, PathBuf)],
    opts: &IngestOptions,
    on_bytes: &mut dyn FnMut(u64),
) -> IngestReport {
    std::thread::scope(|scope| {
        let (to, work) = std::sync::mpsc::sync_channel::<Work>(1);
        let (answer, from) = std::sync::mpsc::channel::<Done>();
        let started = std::thread::Builder::new()
            .name("ingest-commit".into())
            .spawn_scoped(scope, move || committer(store, gate, work, answer));
        let pipe = match started {
            Ok(_) => Pipe {
                to: Some(to),
                from: Some(from),
                in_flight: 0,
                pending: HashSet::new(),
            },
            Err(e) => {
                tracing::debug!("committing inline: no committer thread ({e})");
                Pipe::inline()
            }
        };
        // Dropping the batch (its sender) at the end of `drive` ends the committer's loop.
        drive(store, gate, files, opts, on_bytes, pipe)
    })
}

/// [`ingest`]'s loop over the files, with `pipe` to commit through.
fn drive(
    store: &Store,
    gate: &Gate,
    files: &[(Source, PathBuf)],
    opts: &IngestOptions,
    on_bytes: &mut dyn FnMut(u64),
    pipe: Pipe,
) -> IngestReport {
    let mut report = IngestReport::default();
    let mut sessions = BTreeSet::new();
    let mut batch = Batch {
        events: Vec::new(),
        cursors: Vec::new(),
        bytes: 0,
        gate,
        excluded: HashMap::new(),
        pipe,
    };
    for (source, path) in files {
        report.files += 1;
        if let Err(e) = ingest_file(
            store,
            *source,
            path,
            opts,
            &mut report,
            &mut batch,
            &mut sessions,
            on_bytes,
        ) {
            // The store failing (a full disk, an I/O error, a lock held past the wait) fails every
            // file after it the same way, as do exclusions that cannot be read: the run stops at
            // once, with one message.
            if let Some(e) = e.downcast_ref::<GateError>() {
                report.store_error = Some(e.to_string());
                break;
            }
            tracing::warn!("{}: {e:#}", path.display());
            report.errors.push(FileError {
                path: path.display().to_string(),
                error: format!("{e:#}"),
            });
        }
    }
    if report.store_error.is_none()
        && let Err(e) = flush(store, &mut batch, &mut report, &mut sessions, on_bytes)
    {
        report.store_error = Some(e.to_string());
    }
    // What is still in flight is committed (or fails) before the run reports, whatever stopped it.
    if let Err(e) = settle(&mut batch, &mut report, &mut sessions, on_bytes, true)
        && report.store_error.is_none()
    {
        report.store_error = Some(e.to_string());
    }
    report.sessions = sessions.len() as u64;
    report
}

/// Hands the batch to the committer (or commits it inline), then takes in whatever commits have
/// finished meanwhile. An error is the first commit that failed.
fn flush(
    store: &Store,
    batch: &mut Batch,
    report: &mut IngestReport,
    sessions: &mut BTreeSet<String>,
    on_bytes: &mut dyn FnMut(u64),
) -> Result<(), GateError> {
    if batch.events.is_empty() && batch.cursors.is_empty() {
        return Ok(());
    }
    let work = Work {
        events: std::mem::take(&mut batch.events),
        cursors: std::mem::take(&mut batch.cursors),
        bytes: std::mem::take(&mut batch.bytes),
    };
    let Some(to) = &batch.pipe.to else {
        let committed = batch.gate.commit(store, &work.events, &work.cursors)?;
        taken(report, sessions, on_bytes, committed, work.bytes);
        return Ok(());
    };
    let keys: Vec<String> = work
        .cursors
        .iter()
        .flat_map(|c| [c.key.clone(), c.path.clone()])
        .collect();
    if to.send(work).is_ok() {
        batch.pipe.in_flight += 1;
        batch.pipe.pending.extend(keys);
        settle(batch, report, sessions, on_bytes, false)
    } else {
        // The committer has stopped: it failed, and its answer says why.
        settle(batch, report, sessions, on_bytes, true)
    }
}

/// Takes in the committer's answers: those already there, or (`wait`) all of them.
fn settle(
    batch: &mut Batch,
    report: &mut IngestReport,
    sessions: &mut BTreeSet<String>,
    on_bytes: &mut dyn FnMut(u64),
    wait: bool,
) -> Result<(), GateError> {
    let Some(from) = &batch.pipe.from else {
        return Ok(());
    };
    while batch.pipe.in_flight > 0 {
        let answer = if wait {
            match from.recv() {
                Ok(a) => a,
                Err(_) => break,
            }
        } else {
            match from.try_recv() {
                Ok(a) => a,
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
            }
        };
        batch.pipe.in_flight = batch.pipe.in_flight.saturating_sub(1);
        let (committed, bytes) = answer?;
        taken(report, sessions, on_bytes, committed, bytes);
        if batch.pipe.in_flight == 0 {
            batch.pipe.pending.clear();
        }
    }
    Ok(())
}

/// Counts one finished commit in the report.
fn taken(
    report: &mut IngestReport,
    sessions: &mut BTreeSet<String>,
    on_bytes: &mut dyn FnMut(u64),
    committed: Committed,
    bytes: u64,
) {
    let outcome = committed.outcome;
    tracing::debug!("committed {} events", outcome.added);
    report.events_added += outcome.added;
    report.events_already_stored += outcome.duplicates;
    report.events_excluded += committed.excluded;
    sessions.extend(outcome.sessions);
    on_bytes(bytes);
}

#[allow(clippy::too_many_arguments)]
fn ingest_file(
    store: &Store,
    source: Source,
    path: &Path,
    opts: &IngestOptions,
    report: &mut IngestReport,
    batch: &mut Batch,
    sessions: &mut BTreeSet<String>,
    on_bytes: &mut dyn FnMut(u64),
) -> anyhow::Result<()> {
    let path = std::path::absolute(path)?;
    let path_str = path.to_string_lossy().into_owned();
    let meta = std::fs::metadata(&path)?;
    let size = meta.len();
    let mtime_ns = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as u64);
    let compressed = lines::is_zst(&path);
    let idle = compressed
        || meta
            .modified()
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age >= opts.idle_after);

    // A cursor still on its way to the store is waited for: the file resumes where it put it.
    if batch.pipe.pending.contains(&path_str) {
        settle(batch, report, sessions, on_bytes, true)?;
    }
    // A cursor another source's reader left (the same file read as the other assistant's) is
    // not this reader's: it neither skips the file nor counts as a rewrite.
    let by_path = store
        .cursor_by_path(&path_str)?
        .filter(|c| source.owns_key(&c.key));
    if let Some(c) = &by_path {
        if c.seen_size == size && c.seen_mtime_ns == mtime_ns && (c.idle_closed || !idle) {
            report.files_unchanged += 1;
            if c.partial_tail {
                report.partial_lines += 1;
            }
            on_bytes(size);
            return Ok(());
        }
    }

    let Some(first) = lines::first_line_digest(&path)? else {
        if size > 0 {
            report.partial_lines += 1;
        }
        on_bytes(size);
        return Ok(());
    };
    let key = source.key(&first);
    if let Some(c) = by_path.filter(|c| c.key != key) {
        tracing::info!(
            "{path_str}: a different file than the one read up to byte {} (rewritten in \
             place); reading it from the start",
            c.offset
        );
        report.files_replaced += 1;
    }
    if batch.pipe.pending.contains(&key) {
        settle(batch, report, sessions, on_bytes, true)?;
    }
    let previous = store.cursor(&key)?;
    // A file whose session was found excluded is passed over from where its cursor stands (from
    // the start if its content changed under the cursor): its lines are counted, never parsed.
    let passed_over = previous
        .as_ref()
        .is_some_and(|c| gate::is_excluded_state(&c.state));
    let resumed = match &previous {
        Some(c) if passed_over => Some(if still_there(&path, c) {
            (c.lines, c.offset, c.last_line.clone(), None)
        } else {
            (0, 0, None, None)
        }),
        Some(c) if still_there(&path, c) => match source.reader(&path, &key, Some(&c.state)) {
            Some(reader) => Some((c.lines, c.offset, c.last_line.clone(), Some(reader))),
            None => {
                tracing::info!("{path_str}: reader state from an older build; reading it again");
                report.files_reread += 1;
                None
            }
        },
        Some(c) => {
            tracing::info!(
                "{path_str}: content changed since byte {} was read; reading it again",
                c.offset
            );
            report.files_reread += 1;
            None
        }
        None => None,
    };
    if previous.is_none() {
        report.files_new += 1;
    } else {
        report.files_updated += 1;
    }
    // Without a usable cursor the file is read from the start: event ids make that safe.
    let (start, mut line_count, mut last_mark, reader) = match resumed {
        Some((lines, offset, mark, reader)) => (offset, lines, mark, reader),
        None => (0, 0, None, None),
    };
    let mut reader = match reader {
        Some(reader) => reader,
        None => source
            .reader(&path, &key, None)
            .ok_or_else(|| anyhow::anyhow!("no reader for {source:?} files"))?,
    };
    let mut excluded = passed_over;
    // Whether the session's folder has been checked against the exclusions (once it is known).
    let mut decided = passed_over;
    // Where this file's events start in the batch, so that they can be dropped if its folder
    // turns out to be excluded.
    let mut first_event = batch.events.len();

    // A resumed reader may know the folder already; a new one learns it from the first lines.
    excluded |= !decided && decide(reader.as_ref(), batch, &path_str, &mut decided)?;

    let mut lines_in = LineReader::open(&path, start)?;
    let mut counted_from = start;
    let mut partial = false;

    // `done` marks the cursor that ends a read of the whole file: only then are its size and
    // mtime recorded, so a run killed after a mid-file batch never mistakes the file for read.
    // An excluded file's cursor keeps no reader state and no session: only the mark that it is
    // passed over.
    let cursor_at = |offset: u64,
                     mark: Option<LineMark>,
                     reader: &dyn SessionReader,
                     lines: u64,
                     excluded: bool,
                     done: Option<(bool, bool)>| FileCursor {
        key: key.clone(),
        path: path_str.clone(),
        session: if excluded { None } else { reader.session() },
        offset,
        last_line: mark,
        lines,
        seen_size: if done.is_some() { size } else { 0 },
        seen_mtime_ns: if done.is_some() { mtime_ns } else { 0 },
        state: if excluded {
            gate::excluded_state()
        } else {
            reader.save()
        },
        idle_closed: done.is_some_and(|(idle, _)| idle),
        partial_tail: done.is_some_and(|(_, partial)| partial),
    };

    loop {
        match lines_in.next_line()? {
            Next::Line { bytes, .. } => {
                if !excluded {
                    reader.line(bytes, &mut batch.events);
                }
                line_count += 1;
            }
            Next::Oversized { offset, len } => {
                if !excluded {
                    tracing::warn!("{path_str}: skipped a line of {len} bytes at byte {offset}");
                    reader.oversized_line();
                }
                line_count += 1;
            }
            Next::Partial { .. } => {
                report.partial_lines += 1;
                partial = true;
                break;
            }
            Next::Eof => break,
        }
        if !decided && decide(reader.as_ref(), batch, &path_str, &mut decided)? {
            excluded = true;
            batch.events.truncate(first_event);
        }
        if batch.events.len() >= opts.batch_events
            || batch.bytes + (lines_in.offset() - counted_from) >= opts.batch_bytes
        {
            last_mark = lines_in.last_digest().map(mark);
            let end = lines_in.offset();
            batch.cursors.push(cursor_at(
                end,
                last_mark.clone(),
                reader.as_ref(),
                line_count,
                excluded,
                None,
            ));
            batch.bytes += end - counted_from;
            counted_from = end;
            flush(store, batch, report, sessions, on_bytes)?;
            first_event = 0;
        }
    }
    let end = lines_in.offset();
    if let Some(digest) = lines_in.last_digest() {
        last_mark = Some(mark(digest));
    }
    if idle && !excluded {
        reader.finish_idle(&mut batch.events);
    }
    if excluded {
        report.files_excluded += 1;
    }
    batch.cursors.push(cursor_at(
        end,
        last_mark,
        reader.as_ref(),
        line_count,
        excluded,
        Some((idle, partial)),
    ));
    batch.bytes += size.saturating_sub(counted_from.min(size));
    report.bytes_read += end - start;
    report.lines.add(reader.stats());
    if batch.events.len() >= opts.batch_events || batch.bytes >= opts.batch_bytes {
        flush(store, batch, report, sessions, on_bytes)?;
    }
    Ok(())
}

/// Checks the session's folder against the exclusions once the reader knows it (marking it
/// `decided`); whether it is excluded.
fn decide(
    reader: &dyn SessionReader,
    batch: &mut Batch,
    path: &str,
    decided: &mut bool,
) -> Result<bool, GateError> {
    let Some(cwd) = reader.cwd() else {
        return Ok(false);
    };
    *decided = true;
    let excluded = batch.excludes(cwd)?;
    if excluded {
        tracing::info!("{path}: its session ran in {cwd}, which is excluded; passed over");
    }
    Ok(excluded)
}

fn mark((len, digest): lines::LineDigest) -> LineMark {
    LineMark {
        len,
        sha256: hex::encode(digest),
    }
}

/// Whether the line a cursor last consumed is still where it was: the file grew by appending,
/// was moved, or was compressed — not rewritten.
fn still_there(path: &Path, c: &FileCursor) -> bool {
    let Some(m) = &c.last_line else {
        return c.offset == 0;
    };
    let Some(start) = c.offset.checked_sub(m.len + 1) else {
        return false;
    };
    let Ok(digest) = <[u8; 32]>::try_from(hex::decode(&m.sha256).unwrap_or_default()) else {
        return false;
    };
    lines::line_matches(path, start, m.len, &digest).unwrap_or(false)
}
