//! The briefing a new Codex or Claude Code session gets: what is still open in the workspace, what
//! was resolved lately and, given the developer's prompt, what they learned before about the
//! names and topics it mentions. Short plain markdown meant for a model (long memory files get
//! ignored and cost tokens), cut at whole bullets to a size budget, and empty when nothing is
//! relevant. Shared by `sessionlens context`, the managed block in `AGENTS.md` (Codex) and
//! `CLAUDE.md` (Claude Code), and the hooks (`codex-hook`, `claude-hook`).
//!
//! Pure but for resolving the workspace's symlinks once: insights, a workspace path, a prompt and
//! a clock in; text out.

use super::scope::Scope;
use super::text;
use crate::insight::{Insight, Kind, Status, topic};
use crate::normalize::text::{OWN_CONTEXT_END, OWN_CONTEXT_MARKER};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::Path;

/// An insight as a briefing reads it: its names and topic words for matching a prompt, and its
/// texts already cut to a bullet's lengths. Cached beside the insights (a tenth of their size),
/// so a hook decodes these and nothing else; dates stay timestamps, written in the reader's zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Brief {
    pub id: String,
    pub kind: Kind,
    pub status: Status,
    pub at: String,
    /// When it was closed, if it was.
    pub resolved_at: Option<String>,
    pub cwd: Option<String>,
    pub topic: String,
    /// [`Insight::names`], the topic first when it is one.
    pub names: Vec<String>,
    /// The topic's words when the topic is a phrase rather than a name.
    pub words: Vec<String>,
    /// The evidence on one line, cut for a bullet.
    pub text: String,
    /// The takeaway on one line, cut for a bullet.
    pub takeaway: Option<String>,
    /// The takeaway (else the evidence) cut for a short bullet.
    pub gist: String,
}

impl Brief {
    pub fn of(i: &Insight) -> Brief {
        let names: Vec<String> = i.names().map(str::to_owned).collect();
        let words = if names.first() == Some(&i.topic) {
            Vec::new()
        } else {
            topic::tokens(&i.topic).into_iter().collect()
        };
        Brief {
            id: i.id.clone(),
            kind: i.kind,
            status: i.status,
            at: i.at.clone(),
            resolved_at: i.resolved_by.as_ref().map(|r| r.at.clone()),
            cwd: i.cwd.clone(),
            topic: i.topic.clone(),
            names,
            words,
            text: text::one_line(&i.text, 120),
            takeaway: i.takeaway.as_deref().map(|t| text::one_line(t, 160)),
            gist: match &i.takeaway {
                Some(t) => text::one_line(t, 100),
                None => text::one_line(&i.text, 100),
            },
        }
    }

    /// Every insight's brief.
    pub fn all(insights: &[Insight]) -> Vec<Brief> {
        insights.iter().map(Brief::of).collect()
    }

    fn is_open_question(&self) -> bool {
        self.status == Status::Open
            && matches!(self.kind, Kind::Gap | Kind::Confusion | Kind::FollowUp)
    }
}

/// The default size budget of a briefing.
pub const DEFAULT_MAX_CHARS: usize = 2000;
/// The most a hook's `additionalContext` may ever hold, markers included, in UTF-8 bytes (so
/// never more characters): about 2,000 tokens. Codex spills a context over ~2,500 tokens to a
/// temp file and shows the model only a preview of it, and Claude Code does the same past
/// ~10,000 characters (a ~2 KB preview), so a briefing past that would mostly go unread. The
/// hook's own budget is the default briefing's, far below both: what the assistant is told on
/// every prompt costs the user tokens, so it stays short and targeted.
pub const HOOK_MAX_CHARS: usize = 8000;
/// How far back "recently resolved" reaches.
const RECENT_DAYS: i64 = 14;
/// The markers around the managed block in `AGENTS.md` and `CLAUDE.md` (readers cut its text out
/// of anything an assistant echoes back, like every context Session Lens hands out).
pub use crate::normalize::text::{AGENTS_MD_BEGIN as BEGIN, AGENTS_MD_END as END};
/// The managed block's size limit, markers included, in bytes.
pub const MANAGED_BLOCK_MAX: usize = 2048;

