#!/usr/bin/env python3
"""Regenerates gitleaks.rs, the redactor's table of vendored rules, from gitleaks.toml.

Why: the redactor must not parse TOML at run time (normalize/ is pure code, and only surface/ and
config.rs may use a TOML parser), so the vendored rule set is converted once into a Rust table
that is compiled in. Run it after replacing gitleaks.toml with a newer upstream copy:

    python3 server/normalize/secrets/regen.py        # Python 3.11+ (tomllib), no other packages

then `cargo test --lib normalize::` (every regex must compile with Rust's regex crate) and the
secrets tests (`cargo test --test it secrets`), and update README.md beside this file (source
commit, counts, dropped rules).

What the conversion keeps per rule: id, regex, secret group, entropy threshold, keywords and the
allowlists that can be checked on text alone (regexes with their target, stopwords). What it
changes is listed in OVERRIDES, DROPPED and `translate` below, each with its reason; README.md
repeats the list.
"""

import pathlib
import re
import tomllib

HERE = pathlib.Path(__file__).resolve().parent
SOURCE = HERE / "gitleaks.toml"
OUTPUT = HERE / "gitleaks.rs"
# The upstream commit gitleaks.toml was copied from; printed into the generated header.
COMMIT = "009e025ad4106ab333aa0b9dc4f2a884390d134c"

# Rules not vendored, with the reason (the redactor sees text, never a file name).
DROPPED = {
    "pkcs12-file": "path-only rule (flags *.p12/*.pfx files by name); there is no text to match",
}

# Per-rule changes, each for a reason gitleaks itself does not have (it reports, we replace).
OVERRIDES = {
    # The first group is the keyword ("login"/"token"), not the secret: redact the value (group 2).
    "sonar-api-token": {"group": "2"},
    # The named groups only mark which JWT header field the token starts with; the secret is the
    # whole match, and redacting a group would leave the token itself in place.
    "jwt-base64": {"group": "whole"},
    # The groups are repeated UUID fragments; the secret is the whole webhook URL.
    "microsoft-teams-webhook": {"group": "whole"},
    # Ships no keywords, so it would run on every text; these are the literals its regex needs
    # (db_passw(or)d, database_passw(or)d, pwd), so the prefilter stays exact. It has no entropy
    # threshold either, so `{"command":"pwd","workdir":…}` (a real Codex tool call) made
    # "workdir" a password: it gets generic-api-key's allowlist of plain words (letters, `_`,
    # `.`, `-` only).
    "database-password": {
        "keywords": ["pwd", "_passwd", "_password"],
        "allow": [{"regexes": ["^[a-zA-Z_.-]+$"]}],
    },
}

# A `{` that does not open a counted repetition is a literal in Go's RE2 but an error in Rust's
# regex crate: escape it. Everything else in the vendored set is accepted by both as it is (the
# redactor compiles each regex as a bytes regex with Unicode off, which gives `\w`, `\d`, `\s`,
# `\b` and `(?i)` RE2's ASCII meaning).
REPETITION = re.compile(r"\{\d+(,\d*)?\}")

# gitleaks closes most rules with this group: the secret must be followed by a quote, a space,
# `;`, an escaped newline or the end. In prose and URLs a token is as often followed by `,`, `.`,
# `)`, `&`, `>`, `]`, `}` or `|` ("my token is hf_…, why"): for the rules whose secret has a shape
# of its own (a prefix like `hf_`, `glpat-`), those end it too. Rules that find a secret by the
# word before it (`[\w.-]{0,50}?(?:word)…=value`) keep gitleaks' ending: there the stricter end
# is what keeps ordinary code from matching.
CLOSE = r"""(?:[\x60'"\s;]|\\[nr]|$)"""
CLOSE_WIDE = r"""(?:[\x60'"\s;,.)&>\]}|]|\\[nr]|$)"""
ASSIGNMENT_LEADS = (r"(?i)[\w.-]{0,50}?", r"[\w.-]{0,50}?")


def widen_close(regex: str) -> str:
    if regex.startswith(ASSIGNMENT_LEADS):
        return regex
    return regex.replace(CLOSE, CLOSE_WIDE)


def translate(regex: str) -> str:
    out = []
    i, in_class = 0, False
    while i < len(regex):
        c = regex[i]
        if c == "\\":
            out.append(regex[i : i + 2])
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
        elif c == "[":
            in_class = True
            # A `]` right after `[` or `[^` is a literal member, not the end of the class.
            j = i + 1
            if regex[j : j + 1] == "^":
                j += 1
            if regex[j : j + 1] == "]":
                out.append(regex[i : j + 1])
                i = j + 1
                continue
        elif c == "{" and not REPETITION.match(regex, i):
            out.append("\\{")
            i += 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


