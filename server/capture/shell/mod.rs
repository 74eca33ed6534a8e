//! Commands typed in the developer's own terminal, from any shell. `sessionlens init SHELL` prints
//! a hook ([`snippet`]) that costs no process per command: shell builtins append one line per
//! command to a per-user spool file, and an ingest or a running language server turns the spool's
//! lines into terminal-command events, then removes what it consumed.
//!
//! This file is the spool's format, the one contract between the hooks and the reader. A line is
//! eight fields separated by tabs and ends with a newline:
//!
//! ```text
//! 1 <TAB> shell <TAB> shell-session <TAB> start-µs <TAB> end-µs <TAB> exit <TAB> cwd <TAB> command
//! ```
//!
//! - `1` is the format's version; a line of another version is counted and skipped.
//! - `shell` is `bash`, `zsh` or `fish`; `shell-session` names one shell process for as long as
//!   it runs (its pid and start), with no tab or newline in it.
//! - `start-µs`, `end-µs`: microseconds since the Unix epoch. A shell without a sub-second clock
//!   (fish) writes what it knows: either may be empty, never both.
//! - `exit` is the command's exit status (`$?`, `$status`).
//! - `cwd` and `command` are escaped so that a line is one line: `\` as `\\`, newline as `\n`,
//!   tab as `\t`, carriage return as `\r`.
//!
//! Each hook writes a line with one `write` to a file opened with `O_APPEND`, so lines from
//! shells running at once never interleave; a line cut short (a full disk, a killed shell) has no
//! newline or too few fields and is skipped, never guessed at.

pub mod snippet;
pub use snippet::{Shell, snippet};

use std::path::PathBuf;

/// Whether `tool` (a command event's) names a shell with a hook, i.e. a hook recorded the command.
pub fn is_shell(tool: &str) -> bool {
    Shell::ALL.iter().any(|s| s.name() == tool)
}

/// The startup file where a shell's hook line goes (`eval "$(sessionlens init bash)"`): `~/.bashrc`,
/// `$ZDOTDIR/.zshrc` (else `~/.zshrc`), `$XDG_CONFIG_HOME/fish/config.fish` (else under
/// `~/.config`).
pub fn rc_file(shell: &str) -> Option<PathBuf> {
    let home = dirs::home_dir()?;
    let env_dir = |v: &str| {
        std::env::var_os(v)
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
    };
    Some(match shell {
        "bash" => home.join(".bashrc"),
        "zsh" => env_dir("ZDOTDIR").unwrap_or(home).join(".zshrc"),
        "fish" => env_dir("XDG_CONFIG_HOME")
            .unwrap_or_else(|| home.join(".config"))
            .join("fish/config.fish"),
        _ => return None,
    })
}

/// Whether a startup file's text loads the hook for `shell` (a line, not commented out, that runs
/// `sessionlens init SHELL`).
pub fn loads_hook(rc: &str, shell: &str) -> bool {
    let call = format!("sessionlens init {shell}");
    rc.lines().any(|l| {
        let l = l.trim_start();
        !l.starts_with('#') && l.contains(&call)
    })
}

/// The version a hook writes in a line's first field.
pub const VERSION: &str = "1";

/// One command as a hook recorded it: plain values, not yet redacted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Typed {
    pub shell: String,
    pub shell_session: String,
    /// Microseconds since the Unix epoch.
    pub start_us: Option<u64>,
    pub end_us: Option<u64>,
    pub exit_code: i32,
    pub cwd: String,
    pub command: String,
}

impl Typed {
    /// When it ended (else started), microseconds since the Unix epoch.
    pub fn at_us(&self) -> u64 {
        self.end_us.or(self.start_us).unwrap_or(0)
    }

    /// How long it ran, when both ends are known.
    pub fn duration_ms(&self) -> Option<u64> {
        match (self.start_us, self.end_us) {
            (Some(s), Some(e)) if e >= s => Some((e - s) / 1000),
            _ => None,
        }
    }
}

/// Why a spool line was not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bad {
    /// Written by another version of the hook.
    Version,
    /// Too few fields, a number that is not one, no time at all: cut short or not ours.
    Malformed,
}

