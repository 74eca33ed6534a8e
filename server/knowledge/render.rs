//! Markdown shared by the faces: what a hover shows is exactly what `sessionlens recall` prints,
//! so the editor's text can be tested and scripted from the command line.

use super::text;
use crate::insight::{Insight, Kind, Status};

/// The hover text for a symbol: each insight's kind, topic, date and surface, the question as
/// asked (or who noted it), the takeaway and the status, newest first. Empty when there is nothing to say.
pub fn hover_markdown(symbol: &str, insights: &[&Insight]) -> String {
    if insights.is_empty() {
        return String::new();
    }
    let mut s = format!("**Session Lens** · `{symbol}`\n\n");
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
        if i.is_noted() {
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
        if let Some(t) = &i.takeaway {
            s.push_str(&format!("  - takeaway: {}\n", text::one_line(t, 240)));
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
