//! Sweeps: one protocol run over a grid of constants × seeds, the runs spread over threads.
//!
//! Each point is compiled anew with its constants set exactly as `--set` would set them, so
//! a sweep point and `somnia run FILE --set name=value --seed N` run the same plan. Every run
//! owns its random streams (derived from its seed alone), so the outcomes do not depend on
//! how many threads run them or in which order they finish; results are collected in grid
//! order.

pub mod table;
pub mod units;
pub mod values;

use crate::data::EvalSplit;
use crate::diagnostics::render::{self, Style};
use crate::engine::runner::SNAPSHOT_FILE;
use crate::engine::{self, Quiet};
use crate::outcome::folder::{Found, RunFolder, found, staging_of};
use crate::outcome::write::{METRICS_FILE, OUTCOME_FILE, to_csv, write_outcome};
use crate::outcome::{ExpectationResult, Outcome, over_seeds};
use crate::plan::compare::SweepIr;
use crate::session::{self, Sets};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// One combination of the swept constants.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// `(constant, value as source text)`, one per axis, in axis order.
    pub settings: Vec<(String, String)>,
    /// `(constant, value as people read it)`.
    pub labels: Vec<(String, String)>,
    /// `(value, unit)` per axis as sweep.csv writes it: numbers in SI base units.
    pub cells: Vec<(String, String)>,
}

