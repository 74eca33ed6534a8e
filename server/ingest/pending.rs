//! Events that could not be stored when they happened, kept on disk until the store takes them.
//! A hook runs on the prompt's path with a bound of its own: when another process holds the
//! store past it (a paused `sessionlens ingest`), the hook's command must not be lost with the
//! hook. It is written here, one small file per hook run (written aside, then renamed in, so a
//! reader never sees half of one), and the next process that writes the store — `ingest`, the
//! language server's watcher, the next hook — commits and removes it. Event ids make a file read
//! twice (two processes draining at once) store its events once.

use crate::normalize::Event;
use crate::store::Store;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The folder of pending files, in the state dir.
pub fn dir(state_dir: &Path) -> PathBuf {
    state_dir.join("pending")
}

/// A pending file is one hook's events: anything larger is no file this module wrote.
const MAX_FILE: u64 = 4 * 1024 * 1024;

/// Keeps `events` for the next writer of the store. Returns the file written.
pub fn put(state_dir: &Path, events: &[Event]) -> anyhow::Result<PathBuf> {
    let dir = dir(state_dir);
    crate::config::private_dir(&dir)?;
    let stamp = jiff::Timestamp::now().as_nanosecond();
    let name = format!("{stamp}-{}", std::process::id());
    let part = dir.join(format!(".{name}.part"));
    let done = dir.join(format!("{name}.jsonl"));
    let mut body = Vec::new();
    for e in events {
        serde_json::to_writer(&mut body, e)?;
        body.push(b'\n');
    }
    let mut file = crate::config::open_private(&part, true)?;
    file.write_all(&body)?;
    file.sync_data()?;
    drop(file);
    std::fs::rename(&part, &done)?;
    Ok(done)
}

/// What [`drain`] did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Drained {
    pub files: u64,
    pub added: u64,
}

/// Commits every pending file into `store` and removes it. A file that cannot be read as events
/// is left in place (and logged) for a person to look at; an error of the store stops the drain
/// with the files still pending.
pub fn drain(store: &Store, state_dir: &Path) -> crate::store::Result<Drained> {
    let mut drained = Drained::default();
    let Ok(entries) = std::fs::read_dir(dir(state_dir)) else {
        return Ok(drained);
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    for file in files {
        let events = match read(&file) {
            Ok(events) => events,
            Err(e) => {
                tracing::warn!("leaving {} pending: {e}", file.display());
                continue;
            }
        };
        let outcome = store.commit(&events, &[])?;
        drained.files += 1;
        drained.added += outcome.added;
        if let Err(e) = std::fs::remove_file(&file)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!("cannot remove {}: {e}", file.display());
        }
    }
    Ok(drained)
}

/// The events of one pending file.
fn read(file: &Path) -> anyhow::Result<Vec<Event>> {
    let meta = std::fs::symlink_metadata(file)?;
    if !meta.is_file() || meta.len() > MAX_FILE {
        anyhow::bail!("not a pending file of Session Lens ({} bytes)", meta.len());
    }
    let text = std::fs::read_to_string(file)?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| Ok(serde_json::from_str::<Event>(l)?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::Body;

    fn command(id: &str) -> Event {
        Event {
            id: id.into(),
            session: "codex-hook-local".into(),
            at: "2026-12-07T10:00:00.000Z".into(),
            turn: None,
            body: Body::Prompt {
                text: format!("prompt {id}"),
                ide: None,
                images: 0,
                steer: false,
            },
        }
    }

    #[test]
    fn pending_events_are_stored_once_and_their_files_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let state = tmp.path().join("state");
        let store = Store::open(&tmp.path().join("store.redb")).unwrap();
        let first = put(&state, &[command("a"), command("b")]).unwrap();
        put(&state, &[command("b"), command("c")]).unwrap();
        std::fs::write(dir(&state).join("junk.jsonl"), "not json\n").unwrap();
        assert!(first.exists());
        let drained = drain(&store, &state).unwrap();
        assert_eq!(drained, Drained { files: 2, added: 3 });
        assert_eq!(store.event_count().unwrap(), 3);
        assert!(!first.exists());
        // The unreadable file stays for a person; draining again stores nothing twice.
        assert!(dir(&state).join("junk.jsonl").exists());
        assert_eq!(drain(&store, &state).unwrap(), Drained::default());
    }
}
