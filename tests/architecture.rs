//! The architecture's invariants, checked rather than hoped for (after rust-analyzer's tidy
//! tests): which layer may import which crate, a doc comment at the top of every source file, and
//! no printing to stdout outside the CLI surface (stdout of `serve`, `mcp` and `codex-hook` is
//! protocol).

use std::path::{Path, PathBuf};

fn sources() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("server");
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn rel(p: &Path) -> String {
    p.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
}

/// Crates only one layer may use: (crate path prefix in code, the folder allowed to use it).
const OWNED: &[(&str, &str)] = &[
    ("redb::", "server/store/"),
    ("tower_lsp", "server/surface/"),
    ("lsp_types", "server/surface/"),
    ("rmcp::", "server/surface/"),
    ("toml_edit", "server/surface/"),
    ("tree_sitter", "server/link/"),
    // Following folders is write-side work: the faces start the watcher, never watch themselves.
    ("notify::", "server/ingest/"),
];

#[test]
fn each_owned_crate_is_imported_by_its_layer_only() {
    let mut violations = Vec::new();
    for file in sources() {
        let path = rel(&file);
        let text = std::fs::read_to_string(&file).unwrap();
        for (krate, home) in OWNED {
            if path.starts_with(home) {
                continue;
            }
            for (n, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                if code.contains(krate) {
                    violations.push(format!("{path}:{}: uses {krate} outside {home}", n + 1));
                }
            }
        }
    }
    assert!(
        violations.is_empty(),
        "layer violations:\n{}",
        violations.join("\n")
    );
}

#[test]
fn inner_layers_do_not_reach_outward() {
    // Data flows one way: the write side (capture → normalize → ingest → store) and the read side
    // (store → insight → link → knowledge → the faces). No layer reaches a later one, the store
    // never depends on what feeds it, and no face reaches another.
    let rules: &[(&str, &[&str])] = &[
        (
            "server/normalize/",
            &[
                "crate::store",
                "crate::surface",
                "crate::capture",
                "crate::ingest",
            ],
        ),
        (
            "server/capture/",
            &["crate::store", "crate::surface", "crate::ingest"],
        ),
        (
            "server/store/",
            &["crate::capture", "crate::surface", "crate::ingest"],
        ),
        (
            "server/insight/",
            &[
                "crate::store",
                "crate::surface",
                "crate::capture",
                "crate::ingest",
                "crate::link",
            ],
        ),
        (
            "server/link/",
            &[
                "crate::store",
                "crate::surface",
                "crate::capture",
                "crate::ingest",
            ],
        ),
        // The write side ends at the store: ingest knows no face and nothing of the read side.
        (
            "server/ingest/",
            &[
                "crate::surface",
                "crate::knowledge",
                "crate::insight",
                "crate::link",
            ],
        ),
        // What is known serves every face and knows none of them.
        ("server/knowledge/", &["crate::surface", "crate::ingest"]),
        // What a face hears becomes an event through capture::live, which redacts inside: a face
        // never reaches for the redactor or makes up an event's identity itself.
        (
            "server/surface/",
            &[
                "normalize::redact",
                "Redactor",
                "live_event_id",
                "local_session_id",
                "EventId",
            ],
        ),
        // The faces are leaves: none imports another (the binary hands the CLI its servers).
        (
            "server/surface/cli/",
            &["crate::surface::lsp", "crate::surface::mcp"],
        ),
        (
            "server/surface/lsp/",
            &["crate::surface::cli", "crate::surface::mcp"],
        ),
        (
            "server/surface/mcp",
            &["crate::surface::cli", "crate::surface::lsp"],
        ),
    ];
    let mut violations = Vec::new();
    for file in sources() {
        let path = rel(&file);
        let text = std::fs::read_to_string(&file).unwrap();
        for (layer, banned) in rules {
            if !path.starts_with(layer) {
                continue;
            }
            for b in *banned {
                if text.contains(b) {
                    violations.push(format!("{path} uses {b}"));
                }
            }
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[test]
fn every_source_file_says_why_it_exists() {
    let missing: Vec<String> = sources()
        .into_iter()
        .filter(|f| {
            !std::fs::read_to_string(f)
                .unwrap()
                .trim_start()
                .starts_with("//!")
        })
        .map(|f| rel(&f))
        .collect();
    assert!(
        missing.is_empty(),
        "files without a leading //! doc comment: {missing:?}"
    );
}

#[test]
fn only_the_cli_prints_to_stdout() {
    let mut offenders = Vec::new();
    for file in sources() {
        let path = rel(&file);
        if path.starts_with("server/surface/cli/") || path.starts_with("server/benches/") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            if code.contains("println!(")
                || code.contains("print!(")
                || code.contains("std::io::stdout")
                || code.contains("dbg!(")
            {
                offenders.push(format!("{path}:{}", n + 1));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "stdout is protocol outside the CLI: {offenders:?}"
    );
}

#[test]
fn store_tables_are_declared_in_one_place() {
    for file in sources() {
        let path = rel(&file);
        if path == "server/store/tables.rs" {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            !text.contains("TableDefinition::new"),
            "{path} declares a table outside store/tables.rs"
        );
    }
}
