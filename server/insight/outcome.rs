//! Outcomes: how each turn went, read from the developer's next prompt — it worked (they moved
//! on, or said so), it did not (they corrected it, reported it broken, pasted the error), they
//! undid it, or they asked the same thing again — each label with the words that justify it.
//! Then what runs of such turns are: a struggle with one piece of code, or an error the developer
//! saw when nothing failed in a terminal; an error the developer pasted is closed by the turn that
//! moved on; and a choice reached over several turns ("make a proposal…", "in-between the last
//! two", "let's implement it") is a decision.

use super::*;
use regex::RegexSet;

/// How a turn went, as the next prompt says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Outcome {
    /// It did not work: "doesn't seem to be working", "nothing happens", "I'm still getting…",
    /// an error pasted.
    Failed,
    /// Nearly: "that's almost right, but…", "not quite", "that's good, but … should still".
    Refined,
    /// "undo the last change", "revert that", "go back to the previous version".
    Undone,
    /// The same ask again, in other words.
    Repeated,
    /// "That's better", "works now", "perfect".
    Accepted,
}

impl Outcome {
    /// Whether the turn's work did not stand.
    pub(super) fn is_problem(self) -> bool {
        !matches!(self, Outcome::Accepted)
    }
}

/// A turn's outcome and the words that justify it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Label {
    pub(super) outcome: Outcome,
    pub(super) because: String,
}

fn set(patterns: &[&str]) -> RegexSet {
    RegexSet::new(patterns.iter().map(|p| format!("(?i){p}"))).expect("valid outcome patterns")
}

static UNDONE: LazyLock<RegexSet> = LazyLock::new(|| {
    set(&[
        r"\b(?:undo|revert|roll ?back|back out)\b[^.!?\n]{0,30}\b(?:last|previous|that|this|it|those|these|change|changes|edit|edits|commit)\b",
        r"\bgo back to (?:the )?(?:previous|old|earlier|last|original|version|way)\b",
        r"\bput (?:it|that|them) back\b",
        r"\b(?:undo|revert) (?:it|that|this)\b",
    ])
});

static FAILED: LazyLock<RegexSet> = LazyLock::new(|| {
    set(&[
        r"\b(?:doesn't|doesnt|does not|didn't|didnt|did not|isn't|isnt|is not|won't|wont|can't|cant|aren't|arent)\s+(?:(?:seem|appear) to\s+(?:be\s+)?)?(?:work|working|do anything|show|showing|appear|load|render|create|write|generate|run|start|fire|move|change|display|update|happen|exist)\b",
        r"\bnot (?:working|showing|loading|rendering|displayed|created|generated|written|updating|happening)\b",
        r"\bnothing (?:happens|happened|changed|changes|shows|showed|appears|is shown)\b",
        r"\b(?:i'm|im|i am) still (?:getting|seeing|stuck)\b|\bstill (?:getting|seeing|broken|failing|fails|crashes|not|doesn't|does not|the same (?:error|problem|issue))\b",
        r"\b(?:it|this|that) (?:broke|breaks|crashes|crashed)\b|\bbroke (?:the|it|my)\b|\bmessed (?:it )?up\b|\bis (?:now )?broken\b",
        r"\btry again\b",
        r"\b(?:i|it) (?:get|got|gives|gave|throws|threw) (?:an? |the )?(?:error|exception)\b",
        r"\b(?:looks|seems) like\b[^.!?\n]{0,80}\bnot (?:the|a|an)\b",
        r"\bthe last change (?:removed|broke|undid|lost)\b",
    ])
});

static REFINED: LazyLock<RegexSet> = LazyLock::new(|| {
    set(&[
        r"\b(?:almost|nearly) (?:right|there|correct|works|working)\b",
        r"\bnot quite\b",
        r"^\W*(?:that's|thats|that is|it's|its|looks) (?:good|better|great|nice|close|ok|okay),? but\b",
        r"\bshould (?:still|also) (?:stay|be|work|show)\b[^.!?\n]{0,60}\b(?:too|as well|again)\b",
        r"\b(?:let me|i'll|i will) (?:describe|explain|rephrase|put|say) (?:it|this|that|the \w+ )?\s*(?:differently|again|another way)\b",
        // "It should go the other way", "it should start at the top, not the left".
        r"\bshould (?:go|turn|run|move|point|be) (?:the )?other way\b",
        r"\bshould (?:start|end|begin|go|be|stay|appear) (?:at|on|in|from|to) (?:the )?\w+,? not (?:at |on |in |from |to )?(?:the )?\w+\b",
        r"\b(?:remove|drop|scrap|throw away|discard) (?:the )?(?:previous|old|current|existing) (?:implementation|version|approach|attempt|code)\b",
    ])
});

