//! A comparison's results as data, beside its runs: `compare.json` (the whole table with the
//! expectations) and `compare.csv` (the same numbers in long form, one statistic a row), so
//! the intervals and effect sizes `somnia compare` prints need not be copied off a terminal.
//! docs/outcome.md describes both.

use super::{ArmStats, Difference, Row, table};
use crate::check::limits::FEW_SEEDS;
use crate::outcome::ExpectationResult;
use crate::outcome::over_seeds::BOOTSTRAP_RESAMPLES;
use crate::outcome::write::atomic_write;
use crate::plan::compare::CompareIr;
use crate::sweep::PointRun;
use crate::sweep::units::metric_unit;
use serde::Serialize;
use std::path::Path;

pub const COMPARE_JSON: &str = "compare.json";
pub const COMPARE_CSV: &str = "compare.csv";

/// The version of compare.json's shape (and compare.csv's columns).
pub const SCHEMA: u32 = 1;

/// What the effect size is, as compare.json states it.
const EFFECT_SIZE: &str = "paired Cohen's d (d_z): the mean of the paired differences over their sample sd (n - 1); null for one pair or when every pair differs by the same amount";

/// How the confidence intervals are computed, as compare.json states it.
#[derive(Serialize)]
struct Interval {
    level: f64,
    method: &'static str,
    resamples: usize,
}

#[derive(Serialize)]
struct Document<'a> {
    schema: u32,
    compare: &'a str,
    arms: &'a [String],
    seeds: &'a [u64],
    /// The arm the others are compared with (the first).
    baseline: &'a str,
    /// Some interval rests on fewer than `few_seeds_below` values or pairs.
    few_seeds: bool,
    few_seeds_below: usize,
    interval: Interval,
    effect_size: &'static str,
    metrics: Vec<Metric<'a>>,
    expectations: &'a [ExpectationResult],
    runs: Vec<RunEntry<'a>>,
}

#[derive(Serialize)]
struct Metric<'a> {
    metric: &'a str,
    key: &'a str,
    unit: String,
    arms: Vec<ArmEntry<'a>>,
    differences: Vec<DifferenceEntry<'a>>,
}

#[derive(Serialize)]
struct ArmEntry<'a> {
    arm: &'a str,
    n: usize,
    mean: f64,
    std: f64,
    ci_low: f64,
    ci_high: f64,
    few_seeds: bool,
}

#[derive(Serialize)]
struct DifferenceEntry<'a> {
    arm: &'a str,
    against: &'a str,
    n_pairs: usize,
    mean: f64,
    std: f64,
    ci_low: f64,
    ci_high: f64,
    effect_size: f64,
    few_seeds: bool,
}

#[derive(Serialize)]
struct RunEntry<'a> {
    arm: &'a str,
    seed: u64,
    /// The run's folder, relative to these files' (`slept-seed1` beside them, as `somnia
    /// compare` writes it; `../slept-seed1` from `somnia test`'s `<a>-vs-<b>/`).
    folder: String,
    /// `complete`, `error`, `interrupted`, or `not_run` when it never started.
    status: String,
}

/// Whether `n` values or pairs are too few for an interval.
fn few(n: usize) -> bool {
    n < FEW_SEEDS
}

/// `run` as seen from `dir`: its name when it is in `dir`, `../name` when beside `dir`, the
/// whole path otherwise.
fn relative(run: &Path, dir: &Path) -> String {
    let name = run
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    match run.parent() {
        Some(p) if p == dir => name,
        Some(p) if Some(p) == dir.parent() => format!("../{name}"),
        _ => run.display().to_string(),
    }
}

