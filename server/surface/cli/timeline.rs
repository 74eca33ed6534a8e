//! `sessionlens timeline`: one session's events in order, rendered by
//! [`crate::knowledge::timeline`] (what the editor's "show timeline" shows too).

use super::{Global, print};
use crate::normalize::Event;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// A session id, or any unique prefix of one.
    session: String,
}

pub fn run(g: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let store = g.store_to_read()?;
    let id = crate::knowledge::sessions::resolve(&store, &args.session)?;
    let events: Vec<Event> = store
        .session_events(&id)?
        .into_iter()
        .map(|(_, e)| e)
        .collect();
    if g.json {
        print::json(&events)?;
    } else {
        let summary = store.session(&id)?;
        crate::knowledge::timeline::print_timeline(
            &mut std::io::stdout().lock(),
            summary.as_ref(),
            &events,
            usize::MAX,
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
