//! Codex sessions on disk: where rollout files live (`$CODEX_HOME/sessions/YYYY/MM/DD/` and the
//! flat `archived_sessions/`, plain `.jsonl` or compressed `.jsonl.zst`) and how to read them.

pub mod hook;
mod items;
pub mod prompt;
pub mod rollout;
pub mod tools;
mod wire;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use crate::capture::{DiscoverError, LineStats};
pub use rollout::{CodexState, HistoryMode, READER_VERSION, RolloutReader};

/// The folders Codex writes rollouts to under its home.
pub fn default_roots(codex_home: &Path) -> Vec<PathBuf> {
    vec![
        codex_home.join("sessions"),
        codex_home.join("archived_sessions"),
    ]
}

/// Rollout files under `paths` (files are taken as given; folders are searched recursively for
/// `*.jsonl` and `*.jsonl.zst`). When both `X.jsonl` and `X.jsonl.zst` exist the plain file wins,
/// as in Codex itself. Missing paths are reported unless `missing_ok`.
pub fn discover(paths: &[PathBuf], missing_ok: bool) -> (Vec<PathBuf>, Vec<DiscoverError>) {
    let (files, errors) = super::walk(paths, missing_ok, is_rollout_name);
    let mut found: BTreeMap<PathBuf, PathBuf> = BTreeMap::new();
    for p in files {
        let key = plain_name(&p);
        let keep_existing = found
            .get(&key)
            .is_some_and(|existing| !super::lines::is_zst(existing));
        if !keep_existing {
            found.insert(key, p);
        }
    }
    (found.into_values().collect(), errors)
}

/// Whether a file is a rollout: `*.jsonl` or `*.jsonl.zst`. Codex's temporary files (`*.tmp`,
/// hidden `.<name>.tmp` while a rewrite is published, `.pending` journals, locks, `.timers.json`
/// sidecars) are not.
pub fn is_rollout_name(p: &Path) -> bool {
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
    !name.starts_with('.') && (name.ends_with(".jsonl") || name.ends_with(".jsonl.zst"))
}

fn plain_name(p: &Path) -> PathBuf {
    let s = p.to_string_lossy();
    PathBuf::from(s.strip_suffix(".zst").unwrap_or(&s))
}

/// The thread id in a rollout file name: `rollout-YYYY-MM-DDThh-mm-ss-<uuid>.jsonl[.zst]`, or
/// `rollout-…-<thread uuid>_<rollout uuid>.jsonl` for a thread's later rollout (after a revert).
pub fn session_id_from_name(path: &Path) -> Option<String> {
    name_ids(path).map(|(thread, _)| thread)
}

/// Whether the file is a thread's later rollout (`…-<thread>_<rollout>.jsonl`), which continues
/// a thread begun in another file.
pub fn continues_thread(path: &Path) -> bool {
    name_ids(path).is_some_and(|(_, rollout)| rollout.is_some())
}

fn name_ids(path: &Path) -> Option<(String, Option<String>)> {
    let name = path.file_name()?.to_str()?;
    let stem = name
        .strip_suffix(".zst")
        .unwrap_or(name)
        .strip_suffix(".jsonl")?;
    let rest = stem.strip_prefix("rollout-")?;
    let is_uuid = |s: &str| s.len() == 36 && s.matches('-').count() == 4;
    let (head, rollout) = match rest.rsplit_once('_') {
        Some((head, r)) if is_uuid(r) => (head, Some(r.to_owned())),
        _ => (rest, None),
    };
    let thread = head.get(head.len().checked_sub(36)?..)?;
    (head.len() > 36 && is_uuid(thread)).then(|| (thread.to_owned(), rollout))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_id_comes_from_the_file_name() {
        let p = Path::new(
            "/x/rollout-2025-11-22T21-45-35-019aad50-a7e6-7422-b7a8-0b384290624f.jsonl.zst",
        );
        assert_eq!(
            session_id_from_name(p).as_deref(),
            Some("019aad50-a7e6-7422-b7a8-0b384290624f")
        );
        assert_eq!(session_id_from_name(Path::new("notes.jsonl")), None);
        let revert = Path::new(
            "/x/rollout-2026-08-11T18-42-07-019ff1a2-0000-7000-8000-112233445566_019ff1a2-0000-7000-8000-667788990011.jsonl",
        );
        assert_eq!(
            session_id_from_name(revert).as_deref(),
            Some("019ff1a2-0000-7000-8000-112233445566")
        );
        assert!(continues_thread(revert));
        assert!(!continues_thread(p));
    }

    #[test]
    fn plain_file_wins_over_its_compressed_copy() {
        let dir = tempfile::tempdir().unwrap();
        let day = dir.path().join("sessions/2026/01/02");
        std::fs::create_dir_all(&day).unwrap();
        std::fs::write(day.join("rollout-a.jsonl"), "x\n").unwrap();
        std::fs::write(day.join("rollout-a.jsonl.zst"), "x").unwrap();
        std::fs::write(day.join("rollout-b.jsonl.zst"), "x").unwrap();
        std::fs::write(day.join("notes.txt"), "x").unwrap();
        std::fs::write(day.join(".rollout-c.jsonl.tmp"), "x").unwrap();
        std::fs::write(day.join(".rollout-d.jsonl"), "x").unwrap();
        std::fs::write(day.join("rollout-e.jsonl.head.tmp"), "x").unwrap();
        std::fs::write(day.join("rollout-a.jsonl.timers.json"), "x").unwrap();
        let (files, errors) = discover(
            &[dir.path().join("sessions"), dir.path().join("nope")],
            true,
        );
        assert!(errors.is_empty());
        let names: Vec<_> = files
            .iter()
            .map(|p| p.file_name().unwrap().to_str().unwrap().to_owned())
            .collect();
        assert_eq!(names, vec!["rollout-a.jsonl", "rollout-b.jsonl.zst"]);
    }
}
