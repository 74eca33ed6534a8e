//! The chain's head, kept outside the store: a small file beside it (`store.redb.head`) that
//! every commit adding events moves forward. A store file truncated, emptied, or replaced by an
//! older copy still verifies as a chain — a shorter one — so only a record of the head kept
//! elsewhere shows that events went missing. `verify` checks that the head named here is a
//! point of the store's chain. The file is only ever moved forward by this user's processes;
//! two commits racing may leave it one commit behind, which anchors a little less, never wrong.

use std::path::{Path, PathBuf};

/// Where the head of the store at `store` is kept.
pub fn path(store: &Path) -> PathBuf {
    let mut name = store.as_os_str().to_owned();
    name.push(".head");
    PathBuf::from(name)
}

/// The recorded head, `None` when there is no head file (a store older than anchors).
pub fn read(store: &Path) -> Option<Result<(u64, [u8; 32]), String>> {
    let text = match std::fs::read_to_string(path(store)) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => return Some(Err(e.to_string())),
    };
    Some(parse(&text))
}

fn parse(text: &str) -> Result<(u64, [u8; 32]), String> {
    let (seq, hash) = text
        .trim()
        .split_once(' ')
        .ok_or_else(|| format!("{:?} is no `SEQ HASH` line", text.trim()))?;
    let seq = seq
        .parse()
        .map_err(|_| format!("{seq:?} is no event number"))?;
    let mut out = [0u8; 32];
    hex::decode_to_slice(hash, &mut out).map_err(|_| format!("{hash:?} is no hash"))?;
    Ok((seq, out))
}

/// Moves the recorded head to `(seq, hash)` unless it already records a later event. Written
/// aside and renamed in, so a reader never sees half of it. Failing to write it loses nothing
/// but anchoring, so it is logged, never an error of the commit.
pub fn advance(store: &Path, seq: u64, hash: &[u8; 32]) {
    if let Some(Ok((recorded, _))) = read(store)
        && recorded >= seq
    {
        return;
    }
    let target = path(store);
    let part = PathBuf::from(format!("{}.{}.part", target.display(), std::process::id()));
    let written = write_private(&part, format!("{seq} {}\n", hex::encode(hash)).as_bytes())
        .and_then(|()| std::fs::rename(&part, &target));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&part);
        tracing::warn!("cannot record the chain head in {}: {e}", target.display());
    }
}

/// Records `(seq, hash)` as the head whatever was recorded: after the chain was linked anew.
pub fn replace(store: &Path, seq: u64, hash: &[u8; 32]) {
    let _ = std::fs::remove_file(path(store));
    advance(store, seq, hash);
}

/// Writes `bytes` to a new file at `path`, readable by its owner only, like the store beside it.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let _ = std::fs::remove_file(path);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    opts.open(path)?.write_all(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_head_only_moves_forward() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("store.redb");
        assert!(read(&store).is_none());
        advance(&store, 5, &[1; 32]);
        advance(&store, 3, &[2; 32]);
        assert_eq!(read(&store), Some(Ok((5, [1; 32]))));
        std::fs::write(path(&store), "garbage").unwrap();
        assert!(matches!(read(&store), Some(Err(_))));
    }
}
