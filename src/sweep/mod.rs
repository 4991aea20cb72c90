//! Sweeps: one protocol run over a grid of constants × seeds, the runs spread over threads.
//!
//! Each point is compiled anew with its constants set exactly as `--set` would set them, so
//! a sweep point and `somnia run FILE --set name=value --seed N` run the same plan. Every run
//! owns its random streams (derived from its seed alone), so the outcomes do not depend on
//! how many threads run them or in which order they finish; results are collected in grid
//! order.

pub mod job;
pub mod manifest;
pub mod shard;
pub mod slurm;
pub mod table;
pub mod units;
pub mod values;

pub use job::{Job, run_job};
pub use shard::Shard;

use crate::data::EvalSplit;
use crate::outcome::{ExpectationResult, Outcome, over_seeds};
use crate::plan::compare::SweepIr;
use crate::session::Sets;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

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
    /// `sleep_ratio=0.1` style, for folder names: each constant as sweep.csv writes it.
    pub fn slug(&self) -> String {
        self.settings
            .iter()
            .zip(&self.cells)
            .map(|((n, _), (value, unit))| {
                let unit = if unit == "1" { "" } else { unit };
                format!("{n}={value}{unit}")
            })
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
    for (a, (name, values)) in sweep.axes.iter().enumerate() {
        let mut next = Vec::with_capacity(points.len() * values.len());
        for p in &points {
            for (i, v) in values.iter().enumerate() {
                let written = sweep.texts.get(a).and_then(|t| t.get(i)).cloned().flatten();
                let text = values::set_text(v).or(written).ok_or_else(|| {
                    format!(
                        "`{name}`: a sweep sets numbers, booleans, symbols and strings, and other values (datasets, tasks, lists) written out in its list of values"
                    )
                })?;
                let mut q = p.clone();
                q.labels.push((name.clone(), values::label(v, &text)));
                q.cells.push(values::cell(v, &text));
                q.settings.push((name.clone(), text));
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
    /// Run nothing: read back each finished run, report the others (`somnia merge`).
    pub collect: bool,
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

/// Every run of the sweep, in grid order, seeds innermost: each point's constants set over
/// the `--set` values.
pub fn jobs(sets: &Sets, sweep: &SweepIr, points: &[Point]) -> Vec<Job> {
    let mut jobs = Vec::new();
    for (index, point) in points.iter().enumerate() {
        let mut all: Vec<(String, String)> = sets
            .iter()
            .filter(|(n, _)| !point.settings.iter().any(|(m, _)| m == n))
            .cloned()
            .collect();
        all.extend(point.settings.iter().cloned());
        for &seed in &sweep.seeds {
            jobs.push(Job {
                index,
                seed,
                protocol: sweep.protocol.clone(),
                sets: all.clone(),
                slug: point.slug(),
            });
        }
    }
    jobs
}

/// Runs the jobs `threads` at a time (those of `shard`, when given); `done` hears of each
/// run as it ends (from any thread). The results come back in the jobs' order.
pub fn run(
    cfg: &Config,
    jobs: &[Job],
    shard: Option<Shard>,
    done: &(dyn Fn(&PointRun, &Job) + Sync),
) -> Result<Vec<PointRun>, String> {
    let mine: Vec<&Job> = jobs
        .iter()
        .enumerate()
        .filter(|(i, _)| shard.is_none_or(|s| s.has(*i)))
        .map(|(_, j)| j)
        .collect();
    on_pool(cfg.threads, mine.len(), |i| {
        let r = run_job(cfg, mine[i], None);
        done(&r, mine[i]);
        r
    })
}

/// Each job's folder name under `cfg.out`, compiling the jobs `cfg.threads` at a time (a
/// job that does not compile has no folder: its error instead).
pub fn folders(cfg: &Config, jobs: &[Job]) -> Result<Vec<Result<String, String>>, String> {
    on_pool(cfg.threads, jobs.len(), |i| jobs[i].folder(cfg))
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
