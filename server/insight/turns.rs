//! Turns as the rules read them: a session's events gathered turn by turn (prompts, answers,
//! commands, edits), and the text helpers every rule shares — a turn's final answer, its gist as
//! a takeaway, the reason it gives, sentences.

use super::*;

/// A turn, gathered.
pub(super) struct TurnView<'a> {
    pub(super) id: Option<&'a str>,
    pub(super) at: &'a str,
    pub(super) prompts: Vec<&'a Event>,
    pub(super) answers: Vec<(&'a str, bool)>,
    pub(super) commands: Vec<&'a Event>,
    pub(super) edits: Vec<(&'a Edit, &'a str)>,
    /// The developer stopped the turn (an interrupted turn asked again is not a failed one).
    pub(super) aborted: bool,
}

pub(super) struct SessionView<'a> {
    pub(super) id: &'a str,
    pub(super) surface: String,
    /// Started by an agent (a sub-agent, a reviewer): its prompts are an agent's words, so no
    /// rule reads them as the developer's.
    pub(super) agent: bool,
    pub(super) cwd: Option<String>,
    pub(super) started: String,
    pub(super) turns: Vec<TurnView<'a>>,
}

pub(super) fn group(events: &[Event]) -> Vec<SessionView<'_>> {
    let mut by_session: BTreeMap<&str, SessionView> = BTreeMap::new();
    for e in events {
        let s = by_session
            .entry(e.session.as_str())
            .or_insert_with(|| SessionView {
                id: e.session.as_str(),
                surface: "unknown".into(),
                agent: false,
                cwd: None,
                started: e.at.clone(),
                turns: Vec::new(),
            });
        match &e.body {
            Body::SessionStart(info) => {
                s.surface.clone_from(&info.surface);
                s.cwd.clone_from(&info.cwd);
                s.started.clone_from(&info.started_at);
                s.agent |= info.is_agent_thread();
            }
            Body::SessionResume(info) => s.agent |= info.is_agent_thread(),
            _ => {}
        }
        let Some(turn) = e.turn.as_deref() else {
            continue;
        };
        if s.turns.last().is_none_or(|t| t.id != Some(turn)) {
            s.turns.push(TurnView {
                id: Some(turn),
                at: e.at.as_str(),
                prompts: Vec::new(),
                answers: Vec::new(),
                commands: Vec::new(),
                edits: Vec::new(),
                aborted: false,
            });
        }
        let t = s.turns.last_mut().expect("pushed above");
        match &e.body {
            Body::Prompt { .. } if !s.agent => t.prompts.push(e),
            Body::Assistant { text, phase } => t
                .answers
                .push((text.as_str(), phase.as_deref() == Some("final_answer"))),
            Body::Command(_) => t.commands.push(e),
            Body::Edit(edit) => t.edits.push((edit, e.id.as_str())),
            Body::TurnEnd {
                status: crate::normalize::TurnStatus::Aborted,
                ..
            } => t.aborted = true,
            _ => {}
        }
    }
    let mut sessions: Vec<SessionView> = by_session.into_values().collect();
    sessions.sort_by(|a, b| a.started.cmp(&b.started).then_with(|| a.id.cmp(b.id)));
    sessions
}

pub(super) fn prompt_text(e: &Event) -> &str {
    match &e.body {
        Body::Prompt { text, .. } => text,
        _ => "",
    }
}

/// A turn's final answer, else its last message.
pub(super) fn final_answer<'a>(t: &TurnView<'a>) -> Option<&'a str> {
    t.answers
        .iter()
        .rev()
        .find(|(_, fin)| *fin)
        .or_else(|| t.answers.last())
        .map(|(a, _)| *a)
}

/// The gist of a turn's answer: its final answer (else its last message), first sentences, no
/// markdown, at most ~240 characters.
pub(super) fn takeaway(t: &TurnView) -> Option<String> {
    let answer = final_answer(t)?;
    let plain: String = answer
        .lines()
        .map(str::trim)
        // Headings ("## What useEffect does", "**Why it runs twice**") are not sentences.
        .filter(|l| !(l.starts_with('#') || l.starts_with("**") && l.ends_with("**")))
        .map(drop_lead_in)
        .map(|l| l.trim_start_matches(['-', '*', '>', ' ']).trim())
        .filter(|l| !l.is_empty() && !l.starts_with("```"))
        .collect::<Vec<_>>()
        .join(" ")
        .replace("**", "");
    let mut out = String::new();
    for sentence in split_sentences(&plain) {
        if !out.is_empty() && out.len() + sentence.len() > 240 {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(sentence);
        if out.len() > 120 {
            break;
        }
    }
    if out.len() > 280 {
        let cut = out
            .char_indices()
            .take_while(|(i, _)| *i < 277)
            .last()
            .map_or(0, |(i, c)| i + c.len_utf8());
        out.truncate(cut);
        out.push('…');
    }
    (!out.is_empty()).then_some(out)
}

/// A paragraph's bold label ("**What `useEffect` does here.** A component…", "**Why:** …") is a
/// heading run into the text, not what was said: the text after it. Bold that is emphasis
/// ("**Don't** mutate state") has no closing stop and stays.
fn drop_lead_in(line: &str) -> &str {
    let Some(rest) = line.strip_prefix("**") else {
        return line;
    };
    let Some(end) = rest.find("**") else {
        return line;
    };
    let (label, after) = (&rest[..end], &rest[end + 2..]);
    let (stop, after) = match after.strip_prefix(':') {
        Some(a) => (true, a),
        None => (label.ends_with(['.', ':', '?']), after),
    };
    let after = after.trim_start();
    if stop && !after.is_empty() && label.chars().count() <= 80 {
        after
    } else {
        line
    }
}

pub(super) fn split_sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for (i, c) in text.char_indices() {
        if matches!(c, '.' | '!' | '?') && bytes.get(i + 1).is_none_or(|b| *b == b' ') {
            out.push(text[start..=i].trim());
            start = i + 1;
        }
    }
    if start < text.len() && !text[start..].trim().is_empty() {
        out.push(text[start..].trim());
    }
    out
}

/// The sentence of an answer that gives a reason, for decisions.
pub(super) fn reason(t: &TurnView) -> Option<String> {
    let answer = final_answer(t)?;
    let plain = answer.replace("**", "").replace('\n', " ");
    split_sentences(&plain)
        .into_iter()
        .find(|s| {
            let l = s.to_ascii_lowercase();
            l.contains("because")
                || l.contains(" since ")
                || l.contains("so that")
                || l.contains("simpler")
                || l.contains("better")
        })
        .map(str::to_owned)
        .or_else(|| takeaway(t))
}

#[cfg(test)]
mod tests {
    use super::drop_lead_in;

    #[test]
    fn a_bold_label_is_not_what_was_said() {
        assert_eq!(
            drop_lead_in("**What `useEffect` does here.** A component should only render."),
            "A component should only render."
        );
        assert_eq!(drop_lead_in("**Why:** it runs twice."), "it runs twice.");
        assert_eq!(
            drop_lead_in("**Why it runs twice:** dev mode."),
            "dev mode."
        );
        // Emphasis, a bold line alone, plain text: kept.
        assert_eq!(
            drop_lead_in("**Don't** mutate state."),
            "**Don't** mutate state."
        );
        assert_eq!(drop_lead_in("**Summary.**"), "**Summary.**");
        assert_eq!(drop_lead_in("Plain text."), "Plain text.");
    }
}
