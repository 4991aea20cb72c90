//! The `somnia` command.

fn main() {
    std::process::exit(somnia::cli::run());
}
