//! Events that could not be stored when they happened, kept on disk until the store takes them.
//! A hook runs on the prompt's path with a bound of its own: when another process holds the
//! store past it (a paused `sessionlens ingest`), the hook's command must not be lost with the
//! hook. It is written here, one small file per hook run (written aside, then renamed in, so a
//! reader never sees half of one), and the next process that writes the store — `ingest`, the
//! language server's watcher, the next hook — commits and removes it through the gate
//! (`gate::Gate::drain`). Event ids make a file read twice (two processes draining at once)
//! store its events once.

use crate::normalize::Event;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The folder of pending files, in the state dir.
pub fn dir(state_dir: &Path) -> PathBuf {
    state_dir.join("pending")
}

/// A pending file is one hook's events: anything larger is no file this module wrote.
const MAX_FILE: u64 = 4 * 1024 * 1024;

/// Keeps `events` for the next writer of the store. Returns the file written. Only through
/// `gate::Gate::keep`, which leaves out first what the exclusions keep out of the store.
pub(super) fn put(state_dir: &Path, events: &[Event]) -> anyhow::Result<PathBuf> {
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

/// The pending files waiting in `state_dir`, oldest first (their names start with the time
/// they were written). The gate (`gate::Gate::drain`) commits and removes them: what a hook
/// kept is checked against the exclusions like everything else written.
pub fn files(state_dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir(state_dir)) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    files
}

/// The events of one pending file; an error for a file this module did not write (too large,
/// not a regular file, not events), which is left in place for a person to look at.
pub fn read(file: &Path) -> anyhow::Result<Vec<Event>> {
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

    #[test]
    fn what_is_put_is_read_back_in_order() {
        let tmp = tempfile::tempdir().unwrap();
        let state = tmp.path().join("state");
        let event = |id: &str| Event {
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
        };
        let first = put(&state, &[event("a"), event("b")]).unwrap();
        let second = put(&state, &[event("c")]).unwrap();
        std::fs::write(dir(&state).join("junk.txt"), "x").unwrap();
        assert_eq!(files(&state), [first.clone(), second]);
        let ids: Vec<String> = read(&first).unwrap().into_iter().map(|e| e.id).collect();
        assert_eq!(ids, ["a", "b"]);
        std::fs::write(dir(&state).join("junk.jsonl"), "not json\n").unwrap();
        assert!(read(&dir(&state).join("junk.jsonl")).is_err());
        assert!(files(&tmp.path().join("none")).is_empty());
    }
}
