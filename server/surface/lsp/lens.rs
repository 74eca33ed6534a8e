//! `textDocument/codeLens`: a line above each definition the developer struggled with — linked
//! questions, confusions and failed commands, or heavy rewriting seen in the editor — and nothing
//! anywhere else. Reads only.

use super::documents::Doc;
use super::guard::{guard, lock};
use super::session::Shared;
use super::workspace::{Links, Workspace};
use crate::insight::Kind;
use crate::insight::struggle::{self, Churn};
use crate::knowledge::snapshot::Knowledge;
use crate::knowledge::text;
use serde_json::json;
use std::collections::HashSet;
use std::path::Path;
use tower_lsp::jsonrpc::Result as RpcResult;
use tower_lsp::lsp_types::{CodeLens, CodeLensParams, Command};

/// The command a lens runs: the details behind it.
pub const SHOW_COMMAND: &str = <super::protocol::ShowInsights as super::protocol::Request>::NAME;

/// The request: the document's definitions, its workspace's links and the knowledge snapshot
/// as they are now.
pub async fn request(shared: &Shared, params: CodeLensParams) -> RpcResult<Option<Vec<CodeLens>>> {
    let settings = shared.settings();
    if !settings.enabled || !settings.lenses {
        return Ok(None);
    }
    shared.wait_loaded().await;
    let uri = params.text_document.uri;
    let docs = lock(&shared.docs);
    let Some(doc) = docs.get(&uri).filter(|d| !d.excluded) else {
        return Ok(None);
    };
    let Some(path) = doc.path.as_deref() else {
        return Ok(None);
    };
    let Some(ws) = shared.workspace_of(path) else {
        return Ok(None);
    };
    let Some(rel) = ws.rel(path) else {
        return Ok(None);
    };
    let k = shared.knowledge();
    let lenses = guard("codeLens", || lenses(doc, &rel, &ws, &ws.links(), &k)).unwrap_or_default();
    Ok((!lenses.is_empty()).then_some(lenses))
}

pub fn lenses(
    doc: &Doc,
    rel: &Path,
    ws: &Workspace,
    links: &Links,
    k: &Knowledge,
) -> Vec<CodeLens> {
    let index = ws.index.read().unwrap_or_else(|p| p.into_inner());
    let mut seen: HashSet<&str> = HashSet::new();
    let mut out = Vec::new();
    for d in index.definitions_in(rel) {
        if seen.contains(d.name.as_str()) {
            continue;
        }
        let key = (rel.to_path_buf(), d.name.to_string());
        let ids: Vec<u32> = links
            .by_def
            .get(&key)
            .map(|v| {
                v.iter()
                    .copied()
                    .filter(|&n| {
                        matches!(
                            k.get(n).kind,
                            Kind::Gap
                                | Kind::Confusion
                                | Kind::Error
                                | Kind::FollowUp
                                | Kind::Struggle
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let churn = links.churn.get(&key).filter(|c| struggle::is_struggle(c));
        let Some(title) = title(&ids, churn, k) else {
            continue;
        };
        seen.insert(d.name.as_str());
        let range = doc.lines.range(&doc.text, d.line, d.col, d.name.len());
        let ids: Vec<&str> = ids.iter().map(|&n| k.get(n).id.as_str()).collect();
        out.push(CodeLens {
            range,
            command: Some(Command {
                title,
                command: SHOW_COMMAND.into(),
                arguments: Some(vec![json!({
                    "uri": doc.uri,
                    "symbol": d.name,
                    "insights": ids,
                })]),
            }),
            data: None,
        });
    }
    out
}

/// "⟲ You struggled here before: 4 rounds of corrections, 2 questions, 1 failed build · rewritten
/// 6 times (Nov 18)".
pub fn title(ids: &[u32], churn: Option<&Churn>, k: &Knowledge) -> Option<String> {
    let mut rounds = 0;
    let mut questions = 0;
    let mut failed: Vec<(&str, u32)> = Vec::new();
    let mut latest = String::new();
    for &n in ids {
        let i = k.get(n);
        match i.kind {
            Kind::Error => {
                let what = failure_noun(&i.text);
                match failed.iter_mut().find(|(w, _)| *w == what) {
                    Some(f) => f.1 += 1,
                    None => failed.push((what, 1)),
                }
            }
            // A struggle's evidence is the developer's reports, one per round.
            Kind::Struggle => rounds += i.evidence.len().max(1) as u32,
            _ => questions += 1,
        }
        if latest < i.at {
            latest.clone_from(&i.at);
        }
    }
    let mut parts: Vec<String> = Vec::new();
    if rounds > 0 {
        parts.push(if rounds == 1 {
            "1 round of corrections".to_owned()
        } else {
            format!("{rounds} rounds of corrections")
        });
    }
    if questions > 0 {
        parts.push(plural(questions, "question"));
    }
    for (what, n) in failed {
        parts.push(plural(n, what));
    }
    if let Some(c) = churn {
        if c.saves >= 5 {
            parts.push(format!("rewritten {} times", c.saves));
        }
        if c.fail_cycles >= 2 {
            parts.push(plural(c.fail_cycles, "edit–fail cycle"));
        }
        if latest < c.last_at {
            latest.clone_from(&c.last_at);
        }
    }
    if parts.is_empty() {
        return None;
    }
    Some(format!(
        "⟲ You struggled here before: {} ({})",
        parts.join(", "),
        text::short_date(&latest)
    ))
}

fn plural(n: u32, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// What kind of command failed, in the developer's words.
fn failure_noun(command: &str) -> &'static str {
    let c = command.to_ascii_lowercase();
    let has = |words: &[&str]| {
        c.split(|ch: char| !ch.is_alphanumeric() && ch != '-')
            .any(|w| words.contains(&w))
    };
    if has(&[
        "test", "tests", "pytest", "jest", "vitest", "mocha", "unittest",
    ]) {
        "failed test"
    } else if has(&[
        "build", "tsc", "compile", "check", "make", "webpack", "vite", "gcc",
    ]) {
        "failed build"
    } else if has(&["lint", "eslint", "clippy", "ruff", "flake8", "mypy"]) {
        "failed lint"
    } else {
        "failed command"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_named_by_what_ran() {
        assert_eq!(failure_noun("npm run build"), "failed build");
        assert_eq!(failure_noun("cargo test -p x"), "failed test");
        assert_eq!(failure_noun("npx tsc --noEmit"), "failed build");
        assert_eq!(failure_noun("npx eslint src"), "failed lint");
        assert_eq!(failure_noun("python app.py"), "failed command");
    }
}
