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
    /// Its folder is excluded: no hover, lens or diagnostic here (and its edits are never
    /// stored: the gate sees to that). Judged when it opens, at each save and when the
    /// settings change.
    pub excluded: bool,
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
            excluded: false,
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
                    // Lines first..old_end of the old text became first..new_end of the new one.
                    let (first, old_end, new_end) = changed_lines(&self.text, &c.text);
                    let last = c.text.matches('\n').count() as u32;
                    let shift = i64::from(new_end) - i64::from(old_end);
                    // Earlier marks move as the lines under them did: those after the changed
                    // lines by as many lines as these grew, those on them onto the first.
                    self.pending.touched = self
                        .pending
                        .touched
                        .iter()
                        .map(|&l| match l {
                            l if l < first => l,
                            l if l >= old_end => (i64::from(l) + shift) as u32,
                            _ => first,
                        })
                        .map(|l| l.min(last))
                        .collect();
                    // A deletion marks the line it happened at.
                    let marked = first.min(last)..new_end.max(first + 1).min(last + 1);
                    self.pending.touched.extend(marked);
                    self.pending.lines += old_end.max(new_end).max(first + 1) - first;
                    self.text = c.text;
                    self.lines = LineIndex::new(&self.text);
                }
            }
            self.pending.changes += 1;
        }
        self.version = version;
    }
}

/// For a whole-text replacement: the first changed line, and where the changed lines end
/// (exclusive) in the old and in the new text; common leading and trailing lines are not changed.
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
    (
        prefix as u32,
        (a.len() - suffix) as u32,
        (b.len() - suffix) as u32,
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
        assert_eq!(changed_lines("a\nb\nc\nd", "a\nB\nB2\nc\nd"), (1, 2, 3));
        // A deletion: nothing of the new text changed, its line marked.
        assert_eq!(changed_lines("a\nb", "a"), (1, 2, 1));
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
        // A line put above moves the earlier mark with its line.
        d.apply(
            vec![TextDocumentContentChangeEvent {
                range: None,
                range_length: None,
                text: "new\na\nx\nc\n".into(),
            }],
            3,
        );
        assert_eq!(d.pending.touched, BTreeSet::from([0, 2]));
        // Lines taken off the end leave no mark past it.
        d.apply(
            vec![TextDocumentContentChangeEvent {
                range: None,
                range_length: None,
                text: "new".into(),
            }],
            4,
        );
        assert_eq!(d.pending.touched, BTreeSet::from([0]));
    }

    /// The byte offset of a protocol position, computed apart from `LineIndex`: lines end at
    /// `\n`, a line's `\r` before it is not in the line, a column past the end clamps to it and
    /// one inside a surrogate pair rounds down; a line past the last is no position.
    fn model_offset(text: &str, line: u32, character: u32) -> Option<usize> {
        let start: usize = text
            .split_inclusive('\n')
            .take(line as usize)
            .map(str::len)
            .sum();
        let lines = text.split('\n').count();
        if line as usize >= lines {
            return None;
        }
        let rest = &text[start..];
        let content = rest.split('\n').next().unwrap();
        let content = content.strip_suffix('\r').unwrap_or(content);
        let mut units = 0;
        for (i, c) in content.char_indices() {
            units += c.len_utf16() as u32;
            if units > character {
                return Some(start + i);
            }
        }
        Some(start + content.len())
    }

    /// Random edits — ranges past the end, reversed, inside surrogate pairs and across `\r\n`,
    /// whole-text replacements — leave the text a model of LSP positions gives, a line index
    /// that is the text's, and marks on lines that exist; never a panic.
    #[test]
    fn random_changes_edit_the_text_as_a_model_of_positions_says() {
        const PIECES: &[&str] = &[
            "a",
            "useEffect",
            " ",
            "\n",
            "\r\n",
            "é",
            "中",
            "𝄞",
            "😀",
            "a\u{301}",
            "\u{FEFF}",
            ";",
        ];
        // One seed, or more of them for a longer local run (as tests/it/fuzz.rs reads them).
        let var = |name: &str| std::env::var(name).ok().and_then(|s| s.parse::<u64>().ok());
        let seeds = var("SESSIONLENS_FUZZ_SEED")
            .map_or(0..var("SESSIONLENS_FUZZ_ITERS").unwrap_or(300), |s| {
                s..s + 1
            });
        for seed in seeds {
            let mut rng = fastrand::Rng::with_seed(seed);
            let text = |rng: &mut fastrand::Rng| -> String {
                (0..rng.usize(0..30))
                    .map(|_| *rng.choice(PIECES).unwrap())
                    .collect()
            };
            let uri = Url::parse("file:///w/a.ts").unwrap();
            let mut d = Doc::new(uri, text(&mut rng), 1);
            for step in 0..60 {
                let before = d.text.clone();
                let lines = before.split('\n').count() as u32;
                let pos = |rng: &mut fastrand::Rng| {
                    if rng.u8(..) < 6 {
                        return Position::new(rng.u32(..), rng.u32(..));
                    }
                    Position::new(rng.u32(0..lines + 2), rng.u32(0..40))
                };
                let (a, b) = (pos(&mut rng), pos(&mut rng));
                let new = text(&mut rng);
                let whole = rng.u8(0..8) == 0;
                let change = TextDocumentContentChangeEvent {
                    range: (!whole).then(|| Range::new(a, b)),
                    range_length: None,
                    text: new.clone(),
                };
                let expected = if whole {
                    new.clone()
                } else {
                    match (
                        model_offset(&before, a.line, a.character),
                        model_offset(&before, b.line, b.character),
                    ) {
                        (Some(x), Some(y)) => {
                            let mut t = before.clone();
                            t.replace_range(x.min(y)..x.max(y), &new);
                            t
                        }
                        _ => before.clone(),
                    }
                };
                d.apply(vec![change], step);
                let at = format!("seed {seed} step {step}: {before:?} {a:?}..{b:?} {new:?}");
                assert_eq!(d.text, expected, "{at}");
                let fresh = LineIndex::new(&d.text);
                assert_eq!(d.lines.line_count(), fresh.line_count(), "{at}");
                for l in 0..fresh.line_count() {
                    assert_eq!(d.lines.line(&d.text, l), fresh.line(&d.text, l), "{at}");
                }
                assert!(
                    d.pending.touched.iter().all(|&l| l < fresh.line_count()),
                    "{at}: marks {:?} on {} lines of {:?}",
                    d.pending.touched,
                    fresh.line_count(),
                    d.text
                );
            }
        }
    }
}
