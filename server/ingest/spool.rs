//! The shell hooks' spool into the store: commands typed in the developer's own terminal
//! (`sessionlens init SHELL`) become terminal-command events, read by `sessionlens ingest` and by
//! every running language server's watcher.
//!
//! The spool holds command lines before redaction, so it is consumed whole and removed, never
//! kept: a consumer renames `commands.spool` to a name of its own (atomic: of several consumers
//! one wins, the others find nothing), puts an empty `0600` spool in its place for the shells,
//! reads the taken file to its end, commits, and deletes it. A consumer killed on the way leaves
//! its taken file behind, which the next consumer takes over once its owner is no longer running.
//! Event ids come from the line itself, so a file read twice adds nothing; nothing is lost
//! either, since a taken file is deleted only after its events are committed.
//!
//! What is not stored: a command starting with a space (the hooks skip it already), an empty
//! one, one that matches `[terminal] ignore` in the settings file, one an editor's terminal
//! already reported (same folder, same command, ended within [`SAME_COMMAND`]; the editor's
//! record carries the output, so it is the one kept), and one run in an excluded folder (the
//! gate leaves it out; it goes with the rest of the taken file).

use super::gate::Gate;
use crate::capture::lines::{LineReader, Next};
use crate::capture::live;
use crate::capture::shell::{self, Bad};
use crate::normalize::{Body, Event};
use crate::store::Store;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Two records of one command (the shell's hook and an editor's terminal) end this close.
pub const SAME_COMMAND: Duration = Duration::from_secs(3);
/// A taken file whose owner cannot be asked is taken over after this long.
const ABANDONED: Duration = Duration::from_secs(10 * 60);
const TAKEN: &str = ".taken.";

/// What one pass over the spool did.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct SpoolReport {
    /// Commands stored.
    pub commands: u64,
    /// Commands already stored (a spool read again).
    pub already_stored: u64,
    /// Commands an editor's terminal had reported already.
    pub duplicates: u64,
    /// Commands not recorded: a leading space, empty, or on the ignore list.
    pub ignored: u64,
    /// Commands run in an excluded folder, not recorded.
    pub excluded: u64,
    /// Lines cut short or not a hook's.
    pub bad_lines: u64,
    /// Lines written by another version of the hook.
    pub other_version: u64,
    /// Commands that ended too recently for an editor's report of them to have arrived: left in
    /// the spool for the next pass.
    pub waiting: u64,
}

impl SpoolReport {
    pub fn is_empty(&self) -> bool {
        *self == SpoolReport::default()
    }
}

/// Commands the developer does not want recorded, as glob patterns over the command line.
#[derive(Debug, Clone, Default)]
pub struct Ignore(Option<globset::GlobSet>);

impl Ignore {
    pub fn new(patterns: &[String]) -> anyhow::Result<Ignore> {
        if patterns.is_empty() {
            return Ok(Ignore(None));
        }
        let mut set = globset::GlobSetBuilder::new();
        for p in patterns {
            set.add(
                globset::GlobBuilder::new(p.trim())
                    .literal_separator(false)
                    .build()
                    .map_err(|e| anyhow::anyhow!("terminal.ignore pattern {p:?}: {e}"))?,
            );
        }
        Ok(Ignore(Some(set.build()?)))
    }

    /// Whether `command` is kept out: it starts with a space, is blank, or matches a pattern.
    pub fn skips(&self, command: &str) -> bool {
        command.starts_with([' ', '\t'])
            || command.trim().is_empty()
            || self.0.as_ref().is_some_and(|s| s.is_match(command.trim()))
    }
}

