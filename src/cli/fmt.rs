//! `somnia fmt [PATH...]`: formats protocol files in place (only those that change), the
//! ```` ```sleep ```` blocks of Markdown files named on the command line, or stdin to
//! stdout (`-` or no path). `--check` writes nothing: it prints a diff for each file that
//! would change and exits 1 when there is one.

use super::output;
use super::{FAILED, OK, USAGE};
use crate::console::eprintln;
use crate::diagnostics::Code;
use crate::format::{self, BlockError, FormatError};
use crate::source::{FileId, SourceFile, SourceMap};
use std::io::Read;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Files, folders searched for `*.sleep` files, Markdown files (their ```sleep blocks),
    /// or `-` for stdin to stdout (the default when no path is given).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Write nothing: show what would change as a diff, exit 1 when something would.
    #[arg(long)]
    pub check: bool,
}

/// What formatting one file found.
enum Outcome {
    Unchanged,
    Changed,
    Failed,
}

pub fn run(a: Args, color: bool) -> i32 {
    if a.paths.is_empty() || a.paths.iter().any(|p| p.as_os_str() == "-") {
        if a.paths.len() > 1 {
            eprintln!("error: `-` (stdin) cannot be formatted together with files");
            return USAGE;
        }
        return stdin(a.check, color);
    }
    let files = match crate::suite::discover::protocol_files(&a.paths) {
        Ok(f) => f,
        Err(e) => return output::fail(Code::E503, &e),
    };
    let (mut changed, mut failed) = (0, 0);
    let mut status = OK;
    for file in &files {
        match one_file(file, a.check, color) {
            Ok(Outcome::Unchanged) => {}
            Ok(Outcome::Changed) => changed += 1,
            Ok(Outcome::Failed) => failed += 1,
            Err(e) => {
                eprintln!("error: {e}");
                status = USAGE;
            }
        }
    }
    let verb = if a.check {
        "would be reformatted"
    } else {
        "reformatted"
    };
    let plural = |n: usize| if n == 1 { "file" } else { "files" };
    let mut summary = format!(
        "{changed} {} {verb}, {} left unchanged",
        plural(changed),
        files.len() - changed - failed
    );
    if failed > 0 {
        summary.push_str(&format!(", {failed} could not be formatted"));
    }
    eprintln!("{summary}");
    if failed > 0 || (a.check && changed > 0) {
        status = status.max(FAILED);
    }
    status
}

fn one_file(path: &Path, check: bool, color: bool) -> Result<Outcome, String> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {name}: {e}"))?;
    let markdown = path.extension().is_some_and(|e| e == "md");
    let formatted = if markdown {
        let (out, errors) = format::format_markdown(&name, &text);
        if !errors.is_empty() {
            errors.iter().for_each(|e| report_block(e, color));
            return Ok(Outcome::Failed);
        }
        out
    } else {
        let source = SourceFile::new(name.clone(), Some(path.to_path_buf()), text.clone());
        match format::format_source(FileId(0), &source) {
            Ok(out) => out,
            Err(e) => {
                report(&e, source, color);
                return Ok(Outcome::Failed);
            }
        }
    };
    if formatted == text {
        if output::verbose() {
            eprintln!("{name}: already formatted");
        }
        return Ok(Outcome::Unchanged);
    }
    if check {
        output::out(&diff(&name, &text, &formatted));
    } else {
        crate::outcome::write::atomic_write(path, formatted.as_bytes())
            .map_err(|e| format!("cannot write {name}: {e}"))?;
        if !output::quiet() {
            eprintln!("formatted {name}");
        }
    }
    Ok(Outcome::Changed)
}

fn stdin(check: bool, color: bool) -> i32 {
    let mut text = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut text) {
        eprintln!("error: cannot read stdin: {e}");
        return USAGE;
    }
    let source = SourceFile::new("<stdin>", None, text.clone());
    match format::format_source(FileId(0), &source) {
        Ok(out) if check => {
            if out == text {
                OK
            } else {
                output::out(&diff("<stdin>", &text, &out));
                FAILED
            }
        }
        Ok(out) => {
            output::out(&out);
            OK
        }
        Err(e) => {
            report(&e, source, color);
            FAILED
        }
    }
}

fn report(e: &FormatError, source: SourceFile, color: bool) {
    let name = source.name.clone();
    match e {
        FormatError::Syntax(diags) => {
            let mut map = SourceMap::new();
            map.add(source);
            output::print_human(diags, &map, color);
            eprintln!("{name}: not formatted (it does not parse)");
        }
        FormatError::Internal(what) => eprintln!(
            "error: {name} was left as it was: {what} (a bug in `somnia fmt`; please report it with the file)"
        ),
    }
}

fn report_block(b: &BlockError, color: bool) {
    report(&b.error, b.source.clone(), color);
}

/// A unified diff from `before` to `after`.
fn diff(name: &str, before: &str, after: &str) -> String {
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(2)
        .header(name, &format!("{name} (formatted)"))
        .to_string()
}
