//! Streaming line reading over plain or zstd-compressed files, by byte offset into the
//! decompressed content. Memory is bounded whatever the file or line size: a line longer than
//! [`MAX_LINE`] (a rollout with inline base64 screenshots has grown to tens of GB in the wild)
//! is skipped as it streams past, hashed but never held.
//!
//! A line counts only once its newline is written: Codex appends `json + "\n"`, so a last line
//! without one is still being written and is left for the next read. A compressed file is never
//! appended to, so its unterminated last line is complete and is read.

use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

const BUF: usize = 256 * 1024;

/// Longest line read; longer ones are skipped (and reported) without being held in memory.
pub const MAX_LINE: usize = 8 * 1024 * 1024;

/// Whether a path is a zstd-compressed rollout.
pub fn is_zst(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "zst")
}

/// A line's length (without its newline) and SHA-256: how a cursor recognizes the last line it
/// consumed.
pub type LineDigest = (u64, [u8; 32]);

/// One line as read.
pub enum Next<'a> {
    /// A complete line starting at `offset`, without its newline.
    Line {
        offset: u64,
        bytes: &'a [u8],
    },
    /// A complete line of `len` bytes at `offset`, longer than the bound: skipped unread.
    Oversized {
        offset: u64,
        len: u64,
    },
    /// An unterminated tail of `len` bytes at `offset`: not consumed.
    Partial {
        offset: u64,
        len: u64,
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
    /// The digest of the last complete line when it was oversized (it is in neither buffer).
    oversized_last: Option<LineDigest>,
    compressed: bool,
    max_line: usize,
}

/// What one scan to the next newline found.
struct Scan {
    /// Bytes consumed, newline included.
    consumed: u64,
    terminated: bool,
    /// Set when the line outgrew the bound: its digest (newline excluded); `buf` is then empty.
    oversized: Option<[u8; 32]>,
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
            oversized_last: None,
            compressed,
            max_line: MAX_LINE,
        })
    }

    /// Sets the longest line read (tests use a small bound).
    pub fn with_max_line(mut self, max_line: usize) -> LineReader {
        self.max_line = max_line;
        self
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
        let scan = self.scan()?;
        if scan.consumed == 0 {
            return Ok(Next::Eof);
        }
        let offset = self.offset;
        if !scan.terminated && !self.compressed {
            if scan.oversized.is_some() {
                self.buf = Vec::with_capacity(4096);
            }
            return Ok(Next::Partial {
                offset,
                len: scan.consumed,
            });
        }
        self.offset += scan.consumed;
        let len = scan.consumed - u64::from(scan.terminated);
        if let Some(digest) = scan.oversized {
            // Give the grown buffer back: the next lines are ordinary.
            self.buf = Vec::with_capacity(4096);
            self.oversized_last = Some((len, digest));
            return Ok(Next::Oversized { offset, len });
        }
        if scan.terminated {
            self.buf.pop();
        }
        self.oversized_last = None;
        self.buf_is_line = true;
        Ok(Next::Line {
            offset,
            bytes: &self.buf,
        })
    }

    /// Reads to the next newline (or EOF) into `buf`, switching to hashing once the line
    /// outgrows the bound.
    fn scan(&mut self) -> io::Result<Scan> {
        let mut consumed = 0u64;
        let mut hasher: Option<Sha256> = None;
        loop {
            let available = match self.inner.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                return Ok(Scan {
                    consumed,
                    terminated: false,
                    oversized: hasher.map(|h| h.finalize().into()),
                });
            }
            let (chunk, terminated) = match memchr::memchr(b'\n', available) {
                Some(i) => (&available[..=i], true),
                None => (available, false),
            };
            let take = chunk.len();
            if hasher.is_none() && self.buf.len() + take > self.max_line + 1 {
                let mut h = Sha256::new();
                h.update(&self.buf);
                self.buf.clear();
                hasher = Some(h);
            }
            match &mut hasher {
                Some(h) => h.update(if terminated {
                    &chunk[..take - 1]
                } else {
                    chunk
                }),
                None => self.buf.extend_from_slice(chunk),
            }
            self.inner.consume(take);
            consumed += take as u64;
            if terminated {
                return Ok(Scan {
                    consumed,
                    terminated,
                    oversized: hasher.map(|h| h.finalize().into()),
                });
            }
        }
    }

    /// The last complete line read in this pass (the one ending at [`Self::offset`]), if any and
    /// if it was held (not oversized).
    pub fn last_line(&self) -> Option<&[u8]> {
        if self.oversized_last.is_some() {
            None
        } else if self.buf_is_line {
            Some(&self.buf)
        } else if self.prev_is_line {
            Some(&self.prev)
        } else {
            None
        }
    }

    /// Length and digest of the last complete line read in this pass, held or oversized.
    pub fn last_digest(&self) -> Option<LineDigest> {
        self.oversized_last.or_else(|| {
            self.last_line()
                .map(|l| (l.len() as u64, Sha256::digest(l).into()))
        })
    }
}

