//! How Session Lens writes text for people, one way for every face: local times and UTC dates,
//! durations and sizes, short ids, one-line excerpts, text clipped at a word, and text made safe
//! in markdown. Everything that shortens text counts and cuts characters, never bytes, so no cut
//! can split a character.

use crate::insight::Kind;
use jiff::{Timestamp, Zoned, tz::TimeZone};

/// Where a session ran, as a person says it: the surface name a reader recorded (`vscode`,
/// `cli`, `exec`, …), except the assistants whose names read better spelled out.
pub fn surface(name: &str) -> &str {
    match name {
        "claude" => "Claude Code",
        other => other,
    }
}

/// An insight's kind as a word: `gap`, `confusion`, `follow-up`…
pub fn kind_label(kind: Kind) -> &'static str {
    match kind {
        Kind::FollowUp => "follow-up",
        k => k.as_str(),
    }
}

/// `2026-04-15 18:46` in the local time zone; the input as-is when it is not a timestamp.
pub fn local_minute(at: &str) -> String {
    format_local(at, "%Y-%m-%d %H:%M")
}

/// `Nov 18` in the local time zone, as lenses and hovers say it.
pub fn short_date(at: &str) -> String {
    format_local(at, "%b %-d")
}

/// `18:46:36` in the local time zone.
pub fn local_time(at: &str) -> String {
    format_local(at, "%H:%M:%S")
}

fn format_local(at: &str, pattern: &str) -> String {
    match at.parse::<Timestamp>() {
        Ok(ts) => ts
            .to_zoned(TimeZone::system())
            .strftime(pattern)
            .to_string(),
        Err(_) => at.to_owned(),
    }
}

/// A timestamp in UTC, for text that must read the same on every machine (the journal); `None`
/// when it is not a timestamp.
pub fn utc(at: &str) -> Option<Zoned> {
    at.parse::<Timestamp>()
        .ok()
        .map(|t| t.to_zoned(TimeZone::UTC))
}

/// The first `n` characters of `text` (all of it when shorter).
pub fn prefix(text: &str, n: usize) -> &str {
    match text.char_indices().nth(n) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

/// Whitespace runs, newlines included, collapsed to one space.
pub fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first line of `text` that is not blank, trimmed.
pub fn first_line(text: &str) -> &str {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("")
}

/// The first line of `text`, cut to `width` characters with an ellipsis; ` …` says more lines
/// follow.
pub fn one_line(text: &str, width: usize) -> String {
    let line = first_line(text);
    let more_lines = text.lines().filter(|l| !l.trim().is_empty()).count() > 1;
    if line.chars().count() > width {
        format!("{}…", prefix(line, width.saturating_sub(1)))
    } else if more_lines {
        format!("{line} …")
    } else {
        line.to_owned()
    }
}

/// `text` on one line, at most about `max` characters, cut at a word with an ellipsis. A code
/// span the cut leaves open is closed.
pub fn clip(text: &str, max: usize) -> String {
    let flat = collapse(text);
    if flat.chars().count() <= max {
        return flat;
    }
    let head = prefix(&flat, max.saturating_sub(1));
    let cut = match head.rfind(' ') {
        Some(i) if i >= head.len() / 2 => &head[..i],
        _ => head,
    };
    let mut out = cut
        .trim_end_matches(|c: char| matches!(c, ',' | ';' | ':' | '—' | '-') || c.is_whitespace())
        .to_owned();
    if out.matches('`').count() % 2 == 1 {
        out.push('`');
    }
    out.push('…');
    out
}

/// The shortest prefix (at least 8 characters) that tells each id apart from the others.
pub fn short_ids(ids: &[&str]) -> Vec<String> {
    ids.iter()
        .map(|id| {
            let mut n = 8;
            loop {
                let p = prefix(id, n);
                if p.len() == id.len() || !ids.iter().any(|o| o != id && o.starts_with(p)) {
                    return p.to_owned();
                }
                n += 1;
            }
        })
        .collect()
}

/// Text as markdown inline code, on one line, whatever backticks it holds.
pub fn code(text: &str) -> String {
    let t = collapse(text);
    if t.contains('`') {
        format!("`` {} ``", t.replace("``", "` `"))
    } else {
        format!("`{t}`")
    }
}

/// The developer's text as markdown prose: `<` outside code spans is escaped so that
/// `Vec<String>` or `<App/>` is not swallowed as HTML by a renderer.
pub fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_code = false;
    for c in text.chars() {
        match c {
            '`' => {
                in_code = !in_code;
                out.push(c);
            }
            '<' if !in_code => out.push_str("\\<"),
            _ => out.push(c),
        }
    }
    out
}

/// `1.2 s`, `340 ms`, `2 min 5 s`.
pub fn duration(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        format!("{:.1} s", ms as f64 / 1000.0)
    } else {
        format!("{} min {} s", ms / 60_000, (ms % 60_000) / 1000)
    }
}

/// `2.1 MB`.
pub fn bytes(n: u64) -> String {
    if n >= 1_000_000 {
        format!("{:.1} MB", n as f64 / 1e6)
    } else if n >= 1000 {
        format!("{:.1} kB", n as f64 / 1e3)
    } else {
        format!("{n} B")
    }
}

/// `path` relative to `base` when inside it.
pub fn relative<'a>(path: &'a str, base: Option<&str>) -> &'a str {
    match base {
        Some(b) if !b.is_empty() => path
            .strip_prefix(b)
            .and_then(|r| r.strip_prefix('/'))
            .filter(|r| !r.is_empty())
            .unwrap_or(path),
        _ => path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_ids_stay_unique_and_whole_characters() {
        let ids = ["019aad50-aaaa", "019aad50-bbbb", "12345678-x"];
        assert_eq!(
            short_ids(&ids),
            vec!["019aad50-a", "019aad50-b", "12345678"]
        );
        assert_eq!(
            short_ids(&["01a2092e-45", "01a2092e-ed", "t1"]),
            ["01a2092e-4", "01a2092e-e", "t1"]
        );
        // Counted in characters: the eighth byte falls inside a character here.
        assert_eq!(
            short_ids(&["aééééééé-1", "aééééééé-2", "aéé"]),
            ["aééééééé-1", "aééééééé-2", "aéé"]
        );
    }

    #[test]
    fn one_line_cuts_and_marks_more() {
        assert_eq!(one_line("abcdef", 4), "abc…");
        assert_eq!(one_line("\nfirst\nsecond", 40), "first …");
        assert_eq!(one_line("  éèêë  \n", 3), "éè…");
        assert_eq!(relative("/r/src/a.ts", Some("/r")), "src/a.ts");
        assert_eq!(relative("/x/a.ts", Some("/r")), "/x/a.ts");
    }

    #[test]
    fn text_is_clipped_at_words_and_kept_on_one_line() {
        assert_eq!(clip("one two three four", 12), "one two…");
        assert_eq!(clip("one\n two  three", 40), "one two three");
        assert_eq!(clip("see `useEffect` cleanup now", 12), "see `useEff`…");
        assert_eq!(clip("ééééé ééééé", 8), "ééééé…");
        assert_eq!(prefix("aéb", 2), "aé");
        assert_eq!(prefix("aéb", 9), "aéb");
        assert_eq!(
            plain("why <App/> and `Vec<T>`"),
            "why \\<App/> and `Vec<T>`"
        );
        assert_eq!(code("echo `date`"), "`` echo `date` ``");
        assert_eq!(code("a\n  b"), "`a b`");
    }
}
