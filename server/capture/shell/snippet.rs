//! The hooks `sessionlens init SHELL` prints: the code a shell runs so that every command typed in
//! it lands in the spool ([`super`]'s format), with the shell's builtins only — no process per
//! command. The code lives in `hook.bash`, `hook.zsh` and `hook.fish` beside this file (shell
//! code is read and tested as shell code, not as Rust strings); this file fills in where the
//! spool is, quoted for that shell, and prepares the state dir the hooks write into.
//!
//! Besides the spool, the hooks keep one scratch file per shell process in the state dir: bash
//! writes `history 1` to `bash.<pid>.history` to read it back without a fork (overwritten in
//! place, never truncated, so it holds the longest recent history entry, as ~/.bash_history
//! would), fish touches `fish.<pid>.clock` to read the time from its mtime. [`prepare`] removes
//! the scratch files of shells long gone.
//!
//! What a command costs each hook is measured by `cargo bench --bench shell`; that it starts no
//! process, and everything else the hooks promise, is tested in real shells by
//! `tests/it/shell.rs`.

use std::fmt;
use std::io;
use std::path::Path;
use std::str::FromStr;
use std::time::{Duration, SystemTime};

/// A shell Session Lens has a hook for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

impl Shell {
    /// Every shell, in the order help texts list them.
    pub const ALL: [Shell; 3] = [Shell::Bash, Shell::Zsh, Shell::Fish];

    /// The shell's name, as `init` takes it and as a spool line's `shell` field says it.
    pub fn name(self) -> &'static str {
        match self {
            Shell::Bash => "bash",
            Shell::Zsh => "zsh",
            Shell::Fish => "fish",
        }
    }

    /// The hook's code, with `@SPOOL@` and `@DIR@` where the quoted paths go.
    fn template(self) -> &'static str {
        match self {
            Shell::Bash => include_str!("hook.bash"),
            Shell::Zsh => include_str!("hook.zsh"),
            Shell::Fish => include_str!("hook.fish"),
        }
    }

    /// `s` as one word of this shell's language, whatever it holds: single quotes, inside which
    /// bash and zsh take everything literally but a quote, and fish all but a quote and a
    /// backslash.
    fn quote(self, s: &str) -> String {
        match self {
            Shell::Bash | Shell::Zsh => format!("'{}'", s.replace('\'', r"'\''")),
            Shell::Fish => format!("'{}'", s.replace('\\', r"\\").replace('\'', r"\'")),
        }
    }
}

impl fmt::Display for Shell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A shell name no hook exists for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownShell(pub String);

impl fmt::Display for UnknownShell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no hook for the shell {:?}: bash, zsh or fish", self.0)
    }
}

impl std::error::Error for UnknownShell {}

impl FromStr for Shell {
    type Err = UnknownShell;

    /// A shell from its name, also as `$SHELL` or a login shell's `$0` give it (`/usr/bin/zsh`,
    /// `-bash`).
    fn from_str(s: &str) -> Result<Shell, UnknownShell> {
        let name = s.rsplit('/').next().unwrap_or(s).trim_start_matches('-');
        Shell::ALL
            .into_iter()
            .find(|shell| shell.name() == name)
            .ok_or_else(|| UnknownShell(s.to_owned()))
    }
}

/// The hook for `shell`, appending to `spool` (an absolute path; its folder holds the scratch
/// files). A path that is not UTF-8 is written as its lossy text, so the caller checks first.
pub fn snippet(shell: Shell, spool: &Path) -> String {
    let dir = spool.parent().unwrap_or(Path::new("/"));
    shell
        .template()
        .replace("@SPOOL@", &shell.quote(&spool.to_string_lossy()))
        .replace("@DIR@", &shell.quote(&dir.to_string_lossy()))
}

/// How long a scratch file may go unused before [`prepare`] takes its shell for gone. A running
/// shell rewrites its own at every command, and one removed under an idle shell is made again
/// at its next command, so the age only has to exceed the time a file is written and read back.
pub const SCRATCH_MAX_AGE: Duration = Duration::from_secs(24 * 60 * 60);