def rust_str(s: str) -> str:
    """A Rust raw string literal holding `s` exactly."""
    hashes = ""
    while f'"{hashes}' in s:
        hashes += "#"
    return f'r{hashes}"{s}"{hashes}'


def rust_strs(items) -> str:
    return "&[" + ", ".join(rust_str(s) for s in items) + "]"


def allowlists(rule) -> tuple[list[str], list[str]]:
    """The rule's allowlists as Rust `Allow` values, and notes on those left out."""
    out, notes = [], []
    for a in rule.get("allowlists", []):
        checkable = a.get("regexes") or a.get("stopwords")
        if a.get("condition", "OR").upper() == "AND" and (a.get("paths") or a.get("commits")):
            notes.append("an AND allowlist that needs a file path (cannot hold without one: kept out)")
            continue
        if not checkable:
            notes.append("a path-only allowlist (no file path here: left out)")
            continue
        target = {"secret": "Secret", "match": "Match", "line": "Line"}[a.get("regexTarget", "secret")]
        regexes = [translate(r) for r in a.get("regexes", [])]
        out.append(
            f"Allow {{ target: Target::{target}, regexes: {rust_strs(regexes)}, "
            f"stopwords: {rust_strs(a.get('stopwords', []))} }}"
        )
    return out, notes


def main() -> None:
    config = tomllib.loads(SOURCE.read_text())
    rules, dropped, notes = [], [], []
    for rule in config["rules"]:
        rid = rule["id"]
        if rid in DROPPED:
            dropped.append((rid, DROPPED[rid]))
            continue
        override = OVERRIDES.get(rid, {})
        group = override.get("group", str(rule.get("secretGroup", 0)))
        group = {"0": "Group::First", "whole": "Group::Whole"}.get(group, f"Group::Nth({group})")
        keywords = override.get("keywords", [k.lower() for k in rule.get("keywords", [])])
        allow, allow_notes = allowlists({"allowlists": rule.get("allowlists", []) + override.get("allow", [])})
        notes += [f"{rid}: {n}" for n in allow_notes]
        if "path" in rule:
            notes.append(f"{rid}: its path condition ({rule['path']}) is not applied: any text may come from such a file")
        rules.append(
            "    Vendored {\n"
            f"        id: {rust_str(rid)},\n"
            f"        regex: {rust_str(widen_close(translate(rule['regex'])))},\n"
            f"        group: {group},\n"
            f"        entropy: {float(rule.get('entropy', 0.0))!r},\n"
            f"        keywords: {rust_strs(keywords)},\n"
            f"        allow: &[{', '.join(allow)}],\n"
            "    },\n"
        )
    glob = config["allowlist"]
    lines = [
        "//! The vendored gitleaks rules as a compiled-in table: GENERATED by regen.py from",
        f"//! gitleaks.toml (github.com/gitleaks/gitleaks, config/gitleaks.toml at {COMMIT},",
        "//! MIT, see LICENSE-gitleaks); do not edit by hand, run `python3 regen.py` beside it.",
        "//! It exists so the redactor reads no TOML at run time. README.md lists what changed.",
        "",
        "use super::rule::{Allow, Group, Target, Vendored};",
        "",
        "/// gitleaks' global allowlist: a finding whose secret matches one of these is no secret.",
        f"pub(super) static GLOBAL_REGEXES: &[&str] = {rust_strs(translate(r) for r in glob.get('regexes', []))};",
        "",
        "/// gitleaks' global stopwords: a finding whose secret contains one (lowercased) is none.",
        f"pub(super) static GLOBAL_STOPWORDS: &[&str] = {rust_strs(glob.get('stopwords', []))};",
        "",
        f"/// The {len(rules)} vendored rules, in gitleaks' order.",
        "pub(super) static RULES: &[Vendored] = &[",
        "".join(rules).rstrip("\n"),
        "];",
        "",
        "/// Upstream rules left out, with the reason.",
        f"pub(super) static DROPPED: &[(&str, &str)] = &[{', '.join(f'({rust_str(a)}, {rust_str(b)})' for a, b in dropped)}];",
        "",
    ]
    OUTPUT.write_text("\n".join(lines))
    print(f"{len(rules)} rules written to {OUTPUT.name}; dropped {len(dropped)}")
    for n in notes:
        print("note:", n)


if __name__ == "__main__":
    main()
