//! Quiet hints on the uses of names the developer still has an open question about, so the gap
//! is visible where it matters and disappears once it is resolved. Severity Hint unless the
//! settings say otherwise; nothing at all where no question is open.

use super::documents::Doc;
use super::workspace::{Links, Workspace};
use crate::knowledge::recall::{self, Here};
use crate::knowledge::snapshot::Knowledge;
use crate::knowledge::text;
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use tower_lsp::lsp_types::{Diagnostic, DiagnosticSeverity, NumberOrString};

/// Enough to be seen, never a wall of squiggles.
const MAX_PER_FILE: usize = 50;

pub const SOURCE: &str = "sessionlens";

pub fn for_doc(
    doc: &Doc,
    rel: &Path,
    ws: &Workspace,
    links: &Links,
    k: &Knowledge,
    severity: DiagnosticSeverity,
) -> Vec<Diagnostic> {
    let index = ws.index.read().unwrap_or_else(|p| p.into_inner());
    let here = Here {
        index: &index,
        links,
    };
    // Per name, the newest open question about it (None: nothing open).
    let mut open: HashMap<&str, Option<u32>> = HashMap::new();
    let mut lines_done: HashSet<u32> = HashSet::new();
    let mut out = Vec::new();
    for r in index.references_in(rel) {
        if out.len() >= MAX_PER_FILE {
            break;
        }
        // What a hover on the name would show of the name itself (the recall rule), open.
        let found = *open.entry(r.name.as_str()).or_insert_with(|| {
            recall::itself(k, Some(here), &r.name)
                .into_iter()
                .find(|&n| k.get(n).is_open_question())
        });
        let Some(n) = found else { continue };
        if !lines_done.insert(r.line) {
            continue;
        }
        let i = k.get(n);
        out.push(Diagnostic {
            range: doc.lines.range(&doc.text, r.line, r.col, r.name.len()),
            severity: Some(severity),
            code: Some(NumberOrString::String("open-gap".into())),
            code_description: None,
            source: Some(SOURCE.into()),
            message: format!(
                "Open question ({}): “{}” — hover for what you learned",
                text::short_date(&i.at),
                text::one_line(&i.text, 100)
            ),
            related_information: None,
            tags: None,
            data: Some(json!({ "insight": i.id })),
        });
    }
    out
}