/// The briefing for a session in `workspace`. Without a prompt: the open gaps, confusions and
/// follow-ups of sessions run inside the workspace (newest first), then the ones resolved in the
/// last 14 days. With a prompt: only the insights (from any project, the workspace's own first)
/// whose names or topic words the prompt mentions, so a prompt about something else gets nothing.
///
/// `max_chars` is counted in UTF-8 bytes (so it bounds a file's size too, and never allows more
/// characters than that); whole bullets are dropped to fit. Empty when nothing is relevant.
pub fn briefing(
    insights: &[Brief],
    workspace: &Path,
    prompt: Option<&str>,
    max_chars: usize,
    now: jiff::Timestamp,
) -> String {
    // Sessions record whichever form of the folder their shell had: as given or resolved.
    let scope = Scope::new(workspace);
    let inside = |i: &Brief| i.cwd.as_deref().is_some_and(|c| scope.contains(c));
    let mut newest: Vec<&Brief> = insights.iter().collect();
    newest.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.id.cmp(&b.id)));

    let sections: Vec<(&str, Vec<String>)> = match prompt {
        Some(prompt) => {
            let words = PromptWords::new(prompt);
            let mut hits: Vec<&Brief> = newest
                .iter()
                .copied()
                .filter(|i| i.kind != Kind::Success || i.takeaway.is_some())
                .filter(|i| words.mentions(i))
                .collect();
            // Stable: the workspace's own first, each group newest first.
            hits.sort_by_key(|i| !inside(i));
            vec![(
                "Past learnings relevant to this prompt:",
                hits.iter().map(|i| brief_bullet(i)).collect(),
            )]
        }
        None => {
            let open = newest
                .iter()
                .filter(|i| inside(i) && i.is_open_question())
                .map(|i| brief_bullet(i))
                .collect();
            let since = now - jiff::SignedDuration::from_hours(24 * RECENT_DAYS);
            let resolved = newest
                .iter()
                .filter(|i| {
                    inside(i)
                        && i.status == Status::Resolved
                        && matches!(i.kind, Kind::Gap | Kind::Confusion | Kind::FollowUp)
                        && i.resolved_at.as_ref().is_some_and(|at| {
                            at.parse::<jiff::Timestamp>()
                                .is_ok_and(|t| t >= since && t <= now)
                        })
                })
                .map(|i| short_bullet(i))
                .collect();
            vec![
                ("Still open (newest first):", open),
                ("Recently resolved:", resolved),
            ]
        }
    };
    fit(sections, max_chars)
}

/// The briefing as a hook's `additionalContext`, for Codex and Claude Code alike: marked as
/// Session Lens's own and, markers included, within the default budget ([`DEFAULT_MAX_CHARS`],
/// far under Codex's spill threshold and Claude Code's ~10,000-character inline cap) and never
/// past [`HOOK_MAX_CHARS`]. Empty when nothing is relevant.
pub fn hook_context(
    insights: &[Brief],
    workspace: &Path,
    prompt: Option<&str>,
    now: jiff::Timestamp,
) -> String {
    let markers = OWN_CONTEXT_MARKER.len() + OWN_CONTEXT_END.len() + 2;
    let budget = DEFAULT_MAX_CHARS.min(HOOK_MAX_CHARS) - markers;
    let text = briefing(insights, workspace, prompt, budget, now);
    if text.is_empty() {
        return text;
    }
    own_context(&text)
}

/// `text` between [`OWN_CONTEXT_MARKER`] and [`OWN_CONTEXT_END`], each on a line of its own:
/// what an assistant is handed this way comes back in its transcript, and the markers let the
/// transcript's reader drop it rather than learn from its own echo. HTML comments, so invisible
/// in rendered markdown.
pub fn own_context(text: &str) -> String {
    let newline = if text.ends_with('\n') { "" } else { "\n" };
    format!("{OWN_CONTEXT_MARKER}\n{text}{newline}{OWN_CONTEXT_END}")
}

/// The briefing's first line; it names no assistant, since it goes to both and sessions come
/// from both.
const HEADING: &str = "## Session Lens: what this developer learned in past sessions\n";

/// The heading, then each section's title and as many of its bullets as fit in `max` bytes.
/// Empty when not one bullet fits.
fn fit(sections: Vec<(&str, Vec<String>)>, max: usize) -> String {
    let mut out = String::from(HEADING);
    let mut any = false;
    for (title, bullets) in sections {
        let mut titled = false;
        for b in bullets {
            let title_len = if titled { 0 } else { title.len() + 2 };
            if out.len() + title_len + b.len() > max {
                continue;
            }
            if !titled {
                out.push('\n');
                out.push_str(title);
                out.push('\n');
                titled = true;
            }
            out.push_str(&b);
            any = true;
        }
    }
    if any { out } else { String::new() }
}

/// `- `useEffect` (open question, Nov 18): the question → the takeaway`; a resolved one says
/// when: `(question, Nov 18, resolved Nov 23)`.
pub(crate) fn bullet(i: &Insight) -> String {
    brief_bullet(&Brief::of(i))
}

