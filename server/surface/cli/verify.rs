//! `sessionlens verify`: recomputes the event log's hash chain and names the first event that does
//! not match; the exit code says whether the chain is intact.

use std::path::Path;
use std::process::ExitCode;

pub fn verify(data_dir: Option<&Path>, json: bool) -> anyhow::Result<ExitCode> {
    let store = super::open_store(data_dir)?;
    let report = store.verify()?;
    if json {
        let v = serde_json::json!({
            "ok": report.failure.is_none(),
            "events": report.events,
            "head": report.head,
            "failure": report.failure.as_ref().map(|f| serde_json::json!({"seq": f.seq, "event": f.event_id, "reason": f.reason})),
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        match &report.failure {
            None => println!(
                "✓ chain intact: {} events (head {})",
                report.events,
                &report.head[..16]
            ),
            Some(f) => println!(
                "✗ chain broken at event #{}{}: {} ({} events before it verified)",
                f.seq,
                f.event_id
                    .as_deref()
                    .map(|id| format!(" (id {id})"))
                    .unwrap_or_default(),
                f.reason,
                report.events
            ),
        }
    }
    Ok(if report.failure.is_none() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
