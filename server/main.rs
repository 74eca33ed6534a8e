//! The `sessionlens` binary: a thin shell around the library's CLI surface.

fn main() -> std::process::ExitCode {
    sessionlens::surface::cli::main()
}
