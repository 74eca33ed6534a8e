//! Shell hook benchmark: what `sessionlens init SHELL`'s hook costs per command, in bash, zsh and
//! fish, against the same shell with no hook. The issue's bar: well under 1 ms per command (Atuin's
//! hook measured about 57 ms, two process starts per command).
//!
//! Each shell runs a script without a terminal that takes N commands through the per-command
//! path the interactive shell takes — bash: the line into history, PS0 expanded, PROMPT_COMMAND
//! run; zsh: every preexec and precmd function; fish: `emit fish_preexec` and `fish_postexec` —
//! once with the hook loaded (writing N spool lines) and once without. Each is run for N and
//! for 0 commands, so the shell's start cancels out, several times, and the median is kept.
//! Then the hooked script runs under `strace -f` to count the processes the shell starts per
//! command (zero is the point: no fork, no exec). Prints figures only: timings depend on the
//! machine and on what else runs on it, so nothing is asserted (tests/it/shell.rs asserts the
//! zero processes under a real terminal).
//!
//! Run with `cargo bench --bench shell` (the optional argument sets N, default 2000).

use sessionlens::capture::shell::{self, Shell};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Runs of each measurement; the median is reported.
const RUNS: usize = 5;

/// The script that takes `$N` commands (four realistic ones in turn) through the hook path; the
/// hook file is loaded when given.
fn script(shell: Shell) -> (&'static [&'static str], &'static str) {
    match shell {
        Shell::Bash => (
            &["--norc", "--noprofile", "-c"],
            r#"set -o history
if [[ -n $2 ]]; then source "$2"; __sessionlens_precmd; fi
cmds=('npm run build' 'git status --short' 'cargo test --test it shell::' 'ls -la src')
for ((i = 0; i < $1; i++)); do
    history -s "${cmds[i % 4]}"
    : "${PS0@P}"
    eval "$PROMPT_COMMAND"
done"#,
        ),
        Shell::Zsh => (
            &["-f", "-c"],
            r#"[[ -n $2 ]] && source $2
cmds=('npm run build' 'git status --short' 'cargo test --test it shell::' 'ls -la src')
for ((i = 0; i < $1; i++)); do
    c=${cmds[i % 4 + 1]}
    for f in $preexec_functions; do $f "$c" "$c" "$c"; done
    for f in $precmd_functions; do $f; done
done"#,
        ),
        Shell::Fish => (
            &["--no-config", "-c"],
            r#"test -n "$argv[2]"; and source $argv[2]
set -l cmds 'npm run build' 'git status --short' 'cargo test --test it shell::' 'ls -la src'
set -l i 0
while test $i -lt $argv[1]
    set i (math $i + 1)
    set -l c $cmds[(math $i % 4 + 1)]
    emit fish_preexec $c
    emit fish_postexec $c
end"#,
        ),
    }
}

/// The command running `shell`'s script for `n` commands, with the hook file or without.
fn command(program: &Path, shell: Shell, n: usize, hook: Option<&Path>, dir: &Path) -> Command {
    let (flags, body) = script(shell);
    let mut c = Command::new(program);
    c.args(flags).arg(body);
    if shell != Shell::Fish {
        c.arg(shell.name()); // $0
    }
    c.arg(n.to_string())
        .arg(hook.map(Path::as_os_str).unwrap_or_default())
        .current_dir(dir)
        .env_remove("SESSIONLENS_HISTORY");
    c
}

