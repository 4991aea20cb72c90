//! `somnia compare FILE [--compare NAME] [-j N] [--set NAME=VALUE]... [--out DIR]`
//!
//! Runs a `compare` item: every arm on every seed, `-j` runs at a time. Writes
//! `DIR/manifest.json` and each run's outcome into `DIR/<arm>-seed<N>-<hash>/` (with
//! `--shard K/N` only that shard's runs, and no tables: `somnia merge` writes them), prints each final value per arm (mean ± sd over
//! seeds) and each arm against the first (paired difference, 95 % bootstrap CI, effect
//! size), then the comparison's expectations, and writes the same numbers as
//! `DIR/compare.json` and `DIR/compare.csv`. Over fewer than 5 seeds it first prints the
//! comparison's W010 warning. Exit 0 when they hold, 1 when one fails, 2 on errors.

use super::many::{self, ManyRuns};
use super::{FAILED, OK, USAGE, output};
use crate::compare::{self, Row, tables};
use crate::console::eprintln;
use crate::diagnostics::Code;
use crate::plan::compare::{CompareIr, few_seeds_message};
use crate::sweep::manifest::Kind;
use crate::sweep::{Config, Job, PointRun};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The protocol file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The comparison to run, as `a vs b` or by any of its arms (required when the file has
    /// several).
    #[arg(long = "compare", short = 'c', value_name = "NAME")]
    pub name: Option<String>,
    #[command(flatten)]
    pub runs: ManyRuns,
}

pub fn run(a: Args, color: bool) -> i32 {
    let report = match output::checked_report(&a.file, &a.runs.sets, None, color, USAGE) {
        Ok(r) => r,
        Err(status) => return status,
    };
    let Some(cmp) = output::choose_compare(&report, a.name.as_deref(), &a.file) else {
        return USAGE;
    };
    // Check found the few seeds already (W010, with the span of the seeds): say it here,
    // where the intervals are about to be printed.
    let message = few_seeds_message(&cmp.name, cmp.seeds.len());
    let few: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::W010 && d.message == message)
        .cloned()
        .collect();
    output::print_human(&few, &report.program.sources, color);
    let out = a
        .runs
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("runs").join(cmp.arms.join("-vs-")));
    let cfg = a.runs.config(&a.file, out.clone());
    let jobs = compare::jobs(&a.runs.sets, cmp);
    let labels: Vec<String> = jobs.iter().map(|j| cmp.arms[j.index].clone()).collect();
    let planned = many::manifest(&cfg, Kind::Compare, &cmp.name, &jobs, &labels).and_then(|m| {
        many::prepare(
            &a.runs,
            &cfg,
            &m,
            &[tables::COMPARE_JSON, tables::COMPARE_CSV],
        )
    });
    if let Err(e) = planned {
        eprintln!("error: {e}");
        return USAGE;
    }
    let threads = a.runs.threads();
    let total = jobs.len();
    output::note(&format!(
        "compare {}: {} arms × {} seeds{}, {threads} at a time → {}",
        cmp.name,
        cmp.arms.len(),
        cmp.seeds.len(),
        a.runs
            .shard
            .map(|s| format!(" (shard {s}: {} of {total} runs)", s.runs(total).count()))
            .unwrap_or_default(),
        out.display()
    ));
    let done = |r: &PointRun, j: &Job| {
        if let Some(line) = many::run_line(&format!("{} seed {}", j.protocol, r.seed), r) {
            eprintln!("{line}");
        }
    };
    let runs = match crate::sweep::run(&cfg, &jobs, a.runs.shard, &done) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return USAGE;
        }
    };
    if let Some(shard) = a.runs.shard {
        let labels: Vec<String> = runs.iter().map(|r| cmp.arms[r.point].clone()).collect();
        return many::shard_done(shard, &runs, &labels, &cfg);
    }
    finish(cmp, &runs, &cfg)
}

/// After every run of the comparison (here or in shards, `somnia merge`): the table, the
/// expectations, compare.json and compare.csv; the exit status.
pub fn finish(cmp: &CompareIr, runs: &[PointRun], cfg: &Config) -> i32 {
    let out = &cfg.out;
    let checks = compare::expectations(cmp, runs);
    let mut text = format!("compare {} · seeds {:?}\n", cmp.name, cmp.seeds);
    text.push_str(&table_text(cmp, &compare::table(cmp, runs)));
    for e in &checks {
        text.push_str(&format!("{}\n", output::expectation_line(e)));
    }
    output::out(&text);
    let mut status = OK;
    if let Err(e) = tables::write(out, cmp, runs, &checks) {
        eprintln!("error: {e}");
        status = USAGE;
    }
    for r in runs {
        if let Some(e) = &r.error {
            eprintln!("{} seed {}:\n{e}", cmp.arms[r.point], r.seed);
            status = USAGE;
        }
    }
    eprintln!(
        "outcomes, {} and {} written to {}",
        tables::COMPARE_JSON,
        tables::COMPARE_CSV,
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
    if status == OK && checks.iter().any(|c| !c.passed) {
        status = FAILED;
    }
    status
}

fn table_text(cmp: &CompareIr, rows: &[Row]) -> String {
    let mut text = String::new();
    for r in rows {
        text.push_str(&format!("{}[{}]\n", r.metric, r.key));
        for (arm, s) in cmp.arms.iter().zip(&r.arms) {
            text.push_str(&format!("  {arm:<24} {:>12.6} ± {:.6}\n", s.mean, s.std));
        }
        for (arm, d) in cmp.arms.iter().skip(1).zip(&r.differences) {
            if let Some(d) = d {
                text.push_str(&format!(
                    "  {arm} − {}: {:+.6}  95 % CI [{:+.6}, {:+.6}]  effect {:.2}  (n = {})\n",
                    cmp.arms[0], d.mean, d.ci_low, d.ci_high, d.effect, d.seeds
                ));
            }
        }
    }
    text
}
