//! The Rulkov map, one step of one cell and of a whole population.
//!
//! A port of C++ `Cell::calc` with `properDynamics == 1`. The arithmetic keeps the C++
//! operation order so a step gives bitwise the f64 the C++ formula gives: the three
//! branches are computed without branching (all candidates, then a select), which LLVM
//! can vectorise and which yields the same values because the candidates are the same
//! expressions the branches evaluate.

use super::spec::Rulkov;

/// One step of the map: `(x, x_prev2, u, input)` → `(x_new, u_new, fired)`.
///
/// `x_prev2` is the value two steps back (C++ `last_last_voltage`) *before* this step
/// shifts the history; it keeps a cell that just left the spike plateau from firing twice.
#[inline(always)]
pub fn map(m: &Rulkov, x: f64, x_prev2: f64, u: f64, input: f64) -> (f64, f64, bool) {
    let u_temp = u + m.beta * input;
    let u_new = u - m.mu * (x + 1.0) + m.mu * m.sigma + m.mu * input;
    let plateau = m.alpha + u_temp;
    let quiet = m.alpha / (1.0 - x) + u_temp;
    // `&`, not `&&`: no control flow, so the population loop vectorises into selects.
    let below = x <= 0.0;
    let rising = (x > 0.0) & (x < plateau) & (x_prev2 <= 0.0);
    // C++ branch 3 is `x >= plateau || x_prev2 > 0`; the only inputs reaching neither
    // branch are NaNs (C++ asserts), which fire here.
    let fired = !below & !rising;
    let x_new = if below {
        quiet
    } else if rising {
        plateau
    } else {
        -1.0
    };
    (x_new, u_new, fired)
}

/// The state of one cell, for tests and one-off use.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cell {
    pub x: f64,
    pub x_prev: f64,
    pub x_prev2: f64,
    pub u: f64,
    pub input: f64,
}

impl Cell {
    /// A cell at rest at the model's initial state.
    pub fn new(m: &Rulkov) -> Cell {
        Cell {
            x: m.x0,
            x_prev: m.x0,
            x_prev2: m.x0,
            u: m.u0,
            input: 0.0,
        }
    }

    /// One step; true if the cell fired.
    pub fn step(&mut self, m: &Rulkov) -> bool {
        let (x, u, fired) = map(m, self.x, self.x_prev2, self.u, self.input);
        self.x_prev2 = self.x_prev;
        self.x_prev = self.x;
        self.x = x;
        self.u = u;
        self.input = decayed(self.input, m.decay);
        fired
    }
}

/// Below this an input is set to 0 as it decays. A silent cell's input (every cell in
/// sleep, where nothing is sensed) would otherwise decay into subnormal numbers within a
/// hundred moves, and arithmetic on those is many times slower (it doubled the cost of a
/// sleep aeon). It changes no result: β_e·I and μ·I below 1e-30 vanish when added to `u`
/// (|u| ≈ 2.8, whose last bit is 4e-16).
const FLUSH: f64 = 1e-30;

/// `input · decay`, flushed to 0 below [`FLUSH`].
#[inline(always)]
fn decayed(input: f64, decay: f64) -> f64 {
    let i = input * decay;
    if i.abs() < FLUSH { 0.0 } else { i }
}

/// The population's state columns (struct of arrays), all the same length.
pub struct Columns<'a> {
    pub x: &'a mut [f64],
    pub x_prev: &'a mut [f64],
    pub x_prev2: &'a mut [f64],
    pub u: &'a mut [f64],
    pub input: &'a mut [f64],
    /// Set to 1 where the cell fired this step, 0 elsewhere.
    pub fired: &'a mut [u8],
}

/// One step of every cell of a population; returns how many fired. Runs an AVX-512 or
/// AVX2 twin of the same body where the CPU has it: the same IEEE operations (no FMA), so
/// the same bits at every width; `SOMNIA_SIMD=baseline` keeps SSE2 (see
/// [`crate::engine::simd`]). The map is compute-bound (about 40 instructions per 4 cells,
/// the division is not the limit), so the 8-wide masks of AVX-512 pay here.
pub fn step_all(m: &Rulkov, c: Columns<'_>) -> usize {
    #[cfg(target_arch = "x86_64")]
    if crate::engine::simd::avx2() {
        if avx512() {
            // SAFETY: the CPU has AVX-512F.
            return unsafe { step_all_avx512(m, c) };
        }
        // SAFETY: the CPU has AVX2.
        return unsafe { step_all_avx2(m, c) };
    }
    step_all_here(m, c)
}

