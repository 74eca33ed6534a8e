//! A guard in front of tower-lsp's reader. tower-lsp stops reading for good after the first frame
//! it cannot decode (its framed reader ends on an error), exits on a well-formed JSON value that is
//! not a JSON-RPC message, and keeps running after `exit` until stdin closes. This reader frames
//! stdin itself and hands tower-lsp only valid messages, so no input can kill the server or leave
//! it deaf:
//!
//! - framing: a frame is found by its `Content-Length:` header wherever it starts; a frame whose
//!   length is wrong (its body is not one JSON value), a header that is not a length, or bytes
//!   between frames are dropped with a log line and reading resumes at the next header. A frame
//!   over [`MAX_FRAME`] is skipped as it streams, never held. A frame that announces more bytes
//!   than it has is given up as soon as the next frame's header arrives inside it (a header block
//!   cannot occur inside a JSON value), so a length that is too long never makes the server wait
//!   for bytes that will not come, nor swallow the frames after it.
//! - text: invalid UTF-8 and lone UTF-16 surrogates (`\ud800`) are read as U+FFFD.
//! - messages: a value that is not a JSON-RPC 2.0 request, notification or response is dropped;
//!   a request among them with a usable id is answered with an `InvalidRequest` error (through
//!   [`INVALID_REQUEST`], a method of the server's own that answers nothing else), so the editor
//!   never waits for it. So is a request whose frame cannot be read (a wrong length, nesting
//!   deeper than the parser goes, a frame over the cap) when its first members name its id and
//!   method. `"params": null` is read as no params (`shutdown` from Eglot and lsp4ij).
//!
//! It reports when `exit` has gone through.

use crate::knowledge::text;
use serde::de::{IgnoredAny, MapAccess, Visitor};
use serde_json::{Map, Value};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Frames larger than this are skipped (a runaway client, not an editor).
const MAX_FRAME: usize = 64 * 1024 * 1024;
/// A header block longer than this is not one.
const MAX_HEADERS: usize = 8 * 1024;
/// How much of a frame that cannot be read is kept to find its request's id.
const HEAD: usize = 4 * 1024;
/// The header every frame has; looked for in any case.
const NAME: &[u8] = b"content-length";
/// The server's method that answers a request this guard found invalid with that error.
pub const INVALID_REQUEST: &str = "sessionlens/invalidRequest";

/// Copies valid messages from `input` to `output` until `input` ends or an `exit` notification
/// has been forwarded. Returns whether it saw `exit`.
pub async fn filter(input: impl AsyncRead + Unpin, mut output: impl AsyncWrite + Unpin) -> bool {
    let mut frames = Frames::new(input);
    while let Some(read) = frames.next().await {
        let (message, bytes) = match read {
            Read::Frame(frame) => {
                let Some((message, changed)) = message(frame.value) else {
                    continue;
                };
                // A message that needed nothing goes on as the client wrote it.
                let bytes = if changed || frame.repaired {
                    serde_json::to_vec(&message).expect("a JSON value serializes")
                } else {
                    frame.body
                };
                (message, bytes)
            }
            Read::Unreadable { id, why } => {
                tracing::warn!("answering a request whose frame cannot be read: {why}");
                let message = invalid_request(id, why);
                let bytes = serde_json::to_vec(&message).expect("a JSON value serializes");
                (message, bytes)
            }
        };
        let exit = message.get("method").and_then(Value::as_str) == Some("exit");
        let header = format!("Content-Length: {}\r\n\r\n", bytes.len());
        if output.write_all(header.as_bytes()).await.is_err()
            || output.write_all(&bytes).await.is_err()
            || output.flush().await.is_err()
        {
            return false;
        }
        if exit {
            return true;
        }
    }
    false
}

/// The request for [`INVALID_REQUEST`] that answers request `id` with an `InvalidRequest` error.
fn invalid_request(id: Value, why: &str) -> Value {
    serde_json::json!({
        "jsonrpc": "2.0", "id": id, "method": INVALID_REQUEST,
        "params": {"reason": why},
    })
}

