//! Human-readable formatting for the CLI: local times, short ids, one-line excerpts.

use jiff::{Timestamp, tz::TimeZone};

/// Where a session ran, as a person says it: the surface name a reader recorded (`vscode`,
/// `cli`, `exec`, …), except the assistants whose names read better spelled out.
pub fn surface(name: &str) -> &str {
    match name {
        "claude" => "Claude Code",
        other => other,
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

/// The first line of `text`, cut to `width` characters with an ellipsis.
pub fn one_line(text: &str, width: usize) -> String {
    let line = text
        .trim()
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    let more_lines = text.trim().lines().filter(|l| !l.trim().is_empty()).count() > 1;
    let count = line.chars().count();
    if count > width {
        let cut: String = line.chars().take(width.saturating_sub(1)).collect();
        format!("{cut}…")
    } else if more_lines {
        format!("{line} …")
    } else {
        line.to_owned()
    }
}

/// The shortest prefix (at least 8 characters) that tells each id apart from the others.
pub fn short_ids(ids: &[&str]) -> Vec<String> {
    ids.iter()
        .map(|id| {
            let mut n = 8.min(id.len());
            while n < id.len() && ids.iter().any(|o| o != id && o.starts_with(&id[..n])) {
                n += 1;
            }
            id[..n].to_owned()
        })
        .collect()
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
    fn short_ids_stay_unique() {
        let ids = ["019aad50-aaaa", "019aad50-bbbb", "12345678-x"];
        assert_eq!(
            short_ids(&ids),
            vec!["019aad50-a", "019aad50-b", "12345678"]
        );
    }

    #[test]
    fn one_line_cuts_and_marks_more() {
        assert_eq!(one_line("abcdef", 4), "abc…");
        assert_eq!(one_line("\nfirst\nsecond", 40), "first …");
        assert_eq!(relative("/r/src/a.ts", Some("/r")), "src/a.ts");
        assert_eq!(relative("/x/a.ts", Some("/r")), "/x/a.ts");
    }
}
