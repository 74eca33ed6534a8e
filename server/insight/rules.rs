//! The deterministic rules that read a developer's message: is it a question about a concept, a
//! sign of confusion, a choice, a promise to come back, a report that something works — or a plain
//! request or pleasantry, which is never an insight. Regular expressions over normalized text;
//! each rule is named so a reviewer can see why a message was tagged.

use regex::{Regex, RegexSet};
use std::sync::LazyLock;

/// What a message says, as far as insights go. Several may hold at once.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Reading {
    pub gap: bool,
    pub confusion: bool,
    pub follow_up: bool,
    pub decision: bool,
    pub success: bool,
    /// The developer says they did something on their own.
    pub unaided: bool,
    /// The developer pasted an error.
    pub pasted_error: bool,
    /// The developer reports having done something ("fixed merge", "I deployed it").
    pub did: bool,
}

fn set(patterns: &[&str]) -> RegexSet {
    RegexSet::new(patterns.iter().map(|p| format!("(?i){p}"))).expect("valid rule patterns")
}

/// Questions about a concept: what / how / why, and their informal shapes.
static GAP: LazyLock<RegexSet> = LazyLock::new(|| {
    set(&[
        r"\bwhat(?:'s|s| is| are| does| do| exactly)\b",
        r"\bhow (?:do|does|can|should|would|is|are) (?:i|we|you|it|this|they|one|react|rust|python|pandas|docker)\b",
        r"\bhow (?:to|come)\b|\bhow (?:do|does|did) \S+(?: \S+)? work\b",
        r"\bwhy (?:does|do|is|are|did|would|can't|cant|won't|wont|doesn't|doesnt|isn't|isnt|am|was|were|not)\b",
        r"\bwhat(?:'s| is) the (?:difference|point|purpose)\b",
        r"\bdifference between\b",
        r"\bexplain (?:what|how|why|when|the|to me|this|that|it|these|those)\b|\b(?:can|could) you explain\b",
        r"\bwhen (?:should|do|would) (?:i|we|you)\b",
        r"\bwhat happens\b",
        r"\bi (?:don't|dont|do not) (?:know|get|understand) (?:what|how|why|when)\b",
        r"\b(?:never used|new to|first time (?:using|with)|not familiar with|unfamiliar with)\b",
        r"\bmeaning of\b",
        r"\bis it (?:bad|ok|okay|safe|normal|better)\b",
        r"\bdo i (?:need|have) to\b",
    ])
});

/// Indexes of `GAP` patterns that admit not knowing even without a question mark ("difference
/// between", "explain what", "I don't know how", "never used", "meaning of").
const STATEMENT_GAPS: [usize; 5] = [5, 6, 9, 10, 11];

/// Questions that are about the assistant's own work, not a concept: never gaps.
static ABOUT_ASSISTANT: LazyLock<RegexSet> = LazyLock::new(|| {
    set(&[
        r"\b(?:what|why|how) did you\b",
        r"\bwhat(?:'s| is) (?:next|left|the status|going on)\b",
    ])
});

static CONFUSION: LazyLock<RegexSet> = LazyLock::new(|| {
    set(&[
        r"\bi (?:still )?(?:don't|dont|do not) (?:understand|get)\b",
        r"\bconfus",
        r"\b(?:doesn't|doesnt|does not|don't|dont) make (?:any )?sense\b",
        r"\bmakes no sense\b",
        r"\bi thought\b",
        r"\bwait,? (?:why|what|so|how)\b",
        r"\bstill (?:don't|dont|do not) (?:get|understand|see)\b|\bstill confus",
        r"\bi'm lost\b|\bim lost\b|\blost me\b",
        r"\bhuh\b",
        r"\bwhy (?:is|does) it still\b",
        r"\bbut (?:i|you) (?:said|thought)\b",
    ])
});