/// Whether tower-lsp can answer with this id: an integer that fits i64, a string, or null.
fn usable_id(id: &Value) -> bool {
    match id {
        Value::Number(n) => n.is_i64(),
        Value::String(_) | Value::Null => true,
        _ => false,
    }
}

/// What to hand tower-lsp for one frame's value: the message, a request for [`INVALID_REQUEST`]
/// in place of an invalid request with a usable id, or nothing; and whether it differs from what
/// the client wrote.
fn message(value: Value) -> Option<(Value, bool)> {
    let Value::Object(mut m) = value else {
        tracing::warn!("dropping a JSON value that is not a JSON-RPC message");
        return None;
    };
    let id_ok = m.get("id").is_none_or(usable_id);
    let invalid = |m: &Map<String, Value>, why: &str| -> Option<(Value, bool)> {
        match m.get("id").filter(|_| id_ok) {
            Some(id) if m.contains_key("method") => {
                tracing::warn!("answering an invalid request: {why}");
                Some((invalid_request(id.clone(), why), true))
            }
            _ => {
                tracing::warn!("dropping an invalid message: {why}");
                None
            }
        }
    };
    if !id_ok {
        return invalid(&m, "its id is not an integer, a string or null");
    }
    if m.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return invalid(&m, "it is not JSON-RPC 2.0 (\"jsonrpc\": \"2.0\")");
    }
    match m.get("method") {
        Some(Value::String(name)) if name == INVALID_REQUEST => {
            return invalid(&m, "the method is the server's own");
        }
        Some(Value::String(_)) => {}
        Some(_) => return invalid(&m, "its method is not a string"),
        None => {
            // A response to one of the server's requests.
            if !m.contains_key("id") || !(m.contains_key("result") || m.contains_key("error")) {
                return invalid(&m, "neither a request, a notification nor a response");
            }
        }
    }
    let null_params = m.get("params") == Some(&Value::Null);
    if null_params {
        m.remove("params");
    }
    Some((Value::Object(m), null_params))
}

/// Why a body is not one JSON value.
enum Unparsed {
    /// Nested deeper than the parser goes (its length may well be right).
    TooDeep,
    /// Anything else: a wrong length, or not JSON.
    Other,
}

/// A body as one JSON value, and whether it had to be repaired: invalid UTF-8 and lone
/// surrogate escapes read as U+FFFD.
fn parse(body: &[u8]) -> Result<(Value, bool), Unparsed> {
    let first = match serde_json::from_slice(body) {
        Ok(v) => return Ok((v, false)),
        Err(e) => e,
    };
    // serde_json's message for its nesting limit (it has no error kind of its own).
    if first.to_string().starts_with("recursion limit exceeded") {
        return Err(Unparsed::TooDeep);
    }
    let text = String::from_utf8_lossy(body);
    let repaired = repair_surrogates(&text);
    serde_json::from_str(&repaired)
        .map(|v| (v, true))
        .map_err(|_| Unparsed::Other)
}

/// The id of the request whose frame starts with `head`, read from its first members only: a
/// frame that cannot be read whole (cut short, nested too deep, too large to hold) is still
/// answered when its `id` and `method` come before the part that cannot be read, as editors
/// write them. The id counts only once the member after it (or the object's end) has been read,
/// so a number cut short (`12` of `123`) is never taken for another request's id.
fn leading_request_id(head: &[u8]) -> Option<Value> {
    #[derive(Default)]
    struct Found {
        id: Option<Value>,
        method: bool,
    }
    struct Members<'a>(&'a mut Found);
    impl<'de> Visitor<'de> for Members<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON-RPC request")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            let mut id = None;
            loop {
                // The next key (or the end) confirms an id read just before it.
                let key = map.next_key::<String>()?;
                if let Some(id) = id.take() {
                    self.0.id = Some(id);
                }
                let Some(key) = key else { return Ok(()) };
                match key.as_str() {
                    "id" => id = Some(map.next_value::<Value>()?),
                    "method" => self.0.method = map.next_value::<Value>()?.is_string(),
                    _ => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                if self.0.id.is_some() && self.0.method {
                    return Ok(());
                }
            }
        }
    }
    let text = String::from_utf8_lossy(head);
    let mut found = Found::default();
    let mut de = serde_json::Deserializer::from_str(&text);
    // Reading stops with an error where the head is cut or unreadable; what came before counts.
    let _ = serde::Deserializer::deserialize_map(&mut de, Members(&mut found));
    match found {
        Found {
            id: Some(id),
            method: true,
        } if usable_id(&id) => Some(id),
        _ => None,
    }
}

