//! `sessionlens install codex-mcp`: adds `[mcp_servers.sessionlens]` to Codex's `config.toml`
//! (`$CODEX_HOME/config.toml`), so Codex starts `sessionlens mcp` and its agent gets the
//! `recall`, `open_gaps`, `record_learning` and `session_summary` tools. The file is the
//! developer's own and full of comments, so it is edited as text, never re-serialized: the table
//! is appended and every other byte stays as it was. The old file is backed up; a file that is
//! not valid TOML, or that the table would make invalid, is left alone with a clear error; an
//! existing `sessionlens` table is left as it is (it may be the developer's own), and said so.

use crate::knowledge::text;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The server's name in Codex: `[mcp_servers.sessionlens]`.
const NAME: &str = "sessionlens";

pub fn install(data_dir: Option<&Path>) -> anyhow::Result<ExitCode> {
    let file = crate::config::codex_home()
        .ok_or_else(|| anyhow::anyhow!("no home directory: set CODEX_HOME"))?
        .join("config.toml");
    let exe = std::env::current_exe()?;
    let command = exe
        .to_str()
        .ok_or_else(|| anyhow::anyhow!("the binary's path {} is not UTF-8", exe.display()))?
        .to_owned();
    // Codex gives MCP servers a minimal environment, so a data dir chosen by flag or
    // environment would not reach the server: it is passed on its command line instead.
    let explicit = data_dir.map(Path::to_path_buf).or_else(|| {
        std::env::var_os(crate::config::DATA_DIR_ENV)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    });
    let mut args = Vec::new();
    if let Some(dir) = explicit {
        let dir = std::path::absolute(dir)?;
        args.push("--data-dir".to_owned());
        args.push(
            dir.to_str()
                .ok_or_else(|| anyhow::anyhow!("the data dir {} is not UTF-8", dir.display()))?
                .to_owned(),
        );
    }
    args.push("mcp".to_owned());
    match add(&file, &command, &args)? {
        Outcome::Present { command } => {
            println!(
                "{} already has [mcp_servers.{NAME}]{}; left as it is",
                file.display(),
                command
                    .map(|c| format!(" (command = {c:?})"))
                    .unwrap_or_default()
            );
        }
        Outcome::Added { backup } => {
            println!("Added [mcp_servers.{NAME}] to {}", file.display());
            if let Some(b) = backup {
                println!("The previous file is kept as {}", b.display());
            }
            println!(
                "Codex starts `{command} {}` in its next session; `codex mcp list` shows it.",
                args.join(" ")
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, PartialEq)]
enum Outcome {
    /// A `sessionlens` server is configured already, with this command.
    Present {
        command: Option<String>,
    },
    Added {
        backup: Option<PathBuf>,
    },
}

/// Appends the table to `file` (created when missing). Nothing is written when the table is
/// there already, when the file is not valid TOML, or when appending would not give a valid
/// file with exactly this server in it (`mcp_servers` written as an inline table, say).
fn add(file: &Path, command: &str, args: &[String]) -> anyhow::Result<Outcome> {
    let existing = match std::fs::read_to_string(file) {
        Ok(s) => Some(s),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => anyhow::bail!("reading {}: {e}", file.display()),
    };
    let old = existing.as_deref().unwrap_or("");
    let doc: toml_edit::DocumentMut = old.parse().map_err(|e| {
        anyhow::anyhow!(
            "{} is not valid TOML ({}); fix it by hand, nothing was written",
            file.display(),
            one_line(&e)
        )
    })?;
    if let Some(entry) = doc.get("mcp_servers").and_then(|s| s.get(NAME)) {
        return Ok(Outcome::Present {
            command: entry
                .get("command")
                .and_then(|c| c.as_str())
                .map(str::to_owned),
        });
    }
    let newline = if old.contains("\r\n") { "\r\n" } else { "\n" };
    let block = table(command, args).replace('\n', newline);
    let sep = if old.is_empty() || old.ends_with(&format!("{newline}{newline}")) {
        String::new()
    } else if old.ends_with('\n') {
        newline.to_owned()
    } else {
        format!("{newline}{newline}")
    };
    let new = format!("{old}{sep}{block}");
    let refuse = |why: String| {
        anyhow::anyhow!(
            "adding [mcp_servers.{NAME}] to {} would {why}; nothing was written. Add it by hand:\n\n{block}",
            file.display()
        )
    };
    let check: toml_edit::DocumentMut = new
        .parse()
        .map_err(|e| refuse(format!("make it invalid TOML ({})", one_line(&e))))?;
    let entry = check.get("mcp_servers").and_then(|s| s.get(NAME));
    let got_command = entry
        .and_then(|e| e.get("command"))
        .and_then(|c| c.as_str());
    let got_args: Option<Vec<&str>> = entry
        .and_then(|e| e.get("args"))
        .and_then(|a| a.as_array())
        .map(|a| a.iter().filter_map(|v| v.as_str()).collect());
    if got_command != Some(command) || got_args.as_deref() != Some(&args_str(args)[..]) {
        return Err(refuse("not read back as this server".into()));
    }

    if let Some(parent) = file.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| anyhow::anyhow!("creating {}: {e}", parent.display()))?;
    }
    let backup = match &existing {
        Some(text) => {
            let stamp = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%S%.3fZ");
            let b = file.with_file_name(format!("config.toml.bak-{stamp}"));
            std::fs::write(&b, text)
                .map_err(|e| anyhow::anyhow!("writing the backup {}: {e}", b.display()))?;
            Some(b)
        }
        None => None,
    };
    crate::knowledge::files::write_atomically(file, new.as_bytes())
        .map_err(|e| anyhow::anyhow!("writing {}: {e}", file.display()))?;
    Ok(Outcome::Added { backup })
}

