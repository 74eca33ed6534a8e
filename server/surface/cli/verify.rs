//! `sessionlens verify [--expect HEAD]`: recomputes the event log's hash chain and names the first
//! event that does not match, checks what is derived from the events (session summaries and
//! indexes) against them, and the chain against its head kept outside the store (the head file
//! beside it, and `--expect`, a head printed by an earlier `verify`). The exit code says whether
//! all of it holds (0) or not (1).

use super::{Global, print};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// A head an earlier `verify` printed (8 or more hex digits, optionally `SEQ:` before them):
    /// the store must still hold it, so a store truncated, emptied or replaced by an older copy
    /// fails.
    #[arg(long, value_name = "HEAD")]
    expect: Option<String>,
    /// Check an export (`sessionlens export`) instead of the store: every link recomputed from
    /// its records up to the head it names, so an edited, cut or reordered export fails.
    #[arg(long, value_name = "FILE", conflicts_with = "expect")]
    export: Option<std::path::PathBuf>,
}

pub fn run(g: &Global, args: Args) -> anyhow::Result<ExitCode> {
    if let Some(file) = &args.export {
        return export(g, file);
    }
    let report = g
        .store_to_read()?
        .verify_expecting(args.expect.as_deref())?;
    if g.json {
        print::json(&serde_json::json!({
            "ok": report.ok(),
            "events": report.events,
            "head": report.head,
            "failure": report.failure.as_ref().map(|f| serde_json::json!({"seq": f.seq, "event": f.event_id, "reason": f.reason})),
            "problems": report.problems,
            "erased": report.erased,
        }))?;
    } else {
        print::chain(&report);
    }
    Ok(if report.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `verify --export FILE`.
fn export(g: &Global, file: &std::path::Path) -> anyhow::Result<ExitCode> {
    let input = std::io::BufReader::new(std::fs::File::open(file)?);
    let check = crate::knowledge::export::verify_jsonl(input)?;
    if g.json {
        print::json(&check)?;
    } else {
        match &check.failure {
            None => println!(
                "✓ export intact: {} records up to head {} ({} events with their content, {} erased)",
                check.records,
                &check.head[..check.head.len().min(16)],
                check.events,
                check.erased
            ),
            Some(why) => println!("✗ export does not verify: {why}"),
        }
    }
    Ok(if check.failure.is_none() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
