//! Keeping the server up: a panic in a feature becomes a log line and no answer, and a lock a
//! panicking thread poisoned is used as it was left (every value behind one is replaced whole, so
//! it is never half-written). One bad file must not take the server down.

use std::sync::{Mutex, RwLock};

/// Reads through a poisoned lock.
pub fn read<T>(l: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(|p| p.into_inner())
}

/// Writes through a poisoned lock.
pub fn write<T>(l: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(|p| p.into_inner())
}

/// Locks through a poisoned mutex.
pub fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Runs a read-only feature, turning a panic into a log line and no answer: one bad file must
/// not take the server down.
pub fn guard<T>(what: &str, f: impl FnOnce() -> T) -> Option<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(v) => Some(v),
        Err(e) => {
            let msg = e
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| e.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            tracing::error!("{what} failed: {msg}");
            None
        }
    }
}
