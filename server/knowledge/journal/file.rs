//! `learnings.md`, the file the journal lives in, kept for the developer: a session's entry put
//! in place — replacing that session's earlier entry, never a second copy — while every byte the
//! developer wrote around the entries stays as it was; the managed "Current focus" block at the
//! top rewritten from the workspace's open questions; entries of old sessions moved to
//! `learnings/archive/YYYY-MM.md`. Every file is written whole, never half-written.

use super::entry::{entry, section};
use super::reps::{next_reps, reps};
use super::{gather, marker};
use crate::insight::{Insight, Status};
use crate::knowledge::files::write_atomically;
use crate::knowledge::text::{clip, code, kind_label, plain, utc};
use crate::normalize::{Event, SessionSummary};
use crate::store::Store;
use jiff::{Timestamp, tz::TimeZone};
use std::path::{Path, PathBuf};

/// The markers around the managed "Current focus" block at the top of `learnings.md`.
pub const FOCUS_BEGIN: &str = "<!-- sessionlens:focus:begin -->";
pub const FOCUS_END: &str = "<!-- sessionlens:focus:end -->";
/// Entries whose session is older than this many days move to `learnings/archive/YYYY-MM.md`.
pub const DEFAULT_ARCHIVE_AFTER_DAYS: u32 = 30;
/// At most this many open questions in the focus block.
const FOCUS_MAX: usize = 10;

/// What [`write_session`] did.
#[derive(Debug, Clone)]
pub struct Written {
    pub session: String,
    /// The session's entry.
    pub markdown: String,
    /// The journal written (symlinks resolved).
    pub file: PathBuf,
    /// Whether the journal (or an archive) changed.
    pub changed: bool,
    /// Entries moved out of the journal: (session id, archive file).
    pub archived: Vec<(String, PathBuf)>,
    /// The entry's version in the store's `summaries`, and the hash of the version before it.
    pub version: u32,
    pub previous_hash: Option<String>,
}

/// Summarizes one session (as [`summarize`] picks it) into the journal at `file`, the one write
/// path of the editor command and the notetaker: the entry is kept in the store (a new version
/// when its hash changed), put into the journal (replacing the session's earlier entry), the
/// "Current focus" block at the top is rewritten from the workspace's open questions, and entries
/// of sessions older than `archive_after_days` (0: never) before `now` move to the archive.
pub fn write_session(
    store: &Store,
    session: Option<&str>,
    workspace: &Path,
    file: &Path,
    archive_after_days: u32,
    now: Timestamp,
) -> anyhow::Result<Written> {
    let (summary, events, insights) = gather(store, session, workspace)?;
    write_entry(
        store,
        &insights,
        &summary,
        &events,
        workspace,
        file,
        archive_after_days,
        now,
    )
}

/// [`write_session`] for a session already read, with the insights at hand (the language
/// server's snapshot).
#[allow(clippy::too_many_arguments)]
pub fn write_entry(
    store: &Store,
    insights: &[Insight],
    summary: &SessionSummary,
    events: &[Event],
    workspace: &Path,
    file: &Path,
    archive_after_days: u32,
    now: Timestamp,
) -> anyhow::Result<Written> {
    let markdown = entry(summary, events, insights);
    let version = store.put_summary(&summary.id, &markdown)?;
    let previous_hash = store
        .summaries(&summary.id)?
        .into_iter()
        .find(|r| r.version + 1 == version)
        .map(|r| r.sha256);
    let focus = focus(insights, workspace)?;
    let path = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
    let (changed, archived) = update_journal(
        &path,
        &markdown,
        &summary.id,
        &focus,
        archive_after_days,
        now,
    )?;
    Ok(Written {
        session: summary.id.clone(),
        markdown,
        file: path,
        changed,
        archived,
        version,
        previous_hash,
    })
}