static ACCEPTED: LazyLock<RegexSet> = LazyLock::new(|| {
    set(&[
        r"^\W*(?:that's|thats|that is|this is|it's|its|it is|looks|works)\s+(?:better|good|great|perfect|right|correct|fine|it|nice)\b",
        r"^\W*(?:great|perfect|nice|excellent|awesome|cool|works|it works|yes|yep)\b",
        r"\bworks (?:now|great|perfectly|fine)\b|\bworking now\b|\bthat (?:fixed|did) it\b",
    ])
});

/// How the turn whose prompt was `prev` went, as the next prompt `next` says; `None` when the
/// next prompt just moves on without a word about it (which counts as the work standing).
pub(super) fn label(prev: Option<&str>, next: &str) -> Option<Label> {
    let words = own_words(next);
    let t = words.as_str();
    let first = |re: &RegexSet| first_match(re, t);
    // "Go back to the version where …", described, is a choice between versions (a decision),
    // not a turn undone.
    if BACK_TO.is_match(t) {
        return None;
    }
    if let Some(w) = first(&UNDONE) {
        return Some(Label {
            outcome: Outcome::Undone,
            because: w,
        });
    }
    if rules::read(next).pasted_error {
        return Some(Label {
            outcome: Outcome::Failed,
            because: super::read::first_line(next),
        });
    }
    if let Some(w) = first(&FAILED) {
        return Some(Label {
            outcome: Outcome::Failed,
            because: w,
        });
    }
    if let Some(w) = first(&REFINED) {
        return Some(Label {
            outcome: Outcome::Refined,
            because: w,
        });
    }
    if let Some(w) = first(&ACCEPTED) {
        return Some(Label {
            outcome: Outcome::Accepted,
            because: w,
        });
    }
    if prev.is_some_and(|p| same_ask(p, next)) {
        return Some(Label {
            outcome: Outcome::Repeated,
            because: super::read::first_line(next),
        });
    }
    None
}

/// The sentence of `text` that the first matching pattern of `re` is in.
fn first_match(re: &RegexSet, text: &str) -> Option<String> {
    if !re.is_match(text) {
        return None;
    }
    let sentence = text
        .split(['.', '!', '?', '\n'])
        .find(|s| re.is_match(s))
        .unwrap_or(text);
    Some(sentence.trim().chars().take(160).collect())
}

/// The developer's own words in a prompt: fenced code and what follows an introducing colon
/// ("I'm getting:") left out, as the rules read it.
fn own_words(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            break;
        }
        out.push_str(line);
        out.push('\n');
        if trimmed.ends_with(':') && trimmed.len() > 2 {
            break;
        }
    }
    out
}

/// Whether two prompts ask the same thing: most of their content words are shared.
fn same_ask(a: &str, b: &str) -> bool {
    let (a, b) = (content_words(a), content_words(b));
    if a.len() < 4 || b.len() < 4 {
        return false;
    }
    let shared = a.intersection(&b).count();
    shared * 10 >= a.union(&b).count() * 6
}

fn content_words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '_')
        .filter(|w| w.len() > 2)
        .map(str::to_ascii_lowercase)
        .filter(|w| !topic::is_stop_word(w))
        .collect()
}

/// The outcome of every prompted turn of a session but the last, from the next turn's first
/// prompt.
fn outcomes(s: &SessionView) -> Vec<Option<Label>> {
    let turns = &s.turns;
    (0..turns.len())
        .map(|i| {
            let this = turns[i].prompts.first().map(|p| prompt_text(p));
            let next = turns.get(i + 1)?.prompts.first().map(|p| prompt_text(p))?;
            this?;
            let l = label(this, next)?;
            // Asking again what the developer interrupted is carrying on, not a failure.
            (!(turns[i].aborted && l.outcome == Outcome::Repeated)).then_some(l)
        })
        .collect()
}

