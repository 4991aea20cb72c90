//! `somnia merge DIR`
//!
//! Builds a sweep's or comparison's tables from the runs its shards wrote into `DIR`
//! (`sweep.csv`, or `compare.json` and `compare.csv`), exactly as the unsharded command
//! would have: it checks the protocol file named by `DIR/manifest.json` again, with the same
//! `--set` values, so each run's folder and plan are the ones the shards ran, then reads
//! every run back and runs nothing. Missing and unfinished runs are named; the tables still
//! hold every finished run (the others as `not_run` or with their partial timeline). Exit 0
//! when every run is complete and the expectations hold, 1 when one fails, 2 when a run is
//! missing or unfinished or the file changed since the manifest was written.

use super::{USAGE, output};
use crate::console::eprintln;
use crate::data::EvalSplit;
use crate::sweep::manifest::{Kind, Manifest};
use crate::sweep::{self, Config};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The folder the runs were written into (`--out` of the sweep, comparison or
    /// submission).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Checks at a time while reading the runs back (default: the number of cores).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
}

pub fn run(a: Args, color: bool) -> i32 {
    let manifest = match Manifest::read(&a.dir) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: {e}");
            return USAGE;
        }
    };
    // The file is checked from where the runs were planned, under the name they used, so
    // the tables name it as a local run's do.
    let dir = match std::path::absolute(&a.dir) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: cannot resolve {}: {e}", a.dir.display());
            return USAGE;
        }
    };
    if let Err(e) = std::env::set_current_dir(&manifest.cwd) {
        eprintln!(
            "error: cannot enter {}, where the runs were planned: {e}",
            manifest.cwd.display()
        );
        return USAGE;
    }
    let report = match output::checked_report(&manifest.file, &manifest.sets, None, color, USAGE) {
        Ok(r) => r,
        Err(status) => return status,
    };
    let cfg = Config {
        file: &manifest.file,
        sets: &manifest.sets,
        out: dir,
        threads: a.jobs.unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        }),
        eval: if manifest.eval == "validation" {
            EvalSplit::Validation
        } else {
            EvalSplit::Test
        },
        resume: false,
        force: false,
        stop: None,
        collect: true,
    };
    let missing_item = || {
        eprintln!(
            "error: {} has no {} `{}` any more (DIR/manifest.json names it)",
            manifest.file.display(),
            manifest.kind.word(),
            manifest.item
        );
        USAGE
    };
    match manifest.kind {
        Kind::Sweep => {
            let Some(sw) = report.sweeps.iter().find(|s| s.name == manifest.item) else {
                return missing_item();
            };
            let points = match sweep::grid(sw) {
                Ok(p) => p,
                Err(e) => {
                    eprintln!("error: {e}");
                    return USAGE;
                }
            };
            let jobs = sweep::jobs(&manifest.sets, sw, &points);
            match read_back(&manifest, &cfg, &jobs) {
                Ok(runs) => super::sweep::finish(sw, &points, &runs, &cfg),
                Err(status) => status,
            }
        }
        Kind::Compare => {
            let Some(cmp) = report.compares.iter().find(|c| c.name == manifest.item) else {
                return missing_item();
            };
            let jobs = crate::compare::jobs(&manifest.sets, cmp);
            match read_back(&manifest, &cfg, &jobs) {
                Ok(runs) => super::compare::finish(cmp, &runs, &cfg),
                Err(status) => status,
            }
        }
    }
}

/// The runs' outcomes read back from their folders, once the file is known to plan the
/// runs the manifest lists; the missing and unfinished ones named. `Err`: the exit status.
fn read_back(
    manifest: &Manifest,
    cfg: &sweep::Config,
    jobs: &[sweep::Job],
) -> Result<Vec<sweep::PointRun>, i32> {
    let fail = |e: String| {
        eprintln!("error: {e}");
        USAGE
    };
    same_runs(manifest, cfg, jobs).map_err(fail)?;
    let runs = sweep::run(cfg, jobs, None, &|_, _| {}).map_err(fail)?;
    report_missing(&runs);
    Ok(runs)
}

/// The file, checked now, plans the runs the manifest lists (the shards ran these).
fn same_runs(manifest: &Manifest, cfg: &Config, jobs: &[sweep::Job]) -> Result<(), String> {
    let now = sweep::folders(cfg, jobs)?;
    if now.len() != manifest.runs.len() {
        return Err(format!(
            "{} now plans {} runs, the manifest lists {}: the file changed since the runs were planned; run the shards of the new file (`somnia submit slurm` again) or restore the file",
            manifest.file.display(),
            now.len(),
            manifest.runs.len()
        ));
    }
    for (entry, folder) in manifest.runs.iter().zip(&now) {
        if entry.folder.as_deref() != folder.as_deref().ok() {
            return Err(format!(
                "{} changed since the runs were planned: {} seed {} was {} and is now {}; run the shards of the new file (`somnia submit slurm` again) or restore the file",
                manifest.file.display(),
                entry.label,
                entry.seed,
                entry
                    .folder
                    .as_deref()
                    .unwrap_or("a run that did not compile"),
                folder.as_deref().unwrap_or("a run that does not compile")
            ));
        }
    }
    Ok(())
}

/// One line before the tables: how many runs are missing or unfinished.
fn report_missing(runs: &[sweep::PointRun]) {
    let bad = runs.iter().filter(|r| r.error.is_some()).count();
    if bad > 0 {
        eprintln!(
            "merge: {bad} of {} runs are missing or unfinished (named below); the tables hold the {} complete ones",
            runs.len(),
            runs.len() - bad
        );
    }
}