/// The assistant correcting the developer's mental model.
static CORRECTION: LazyLock<RegexSet> = LazyLock::new(|| {
    set(&[
        r"^\s*(?:actually|not quite|no[,—–-])",
        r"\bcommon (?:misconception|mistake|confusion|gotcha)\b",
        r"\b(?:isn't|is not|aren't|are not) quite\b",
        r"\bthat's not (?:how|what|quite)\b",
        r"\bcontrary to\b",
        r"\bit's a (?:common )?misunderstanding\b",
    ])
});

static FOLLOW_UP: LazyLock<RegexSet> = LazyLock::new(|| {
    set(&[
        r"\bnext time\b",
        r"\b(?:do|look at|handle|tackle|try|add|deal with|come back to) (?:that|this|it|them)? ?(?:later|tomorrow|another time|next)\b",
        r"\blater\b.*\b(?:do|add|look|deal|handle|try)\b|\b(?:do|add|look|deal|handle|try)\b.*\blater\b",
        r"\b(?:some )?other time\b",
        r"\bnot (?:now|today)\b",
        r"\bremind me\b",
        r"\bcome back to\b",
        r"\b(?:i'll|ill|we'll|well|i will|we will|let's|lets)\b[^.!?]*\b(?:tomorrow|later|next time|another time|next session)\b",
        r"\bpark (?:that|this|it)\b",
        r"\bfor another (?:day|session)\b",
        r"\bnext session\b",
        // Leaving something out for the time being: "for now, make it so there is no AI".
        r"\bfor now\b[^.!?]{0,60}\b(?:there is no|there's no|without|skip|leave out|leave off|no need for)\b",
        r"\b(?:skip|leave out|without)\b[^.!?]{0,40}\bfor now\b",
    ])
});

/// Weighing options is a question; the decision is when the choice is stated.
static CHOICE_QUESTION: LazyLock<RegexSet> = LazyLock::new(|| {
    set(&[
        r"\bshould (?:i|we) (?:\w+ )?(?:use|go with|pick|choose|switch to|stick with|clone|do|keep|make)\b.*\bor\b",
        r"\b(?:which|what) (?:one )?(?:is|would be) better\b",
        r"\bwhich (?:should|would|do) (?:i|we|you)\b",
        r"\b\w+ (?:vs\.?|versus) \w+.*\?",
        r"\b(?:what's|whats|what is) the trade-?off\b",
        r"\bpros and cons\b",
    ])
});

static DECISION: LazyLock<RegexSet> = LazyLock::new(|| {
    set(&[
        r"\b(?:let's|lets|we'll|well|i'll|ill|we will|i will) (?:go with|use|stick with|pick|choose)\b",
        r"\b(?:decided|deciding|decide) (?:to|on|between)\b",
        r"\bgoing with\b",
        r"\b(?:let's|lets) (?:do|go|try) [\w-]+ then\b",
    ])
});

/// The developer reporting something they did.
static DID: LazyLock<RegexSet> = LazyLock::new(|| {
    set(&[
        r"^\s*(?:ok,? |so,? |just |finally )?(?:i )?(?:fixed|added|wrote|rewrote|deployed|implemented|did|built|set up|moved|refactored|installed|changed|replaced|renamed|removed)\b",
        r"\bi (?:fixed|added|wrote|rewrote|deployed|implemented|did|built|set up|refactored|installed)\b",
    ])
});

static SUCCESS: LazyLock<RegexSet> = LazyLock::new(|| {
    set(&[
        r"\b(?:it|that|this|everything) (?:works|worked|is working|runs|passes|passed)\b",
        r"\bworks now\b|\bworking now\b|\bpasses now\b|\bbuilds now\b",
        r"\b(?:that|this) (?:fixed|did) it\b",
        r"\b(?:it's|its|it is|site is|app is) (?:live|up|deployed)\b",
        r"\b(?:i )?(?:deployed|shipped|published) (?:it|the|my)\b",
        r"\ball (?:tests )?(?:pass|green)\b",
        r"\bnailed it\b",
    ])
});