/// Per turn, whether the developer's next prompt said its work did not stand ("still",
/// "doesn't create the file", "undo").
pub(super) fn denied(s: &SessionView) -> Vec<bool> {
    outcomes(s)
        .iter()
        .map(|l| l.as_ref().is_some_and(|l| l.outcome.is_problem()))
        .collect()
}

/// The files a run of turns changed.
fn files_of(turns: &[TurnView]) -> BTreeSet<String> {
    turns
        .iter()
        .flat_map(|t| &t.edits)
        .filter(|(e, _)| e.success != Some(false))
        .flat_map(|(e, _)| &e.files)
        .map(|f| f.move_to.clone().unwrap_or_else(|| f.path.clone()))
        .collect()
}

/// Reads one session's turn outcomes into struggles and developer-seen errors, closes pasted
/// errors when the work moved on, and finds decisions reached over several turns. Run right
/// after the session's turns are read, so its insights are the end of `out`.
pub(super) fn read_session(s: &SessionView, out: &mut Vec<Insight>) {
    let labels = outcomes(s);
    episodes(s, &labels, out);
    close_pasted_errors(s, &labels, out);
    decisions(s, out);
    take_up_follow_ups(s, out);
}

static TAKING_UP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:now|next|finally|time to|go forward|go ahead)\b[^.!?\n]{0,40}\b(?:implement|add|build|do|introduce|tackle|make)\b")
        .expect("valid")
});

/// A deferral is over when the developer comes back to it in the same session: a later prompt
/// that names what was deferred and asks for it now ("now let's go forward and implement the
/// realtime aspect").
fn take_up_follow_ups(s: &SessionView, out: &mut [Insight]) {
    for ins in out.iter_mut().rev().take_while(|x| x.session == s.id) {
        if ins.kind != Kind::FollowUp || ins.status != Status::Open {
            continue;
        }
        let tokens: Vec<String> = topic::tokens(&ins.topic)
            .into_iter()
            .map(|t| t.replace('-', ""))
            .collect();
        if tokens.is_empty() {
            continue;
        }
        let born = s.turns.iter().position(|t| t.id == ins.turn.as_deref());
        let Some(born) = born else { continue };
        let later = s.turns[born + 1..].iter().filter(|t| !t.aborted).find(|t| {
            t.prompts.iter().any(|p| {
                let lower = prompt_text(p).to_ascii_lowercase();
                let joined = lower.replace(['-', ' '], "");
                let words: BTreeSet<&str> = lower
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .collect();
                // "real time" is "realtime"; a short name ("AI") only as a word of its own.
                let names = |w: &String| {
                    words.contains(w.as_str()) || (w.len() >= 4 && joined.contains(w.as_str()))
                };
                TAKING_UP.is_match(prompt_text(p)) && tokens.iter().all(names)
            })
        });
        if let Some(t) = later {
            // What was then done about it is the code it is about.
            let cwd = s.cwd.as_deref();
            merge_edits(&mut ins.anchors.edits, edit_anchors(t, cwd));
            // How the developer described it when asking for it: the word they kept using.
            let asked: Vec<&str> = t.prompts.iter().map(|p| prompt_text(p)).collect();
            ins.anchors.words = topic::keywords(&asked.join("\n"));
            ins.status = Status::Resolved;
            ins.resolved_by = Some(Resolution {
                session: s.id.to_owned(),
                turn: t.id.map(str::to_owned),
                at: t.at.to_owned(),
                how: "came back to it".into(),
            });
        }
    }
}

/// Runs of turns whose work did not stand. Two runs separated by one turn that moved on, about the
/// same files, are one run ("now make it stay while dragging" between corrections of one
/// highlight). A run of two rounds or more is a struggle; a single round reported as broken is an
/// error the developer saw.
fn episodes(s: &SessionView, labels: &[Option<Label>], out: &mut Vec<Insight>) {
    let problem = |i: usize| {
        labels
            .get(i)
            .and_then(Option::as_ref)
            .is_some_and(|l| l.outcome.is_problem())
    };
    let mut i = 0;
    while i < labels.len() {
        if !problem(i) {
            i += 1;
            continue;
        }
        let start = i;
        let mut end = i;
        let mut j = i + 1;
        loop {
            if problem(j) {
                end = j;
                j += 1;
            } else if let Some(k) = (1..=2).find(|&gap| {
                problem(j + gap) && about_the_same(&s.turns[start..=end], &s.turns[j..=j + gap])
            }) {
                end = j + k;
                j += k + 1;
            } else {
                break;
            }
        }
        episode(s, labels, start, end, out);
        i = end + 1;
    }
}