/// Makes the spool's folder (mode 0700: it holds command lines before redaction) and the spool
/// (0600) when missing, and removes scratch files unused for [`SCRATCH_MAX_AGE`]. Run once per
/// shell start, by `sessionlens init`, never per command.
pub fn prepare(spool: &Path) -> io::Result<()> {
    let dir = spool.parent().unwrap_or(Path::new("/"));
    crate::config::private_dir(dir)?;
    crate::config::open_private(spool, false)?;
    let now = SystemTime::now();
    for entry in std::fs::read_dir(dir)? {
        let Ok(entry) = entry else { continue };
        let name = entry.file_name();
        if !is_scratch(&name.to_string_lossy()) {
            continue;
        }
        let unused = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|m| now.duration_since(m).ok());
        if unused.is_some_and(|age| age > SCRATCH_MAX_AGE) {
            // Another shell starting may remove it first.
            let _ = std::fs::remove_file(entry.path());
        }
    }
    Ok(())
}

/// Whether a file name is a hook's scratch file: `bash.<pid>.history` or `fish.<pid>.clock`.
pub fn is_scratch(name: &str) -> bool {
    let pid = |rest: &str, suffix: &str| {
        rest.strip_suffix(suffix)
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    };
    name.strip_prefix("bash.")
        .is_some_and(|r| pid(r, ".history"))
        || name.strip_prefix("fish.").is_some_and(|r| pid(r, ".clock"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shells_are_named_as_people_write_them() {
        for shell in Shell::ALL {
            assert_eq!(shell.name().parse(), Ok(shell));
        }
        assert_eq!("/usr/bin/zsh".parse(), Ok(Shell::Zsh));
        assert_eq!("-bash".parse(), Ok(Shell::Bash));
        assert_eq!(
            "tcsh".parse::<Shell>(),
            Err(UnknownShell("tcsh".to_owned()))
        );
    }

    #[test]
    fn every_placeholder_is_filled_and_the_path_quoted() {
        let spool = Path::new("/home/o'neil/state \\ x/commands.spool");
        for shell in Shell::ALL {
            let s = snippet(shell, spool);
            assert!(!s.contains("@SPOOL@") && !s.contains("@DIR@"), "{shell}");
            assert!(
                s.starts_with('#'),
                "{shell}: the template's doc comment leads"
            );
        }
        let bash = snippet(Shell::Bash, spool);
        assert!(bash.contains(r"__sessionlens_spool='/home/o'\''neil/state \ x/commands.spool'"));
        assert!(bash.contains(r"__sessionlens_dir='/home/o'\''neil/state \ x'"));
        let fish = snippet(Shell::Fish, spool);
        assert!(
            fish.contains(r"set -g __sessionlens_spool '/home/o\'neil/state \\ x/commands.spool'")
        );
    }

    #[test]
    fn scratch_files_are_known_by_name() {
        assert!(is_scratch("bash.4242.history"));
        assert!(is_scratch("fish.7.clock"));
        for name in [
            "commands.spool",
            "bash..history",
            "bash.42x.history",
            "fish.42.history",
            "zsh.42.clock",
        ] {
            assert!(!is_scratch(name), "{name}");
        }
    }

    #[test]
    fn prepare_makes_a_private_folder_and_spool_and_sweeps_old_scratch() {
        let tmp = tempfile::tempdir().unwrap();
        let spool = tmp.path().join("state/sessionlens/commands.spool");
        prepare(&spool).unwrap();
        assert!(spool.is_file());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(spool.parent().unwrap()), 0o700);
            assert_eq!(mode(&spool), 0o600);
        }
        let dir = spool.parent().unwrap();
        let (old, fresh) = (dir.join("bash.1.history"), dir.join("fish.2.clock"));
        for p in [&old, &fresh] {
            std::fs::write(p, "").unwrap();
        }
        let long_ago = SystemTime::now() - SCRATCH_MAX_AGE - Duration::from_secs(60);
        std::fs::File::options()
            .write(true)
            .open(&old)
            .unwrap()
            .set_modified(long_ago)
            .unwrap();
        std::fs::write(&spool, "kept\n").unwrap();
        prepare(&spool).unwrap();
        assert!(!old.exists() && fresh.exists());
        assert_eq!(std::fs::read_to_string(&spool).unwrap(), "kept\n");
    }
}
