//! The symbol layer end to end: real grammars and the query files in `queries/` run over small,
//! realistic fixtures (`tests/fixtures/symbols/`), and the index answers as the insight linker
//! and the language server will ask. Lines and columns are 0-based, as the index stores them.

use std::path::{Path, PathBuf};

use sessionlens::link::{
    Definition, Lang, RefKind, Reference, SymbolIndex, SymbolKind, lang_for_path,
};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/symbols")
}

fn fixture_index() -> SymbolIndex {
    SymbolIndex::build(&fixtures())
}

/// The one definition named `name` in `file`; fails loudly if there is none or several.
fn def<'a>(index: &'a SymbolIndex, file: &str, name: &str) -> &'a Definition {
    let found: Vec<_> = index
        .definitions(name)
        .into_iter()
        .filter(|d| d.file == Path::new(file))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "definitions of {name} in {file}: {found:#?}"
    );
    found[0]
}

fn strings(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// `(kind, line, container)` of every reference to `name` in `file`, in source order.
fn refs_in(index: &SymbolIndex, file: &str, name: &str) -> Vec<(RefKind, u32, Vec<String>)> {
    index
        .references(name)
        .into_iter()
        .filter(|r| r.file == Path::new(file))
        .map(|r| (r.kind, r.line, r.container.to_strings()))
        .collect()
}

fn assert_def(d: &Definition, kind: SymbolKind, line: u32, container: &[&str]) {
    assert_eq!(
        (d.kind, d.line, d.container.to_strings()),
        (kind, line, strings(container)),
        "{d:#?}"
    );
}

// --- grammars and queries ----------------------------------------------------------------

#[test]
fn every_grammar_loads_and_every_query_compiles() {
    // Catches grammar/core ABI mismatches and query typos, which only show at run time.
    for lang in Lang::ALL {
        if let Err(e) = lang.self_check() {
            panic!("{e}");
        }
    }
}

#[test]
fn paths_map_to_languages() {
    let lang = |p: &str| lang_for_path(Path::new(p));
    assert_eq!(lang("src/app.ts"), Some(Lang::TypeScript));
    assert_eq!(lang("src/app.mts"), Some(Lang::TypeScript));
    assert_eq!(lang("src/app.cts"), Some(Lang::TypeScript));
    assert_eq!(lang("src/App.tsx"), Some(Lang::Tsx));
    assert_eq!(lang("src/App.jsx"), Some(Lang::JavaScript));
    assert_eq!(lang("index.mjs"), Some(Lang::JavaScript));
    assert_eq!(lang("index.cjs"), Some(Lang::JavaScript));
    assert_eq!(lang("report.py"), Some(Lang::Python));
    assert_eq!(lang("lib.rs"), Some(Lang::Rust));
    assert_eq!(lang("notes.md"), None);
    assert_eq!(lang("Dockerfile"), Some(Lang::Dockerfile));
    assert_eq!(lang("docker/Dockerfile.prod"), Some(Lang::Dockerfile));
    assert_eq!(lang("Dockerfile.md"), None);
    assert_eq!(lang("Makefile"), None);
    assert_eq!(lang("x.css"), Some(Lang::Css));
    assert_eq!(lang("src/styles/board.css"), Some(Lang::Css));
    // SCSS and Less are other grammars: not read.
    assert_eq!(lang("board.scss"), None);
    assert_eq!(lang("board.less"), None);
}

// --- TSX: a React app --------------------------------------------------------------------

const APP: &str = "tsx/App.tsx";

#[test]
fn tsx_components_hooks_and_nested_functions() {
    let index = fixture_index();
    // `export function useTodos` — a hook is a plain (lower-case) function.
    assert_def(def(&index, APP, "useTodos"), SymbolKind::Function, 6, &[]);
    // `export default function App()` and both arrow forms (plain and wrapped in `memo`).
    let app = def(&index, APP, "App");
    assert_def(app, SymbolKind::Component, 31, &[]);
    assert_eq!((app.col, app.end_line), (24, 48));
    assert_def(def(&index, APP, "TodoList"), SymbolKind::Component, 19, &[]);
    assert_def(def(&index, APP, "TodoItem"), SymbolKind::Component, 27, &[]);
    // A handler declared inside the component is nested in it.
    assert_def(
        def(&index, APP, "handleToggle"),
        SymbolKind::Function,
        38,
        &["App"],
    );
    assert_def(
        def(&index, APP, "TodoListProps"),
        SymbolKind::Interface,
        14,
        &[],
    );
    assert_def(
        def(&index, APP, "onToggle"),
        SymbolKind::Field,
        16,
        &["TodoListProps"],
    );
    // A top-level `const` that is not a function is a constant.
    assert_def(def(&index, APP, "store"), SymbolKind::Constant, 3, &[]);
    // Locals (`const [todos, setTodos] = useState…`) are not symbols.
    assert!(index.definitions("setTodos").is_empty());
}

#[test]
fn tsx_hook_calls_are_attributed_to_their_component() {
    let index = fixture_index();
    let app = strings(&["App"]);
    let use_todos = strings(&["useTodos"]);
    // One import, one call in the custom hook, one in `App`: "every useEffect in App" is one.
    assert_eq!(
        refs_in(&index, APP, "useEffect"),
        [
            (RefKind::Import, 0, vec![]),
            (RefKind::Call, 8, use_todos.clone()),
            (RefKind::Call, 34, app.clone()),
        ]
    );
    let in_app: Vec<_> = index
        .references("useState")
        .into_iter()
        .filter(|r| r.kind == RefKind::Call && r.container.first().is_some_and(|c| c == "App"))
        .map(|r| r.line)
        .collect();
    assert_eq!(in_app, [33]);
    // The custom hook is called from the component.
    assert_eq!(
        refs_in(&index, APP, "useTodos"),
        [(RefKind::Call, 32, app.clone())]
    );
    // A call inside a nested handler carries the whole chain.
    assert_eq!(
        refs_in(&index, APP, "setCount"),
        [(RefKind::Call, 39, strings(&["App", "handleToggle"]))]
    );
    // Member calls are found by the member's name.
    assert_eq!(
        refs_in(&index, APP, "load"),
        [(RefKind::Call, 9, use_todos)]
    );
    // `new TodoStore()` is a call of the class; the import is there too.
    let store = refs_in(&index, APP, "TodoStore");
    assert_eq!(
        store,
        [
            (RefKind::Import, 1, vec![]),
            (RefKind::Call, 3, strings(&["store"]))
        ]
    );
    // Handing a function on (`onToggle={handleToggle}`) is a use of it.
    assert_eq!(
        refs_in(&index, APP, "handleToggle"),
        [(RefKind::Identifier, 45, app.clone())]
    );
}

#[test]
fn tsx_jsx_elements_are_references() {
    let index = fixture_index();
    assert_eq!(
        refs_in(&index, APP, "TodoList"),
        [(RefKind::Jsx, 45, strings(&["App"]))]
    );
    assert_eq!(
        refs_in(&index, APP, "TodoItem"),
        [(RefKind::Jsx, 22, strings(&["TodoList"]))]
    );
    // Intrinsic elements are not symbols.
    assert!(
        index
            .references("main")
            .iter()
            .all(|r| r.kind != RefKind::Jsx)
    );
    assert!(index.references("li").is_empty());
    // Type references from TSX too.
    assert!(refs_in(&index, APP, "TodoListProps").contains(&(
        RefKind::Type,
        19,
        strings(&["TodoList"])
    )));
}

// --- TypeScript: a module with a class, types and constants ------------------------------

const STORE: &str = "typescript/store.ts";

#[test]
fn typescript_module_definitions() {
    let index = fixture_index();
    let d = |name| def(&index, STORE, name);
    assert_def(d("API_URL"), SymbolKind::Constant, 0, &[]);
    assert_def(d("MAX_TODOS"), SymbolKind::Constant, 1, &[]);
    assert_def(d("requestCount"), SymbolKind::Variable, 2, &[]);
    assert_def(d("Status"), SymbolKind::Enum, 4, &[]);
    assert_def(d("Todo"), SymbolKind::Interface, 9, &[]);
    assert_def(d("complete"), SymbolKind::Method, 13, &["Todo"]);
    assert_def(d("Filter"), SymbolKind::Type, 16, &[]);
    // A const bound to an arrow function is a function, not a constant (nor, in `.ts`, a component).
    assert_def(d("isDone"), SymbolKind::Function, 18, &[]);
    let class = d("TodoStore");
    assert_def(class, SymbolKind::Class, 20, &[]);
    assert_eq!(class.end_line, 40);
    assert_def(d("load"), SymbolKind::Method, 23, &["TodoStore"]);
    assert_def(d("toggle"), SymbolKind::Method, 30, &["TodoStore"]);
    assert_def(d("find"), SymbolKind::Method, 37, &["TodoStore"]);
    assert_def(d("createStore"), SymbolKind::Function, 42, &[]);
    // Every definition of the file, in source order.
    let names: Vec<_> = index
        .definitions_in(Path::new(STORE))
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "API_URL",
            "MAX_TODOS",
            "requestCount",
            "Status",
            "Todo",
            "id",
            "title",
            "status",
            "complete",
            "Filter",
            "isDone",
            "TodoStore",
            "todos",
            "load",
            "toggle",
            "find",
            "createStore"
        ]
    );
}