/// Whether the turns after a run (`next`: the ones that moved on, then a failed one) are about
/// the same code as the run: they change one of its files, or every turn of them names a file or
/// identifier the run's prompts named.
fn about_the_same(run: &[TurnView], next: &[TurnView]) -> bool {
    if !files_of(run).is_disjoint(&files_of(next)) && next.len() <= 2 {
        return true;
    }
    let mut named: BTreeSet<String> = run.iter().flat_map(names_in).collect();
    let sharing = next
        .iter()
        .filter(|t| {
            let here = names_in(t);
            let shared = !here.is_disjoint(&named);
            named.extend(here);
            shared
        })
        .count();
    sharing * 2 >= next.len()
}

/// The files and code identifiers a turn's prompts name.
fn names_in(t: &TurnView) -> BTreeSet<String> {
    static FILE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b[\w-]+\.(?:[a-z]{1,5})\b").expect("valid"));
    let mut out = BTreeSet::new();
    for p in &t.prompts {
        let text = prompt_text(p);
        out.extend(topic::identifiers(text));
        out.extend(
            FILE.find_iter(text)
                .map(|m| m.as_str().to_ascii_lowercase())
                .filter(|f| {
                    f.rsplit('.')
                        .next()
                        .is_some_and(|e| e.chars().all(|c| c.is_ascii_alphabetic()))
                }),
        );
    }
    out
}

/// One run of failed turns `start..=end` (their reports are the next turns' prompts).
fn episode(
    s: &SessionView,
    labels: &[Option<Label>],
    start: usize,
    end: usize,
    out: &mut Vec<Insight>,
) {
    let rounds: Vec<(usize, &Label)> = (start..=end)
        .filter_map(|i| labels[i].as_ref().map(|l| (i, l)))
        .filter(|(_, l)| l.outcome.is_problem())
        .collect();
    let failed = rounds
        .iter()
        .any(|(_, l)| matches!(l.outcome, Outcome::Failed | Outcome::Undone));
    // One nearly-right, undone or repeated turn is a refinement, not a struggle; one reported
    // broken is.
    if rounds.len() < 2 && !(failed && rounds.iter().all(|(_, l)| l.outcome == Outcome::Failed)) {
        return;
    }
    // Ending on an undo is giving up on it, not getting it to work.
    let gave_up = rounds
        .last()
        .is_some_and(|(_, l)| l.outcome == Outcome::Undone);
    let Some(report) = s.turns.get(start + 1) else {
        return;
    };
    // The turn after the last failed one: its work stood when the developer then moved on
    // without a word against it (or said it worked). With no turn after it, nobody knows.
    let fix = end + 1;
    let worked = s.turns.get(fix).filter(|_| {
        !gave_up
            && fix + 1 < s.turns.len()
            && labels[fix].as_ref().is_none_or(|l| !l.outcome.is_problem())
    });
    // The code struggled with is what the corrections and the fix changed, not the first
    // attempt (which built the feature as a whole); that only when the rounds changed nothing.
    let cwd = s.cwd.as_deref();
    let mut edits: Vec<Location> = Vec::new();
    let rounds_and_fix = worked.into_iter().chain(&s.turns[start + 1..=end]);
    for t in rounds_and_fix.chain(std::iter::once(&s.turns[start])) {
        if !edits.is_empty() && std::ptr::eq(t, &s.turns[start]) {
            break;
        }
        merge_edits(&mut edits, edit_anchors(t, cwd));
    }
    let asked = s.turns[start]
        .prompts
        .first()
        .map(|p| prompt_text(p))
        .unwrap_or("");
    let identifiers: Vec<String> = (start..=fix)
        .filter_map(|i| s.turns.get(i))
        .flat_map(|t| t.prompts.iter().map(|p| topic::identifiers(prompt_text(p))))
        .flatten()
        .fold(Vec::new(), |mut acc, id| {
            if !acc.contains(&id) && acc.len() < 4 {
                acc.push(id);
            }
            acc
        });
    let last = fix.min(s.turns.len() - 1);
    let report_text = report.prompts.first().map(|p| prompt_text(p)).unwrap_or("");
    let kind = Kind::Struggle;
    // What it was about: what the developer saw fail, the definition or the one file the run
    // kept changing, what was asked for.
    let changed = code_name(&s.turns[start..=last]).or_else(|| main_file(&s.turns[start..=last]));
    let topic = failure_subject(report_text)
        .or(changed)
        .or_else(|| subject(asked))
        .or_else(|| subject(report_text))
        .unwrap_or_else(|| "this change".into());
    let undos = rounds
        .iter()
        .filter(|(_, l)| l.outcome == Outcome::Undone)
        .count();
    let takeaway = match worked {
        Some(w) => {
            let how = takeaway(w).unwrap_or_else(|| "the next change stood".into());
            Some(format!(
                "{} before it worked: {how}",
                rounds_text(rounds.len(), undos)
            ))
        }
        None if gave_up => Some(format!(
            "{}; the last attempt was undone",
            rounds_text(rounds.len(), undos)
        )),
        None => Some(format!(
            "{}; still not right when the session moved on",
            rounds_text(rounds.len(), undos)
        )),
    };
    let evidence: Vec<String> = rounds
        .iter()
        .filter_map(|(i, _)| s.turns.get(i + 1)?.prompts.first().map(|p| p.id.clone()))
        .collect();
    let before = out.len();
    push(
        out,
        s,
        report,
        kind,
        topic,
        report_text.to_owned(),
        takeaway,
        (0.6 + 0.1 * rounds.len() as f32).min(0.95),
        evidence,
        Anchors {
            edits,
            errors: error_locations(report_text, cwd),
            identifiers,
            discussed: Vec::new(),
            words: Vec::new(),
        },
    );
    if out.len() > before {
        let i = out.last_mut().expect("pushed");
        match worked {
            Some(w) => {
                i.status = Status::Resolved;
                i.resolved_by = Some(Resolution {
                    session: s.id.to_owned(),
                    turn: w.id.map(str::to_owned),
                    at: w.at.to_owned(),
                    how: "the next change stood".into(),
                });
            }
            None => {
                i.status = Status::Open;
                i.resolved_by = None;
            }
        }
    }
}