static UNAIDED: LazyLock<RegexSet> = LazyLock::new(|| {
    set(&[
        r"\b(?:myself|on my own|by myself|without (?:your |any )?help|unaided|without asking)\b",
        r"\bi (?:did|wrote|rewrote|fixed|deployed|figured|set up|added|built) (?:it|that|the|this|my)\b.*\b(?:myself|alone|on my own)\b",
    ])
});

static PASTED_ERROR: LazyLock<RegexSet> = LazyLock::new(|| {
    set(&[
        r"traceback \(most recent call last\)",
        r"\berror(?:\[e\d+\])?:",
        r"\b[A-Z][a-zA-Z]+(?:Error|Exception):",
        r"\bTS\d{4}\b",
        r"\bpanicked at\b",
        r"\bnpm err!",
        // What a browser console says.
        r"\bblocked by cors policy\b",
        r"\buncaught (?:\(in promise\) )?\w*(?:error|exception)?\b",
        r"\bcannot read propert(?:y|ies) of (?:undefined|null)\b",
        r"\bis not (?:defined|a function)\b.*\bat\b",
        r"\bfailed to (?:load resource|fetch|compile|resolve module)\b",
        r"\bnet::err_\w+",
        r"\bmodule not found\b|\bcannot find module\b",
        r"\bsegmentation fault\b|\bcore dumped\b",
    ])
});

/// Plain requests, instructions and pleasantries: the developer asks for work or acknowledges it.
static REQUEST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\s*(?:please |pls |ok(?:ay)?,? |now,? |next,? |also,? |and |then )?(?:run|add|make|create|fix|implement|build|write|update|change|rename|remove|delete|refactor|move|load|fetch|set up|setup|install|deploy|commit|push|show|open|use|try|test|check|continue|keep going|go ahead|start|stop|do|let's|lets|can you|could you|would you|will you|help me)\b",
    )
    .expect("valid")
});

static PLEASANTRY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:thanks?(?: you)?|thx|ty|ok(?:ay)?|cool|great|nice|perfect|awesome|got it|yes|yep|no|nope|sure|sounds good|lgtm|keep going|continue|go on|go ahead|👍|🙏)\b[\s!.,:)]*(?:\w+[\s!.,:)]*){0,3}$")
        .expect("valid")
});

/// Reads one developer message.
pub fn read(message: &str) -> Reading {
    let text = normalize(&own_words(message));
    let t = text.as_str();
    let mut r = Reading {
        success: SUCCESS.is_match(t),
        unaided: UNAIDED.is_match(t),
        follow_up: FOLLOW_UP.is_match(t),
        decision: DECISION.is_match(t),
        confusion: CONFUSION.is_match(t),
        pasted_error: PASTED_ERROR.is_match(message),
        did: DID.is_match(t),
        gap: false,
    };
    let pleasantry = PLEASANTRY.is_match(t);
    if pleasantry && !r.success {
        return Reading::default();
    }
    // A question about a concept. Requests phrased as questions ("can you add a button?") and
    // questions about the assistant's own work are not gaps; a request that also asks what or
    // why about something is.
    // Judged sentence by sentence: a question sentence, or a statement that admits not knowing
    // ("I don't know how…", "never used…"); never a request for work or a question about the
    // assistant's own work.
    r.gap = sentences(t).into_iter().any(|s| {
        let asks = GAP.is_match(s) || CHOICE_QUESTION.is_match(s);
        let question = s.ends_with('?')
            || QUESTION_START.is_match(s)
            || GAP.matches(s).iter().any(|i| STATEMENT_GAPS.contains(&i));
        let about_assistant = ABOUT_ASSISTANT.is_match(s) && !s.contains("explain");
        asks && question && !about_assistant && (!REQUEST.is_match(s) || s.ends_with('?'))
    });
    if r.confusion {
        // "I don't understand why …" is both; the stronger reading is confusion.
        r.gap = false;
    }
    r
}

