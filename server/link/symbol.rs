//! What the index stores: definitions and references, with their kinds and the chain of
//! definitions that encloses them. Plain serializable data, so the layers above (insights, the
//! store, the language server) can keep and ship them without knowing about tree-sitter. Their
//! texts are shared ([`Name`], [`FilePath`], [`Chain`] from `intern`): they repeat a lot.

use serde::{Deserialize, Serialize};

use super::intern::{Chain, FilePath, Name};

/// What a definition is. The same vocabulary for every language; a query file picks the kind
/// with its capture name (`@definition.function`, `@definition.component`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SymbolKind {
    Function,
    Method,
    Class,
    Interface,
    Type,
    Enum,
    /// A React component: an upper-case function in `.tsx`/`.jsx` code.
    Component,
    Constant,
    Variable,
    Struct,
    Trait,
    Module,
    Macro,
    Field,
    /// A named build stage of a Dockerfile (`FROM … AS builder`): from its `FROM` to the next.
    Stage,
    /// A CSS rule, named by its selectors (`.square.capture::before`).
    Rule,
}

impl SymbolKind {
    /// Every kind, with the suffix query files use after `@definition.`.
    pub(crate) const BY_CAPTURE: [(&'static str, SymbolKind); 16] = [
        ("function", SymbolKind::Function),
        ("method", SymbolKind::Method),
        ("class", SymbolKind::Class),
        ("interface", SymbolKind::Interface),
        ("type", SymbolKind::Type),
        ("enum", SymbolKind::Enum),
        ("component", SymbolKind::Component),
        ("constant", SymbolKind::Constant),
        ("variable", SymbolKind::Variable),
        ("struct", SymbolKind::Struct),
        ("trait", SymbolKind::Trait),
        ("module", SymbolKind::Module),
        ("macro", SymbolKind::Macro),
        ("field", SymbolKind::Field),
        ("stage", SymbolKind::Stage),
        ("rule", SymbolKind::Rule),
    ];

    pub(crate) fn from_capture(suffix: &str) -> Option<SymbolKind> {
        Self::BY_CAPTURE
            .iter()
            .find(|(name, _)| *name == suffix)
            .map(|(_, kind)| *kind)
    }
}

/// How a name is used at a reference site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefKind {
    /// A call (`f()`, `x.f()`, `new F()`, `Vec::new()`, `println!`, a decorator).
    Call,
    /// A use as a type (annotations, `extends`/`implements`, Rust type paths like `Vec` in
    /// `Vec::new()`).
    Type,
    /// A JSX element (`<TodoList />`).
    Jsx,
    /// A name brought in by an import (`import { useEffect }`, `from pandas import DataFrame`,
    /// `use std::collections::HashMap`).
    Import,
    /// Any other use of a name as a value (passed as an argument, `onClick={handleAdd}`, a
    /// `SCREAMING_CASE` constant, the object of a member access like `React` in `React.memo`).
    Identifier,
    /// A word of text the grammar does not split into names, or a keyword that stands for what
    /// it introduces: `libpq5` in a Dockerfile's `RUN apt-get install libpq5`, its `CMD`.
    Word,
    /// A CSS class the code applies (`el.classList.add("capture")`, `className="card"`), or one
    /// a style sheet's selector names: what ties a rule to the code that renders it.
    Class,
}

impl RefKind {
    pub(crate) const BY_CAPTURE: [(&'static str, RefKind); 7] = [
        ("call", RefKind::Call),
        ("type", RefKind::Type),
        ("jsx", RefKind::Jsx),
        ("import", RefKind::Import),
        ("identifier", RefKind::Identifier),
        ("word", RefKind::Word),
        ("class", RefKind::Class),
    ];

    pub(crate) fn from_capture(suffix: &str) -> Option<RefKind> {
        Self::BY_CAPTURE
            .iter()
            .find(|(name, _)| *name == suffix)
            .map(|(_, kind)| *kind)
    }
}

/// A named definition in a file.
///
/// Positions are 0-based. `line`/`col` are where the definition's *name* starts (what "go to
/// definition" should select); `col` counts bytes of UTF-8 from the start of the line.
/// `end_line` is the last line of the whole definition (its body included), so `line..=end_line`
/// is the range [`SymbolIndex::enclosing_definition`](super::SymbolIndex::enclosing_definition)
/// tests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Definition {
    pub name: Name,
    pub kind: SymbolKind,
    /// Relative to the index root, `/`-separated.
    pub file: FilePath,
    pub line: u32,
    pub col: u32,
    pub end_line: u32,
    /// Names of the enclosing definitions, outermost first: `["TodoStore"]` for a method of
    /// `class TodoStore`, `["Parser"]` for a method in `impl Parser`, `["App"]` for a function
    /// nested in `App`.
    pub container: Chain,
}

/// A use of a name.
///
/// `line`/`col` are where the name itself starts (0-based; `col` in UTF-8 bytes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reference {
    pub name: Name,
    /// Relative to the index root, `/`-separated.
    pub file: FilePath,
    pub line: u32,
    pub col: u32,
    pub kind: RefKind,
    /// Names of the definitions around the use, outermost first: every `useEffect(…)` call
    /// inside `App` has a container starting with `"App"`.
    pub container: Chain,
}