/// Reads every spool waiting in `state_dir` into `store`; see the module's doc. A process an
/// editor reports terminal commands to (the language server) passes [`SAME_COMMAND`] as `hold`:
/// commands that ended more recently stay in the spool, so that the editor's richer record of
/// the same command, which may still be on its way, is the one stored. `sessionlens ingest`
/// holds nothing back.
pub fn consume(
    store: &Store,
    gate: &Gate,
    state_dir: &Path,
    ignore: &Ignore,
    hold: Duration,
) -> anyhow::Result<SpoolReport> {
    let mut report = SpoolReport::default();
    let mut files = abandoned(state_dir);
    if let Some(mine) = take(state_dir)? {
        files.push(mine);
    }
    let mut known = Known::default();
    let held_from = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .saturating_sub(hold))
    .as_micros() as u64;
    let spool = crate::config::spool_path(state_dir);
    for file in files {
        // One line in memory at a time, and a line over the readers' bound (no hook writes one:
        // they cut a command to one write) is counted and skipped as it streams, never held.
        let mut lines =
            LineReader::open(&file, 0).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
        let mut held = Vec::new();
        let mut batch: Vec<Event> = Vec::new();
        loop {
            let next = lines
                .next_line()
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let line = match next {
                Next::Line { bytes, .. } => bytes,
                Next::Oversized { offset, len } => {
                    tracing::warn!(
                        "{}: skipping the {len}-byte line at byte {offset}: longer than a \
                         shell hook writes",
                        file.display()
                    );
                    report.bad_lines += 1;
                    continue;
                }
                // A last line cut short.
                Next::Partial { .. } => {
                    report.bad_lines += 1;
                    break;
                }
                Next::Eof => break,
            };
            let text = String::from_utf8_lossy(line);
            let events = read_line(&text, ignore, store, &mut known, &mut report, |t| {
                !hold.is_zero() && t.at_us() > held_from
            })?;
            match events {
                Read::Events(e) => batch.extend(*e),
                Read::Held => held.push(text.into_owned()),
                Read::Nothing => {}
            }
            if batch.len() >= 2 * BATCH {
                commit(store, gate, &mut batch, &file, &mut report)?;
            }
        }
        commit(store, gate, &mut batch, &file, &mut report)?;
        // Held lines go back to the spool before the taken file goes: a crash in between leaves
        // them in both, and ids keep the second read from doubling them.
        for line in &held {
            append(&spool, line)?;
        }
        // Committed: the unredacted lines go.
        if let Err(e) = std::fs::remove_file(&file) {
            tracing::warn!("cannot remove the consumed spool {}: {e}", file.display());
        }
    }
    Ok(report)
}

/// Commands per transaction: bounds memory and what a killed consumer has to redo.
const BATCH: usize = 2000;

/// Commits a batch of commands (each with its session's start) through the gate; those it left
/// out as excluded are counted so, not as stored.
fn commit(
    store: &Store,
    gate: &Gate,
    batch: &mut Vec<Event>,
    file: &Path,
    report: &mut SpoolReport,
) -> anyhow::Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    let committed = gate.commit(store, batch, &[])?;
    let excluded = batch
        .iter()
        .filter(|e| {
            matches!(e.body, Body::Command(_)) && committed.excluded_sessions.contains(&e.session)
        })
        .count() as u64;
    report.excluded += excluded;
    report.commands = report.commands.saturating_sub(excluded);
    tracing::debug!(
        "spool: committed {} commands from {}",
        batch.len() / 2 - excluded as usize,
        file.display()
    );
    batch.clear();
    Ok(())
}

/// The spool renamed to a name of this process's own, and an empty `0600` spool in its place;
/// `None` when there is no spool (nothing typed since the last pass, or another consumer won).
fn take(state_dir: &Path) -> anyhow::Result<Option<PathBuf>> {
    let spool = crate::config::spool_path(state_dir);
    match std::fs::metadata(&spool) {
        Ok(m) if m.len() == 0 => return Ok(None),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(anyhow::anyhow!("{}: {e}", spool.display())),
    }
    let mine = state_dir.join(format!("{}.{}", taken_prefix(), nanos()));
    match std::fs::rename(&spool, &mine) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(anyhow::anyhow!("taking {}: {e}", spool.display())),
    }
    fresh_spool(&spool);
    Ok(Some(mine))
}

/// Appends one line (without its newline) to the spool, in one write, as the hooks do.
fn append(spool: &Path, line: &str) -> anyhow::Result<()> {
    use std::io::Write;
    crate::config::open_private(spool, false)
        .and_then(|mut f| f.write_all(format!("{line}\n").as_bytes()))
        .map_err(|e| anyhow::anyhow!("putting a line back in {}: {e}", spool.display()))
}

/// An empty spool only its owner can read, for the shells to append to. A shell that appends
/// first creates it with its umask; the folder (`0700`) keeps it private either way.
fn fresh_spool(spool: &Path) {
    if let Err(e) = crate::config::open_private(spool, true)
        && e.kind() != std::io::ErrorKind::AlreadyExists
    {
        tracing::debug!("cannot recreate {}: {e}", spool.display());
    }
}