/// The digest of a file's first complete line, or `None` when it has none yet.
pub fn first_line_digest(path: &Path) -> io::Result<Option<[u8; 32]>> {
    let mut r = LineReader::open(path, 0)?;
    Ok(match r.next_line()? {
        Next::Line { bytes, .. } => Some(Sha256::digest(bytes).into()),
        Next::Oversized { .. } => r.last_digest().map(|(_, d)| d),
        _ => None,
    })
}

/// Whether the line of `len` bytes starting at `start` is still there with this digest and is
/// terminated: read as a stream, however long it is.
pub fn line_matches(path: &Path, start: u64, len: u64, digest: &[u8; 32]) -> io::Result<bool> {
    let r = LineReader::open(path, start)?;
    let mut body = r.inner.take(len + 1);
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut read = 0u64;
    let mut last = 0u8;
    loop {
        let n = match body.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let content = (len - read.min(len)).min(n as u64) as usize;
        h.update(&buf[..content]);
        read += n as u64;
        last = buf[n - 1];
    }
    Ok(read == len + 1 && last == b'\n' && <[u8; 32]>::from(h.finalize()) == *digest)
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
        assert_eq!(r.last_line(), Some(&b"{\"a\":1}"[..]));
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
        assert_eq!(
            first_line_digest(&p).unwrap(),
            Some(Sha256::digest(b"one").into())
        );
    }

    #[test]
    fn oversized_lines_are_skipped_hashed_and_never_held() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.jsonl");
        let big = "x".repeat(10_000);
        std::fs::write(&p, format!("short\n{big}\nafter\n{big}")).unwrap();
        let mut r = LineReader::open(&p, 0).unwrap().with_max_line(100);
        assert!(matches!(r.next_line().unwrap(), Next::Line { bytes, .. } if bytes == b"short"));
        assert!(matches!(
            r.next_line().unwrap(),
            Next::Oversized {
                offset: 6,
                len: 10_000
            }
        ));
        assert_eq!(r.last_line(), None);
        let (len, digest) = r.last_digest().unwrap();
        assert_eq!(
            (len, digest),
            (10_000, Sha256::digest(big.as_bytes()).into())
        );
        assert!(r.buf.capacity() < 10_000, "the buffer is given back");
        assert!(line_matches(&p, 6, len, &digest).unwrap());
        assert!(!line_matches(&p, 6, len - 1, &digest).unwrap());
        assert!(matches!(r.next_line().unwrap(), Next::Line { bytes, .. } if bytes == b"after"));
        // A long line still being written is left for the next read.
        assert!(matches!(
            r.next_line().unwrap(),
            Next::Partial { len: 10_000, .. }
        ));
        assert_eq!(r.last_line(), Some(&b"after"[..]));
        assert_eq!(r.offset(), 6 + 10_001 + 6);
    }

    #[test]
    fn the_last_line_digest_survives_a_partial_tail() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.jsonl");
        let big = "y".repeat(500);
        std::fs::write(&p, format!("{big}\npart")).unwrap();
        let mut r = LineReader::open(&p, 0).unwrap().with_max_line(100);
        assert!(matches!(r.next_line().unwrap(), Next::Oversized { .. }));
        assert!(matches!(r.next_line().unwrap(), Next::Partial { .. }));
        assert_eq!(
            r.last_digest().unwrap(),
            (500, Sha256::digest(big.as_bytes()).into())
        );
    }
}
