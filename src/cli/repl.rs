//! `somnia repl [FILE]`: a live session (the logic is in [`crate::repl`]).
//!
//! On a terminal: a line editor with history, completion and highlighting. Otherwise the
//! entries are read from stdin and echoed with their results (`somnia repl < script.txt`);
//! the exit status is 1 when any entry failed, 0 otherwise.

use super::progress::Bars;
use super::{FAILED, OK, USAGE};
use crate::console::eprintln;
use crate::repl::complete::Editor as Helper;
use crate::repl::input::is_complete;
use crate::repl::{Repl, Status};
use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::sync::atomic::Ordering;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A protocol file whose definitions the session starts with.
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
}

/// The environment variable naming the history file.
pub const HISTORY_VAR: &str = "SOMNIA_HISTORY";

/// `$SOMNIA_HISTORY`, else `$XDG_DATA_HOME/somnia/history`, else
/// `~/.local/share/somnia/history`; `None` when there is no home to put it in (or
/// `SOMNIA_HISTORY` is empty: no history).
pub fn history_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(HISTORY_VAR) {
        return (!p.is_empty()).then(|| PathBuf::from(p));
    }
    let data = std::env::var_os("XDG_DATA_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))?;
    Some(data.join("somnia").join("history"))
}

pub fn run(a: Args, color: bool) -> i32 {
    let mut repl = Repl::new(color);
    let stop = repl.stop_flag();
    // Ctrl-C while a phase runs stops it at the next step boundary; a second one before it
    // got there quits.
    let flag = stop.clone();
    let _ = ctrlc::set_handler(move || {
        if flag.swap(true, Ordering::SeqCst) {
            eprintln!("\ninterrupted twice: quitting");
            std::process::exit(130);
        }
    });
    // The session reports an engine panic as an internal error and goes on.
    std::panic::set_hook(Box::new(|info| eprintln!("internal error: {info}")));
    let interactive = std::io::stdin().is_terminal();
    let mut failed = false;
    if let Some(f) = &a.file
        && !repl.load(f)
    {
        if !interactive {
            return USAGE;
        }
        failed = true;
    }
    if interactive {
        if Bars::available() {
            repl.set_progress(Box::new(Bars::new()));
        }
        interactive_loop(&mut repl, color)
    } else {
        failed |= batch(&mut repl);
        if failed { FAILED } else { OK }
    }
}

fn interactive_loop(repl: &mut Repl, color: bool) -> i32 {
    let config = rustyline::Config::builder()
        .auto_add_history(false)
        .completion_type(rustyline::CompletionType::List)
        .build();
    let mut ed = match rustyline::Editor::<Helper, rustyline::history::DefaultHistory>::with_config(
        config,
    ) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: cannot start the line editor: {e}");
            return USAGE;
        }
    };
    ed.set_helper(Some(Helper {
        words: repl.completion_words(),
        color,
    }));
    let history = history_path();
    if let Some(p) = &history {
        let _ = ed.load_history(p);
    }
    crate::repl::say(&format!(
        "somnia {} — `:help` for help, Ctrl-D to quit",
        env!("CARGO_PKG_VERSION")
    ));
    let stop = repl.stop_flag();
    let mut entry = String::new();
    loop {
        let prompt = if entry.is_empty() {
            "somnia> "
        } else {
            "   ...> "
        };
        stop.store(false, Ordering::SeqCst);
        match ed.readline(prompt) {
            Ok(line) => {
                entry.push_str(&line);
                entry.push('\n');
                if !is_complete(&entry) {
                    continue;
                }
                let text = std::mem::take(&mut entry);
                if !text.trim().is_empty() {
                    let _ = ed.add_history_entry(text.trim_end());
                }
                let status = repl.entry(&text);
                if let Some(h) = ed.helper_mut() {
                    h.words = repl.completion_words();
                }
                if status == Status::Quit {
                    break;
                }
            }
            Err(rustyline::error::ReadlineError::Interrupted) => {
                // Ctrl-C at the prompt drops the entry being typed.
                entry.clear();
            }
            Err(rustyline::error::ReadlineError::Eof) => break,
            Err(e) => {
                eprintln!("error: {e}");
                break;
            }
        }
    }
    if let Some(p) = &history {
        if let Some(dir) = p.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        if let Err(e) = ed.save_history(p) {
            eprintln!("warning: cannot save the history to {}: {e}", p.display());
        }
    }
    OK
}

/// Reads entries from stdin, echoing each with its results; whether any failed.
fn batch(repl: &mut Repl) -> bool {
    let mut failed = false;
    let mut entry = String::new();
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    loop {
        let line = match lines.next() {
            Some(Ok(l)) => l,
            Some(Err(e)) => {
                eprintln!("error: cannot read stdin: {e}");
                return true;
            }
            None => break,
        };
        entry.push_str(&line);
        entry.push('\n');
        if !is_complete(&entry) {
            continue;
        }
        let text = std::mem::take(&mut entry);
        match run_echoed(repl, &text) {
            Status::Failed => failed = true,
            Status::Quit => return failed,
            Status::Ok => {}
        }
    }
    if !entry.trim().is_empty() {
        // The input ended inside a block: the checker says what is missing.
        failed |= run_echoed(repl, &entry) != Status::Ok;
    }
    failed
}

fn run_echoed(repl: &mut Repl, text: &str) -> Status {
    let mut echo = String::new();
    for (i, l) in text.trim_end_matches('\n').lines().enumerate() {
        echo.push_str(if i == 0 { "somnia> " } else { "   ...> " });
        echo.push_str(l);
        echo.push('\n');
    }
    crate::repl::say(&echo);
    repl.entry(text)
}
