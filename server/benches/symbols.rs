//! Symbol index benchmark: how long a language server waits for a workspace index, and how long
//! one edit takes to re-index.
//!
//! Generates a synthetic but realistic 1,000-file TypeScript/TSX workspace in a temporary folder
//! (React components with hooks, services with classes, type modules, utilities; 50–300 lines
//! each), then measures a full `SymbolIndex::build`, and `update_file` of one ordinary ~200-line
//! component three ways: a keystroke (the editor case: incremental), a change all over the file,
//! and a first update (full parse). Prints figures only: timings depend on the machine (and on
//! what else runs on it), so nothing is asserted.
//!
//! Run with `cargo bench --bench symbols` (the optional argument sets the file count).

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use sessionlens::link::{Lang, SymbolIndex};

/// Deterministic pseudo-random numbers (xorshift), so every run indexes the same workspace.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const NOUNS: [&str; 16] = [
    "Todo", "User", "Order", "Invoice", "Project", "Comment", "Session", "Report", "Team",
    "Ticket", "Product", "Cart", "Payment", "Message", "Event", "Account",
];
const VERBS: [&str; 10] = [
    "load", "save", "update", "remove", "format", "validate", "sync", "merge", "sort", "filter",
];

/// A React component module: props interface, a custom hook, the component, and sub-components
/// sized to roughly `lines` lines.
fn component(rng: &mut Rng, i: usize, lines: usize) -> String {
    let noun = rng.pick(&NOUNS);
    let name = format!("{noun}Panel{i}");
    let mut s = String::new();
    let _ = writeln!(
        s,
        "import React, {{ useCallback, useEffect, useMemo, useState }} from \"react\";"
    );
    let _ = writeln!(
        s,
        "import {{ {noun}Service }} from \"../services/{noun}Service{}\";",
        i % 97
    );
    let _ = writeln!(
        s,
        "import type {{ {noun}, {noun}Filter }} from \"../types/{noun}{}\";",
        i % 89
    );
    let _ = writeln!(
        s,
        "import {{ formatDate, clamp }} from \"../utils/format{}\";\n",
        i % 53
    );
    let _ = writeln!(s, "export interface {name}Props {{");
    let _ = writeln!(
        s,
        "  items: {noun}[];\n  filter: {noun}Filter;\n  onSelect: (item: {noun}) => void;\n}}\n"
    );
    let _ = writeln!(s, "export function use{name}Data(filter: {noun}Filter) {{");
    let _ = writeln!(s, "  const [data, setData] = useState<{noun}[]>([]);");
    let _ = writeln!(s, "  const [loading, setLoading] = useState(false);");
    let _ = writeln!(
        s,
        "  useEffect(() => {{\n    let cancelled = false;\n    setLoading(true);"
    );
    let _ = writeln!(s, "    new {noun}Service().list(filter).then((rows) => {{");
    let _ = writeln!(
        s,
        "      if (!cancelled) setData(rows);\n      setLoading(false);\n    }});"
    );
    let _ = writeln!(
        s,
        "    return () => {{\n      cancelled = true;\n    }};\n  }}, [filter]);"
    );
    let _ = writeln!(s, "  return {{ data, loading }};\n}}\n");
    let mut part = 0;
    while s.lines().count() + 30 < lines {
        let _ = writeln!(
            s,
            "const {name}Row{part} = ({{ item, onSelect }}: {{ item: {noun}; onSelect: (i: {noun}) => void }}) => {{"
        );
        let _ = writeln!(
            s,
            "  const label = useMemo(() => formatDate(item.createdAt), [item]);"
        );
        let _ = writeln!(
            s,
            "  const handleClick = useCallback(() => onSelect(item), [item, onSelect]);"
        );
        for k in 0..rng.below(6) {
            let verb = rng.pick(&VERBS);
            let _ = writeln!(
                s,
                "  const {verb}{k} = (value: number) => clamp(value * {k}, 0, 100);"
            );
        }
        let _ = writeln!(
            s,
            "  return (\n    <li className=\"row\" onClick={{handleClick}}>"
        );
        let _ = writeln!(
            s,
            "      <span>{{label}}</span>\n      <Badge{part} count={{item.id}} />\n    </li>\n  );\n}};\n"
        );
        let _ = writeln!(
            s,
            "function Badge{part}({{ count }}: {{ count: number }}) {{"
        );
        let _ = writeln!(s, "  return <strong>{{count}}</strong>;\n}}\n");
        part += 1;
    }
    let _ = writeln!(
        s,
        "export default function {name}({{ items, filter, onSelect }}: {name}Props) {{"
    );
    let _ = writeln!(s, "  const {{ data, loading }} = use{name}Data(filter);");
    let _ = writeln!(
        s,
        "  const [selected, setSelected] = useState<number | null>(null);"
    );
    let _ = writeln!(
        s,
        "  useEffect(() => {{\n    document.title = `${{items.length}} items`;\n  }}, [items]);"
    );
    let _ = writeln!(s, "  if (loading) return <Spinner />;");
    let _ = writeln!(s, "  return (\n    <ul>");
    for p in 0..part {
        let _ = writeln!(
            s,
            "      {{data.map((item) => <{name}Row{p} key={{item.id}} item={{item}} onSelect={{onSelect}} />)}}"
        );
    }
    let _ = writeln!(s, "    </ul>\n  );\n}}");
    let _ = writeln!(
        s,
        "\nfunction Spinner() {{\n  return <div className=\"spinner\" />;\n}}"
    );
    s
}

