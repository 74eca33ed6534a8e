//! Which session a request means: an id prefix as the developer typed it, or the latest one run
//! inside a folder. One rule for the CLI, the editor commands and the agent's tools.

use crate::store::{SessionMatch, Store};

pub fn resolve(store: &Store, session: &str) -> anyhow::Result<String> {
    match store.find_session(session)? {
        SessionMatch::One(id) => Ok(id),
        SessionMatch::None => {
            anyhow::bail!("no session matches {session:?}; `sessionlens sessions` lists them")
        }
        SessionMatch::Many(ids) => anyhow::bail!(
            "{session:?} matches {} sessions: {}",
            ids.len(),
            ids.join(", ")
        ),
    }
}
