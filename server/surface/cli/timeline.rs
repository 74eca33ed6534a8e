//! `sessionlens timeline`: one session's events in order, rendered by
//! [`crate::knowledge::timeline`] (what the editor's "show timeline" shows too).

use crate::normalize::Event;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

pub fn timeline(data_dir: Option<&Path>, session: &str, json: bool) -> anyhow::Result<ExitCode> {
    let store = super::open_store(data_dir)?;
    let id = crate::knowledge::sessions::resolve(&store, session)?;
    let events: Vec<Event> = store
        .session_events(&id)?
        .into_iter()
        .map(|(_, e)| e)
        .collect();
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &events)?;
        writeln!(out)?;
    } else {
        let summary = store.session(&id)?;
        crate::knowledge::timeline::print_timeline(
            &mut out,
            summary.as_ref(),
            &events,
            usize::MAX,
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
