//! Outcomes: what a run measured, as data (`outcome.json`, `metrics.csv`).
//!
//! The outcome holds no wall time outside `timing` and nothing about how the run was
//! launched outside `provenance`, so two runs of one plan and seed give the same document
//! apart from those two objects. Its shape is versioned by [`SCHEMA`] and documented in
//! docs/outcome.md.

pub mod assemble;
pub mod data_files;
pub mod diff;
pub mod expect;
pub mod folder;
pub mod golden;
pub mod over_seeds;
pub mod provenance;
pub mod read;
pub mod recordings;
pub mod write;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The version of the outcome's JSON shape.
pub const SCHEMA: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub schema: u32,
    pub somnia: String,
    pub protocol: String,
    pub source: String,
    pub source_hash: String,
    /// SHA-256 of the plan's JSON: two outcomes with one hash ran the same plan.
    pub plan_hash: String,
    /// SHA-256 of the plan without what does not change the computation (source positions,
    /// the source's hash, expectations, tolerances, estimates): `sweep --resume` keeps an
    /// outcome whose work hash matches.
    #[serde(default)]
    pub work_hash: String,
    pub seed: u64,
    /// `test`, or `validation` when hyper-parameters are being chosen.
    pub evaluated_on: String,
    /// `complete`, or `error` when the run stopped (see `error`).
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorInfo>,
    /// Every measured value, in the order measured.
    pub timeline: Vec<Row>,
    /// The last value of every metric: `final[metric][task]`, `task` being a task key, a
    /// group key (`pairs`), `all` (the last group measured), a projection or a population.
    #[serde(rename = "final")]
    pub final_values: BTreeMap<String, BTreeMap<String, f64>>,
    pub expectations: Vec<ExpectationResult>,
    /// What each op did: the phases and measurements in the order run.
    pub ops: Vec<OpRecord>,
    pub timing: Timing,
    /// The build, command line, overrides and data files of the run (empty in outcomes
    /// written before it was recorded, and left out of goldens).
    #[serde(default, skip_serializing_if = "provenance::Provenance::is_missing")]
    pub provenance: provenance::Provenance,
}

/// One measured value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// Index of the op in the order run (0-based; loops count every pass).
    pub op: usize,
    /// The phase call measured after (`consolidate#2`), empty before any phase.
    pub after: String,
    /// The measurement's label, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Index of the measurement among all measurements run (0-based).
    pub measure: usize,
    pub metric: String,
    /// The group of tasks measured together (`pairs`, `pairs[0,1]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// A task key, `all` for the group, or the projection/population measured.
    pub task: String,
    pub value: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorInfo {
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpectationResult {
    pub text: String,
    /// The left-hand side of the comparison (the whole expression's value otherwise).
    pub value: Option<f64>,
    /// The right-hand side of the comparison.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bound: Option<f64>,
    pub passed: bool,
    /// Why it could not be evaluated (a value never measured in this run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub span: crate::plan::ir::SpanIr,
}

/// One op as run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpRecord {
    pub index: usize,
    /// `wake`, `nrem`, `rem`, `perturb`, `measure`, `checkpoint`, `restore`.
    pub kind: String,
    /// `learn#0`, or the label of a measurement.
    pub name: String,
    /// Steps of a sleep phase, samples of a wake phase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<u64>,
    /// Biological (simulated) seconds the op ran: steps × dt of a sleep phase, the steps of
    /// a spiking wake phase (retries included) × dt. `None` for what simulates no time: rate
    /// wake phases, environment phases, measurements (and outcomes written before it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sim_seconds: Option<f64>,
    /// Spikes per population (spiking phases).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub spikes: BTreeMap<String, u64>,
    /// Mean training loss per epoch (wake phases with backprop).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub loss: Vec<f64>,
    /// Histograms of each projection's weights before and after a sleep phase (`nrem`,
    /// `rem` ops that ran at least one step and have plasticity rules), in the network's
    /// order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub weights: Vec<WeightChange>,
    /// What the agent did in an environment phase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forage: Option<ForageRecord>,
}

/// An agent's phase in an environment: what it ate, how well it did, where it went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForageRecord {
    pub environment: String,
    pub moves: u64,
    /// Pairs eaten: rewarded, punished, neutral.
    pub rewarded: u64,
    pub punished: u64,
    pub neutral: u64,
    /// rewarded / (rewarded + punished) over the environment's `last` pairs eaten in the
    /// phase; `None` when it ate none.
    pub performance: Option<f64>,
    /// That performance at the end of each aeon (100 moves) of the phase; `null` before the
    /// first pair.
    pub per_aeon: Vec<Option<f64>>,
    /// The agent's cell after each move. Not in outcome.json (the run folder's
    /// `trajectories/` holds it).
    #[serde(skip)]
    pub trajectory: Vec<(u16, u16)>,
}

/// A projection's weights around one sleep phase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeightChange {
    pub projection: String,
    pub before: Histogram,
    pub after: Histogram,
}

/// A histogram of a projection's existing synapses: `counts.len()` equal bins over
/// `[min, max]` (one bin when the range is empty), with their mean and standard deviation.
/// The two histograms of a [`WeightChange`] share their bins: `[min, max]` spans the weights
/// before and after, so their counts compare bin by bin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    pub min: f64,
    pub max: f64,
    pub counts: Vec<u64>,
    pub mean: f64,
    pub std: f64,
}

