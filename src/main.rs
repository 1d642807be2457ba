//! The `pimsim` command; see `pimsim --help`. The command line lives in [`cli`], on top of
//! the library's facade, [`pimsim::api`].

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
