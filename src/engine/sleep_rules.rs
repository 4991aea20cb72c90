//! Plasticity during spiking phases (wake and sleep), applied on the pre-major weight copy
//! (`wt[i·post + j]`) that event-driven propagation reads.
//!
//! `stdp` is pair-based with exponential traces: a pre spike depresses its synapses by
//! `lr·a_minus·y_post` and a post spike potentiates by `lr·a_plus·x_pre` (× (w_max − w) or
//! (w − w_min) when `multiplicative`; traces reset to 1 instead of adding 1 when `nearest`),
//! weights clipped to [w_min, w_max]. `normalize_sum` rescales each neuron's incoming
//! weights to a total, after every sample or every step.
//!
//! `src_stdp` is SRC's rule: when post neuron j spikes, every synapse onto it changes by
//! `+inc·f(w)` if its pre neuron spiked this step and `−dec·f(w)` otherwise. `downscale`
//! multiplies every weight each step; `weight_noise` adds Gaussian noise each step.

use crate::plan::bind::Rule;
use crate::plan::bind::rules::{self as bind, Every, GateFn, StdpMode};

/// The weight gate f(w) of `src_stdp`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Gate {
    /// 2·σ(−w/gate): ≈ 2 for negative weights, 1 at 0, ≈ 0 for w ≫ gate (published code).
    Matlab {
        inv_gate: f32,
    },
    /// σ(w) (the Python replicate).
    Logistic,
    None,
}

