//! `sessionlens resolve` and `sessionlens reopen`: the developer's own word on an insight, stored
//! as a `mark` event that overrides the rules until the next mark.

use crate::capture::live;
use crate::insight::Insight;
use crate::knowledge::text;
use std::path::Path;
use std::process::ExitCode;

/// `resolve` / `reopen`: records the developer's own verdict on an insight as a `mark` event,
/// which overrides the rules until the next mark.
pub fn mark(data_dir: Option<&Path>, wanted: &str, resolved: bool) -> anyhow::Result<ExitCode> {
    let store = super::open_store(data_dir)?;
    let all = crate::knowledge::snapshot::Knowledge::load(&store)?.insights;
    let found: Vec<&Insight> = all.iter().filter(|i| i.id.starts_with(wanted)).collect();
    let i = match found.as_slice() {
        [one] => *one,
        [] => {
            anyhow::bail!("no insight matches {wanted:?}; `sessionlens insights --json` lists them")
        }
        many => anyhow::bail!(
            "{wanted:?} matches {} insights; give more of the id",
            many.len()
        ),
    };
    let cwd = match &i.cwd {
        Some(c) => c.clone(),
        None => std::env::current_dir()?.display().to_string(),
    };
    let at = live::now();
    let events = live::mark(live::CLI, &cwd, &i.id, resolved, &at);
    store.commit(&events, &[])?;
    println!(
        "{} {} {} — {}",
        if resolved { "Resolved" } else { "Reopened" },
        i.kind.as_str(),
        i.topic,
        text::one_line(&i.text, 80)
    );
    Ok(ExitCode::SUCCESS)
}
