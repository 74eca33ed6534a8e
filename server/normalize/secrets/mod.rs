//! The secret scanner behind the redactor: gitleaks' default rules (vendored in `gitleaks.rs`,
//! generated from `gitleaks.toml`; README.md beside this file says from where and what changed)
//! plus Session Lens's own (`local.rs`), and the engine that finds their secrets in a text.
//!
//! Cost is what shapes the engine: every text of every event passes here. One Aho-Corasick pass
//! over all rules' keywords (ASCII case-insensitive) picks the few rules a text can match at
//! all; ordinary text contains keywords of a handful, so it pays one automaton pass plus a few
//! regex scans. Regexes are compiled on first use, each once per process, so a hook process that
//! redacts one command compiles only the rules that command needed. A regex that does not compile
//! (none does today: a unit test checks) disables its rule instead of failing the caller.

mod rule;
// Generated: rustfmt would rewrap what regen.py writes, and regen.py's output is the reference.
#[rustfmt::skip]
mod gitleaks;
mod local;

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::dfa::DFA;
use aho_corasick::{AhoCorasick, Anchored, MatchKind};
use regex::bytes::{Captures, Regex, RegexBuilder};
use rule::{Allow, Check, Group, Target};
use std::sync::OnceLock;

/// One secret found: its byte span in the text and the rule that found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Finding {
    pub start: usize,
    pub end: usize,
    pub rule: &'static str,
    /// The rule's place in the order of preference: when spans coincide, the lowest names them.
    pub rank: usize,
}

/// gitleaks' catch-all rules: a span one of them shares with a specific rule (vendored or local)
/// is named after the specific one, so `[REDACTED:bearer]` stays `bearer` when curl's header
/// rule sees the same token.
const CATCH_ALL: &[&str] = &[
    "generic-api-key",
    "curl-auth-header",
    "curl-auth-user",
    "database-password",
    "hashicorp-tf-password",
];

/// A vendored rule as the tests see it: enough to make a sample it must catch.
#[derive(Debug, Clone, Copy)]
pub struct VendoredInfo {
    pub id: &'static str,
    pub regex: &'static str,
    /// gitleaks' threshold: a secret needs more Shannon entropy than this (0: no check).
    pub entropy: f64,
    /// Lowercase; the rule is tried only on texts holding one.
    pub keywords: &'static [&'static str],
}

/// What a rule asks beyond its regex.
enum Kind {
    Vendored {
        entropy: f64,
        allow: &'static [Allow],
        /// The allowlists compiled, on first need.
        compiled: OnceLock<Vec<CompiledAllow>>,
    },
    Local(Check),
}

struct CompiledAllow {
    target: Target,
    regexes: Vec<Regex>,
    stopwords: Option<AhoCorasick>,
}

struct CompiledRule {
    id: &'static str,
    /// The regex as the engine runs it (a leading `[\w.-]{0,50}?` taken off, see `prepare`).
    pattern: String,
    /// The leading `[\w.-]{0,50}?` was taken off: extend each match leftwards over up to 50 such
    /// bytes to give the match gitleaks would.
    extend_left: bool,
    group: Group,
    re: OnceLock<Option<Regex>>,
    kind: Kind,
}

/// The compiled rule set; build once ([`Scanner::global`]) and share.
pub(crate) struct Scanner {
    rules: Vec<CompiledRule>,
    /// Every keyword of every rule, lowercase, matched ASCII case-insensitively, as a DFA walked
    /// byte by byte (`find`): the fastest way through every byte of every text, with every
    /// occurrence seen, overlapping ones included (`sk` inside `sk-ant-api03`).
    keywords: Option<(DFA, StateID)>,
    /// The longest keyword's length: how far lanes of `walk` overlap.
    longest_keyword: usize,
    /// For each keyword (by pattern id), the rules that have it.
    keyword_rules: Vec<Vec<usize>>,
    /// Rules without keywords: tried on every text.
    always: Vec<usize>,
    /// gitleaks' global allowlist, compiled on first need.
    global: OnceLock<CompiledAllow>,
}

static GLOBAL: OnceLock<Scanner> = OnceLock::new();

/// Rule count ceiling of the candidate bitset (the tables hold about 230).
const MAX_RULES: usize = 64 * 8;
/// Longest keyword head the prefilter looks for (see `Scanner::new`).
const KEYWORD_HEAD: usize = 8;
/// Keyword count the per-text "already seen" bitset covers (the tables have about 250).
const MAX_KEYWORDS: usize = 64 * 16;