/// The body of the focus block: the workspace's open gaps and follow-ups, newest first, and the
/// next reps they call for (the entry's rules, over the whole workspace).
fn focus(insights: &[Insight], workspace: &Path) -> anyhow::Result<String> {
    let inside = crate::knowledge::scope::inside(workspace)?;
    let mut open: Vec<&Insight> = insights
        .iter()
        .filter(|i| i.status == Status::Open && i.cwd.as_deref().is_some_and(&inside))
        .collect();
    open.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.id.cmp(&b.id)));
    let mut s = String::from(
        "## Current focus\n\n_Rewritten by Session Lens with every entry; write your own notes outside this block._\n\n",
    );
    let questions: Vec<String> = open
        .iter()
        .filter(|i| i.is_open_question())
        .take(FOCUS_MAX)
        .map(|i| {
            let day = utc(&i.at)
                .map(|z| format!(", {}", z.strftime("%Y-%m-%d")))
                .unwrap_or_default();
            format!(
                "- {} ({}{day}) — {}",
                code(&i.topic),
                kind_label(i.kind),
                plain(&clip(&i.text, 120))
            )
        })
        .collect();
    section(&mut s, "Open gaps and follow-ups", &questions);
    next_reps(&mut s, &reps(&open, &[]));
    Ok(s)
}

/// Reads a journal: `None` when missing; refused when it is not UTF-8.
fn read_text(path: &Path) -> std::io::Result<Option<String>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(String::from_utf8(bytes).map_err(|_| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{} is not UTF-8 text; not touching it", path.display()),
            )
        })?)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// The journal with the entry merged, the focus block rewritten and old entries archived;
/// archives are written before the journal, so a crash in between leaves an entry in both
/// (and the next write removes it from the journal), never in neither.
fn update_journal(
    path: &Path,
    entry: &str,
    session_id: &str,
    focus: &str,
    archive_after_days: u32,
    now: Timestamp,
) -> std::io::Result<(bool, Vec<(String, PathBuf)>)> {
    let old = read_text(path)?;
    let text = with_focus(&merged(old.as_deref(), entry, session_id), focus);
    let (text, archived, archives_changed) = archive_old(path, text, archive_after_days, now)?;
    let changed = old.as_deref() != Some(text.as_str());
    if changed {
        write_atomically(path, text.as_bytes())?;
    } else {
        tracing::debug!("{} already holds this entry", path.display());
    }
    Ok((changed || archives_changed, archived))
}

/// `text` with its focus block replaced by one holding `body`, or with one inserted under the
/// file's `# ` heading (at the very top when it has none).
fn with_focus(text: &str, body: &str) -> String {
    let crlf = text.contains("\r\n");
    let nl = if crlf { "\r\n" } else { "\n" };
    let mut block = format!("{FOCUS_BEGIN}\n{}\n{FOCUS_END}", body.trim_end());
    if crlf {
        block = block.replace('\n', "\r\n");
    }
    if let Some(b) = text.find(FOCUS_BEGIN) {
        if let Some(e) = text[b..].find(FOCUS_END) {
            let e = b + e + FOCUS_END.len();
            return format!("{}{block}{}", &text[..b], &text[e..]);
        }
    }
    let first = text.split_inclusive('\n').next().unwrap_or("");
    if first.starts_with("# ") {
        let rest = &text[first.len()..];
        let after = if rest.starts_with('\n') || rest.starts_with("\r\n") {
            nl.to_owned()
        } else {
            format!("{nl}{nl}")
        };
        let first = if first.ends_with('\n') {
            first.to_owned()
        } else {
            format!("{first}{nl}")
        };
        format!("{first}{nl}{block}{after}{rest}")
    } else {
        format!("{block}{nl}{nl}{text}")
    }
}

/// Entries in `text`: (session id, the UTC day of its header, if any).
fn entries_in(text: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let Some(head) = line.strip_prefix("## ") else {
            continue;
        };
        let Some(id) = head
            .trim_end()
            .strip_suffix(" -->")
            .and_then(|h| h.rsplit_once("<!-- sessionlens:session "))
            .map(|(_, id)| id.trim().to_owned())
        else {
            continue;
        };
        let day = head
            .get(..10)
            .filter(|d| d.parse::<jiff::civil::Date>().is_ok())
            .map(str::to_owned);
        out.push((id, day));
    }
    out
}