fn rounds_text(rounds: usize, undos: usize) -> String {
    let r = if rounds == 1 {
        "1 round".to_owned()
    } else {
        format!("{rounds} rounds")
    };
    match undos {
        0 => r,
        1 => format!("{r} (1 undone)"),
        n => format!("{r} ({n} undone)"),
    }
}

/// The definition a run of turns changed most, by the anchor text of its patches' hunks
/// (`@@ function updateHighlights() {`), when they name one.
fn code_name(turns: &[TurnView]) -> Option<String> {
    static NAMED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:\bfunction\s+|\bdef\s+|\bfn\s+|\bclass\s+|\bconst\s+|\blet\s+)([A-Za-z_$][\w$]*)|([A-Za-z_$][\w$]*)\s*\(")
            .expect("valid")
    });
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for t in turns {
        for (e, _) in &t.edits {
            for f in &e.files {
                for h in &f.hunks {
                    let Some(ctx) = &h.context else { continue };
                    if let Some(c) = NAMED.captures(ctx) {
                        let name = c.get(1).or(c.get(2)).map(|m| m.as_str().to_owned());
                        if let Some(n) = name.filter(|n| {
                            !matches!(n.as_str(), "if" | "for" | "while" | "switch" | "return")
                        }) {
                            *counts.entry(n).or_default() += 1;
                        }
                    }
                }
            }
        }
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
        .map(|(n, _)| n)
}

