//! Markdown shared by the faces: what a hover shows is exactly what `sessionlens recall` prints,
//! so the editor's text can be tested and scripted from the command line.

use super::text;
use crate::insight::{Insight, Kind, Status};

/// The hover text for a symbol: each insight's kind, topic, date and surface, the question as
/// asked (the command as run, or who noted it), the takeaway and the status, newest first. Empty
/// when there is nothing to say. A takeaway already shown above (a failed build and the pass that
/// fixed it share their turn's answer) is not said twice.
pub fn hover_markdown(symbol: &str, insights: &[&Insight]) -> String {
    if insights.is_empty() {
        return String::new();
    }
    let mut s = format!("**Session Lens** · `{symbol}`\n\n");
    let mut said: Vec<String> = Vec::new();
    for i in insights {
        let date = text::local_minute(&i.at);
        let day = date.split(' ').next().unwrap_or(&date);
        s.push_str(&format!(
            "- **{}** · {} · {} in {}\n",
            text::kind_label(i.kind),
            i.topic,
            day,
            text::surface(&i.surface)
        ));
        if i.ran {
            s.push_str(&format!(
                "  - ran: {}\n",
                text::code(&text::one_line(&i.text, 160))
            ));
        } else if i.is_noted() {
            // Written down as a learning: no question to quote; the text says who noted it.
            s.push_str(&format!("  - {}\n", text::one_line(&i.text, 160)));
        } else if i.kind == Kind::Struggle {
            // What the developer reported when it did not work: not a question.
            s.push_str(&format!(
                "  - you said: “{}”\n",
                text::one_line(&i.text, 160)
            ));
        } else {
            s.push_str(&format!("  - asked: “{}”\n", text::one_line(&i.text, 160)));
        }
        if let Some(t) = i.takeaway.as_deref().map(|t| new_part(t, &said)) {
            if !t.is_empty() {
                s.push_str(&format!("  - takeaway: {}\n", text::one_line(t, 240)));
            }
        }
        if let Some(t) = &i.takeaway {
            said.push(t.trim().to_owned());
        }
        match (&i.status, &i.resolved_by) {
            (Status::Open, _) => s.push_str("  - status: open\n"),
            (Status::Resolved, Some(r)) => s.push_str(&format!(
                "  - status: resolved {} ({})\n",
                text::local_minute(&r.at).split(' ').next().unwrap_or(""),
                r.how
            )),
            (Status::Resolved, None) => s.push_str("  - status: resolved\n"),
        }
    }
    s
}

/// What `takeaway` adds to the takeaways already `said`: all of it, or the part before one of
/// them it ends with ("Fixed in the same turn; `npm run build` then passed." + the pass's own).
fn new_part<'a>(takeaway: &'a str, said: &[String]) -> &'a str {
    let t = takeaway.trim();
    said.iter()
        .filter(|s| !s.is_empty())
        .find_map(|s| t.strip_suffix(s.as_str()))
        .map_or(t, str::trim_end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_takeaway_already_said_is_not_said_again() {
        let said = vec!["The build passes now.".to_owned()];
        assert_eq!(
            new_part("Fixed in the same turn. The build passes now.", &said),
            "Fixed in the same turn."
        );
        assert_eq!(new_part("The build passes now.", &said), "");
        assert_eq!(new_part("Something else.", &said), "Something else.");
        assert_eq!(new_part("Something else.", &[]), "Something else.");
    }
}
