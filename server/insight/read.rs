//! Reading one turn for the six kinds: the developer's words sentence by sentence, the commands
//! that failed and passed, at most one insight per kind and turn. Also what a command is, as the
//! rules compare them (its key), and which failures are not worth remembering.

use super::*;

pub(super) static ERROR_CODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(TS\d{4}|E\d{4}|[A-Z][a-zA-Z]*(?:Error|Exception)|SettingWithCopyWarning|ERR_[A-Z_]+|npm ERR! code [A-Z]+)\b").expect("valid")
});

/// Questions and confusions by topic token, so "asked before?" looks at a handful of insights
/// instead of all of them. Kept in step with `out` as it grows.
#[derive(Default)]
pub(super) struct TopicIndex {
    pub(super) upto: usize,
    pub(super) by_token: std::collections::HashMap<String, Vec<usize>>,
}

impl TopicIndex {
    pub(super) fn sync(&mut self, out: &[Insight]) {
        for (n, i) in out.iter().enumerate().skip(self.upto) {
            if matches!(i.kind, Kind::Gap | Kind::Confusion) {
                for w in topic::tokens(&i.topic) {
                    self.by_token.entry(w).or_default().push(n);
                }
            }
        }
        self.upto = out.len();
    }
}

/// Commands whose non-zero exit is not a failure worth remembering: searches and probes.
pub(super) fn benign(command: &str) -> bool {
    let key = command_key(command);
    let first = key.split_whitespace().next().unwrap_or("");
    matches!(
        first,
        "rg" | "grep"
            | "egrep"
            | "fgrep"
            | "find"
            | "fd"
            | "ls"
            | "test"
            | "["
            | "which"
            | "command"
            | "type"
            | "diff"
            | "cmp"
            | "cat"
            | "sed"
            | "head"
            | "tail"
            | "wc"
            | "stat"
            | "file"
            | "pgrep"
            | "ps"
            | "echo"
            | "true"
            | "false"
            | "kill"
            | "pkill"
            | "lsof"
            | "nl"
            | "awk"
    ) || key.starts_with("git diff")
        || key.starts_with("git grep")
        || key.starts_with("git status")
        || key.starts_with("git log")
        || key.starts_with("git show")
        || key.starts_with("git rev-parse")
        || command.contains("|| true")
}

/// A command's identity for "the same command later passed": the last step of a `cd x && …`
/// chain, env assignments dropped, its words up to the first flag (at most three).
pub fn command_key(command: &str) -> String {
    let steps: Vec<&str> = command.split("&&").map(str::trim).collect();
    let step = steps
        .iter()
        .rfind(|s| !s.starts_with("cd ") && !s.is_empty())
        .copied()
        .unwrap_or(command.trim());
    let step = step.split(['|', ';']).next().unwrap_or(step);
    // An interpreter running a script is that script: `python3 tools/export.py <id>` is
    // `python3 export.py`, however long the script's name.
    let mut head = step
        .split_whitespace()
        .skip_while(|w| w.contains('=') && !w.starts_with('-'));
    if let (Some(bin), Some(script)) = (head.next(), head.next()) {
        let interpreter = matches!(
            bin.rsplit('/').next().unwrap_or(bin),
            "python"
                | "python3"
                | "node"
                | "deno"
                | "bun"
                | "ruby"
                | "perl"
                | "php"
                | "bash"
                | "sh"
                | "zsh"
        );
        let is_script =
            script.contains('.') && !script.starts_with('-') && !script.starts_with('<');
        if interpreter && is_script {
            let name = script.rsplit('/').next().unwrap_or(script);
            return format!("{} {name}", bin.rsplit('/').next().unwrap_or(bin));
        }
    }
    let words: Vec<&str> = step
        .split_whitespace()
        .skip_while(|w| w.contains('=') && !w.starts_with('-'))
        .take_while(|w| {
            // Flags, redirections and long arguments (ids, hashes, paths) end the command's name.
            !w.starts_with('-') && !w.starts_with('>') && !w.starts_with('<') && w.len() <= 24
        })
        .take(3)
        .collect();
    // A one-word command over a file (`head -n 15 exported-session.jsonl`, `cat out.txt`) is
    // about that file: reading another one is another command.
    if let [bin] = words[..] {
        let path = |w: &&str| {
            w.chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '.' | '/' | '_' | '-' | '~'))
                && !w.starts_with('-')
                && w.chars().any(char::is_alphanumeric)
                && (w.contains('.') || w.contains('/'))
        };
        let file = step
            .lines()
            .next()
            .unwrap_or("")
            .split_whitespace()
            .skip_while(|w| w.contains('=') && !w.starts_with('-'))
            .skip(1)
            .take_while(|w| !w.starts_with(['>', '<']))
            .filter(path)
            .last();
        if let Some(file) = file {
            let name = file
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or(file);
            if !name.is_empty() {
                return format!("{bin} {name}");
            }
        }
    }
    words.join(" ")
}