impl Scanner {
    /// The process-wide scanner.
    pub(crate) fn global() -> &'static Scanner {
        GLOBAL.get_or_init(Scanner::new)
    }

    fn new() -> Scanner {
        let mut rules = Vec::new();
        let mut keyword_lists: Vec<&'static [&'static str]> = Vec::new();
        // Specific vendored rules, then local ones, then gitleaks' catch-alls: the order of
        // preference for naming a span.
        let vendored = gitleaks::RULES
            .iter()
            .filter(|v| !CATCH_ALL.contains(&v.id))
            .collect::<Vec<_>>();
        let catch_all = gitleaks::RULES
            .iter()
            .filter(|v| CATCH_ALL.contains(&v.id))
            .collect::<Vec<_>>();
        for v in vendored {
            push_vendored(&mut rules, &mut keyword_lists, v);
        }
        for l in local::RULES {
            rules.push(CompiledRule {
                id: l.id,
                pattern: l.regex.to_owned(),
                extend_left: false,
                group: l.group,
                re: OnceLock::new(),
                kind: Kind::Local(l.check),
            });
            keyword_lists.push(l.keywords);
        }
        for v in catch_all {
            push_vendored(&mut rules, &mut keyword_lists, v);
        }
        // Past the bitset's size, the rules beyond it are never tried: a test keeps the tables
        // well below it.
        rules.truncate(MAX_RULES);
        keyword_lists.truncate(MAX_RULES);

        let mut patterns: Vec<&'static str> = Vec::new();
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        let mut always = Vec::new();
        for (i, list) in keyword_lists.iter().enumerate() {
            if list.is_empty() {
                always.push(i);
            }
            for k in list.iter() {
                // A keyword's head stands for it: whatever holds the keyword holds its head, so
                // the candidates are the same or a few more (the regexes decide), and the short
                // heads let the lanes of `walk` overlap little and start on shorter texts.
                let k: &'static str = k.get(..KEYWORD_HEAD).unwrap_or(k);
                match patterns.iter().position(|p| *p == k) {
                    Some(at) => keyword_rules[at].push(i),
                    None => {
                        patterns.push(k);
                        keyword_rules.push(vec![i]);
                    }
                }
            }
        }
        // Plain literals always build; should they not, no keyword ever matches and only the
        // keyword-less rules run, rather than the process failing.
        let keywords = DFA::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .ok()
            .and_then(|dfa| Some((dfa.start_state(Anchored::No).ok()?, dfa)))
            .map(|(start, dfa)| (dfa, start));
        Scanner {
            rules,
            longest_keyword: patterns.iter().map(|p| p.len()).max().unwrap_or(0),
            keywords,
            keyword_rules,
            always,
            global: OnceLock::new(),
        }
    }

    /// Appends every secret in `text` to `out` (unsorted; spans may overlap).
    pub(crate) fn find(&self, text: &str, out: &mut Vec<Finding>) {
        let mut candidates = [0u64; MAX_RULES / 64];
        // Keywords already counted; those past the bitset (none today) are counted each time.
        let mut seen = [0u64; MAX_KEYWORDS / 64];
        let mut any = false;
        if let Some((dfa, start)) = &self.keywords {
            let mut mark = |k: usize| {
                let fresh = match seen.get_mut(k / 64) {
                    Some(w) => !std::mem::replace(w, *w | 1 << (k % 64)) & (1 << (k % 64)) != 0,
                    None => true,
                };
                if fresh {
                    for &r in &self.keyword_rules[k] {
                        candidates[r / 64] |= 1 << (r % 64);
                        any = true;
                    }
                }
            };
            walk(
                dfa,
                *start,
                self.longest_keyword,
                text.as_bytes(),
                &mut mark,
            );
        }
        for &r in &self.always {
            candidates[r / 64] |= 1 << (r % 64);
            any = true;
        }
        if !any {
            return;
        }
        for (word, bits) in candidates.iter().enumerate() {
            let mut bits = *bits;
            while bits != 0 {
                let r = word * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                self.run(r, text, out);
            }
        }
    }

    /// The vendored rules as gitleaks ships them (regex after `regen.py`'s translation only).
    pub(crate) fn vendored(&self) -> impl Iterator<Item = VendoredInfo> {
        gitleaks::RULES.iter().map(|v| VendoredInfo {
            id: v.id,
            regex: v.regex,
            entropy: v.entropy,
            keywords: v.keywords,
        })
    }

    /// Upstream rules left out of the vendored table, with the reason.
    pub(crate) fn dropped_rules(&self) -> &'static [(&'static str, &'static str)] {
        gitleaks::DROPPED
    }

    /// Rules whose regex does not compile (each disabled), with the error.
    pub(crate) fn broken_rules(&self) -> Vec<(&'static str, String)> {
        self.rules
            .iter()
            .filter_map(|r| compile(&r.pattern).err().map(|e| (r.id, e)))
            .collect()
    }

    fn run(&self, rank: usize, text: &str, out: &mut Vec<Finding>) {
        let rule = &self.rules[rank];
        let Some(re) = rule.re.get_or_init(|| compile(&rule.pattern).ok()) else {
            return;
        };
        let bytes = text.as_bytes();
        for caps in re.captures_iter(bytes) {
            let whole = caps.get(0).expect("group 0 always matches");
            let mut m_start = whole.start();
            if rule.extend_left {
                let floor = m_start.saturating_sub(50);
                while m_start > floor && is_word_dot_dash(bytes[m_start - 1]) {
                    m_start -= 1;
                }
            }
            let (s, e) = secret_span(&caps, rule.group);
            let secret = &bytes[s..e];
            let keep = match &rule.kind {
                Kind::Local(check) => local_check(*check, secret),
                Kind::Vendored {
                    entropy,
                    allow,
                    compiled,
                } => {
                    (*entropy == 0.0 || shannon_entropy(secret) > *entropy)
                        && !self.global_allows(secret)
                        && !compiled
                            .get_or_init(|| allow.iter().map(compile_allow).collect())
                            .iter()
                            .any(|a| {
                                a.allows(
                                    secret,
                                    &bytes[m_start..whole.end()],
                                    line_of(bytes, m_start, whole.end()),
                                )
                            })
                }
            };
            if keep {
                let (s, e) = trim_quotes(bytes, s, e);
                let (s, e) = char_bounds(text, s, e);
                if s < e {
                    out.push(Finding {
                        start: s,
                        end: e,
                        rule: rule.id,
                        rank,
                    });
                }
            }
        }
    }

    fn global_allows(&self, secret: &[u8]) -> bool {
        self.global
            .get_or_init(|| {
                compile_allow(&Allow {
                    target: Target::Secret,
                    regexes: gitleaks::GLOBAL_REGEXES,
                    stopwords: gitleaks::GLOBAL_STOPWORDS,
                })
            })
            .allows(secret, secret, secret)
    }
}