#[test]
fn typescript_references() {
    let index = fixture_index();
    let load = strings(&["TodoStore", "load"]);
    assert_eq!(
        refs_in(&index, STORE, "API_URL"),
        [(RefKind::Identifier, 25, load.clone())]
    );
    assert_eq!(refs_in(&index, STORE, "fetch"), [(RefKind::Call, 25, load)]);
    // `this.find(id)` inside `toggle`, and `this.todos.find(…)` inside `find`.
    assert_eq!(
        refs_in(&index, STORE, "find"),
        [
            (RefKind::Call, 31, strings(&["TodoStore", "toggle"])),
            (RefKind::Call, 38, strings(&["TodoStore", "find"]))
        ]
    );
    // The class as a return type and as a constructor.
    assert_eq!(
        refs_in(&index, STORE, "TodoStore"),
        [
            (RefKind::Type, 42, strings(&["createStore"])),
            (RefKind::Call, 43, strings(&["createStore"]))
        ]
    );
    // Type annotations, generics included (`Promise<Todo[]>`).
    let todo_types: Vec<_> = refs_in(&index, STORE, "Todo")
        .into_iter()
        .filter(|r| r.0 == RefKind::Type)
        .map(|r| r.1)
        .collect();
    assert_eq!(todo_types, [18, 21, 23, 37]);
    // A definition's own name is not a reference to it.
    assert!(refs_in(&index, STORE, "createStore").is_empty());
}

// --- JavaScript with JSX -----------------------------------------------------------------

const COUNTER: &str = "javascript/Counter.jsx";

#[test]
fn javascript_jsx_components() {
    let index = fixture_index();
    // Upper-case but renders no JSX: an old-style constructor, not a component.
    assert_def(def(&index, COUNTER, "Person"), SymbolKind::Function, 4, &[]);
    assert_def(
        def(&index, COUNTER, "Counter"),
        SymbolKind::Component,
        8,
        &[],
    );
    assert_def(
        def(&index, COUNTER, "Label"),
        SymbolKind::Component,
        19,
        &[],
    );
    assert_def(
        def(&index, COUNTER, "increment"),
        SymbolKind::Function,
        10,
        &["Counter"],
    );
    assert_def(
        def(&index, COUNTER, "DEFAULT_START"),
        SymbolKind::Constant,
        21,
        &[],
    );

    let counter = strings(&["Counter"]);
    assert_eq!(
        refs_in(&index, COUNTER, "Label"),
        [(RefKind::Jsx, 13, counter.clone())]
    );
    assert_eq!(
        refs_in(&index, COUNTER, "formatCount"),
        [
            (RefKind::Import, 1, vec![]),
            (RefKind::Call, 13, counter.clone())
        ]
    );
    assert_eq!(
        refs_in(&index, COUNTER, "useState"),
        [
            (RefKind::Import, 0, vec![]),
            (RefKind::Call, 9, counter.clone())
        ]
    );
    // `onClick={increment}` and `export default Counter`.
    assert_eq!(
        refs_in(&index, COUNTER, "increment"),
        [(RefKind::Identifier, 14, counter)]
    );
    assert_eq!(
        refs_in(&index, COUNTER, "Counter"),
        [(RefKind::Identifier, 23, vec![])]
    );
}

// --- Python: a pandas script with classes ------------------------------------------------

const REPORT: &str = "python/report.py";

#[test]
fn python_classes_methods_and_constants() {
    let index = fixture_index();
    let d = |name| def(&index, REPORT, name);
    assert_def(d("MAX_ROWS"), SymbolKind::Constant, 5, &[]);
    assert_def(d("default_region"), SymbolKind::Variable, 6, &[]);
    // The decorator line is not the class line.
    assert_def(d("Order"), SymbolKind::Class, 10, &[]);
    assert_def(d("amount"), SymbolKind::Field, 13, &["Order"]);
    let class = d("SalesReport");
    assert_def(class, SymbolKind::Class, 16, &[]);
    assert_eq!(class.end_line, 32);
    assert_def(d("__init__"), SymbolKind::Method, 17, &["SalesReport"]);
    assert_def(d("load"), SymbolKind::Method, 20, &["SalesReport"]);
    assert_def(d("by_region"), SymbolKind::Method, 24, &["SalesReport"]);
    // Decorated methods are methods; functions nested in a method are functions.
    assert_def(d("empty"), SymbolKind::Method, 31, &["SalesReport"]);
    assert_def(
        d("clean"),
        SymbolKind::Function,
        25,
        &["SalesReport", "by_region"],
    );
    assert_def(d("main"), SymbolKind::Function, 35, &[]);
}

