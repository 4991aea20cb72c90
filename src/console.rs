//! Writing to stdout and stderr without ever panicking.
//!
//! `println!` and `eprintln!` panic when the stream cannot be written: stderr into a closed
//! pipe (`somnia check bad.sleep 2>&1 | head -2`), stdout into a full disk (`plan --json >
//! /dev/full`). Every print of the command line and the REPL goes through [`out`] and [`err`]
//! instead: stdout through `cli::output::out`, stderr through the `eprintln!` and `eprint!`
//! below, which shadow the standard ones where they are imported (tests/architecture.rs
//! checks that every file printing to stderr imports them). A failed write
//! is remembered, not raised: the command finishes what it was doing (an outcome folder is
//! still written whole) and then ends with E503 and exit 2, never a panic, never exit 0.

use std::io::Write;
use std::sync::Mutex;

/// The first write that failed: which stream, and why.
static FAILURE: Mutex<Option<(&'static str, String)>> = Mutex::new(None);

/// Writes `text` to stdout (and flushes it).
pub fn out(text: &str) {
    let mut s = std::io::stdout().lock();
    let r = s.write_all(text.as_bytes()).and_then(|()| s.flush());
    remember("stdout", r);
}

/// Writes `text` to stderr.
pub fn err(text: &str) {
    let mut s = std::io::stderr().lock();
    let r = s.write_all(text.as_bytes()).and_then(|()| s.flush());
    remember("stderr", r);
}

fn remember(stream: &'static str, r: std::io::Result<()>) {
    if let Err(e) = r {
        let mut f = FAILURE.lock().unwrap_or_else(|p| p.into_inner());
        f.get_or_insert((stream, e.to_string()));
    }
}

/// The first failed write since the process started, as `(stream, error)`.
pub fn failure() -> Option<(&'static str, String)> {
    FAILURE.lock().unwrap_or_else(|p| p.into_inner()).clone()
}

/// `eprintln!` that never panics.
macro_rules! eprintln {
    () => { $crate::console::err("\n") };
    ($($t:tt)*) => { $crate::console::err(&format!("{}\n", format_args!($($t)*))) };
}

/// `eprint!` that never panics.
macro_rules! eprint {
    ($($t:tt)*) => { $crate::console::err(&format!($($t)*)) };
}

pub(crate) use {eprint, eprintln};