/// Whether the CPU has AVX-512F (decided once).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn avx512() -> bool {
    static WIDE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *WIDE.get_or_init(|| std::arch::is_x86_feature_detected!("avx512f"))
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn step_all_avx2(m: &Rulkov, c: Columns<'_>) -> usize {
    step_all_here(m, c)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn step_all_avx512(m: &Rulkov, c: Columns<'_>) -> usize {
    step_all_here(m, c)
}

#[inline(always)]
fn step_all_here(m: &Rulkov, c: Columns<'_>) -> usize {
    let n = c.x.len();
    let (x, xp, xp2, u, inp, fired) = (
        &mut c.x[..n],
        &mut c.x_prev[..n],
        &mut c.x_prev2[..n],
        &mut c.u[..n],
        &mut c.input[..n],
        &mut c.fired[..n],
    );
    // No reduction in this loop: it would keep LLVM from vectorising it.
    for i in 0..n {
        let (xn, un, f) = map(m, x[i], xp2[i], u[i], inp[i]);
        xp2[i] = xp[i];
        xp[i] = x[i];
        x[i] = xn;
        u[i] = un;
        inp[i] = decayed(inp[i], m.decay);
        fired[i] = f as u8;
    }
    fired.iter().map(|&f| f as usize).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decayed_inputs_reach_zero_instead_of_subnormals() {
        let m = Rulkov::default();
        let mut c = Cell::new(&m);
        c.input = 0.025;
        let mut steps = 0;
        while c.input != 0.0 {
            assert!(c.input.is_normal(), "step {steps}: {}", c.input);
            c.step(&m);
            steps += 1;
        }
        // 0.025 · 0.985^n < 1e-30 from n ≈ 4 350 on, long before subnormals (n ≈ 46 800).
        assert!((4000..5000).contains(&steps), "{steps}");
        assert_eq!(
            decayed(-2e-30, 0.985),
            -2e-30 * 0.985,
            "above the flush: unchanged"
        );
        assert_eq!(decayed(-1e-30, 0.985), 0.0);
    }

    #[test]
    fn a_quiet_cell_stays_quiet_for_ten_thousand_steps() {
        let m = Rulkov::default();
        let mut c = Cell::new(&m);
        for _ in 0..10_000 {
            assert!(!c.step(&m));
            assert!(c.x < 0.0);
        }
    }

    #[test]
    fn one_sensor_kick_makes_it_fire() {
        let m = Rulkov::default();
        let mut c = Cell::new(&m);
        c.input += 0.025;
        let spikes: Vec<usize> = (0..600).filter(|_| c.step(&m)).collect();
        // One spike, about a tenth of a move later (64 steps, from the formulas in Python).
        assert_eq!(
            spikes,
            vec![64],
            "a kick of 0.025 fires a resting cell once"
        );
    }

    #[test]
    fn three_steps_match_the_formulas_exactly() {
        let m = Rulkov::default();
        let mut c = Cell::new(&m);
        c.input = 0.025;
        // By hand, in the C++ operation order.
        let (mut x, mut u, mut inp) = (m.x0, m.u0, 0.025f64);
        for _ in 0..3 {
            let ut = u + 0.133 * inp;
            let un = u - 0.0005 * (x + 1.0) + 0.0005 * 0.06 + 0.0005 * inp;
            assert!(x <= 0.0);
            x = 3.65 / (1.0 - x) + ut;
            u = un;
            inp *= 0.985;
            c.step(&m);
            assert_eq!(c.x.to_bits(), x.to_bits());
            assert_eq!(c.u.to_bits(), u.to_bits());
            assert_eq!(c.input.to_bits(), inp.to_bits());
        }
        // The first of these three steps, written out as literals.
        let x1: f64 = 3.65 / (1.0 - -0.939998046792114) + (-2.821443297088526 + 0.133 * 0.025);
        let mut d = Cell::new(&m);
        d.input = 0.025;
        d.step(&m);
        assert_eq!(d.x.to_bits(), x1.to_bits());
    }

    #[test]
    fn the_branches_follow_the_history() {
        let m = Rulkov::default();
        // Rising: x > 0, below the plateau, x_prev2 <= 0 → the plateau alpha + u_temp.
        let (x, _, f) = map(&m, 0.5, -0.9, -2.8, 0.0);
        assert!(!f);
        assert_eq!(x.to_bits(), (3.65f64 + (-2.8 + 0.133 * 0.0)).to_bits());
        // Same x but x_prev2 > 0 (branch 3 through the history) → spike, reset to -1.
        let (x, _, f) = map(&m, 0.5, 0.3, -2.8, 0.0);
        assert!(f);
        assert_eq!(x, -1.0);
        // At or over the plateau → spike.
        let (x, _, f) = map(&m, 0.9, -0.9, -2.8, 0.0);
        assert!(f && x == -1.0);
        // A cell stepped through the plateau fires exactly once per plateau.
        let mut c = Cell::new(&m);
        c.x = 0.5;
        c.x_prev = -0.9;
        c.x_prev2 = -0.9;
        c.u = -2.8;
        assert!(!c.step(&m)); // → plateau 0.85
        assert!(c.step(&m)); // x 0.85 >= plateau (u moved down a little) → fire
        assert_eq!(c.x, -1.0);
    }

    #[test]
    fn the_population_step_is_the_cell_step() {
        let m = Rulkov::default();
        let mut cells: Vec<Cell> = (0..5).map(|_| Cell::new(&m)).collect();
        for (i, c) in cells.iter_mut().enumerate() {
            c.input = 0.01 * i as f64;
        }
        let mut x: Vec<f64> = cells.iter().map(|c| c.x).collect();
        let mut xp: Vec<f64> = cells.iter().map(|c| c.x_prev).collect();
        let mut xp2: Vec<f64> = cells.iter().map(|c| c.x_prev2).collect();
        let mut u: Vec<f64> = cells.iter().map(|c| c.u).collect();
        let mut inp: Vec<f64> = cells.iter().map(|c| c.input).collect();
        let mut fired = vec![0u8; 5];
        for _ in 0..200 {
            let cols = Columns {
                x: &mut x,
                x_prev: &mut xp,
                x_prev2: &mut xp2,
                u: &mut u,
                input: &mut inp,
                fired: &mut fired,
            };
            step_all(&m, cols);
            for (i, c) in cells.iter_mut().enumerate() {
                assert_eq!(c.step(&m) as u8, fired[i]);
                assert_eq!(c.x.to_bits(), x[i].to_bits());
                assert_eq!(c.u.to_bits(), u[i].to_bits());
            }
        }
    }
}