/// What the developer saw fail, in their words: "the drag and drop" of "The drag and drop
/// doesn't seem to be working", "new game" of "Nothing happens when I press new game".
fn failure_subject(text: &str) -> Option<String> {
    static SUBJECT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^\W*(?:the|my|this|that|our)\s+([\w][\w\s.-]{2,40}?)\s+(?:still\s+)?(?:doesn't|doesnt|does not|isn't|isnt|is not|won't|wont|didn't|didnt|did not|can't|cant|keeps|never)\b")
            .expect("valid")
    });
    static NOTHING: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\bnothing (?:happens|happened) (?:when|if) (?:i |you )?(?:press|click|tap|run|open|try to|hit|use)\s+(?:the\s+|on\s+)?([\w][\w\s-]{1,30}?)(?:[.,;!?]|\s+(?:button|and|but|it)\b|$)")
            .expect("valid")
    });
    static SHOULD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^\W*(?:but\s+)?(?:the|my|this|that)\s+([\w][\w\s-]{1,60}?)\s+should\b")
            .expect("valid")
    });
    let first = text.lines().next().unwrap_or("");
    first.split(['.', '!', '?', ';']).find_map(|sentence| {
        let c = SUBJECT
            .captures(sentence)
            .or_else(|| NOTHING.captures(sentence))
            .or_else(|| SHOULD.captures(sentence))?;
        // "the highlight for the piece that can be taken": the thing, not what qualifies it.
        let phrase = c[1].trim().trim_end_matches('.');
        let phrase = [
            " for ", " of ", " that ", " which ", " when ", " on ", " in ",
        ]
        .iter()
        .filter_map(|cut| phrase.find(cut))
        .min()
        .map_or(phrase, |i| &phrase[..i])
        .trim();
        (!phrase.is_empty() && phrase.split_whitespace().count() <= 5).then(|| phrase.to_owned())
    })
}

/// What a sentence is about, as a topic: the rules' topic, unless that is only a verb of asking
/// ("make", "add") or nothing topical.
fn subject(text: &str) -> Option<String> {
    const VERBS: &[&str] = &[
        "make", "add", "let", "get", "try", "change", "create", "use", "do", "have", "put", "set",
        "now", "also", "please",
    ];
    let t = topic::extract(text)?;
    let t = ["ability ", "possibility ", "option ", "way "]
        .iter()
        .find_map(|p| t.strip_prefix(p).map(str::to_owned))
        .unwrap_or(t);
    let first = t
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let rest: Vec<&str> = t.split_whitespace().skip(1).collect();
    if VERBS.contains(&first.as_str()) {
        return (rest.len() >= 2).then(|| rest.join(" "));
    }
    Some(t)
}

/// The one file a run of turns kept changing (a script rewritten again and again), when it changed
/// no other (notes aside).
fn main_file(turns: &[TurnView]) -> Option<String> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for (e, _) in turns.iter().flat_map(|t| &t.edits) {
        for f in &e.files {
            let path = f.move_to.as_deref().unwrap_or(&f.path);
            let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
            let doc = name
                .rsplit_once('.')
                .is_some_and(|(_, ext)| matches!(ext, "md" | "txt" | "lock"));
            if !doc {
                *counts.entry(name.to_owned()).or_default() += 1;
            }
        }
    }
    let mut ranked: Vec<(String, usize)> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    match ranked.as_slice() {
        [(name, _)] => Some(name.clone()),
        _ => None,
    }
}

/// What a choice is about: "split app.js" for a refactoring asked for in those words, else the
/// rules' topic of the request.
fn choice_topic(text: &str) -> Option<String> {
    static REFACTOR: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(break(?:ing)? (?:down|up)|split(?:ting)?|decompos\w*|refactor\w*|restructur\w*|reorganiz\w*)\s+(?:the\s+|our\s+|my\s+)?([\w][\w./-]*)")
            .expect("valid")
    });
    if let Some(c) = REFACTOR.captures(text) {
        let verb = c[1].to_ascii_lowercase();
        let what = c[2].trim_end_matches(['.', ',']);
        let verb = if verb.starts_with("refactor") {
            "refactor"
        } else if verb.starts_with("restructur") || verb.starts_with("reorganiz") {
            "restructure"
        } else {
            "split"
        };
        return Some(format!("{verb} {what}"));
    }
    subject(text)
}