/// Whether a command key is a deploy (a success worth redoing alone even with no failure first).
pub fn is_deploy(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.contains("deploy")
        || k.starts_with("vercel")
        || k.starts_with("docker push")
        || k.starts_with("kubectl apply")
        || k.contains("git push heroku")
}

/// Commands that failed and have not passed since, per working directory and command, with
/// what their failure was about.
pub(super) type Failing = BTreeMap<(String, String), Anchors>;

/// `denied`: the developer's next prompt said this turn's work did not stand, so a command
/// passing in it is not yet the fix.
pub(super) fn read_turn(
    s: &SessionView,
    t: &TurnView,
    denied: bool,
    out: &mut Vec<Insight>,
    failing: &mut Failing,
    asked: &mut TopicIndex,
) {
    asked.sync(out);
    let asked = &asked.by_token;
    let cwd = s.cwd.as_deref();
    let edits = edit_anchors(t, cwd);
    let answer_text: String = t
        .answers
        .iter()
        .map(|(a, _)| *a)
        .collect::<Vec<_>>()
        .join("\n");
    let answer_ids = topic::identifiers(&answer_text);
    // What the answer marked as code, the most mentioned first: where a failure was, when
    // nothing else says. Read only for a turn with a failure.
    let answer_named = std::cell::OnceCell::new();
    let answer_named = || {
        answer_named
            .get_or_init(|| {
                let mut named = topic::meant_identifiers(&answer_text);
                named.sort_by_cached_key(|n| {
                    std::cmp::Reverse(answer_text.matches(n.as_str()).count())
                });
                named.truncate(4);
                named
            })
            .clone()
    };

    // The developer's messages.
    for p in &t.prompts {
        let text = prompt_text(p);
        let reading = rules::read(text);
        // The code the developer named; when they named none, what the answer was about.
        let mut identifiers = topic::meant_identifiers(text);
        if identifiers.is_empty() {
            identifiers.extend(answer_ids.iter().take(2).cloned());
        }
        let anchors = Anchors {
            edits: edits.clone(),
            errors: Vec::new(),
            identifiers,
            discussed: Vec::new(),
            words: Vec::new(),
        };
        let evidence = vec![p.id.clone()];
        let topic_here = topic::extract(text);
        // A topic asked about before, in an insight still open: the same question again.
        // Topics that are the same share a token: only those insights are compared.
        let earlier = |out: &[Insight], kinds: &[Kind]| {
            topic_here.as_ref().and_then(|tp| {
                let mut candidates: Vec<usize> = topic::tokens(tp)
                    .iter()
                    .filter_map(|w| asked.get(w))
                    .flatten()
                    .copied()
                    .collect();
                candidates.sort_unstable_by(|a, b| b.cmp(a));
                candidates.dedup();
                candidates
                    .into_iter()
                    .map(|n| &out[n])
                    .find(|i| {
                        kinds.contains(&i.kind)
                            && i.status == Status::Open
                            && i.turn.as_deref() != t.id
                            && topic::same(&i.topic, tp)
                    })
                    .map(|i| i.topic.clone())
            })
        };
        let session_topic = out
            .last()
            .filter(|i| i.session == s.id)
            .map(|i| i.topic.clone());

        if reading.gap {
            let topic = topic_here.clone().unwrap_or_else(|| "question".into());
            if let Some(prev) = earlier(out, &[Kind::Gap, Kind::Confusion]) {
                push(
                    out,
                    s,
                    t,
                    Kind::Confusion,
                    prev,
                    text.to_owned(),
                    takeaway(t),
                    0.7,
                    evidence.clone(),
                    anchors.clone(),
                );
                continue;
            }
            let conf = if anchors.identifiers.is_empty() {
                0.75
            } else {
                0.9
            };
            push(
                out,
                s,
                t,
                Kind::Gap,
                topic,
                text.to_owned(),
                takeaway(t),
                conf,
                evidence.clone(),
                anchors.clone(),
            );
        }
        if reading.confusion
            || (!reading.gap
                && t.answers.iter().any(|(a, _)| rules::corrects(a))
                && text.contains('?'))
        {
            let topic = earlier(out, &[Kind::Gap, Kind::Confusion, Kind::Error])
                .or(topic_here.clone())
                .or(session_topic.clone())
                .unwrap_or_else(|| "confusion".into());
            push(
                out,
                s,
                t,
                Kind::Confusion,
                topic,
                text.to_owned(),
                takeaway(t),
                0.75,
                evidence.clone(),
                anchors.clone(),
            );
        }
        if reading.follow_up {
            // The clause that defers ("I'll fix merge next time"), and what it names.
            let clause = text
                .split(['.', ',', ';', '!', '?', '—', '\n'])
                .find(|c| rules::read(c).follow_up)
                .unwrap_or(text);
            let rest = strip_leading_verbs(&strip_follow_up_words(clause));
            // "for now … there is no AI": what was left out is the topic.
            let left_out = LEFT_OUT.captures(text).map(|c| c[1].trim().to_owned());
            let own = left_out.clone().or_else(|| topic::extract(&rest));
            let own_tokens = topic::tokens(&rest);
            // Deferring something discussed earlier in the session: that topic.
            let earlier = out
                .iter()
                .rev()
                .find(|i| {
                    i.session == s.id
                        && topic::tokens(&i.topic)
                            .iter()
                            .any(|w| own_tokens.contains(w))
                })
                .map(|i| i.topic.clone());
            // "I'll add it myself tomorrow": nothing named, so what the answer was about.
            let own = own.filter(|o| !topic::tokens(o).is_empty());
            let topic = left_out
                .or(earlier)
                .or(own)
                .or(answer_ids.first().cloned())
                .or(session_topic.clone())
                .unwrap_or_else(|| "next step".into());
            // What this turn changed is what was done instead of the deferred work: only
            // the code it names, and later what was done when it was taken up.
            let anchors = Anchors {
                edits: Vec::new(),
                ..anchors.clone()
            };
            push(
                out,
                s,
                t,
                Kind::FollowUp,
                topic,
                text.to_owned(),
                None,
                0.7,
                evidence.clone(),
                anchors,
            );
        }
        if reading.decision {
            let topic = topic::options(text)
                .or(topic_here.clone())
                .unwrap_or_else(|| "decision".into());
            push(
                out,
                s,
                t,
                Kind::Decision,
                topic,
                text.to_owned(),
                reason(t),
                0.7,
                evidence.clone(),
                anchors.clone(),
            );
        }
        if reading.success && !reading.gap {
            let topic = session_topic
                .clone()
                .or(topic_here.clone())
                .unwrap_or_else(|| "it works".into());
            push(
                out,
                s,
                t,
                Kind::Success,
                topic,
                text.to_owned(),
                None,
                0.8,
                evidence.clone(),
                anchors.clone(),
            );
        }
        if reading.pasted_error {
            let code = ERROR_CODE.find(text).map(|m| m.as_str().to_owned());
            let topic = code
                .or(topic_here.clone())
                .unwrap_or_else(|| "error".into());
            let errs = error_locations(text, cwd);
            let anchors = Anchors {
                errors: errs,
                ..anchors.clone()
            };
            push(
                out,
                s,
                t,
                Kind::Error,
                topic,
                error_line(text),
                takeaway(t),
                0.85,
                evidence.clone(),
                anchors,
            );
        }
    }

    // What ran.
    let place = s.cwd.clone().unwrap_or_default();
    let prompt_ids: Vec<String> = t
        .prompts
        .iter()
        .flat_map(|p| topic::identifiers(prompt_text(p)))
        .take(4)
        .collect();
    for c in &t.commands {
        let Body::Command(cmd) = &c.body else {
            continue;
        };
        let failed = cmd.failed();
        // Reading a file the work was to produce (`head out.jsonl`) is no exploration: its
        // "No such file or directory" is the failure, and the first read that works is the fix.
        let expected = expected_file(&cmd.command).filter(|f| {
            let key = format!("read {f}");
            (failed && cmd.output.contains("No such file or directory"))
                || failing.contains_key(&(place.clone(), key))
        });
        let key = match &expected {
            Some(f) => format!("read {f}"),
            None => command_key(&cmd.command),
        };
        if key.is_empty() || (expected.is_none() && benign(&cmd.command)) {
            continue;
        }
        if failed {
            let code = ERROR_CODE.find(&cmd.output).map(|m| m.as_str().to_owned());
            let topic = match (&expected, code) {
                (Some(f), _) => format!("{f} missing"),
                (None, Some(code)) => format!("{code} in {key}"),
                (None, None) => key.clone(),
            };
            let mut identifiers = error_names(&cmd.output);
            identifiers.extend(prompt_ids.iter().cloned());
            let anchors = Anchors {
                edits: edits.clone(),
                errors: error_locations(&cmd.output, cwd),
                identifiers,
                discussed: answer_named(),
                words: Vec::new(),
            };
            failing.insert((place.clone(), key.clone()), anchors.clone());
            let fix = fix_after(t, c);
            let pushed = push(
                out,
                s,
                t,
                Kind::Error,
                topic,
                cmd.command.clone(),
                fix.or_else(|| takeaway(t)),
                0.95,
                vec![c.id.clone()],
                anchors,
            );
            if let Some(i) = pushed {
                i.ran = true;
            }
        } else if cmd.exit_code == Some(0) {
            // The first pass of a command that was failing, or a deploy that went live.
            // A program piped in (`python - <<'PY'`, `node -e …`) is a new one each time: its
            // passing says nothing about the one that failed.
            if denied && failing.contains_key(&(place.clone(), key.clone())) {
                continue;
            }
            let failed_before = failing
                .remove(&(place.clone(), key.clone()))
                .filter(|_| !stdin_program(&cmd.command));
            if failed_before.is_some() || is_deploy(&key) {
                let mut anchors = Anchors {
                    edits: edits.clone(),
                    errors: Vec::new(),
                    identifiers: prompt_ids.clone(),
                    discussed: Vec::new(),
                    words: Vec::new(),
                };
                // A pass that changed nothing and named nothing itself is about what the
                // failure was about.
                if let Some(before) = failed_before.filter(|_| anchors.is_empty()) {
                    anchors = before;
                }
                let pushed = push(
                    out,
                    s,
                    t,
                    Kind::Success,
                    expected.clone().unwrap_or_else(|| key.clone()),
                    cmd.command.clone(),
                    takeaway(t),
                    0.85,
                    vec![c.id.clone()],
                    anchors,
                );
                if let Some(i) = pushed {
                    i.ran = true;
                }
            }
        }
    }
}

