//! Secret redaction, applied to every text field before anything reaches the store: prompts,
//! answers, command lines, command output and diffs. A deliberately small rule set of well-known
//! credential shapes and `NAME=secret` assignments; a later privacy pass will extend it.
//!
//! A redacted secret becomes `[REDACTED:<rule>]`; the text around it is kept, so a command line
//! still reads as the command it was.

use aho_corasick::AhoCorasick;
use regex::{Captures, Regex, RegexSet};
use std::borrow::Cow;
use std::sync::LazyLock;

struct Rule {
    name: &'static str,
    re: Regex,
    /// Capture group holding the secret; 0 is the whole match.
    group: usize,
    /// Assignments are only secrets when the value looks like one (not `14000`, not `$VAR`).
    check_value: bool,
}

/// The compiled rule set. Build once ([`Redactor::global`]) and share.
pub struct Redactor {
    /// Literals at least one of which every rule needs. Most text contains none, and this
    /// automaton rules that out far faster than the combined regex could.
    triggers: AhoCorasick,
    set: RegexSet,
    rules: Vec<Rule>,
}

/// Every rule below needs one of these (ASCII case-insensitively). Keep in step with `RULES`.
const TRIGGERS: &[&str] = &[
    "private key",
    "sk-",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "akia",
    "asia",
    "xox",
    "aiza",
    "npm_",
    "eyj",
    "bearer",
    "://",
    "pass",
    "pwd",
    "secret",
    "token",
    "key",
    "credential",
];

const RULES: &[(&str, &str, usize, bool)] = &[
    (
        "private-key",
        r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)",
        0,
        false,
    ),
    (
        "api-key",
        r"(?-u:\b)sk-(?:proj-|ant-|live-|test-)?[A-Za-z0-9_\-]{20,}",
        0,
        false,
    ),
    (
        "github-token",
        r"(?-u:\b)(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})",
        0,
        false,
    ),
    (
        "aws-key",
        r"(?-u:\b)(?:AKIA|ASIA)[0-9A-Z]{16}(?-u:\b)",
        0,
        false,
    ),
    (
        "slack-token",
        r"(?-u:\b)xox[abposr]-[A-Za-z0-9-]{10,}",
        0,
        false,
    ),
    (
        "google-api-key",
        r"(?-u:\b)AIza[0-9A-Za-z_\-]{35}",
        0,
        false,
    ),
    (
        "npm-token",
        r"(?-u:\b)npm_[A-Za-z0-9]{36}(?-u:\b)",
        0,
        false,
    ),
    (
        "jwt",
        r"(?-u:\b)eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",
        0,
        false,
    ),
    (
        "bearer",
        r"(?i)(?-u:\b)bearer\s+([A-Za-z0-9._~+/=-]{16,})",
        1,
        false,
    ),
    (
        "url-password",
        r"(?-u:\b)[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]+:([^@\s/]+)@",
        1,
        false,
    ),
    (
        "assignment",
        r#"(?i)(?-u:\b)[A-Z0-9_.-]*(?:PASSWORD|PASSWD|PWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?)[A-Z0-9_]*["']?\s*[=:]\s*("[^"\n]*"|'[^'\n]*'|[^\s"'&;,)]+)"#,
        1,
        true,
    ),
    (
        "flag",
        r"(?i)(?:^|\s)--?(?:password|passwd|token|api-key|apikey|secret)(?:=|\s+)([^\s]+)",
        1,
        true,
    ),
];

static GLOBAL: LazyLock<Redactor> = LazyLock::new(Redactor::new);

impl Redactor {
    fn new() -> Redactor {
        let rules: Vec<Rule> = RULES
            .iter()
            .map(|&(name, pat, group, check_value)| Rule {
                name,
                re: Regex::new(pat).expect("redaction rules compile"),
                group,
                check_value,
            })
            .collect();
        let set = RegexSet::new(RULES.iter().map(|r| r.1)).expect("redaction rules compile");
        let triggers = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(TRIGGERS)
            .expect("trigger literals compile");
        Redactor {
            triggers,
            set,
            rules,
        }
    }

    /// The process-wide rule set.
    pub fn global() -> &'static Redactor {
        &GLOBAL
    }

    /// Returns `text` with every secret replaced; borrows when there is nothing to redact, which is
    /// the common case and costs one pass of the combined automaton.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if !self.triggers.is_match(text) || !self.set.is_match(text) {
            return Cow::Borrowed(text);
        }
        let mut out = Cow::Borrowed(text);
        for i in self.set.matches(text).iter() {
            let rule = &self.rules[i];
            let replaced = rule
                .re
                .replace_all(&out, |caps: &Captures| replace(rule, caps));
            if let Cow::Owned(s) = replaced {
                out = Cow::Owned(s);
            }
        }
        out
    }

    /// Redacts in place.
    pub fn redact_in_place(&self, text: &mut String) {
        if let Cow::Owned(s) = self.redact(text) {
            *text = s;
        }
    }
}

