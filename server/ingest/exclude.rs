//! Exclusions: the folders whose sessions Session Lens never stores — a client's code, a
//! confidential repository. A folder is excluded, with everything under it, when
//!
//! - it matches a pattern of `exclude` in the settings file (`config.toml`) or of the editor's
//!   `exclude` setting: a folder (`~/clients/acme`, `~` being the home folder) or a glob over
//!   folders (`~/clients/*`, `/work/**/confidential`; `*` stays within one folder name, `**`
//!   spans any number), or
//! - it, or a folder above it, holds a file named [`MARKER`] (`.sessionlens-ignore`): put one in
//!   a repository's root and the repository is excluded on every machine it is cloned to,
//!   whatever the settings say.
//!
//! This file only answers "is this folder excluded, and why"; `gate.rs` applies the answer to
//! everything written to the store, and the faces ask it before they show or brief anything
//! about a folder. Symbolic links are seen through: a folder is checked as written and as it
//! resolves, so an exclusion holds whichever way a session names its folder.

use serde::Serialize;
use std::path::{Path, PathBuf};

/// The file whose presence excludes its folder and everything under it.
pub const MARKER: &str = ".sessionlens-ignore";

/// Where an exclusion pattern was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// `exclude` in the settings file, which every process reads.
    Settings,
    /// The editor's `exclude` setting, which only its language server reads.
    Editor,
}

/// One pattern, as written and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pattern {
    pub pattern: String,
    pub origin: Origin,
}

/// Why a folder is excluded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Excluded {
    /// A pattern names it or a folder above it.
    Pattern { pattern: String, origin: Origin },
    /// A marker file in it or a folder above it.
    Marker { file: PathBuf },
}

impl std::fmt::Display for Excluded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Excluded::Pattern {
                pattern,
                origin: Origin::Settings,
            } => write!(f, "excluded by `{pattern}` in the settings file"),
            Excluded::Pattern {
                pattern,
                origin: Origin::Editor,
            } => write!(f, "excluded by `{pattern}` in the editor's settings"),
            Excluded::Marker { file } => write!(f, "excluded by {}", file.display()),
        }
    }
}

/// The exclusions in force: the patterns, compiled. Markers are looked for at each check, so
/// one added or removed counts at once.
#[derive(Debug, Default)]
pub struct Exclusions {
    patterns: Vec<Pattern>,
    /// Each pattern's plain folders (no glob characters), as expanded and as resolved, with the
    /// pattern's index.
    folders: Vec<(PathBuf, usize)>,
    /// Each glob pattern, compiled, with the pattern's index.
    globs: Vec<(globset::GlobMatcher, usize)>,
}

impl Exclusions {
    /// The patterns of the settings file and of the editor. A pattern that can never name a
    /// folder (empty, relative, an invalid glob) is an error naming it: an exclusion silently
    /// dropped would let the folder it meant be stored.
    pub fn new(settings: &[String], editor: &[String]) -> anyhow::Result<Exclusions> {
        let mut x = Exclusions::default();
        let given = settings
            .iter()
            .map(|p| (p, Origin::Settings))
            .chain(editor.iter().map(|p| (p, Origin::Editor)));
        for (pattern, origin) in given {
            let i = x.patterns.len();
            let expanded = expand(pattern.trim()).map_err(|why| {
                let place = match origin {
                    Origin::Settings => "exclude (settings file)",
                    Origin::Editor => "exclude (editor setting)",
                };
                anyhow::anyhow!("{place}: {pattern:?} {why}")
            })?;
            if is_glob(&expanded) {
                let glob = globset::GlobBuilder::new(&expanded)
                    .literal_separator(true)
                    .build()
                    .map_err(|e| anyhow::anyhow!("exclude: {pattern:?} is not a glob: {e}"))?;
                x.globs.push((glob.compile_matcher(), i));
            } else {
                let folder = PathBuf::from(&expanded);
                if let Ok(real) = std::fs::canonicalize(&folder)
                    && real != folder
                {
                    x.folders.push((real, i));
                }
                x.folders.push((folder, i));
            }
            x.patterns.push(Pattern {
                pattern: pattern.clone(),
                origin,
            });
        }
        Ok(x)
    }

    /// The patterns in force, as written.
    pub fn patterns(&self) -> &[Pattern] {
        &self.patterns
    }

    /// Whether `folder` is excluded, and why: a pattern naming it or a folder above it, else a
    /// marker file in it or above it. A folder that is not absolute (no session records one)
    /// is never excluded. Costs a `stat` per folder above it, and one path resolution.
    pub fn check(&self, folder: &Path) -> Option<Excluded> {
        if !folder.is_absolute() {
            return None;
        }
        let mut forms = vec![folder.to_path_buf()];
        if let Ok(real) = std::fs::canonicalize(folder)
            && real != folder
        {
            forms.push(real);
        }
        for form in &forms {
            for above in form.ancestors() {
                if let Some(i) = self.matching(above) {
                    let p = &self.patterns[i];
                    return Some(Excluded::Pattern {
                        pattern: p.pattern.clone(),
                        origin: p.origin,
                    });
                }
            }
        }
        for form in &forms {
            for above in form.ancestors() {
                let file = above.join(MARKER);
                if std::fs::symlink_metadata(&file).is_ok() {
                    return Some(Excluded::Marker { file });
                }
            }
        }
        None
    }

