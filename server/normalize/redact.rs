//! Secret redaction, applied to every text field before anything reaches the store: prompts,
//! answers, command lines, command output and diffs. The rules are gitleaks' default set,
//! vendored with its source and licence in `secrets/` (README.md there), plus a few of Session
//! Lens's own for what gitleaks leaves out (`secrets/local.rs`); `tests/it/secrets.rs` measures
//! both what gets through (nothing, on a seeded corpus through every ingest path) and what is
//! redacted that was no secret (per MB of real sessions, code and prose).
//!
//! A redacted secret becomes `[REDACTED:<rule>]`; the text around it is kept, so a command line
//! still reads as the command it was. A base64 run that decodes to text holding a secret is
//! replaced whole (`echo … | base64 -d` keeps nothing).

use super::secrets::{Finding, Scanner, decode_base64};
pub use super::secrets::{VendoredInfo, shannon_entropy};
use std::borrow::Cow;
use std::sync::LazyLock;

/// The redactor. Build once ([`Redactor::global`]) and share.
pub struct Redactor {
    scanner: &'static Scanner,
}

static GLOBAL: LazyLock<Redactor> = LazyLock::new(|| Redactor {
    scanner: Scanner::global(),
});

/// Shortest base64 run worth decoding: 18 bytes of text, shorter than any secret the rules know
/// in a form that survives encoding with its keyword.
const MIN_ENCODED: usize = 24;

impl Redactor {
    /// The process-wide redactor.
    pub fn global() -> &'static Redactor {
        &GLOBAL
    }

    /// Returns `text` with every secret replaced; borrows when there is nothing to redact, which is
    /// the common case and costs one keyword pass, the few rules whose keywords occur, and one
    /// pass looking for base64 runs.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut found = Vec::new();
        self.scanner.find(text, &mut found);
        self.find_encoded(text, &mut found);
        if found.is_empty() {
            return Cow::Borrowed(text);
        }
        Cow::Owned(replace(text, found))
    }

    /// Redacts in place.
    pub fn redact_in_place(&self, text: &mut String) {
        if let Cow::Owned(s) = self.redact(text) {
            *text = s;
        }
    }

    /// The vendored gitleaks rules (id, regex, entropy threshold, keywords), in gitleaks' order.
    pub fn vendored_rules(&self) -> Vec<VendoredInfo> {
        self.scanner.vendored().collect()
    }

    /// gitleaks rules left out of the vendored set, with the reason (`secrets/README.md`).
    pub fn dropped_rules(&self) -> &'static [(&'static str, &'static str)] {
        self.scanner.dropped_rules()
    }

    /// Rules whose regex does not compile with Rust's regex crate, with the error: each is
    /// disabled rather than failing the caller. Empty for the shipped tables (tests check).
    pub fn broken_rules(&self) -> Vec<(&'static str, String)> {
        self.scanner.broken_rules()
    }

    /// Adds a finding for each base64 run in `text` whose decoded text holds a secret: the
    /// whole run is the secret, under the rule that found one inside.
    fn find_encoded(&self, text: &str, out: &mut Vec<Finding>) {
        let bytes = text.as_bytes();
        // Every run of MIN_ENCODED or more holds a byte at one of the positions looked at
        // (MIN_ENCODED apart), so most bytes of ordinary text are never read: a looked-at byte
        // outside the alphabet is skipped, one inside is widened to its run.
        let mut i = MIN_ENCODED - 1;
        while i < bytes.len() {
            if !is_base64(bytes[i]) {
                i += MIN_ENCODED;
                continue;
            }
            let mut start = i;
            while start > 0 && is_base64(bytes[start - 1]) {
                start -= 1;
            }
            let mut run_end = i;
            while run_end < bytes.len() && is_base64(bytes[run_end]) {
                run_end += 1;
            }
            let mut end = run_end;
            while end < bytes.len() && end - run_end < 2 && bytes[end] == b'=' {
                end += 1;
            }
            i = end + MIN_ENCODED;
            if run_end - start < MIN_ENCODED {
                continue;
            }
            let Some(decoded) = decode_base64(&bytes[start..end]) else {
                continue;
            };
            // Encoded text, not an identifier or a hash that happens to use the alphabet.
            let Ok(decoded) = String::from_utf8(decoded) else {
                continue;
            };
            if decoded
                .bytes()
                .any(|b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t'))
            {
                continue;
            }
            let mut inner = Vec::new();
            self.scanner.find(&decoded, &mut inner);
            if let Some(f) = inner.iter().min_by_key(|f| f.rank) {
                out.push(Finding {
                    start,
                    end,
                    rule: f.rule,
                    rank: f.rank,
                });
            }
        }
    }
}