impl CompiledAllow {
    fn allows(&self, secret: &[u8], matched: &[u8], line: &[u8]) -> bool {
        let target = match self.target {
            Target::Secret => secret,
            Target::Match => matched,
            Target::Line => line,
        };
        self.regexes.iter().any(|r| r.is_match(target))
            || self
                .stopwords
                .as_ref()
                .is_some_and(|s| s.is_match(&secret.to_ascii_lowercase()))
    }
}

/// Reports (by pattern id) every keyword occurrence in `bytes`, overlapping ones included.
///
/// A DFA walk is bound by the latency of one transition after the other; a text is cut into up to
/// four lanes walked in step (each lane runs on past its end by the longest keyword less one, so
/// a keyword across a cut is still seen whole), which keeps four transitions in flight at once.
fn walk<M: FnMut(usize)>(dfa: &DFA, start: StateID, longest: usize, bytes: &[u8], mark: &mut M) {
    // Lanes of at least 16 bytes (twice the longest keyword head): four from 64 bytes, two
    // from 32, else one.
    let lanes = match bytes.len() / 16 {
        n if n >= 4 && bytes.len() / 4 >= longest => 4,
        n if n >= 2 && bytes.len() / 2 >= longest => 2,
        _ => 1,
    };
    match lanes {
        4 => in_lanes::<4, M>(dfa, start, longest, bytes, mark),
        2 => in_lanes::<2, M>(dfa, start, longest, bytes, mark),
        _ => {
            let mut sid = start;
            for &b in bytes {
                sid = step(dfa, sid, b, mark);
            }
        }
    }
}