/// An error the developer pasted is settled when the work moved on: the turn after it stood.
fn close_pasted_errors(s: &SessionView, labels: &[Option<Label>], out: &mut [Insight]) {
    for (i, t) in s.turns.iter().enumerate() {
        let stood = labels
            .get(i)
            .is_some_and(|l| l.as_ref().is_none_or(|l| !l.outcome.is_problem()));
        let Some(next) = s.turns.get(i + 1).filter(|_| stood) else {
            continue;
        };
        let prompts: BTreeSet<&str> = t.prompts.iter().map(|p| p.id.as_str()).collect();
        for ins in out.iter_mut().rev().take_while(|x| x.session == s.id) {
            if ins.kind == Kind::Error
                && ins.status == Status::Open
                && ins.turn.as_deref() == t.id
                && ins.evidence.iter().all(|e| prompts.contains(e.as_str()))
            {
                ins.status = Status::Resolved;
                ins.resolved_by = Some(Resolution {
                    session: s.id.to_owned(),
                    turn: next.id.map(str::to_owned),
                    at: next.at.to_owned(),
                    how: "the fix stood: the session moved on".into(),
                });
            }
        }
    }
}

static PROPOSAL_ASKED: LazyLock<RegexSet> = LazyLock::new(|| {
    set(&[
        r"\b(?:make|give|write|show|suggest|come up with) (?:me )?(?:a |an |another |some |two |three |\d )?(?:new |different |better |simpler )?(?:proposal|proposals|plan|options|alternatives|approach|approaches|design|designs)\b",
        r"\b(?:propose|suggest) (?:a|an|some|how|the|ways?)\b",
        r"\b(?:in-between|in between|a mix of|combine|blend) (?:the )?(?:last|previous|two|both|these|those|options|proposals)\b",
        r"\bwhat are (?:the|my|our) options\b",
    ])
});

static COMMITTED: LazyLock<RegexSet> = LazyLock::new(|| {
    set(&[
        r"^\W*(?:ok(?:ay)?,?\s+|great,?\s+|perfect,?\s+|good,?\s+|sounds good,?\s+)?(?:let's|lets|let us|please)\s+(?:implement|do|build|go with|go ahead with|use|apply|execute)\s+(?:it|this|that|this one|that one|the (?:plan|proposal|last one|second|first|third)|option\s+\w+)\b",
        r"^\W*(?:ok(?:ay)?,?\s+)?(?:implement|do|build|apply)\s+(?:it|this|that|the (?:plan|proposal))\W*$",
        r"\b(?:we|i)(?:'ll| will)? go with\b|\bgoing with\b|\blet's use \w+ after all\b",
    ])
});

static ANSWERS_QUESTIONS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\W*(?:1[.:)]|a[.:)]|first[,:])\s*\S").expect("valid"));

static BACK_TO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bgo back to (?:the )?(?:version|approach|way|design) (?:where|that|which|with|in which)\s+(.{5,120}?)(?:[.!?\n]|$)")
        .expect("valid")
});

/// A choice reached over turns: options asked for (once or several times, "with less files",
/// "in-between the last two"), then a turn that commits to the last one ("let's implement it").
/// The decision is that turn; its topic is what the options were for, its reason the chosen
/// proposal.
fn decisions(s: &SessionView, out: &mut Vec<Insight>) {
    let cwd = s.cwd.as_deref();
    for (i, t) in s.turns.iter().enumerate() {
        let Some(p) = t.prompts.first() else { continue };
        let text = prompt_text(p);
        let prev = i.checked_sub(1).and_then(|k| s.turns.get(k));
        // Answers to the assistant's questions ("1: it auto-executes… 2: …") settle how it works.
        let asked_back = prev
            .and_then(final_answer)
            .is_some_and(|a| a.matches('?').count() >= 2);
        if asked_back && ANSWERS_QUESTIONS.is_match(text) {
            let what = prev
                .and_then(|u| u.prompts.first())
                .map(|p| prompt_text(p))
                .and_then(subject)
                .unwrap_or_else(|| "how it should work".into());
            decide(out, s, t, what, text, None, vec![p.id.clone()], cwd);
            continue;
        }
        // Going back to an earlier approach, described, is choosing it.
        if let Some(c) = BACK_TO.captures(text) {
            let what = subject(&c[1]).unwrap_or_else(|| c[1].trim().to_owned());
            decide(out, s, t, what, text, None, vec![p.id.clone()], cwd);
            continue;
        }
        if !COMMITTED.is_match(text.trim()) || i == 0 {
            continue;
        }
        // The options asked for in the few turns before.
        let from = i.saturating_sub(5);
        let asked: Vec<&TurnView> = s.turns[from..i]
            .iter()
            .filter(|u| {
                u.prompts
                    .iter()
                    .any(|p| PROPOSAL_ASKED.is_match(prompt_text(p)))
            })
            .collect();
        let Some(first) = asked.first() else { continue };
        let first_text = first.prompts.first().map(|p| prompt_text(p)).unwrap_or("");
        let topic = choice_topic(first_text).unwrap_or_else(|| "the plan".into());
        let chosen = prev.and_then(takeaway);
        decide(out, s, t, topic, text, chosen, vec![p.id.clone()], cwd);
    }
}