/// A service module: a class with async methods over `fetch`, plus exported constants.
fn service(rng: &mut Rng, i: usize, lines: usize) -> String {
    let noun = rng.pick(&NOUNS);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "import type {{ {noun}, {noun}Filter }} from \"../types/{noun}{}\";",
        i % 89
    );
    let _ = writeln!(
        s,
        "import {{ retry, sleep }} from \"../utils/async{}\";\n",
        i % 41
    );
    let _ = writeln!(
        s,
        "export const {}_ENDPOINT = \"/api/{}\";",
        noun.to_uppercase(),
        noun.to_lowercase()
    );
    let _ = writeln!(s, "export const MAX_RETRIES = {};\n", 3 + i % 4);
    let _ = writeln!(s, "export class {noun}Service{i} {{");
    let _ = writeln!(
        s,
        "  private cache = new Map<number, {noun}>();\n  constructor(private readonly baseUrl: string = \"\") {{}}\n"
    );
    let mut m = 0;
    while s.lines().count() + 12 < lines {
        let verb = rng.pick(&VERBS);
        let _ = writeln!(
            s,
            "  async {verb}{m}(filter: {noun}Filter): Promise<{noun}[]> {{"
        );
        let _ = writeln!(
            s,
            "    const url = `${{this.baseUrl}}${{{}_ENDPOINT}}?q=${{encodeURIComponent(filter.query)}}`;",
            noun.to_uppercase()
        );
        let _ = writeln!(
            s,
            "    const response = await retry(() => fetch(url), MAX_RETRIES);"
        );
        let _ = writeln!(
            s,
            "    if (!response.ok) {{\n      await sleep(100);\n      throw new Error(`{verb} failed: ${{response.status}}`);\n    }}"
        );
        let _ = writeln!(s, "    const rows: {noun}[] = await response.json();");
        let _ = writeln!(s, "    rows.forEach((row) => this.cache.set(row.id, row));");
        let _ = writeln!(
            s,
            "    return rows.filter((row) => this.matches(row, filter));\n  }}\n"
        );
        m += 1;
    }
    let _ = writeln!(
        s,
        "  private matches(row: {noun}, filter: {noun}Filter): boolean {{\n    return row.name.includes(filter.query);\n  }}\n}}"
    );
    s
}

/// A type module: interfaces, unions, enums.
fn types(rng: &mut Rng, i: usize, lines: usize) -> String {
    let noun = rng.pick(&NOUNS);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "export enum {noun}Status{i} {{\n  Draft = \"draft\",\n  Active = \"active\",\n  Archived = \"archived\",\n}}\n"
    );
    let _ = writeln!(
        s,
        "export interface {noun} {{\n  id: number;\n  name: string;\n  createdAt: Date;\n  status: {noun}Status{i};\n}}\n"
    );
    let _ = writeln!(
        s,
        "export interface {noun}Filter {{\n  query: string;\n  status?: {noun}Status{i};\n  limit?: number;\n}}\n"
    );
    let mut k = 0;
    while s.lines().count() + 8 < lines {
        let other = rng.pick(&NOUNS);
        let _ = writeln!(s, "export interface {noun}With{other}{k} extends {noun} {{");
        let _ = writeln!(
            s,
            "  {}: {other}[];\n  total: number;\n  updatedAt?: Date;\n}}\n",
            other.to_lowercase()
        );
        let _ = writeln!(
            s,
            "export type {noun}Or{other}{k} = {noun} | {noun}With{other}{k};\n"
        );
        k += 1;
    }
    s
}

