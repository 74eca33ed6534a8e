//! Topics: the short noun phrase an insight is about ("useEffect", "loc vs iloc", "Netlify
//! deploy"), pulled from the developer's words, and the fuzzy comparison that decides whether two
//! phrasings name the same thing.

use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

/// Words that carry no topic.
const STOP: &[&str] = &[
    "a",
    "an",
    "the",
    "my",
    "our",
    "your",
    "this",
    "that",
    "these",
    "those",
    "it",
    "its",
    "is",
    "are",
    "was",
    "were",
    "be",
    "do",
    "does",
    "did",
    "i",
    "we",
    "you",
    "me",
    "to",
    "of",
    "in",
    "on",
    "for",
    "with",
    "and",
    "or",
    "so",
    "just",
    "really",
    "actually",
    "here",
    "there",
    "again",
    "now",
    "still",
    "exactly",
    "even",
    "mean",
    "means",
    "work",
    "works",
    "happen",
    "happens",
    "thing",
    "things",
    "stuff",
    "some",
    "any",
    "all",
    "can",
    "could",
    "should",
    "would",
    "will",
    "how",
    "what",
    "why",
    "when",
    "which",
    "who",
    "whats",
    "hows",
    "whys",
    "about",
    "like",
    "get",
    "use",
    "used",
    "using",
    "need",
    "want",
    "try",
    "trying",
    "keep",
    "getting",
    "one",
    "ones",
    "up",
    "out",
    "at",
    "by",
    "from",
    "as",
    "if",
    "then",
    "than",
    "but",
    "not",
    "no",
    "yes",
    "please",
    "pls",
    "ok",
    "okay",
    "hey",
    "hi",
    "also",
    "too",
    "very",
    "much",
    "more",
    "way",
    "right",
    "correct",
    "correctly",
    "properly",
    "don't",
    "dont",
    "doesn't",
    "doesnt",
    "isn't",
    "isnt",
    "can't",
    "cant",
    "won't",
    "wont",
    "i'm",
    "im",
    "it's",
    "ive",
    "i've",
    // Interjections, deferrals and verbs of doing: never the thing itself.
    "hmm",
    "ugh",
    "yeah",
    "yep",
    "cool",
    "nah",
    "thats",
    "that's",
    "though",
    "tbh",
    "lol",
    "prob",
    "probably",
    "next",
    "time",
    "later",
    "tomorrow",
    "lets",
    "let's",
    "we'll",
    "i'll",
    "ill",
    "maybe",
    "first",
    "then",
    "wait",
    "point",
    "thx",
    "thanks",
    "going",
    "go",
    "instead",
    "weird",
    "bug",
    "lil",
    "bit",
    "kinda",
    "myself",
    "add",
    "fix",
    "finish",
    "handle",
    "look",
    "tackle",
    "deal",
];

