//! The shape of one secret rule as the redactor's two tables declare it — the vendored gitleaks
//! rules (`gitleaks.rs`, generated) and Session Lens's own (`local.rs`) — kept apart from the
//! engine in `mod.rs` so the tables depend on nothing but this file. Plain static data: nothing
//! here compiles or runs a regex.

/// Which part of a rule's match is the secret: what the checks look at and what is replaced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Group {
    /// gitleaks' default: the first capture group that matched something, else the whole match.
    First,
    /// This capture group.
    Nth(usize),
    /// The whole match, whatever groups the regex has.
    Whole,
}

/// What an allowlist's regexes are tried on (gitleaks' `regexTarget`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// The secret (the default).
    Secret,
    /// The rule's whole match.
    Match,
    /// The line(s) the match is on.
    Line,
}

/// One of a vendored rule's allowlists: a finding is no secret when one regex matches its target
/// or its secret (lowercased) contains one stopword.
pub(crate) struct Allow {
    pub target: Target,
    pub regexes: &'static [&'static str],
    pub stopwords: &'static [&'static str],
}

/// A rule vendored from gitleaks, with gitleaks' meaning: considered only when the text contains
/// one of its keywords (ASCII case-insensitively), a finding only when the secret's Shannon
/// entropy is above `entropy` (when not 0) and no allowlist, the global one included, holds.
pub(crate) struct Vendored {
    pub id: &'static str,
    /// RE2 syntax as gitleaks ships it, after `regen.py`'s translation (bare `{` escaped).
    pub regex: &'static str,
    pub group: Group,
    pub entropy: f64,
    /// Lowercase. Empty: the rule is tried on every text.
    pub keywords: &'static [&'static str],
    pub allow: &'static [Allow],
}

/// What a local rule asks of its secret before it counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Check {
    /// Every match is a secret.
    None,
    /// An assigned value: not a number, a variable reference, a placeholder or a keyword.
    Value,
    /// The base64 of `user:password` (an HTTP Basic credential).
    BasicAuth,
}

/// One of Session Lens's own rules: shapes gitleaks has no rule for, or matches too narrowly for
/// text that is cut and wrapped (an output's excerpt, a JSON string inside a command line).
pub(crate) struct Local {
    pub id: &'static str,
    /// Rust regex syntax, compiled like the vendored ones (bytes, ASCII classes).
    pub regex: &'static str,
    pub group: Group,
    /// Lowercase; at least one (a local rule is never tried on every text).
    pub keywords: &'static [&'static str],
    pub check: Check,
}
