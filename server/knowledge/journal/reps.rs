//! "Next reps": what to practise after a session, so that what the assistant did for the
//! developer becomes something they can do alone. Deterministic rules over the session's insights
//! (what took several rounds first, then open questions, follow-ups and errors), a few concrete
//! exercises for common topics, and the list both an entry and the "Current focus" block end with.

use crate::insight::{self, Insight, Kind, Status};
use crate::knowledge::text::code;

/// Practice suggestions, deterministic: open gaps and confusions of the session first, then its
/// follow-ups, then the errors it hit; else recalling what was learned. At most three.
pub(super) fn reps(mine: &[&Insight], resolved: &[&Insight]) -> Vec<String> {
    // (topic, suggestion): one per topic, at most three.
    let mut out: Vec<(String, String)> = Vec::new();
    fn add(out: &mut Vec<(String, String)>, topic: &str, text: String) {
        let key = topic.to_lowercase();
        if out.len() < 3 && !out.iter().any(|(k, _)| *k == key) {
            out.push((key, text));
        }
    }
    let open = |k: Kind| {
        mine.iter()
            .filter(move |i| i.kind == k && i.status == Status::Open)
    };
    // What took several rounds is the first thing to redo alone.
    for i in mine.iter().filter(|i| i.kind == Kind::Struggle) {
        let rounds = i.evidence.len().max(1);
        let times = if rounds == 1 {
            "a second try".to_owned()
        } else {
            format!("{rounds} rounds")
        };
        let text = match i.status {
            Status::Resolved => format!(
                "Redo the change to {} without help — it took {times} — then compare with what finally worked",
                code(&i.topic)
            ),
            Status::Open => format!(
                "Work out {} on your own — {times} with the assistant did not get it right",
                code(&i.topic)
            ),
        };
        add(&mut out, &i.topic, text);
    }
    // A deploy that worked: run it again without help, with the command that did it.
    for i in mine
        .iter()
        .filter(|i| i.kind == Kind::Success && insight::is_deploy(&insight::command_key(&i.text)))
    {
        let first = i.text.lines().next().unwrap_or("");
        add(
            &mut out,
            &i.topic,
            format!("Run the deploy again on your own: {}", code(first)),
        );
    }
    for i in open(Kind::Gap).chain(open(Kind::Confusion)) {
        let text = exercise(&i.topic).map_or_else(
            || match i.kind {
                Kind::Gap => format!(
                    "Use {} in your own code without help, then explain it in one sentence",
                    code(&i.topic)
                ),
                _ => format!(
                    "Redo the part about {} from scratch without help, then compare with the answer you got",
                    code(&i.topic)
                ),
            },
            str::to_owned,
        );
        add(&mut out, &i.topic, text);
    }
    for i in open(Kind::FollowUp) {
        add(
            &mut out,
            &i.topic,
            format!(
                "Do what you left for next time — {} — on your own",
                code(&i.topic)
            ),
        );
    }
    let mut errors: Vec<&&Insight> = mine.iter().filter(|i| i.kind == Kind::Error).collect();
    errors.sort_by_key(|i| i.status == Status::Resolved);
    for i in errors {
        let text = match i.topic.split_once(" in ") {
            Some((err, cmd)) => format!("Re-run {} after fixing {err} on your own", code(cmd)),
            None if !insight::command_key(&i.text).is_empty()
                && i.topic == insight::command_key(&i.text) =>
            {
                format!(
                    "Make {} pass on your own next time it fails",
                    code(&i.topic)
                )
            }
            None => format!("Fix {} on your own next time it shows up", code(&i.topic)),
        };
        add(&mut out, &i.topic, text);
    }
    if out.is_empty() {
        let learned = mine
            .iter()
            .copied()
            .filter(|i| matches!(i.kind, Kind::Gap | Kind::Confusion))
            .chain(
                resolved
                    .iter()
                    .copied()
                    .filter(|i| i.kind != Kind::FollowUp),
            );
        for i in learned {
            add(
                &mut out,
                &i.topic,
                format!(
                    "Explain {} from memory in two sentences, then check it against your code",
                    code(&i.topic)
                ),
            );
        }
    }
    out.into_iter().map(|(_, t)| t).collect()
}

