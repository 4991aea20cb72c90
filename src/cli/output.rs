//! Printing diagnostics to the terminal or as JSON.

use super::Color;
use crate::console::{eprint, eprintln};
use crate::diagnostics::Diagnostic;
use crate::diagnostics::render::{self, Style};
use crate::source::SourceMap;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicU8, Ordering};

/// How much a command says on stderr besides errors, warnings and its result: set once
/// from `-q`/`-v` before the command runs.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    /// `-q`: errors, warnings and the final result only (no progress bars, no per-run lines).
    Quiet = 0,
    /// The default.
    Normal = 1,
    /// `-v`: also the details usually left out (each file written, each op's wall time).
    Verbose = 2,
}

static VERBOSITY: AtomicU8 = AtomicU8::new(Verbosity::Normal as u8);

/// Sets the verbosity for the rest of the process.
pub fn set_verbosity(v: Verbosity) {
    VERBOSITY.store(v as u8, Ordering::Relaxed);
}

/// The verbosity `-q`/`-v` chose.
pub fn verbosity() -> Verbosity {
    match VERBOSITY.load(Ordering::Relaxed) {
        0 => Verbosity::Quiet,
        2 => Verbosity::Verbose,
        _ => Verbosity::Normal,
    }
}

/// `-q` was given.
pub fn quiet() -> bool {
    verbosity() == Verbosity::Quiet
}

/// `-v` was given.
pub fn verbose() -> bool {
    verbosity() == Verbosity::Verbose
}

/// Prints a line on stderr unless `-q` was given (progress and where things went).
pub fn note(line: &str) {
    if !quiet() {
        eprintln!("{line}");
    }
}

/// Prints a line on stderr only with `-v`.
pub fn detail(line: &str) {
    if verbose() {
        eprintln!("{line}");
    }
}

/// Writes to stdout; a failed write ends the command with E503 (see [`crate::console`]).
pub fn out(text: &str) {
    crate::console::out(text);
}

/// Prints `error[CODE]: message` for a problem of the command line or its files (the `E5xx`
/// codes, which have no source span) and gives the exit status for it.
pub fn fail(code: crate::diagnostics::Code, message: &str) -> i32 {
    eprintln!("error[{}]: {message}", code.as_str());
    super::USAGE
}

/// Whether to colour output on stderr.
pub fn color_enabled(c: Color) -> bool {
    match c {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal(),
    }
}

/// The style of human-readable reports for this terminal.
pub fn style(color: bool) -> Style {
    let width = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100)
        .clamp(60, 200);
    Style { color, width }
}

/// Prints diagnostics for people, on stderr.
pub fn print_human(ds: &[Diagnostic], sources: &SourceMap, color: bool) {
    let text = render::render_all_human(ds, sources, style(color));
    eprint!("{text}");
}

/// A one-line summary: `2 errors, 1 warning in protocols/x.sleep`.
pub fn summary(ds: &[Diagnostic], file: &str) -> String {
    let errors = ds.iter().filter(|d| d.is_error()).count();
    let warnings = ds.len() - errors;
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    match (errors, warnings) {
        (0, 0) => format!("{file}: ok"),
        (0, w) => format!("{file}: ok, {}", plural(w, "warning")),
        (e, 0) => format!("{file}: {}", plural(e, "error")),
        (e, w) => format!("{file}: {}, {}", plural(e, "error"), plural(w, "warning")),
    }
}

/// The plan of the protocol `name`, or `None` after saying which protocols the file has.
pub fn find_protocol<'r>(
    report: &'r crate::session::Report,
    name: &str,
    file: &std::path::Path,
) -> Option<&'r crate::plan::Plan> {
    if let Some(p) = report.plan(name) {
        return Some(p);
    }
    let names = report.protocol_names();
    let hint = crate::diagnostics::suggestion(name, names.iter().map(String::as_str))
        .map(|h| format!(" ({h})"))
        .unwrap_or_default();
    eprintln!(
        "error: {} has no protocol `{name}`{hint}; it has: {}",
        file.display(),
        names.join(", ")
    );
    None
}