/// `\uD800`–`\uDFFF` escapes that are not a high surrogate followed by a low one become
/// `\uFFFD`; an escaped backslash before a `u` is left alone.
fn repair_surrogates(text: &str) -> std::borrow::Cow<'_, str> {
    let surrogate = |s: &str| -> Option<u16> {
        let hex = s.get(2..6)?;
        let n = u16::from_str_radix(hex, 16).ok()?;
        (0xD800..=0xDFFF).contains(&n).then_some(n)
    };
    if !text.contains("\\u") {
        return text.into();
    }
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut last = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            i += 1;
            continue;
        }
        if b.get(i + 1) != Some(&b'u') {
            i += 2; // an escape of another character (`\\` among them)
            continue;
        }
        let Some(first) = surrogate(&text[i..]) else {
            i += 6;
            continue;
        };
        let paired = (0xD800..0xDC00).contains(&first)
            && text
                .get(i + 6..)
                .and_then(|rest| rest.strip_prefix("\\u").map(|_| rest))
                .and_then(surrogate)
                .is_some_and(|second| (0xDC00..=0xDFFF).contains(&second));
        if paired {
            i += 12;
            continue;
        }
        out.push_str(&text[last..i]);
        out.push_str("\\uFFFD");
        i += 6;
        last = i;
    }
    if last == 0 {
        return text.into();
    }
    out.push_str(&text[last..]);
    out.into()
}

/// One well-framed message: its body as the client wrote it, and that body as a JSON value.
struct Frame {
    body: Vec<u8>,
    value: Value,
    /// The value needed repair (invalid UTF-8, a lone surrogate): `body` is not it.
    repaired: bool,
}

/// What the framing found next.
enum Read {
    Frame(Frame),
    /// A request whose frame could not be read, and why: to be answered with an error.
    Unreadable {
        id: Value,
        why: &'static str,
    },
}

/// A header block at the start of some bytes.
enum Block {
    /// Complete, with a usable Content-Length; the body starts at `end`.
    Usable { end: usize, len: usize },
    /// Complete, without a usable Content-Length.
    Unusable { end: usize },
    /// Not ended yet, and still short enough to be one.
    Incomplete,
    /// Too long to be one.
    TooLong,
}

/// The header block at the start of `bytes` (which start with a header name).
fn block(bytes: &[u8]) -> Block {
    match memchr::memmem::find(&bytes[..bytes.len().min(MAX_HEADERS)], b"\r\n\r\n") {
        Some(at) => {
            let end = at + 4;
            match content_length(&bytes[..end]) {
                Some(len) => Block::Usable { end, len },
                None => Block::Unusable { end },
            }
        }
        None if bytes.len() < MAX_HEADERS => Block::Incomplete,
        None => Block::TooLong,
    }
}

/// How the body of a frame too large to hold ended.
enum Skipped {
    /// It streamed past whole; its first bytes.
    Whole(Vec<u8>),
    /// Another frame started inside it (its length was wrong); its bytes before that one.
    Cut(Vec<u8>),
}

/// Frames read from a byte stream, resynchronising on the next `Content-Length:` header after
/// anything that is not a well-formed frame.
struct Frames<R> {
    input: R,
    buf: Vec<u8>,
    eof: bool,
}

impl<R: AsyncRead + Unpin> Frames<R> {
    fn new(input: R) -> Self {
        Frames {
            input,
            buf: Vec::new(),
            eof: false,
        }
    }

    /// Reads more into the buffer; false at the end of the input.
    async fn fill(&mut self) -> bool {
        if self.eof {
            return false;
        }
        let mut chunk = [0u8; 64 * 1024];
        match self.input.read(&mut chunk).await {
            Ok(0) | Err(_) => {
                self.eof = true;
                false
            }
            Ok(n) => {
                self.buf.extend_from_slice(&chunk[..n]);
                true
            }
        }
    }