/// Moves entries whose day is more than `days` before `now` into `learnings/archive/YYYY-MM.md`
/// beside the journal (`<stem>/archive/` for another name). Returns the journal's new text, what
/// moved where, and whether an archive file changed.
#[allow(clippy::type_complexity)]
fn archive_old(
    path: &Path,
    mut text: String,
    days: u32,
    now: Timestamp,
) -> std::io::Result<(String, Vec<(String, PathBuf)>, bool)> {
    if days == 0 {
        return Ok((text, Vec::new(), false));
    }
    let cutoff = (now - jiff::SignedDuration::from_hours(24 * i64::from(days)))
        .to_zoned(TimeZone::UTC)
        .date();
    let old: Vec<(String, String)> = entries_in(&text)
        .into_iter()
        .filter_map(|(id, day)| Some((id, day?)))
        .filter(|(_, day)| day.parse::<jiff::civil::Date>().is_ok_and(|d| d < cutoff))
        .collect();
    if old.is_empty() {
        return Ok((text, Vec::new(), false));
    }
    let stem = path
        .file_stem()
        .map_or_else(|| "learnings".into(), |s| s.to_string_lossy().into_owned());
    let dir = path
        .parent()
        .unwrap_or(Path::new("."))
        .join(stem)
        .join("archive");
    let mut by_month: std::collections::BTreeMap<String, Vec<(String, String)>> =
        std::collections::BTreeMap::new();
    for (id, day) in &old {
        if let Some((start, end)) = find_entry(&text, id) {
            by_month
                .entry(day[..7].to_owned())
                .or_default()
                .push((id.clone(), text[start..end].to_owned()));
        }
    }
    let mut archived = Vec::new();
    let mut changed = false;
    for (month, list) in &by_month {
        let file = dir.join(format!("{month}.md"));
        let before = read_text(&file)?;
        let mut new = before
            .clone()
            .unwrap_or_else(|| format!("# Learnings archive · {month}\n"));
        for (id, entry) in list {
            new = merged(Some(&new), entry, id);
            archived.push((id.clone(), file.clone()));
        }
        if before.as_deref() != Some(new.as_str()) {
            write_atomically(&file, new.as_bytes())?;
            changed = true;
        }
    }
    for (id, _) in &archived {
        if let Some((start, end)) = find_entry(&text, id) {
            text = without(&text, start, end);
        }
    }
    Ok((text, archived, changed))
}

/// `text` without the entry at `start..end`, its line break and the blank line that separated it.
fn without(text: &str, start: usize, end: usize) -> String {
    let mut rest = &text[end..];
    for _ in 0..2 {
        if let Some(r) = rest
            .strip_prefix("\r\n")
            .or_else(|| rest.strip_prefix('\n'))
        {
            rest = r;
        }
    }
    let mut head = &text[..start];
    if rest.is_empty() {
        head = head
            .strip_suffix("\r\n\r\n")
            .map(|h| &text[..h.len() + 2])
            .or_else(|| head.strip_suffix("\n\n").map(|h| &text[..h.len() + 1]))
            .unwrap_or(head);
    }
    format!("{head}{rest}")
}

/// Puts `entry` into the journal at `path`: created with a `# Learnings` heading when missing;
/// when an entry of the same session is already there (its header ends with the session's
/// marker), that entry is replaced in place, otherwise the entry is appended. Text the developer
/// wrote — before, between and after entries, including notes under an entry after its last
/// list — is kept byte for byte. Written atomically (a temporary file renamed over the old one).
/// Returns whether the file changed.
pub fn append(path: &Path, entry: &str, session_id: &str) -> std::io::Result<bool> {
    // Write through a symlink to its target, so the link stays a link.
    let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let old = read_text(&path)?;
    let new = merged(old.as_deref(), entry, session_id);
    if old.as_deref() == Some(new.as_str()) {
        tracing::debug!("{} already holds this entry", path.display());
        return Ok(false);
    }
    write_atomically(&path, new.as_bytes())?;
    Ok(true)
}