/// Checks and plans a file for `plan` and `run`: the report, or the exit status after
/// printing why there is none (`errors` is the status for a file with errors).
pub fn checked_report(
    file: &std::path::Path,
    sets: &crate::session::Sets,
    seed: Option<u64>,
    color: bool,
    errors: i32,
) -> Result<crate::session::Report, i32> {
    let opts = crate::plan::Options {
        seed,
        ..crate::plan::Options::default()
    };
    let report = match crate::session::check_file(file, sets, &opts) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return Err(super::USAGE);
        }
    };
    if report.has_errors() {
        print_human(&report.diagnostics, &report.program.sources, color);
        eprintln!(
            "{}",
            summary(&report.diagnostics, &file.display().to_string())
        );
        return Err(errors);
    }
    Ok(report)
}

/// `✓ final accuracy(pairs) > 45 %  value 0.5180 (bound 0.4500)  [x.sleep:91:3]`, with the reason
/// when the value could not be read.
pub fn expectation_line(e: &crate::outcome::ExpectationResult) -> String {
    let mark = if e.passed { "✓" } else { "✗" };
    let value = e.value.map_or("—".to_string(), |v| format!("{v:.4}"));
    let bound = e
        .bound
        .map_or(String::new(), |b| format!(" (bound {b:.4})"));
    let note = e
        .note
        .as_deref()
        .map_or(String::new(), |n| format!(" — {n}"));
    format!(
        "{mark} {}  value {value}{bound}  [{}:{}:{}]{note}",
        e.text, e.span.file, e.span.line, e.span.column
    )
}

/// The item of a file's `sweep`s or `compare`s that `name` picks (`matches`), or its only
/// one; otherwise says what the file has and returns `None`. `words` are the keyword, its
/// plural and the option that chooses (`["sweep", "sweeps", "sweep"]`).
pub fn choose<'r, T>(
    items: &'r [T],
    name: Option<&str>,
    file: &std::path::Path,
    words: [&str; 3],
    shown: impl Fn(&T) -> String,
    matches: impl Fn(&T, &str) -> bool,
) -> Option<&'r T> {
    let [keyword, plural, flag] = words;
    let names = || {
        items
            .iter()
            .map(|i| format!("`{}`", shown(i)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (name, items) {
        (_, []) => {
            eprintln!("error: {} has no `{keyword}`", file.display());
            None
        }
        (None, [one]) => Some(one),
        (None, _) => {
            eprintln!(
                "error: {} has several {plural}; choose one with --{flag}: {}",
                file.display(),
                names()
            );
            None
        }
        (Some(n), _) => {
            let found = items.iter().find(|i| matches(i, n));
            if found.is_none() {
                eprintln!(
                    "error: {} has no {keyword} `{n}`; it has {}",
                    file.display(),
                    names()
                );
            }
            found
        }
    }
}

/// The sweep of the file that `--sweep NAME` picks (by its protocol or its full name).
pub fn choose_sweep<'r>(
    report: &'r crate::session::Report,
    name: Option<&str>,
    file: &std::path::Path,
) -> Option<&'r crate::plan::compare::SweepIr> {
    choose(
        &report.sweeps,
        name,
        file,
        ["sweep", "sweeps", "sweep"],
        |s| s.protocol.clone(),
        |s, n| s.protocol == n || s.name == n,
    )
}

/// The comparison of the file that `--compare NAME` picks (`a vs b`, or one of its arms).
pub fn choose_compare<'r>(
    report: &'r crate::session::Report,
    name: Option<&str>,
    file: &std::path::Path,
) -> Option<&'r crate::plan::compare::CompareIr> {
    choose(
        &report.compares,
        name,
        file,
        ["compare", "comparisons", "compare"],
        |c| c.name.clone(),
        |c, n| c.name == n || c.arms.iter().any(|a| a == n),
    )
}

/// Makes sure `out` can hold a command's outcomes before anything runs: a folder (created
/// when missing), writable.
pub fn writable_folder(out: &std::path::Path) -> Result<(), String> {
    if out.exists() && !out.is_dir() {
        return Err(format!(
            "{} is a file, not a folder: choose another --out",
            out.display()
        ));
    }
    // A name of its own: shards of one submission probe the same folder at once.
    let probe = out.join(crate::outcome::write::unique_name("somnia-probe"));
    std::fs::create_dir_all(out)
        .and_then(|()| std::fs::write(&probe, b"ok"))
        .and_then(|()| std::fs::remove_file(&probe))
        .map_err(|e| format!("cannot write into {}: {e}", out.display()))
}