impl Point {
    /// `sleep_ratio=0.1` style, for folder names.
    pub fn slug(&self) -> String {
        self.settings
            .iter()
            .map(|(n, t)| format!("{n}={}", t.replace(' ', "")))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// `sleep_ratio 0.1, sleep_cap 5000 steps`.
    pub fn label(&self) -> String {
        self.labels
            .iter()
            .map(|(n, t)| format!("{n} {t}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Every point of the grid, the first axis varying slowest.
pub fn grid(sweep: &SweepIr) -> Result<Vec<Point>, String> {
    let mut points = vec![Point {
        settings: Vec::new(),
        labels: Vec::new(),
        cells: Vec::new(),
    }];
    for (name, values) in &sweep.axes {
        let mut next = Vec::with_capacity(points.len() * values.len());
        for p in &points {
            for v in values {
                let text = values::set_text(v).ok_or_else(|| {
                    format!("`{name}`: a sweep can set numbers, booleans, symbols and strings")
                })?;
                let mut q = p.clone();
                q.settings.push((name.clone(), text));
                q.labels.push((name.clone(), values::label(v)));
                q.cells.push(values::cell(v));
                next.push(q);
            }
        }
        points = next;
    }
    Ok(points)
}

/// How to run a sweep.
pub struct Config<'a> {
    pub file: &'a Path,
    /// `--set` values applied to every point (the swept constants win).
    pub sets: &'a Sets,
    pub out: PathBuf,
    pub threads: usize,
    pub eval: EvalSplit,
    /// Keep a run's existing outcome when it ran this very plan to completion.
    pub resume: bool,
    /// Overwrite existing outcomes that `resume` does not keep.
    pub force: bool,
    /// Set by a signal: runs stop at the next step boundary, runs not started do not start.
    pub stop: Option<Arc<AtomicBool>>,
}

/// One run of the sweep.
#[derive(Debug, Clone)]
pub struct PointRun {
    pub point: usize,
    pub seed: u64,
    pub dir: PathBuf,
    /// `None` when the point did not compile.
    pub outcome: Option<Outcome>,
    /// Why the run stopped or never started, rendered as a diagnostic.
    pub error: Option<String>,
    pub seconds: f64,
    /// The outcome was already there (`--resume`): nothing ran.
    pub reused: bool,
}

/// The folder of one run.
pub fn run_dir(out: &Path, point: &Point, seed: u64) -> PathBuf {
    let slug = point.slug();
    if slug.is_empty() {
        out.join(format!("seed{seed}"))
    } else {
        out.join(format!("{slug}-seed{seed}"))
    }
}

/// Runs every point on every seed, `threads` at a time; `done` hears of each run as it
/// ends (from any thread). The results come back in grid order, seeds innermost.
pub fn run(
    cfg: &Config,
    sweep: &SweepIr,
    points: &[Point],
    done: &(dyn Fn(&PointRun, &Point) + Sync),
) -> Result<Vec<PointRun>, String> {
    on_threads(cfg.threads, points.len(), &sweep.seeds, |p, seed| {
        let r = run_one(cfg, sweep, &points[p], p, seed);
        done(&r, &points[p]);
        r
    })
}

/// Calls `job(item, seed)` for every item × seed on a pool of `threads` threads; the
/// results come back item by item, seeds in the order given, whatever finished first.
pub fn on_threads<T: Send>(
    threads: usize,
    items: usize,
    seeds: &[u64],
    job: impl Fn(usize, u64) -> T + Sync,
) -> Result<Vec<T>, String> {
    let jobs: Vec<(usize, u64)> = (0..items)
        .flat_map(|i| seeds.iter().map(move |s| (i, *s)))
        .collect();
    on_pool(threads, jobs.len(), |j| job(jobs[j].0, jobs[j].1))
}

/// Calls `job(i)` for every `i < count` on a pool of `threads` threads; the results come
/// back in index order, whatever finished first.
pub fn on_pool<T: Send>(
    threads: usize,
    count: usize,
    job: impl Fn(usize) -> T + Sync,
) -> Result<Vec<T>, String> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| format!("cannot start {threads} threads: {e}"))?;
    Ok(pool.install(|| (0..count).into_par_iter().map(&job).collect()))
}

fn run_one(cfg: &Config, sweep: &SweepIr, point: &Point, index: usize, seed: u64) -> PointRun {
    let mut sets: Vec<(String, String)> = cfg
        .sets
        .iter()
        .filter(|(n, _)| !point.settings.iter().any(|(m, _)| m == n))
        .cloned()
        .collect();
    sets.extend(point.settings.iter().cloned());
    run_job(
        cfg,
        &sweep.protocol,
        &sets,
        seed,
        run_dir(&cfg.out, point, seed),
        index,
    )
}

/// Runs `protocol` of the file with `sets` on `seed`, writing its outcome into `dir`
/// (kept instead when `--resume` finds the same work finished there). `index` says which
/// point or arm the run belongs to.
pub fn run_job(
    cfg: &Config,
    protocol: &str,
    sets: &Sets,
    seed: u64,
    dir: PathBuf,
    index: usize,
) -> PointRun {
    let start = Instant::now();
    let mut result = PointRun {
        point: index,
        seed,
        dir: dir.clone(),
        outcome: None,
        error: None,
        seconds: 0.0,
        reused: false,
    };
    let opts = crate::plan::Options {
        seed: Some(seed),
        ..Default::default()
    };
    let style = Style {
        color: false,
        width: 100,
    };
    let report = match session::check_file(cfg.file, sets, &opts) {
        Ok(r) => r,
        Err(e) => {
            result.error = Some(e.to_string());
            return result;
        }
    };
    if report.has_errors() {
        result.error = Some(render::render_all_human(
            &report.diagnostics,
            &report.program.sources,
            style,
        ));
        return result;
    }
    let Some(plan) = report.plan(protocol) else {
        result.error = Some(format!("the protocol `{protocol}` did not compile"));
        return result;
    };
    if cfg.stop.as_ref().is_some_and(|s| s.load(Ordering::Relaxed)) {
        result.error = Some("not run: the sweep was interrupted".into());
        return result;
    }
    let mut resume = None;
    let found_here = found(&dir);
    if found_here == Found::Complete
        && cfg.resume
        && let Some(mut o) = reusable(&dir, plan, cfg.eval)
    {
        // The work is the same, the expectations may not be: judge them anew.
        o.expectations = crate::outcome::expect::evaluate_all(&plan.expectations, &o);
        result.outcome = Some(o);
        result.reused = true;
        return result;
    }
    if cfg.resume {
        resume = unfinished(&dir, plan, cfg.eval);
    }
    // Without --force, only this plan's own runs are replaced: an unfinished one with
    // --resume, or a complete one whose files are not whole.
    let ours = same_work(&dir, plan);
    if found_here != Found::Nothing && !cfg.force && !(cfg.resume && ours) {
        result.error = Some(format!(
            "{} exists and is not a complete run of this plan; pass --force to overwrite it{}",
            dir.join(OUTCOME_FILE).display(),
            if cfg.resume {
                ""
            } else {
                ", or --resume to keep or continue it"
            }
        ));
        return result;
    }
    let folder = match RunFolder::prepare(&dir, 1 << 20, resume.is_none()) {
        Ok(f) => f,
        Err(e) => {
            result.error = Some(e);
            return result;
        }
    };
    let control = engine::Control {
        stop: cfg.stop.clone(),
        snapshots: Some(engine::Snapshots::new(
            folder.staging.join(SNAPSHOT_FILE),
            engine::Every::Time(std::time::Duration::from_secs(600)),
        )),
        resume,
    };
    let mut quiet = Quiet;
    let mut recorder = None;
    let progress: &mut dyn engine::Progress = if plan.recordings.is_empty() {
        &mut quiet
    } else {
        recorder.insert(crate::engine::recording_export::RecordingSaver::new(
            &folder.staging,
            &mut quiet,
        ))
    };
    let (mut outcome, error) =
        engine::run_with(plan, &engine::Options { eval: cfg.eval }, progress, control);
    // A recording that could not be written is an error of the run, as in `somnia run`.
    let unwritten = recorder
        .map(|r| r.errors.join("\n"))
        .filter(|e| !e.is_empty());
    outcome.provenance.overrides = crate::outcome::provenance::overrides(&report.program, sets);
    if let Some(e) = error {
        let d = e.to_diagnostic(&report.program.sources);
        result.error = Some(render::render_human(&d, &report.program.sources, style));
    }
    let complete = outcome.status == "complete";
    if complete {
        let _ = std::fs::remove_file(folder.staging.join(SNAPSHOT_FILE));
    }
    let written = write_outcome(&folder.staging, &outcome)
        .map_err(|e| {
            format!(
                "cannot write the outcome into {}: {e}",
                folder.staging.display()
            )
        })
        .and_then(|()| folder.commit(complete));
    if let Err(msg) = written.and(unwritten.map_or(Ok(()), Err)) {
        result.error = Some(match result.error.take() {
            Some(prev) => format!("{prev}\n{msg}"),
            None => msg,
        });
    }
    result.outcome = Some(outcome);
    result.seconds = start.elapsed().as_secs_f64();
    result
}

/// The complete outcome in `dir` when it ran this plan on this split and every file of the
/// run is whole (metrics.csv is the outcome's timeline).
fn reusable(dir: &Path, plan: &crate::plan::Plan, eval: EvalSplit) -> Option<Outcome> {
    let o: Outcome =
        serde_json::from_str(&std::fs::read_to_string(dir.join(OUTCOME_FILE)).ok()?).ok()?;
    let same = o.status == "complete"
        && o.work_hash == crate::plan::hash::work_hash(plan)
        && o.evaluated_on == eval.word();
    let csv = std::fs::read(dir.join(METRICS_FILE)).ok()?;
    (same && csv == to_csv(&o)).then_some(o)
}

/// Whether the outcome in `dir` ran this plan's work (complete or not).
fn same_work(dir: &Path, plan: &crate::plan::Plan) -> bool {
    std::fs::read_to_string(dir.join(OUTCOME_FILE))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| v["work_hash"].as_str().map(str::to_string))
        .is_some_and(|h| h == crate::plan::hash::work_hash(plan))
}

/// The snapshot of this plan's unfinished run in `dir` (or beside it), to continue.
fn unfinished(dir: &Path, plan: &crate::plan::Plan, eval: EvalSplit) -> Option<engine::Snapshot> {
    let hash = crate::plan::hash::work_hash(plan);
    [staging_of(dir), dir.to_path_buf()]
        .iter()
        .filter_map(|d| engine::Snapshot::read(&d.join(SNAPSHOT_FILE)).ok())
        .find(|s| s.work_hash == hash && s.eval == eval)
        .inspect(|_| {
            // A snapshot in the folder itself continues in a fresh staging folder.
            let staging = staging_of(dir);
            if !staging.join(SNAPSHOT_FILE).exists() {
                let _ = copy_folder(dir, &staging);
            }
        })
}

/// Copies a run's folder (one level: a run's files and its weights/ folder).
fn copy_folder(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_folder(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// The sweep's expectations at each point, over the seeds that ran to completion there.
pub fn expectations(
    sweep: &SweepIr,
    points: &[Point],
    runs: &[PointRun],
) -> Vec<Vec<ExpectationResult>> {
    (0..points.len())
        .map(|p| {
            let outcomes: Vec<Outcome> = runs
                .iter()
                .filter(|r| r.point == p)
                .filter_map(|r| r.outcome.clone())
                .filter(|o| o.status == "complete")
                .collect();
            over_seeds::evaluate_all(&sweep.expectations, &over_seeds::Seeds(&outcomes))
        })
        .collect()
}
