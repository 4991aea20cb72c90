//! `somnia sweep FILE [--sweep NAME] [-j N] [--set NAME=VALUE]... [--out DIR]`
//!
//! Runs a `sweep` item: its protocol on every point of the grid and every seed, `-j` runs at
//! a time. Writes `DIR/manifest.json`, each run's outcome into
//! `DIR/<constants>-seed<N>-<hash>/`, then `DIR/sweep.csv`, and prints each point's final
//! values (mean ± sd over seeds) and the sweep's expectations. With `--shard K/N` it runs
//! only that shard's runs and writes no table (`somnia merge` does). Exit 0 when every
//! expectation of the sweep holds, 1 when one fails, 2 on errors.

use super::many::{self, ManyRuns};
use super::{FAILED, OK, USAGE, output};
use crate::console::eprintln;
use crate::outcome::over_seeds::{mean, std};
use crate::outcome::write::atomic_write;
use crate::plan::compare::SweepIr;
use crate::sweep::manifest::Kind;
use crate::sweep::{self, Config, Job, Point, PointRun, table};
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The protocol file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The sweep to run, by its protocol's name (required when the file has several).
    #[arg(long, short)]
    pub sweep: Option<String>,
    #[command(flatten)]
    pub runs: ManyRuns,
}

pub fn run(a: Args, color: bool) -> i32 {
    let report = match output::checked_report(&a.file, &a.runs.sets, None, color, USAGE) {
        Ok(r) => r,
        Err(status) => return status,
    };
    let Some(sw) = output::choose_sweep(&report, a.sweep.as_deref(), &a.file) else {
        return USAGE;
    };
    let points = match sweep::grid(sw) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return USAGE;
        }
    };
    let out = a
        .runs
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("runs").join(format!("{}-sweep", sw.protocol)));
    let cfg = a.runs.config(&a.file, out.clone());
    let jobs = sweep::jobs(&a.runs.sets, sw, &points);
    let labels: Vec<String> = jobs.iter().map(|j| points[j.index].label()).collect();
    let planned = many::manifest(&cfg, Kind::Sweep, &sw.name, &jobs, &labels)
        .and_then(|m| many::prepare(&a.runs, &cfg, &m, &[table::SWEEP_FILE]));
    if let Err(e) = planned {
        eprintln!("error: {e}");
        return USAGE;
    }
    let threads = a.runs.threads();
    let total = jobs.len();
    let mine = a.runs.shard.map_or(total, |s| s.runs(total).count());
    output::note(&format!(
        "sweep {}: {} points × {} seeds = {total} runs{}, {threads} at a time → {}",
        sw.name,
        points.len(),
        sw.seeds.len(),
        a.runs
            .shard
            .map(|s| format!(" (shard {s}: {mine} of them)"))
            .unwrap_or_default(),
        out.display()
    ));
    let bar = (!output::quiet() && super::progress::Bars::available()).then(|| {
        let b = ProgressBar::new(mine as u64);
        b.set_style(
            ProgressStyle::with_template(
                "{prefix:>16} [{bar:32}] {pos}/{len} runs ({elapsed}, eta {eta})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        b.set_prefix("sweep");
        b
    });
    let done = |r: &PointRun, j: &Job| {
        let line = many::run_line(&format!("{} seed {}", points[j.index].label(), r.seed), r);
        match (&bar, line) {
            (Some(b), line) => {
                if let Some(line) = line {
                    b.println(line);
                }
                b.inc(1);
            }
            (None, Some(line)) => eprintln!("{line}"),
            (None, None) => {}
        }
    };
    let runs = match sweep::run(&cfg, &jobs, a.runs.shard, &done) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return USAGE;
        }
    };
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    if let Some(shard) = a.runs.shard {
        return many::shard_done(shard, &runs, &labels_of(&points, &runs), &cfg);
    }
    finish(sw, &points, &runs, &cfg)
}

fn labels_of(points: &[Point], runs: &[PointRun]) -> Vec<String> {
    runs.iter().map(|r| points[r.point].label()).collect()
}

/// After every run of the sweep (here or in shards, `somnia merge`): sweep.csv, each
/// point's final values, the expectations; the exit status.
pub fn finish(sw: &SweepIr, points: &[Point], runs: &[PointRun], cfg: &Config) -> i32 {
    let out = &cfg.out;
    let csv = match table::to_csv(points, runs) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: cannot write sweep.csv: {e}");
            return USAGE;
        }
    };
    if let Err(e) =
        std::fs::create_dir_all(out).and_then(|()| atomic_write(&out.join(table::SWEEP_FILE), &csv))
    {
        eprintln!(
            "error: cannot write {}: {e}",
            out.join(table::SWEEP_FILE).display()
        );
        return USAGE;
    }
    let checks = sweep::expectations(sw, points, runs);
    output::out(&summary(sw, points, runs, &checks));
    let mut status = OK;
    for r in runs {
        if let Some(e) = &r.error {
            eprintln!("{} seed {}:\n{e}", points[r.point].label(), r.seed);
            status = USAGE;
        }
    }
    eprintln!(
        "outcomes and {} written to {}",
        table::SWEEP_FILE,
        out.display()
    );
    if cfg
        .stop
        .as_ref()
        .is_some_and(|s| s.load(std::sync::atomic::Ordering::Relaxed))
    {
        eprintln!("interrupted: continue with the same command and --resume");
        return super::signals::install().exit_code();
    }
    if status == OK && checks.iter().flatten().any(|c| !c.passed) {
        status = FAILED;
    }
    status
}

/// Each point's final values as mean ± sd over its seeds, then the sweep's expectations.
fn summary(
    sw: &SweepIr,
    points: &[Point],
    runs: &[PointRun],
    checks: &[Vec<crate::outcome::ExpectationResult>],
) -> String {
    let mut text = format!("sweep {} · seeds {:?}\n", sw.name, sw.seeds);
    for (i, p) in points.iter().enumerate() {
        text.push_str(&format!(
            "{}\n",
            if p.label().is_empty() {
                "(one point)".into()
            } else {
                p.label()
            }
        ));
        let mut values: BTreeMap<(String, String), Vec<f64>> = BTreeMap::new();
        for r in runs.iter().filter(|r| r.point == i) {
            if let Some(o) = &r.outcome {
                for (m, vs) in &o.final_values {
                    for (k, v) in vs {
                        values.entry((m.clone(), k.clone())).or_default().push(*v);
                    }
                }
            }
        }
        for ((m, k), vs) in &values {
            text.push_str(&format!(
                "  {:<28} {:>12} ± {:<10} (n = {})\n",
                format!("{m}[{k}]"),
                format!("{:.6}", mean(vs)),
                format!("{:.6}", std(vs)),
                vs.len()
            ));
        }
        for e in &checks[i] {
            text.push_str(&format!("  {}\n", output::expectation_line(e)));
        }
    }
    text
}