fn args_str(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

/// The table Session Lens adds.
fn table(command: &str, args: &[String]) -> String {
    let args: Vec<String> = args.iter().map(|a| quote(a)).collect();
    format!(
        "# Added by `sessionlens install codex-mcp`: what you learned in past sessions, as tools.\n\
         [mcp_servers.{NAME}]\n\
         command = {}\n\
         args = [{}]\n",
        quote(command),
        args.join(", ")
    )
}

/// A TOML basic string.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn one_line(e: &impl std::fmt::Display) -> String {
    text::collapse(&e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> Vec<String> {
        vec!["mcp".to_owned()]
    }

    #[test]
    fn appends_keeps_every_byte_backs_up_and_is_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        let theirs = "# my settings\nmodel = \"gpt-5\" # inline comment\n\n[mcp_servers.docs]\ncommand = \"docs-mcp\"\n[features]\nweb = true";
        std::fs::write(&file, theirs).unwrap();
        let out = add(&file, "/opt/bin/sessionlens", &args()).unwrap();
        let Outcome::Added { backup: Some(b) } = out else {
            panic!("{out:?}")
        };
        assert_eq!(std::fs::read_to_string(b).unwrap(), theirs);
        let new = std::fs::read_to_string(&file).unwrap();
        assert!(new.starts_with(&format!("{theirs}\n\n# Added by")), "{new}");
        assert!(new.ends_with(
            "[mcp_servers.sessionlens]\ncommand = \"/opt/bin/sessionlens\"\nargs = [\"mcp\"]\n"
        ));
        let before = std::fs::read(&file).unwrap();
        assert_eq!(
            add(&file, "/other/sessionlens", &args()).unwrap(),
            Outcome::Present {
                command: Some("/opt/bin/sessionlens".into())
            }
        );
        assert_eq!(std::fs::read(&file).unwrap(), before);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn creates_the_file_and_quotes_odd_paths() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("codex/config.toml");
        let odd = "C:\\Program Files\\\"sl\"\\sessionlens.exe";
        assert_eq!(
            add(&file, odd, &args()).unwrap(),
            Outcome::Added { backup: None }
        );
        let doc: toml_edit::DocumentMut = std::fs::read_to_string(&file).unwrap().parse().unwrap();
        assert_eq!(
            doc["mcp_servers"]["sessionlens"]["command"].as_str(),
            Some(odd)
        );
    }

    #[test]
    fn crlf_files_stay_crlf() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        std::fs::write(&file, "model = \"o3\"\r\n").unwrap();
        add(&file, "/bin/sessionlens", &args()).unwrap();
        let new = std::fs::read_to_string(&file).unwrap();
        assert!(new.starts_with("model = \"o3\"\r\n\r\n# Added"), "{new:?}");
        assert_eq!(new.matches('\n').count(), new.matches("\r\n").count());
    }

    #[test]
    fn invalid_or_unappendable_files_are_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        for bad in [
            "model = ",
            "[mcp_servers\ncommand = 1",
            "mcp_servers = { docs = { command = \"d\" } }\n",
            "mcp_servers = 3\n",
        ] {
            std::fs::write(&file, bad).unwrap();
            let e = add(&file, "/bin/sessionlens", &args()).unwrap_err();
            assert!(
                e.to_string().contains("nothing was written"),
                "{bad:?}: {e}"
            );
            assert_eq!(std::fs::read_to_string(&file).unwrap(), bad);
        }
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no backups"
        );
        // A table of that name, however written, is left as it is.
        std::fs::write(
            &file,
            "[mcp_servers]\nsessionlens = { url = \"http://x\" }\n",
        )
        .unwrap();
        assert_eq!(
            add(&file, "/bin/sessionlens", &args()).unwrap(),
            Outcome::Present { command: None }
        );
    }
}
