//! e^x in f32 without a library call, so loops over a population's neurons vectorise.
//!
//! libm's `expf` is a call per neuron per step (a sixth of a spiking phase's time in the
//! 784 → 400 benchmark) and keeps the neuron loop scalar. This is the Cephes single-precision
//! method: x = n·ln 2 + r with |r| ≤ ½ ln 2, e^r by a degree-7 polynomial, 2^n put into the
//! exponent bits. Branch-free, SSE2 only; within 2 ulp of the exact value (tested against
//! f64) for every x the neurons use, clamped to [−87, 88] so the result stays a normal
//! float (e^−87 ≈ 1.6·10⁻³⁸: below that a decay factor is 0 for every purpose).

const LOG2E: f32 = std::f32::consts::LOG2_E;
/// ln 2 split in two so n·ln 2 is subtracted without rounding (Cody–Waite).
const LN2_HI: f32 = 0.693_359_4;
const LN2_LO: f32 = -2.121_944_4e-4;
/// 1.5·2²³: adding and subtracting it rounds to the nearest integer (|x| < 2²²).
const ROUND: f32 = 12_582_912.0;

#[inline(always)]
pub fn exp(x: f32) -> f32 {
    let x = x.clamp(-87.0, 88.0);
    // t holds n in its low mantissa bits; n itself is read from there, because a float →
    // int cast (saturating, NaN-checked) would not vectorise.
    let t = x * LOG2E + ROUND;
    let n = t - ROUND;
    let r = x - n * LN2_HI - n * LN2_LO;
    let p = ((((1.987_569_1e-4 * r + 1.398_199_9e-3) * r + 8.333_452e-3) * r + 4.166_579_6e-2) * r
        + 1.666_666_5e-1)
        * r
        + 0.5;
    let y = p * r * r + r + 1.0;
    // 2^n: n + 127 in the exponent field (n ∈ [−126, 127] after the clamp). t and ROUND
    // share their exponent, so the difference of their bits is n.
    let scale = f32::from_bits(t.to_bits().wrapping_sub(ROUND.to_bits()).wrapping_add(127) << 23);
    y * scale
}

#[cfg(test)]
mod tests {
    #[test]
    fn within_two_ulp_of_the_exact_value() {
        let mut worst = 0.0f64;
        let mut x = -87.0f32;
        while x <= 88.0 {
            let got = super::exp(x) as f64;
            let want = (x as f64).exp();
            // One ulp of the exact value, in f32.
            let ulp = ((want as f32).next_up() - want as f32) as f64;
            worst = worst.max((got - want).abs() / ulp);
            x += 0.0137;
        }
        assert!(worst <= 2.0, "worst error {worst} ulp");
        assert_eq!(super::exp(0.0), 1.0);
        assert_eq!(super::exp(-200.0), super::exp(-87.0));
        assert!(super::exp(-87.0) > 0.0 && super::exp(-87.0).is_normal());
    }
}
