//! Input spike trains generated per spike rather than per step.
//!
//! A drive spikes input k in each step with probability p_k·g(t) (g the modulators' common
//! factor, clipped to 1). Drawing one random number per input per step costs n·steps draws
//! for n·steps·p spikes; at sleep rates (2 Hz, dt 0.5 ms: p = 0.001) almost every draw is
//! wasted. Instead each input keeps the step of its next *candidate*: candidates form a
//! Bernoulli process with probability q_k = min(1, p_k·g_max) per step, so the gap to the
//! next one is geometric, 1 + ⌊ln U / ln(1 − q_k)⌋ steps, one draw per candidate. A
//! candidate becomes a spike with probability min(1, p_k·g(t)) / q_k (thinning; no draw
//! when that is 1). Each step is then still an independent Bernoulli trial with
//! probability min(1, p_k·g(t)), exactly as drawn per step, for any g(t) ≤ g_max.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// The next candidate step of every input of a drive.
#[derive(Debug, Clone, PartialEq)]
pub struct PoissonClock {
    /// ln(1 − q_k) per input; 0 for inputs that never spike.
    log_miss: Vec<f64>,
    /// q_k, the candidate probability per step.
    q: Vec<f32>,
    /// The step of each input's next candidate (`u64::MAX`: never).
    next: Vec<u64>,
    /// Steps generated so far.
    t: u64,
}

impl PoissonClock {
    /// A clock for spike probabilities `prob` per step under factors up to `max_gain`;
    /// draws every input's first candidate.
    pub fn new(prob: &[f32], max_gain: f32, rng: &mut ChaCha8Rng) -> PoissonClock {
        let q: Vec<f32> = prob
            .iter()
            .map(|&p| (p * max_gain).clamp(0.0, 1.0))
            .collect();
        let log_miss = q.iter().map(|&q| (-(q as f64)).ln_1p()).collect();
        let mut clock = PoissonClock {
            log_miss,
            q,
            next: vec![u64::MAX; prob.len()],
            t: 0,
        };
        for k in 0..prob.len() {
            clock.next[k] = clock.gap(k, rng).map_or(u64::MAX, |g| g - 1);
        }
        clock
    }

    /// Steps from one candidate of input `k` to its next (≥ 1), or `None` when it never
    /// spikes.
    #[inline]
    fn gap(&self, k: usize, rng: &mut ChaCha8Rng) -> Option<u64> {
        let q = self.q[k];
        if q <= 0.0 {
            return None;
        }
        if q >= 1.0 {
            return Some(1);
        }
        // U in (0, 1]: ln U is finite.
        let u = 1.0 - rng.random::<f64>();
        // Saturating: an enormous gap means never within any phase.
        Some(1 + (u.ln() / self.log_miss[k]) as u64)
    }