/// The file a plain read of one file names (`head -n 15 out.jsonl`, `cat dist/index.html`).
fn expected_file(command: &str) -> Option<String> {
    let step = command.rsplit("&&").map(str::trim).next()?;
    if step.contains(['|', ';', '>', '<', '*']) {
        return None;
    }
    let mut words = step.split_whitespace();
    let bin = words.next()?;
    if !matches!(bin, "head" | "tail" | "cat" | "wc" | "less" | "jq") {
        return None;
    }
    let operands: Vec<&str> = words
        .filter(|w| !w.starts_with('-') && !w.chars().all(|c| c.is_ascii_digit()))
        .collect();
    match operands.as_slice() {
        [file] if file.contains('.') || file.contains('/') => Some((*file).to_owned()),
        _ => None,
    }
}

/// An interpreter given its program inline: `python - <<'PY'`, `python3 -c "…"`, `node -e …`.
fn stdin_program(command: &str) -> bool {
    let step = command.rsplit("&&").map(str::trim).next().unwrap_or("");
    let mut words = step.split_whitespace();
    let bin = words.next().unwrap_or("");
    let bin = bin.rsplit('/').next().unwrap_or(bin);
    let interpreter = matches!(
        bin,
        "python" | "python3" | "node" | "ruby" | "perl" | "bash" | "sh" | "deno" | "bun"
    );
    interpreter
        && (step.contains("<<") || matches!(words.next(), Some("-" | "-c" | "-e" | "--eval")))
}