fn brief_bullet(i: &Brief) -> String {
    let asked = text::short_date(&i.at);
    let status = match (&i.status, &i.resolved_at) {
        (Status::Open, _) if i.is_open_question() => format!("open {}, {asked}", label(i.kind)),
        (Status::Open, _) => format!("{}, {asked}, open", label(i.kind)),
        (Status::Resolved, Some(at)) if i.kind != Kind::Success && i.kind != Kind::Decision => {
            format!(
                "{}, {asked}, resolved {}",
                label(i.kind),
                text::short_date(at)
            )
        }
        (Status::Resolved, _) => format!("{}, {asked}", label(i.kind)),
    };
    let mut s = format!("- {} ({status}): {}", text::code(&i.topic), i.text);
    if let Some(t) = &i.takeaway {
        s.push_str(" → ");
        s.push_str(t);
    }
    s.push('\n');
    s
}

/// `- `useEffect` (question, resolved Nov 23): the takeaway` — what was learned, briefly.
fn short_bullet(i: &Brief) -> String {
    let when = i
        .resolved_at
        .as_deref()
        .map(text::short_date)
        .unwrap_or_default();
    format!(
        "- {} ({}, resolved {when}): {}\n",
        text::code(&i.topic),
        label(i.kind),
        i.gist
    )
}

fn label(kind: Kind) -> &'static str {
    match kind {
        Kind::Gap => "question",
        Kind::Confusion => "confusion",
        Kind::Error => "error",
        Kind::Success => "success",
        Kind::FollowUp => "follow-up",
        Kind::Decision => "decision",
        Kind::Struggle => "struggle",
    }
}

/// What a prompt mentions: its identifier-like words (lower-cased) and its topic tokens.
struct PromptWords {
    words: BTreeSet<String>,
    exact: BTreeSet<String>,
    tokens: BTreeSet<String>,
}

impl PromptWords {
    fn new(prompt: &str) -> PromptWords {
        let exact: BTreeSet<String> = prompt
            .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect();
        PromptWords {
            words: exact.iter().map(|w| w.to_lowercase()).collect(),
            exact,
            tokens: topic::tokens(prompt),
        }
    }

    /// Whether the prompt names one of the insight's names (case-insensitively for names of four
    /// characters or more, so `app` in prose does not call up `App`), or every content word of
    /// its topic when that is a phrase (`Netlify deploy`).
    fn mentions(&self, i: &Brief) -> bool {
        let named = i.names.iter().any(|n| {
            self.exact.contains(n) || (n.len() >= 4 && self.words.contains(&n.to_lowercase()))
        });
        if named {
            return true;
        }
        // A topic that is itself a name (`useEffect`, `App`) matches only as a name.
        !i.words.is_empty() && i.words.iter().all(|w| self.tokens.contains(w))
    }
}

/// `existing` (an `AGENTS.md` or `CLAUDE.md`'s content, `None` when it does not exist) with the
/// managed block set to `briefing`: replaced in place when present, appended at the end
/// otherwise, removed when the briefing is empty. Every byte outside the block is kept.
/// `Ok(None)` when nothing changes.
pub fn managed_block(existing: Option<&str>, briefing: &str) -> anyhow::Result<Option<String>> {
    let block = if briefing.is_empty() {
        String::new()
    } else {
        let mut b = format!("{BEGIN}\n{briefing}");
        if !b.ends_with('\n') {
            b.push('\n');
        }
        b.push_str(END);
        b.push('\n');
        b
    };
    let old = existing.unwrap_or("");
    let new = match old.find(BEGIN) {
        Some(start) => {
            let Some(end_rel) = old[start..].find(END) else {
                anyhow::bail!("{BEGIN} without {END}; fix the block by hand");
            };
            let mut end = start + end_rel + END.len();
            if old[end..].starts_with("\r\n") {
                end += 2;
            } else if old[end..].starts_with('\n') {
                end += 1;
            }
            format!("{}{block}{}", &old[..start], &old[end..])
        }
        None if block.is_empty() => return Ok(None),
        None if old.is_empty() => block,
        None => {
            let sep = if old.ends_with("\n\n") {
                ""
            } else if old.ends_with('\n') {
                "\n"
            } else {
                "\n\n"
            };
            format!("{old}{sep}{block}")
        }
    };
    if existing == Some(new.as_str()) || (existing.is_none() && new.is_empty()) {
        return Ok(None);
    }
    Ok(Some(new))
}