/// One transition of `walk`, reporting the keywords that end here. Inlined by hand: a closure
/// in its place was left as a call per byte.
#[inline(always)]
fn step<M: FnMut(usize)>(dfa: &DFA, sid: StateID, b: u8, mark: &mut M) -> StateID {
    let next = dfa.next_state(Anchored::No, sid, b);
    if dfa.is_special(next) && dfa.is_match(next) {
        for i in 0..dfa.match_len(next) {
            mark(dfa.match_pattern(next, i).as_usize());
        }
    }
    next
}

/// `walk` over `N` lanes of `bytes`: lane k walks `bytes[k * lane ..]` up to `(k + 1) * lane`
/// plus the longest keyword less one (the last lane to the end), in step for the first `lane`
/// bytes, then each finishes alone.
#[inline(always)]
fn in_lanes<const N: usize, M: FnMut(usize)>(
    dfa: &DFA,
    start: StateID,
    longest: usize,
    bytes: &[u8],
    mark: &mut M,
) {
    let lane = bytes.len() / N;
    let mut sids = [start; N];
    for i in 0..lane {
        for (k, sid) in sids.iter_mut().enumerate() {
            *sid = step(dfa, *sid, bytes[k * lane + i], mark);
        }
    }
    for (k, sid) in sids.iter_mut().enumerate() {
        let end = if k == N - 1 {
            bytes.len()
        } else {
            ((k + 1) * lane + longest.saturating_sub(1)).min(bytes.len())
        };
        for &b in &bytes[k * lane + lane..end] {
            *sid = step(dfa, *sid, b, mark);
        }
    }
}

/// Compiles a rule's regex as gitleaks' RE2 reads it: on bytes, with `\w`, `\d`, `\s`, `\b` and
/// case folding ASCII-only (also the faster form: small DFAs, no Unicode tables).
fn compile(pattern: &str) -> Result<Regex, String> {
    RegexBuilder::new(pattern)
        .unicode(false)
        .size_limit(1 << 23)
        .build()
        .map_err(|e| e.to_string())
}

fn compile_allow(a: &Allow) -> CompiledAllow {
    CompiledAllow {
        target: a.target,
        // An allowlist regex that does not compile allows nothing (redacting more, never less).
        regexes: a.regexes.iter().filter_map(|r| compile(r).ok()).collect(),
        stopwords: (!a.stopwords.is_empty())
            .then(|| AhoCorasick::new(a.stopwords).ok())
            .flatten(),
    }
}

/// Takes gitleaks' leading `[\w.-]{0,50}?` off a regex (plain, or inside its first `(?i:` group).
/// It only stretches a match leftwards over the name before the keyword, yet makes the regex
/// crate track fifty counted positions in front of every byte; the engine extends the match
/// itself instead (`extend_left`), so what allowlists with `regexTarget = "match"` see is the same.
/// Adds a vendored rule, its pattern prepared, with its keywords.
fn push_vendored(
    rules: &mut Vec<CompiledRule>,
    keyword_lists: &mut Vec<&'static [&'static str]>,
    v: &'static rule::Vendored,
) {
    let (pattern, extend_left) = prepare(v.regex);
    rules.push(CompiledRule {
        id: v.id,
        pattern,
        extend_left,
        group: v.group,
        re: OnceLock::new(),
        kind: Kind::Vendored {
            entropy: v.entropy,
            allow: v.allow,
            compiled: OnceLock::new(),
        },
    });
    keyword_lists.push(v.keywords);
}

fn prepare(regex: &str) -> (String, bool) {
    const LEAD: &str = r"[\w.-]{0,50}?";
    if let Some(rest) = regex.strip_prefix(LEAD) {
        // `[\w.-]{0,50}?(?i:[\w.-]{0,50}?…`: both leads go.
        let rest = match rest.strip_prefix("(?i:") {
            Some(inner) => format!("(?i:{}", inner.strip_prefix(LEAD).unwrap_or(inner)),
            None => rest.to_owned(),
        };
        return (rest, true);
    }
    if let Some(rest) = regex.strip_prefix(&format!("(?i){LEAD}")) {
        return (format!("(?i){rest}"), true);
    }
    (regex.to_owned(), false)
}

fn is_word_dot_dash(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-'
}

/// The secret's span in the text: the rule's group, gitleaks' way.
fn secret_span(caps: &Captures, group: Group) -> (usize, usize) {
    let whole = caps.get(0).expect("group 0 always matches");
    let m = match group {
        Group::Whole => Some(whole),
        Group::Nth(n) => caps.get(n),
        Group::First => caps.iter().skip(1).flatten().find(|m| !m.is_empty()),
    }
    .unwrap_or(whole);
    (m.start(), m.end())
}