    /// The first pattern naming exactly `folder`.
    fn matching(&self, folder: &Path) -> Option<usize> {
        let plain = self
            .folders
            .iter()
            .find(|(f, _)| f == folder)
            .map(|(_, i)| *i);
        plain.or_else(|| {
            self.globs
                .iter()
                .find(|(g, _)| g.is_match(folder))
                .map(|(_, i)| *i)
        })
    }
}

/// A pattern made absolute: `~` and `~/…` are the home folder, a trailing `/` goes. A pattern
/// that does not start at the root (or with a glob that can match from it, like `**/`) names
/// nothing a session records, since sessions record absolute folders: it is refused with why.
fn expand(pattern: &str) -> Result<String, &'static str> {
    if pattern.is_empty() {
        return Err("is empty");
    }
    let home = || dirs::home_dir().ok_or("starts with ~, but there is no home folder");
    let expanded = if pattern == "~" {
        home()?.display().to_string()
    } else if let Some(rest) = pattern.strip_prefix("~/") {
        home()?.join(rest).display().to_string()
    } else {
        pattern.to_owned()
    };
    let expanded = match expanded.trim_end_matches('/') {
        "" => "/".to_owned(),
        trimmed => trimmed.to_owned(),
    };
    if !(Path::new(&expanded).is_absolute() || expanded.starts_with("**")) {
        return Err("is not a full path: start it with /, ~/ or **/");
    }
    Ok(expanded)
}

/// Whether a pattern uses glob syntax (else it names one folder).
fn is_glob(pattern: &str) -> bool {
    pattern.contains(['*', '?', '[', '{'])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_pattern_excludes_its_folder_and_everything_under_it() {
        let x = Exclusions::new(
            &strings(&["/w/acme", "/w/clients/*", "/x/**/secret", "**/nda-*"]),
            &strings(&["/e/"]),
        )
        .unwrap();
        let by = |f: &str| x.check(Path::new(f)).map(|e| e.to_string());
        assert_eq!(
            by("/w/acme/src/lib"),
            Some("excluded by `/w/acme` in the settings file".into())
        );
        assert_eq!(by("/w/acme"), by("/w/acme/src"));
        assert_eq!(
            by("/w/acme-two"),
            None,
            "a sibling whose name starts the same"
        );
        assert!(by("/w/clients/globex/app").is_some());
        assert_eq!(
            by("/w/clients"),
            None,
            "`*` names what is inside, not the folder"
        );
        assert!(by("/x/a/b/secret/deep").is_some());
        assert!(by("/home/u/nda-2026/app").is_some());
        assert_eq!(
            by("/e/project"),
            Some("excluded by `/e/` in the editor's settings".into())
        );
        assert_eq!(by("/w/other"), None);
        assert_eq!(by("w/acme"), None, "a relative folder is no session's");
        assert_eq!(x.patterns().len(), 5);
    }

    #[test]
    fn home_is_expanded_and_patterns_that_name_nothing_are_refused() {
        let home = dirs::home_dir().unwrap();
        let x = Exclusions::new(&strings(&["~/clients"]), &[]).unwrap();
        assert!(x.check(&home.join("clients/acme")).is_some());
        for (bad, why) in [
            ("clients/acme", "not a full path"),
            ("", "is empty"),
            ("/w/[", "not a glob"),
        ] {
            let e = Exclusions::new(&strings(&[bad]), &[])
                .unwrap_err()
                .to_string();
            assert!(e.contains(why), "{bad:?}: {e}");
        }
        let e = Exclusions::new(&[], &strings(&["rel"]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("editor setting"), "{e}");
    }

    #[test]
    fn a_marker_file_excludes_its_folder_through_links_too() {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path().join("client-repo");
        let deep = repo.join("src/app");
        std::fs::create_dir_all(&deep).unwrap();
        let sibling = tmp.path().join("mine");
        std::fs::create_dir_all(&sibling).unwrap();
        let x = Exclusions::default();
        assert_eq!(x.check(&deep), None);
        std::fs::write(repo.join(MARKER), "").unwrap();
        let marker = Some(Excluded::Marker {
            file: std::fs::canonicalize(&repo).unwrap().join(MARKER),
        });
        let found = x.check(&deep).unwrap();
        assert!(
            found
                .to_string()
                .ends_with("client-repo/.sessionlens-ignore")
        );
        assert_eq!(x.check(&sibling), None);
        #[cfg(unix)]
        {
            let link = tmp.path().join("link");
            std::os::unix::fs::symlink(&deep, &link).unwrap();
            assert_eq!(x.check(&link), marker, "found where the link leads");
            // A pattern naming the link's target excludes the folder reached through the link.
            let y = Exclusions::new(&[repo.display().to_string()], &[]).unwrap();
            assert!(y.check(&link).is_some());
        }
        let _ = marker;
    }
}