/// The budget left for the briefing inside the managed block.
pub fn managed_block_budget() -> usize {
    MANAGED_BLOCK_MAX - BEGIN.len() - END.len() - 3
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::insight::{Anchors, Resolution};

    fn insight(id: &str, kind: Kind, topic: &str, at: &str, cwd: &str) -> Insight {
        Insight {
            id: id.into(),
            kind,
            topic: topic.into(),
            text: format!("what is {topic} doing here?\nsecond line"),
            ran: false,
            takeaway: Some(format!("{topic} runs after render.")),
            session: "s1".into(),
            turn: Some("t1".into()),
            at: at.into(),
            surface: "cli".into(),
            cwd: Some(cwd.into()),
            confidence: 0.9,
            status: Status::Open,
            resolved_by: None,
            evidence: vec![],
            anchors: Anchors::default(),
        }
    }

    fn resolved(mut i: Insight, at: &str) -> Insight {
        i.status = Status::Resolved;
        i.resolved_by = Some(Resolution {
            session: "s2".into(),
            turn: None,
            at: at.into(),
            how: "said they did it on their own".into(),
        });
        i
    }

    fn now() -> jiff::Timestamp {
        "2026-11-25T12:00:00Z".parse().unwrap()
    }

    fn sample() -> Vec<Insight> {
        vec![
            insight(
                "a",
                Kind::Gap,
                "useEffect",
                "2026-11-18T10:00:00Z",
                "/w/app",
            ),
            insight(
                "b",
                Kind::Confusion,
                "React Context",
                "2026-11-21T10:00:00Z",
                "/w/app",
            ),
            resolved(
                insight("c", Kind::Gap, "props", "2026-11-19T10:00:00Z", "/w/app"),
                "2026-11-23T10:00:00Z",
            ),
            resolved(
                insight(
                    "d",
                    Kind::Gap,
                    "loc vs iloc",
                    "2026-09-01T10:00:00Z",
                    "/w/app",
                ),
                "2026-09-02T10:00:00Z",
            ),
            insight(
                "e",
                Kind::Gap,
                "DataFrame index",
                "2026-11-22T10:00:00Z",
                "/other",
            ),
            insight(
                "f",
                Kind::Gap,
                "useEffect",
                "2026-11-24T10:00:00Z",
                "/other",
            ),
        ]
    }

    #[test]
    fn workspace_briefing_lists_open_newest_first_then_recently_resolved() {
        let b = briefing(&Brief::all(&sample()), Path::new("/w"), None, 2000, now());
        assert!(b.starts_with("## Session Lens"), "{b}");
        let ctx = b.find("`React Context` (open confusion, Nov 21)").unwrap();
        let eff = b.find("`useEffect` (open question, Nov 18)").unwrap();
        assert!(ctx < eff, "{b}");
        assert!(b.contains(": what is useEffect doing here? … → useEffect runs after render."));
        assert!(b.contains(
            "Recently resolved:\n- `props` (question, resolved Nov 23): props runs after render.\n"
        ));
        assert!(!b.contains("iloc"), "resolved too long ago: {b}");
        assert!(!b.contains("DataFrame"), "another workspace's: {b}");
        assert_eq!(b.matches("useEffect`").count(), 1, "{b}");
    }

    #[test]
    fn a_prompt_gets_only_what_it_mentions_the_workspace_s_own_first() {
        let all = sample();
        let b = briefing(
            &Brief::all(&all),
            Path::new("/w"),
            Some("my USEEFFECT fires twice"),
            2000,
            now(),
        );
        let lines: Vec<&str> = b.lines().filter(|l| l.starts_with("- ")).collect();
        assert_eq!(lines.len(), 2, "{b}");
        assert!(
            lines[0].contains("Nov 18"),
            "the workspace's own first: {b}"
        );
        assert!(lines[1].contains("Nov 24"), "{b}");
        let b = briefing(
            &Brief::all(&all),
            Path::new("/w"),
            Some("How do I set a dataframe's index in pandas?"),
            2000,
            now(),
        );
        assert!(
            b.contains("`DataFrame index`"),
            "topic words, any project: {b}"
        );
        let none = briefing(
            &Brief::all(&all),
            Path::new("/w"),
            Some("write a rust cli that parses csv"),
            2000,
            now(),
        );
        assert_eq!(none, "");
        assert_eq!(briefing(&[], Path::new("/w"), None, 2000, now()), "");
    }

    #[test]
    fn short_names_match_only_with_their_case() {
        let mut i = insight("a", Kind::Gap, "App", "2026-11-18T10:00:00Z", "/w");
        i.anchors.identifiers = vec!["App".into()];
        let all = vec![i];
        let p = |t: &str| briefing(&Brief::all(&all), Path::new("/w"), Some(t), 2000, now());
        assert_eq!(p("my app is slow"), "");
        assert!(!p("why does App re-render").is_empty());
    }

    #[test]
    fn a_topic_is_inline_code_whatever_backticks_it_holds() {
        let i = insight(
            "a",
            Kind::Gap,
            "`loc` vs `iloc`",
            "2026-11-18T10:00:00Z",
            "/w",
        );
        let b = bullet(&i);
        assert!(
            b.starts_with("- `` `loc` vs `iloc` `` (open question, Nov 18): "),
            "{b}"
        );
    }

    #[test]
    fn the_budget_cuts_whole_bullets() {
        let all = sample();
        let full = briefing(&Brief::all(&all), Path::new("/w"), None, 10_000, now());
        for max in [0, 60, 150, 200, 300, 400, full.len()] {
            let b = briefing(&Brief::all(&all), Path::new("/w"), None, max, now());
            assert!(b.len() <= max, "{max}: {b}");
            for line in b.lines().filter(|l| l.starts_with("- ")) {
                assert!(full.lines().any(|f| f == line), "cut mid-bullet: {line}");
            }
        }
        assert_eq!(
            briefing(&Brief::all(&all), Path::new("/w"), None, 60, now()),
            ""
        );
    }

    /// `n` open questions in `/w`, on topics `topic0`, `topic1`, …
    fn open_gaps(n: usize) -> Vec<Insight> {
        (0..n)
            .map(|n| {
                insight(
                    &format!("i{n}"),
                    Kind::Gap,
                    &format!("topic{n}"),
                    "2026-11-18T10:00:00Z",
                    "/w",
                )
            })
            .collect()
    }

    #[test]
    fn hook_context_is_marked_and_fits_under_codex_s_spill_threshold() {
        let all = open_gaps(300);
        let c = hook_context(&Brief::all(&all), Path::new("/w"), None, now());
        assert!(
            c.starts_with(&format!("{OWN_CONTEXT_MARKER}\n## Session Lens")),
            "{c}"
        );
        assert!(c.ends_with(&format!("\n{OWN_CONTEXT_END}")), "{c}");
        assert!(
            c.len() <= DEFAULT_MAX_CHARS && c.len() > DEFAULT_MAX_CHARS - 300,
            "{}",
            c.len()
        );
        assert!(crate::normalize::text::strip_own_context(&c).is_empty());
        assert_eq!(hook_context(&[], Path::new("/w"), None, now()), "");
    }

    #[test]
    fn the_managed_block_is_created_replaced_appended_and_removed() {
        let b = "## Session Lens\n- `x` (open question, Nov 18): q\n";
        let created = managed_block(None, b).unwrap().unwrap();
        assert_eq!(created, format!("{BEGIN}\n{b}{END}\n"));
        assert_eq!(
            managed_block(Some(&created), b).unwrap(),
            None,
            "idempotent"
        );

        let user = "# My rules\n\nUse tabs.";
        let appended = managed_block(Some(user), b).unwrap().unwrap();
        assert!(appended.starts_with("# My rules\n\nUse tabs.\n\n<!--"));
        let around = format!("{appended}\n## More of mine\n");
        let replaced = managed_block(Some(&around), "## Session Lens\n- other\n")
            .unwrap()
            .unwrap();
        assert!(replaced.starts_with("# My rules\n\nUse tabs.\n\n<!--"));
        assert!(replaced.ends_with(&format!("- other\n{END}\n\n## More of mine\n")));
        assert_eq!(
            managed_block(Some(&replaced), "## Session Lens\n- other\n").unwrap(),
            None
        );

        let removed = managed_block(Some(&around), "").unwrap().unwrap();
        assert_eq!(removed, "# My rules\n\nUse tabs.\n\n\n## More of mine\n");
        assert_eq!(managed_block(Some(user), "").unwrap(), None);
        assert_eq!(managed_block(None, "").unwrap(), None);
        assert!(managed_block(Some(&format!("x\n{BEGIN}\n")), b).is_err());
    }

    #[test]
    fn the_managed_block_fits_its_limit() {
        let all = open_gaps(100);
        let b = briefing(
            &Brief::all(&all),
            Path::new("/w"),
            None,
            managed_block_budget(),
            now(),
        );
        let block = managed_block(None, &b).unwrap().unwrap();
        assert!(block.len() <= MANAGED_BLOCK_MAX, "{}", block.len());
        assert!(block.len() > MANAGED_BLOCK_MAX - 300);
    }
}