impl Gate {
    #[inline(always)]
    pub fn f(self, w: f32) -> f32 {
        match self {
            Gate::Matlab { inv_gate } => 2.0 / (1.0 + (w * inv_gate).exp()),
            Gate::Logistic => 1.0 / (1.0 + (-w).exp()),
            Gate::None => 1.0,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum SleepRule {
    SrcStdp {
        inc: f32,
        dec: f32,
        gate: Gate,
    },
    Stdp(Stdp),
    NormalizeSum {
        total: f32,
        every_step: bool,
    },
    /// Massey et al.'s homeostatic sleep: every step |w| ← w_t·(|w|/w_t)^λ, sign kept.
    DecayToBaseline {
        target: f32,
        lambda: f32,
        mode: DecayMode,
        /// End the phase when Σ|w| over the rule's projections is within `tolerance` (a
        /// fraction) of `baseline`, the sum at the start of the protocol.
        stop_at_baseline: bool,
        tolerance: f64,
        baseline: f64,
    },
    Downscale {
        factor: f32,
    },
    WeightNoise {
        sigma: f32,
        relative: bool,
    },
}

impl SleepRule {
    /// The kernel of a rule in a spiking phase; `baseline` is Σ|w| at the start of the
    /// protocol over the projections it changes (`decay_to_baseline`). `None` for the rules
    /// that do not act step by step: `backprop` (rate phases) and `prune` (at a phase's end).
    pub fn new(rule: &Rule, baseline: f64) -> Option<SleepRule> {
        Some(match rule {
            Rule::SrcStdp(r) => SleepRule::SrcStdp {
                inc: r.inc as f32,
                dec: r.dec as f32,
                gate: match r.gate_fn {
                    GateFn::Logistic => Gate::Logistic,
                    GateFn::None => Gate::None,
                    GateFn::Matlab => Gate::Matlab {
                        inv_gate: (1.0 / r.gate) as f32,
                    },
                },
            },
            Rule::Stdp(r) => SleepRule::Stdp(Stdp {
                a_plus: r.a_plus as f32,
                a_minus: r.a_minus as f32,
                tau_plus: r.tau_plus,
                tau_minus: r.tau_minus,
                lr: r.lr as f32,
                multiplicative: r.mode == StdpMode::Multiplicative,
                nearest: r.nearest,
                w_min: r.w_min as f32,
                w_max: r.w_max as f32,
            }),
            Rule::DecayToBaseline(r) => SleepRule::DecayToBaseline {
                target: r.target as f32,
                lambda: r.lambda as f32,
                mode: match r.mode {
                    bind::DecayMode::Static => DecayMode::Static,
                    bind::DecayMode::Group => DecayMode::Group,
                    bind::DecayMode::Post => DecayMode::Post,
                },
                stop_at_baseline: r.stop_at_baseline,
                tolerance: r.tolerance,
                baseline,
            },
            Rule::NormalizeSum(r) => SleepRule::NormalizeSum {
                total: r.total as f32,
                every_step: r.every == Every::Step,
            },
            Rule::Downscale(r) => SleepRule::Downscale {
                factor: r.factor as f32,
            },
            Rule::WeightNoise(r) => SleepRule::WeightNoise {
                sigma: r.sigma as f32,
                relative: r.relative,
            },
            Rule::Backprop(_) | Rule::Prune(_) => return None,
        })
    }
}

/// What a weight may become during a phase: clipped into `[lo, hi]` (bounds and sign
/// constraint together) and kept at zero where the connectivity has no synapse.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    pub lo: f32,
    pub hi: f32,
    /// Pre-major (`i·post + j`), 1 where a synapse exists; `None` when dense, and when
    /// `synapses` lists them (every rule visits the lists then).
    pub mask: Option<Vec<f32>>,
    /// The existing synapses listed, for sparse masks (at most half the synapses exist).
    /// Propagation and rules then visit only these; the weights stay in the dense copy.
    pub synapses: Option<Synapses>,
}

/// The non-zero entries of a row-major `rows × cols` mask listed by row (`row_start`,
/// `col_of`: columns ascending) and by column (`col_start`, `row_of`: rows ascending, by a
/// counting sort of the row lists).
fn lists(mask: &[f32], rows: usize, cols: usize) -> (Vec<usize>, Vec<u32>, Vec<usize>, Vec<u32>) {
    let mut row_start = Vec::with_capacity(rows + 1);
    let mut col_of = Vec::new();
    row_start.push(0);
    for r in 0..rows {
        let row = &mask[r * cols..(r + 1) * cols];
        col_of.extend((0..cols as u32).filter(|&c| row[c as usize] != 0.0));
        row_start.push(col_of.len());
    }
    let mut col_start = vec![0usize; cols + 1];
    for &c in &col_of {
        col_start[c as usize + 1] += 1;
    }
    for c in 0..cols {
        col_start[c + 1] += col_start[c];
    }
    let mut next = col_start.clone();
    let mut row_of = vec![0u32; col_of.len()];
    for r in 0..rows {
        for &c in &col_of[row_start[r]..row_start[r + 1]] {
            row_of[next[c as usize]] = r as u32;
            next[c as usize] += 1;
        }
    }
    (row_start, col_of, col_start, row_of)
}

/// Spikes propagate through the synapse lists when at most 1 in this many synapses exist.
const PROPAGATE_SPARSER_THAN: usize = 16;

/// A sparse projection's existing synapses, by pre neuron and by post neuron (both in
/// ascending order, so visiting them is visiting the dense copy without its holes).
#[derive(Debug, Clone, PartialEq)]
pub struct Synapses {
    pub pre: usize,
    pub post: usize,
    /// Whether spikes propagate through the lists. A dense row adds in SIMD lanes; the
    /// lists win only when few synapses exist.
    pub propagate: bool,
    /// The post neurons of pre neuron i: `post_of[pre_start[i]..pre_start[i + 1]]`.
    pre_start: Vec<usize>,
    post_of: Vec<u32>,
    /// The pre neurons of post neuron j: `pre_of[post_start[j]..post_start[j + 1]]`.
    post_start: Vec<usize>,
    pre_of: Vec<u32>,
}

impl Synapses {
    /// From a post-major mask (`j·pre + i`, a projection's own layout): no transposed
    /// copy of the mask is made.
    pub fn of_post_major(mask: &[f32], pre: usize, post: usize) -> Synapses {
        let (post_start, pre_of, pre_start, post_of) = lists(mask, post, pre);
        Synapses {
            pre,
            post,
            propagate: post_of.len() * PROPAGATE_SPARSER_THAN <= pre * post,
            pre_start,
            post_of,
            post_start,
            pre_of,
        }
    }

    /// Where pre neuron `i`'s synapses start in the lists (the position of its first post
    /// neuron in [`Synapses::posts`] order, counted over all pre neurons).
    #[inline(always)]
    pub fn start(&self, i: usize) -> usize {
        self.pre_start[i]
    }

    /// The number of synapses.
    pub fn count(&self) -> usize {
        self.post_of.len()
    }

    /// The post neurons pre neuron `i` reaches, ascending.
    #[inline(always)]
    pub fn posts(&self, i: usize) -> &[u32] {
        &self.post_of[self.pre_start[i]..self.pre_start[i + 1]]
    }

    /// The pre neurons reaching post neuron `j`, ascending.
    #[inline(always)]
    pub fn pres(&self, j: usize) -> &[u32] {
        &self.pre_of[self.post_start[j]..self.post_start[j + 1]]
    }

    /// Every synapse's pre-major index `i·post + j`, ascending.
    pub fn indices(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.pre).flat_map(move |i| {
            self.posts(i)
                .iter()
                .map(move |&j| i * self.post + j as usize)
        })
    }

    /// The pre-major indices of post neuron `j`'s synapses, ascending.
    pub fn column(&self, j: usize) -> impl Iterator<Item = usize> + '_ {
        self.pres(j)
            .iter()
            .map(move |&i| i as usize * self.post + j)
    }
}

