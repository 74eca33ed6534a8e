//! `sessionlens init bash|zsh|fish`: prints the shell hook that records every command typed in
//! that shell, for the rc file to evaluate at each shell start (`eval "$(sessionlens init zsh)"`,
//! `sessionlens init fish | source`, as atuin, zoxide and starship do). Runs once per shell start,
//! never per command: it makes the state dir (0700) and the spool (0600) when missing, so the
//! hook itself only appends. The hook's code and how it stays free of processes:
//! `capture::shell::snippet`.

use super::Global;
use crate::capture::shell::{self, Shell};
use anyhow::Context;
use clap::builder::TypedValueParser;
use std::io::Write;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The shell to print the hook for.
    #[arg(value_parser = clap::builder::PossibleValuesParser::new(Shell::ALL.map(Shell::name))
        .map(|s| s.parse::<Shell>().expect("a possible value names a shell")))]
    shell: Shell,
}

pub fn run(g: &Global, args: Args) -> anyhow::Result<ExitCode> {
    g.refuse_json(&format!("init {}", args.shell))?;
    // The hook runs in whatever folder the shell is in: its paths must not be relative.
    let dir = std::path::absolute(crate::config::state_dir()?)?;
    let spool = crate::config::spool_path(&dir);
    if spool.to_str().is_none() {
        anyhow::bail!(
            "the state dir {} is not UTF-8: set {} to another folder",
            dir.display(),
            crate::config::STATE_DIR_ENV
        );
    }
    shell::snippet::prepare(&spool)
        .with_context(|| format!("cannot prepare the spool {}", spool.display()))?;
    let mut out = std::io::stdout().lock();
    out.write_all(shell::snippet(args.shell, &spool).as_bytes())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