impl Histogram {
    /// The number of bins of the histograms an outcome records.
    pub const BINS: usize = 40;

    /// The histogram of `values` in [`Histogram::BINS`] bins over their own range; no
    /// allocation beyond `counts`.
    pub fn of<I>(values: I) -> Histogram
    where
        I: Iterator<Item = f64> + Clone,
    {
        let (lo, hi) = range(values.clone());
        Self::over(values, lo, hi)
    }

    /// The histograms of two sets of values (a projection before and after a sleep) on
    /// shared bins over the range of both, so a wider range alone moves no count.
    pub fn pair<I, J>(a: I, b: J) -> (Histogram, Histogram)
    where
        I: Iterator<Item = f64> + Clone,
        J: Iterator<Item = f64> + Clone,
    {
        let (alo, ahi) = range(a.clone());
        let (blo, bhi) = range(b.clone());
        let (lo, hi) = (alo.min(blo), ahi.max(bhi));
        (Self::over(a, lo, hi), Self::over(b, lo, hi))
    }

    /// The histogram of `values` in [`Histogram::BINS`] bins over `[lo, hi]` (one bin when
    /// `lo == hi`); values outside go to the end bins. No values, or no finite range: an
    /// empty histogram.
    pub fn over<I>(values: I, lo: f64, hi: f64) -> Histogram
    where
        I: Iterator<Item = f64> + Clone,
    {
        let (mut n, mut sum) = (0u64, 0.0);
        for v in values.clone() {
            n += 1;
            sum += v;
        }
        if n == 0 || !lo.is_finite() || !hi.is_finite() || hi < lo {
            return Histogram {
                min: 0.0,
                max: 0.0,
                counts: Vec::new(),
                mean: 0.0,
                std: 0.0,
            };
        }
        let mean = sum / n as f64;
        let bins = if hi > lo { Self::BINS } else { 1 };
        let width = (hi - lo) / bins as f64;
        let mut counts = vec![0u64; bins];
        let mut squares = 0.0;
        for v in values {
            squares += (v - mean) * (v - mean);
            let i = if width > 0.0 {
                (((v - lo) / width).max(0.0) as usize).min(bins - 1)
            } else {
                0
            };
            counts[i] += 1;
        }
        Histogram {
            min: lo,
            max: hi,
            counts,
            mean,
            std: (squares / n as f64).sqrt(),
        }
    }

    /// The edges of the bins: `counts.len() + 1` values from `min` to `max`.
    pub fn edges(&self) -> Vec<f64> {
        let bins = self.counts.len().max(1);
        (0..=bins)
            .map(|i| self.min + (self.max - self.min) * i as f64 / bins as f64)
            .collect()
    }

    /// The number of values counted.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }
}

/// The smallest and largest of `values` (infinite when there are none).
fn range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    })
}

/// Wall times: the only part of an outcome that differs between identical runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Timing {
    pub total_seconds: f64,
    pub load_seconds: f64,
    /// Seconds per op, indexed as `ops`.
    pub ops: Vec<f64>,
}

impl Outcome {
    /// Recomputes `final` from the timeline.
    pub fn compute_final(&mut self) {
        let mut f: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
        for r in &self.timeline {
            let m = f.entry(r.metric.clone()).or_default();
            m.insert(r.task.clone(), r.value);
            if r.task == "all"
                && let Some(g) = &r.group
            {
                m.insert(g.clone(), r.value);
            }
        }
        self.final_values = f;
    }

    /// True when the run completed and every expectation passed.
    pub fn passed(&self) -> bool {
        self.status == "complete" && self.expectations.iter().all(|e| e.passed)
    }
}

#[cfg(test)]
mod tests {
    use super::Histogram;

    #[test]
    fn a_pair_shares_its_bins_over_both_ranges() {
        let before = [0.0, 0.25, 0.5, 1.0];
        let after = [-1.0, 0.0, 2.0];
        let (b, a) = Histogram::pair(before.iter().copied(), after.iter().copied());
        assert_eq!((b.min, b.max), (-1.0, 2.0));
        assert_eq!((a.min, a.max), (-1.0, 2.0));
        assert_eq!(b.edges(), a.edges());
        assert_eq!((b.total(), a.total()), (4, 3));
        // Bins of width 3/40 from -1: 0 falls in bin 13, 1 in bin 26, 2 in the last.
        assert_eq!(b.counts[13], 1);
        assert_eq!(b.counts[26], 1);
        assert_eq!(a.counts[0], 1);
        assert_eq!(a.counts[39], 1);
        // Mean and spread stay each side's own.
        assert_eq!(b.mean, 0.4375);
        assert!((a.mean - 1.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn equal_values_make_one_bin_and_none_make_an_empty_histogram() {
        let (b, a) = Histogram::pair([0.5; 3].into_iter(), [0.5; 2].into_iter());
        assert_eq!((b.counts.clone(), a.counts.clone()), (vec![3], vec![2]));
        let empty = Histogram::of(std::iter::empty());
        assert!(empty.counts.is_empty());
        assert_eq!(Histogram::of([1.0, 3.0].into_iter()).counts.len(), 40);
    }
}
