//! The shell hooks for real: bash, zsh and fish run interactively under a pseudo-terminal, each
//! in a home of its own whose rc file evaluates `sessionlens init SHELL` (the real binary, found
//! on PATH), and keys are typed into them as a person would — a passing command, failing ones, one
//! starting with a space, one with a tab, a backslash, quotes and a non-ASCII word, one over two
//! lines, `SESSIONLENS_HISTORY=off`, the hook loaded again, the spool taken away as ingest does,
//! a second shell of the same kind typing at the same time. The spool must then hold exactly the
//! expected lines, read with the format's own parser.
//!
//! Also here: the hooks start no process per command (the shells run under strace, which counts
//! the forks between two markers), and a command too long for one write is cut so that its line
//! is still one write. The shells must be installed (`.ci/run` installs zsh, fish and strace):
//! a missing one fails the test and says so.

use sessionlens::capture::shell::{self, Typed};
use std::path::{Path, PathBuf};
use std::process::Command;

/// How long one wait for a shell may take before the test gives up (not a measurement: a shell
/// that does not answer within it is stuck).
const PATIENCE_MS: u64 = 60_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Bash,
    Zsh,
    Fish,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Bash => "bash",
            Kind::Zsh => "zsh",
            Kind::Fish => "fish",
        }
    }

    /// Whether an empty line makes the user's prompt counter move: bash and zsh run their
    /// prompt hooks before every prompt; fish fires fish_postexec only when a command ran.
    fn counts_empty_lines(self) -> bool {
        self != Kind::Fish
    }
}

/// The shell's executable, or a failure that says what to install.
fn program(name: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "`{name}` is not installed: the shell hook tests need bash, zsh, fish and strace \
                 (Debian: apt-get install zsh fish strace; .ci/run does)"
            )
        })
}

/// One user's machine in a temporary folder: a home with rc files for the three shells, a `bin`
/// holding `sessionlens` for PATH, XDG dirs (the spool lands in `$XDG_STATE_HOME/sessionlens`)
/// and a data dir for the store.
struct Machine {
    root: tempfile::TempDir,
    /// Every spool line read so far, in order, from the spools taken away.
    taken: Vec<String>,
}

impl Machine {
    fn new() -> Machine {
        let root = tempfile::tempdir().unwrap();
        let m = Machine {
            root,
            taken: Vec::new(),
        };
        std::fs::create_dir_all(m.bin()).unwrap();
        std::os::unix::fs::symlink(
            env!("CARGO_BIN_EXE_sessionlens"),
            m.bin().join("sessionlens"),
        )
        .unwrap();
        std::fs::create_dir_all(m.home().join(".config/fish")).unwrap();
        // Otherwise fish's first interactive start spends a minute in the background generating
        // completions from man pages (python), which strace -f would wait for.
        std::fs::create_dir_all(m.path("xdg/data/fish/generated_completions")).unwrap();
        std::fs::write(m.home().join(".bashrc"), BASHRC).unwrap();
        std::fs::write(m.home().join(".zshrc"), ZSHRC).unwrap();
        std::fs::write(m.home().join(".config/fish/config.fish"), CONFIG_FISH).unwrap();
        m
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root.path().join(rel)
    }

    fn home(&self) -> PathBuf {
        self.path("home")
    }

    fn bin(&self) -> PathBuf {
        self.path("bin")
    }

    fn spool(&self) -> PathBuf {
        self.path("xdg/state/sessionlens/commands.spool")
    }

    /// A folder to start a shell in, made if missing.
    fn folder(&self, name: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::create_dir_all(&p).unwrap();
        p
    }