/// A utility module: small exported functions, arrow and declared.
fn utils(rng: &mut Rng, i: usize, lines: usize) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "export const DEFAULT_LOCALE = \"en-US\";\nconst cache{i} = new Map<string, string>();\n"
    );
    let _ = writeln!(
        s,
        "export function formatDate(d: Date, locale: string = DEFAULT_LOCALE): string {{"
    );
    let _ = writeln!(
        s,
        "  return new Intl.DateTimeFormat(locale).format(d);\n}}\n"
    );
    let _ = writeln!(
        s,
        "export const clamp = (n: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, n));\n"
    );
    let mut k = 0;
    while s.lines().count() + 10 < lines {
        let verb = rng.pick(&VERBS);
        let _ = writeln!(
            s,
            "export function {verb}Values{k}<T>(values: T[], key: (v: T) => string): T[] {{"
        );
        let _ = writeln!(
            s,
            "  const seen = new Set<string>();\n  const out: T[] = [];"
        );
        let _ = writeln!(
            s,
            "  for (const v of values) {{\n    const k = key(v);\n    if (cache{i}.has(k) || seen.has(k)) continue;\n    seen.add(k);\n    out.push(v);\n  }}"
        );
        let _ = writeln!(s, "  return out;\n}}\n");
        k += 1;
    }
    s
}

/// Writes the workspace; returns (files, bytes, lines) and the path of one ordinary ~200-line
/// component to edit.
fn generate(root: &Path, files: usize) -> std::io::Result<((usize, usize, usize), String)> {
    let mut rng = Rng(0x5e55_1011_1e25);
    let (mut bytes, mut lines) = (0, 0);
    let mut edit = None;
    for i in 0..files {
        let target = 50 + rng.below(251);
        let (dir, ext, text) = match i % 10 {
            0..=4 => ("components", "tsx", component(&mut rng, i, target)),
            5 | 6 => ("services", "ts", service(&mut rng, i, target)),
            7 | 8 => ("types", "ts", types(&mut rng, i, target)),
            _ => ("utils", "ts", utils(&mut rng, i, target)),
        };
        let rel = format!("src/{dir}/m{i:04}.{ext}");
        let path = root.join(&rel);
        std::fs::create_dir_all(path.parent().unwrap_or(root))?;
        let n = text.lines().count();
        if edit.is_none() && ext == "tsx" && (180..=230).contains(&n) {
            edit = Some(rel.clone());
        }
        bytes += text.len();
        lines += n;
        std::fs::write(path, text)?;
    }
    // Dependencies the walk must skip without reading.
    let dep = root.join("node_modules/react/index.js");
    std::fs::create_dir_all(dep.parent().unwrap_or(root))?;
    std::fs::write(dep, "export function useState() {}\n".repeat(1000))?;
    let edit = edit.unwrap_or_else(|| "src/components/m0000.tsx".into());
    Ok(((files, bytes, lines), edit))
}

/// Times `iterations` updates of `rel`, alternating two texts; sorted.
fn measure(
    index: &mut SymbolIndex,
    rel: &Path,
    a: &str,
    b: &str,
    iterations: usize,
) -> Vec<Duration> {
    index.update_file(rel, a);
    let mut times = Vec::with_capacity(iterations);
    for i in 0..iterations {
        let text = if i % 2 == 0 { b } else { a };
        let start = Instant::now();
        index.update_file(rel, text);
        times.push(start.elapsed());
    }
    times.sort_unstable();
    times
}

