//! Which languages the symbol layer understands, how a path maps to one, and the grammar behind
//! each. Kept apart so that adding a language is one enum variant, one grammar and two query files.

use std::path::Path;

/// A language with a tree-sitter grammar and symbol queries.
///
/// `.jsx` has no variant of its own: the JavaScript grammar parses JSX, so `.js` and `.jsx` share
/// one grammar and one set of queries. TSX does need its own: `<T>(x)` is a cast in `.ts` and an
/// element in `.tsx`, so the two are separate grammars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    TypeScript,
    Tsx,
    JavaScript,
    Python,
    Rust,
    /// `Dockerfile`, `Containerfile`, `Dockerfile.<variant>`, `<name>.dockerfile`.
    Dockerfile,
    /// Style sheets (`.css`): each rule is a symbol named by its selectors.
    Css,
}

impl Lang {
    /// Every language, in a fixed order (also the order of per-language tables).
    pub const ALL: [Lang; 7] = [
        Lang::TypeScript,
        Lang::Tsx,
        Lang::JavaScript,
        Lang::Python,
        Lang::Rust,
        Lang::Dockerfile,
        Lang::Css,
    ];

    /// The folder under `queries/` that holds this language's query files.
    pub fn query_dir(self) -> &'static str {
        match self {
            Lang::TypeScript => "typescript",
            Lang::Tsx => "tsx",
            Lang::JavaScript => "javascript",
            Lang::Python => "python",
            Lang::Rust => "rust",
            Lang::Dockerfile => "dockerfile",
            Lang::Css => "css",
        }
    }

    /// Position in [`Lang::ALL`], used to index per-language tables without hashing.
    pub(crate) fn index(self) -> usize {
        match self {
            Lang::TypeScript => 0,
            Lang::Tsx => 1,
            Lang::JavaScript => 2,
            Lang::Python => 3,
            Lang::Rust => 4,
            Lang::Dockerfile => 5,
            Lang::Css => 6,
        }
    }

    pub(crate) fn grammar(self) -> tree_sitter::Language {
        match self {
            Lang::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Lang::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
            Lang::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            Lang::Python => tree_sitter_python::LANGUAGE.into(),
            Lang::Rust => tree_sitter_rust::LANGUAGE.into(),
            Lang::Dockerfile => arborium_dockerfile::language().into(),
            Lang::Css => tree_sitter_css::LANGUAGE.into(),
        }
    }

    /// Whether a definition of this language reaches past its own node: a Dockerfile stage is
    /// one `FROM` line in the tree and runs to the next `FROM`. Such files are always indexed
    /// whole (they are small), never re-queried item by item.
    pub(crate) fn spans_items(self) -> bool {
        self == Lang::Dockerfile
    }
}

/// The language of a file, from its extension; `None` for files the index does not read.
pub fn lang_for_path(path: &Path) -> Option<Lang> {
    let name = path.file_name()?.to_str()?;
    // `Dockerfile.prod` is a Dockerfile; `Dockerfile.md` is its documentation.
    let variant = |prefix: &str| {
        name.strip_prefix(prefix).is_some_and(|rest| {
            !matches!(
                rest,
                "md" | "txt" | "rst" | "json" | "yml" | "yaml" | "lock"
            )
        })
    };
    if matches!(name, "Dockerfile" | "Containerfile")
        || variant("Dockerfile.")
        || variant("Containerfile.")
    {
        return Some(Lang::Dockerfile);
    }
    let ext = path.extension()?.to_str()?;
    // Extensions are matched case-sensitively, as editors and bundlers do.
    match ext {
        "ts" | "mts" | "cts" => Some(Lang::TypeScript),
        "tsx" => Some(Lang::Tsx),
        "js" | "jsx" | "mjs" | "cjs" => Some(Lang::JavaScript),
        "py" => Some(Lang::Python),
        "rs" => Some(Lang::Rust),
        "dockerfile" | "Dockerfile" => Some(Lang::Dockerfile),
        "css" => Some(Lang::Css),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_map_to_languages() {
        let cases = [
            ("a/b.ts", Some(Lang::TypeScript)),
            ("x.d.ts", Some(Lang::TypeScript)),
            ("x.mts", Some(Lang::TypeScript)),
            ("x.cts", Some(Lang::TypeScript)),
            ("App.tsx", Some(Lang::Tsx)),
            ("a.js", Some(Lang::JavaScript)),
            ("a.jsx", Some(Lang::JavaScript)),
            ("a.mjs", Some(Lang::JavaScript)),
            ("a.cjs", Some(Lang::JavaScript)),
            ("a.py", Some(Lang::Python)),
            ("lib.rs", Some(Lang::Rust)),
            ("README.md", None),
            ("Makefile", None),
            ("Dockerfile", Some(Lang::Dockerfile)),
            ("deploy/Dockerfile.prod", Some(Lang::Dockerfile)),
            ("api.dockerfile", Some(Lang::Dockerfile)),
            ("Containerfile", Some(Lang::Dockerfile)),
            ("Dockerfile.md", None),
            (".ts", None),
        ];
        for (path, want) in cases {
            assert_eq!(lang_for_path(Path::new(path)), want, "{path}");
        }
    }

    #[test]
    fn query_dirs_and_indices_are_consistent() {
        for (i, lang) in Lang::ALL.into_iter().enumerate() {
            assert_eq!(lang.index(), i);
            assert!(!lang.query_dir().is_empty());
        }
    }
}
