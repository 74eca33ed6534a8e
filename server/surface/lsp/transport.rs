//! A guard in front of tower-lsp's reader. tower-lsp stops reading for good after the first frame
//! it cannot decode (its framed reader ends on an error), exits on a well-formed JSON value that is
//! not a JSON-RPC message, and keeps running after `exit` until stdin closes. This reader frames
//! stdin itself and hands tower-lsp only valid messages, so no input can kill the server or leave
//! it deaf:
//!
//! - framing: a frame is found by its `Content-Length:` header wherever it starts; a frame whose
//!   length is wrong (its body is not one JSON value), a header that is not a length, or bytes
//!   between frames are dropped with a log line and reading resumes at the next header. A frame
//!   over [`MAX_FRAME`] is skipped as it streams, never held.
//! - text: invalid UTF-8 and lone UTF-16 surrogates (`\ud800`) are read as U+FFFD.
//! - messages: a value that is not a JSON-RPC 2.0 request, notification or response is dropped;
//!   a request among them with a usable id is answered with an `InvalidRequest` error (through
//!   [`INVALID_REQUEST`], a method of the server's own that answers nothing else), so the editor
//!   never waits for it. `"params": null` is read as no params (`shutdown` from Eglot and lsp4ij).
//!
//! It reports when `exit` has gone through.

use crate::knowledge::text;
use serde_json::{Map, Value};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Frames larger than this are skipped (a runaway client, not an editor).
const MAX_FRAME: usize = 64 * 1024 * 1024;
/// A header block longer than this is not one.
const MAX_HEADERS: usize = 8 * 1024;
/// The server's method that answers a request this guard found invalid with that error.
pub const INVALID_REQUEST: &str = "sessionlens/invalidRequest";

/// Copies valid messages from `input` to `output` until `input` ends or an `exit` notification
/// has been forwarded. Returns whether it saw `exit`.
pub async fn filter(input: impl AsyncRead + Unpin, mut output: impl AsyncWrite + Unpin) -> bool {
    let mut frames = Frames::new(input);
    while let Some(frame) = frames.next().await {
        let Some((message, changed)) = message(frame.value) else {
            continue;
        };
        let exit = message.get("method").and_then(Value::as_str) == Some("exit");
        // A message that needed nothing goes on as the client wrote it.
        let bytes = if changed || frame.repaired {
            serde_json::to_vec(&message).expect("a JSON value serializes")
        } else {
            frame.body
        };
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

/// What to hand tower-lsp for one frame's value: the message, a request for [`INVALID_REQUEST`]
/// in place of an invalid request with a usable id, or nothing; and whether it differs from what
/// the client wrote.
fn message(value: Value) -> Option<(Value, bool)> {
    let Value::Object(mut m) = value else {
        tracing::warn!("dropping a JSON value that is not a JSON-RPC message");
        return None;
    };
    // tower-lsp's ids: an integer that fits i64, a string, or null.
    let id_ok = match m.get("id") {
        None => true,
        Some(Value::Number(n)) => n.is_i64(),
        Some(Value::String(_) | Value::Null) => true,
        Some(_) => false,
    };
    let invalid = |m: &Map<String, Value>, why: &str| -> Option<(Value, bool)> {
        match m.get("id").filter(|_| id_ok) {
            Some(id) if m.contains_key("method") => {
                tracing::warn!("answering an invalid request: {why}");
                let answer = serde_json::json!({
                    "jsonrpc": "2.0", "id": id, "method": INVALID_REQUEST,
                    "params": {"reason": why},
                });
                Some((answer, true))
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

/// A body as one JSON value, and whether it had to be repaired: invalid UTF-8 and lone
/// surrogate escapes read as U+FFFD.
fn parse(body: &[u8]) -> Option<(Value, bool)> {
    if let Ok(v) = serde_json::from_slice(body) {
        return Some((v, false));
    }
    let text = String::from_utf8_lossy(body);
    let repaired = repair_surrogates(&text);
    serde_json::from_str(&repaired).ok().map(|v| (v, true))
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

    /// The next frame whose length holds (its body is one JSON value), or `None` at the end of
    /// the input.
    async fn next(&mut self) -> Option<Frame> {
        loop {
            // Where the next header starts; what comes before it is not a frame.
            let start = loop {
                if let Some(at) = find_header(&self.buf) {
                    break at;
                }
                // Keep a tail that may be the start of a header cut by the read.
                let keep = self.buf.len().min(b"content-length".len());
                let dropped = self.buf.len() - keep;
                if dropped > 0 {
                    if self.buf[..dropped].iter().any(|b| !b.is_ascii_whitespace()) {
                        tracing::warn!("skipping {dropped} bytes that are not a frame");
                    }
                    self.consume(dropped);
                }
                if !self.fill().await {
                    return None;
                }
            };
            if start > 0 {
                if self.buf[..start].iter().any(|b| !b.is_ascii_whitespace()) {
                    tracing::warn!("skipping {start} bytes before a frame");
                }
                self.consume(start);
            }
            // The header block, up to an empty line.
            let end = loop {
                if let Some(at) = find(&self.buf, b"\r\n\r\n") {
                    break Some(at + 4);
                }
                if self.buf.len() > MAX_HEADERS || !self.fill().await {
                    break None;
                }
            };
            let Some(end) = end else {
                if self.eof && self.buf.len() <= MAX_HEADERS {
                    return None;
                }
                tracing::warn!("a header block without its end; skipping to the next frame");
                self.consume(1);
                continue;
            };
            let Some(len) = content_length(&self.buf[..end]) else {
                tracing::warn!(
                    "a frame without a usable Content-Length ({:?}); skipping to the next frame",
                    text::prefix(&String::from_utf8_lossy(&self.buf[..end]), 60)
                );
                self.consume(1);
                continue;
            };
            if len > MAX_FRAME {
                tracing::error!("skipping a {len}-byte message: larger than {MAX_FRAME} bytes");
                self.consume(end);
                let mut left = len;
                while left > 0 {
                    if self.buf.is_empty() && !self.fill().await {
                        return None;
                    }
                    let n = left.min(self.buf.len());
                    self.consume(n);
                    left -= n;
                }
                continue;
            }
            while self.buf.len() < end + len {
                if !self.fill().await {
                    return None;
                }
            }
            let body = &self.buf[end..end + len];
            if let Some((value, repaired)) = parse(body) {
                let body = body.to_vec();
                self.consume(end + len);
                return Some(Frame {
                    body,
                    value,
                    repaired,
                });
            }
            // A wrong length (or a body that is not JSON at all): this frame is lost, the next
            // header is found again from just after this one's start.
            tracing::warn!(
                "a {len}-byte frame whose body is not one JSON value: {:?}; resynchronising",
                text::prefix(&String::from_utf8_lossy(body), 60)
            );
            self.consume(1);
        }
    }
}

/// Where `needle` first occurs in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Where the first `Content-Length` header name (any case) starts. Frames follow each other with
/// nothing between them, so it need not start a line.
fn find_header(buf: &[u8]) -> Option<usize> {
    const NAME: &[u8] = b"content-length";
    buf.windows(NAME.len())
        .position(|w| w.eq_ignore_ascii_case(NAME))
}

/// The Content-Length of a header block, when it is a plain decimal number.
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
            len = Some(v.parse().ok()?);
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
        while let Some(f) = frames.next().await {
            got.push(f.value);
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
}
