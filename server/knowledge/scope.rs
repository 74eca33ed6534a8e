//! Which sessions belong to a folder: a session ran inside it when its working directory lies
//! under the folder as given or with symlinks resolved. Every "inside this workspace" question —
//! the briefing, the CLI's `--workspace` filters, the journal's choice of session, the notetaker,
//! MCP and the language server's workspaces — goes through [`Scope`], so a workspace opened
//! through a symlink holds the same sessions for every face.

use std::path::{Path, PathBuf};

/// A folder as sessions may have recorded it: the path as given (made absolute) and the same
/// path with symlinks resolved, resolved once when the scope is made, never per session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    root: PathBuf,
    real: PathBuf,
}

impl Scope {
    /// The scope of `folder`. A folder that cannot be resolved (it does not exist, or the
    /// working directory is gone) is taken as given.
    pub fn new(folder: &Path) -> Scope {
        let root = std::path::absolute(folder).unwrap_or_else(|_| folder.to_path_buf());
        let real = std::fs::canonicalize(&root).unwrap_or_else(|_| root.clone());
        Scope { root, real }
    }

    /// The folder as given (absolute).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Whether a session whose working directory is `cwd` ran inside the folder.
    pub fn contains(&self, cwd: impl AsRef<Path>) -> bool {
        let cwd = cwd.as_ref();
        cwd.starts_with(&self.root) || cwd.starts_with(&self.real)
    }

    /// Where a session whose working directory is `cwd` ran, relative to the folder (empty at
    /// the folder itself); `None` when it ran outside. Also places a file path in the folder.
    pub fn sub(&self, cwd: impl AsRef<Path>) -> Option<PathBuf> {
        let cwd = cwd.as_ref();
        cwd.strip_prefix(&self.root)
            .or_else(|_| cwd.strip_prefix(&self.real))
            .ok()
            .map(Path::to_path_buf)
    }
}

/// Whether a session's working directory lies inside `workspace`, as [`Scope::contains`]; for
/// callers that only filter.
pub fn inside(workspace: &Path) -> anyhow::Result<impl Fn(&str) -> bool> {
    let scope = Scope::new(workspace);
    Ok(move |cwd: &str| scope.contains(cwd))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_folder_reached_through_a_symlink_holds_the_sessions_of_both_paths() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real");
        std::fs::create_dir_all(real.join("src")).unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let real = std::fs::canonicalize(&real).unwrap();
        let scope = Scope::new(&link);
        assert_eq!(scope.root(), link);
        for (cwd, sub) in [
            (real.clone(), Some(PathBuf::new())),
            (real.join("src"), Some(PathBuf::from("src"))),
            (link.join("src"), Some(PathBuf::from("src"))),
            (dir.path().join("realm"), None),
            (dir.path().to_path_buf(), None),
        ] {
            assert_eq!(scope.sub(&cwd), sub, "{}", cwd.display());
            assert_eq!(scope.contains(&cwd), sub.is_some(), "{}", cwd.display());
        }
        // A folder that does not exist is taken as given.
        let gone = Scope::new(&dir.path().join("gone"));
        assert!(gone.contains(dir.path().join("gone/x").to_str().unwrap()));
        assert!(!gone.contains(&real));
    }
}
