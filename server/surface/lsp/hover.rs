//! `textDocument/hover`: what was learned about the name under the cursor — the one recall
//! answer (`knowledge::recall`, shared with `sessionlens recall` and MCP), rendered. Reads only;
//! `None` (no hover at all) wherever there is nothing to say.

use super::documents::Doc;
use super::guard::{guard, lock};
use super::session::Shared;
use super::workspace::{self, Links, Workspace};
use crate::knowledge::render;
use crate::knowledge::snapshot::Knowledge;
use std::path::PathBuf;
use tower_lsp::jsonrpc::Result as RpcResult;
use tower_lsp::lsp_types::{
    Hover, HoverContents, HoverParams, MarkupContent, MarkupKind, Position, Range,
};

/// At most this many insights in one hover; the rest are counted.
const SHOWN: usize = 5;

/// The request: the document, its workspace's links and the knowledge snapshot as they are now.
pub async fn request(shared: &Shared, params: HoverParams) -> RpcResult<Option<Hover>> {
    if !shared.settings().enabled {
        return Ok(None);
    }
    shared.wait_loaded().await;
    let p = params.text_document_position_params;
    let docs = lock(&shared.docs);
    let Some(doc) = docs.get(&p.text_document.uri).filter(|d| !d.excluded) else {
        return Ok(None);
    };
    let ws = doc.path.as_deref().and_then(|p| shared.workspace_of(p));
    let links = ws.as_ref().map(|w| w.links()).unwrap_or_default();
    let k = shared.knowledge();
    Ok(guard("hover", || {
        hover(doc, p.position, ws.as_deref(), &links, &k)
    })
    .flatten())
}

pub fn hover(
    doc: &Doc,
    pos: Position,
    ws: Option<&Workspace>,
    links: &Links,
    k: &Knowledge,
) -> Option<Hover> {
    let (mut name, mut range) = word_at(doc, pos)?;
    let mut ids = workspace::recall(ws, links, k, &name);
    if ids.is_empty() {
        // On the name of a definition that is not one word (a CSS rule's selector,
        // `.square.capture::before`): what is linked to that definition.
        let (def, at) = ws.and_then(|w| selector_at(doc, pos, w))?;
        ids = links.by_def.get(&def).cloned().unwrap_or_default();
        (name, range) = (def.1, at);
    }
    if ids.is_empty() {
        return None;
    }
    let list: Vec<&crate::insight::Insight> = ids.iter().take(SHOWN).map(|&n| k.get(n)).collect();
    let mut value = render::hover_markdown(&name, &list);
    if ids.len() > SHOWN {
        value.push_str(&format!(
            "\n_…and {} more: `sessionlens recall {name}`_\n",
            ids.len() - SHOWN
        ));
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range: Some(range),
    })
}

/// The definition whose name is under the cursor when that name is more than one identifier
/// (a CSS rule is named by its selectors): its key in the links, and its range.
fn selector_at(doc: &Doc, pos: Position, ws: &Workspace) -> Option<((PathBuf, String), Range)> {
    let rel = ws.rel(doc.path.as_deref()?)?;
    let index = ws.index.read().unwrap_or_else(|p| p.into_inner());
    let is_ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    index
        .definitions_in(&rel)
        .iter()
        .filter(|d| d.line == pos.line && !d.name.chars().all(is_ident))
        .find_map(|d| {
            let range = doc.lines.range(&doc.text, d.line, d.col, d.name.len());
            (range.start <= pos && pos <= range.end)
                .then(|| ((rel.clone(), d.name.to_string()), range))
        })
}

/// The identifier under (or just before) the cursor, and its range.
pub fn word_at(doc: &Doc, pos: Position) -> Option<(String, Range)> {
    let offset = doc.lines.offset(&doc.text, pos)?;
    let line_start = doc.lines.offset(&doc.text, Position::new(pos.line, 0))?;
    let line = doc.lines.line(&doc.text, pos.line)?;
    let at = offset - line_start;
    let is_ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    let start = line[..at]
        .char_indices()
        .rev()
        .take_while(|&(_, c)| is_ident(c))
        .last()
        .map_or(at, |(i, _)| i);
    let end = line[at..]
        .char_indices()
        .find(|&(_, c)| !is_ident(c))
        .map_or(line.len(), |(i, _)| at + i);
    let word = &line[start..end];
    if word.is_empty() || word.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        return None;
    }
    let range = Range::new(
        doc.lines.position(&doc.text, line_start + start),
        doc.lines.position(&doc.text, line_start + end),
    );
    Some((word.to_owned(), range))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_lsp::lsp_types::Url;

    #[test]
    fn finds_the_identifier_around_the_cursor() {
        let doc = Doc::new(
            Url::parse("file:///w/a.tsx").unwrap(),
            "  useEffect(() => {}, [dé_x]);\n".into(),
            1,
        );
        let (w, r) = word_at(&doc, Position::new(0, 5)).unwrap();
        assert_eq!(w, "useEffect");
        assert_eq!((r.start.character, r.end.character), (2, 11));
        // Right after the name still counts (cursor at the end of a word).
        assert_eq!(word_at(&doc, Position::new(0, 11)).unwrap().0, "useEffect");
        assert_eq!(word_at(&doc, Position::new(0, 24)).unwrap().0, "dé_x");
        assert!(word_at(&doc, Position::new(0, 14)).is_none());
        assert!(word_at(&doc, Position::new(5, 0)).is_none());
    }
}