fn replace(rule: &Rule, caps: &Captures) -> String {
    let whole = caps.get(0).expect("group 0 always matches");
    let Some(secret) = caps.get(rule.group) else {
        return whole.as_str().to_owned();
    };
    if rule.check_value && !looks_secret(secret.as_str()) {
        return whole.as_str().to_owned();
    }
    let s = whole.as_str();
    let (mut a, mut b) = (secret.start() - whole.start(), secret.end() - whole.start());
    let quoted = secret.as_str();
    if quoted.len() >= 2
        && (quoted.starts_with('"') && quoted.ends_with('"')
            || quoted.starts_with('\'') && quoted.ends_with('\''))
    {
        a += 1;
        b -= 1;
    }
    format!("{}[REDACTED:{}]{}", &s[..a], rule.name, &s[b..])
}

/// Whether an assigned value is plausibly a credential rather than a number, a variable
/// reference, a placeholder or an empty string.
fn looks_secret(value: &str) -> bool {
    let v = value.trim_matches(|c| c == '"' || c == '\'');
    if v.len() < 6 {
        return false;
    }
    if v.starts_with('$') || v.starts_with('<') || v.starts_with('{') || v.starts_with('%') {
        return false;
    }
    if v.starts_with("[REDACTED") {
        return false;
    }
    if v.chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == '_')
    {
        return false;
    }
    if v.chars()
        .all(|c| c == '*' || c == 'x' || c == 'X' || c == '.')
    {
        return false;
    }
    let lower = v.to_ascii_lowercase();
    !matches!(
        lower.as_str(),
        "true" | "false" | "null" | "none" | "undefined" | "string" | "required" | "optional"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> String {
        Redactor::global().redact(s).into_owned()
    }

    #[test]
    fn well_known_tokens_are_redacted() {
        assert_eq!(
            r("export OPENAI_API_KEY=sk-proj-abcdefghijklmnopqrstuvwxyz0123"),
            "export OPENAI_API_KEY=[REDACTED:api-key]"
        );
        assert!(
            r("token ghp_abcdefghijklmnopqrstuvwxyz0123456789AB")
                .contains("[REDACTED:github-token]")
        );
        assert!(r("AKIAIOSFODNN7EXAMPLE is the id").starts_with("[REDACTED:aws-key]"));
        assert_eq!(
            r("curl -H 'Authorization: Bearer abcdef0123456789abcdef' x"),
            "curl -H 'Authorization: Bearer [REDACTED:bearer]' x"
        );
        assert_eq!(
            r("git clone https://alice:hunter2hunter2@github.com/x/y"),
            "git clone https://alice:[REDACTED:url-password]@github.com/x/y"
        );
        let key = "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----";
        assert_eq!(r(key), "[REDACTED:private-key]");
    }

    #[test]
    fn assignments_and_flags_need_secret_looking_values() {
        assert_eq!(
            r("DB_PASSWORD=correcthorse99"),
            "DB_PASSWORD=[REDACTED:assignment]"
        );
        assert_eq!(
            r("psql --password s3cr3tvalue"),
            "psql --password [REDACTED:flag]"
        );
        assert_eq!(
            r(r#""api_key": "zq8-hf72-kd93""#),
            r#""api_key": "[REDACTED:assignment]""#
        );
        // Not secrets: numbers, variables, placeholders.
        for benign in [
            "max_output_tokens: 14000",
            "TOKEN=$GITHUB_TOKEN",
            "password: <your password>",
            "the token is short",
            "useEffect(() => {}, [])",
        ] {
            assert_eq!(r(benign), benign);
        }
    }

    #[test]
    fn every_rule_is_reachable_through_a_trigger() {
        // One secret per rule; each must pass the literal prefilter to be redacted at all.
        let samples = [
            "-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----",
            "sk-abcdefghijklmnopqrstuvwxyz",
            "ghs_abcdefghijklmnopqrstuvwxyz0123456789",
            "github_pat_abcdefghijklmnopqrstuvwxyz",
            "ASIAABCDEFGHIJKLMNOP",
            "xoxb-1234567890-abc",
            "AIzaabcdefghijklmnopqrstuvwxyz012345678",
            "npm_abcdefghijklmnopqrstuvwxyz0123456789",
            "eyJhbGciOiJIUzI1.eyJzdWIiOiIxMjM0.abcdefghijkl",
            "BEARER abcdefghijklmnopqrstu",
            "https://bob:longpassword@host",
            "DB_PWD=abcdefgh123",
            "MY_CREDENTIALS: abcdefgh123",
            "--apikey abcdefgh123",
        ];
        for s in samples {
            assert!(r(s).contains("[REDACTED:"), "{s}");
        }
    }

    #[test]
    fn text_without_secrets_is_borrowed() {
        assert!(matches!(
            Redactor::global().redact("npm run build"),
            Cow::Borrowed(_)
        ));
    }
}
