//! Capture: reading what sources leave on disk and turning it into normalized events.
//! Knows file formats and where files live; never tags, never stores.

pub mod codex;
pub mod lines;
pub mod live;
