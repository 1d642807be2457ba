//! The `pimsim` command; see `pimsim --help`.

fn main() -> std::process::ExitCode {
    pimsim::cli::main()
}
