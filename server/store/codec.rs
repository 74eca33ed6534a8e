//! Record encodings. Every stored value starts with a version byte; decoders keep a branch for
//! each version ever written, so old stores stay readable. An undecodable record is an error for
//! the caller to report and skip, never a panic.

use serde::{Serialize, de::DeserializeOwned};
use sha2::{Digest, Sha256};
use std::borrow::Cow;

/// Versioned JSON records (summaries, cursors).
pub const RECORD_V1: u8 = 1;
/// Event records, first layout: `[EVENT_V1][chain hash; 32][canonical event JSON]`.
pub const EVENT_V1: u8 = 1;
/// Event records, compressed: `[EVENT_V2][chain hash; 32][zstd frame of the canonical JSON]`.
/// Used for large events (outputs, diffs), which compress well; small ones stay `EVENT_V1`.
pub const EVENT_V2: u8 = 2;

/// Event records, erasable: `[EVENT_V3][chain hash; 32][content digest; 32][state][body]`. The
/// chain commits to the SHA-256 digest of the canonical JSON, not to the JSON itself, so the
/// content can be erased (`forget`) while every link still verifies. `state` says what `body` is:
/// [`PLAIN`] (the canonical JSON), [`ZSTD`] (a zstd frame of it) or [`ERASED`] (a tombstone: when,
/// why and by whom, as JSON).
pub const EVENT_V3: u8 = 3;
pub const PLAIN: u8 = 0;
pub const ZSTD: u8 = 1;
pub const ERASED: u8 = 2;

/// Why an event's content is gone.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Tombstone {
    /// When it was erased (RFC 3339, UTC).
    pub at: String,
    /// What asked for it: `forget --session …`, `retention 90 days`, …
    pub why: String,
    /// The user who ran it.
    pub by: String,
}

/// An event record as stored, of any layout.
pub enum Stored<'a> {
    /// Before v3: the chain links the canonical bytes themselves.
    Linked {
        hash: [u8; 32],
        canonical: Cow<'a, [u8]>,
    },
    /// v3, content present: the chain links `digest`, which must be the content's SHA-256.
    Kept {
        hash: [u8; 32],
        digest: [u8; 32],
        canonical: Cow<'a, [u8]>,
    },
    /// v3, content erased: the chain still links `digest`.
    Erased {
        hash: [u8; 32],
        digest: [u8; 32],
        tombstone: Tombstone,
    },
}

impl Stored<'_> {
    pub fn hash(&self) -> [u8; 32] {
        match self {
            Stored::Linked { hash, .. }
            | Stored::Kept { hash, .. }
            | Stored::Erased { hash, .. } => *hash,
        }
    }

    /// The link this record makes from `prev`, as the chain computes it.
    pub fn link(&self, prev: &[u8; 32]) -> [u8; 32] {
        match self {
            Stored::Linked { canonical, .. } => chain_hash(prev, canonical),
            Stored::Kept { digest, .. } | Stored::Erased { digest, .. } => chain_hash(prev, digest),
        }
    }
}

/// SHA-256 of an event's canonical bytes: what a v3 link commits to.
pub fn digest(canonical: &[u8]) -> [u8; 32] {
    Sha256::digest(canonical).into()
}

/// Reads an event record of any layout.
pub fn read_event(bytes: &[u8]) -> Result<Stored<'_>, DecodeError> {
    let version = *bytes.first().ok_or(DecodeError::Empty)?;
    if version == EVENT_V1 || version == EVENT_V2 {
        let (hash, canonical) = decode_event(bytes)?;
        return Ok(Stored::Linked { hash, canonical });
    }
    if version != EVENT_V3 {
        return Err(DecodeError::NewerVersion(version));
    }
    if bytes.len() < 66 {
        return Err(DecodeError::Truncated);
    }
    let mut hash = [0u8; 32];
    hash.copy_from_slice(&bytes[1..33]);
    let mut digest = [0u8; 32];
    digest.copy_from_slice(&bytes[33..65]);
    let body = &bytes[66..];
    match bytes[65] {
        PLAIN => Ok(Stored::Kept {
            hash,
            digest,
            canonical: Cow::Borrowed(body),
        }),
        ZSTD => Ok(Stored::Kept {
            hash,
            digest,
            canonical: Cow::Owned(
                zstd::stream::decode_all(body).map_err(|_| DecodeError::Truncated)?,
            ),
        }),
        ERASED => Ok(Stored::Erased {
            hash,
            digest,
            tombstone: serde_json::from_slice(body)?,
        }),
        other => Err(DecodeError::NewerVersion(other)),
    }
}