/// What a "for now, without X" leaves out.
static LEFT_OUT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bfor now\b[^.!?]{0,60}?\b(?:there is no|there's no|without|skip|leave out|leave off|no need for)\s+(?:the\s+|an?\s+)?([A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*){0,2}?)\s*(?:[,.;!?]|\bbut\b|\band\b|$)")
        .expect("valid")
});

/// How a failing command got fixed within its turn: the files patched after it and the command
/// that then passed.
pub(super) fn fix_after(t: &TurnView, failed: &Event) -> Option<String> {
    let Body::Command(cmd) = &failed.body else {
        return None;
    };
    let key = command_key(&cmd.command);
    let passed = t.commands.iter().skip_while(|c| c.id != failed.id).skip(1).any(|c| {
        matches!(&c.body, Body::Command(x) if x.exit_code == Some(0) && command_key(&x.command) == key)
    });
    if !passed {
        return None;
    }
    let answer = takeaway(t);
    Some(match answer {
        Some(a) => format!("Fixed in the same turn; `{key}` then passed. {a}"),
        None => format!("Fixed in the same turn; `{key}` then passed."),
    })
}

pub(super) fn first_line(text: &str) -> String {
    text.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
        .chars()
        .take(200)
        .collect()
}

/// The line of a pasted error that says what went wrong: the first that looks like an error, else
/// the first after the developer's introduction ("I'm getting:").
pub(super) fn error_line(text: &str) -> String {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let erring = lines.iter().find(|l| {
        let lower = l.to_ascii_lowercase();
        lower.contains("error")
            || lower.contains("exception")
            || lower.contains("blocked by")
            || lower.contains("failed")
            || lower.contains("traceback")
            || lower.contains("panicked")
    });
    let after_colon = || {
        let i = lines.iter().position(|l| l.ends_with(':'))?;
        lines.get(i + 1)
    };
    let line = erring
        .or_else(after_colon)
        .or(lines.first())
        .copied()
        .unwrap_or("");
    line.chars().take(200).collect()
}

