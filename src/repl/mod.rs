//! `somnia repl`: a live session over the batch pipeline.
//!
//! The session keeps the text of its definitions (a loaded file, then the items typed) and
//! checks every entry with [`crate::session::check_text`] against all of it, so an entry
//! gets exactly the diagnostics `somnia check` would give. A protocol's network is
//! instantiated once (`:use`) as an engine [`Runner`](crate::engine::Runner) that stays
//! alive; a schedule statement typed at the prompt is compiled as the next statement of a
//! schedule on that network (the statements run so far before it, so `seen`, call numbers
//! and random streams are those of a protocol file with the same schedule) and only its
//! new ops are run.
//!
//! One file per idea: [`session`] (definitions, checking, diagnostics against the input),
//! [`live`] (the live network and schedule statements), [`commands`] (`:help`, `:use`, ...),
//! [`show`] (how values, records and weights print), [`input`] (multi-line entry and what an
//! entry is), [`complete`] (the line editor's completion, highlighting and hints).

use crate::console::eprintln;
pub mod commands;
pub mod complete;
pub mod input;
pub mod live;
pub mod session;
pub mod show;

use crate::engine::{Progress, Quiet};
use input::Entry;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

pub use session::Repl;

/// What an entry did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    /// The entry failed; the session goes on.
    Failed,
    /// `:quit`.
    Quit,
}

impl Repl {
    /// Runs one complete entry (possibly several lines).
    pub fn entry(&mut self, text: &str) -> Status {
        let phases = self.phase_names();
        let kind = input::classify(text, &|w| phases.iter().any(|p| p == w));
        let ok = match kind {
            Entry::Empty => true,
            Entry::Command { name, args } => return self.command(&name, &args),
            Entry::Item => self.define(text.trim()),
            Entry::Statement => self.statement(text.trim()),
            Entry::Expr => self.expression(text.trim()),
        };
        if ok { Status::Ok } else { Status::Failed }
    }

    /// The flag a Ctrl-C handler sets to stop the running phase at a step boundary.
    pub fn stop_flag(&self) -> Arc<AtomicBool> {
        self.stop.clone()
    }

    /// How long phases report progress (a terminal's bars, or nothing).
    pub fn set_progress(&mut self, p: Box<dyn Progress>) {
        self.progress = p;
    }
}

/// A quiet progress, the default.
pub(crate) fn quiet() -> Box<dyn Progress> {
    Box::new(Quiet)
}

/// Prints a result on stdout (flushed, so it interleaves with diagnostics on stderr).
pub(crate) fn say(text: &str) {
    if text.ends_with('\n') {
        crate::console::out(text);
    } else {
        crate::console::out(&format!("{text}\n"));
    }
}

/// Prints a problem that has no diagnostic code (a command used wrongly, a file that
/// cannot be written) on stderr.
pub(crate) fn complain(text: &str) {
    eprintln!("error: {text}");
}