/// An erased record: the link of the event it replaces, and why it is gone.
pub fn encode_erased(hash: &[u8; 32], digest: &[u8; 32], tombstone: &Tombstone) -> Vec<u8> {
    let mut out = vec![EVENT_V3];
    out.extend_from_slice(hash);
    out.extend_from_slice(digest);
    out.push(ERASED);
    serde_json::to_writer(&mut out, tombstone).expect("tombstones always serialize");
    out
}

/// A point of the chain: the last seq and its hash.
pub type Head = (u64, [u8; 32]);

/// Cached derived views: `[CACHE_V1][seq][hash][tag len][tag][zstd frame]`.
pub const CACHE_V1: u8 = 1;

pub fn encode_cache(head: Head, tag: &str, payload: &[u8]) -> Result<Vec<u8>, std::io::Error> {
    let mut out = vec![CACHE_V1];
    out.extend_from_slice(&head.0.to_le_bytes());
    out.extend_from_slice(&head.1);
    out.extend_from_slice(&(tag.len().min(u16::MAX as usize) as u16).to_le_bytes());
    out.extend_from_slice(&tag.as_bytes()[..tag.len().min(u16::MAX as usize)]);
    // With zstd's content checksum: a damaged payload fails to decode (and is derived again)
    // instead of showing insights its events never gave.
    let mut compressor = zstd::bulk::Compressor::new(3)?;
    compressor.include_checksum(true)?;
    out.extend_from_slice(&compressor.compress(payload)?);
    Ok(out)
}

/// The seq a cache record was derived at.
pub fn cache_seq(bytes: &[u8]) -> Option<u64> {
    (bytes.first() == Some(&CACHE_V1) && bytes.len() >= 9)
        .then(|| u64::from_le_bytes(bytes[1..9].try_into().expect("8 bytes")))
}

/// The head a cache record was derived at and its payload, when derived by code tagged `tag`.
pub fn decode_cache(bytes: &[u8], tag: &str) -> Option<(Head, Vec<u8>)> {
    if bytes.first() != Some(&CACHE_V1) || bytes.len() < 43 {
        return None;
    }
    let seq = cache_seq(bytes)?;
    let mut hash = [0u8; 32];
    hash.copy_from_slice(&bytes[9..41]);
    let n = u16::from_le_bytes([bytes[41], bytes[42]]) as usize;
    if bytes.get(43..43 + n)? != tag.as_bytes() {
        return None;
    }
    let payload = zstd::stream::decode_all(&bytes[43 + n..]).ok()?;
    Some(((seq, hash), payload))
}

#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("empty record")]
    Empty,
    #[error("record version {0} was written by a newer sessionlens")]
    NewerVersion(u8),
    #[error("record is truncated")]
    Truncated,
    #[error("its content was erased")]
    Erased,
    #[error("record body is not valid: {0}")]
    Body(#[from] serde_json::Error),
}

pub fn encode_record<T: Serialize>(value: &T) -> Vec<u8> {
    let mut out = vec![RECORD_V1];
    serde_json::to_writer(&mut out, value).expect("records always serialize");
    out
}

pub fn decode_record<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, DecodeError> {
    match bytes.first() {
        None => Err(DecodeError::Empty),
        Some(&RECORD_V1) => Ok(serde_json::from_slice(&bytes[1..])?),
        Some(&v) => Err(DecodeError::NewerVersion(v)),
    }
}

/// The next link of the chain: SHA-256 over the previous hash and the event's canonical bytes.
pub fn chain_hash(prev: &[u8; 32], canonical: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(prev);
    h.update(canonical);
    h.finalize().into()
}

/// Events smaller than this are stored as they are: a frame's fixed cost outweighs the saving.
const COMPRESS_FROM: usize = 1024;

/// Encodes an event record (`EVENT_V3`) linked by `hash`: compressed when it is large enough to
/// gain from it. `compressor` is reused across events.
pub fn encode_event(
    compressor: &mut zstd::bulk::Compressor<'_>,
    hash: &[u8; 32],
    digest: &[u8; 32],
    canonical: &[u8],
) -> Vec<u8> {
    let (state, body): (u8, Cow<'_, [u8]>) = if canonical.len() < COMPRESS_FROM {
        (PLAIN, Cow::Borrowed(canonical))
    } else {
        let frame = compressor
            .compress(canonical)
            .expect("compressing into a growable buffer cannot fail");
        (ZSTD, Cow::Owned(frame))
    };
    let mut out = Vec::with_capacity(66 + body.len());
    out.push(EVENT_V3);
    out.extend_from_slice(hash);
    out.extend_from_slice(digest);
    out.push(state);
    out.extend_from_slice(&body);
    out
}

