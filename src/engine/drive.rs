//! Sleep input: which input neurons spike at each step.
//!
//! `bernoulli` is SRC's input (pixel k spikes with probability 2·dt·max_rate·p_k), `poisson`
//! and `recorded_rates` spike at rate·dt, `silence` never spikes, `gaussian` draws a fresh
//! noise image every step (intensity clip(mean + σ·N(0, 1), 0, 1) per input, spiking with
//! probability intensity·max_rate·dt). A `window w x h` keeps the pattern only inside
//! a w × h square placed uniformly at random each step; only its pixels are drawn.
//!
//! Without a window or noise images the spikes are generated per spike, not per step
//! ([`PoissonClock`]): the same Bernoulli trial in every step, one random draw per spike.

use super::poisson_clock::PoissonClock;
use crate::diagnostics::Code;
use crate::diagnostics::runtime::RunError;
use crate::plan::bind::inputs::{Intensity, ReplayMode};
use crate::plan::bind::{self, Pattern};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

#[derive(Debug, Clone, PartialEq)]
pub struct Drive {
    /// Spike probability of each input per step (before the window).
    pub prob: Vec<f32>,
    /// `(w, h, cols, rows)` of a moving window over a `cols × rows` image.
    pub window: Option<(usize, usize, usize, usize)>,
    /// Gaussian noise images: `(mean, sigma)` of each input's intensity; `prob` then holds
    /// max_rate·dt, the probability of an intensity of 1.
    pub noise: Option<(f32, f32)>,
    /// The largest `gain` [`Drive::step`] will be given (the modulators' bound).
    pub max_gain: f32,
    /// Per-spike generation, started at the first step.
    clock: Option<PoissonClock>,
}

impl Drive {
    /// Inputs spiking with probability `prob` per step.
    pub fn new(prob: Vec<f32>) -> Drive {
        Drive {
            prob,
            window: None,
            noise: None,
            max_gain: 1.0,
            clock: None,
        }
    }

    /// This drive, restarted (the next step is its first), for factors up to `max_gain`.
    pub fn restarted(&self, max_gain: f32) -> Drive {
        Drive {
            max_gain,
            clock: None,
            ..self.clone()
        }
    }

    pub fn silent(n: usize) -> Drive {
        Drive::new(vec![0.0; n])
    }

    /// True when no input can ever spike.
    pub fn is_silent(&self) -> bool {
        self.prob.iter().all(|&p| p <= 0.0)
    }

    /// Writes this step's input spikes into `spikes` (cleared first); `gain` (at most
    /// `max_gain`) multiplies every probability (modulators), the result clipped at 1.
    pub fn step(&mut self, rng: &mut ChaCha8Rng, gain: f32, spikes: &mut Vec<u32>) {
        spikes.clear();
        if self.window.is_none() && self.noise.is_none() {
            let clock = self
                .clock
                .get_or_insert_with(|| PoissonClock::new(&self.prob, self.max_gain, rng));
            clock.step(&self.prob, gain, rng, spikes);
            return;
        }
        match self.window {
            Some((w, h, cols, rows)) => {
                // Top-left corner uniform over every position that keeps the window inside.
                let x0 = rng.random_range(0..=cols - w);
                let y0 = rng.random_range(0..=rows - h);
                for r in y0..y0 + h {
                    for c in x0..x0 + w {
                        let k = r * cols + c;
                        let p = self.prob[k] * gain * self.intensity(rng);
                        if p > 0.0 && rng.random::<f32>() < p {
                            spikes.push(k as u32);
                        }
                    }
                }
                // Row-major order within the window already ascends in k.
            }
            // Noise images: a fresh intensity per input and step.
            None => {
                for (k, &p) in self.prob.iter().enumerate() {
                    let p = p * gain * self.intensity(rng);
                    if p > 0.0 && rng.random::<f32>() < p {
                        spikes.push(k as u32);
                    }
                }
            }
        }
    }

    /// This step's intensity of one input: 1, or a draw of the Gaussian noise image.
    #[inline]
    fn intensity(&self, rng: &mut ChaCha8Rng) -> f32 {
        match self.noise {
            None => 1.0,
            Some((mean, sigma)) => {
                (mean + sigma * super::network::gaussian(rng) as f32).clamp(0.0, 1.0)
            }
        }
    }
}

/// What building a drive reads from the run: the number of inputs, input patterns computed
/// from the data, and the input rates earlier phases recorded.
pub struct Sources<'a> {
    pub inputs: usize,
    pub pattern: &'a dyn Fn(&Pattern) -> Result<Vec<f32>, RunError>,
    pub recorded: &'a dyn Fn(&str) -> Option<&'a [f32]>,
}

/// The drive of a sleep phase with time step `dt`, from its typed parameters.
pub fn build(d: &bind::Drive, dt: f64, src: &Sources) -> Result<Drive, RunError> {
    let n = src.inputs;
    Ok(match d {
        bind::Drive::Silence => Drive::silent(n),
        bind::Drive::Poisson(p) => rated(p.rates.as_ref(), p.max_rate, 1.0, dt, src)?,
        bind::Drive::Bernoulli(b) => rated(b.p.as_ref(), b.max_rate, 2.0, dt, src)?,
        bind::Drive::Gaussian(g) => {
            let mut d = Drive::new(vec![(g.max_rate * dt).min(1.0) as f32; n]);
            d.noise = Some((g.mean as f32, g.sigma as f32));
            d
        }
        bind::Drive::RecordedRates(r) => {
            // The plan guarantees a recording exists (E315); a stale REPL session may not.
            let rates = (src.recorded)(&r.phase.0).ok_or_else(|| {
                RunError::new(
                    Code::E412,
                    format!("`{}` has recorded no input rates yet", r.phase.0),
                )
            })?;
            let factor = r.scale * dt;
            let uniform = r.mode == ReplayMode::Uniform;
            let mean = rates.iter().map(|&r| r as f64).sum::<f64>() / rates.len().max(1) as f64;
            Drive::new(
                rates
                    .iter()
                    .map(|&r| {
                        let r = if uniform { mean } else { r as f64 };
                        (r * factor).clamp(0.0, 1.0) as f32
                    })
                    .collect(),
            )
        }
        // Kicks an agent's cells in an environment phase (`engine::forage`); the plan
        // allows it nowhere else (E320).
        bind::Drive::RecordedKicks(_) => {
            return Err(RunError::new(
                Code::E320,
                "`recorded_kicks` drives only sleep phases with an `environment`",
            ));
        }
    })
}

/// Poisson (`gain` 1: max_rate·p·dt) or Bernoulli (`gain` 2: SRC's 2·dt·max_rate·p) input.
fn rated(
    intensity: Option<&Intensity>,
    max_rate: f64,
    gain: f64,
    dt: f64,
    src: &Sources,
) -> Result<Drive, RunError> {
    let n = src.inputs;
    let pattern = match intensity {
        Some(Intensity::Pattern(p)) => (src.pattern)(p)?,
        Some(Intensity::Rate(hz)) => vec![(hz / max_rate.max(f64::MIN_POSITIVE)) as f32; n],
        Some(Intensity::Fraction(p)) => vec![*p as f32; n],
        None => vec![1.0; n],
    };
    let k = gain * dt * max_rate;
    Ok(Drive::new(
        pattern
            .iter()
            .map(|&p| (k as f32 * p).clamp(0.0, 1.0))
            .collect(),
    ))
}
