//! Stored records other than events and session summaries.

use serde::{Deserialize, Serialize};

/// How far one source file has been read, and the reader state to resume with.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FileCursor {
    /// Fingerprint of the file: a digest of its first line, which never changes once written, so
    /// a file keeps its identity when it is moved to `archived_sessions/` or compressed.
    pub key: String,
    /// Where it was last seen.
    pub path: String,
    pub session: Option<String>,
    /// Bytes of (decompressed) content consumed: always the end of a complete line.
    pub offset: u64,
    /// The last consumed line's length (without newline) and digest, checked before resuming so a
    /// file rewritten in place is read again from the start instead of misread.
    pub last_line: Option<LineMark>,
    pub lines: u64,
    /// Size and modification time at the last read to the end of the file (0 while a read is
    /// under way), for the cheap "unchanged" check.
    pub seen_size: u64,
    pub seen_mtime_ns: u64,
    /// The source reader's resumable state, opaque to the store.
    pub state: serde_json::Value,
    /// When the source's open turn was closed because the file went quiet.
    #[serde(default)]
    pub idle_closed: bool,
    /// The file ended in a line still being written at the last read.
    #[serde(default)]
    pub partial_tail: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineMark {
    pub len: u64,
    pub sha256: String,
}

/// One generated session summary (a learnings.md entry), as kept in the `summaries` table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryRecord {
    /// Its version for the session: 1, 2, … (the key's second half; not stored in the body).
    #[serde(skip)]
    pub version: u32,
    /// When it was stored (RFC 3339, UTC).
    pub at: String,
    /// SHA-256 of `markdown`, lower-case hex.
    pub sha256: String,
    pub markdown: String,
}