static QUESTION_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\W*(?:and |also |so |but |ok,? |wait,? |hmm,? |unrelated: )?(?:what|whats|what's|how|why|when|which|where|is|are|does|do|can|should|isnt|isn't)\b").expect("valid")
});

/// Sentences, ending at `?`, `!`, a line break, or a `.` followed by a space (so `df.groupby`
/// stays whole).
fn sentences(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        let next_is_space = bytes.get(i + 1).is_none_or(|b| b.is_ascii_whitespace());
        if matches!(c, '?' | '!' | '\n') || (c == '.' && next_is_space) {
            let end = i + c.len_utf8();
            out.push(text[start..end].trim());
            start = end;
        }
    }
    out.push(text[start..].trim());
    out.retain(|s| !s.is_empty());
    out
}

/// The developer's own words in a message: fenced code and pasted material (everything after a
/// line that introduces an example, log or output with a colon) left out, at most ~800 characters.
fn own_words(message: &str) -> String {
    let mut out = String::new();
    let mut in_fence = false;
    for line in message.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence
            || line.starts_with("    ")
            || line.starts_with('\t')
            || trimmed.starts_with('>')
        {
            continue;
        }
        out.push_str(line);
        out.push('\n');
        if out.len() > 800 || (trimmed.ends_with(':') && trimmed.len() > 2) {
            break;
        }
    }
    out
}

/// Whether an assistant answer corrects the developer.
pub fn corrects(answer: &str) -> bool {
    CORRECTION.is_match(&normalize(answer))
}

/// Smart quotes to ASCII, backtick spans kept, whitespace collapsed within lines.
fn normalize(text: &str) -> String {
    let mut s: String = text
        .chars()
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' => '\'',
            '\u{201C}' | '\u{201D}' => '"',
            _ => c,
        })
        .collect();
    // Line breaks end sentences; other whitespace runs collapse.
    s = s
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concept_questions_are_gaps_and_requests_are_not() {
        assert!(read("What is `useEffect`?").gap);
        assert!(read("why does my list fetch twice").gap);
        assert!(read("whats the difference between loc and iloc").gap);
        assert!(
            read("add a delete button, and also how do I pass props to a child component?").gap
        );
        assert!(!read("run the tests").gap);
        assert!(!read("load the list from the API").gap);
        assert!(!read("can you add a delete button?").gap);
        assert!(!read("what did you change?").gap);
        assert!(!read("Now I want to add pre-moves. Pieces during cooldown can be pre-moved, and what happens then is the move plays when ready").gap);
        let pasted = "When i run the exporter the response looks wrong. Eg:\n\nPrompt: we will introduce the real time aspect later";
        assert!(
            !read(pasted).follow_up,
            "pasted material is not the developer speaking"
        );
        assert_eq!(read("thanks!"), Reading::default());
        assert_eq!(read("ok cool"), Reading::default());
    }

    #[test]
    fn other_readings() {
        assert!(read("I don't understand why the state is stale").confusion);
        assert!(read("let's do the deploy next time").follow_up);
        assert!(
            read("For now, make it so there is no AI, but the user moves both sides").follow_up
        );
        assert!(read("skip the login page for now").follow_up);
        assert!(!read("for now it works, thanks").follow_up);
        assert!(
            read("should I use Context or Redux?").gap,
            "weighing options is a question"
        );
        assert!(read("ok going with Context, it's built in").decision);
        assert!(read("it works now!").success);
        let r = read("I deployed it myself this morning, it's live");
        assert!(r.unaided && r.success);
        assert!(read("Traceback (most recent call last):\n  KeyError: 'price'").pasted_error);
        assert!(corrects("Actually, state updates are asynchronous."));
        assert!(!corrects("Sure, here is the change."));
    }
}