/// The line(s) a match spans, without their newlines.
fn line_of(bytes: &[u8], start: usize, end: usize) -> &[u8] {
    let a = bytes[..start]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let b = bytes[end..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| end + i);
    &bytes[a..b]
}

/// A quoted secret loses its quotes (also JSON-escaped ones, `\"…\"`): they stay in the text.
fn trim_quotes(bytes: &[u8], s: usize, e: usize) -> (usize, usize) {
    let v = &bytes[s..e];
    if v.len() >= 4 && v.starts_with(b"\\\"") && v.ends_with(b"\\\"") {
        return (s + 2, e - 2);
    }
    if v.len() >= 2 && (v[0] == b'"' || v[0] == b'\'') && v[v.len() - 1] == v[0] {
        return (s + 1, e - 1);
    }
    (s, e)
}

/// Widens a byte span to char boundaries (a bytes regex may stop inside a multi-byte char).
fn char_bounds(text: &str, mut s: usize, mut e: usize) -> (usize, usize) {
    while s > 0 && !text.is_char_boundary(s) {
        s -= 1;
    }
    while e < text.len() && !text.is_char_boundary(e) {
        e += 1;
    }
    (s, e)
}

fn local_check(check: Check, secret: &[u8]) -> bool {
    match check {
        Check::None => true,
        Check::Value => std::str::from_utf8(secret).is_ok_and(looks_secret),
        Check::BasicAuth => decode_base64(secret)
            .is_some_and(|d| d.contains(&b':') && std::str::from_utf8(&d).is_ok()),
    }
}

/// Shannon entropy of a byte string in bits per byte, as gitleaks computes it for ASCII.
pub fn shannon_entropy(data: &[u8]) -> f64 {
    if data.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in data {
        counts[b as usize] += 1;
    }
    let n = data.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// Whether an assigned value is plausibly a credential rather than a number or version, a
/// variable reference, a placeholder, code (a call, a path through fields, a type), an empty
/// string or an already redacted value.
pub(crate) fn looks_secret(value: &str) -> bool {
    let v = value
        .trim_start_matches("\\\"")
        .trim_end_matches("\\\"")
        .trim_matches(|c| c == '"' || c == '\'');
    if v.len() < 6 {
        return false;
    }
    if v.starts_with('$') || v.starts_with('<') || v.starts_with('{') || v.starts_with('%') {
        return false;
    }
    if v.starts_with("[REDACTED") {
        return false;
    }
    // Numbers, versions (`^9.0.0`), masks: no letter at all.
    if !v.bytes().any(|b| b.is_ascii_alphabetic()) {
        return false;
    }
    if v.chars()
        .all(|c| c == '*' || c == 'x' || c == 'X' || c == '.')
    {
        return false;
    }
    // Code: a call, a path (`os.environ`, `process.env.API_KEY`, `Config::token`), an arrow.
    if v.starts_with(':')
        || v.contains('(')
        || v.contains("::")
        || v.contains("->")
        || v.contains("=>")
    {
        return false;
    }
    // Words and names (gitleaks' generic-api-key allowlist: letters, `_`, `.`, `-` only).
    if v.bytes()
        .all(|b| b.is_ascii_alphabetic() || matches!(b, b'_' | b'.' | b'-'))
    {
        return false;
    }
    // A file path (`bin/secretlint.js`, `./config/db.yml`): `/`-separated names ending in an
    // extension. (A base64 secret has `/` too, but seldom ends in `.js`.)
    let (dir, last) = v.rsplit_once('/').unwrap_or(("", v));
    if !dir.is_empty()
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'/' | b'~' | b'-'))
        && last
            .rsplit_once('.')
            .is_some_and(|(name, ext)| !name.is_empty() && (1..=5).contains(&ext.len()))
    {
        return false;
    }
    let ident = |s: &str| {
        s.bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    };
    if v.contains('.') && v.split('.').all(ident) {
        return false;
    }
    let lower = v.to_ascii_lowercase();
    !matches!(
        lower.as_str(),
        "true" | "false" | "null" | "none" | "undefined" | "string" | "required" | "optional"
    )
}

