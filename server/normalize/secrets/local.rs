//! Session Lens's own secret rules, kept beside the vendored gitleaks set for what it does not
//! cover: private keys cut by an excerpt, `sk-` keys of any vendor, JWTs followed by `&` or `,`,
//! bearer and basic credentials anywhere (not only in a curl line), passwords in URLs, and
//! `NAME=value` assignments and `--password value` flags whose value looks like a secret however
//! low its entropy. Each was a rule of the redactor before gitleaks' set was vendored; the labels
//! (`[REDACTED:<id>]`) are the ones stored events already carry.

use super::rule::{Check, Group, Local};

/// The local rules. Keywords are lowercase literals every match contains.
pub(crate) static RULES: &[Local] = &[
    // A whole PEM private key, or its head when the text ends inside it (an excerpt's head).
    Local {
        id: "private-key",
        regex: r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)",
        group: Group::Whole,
        keywords: &["private key"],
        check: Check::None,
    },
    // The tail of a key whose BEGIN line was cut off (an excerpt's tail): its base64 lines up to
    // the END line.
    Local {
        id: "private-key",
        regex: r"(?:[A-Za-z0-9+/=]{16,}\r?\n)+-----END [A-Z ]*PRIVATE KEY-----",
        group: Group::Whole,
        keywords: &["private key"],
        check: Check::None,
    },
    // OpenAI, Anthropic, DeepSeek, OpenRouter… keys in any of their shapes (gitleaks knows only
    // the exact lengths of some).
    Local {
        id: "api-key",
        regex: r"\bsk-(?:proj-|ant-|live-|test-)?[A-Za-z0-9_\-]{20,}",
        group: Group::Whole,
        keywords: &["sk-"],
        check: Check::None,
    },
    // A JWT whatever follows it (gitleaks' `jwt` needs a quote, space or `;` after it).
    Local {
        id: "jwt",
        regex: r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",
        group: Group::Whole,
        keywords: &["eyj"],
        check: Check::None,
    },
    Local {
        id: "bearer",
        regex: r"(?i)\bbearer\s+([A-Za-z0-9._~+/=-]{16,})",
        group: Group::Nth(1),
        keywords: &["bearer"],
        check: Check::None,
    },
    Local {
        id: "basic-auth",
        regex: r"(?i)\bbasic\s+([A-Za-z0-9+/]{8,}={0,2})",
        group: Group::Nth(1),
        keywords: &["basic"],
        check: Check::BasicAuth,
    },
    Local {
        id: "url-password",
        regex: r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]+:([^@\s/]+)@",
        group: Group::Nth(1),
        keywords: &["://"],
        check: Check::None,
    },
    // `NAME=value`, `"name": "value"`, also inside a JSON string (`\"token\":\"value\"`).
    Local {
        id: "assignment",
        regex: r#"(?i)\b[A-Z0-9_.-]*(?:PASSWORD|PASSWD|PWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?)[A-Z0-9_]*\\?["']?\s*[=:]\s*(\\"[^"\n\\]*\\"|"[^"\n]*"|'[^'\n]*'|[^\s"'`&;,()\[\]{}<>\\]+)"#,
        group: Group::Nth(1),
        keywords: &["pass", "pwd", "secret", "token", "key", "credential"],
        check: Check::Value,
    },
    Local {
        id: "flag",
        regex: r"(?i)(?:^|\s)--?(?:password|passwd|token|api-key|apikey|secret)(?:=|\s+)([^\s]+)",
        group: Group::Nth(1),
        keywords: &["pass", "token", "api", "secret"],
        check: Check::Value,
    },
];
