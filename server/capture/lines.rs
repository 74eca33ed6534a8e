//! Streaming line reading over plain or zstd-compressed files, by byte offset into the
//! decompressed content. Memory is one line, whatever the file size.
//!
//! A line counts only once its newline is written: Codex appends `json + "\n"`, so a last line
//! without one is still being written and is left for the next read. A compressed file is never
//! appended to, so its unterminated last line is complete and is read.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

const BUF: usize = 256 * 1024;

/// Whether a path is a zstd-compressed rollout.
pub fn is_zst(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "zst")
}

/// One line as read.
pub enum Next<'a> {
    /// A complete line starting at `offset`, without its newline.
    Line {
        offset: u64,
        bytes: &'a [u8],
    },
    /// An unterminated tail of `len` bytes at `offset`: not consumed.
    Partial {
        offset: u64,
        len: usize,
    },
    Eof,
}

pub struct LineReader {
    inner: Box<dyn BufRead>,
    offset: u64,
    buf: Vec<u8>,
    /// The last complete line before the one in `buf` (swapped in, never copied).
    prev: Vec<u8>,
    /// Whether `buf` holds a complete line, and whether `prev` does.
    buf_is_line: bool,
    prev_is_line: bool,
    compressed: bool,
}

impl LineReader {
    /// Opens `path` positioned at `offset` bytes of its (decompressed) content.
    pub fn open(path: &Path, offset: u64) -> io::Result<LineReader> {
        let file = File::open(path)?;
        let compressed = is_zst(path);
        let inner: Box<dyn BufRead> = if compressed {
            let mut dec = BufReader::with_capacity(BUF, zstd::stream::read::Decoder::new(file)?);
            let skipped = io::copy(&mut (&mut dec).take(offset), &mut io::sink())?;
            if skipped < offset {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "file is shorter than the stored offset",
                ));
            }
            Box::new(dec)
        } else {
            let mut f = file;
            f.seek(SeekFrom::Start(offset))?;
            Box::new(BufReader::with_capacity(BUF, f))
        };
        Ok(LineReader {
            inner,
            offset,
            buf: Vec::with_capacity(4096),
            prev: Vec::new(),
            buf_is_line: false,
            prev_is_line: false,
            compressed,
        })
    }

    /// Byte offset of the next unread line.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    pub fn next_line(&mut self) -> io::Result<Next<'_>> {
        if self.buf_is_line {
            std::mem::swap(&mut self.buf, &mut self.prev);
            self.buf_is_line = false;
            self.prev_is_line = true;
        }
        self.buf.clear();
        let n = self.inner.read_until(b'\n', &mut self.buf)?;
        if n == 0 {
            return Ok(Next::Eof);
        }
        let offset = self.offset;
        let terminated = self.buf.last() == Some(&b'\n');
        if !terminated && !self.compressed {
            return Ok(Next::Partial { offset, len: n });
        }
        if terminated {
            self.buf.pop();
        }
        self.offset += n as u64;
        self.buf_is_line = true;
        Ok(Next::Line {
            offset,
            bytes: &self.buf,
        })
    }

    /// The last complete line read in this pass (the one ending at [`Self::offset`]), if any.
    pub fn last_line(&self) -> Option<&[u8]> {
        if self.buf_is_line {
            Some(&self.buf)
        } else if self.prev_is_line {
            Some(&self.prev)
        } else {
            None
        }
    }

    /// Reads exactly `len` bytes from the current position (used to check a stored fingerprint).
    pub fn read_exact_bytes(&mut self, len: usize) -> io::Result<Vec<u8>> {
        let mut v = vec![0; len];
        self.inner.read_exact(&mut v)?;
        self.offset += len as u64;
        Ok(v)
    }
}

/// The first complete line of a file, or `None` when the file has none yet.
pub fn first_line(path: &Path) -> io::Result<Option<Vec<u8>>> {
    let mut r = LineReader::open(path, 0)?;
    Ok(match r.next_line()? {
        Next::Line { bytes, .. } => Some(bytes.to_vec()),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn partial_last_line_is_not_consumed() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.jsonl");
        std::fs::write(&p, b"{\"a\":1}\n{\"b\":").unwrap();
        let mut r = LineReader::open(&p, 0).unwrap();
        assert!(
            matches!(r.next_line().unwrap(), Next::Line { offset: 0, bytes } if bytes == b"{\"a\":1}")
        );
        assert!(matches!(
            r.next_line().unwrap(),
            Next::Partial { offset: 8, len: 5 }
        ));
        assert_eq!(r.offset(), 8);
        let mut f = std::fs::OpenOptions::new().append(true).open(&p).unwrap();
        f.write_all(b"2}\n").unwrap();
        let mut r = LineReader::open(&p, 8).unwrap();
        assert!(
            matches!(r.next_line().unwrap(), Next::Line { offset: 8, bytes } if bytes == b"{\"b\":2}")
        );
        assert!(matches!(r.next_line().unwrap(), Next::Eof));
    }

    #[test]
    fn zst_is_read_at_decompressed_offsets() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.jsonl.zst");
        let data = zstd::encode_all(&b"one\ntwo\nthree"[..], 3).unwrap();
        std::fs::write(&p, data).unwrap();
        let mut r = LineReader::open(&p, 4).unwrap();
        assert!(
            matches!(r.next_line().unwrap(), Next::Line { offset: 4, bytes } if bytes == b"two")
        );
        assert!(
            matches!(r.next_line().unwrap(), Next::Line { offset: 8, bytes } if bytes == b"three")
        );
        assert!(matches!(r.next_line().unwrap(), Next::Eof));
        assert_eq!(first_line(&p).unwrap().unwrap(), b"one");
    }
}
