//! `sessionlens status`: where the developer's data lives and how much of it there is — the data
//! dir (and whether only its owner can enter it), the store and its size, how many events and
//! sessions it holds, the head file kept beside it, the state dir with the shell hooks' spool and
//! the hook events waiting in `pending/`, the settings file, and the folders excluded (with
//! whether the current folder is one). Answers "what does Session Lens keep about me, and
//! where?" without reading any code. Reads only: nothing is created, a missing store included.

use super::{Global, print};
use crate::ingest::exclude::{Excluded, MARKER, Pattern};
use crate::ingest::gate::Gate;
use crate::ingest::{pending, spool};
use crate::knowledge::text;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
#[command(
    after_help = "Exit status: 0, or 1 when the exclusions cannot be read (then nothing \
    is stored until the settings file is fixed)."
)]
pub struct Args {}

#[derive(Serialize)]
struct Status {
    data_dir: Folder,
    store: StoreFile,
    /// `store.redb.head`: the chain's head, kept beside the store so that a store truncated or
    /// replaced by an older copy shows (`sessionlens verify`).
    head: HeadFile,
    /// Where the shell hooks' spool and the hook events waiting to be stored live.
    state_dir: Folder,
    spool: SpoolFile,
    pending: Pending,
    insights: Insights,
    settings: Settings,
    exclusions: Exclusions,
}

/// How current the cached insights are.
#[derive(Serialize)]
struct Insights {
    /// The event the cached insights reflect; none when this version of the rules has derived
    /// none yet.
    at_event: Option<u64>,
    /// Events stored since (the next `ingest`, the editor or a hook that stores brings them in).
    behind: u64,
    /// When a background `ingest` a hook started to derive them began, while it runs.
    deriving_since: Option<String>,
}

#[derive(Serialize)]
struct Folder {
    path: PathBuf,
    exists: bool,
    /// Its permission bits, as `chmod` writes them (`0700`); none on other systems.
    #[serde(skip_serializing_if = "Option::is_none")]
    mode: Option<String>,
    /// Whether only its owner can enter it.
    private: bool,
}

#[derive(Serialize)]
struct StoreFile {
    path: PathBuf,
    exists: bool,
    bytes: u64,
    events: u64,
    sessions: u64,
}

#[derive(Serialize)]
struct HeadFile {
    path: PathBuf,
    exists: bool,
    /// The event the head names (its number in the chain).
    #[serde(skip_serializing_if = "Option::is_none")]
    seq: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hash: Option<String>,
}

#[derive(Serialize)]
struct SpoolFile {
    path: PathBuf,
    /// Bytes of typed commands waiting to be read (a consumer's unfinished take included).
    bytes: u64,
}

#[derive(Serialize)]
struct Pending {
    path: PathBuf,
    /// Hook runs whose events wait for the next writer of the store.
    files: u64,
    bytes: u64,
}

#[derive(Serialize)]
struct Settings {
    path: Option<PathBuf>,
    exists: bool,
}

