//! `sessionlens export [--workspace DIR] [--format jsonl|markdown] [--out FILE]`: every event and
//! insight of a scope, to stdout or a file. The JSON-lines form carries the chain with it, so
//! `sessionlens verify --export FILE` proves it complete and unaltered (see
//! `knowledge::export`); markdown is for reading.

use super::Global;
use crate::knowledge::export;
use crate::knowledge::scope::Scope;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Jsonl,
    Markdown,
}

#[derive(clap::Args)]
pub struct Args {
    /// Only the sessions run in this folder or below it.
    #[arg(long, value_name = "DIR")]
    workspace: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "jsonl")]
    format: Format,
    /// Write here instead of stdout (created private to you).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

pub fn run(g: &Global, args: Args) -> anyhow::Result<ExitCode> {
    g.refuse_json("export")?;
    let store = g.store_to_read()?;
    let scope = args.workspace.as_deref().map(Scope::new);
    let mut out: Box<dyn Write> = match &args.out {
        Some(path) => {
            let _ = std::fs::remove_file(path);
            Box::new(std::io::BufWriter::new(crate::config::open_private(
                path, true,
            )?))
        }
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let done = match args.format {
        Format::Jsonl => export::write_jsonl(&store, scope.as_ref(), &mut out)?,
        Format::Markdown => export::write_markdown(&store, scope.as_ref(), &mut out)?,
    };
    out.flush()?;
    if let Some(path) = &args.out {
        eprintln!(
            "Exported {} events and {} insights to {}",
            done.events,
            done.insights,
            path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
