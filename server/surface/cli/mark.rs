//! `sessionlens resolve` and `sessionlens reopen`: the developer's own word on an insight, stored
//! as a `mark` event that overrides the rules until the next mark.

use super::Global;
use crate::capture::live;
use crate::insight::Insight;
use crate::knowledge::text;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// An insight id, or any unique prefix of one (`sessionlens insights --json` lists them).
    insight: String,
}

/// `resolve`: the developer learned it, whatever the rules concluded.
pub fn resolve(g: &Global, args: Args) -> anyhow::Result<ExitCode> {
    g.refuse_json("resolve")?;
    mark(g, &args.insight, true)
}

/// `reopen`: the developer says it is open again.
pub fn reopen(g: &Global, args: Args) -> anyhow::Result<ExitCode> {
    g.refuse_json("reopen")?;
    mark(g, &args.insight, false)
}

/// Records the developer's own verdict on the one insight `wanted` names as a `mark` event, which
/// overrides the rules until the next mark.
fn mark(g: &Global, wanted: &str, resolved: bool) -> anyhow::Result<ExitCode> {
    let gate = g.gate()?;
    let store = g.store()?;
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
    let committed = gate.commit(&store, &events, &[])?;
    if let Some(why) = committed.why {
        anyhow::bail!("not recorded: {cwd}, where the insight was noted, is {why}");
    }
    println!(
        "{} {} {} — {}",
        if resolved { "Resolved" } else { "Reopened" },
        i.kind.as_str(),
        i.topic,
        text::one_line(&i.text, 80)
    );
    Ok(ExitCode::SUCCESS)
}
