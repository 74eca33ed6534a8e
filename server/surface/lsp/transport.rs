//! A guard in front of tower-lsp's reader. tower-lsp stops reading for good after the first frame
//! it cannot decode (its framed reader ends on an error), and keeps running after `exit` until
//! stdin closes. This reader frames stdin itself, drops what is not JSON with a log line (the
//! server lives on), forwards the rest unchanged, and reports when `exit` has gone through.

use crate::knowledge::text;
use serde::Deserialize;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};

/// Frames larger than this are refused (a runaway client, not an editor).
const MAX_FRAME: usize = 64 * 1024 * 1024;

#[derive(Deserialize)]
struct Peek<'a> {
    #[serde(borrow, default)]
    method: Option<&'a str>,
}

/// Copies well-formed frames from `input` to `output` until `input` ends or an `exit`
/// notification has been forwarded. Returns whether it saw `exit`.
pub async fn filter(input: impl AsyncRead + Unpin, mut output: impl AsyncWrite + Unpin) -> bool {
    let mut input = BufReader::new(input);
    let mut line = String::new();
    loop {
        // Headers: up to an empty line; only Content-Length matters.
        let mut len: Option<usize> = None;
        loop {
            line.clear();
            match input.read_line(&mut line).await {
                Ok(0) => return false,
                Ok(_) => {}
                Err(e) => {
                    // Not UTF-8 in a header: drop the line and look for the next frame.
                    tracing::warn!("unreadable header line: {e}");
                    continue;
                }
            }
            let l = line.trim_end_matches(['\r', '\n']);
            if l.is_empty() {
                if len.is_some() {
                    break;
                }
                continue;
            }
            if let Some((name, value)) = l.split_once(':') {
                if name.trim().eq_ignore_ascii_case("content-length") {
                    len = value.trim().parse().ok();
                    if len.is_none() {
                        tracing::warn!("bad Content-Length {value:?}; skipping to the next frame");
                    }
                }
            } else {
                tracing::warn!("not a header: {:?}; skipping", text::prefix(l, 80));
            }
        }
        let len = len.unwrap_or(0);
        if len > MAX_FRAME {
            tracing::error!("a {len}-byte message is too large; closing");
            return false;
        }
        let mut body = vec![0; len];
        if input.read_exact(&mut body).await.is_err() {
            return false;
        }
        let method = match serde_json::from_slice::<Peek>(&body) {
            Ok(p) => p.method.map(str::to_owned),
            Err(e) => {
                tracing::warn!(
                    "dropping a message that is not JSON-RPC ({e}): {:?}",
                    text::prefix(&String::from_utf8_lossy(&body), 80)
                );
                continue;
            }
        };
        let header = format!("Content-Length: {}\r\n\r\n", body.len());
        if output.write_all(header.as_bytes()).await.is_err()
            || output.write_all(&body).await.is_err()
            || output.flush().await.is_err()
        {
            return false;
        }
        if method.as_deref() == Some("exit") {
            return true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
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
        let mut out = Vec::new();
        let exited = filter(input.as_bytes(), &mut out).await;
        assert!(exited);
        let out = String::from_utf8(out).unwrap();
        assert_eq!(
            out,
            [
                frame(r#"{"jsonrpc":"2.0","id":1,"method":"initialize"}"#),
                frame(r#"{"jsonrpc":"2.0","method":"exit"}"#),
            ]
            .concat()
        );
    }
}