/// Bytes of the standard and URL-safe base64 alphabets (without the `=` padding).
static BASE64: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'-' | b'_');
        b += 1;
    }
    t
};

fn is_base64(b: u8) -> bool {
    BASE64[b as usize]
}

/// `text` with each finding's span replaced by `[REDACTED:<rule>]`; overlapping spans are joined
/// under the rule of the one that starts first (the longer at the same start; the preferred rule,
/// the more specific, when both are alike).
fn replace(text: &str, mut found: Vec<Finding>) -> String {
    found.sort_by_key(|f| (f.start, std::cmp::Reverse(f.end), f.rank));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    let mut spans = found.into_iter().peekable();
    while let Some(f) = spans.next() {
        let mut end = f.end;
        while let Some(next) = spans.peek() {
            if next.start >= end {
                break;
            }
            end = end.max(next.end);
            spans.next();
        }
        if f.start < at {
            // Inside a span already replaced (cannot happen after the join; kept for safety).
            at = at.max(end);
            continue;
        }
        out.push_str(&text[at..f.start]);
        out.push_str("[REDACTED:");
        out.push_str(f.rule);
        out.push(']');
        at = end;
    }
    out.push_str(&text[at..]);
    out
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
        assert_eq!(
            r("token ghp_R8xk2Lq9Wm4Zt7Yv1Nb6Hc3Jd5Fg0Ps8QeUa"),
            "token [REDACTED:github-pat]"
        );
        assert!(r("AKIA4Q7ZJ2MXW5NP3KRD is the id").starts_with("[REDACTED:aws-access-token]"));
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
    fn gitleaks_examples_are_not_secrets_where_gitleaks_says_so() {
        // AWS's documented example key and placeholder alphabets are allowlisted upstream.
        for benign in [
            "AKIAIOSFODNN7EXAMPLE is the id",
            "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
        ] {
            assert_eq!(r(benign), benign);
        }
    }

    #[test]
    fn cut_private_keys_are_redacted_from_either_end() {
        let head =
            "key:\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ";
        assert_eq!(r(head), "key:\n[REDACTED:private-key]");
        let tail = "… 40 lines omitted …\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\nAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n-----END OPENSSH PRIVATE KEY-----\n$ ls";
        assert_eq!(
            r(tail),
            "… 40 lines omitted …\n[REDACTED:private-key]\n$ ls"
        );
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
        assert_eq!(
            r(r#"{\"client_secret\":\"zq8-hf72-kd93\"}"#),
            r#"{\"client_secret\":\"[REDACTED:assignment]\"}"#
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
    fn generic_high_entropy_values_near_key_words_are_redacted() {
        assert_eq!(
            r("stripe_webhook_key = 9fK2xQ7mZp4LwT8v"),
            "stripe_webhook_key = [REDACTED:generic-api-key]"
        );
        // Low entropy, or a word: not a secret (gitleaks' threshold and allowlist).
        for benign in ["primary_key = user_account_id", "auth: aaaaaaaaaaaaaaaa"] {
            assert_eq!(r(benign), benign);
        }
    }

    #[test]
    fn base64_wrapped_secrets_are_replaced_whole() {
        // base64 of "export GITHUB_TOKEN=ghp_R8xk2Lq9Wm4Zt7Yv1Nb6Hc3Jd5Fg0Ps8QeUa"
        let text = "echo ZXhwb3J0IEdJVEhVQl9UT0tFTj1naHBfUjh4azJMcTlXbTRadDdZdjFOYjZIYzNKZDVGZzBQczhRZVVh | base64 -d";
        assert_eq!(r(text), "echo [REDACTED:github-pat] | base64 -d");
        let basic = "Authorization: Basic YWxpY2U6aHVudGVyMg==";
        assert_eq!(r(basic), "Authorization: Basic [REDACTED:basic-auth]");
    }

    #[test]
    fn every_local_rule_is_reachable_through_its_keywords() {
        let samples = [
            "-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----",
            "sk-abcdefghijklmnopqrstuvwxyz",
            "eyJhbGciOiJIUzI1.eyJzdWIiOiIxMjM0.abcdefghijkl&x=1",
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

    #[test]
    fn multibyte_text_around_a_secret_is_kept_whole() {
        let text = "clé: «sk-proj-abcdefghijklmnopqrstuvwxyz0123» — fin ✓";
        assert_eq!(r(text), "clé: «[REDACTED:api-key]» — fin ✓");
    }
}
