//! Text helpers shared by every source: size caps that keep the head and the tail (where compilers
//! and test runners put the summary), cut on character boundaries.

/// Longest output excerpt kept for a command, in bytes.
pub const OUTPUT_CAP: usize = 4096;
/// Longest diff text kept per changed file, in bytes.
pub const DIFF_CAP: usize = 8192;

/// Opens every text Session Lens hands to an assistant (hook context, MCP answers, the
/// AGENTS.md block), and [`OWN_CONTEXT_END`] closes it. Assistants write such context back into
/// their transcripts; readers drop what lies between the two, so a learning never feeds on its
/// own echo.
pub const OWN_CONTEXT_MARKER: &str = "<!-- sessionlens:context -->";
/// Closes a text opened by [`OWN_CONTEXT_MARKER`].
pub const OWN_CONTEXT_END: &str = "<!-- /sessionlens:context -->";
/// Open and close the block Session Lens manages in a project's `AGENTS.md`.
pub const AGENTS_MD_BEGIN: &str = "<!-- sessionlens:begin -->";
pub const AGENTS_MD_END: &str = "<!-- sessionlens:end -->";

/// `text` without the parts Session Lens itself wrote: between [`OWN_CONTEXT_MARKER`] and
/// [`OWN_CONTEXT_END`] or [`AGENTS_MD_BEGIN`] and [`AGENTS_MD_END`], or to the end when the
/// closing marker is missing.
pub fn strip_own_context(text: &str) -> std::borrow::Cow<'_, str> {
    let pairs = [
        (OWN_CONTEXT_MARKER, OWN_CONTEXT_END),
        (AGENTS_MD_BEGIN, AGENTS_MD_END),
    ];
    if !pairs.iter().any(|(open, _)| text.contains(open)) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut text = text.to_owned();
    for (open, close) in pairs {
        let mut out = String::with_capacity(text.len());
        let mut rest = text.as_str();
        while let Some(start) = rest.find(open) {
            out.push_str(&rest[..start]);
            let after = &rest[start + open.len()..];
            rest = match after.find(close) {
                Some(end) => &after[end + close.len()..],
                None => "",
            };
        }
        out.push_str(rest);
        text = out;
    }
    std::borrow::Cow::Owned(text)
}

/// Keeps `text` whole when it fits in `cap` bytes; otherwise its head and tail with a marker saying
/// how much was elided.
pub fn excerpt(text: &str, cap: usize) -> String {
    if text.len() <= cap {
        return text.to_owned();
    }
    let half = cap / 2;
    let head_end = floor_char_boundary(text, half);
    let tail_start = ceil_char_boundary(text, text.len() - half);
    let elided = tail_start - head_end;
    format!(
        "{}\n… [{elided} bytes elided] …\n{}",
        &text[..head_end],
        &text[tail_start..]
    )
}

/// Keeps the head of `text` up to `cap` bytes.
pub fn truncate(text: &str, cap: usize) -> String {
    if text.len() <= cap {
        return text.to_owned();
    }
    let end = floor_char_boundary(text, cap);
    format!("{}\n… [{} bytes elided]", &text[..end], text.len() - end)
}

/// Keeps a diff (or a new file's text) whole when it fits in `cap` bytes; otherwise its head and,
/// from the rest, the outline: the lines that start a top-level item (no indentation after the
/// diff marker: `+export function makeMove(game, move) {`, `+def main():`), as many as fit. What a
/// long change defined is in its outline, wherever in the file it was written.
pub fn diff_excerpt(diff: &str, cap: usize) -> String {
    if diff.len() <= cap {
        return diff.to_owned();
    }
    let head_end = floor_char_boundary(diff, cap * 3 / 4);
    // Cut the head at a line end, so the outline starts on a line of its own.
    let head_end = diff[..head_end].rfind('\n').map_or(head_end, |i| i + 1);
    let mut out = String::with_capacity(cap + 64);
    out.push_str(&diff[..head_end]);
    let mut kept = 0;
    for line in diff[head_end..].lines() {
        let body = line
            .strip_prefix(['+', '-', ' '])
            .filter(|_| !line.starts_with("+++") && !line.starts_with("---"))
            .unwrap_or(line);
        let top_level = body.starts_with(|c: char| !c.is_whitespace())
            && body.chars().any(char::is_alphanumeric)
            && !line.starts_with(' ');
        if !top_level || line.starts_with("@@") {
            continue;
        }
        if out.len() + line.len() + 1 > cap {
            break;
        }
        out.push_str(line);
        out.push('\n');
        kept += line.len() + 1;
    }
    let elided = diff.len() - head_end - kept;
    out.push_str(&format!(
        "… [{elided} bytes elided; their top-level lines kept]"
    ));
    out
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char_boundary(s: &str, mut i: usize) -> usize {
    while i < s.len() && !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_diff_keeps_its_head_and_the_outline_of_the_rest() {
        let mut diff = String::new();
        for f in 0..40 {
            diff.push_str(&format!("+export function f{f}(a) {{\n"));
            for l in 0..5 {
                diff.push_str(&format!("+  const x{l} = a * {f};\n"));
            }
            diff.push_str("+}\n");
        }
        diff.push_str(" context\n-removed_top_level()\n");
        assert!(diff.len() > 4096);
        let cut = diff_excerpt(&diff, 4096);
        assert!(cut.len() <= 4096 + 64, "{}", cut.len());
        assert!(cut.starts_with("+export function f0(a) {\n"));
        // Every definition past the head is still named, none of the bodies are.
        assert!(cut.contains("+export function f39(a) {\n"), "{cut}");
        assert!(cut.contains("-removed_top_level()\n"), "{cut}");
        let outline = &cut[cut.find("+export function f39").unwrap() - 200..];
        assert!(!outline.contains("const x"), "{cut}");
        assert!(cut.ends_with("their top-level lines kept]"));
        assert_eq!(diff_excerpt("+short\n", 1024), "+short\n");
    }

    #[test]
    fn short_text_is_kept_whole() {
        assert_eq!(excerpt("abc", 10), "abc");
    }

    #[test]
    fn own_context_is_cut_out_wherever_it_stands() {
        assert_eq!(strip_own_context("plain"), "plain");
        let t = format!("before {OWN_CONTEXT_MARKER}ours{OWN_CONTEXT_END} after");
        assert_eq!(strip_own_context(&t), "before  after");
        let open = format!("mine\n{OWN_CONTEXT_MARKER}\nours, never closed");
        assert_eq!(strip_own_context(&open), "mine\n");
        let block = format!("{AGENTS_MD_BEGIN}\n- a gap\n{AGENTS_MD_END}\nand my question");
        assert_eq!(strip_own_context(&block), "\nand my question");
    }

    #[test]
    fn long_text_keeps_head_and_tail_on_char_boundaries() {
        let text = "é".repeat(100); // 200 bytes
        let out = excerpt(&text, 41);
        assert!(out.starts_with("éééé"));
        assert!(out.ends_with("éééé"));
        assert!(out.contains("bytes elided"));
        let t = truncate(&text, 5);
        assert!(t.starts_with("éé\n"));
    }
}
