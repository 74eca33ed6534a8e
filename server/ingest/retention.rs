//! Retention: with `retention_days = N` in the settings file (off by default), events older than
//! N days are erased the way `sessionlens forget --before` erases them — content gone, chain
//! whole, the erasure recorded — after every `ingest` and, in a running language server, at most
//! once an hour. Sessions with no event that old are not even read, so a store within its window
//! pays nothing.

use crate::store::{Forget, Forgotten, Store};

/// Erases the events of `store` older than `days` days. Returns what was erased.
pub fn apply(store: &Store, days: u64) -> crate::store::Result<Forgotten> {
    let cutoff = jiff::Timestamp::now()
        .checked_sub(jiff::SignedDuration::from_hours(
            24 * days.min(365 * 1000) as i64,
        ))
        .unwrap_or(jiff::Timestamp::MIN);
    let done = store.forget(
        &Forget::Before(cutoff.to_string()),
        &format!("retention: older than {days} days"),
        "sessionlens",
    )?;
    if !done.seqs.is_empty() {
        tracing::info!(
            "retention: erased {} events older than {days} days, of {} sessions",
            done.seqs.len(),
            done.sessions.len()
        );
    }
    Ok(done)
}