fn report(what: &str, file: &str, text: &str, index: &SymbolIndex, times: &[Duration]) {
    println!(
        "{:<10} {file} ({} lines, {} definitions, {} references): median {:.0} µs, p99 {:.0} µs, max {:.0} µs over {}",
        format!("{what}:"),
        text.lines().count(),
        index.definitions_in(Path::new(file)).len(),
        index.references_in(Path::new(file)).len(),
        micros(percentile(times, 0.5)),
        micros(percentile(times, 0.99)),
        micros(times[times.len() - 1]),
        times.len()
    );
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// Peak resident memory of this process, from `/proc` (Linux only).
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn main() -> std::io::Result<()> {
    // `cargo bench` passes `--bench`; a number sets the file count.
    let files = std::env::args()
        .skip(1)
        .find_map(|a| a.parse::<usize>().ok())
        .unwrap_or(1_000);
    let dir = tempfile::tempdir()?;
    let root = dir.path();
    let ((n, bytes, lines), edit) = generate(root, files)?;
    println!(
        "workspace: {n} TS/TSX files, {lines} lines, {:.1} MB (+ node_modules, skipped)",
        bytes as f64 / 1e6
    );
    println!(
        "threads:   {}",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );

    // What a language costs the first time a process meets it: its grammar loaded and its query
    // files compiled (the figure a first hover waits for, unless compiled ahead).
    let mut compiles = Vec::new();
    for lang in Lang::ALL {
        let start = Instant::now();
        if let Err(e) = lang.self_check() {
            println!("queries:   {lang:?}: {e}");
        }
        compiles.push(format!(
            "{lang:?} {:.0}",
            start.elapsed().as_secs_f64() * 1e3
        ));
    }
    println!("queries:   compiled in ms: {}", compiles.join(", "));

    // Full build, best of three (the first also warms the page cache and compiles the queries).
    let mut builds = Vec::new();
    let mut index = SymbolIndex::new(root);
    for _ in 0..3 {
        // Drop the previous index first, so peak memory is that of one index.
        drop(std::mem::replace(&mut index, SymbolIndex::new(root)));
        let start = Instant::now();
        index = SymbolIndex::build(root);
        builds.push(start.elapsed());
    }
    let first = builds[0];
    let best = builds.iter().min().copied().unwrap_or(first);
    println!(
        "build:     {:.0} ms best of 3 (first {:.0} ms): {:.0} files/s, {:.1} MB/s",
        best.as_secs_f64() * 1e3,
        first.as_secs_f64() * 1e3,
        index.file_count() as f64 / best.as_secs_f64(),
        bytes as f64 / 1e6 / best.as_secs_f64()
    );
    println!(
        "index:     {} files, {} definitions, {} references",
        index.file_count(),
        index.definition_count(),
        index.reference_count()
    );

    // Re-index one ordinary component as an editor does while typing: alternate the text with
    // and without a short line typed in the middle of the file. Every update really changes the
    // file; after the first, its kept tree makes them incremental.
    let original = std::fs::read_to_string(root.join(&edit))?;
    let rel = Path::new(&edit);
    let middle = original[..original.len() / 2]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let typed = format!("{}  // x\n{}", &original[..middle], &original[middle..]);
    let keystroke = measure(&mut index, rel, &original, &typed, 500);
    report("typing", &edit, &original, &index, &keystroke);

    // A change all over the file (a handler renamed everywhere, as after a refactoring).
    let renamed = original.replace("handleClick", "handlePress");
    let rename = measure(&mut index, rel, &original, &renamed, 300);
    report("rename", &edit, &original, &index, &rename);

    // A file updated for the first time (or after many others): a full parse and query.
    let mut others = Vec::new();
    for i in 0..files.min(400) {
        let other = format!("src/components/m{i:04}.tsx");
        if let Ok(text) = std::fs::read_to_string(root.join(&other)) {
            others.push((other, text));
        }
    }
    let mut cold = Vec::with_capacity(others.len());
    for (other, text) in &others {
        let changed = format!("// edited\n{text}");
        let start = Instant::now();
        index.update_file(Path::new(other), &changed);
        cold.push(start.elapsed());
    }
    cold.sort_unstable();
    if !cold.is_empty() {
        let lines: usize = others.iter().map(|(_, t)| t.lines().count()).sum();
        println!(
            "cold:      first update of {} components (avg {} lines), full parse: median {:.0} µs, p99 {:.0} µs",
            others.len(),
            lines / others.len(),
            micros(percentile(&cold, 0.5)),
            micros(percentile(&cold, 0.99)),
        );
    }

    // Lookups of a name used in every component.
    let mut lookups = Vec::with_capacity(200);
    let mut found = 0;
    for _ in 0..200 {
        let start = Instant::now();
        found = index.references("useState").len();
        lookups.push(start.elapsed());
    }
    lookups.sort_unstable();
    println!(
        "lookup:    references(\"useState\") → {found}: median {:.0} µs",
        micros(percentile(&lookups, 0.5))
    );
    if let Some(rss) = peak_rss_mib() {
        println!("memory:    peak RSS {rss:.0} MiB (generator and one index)");
    }
    Ok(())
}