/// Splits an event record, of any layout ever written, into its stored hash and canonical bytes;
/// an erased one is [`DecodeError::Erased`].
pub fn decode_event(bytes: &[u8]) -> Result<([u8; 32], Cow<'_, [u8]>), DecodeError> {
    let version = *bytes.first().ok_or(DecodeError::Empty)?;
    if version == EVENT_V3 {
        return match read_event(bytes)? {
            Stored::Kept {
                hash, canonical, ..
            } => Ok((hash, canonical)),
            Stored::Erased { .. } => Err(DecodeError::Erased),
            Stored::Linked { .. } => Err(DecodeError::Truncated),
        };
    }
    if version != EVENT_V1 && version != EVENT_V2 {
        return Err(DecodeError::NewerVersion(version));
    }
    if bytes.len() < 33 {
        return Err(DecodeError::Truncated);
    }
    let mut hash = [0u8; 32];
    hash.copy_from_slice(&bytes[1..33]);
    let body = &bytes[33..];
    if version == EVENT_V1 {
        return Ok((hash, Cow::Borrowed(body)));
    }
    let canonical = zstd::stream::decode_all(body).map_err(|_| DecodeError::Truncated)?;
    Ok((hash, Cow::Owned(canonical)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_one_records_decode_and_newer_ones_are_refused() {
        // The bytes of a v1 record as the first release wrote them: version byte, then JSON.
        let v1 = b"\x01{\"id\":\"s\",\"source\":\"cli\",\"turns\":3}";
        let s: crate::normalize::SessionSummary = decode_record(v1).unwrap();
        assert_eq!((s.id.as_str(), s.source.as_str(), s.turns), ("s", "cli", 3));
        assert!(matches!(
            decode_record::<serde_json::Value>(b"\x09{}"),
            Err(DecodeError::NewerVersion(9))
        ));
        assert!(matches!(
            decode_event(b"\x01abc"),
            Err(DecodeError::Truncated)
        ));
    }

    #[test]
    fn every_event_layout_decodes_to_the_same_canonical_bytes() {
        let text = "What is useEffect? ".repeat(100);
        let json = format!(r#"{{"id":"a","kind":"prompt","text":"{text}"}}"#);
        let canonical = json.as_bytes();
        let hash = chain_hash(&[0; 32], canonical);
        let mut v1 = vec![EVENT_V1];
        v1.extend_from_slice(&hash);
        v1.extend_from_slice(canonical);
        let mut v2 = vec![EVENT_V2];
        v2.extend_from_slice(&hash);
        v2.extend_from_slice(&zstd::bulk::compress(canonical, 1).unwrap());
        let mut c = zstd::bulk::Compressor::new(1).unwrap();
        let v3 = encode_event(&mut c, &hash, &digest(canonical), canonical);
        let small = encode_event(&mut c, &hash, &digest(b"{}"), b"{}");
        assert_eq!((v3[0], v3[65], small[65]), (EVENT_V3, ZSTD, PLAIN));
        for record in [&v1, &v2, &v3] {
            let (h, body) = decode_event(record).unwrap();
            assert_eq!((h, body.as_ref()), (hash, canonical));
        }
        // Erased, the record keeps its link and says why, and has no content to decode.
        let tomb = Tombstone {
            at: "2026-12-07T00:00:00Z".into(),
            why: "forget --text".into(),
            by: "dev".into(),
        };
        let erased = encode_erased(&hash, &digest(canonical), &tomb);
        assert!(matches!(decode_event(&erased), Err(DecodeError::Erased)));
        match read_event(&erased).unwrap() {
            Stored::Erased { tombstone, .. } => assert_eq!(tombstone, tomb),
            _ => panic!("not erased"),
        }
        let prev = [7; 32];
        assert_eq!(
            read_event(&erased).unwrap().link(&prev),
            read_event(&v3).unwrap().link(&prev)
        );
        assert_ne!(
            read_event(&v1).unwrap().link(&prev),
            read_event(&v3).unwrap().link(&prev)
        );
    }
}
