//! One event schema for every source, and the filters every event passes before it is written:
//! secret redaction and output excerpting. Pure code: no I/O.

pub mod event;
pub mod redact;
mod secrets;
pub mod summary;
pub mod text;

pub use event::{
    Body, Command, CommandStatus, ERASURES, Edit, EditorEdit, Event, EventId, FileChange, FileOp,
    Hunk, IdeContext, LEARNING_TURN, McpCall, SessionInfo, TokenUsage, TurnStatus, live_event_id,
    local_session_id,
};
pub use summary::SessionSummary;
