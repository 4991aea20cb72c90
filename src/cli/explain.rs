//! `somnia explain CODE`, `--list`, `--builtins`.

use super::{OK, USAGE};
use crate::builtins;
use crate::console::eprintln;
use crate::diagnostics::Code;

#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["code", "list", "builtins"])))]
pub struct Args {
    /// A diagnostic code such as E203.
    pub code: Option<String>,
    /// List every code with its title.
    #[arg(long)]
    pub list: bool,
    /// Print the reference of every built-in (Markdown).
    #[arg(long)]
    pub builtins: bool,
}

pub fn run(a: Args) -> i32 {
    if a.list {
        for c in Code::ALL {
            super::output::out(&format!("{c}  {}\n", c.info().title));
        }
        return OK;
    }
    if a.builtins {
        super::output::out(&builtins::reference_markdown());
        return OK;
    }
    let text = a.code.unwrap_or_default();
    match Code::parse(&text) {
        Some(c) => {
            super::output::out(c.info().explanation);
            OK
        }
        None => {
            let codes: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
            let hint = crate::diagnostics::suggestion(&text.to_uppercase(), codes)
                .map(|h| format!(" ({h})"))
                .unwrap_or_default();
            eprintln!(
                "error: no diagnostic code `{text}`{hint}; `somnia explain --list` shows them all"
            );
            USAGE
        }
    }
}
