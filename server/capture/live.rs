//! Events that happen outside Codex's files, reported live: hand edits seen by the language
//! server, terminal commands reported by an editor or a hook, and the developer's own marks on
//! insights. Each lands in a local session per surface, folder and day (see
//! [`local_session_id`]), opened by a `session_start` whose id is fixed, so writing it again with
//! every event is harmless: the store keeps the first.

use crate::normalize::{Body, Event, EventId, SessionInfo, live_event_id, local_session_id};

/// Now, as events record time: RFC 3339, UTC, milliseconds.
pub fn now() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// The events to commit for `body`, which happened `at` in folder `cwd` on `surface`
/// (`editor`, `terminal`, …): the local session's start, then the event itself. `turn` groups
/// events that belong together (a terminal command is its own turn); edits and marks have none.
pub fn events(surface: &str, cwd: &str, at: &str, turn: Option<String>, body: Body) -> [Event; 2] {
    let day = at.get(..10).unwrap_or("0000-00-00");
    let session = local_session_id(surface, cwd, day);
    let start = Event {
        id: EventId::derive(surface, &session, 0, "session_start"),
        session: session.clone(),
        at: at.to_owned(),
        turn: None,
        body: Body::SessionStart(SessionInfo {
            surface: surface.to_owned(),
            originator: Some("sessionlens".into()),
            cwd: Some(cwd.to_owned()),
            started_at: at.to_owned(),
            ..SessionInfo::default()
        }),
    };
    let event = Event {
        id: live_event_id(&session),
        session,
        at: at.to_owned(),
        turn,
        body,
    };
    [start, event]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_local_session_per_surface_folder_and_day() {
        let at = "2026-11-18T10:00:00.000Z";
        let body = || Body::Mark {
            insight: "abc".into(),
            resolved: true,
        };
        let [s1, e1] = events("editor", "/w", at, None, body());
        let [s2, e2] = events("editor", "/w", "2026-11-18T23:00:00.000Z", None, body());
        let [s3, _] = events("editor", "/w", "2026-11-19T01:00:00.000Z", None, body());
        let [s4, _] = events("editor", "/other", at, None, body());
        assert_eq!(s1.id, s2.id);
        assert_eq!(e1.session, e2.session);
        assert_ne!(e1.id, e2.id);
        assert_ne!(s1.session, s3.session);
        assert_ne!(s1.session, s4.session);
        assert!(s1.session.starts_with("editor-2026-11-18-"));
        assert!(now().ends_with('Z'));
    }
}