/// compare.json's text, for the folder `dir` it is written into.
pub fn to_json(
    dir: &Path,
    cmp: &CompareIr,
    rows: &[Row],
    checks: &[ExpectationResult],
    runs: &[PointRun],
) -> String {
    let baseline = cmp.arms.first().map_or("", String::as_str);
    let metrics: Vec<Metric> = rows
        .iter()
        .map(|r| Metric {
            metric: &r.metric,
            key: &r.key,
            unit: metric_unit(&r.metric),
            arms: cmp
                .arms
                .iter()
                .zip(&r.arms)
                .map(|(arm, s)| ArmEntry {
                    arm,
                    n: s.n,
                    mean: s.mean,
                    std: s.std,
                    ci_low: s.ci_low,
                    ci_high: s.ci_high,
                    few_seeds: few(s.n),
                })
                .collect(),
            differences: cmp
                .arms
                .iter()
                .skip(1)
                .zip(&r.differences)
                .filter_map(|(arm, d)| {
                    let d = d.as_ref()?;
                    Some(DifferenceEntry {
                        arm,
                        against: baseline,
                        n_pairs: d.seeds,
                        mean: d.mean,
                        std: d.std,
                        ci_low: d.ci_low,
                        ci_high: d.ci_high,
                        effect_size: d.effect,
                        few_seeds: few(d.seeds),
                    })
                })
                .collect(),
        })
        .collect();
    let few_seeds = few(cmp.seeds.len())
        || metrics.iter().any(|m| {
            m.arms.iter().any(|a| a.few_seeds) || m.differences.iter().any(|d| d.few_seeds)
        });
    let doc = Document {
        schema: SCHEMA,
        compare: &cmp.name,
        arms: &cmp.arms,
        seeds: &cmp.seeds,
        baseline,
        few_seeds,
        few_seeds_below: FEW_SEEDS,
        interval: Interval {
            level: 0.95,
            method: "percentile bootstrap of the mean, from a fixed seed",
            resamples: BOOTSTRAP_RESAMPLES,
        },
        effect_size: EFFECT_SIZE,
        metrics,
        expectations: checks,
        runs: runs
            .iter()
            .map(|r| RunEntry {
                arm: cmp.arms.get(r.point).map_or("", String::as_str),
                seed: r.seed,
                folder: relative(&r.dir, dir),
                status: r
                    .outcome
                    .as_ref()
                    .map_or_else(|| "not_run".into(), |o| o.status.clone()),
            })
            .collect(),
    };
    // serde_json writes NaN and infinities as null.
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// The columns of compare.csv.
const COLUMNS: [&str; 11] = [
    "compare",
    "metric",
    "key",
    "unit",
    "kind",
    "arm",
    "against",
    "statistic",
    "value",
    "n",
    "few_seeds",
];

/// compare.csv: one row per metric × key × arm (or difference) × statistic. Values with full
/// precision; an undefined one (NaN) is an empty cell, an infinite one `inf`.
pub fn to_csv(cmp: &CompareIr, rows: &[Row]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(COLUMNS)?;
    let baseline = cmp.arms.first().map_or("", String::as_str);
    for r in rows {
        let unit = metric_unit(&r.metric);
        let mut put = |kind: &str, arm: &str, against: &str, stat: &str, v: f64, n: usize| {
            w.write_record([
                cmp.name.as_str(),
                &r.metric,
                &r.key,
                &unit,
                kind,
                arm,
                against,
                stat,
                &number(v),
                &n.to_string(),
                &few(n).to_string(),
            ])
        };
        for (arm, s) in cmp.arms.iter().zip(&r.arms) {
            let ArmStats {
                n,
                mean,
                std,
                ci_low,
                ci_high,
            } = *s;
            for (stat, v) in [
                ("mean", mean),
                ("std", std),
                ("ci_low", ci_low),
                ("ci_high", ci_high),
            ] {
                put("arm", arm, "", stat, v, n)?;
            }
        }
        for (arm, d) in cmp.arms.iter().skip(1).zip(&r.differences) {
            let Some(Difference {
                mean,
                std,
                ci_low,
                ci_high,
                effect,
                seeds,
            }) = *d
            else {
                continue;
            };
            for (stat, v) in [
                ("mean", mean),
                ("std", std),
                ("ci_low", ci_low),
                ("ci_high", ci_high),
                ("effect_size", effect),
            ] {
                put("difference", arm, baseline, stat, v, seeds)?;
            }
        }
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// A value as a cell: full precision, empty for NaN.
fn number(v: f64) -> String {
    if v.is_nan() {
        String::new()
    } else {
        format!("{v}")
    }
}

/// Writes compare.json and compare.csv into `dir`, each atomically (a reader sees the old
/// file or the new one, never half of one).
pub fn write(
    dir: &Path,
    cmp: &CompareIr,
    runs: &[PointRun],
    checks: &[ExpectationResult],
) -> Result<(), String> {
    let rows = table(cmp, runs);
    let csv = to_csv(cmp, &rows).map_err(|e| format!("cannot write {COMPARE_CSV}: {e}"))?;
    let json = to_json(dir, cmp, &rows, checks, runs);
    for (name, bytes) in [(COMPARE_JSON, json.as_bytes()), (COMPARE_CSV, &csv[..])] {
        let path = dir.join(name);
        atomic_write(&path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}
