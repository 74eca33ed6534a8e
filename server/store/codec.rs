//! Record encodings. Every stored value starts with a version byte; decoders keep a branch for
//! each version ever written, so old stores stay readable. An undecodable record is an error for
//! the caller to report and skip, never a panic.

use serde::{Serialize, de::DeserializeOwned};
use sha2::{Digest, Sha256};

/// Versioned JSON records (summaries, cursors).
pub const RECORD_V1: u8 = 1;
/// Event records: `[EVENT_V1][chain hash; 32][canonical event JSON]`.
pub const EVENT_V1: u8 = 1;

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

pub fn encode_event(hash: &[u8; 32], canonical: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + 32 + canonical.len());
    out.push(EVENT_V1);
    out.extend_from_slice(hash);
    out.extend_from_slice(canonical);
    out
}

/// Splits an event record into its stored hash and canonical bytes.
pub fn decode_event(bytes: &[u8]) -> Result<([u8; 32], &[u8]), DecodeError> {
    match bytes.first() {
        None => Err(DecodeError::Empty),
        Some(&EVENT_V1) => {
            if bytes.len() < 33 {
                return Err(DecodeError::Truncated);
            }
            let mut hash = [0u8; 32];
            hash.copy_from_slice(&bytes[1..33]);
            Ok((hash, &bytes[33..]))
        }
        Some(&v) => Err(DecodeError::NewerVersion(v)),
    }
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
        assert!(matches!(decode_record::<serde_json::Value>(b"\x09{}"), Err(DecodeError::NewerVersion(9))));
        assert!(matches!(decode_event(b"\x01abc"), Err(DecodeError::Truncated)));
    }
}