#[test]
fn python_calls_attributes_and_imports() {
    let index = fixture_index();
    let by_region = strings(&["SalesReport", "by_region"]);
    // `clean(df).groupby("region").sum()`
    assert_eq!(
        refs_in(&index, REPORT, "groupby"),
        [(RefKind::Call, 28, by_region.clone())]
    );
    assert_eq!(
        refs_in(&index, REPORT, "clean"),
        [(RefKind::Call, 28, by_region)]
    );
    assert_eq!(
        refs_in(&index, REPORT, "read_csv"),
        [(RefKind::Call, 21, strings(&["SalesReport", "load"]))]
    );
    // `from pandas import DataFrame`, then annotations.
    assert_eq!(
        refs_in(&index, REPORT, "DataFrame"),
        [
            (RefKind::Import, 2, vec![]),
            (RefKind::Type, 20, strings(&["SalesReport", "load"])),
            (RefKind::Type, 24, strings(&["SalesReport", "by_region"])),
            (RefKind::Type, 24, strings(&["SalesReport", "by_region"])),
        ]
    );
    assert_eq!(
        refs_in(&index, REPORT, "pandas"),
        [(RefKind::Import, 1, vec![])]
    );
    // A decorator is a call; the constant is used inside `load`.
    assert_eq!(
        refs_in(&index, REPORT, "dataclass")[1],
        (RefKind::Call, 9, vec![])
    );
    assert_eq!(
        refs_in(&index, REPORT, "MAX_ROWS"),
        [(RefKind::Identifier, 21, strings(&["SalesReport", "load"]))]
    );
    // Module-level code has no container.
    assert_eq!(
        refs_in(&index, REPORT, "main"),
        [(RefKind::Call, 42, vec![])]
    );
}

// --- Rust --------------------------------------------------------------------------------

const PARSER: &str = "rust/parser.rs";

#[test]
fn rust_items_and_impl_methods() {
    let index = fixture_index();
    let d = |name| def(&index, PARSER, name);
    assert_def(d("MAX_DEPTH"), SymbolKind::Constant, 4, &[]);
    assert_def(d("PARSE_COUNT"), SymbolKind::Variable, 5, &[]);
    assert_def(d("Token"), SymbolKind::Enum, 8, &[]);
    let parser = d("Parser");
    assert_def(parser, SymbolKind::Struct, 13, &[]);
    assert_eq!(parser.end_line, 16);
    assert_def(d("pos"), SymbolKind::Field, 15, &["Parser"]);
    assert_def(d("Visitor"), SymbolKind::Trait, 18, &[]);
    assert_def(d("visit"), SymbolKind::Method, 19, &["Visitor"]);
    assert_def(d("bail"), SymbolKind::Macro, 22, &[]);
    // Methods of `impl<'a> Parser<'a>` and of `impl fmt::Display for Parser<'_>` both belong to
    // the implementing type.
    assert_def(d("new"), SymbolKind::Method, 29, &["Parser"]);
    assert_def(d("tokens"), SymbolKind::Method, 33, &["Parser"]);
    assert_def(d("fmt"), SymbolKind::Method, 44, &["Parser"]);
    assert_def(d("count"), SymbolKind::Function, 49, &[]);
}

#[test]
fn rust_calls_paths_macros_and_types() {
    let index = fixture_index();
    let count = strings(&["count"]);
    let tokens = strings(&["Parser", "tokens"]);
    // `Parser::new(source)` is a call of `new` and a use of the type `Parser`.
    assert!(refs_in(&index, PARSER, "new").contains(&(RefKind::Call, 50, count.clone())));
    assert!(refs_in(&index, PARSER, "Parser").contains(&(RefKind::Type, 50, count.clone())));
    // `Vec::new()`
    assert!(refs_in(&index, PARSER, "new").contains(&(RefKind::Call, 34, tokens.clone())));
    assert!(refs_in(&index, PARSER, "Vec").contains(&(RefKind::Type, 34, tokens.clone())));
    // Method calls and macro invocations.
    assert_eq!(
        refs_in(&index, PARSER, "tokens"),
        [(RefKind::Call, 51, count.clone())]
    );
    assert_eq!(
        refs_in(&index, PARSER, "println"),
        [(RefKind::Call, 52, count.clone())]
    );
    assert_eq!(
        refs_in(&index, PARSER, "bail"),
        [(RefKind::Call, 36, tokens.clone())]
    );
    // `use std::collections::HashMap;` then the type in a signature and a path.
    assert_eq!(
        refs_in(&index, PARSER, "HashMap"),
        [
            (RefKind::Import, 1, vec![]),
            (RefKind::Type, 49, count.clone()),
            (RefKind::Type, 53, count)
        ]
    );
    assert_eq!(
        refs_in(&index, PARSER, "MAX_DEPTH"),
        [(RefKind::Identifier, 35, tokens)]
    );
    // The trait of an `impl … for` is a type reference; `Self` is not a name.
    assert_eq!(
        refs_in(&index, PARSER, "Display"),
        [(RefKind::Type, 43, strings(&["Parser"]))]
    );
    assert!(index.references("Self").is_empty());
}

// --- lookups -----------------------------------------------------------------------------

// --- Dockerfile: build stages -------------------------------------------------------------

const DOCKERFILE: &str = "docker/Dockerfile";

#[test]
fn dockerfile_stages_run_to_the_next_from() {
    let index = fixture_index();
    let deps = def(&index, DOCKERFILE, "deps");
    assert_eq!(
        (deps.kind, deps.line, deps.end_line),
        (SymbolKind::Stage, 1, 5)
    );
    // `build` ends where the unnamed final stage starts, not at the end of the file.
    let build = def(&index, DOCKERFILE, "build");
    assert_eq!(
        (build.kind, build.line, build.end_line),
        (SymbolKind::Stage, 6, 10)
    );
    let at = |line| {
        index
            .enclosing_definition(Path::new(DOCKERFILE), line)
            .map(|d| d.name.as_str())
    };
    assert_eq!(at(4), Some("deps"), "RUN npm ci");
    assert_eq!(at(9), Some("build"), "a continuation line");
    assert_eq!(at(12), None, "the unnamed stage has no name to look up");
    assert_eq!(at(0), None, "the parser directive is before any stage");
}

