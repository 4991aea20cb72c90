//! Modulators of a spiking phase: rhythms that multiply the drive, and membrane noise.
//!
//! With t the time since the phase began:
//! - `slow(f, depth, up_fraction, shape)`: NREM up and down states. `square`: the drive is
//!   whole during the first `up_fraction` of each cycle and × (1 − depth) for the rest;
//!   `sine`: × 1 − depth·(1 − s) with s = ½(1 + sin 2πft) moving smoothly between the two.
//! - `theta(f, depth)`, `gamma(f, depth)`: × (1 + depth·sin 2πft), the mean drive unchanged.
//! - `sine(f, depth, offset)`: × (offset + depth·sin 2πft), clipped at 0 (Watkins et al.).
//! - `noise(sigma, population, rhythmic)`: σ·N(0, 1) added to every membrane potential
//!   (of one population) each step; `rhythmic`: σ × the product of the drive factors.
//!
//! Drive factors multiply each other; spike probabilities are clipped to [0, 1].

use crate::plan::bind;
use crate::plan::bind::inputs::SlowShape;
use std::f64::consts::TAU;

#[derive(Debug, Clone, PartialEq)]
pub enum Modulator {
    Slow {
        freq: f64,
        depth: f64,
        up_fraction: f64,
        smooth: bool,
    },
    Rhythm {
        freq: f64,
        depth: f64,
    },
    Sine {
        freq: f64,
        depth: f64,
        offset: f64,
    },
    Noise {
        sigma: f32,
        /// Only this population (by name; the simulator resolves it).
        population: Option<String>,
        /// σ × the drive factor of the phase's rhythms.
        rhythmic: bool,
    },
}

impl Modulator {
    pub fn new(m: &bind::Modulator) -> Modulator {
        match m {
            bind::Modulator::Slow(p) => Modulator::Slow {
                freq: p.freq,
                depth: p.depth,
                up_fraction: p.up_fraction,
                smooth: p.shape == SlowShape::Sine,
            },
            bind::Modulator::Theta(p) | bind::Modulator::Gamma(p) => Modulator::Rhythm {
                freq: p.freq,
                depth: p.depth,
            },
            bind::Modulator::Sine(p) => Modulator::Sine {
                freq: p.freq,
                depth: p.depth,
                offset: p.offset,
            },
            bind::Modulator::Noise(p) => Modulator::Noise {
                sigma: p.sigma as f32,
                population: p.population.as_ref().map(|q| q.0.clone()),
                rhythmic: p.rhythmic,
            },
        }
    }

    /// The factor on the drive at time `t` (seconds); 1 for membrane noise.
    pub fn drive_factor(&self, t: f64) -> f64 {
        match *self {
            Modulator::Slow {
                freq,
                depth,
                up_fraction,
                smooth,
            } => {
                if smooth {
                    let s = 0.5 * (1.0 + (TAU * freq * t).sin());
                    1.0 - depth * (1.0 - s)
                } else if (freq * t).fract() < up_fraction {
                    1.0
                } else {
                    1.0 - depth
                }
            }
            Modulator::Rhythm { freq, depth } => 1.0 + depth * (TAU * freq * t).sin(),
            Modulator::Sine {
                freq,
                depth,
                offset,
            } => (offset + depth * (TAU * freq * t).sin()).max(0.0),
            Modulator::Noise { .. } => 1.0,
        }
    }

    /// The largest |factor| on the drive at any time (a bound for per-spike input
    /// generation, which draws candidates at the highest rate and thins them).
    pub fn max_drive_factor(&self) -> f64 {
        match *self {
            Modulator::Slow { depth, .. } => (1.0 - depth).abs().max(1.0),
            Modulator::Rhythm { depth, .. } => 1.0 + depth.abs(),
            Modulator::Sine { depth, offset, .. } => (offset + depth.abs()).max(0.0),
            Modulator::Noise { .. } => 1.0,
        }
    }
}

/// A bound of [`drive_factor`] over the whole phase.
pub fn max_drive_factor(mods: &[Modulator]) -> f32 {
    mods.iter()
        .map(Modulator::max_drive_factor)
        .product::<f64>() as f32
}

/// The product of every modulator's drive factor at time `t`.
pub fn drive_factor(mods: &[Modulator], t: f64) -> f32 {
    mods.iter().map(|m| m.drive_factor(t)).product::<f64>() as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slow_square_waves_gate_the_drive() {
        let m = Modulator::Slow {
            freq: 1.0,
            depth: 0.8,
            up_fraction: 0.25,
            smooth: false,
        };
        assert_eq!(m.drive_factor(0.1), 1.0);
        assert!((m.drive_factor(0.5) - 0.2).abs() < 1e-12);
        assert_eq!(m.drive_factor(1.2), 1.0);
    }

    #[test]
    fn rhythms_keep_the_mean_and_sine_is_clipped() {
        let m = Modulator::Rhythm {
            freq: 4.0,
            depth: 0.5,
        };
        let mean: f64 = (0..1000)
            .map(|i| m.drive_factor(i as f64 / 1000.0))
            .sum::<f64>()
            / 1000.0;
        assert!((mean - 1.0).abs() < 1e-9);
        assert!((m.drive_factor(1.0 / 16.0) - 1.5).abs() < 1e-9);
        let s = Modulator::Sine {
            freq: 1.0,
            depth: 2.0,
            offset: 0.5,
        };
        assert_eq!(s.drive_factor(0.75), 0.0);
        assert!((s.drive_factor(0.25) - 2.5).abs() < 1e-9);
    }

    #[test]
    fn the_bound_holds_at_every_time_and_is_reached() {
        let mods = [
            Modulator::Slow {
                freq: 0.8,
                depth: 1.0,
                up_fraction: 0.5,
                smooth: false,
            },
            Modulator::Slow {
                freq: 0.8,
                depth: 1.5,
                up_fraction: 0.5,
                smooth: true,
            },
            Modulator::Rhythm {
                freq: 6.0,
                depth: 0.5,
            },
            Modulator::Rhythm {
                freq: 40.0,
                depth: -0.3,
            },
            Modulator::Sine {
                freq: 1.0,
                depth: 0.5,
                offset: 1.0,
            },
            Modulator::Noise {
                sigma: 0.1,
                population: None,
                rhythmic: false,
            },
        ];
        for m in &mods {
            let bound = m.max_drive_factor();
            let seen = (0..100_000)
                .map(|i| m.drive_factor(i as f64 * 1e-5).abs())
                .fold(0.0f64, f64::max);
            assert!(seen <= bound + 1e-12, "{m:?}: {seen} above {bound}");
            assert!(
                seen > bound - 1e-3,
                "{m:?}: the bound {bound} is loose ({seen})"
            );
        }
        let all = max_drive_factor(&mods[2..5]);
        for i in 0..100_000 {
            assert!(drive_factor(&mods[2..5], i as f64 * 1e-5).abs() <= all);
        }
    }
}