    /// `program` run as this machine's user would run it: nothing of the test's environment
    /// but what a terminal gives.
    fn command(&self, program: &Path, cwd: &Path) -> Command {
        let mut c = Command::new(program);
        c.current_dir(cwd)
            .env_clear()
            .env("HOME", self.home())
            .env("ZDOTDIR", self.home())
            .env("XDG_CONFIG_HOME", self.home().join(".config"))
            .env("XDG_DATA_HOME", self.path("xdg/data"))
            .env("XDG_STATE_HOME", self.path("xdg/state"))
            .env("XDG_CACHE_HOME", self.path("xdg/cache"))
            .env("SESSIONLENS_DATA_DIR", self.path("data"))
            .env(
                "PATH",
                format!("{}:/usr/local/bin:/usr/bin:/bin", self.bin().display()),
            )
            .env("TERM", "xterm-256color")
            .env("COLUMNS", "200")
            .env("LINES", "50")
            .env("LANG", "C.UTF-8")
            .env("TZ", "UTC");
        c
    }

    /// Runs `sessionlens ingest terminal --json`, which takes the spool away into the store,
    /// after keeping its lines here (no shell is running a command meanwhile: each waits at its
    /// prompt). Returns the report's `terminal` part.
    fn ingest(&mut self) -> serde_json::Value {
        let text = std::fs::read_to_string(self.spool()).unwrap_or_default();
        assert!(text.is_empty() || text.ends_with('\n'), "{text:?}");
        self.taken.extend(text.lines().map(str::to_owned));
        let out = self
            .command(&self.bin().join("sessionlens"), self.root.path())
            .args(["ingest", "terminal", "--json"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "ingest: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let spool = std::fs::read_to_string(self.spool()).unwrap();
        assert_eq!(spool, "", "ingest left the spool empty for the shells");
        report["terminal"].clone()
    }

    /// The commands the store holds in its terminal sessions: (tool, command, exit status,
    /// folder), in the order they were stored.
    fn stored(&self) -> Vec<(String, String, Option<i32>, Option<String>)> {
        use sessionlens::normalize::Body;
        let store = sessionlens::store::Store::open(&self.path("data/store.redb")).unwrap();
        let mut out = Vec::new();
        for session in store.sessions().unwrap() {
            if !session.id.starts_with("terminal-") {
                continue;
            }
            for (seq, e) in store.session_events(&session.id).unwrap() {
                if let Body::Command(c) = e.body {
                    out.push((seq, (c.tool, c.command, c.exit_code, c.workdir)));
                }
            }
        }
        out.sort_by_key(|(seq, _)| *seq);
        out.into_iter().map(|(_, c)| c).collect()
    }

    /// Every line the hooks wrote: those taken away, then the spool's.
    fn lines(&self) -> Vec<String> {
        let text = std::fs::read_to_string(self.spool()).unwrap_or_default();
        assert!(text.is_empty() || text.ends_with('\n'), "{text:?}");
        let mut all = self.taken.clone();
        all.extend(text.lines().map(str::to_owned));
        all
    }

    /// Every line, parsed by the format's own reader (a line it refuses fails the test).
    fn typed(&self) -> Vec<Typed> {
        self.lines()
            .iter()
            .map(|l| shell::parse(l).unwrap_or_else(|e| panic!("{e:?}: {l:?}")))
            .collect()
    }
}

/// A user's ~/.bashrc: Debian's history settings, their own PROMPT_COMMAND (which counts prompts
/// and keeps the status it sees: the hook must leave it the command's) and DEBUG trap, the prompt
/// the test waits for, then the hook — loaded twice, as a config sourced twice would. The second
/// shell (`SECOND_SHELL`) has PROMPT_COMMAND as an array (bash 5.1) and sets PS0 after the hook.
const BASHRC: &str = r#"
HISTCONTROL=ignoreboth
HISTFILE=~/.bash_history
if [[ -n $SECOND_SHELL ]]; then
    PROMPT_COMMAND=('__t_s=$?' '__t_n=$((__t_n + 1))')
else
    PROMPT_COMMAND='__t_s=$?; __t_n=$((__t_n + 1))'
fi
trap '__t_debug=$((__t_debug + 1))' DEBUG
PS1='SLP${__t_n}:${__t_s}> '
PS2='SLCONT> '
eval "$(sessionlens init bash)"
eval "$(sessionlens init bash)"
[[ -n $SECOND_SHELL ]] && PS0=''
"#;

/// A user's ~/.zshrc: history options, a prompt counter in their own precmd (added after the
/// hook's, so it must still see the command's status), NO_CLOBBER (the hook appends with >>|),
/// the hook loaded twice.
const ZSHRC: &str = r#"
HISTFILE=~/.zsh_history
HISTSIZE=100
SAVEHIST=100
setopt hist_ignore_space hist_ignore_dups no_clobber prompt_subst
bindkey -e
PS1='SLP${__t_n}:${__t_s}> '
PS2='SLCONT> '
eval "$(sessionlens init zsh)"
eval "$(sessionlens init zsh)"
__t_n=0 __t_s=0
__t_precmd() { __t_s=$?; (( __t_n++ )); }
precmd_functions+=(__t_precmd)
"#;

/// A user's config.fish: no greeting, a prompt counter in their own fish_postexec handler, a key
/// that inserts a tab (bash's and zsh's ^V does; fish completes on tab and drops tabs from
/// pastes), the hook loaded twice.
const CONFIG_FISH: &str = r#"
set -g fish_greeting
set -g __t_n 1
set -g __t_s 0
function fish_prompt
    printf 'SLP%s:%s> ' $__t_n $__t_s
end
bind \cv 'commandline -i \t'
sessionlens init fish | source
sessionlens init fish | source
function __t_postexec --on-event fish_postexec
    set -g __t_s $status
    set -g __t_n (math $__t_n + 1)
end
"#;

/// An interactive shell in a pseudo-terminal, typed into one line at a time.
struct Term {
    kind: Kind,
    session: rexpect::session::PtySession,
    /// The prompt number shown last (the rc files' counters).
    shown: u64,
    /// Everything the shell printed, escape codes stripped.
    transcript: String,
}

impl Term {
    fn start(m: &Machine, kind: Kind, cwd: &Path, second: bool) -> Term {
        let mut c = m.command(&program(kind.name()), cwd);
        c.arg("-i");
        if second {
            c.env("SECOND_SHELL", "1");
        }
        Term::spawn(kind, c)
    }

    fn spawn(kind: Kind, command: Command) -> Term {
        let options = rexpect::reader::Options::new()
            .timeout_ms(Some(PATIENCE_MS))
            .strip_ansi_escape_codes(true);
        let session = rexpect::session::spawn_with_options(command, options)
            .unwrap_or_else(|e| panic!("{}: {e}", kind.name()));
        let mut t = Term {
            kind,
            session,
            shown: 0,
            transcript: String::new(),
        };
        t.prompt(1, None);
        t
    }

    /// Waits for prompt number `n` (with the status the user's hook saw, when given).
    fn prompt(&mut self, n: u64, status: Option<i32>) {
        let needle = match status {
            Some(s) => format!("SLP{n}:{s}> "),
            None => format!("SLP{n}:"),
        };
        match self.session.exp_string(&needle) {
            Ok(before) => {
                self.transcript.push_str(&before);
                self.transcript.push_str(&needle);
                self.shown = n;
            }
            Err(e) => panic!(
                "{}: no prompt {needle:?} ({e}); the shell printed:\n{}",
                self.kind.name(),
                self.transcript
            ),
        }
    }

    /// Types `keys` and Enter, and waits for the next prompt; when `status` is given, the
    /// user's own prompt hook must have seen that exit status.
    fn run(&mut self, keys: &str, status: Option<i32>) {
        self.session.send(keys).unwrap();
        self.session.send("\r").unwrap();
        self.session.flush().unwrap();
        let ran = !keys.trim().is_empty();
        let next = if ran || self.kind.counts_empty_lines() {
            self.shown + 1
        } else {
            self.shown
        };
        self.prompt(next, status);
    }

    /// Runs a command that prints `marker:<digits>` and returns the digits.
    fn read_number(&mut self, keys: &str, marker: &str) -> String {
        let before = self.transcript.len();
        self.run(keys, Some(0));
        let printed = &self.transcript[before..];
        let at = printed
            .rfind(marker)
            .unwrap_or_else(|| panic!("{marker} not printed: {printed:?}"));
        printed[at + marker.len()..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect()
    }

    /// Leaves the shell with `exit` and returns what it printed.
    fn exit(mut self) -> String {
        self.session.send("exit\r").unwrap();
        self.session.flush().unwrap();
        if let Ok(rest) = self.session.exp_eof() {
            self.transcript.push_str(&rest);
        }
        self.transcript
    }
}

/// One command of the scenario: the keys typed, the command the hook must record (None:
/// nothing), and its exit status.
struct Step {
    keys: String,
    recorded: Option<String>,
    status: i32,
}

fn step(keys: &str, recorded: Option<&str>, status: i32) -> Step {
    Step {
        keys: keys.to_owned(),
        recorded: recorded.map(str::to_owned),
        status,
    }
}

/// What one line must say, besides the session and times.
#[derive(Debug, PartialEq, Eq)]
struct Expected {
    command: String,
    exit_code: i32,
    cwd: PathBuf,
}

/// The folder the first shell starts in: a tab, a backslash, quotes and a newline, which the
/// spool escapes in its cwd field too.
const ODD_FOLDER: &str = "work \\ \"q\" 'x'\tand\nmore";

/// The scenario: the same steps in every shell, spelled in its language.
fn scenario(kind: Kind) -> (Vec<Step>, Vec<Step>) {
    let tab_line = "echo 'a\tb' \"c\\\\d\" \"it's\" café";
    // ^V then Tab is quoted-insert in bash and zsh; fish's config binds ^V to insert a tab.
    let tab_keys = match kind {
        Kind::Fish => tab_line.replace('\t', "\x16"),
        _ => tab_line.replace('\t', "\x16\t"),
    };
    let (exit3_keys, off, on) = match kind {
        Kind::Fish => (
            "sh -c 'exit 3'",
            "set SESSIONLENS_HISTORY off",
            "set -e SESSIONLENS_HISTORY",
        ),
        _ => (
            "(exit 3)",
            "SESSIONLENS_HISTORY=off",
            "unset SESSIONLENS_HISTORY",
        ),
    };
    let reload = match kind {
        Kind::Fish => "sessionlens init fish | source".to_owned(),
        k => format!("eval \"$(sessionlens init {})\"", k.name()),
    };
    let before = vec![
        step("echo one", Some("echo one"), 0),
        step("false", Some("false"), 1),
        step(exit3_keys, Some(exit3_keys), 3),
        step(" echo secret", None, 0),
        step(&tab_keys, Some(tab_line), 0),
        // Enter inside quotes: bash and zsh ask for more (PS2), fish adds a line.
        step("echo \"two\rlines\"", Some("echo \"two\nlines\""), 0),
        step("true", Some("true"), 0),
        // A repeat: bash's ignoredups keeps it out of history, the hook still records it.
        step("true", Some("true"), 0),
        step("", None, 0),
        step(off, None, 0),
        step("echo hidden", None, 0),
        step(on, Some(on), 0),
        step("SESSIONLENS_HISTORY=off echo inline", None, 0),
        step(&reload, Some(&reload), 0),
        step("echo after-reload", Some("echo after-reload"), 0),
    ];
    let after = vec![
        step("echo after-ingest", Some("echo after-ingest"), 0),
        step("cd sub", Some("cd sub"), 0),
        step("echo in-sub", Some("echo in-sub"), 0),
    ];
    (before, after)
}

/// Runs the scenario in two shells of `kind` at once and checks every spool line.
fn record_every_command(kind: Kind) {
    let mut m = Machine::new();
    let odd = m.folder(ODD_FOLDER);
    std::fs::create_dir_all(odd.join("sub")).unwrap();
    let other = m.folder("other");
    let pid_var = if kind == Kind::Fish {
        "$fish_pid"
    } else {
        "$$"
    };
    let pid_keys = format!("echo pid:{pid_var}");

    let mut a = Term::start(&m, kind, &odd, false);
    let mut b = Term::start(&m, kind, &other, true);
    let a_pid = a.read_number(&pid_keys, "pid:");
    let b_pid = b.read_number(&pid_keys, "pid:");
    let mut want_a = vec![Expected {
        command: pid_keys.clone(),
        exit_code: 0,
        cwd: odd.clone(),
    }];
    let mut want_b = vec![Expected {
        command: pid_keys.clone(),
        exit_code: 0,
        cwd: other.clone(),
    }];

    let (before, after) = scenario(kind);
    for (i, s) in before.iter().enumerate() {
        a.run(&s.keys, Some(s.status));
        if let Some(c) = &s.recorded {
            want_a.push(Expected {
                command: c.clone(),
                exit_code: s.status,
                cwd: odd.clone(),
            });
        }
        // The second shell types between the first one's commands.
        if i % 5 == 2 {
            let keys = format!("echo from-b-{i}");
            b.run(&keys, Some(0));
            want_b.push(Expected {
                command: keys,
                exit_code: 0,
                cwd: other.clone(),
            });
        }
    }
    // Ingest takes the spool away mid-session: the hooks go on in the fresh one it leaves.
    let first = m.ingest();
    assert_eq!(first["commands"], m.lines().len(), "{first}");
    for s in &after {
        a.run(&s.keys, Some(s.status));
        let cwd = if s.keys == "echo in-sub" {
            odd.join("sub")
        } else {
            odd.clone()
        };
        want_a.push(Expected {
            command: s.recorded.clone().unwrap(),
            exit_code: s.status,
            cwd,
        });
    }
    b.run("false", Some(1));
    want_b.push(Expected {
        command: "false".into(),
        exit_code: 1,
        cwd: other.clone(),
    });
    let transcripts = [a.exit(), b.exit()];
    for t in &transcripts {
        for bad in [
            "sessionlens:",
            "__sessionlens",
            "rror",
            "arning",
            "not found",
            "No such file",
            "unbound",
        ] {
            assert!(!t.contains(bad), "{}: {bad:?} in:\n{t}", kind.name());
        }
    }
    // The exit of each shell is recorded by fish only (bash and zsh leave before the prompt).
    let exit_recorded = kind == Kind::Fish;

    let typed = m.typed();
    if std::env::var_os("SHOW_SPOOL").is_some() {
        eprintln!("{}", m.lines().join("\n"));
    }
    let session_of = |pid: &str| {
        let mine: Vec<&Typed> = typed
            .iter()
            .filter(|t| t.shell_session.starts_with(&format!("{pid}-")))
            .collect();
        assert!(!mine.is_empty(), "no line of shell {pid}: {typed:#?}");
        let id = &mine[0].shell_session;
        assert!(
            mine.iter().all(|t| &t.shell_session == id),
            "one session per shell: {mine:#?}"
        );
        mine
    };
    for (pid, want) in [(&a_pid, &mut want_a), (&b_pid, &mut want_b)] {
        if exit_recorded {
            // `exit` exits with the status before it, which fish_postexec reports.
            let last = want.last().unwrap();
            let (exit_code, cwd) = (last.exit_code, last.cwd.clone());
            want.push(Expected {
                command: "exit".into(),
                exit_code,
                cwd,
            });
        }
        let mine = session_of(pid);
        let got: Vec<Expected> = mine
            .iter()
            .map(|t| Expected {
                command: t.command.clone(),
                exit_code: t.exit_code,
                cwd: PathBuf::from(&t.cwd),
            })
            .collect();
        assert_eq!(&got, want, "{} shell {pid}", kind.name());
        for t in &mine {
            assert_eq!(t.shell, kind.name());
            let (start, end) = (t.start_us.unwrap(), t.end_us.unwrap());
            assert!(start <= end, "{t:?}");
        }
    }
    assert_ne!(
        session_of(&a_pid)[0].shell_session,
        session_of(&b_pid)[0].shell_session
    );
    assert_eq!(typed.len(), want_a.len() + want_b.len(), "{typed:#?}");

    // Every line becomes one terminal-command event, redacted and stored, each exactly once:
    // the ingest mid-session stored the first lines, this one the rest.
    let rest = m.ingest();
    let count = |report: &serde_json::Value, what: &str| report[what].as_u64().unwrap();
    assert_eq!(
        count(&first, "commands") + count(&rest, "commands"),
        typed.len() as u64,
        "{first}\n{rest}"
    );
    assert_eq!(count(&rest, "bad_lines") + count(&first, "bad_lines"), 0);
    let mut stored = m.stored();
    let mut written: Vec<_> = typed
        .iter()
        .map(|t| {
            (
                t.shell.clone(),
                t.command.clone(),
                Some(t.exit_code),
                Some(t.cwd.clone()),
            )
        })
        .collect();
    stored.sort();
    written.sort();
    assert_eq!(stored, written);

    // The user's own history keeps its rules: the line starting with a space is not in it.
    let history = match kind {
        Kind::Bash => m.home().join(".bash_history"),
        Kind::Zsh => m.home().join(".zsh_history"),
        Kind::Fish => m.path("xdg/data/fish/fish_history"),
    };
    let history = std::fs::read_to_string(&history).unwrap_or_default();
    assert!(history.contains("echo after-reload"), "{history}");
    assert!(!history.contains("secret"), "{history}");
}

#[test]
fn bash_records_every_command_once() {
    record_every_command(Kind::Bash);
}

#[test]
fn zsh_records_every_command_once() {
    record_every_command(Kind::Zsh);
}

#[test]
fn fish_records_every_command_once() {
    record_every_command(Kind::Fish);
}

/// A script that loads the hook from `sessionlens init` in a shell run without a terminal and
/// takes each of its arguments through the hook's per-command path, as the interactive shell
/// would: bash expands PS0 and runs PROMPT_COMMAND after adding the line to history, zsh calls
/// its preexec and precmd hooks, fish emits fish_preexec and fish_postexec.
fn hook_path_script(kind: Kind) -> (&'static [&'static str], &'static str) {
    match kind {
        Kind::Bash => (
            &["--norc", "--noprofile", "-c"],
            r#"set -o history
eval "$(sessionlens init bash)"
__sessionlens_precmd
for c in "$@"; do history -s "$c"; : "${PS0@P}"; eval "$PROMPT_COMMAND"; done"#,
        ),
        Kind::Zsh => (
            &["-f", "-c"],
            r#"eval "$(sessionlens init zsh)"
for c in "$@"; do
  for f in $preexec_functions; do $f "$c" "$c" "$c"; done
  for f in $precmd_functions; do $f; done
done"#,
        ),
        Kind::Fish => (
            &["--no-config", "-c"],
            r#"sessionlens init fish | source
for c in $argv; emit fish_preexec $c; emit fish_postexec $c; end"#,
        ),
    }
}

/// A command too long for one write is cut between two characters so that its line is still
/// one write(2) — strace counts the writes to the spool — whatever the characters' widths.
fn long_commands_are_cut_to_one_write(kind: Kind, budget: usize) {
    let m = Machine::new();
    let commands = [
        format!("echo {}", "x".repeat(6000)),
        format!("echo {}", "é".repeat(3000)),
        format!("echo {}", "😀".repeat(1500)),
        format!("echo {}{}", "a".repeat(3000), "€".repeat(1000)),
        format!("echo {}{}", "€".repeat(1500), "a".repeat(3000)),
        "echo short".to_owned(),
    ];
    let (flags, script) = hook_path_script(kind);
    let trace = m.path("trace");
    let mut c = m.command(&program("strace"), m.root.path());
    c.args(["-f", "-qq", "-y", "-e", "trace=write", "-o"])
        .arg(&trace)
        .arg(program(kind.name()))
        .args(flags)
        .arg(script);
    if kind != Kind::Fish {
        c.arg(kind.name()); // $0
    }
    let out = c.args(&commands).output().unwrap();
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{}: {}",
        kind.name(),
        String::from_utf8_lossy(&out.stderr)
    );
    let spool = std::fs::read_to_string(m.spool()).expect("the spool is UTF-8");
    let lines: Vec<&str> = spool.lines().collect();
    assert_eq!(lines.len(), commands.len(), "{spool}");
    for (line, original) in lines.iter().zip(&commands) {
        let typed = shell::parse(line).unwrap();
        let bytes = line.len() + 1;
        assert!(bytes <= budget, "{bytes} bytes");
        assert!(original.starts_with(&typed.command), "{line}");
        // Cut as little as fits: only a character too wide for the rest of the room is lost.
        assert!(
            typed.command == *original || bytes > budget - 4,
            "{bytes} bytes: {line}"
        );
    }
    let trace = std::fs::read_to_string(&trace).unwrap();
    let writes = trace
        .lines()
        .filter(|l| l.contains(" write(") && l.contains("commands.spool>"))
        .count();
    assert_eq!(writes, commands.len(), "one write per line:\n{trace}");
}

#[test]
fn bash_cuts_a_long_command_to_one_write() {
    long_commands_are_cut_to_one_write(Kind::Bash, 4096);
}

#[test]
fn zsh_cuts_a_long_command_to_one_write() {
    long_commands_are_cut_to_one_write(Kind::Zsh, 4096);
}

#[test]
fn fish_cuts_a_long_command_to_one_write() {
    long_commands_are_cut_to_one_write(Kind::Fish, 512);
}

/// The hooks start no process per command: the shell runs under `strace -f`, and between two
/// marker files the shell creates (a redirection, no process either) it types builtins only —
/// each going through the hook — and must not fork once. Threads (fish highlights in threads)
/// are not processes; what other processes do (fish may update completions in the background)
/// is not the shell's.
fn no_process_per_command(kind: Kind) {
    let m = Machine::new();
    let trace = m.path("trace");
    let (start, end) = (m.path("mark-start"), m.path("mark-end"));
    let mut c = m.command(&program("strace"), m.root.path());
    c.args(["-f", "-qq", "-e", "trace=process,openat", "-o"])
        .arg(&trace)
        .arg(program(kind.name()))
        .arg("-i");
    let mut t = Term::spawn(kind, c);
    let touch = |p: &Path| match kind {
        Kind::Fish => format!("true > {}", p.display()),
        _ => format!(": >| {}", p.display()),
    };
    let set = match kind {
        Kind::Fish => "set x 1",
        _ => "x=1",
    };
    t.run(&touch(&start), Some(0));
    for _ in 0..5 {
        t.run("echo hi", Some(0));
        t.run("true", Some(0));
        t.run("false", Some(1));
        // fish's `set` leaves $status as it was.
        t.run(set, None);
    }
    t.run(&touch(&end), Some(0));
    t.exit();
    let lines = m.lines();
    assert_eq!(
        lines.len(),
        22 + usize::from(kind == Kind::Fish),
        "{lines:#?}"
    );

    let trace = std::fs::read_to_string(&trace).unwrap();
    let shell_pid = trace.split_whitespace().next().unwrap();
    let mark = |p: &Path| {
        let needle = format!("\"{}\"", p.display());
        trace
            .lines()
            .position(|l| l.contains(&needle))
            .unwrap_or_else(|| panic!("{needle} not opened:\n{trace}"))
    };
    let forks: Vec<&str> = trace.lines().collect::<Vec<_>>()[mark(&start)..mark(&end)]
        .iter()
        .copied()
        .filter(|l| l.split_whitespace().next() == Some(shell_pid))
        .filter(|l| {
            let call = l.split_whitespace().nth(1).unwrap_or("");
            ["fork(", "vfork(", "clone(", "clone3("]
                .iter()
                .any(|c| call.starts_with(c))
                && !l.contains("CLONE_THREAD")
        })
        .collect();
    assert!(
        forks.is_empty(),
        "{} started processes for builtin commands:\n{}",
        kind.name(),
        forks.join("\n")
    );
}

#[test]
fn bash_starts_no_process_per_command() {
    no_process_per_command(Kind::Bash);
}

#[test]
fn zsh_starts_no_process_per_command() {
    no_process_per_command(Kind::Zsh);
}

#[test]
fn fish_starts_no_process_per_command() {
    no_process_per_command(Kind::Fish);
}