impl Limits {
    pub fn of(p: &super::network::Projection) -> Limits {
        let (mut lo, mut hi) = p.bounds.unwrap_or((f32::NEG_INFINITY, f32::INFINITY));
        match p.sign {
            super::network::Sign::Excitatory => lo = lo.max(0.0),
            super::network::Sign::Inhibitory => hi = hi.min(0.0),
            super::network::Sign::Any => {}
        }
        // Lists only pay off when sparse, and are exact only when the missing synapses hold
        // zero weights (constrain() keeps them so; a hand-set network might not).
        let synapses = p.mask.as_ref().and_then(|m| {
            let existing = m.iter().filter(|&&x| x != 0.0).count();
            let holes_zero = m.iter().zip(&p.w).all(|(&m, &w)| m != 0.0 || w == 0.0);
            (existing * 2 <= m.len() && holes_zero)
                .then(|| Synapses::of_post_major(m, p.pre, p.post))
        });
        // The lists stand for the mask; a dense pre-major copy only for the others.
        let mask = match (&p.mask, &synapses) {
            (Some(m), None) => Some(super::sleep::transpose(m, p.post, p.pre)),
            _ => None,
        };
        Limits {
            lo,
            hi,
            mask,
            synapses,
        }
    }

    #[inline(always)]
    fn exists(&self, k: usize) -> bool {
        self.mask.as_ref().is_none_or(|m| m[k] != 0.0)
    }
}

/// SRC's update of the synapses onto the post neurons that spiked.
#[allow(clippy::too_many_arguments)]
#[inline]
pub fn src_stdp(
    wt: &mut [f32],
    post: usize,
    post_spikes: &[u32],
    pre_spiked: &[u8],
    inc: f32,
    dec: f32,
    gate: Gate,
    limits: &Limits,
) {
    let update = |w: &mut f32, s: u8| {
        let change = if s != 0 { inc } else { -dec };
        *w = (*w + change * gate.f(*w)).clamp(limits.lo, limits.hi);
    };
    for &j in post_spikes {
        let j = j as usize;
        if let Some(syn) = &limits.synapses {
            for &i in syn.pres(j) {
                let i = i as usize;
                update(&mut wt[i * post + j], pre_spiked[i]);
            }
            continue;
        }
        for (i, &s) in pre_spiked.iter().enumerate() {
            let k = i * post + j;
            if !limits.exists(k) {
                continue;
            }
            update(&mut wt[k], s);
        }
    }
}

/// Gaussian noise on every existing synapse, clipped into the limits.
pub fn weight_noise(
    wt: &mut [f32],
    sigma: f32,
    relative: bool,
    limits: &Limits,
    mut normal: impl FnMut() -> f32,
) {
    let mut shake = |w: &mut f32| {
        let n = sigma * normal();
        *w = (*w + if relative { n * w.abs() } else { n }).clamp(limits.lo, limits.hi);
    };
    if let Some(syn) = &limits.synapses {
        // Ascending indices: the same draws land on the same synapses as below.
        syn.indices().for_each(|k| shake(&mut wt[k]));
        return;
    }
    for (k, w) in wt.iter_mut().enumerate() {
        if !limits.exists(k) {
            continue;
        }
        shake(w);
    }
}