#[derive(Serialize)]
struct Exclusions {
    /// The settings file's `exclude` patterns (an editor adds its own `exclude` setting to these
    /// in its language server).
    patterns: Vec<Pattern>,
    /// The file whose presence excludes its folder and everything under it.
    marker: &'static str,
    /// The current folder, and why it is excluded if it is.
    here: Here,
    /// Why the exclusions cannot be read, when they cannot: nothing is stored until then.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Serialize)]
struct Here {
    folder: PathBuf,
    excluded: Option<Excluded>,
}

pub fn run(g: &Global, _: Args) -> anyhow::Result<ExitCode> {
    let dir = crate::config::data_dir(g.data_dir())?;
    // Another user's store is refused here as everywhere, before anything of it is read.
    let store_path = crate::config::store_file(&dir, false)?;
    let store = store_file(&store_path)?;
    let head = head_file(&store_path);
    let state = crate::config::state_dir()?;
    let spool_path = crate::config::spool_path(&state);
    let pending_files = pending::files(&state);
    let settings_path = crate::config::config_path();
    let gate = Gate::from_settings();
    let here = std::env::current_dir()?;
    let (patterns, excluded, error) = match gate.rules() {
        Ok(rules) => (rules.patterns().to_vec(), rules.check(&here), None),
        Err(e) => (Vec::new(), None, Some(format!("{e:#}"))),
    };
    let at_event = store
        .exists
        .then(|| crate::store::Store::open_for_reading(&store_path).ok())
        .flatten()
        .and_then(|s| crate::knowledge::snapshot::Knowledge::cached_at(&s));
    let insights = Insights {
        behind: store.events.saturating_sub(at_event.unwrap_or(0)),
        at_event,
        deriving_since: std::fs::metadata(state.join("refresh.claim"))
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| jiff::Timestamp::try_from(t).ok())
            .map(|t| t.to_string()),
    };
    let status = Status {
        data_dir: folder(&dir),
        insights,
        store,
        head,
        state_dir: folder(&state),
        spool: SpoolFile {
            bytes: spool::waiting_bytes(&state),
            path: spool_path,
        },
        pending: Pending {
            path: pending::dir(&state),
            files: pending_files.len() as u64,
            bytes: pending_files.iter().map(|f| size(f)).sum(),
        },
        settings: Settings {
            exists: settings_path.as_deref().is_some_and(Path::exists),
            path: settings_path,
        },
        exclusions: Exclusions {
            patterns,
            marker: MARKER,
            here: Here {
                folder: here,
                excluded,
            },
            error,
        },
    };
    if g.json {
        print::json(&status)?;
    } else {
        print_text(&status);
    }
    Ok(if status.exclusions.error.is_some() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

fn folder(path: &Path) -> Folder {
    let meta = std::fs::metadata(path).ok();
    #[cfg(unix)]
    let mode = meta.as_ref().map(|m| {
        use std::os::unix::fs::PermissionsExt;
        m.permissions().mode() & 0o7777
    });
    #[cfg(not(unix))]
    let mode: Option<u32> = None;
    Folder {
        path: path.to_owned(),
        exists: meta.is_some(),
        mode: mode.map(|m| format!("{m:04o}")),
        private: mode.is_some_and(|m| m & 0o077 == 0),
    }
}

/// The store's size and what it holds, read without creating or changing it.
fn store_file(path: &Path) -> anyhow::Result<StoreFile> {
    if !path.exists() {
        return Ok(StoreFile {
            path: path.to_owned(),
            exists: false,
            bytes: 0,
            events: 0,
            sessions: 0,
        });
    }
    let store = crate::store::Store::open_for_reading(path)?;
    Ok(StoreFile {
        path: path.to_owned(),
        exists: true,
        bytes: size(path),
        events: store.event_count()?,
        sessions: store.sessions()?.len() as u64,
    })
}

/// The head file beside the store (`store.redb.head`, one `SEQ HASH` line).
fn head_file(store: &Path) -> HeadFile {
    let mut name = store.as_os_str().to_owned();
    name.push(".head");
    let path = PathBuf::from(name);
    let line = std::fs::read_to_string(&path).ok();
    let parsed = line.as_deref().and_then(|l| l.trim().split_once(' '));
    HeadFile {
        exists: line.is_some(),
        seq: parsed.and_then(|(seq, _)| seq.parse().ok()),
        hash: parsed.map(|(_, hash)| hash.to_owned()),
        path,
    }
}

fn print_text(s: &Status) {
    let d = &s.data_dir;
    let access = match (&d.mode, d.private) {
        (Some(mode), true) => format!("{mode}, only you can enter it"),
        (Some(mode), false) => format!(
            "{mode}: other users can enter it; `chmod 700 {}` keeps them out",
            d.path.display()
        ),
        (None, _) => String::new(),
    };
    if d.exists {
        println!("Data dir:   {} ({access})", d.path.display());
    } else {
        println!("Data dir:   {} (not made yet)", d.path.display());
    }
    let st = &s.store;
    if st.exists {
        println!(
            "Store:      {} — {}, {} events in {} session{}",
            st.path.display(),
            text::bytes(st.bytes),
            st.events,
            st.sessions,
            if st.sessions == 1 { "" } else { "s" }
        );
    } else {
        println!(
            "Store:      {} (none yet: `sessionlens ingest` makes it)",
            st.path.display()
        );
    }
    match (&s.head.seq, &s.head.hash) {
        (Some(seq), Some(hash)) => println!(
            "Head:       {} — event {seq} ({})",
            s.head.path.display(),
            hash.get(..16).unwrap_or(hash)
        ),
        _ if s.head.exists => println!("Head:       {} (unreadable)", s.head.path.display()),
        _ => println!("Head:       {} (none yet)", s.head.path.display()),
    }
    let sd = &s.state_dir;
    println!(
        "State dir:  {}{}",
        sd.path.display(),
        if sd.exists { "" } else { " (not made yet)" }
    );
    println!(
        "Spool:      {} — {}",
        s.spool.path.display(),
        if s.spool.bytes > 0 {
            format!("{} of typed commands waiting", text::bytes(s.spool.bytes))
        } else {
            "empty".to_owned()
        }
    );
    let i = &s.insights;
    let since = i
        .deriving_since
        .as_deref()
        .map(|t| format!("; a background `ingest` a hook started has been deriving them since {t}"))
        .unwrap_or_default();
    match i.at_event {
        _ if !s.store.exists => {}
        Some(at) if i.behind == 0 => println!("Insights:   current (derived up to event {at})"),
        Some(at) => println!(
            "Insights:   derived up to event {at}, {} event{} behind (the next `sessionlens ingest` or editor catches up){since}",
            i.behind,
            if i.behind == 1 { "" } else { "s" }
        ),
        None => println!(
            "Insights:   not derived by this version yet (`sessionlens ingest` derives them){since}"
        ),
    }
    println!(
        "Pending:    {} — {} hook run{} waiting to be stored{}",
        s.pending.path.display(),
        s.pending.files,
        if s.pending.files == 1 { "" } else { "s" },
        if s.pending.files > 0 {
            format!(" ({})", text::bytes(s.pending.bytes))
        } else {
            String::new()
        }
    );
    match &s.settings.path {
        Some(p) if s.settings.exists => println!("Settings:   {}", p.display()),
        Some(p) => println!("Settings:   {} (not written: the defaults)", p.display()),
        None => println!("Settings:   none (no home folder)"),
    }
    let x = &s.exclusions;
    if let Some(e) = &x.error {
        println!("Excluded:   cannot be read — {e}");
        return;
    }
    if x.patterns.is_empty() {
        println!("Excluded:   no folder in the settings file (`exclude = [...]`)");
    } else {
        let list: Vec<&str> = x.patterns.iter().map(|p| p.pattern.as_str()).collect();
        println!("Excluded:   {}", list.join(", "));
    }
    println!(
        "            and every folder holding a {} file, with everything under them",
        x.marker
    );
    match &x.here.excluded {
        Some(why) => println!("Here:       {} — {why}", x.here.folder.display()),
        None => println!("Here:       {} — not excluded", x.here.folder.display()),
    }
}