fn run(mut c: Command) -> Duration {
    let t = Instant::now();
    let out = c.output().expect("the shell runs");
    let took = t.elapsed();
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{c:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    took
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Microseconds per command of the script with or without the hook: the median over [`RUNS`]
/// of (time for n commands − time for none) / n.
fn per_command(program: &Path, shell: Shell, n: usize, hook: Option<&Path>, dir: &Path) -> f64 {
    let runs = (0..RUNS)
        .map(|_| {
            let none = run(command(program, shell, 0, hook, dir));
            let all = run(command(program, shell, n, hook, dir));
            (all.as_secs_f64() - none.as_secs_f64()) * 1e6 / n as f64
        })
        .collect();
    median(runs)
}

/// Processes the shell itself starts (forks, not threads) while running the hooked script for
/// `n` commands, from `strace -f`'s record.
fn processes(
    strace: &Path,
    program: &Path,
    shell: Shell,
    n: usize,
    hook: &Path,
    dir: &Path,
) -> usize {
    let trace = dir.join(format!("{}.trace", shell.name()));
    let inner = command(program, shell, n, Some(hook), dir);
    let mut c = Command::new(strace);
    c.args(["-f", "-qq", "-e", "trace=process", "-o"])
        .arg(&trace)
        .arg(inner.get_program())
        .args(inner.get_args())
        .current_dir(dir);
    run(c);
    let text = std::fs::read_to_string(&trace).unwrap();
    let pid = text.split_whitespace().next().unwrap_or("").to_owned();
    text.lines()
        .filter(|l| l.split_whitespace().next() == Some(pid.as_str()))
        .filter(|l| {
            let call = l.split_whitespace().nth(1).unwrap_or("");
            ["fork(", "vfork(", "clone(", "clone3("]
                .iter()
                .any(|c| call.starts_with(c))
                && !l.contains("CLONE_THREAD")
        })
        .count()
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

fn version(program: &Path) -> String {
    Command::new(program)
        .arg("--version")
        .output()
        .map(|o| {
            let text = String::from_utf8_lossy(&o.stdout);
            let first = text.lines().next().unwrap_or("").to_owned();
            // "GNU bash, version 5.2.15(1)-release (…)", "zsh 5.9 (…)", "fish, version 3.6.0"
            first
                .split_whitespace()
                .find(|w| w.starts_with(|c: char| c.is_ascii_digit()))
                .map(|w| w.split('(').next().unwrap_or(w).to_owned())
                .unwrap_or(first)
        })
        .unwrap_or_else(|_| "?".into())
}

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .and_then(|a| a.parse().ok())
        .unwrap_or(2000)
        .max(1);
    let strace = on_path("strace");
    println!(
        "Shell hook cost per command: {n} commands through each shell's per-command hook path, \
         with the hook and without (median of {RUNS} runs, the shell's start subtracted)."
    );
    println!();
    println!(
        "{:<6} {:>8} {:>12} {:>12} {:>12} {:>20}",
        "shell", "version", "with hook", "without", "hook alone", "processes/command"
    );
    let mut worst: f64 = 0.0;
    for shell in Shell::ALL {
        let Some(program) = on_path(shell.name()) else {
            println!("{:<6} not installed: skipped", shell.name());
            continue;
        };
        let tmp = tempfile::tempdir().unwrap();
        let spool = tmp.path().join("state/commands.spool");
        shell::snippet::prepare(&spool).unwrap();
        let hook = tmp.path().join(format!("hook.{}", shell.name()));
        std::fs::write(&hook, shell::snippet(shell, &spool)).unwrap();

        let with = per_command(&program, shell, n, Some(&hook), tmp.path());
        let without = per_command(&program, shell, n, None, tmp.path());
        let lines = std::fs::read_to_string(&spool).unwrap().lines().count();
        assert_eq!(
            lines,
            RUNS * n,
            "{}: one spool line per command",
            shell.name()
        );
        let procs = match &strace {
            Some(strace) => {
                let all = processes(strace, &program, shell, n, &hook, tmp.path());
                let none = processes(strace, &program, shell, 0, &hook, tmp.path());
                format!("{}", (all.saturating_sub(none)) as f64 / n as f64)
            }
            None => "no strace".into(),
        };
        worst = worst.max(with - without);
        println!(
            "{:<6} {:>8} {:>9.1} µs {:>9.1} µs {:>9.1} µs {:>20}",
            shell.name(),
            version(&program),
            with,
            without,
            with - without,
            procs
        );
    }
    println!();
    println!(
        "The aim: under 1,000 µs per command (Atuin's hook: about 57,000 µs, two process starts). \
         Worst here: {worst:.1} µs."
    );
    if strace.is_none() {
        println!("strace is not installed: processes per command not counted.");
    }
}