    /// Drops `n` bytes from the front of the buffer.
    fn consume(&mut self, n: usize) {
        self.buf.drain(..n.min(self.buf.len()));
    }

    /// Where another frame starts in the buffer at or after `*from` and before `upto`: a header
    /// name whose block has arrived whole and has a usable length. `*from` moves past what cannot
    /// start one, so that calls repeated as the buffer fills look at each byte about once; a name
    /// or a block cut by the end of what has arrived is looked at again.
    fn frame_start(&self, from: &mut usize, upto: usize) -> Option<usize> {
        let upto = upto.min(self.buf.len());
        while *from < upto {
            let window = &self.buf[*from..self.buf.len().min(upto + NAME.len() - 1)];
            let at = match find_header(window) {
                Ok(at) => *from + at,
                // A name may start in the last bytes, cut by the end of what has arrived.
                Err(cut) => {
                    *from = cut.map_or(upto, |c| (*from + c).min(upto));
                    return None;
                }
            };
            match block(&self.buf[at..]) {
                Block::Usable { .. } => return Some(at),
                Block::Incomplete => {
                    *from = at;
                    return None;
                }
                Block::Unusable { .. } | Block::TooLong => *from = at + 1,
            }
        }
        None
    }

    /// Skips the `len`-byte body at the front of the buffer as it streams, holding at most a
    /// read's worth of it; stops early where another frame starts. `None` at the end of the input.
    async fn skip_body(&mut self, len: usize) -> Option<Skipped> {
        let mut head = Vec::new();
        let mut left = len;
        loop {
            let mut from = 0;
            if let Some(at) = self.frame_start(&mut from, left) {
                head.extend_from_slice(&self.buf[..at.min(HEAD - head.len())]);
                self.consume(at);
                return Some(Skipped::Cut(head));
            }
            // What is before `from` cannot start a frame: it goes. Once the whole body is here it
            // all goes: a client that waits for the answer sends nothing that could complete a
            // header cut by the body's end.
            let gone = if self.buf.len() >= left {
                left
            } else {
                from.min(left)
            };
            head.extend_from_slice(&self.buf[..gone.min(HEAD - head.len())]);
            self.consume(gone);
            left -= gone;
            if left == 0 {
                return Some(Skipped::Whole(head));
            }
            if !self.fill().await {
                return None;
            }
        }
    }

