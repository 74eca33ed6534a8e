//! The documents the editor has open: their current text (the editor's, not the disk's), and the
//! hand edits made since the last save, waiting to become an `editor_edit` event.
//!
//! Changes are applied by the notification handlers synchronously, in arrival order, before any
//! await: a request that follows a change always sees it.

use super::proto::LineIndex;
use std::collections::BTreeSet;
use std::path::PathBuf;
use tower_lsp::lsp_types::{TextDocumentContentChangeEvent, Url};

pub struct Doc {
    pub uri: Url,
    pub path: Option<PathBuf>,
    pub text: String,
    pub lines: LineIndex,
    pub version: i32,
    /// Edits since the last save.
    pub pending: Pending,
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Pending {
    /// Lines (of the current text) the changes touched.
    pub touched: BTreeSet<u32>,
    /// Lines changed, summed over the changes.
    pub lines: u32,
    pub changes: u32,
}

impl Doc {
    pub fn new(uri: Url, text: String, version: i32) -> Doc {
        Doc {
            path: super::proto::path_of(&uri),
            uri,
            lines: LineIndex::new(&text),
            text,
            version,
            pending: Pending::default(),
        }
    }

    /// Applies the editor's changes in order. A change with a range outside the text is logged
    /// and skipped rather than guessed at; the next full-text change repairs any drift.
    pub fn apply(&mut self, changes: Vec<TextDocumentContentChangeEvent>, version: i32) {
        for c in changes {
            match c.range {
                Some(r) => {
                    let (Some(a), Some(b)) = (
                        self.lines.offset(&self.text, r.start),
                        self.lines.offset(&self.text, r.end),
                    ) else {
                        tracing::warn!(
                            "{}: change at {}:{} is outside the document; skipped",
                            self.uri,
                            r.start.line,
                            r.start.character
                        );
                        continue;
                    };
                    let (a, b) = (a.min(b), a.max(b));
                    let old_lines = r.end.line.abs_diff(r.start.line) + 1;
                    let new_lines = c.text.matches('\n').count() as u32 + 1;
                    self.text.replace_range(a..b, &c.text);
                    self.lines = LineIndex::new(&self.text);
                    let start = r.start.line.min(r.end.line);
                    // Lines below moved; earlier marks past the change shift with them.
                    let shift = new_lines as i64 - old_lines as i64;
                    if shift != 0 {
                        self.pending.touched = self
                            .pending
                            .touched
                            .iter()
                            .map(|&l| {
                                if l > start {
                                    (l as i64 + shift).max(start as i64) as u32
                                } else {
                                    l
                                }
                            })
                            .collect();
                    }
                    self.pending.touched.extend(start..start + new_lines);
                    self.pending.lines += old_lines.max(new_lines);
                }
                None if c.text == self.text => {}
                None => {
                    let (first, last_old, last_new) = changed_lines(&self.text, &c.text);
                    if first <= last_new || first <= last_old {
                        self.pending.touched.extend(first..=last_new.max(first));
                        self.pending.lines += (last_old.max(last_new) + 1).saturating_sub(first);
                    }
                    self.text = c.text;
                    self.lines = LineIndex::new(&self.text);
                }
            }
            self.pending.changes += 1;
        }
        self.version = version;
    }
}

/// For a whole-text replacement: the first changed line, and the last changed line in the old
/// and the new text (common leading and trailing lines excluded).
fn changed_lines(old: &str, new: &str) -> (u32, u32, u32) {
    let a: Vec<&str> = old.split('\n').collect();
    let b: Vec<&str> = new.split('\n').collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let max_suffix = a.len().min(b.len()) - prefix;
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take(max_suffix)
        .take_while(|(x, y)| x == y)
        .count();
    let last_old = (a.len() - suffix) as i64 - 1;
    let last_new = (b.len() - suffix) as i64 - 1;
    (
        prefix as u32,
        last_old.max(0) as u32,
        last_new.max(prefix as i64) as u32,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_lsp::lsp_types::{Position, Range};

    fn change(l0: u32, c0: u32, l1: u32, c1: u32, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(l0, c0), Position::new(l1, c1))),
            range_length: None,
            text: text.into(),
        }
    }

    #[test]
    fn incremental_changes_edit_the_text_and_mark_lines() {
        let uri = Url::parse("file:///w/a.ts").unwrap();
        let mut d = Doc::new(uri, "function a() {\n  return 1;\n}\n".into(), 1);
        d.apply(vec![change(1, 9, 1, 10, "2")], 2);
        assert_eq!(d.text, "function a() {\n  return 2;\n}\n");
        d.apply(vec![change(0, 0, 0, 0, "// hi\n")], 3);
        assert_eq!(d.text, "// hi\nfunction a() {\n  return 2;\n}\n");
        // Line 1 ("return 2") moved to line 2 when a line was inserted above it.
        assert_eq!(d.pending.touched, BTreeSet::from([0, 1, 2]));
        assert_eq!(d.pending.changes, 2);
        assert_eq!(d.version, 3);
        // Out of range: skipped, text untouched.
        d.apply(vec![change(40, 0, 41, 0, "x")], 4);
        assert_eq!(d.text, "// hi\nfunction a() {\n  return 2;\n}\n");
    }

    #[test]
    fn whole_text_changes_mark_only_the_lines_that_differ() {
        assert_eq!(changed_lines("a\nb\nc\nd", "a\nB\nB2\nc\nd"), (1, 1, 2));
        let uri = Url::parse("file:///w/a.py").unwrap();
        let mut d = Doc::new(uri, "a\nb\nc\n".into(), 1);
        d.apply(
            vec![TextDocumentContentChangeEvent {
                range: None,
                range_length: None,
                text: "a\nx\nc\n".into(),
            }],
            2,
        );
        assert_eq!(d.pending.touched, BTreeSet::from([1]));
        assert_eq!(d.pending.lines, 1);
    }
}
