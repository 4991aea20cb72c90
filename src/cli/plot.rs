//! `somnia plot PATH [--out DIR]`
//!
//! PATH is an outcome (`outcome.json`, or the run folder holding it) or a sweep (`sweep.csv`,
//! or the sweep folder holding it). An outcome gives `hypnogram.svg`, `accuracy.svg` (when
//! accuracy was measured) and `weights.svg` (when a sleep phase ran) and a `raster-….svg` per spike recording; a sweep gives one
//! `sweep-<metric>.svg` per metric. They are written beside PATH unless `--out` is given;
//! these names are somnia's, so existing plots of those names are replaced.

use super::{OK, USAGE};
use crate::console::eprintln;
use crate::outcome::Outcome;
use crate::outcome::write::{OUTCOME_FILE, atomic_write};
use crate::plot;
use crate::sweep::table::SWEEP_FILE;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// An outcome (`outcome.json` or its run folder) or a sweep (`sweep.csv` or its folder).
    #[arg(value_name = "PATH")]
    pub path: PathBuf,
    /// Where to write the SVG files (default: beside PATH).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

enum Input {
    Outcome(PathBuf),
    Sweep(PathBuf),
}

/// What PATH names, or why it names nothing to plot.
fn input(path: &Path) -> Result<Input, String> {
    if path.is_dir() {
        if path.join(OUTCOME_FILE).is_file() {
            return Ok(Input::Outcome(path.join(OUTCOME_FILE)));
        }
        if path.join(SWEEP_FILE).is_file() {
            return Ok(Input::Sweep(path.join(SWEEP_FILE)));
        }
        return Err(format!(
            "{} holds neither {OUTCOME_FILE} nor {SWEEP_FILE}",
            path.display()
        ));
    }
    if !path.exists() {
        return Err(format!("{} does not exist", path.display()));
    }
    match path.extension().and_then(|e| e.to_str()) {
        Some("json") => Ok(Input::Outcome(path.to_path_buf())),
        Some("csv") => Ok(Input::Sweep(path.to_path_buf())),
        _ => Err(format!(
            "{} is neither an outcome (.json) nor a sweep table (.csv)",
            path.display()
        )),
    }
}

pub fn run(a: Args) -> i32 {
    let (file, files) = match input(&a.path) {
        Ok(Input::Outcome(f)) => {
            let o = match read_outcome(&f) {
                Ok(o) => o,
                Err(e) => return super::output::fail(crate::diagnostics::Code::E501, &e),
            };
            let files = plot::outcome_plots(&o)
                .map(|fs| {
                    fs.into_iter()
                        .map(|(n, s)| (n.to_string(), s))
                        .collect::<Vec<_>>()
                })
                .and_then(|mut fs| {
                    fs.extend(recorded_plots(&beside(&f))?);
                    Ok(fs)
                });
            (f, files)
        }
        Ok(Input::Sweep(f)) => {
            let text = match std::fs::read_to_string(&f) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("error: cannot read {}: {e}", f.display());
                    return USAGE;
                }
            };
            let files = plot::sweep::parse(&text)
                .map_err(|e| plot::PlotError(format!("{}: {e}", f.display())))
                .and_then(|t| plot::sweep::svgs(&t));
            (f, files)
        }
        Err(e) => {
            eprintln!("error: {e}");
            return USAGE;
        }
    };
    let files = match files {
        Ok(fs) if fs.is_empty() => {
            eprintln!("error: {} has no final value to plot", file.display());
            return USAGE;
        }
        Ok(fs) => fs,
        Err(e) => {
            eprintln!("error: {e}");
            return USAGE;
        }
    };
    let dir = a.out.unwrap_or_else(|| beside(&file));
    match write_all(&dir, &files) {
        Ok(written) => {
            let shown: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
            super::output::out(&format!("{}\n", shown.join("\n")));
            OK
        }
        Err(e) => super::output::fail(crate::diagnostics::Code::E503, &e),
    }
}

/// The plots of a run folder's recordings: a raster per spike recording and op.
pub fn recorded_plots(run: &Path) -> Result<Vec<(String, String)>, plot::PlotError> {
    plot::raster::of_run(run)
}

/// The folder of a file (`.` for a bare name).
fn beside(file: &Path) -> PathBuf {
    file.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Reads an outcome, with a message saying what is wrong with it.
pub fn read_outcome(path: &Path) -> Result<Outcome, String> {
    crate::outcome::read::file(path)
}

/// Writes plots into `dir` (created if needed), replacing earlier plots of the same names.
pub fn write_all(dir: &Path, files: &[(String, String)]) -> Result<Vec<PathBuf>, String> {
    let mut written = Vec::new();
    for (name, svg) in files {
        let path = dir.join(name);
        atomic_write(&path, svg.as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}