/// Bytes of typed commands waiting in `state_dir`: the spool plus what consumers took and have
/// not finished (a killed ingest's), for `doctor` and `status`.
pub fn waiting_bytes(state_dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(state_dir) else {
        return 0;
    };
    entries
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("commands.spool")
        })
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum()
}

/// Taken files whose consumer is gone (killed before it deleted them), taken over under this
/// process's name so that two consumers never both read one.
fn abandoned(state_dir: &Path) -> Vec<PathBuf> {
    let Ok(dir) = std::fs::read_dir(state_dir) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = Vec::new();
    for entry in dir.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name
            .strip_prefix("commands.spool")
            .and_then(|r| r.strip_prefix(TAKEN))
        else {
            continue;
        };
        let owner: Option<u32> = rest.split('.').next().and_then(|p| p.parse().ok());
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > ABANDONED);
        if owner == Some(std::process::id()) || !(old || owner.is_some_and(|p| !running(p))) {
            continue;
        }
        let mine = state_dir.join(format!("{}.{}-{}", taken_prefix(), nanos(), found.len()));
        if std::fs::rename(entry.path(), &mine).is_ok() {
            found.push(mine);
        }
    }
    found.sort();
    found
}

/// The start of this process's taken files' names (`commands.spool.taken.<pid>`).
fn taken_prefix() -> String {
    format!("commands.spool{TAKEN}{}", std::process::id())
}

fn nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