/// The parameters of pair-based STDP.
#[derive(Debug, Clone, PartialEq)]
pub struct Stdp {
    pub a_plus: f32,
    pub a_minus: f32,
    /// Seconds.
    pub tau_plus: f64,
    pub tau_minus: f64,
    pub lr: f32,
    pub multiplicative: bool,
    pub nearest: bool,
    pub w_min: f32,
    pub w_max: f32,
}

impl Stdp {
    /// Depression of the synapses of the pre neurons that spiked, by the post trace `y`.
    pub fn depress(&self, wt: &mut [f32], post: usize, pre_spikes: &[u32], y: &[f32], l: &Limits) {
        let (lo, hi) = (self.w_min.max(l.lo), self.w_max.min(l.hi));
        let k = self.lr * self.a_minus;
        let update = |w: &mut f32, yj: f32| {
            let scale = if self.multiplicative {
                *w - self.w_min
            } else {
                1.0
            };
            *w = (*w - k * yj * scale).clamp(lo, hi);
        };
        for &i in pre_spikes {
            let base = i as usize * post;
            if let Some(syn) = &l.synapses {
                for &j in syn.posts(i as usize) {
                    let yj = y[j as usize];
                    if yj != 0.0 {
                        update(&mut wt[base + j as usize], yj);
                    }
                }
                continue;
            }
            let row = &mut wt[base..base + post];
            if l.mask.is_none() && !self.multiplicative {
                // Dense and additive: a select per synapse instead of a branch, so the row
                // vectorises (a post trace of 0 leaves its weight exactly as it was).
                for (w, &yj) in row.iter_mut().zip(y) {
                    let d = (*w - k * yj).clamp(lo, hi);
                    *w = if yj != 0.0 { d } else { *w };
                }
                continue;
            }
            for (j, &yj) in y.iter().enumerate() {
                if yj == 0.0 || !l.exists(base + j) {
                    continue;
                }
                update(&mut row[j], yj);
            }
        }
    }

    /// Potentiation of the synapses onto the post neurons that spiked, by the pre trace `x`
    /// (plus the pre spikes of this step not yet in it, `same_step`).
    pub fn potentiate(
        &self,
        wt: &mut [f32],
        post: usize,
        post_spikes: &[u32],
        x: &[f32],
        same_step: Option<&[u8]>,
        l: &Limits,
    ) {
        let (lo, hi) = (self.w_min.max(l.lo), self.w_max.min(l.hi));
        let k = self.lr * self.a_plus;
        let trace = |i: usize, xi: f32| match same_step {
            Some(s) if s[i] != 0 => {
                if self.nearest {
                    1.0
                } else {
                    xi + 1.0
                }
            }
            _ => xi,
        };
        let update = |w: &mut f32, xi: f32| {
            let scale = if self.multiplicative {
                self.w_max - *w
            } else {
                1.0
            };
            *w = (*w + k * xi * scale).clamp(lo, hi);
        };
        for &j in post_spikes {
            let j = j as usize;
            if let Some(syn) = &l.synapses {
                for &i in syn.pres(j) {
                    let i = i as usize;
                    let xi = trace(i, x[i]);
                    if xi != 0.0 {
                        update(&mut wt[i * post + j], xi);
                    }
                }
                continue;
            }
            for (i, &xi) in x.iter().enumerate() {
                let xi = trace(i, xi);
                let at = i * post + j;
                if xi == 0.0 || !l.exists(at) {
                    continue;
                }
                update(&mut wt[at], xi);
            }
        }
    }
}

/// Rescales each post neuron's incoming weights (a column of `wt`) to sum to `total`.
pub fn normalize_sum(wt: &mut [f32], post: usize, total: f32) {
    // Column by column, so the step loop allocates nothing.
    for j in 0..post {
        let sum: f32 = wt.iter().skip(j).step_by(post).sum();
        if sum != 0.0 {
            let f = total / sum;
            wt.iter_mut().skip(j).step_by(post).for_each(|w| *w *= f);
        }
    }
}

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
