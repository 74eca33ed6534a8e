//! "What do I know about this name?" — asked by the editor hover, `sessionlens recall` and the
//! MCP `recall` tool, answered here and only here, so the three cannot disagree. Each face only
//! renders the answer ([`super::render::hover_markdown`]).
//!
//! The rule, for a name in a workspace:
//!
//! - the insights linked to the workspace's definitions of that name, and
//! - the insights about the name itself (their topic or the code names they mention): from any
//!   project when the workspace does not define the name (`useEffect`: learned once, shown
//!   everywhere), only from sessions run inside the workspace when it does (`App` in one project
//!   says nothing about `App` in another);
//!
//! newest first, no repeats. Without a workspace (MCP or the CLI called without one) nothing is
//! defined and nothing is linked, so the answer is every insight about the name itself, from any
//! project — what a hover says in a file outside every workspace folder.
//!
//! A phrase (a query with whitespace: `loc vs iloc`, `Netlify deploy`) is a topic no hover can
//! point at; it also takes the insights whose topic is the same phrase (`insight::topic::same`),
//! under the same workspace rule. A single word is looked up exactly as code writes it, as the
//! hover does.
//!
//! Only hash-map lookups for a name: the language server calls this on every hover.

use super::links::Links;
use super::snapshot::Knowledge;
use crate::insight::topic;
use crate::link::SymbolIndex;

/// A workspace as a recall sees it: its symbols and the snapshot's links to them (both for the
/// same folder and snapshot).
#[derive(Clone, Copy)]
pub struct Here<'a> {
    pub index: &'a SymbolIndex,
    pub links: &'a Links,
}

impl Here<'_> {
    /// Whether the workspace has a definition of that name.
    pub fn defines(&self, name: &str) -> bool {
        !self.index.definitions(name).is_empty()
    }
}

/// The insights about `name` (snapshot indexes), newest first: see the module's rule.
pub fn about(k: &Knowledge, here: Option<Here<'_>>, name: &str) -> Vec<u32> {
    let mut out: Vec<u32> = here
        .and_then(|h| h.links.by_name.get(name))
        .cloned()
        .unwrap_or_default();
    out.extend(itself(k, here, name));
    out.sort_unstable();
    out.dedup();
    out
}

/// The insights about the name itself that speak in this workspace: from any project unless
/// the workspace defines the name, then only its own. Newest first. (Diagnostics ask this of
/// every name a file uses.)
pub fn itself(k: &Knowledge, here: Option<Here<'_>>, name: &str) -> Vec<u32> {
    let mut out: Vec<u32> = k.by_name.get(name).cloned().unwrap_or_default();
    if name.contains(char::is_whitespace) {
        out.extend(
            k.insights
                .iter()
                .enumerate()
                .filter(|(_, i)| topic::same(&i.topic, name))
                .map(|(n, _)| n as u32),
        );
        out.sort_unstable();
        out.dedup();
    }
    if let Some(h) = here {
        if !out.is_empty() && h.defines(name) {
            out.retain(|n| h.links.local.contains(n));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::insight::{Anchors, Insight, Kind, Status};
    use crate::knowledge::scope::Scope;
    use std::path::Path;

    fn insight(id: &str, at: &str, cwd: &str, topic: &str, names: &[&str]) -> Insight {
        Insight {
            id: id.into(),
            kind: Kind::Gap,
            topic: topic.into(),
            text: format!("what is {topic}?"),
            ran: false,
            takeaway: None,
            session: format!("s-{id}"),
            turn: Some("t1".into()),
            at: at.into(),
            cwd: Some(cwd.into()),
            surface: "cli".into(),
            status: Status::Open,
            resolved_by: None,
            confidence: 0.9,
            evidence: Vec::new(),
            anchors: Anchors {
                identifiers: names.iter().map(|s| s.to_string()).collect(),
                ..Anchors::default()
            },
        }
    }

    #[test]
    fn one_rule_for_names_defined_here_elsewhere_and_nowhere() {
        let dir = tempfile::tempdir().unwrap();
        let here_dir = dir.path().join("here");
        std::fs::create_dir_all(here_dir.join("src")).unwrap();
        std::fs::write(
            here_dir.join("src/App.tsx"),
            "export function App() {\n  return useEffect(() => {}, []);\n}\n",
        )
        .unwrap();
        let here = here_dir.to_str().unwrap();
        let other = dir.path().join("other");
        let other = other.to_str().unwrap();
        let k = Knowledge::from_insights(vec![
            insight("a", "2026-11-18T10:00:00Z", here, "App", &[]),
            insight("b", "2026-11-18T11:00:00Z", other, "App", &[]),
            insight("c", "2026-11-18T12:00:00Z", other, "useEffect", &[]),
            insight("d", "2026-11-18T13:00:00Z", here, "loc vs iloc", &["iloc"]),
        ]);
        let ids = |v: Vec<u32>| -> Vec<&str> { v.iter().map(|&n| k.get(n).id.as_str()).collect() };
        let scope = Scope::new(Path::new(here));
        let index = SymbolIndex::build(scope.root());
        let links = Links::compute(&scope, &index, &k);
        let ws = Some(Here {
            index: &index,
            links: &links,
        });
        // Defined here: only this workspace's own; nowhere: from any project, newest first.
        assert_eq!(ids(about(&k, ws, "App")), ["a"]);
        assert_eq!(ids(about(&k, None, "App")), ["b", "a"]);
        // Not defined here: from any project.
        assert_eq!(ids(about(&k, ws, "useEffect")), ["c"]);
        assert_eq!(ids(about(&k, None, "useEffect")), ["c"]);
        // Exact, as code writes it; phrases match topics.
        assert!(about(&k, None, "useeffect").is_empty());
        assert!(about(&k, None, "loc").is_empty());
        assert_eq!(ids(about(&k, None, "iloc")), ["d"]);
        assert_eq!(ids(about(&k, ws, "iloc vs loc")), ["d"]);
        assert!(about(&k, ws, "nothing at all").is_empty());
    }
}