static BACKTICK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"`([^`\n]{1,80})`").expect("valid"));
static IDENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z_$][A-Za-z0-9_$]*").expect("valid"));
/// Code-like words outside backticks: camelCase, PascalCase with an inner capital, snake_case,
/// calls like `foo()` and dotted names like `df.groupby`.
static CODEISH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:[a-z]+[A-Z][A-Za-z0-9]*|[A-Z][a-z0-9]+[A-Z][A-Za-z0-9]*|[a-z0-9]+_[a-z0-9_]+|[A-Za-z_][A-Za-z0-9_]*\(\)|[A-Za-z_]+\.[A-Za-z_][A-Za-z0-9_]*)")
        .expect("valid")
});
static DIFFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)difference between\s+(.+?)\s+(?:and|vs\.?|versus)\s+(.+?)(?:[?.!,;]|$| in | when | for )").expect("valid")
});
static VERSUS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b([\w.`'-]+(?:\s[\w.`'-]+)?)\s+(?:vs\.?|versus|or|instead of)\s+([\w.`'-]+(?:\s[\w.`'-]+)?)",
    )
    .expect("valid")
});
static LEAD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:what(?:'s|s| is| are| does| do| exactly is)|how (?:do|does|can|should|would) (?:i|we|you|it|one|they)|why (?:does|do|is|are|did|would|can't|cant|won't|doesn't|isn't)|explain|what happens (?:when|if)|when (?:should|do) (?:i|we)|i (?:don't|dont|do not) (?:get|understand)(?: why| how| what)?|meaning of|confused (?:about|by))\s+(.+)",
    )
    .expect("valid")
});

/// Identifiers the developer or the assistant wrote as code: backtick spans (their leading
/// identifier) and code-like words. In order of appearance, without duplicates.
pub fn identifiers(text: &str) -> Vec<String> {
    code_names(text, true)
}

/// The names a message marks as code with backticks, when it marks any; else every code-like
/// word. Someone who writes "TodoList needs the todos … I pass everything down from `App`" has
/// said which code they mean: `App`, not every component they mentioned on the way.
pub fn meant_identifiers(text: &str) -> Vec<String> {
    let marked = code_names(text, false);
    if marked.is_empty() {
        identifiers(text)
    } else {
        marked
    }
}

fn code_names(text: &str, unmarked: bool) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |s: &str| {
        let s = s.trim_end_matches("()").trim_start_matches('$');
        if s.len() >= 2
            && !out.iter().any(|o| o == s)
            && !STOP.contains(&s.to_ascii_lowercase().as_str())
        {
            out.push(s.to_owned());
        }
    };
    for c in BACKTICK.captures_iter(text) {
        let span = &c[1];
        // `setTodos(prev => ...)` names `setTodos`; `df.groupby` names both parts.
        if let Some(first) = IDENT.find(span) {
            let rest = &span[first.end()..];
            if let Some(member) = rest.strip_prefix('.').and_then(|r| IDENT.find(r)) {
                push(member.as_str());
            }
            push(first.as_str());
        }
    }
    if !unmarked {
        return out;
    }
    let outside = BACKTICK.replace_all(text, " ");
    for m in CODEISH.find_iter(&outside) {
        let word = m.as_str();
        match word.split_once('.') {
            Some((obj, member))
                if !obj.is_empty() && !member.is_empty() && !looks_like_file(word) =>
            {
                push(member);
                push(obj);
            }
            Some(_) => {}
            None => push(word),
        }
    }
    out
}

fn looks_like_file(word: &str) -> bool {
    let ext = word.rsplit('.').next().unwrap_or("");
    matches!(
        ext,
        "ts" | "tsx"
            | "js"
            | "jsx"
            | "py"
            | "rs"
            | "go"
            | "json"
            | "toml"
            | "md"
            | "txt"
            | "yml"
            | "yaml"
            | "css"
            | "html"
            | "lock"
            | "cfg"
            | "ini"
            | "sh"
    )
}

/// The topic of a question or statement, or `None` when nothing topical is in it: "X vs Y" for a
/// comparison, else a concept from the glossary, else the noun phrase after the question words,
/// else code the developer wrote, else the first content words.
pub fn extract(text: &str) -> Option<String> {
    let text = text.trim();
    if let Some(c) = DIFFERENCE.captures(text) {
        let (a, b) = (clean_phrase(&c[1]), clean_phrase(&c[2]));
        if !a.is_empty() && !b.is_empty() {
            return Some(format!("{a} vs {b}"));
        }
    }
    if let Some(concept) = super::glossary::concept(text) {
        return Some(concept.to_owned());
    }
    if let Some(c) = LEAD.captures(text) {
        if let Some(phrase) = noun_phrase(&c[1]) {
            return Some(phrase);
        }
    }
    if let Some(c) = BACKTICK.captures(text) {
        if let Some(first) = IDENT.find(&c[1]) {
            return Some(first.as_str().to_owned());
        }
    }
    if let Some(first) = identifiers(text).into_iter().next() {
        return Some(first);
    }
    noun_phrase(text)
}

/// Words that end a noun phrase: verbs and prepositions after the thing asked about.
const BREAK: &[&str] = &[
    "in", "on", "with", "for", "when", "if", "because", "doing", "does", "do", "did", "mean",
    "means", "work", "works", "give", "gives", "return", "returns", "need", "needs", "and", "or",
    "but", "after", "before", "so", "inside", "into", "from", "is", "are", "was", "were", "has",
    "have", "keep", "keeps", "show", "shows", "go", "goes",
];

/// The leading noun phrase of a clause, at most three content words, code spans as identifiers.
fn noun_phrase(text: &str) -> Option<String> {
    let clause = first_clause(text);
    let mut words: Vec<String> = Vec::new();
    for raw in clause.split_whitespace() {
        let w = raw.trim_matches(|c: char| {
            !c.is_alphanumeric() && c != '_' && c != '-' && c != '.' && c != '`'
        });
        let bare = w.trim_matches('`');
        if bare.is_empty() {
            continue;
        }
        let lower = bare.to_ascii_lowercase();
        if BREAK.contains(&lower.as_str()) && !words.is_empty() {
            break;
        }
        if STOP.contains(&lower.as_str()) || BREAK.contains(&lower.as_str()) {
            continue;
        }
        if w.starts_with('`') {
            // Code the developer marked, first in the phrase: that is the topic.
            if words.is_empty() {
                return IDENT.find(bare).map(|m| m.as_str().to_owned());
            }
            break;
        }
        words.push(bare.trim_end_matches('.').to_owned());
        if words.len() == 3 {
            break;
        }
    }
    (!words.is_empty()).then(|| words.join(" "))
}