/// A decision of turn `t`, about the code that turn then changed, and among it first what the
/// proposal it took up (the turn before) and its own answer spelled out.
#[allow(clippy::too_many_arguments)]
fn decide(
    out: &mut Vec<Insight>,
    s: &SessionView,
    t: &TurnView,
    topic: String,
    text: &str,
    reason: Option<String>,
    evidence: Vec<String>,
    cwd: Option<&str>,
) {
    let index = s.turns.iter().position(|u| std::ptr::eq(u, t));
    let proposal = index
        .and_then(|i| i.checked_sub(1))
        .and_then(|i| s.turns.get(i))
        .and_then(final_answer);
    let mut discussed: Vec<String> = Vec::new();
    for answer in proposal.into_iter().chain(final_answer(t)) {
        for name in topic::identifiers(answer) {
            if !discussed.contains(&name) {
                discussed.push(name);
            }
        }
    }
    push(
        out,
        s,
        t,
        Kind::Decision,
        topic,
        text.to_owned(),
        reason.or_else(|| takeaway(t)),
        0.8,
        evidence,
        Anchors {
            edits: edit_anchors(t, cwd),
            errors: Vec::new(),
            identifiers: topic::identifiers(text),
            discussed,
            words: Vec::new(),
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(prev: &str, next: &str) -> Option<Outcome> {
        label(Some(prev), next).map(|l| l.outcome)
    }

    #[test]
    fn the_next_prompt_says_how_a_turn_went() {
        let prev = "make it so i can drag and drop the pieces";
        for (next, want) in [
            (
                "The drag and drop doesn't seem to be working. Try again.",
                Some(Outcome::Failed),
            ),
            (
                "Nothing happens when I press new game",
                Some(Outcome::Failed),
            ),
            (
                "I'm still getting a prompt_history with only Response:",
                Some(Outcome::Failed),
            ),
            (
                "Running the script doesn't create the file.",
                Some(Outcome::Failed),
            ),
            (
                "The script didn't write exported-session.jsonl. Try to make it so",
                Some(Outcome::Failed),
            ),
            (
                "I'm getting: \n\nTypeError: board is undefined",
                Some(Outcome::Failed),
            ),
            (
                "That's almost right. But the highlight should be smaller",
                Some(Outcome::Refined),
            ),
            (
                "That's good. But the darker highlight should still stay on as well",
                Some(Outcome::Refined),
            ),
            (
                "undo the last change it messed up the dark highlight",
                Some(Outcome::Undone),
            ),
            (
                "Let's go back to the previous version",
                Some(Outcome::Undone),
            ),
            // A version described is chosen, not undone: a decision.
            ("Let's go back to the version where it read the file", None),
            (
                "That's better. Now make the piece follow the mouse",
                Some(Outcome::Accepted),
            ),
            ("Perfect, thanks", Some(Outcome::Accepted)),
            (
                "Make the cooldown circle slightly larger (by 3% or so)",
                None,
            ),
            (
                "Update the readme to say that this is a real time chess version",
                None,
            ),
            ("Let's remove the red highlight for taking", None),
        ] {
            assert_eq!(outcome(prev, next), want, "{next}");
        }
        assert_eq!(
            outcome(
                "Now implement the realtime aspect: each piece has a cooldown before it can move again",
                "Now implement the realtime aspect: each piece has a cooldown before it can move"
            ),
            Some(Outcome::Repeated)
        );
        let l = label(
            Some(prev),
            "The drag and drop doesn't seem to be working. Try again.",
        )
        .unwrap();
        assert_eq!(l.because, "The drag and drop doesn't seem to be working");
    }
}