#[test]
fn dockerfile_references_name_stages_packages_and_instructions() {
    let index = fixture_index();
    let lines = |name: &str| -> Vec<u32> {
        refs_in(&index, DOCKERFILE, name)
            .into_iter()
            .map(|(_, line, _)| line)
            .collect()
    };
    // A stage built on another, and one copied from.
    assert_eq!(lines("deps"), vec![6]);
    assert_eq!(
        lines("build"),
        vec![8, 13],
        "`npm run build`, then `--from=build`"
    );
    // Words of shell commands, flags without their dashes.
    assert_eq!(lines("curl"), vec![12, 14]);
    assert_eq!(lines("no-cache"), vec![12]);
    assert_eq!(lines("prune"), vec![9]);
    // Instructions, whatever the stage.
    assert_eq!(lines("CMD"), vec![14, 15]);
    assert_eq!(lines("RUN"), vec![4, 8, 12]);
}

// --- CSS: rules, and the code that applies their classes ---------------------------------

const BOARD: &str = "css/board.css";
const HIGHLIGHT: &str = "css/highlight.js";
const SQUARE: &str = "css/Square.tsx";

/// `(kind, line, col, end_line, container)` of the one definition named `name` in `file`.
fn span(index: &SymbolIndex, file: &str, name: &str) -> (SymbolKind, u32, u32, u32, Vec<String>) {
    let d = def(index, file, name);
    (d.kind, d.line, d.col, d.end_line, d.container.to_strings())
}

/// `(name, line, container)` of every CSS class reference in `file`, in source order.
fn classes_in(index: &SymbolIndex, file: &str) -> Vec<(String, u32, Vec<String>)> {
    index
        .references_in(Path::new(file))
        .iter()
        .filter(|r| r.kind == RefKind::Class)
        .map(|r| (r.name.to_string(), r.line, r.container.to_strings()))
        .collect()
}

fn class(name: &str, line: u32, container: &[&str]) -> (String, u32, Vec<String>) {
    (name.to_string(), line, strings(container))
}

#[test]
fn css_rules_are_definitions_named_by_their_selectors() {
    let index = fixture_index();
    // Every rule, in source order: ids, elements and `:root` name rules too;
    // `@keyframes` steps (`from`, `to`) and the at-rules themselves are not rules.
    let names: Vec<_> = index
        .definitions_in(Path::new(BOARD))
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            ":root",
            "#board",
            ".square",
            ".square.light",
            ".square.dark",
            ".square.capture::before",
            ".square.selected, .square.last-move",
            ".square:not(.selected):hover",
            "h1, h2",
            "button",
            ".piece.cooldown",
        ]
    );
    let rule = |line, col, end_line| (SymbolKind::Rule, line, col, end_line, vec![]);
    assert_eq!(span(&index, BOARD, ".square"), rule(11, 0, 14));
    // A compound selector with a pseudo-element is one name, the whole selector.
    assert_eq!(
        span(&index, BOARD, ".square.capture::before"),
        rule(24, 0, 30)
    );
    assert_eq!(span(&index, BOARD, "#board"), rule(6, 0, 9));
    assert_eq!(span(&index, BOARD, "button"), rule(46, 0, 48));
    // A selector list written over two lines reads as one line, and spans both.
    assert_eq!(span(&index, BOARD, "h1, h2"), rule(41, 0, 44));
    assert_eq!(
        span(&index, BOARD, ".square.selected, .square.last-move"),
        rule(32, 0, 35)
    );
    assert!(index.definitions("h1,\nh2").is_empty());
    // Inside `@media`: a rule of its own, with no container (an at-rule is not a symbol).
    assert_eq!(span(&index, BOARD, ".piece.cooldown"), rule(60, 2, 62));
    let at = |line| {
        index
            .enclosing_definition(Path::new(BOARD), line)
            .map(|d| d.name.as_str())
    };
    assert_eq!(at(27), Some(".square.capture::before"), "`inset: 30%`");
    assert_eq!(
        at(61),
        Some(".piece.cooldown"),
        "`animation:` inside @media"
    );
    assert_eq!(at(43), Some("h1, h2"), "the declaration under `h2`");
    assert_eq!(at(53), None, "a keyframe step");
    assert_eq!(at(15), None, "between two rules");
    let json = serde_json::to_value(def(&index, BOARD, "h1, h2")).expect("serializes");
    assert_eq!(json["kind"], "rule");
}

#[test]
fn css_selectors_reference_their_classes() {
    let index = fixture_index();
    // Every class a selector names, one reference per occurrence, and nothing else: ids
    // (`#board`), elements (`h1`, `button`), pseudo-classes and keyframe names are not
    // references.
    let all: Vec<_> = classes_in(&index, BOARD)
        .into_iter()
        .map(|(name, line, _)| (name, line))
        .collect();
    let expected: Vec<(String, u32)> = [
        ("square", 11),
        ("square", 16),
        ("light", 16),
        ("square", 20),
        ("dark", 20),
        ("square", 24),
        ("capture", 24),
        ("square", 32),
        ("selected", 32),
        ("square", 33),
        ("last-move", 33),
        ("square", 37),
        ("selected", 37),
        ("piece", 60),
        ("cooldown", 60),
    ]
    .into_iter()
    .map(|(name, line)| (name.to_string(), line))
    .collect();
    assert_eq!(all, expected);
    assert_eq!(
        index.references_in(Path::new(BOARD)).len(),
        expected.len(),
        "a style sheet has class references only"
    );
    for other in [
        "board", "root", "h1", "button", "before", "hover", "not", "pulse",
    ] {
        assert!(refs_in(&index, BOARD, other).is_empty(), "{other}");
    }
    // Each class is inside the rule whose selector names it (a rule in `@media` too).
    assert_eq!(
        refs_in(&index, BOARD, "capture"),
        [(RefKind::Class, 24, strings(&[".square.capture::before"]))]
    );
    assert_eq!(
        refs_in(&index, BOARD, "light"),
        [(RefKind::Class, 16, strings(&[".square.light"]))]
    );
    assert_eq!(
        refs_in(&index, BOARD, "cooldown"),
        [(RefKind::Class, 60, strings(&[".piece.cooldown"]))]
    );
    // A class inside a pseudo-class's arguments is named by the rule as well.
    assert_eq!(
        refs_in(&index, BOARD, "selected")[1],
        (
            RefKind::Class,
            37,
            strings(&[".square:not(.selected):hover"])
        )
    );
    let cols: Vec<_> = index
        .references("capture")
        .into_iter()
        .filter(|r| r.file == Path::new(BOARD))
        .map(|r| r.col)
        .collect();
    assert_eq!(cols, [8], "the name after its dot");
}

#[test]
fn css_multi_line_rule_contains_its_classes_under_its_one_line_name() {
    let index = fixture_index();
    let rule = def(&index, BOARD, ".square.selected, .square.last-move");
    let list = vec![rule.name.to_string()];
    assert_eq!(
        refs_in(&index, BOARD, "last-move"),
        [(RefKind::Class, 33, list.clone())]
    );
    assert_eq!(
        refs_in(&index, BOARD, "selected")[0],
        (RefKind::Class, 32, list)
    );
}

