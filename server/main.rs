//! The `sessionlens` binary: a thin shell around the library's CLI, which it hands the two
//! servers the CLI can start (so no face imports another).

fn main() -> std::process::ExitCode {
    // Rust ignores SIGPIPE, which turns `sessionlens timeline … | head` into a "broken pipe"
    // panic. Like other Unix tools, stop quietly when the reader goes away.
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any thread exists; SIG_DFL is a valid handler.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    use sessionlens::surface::{cli, lsp, mcp};
    cli::main(cli::Servers {
        lsp: lsp::serve,
        mcp: mcp::serve,
    })
}
