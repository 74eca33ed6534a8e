//! A small glossary of concepts newcomers ask about, across the stacks Session Lens meets most
//! (React and TypeScript, Python and pandas, Rust, Docker, Git, SQL, the web). When a question
//! names one, that concept is its topic, under one canonical name, so that "the 'a in
//! `Parser<'a>`" and "lifetimes" are the same topic, and so are `E0502` and "mutable borrow".
//! Data, not logic: extend the table, keep patterns specific.

use regex::Regex;
use std::sync::LazyLock;

/// (case-insensitive pattern, canonical topic). Earlier, more specific entries win ties.
const ENTRIES: &[(&str, &str)] = &[
    // React
    (
        r"\buseEffect\b|\beffect (?:runs|cleanup|hook)\b|\b(?:the|an|my|this|that|fetch|data|cleanup) effect\b",
        "useEffect",
    ),
    (
        r"\bdependency array\b|\bexhaustive-deps\b|\bmissing dependenc",
        "useEffect dependency array",
    ),
    (r"\buseState\b", "useState"),
    (
        r"\bfunctional (?:state )?updates?\b|\b(?:stale|old|previous) (?:state|closure|value)\b|\bprev\s*=>",
        "functional state updates",
    ),
    (r"\buseMemo\b", "useMemo"),
    (r"\buseCallback\b", "useCallback"),
    (r"\buseRef\b", "useRef"),
    (r"\buseReducer\b", "useReducer"),
    (
        r"\buseContext\b|\bcreateContext\b|\bcontext api\b|\breact context\b",
        "React Context",
    ),
    (r"\bcustom hooks?\b", "custom hooks"),
    (r"\bprop[- ]drilling\b", "prop drilling"),
    (r"\bprops\b", "props"),
    (r"\bstrict ?mode\b", "React StrictMode"),
    (r"\bjsx\b", "JSX"),
    (r"\b(?:key prop|unique \W?key\W? prop)\b", "list keys"),
    (r"\bre-?renders?\b", "re-renders"),
    // TypeScript / JavaScript
    (r"\bTS\d{4}\b", "TypeScript errors"),
    (r"\bgenerics?\b", "generics"),
    (
        r"\binterfaces? vs (?:type|types)\b|\btype vs interface\b",
        "type vs interface",
    ),
    (r"\bpromises?\b|\basync/await\b|\bawait\b", "async/await"),
    (r"\bclosures?\b", "closures"),
    (r"\bcors\b", "CORS"),
    (r"\bnetlify\b", "Netlify deploy"),
    (r"\bvercel\b", "Vercel deploy"),
    (
        r"\benv(?:ironment)? var(?:iable)?s?\b|\.env\b",
        "environment variables",
    ),
    // Python / pandas
    (
        r"\bSettingWithCopyWarning\b|\bchained assignment\b|\bview vs copy\b",
        "SettingWithCopyWarning",
    ),
    (r"\bgroupby\b|\bsplit-apply-combine\b", "groupby"),
    (
        r"\bset_index\b|\bdataframe index\b|\breset_index\b",
        "DataFrame index",
    ),
    (r"\biloc\b.*\bloc\b|\bloc\b.*\biloc\b", "loc vs iloc"),
    (r"\bmerge\b.*\bjoin\b|\bjoin\b.*\bmerge\b", "merge vs join"),
    (
        r"\bvirtualenv\b|\bvenv\b|\bvirtual env",
        "virtual environments",
    ),
    (r"\blist comprehensions?\b", "list comprehensions"),
    (r"\bdecorators?\b", "decorators"),
    (r"\b__init__\b|\bself\b parameter", "classes and self"),
    // Rust
    (
        r"\bE0(?:499|502|506|596)\b|\bmutabl[ey] borrow|\bborrow(?:ed)? as mutable\b|\bborrow (?:as )?mut\b",
        "mutable borrow",
    ),
    (
        r"\bborrow checker\b|\bE0(?:382|505|507)\b|\bmoved value\b|\bvalue used after move\b",
        "borrow checker",
    ),
    (
        r"\blifetimes?\b|<'[a-z]+>|\s'[a-z]\b|\bE0106\b",
        "lifetimes",
    ),
    (
        r"\bRc<RefCell|\bRefCell\b|\binterior mutability\b",
        "Rc<RefCell>",
    ),
    (r"\btraits?\b", "traits"),
    (r"\bResult<|\b\?\s+operator\b|\bunwrap\b", "error handling"),
    (r"\bownership\b", "ownership"),
    // Docker
    (
        r"\bmulti-?stage\b|\b(?:builder|build|runtime|final) stages?\b",
        "multi-stage builds",
    ),
    (r"\bhealth ?checks?\b", "HEALTHCHECK"),
    (
        r"\bCMD\b.*\bENTRYPOINT\b|\bENTRYPOINT\b.*\bCMD\b",
        "CMD vs ENTRYPOINT",
    ),
    (r"\bdocker ?compose\b", "Docker Compose"),
    (r"\bvolumes?\b", "Docker volumes"),
    (
        r"\blayers?\b.*\bcache\b|\bbuild cache\b",
        "Docker layer cache",
    ),
    // Git, SQL, tooling
    (r"\brebase\b", "git rebase"),
    (r"\bmerge conflicts?\b", "merge conflicts"),
    (
        r"\bjoins?\b.*\b(?:left|inner|outer)\b|\b(?:left|inner|outer) join\b",
        "SQL joins",
    ),
    (r"\bmigrations?\b", "migrations"),
    (
        r"\bregex(?:es)?\b|\bregular expressions?\b",
        "regular expressions",
    ),
];

static COMPILED: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    ENTRIES
        .iter()
        .map(|(p, t)| {
            (
                Regex::new(&format!("(?i){p}")).expect("glossary patterns compile"),
                *t,
            )
        })
        .collect()
});

/// Every concept `text` names, in table order.
pub fn concepts(text: &str) -> Vec<&'static str> {
    COMPILED
        .iter()
        .filter(|(re, _)| re.is_match(text))
        .map(|(_, t)| *t)
        .collect()
}

/// The concept `text` names first (by position, then by table order), if any.
pub fn concept(text: &str) -> Option<&'static str> {
    COMPILED
        .iter()
        .filter_map(|(re, topic)| re.find(text).map(|m| (m.start(), *topic)))
        .min_by_key(|(pos, _)| *pos)
        .map(|(_, t)| t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concepts_get_one_name() {
        assert_eq!(
            concept("what does the 'a in `Parser<'a>` actually mean?"),
            Some("lifetimes")
        );
        assert_eq!(
            concept("error[E0502]: cannot borrow `self` as mutable"),
            Some("mutable borrow")
        );
        assert_eq!(
            concept("how do multi-stage builds work"),
            Some("multi-stage builds")
        );
        assert_eq!(
            concept("what is useEffect actually doing in `useTodos`?"),
            Some("useEffect")
        );
        assert_eq!(concept("add a delete button"), None);
    }
}
