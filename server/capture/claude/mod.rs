//! Claude Code sessions on disk: where transcripts live and how to read them.
//!
//! Claude Code writes one JSONL transcript per session under `<config dir>/projects/<project
//! dir>/<sessionId>.jsonl`; a sub-agent it starts (a `Task`, or the compaction of a long
//! conversation) writes its own beside it, in `<sessionId>/subagents/agent-<agentId>.jsonl`, and
//! outputs too large to keep inline go to `<sessionId>/tool-results/<id>.txt`. The project
//! directory's name is a lossy encoding of the working directory, so it is never decoded: the
//! lines carry their `cwd`.

pub mod hook;
mod prompt;
mod tools;
pub mod transcript;

use std::path::{Path, PathBuf};

pub use crate::capture::{DiscoverError, LineStats};
pub use transcript::{ClaudeState, READER_VERSION, TranscriptReader};

/// `<config dir>/projects` for every folder of [`crate::config::claude_config_dirs`].
pub fn default_roots() -> Vec<PathBuf> {
    crate::config::claude_config_dirs()
        .into_iter()
        .map(|d| d.join("projects"))
        .collect()
}

/// Transcripts under `paths` (files are taken as given; folders are searched recursively), each
/// once. Missing paths are reported unless `missing_ok`.
pub fn discover(paths: &[PathBuf], missing_ok: bool) -> (Vec<PathBuf>, Vec<DiscoverError>) {
    let (files, errors) = super::walk(paths, missing_ok, is_transcript_name);
    let unique: std::collections::BTreeSet<PathBuf> = files.into_iter().collect();
    (unique.into_iter().collect(), errors)
}

/// Whether a file is a transcript: `*.jsonl`, not hidden, not a spilled output under
/// `tool-results/` (nor a sub-agent's `*.meta.json` or a `*.tmp` file, which are not `*.jsonl`).
pub fn is_transcript_name(p: &Path) -> bool {
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let in_tool_results = p
        .parent()
        .and_then(Path::file_name)
        .is_some_and(|d| d == "tool-results");
    !name.starts_with('.') && name.ends_with(".jsonl") && !in_tool_results
}

/// The sub-agent a transcript's path names, `(agentId, parent sessionId)`, for
/// `<sessionId>/subagents/agent-<agentId>.jsonl`.
pub(crate) fn subagent_of_path(p: &Path) -> Option<(String, String)> {
    let agent = p
        .file_name()?
        .to_str()?
        .strip_suffix(".jsonl")?
        .strip_prefix("agent-")?;
    let subagents = p.parent()?;
    if subagents.file_name()? != "subagents" {
        return None;
    }
    let parent = subagents.parent()?.file_name()?.to_str()?;
    Some((agent.to_owned(), parent.to_owned()))
}

/// The folder holding a transcript's side files: `<sessionId>/` beside a main transcript, the
/// folder above `subagents/` for a sub-agent's.
pub(crate) fn session_folder(p: &Path) -> Option<PathBuf> {
    if subagent_of_path(p).is_some() {
        return Some(p.parent()?.parent()?.to_path_buf());
    }
    let stem = p.file_name()?.to_str()?.strip_suffix(".jsonl")?;
    Some(p.parent()?.join(stem))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Discovery keeps main and sub-agent transcripts, not side, hidden or temporary files.
    #[test]
    fn transcripts_and_sub_agents_are_found_side_files_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("projects/-home-me-shop");
        let session = project.join("s1");
        std::fs::create_dir_all(session.join("subagents")).unwrap();
        std::fs::create_dir_all(session.join("tool-results")).unwrap();
        for f in [
            "s1.jsonl",
            ".s2.jsonl",
            "s3.jsonl.tmp",
            "notes.txt",
            "s1/subagents/agent-a1.jsonl",
            "s1/subagents/agent-a1.meta.json",
            "s1/tool-results/toolu_1.txt",
            "s1/tool-results/odd.jsonl",
        ] {
            std::fs::write(project.join(f), "x\n").unwrap();
        }
        let (files, errors) = discover(
            &[dir.path().join("projects"), dir.path().join("nope")],
            true,
        );
        assert!(errors.is_empty());
        let rel: Vec<_> = files
            .iter()
            .map(|p| {
                p.strip_prefix(&project)
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(rel, ["s1/subagents/agent-a1.jsonl", "s1.jsonl"]);
        let (_, errors) = discover(&[dir.path().join("nope")], false);
        assert_eq!(errors.len(), 1);
    }

    /// A sub-agent's identity and every transcript's side-file folder are read off its path.
    #[test]
    fn a_sub_agent_and_its_session_folder_come_from_the_path() {
        let sub = Path::new("/p/-w/s1/subagents/agent-acompact-f46190.jsonl");
        assert_eq!(
            subagent_of_path(sub),
            Some(("acompact-f46190".into(), "s1".into()))
        );
        assert_eq!(session_folder(sub).as_deref(), Some(Path::new("/p/-w/s1")));
        let main = Path::new("/p/-w/s1.jsonl");
        assert_eq!(subagent_of_path(main), None);
        assert_eq!(session_folder(main).as_deref(), Some(Path::new("/p/-w/s1")));
        assert_eq!(subagent_of_path(Path::new("/p/agent-x.jsonl")), None);
    }
}
