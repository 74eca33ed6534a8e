//! Which sessions belong to a folder: a session ran inside it when its working directory lies
//! under the folder as given or with symlinks resolved.

/// Whether a session's working directory lies inside `workspace` (as given, or with symlinks
/// resolved). The workspace is resolved once, not per session.
pub fn inside(workspace: &std::path::Path) -> anyhow::Result<impl Fn(&str) -> bool> {
    let ws = std::path::absolute(workspace)?;
    let real = std::fs::canonicalize(&ws).unwrap_or_else(|_| ws.clone());
    Ok(move |cwd: &str| {
        std::path::Path::new(cwd).starts_with(&ws) || std::path::Path::new(cwd).starts_with(&real)
    })
}