    /// The next frame whose length holds (its body is one JSON value), or a request to answer
    /// whose frame could not be read; `None` at the end of the input.
    async fn next(&mut self) -> Option<Read> {
        loop {
            // Where the next header starts; what comes before it is not a frame.
            let start = loop {
                let cut = match find_header(&self.buf) {
                    Ok(at) => break at,
                    Err(cut) => cut,
                };
                // Keep a tail that may be the start of a header cut by the read.
                let dropped = cut.unwrap_or(self.buf.len());
                if dropped > 0 {
                    if !quiet(&self.buf[..dropped]) {
                        tracing::warn!("skipping {dropped} bytes that are not a frame");
                    }
                    self.consume(dropped);
                }
                if !self.fill().await {
                    return None;
                }
            };
            if start > 0 {
                if !quiet(&self.buf[..start]) {
                    tracing::warn!("skipping {start} bytes before a frame");
                }
                self.consume(start);
            }
            // The header block, up to an empty line.
            let (end, len) = loop {
                match block(&self.buf) {
                    Block::Usable { end, len } => break (end, len),
                    Block::Unusable { end } => {
                        tracing::warn!(
                            "a frame without a usable Content-Length ({:?}); skipping to the next frame",
                            text::prefix(&String::from_utf8_lossy(&self.buf[..end]), 60)
                        );
                        self.consume(1);
                        break (0, 0);
                    }
                    Block::Incomplete if self.fill().await => {}
                    Block::Incomplete if self.eof => return None,
                    Block::Incomplete | Block::TooLong => {
                        tracing::warn!(
                            "a header block without its end; skipping to the next frame"
                        );
                        self.consume(1);
                        break (0, 0);
                    }
                }
            };
            if end == 0 {
                continue;
            }
            if len > MAX_FRAME {
                tracing::error!("skipping a {len}-byte message: larger than {MAX_FRAME} bytes");
                self.consume(end);
                let (head, why) = match self.skip_body(len).await? {
                    Skipped::Whole(head) => (head, "the message is larger than 64 MiB"),
                    Skipped::Cut(head) => {
                        tracing::warn!(
                            "the {len}-byte message was cut short by the next frame; resynchronising"
                        );
                        (head, "its Content-Length is wrong")
                    }
                };
                if let Some(id) = leading_request_id(&head) {
                    return Some(Read::Unreadable { id, why });
                }
                continue;
            }
            // The body; given up when the next frame's header arrives inside it.
            let mut from = end;
            let mut cut = None;
            while self.buf.len() < end + len {
                if let Some(at) = self.frame_start(&mut from, end + len) {
                    cut = Some(at);
                    break;
                }
                if !self.fill().await {
                    return None;
                }
            }
            if let Some(at) = cut {
                tracing::warn!(
                    "a frame announced {len} bytes, but the next frame starts after {}; resynchronising",
                    at - end
                );
                let id = leading_request_id(&self.buf[end..at.min(end + HEAD)]);
                self.consume(at);
                match id {
                    Some(id) => {
                        return Some(Read::Unreadable {
                            id,
                            why: "its Content-Length is wrong",
                        });
                    }
                    None => continue,
                }
            }
            let body = &self.buf[end..end + len];
            let why = match parse(body) {
                Ok((value, repaired)) => {
                    let body = body.to_vec();
                    self.consume(end + len);
                    return Some(Read::Frame(Frame {
                        body,
                        value,
                        repaired,
                    }));
                }
                Err(Unparsed::TooDeep) => "it is nested too deep",
                Err(Unparsed::Other) => "its Content-Length is wrong or its body is not JSON",
            };
            // A wrong length (or a body that is not JSON at all): this frame is lost, the next
            // header is found again from just after this one's start.
            tracing::warn!(
                "a {len}-byte frame whose body is not one JSON value: {:?}; resynchronising",
                text::prefix(&String::from_utf8_lossy(body), 60)
            );
            let id = leading_request_id(&body[..len.min(HEAD)]);
            self.consume(1);
            if let Some(id) = id {
                return Some(Read::Unreadable { id, why });
            }
        }
    }
}

/// Whether skipped bytes need no log line: whitespace, or header lines (`Content-Type: …`) that
/// came before the `Content-Length` they belong with.
fn quiet(skipped: &[u8]) -> bool {
    skipped.iter().all(u8::is_ascii_whitespace)
        || (skipped.ends_with(b"\r\n")
            && skipped.split(|&b| b == b'\n').all(|line| {
                line.is_empty()
                    || (line.ends_with(b"\r")
                        && line.is_ascii()
                        && line.iter().position(|&b| b == b':').is_some_and(|c| c > 0))
            }))
}

/// Where the first `Content-Length` header name (any case) starts (`Ok`); else where a start of
/// the name cut by the end of `buf` begins, if one does (`Err`). Frames follow each other with
/// nothing between them, so a name need not start a line.
fn find_header(buf: &[u8]) -> Result<usize, Option<usize>> {
    let mut from = 0;
    while let Some(i) = memchr::memchr2(b'c', b'C', &buf[from..]) {
        let at = from + i;
        match buf.get(at..at + NAME.len()) {
            Some(name) if name.eq_ignore_ascii_case(NAME) => return Ok(at),
            Some(_) => {}
            None if buf[at..].eq_ignore_ascii_case(&NAME[..buf.len() - at]) => {
                return Err(Some(at));
            }
            None => {}
        }
        from = at + 1;
    }
    Err(None)
}