/// "X vs Y" for a choice between options, when the text names two.
pub fn options(text: &str) -> Option<String> {
    if let Some(c) = DIFFERENCE.captures(text) {
        return Some(format!(
            "{} vs {}",
            clean_phrase(&c[1]),
            clean_phrase(&c[2])
        ));
    }
    let c = VERSUS.captures(text)?;
    let (a, b) = (clean_phrase(&c[1]), clean_phrase(&c[2]));
    (!a.is_empty() && !b.is_empty()).then(|| format!("{a} vs {b}"))
}

fn first_clause(text: &str) -> &str {
    let end = text
        .find(['?', '.', '!', '\n', ';', ',', '('])
        .unwrap_or(text.len());
    &text[..end]
}

fn clean_phrase(s: &str) -> String {
    content_words(s).join(" ")
}

fn content_words(s: &str) -> Vec<String> {
    s.split(|c: char| c.is_whitespace() || c == '`' || c == '"')
        .map(|w| {
            w.trim_matches(|c: char| {
                !c.is_alphanumeric() && c != '_' && c != '.' && c != '-' && c != '\''
            })
        })
        .map(|w| w.trim_end_matches('.'))
        .filter(|w| !w.is_empty() && !STOP.contains(&w.to_ascii_lowercase().as_str()))
        .map(str::to_owned)
        .collect()
}

/// The words a text keeps coming back to: its most frequent content words of five letters or
/// more ("cooldown" and "piece" in a prompt that describes piece cooldowns five times), when
/// they come three times or more; at most two, else none.
pub fn keywords(text: &str) -> Vec<String> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for w in text.split(|c: char| !c.is_alphanumeric()) {
        let w = w.to_ascii_lowercase();
        let w = w
            .strip_suffix('s')
            .filter(|s| s.len() > 3 && !s.ends_with('s'))
            .map_or(w.clone(), str::to_owned);
        if w.len() >= 5 && w.chars().all(|c| c.is_ascii_alphabetic()) && !STOP.contains(&w.as_str())
        {
            *counts.entry(w).or_default() += 1;
        }
    }
    let Some(best) = counts.values().copied().max().filter(|&n| n >= 3) else {
        return Vec::new();
    };
    let top: Vec<String> = counts
        .into_iter()
        .filter(|(_, n)| *n == best)
        .map(|(w, _)| w)
        .collect();
    if top.len() <= 2 { top } else { Vec::new() }
}

/// Whether a lower-case word carries no topic ("the", "make", "this").
pub fn is_stop_word(word: &str) -> bool {
    STOP.contains(&word)
}

/// Lower-cased, singular content tokens: what two topics are compared by.
pub fn tokens(topic: &str) -> BTreeSet<String> {
    topic
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let w = w.to_ascii_lowercase();
            let singular = w
                .strip_suffix('s')
                .filter(|s| s.len() > 3 && !s.ends_with('s'));
            singular.map_or(w.clone(), str::to_owned)
        })
        .filter(|w| !STOP.contains(&w.as_str()) && w != "vs")
        .collect()
}

/// Whether two topics name the same thing: equal token sets, one containing the other, or a
/// strong overlap.
pub fn same(a: &str, b: &str) -> bool {
    let (ta, tb) = (tokens(a), tokens(b));
    if ta.is_empty() || tb.is_empty() {
        return false;
    }
    if ta.is_subset(&tb) || tb.is_subset(&ta) {
        return true;
    }
    let common = ta.intersection(&tb).count();
    common * 2 > ta.len().max(tb.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_come_from_code_first_then_the_question() {
        assert_eq!(
            extract("What is `useEffect` and why does my list fetch twice?").as_deref(),
            Some("useEffect")
        );
        assert_eq!(
            extract("whats the difference between loc and iloc?").as_deref(),
            Some("loc vs iloc")
        );
        assert_eq!(
            extract("What is a DataFrame index?").as_deref(),
            Some("DataFrame index")
        );
        assert_eq!(
            extract("how do I deploy this to Netlify").as_deref(),
            Some("Netlify deploy")
        );
        assert_eq!(
            extract("why am I getting SettingWithCopyWarning here").as_deref(),
            Some("SettingWithCopyWarning")
        );
    }

    #[test]
    fn identifiers_from_backticks_and_code_words() {
        assert_eq!(
            identifiers("use `setTodos(prev => [...prev, t])` in `useTodos`"),
            vec!["setTodos", "useTodos"]
        );
        assert_eq!(identifiers("call df.groupby on it"), vec!["groupby", "df"]);
        assert!(identifiers("open src/App.tsx please").is_empty());
    }

    #[test]
    fn topic_matching_is_fuzzy_but_not_loose() {
        assert!(same("useEffect", "useEffect hook"));
        assert!(same("Netlify deploy", "deploy to Netlify"));
        assert!(same("functional state updates", "functional state update"));
        assert!(!same("useEffect", "useState"));
        assert!(!same("docker build", "cargo build"));
    }
}