/// Reads one spool line (without its newline).
pub fn parse(line: &str) -> Result<Typed, Bad> {
    let mut f = line.split('\t');
    let mut next = || f.next().ok_or(Bad::Malformed);
    match next()? {
        VERSION => {}
        v if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) => return Err(Bad::Version),
        _ => return Err(Bad::Malformed),
    }
    let shell = next()?.to_owned();
    let shell_session = next()?.to_owned();
    let time = |s: &str| -> Result<Option<u64>, Bad> {
        if s.is_empty() {
            Ok(None)
        } else {
            s.parse().map(Some).map_err(|_| Bad::Malformed)
        }
    };
    let start_us = time(next()?)?;
    let end_us = time(next()?)?;
    let exit_code = next()?.trim().parse().map_err(|_| Bad::Malformed)?;
    let cwd = unescape(next()?);
    let command = unescape(next()?);
    if f.next().is_some()
        || shell.is_empty()
        || (start_us.is_none() && end_us.is_none())
        || cwd.is_empty()
    {
        return Err(Bad::Malformed);
    }
    Ok(Typed {
        shell,
        shell_session,
        start_us,
        end_us,
        exit_code,
        cwd,
        command,
    })
}

/// Undoes a hook's escaping; a backslash before anything else stands for itself.
fn unescape(s: &str) -> String {
    if !s.contains('\\') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('\\') => out.push('\\'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// Escapes a field as the hooks do (for tests and tools that write spool lines).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

/// A spool line for `typed`, as a hook writes it (newline included).
pub fn line(typed: &Typed) -> String {
    let time = |t: Option<u64>| t.map(|t| t.to_string()).unwrap_or_default();
    format!(
        "{VERSION}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
        typed.shell,
        typed.shell_session,
        time(typed.start_us),
        time(typed.end_us),
        typed.exit_code,
        escape(&typed.cwd),
        escape(&typed.command)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed() -> Typed {
        Typed {
            shell: "zsh".into(),
            shell_session: "4242-1765100000000000".into(),
            start_us: Some(1_765_100_000_000_000),
            end_us: Some(1_765_100_001_500_000),
            exit_code: 1,
            cwd: "/home/dev/app\twith tab".into(),
            command: "npm run build &&\\\n  echo 'a\\tb'\r".into(),
        }
    }

    #[test]
    fn a_line_reads_back_as_written() {
        let t = typed();
        let l = line(&t);
        assert_eq!(l.matches('\n').count(), 1, "{l:?}");
        assert_eq!(parse(l.trim_end_matches('\n')), Ok(t.clone()));
        assert_eq!(t.duration_ms(), Some(1500));
        assert_eq!(t.at_us(), 1_765_100_001_500_000);
    }

    #[test]
    fn a_fish_line_may_lack_one_time() {
        let l = "1\tfish\t77\t\t1765100001000000\t0\t/w\tls";
        let t = parse(l).unwrap();
        assert_eq!((t.start_us, t.duration_ms()), (None, None));
        assert_eq!(t.at_us(), 1_765_100_001_000_000);
    }

    #[test]
    fn cut_or_foreign_lines_are_refused() {
        assert_eq!(parse("2\tbash\ts\t1\t2\t0\t/w\tls"), Err(Bad::Version));
        for l in [
            "",
            "1\tbash\ts\t1\t2\t0\t/w",
            "1\tbash\ts\t1\t2\tx\t/w\tls",
            "1\tbash\ts\t\t\t0\t/w\tls",
            "1\tbash\ts\t1\t2\t0\t/w\tls\textra",
            "1\tbash\ts\t1\t2\t0\t\tls",
        ] {
            assert_eq!(parse(l), Err(Bad::Malformed), "{l:?}");
        }
    }

    #[test]
    fn a_startup_file_loads_the_hook_unless_commented_out() {
        assert!(loads_hook(
            "export A=1\neval \"$(sessionlens init zsh)\"\n",
            "zsh"
        ));
        assert!(loads_hook("  sessionlens init fish | source", "fish"));
        assert!(!loads_hook("# eval \"$(sessionlens init zsh)\"", "zsh"));
        assert!(!loads_hook("eval \"$(sessionlens init bash)\"", "zsh"));
    }

    #[test]
    fn a_lone_backslash_stands_for_itself() {
        assert_eq!(unescape(r"a\qb\"), r"a\qb\");
    }
}