#[test]
fn scripts_apply_classes_in_every_supported_form() {
    let index = fixture_index();
    let captures = ["showCaptures"];
    let mark = ["markLastMove"];
    let piece = ["pieceClass"];
    assert_eq!(
        classes_in(&index, HIGHLIGHT),
        [
            // `classList.add("capture", "selected")`: every argument.
            class("capture", 6, &captures),
            class("selected", 6, &captures),
            // `classList.remove` in a loop is still inside its function.
            class("capture", 13, &["clearCaptures"]),
            // A template string: its literal words, and the classes the ternary inside `${…}`
            // chooses between.
            class("square", 18, &["paintSquare"]),
            class("light", 18, &["paintSquare"]),
            class("dark", 18, &["paintSquare"]),
            // `className = "square light last-move"`: one reference per word.
            class("square", 22, &mark),
            class("light", 22, &mark),
            class("last-move", 22, &mark),
            // `toggle`, then `replace("selected", "last-move")`: both arguments.
            class("last-move", 23, &mark),
            class("selected", 24, &mark),
            class("last-move", 24, &mark),
            // `clsx("piece", "cooldown") : clsx("piece")`.
            class("piece", 28, &piece),
            class("cooldown", 28, &piece),
            class("piece", 28, &piece),
            // JSX `className="clock"` in a `.js` file.
            class("clock", 32, &["Clock"]),
        ]
    );
    assert_eq!(
        refs_in(&index, HIGHLIGHT, "light"),
        [
            (RefKind::Class, 18, strings(&["paintSquare"])),
            (RefKind::Class, 22, strings(&mark))
        ]
    );
    // The same words elsewhere are not classes: `console.log("capture", …)` (line 8),
    // `querySelectorAll(".capture")` (line 12), the `[data-square=…]` selector, a JSX child.
    let capture_lines: Vec<_> = refs_in(&index, HIGHLIGHT, "capture")
        .into_iter()
        .map(|r| r.1)
        .collect();
    assert_eq!(capture_lines, [6, 13]);
    for other in ["data-square", "paused", "log"] {
        assert!(
            refs_in(&index, HIGHLIGHT, other)
                .iter()
                .all(|r| r.0 != RefKind::Class),
            "{other}"
        );
    }
    // The method name stays a call.
    assert_eq!(
        refs_in(&index, HIGHLIGHT, "add"),
        [(RefKind::Call, 6, strings(&captures))]
    );
}

#[test]
fn tsx_applies_classes_in_attributes_clsx_and_class_list() {
    let index = fixture_index();
    assert_eq!(
        classes_in(&index, SQUARE),
        [
            // ``className={`square ${isLight ? "light" : "dark"}`}``: the literal and both choices.
            class("square", 12, &["Square"]),
            class("light", 12, &["Square"]),
            class("dark", 12, &["Square"]),
            // `className={clsx("piece", isSelected && "selected")}`: the string and the class
            // the condition adds.
            class("piece", 16, &["Square"]),
            class("selected", 16, &["Square"]),
            // `className="title board-title"` in an arrow component.
            class("title", 22, &["Heading"]),
            class("board-title", 22, &["Heading"]),
            // `classList` in TypeScript, also inside a callback.
            class("flash", 26, &["flash"]),
            class("flash", 27, &["flash"]),
        ]
    );
    // Another attribute's string is not a class (`role="gridcell"`).
    assert!(refs_in(&index, SQUARE, "gridcell").is_empty());
    assert_def(def(&index, SQUARE, "Square"), SymbolKind::Component, 9, &[]);
    assert_def(
        def(&index, SQUARE, "Heading"),
        SymbolKind::Component,
        21,
        &[],
    );
    assert_def(def(&index, SQUARE, "flash"), SymbolKind::Function, 25, &[]);
}

#[test]
fn jsx_class_attribute_and_a_string_expression_are_classes() {
    // Solid and Preact write `class=` (in TSX: tree-sitter-javascript cannot parse it, see
    // queries/README.md); `className={"…"}` holds a plain string.
    let mut index = SymbolIndex::new(Path::new("/ws"));
    index.update_file(
        Path::new("Timer.tsx"),
        "export function Timer(props: { left: number }) {\n  return (\n    <p class=\"timer low\">\n      <b className={\"digits\"}>{props.left}</b>\n      <i className={cn(\"unit\", \"muted\")}>s</i>\n    </p>\n  );\n}\n",
    );
    let timer = ["Timer"];
    assert_eq!(
        classes_in(&index, "Timer.tsx"),
        [
            class("timer", 2, &timer),
            class("low", 2, &timer),
            class("digits", 3, &timer),
            // `cn`, one of the `clsx` look-alikes.
            class("unit", 4, &timer),
            class("muted", 4, &timer),
        ]
    );
}

#[test]
fn enclosing_definition_is_the_innermost() {
    let index = fixture_index();
    let at = |file: &str, line| {
        index
            .enclosing_definition(Path::new(file), line)
            .map(|d| d.name.as_str())
    };
    assert_eq!(at(APP, 40), Some("handleToggle"));
    assert_eq!(at(APP, 34), Some("App"));
    assert_eq!(at(APP, 31), Some("App"));
    assert_eq!(at(APP, 48), Some("App"));
    assert_eq!(at(APP, 0), None); // imports
    assert_eq!(at(APP, 49), None); // past the end
    assert_eq!(at(STORE, 26), Some("load"));
    assert_eq!(at(STORE, 22), Some("TodoStore")); // blank line inside the class
    assert_eq!(at(REPORT, 26), Some("clean"));
    assert_eq!(at(REPORT, 27), Some("by_region"));
    assert_eq!(at(PARSER, 30), Some("new"));
    assert_eq!(at(PARSER, 28), None); // the `impl` line: impl blocks are not definitions
    assert_eq!(at("missing.ts", 3), None);
}