/// Whether process `pid` still runs (a taken file's owner).
fn running(pid: u32) -> bool {
    #[cfg(unix)]
    {
        // Signal 0 checks without sending; EPERM means it runs under another user.
        let r = unsafe { libc::kill(pid as libc::pid_t, 0) };
        r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// The events of a spool's lines: the commands to store, each with its session's start.
enum Read {
    /// A command to store, with its session's start.
    Events(Box<[Event; 2]>),
    /// A command that waits for the next pass.
    Held,
    /// Nothing to store (counted in the report).
    Nothing,
}

/// One spool line (without its newline): what to store of it.
fn read_line(
    line: &str,
    ignore: &Ignore,
    store: &Store,
    known: &mut Known,
    report: &mut SpoolReport,
    hold: impl FnOnce(&shell::Typed) -> bool,
) -> anyhow::Result<Read> {
    let typed = match shell::parse(line) {
        Ok(t) => t,
        Err(Bad::Version) => {
            report.other_version += 1;
            return Ok(Read::Nothing);
        }
        Err(Bad::Malformed) => {
            report.bad_lines += 1;
            return Ok(Read::Nothing);
        }
    };
    if ignore.skips(&typed.command) {
        report.ignored += 1;
        return Ok(Read::Nothing);
    }
    if hold(&typed) {
        report.waiting += 1;
        return Ok(Read::Held);
    }
    let [start, event] = live::typed_command(&typed);
    Ok(match known.seen(store, &event)? {
        Seen::Stored => {
            report.already_stored += 1;
            Read::Nothing
        }
        Seen::ByEditor => {
            report.duplicates += 1;
            Read::Nothing
        }
        Seen::New => {
            known.add(&event);
            report.commands += 1;
            Read::Events(Box::new([start, event]))
        }
    })
}

enum Seen {
    New,
    /// The same event, from an earlier read of the same line.
    Stored,
    /// An editor's terminal reported the command.
    ByEditor,
}

/// What is known of each local session this pass looked at: the store's events, then this
/// pass's own.
#[derive(Default)]
struct Known(HashMap<String, Session>);

#[derive(Default)]
struct Session {
    ids: HashSet<String>,
    /// Each terminal command's end (ms since the epoch), its line, and whether a shell hook
    /// recorded it (its tool names a shell).
    commands: Vec<(i64, String, bool)>,
}

impl Known {
    /// Whether `event` is stored already, or an editor's terminal reported the same command: same
    /// folder (the same local session), same command line, ended within [`SAME_COMMAND`].
    fn seen(&mut self, store: &Store, event: &Event) -> anyhow::Result<Seen> {
        if !self.0.contains_key(&event.session) {
            let mut session = Session::default();
            for (_, e) in store.session_events(&event.session)? {
                session.add(&e);
            }
            self.0.insert(event.session.clone(), session);
        }
        let session = &self.0[&event.session];
        if session.ids.contains(&event.id) {
            return Ok(Seen::Stored);
        }
        let Some((at, command, _)) = record(event) else {
            return Ok(Seen::New);
        };
        let window = SAME_COMMAND.as_millis() as i64;
        let by_editor = session
            .commands
            .iter()
            .any(|(t, c, hook)| !hook && *c == command && (t - at).abs() <= window);
        Ok(if by_editor { Seen::ByEditor } else { Seen::New })
    }

    fn add(&mut self, event: &Event) {
        self.0.entry(event.session.clone()).or_default().add(event);
    }
}

impl Session {
    fn add(&mut self, e: &Event) {
        self.ids.insert(e.id.clone());
        self.commands.extend(record(e));
    }
}

fn record(e: &Event) -> Option<(i64, String, bool)> {
    let Body::Command(c) = &e.body else {
        return None;
    };
    let at = e.at.parse::<jiff::Timestamp>().ok()?.as_millisecond();
    Some((at, c.command.trim().to_owned(), shell::is_shell(&c.tool)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::shell::Typed;

    const T0: u64 = 1_765_100_000_000_000;

    fn typed(command: &str, end_us: u64, exit_code: i32) -> Typed {
        Typed {
            shell: "bash".into(),
            shell_session: "100-1".into(),
            start_us: Some(end_us - 500_000),
            end_us: Some(end_us),
            exit_code,
            cwd: "/work/app".into(),
            command: command.into(),
        }
    }

    fn commands(store: &Store) -> Vec<(String, Option<i32>, String)> {
        let mut out = Vec::new();
        for e in store.all_events().unwrap() {
            if let Body::Command(c) = e.body {
                out.push((c.command, c.exit_code, c.tool));
            }
        }
        out
    }

    fn setup() -> (tempfile::TempDir, Store, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("store.redb")).unwrap();
        let state = dir.path().join("state");
        std::fs::create_dir_all(&state).unwrap();
        (dir, store, state)
    }

    #[test]
    fn a_spool_becomes_commands_once_and_is_gone() {
        let (_dir, store, state) = setup();
        let spool = crate::config::spool_path(&state);
        let mut text = String::new();
        text += &shell::line(&typed("npm run build", T0, 1));
        text += &shell::line(&typed("npm run build", T0 + 5_000_000, 0));
        text += &shell::line(&typed(" export TOKEN=hunter2", T0 + 6_000_000, 0));
        text += &shell::line(&typed("vault login", T0 + 7_000_000, 0));
        text += "2\tbash\tx\t1\t2\t0\t/w\tfrom a newer hook\n";
        text += "garbage\n";
        text += "1\tbash\t100-1\t1\t2\t0\t/w\tcut sh"; // no newline: cut short
        std::fs::write(&spool, text).unwrap();
        let ignore = Ignore::new(&["vault *".to_owned()]).unwrap();

        let r = consume(
            &store,
            &Gate::admitting_all(),
            &state,
            &ignore,
            Duration::ZERO,
        )
        .unwrap();
        assert_eq!(
            r,
            SpoolReport {
                commands: 2,
                ignored: 2,
                bad_lines: 2,
                other_version: 1,
                ..SpoolReport::default()
            }
        );
        assert_eq!(
            commands(&store),
            [
                ("npm run build".to_owned(), Some(1), "bash".to_owned()),
                ("npm run build".to_owned(), Some(0), "bash".to_owned()),
            ]
        );
        // The consumed lines are gone; an empty private spool waits for the shells.
        let left: Vec<_> = std::fs::read_dir(&state).unwrap().flatten().collect();
        assert_eq!(left.len(), 1, "{left:?}");
        assert_eq!(std::fs::metadata(&spool).unwrap().len(), 0);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&spool).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(
            consume(
                &store,
                &Gate::admitting_all(),
                &state,
                &ignore,
                Duration::ZERO
            )
            .unwrap()
            .is_empty()
        );
        assert!(store.verify().unwrap().failure.is_none());
    }

    #[test]
    fn a_line_longer_than_any_hook_writes_is_skipped_and_the_rest_stored() {
        let (_dir, store, state) = setup();
        let mut text = shell::line(&typed("npm run build", T0, 1));
        text += &shell::line(&typed(
            &"x".repeat(crate::capture::lines::MAX_LINE),
            T0 + 1_000_000,
            0,
        ));
        text += &shell::line(&typed("npm test", T0 + 2_000_000, 0));
        std::fs::write(crate::config::spool_path(&state), text).unwrap();
        let r = consume(
            &store,
            &Gate::admitting_all(),
            &state,
            &Ignore::default(),
            Duration::ZERO,
        )
        .unwrap();
        assert_eq!((r.commands, r.bad_lines), (2, 1), "{r:?}");
        let stored: Vec<String> = commands(&store).into_iter().map(|c| c.0).collect();
        assert_eq!(stored, ["npm run build", "npm test"]);
    }

    #[test]
    fn a_consumer_killed_before_deleting_loses_and_doubles_nothing() {
        let (_dir, store, state) = setup();
        let lines =
            shell::line(&typed("cargo test", T0, 101)) + &shell::line(&typed("ls", T0 + 1, 0));
        // Killed after committing the first line, before deleting: its taken file stays behind,
        // named after a process that no longer runs.
        let [start, first] = live::typed_command(&typed("cargo test", T0, 101));
        store.commit(&[start, first], &[]).unwrap();
        let dead = 999_999_999; // above any pid_max
        std::fs::write(state.join(format!("commands.spool{TAKEN}{dead}.1")), &lines).unwrap();
        // A taken file of a consumer still running is left to it.
        let alive = state.join(format!("commands.spool{TAKEN}{}.2", std::process::id()));
        std::fs::write(&alive, shell::line(&typed("mine", T0 + 2, 0))).unwrap();

        let r = consume(
            &store,
            &Gate::admitting_all(),
            &state,
            &Ignore::default(),
            Duration::ZERO,
        )
        .unwrap();
        assert_eq!((r.commands, r.already_stored), (1, 1), "{r:?}");
        assert_eq!(
            commands(&store)
                .iter()
                .map(|c| c.0.as_str())
                .collect::<Vec<_>>(),
            ["cargo test", "ls"]
        );
        assert!(alive.exists());
    }

    #[test]
    fn a_command_an_editor_reported_is_stored_once_with_its_output() {
        let (_dir, store, state) = setup();
        let at = |us: u64| {
            jiff::Timestamp::from_microsecond(us as i64)
                .unwrap()
                .strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
                .to_string()
        };
        // VS Code's shell integration reported it, with its output, a second after the hook's end.
        let ran = live::Ran {
            command: "npm run build".into(),
            exit_code: Some(1),
            duration_ms: Some(900),
            output: "error TS2339".into(),
        };
        let editor = live::command(live::TERMINAL, "/work/app", &ran, &at(T0 + 1_000_000));
        store.commit(&editor, &[]).unwrap();
        let mut text = shell::line(&typed("npm run build", T0, 1));
        // The same command run again a minute later is another run.
        text += &shell::line(&typed("npm run build", T0 + 60_000_000, 1));
        // Same command, same time, another folder: another command.
        text += &shell::line(&Typed {
            cwd: "/work/other".into(),
            ..typed("npm run build", T0, 1)
        });
        std::fs::write(crate::config::spool_path(&state), text).unwrap();

        let r = consume(
            &store,
            &Gate::admitting_all(),
            &state,
            &Ignore::default(),
            Duration::ZERO,
        )
        .unwrap();
        assert_eq!((r.commands, r.duplicates), (2, 1), "{r:?}");
        let tools: Vec<_> = commands(&store).into_iter().map(|c| c.2).collect();
        assert_eq!(tools, ["terminal", "bash", "bash"]);
    }

    #[test]
    fn a_command_that_just_ended_waits_for_the_editors_report() {
        let (_dir, store, state) = setup();
        let now = jiff::Timestamp::now().as_microsecond() as u64;
        let spool = crate::config::spool_path(&state);
        let text = shell::line(&typed("npm test", now - 60_000_000, 1))
            + &shell::line(&typed("npm run build", now, 1));
        std::fs::write(&spool, &text).unwrap();

        let r = consume(
            &store,
            &Gate::admitting_all(),
            &state,
            &Ignore::default(),
            SAME_COMMAND,
        )
        .unwrap();
        assert_eq!((r.commands, r.waiting), (1, 1), "{r:?}");
        assert_eq!(
            std::fs::read_to_string(&spool).unwrap(),
            shell::line(&typed("npm run build", now, 1))
        );
        // Its window passed (or an ingest that holds nothing back): stored, once.
        let r = consume(
            &store,
            &Gate::admitting_all(),
            &state,
            &Ignore::default(),
            Duration::ZERO,
        )
        .unwrap();
        assert_eq!((r.commands, r.waiting), (1, 0), "{r:?}");
        assert_eq!(commands(&store).len(), 2);
    }
}
