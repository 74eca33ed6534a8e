//! Conversions between the protocol's positions (line, UTF-16 code unit) and ours (line, UTF-8
//! byte column), and between `file:` URIs and paths. Every bit of UTF-16 arithmetic in the code
//! base lives here, so no other file has to think about encodings.

use tower_lsp::lsp_types::{Position, Range, Url};

/// Byte offsets of the starts of a text's lines.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex {
            starts,
            len: text.len(),
        }
    }

    #[cfg(test)]
    pub fn line_count(&self) -> u32 {
        self.starts.len() as u32
    }

    /// The text of line `line`, without its line break.
    pub fn line<'t>(&self, text: &'t str, line: u32) -> Option<&'t str> {
        let start = *self.starts.get(line as usize)?;
        let end = self
            .starts
            .get(line as usize + 1)
            .map_or(self.len, |&n| n - 1);
        let s = text.get(start..end.max(start))?;
        Some(s.strip_suffix('\r').unwrap_or(s))
    }

    /// The byte offset of a protocol position; `None` when the line does not exist. A column past
    /// the end of its line clamps to the end, as the protocol asks.
    pub fn offset(&self, text: &str, pos: Position) -> Option<usize> {
        let start = *self.starts.get(pos.line as usize)?;
        let line = self.line(text, pos.line)?;
        Some(start + utf16_to_byte(line, pos.character))
    }

    /// The protocol position of a byte offset (clamped to the text).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = offset.min(self.len);
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let upto = text.get(start..offset).unwrap_or("");
        Position::new(line as u32, utf16_len(upto))
    }

    /// A protocol position from our line and UTF-8 byte column.
    pub fn to_proto(&self, text: &str, line: u32, byte_col: u32) -> Position {
        let Some(l) = self.line(text, line) else {
            return Position::new(line, 0);
        };
        let col = floor_char_boundary(l, byte_col as usize);
        Position::new(line, utf16_len(&l[..col]))
    }

    /// A range covering `name_len` bytes from our line and byte column.
    pub fn range(&self, text: &str, line: u32, byte_col: u32, name_len: usize) -> Range {
        Range::new(
            self.to_proto(text, line, byte_col),
            self.to_proto(text, line, byte_col + name_len as u32),
        )
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Length of `s` in UTF-16 code units.
pub fn utf16_len(s: &str) -> u32 {
    s.chars().map(|c| c.len_utf16() as u32).sum()
}

/// The byte offset in `line` of UTF-16 column `col` (clamped to the line; a column inside a
/// surrogate pair rounds down to the character).
fn utf16_to_byte(line: &str, col: u32) -> usize {
    let mut units = 0u32;
    for (i, c) in line.char_indices() {
        let next = units + c.len_utf16() as u32;
        if next > col {
            return i;
        }
        units = next;
    }
    line.len()
}

/// The local path of a `file:` URI.
pub fn path_of(uri: &Url) -> Option<std::path::PathBuf> {
    if uri.scheme() != "file" {
        return None;
    }
    uri.to_file_path().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_positions_round_trip_through_bytes() {
        let text = "const a = 1;\nlet ü𝄞x = \"é\"; useEffect()\r\nlast";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 3);
        assert_eq!(idx.line(text, 1), Some("let ü𝄞x = \"é\"; useEffect()"));
        // `x` comes after ü (1 unit) and 𝄞 (2 units): column 7 in UTF-16, byte 10.
        let off = idx.offset(text, Position::new(1, 7)).unwrap();
        assert_eq!(&text[off..off + 1], "x");
        assert_eq!(idx.position(text, off), Position::new(1, 7));
        let line = idx.line(text, 1).unwrap();
        let b = line.find("useEffect").unwrap() as u32;
        let r = idx.range(text, 1, b, "useEffect".len());
        assert_eq!(r.start, Position::new(1, 16));
        assert_eq!(r.end, Position::new(1, 25));
    }

    #[test]
    fn out_of_range_positions_clamp_or_refuse() {
        let text = "ab\ncd";
        let idx = LineIndex::new(text);
        assert_eq!(idx.offset(text, Position::new(0, 99)), Some(2));
        assert_eq!(idx.offset(text, Position::new(7, 0)), None);
        assert_eq!(idx.position(text, 999), Position::new(1, 2));
        // Inside a surrogate pair: rounds down to the character.
        let t = "𝄞z";
        let i = LineIndex::new(t);
        assert_eq!(i.offset(t, Position::new(0, 1)), Some(0));
        assert_eq!(i.to_proto(t, 0, 2), Position::new(0, 0));
    }
}