#[test]
fn resolve_prefers_file_then_container_then_uniqueness() {
    let index = fixture_index();
    let resolve = |name: &str, file: Option<&str>, container: &[&str]| {
        index
            .resolve(name, file.map(Path::new), &strings(container))
            .map(|d| (d.file.to_string_lossy().into_owned(), d.line))
    };
    // `load` is a method in TypeScript and in Python: ambiguous without more.
    assert_eq!(resolve("load", None, &[]), None);
    assert_eq!(
        resolve("load", None, &["TodoStore"]),
        Some((STORE.into(), 23))
    );
    assert_eq!(
        resolve("load", None, &["SalesReport"]),
        Some((REPORT.into(), 20))
    );
    assert_eq!(
        resolve("load", Some(REPORT), &[]),
        Some((REPORT.into(), 20))
    );
    // Unique names resolve without hints; unknown names do not.
    assert_eq!(resolve("useTodos", None, &[]), Some((APP.into(), 6)));
    assert_eq!(resolve("noSuchSymbol", Some(APP), &[]), None);
    // From a use site inside `App`, a helper nested in `App` is visible.
    assert_eq!(
        resolve("handleToggle", Some(APP), &["App"]),
        Some((APP.into(), 38))
    );
    // A container suffix is enough (`Parser` for a method inside `impl Parser`).
    assert_eq!(resolve("fmt", None, &["Parser"]), Some((PARSER.into(), 44)));
    // The file hint may be absolute under the root.
    let abs = fixtures().join(REPORT);
    assert_eq!(
        index.resolve("load", Some(&abs), &[]).map(|d| d.line),
        Some(20)
    );
}

#[test]
fn resolve_picks_the_first_of_equals_in_the_hinted_file() {
    let mut index = SymbolIndex::new(Path::new("/ws"));
    // Overload signatures then the implementation: three definitions, one symbol.
    index.update_file(
        Path::new("fmt.ts"),
        "export function pad(s: string): string;\nexport function pad(n: number): string;\nexport function pad(x: any) { return String(x); }\n",
    );
    index.update_file(Path::new("other.ts"), "export function pad() {}\n");
    assert_eq!(index.definitions("pad").len(), 4);
    assert_eq!(index.resolve("pad", None, &[]), None);
    let d = index
        .resolve("pad", Some(Path::new("fmt.ts")), &[])
        .expect("resolved");
    assert_eq!((d.file.as_path(), d.line), (Path::new("fmt.ts"), 0));
}

#[test]
fn lookups_are_ordered_by_file_then_position() {
    let index = fixture_index();
    let files: Vec<_> = index
        .references("useState")
        .iter()
        .map(|r| (r.file.clone(), r.line))
        .collect();
    let mut sorted = files.clone();
    sorted.sort();
    assert_eq!(files, sorted);
    assert_eq!(
        files.first().map(|f| f.0.as_path()),
        Some(Path::new(COUNTER))
    );
    // Paths are relative to the root and `/`-separated.
    assert!(
        files
            .iter()
            .all(|(f, _)| !f.is_absolute() && f.components().count() == 2)
    );
}

#[test]
fn the_index_can_be_shared_across_threads() {
    // The language server keeps it behind a lock and reads it from request handlers.
    fn shareable<T: Send + Sync>() {}
    shareable::<SymbolIndex>();
}

#[test]
fn references_in_lists_a_files_uses_in_source_order() {
    let index = fixture_index();
    let refs = index.references_in(Path::new(PARSER));
    assert!(
        refs.windows(2)
            .all(|w| (w[0].line, w[0].col) <= (w[1].line, w[1].col))
    );
    assert_eq!(refs.first().map(|r| r.name.as_str()), Some("HashMap"));
    // The per-file lists add up to the index's totals.
    let files = [
        APP, STORE, COUNTER, REPORT, PARSER, DOCKERFILE, BOARD, HIGHLIGHT, SQUARE,
    ];
    let refs: usize = files
        .iter()
        .map(|f| index.references_in(Path::new(f)).len())
        .sum();
    let defs: usize = files
        .iter()
        .map(|f| index.definitions_in(Path::new(f)).len())
        .sum();
    assert_eq!(
        (refs, defs),
        (index.reference_count(), index.definition_count())
    );
    assert_eq!(index.file_count(), files.len());
}

#[test]
fn symbols_serialize_with_snake_case_kinds() {
    let index = fixture_index();
    let app = def(&index, APP, "App");
    let json = serde_json::to_value(app).expect("serializes");
    assert_eq!(json["kind"], "component");
    assert_eq!(json["file"], APP);
    let back: Definition = serde_json::from_value(json).expect("deserializes");
    assert_eq!(&back, app);
    let r: &Reference = index.references("TodoList")[0];
    assert_eq!(serde_json::to_value(r).expect("serializes")["kind"], "jsx");
}

// --- incremental updates -----------------------------------------------------------------

#[test]
fn update_file_replaces_only_that_files_symbols() {
    let mut index = fixture_index();
    let files = index.file_count();
    let before_other = index.definitions("TodoStore").len();
    let text = std::fs::read_to_string(fixtures().join(APP)).expect("fixture");

    // Rename the hook: the old name is gone everywhere, the new one is found with its calls.
    let renamed = text.replace("useTodos", "useTodoList");
    index.update_file(Path::new(APP), &renamed);
    assert!(index.definitions("useTodos").is_empty());
    assert!(index.references("useTodos").is_empty());
    assert_def(
        def(&index, APP, "useTodoList"),
        SymbolKind::Function,
        6,
        &[],
    );
    assert_eq!(
        refs_in(&index, APP, "useTodoList"),
        [(RefKind::Call, 32, strings(&["App"]))]
    );
    // Other files keep their entries; the file count is unchanged.
    assert_eq!(index.definitions("TodoStore").len(), before_other);
    assert_eq!(index.file_count(), files);

    // Three lines inserted at the top shift every line of the file by three.
    let shifted = format!("// one\n// two\n// three\n{renamed}");
    index.update_file(Path::new(APP), &shifted);
    assert_def(def(&index, APP, "App"), SymbolKind::Component, 34, &[]);
    assert_eq!(def(&index, APP, "App").end_line, 51);
    assert_eq!(
        refs_in(&index, APP, "useEffect")
            .iter()
            .map(|r| r.1)
            .collect::<Vec<_>>(),
        [3, 11, 37]
    );
    assert_eq!(
        index
            .enclosing_definition(Path::new(APP), 43)
            .map(|d| d.name.as_str()),
        Some("handleToggle")
    );
}

#[test]
fn update_file_adds_new_files_and_normalizes_paths() {
    let mut index = SymbolIndex::new(Path::new("/ws"));
    assert_eq!(index.root(), Path::new("/ws"));
    index.update_file(Path::new("./src/util.py"), "def helper():\n    return 1\n");
    assert!(index.has_file(Path::new("src/util.py")));
    assert!(index.has_file(Path::new("/ws/src/util.py")));
    assert_eq!(
        index.definitions("helper")[0].file,
        Path::new("src/util.py")
    );
    assert_eq!(index.definitions_in(Path::new("src/util.py")).len(), 1);
    // Files the index does not read are not added.
    index.update_file(Path::new("README.md"), "# helper\n");
    assert!(!index.has_file(Path::new("README.md")));
    assert_eq!(index.file_count(), 1);
}