/// The journal's new text: `old` with the session's entry replaced, or the entry appended.
fn merged(old: Option<&str>, entry: &str, session_id: &str) -> String {
    let crlf = old.is_some_and(|o| o.contains("\r\n"));
    let mut entry = entry.trim_end().to_owned();
    if crlf {
        entry = entry.replace("\r\n", "\n").replace('\n', "\r\n");
    }
    let nl = if crlf { "\r\n" } else { "\n" };
    let old = match old {
        Some(o) if !o.trim().is_empty() => o,
        _ => return format!("# Learnings{nl}{nl}{entry}{nl}"),
    };
    if let Some((start, end)) = find_entry(old, session_id) {
        tracing::debug!("replacing the entry of session {session_id}");
        let mut out = String::with_capacity(old.len() + entry.len());
        out.push_str(&old[..start]);
        out.push_str(&entry);
        // The old entry's last line break stays where it was (part of `old[end..]`).
        out.push_str(&old[end..]);
        return out;
    }
    let mut out = old.to_owned();
    if !out.ends_with('\n') {
        out.push_str(nl);
    }
    if !out.ends_with("\n\n") && !out.ends_with("\n\r\n") {
        out.push_str(nl);
    }
    out.push_str(&entry);
    out.push_str(nl);
    out
}

/// The byte range of the session's entry in `text`, without its final line break: from its
/// header line to the end of its "Next reps" list — or, when that list cannot be found (the
/// entry was edited by hand), to the line before the next `## ` header or the end of the file.
fn find_entry(text: &str, session_id: &str) -> Option<(usize, usize)> {
    let mark = marker(session_id);
    // (byte offset of the line, the line without its break)
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut at = 0;
    for l in text.split_inclusive('\n') {
        lines.push((at, l.trim_end_matches(['\n', '\r'])));
        at += l.len();
    }
    let line_end = |i: usize| lines[i].0 + lines[i].1.len();
    let h = lines
        .iter()
        .position(|(_, l)| l.starts_with("## ") && l.trim_end().ends_with(&mark))?;
    let next = lines[h + 1..]
        .iter()
        .position(|(_, l)| l.starts_with("## "))
        .map_or(lines.len(), |p| h + 1 + p);
    let reps = (h + 1..next).find(|&i| lines[i].1.starts_with("**Next reps:**"));
    let last = match reps {
        Some(r) => {
            let mut last = r;
            while last + 1 < next && lines[last + 1].1.starts_with("- ") {
                last += 1;
            }
            last
        }
        None => {
            // Up to the next header, leaving the blank lines before it outside.
            let mut last = next - 1;
            while last > h && lines[last].1.trim().is_empty() {
                last -= 1;
            }
            last
        }
    };
    Some((lines[h].0, line_end(last)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(id: &str, body: &str) -> String {
        format!(
            "## 2026-11-18 · T   {}\n\n- **Goal:** x\n\n**Next reps:**\n- {body}\n",
            marker(id)
        )
    }

    #[test]
    fn appending_is_idempotent_and_keeps_the_developers_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("learnings.md");
        assert!(append(&path, &e("a", "one"), "a").unwrap());
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            format!("# Learnings\n\n{}", e("a", "one"))
        );
        assert!(!append(&path, &e("a", "one"), "a").unwrap());

        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str("My own note, right under the entry.\n\n## My heading\n\nMine.\n");
        std::fs::write(&path, &text).unwrap();
        assert!(append(&path, &e("b", "bee"), "b").unwrap());
        assert!(append(&path, &e("a", "two"), "a").unwrap());
        let got = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            got,
            format!(
                "# Learnings\n\n{}My own note, right under the entry.\n\n## My heading\n\nMine.\n\n{}",
                e("a", "two"),
                e("b", "bee")
            )
        );
        assert_eq!(got.matches(&marker("a")).count(), 1);
        // Only the journal is left behind: no temporary files.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_hand_edited_entry_is_replaced_up_to_the_next_header() {
        let old = format!(
            "# L\n\n## x   {}\nedited by hand\n\n## Next\nkeep\n",
            marker("a")
        );
        assert_eq!(
            merged(
                Some(&old),
                "## new   <!-- sessionlens:session a -->\nbody\n",
                "a"
            ),
            "# L\n\n## new   <!-- sessionlens:session a -->\nbody\n\n## Next\nkeep\n"
        );
        let crlf = "# L\r\n\r\nmine\r\n";
        assert_eq!(
            merged(Some(crlf), "## e\nb\n", "z"),
            "# L\r\n\r\nmine\r\n\r\n## e\r\nb\r\n"
        );
    }
}
