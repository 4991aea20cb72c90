//! Metrics measured on the live network: accuracy per task and over a group, forgetting,
//! backward transfer, weight statistics, firing rates.

use super::network::Projection;
use super::rate::predict;
use crate::data::{EvalSplit, Task};
pub use crate::plan::bind::measures::WeightStat;

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

/// One statistic of a projection's existing synapses.
pub fn weight_stat(p: &Projection, stat: WeightStat) -> f64 {
    let values: Vec<f64> = p.existing().collect();
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
        WeightStat::Mean => mean,
        WeightStat::Std => (values.iter().map(|w| (w - mean).powi(2)).sum::<f64>() / n).sqrt(),
        WeightStat::Sum => sum,
        WeightStat::AbsSum => values.iter().map(|w| w.abs()).sum(),
        WeightStat::Min => min,
        WeightStat::Max => max,
        WeightStat::Saturated => {
            // The fraction within 1 % of the range of a bound (declared, else the extremes).
            let (lo, hi) = p.bounds.map_or((min, max), |(l, h)| (l as f64, h as f64));
            let eps = 0.01 * (hi - lo).abs().max(f64::MIN_POSITIVE);
            values
                .iter()
                .filter(|&&w| w <= lo + eps || w >= hi - eps)
                .count() as f64
                / n
        }
        WeightStat::Entropy => {
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
    }
}

/// The L2 norm of each post neuron's incoming weights, its feature (Watkins et al.).
pub fn feature_norms(p: &Projection) -> Vec<f64> {
    p.w.chunks_exact(p.pre.max(1))
        .map(|row| {
            row.iter()
                .map(|&w| (w as f64) * (w as f64))
                .sum::<f64>()
                .sqrt()
        })
        .collect()
}

/// The largest of [`feature_norms`].
pub fn feature_norm(p: &Projection) -> f64 {
    feature_norms(p).into_iter().fold(0.0, f64::max)
}

/// Newman's modularity Q of the projection's weight graph (|w| as edge weights, pre and
/// post neurons as separate nodes), for the partition that puts every post neuron in its
/// own community together with the pre neurons whose strongest synapse is onto it.
pub fn modularity(p: &Projection) -> f64 {
    let (pre, post) = (p.pre, p.post);
    if pre == 0 || post == 0 {
        return 0.0;
    }
    // Community of each pre neuron: the post neuron it projects to most strongly.
    let mut strongest = vec![(0usize, -1.0f64); pre];
    let mut pre_degree = vec![0.0f64; pre];
    let mut post_degree = vec![0.0f64; post];
    let mut total = 0.0;
    for (j, row) in p.w.chunks_exact(pre).enumerate() {
        for (i, &w) in row.iter().enumerate() {
            let w = (w as f64).abs();
            if w > strongest[i].1 {
                strongest[i] = (j, w);
            }
            pre_degree[i] += w;
            post_degree[j] += w;
            total += w;
        }
    }
    if total == 0.0 {
        return 0.0;
    }
    // Q = Σ_c [ in_c / m − (d_c / 2m)² ], with m the total weight of the edges.
    let mut inside = vec![0.0f64; post];
    let mut degree = post_degree.clone();
    for i in 0..pre {
        let c = strongest[i].0;
        inside[c] += (p.w[c * pre + i] as f64).abs();
        degree[c] += pre_degree[i];
    }
    (0..post)
        .map(|c| inside[c] / total - (degree[c] / (2.0 * total)).powi(2))
        .sum()
}

/// φ = BCSS / (BCSS + WCSS) of response vectors grouped by label (Massey et al.): the
/// share of the responses' spread that lies between the labels' means. 0 when all
/// responses are equal.
pub fn clustering(responses: &[Vec<u32>], labels: &[u32]) -> f64 {
    let d = responses.first().map_or(0, Vec::len);
    let n = responses.len();
    if n == 0 || d == 0 {
        return 0.0;
    }
    let classes = labels.iter().max().map_or(0, |&c| c as usize + 1);
    let mut mean = vec![0.0f64; d];
    let mut class_mean = vec![vec![0.0f64; d]; classes];
    let mut class_n = vec![0usize; classes];
    for (r, &y) in responses.iter().zip(labels) {
        class_n[y as usize] += 1;
        for (k, &c) in r.iter().enumerate() {
            mean[k] += c as f64;
            class_mean[y as usize][k] += c as f64;
        }
    }
    mean.iter_mut().for_each(|m| *m /= n as f64);
    for (cm, &cn) in class_mean.iter_mut().zip(&class_n) {
        if cn > 0 {
            cm.iter_mut().for_each(|m| *m /= cn as f64);
        }
    }
    let bcss: f64 = class_mean
        .iter()
        .zip(&class_n)
        .map(|(cm, &cn)| {
            cn as f64
                * cm.iter()
                    .zip(&mean)
                    .map(|(a, b)| (a - b).powi(2))
                    .sum::<f64>()
        })
        .sum();
    let wcss: f64 = responses
        .iter()
        .zip(labels)
        .map(|(r, &y)| {
            r.iter()
                .zip(&class_mean[y as usize])
                .map(|(&c, m)| (c as f64 - m).powi(2))
                .sum::<f64>()
        })
        .sum();
    if bcss + wcss == 0.0 {
        0.0
    } else {
        bcss / (bcss + wcss)
    }
}