    /// Writes this step's spikes into `spikes` (ascending), for probabilities `prob`
    /// scaled by `gain` (≤ the clock's `max_gain`), and moves to the next step.
    pub fn step(&mut self, prob: &[f32], gain: f32, rng: &mut ChaCha8Rng, spikes: &mut Vec<u32>) {
        spikes.clear();
        let t = self.t;
        self.t += 1;
        // k indexes three arrays and the gap draw.
        #[allow(clippy::needless_range_loop)]
        for k in 0..self.next.len() {
            if self.next[k] != t {
                continue;
            }
            let p = (prob[k] * gain).clamp(0.0, 1.0);
            let q = self.q[k];
            debug_assert!(p <= q * (1.0 + 1e-6), "a drive factor above its bound");
            if p >= q || rng.random::<f32>() * q < p {
                spikes.push(k as u32);
            }
            self.next[k] = self.gap(k, rng).map_or(u64::MAX, |g| t.saturating_add(g));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// Spike trains of `n` inputs over `steps`, with the gain of each step from `gain`.
    fn trains(
        p: f32,
        max_gain: f32,
        gain: impl Fn(u64) -> f32,
        n: usize,
        steps: u64,
    ) -> Vec<Vec<bool>> {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let prob = vec![p; n];
        let mut clock = PoissonClock::new(&prob, max_gain, &mut rng);
        let mut out = vec![vec![false; steps as usize]; n];
        let mut spikes = Vec::new();
        for t in 0..steps {
            clock.step(&prob, gain(t), &mut rng, &mut spikes);
            assert!(spikes.windows(2).all(|w| w[0] < w[1]), "ascending");
            for &k in &spikes {
                out[k as usize][t as usize] = true;
            }
        }
        out
    }

    fn within(x: f64, want: f64, trials: f64, what: &str) {
        let sd = (want * (1.0 - want) / trials).sqrt();
        assert!(
            (x - want).abs() < 5.0 * sd,
            "{what}: {x}, want {want} ± {}",
            5.0 * sd
        );
    }

    #[test]
    fn every_step_is_a_bernoulli_trial() {
        // p = 0.05: the rate, the first step, and the pairs of neighbouring steps (an
        // off-by-one gap would make them p·(something else)) all match independent trials.
        let (p, n, steps) = (0.05, 200, 2000u64);
        let s = trains(p, 1.0, |_| 1.0, n, steps);
        let all = (n as u64 * steps) as f64;
        let count = |f: &dyn Fn(&Vec<bool>, usize) -> bool, from: usize| {
            s.iter()
                .map(|tr| (from..steps as usize).filter(|&t| f(tr, t)).count())
                .sum::<usize>() as f64
        };
        within(count(&|tr, t| tr[t], 0) / all, p as f64, all, "rate");
        let firsts = s.iter().filter(|tr| tr[0]).count() as f64;
        within(firsts / n as f64, p as f64, n as f64, "first step");
        let pairs = (n as u64 * (steps - 1)) as f64;
        let both = count(&|tr, t| tr[t] && tr[t - 1], 1) / pairs;
        within(both, (p * p) as f64, pairs, "neighbouring steps");
        let gap2 = count(&|tr, t| tr[t] && !tr[t - 1] && tr[t - 2], 2) / pairs;
        within(gap2, (p * p * (1.0 - p)) as f64, pairs, "gap of 2");
    }

    #[test]
    fn thinning_follows_a_varying_gain() {
        // The gain alternates 0.5 and 3 in blocks of 100 steps under a bound of 4.
        let (p, n, steps) = (0.02, 300, 4000u64);
        let gain = |t: u64| {
            if (t / 100).is_multiple_of(2) {
                0.5
            } else {
                3.0
            }
        };
        let s = trains(p, 4.0, gain, n, steps);
        for (g, parity) in [(0.5f64, 0u64), (3.0, 1)] {
            let steps_with: Vec<usize> = (0..steps)
                .filter(|t| (t / 100) % 2 == parity)
                .map(|t| t as usize)
                .collect();
            let spikes: usize = s
                .iter()
                .map(|tr| steps_with.iter().filter(|&&t| tr[t]).count())
                .sum();
            let trials = (n * steps_with.len()) as f64;
            within(
                spikes as f64 / trials,
                p as f64 * g,
                trials,
                "rate under gain",
            );
        }
    }

    #[test]
    fn certain_and_impossible_inputs() {
        let s = trains(1.0, 1.0, |_| 1.0, 3, 50);
        assert!(s.iter().all(|tr| tr.iter().all(|&x| x)));
        let s = trains(0.0, 1.0, |_| 1.0, 3, 50);
        assert!(s.iter().all(|tr| tr.iter().all(|&x| !x)));
        // A gain of 0 silences, a probability pushed above 1 spikes every step.
        let s = trains(0.3, 4.0, |t| if t < 25 { 0.0 } else { 4.0 }, 3, 50);
        assert!(
            s.iter()
                .all(|tr| tr[..25].iter().all(|&x| !x) && tr[25..].iter().all(|&x| x))
        );
    }
}