/// What is deferred, without the verb that defers it: "the real-time aspect" of "introduce the
/// real time aspect".
pub(super) fn strip_leading_verbs(text: &str) -> String {
    const VERBS: &[&str] = &[
        "introduce",
        "implement",
        "add",
        "do",
        "build",
        "make",
        "handle",
        "tackle",
        "deal",
        "with",
        "look",
        "at",
        "fix",
        "try",
        "write",
        "set",
        "up",
        "get",
        "to",
        "and",
        "then",
        "but",
        "so",
        "also",
        "we",
        "will",
        "i",
        "can",
    ];
    let joined = text.replace("real time", "real-time");
    let words: Vec<&str> = joined.split_whitespace().collect();
    let skip = words
        .iter()
        .take_while(|w| VERBS.contains(&w.to_ascii_lowercase().as_str()))
        .count();
    words[skip..].join(" ")
}

pub(super) fn strip_follow_up_words(text: &str) -> String {
    let re = [
        "next time",
        "later",
        "another time",
        "some other time",
        "not now",
        "remind me",
        "come back to",
        "for now",
        "let's",
        "lets",
        "we'll",
        "we will",
        "i'll",
        "tomorrow",
        "maybe",
        "do that",
        "do the",
        "do it",
    ];
    let mut t = text.to_ascii_lowercase();
    for w in re {
        t = t.replace(w, " ");
    }
    t
}
