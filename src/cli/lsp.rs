//! `somnia lsp`: the language server, on stdin and stdout (see [`crate::lsp`]).

use super::{OK, USAGE};
use crate::console::eprintln;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Accepted for clients that pass it; stdio is the only transport.
    #[arg(long)]
    pub stdio: bool,
}

pub fn run(_a: Args) -> i32 {
    match crate::lsp::serve() {
        Ok(()) => OK,
        Err(e) => {
            eprintln!("error: the language server stopped: {e}");
            USAGE
        }
    }
}
