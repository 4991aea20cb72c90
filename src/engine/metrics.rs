//! Metrics measured on the live network: accuracy per task and over a group, forgetting,
//! backward transfer, weight statistics, firing rates.

use super::network::Projection;
use super::rate::predict;
use crate::data::{EvalSplit, Task};

/// One measured value: a metric key (`accuracy`, `weights.mean`), the task or thing it is
/// about (`pairs[0]`, `all`, `x->h1`), and the value.
#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    pub metric: String,
    pub group: Option<String>,
    pub task: String,
    pub value: f64,
}

/// Correct answers and samples of one task.
pub fn task_hits(
    net: &super::network::Network,
    inf: &super::rate::Inference,
    task: &Task,
    split: EvalSplit,
    features: usize,
) -> (usize, usize) {
    let s = match split {
        EvalSplit::Test => &task.test,
        EvalSplit::Validation => &task.validation,
    };
    if s.is_empty() {
        return (0, 0);
    }
    let pred = predict(net, inf, &s.x, features);
    let hits = pred.iter().zip(&s.y).filter(|(p, y)| p == y).count();
    (hits, s.len())
}

/// The statistics `weights` reports, in order.
pub const WEIGHT_STATS: [&str; 8] = [
    "mean",
    "std",
    "saturated",
    "entropy",
    "sum",
    "abs_sum",
    "min",
    "max",
];

/// One statistic of a projection's existing synapses.
pub fn weight_stat(p: &Projection, stat: &str) -> f64 {
    let values: Vec<f64> = match &p.mask {
        Some(m) => {
            p.w.iter()
                .zip(m)
                .filter(|(_, m)| **m != 0.0)
                .map(|(w, _)| *w as f64)
                .collect()
        }
        None => p.w.iter().map(|&w| w as f64).collect(),
    };
    if values.is_empty() {
        // A projection without synapses: every statistic is 0 (never ±∞ in an outcome).
        return 0.0;
    }
    let n = values.len() as f64;
    let sum: f64 = values.iter().sum();
    let mean = sum / n;
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    match stat {
        "mean" => mean,
        "std" => (values.iter().map(|w| (w - mean).powi(2)).sum::<f64>() / n).sqrt(),
        "sum" => sum,
        "abs_sum" => values.iter().map(|w| w.abs()).sum(),
        "min" => min,
        "max" => max,
        "saturated" => {
            // The fraction within 1 % of the range of a bound (declared, else the extremes).
            let (lo, hi) = p.bounds.map_or((min, max), |(l, h)| (l as f64, h as f64));
            let eps = 0.01 * (hi - lo).abs().max(f64::MIN_POSITIVE);
            values
                .iter()
                .filter(|&&w| w <= lo + eps || w >= hi - eps)
                .count() as f64
                / n
        }
        "entropy" => {
            // Shannon entropy (bits) of a 64-bin histogram over [min, max].
            const BINS: usize = 64;
            let width = (max - min) / BINS as f64;
            if width <= 0.0 || !width.is_finite() {
                return 0.0;
            }
            let mut h = [0usize; BINS];
            for w in &values {
                h[(((w - min) / width) as usize).min(BINS - 1)] += 1;
            }
            h.iter()
                .filter(|&&c| c > 0)
                .map(|&c| {
                    let q = c as f64 / n;
                    -q * q.log2()
                })
                .sum()
        }
        _ => f64::NAN,
    }
}
