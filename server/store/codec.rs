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

/// Encodes an event record: compressed (`EVENT_V2`) when it is large enough to gain from it,
/// else plain (`EVENT_V1`). `compressor` is reused across events.
pub fn encode_event(
    compressor: &mut zstd::bulk::Compressor<'_>,
    hash: &[u8; 32],
    canonical: &[u8],
) -> Vec<u8> {
    if canonical.len() < COMPRESS_FROM {
        let mut out = Vec::with_capacity(1 + 32 + canonical.len());
        out.push(EVENT_V1);
        out.extend_from_slice(hash);
        out.extend_from_slice(canonical);
        return out;
    }
    let frame = compressor
        .compress(canonical)
        .expect("compressing into a growable buffer cannot fail");
    let mut out = Vec::with_capacity(1 + 32 + frame.len());
    out.push(EVENT_V2);
    out.extend_from_slice(hash);
    out.extend_from_slice(&frame);
    out
}

/// Splits an event record, of any layout ever written, into its stored hash and canonical bytes.
pub fn decode_event(bytes: &[u8]) -> Result<([u8; 32], Cow<'_, [u8]>), DecodeError> {
    let version = *bytes.first().ok_or(DecodeError::Empty)?;
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
    fn both_event_layouts_decode_to_the_same_canonical_bytes() {
        let text = "What is useEffect? ".repeat(100);
        let json = format!(r#"{{"id":"a","kind":"prompt","text":"{text}"}}"#);
        let canonical = json.as_bytes();
        let hash = chain_hash(&[0; 32], canonical);
        let mut v1 = vec![EVENT_V1];
        v1.extend_from_slice(&hash);
        v1.extend_from_slice(canonical);
        let mut c = zstd::bulk::Compressor::new(1).unwrap();
        let v2 = encode_event(&mut c, &hash, canonical);
        assert_eq!(v2[0], EVENT_V2);
        for record in [&v1, &v2] {
            let (h, body) = decode_event(record).unwrap();
            assert_eq!((h, body.as_ref()), (hash, canonical));
        }
    }
}
