//! `sessionlens verify`: recomputes the event log's hash chain and names the first event that does
//! not match; the exit code says whether the chain is intact (0) or not (1).

use super::{Global, print};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {}

pub fn run(g: &Global, _: Args) -> anyhow::Result<ExitCode> {
    let report = g.store()?.verify()?;
    if g.json {
        print::json(&serde_json::json!({
            "ok": report.failure.is_none(),
            "events": report.events,
            "head": report.head,
            "failure": report.failure.as_ref().map(|f| serde_json::json!({"seq": f.seq, "event": f.event_id, "reason": f.reason})),
        }))?;
    } else {
        print::chain(&report);
    }
    Ok(if report.failure.is_none() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
