//! `somnia plot PATH [--out DIR]`
//!
//! PATH is an outcome (`outcome.json`, or the run folder holding it) or a sweep (`sweep.csv`,
//! or the sweep folder holding it). An outcome gives `hypnogram.svg` (and
//! `hypnogram-wall.svg`), `accuracy.svg` (when accuracy was measured), `weights.svg` (when a
//! sleep phase ran), `foraging.svg`, a `raster-….svg` per spike recording, and
//! `receptive_fields-<projection>.svg` for each projection from an image input whose weights
//! `--save-weights` saved beside it; a sweep gives one `sweep-<metric>.svg` per metric. They
//! are written beside PATH unless `--out` is given;
//! these names are somnia's, so existing plots of those names are replaced.

use super::{OK, USAGE};
use crate::console::eprintln;
use crate::engine::weight_export::{self, WEIGHTS_DIR};
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
            let fields = receptive_field_files(&beside(&f), &o);
            let files = plot::outcome_plots(&o).and_then(|fs| {
                let mut fs: Vec<(String, String)> =
                    fs.into_iter().map(|(n, s)| (n.to_string(), s)).collect();
                fs.extend(recorded_plots(&beside(&f))?);
                fs.extend(fields?);
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

/// The receptive fields of the weights a run saved (`run_dir/weights/`, `--save-weights`):
/// one `receptive_fields-<projection>.svg` per projection from an image input, from the
/// last point saved (`end` when it was saved). Nothing when the run saved no weights.
///
/// The image's shape is the one `index.csv` records; an index written before it recorded
/// shapes falls back to a square image when the input's size is a perfect square, and the
/// figure says so.
pub fn receptive_field_files(
    run_dir: &Path,
    o: &Outcome,
) -> Result<Vec<(String, String)>, plot::PlotError> {
    let dir = run_dir.join(WEIGHTS_DIR);
    if !dir.join("index.csv").is_file() {
        return Ok(Vec::new());
    }
    let index = weight_export::read_index(&dir).map_err(plot::PlotError)?;
    let latest = if index.rows.iter().any(|r| r.tag == "end") {
        "end"
    } else {
        match index.rows.last() {
            Some(r) => r.tag.as_str(),
            None => return Ok(Vec::new()),
        }
    };
    let mut files = Vec::new();
    for row in index.rows.iter().filter(|r| r.tag == latest) {
        let side = (row.cols as f64).sqrt().round() as usize;
        let (image, shape_note) = match row.image {
            Some(shape) => (shape, None),
            None if !index.shapes_recorded && side > 1 && side * side == row.cols => (
                (side, side),
                Some("image shape assumed square: index.csv records none".to_string()),
            ),
            None => continue,
        };
        let (weights, post, _) =
            weight_export::read_matrix(&dir.join(&row.file)).map_err(plot::PlotError)?;
        let svg = plot::receptive_fields::svg(&plot::receptive_fields::Fields {
            run: format!("{}, seed {}", o.protocol, o.seed),
            projection: row.projection.clone(),
            when: row.tag.clone(),
            weights: &weights,
            post,
            image,
            shape_note,
        })?;
        let stem = plot::file_safe(&weight_export::file_stem(&row.projection));
        files.push((format!("receptive_fields-{stem}.svg"), svg));
    }
    Ok(files)
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