/// Concrete exercises for concepts newcomers often ask about, by the glossary's canonical topic.
/// Data: extend freely; anything else gets a generic suggestion.
const EXERCISES: &[(&str, &str)] = &[
    (
        "useEffect",
        "Write a `useEffect` with a cleanup function without help",
    ),
    (
        "useEffect dependency array",
        "Write an effect that reads a prop and get its dependency array right before the linter says so",
    ),
    (
        "functional state updates",
        "Update state three times in a row with `prev => …` without help",
    ),
    (
        "React Context",
        "Move one piece of shared state into a Context with its own hook, without help",
    ),
    (
        "props",
        "Pass data and a callback down two components with props, from memory",
    ),
    (
        "prop drilling",
        "Replace one chain of passed-down props with Context, without help",
    ),
    (
        "useState",
        "Build a small controlled form with `useState` without help",
    ),
    (
        "async/await",
        "Write an async function that awaits a request and handles its failure, without help",
    ),
    (
        "mutable borrow",
        "Fix an E0502 borrow error on your own, then re-run `cargo build`",
    ),
    (
        "lifetimes",
        "Write a function that returns a reference with an explicit lifetime, without help",
    ),
    (
        "SettingWithCopyWarning",
        "Rewrite a chained assignment with `.loc` so pandas stays quiet, without help",
    ),
];

fn exercise(topic: &str) -> Option<&'static str> {
    EXERCISES
        .iter()
        .find(|(t, _)| t.eq_ignore_ascii_case(topic))
        .map(|(_, e)| *e)
}

/// The "Next reps" list, as the entry and the focus block both end.
pub(super) fn next_reps(s: &mut String, reps: &[String]) {
    s.push_str("**Next reps:**");
    if reps.is_empty() {
        s.push_str(" none\n");
    } else {
        for r in reps {
            s.push_str("\n- ");
            s.push_str(r);
        }
        s.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::insight::Anchors;

    fn insight(kind: Kind, topic: &str, status: Status, rounds: usize) -> Insight {
        Insight {
            id: format!("{topic}-{}", kind.as_str()),
            kind,
            topic: topic.into(),
            text: format!("what about {topic}?"),
            ran: false,
            takeaway: None,
            session: "s".into(),
            turn: Some("t1".into()),
            at: "2026-11-18T14:08:00Z".into(),
            surface: "cli".into(),
            cwd: Some("/w".into()),
            confidence: 0.9,
            status,
            resolved_by: None,
            evidence: vec!["didn't work".into(); rounds],
            anchors: Anchors::default(),
        }
    }

    #[test]
    fn what_took_rounds_comes_first_one_rep_per_topic_at_most_three() {
        let all = [
            insight(Kind::Gap, "USEEFFECT", Status::Open, 0),
            insight(Kind::Struggle, "makeMove", Status::Resolved, 4),
            insight(Kind::Confusion, "useeffect", Status::Open, 0),
            insight(Kind::FollowUp, "Netlify deploy", Status::Open, 0),
            insight(Kind::Error, "TS2339 in npx tsc -b", Status::Open, 0),
        ];
        let mine: Vec<&Insight> = all.iter().collect();
        assert_eq!(
            reps(&mine, &[]),
            [
                "Redo the change to `makeMove` without help — it took 4 rounds — then compare with what finally worked",
                // The exercise is found whatever the topic's case; the confusion about the same
                // topic adds nothing.
                "Write a `useEffect` with a cleanup function without help",
                "Do what you left for next time — `Netlify deploy` — on your own",
            ]
        );
    }

    #[test]
    fn with_nothing_open_the_rep_is_recalling_what_was_learned() {
        let all = [insight(Kind::Gap, "props", Status::Resolved, 0)];
        let mine: Vec<&Insight> = all.iter().collect();
        assert_eq!(
            reps(&mine, &[]),
            ["Explain `props` from memory in two sentences, then check it against your code"]
        );
        let mut s = String::new();
        next_reps(&mut s, &[]);
        assert_eq!(s, "**Next reps:** none\n");
    }
}