/// The Content-Length of a header block, when it is a plain decimal number (the same one, if the
/// header comes more than once: which of two lengths to believe is a guess).
fn content_length(headers: &[u8]) -> Option<usize> {
    let text = std::str::from_utf8(headers).ok()?;
    let mut len = None;
    for line in text.split("\r\n") {
        if let Some((name, value)) = line.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            let v = value.trim();
            if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let n: usize = v.parse().ok()?;
            if len.is_some_and(|l| l != n) {
                return None;
            }
            len = Some(n);
        }
    }
    len
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    async fn through(input: &[u8]) -> (Vec<Value>, bool) {
        let mut out = Vec::new();
        let exited = filter(input, &mut out).await;
        let mut frames = Frames::new(out.as_slice());
        let mut got = Vec::new();
        while let Some(read) = frames.next().await {
            match read {
                Read::Frame(f) => got.push(f.value),
                Read::Unreadable { id, .. } => {
                    panic!("the filter wrote an unreadable frame ({id})")
                }
            }
        }
        (got, exited)
    }

    #[tokio::test(flavor = "current_thread")]
    async fn drops_garbage_and_stops_after_exit() {
        let input = [
            frame(r#"{"jsonrpc":"2.0","id":1,"method":"initialize"}"#),
            frame("{this is not json"),
            "Content-Length: nope\r\n\r\n".into(),
            "garbage line\r\n".into(),
            frame(r#"{"jsonrpc":"2.0","method":"exit"}"#),
            frame(r#"{"jsonrpc":"2.0","id":2,"method":"after"}"#),
        ]
        .concat();
        let (got, exited) = through(input.as_bytes()).await;
        assert!(exited);
        assert_eq!(
            got,
            [
                serde_json::json!({"jsonrpc":"2.0","id":1,"method":"initialize"}),
                serde_json::json!({"jsonrpc":"2.0","method":"exit"}),
            ]
        );
    }

    /// After each hostile frame, the next well-formed request still gets through.
    #[tokio::test(flavor = "current_thread")]
    async fn every_hostile_frame_leaves_the_next_request_readable() {
        let next = frame(r#"{"jsonrpc":"2.0","id":42,"method":"textDocument/hover"}"#);
        let body = r#"{"jsonrpc":"2.0","method":"x","params":{}}"#;
        let deep = format!(
            r#"{{"jsonrpc":"2.0","method":"x","params":{}{}}}"#,
            "[".repeat(10_000),
            "]".repeat(10_000)
        );
        let hostile: Vec<(&str, Vec<u8>)> = vec![
            ("[]", frame("[]").into()),
            ("{}", frame("{}").into()),
            ("no jsonrpc", frame(r#"{"id":5,"method":"m"}"#).into()),
            (
                "id 1.5",
                frame(r#"{"jsonrpc":"2.0","id":1.5,"method":"m"}"#).into(),
            ),
            (
                "id 2^64",
                frame(r#"{"jsonrpc":"2.0","id":18446744073709551616,"method":"m"}"#).into(),
            ),
            (
                "method null",
                frame(r#"{"jsonrpc":"2.0","id":7,"method":null}"#).into(),
            ),
            ("deep", frame(&deep).into()),
            (
                "short",
                format!("Content-Length: {}\r\n\r\n{body}", body.len() + 8).into(),
            ),
            (
                "long",
                format!("Content-Length: {}\r\n\r\n{body}", body.len() - 1).into(),
            ),
            // Longer than all that follows: given up at the next header, not waited for.
            (
                "short by 1000",
                format!("Content-Length: {}\r\n\r\n{body}", body.len() + 1000).into(),
            ),
            (
                "short by 60 MB",
                format!("Content-Length: 60000000\r\n\r\n{body}").into(),
            ),
            (
                "short by 70 MB",
                format!("Content-Length: 70000000\r\n\r\n{body}").into(),
            ),
            ("12abc", b"Content-Length: 12abc\r\n\r\n{}".to_vec()),
            (
                "two lengths",
                format!(
                    "Content-Length: {}\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len(),
                    body.len() + 1
                )
                .into(),
            ),
            ("a cut name", b"{}Content-Len".to_vec()),
            (
                "header block never ends",
                b"Content-Length: 5\r\nX: y".to_vec(),
            ),
            ("-1", b"Content-Length: -1\r\n\r\n{}".to_vec()),
            ("1e3", b"Content-Length: 1e3\r\n\r\n{}".to_vec()),
            (
                "2^66",
                b"Content-Length: 73786976294838206464\r\n\r\n{}".to_vec(),
            ),
            (
                "0 with a body",
                format!("Content-Length: 0\r\n\r\n{body}").into(),
            ),
            ("no length", b"Foo: 1\r\n\r\n{}".to_vec()),
            ("garbage", b"\x00\xffgarbage".to_vec()),
        ];
        for (name, bad) in hostile {
            let input = [bad, next.clone().into_bytes()].concat();
            let (got, _) = through(&input).await;
            let last = got
                .last()
                .unwrap_or_else(|| panic!("{name}: nothing got through"));
            assert_eq!(last["id"], 42, "{name}: {got:?}");
            assert!(got.iter().all(|m| m["jsonrpc"] == "2.0"), "{name}: {got:?}");
        }
    }

    #[tokio::test(flavor = "current_thread")]
    async fn messages_are_repaired_or_answered() {
        let input = [
            // An invalid request with a usable id is answered, through the server's own method.
            frame(r#"{"jsonrpc":"1.0","id":5,"method":"textDocument/hover"}"#),
            frame(r#"{"jsonrpc":"2.0","id":6,"method":"sessionlens/invalidRequest","params":{}}"#),
            // Escaped method names and null params are read as meant.
            frame(r#"{"jsonrpc":"2.0","id":8,"method":"textDocument\/hover","params":{}}"#),
            frame(r#"{"jsonrpc":"2.0","id":9,"method":"shutdown","params":null}"#),
            // Invalid UTF-8 and a lone surrogate become U+FFFD; a pair stays a pair.
        ]
        .concat();
        let mut input = input.into_bytes();
        let broken: &[u8] = b"{\"jsonrpc\":\"2.0\",\"method\":\"t\",\"params\":\"a\xffb\"}";
        input.extend_from_slice(format!("Content-Length: {}\r\n\r\n", broken.len()).as_bytes());
        input.extend_from_slice(broken);
        input.extend_from_slice(
            frame(r#"{"jsonrpc":"2.0","method":"t","params":"\ud800 \\ud800 \ud83d\ude00"}"#)
                .as_bytes(),
        );
        let (got, _) = through(&input).await;
        assert_eq!(got[0]["method"], INVALID_REQUEST);
        assert_eq!(got[0]["id"], 5);
        assert_eq!(got[1]["method"], INVALID_REQUEST);
        assert_eq!(got[1]["id"], 6);
        assert_eq!(got[2]["method"], "textDocument/hover");
        assert_eq!(
            got[3],
            serde_json::json!({"jsonrpc":"2.0","id":9,"method":"shutdown"})
        );
        assert_eq!(got[4]["params"], "a\u{fffd}b");
        assert_eq!(got[5]["params"], "\u{fffd} \\ud800 \u{1f600}");
        assert_eq!(got.len(), 6);
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_frame_over_the_cap_is_skipped_as_it_streams() {
        let big = MAX_FRAME + 10;
        let mut input = format!("Content-Length: {big}\r\n\r\n").into_bytes();
        input.resize(input.len() + big, b' ');
        input.extend_from_slice(frame(r#"{"jsonrpc":"2.0","id":1,"method":"m"}"#).as_bytes());
        let (got, _) = through(&input).await;
        assert_eq!(got.len(), 1);
        assert_eq!(got[0]["id"], 1);
    }

    /// A request whose frame cannot be read is still answered when its id and method come first;
    /// nothing is answered when they do not, or for a notification.
    #[tokio::test(flavor = "current_thread")]
    async fn unreadable_requests_are_answered_by_their_leading_id() {
        let next = frame(r#"{"jsonrpc":"2.0","id":42,"method":"textDocument/hover"}"#);
        let deep = |id: &str| {
            format!(
                r#"{{"jsonrpc":"2.0"{id},"method":"x","params":{}{}}}"#,
                "[".repeat(10_000),
                "]".repeat(10_000)
            )
        };
        let request = r#"{"jsonrpc":"2.0","id":"cut","method":"m","params":{"a":[1,2,3]}}"#;
        let mut huge = format!("Content-Length: {}\r\n\r\n", MAX_FRAME + 100).into_bytes();
        let open = br#"{"jsonrpc":"2.0","id":"huge","method":"m","params":""#;
        huge.extend_from_slice(open);
        huge.resize(huge.len() + MAX_FRAME + 100 - open.len() - 2, b'x');
        huge.extend_from_slice(br#""}"#);
        let late_method = r#"{"jsonrpc":"2.0","id":9,"params":{"a":[1]},"method":"m"}"#;
        let cut_before_method = late_method.find(r#","method""#).unwrap();
        let cases: Vec<(&str, Vec<u8>, Option<Value>)> = vec![
            (
                "deep",
                frame(&deep(r#","id":"deep""#)).into(),
                Some("deep".into()),
            ),
            ("deep notification", frame(&deep("")).into(), None),
            (
                "short by 1",
                format!("Content-Length: {}\r\n\r\n{request}", request.len() + 1).into(),
                Some("cut".into()),
            ),
            (
                "long by 1",
                format!("Content-Length: {}\r\n\r\n{request}", request.len() - 1).into(),
                Some("cut".into()),
            ),
            (
                "short by 1000",
                format!("Content-Length: {}\r\n\r\n{request}", request.len() + 1000).into(),
                Some("cut".into()),
            ),
            ("over the cap", huge, Some("huge".into())),
            // An id cut short may be another request's: never answered.
            (
                "id cut",
                b"Content-Length: 28\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":12".to_vec(),
                None,
            ),
            // Only a frame's first bytes are looked at.
            (
                "the method after 20 KB of nesting",
                frame(
                    &deep(r#","id":"deep-first""#)
                        .replace(r#""method":"x","#, "")
                        .replace("]}", r#"],"method":"x"}"#),
                )
                .into(),
                None,
            ),
            (
                "cut before the method",
                format!("Content-Length: {cut_before_method}\r\n\r\n{late_method}").into(),
                None,
            ),
        ];
        for (name, bad, answered) in cases {
            let input = [bad, next.clone().into_bytes()].concat();
            let (got, _) = through(&input).await;
            let expected = if answered.is_some() { 2 } else { 1 };
            assert_eq!(got.len(), expected, "{name}: {got:?}");
            if let Some(id) = answered {
                assert_eq!(got[0]["id"], id, "{name}");
                assert_eq!(got[0]["method"], INVALID_REQUEST, "{name}");
            }
            assert_eq!(got[expected - 1]["id"], 42, "{name}");
        }
    }

    #[test]
    fn a_leading_id_counts_once_what_follows_it_is_read() {
        assert_eq!(
            leading_request_id(br#"{"id":7,"method":"m","params":[[["#),
            Some(Value::from(7))
        );
        assert_eq!(
            leading_request_id(br#"{"method":"m","jsonrpc":"2.0","id":"a"}"#),
            Some(Value::from("a"))
        );
        assert_eq!(leading_request_id(br#"{"method":"m","id":12"#), None);
        assert_eq!(
            leading_request_id(br#"{"method":"m","id":1.5,"x":1}"#),
            None
        );
        assert_eq!(leading_request_id(br#"{"method":7,"id":1,"x":1}"#), None);
        assert_eq!(leading_request_id(br#"{"id":1,"result":null}"#), None);
        assert_eq!(leading_request_id(b"[1,2]"), None);
        assert_eq!(leading_request_id(b""), None);
    }

    /// Other headers may come before the length (the protocol allows any order).
    #[tokio::test(flavor = "current_thread")]
    async fn headers_before_the_length_are_not_garbage() {
        let body = r#"{"jsonrpc":"2.0","id":1,"method":"m"}"#;
        let input = format!(
            "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\ncontent-length:{}\r\n\r\n{body}",
            body.len()
        );
        let (got, _) = through(input.as_bytes()).await;
        assert_eq!(got.len(), 1);
        assert!(quiet(b"Content-Type: x\r\n"));
        assert!(!quiet(b"garbage\r\n"));
        assert!(!quiet(b"\x00\xff: x\r\n"));
    }
}
