//! `decay_to_baseline`, Massey et al.'s homeostatic sleep: every step
//! |w| ← w_t·(|w|/w_t)^λ, sign kept; the phase ends once Σ|w| is back at its baseline.

use super::Limits;

/// The magnitude weights contract toward in `decay_to_baseline`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecayMode {
    /// The rule's `target`.
    Static,
    /// The projection's current mean |w|.
    Group,
    /// Each post neuron's current mean |w|.
    Post,
}

/// One step of power-law contraction of the existing synapses toward the target magnitude.
pub fn decay_to_baseline(
    wt: &mut [f32],
    post: usize,
    target: f32,
    lambda: f32,
    mode: DecayMode,
    l: &Limits,
) {
    if post == 0 {
        return;
    }
    let (lo, hi) = (l.lo, l.hi);
    let n = wt.len();
    // The synapses `step` apart from `first` that exist (all of them when `step` is 1).
    let existing = |first: usize, step: usize| (first..n).step_by(step).filter(|&k| l.exists(k));
    match (mode, &l.synapses) {
        (DecayMode::Static, None) => contract(wt, existing(0, 1), target, lambda, lo, hi),
        (DecayMode::Static, Some(s)) => contract(wt, s.indices(), target, lambda, lo, hi),
        (DecayMode::Group, None) => {
            let to = mean_abs(wt, existing(0, 1));
            contract(wt, existing(0, 1), to, lambda, lo, hi);
        }
        (DecayMode::Group, Some(s)) => {
            let to = mean_abs(wt, s.indices());
            contract(wt, s.indices(), to, lambda, lo, hi);
        }
        // Column j of the pre-major copy holds post neuron j's incoming weights.
        (DecayMode::Post, None) => {
            for j in 0..post {
                let to = mean_abs(wt, existing(j, post));
                contract(wt, existing(j, post), to, lambda, lo, hi);
            }
        }
        (DecayMode::Post, Some(s)) => {
            for j in 0..post {
                let to = mean_abs(wt, s.column(j));
                contract(wt, s.column(j), to, lambda, lo, hi);
            }
        }
    }
}

/// The mean |w| of the non-zero weights at `at`.
fn mean_abs(wt: &[f32], at: impl Iterator<Item = usize>) -> f32 {
    let (mut s, mut n) = (0.0f64, 0usize);
    for k in at {
        if wt[k] != 0.0 {
            s += wt[k].abs() as f64;
            n += 1;
        }
    }
    if n == 0 { 0.0 } else { (s / n as f64) as f32 }
}

/// |w| ← to·(|w|/to)^λ, sign kept, for the non-zero weights at `at`.
fn contract(
    wt: &mut [f32],
    at: impl Iterator<Item = usize>,
    to: f32,
    lambda: f32,
    lo: f32,
    hi: f32,
) {
    if to <= 0.0 {
        return;
    }
    // Weights no other rule touched since the phase began share one magnitude (they all
    // started equal and contract alike), and they come in runs: one powf per run.
    let mut last: Option<(u32, f32)> = None;
    for k in at {
        let w = wt[k];
        if w == 0.0 {
            continue;
        }
        let a = w.abs();
        let m = match last {
            Some((bits, m)) if bits == a.to_bits() => m,
            _ => {
                let m = to * (a / to).powf(lambda);
                last = Some((a.to_bits(), m));
                m
            }
        };
        wt[k] = (m * w.signum()).clamp(lo, hi);
    }
}