/// Decodes standard or URL-safe base64, padded or not; `None` when `s` is not base64.
pub(crate) fn decode_base64(s: &[u8]) -> Option<Vec<u8>> {
    fn value(b: u8) -> Option<u32> {
        Some(match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        } as u32)
    }
    let body = s
        .strip_suffix(b"==")
        .or_else(|| s.strip_suffix(b"="))
        .unwrap_or(s);
    if body.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    for chunk in body.chunks(4) {
        let mut n = 0u32;
        for (i, &b) in chunk.iter().enumerate() {
            n |= value(b)? << (18 - 6 * i);
        }
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_compiles_and_fits_the_candidate_set() {
        let s = Scanner::new();
        assert_eq!(s.broken_rules(), Vec::<(&str, String)>::new());
        assert!(gitleaks::RULES.len() + local::RULES.len() <= MAX_RULES);
        for a in gitleaks::RULES.iter().flat_map(|r| r.allow) {
            for r in a.regexes {
                assert!(compile(r).is_ok(), "allowlist regex {r}");
            }
        }
        for r in gitleaks::GLOBAL_REGEXES {
            assert!(compile(r).is_ok(), "global allowlist regex {r}");
        }
    }

    #[test]
    fn every_local_rule_has_keywords() {
        assert!(local::RULES.iter().all(|r| !r.keywords.is_empty()));
        assert!(
            gitleaks::RULES.iter().all(|r| !r.keywords.is_empty()),
            "regen.py gives keywords to the rules that ship none"
        );
        assert!(gitleaks::DROPPED.iter().any(|(id, _)| *id == "pkcs12-file"));
    }

    #[test]
    fn the_keyword_walk_sees_every_keyword_wherever_the_lanes_cut() {
        let s = Scanner::new();
        let Some((dfa, start)) = &s.keywords else {
            panic!("the keyword automaton builds");
        };
        let mut rng = 0x2545_f491_4f6c_dd1du64;
        for len in 0..300usize {
            for head in ["TWITTER", "sk-", "ghp_", "bundle_enterprise", "s."] {
                // `head` at offsets all along a text of filler with no keyword in it.
                for at in (0..len.saturating_sub(head.len())).step_by(5) {
                    let mut text: Vec<u8> = (0..len)
                        .map(|_| {
                            rng ^= rng << 13;
                            rng ^= rng >> 7;
                            rng ^= rng << 17;
                            b"0123456789 ,;"[(rng % 13) as usize]
                        })
                        .collect();
                    text[at..at + head.len()].copy_from_slice(head.as_bytes());
                    let mut lanes = Vec::new();
                    walk(dfa, *start, s.longest_keyword, &text, &mut |k| {
                        lanes.push(k)
                    });
                    let mut one = Vec::new();
                    let mut sid = *start;
                    for &b in &text {
                        sid = step(dfa, sid, b, &mut |k| one.push(k));
                    }
                    lanes.sort_unstable();
                    lanes.dedup();
                    one.sort_unstable();
                    one.dedup();
                    assert!(!one.is_empty(), "{head} is a keyword");
                    assert_eq!(lanes, one, "{head} at {at} of {len}");
                }
            }
        }
    }

    #[test]
    fn the_lead_is_taken_off_and_put_back() {
        assert_eq!(
            prepare(r"(?i)[\w.-]{0,50}?(?:key)x"),
            (r"(?i)(?:key)x".to_owned(), true)
        );
        assert_eq!(
            prepare(r"[\w.-]{0,50}?(?i:[\w.-]{0,50}?(?:okta))x"),
            (r"(?i:(?:okta))x".to_owned(), true)
        );
        assert_eq!(prepare(r"\bghp_"), (r"\bghp_".to_owned(), false));
    }

    #[test]
    fn entropy_is_gitleaks() {
        assert_eq!(shannon_entropy(b""), 0.0);
        assert_eq!(shannon_entropy(b"aaaa"), 0.0);
        assert!((shannon_entropy(b"abcd") - 2.0).abs() < 1e-9);
    }

    #[test]
    fn base64_decodes_both_alphabets() {
        assert_eq!(decode_base64(b"dXNlcjpwYXNz").unwrap(), b"user:pass");
        assert_eq!(decode_base64(b"dXNlcjpwYXNzMQ==").unwrap(), b"user:pass1");
        assert_eq!(decode_base64(b"dXNlcjpwYXNzMQ").unwrap(), b"user:pass1");
        assert_eq!(
            decode_base64(b"-_-_").unwrap(),
            decode_base64(b"+/+/").unwrap()
        );
        assert!(decode_base64(b"abc!").is_none());
        assert!(decode_base64(b"abcde").is_none());
    }
}
