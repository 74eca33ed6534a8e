//! The store file as redb sees it: redb's own file backend, except that a lock never waits
//! forever. redb takes its cross-process locks with blocking `fcntl` calls, so one writer that is
//! paused mid-transaction (Ctrl-Z on an `ingest`, a debugger, SIGSTOP) would block every other
//! process — the Codex hook on the prompt's path, even a read-only `sessionlens sessions` — with
//! no way out. Here every wait is a poll of the non-blocking lock with a deadline; past it the
//! lock fails with `TimedOut`, which the store reports as "held by another process".

use redb::backends::FileBackend;
use redb::{BackendError, StorageBackend};
use std::fs::File;
use std::io;
use std::ops::Bound;
use std::time::{Duration, Instant};

/// Marks the error a lock gives up with, so the store can tell it from a real I/O error.
pub const GAVE_UP: &str = "sessionlens: gave up waiting for a lock held by another process";

#[derive(Debug)]
pub struct Patient {
    inner: FileBackend,
    wait: Duration,
}

impl Patient {
    pub fn new(file: File, wait: Duration) -> io::Result<Patient> {
        let inner = FileBackend::new(file).map_err(io::Error::other)?;
        Ok(Patient { inner, wait })
    }

    /// Polls `try_lock` until it succeeds or `self.wait` has passed: short sleeps first (a
    /// commit holds a lock for milliseconds), longer ones after.
    fn poll(&self, try_lock: impl Fn() -> Result<bool, BackendError>) -> Result<(), BackendError> {
        let start = Instant::now();
        let mut delay = Duration::from_millis(1);
        loop {
            if try_lock()? {
                return Ok(());
            }
            let waited = start.elapsed();
            if waited >= self.wait {
                return Err(BackendError::Io(io::Error::new(
                    io::ErrorKind::TimedOut,
                    GAVE_UP,
                )));
            }
            std::thread::sleep(delay.min(self.wait - waited));
            delay = (delay * 2).min(Duration::from_millis(20));
        }
    }
}

/// Whether a redb error is a lock this backend gave up on.
pub fn gave_up(message: &str) -> bool {
    message.contains(GAVE_UP)
}

impl StorageBackend for Patient {
    fn len(&self) -> Result<u64, io::Error> {
        self.inner.len()
    }

    fn read(&self, offset: u64, out: &mut [u8]) -> Result<(), io::Error> {
        self.inner.read(offset, out)
    }

    fn set_len(&self, len: u64) -> Result<(), io::Error> {
        self.inner.set_len(len)
    }

    fn sync_data(&self) -> Result<(), io::Error> {
        self.inner.sync_data()
    }

    fn write(&self, offset: u64, data: &[u8]) -> Result<(), io::Error> {
        self.inner.write(offset, data)
    }

    fn close(&self) -> Result<(), io::Error> {
        self.inner.close()
    }

    fn try_lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<bool, BackendError> {
        self.inner.try_lock_range(start, end)
    }

    fn try_lock_shared_range(
        &self,
        start: Bound<u64>,
        end: Bound<u64>,
    ) -> Result<bool, BackendError> {
        self.inner.try_lock_shared_range(start, end)
    }

    fn lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.poll(|| self.inner.try_lock_range(start, end))
    }

    fn lock_shared_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.poll(|| self.inner.try_lock_shared_range(start, end))
    }

    fn unlock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
        self.inner.unlock_range(start, end)
    }

    fn query_lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<bool, BackendError> {
        self.inner.query_lock_range(start, end)
    }
}