#[test]
fn update_file_drops_texts_a_build_would_skip() {
    let mut index = SymbolIndex::new(Path::new("/ws"));
    index.update_file(Path::new("app.js"), "function kept() {}\n");
    assert!(index.has_file(Path::new("app.js")));
    // The same file, now minified: its old symbols must not linger.
    let minified = format!("function kept(){{}}{}\n", "var a=1;".repeat(400));
    index.update_file(Path::new("app.js"), &minified);
    assert!(!index.has_file(Path::new("app.js")));
    assert!(index.definitions("kept").is_empty());
}

#[test]
fn remove_file_forgets_definitions_and_references() {
    let mut index = fixture_index();
    let files = index.file_count();
    assert!(index.has_file(Path::new(REPORT)));
    index.remove_file(Path::new(REPORT));
    assert!(!index.has_file(Path::new(REPORT)));
    assert_eq!(index.file_count(), files - 1);
    assert!(index.definitions("SalesReport").is_empty());
    assert!(index.references("groupby").is_empty());
    assert!(index.definitions_in(Path::new(REPORT)).is_empty());
    // Only that file: `load` is still defined in TypeScript, and now unambiguous.
    assert_eq!(index.definitions("load").len(), 1);
    assert_eq!(
        index.resolve("load", None, &[]).map(|d| d.file.as_path()),
        Some(Path::new(STORE))
    );
    // Removing twice, or a file never indexed, is harmless.
    index.remove_file(Path::new(REPORT));
    index.remove_file(Path::new("never/there.ts"));
    assert_eq!(index.file_count(), files - 1);
}

// --- building from disk ------------------------------------------------------------------

fn write(root: &Path, rel: &str, text: impl AsRef<[u8]>) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().expect("has a parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

#[test]
fn build_skips_dependencies_ignored_and_oversized_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, "src/app.ts", "export function kept() {}\n");
    write(
        root,
        "src/ui/Button.tsx",
        "export const Button = () => <button />;\n",
    );
    write(root, "scripts/tool.py", "def kept_py():\n    pass\n");
    write(root, "notes.md", "function notCode() {}\n");
    // Always skipped, ignored or not.
    write(
        root,
        "node_modules/react/index.js",
        "function fromNodeModules() {}\n",
    );
    write(
        root,
        "web/node_modules/x/y.ts",
        "function nestedNodeModules() {}\n",
    );
    write(root, "dist/bundle.js", "function fromDist() {}\n");
    write(root, "target/debug/build.rs", "fn from_target() {}\n");
    write(root, ".venv/lib/site.py", "def from_venv(): pass\n");
    write(root, "pkg/__pycache__/m.py", "def from_pycache(): pass\n");
    // Ignored by .gitignore, although the folder is not a git repository.
    write(root, ".gitignore", "generated/\n*.gen.ts\n");
    write(root, "generated/api.ts", "function fromGenerated() {}\n");
    write(root, "src/schema.gen.ts", "function fromGenTs() {}\n");
    // Too large, and minified.
    let big = "function fromBig() {}\n".repeat(600 * 1024 / 22);
    write(root, "src/big.js", big);
    let minified = format!("function fromMinified(){{}}{}\n", "var a=1;".repeat(300));
    write(root, "src/vendor.min.js", minified);

    let index = SymbolIndex::build(root);
    assert_eq!(index.root(), root);
    let mut indexed: Vec<_> = ["src/app.ts", "src/ui/Button.tsx", "scripts/tool.py"]
        .into_iter()
        .filter(|f| index.has_file(Path::new(f)))
        .collect();
    indexed.sort();
    assert_eq!(
        indexed,
        ["scripts/tool.py", "src/app.ts", "src/ui/Button.tsx"]
    );
    assert_eq!(index.file_count(), 3);
    assert_eq!(index.definitions("kept").len(), 1);
    assert_eq!(index.definitions("Button")[0].kind, SymbolKind::Component);
    for skipped in [
        "notCode",
        "fromNodeModules",
        "nestedNodeModules",
        "fromDist",
        "from_target",
        "from_venv",
        "from_pycache",
        "fromGenerated",
        "fromGenTs",
        "fromBig",
        "fromMinified",
    ] {
        assert!(
            index.definitions(skipped).is_empty(),
            "{skipped} was indexed"
        );
    }
}

#[test]
fn build_of_an_empty_or_missing_root_is_empty() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert_eq!(SymbolIndex::build(dir.path()).file_count(), 0);
    assert_eq!(
        SymbolIndex::build(&dir.path().join("missing")).file_count(),
        0
    );
}

#[test]
fn invalid_utf8_is_read_lossily() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut bytes = b"export function before() {}\nconst s = \"".to_vec();
    bytes.extend_from_slice(&[0xff, 0xfe, 0xc3]);
    bytes.extend_from_slice(b"\";\nexport function after() {}\n");
    write(dir.path(), "bad.ts", bytes);
    let index = SymbolIndex::build(dir.path());
    assert!(index.has_file(Path::new("bad.ts")));
    assert_eq!(index.definitions("before").len(), 1);
    assert_eq!(index.definitions("after")[0].line, 2);
}

/// A deterministic stream of pseudo-random bytes (no dependency needed).
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

#[test]
fn garbage_never_panics() {
    let mut index = SymbolIndex::new(Path::new("/ws"));
    let shapes = [
        "a.ts", "a.tsx", "a.js", "a.jsx", "a.py", "a.rs", "a.mts", "a.cjs", "a.css",
    ];
    let mut texts: Vec<String> = (0..8)
        .map(|seed| String::from_utf8_lossy(&noise(seed, 4_000)).into_owned())
        .collect();
    texts.extend([
        String::new(),
        "\0\0\0".into(),
        "(".repeat(5_000),
        "{".repeat(5_000),
        "<A><B><C>".repeat(300),
        "function (((( class { def fn impl for <div> ))))".into(),
        "class A:\n def f(:\n  return )\n".into(),
        "impl<'a> for { fn }} macro_rules! x { ( => }".into(),
        "const X = () => <Foo bar={() => <Baz>}".into(),
        "\u{feff}export function bom() {}\r\n".into(),
        "é\u{1f600}ü function ü() {}".into(),
    ]);
    for shape in shapes {
        for text in &texts {
            index.update_file(Path::new(shape), text);
            // Whatever was recovered is self-consistent.
            for d in index.definitions_in(Path::new(shape)) {
                assert!(d.line <= d.end_line, "{d:?}");
                assert!(index.definitions(&d.name).contains(&d));
            }
        }
    }
    // The byte-order mark and CRLF lines do not hide a definition.
    index.update_file(Path::new("bom.ts"), "\u{feff}export function bom() {}\r\n");
    assert_eq!(index.definitions("bom").len(), 1);
}

// --- incremental re-indexing -------------------------------------------------------------

