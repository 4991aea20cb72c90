//! `compare` items run: every arm on every seed, on a thread pool, sharing seeds (and so
//! data splits, which are derived from the seed). Per final value: each arm's mean ± sd
//! over seeds, and each arm against the first — the paired difference (same seed), its 95 %
//! bootstrap confidence interval and an effect size (mean difference / sd of differences).
//! [`tables`] writes them as `compare.json` and `compare.csv`.

pub mod tables;

use crate::outcome::over_seeds::{self, Arms, bootstrap_ci, mean, std};
use crate::outcome::{ExpectationResult, Outcome};
use crate::plan::compare::CompareIr;
use crate::session::Sets;
use crate::sweep::{Job, PointRun};
use std::collections::BTreeSet;

/// Every run of the comparison: arm by arm, seeds in the comparison's order, each with the
/// `--set` values.
pub fn jobs(sets: &Sets, cmp: &CompareIr) -> Vec<Job> {
    cmp.arms
        .iter()
        .enumerate()
        .flat_map(|(index, arm)| {
            cmp.seeds.iter().map(move |&seed| Job {
                index,
                seed,
                protocol: arm.clone(),
                sets: sets.to_vec(),
                slug: arm.clone(),
            })
        })
        .collect()
}

/// The arms' outcomes by name, for expectations.
pub struct ArmOutcomes<'a> {
    pub cmp: &'a CompareIr,
    pub runs: &'a [PointRun],
}

impl Arms for ArmOutcomes<'_> {
    fn outcomes(&self, arm: Option<&str>) -> Result<Vec<&Outcome>, String> {
        let name = arm.ok_or("which arm's outcome?")?;
        let index = self
            .cmp
            .arms
            .iter()
            .position(|a| a == name)
            .ok_or_else(|| format!("`{name}` is not an arm of this comparison"))?;
        Ok(self
            .runs
            .iter()
            .filter(|r| r.point == index)
            .filter_map(|r| r.outcome.as_ref())
            .filter(|o| o.status == "complete")
            .collect())
    }
}

pub fn expectations(cmp: &CompareIr, runs: &[PointRun]) -> Vec<ExpectationResult> {
    over_seeds::evaluate_all(&cmp.expectations, &ArmOutcomes { cmp, runs })
}

/// One arm's values over its seeds.
#[derive(Debug, Clone, PartialEq)]
pub struct ArmStats {
    /// How many seeds have the value.
    pub n: usize,
    /// Mean, sample sd (n − 1) and the 95 % bootstrap CI of the mean; NaN when no seed has
    /// the value.
    pub mean: f64,
    pub std: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

impl ArmStats {
    fn of(xs: &[f64]) -> ArmStats {
        if xs.is_empty() {
            return ArmStats {
                n: 0,
                mean: f64::NAN,
                std: f64::NAN,
                ci_low: f64::NAN,
                ci_high: f64::NAN,
            };
        }
        let (ci_low, ci_high) = bootstrap_ci(xs);
        ArmStats {
            n: xs.len(),
            mean: mean(xs),
            std: std(xs),
            ci_low,
            ci_high,
        }
    }
}

/// One arm against the first, seed by seed.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    pub mean: f64,
    /// The sample sd (n − 1) of the differences.
    pub std: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// Mean difference over the sd of the differences (paired Cohen's d, often written d_z);
    /// infinite when every seed differs by the same amount, NaN for one seed.
    pub effect: f64,
    /// How many seeds both arms have the value on: the pairs.
    pub seeds: usize,
}

/// One final value across the arms.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub metric: String,
    pub key: String,
    /// Per arm: its values over its seeds.
    pub arms: Vec<ArmStats>,
    /// Per arm after the first: its difference from the first.
    pub differences: Vec<Option<Difference>>,
}

/// The final values every arm measured, with their differences.
pub fn table(cmp: &CompareIr, runs: &[PointRun]) -> Vec<Row> {
    let value = |arm: usize, seed: u64, m: &str, k: &str| -> Option<f64> {
        runs.iter()
            .find(|r| r.point == arm && r.seed == seed)
            .and_then(|r| r.outcome.as_ref())
            .and_then(|o| o.final_values.get(m))
            .and_then(|v| v.get(k))
            .copied()
    };
    let keys: BTreeSet<(String, String)> = runs
        .iter()
        .filter_map(|r| r.outcome.as_ref())
        .flat_map(|o| {
            o.final_values
                .iter()
                .flat_map(|(m, vs)| vs.keys().map(move |k| (m.clone(), k.clone())))
        })
        .collect();
    keys.into_iter()
        .map(|(m, k)| {
            let arms = (0..cmp.arms.len())
                .map(|a| {
                    let xs: Vec<f64> = cmp
                        .seeds
                        .iter()
                        .filter_map(|&s| value(a, s, &m, &k))
                        .collect();
                    ArmStats::of(&xs)
                })
                .collect();
            let differences = (1..cmp.arms.len())
                .map(|a| {
                    let d: Vec<f64> = cmp
                        .seeds
                        .iter()
                        .filter_map(|&s| Some(value(a, s, &m, &k)? - value(0, s, &m, &k)?))
                        .collect();
                    (!d.is_empty()).then(|| {
                        let (lo, hi) = bootstrap_ci(&d);
                        let sd = std(&d);
                        Difference {
                            mean: mean(&d),
                            std: sd,
                            ci_low: lo,
                            ci_high: hi,
                            effect: if d.len() < 2 { f64::NAN } else { mean(&d) / sd },
                            seeds: d.len(),
                        }
                    })
                })
                .collect();
            Row {
                metric: m,
                key: k,
                arms,
                differences,
            }
        })
        .collect()
}