/// Types `snippet` at byte `at` one character at a time, updating the index after each, as an
/// editor does; then deletes it again the same way. Returns the text with the snippet.
fn type_and_erase(
    index: &mut SymbolIndex,
    file: &str,
    text: &str,
    at: usize,
    snippet: &str,
) -> String {
    let rel = Path::new(file);
    let ends: Vec<usize> = snippet
        .char_indices()
        .map(|(i, c)| i + c.len_utf8())
        .collect();
    for &end in &ends {
        index.update_file(
            rel,
            &format!("{}{}{}", &text[..at], &snippet[..end], &text[at..]),
        );
    }
    let typed = format!("{}{snippet}{}", &text[..at], &text[at..]);
    assert_matches_fresh(index, file, &typed, "after typing");
    for &end in ends.iter().rev().skip(1) {
        index.update_file(
            rel,
            &format!("{}{}{}", &text[..at], &snippet[..end], &text[at..]),
        );
    }
    index.update_file(rel, text);
    assert_matches_fresh(index, file, text, "after erasing");
    typed
}

fn assert_matches_fresh(index: &SymbolIndex, file: &str, text: &str, when: &str) {
    let mut fresh = SymbolIndex::new(index.root());
    fresh.update_file(Path::new(file), text);
    let rel = Path::new(file);
    assert_eq!(
        index.definitions_in(rel),
        fresh.definitions_in(rel),
        "{file} {when}"
    );
    assert_eq!(
        index.references_in(rel),
        fresh.references_in(rel),
        "{file} {when}"
    );
    // The postings follow the spliced entries.
    for d in index.definitions_in(rel) {
        assert!(index.definitions(&d.name).contains(&d), "{d:?}");
    }
    for r in index.references_in(rel) {
        assert!(index.references(&r.name).contains(&r), "{r:?}");
    }
}

#[test]
fn typing_converges_to_a_fresh_index() {
    // The editor path (kept tree, incremental reparse, re-query of the touched items, splice)
    // goes through broken code at every keystroke; once the code is whole again, the index must
    // be exactly what indexing the text from scratch gives.
    let snippets = [
        (
            APP,
            "  const [open, setOpen] = useState(false);\n  useEffect(() => setOpen(true), []);\n",
        ),
        (
            STORE,
            "  clear(): void {\n    this.todos = [];\n    notify(MAX_TODOS);\n  }\n\n",
        ),
        (
            COUNTER,
            "export function Reset({ onReset }) {\n  return <Button onClick={onReset} />;\n}\n\n",
        ),
        (
            REPORT,
            "    def total(self, df: DataFrame) -> float:\n        return df.amount.sum()\n\n",
        ),
        (
            PARSER,
            "    pub fn peek(&self) -> Option<char> {\n        self.source[self.pos..].chars().next()\n    }\n\n",
        ),
        (BOARD, "  .piece.premove {\n    opacity: 0.6;\n  }\n\n"),
    ];
    let mut index = fixture_index();
    for (file, snippet) in snippets {
        let text = std::fs::read_to_string(fixtures().join(file)).expect("fixture");
        // Inside the body of the file's main item (a class, a component), and at the end.
        let lines: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let inside = match file {
            APP => lines[33],
            STORE => lines[30],
            COUNTER => lines[8],
            REPORT => lines[24],
            // Inside `@media`, before `.piece.cooldown`.
            BOARD => lines[60],
            _ => lines[33],
        };
        let typed = type_and_erase(&mut index, file, &text, inside, snippet);
        // A snippet typed at the very end of the file, after the other one.
        let top_level = match file {
            REPORT => "\ndef extra():\n    return main()\n",
            PARSER => "\nfn extra() -> usize {\n    MAX_DEPTH\n}\n",
            BOARD => "\n.square.check,\n.square.mate {\n  box-shadow: inset 0 0 8px red;\n}\n",
            _ => "\nexport function extra() {\n  return createThing(API_URL);\n}\n",
        };
        type_and_erase(&mut index, file, &typed, typed.len(), top_level);
        // A rename all over the file.
        let renamed = text.replace("on", "onn");
        index.update_file(Path::new(file), &renamed);
        assert_matches_fresh(&index, file, &renamed, "after a rename");
        index.update_file(Path::new(file), &text);
    }
}

#[test]
fn editing_one_function_keeps_the_rest_and_moves_it() {
    let mut index = fixture_index();
    let text = std::fs::read_to_string(fixtures().join(STORE)).expect("fixture");
    index.update_file(Path::new(STORE), &text);
    // Type a new statement into `toggle`: two lines more inside it.
    let edited = text.replacen(
        "    const todo = this.find(id);\n",
        "    const todo = this.find(id);\n    audit(id);\n    audit(todo);\n",
        1,
    );
    index.update_file(Path::new(STORE), &edited);
    assert_eq!(
        refs_in(&index, STORE, "audit"),
        [
            (RefKind::Call, 32, strings(&["TodoStore", "toggle"])),
            (RefKind::Call, 33, strings(&["TodoStore", "toggle"]))
        ]
    );
    // Before the edit: unchanged; the class and `toggle` grow; after it: two lines down.
    assert_def(
        def(&index, STORE, "load"),
        SymbolKind::Method,
        23,
        &["TodoStore"],
    );
    assert_eq!(def(&index, STORE, "toggle").end_line, 37);
    assert_eq!(def(&index, STORE, "TodoStore").end_line, 42);
    assert_def(
        def(&index, STORE, "find"),
        SymbolKind::Method,
        39,
        &["TodoStore"],
    );
    assert_def(
        def(&index, STORE, "createStore"),
        SymbolKind::Function,
        44,
        &[],
    );
    // Patterns that look at a top-level item's parent (`(program (lexical_declaration …))`)
    // still match when only that item is queried again.
    let edited = edited.replacen("export const MAX_TODOS", "export const MAX_ITEMS", 1);
    index.update_file(Path::new(STORE), &edited);
    assert_def(
        def(&index, STORE, "MAX_ITEMS"),
        SymbolKind::Constant,
        1,
        &[],
    );
    assert!(index.definitions("MAX_TODOS").is_empty());
    assert_eq!(
        refs_in(&index, STORE, "MAX_TODOS"),
        [(RefKind::Identifier, 26, strings(&["TodoStore", "load"]))]
    );
    let report = std::fs::read_to_string(fixtures().join(REPORT)).expect("fixture");
    index.update_file(Path::new(REPORT), &report);
    index.update_file(
        Path::new(REPORT),
        &report.replacen("MAX_ROWS = ", "ROW_LIMIT = ", 1),
    );
    assert_def(
        def(&index, REPORT, "ROW_LIMIT"),
        SymbolKind::Constant,
        5,
        &[],
    );
    // Updating with the same text again changes nothing.
    let before = index.definitions_in(Path::new(STORE)).to_vec();
    index.update_file(Path::new(STORE), &edited);
    assert_eq!(index.definitions_in(Path::new(STORE)), before.as_slice());
}
